"""The causes' per-event lookups over a ground-truth track (``causes._GtTrack``: the visibility and crowding
windows before an event, the gap since the last match, an FN burst's length), vectorised, equal to the
per-event loops they replaced (kept below as the reference) on generated tracks (duplicate and skipped
frames, empty windows, no rows) and on the bundled sample's events."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklens.analysis import causes
from tracklens.breakdowns import conditions
from tracklens.workspace import Workspace


# -- the loops as they were: the reference ----------------------------------------------------------------------
def _windows_by_loop(t, lo, end):
    min_vis, max_overlap = np.full(lo.size, np.nan), np.zeros(lo.size)
    for k in range(lo.size):
        if end[k] > lo[k]:
            v = t.vis[lo[k]:end[k]]
            if not np.isnan(v).all():
                min_vis[k] = np.nanmin(v)
            max_overlap[k] = t.crowd[lo[k]:end[k]].max()
    return min_vis, max_overlap


def _gap_by_loop(t, at):
    out = np.full(at.size, np.nan)
    for k, i in enumerate(at):
        lo = np.searchsorted(t.ids, t.ids[i])
        done = np.flatnonzero(t.matched[lo:i])
        if done.size:
            out[k] = t.frame[i] - t.frame[lo + done[-1]] - 1
    return out


def _burst_by_loop(t, at):
    out = np.zeros(at.size)
    for k, i in enumerate(at):
        j = i
        while j < t.ids.size and t.ids[j] == t.ids[i] and not t.hit[j] and t.frame[j] - t.frame[i] == j - i:
            j += 1
        out[k] = j - i
    return out


@st.composite
def _track_and_events(draw):
    n = draw(st.integers(0, 30))
    ids = np.sort(np.array(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)), np.int64))
    steps = draw(st.lists(st.sampled_from([0, 1, 1, 1, 2, 5]), min_size=n, max_size=n))
    frame = np.zeros(n, np.int64)
    for i in range(n):
        frame[i] = frame[i - 1] + steps[i] if i and ids[i] == ids[i - 1] else 1 + steps[i]
    t = object.__new__(causes._GtTrack)
    t.ids, t.frame = ids, frame
    t.vis = np.array(draw(st.lists(st.sampled_from([np.nan, 0.0, 0.2, 0.5, 1.0]), min_size=n, max_size=n)), float)
    t.crowd = np.array(draw(st.lists(st.sampled_from([0.0, 0.1, 0.3, 0.9]), min_size=n, max_size=n)), float)
    t.matched = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    t.hit = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    k = draw(st.integers(0, 8)) if n else 0
    at = np.array(draw(st.lists(st.integers(0, max(0, n - 1)), min_size=k, max_size=k)), np.int64)
    lo = np.array(draw(st.lists(st.integers(0, n), min_size=k, max_size=k)), np.int64)
    end = np.minimum(lo + np.array(draw(st.lists(st.integers(-2, 12), min_size=k, max_size=k)), np.int64), n)
    return t, at, lo, end


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_track_and_events())
def test_generated_lookups_equal_the_loops(case) -> None:
    t, at, lo, end = case
    np.testing.assert_array_equal(t.gap_before(at), _gap_by_loop(t, at))
    np.testing.assert_array_equal(t.burst_length(at), _burst_by_loop(t, at))
    for got, want in zip(t.window_extremes(lo, end), _windows_by_loop(t, lo, end)):
        np.testing.assert_array_equal(got, want)


def test_sample_events_equal_the_loops(sample_dir) -> None:
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")
    seen = 0
    for tracker in ws.trackers:
        for meta in ws.sequences:
            an = ws.analysis(tracker, meta.name)
            for alpha_index in (0, 9, 18):
                table = causes.identity_causes(an.boxes, an.identity_events, an.fn_bursts, alpha_index,
                                               conditions(an))
                t = causes._GtTrack(an.boxes, alpha_index, conditions(an))
                at = t.row(table["gt_id"].to_numpy(np.int64), table["frame"].to_numpy(np.int64))
                burst = (table["kind"] == "fn_burst").to_numpy()
                expected = np.where(burst, _burst_by_loop(t, at), _gap_by_loop(t, at))
                np.testing.assert_array_equal(table["gap"].to_numpy(float), expected)
                lo = t.row(table["gt_id"].to_numpy(np.int64), table["frame"].to_numpy(np.int64) - causes.WINDOW)
                min_vis, max_overlap = _windows_by_loop(t, lo, at + burst)
                pd.testing.assert_series_equal(table["min_visibility_before"],
                                               pd.Series(min_vis, name="min_visibility_before"), check_exact=True)
                np.testing.assert_array_equal(table["max_overlap_before"].to_numpy(float), max_overlap)
                seen += len(table)
    assert seen > 50
