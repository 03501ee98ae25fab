"""Why an identity error happened: the evidence around every identity switch, fragmentation and FN burst.

Switches and fragmentations are CLEAR's (matching at the similarity threshold, TrackEval's IDSW and Frag);
FN bursts are HOTA's at one α (a ground truth missed FN_BURST_FRAMES+ frames in a row). For each, with
``t`` its frame and ``g`` its ground-truth track, looking at g's boxes in the WINDOW frames before t
(for a burst, up to and including t):
- ``occluded_before``: g's visibility fell below VISIBLE (a visibility drop; MOT17 column 9);
- ``overlap_before``: g overlapped another ground-truth box with IoU >= CROWDED;
- ``gap``: frames since g was last matched (CLEAR) before t, for a burst its length (frames missed);
- ``crowded``: g overlaps another ground-truth box with IoU >= CROWDED at t;
- ``fast``: g moves at least FAST box heights per frame at t;
- ``id_origin`` (the tracker id g gets at a switch): ``fresh`` (first seen at most WINDOW frames ago and
  never matched), ``taken`` (last matched to another object), ``returning`` (last matched to g itself),
  ``unmatched`` (seen earlier, never matched).
Every event keeps all its tags (causes overlap); ``CAUSES`` names them. Definitions: docs/breakdowns.md.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .conditions import VISIBLE, box_conditions

WINDOW = 10  # frames looked at before an event
CROWDED = 0.3  # IoU with another ground-truth box that counts as an overlap
FAST = 0.05  # box heights per frame
GAP = 1  # frames unmatched before a switch / fragmentation that count as a detection gap
CAUSES = {
    "occluded_before": "visibility drop before",
    "overlap_before": "overlap with another object before",
    "after_gap": "after a detection gap",
    "crowded": "crowded",
    "fast": "fast motion",
    "fresh_id": "new id is fresh",
    "taken_id": "new id taken from another object",
}
KINDS = {"switch": "identity switch (CLEAR)", "frag": "fragmentation (CLEAR)", "fn_burst": "FN burst (HOTA at α)"}
COLUMNS = ["kind", "frame", "gt_id", "tr_id", "prev_tr_id", "min_visibility_before", "max_overlap_before", "gap",
           "crowding", "speed", "id_origin", *CAUSES]


def identity_causes(boxes: pd.DataFrame, identity_events: pd.DataFrame, fn_bursts: pd.DataFrame,
                    alpha_index: int, cond: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per switch, fragmentation and FN burst (at ``alpha_index``) of one sequence x tracker, with
    its evidence and cause tags (``COLUMNS``), frame-sorted. Inputs are a ``SequenceAnalysis``'s tables
    (and ``box_conditions(boxes)`` when the caller has it)."""
    ev = identity_events
    parts = []
    for kind, types in (("switch", ("SWITCH",)), ("frag", ("FRAG",))):
        sel = ev[ev["type"].isin(types).to_numpy()]
        parts.append(pd.DataFrame({"kind": kind, "frame": sel["frame"].to_numpy(np.int64),
                                   "gt_id": sel["gt_id"].to_numpy(np.int64), "tr_id": sel["tr_id"].to_numpy(np.int64),
                                   "prev_tr_id": sel["prev_tr_id"].to_numpy(np.int64),
                                   "prev_gt_id": sel["prev_gt_id"].to_numpy(np.int64)}))
    bursts = fn_bursts[fn_bursts["alpha_index"].to_numpy() == alpha_index]
    parts.append(pd.DataFrame({"kind": "fn_burst", "frame": bursts["frame"].to_numpy(np.int64),
                               "gt_id": bursts["gt_id"].to_numpy(np.int64), "tr_id": -1, "prev_tr_id": -1,
                               "prev_gt_id": -1}))
    events = pd.concat(parts, ignore_index=True)
    if events.empty:
        return empty_causes()
    track = _GtTrack(boxes, alpha_index, cond)
    g, t = events["gt_id"].to_numpy(np.int64), events["frame"].to_numpy(np.int64)
    is_burst = (events["kind"] == "fn_burst").to_numpy()
    at = track.row(g, t)
    lo = track.row(g, t - WINDOW)
    end = at + is_burst  # a burst's own first frame counts too: was it missed because it was hidden?
    min_vis, max_overlap = track.window_extremes(lo, end)
    gap = np.where(is_burst, track.burst_length(at), track.gap_before(at))
    out = events.assign(min_visibility_before=min_vis, max_overlap_before=max_overlap, gap=gap,
                        crowding=track.crowd[at], speed=track.speed[at])
    out["id_origin"] = _id_origin(boxes, out, is_burst)
    out["occluded_before"] = min_vis < VISIBLE
    out["overlap_before"] = max_overlap >= CROWDED
    out["after_gap"] = ~is_burst & (gap >= GAP)
    out["crowded"] = out["crowding"].to_numpy() >= CROWDED
    out["fast"] = out["speed"].to_numpy() >= FAST
    out["fresh_id"] = (out["id_origin"] == "fresh").to_numpy()
    out["taken_id"] = (out["id_origin"] == "taken").to_numpy()
    order = np.lexsort((events["kind"].to_numpy(), t))
    return out.iloc[order][COLUMNS].reset_index(drop=True)


