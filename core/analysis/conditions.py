"""The conditions a box is seen under: visibility, height, speed, crowding, track length, frames since
the object was last visible and KITTI's occlusion and truncation levels, per evaluated box of a sequence's
box table, and the bins of each.

Shared by the breakdowns (``breakdown.py``) and the causes of identity errors (``causes.py``) so both
speak of the same "occluded", "crowded" and "fast". Definitions and bins: docs/breakdowns.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..detections import frame_offsets
from ..similarity import box_pairs

VISIBLE = 0.5  # an object counts as visible in a frame when its visibility is at least this (or unknown)


@dataclass(frozen=True)
class Condition:
    """One attribute of a box and its bins: ``edges`` split the values into right-open bins (right-closed
    with ``right_closed``), a NaN value goes to the ``missing`` bin. ``gt_only``: tracker boxes have no value
    (false positives cannot be binned)."""

    name: str
    title: str
    unit: str
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    missing: str
    gt_only: bool
    right_closed: bool = False

    @property
    def bin_labels(self) -> tuple[str, ...]:
        return (*self.labels, self.missing)

    def codes(self, values: np.ndarray) -> np.ndarray:
        """Bin number of each value (``len(labels)`` for NaN)."""
        out = np.digitize(values, self.edges, right=self.right_closed).astype(np.int64)
        out[np.isnan(values)] = len(self.labels)
        return out


CONDITIONS = {c.name: c for c in (
    Condition("visibility", "Ground-truth visibility", "fraction visible (MOT17 column 9)",
              (0.25, 0.5, 0.75), ("< 0.25", "0.25–0.5", "0.5–0.75", "≥ 0.75"), "no visibility column", True),
    Condition("height", "Box height", "pixels", (50, 100, 200, 400),
              ("< 50", "50–100", "100–200", "200–400", "≥ 400"), "n/a", False),
    Condition("speed", "Object speed", "box heights per frame", (0.01, 0.03, 0.1),
              ("< 0.01", "0.01–0.03", "0.03–0.1", "≥ 0.1"), "one-box track", False),
    Condition("crowding", "Crowding", "largest IoU with another box of the same side", (1e-12, 0.1, 0.3, 0.5),
              ("0", "0–0.1", "0.1–0.3", "0.3–0.5", "≥ 0.5"), "n/a", False),
    Condition("track_length", "Track length", "boxes of the id", (30, 100, 300),
              ("< 30", "30–100", "100–300", "≥ 300"), "n/a", False),
    Condition("since_visible", "Frames since last visible", "frames", (2, 6, 31),
              ("1", "2–5", "6–30", "> 30"), "not visible before", True),
    Condition("kitti_occlusion", "KITTI occlusion", "level in column 5", (1, 2, 3),
              ("0 fully visible", "1 partly occluded", "2 largely occluded", "3 unknown"),
              "no KITTI occlusion column", True),
    # right-closed at KITTI's difficulty limits (truncation <= 0.15 easy, <= 0.3 moderate, <= 0.5 hard)
    Condition("kitti_truncation", "KITTI truncation", "value in column 4", (0, 0.15, 0.3, 0.5),
              ("0", "(0, 0.15]", "(0.15, 0.3]", "(0.3, 0.5]", "> 0.5"), "no KITTI truncation column", True,
              right_closed=True),
)}
COLUMNS = tuple(CONDITIONS)


def box_conditions(boxes: pd.DataFrame) -> pd.DataFrame:
    """Every condition of every evaluated box (index = the box table's index; NaN where the box has no
    value). ``boxes`` is a whole sequence's box table (frame-sorted, as ``box_table`` makes it)."""
    ev = boxes[boxes["evaluated"].to_numpy()]
    parts = [_side(ev[(ev["side"] == side).to_numpy()], gt=side == "gt") for side in ("gt", "tr")]
    out = pd.concat(parts)
    return out.loc[ev.index]


