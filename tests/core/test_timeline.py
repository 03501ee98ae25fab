"""Windowed tables and the error timeline (core.analysis.frame_table, core.analysis.timeline): a saved
analysis read a window at a time gives exactly the rows of the in-memory one, the per-frame counts add
up to the metrics, and "jump to the next error" finds the frames the box table says it should."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tracklens.analysis.frame_table as frame_table
from tracklens.analysis.record import DERIVED, TABLES, SequenceAnalysis
from tracklens.analysis.timeline import (ERROR_KINDS, FN_BURST_FRAMES, IDENTITY_EVENTS, binned_errors, error_frames,
                                    tp_column)
from tracklens.analysis.tracks import coverage_segments
from tracklens.evaluate import evaluate
from tracklens.layout import resolve
from tracklens.metrics.hota import NUM_ALPHAS

ALPHAS_CHECKED = (0, 9, 18)


def _analyses(run) -> list[SequenceAnalysis]:
    return [an for seqs in run.analyses.values() for an in seqs.values()]


@pytest.fixture(scope="module")
def sample_analyses(sample_dir: Path) -> list[SequenceAnalysis]:
    run = evaluate(resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15"), analyse_matches=True)
    return _analyses(run)


@pytest.fixture(scope="module")
def mot17_analysis(shared_data: Path, tmp_path_factory) -> SequenceAnalysis:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.mktemp("seqmap") / "one.txt"
    seqmap.write_text("name\nMOT17-04-SDP\n")
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     seqmap=str(seqmap), trackers=["MPNTrack"])
    return evaluate(layout, analyse_matches=True).analyses["MPNTrack"]["MOT17-04-SDP"]


def saved_in_small_groups(an: SequenceAnalysis, folder: Path, monkeypatch, rows: int = 97) -> SequenceAnalysis:
    """Save with tiny row groups, so windows cross group borders and the group cache evicts."""
    monkeypatch.setattr(frame_table, "ROW_GROUP_ROWS", rows)
    an.save(str(folder))
    return SequenceAnalysis.load(str(folder))


def oracle_error_frames(boxes: pd.DataFrame, events: pd.DataFrame, kind: str, a: int) -> np.ndarray:
    """The definitions straight from the whole tables."""
    ev = boxes[boxes["evaluated"]]
    types = {"switch": ["SWITCH", "ASCEND"], "merge": ["TRANSFER", "MIGRATE"], "frag": ["FRAG"]}
    if kind in types:
        frames = np.unique(events.loc[events["type"].isin(types[kind]), "frame"].to_numpy())
        # A box shows one event (the most telling), so the box table sees a subset of these frames.
        assert set(np.unique(ev.loc[ev["event"].isin(types[kind]), "frame"])) <= set(frames)
        return frames
    if kind in ("fn", "fp"):
        sel = (ev["side"] == ("gt" if kind == "fn" else "tr")) & (ev["level"].to_numpy() <= a)
        return np.unique(ev.loc[sel, "frame"].to_numpy())
    runs = coverage_segments(boxes, a, "gt")
    return np.unique(runs.loc[(runs["partner"] < 0) & (runs["frames"] >= FN_BURST_FRAMES), "start"].to_numpy())


def check_windows(mem: SequenceAnalysis, disk: SequenceAnalysis, rng: np.random.Generator) -> None:
    n = mem.num_frames
    assert not disk.stored_boxes.loaded and len(disk.box_window(1, n)) == len(mem.boxes)
    windows = [(1, 1), (n, n), (1, n), (0, 0), (n + 1, n + 5), (-3, 2), (5, 4)]
    windows += [tuple(sorted(rng.integers(1, n + 1, 2))) for _ in range(25)]
    for first, last in windows:
        pd.testing.assert_frame_equal(disk.box_window(first, last), mem.box_window(first, last), check_exact=True,
                                      obj=f"box_window({first}, {last})")
    for k in (1, n // 2, n):
        want = mem.events[(mem.events["frame"] == k) & mem.events["type"].isin(IDENTITY_EVENTS)]
        pd.testing.assert_frame_equal(disk.frame_identity_events(k).reset_index(drop=True),
                                      want.reset_index(drop=True), check_exact=True)
    assert not disk.stored_boxes.loaded and not disk.stored_events.loaded  # nothing above read a whole table
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(disk, name), getattr(mem, name), check_exact=True, obj=name)


def check_counts(an: SequenceAnalysis) -> None:
    counts, m = an.frames, an.metrics
    assert counts["frame"].tolist() == list(range(1, an.num_frames + 1))
    for a in range(NUM_ALPHAS):
        tp = int(counts[tp_column(a)].sum())
        assert tp == m["HOTA_TP"][a]
        assert int(counts["gt"].sum()) - tp == m["HOTA_FN"][a]
        assert int(counts["tr"].sum()) - tp == m["HOTA_FP"][a]
    assert int(counts["switches"].sum()) == m["IDSW"]
    for a in ALPHAS_CHECKED:
        for bins in (1, 7, 400, 10 * an.num_frames):
            b = binned_errors(counts, a, bins)
            assert 1 <= len(b) <= bins
            assert b["first"].iloc[0] == 1 and b["last"].iloc[-1] == an.num_frames
            assert (b["first"].to_numpy()[1:] == b["last"].to_numpy()[:-1] + 1).all()  # contiguous, no overlap
            assert int(b["FN"].sum()) == m["HOTA_FN"][a] and int(b["FP"].sum()) == m["HOTA_FP"][a]
            assert int(b["switches"].sum()) == m["IDSW"]


def check_error_frames(an: SequenceAnalysis, oracle: SequenceAnalysis) -> None:
    for kind in ERROR_KINDS:
        for a in ALPHAS_CHECKED:
            want = oracle_error_frames(oracle.boxes, oracle.events, kind, a)
            assert np.array_equal(error_frames(an, kind, a), want), (kind, a)
    assert int((oracle.events["type"] == "FRAG").sum()) == oracle.metrics["Frag"]


def test_sample_windows_counts_and_error_frames(sample_analyses, tmp_path: Path, monkeypatch) -> None:
    rng = np.random.default_rng(0)
    assert len(sample_analyses) == 4
    for k, mem in enumerate(sample_analyses):
        disk = saved_in_small_groups(mem, tmp_path / str(k), monkeypatch)
        check_counts(mem)
        check_error_frames(mem, mem)
        check_error_frames(disk, mem)
        check_windows(mem, disk, rng)
    switches = sum(error_frames(an, "switch", 9).size for an in sample_analyses)
    assert switches > 0  # the sample has switches to step through (motmetrics_test: 7 on TUD-Campus)


@pytest.mark.shared
def test_mot17_windows_counts_and_error_frames(mot17_analysis, tmp_path: Path, monkeypatch) -> None:
    disk = saved_in_small_groups(mot17_analysis, tmp_path / "an", monkeypatch, rows=4_096)
    check_counts(mot17_analysis)
    check_error_frames(disk, mot17_analysis)
    assert not disk.stored_boxes.loaded  # every jump is answered from the small tables
    check_windows(mot17_analysis, disk, np.random.default_rng(1))


def test_old_saved_runs_without_the_derived_tables_still_open(sample_analyses, tmp_path: Path) -> None:
    an = sample_analyses[1]
    an.save(str(tmp_path))
    for name in DERIVED:
        (tmp_path / f"{name}.parquet").unlink()
    back = SequenceAnalysis.load(str(tmp_path))
    for name in DERIVED:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(an, name), check_exact=True, obj=name)


def test_unknown_error_kind_is_refused(sample_analyses) -> None:
    with pytest.raises(ValueError, match="unknown error kind"):
        error_frames(sample_analyses[0], "typo", 9)