BASELINE_CAUSES = ("occluded_before", "overlap_before", "crowded", "fast")  # the tags any gt box can have


def baseline_counts(boxes: pd.DataFrame, cond: pd.DataFrame | None = None) -> dict[str, int]:
    """How many evaluated ground-truth boxes show each of BASELINE_CAUSES, with the same window and
    thresholds as an event at that box: what a cause's share among events should be compared with.
    ``boxes`` (visibility known: ``boxes_with_visibility``) and ``boxes`` (all) are the denominators."""
    track = _GtTrack(boxes, 0, cond)
    n = track.ids.size
    out = {"boxes": n, "boxes_with_visibility": 0, **{c: 0 for c in BASELINE_CAUSES}}
    if n == 0:
        return out
    frame = pd.to_timedelta(track.frame, unit="s")
    data = pd.DataFrame({"id": track.ids, "vis": track.vis, "crowd": track.crowd}, index=frame)
    window = data.groupby("id", sort=False)[["vis", "crowd"]].rolling(f"{WINDOW}s", closed="left")
    low, high = window["vis"].min().to_numpy(), window["crowd"].max().to_numpy()  # NaN: nothing before
    out["boxes_with_visibility"] = int(np.isfinite(low).sum())
    out["occluded_before"] = int((low < VISIBLE).sum())
    out["overlap_before"] = int((high >= CROWDED).sum())
    out["crowded"] = int((track.crowd >= CROWDED).sum())
    out["fast"] = int((track.speed >= FAST).sum())
    return out


def empty_causes() -> pd.DataFrame:
    """The causes table without rows (typed columns)."""
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("kind", "id_origin") else float) for c in COLUMNS})