def _side(b: pd.DataFrame, gt: bool) -> pd.DataFrame:
    n = len(b)
    frame, ids = b["frame"].to_numpy(np.int64), b["id"].to_numpy(np.int64)
    x, y, w, h = (b[c].to_numpy(float) for c in ("x", "y", "w", "h"))
    vis = b["vis"].to_numpy(float) if gt and "vis" in b.columns else np.full(n, np.nan)
    vis = np.where((vis >= 0) & (vis <= 1), vis, np.nan)  # MOT15's column 9 is a world coordinate (-1)
    order = np.lexsort((frame, ids))  # by id, then frame
    same_prev = np.zeros(n, bool)
    same_prev[1:] = ids[order][1:] == ids[order][:-1]
    out = pd.DataFrame({
        "visibility": vis if gt else np.full(n, np.nan),
        "height": h,
        "speed": _speed(order, same_prev, frame, x + w / 2, y + h / 2, h),
        "crowding": _crowding(b, frame),
        "track_length": pd.Series(ids).map(pd.Series(ids).value_counts()).to_numpy(float),
        "since_visible": _since_visible(order, same_prev, frame, vis) if gt else np.full(n, np.nan),
        # KITTI levels as written; a negative value (DontCare's -1) counts as absent, like MOT15's visibility
        "kitti_occlusion": _kitti(b, "kitti_occluded", gt, 4),
        "kitti_truncation": _kitti(b, "kitti_truncated", gt, np.inf),
    }, index=b.index)
    return out


def _kitti(b: pd.DataFrame, column: str, gt: bool, above: float) -> np.ndarray:
    """A KITTI column of ground-truth boxes where ``0 <= value < above``, else NaN (tracker boxes, other
    formats, runs saved before the column existed)."""
    if not gt or column not in b.columns:
        return np.full(len(b), np.nan)
    v = b[column].to_numpy(float)
    return np.where((v >= 0) & (v < above), v, np.nan)


def _speed(order: np.ndarray, same_prev: np.ndarray, frame: np.ndarray, cx: np.ndarray, cy: np.ndarray,
           h: np.ndarray) -> np.ndarray:
    """Centre displacement per frame over the mean height, to the id's previous box (its next one for the
    first box of a track); NaN for a track of one box."""
    f, x, y, hh = frame[order], cx[order], cy[order], h[order]
    step = np.full(f.size, np.nan)
    if f.size > 1:
        gap = np.maximum(1, f[1:] - f[:-1])
        size = np.maximum((hh[1:] + hh[:-1]) / 2, 1e-9)
        step[1:] = np.hypot(x[1:] - x[:-1], y[1:] - y[:-1]) / gap / size
    step[~same_prev] = np.nan
    first = np.flatnonzero(~same_prev)
    nxt = first + 1
    has_next = nxt < f.size
    has_next[has_next] = same_prev[nxt[has_next]]
    step[first[has_next]] = step[nxt[has_next]]
    out = np.empty(f.size)
    out[order] = step
    return out


def _crowding(b: pd.DataFrame, frame: np.ndarray) -> np.ndarray:
    """Largest IoU of each box with another box of the same side in its frame (0 when it overlaps none)."""
    n = len(b)
    out = np.zeros(n)
    if n == 0:
        return out
    box = b[["x", "y", "w", "h"]].to_numpy(float)
    offsets = frame_offsets(frame, int(frame.max()))
    p = box_pairs(box, offsets, box, offsets)
    other = p.gt != p.tr
    np.maximum.at(out, p.gt[other], p.sim[other])
    return out


def _since_visible(order: np.ndarray, same_prev: np.ndarray, frame: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Frames since the object's last earlier frame in which it was visible (NaN: none before)."""
    f, v = frame[order], vis[order]
    visible = np.isnan(v) | (v >= VISIBLE)
    seen = np.where(visible, f, -1).astype(np.int64)
    # running maximum of ``seen`` inside each id, shifted by one box (strictly earlier frames)
    start = np.flatnonzero(~same_prev)
    run = np.maximum.accumulate(seen + _id_offset(start, f.size))
    run -= _id_offset(start, f.size)
    before = np.full(f.size, -1, np.int64)
    before[1:] = run[:-1]
    before[~same_prev] = -1
    step = np.where(before >= 0, f - before, np.nan)
    out = np.empty(f.size)
    out[order] = step
    return out


def _id_offset(start: np.ndarray, n: int) -> np.ndarray:
    """A large constant per id block, increasing, so a running maximum never crosses into the next id."""
    block = np.zeros(n, np.int64)
    block[start] = 1
    return np.cumsum(block) * np.int64(1 << 40)