class _GtTrack:
    """The evaluated ground-truth boxes sorted by (id, frame) with their conditions, for window lookups."""

    def __init__(self, boxes: pd.DataFrame, alpha_index: int, cond: pd.DataFrame | None):
        cond = box_conditions(boxes) if cond is None else cond
        gt = boxes.loc[cond.index]
        gt = gt[(gt["side"] == "gt").to_numpy()]
        cond = cond.loc[gt.index]
        ids, frame = gt["id"].to_numpy(np.int64), gt["frame"].to_numpy(np.int64)
        order = np.lexsort((frame, ids))
        self.ids, self.frame = ids[order], frame[order]
        self.key = self.ids * np.int64(1 << 32) + self.frame
        self.vis = cond["visibility"].to_numpy(float)[order]
        self.crowd = cond["crowding"].to_numpy(float)[order]
        self.speed = cond["speed"].to_numpy(float)[order]
        self.matched = gt["clear_partner"].to_numpy()[order] >= 0
        self.hit = gt["level"].to_numpy()[order] > alpha_index

    def row(self, g: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Position of g's first box at or after frame t (an event's own box: it exists)."""
        return np.searchsorted(self.key, g * np.int64(1 << 32) + t)

    def window_extremes(self, lo: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Over rows ``lo[k]:end[k]`` of each event: the lowest known visibility (NaN: none known, or no
        row) and the highest crowding (0 without a row), all windows in one pass (``reduceat``)."""
        min_vis = np.full(lo.size, np.nan)
        max_overlap = np.zeros(lo.size)
        some = end > lo
        if some.any():
            bounds = np.stack([lo[some], end[some]], 1).ravel()  # reduceat's odd slots (end..next) are dropped
            low = np.minimum.reduceat(np.append(np.where(np.isnan(self.vis), np.inf, self.vis), np.inf), bounds)[::2]
            min_vis[some] = np.where(np.isinf(low), np.nan, low)  # visibility is in [0, 1] or NaN
            max_overlap[some] = np.maximum.reduceat(np.append(self.crowd, -np.inf), bounds)[::2]
        return min_vis, max_overlap

    def gap_before(self, at: np.ndarray) -> np.ndarray:
        """Frames between g's last CLEAR match before the event and the event (NaN: never matched before)."""
        rows = np.arange(self.ids.size)
        last = np.maximum.accumulate(np.where(self.matched, rows, -1))  # the last matched row up to each row
        before = np.append(-1, last[:-1])[at]  # strictly before the event's row
        mine = before >= np.searchsorted(self.ids, self.ids[at])  # and of the same ground-truth id
        out = np.full(at.size, np.nan)
        out[mine] = self.frame[at[mine]] - self.frame[before[mine]] - 1
        return out

    def burst_length(self, at: np.ndarray) -> np.ndarray:
        """Frames in a row g is missed at the α (from the burst's first frame): up to its first hit or the
        first row that does not continue the previous one (another id, or a frame skipped)."""
        n = self.ids.size
        rows = np.arange(n + 1)
        first_hit = np.minimum.accumulate(np.where(np.append(self.hit, True), rows, n)[::-1])[::-1]
        broken = np.ones(n + 1, bool)  # row m does not continue row m - 1 (row n: the end)
        broken[1:n] = (self.ids[1:] != self.ids[:-1]) | (self.frame[1:] != self.frame[:-1] + 1)
        first_break = np.minimum.accumulate(np.where(broken, rows, n)[::-1])[::-1]
        return (np.minimum(first_hit[at], first_break[at + 1]) - at).astype(float)


def _id_origin(boxes: pd.DataFrame, events: pd.DataFrame, is_burst: np.ndarray) -> np.ndarray:
    tr = boxes[((boxes["side"] == "tr") & boxes["evaluated"]).to_numpy()]
    first_seen = tr.groupby("id")["frame"].min()
    first = first_seen.reindex(events["tr_id"].to_numpy()).to_numpy(float)
    prev_gt, g = events["prev_gt_id"].to_numpy(), events["gt_id"].to_numpy()
    t = events["frame"].to_numpy()
    origin = np.select([prev_gt == g, prev_gt >= 0, first >= t - WINDOW], ["returning", "taken", "fresh"], "unmatched")
    return np.where(is_burst, "", origin)


def cause_counts(causes: pd.DataFrame) -> pd.DataFrame:
    """Per kind of event: how many, and how many carry each cause (and none), with the share of the kind.
    A visibility drop can only be seen where the ground truth has visibility: its share is over the events
    with a known visibility before them (``known``; NaN without any, e.g. MOT15 or KITTI)."""
    rows = []
    for kind in KINDS:
        part = causes[(causes["kind"] == kind).to_numpy()]
        n = len(part)
        tags = part[list(CAUSES)].to_numpy(bool) if n else np.zeros((0, len(CAUSES)), bool)
        seen = int(part["min_visibility_before"].notna().sum()) if n else 0
        for name, count in (*zip(CAUSES, tags.sum(0)), ("no_evidence", int((~tags.any(1)).sum()))):
            known = seen if name == "occluded_before" else n
            rows.append({"kind": kind, "cause": name, "events": n, "known": known, "count": int(count),
                         "share": count / known if known else np.nan})
    return pd.DataFrame(rows)
