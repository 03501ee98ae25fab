"""Hypothesis strategies for random single-sequence tracking cases (small: each runs in milliseconds).

``tracking_cases()`` draws boxes (GT and tracker rows) with the situations that break metric
re-implementations: identity switches and switch-backs, ID transfers (one tracker id on two GTs
over time), splits (one GT covered by two tracker ids), misses, frames where the tracker has no
box at all, GT absent for a few frames, frames with no GT, empty tracker, empty GT, zero-area
boxes, integer-grid boxes (IoU exactly 0.5, tied IoUs, identical boxes), jittered boxes (a spread
of IoU) and crowded frames (up to 8 objects on a small canvas). ``similarity_cases()`` draws
per-frame ids and similarity matrices directly.

Both yield objects whose ``per_frame()`` returns TrackEval's metric input: per-frame gt ids and
tracker ids (relabelled to 0..N-1 per sequence) and per-frame similarity matrices.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FrameCase = tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]

EPS = np.finfo(float).eps
# Exact values that sit on thresholds: 0.5 (CLEAR/Identity), 0.3 / 0.6 (HOTA alphas, 0.6 drifts to
# 0.6000000000000001), and the float just below 0.5, which CLEAR (S >= 0.5 - eps) counts as a
# match and Identity (S >= 0.5) does not.
SIM_VALUES = (0.0, 0.3, 0.5, 0.6, 1.0, float(np.nextafter(0.5, 0.0)))


def box_ious(bboxes1: np.ndarray, bboxes2: np.ndarray) -> np.ndarray:
    """IoU of xywh boxes, bit-identical to TrackEval's ``_BaseDataset._calculate_box_ious``.

    Same operations in the same order: corners from x+w / y+h, intersection clipped at 0, and the
    IoU forced to 0 where either area or the union is <= eps.
    """
    b1 = np.array(bboxes1, dtype=float).reshape(-1, 4)
    b2 = np.array(bboxes2, dtype=float).reshape(-1, 4)
    b1[:, 2] = b1[:, 0] + b1[:, 2]
    b1[:, 3] = b1[:, 1] + b1[:, 3]
    b2[:, 2] = b2[:, 0] + b2[:, 2]
    b2[:, 3] = b2[:, 1] + b2[:, 3]
    min_ = np.minimum(b1[:, np.newaxis, :], b2[np.newaxis, :, :])
    max_ = np.maximum(b1[:, np.newaxis, :], b2[np.newaxis, :, :])
    intersection = np.maximum(min_[..., 2] - max_[..., 0], 0) * np.maximum(min_[..., 3] - max_[..., 1], 0)
    area1 = (b1[..., 2] - b1[..., 0]) * (b1[..., 3] - b1[..., 1])
    area2 = (b2[..., 2] - b2[..., 0]) * (b2[..., 3] - b2[..., 1])
    union = area1[:, np.newaxis] + area2[np.newaxis, :] - intersection
    intersection[area1 <= 0 + EPS, :] = 0
    intersection[:, area2 <= 0 + EPS] = 0
    intersection[union <= 0 + EPS] = 0
    union[union <= 0 + EPS] = 1
    return intersection / union


def relabel(ids_per_frame: list[np.ndarray]) -> list[np.ndarray]:
    """Map ids to 0..N-1 in sorted order over the whole sequence (TrackEval's relabelling)."""
    ids_per_frame = [np.asarray(ids, dtype=int) for ids in ids_per_frame]
    unique = np.unique(np.concatenate(ids_per_frame)) if ids_per_frame else np.zeros(0, int)
    return [np.searchsorted(unique, ids).astype(int) for ids in ids_per_frame]


@dataclass(frozen=True)
class SimilarityCase:
    """One sequence given directly as per-frame ids and similarity matrices (ids already 0..N-1)."""

    gt_ids: list[np.ndarray]
    tracker_ids: list[np.ndarray]
    sims: list[np.ndarray]

    @property
    def num_frames(self) -> int:
        return len(self.gt_ids)

    def per_frame(self) -> FrameCase:
        return self.gt_ids, self.tracker_ids, self.sims


@dataclass(frozen=True)
class TrackingCase:
    """One sequence as boxes: ``gt`` and ``tracker`` are (N, 6) float arrays of rows
    ``(frame 1-based, id, x, y, w, h)``, in file order (not necessarily sorted by frame)."""

    num_frames: int
    gt: np.ndarray
    tracker: np.ndarray

    def per_frame(self) -> FrameCase:
        """(gt ids, tracker ids, IoU matrices) per frame, ids relabelled, rows in file order."""
        gt_ids, tr_ids, sims = [], [], []
        for t in range(1, self.num_frames + 1):
            g = self.gt[self.gt[:, 0] == t]
            p = self.tracker[self.tracker[:, 0] == t]
            gt_ids.append(g[:, 1].astype(int))
            tr_ids.append(p[:, 1].astype(int))
            sims.append(box_ious(g[:, 2:6], p[:, 2:6]))
        return relabel(gt_ids), relabel(tr_ids), sims

    def write_mot(self, gt_path: str | Path, tracker_path: str | Path) -> None:
        """Write both sides as 10-column MOT15 text (consider flag 1); floats round-trip exactly."""
        for rows, path in ((self.gt, gt_path), (self.tracker, tracker_path)):
            Path(path).write_text("".join(
                f"{int(f)},{int(i)},{float(x)!r},{float(y)!r},{float(w)!r},{float(h)!r},1,-1,-1,-1\n"
                for f, i, x, y, w, h in rows
            ))


def _weighted_flag(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws (False is the simple side, which Hypothesis favours)."""
    return draw(st.integers(0, one_in - 1)) == one_in - 1


@st.composite
def tracking_cases(draw: st.DrawFn, max_frames: int = 30, max_objects: int = 8) -> TrackingCase:
    """Random GT tracks on an integer grid and a tracker that follows, misses, switches and adds FPs."""
    num_frames = draw(st.integers(1, max_frames))
    unit = draw(st.sampled_from((1.0, 10.0)))  # grid cell size in pixels
    canvas = draw(st.integers(2, 24))  # grid cells: a small canvas makes crowded, overlapping frames
    noise = draw(st.sampled_from((0.0, 0.02, 0.15, 0.5)))  # jitter amplitude, in grid cells
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    frames = st.integers(1, num_frames)
    coords = st.integers(-1, canvas)
    sizes = st.integers(0, 6)  # 0 gives zero-area boxes
    steps = st.integers(-1, 1)
    # (dx, dy, dw, dh) in grid cells, then a width factor
    perturbations = st.one_of(
        st.just((0, 0, 0, 0, 1.0)),  # exact copy: IoU 1
        st.tuples(steps, steps, steps, steps, st.just(1.0)),  # lattice IoUs: ties, 0.5, 0
        st.tuples(st.just(0), st.just(0), st.just(0), st.just(0), st.sampled_from((0.5, 2.0))),  # IoU 0.5
    )

    num_objects = 0 if _weighted_flag(draw, 12) else draw(st.integers(1, max_objects))
    gt_ids = draw(st.lists(st.integers(0, 60), min_size=num_objects, max_size=num_objects, unique=True))
    # Few tracker ids shared by all objects: switches, switch-backs and ID transfers are common.
    pool = st.sampled_from(draw(st.lists(st.integers(0, 60), min_size=1, max_size=num_objects + 3, unique=True)))

    def moved(box: np.ndarray, perturbation: tuple[int, int, int, int, float], jitter: bool) -> np.ndarray:
        out = box + np.asarray(perturbation[:4], dtype=float) * unit
        out[2] *= perturbation[4]
        if jitter:
            out = out + rng.uniform(-noise, noise, 4) * unit
        out[2:] = np.maximum(out[2:], 0.0)
        return out

    spans = st.one_of(st.just((1, num_frames)), st.tuples(frames, frames).map(sorted))
    gt_rows: list[np.ndarray] = []
    tr_rows: list[np.ndarray] = []
    for k, gid in enumerate(gt_ids):
        first, last = draw(spans)
        absent = draw(st.sets(st.integers(first, last), max_size=3))  # GT not annotated there
        present = [t for t in range(first, last + 1) if t not in absent]
        if k == 0 or not _weighted_flag(draw, 5):  # else a twin of the previous object: tied IoUs
            start = np.array([draw(coords), draw(coords), draw(sizes), draw(sizes)], dtype=float) * unit  # frame 1
            velocity = np.array([draw(steps), draw(steps), 0, 0], dtype=float) * unit
        cuts = draw(st.sets(st.integers(1, max(1, len(present) - 1)), max_size=3))
        for segment in np.split(np.asarray(present, dtype=int), sorted(c for c in cuts if c < len(present))):
            missed = _weighted_flag(draw, 5)
            tid = draw(pool)
            perturbation, jitter = draw(perturbations), draw(st.booleans())
            split_tid = draw(pool) if _weighted_flag(draw, 6) else None  # a second box on the same GT
            split_perturbation, split_jitter = draw(perturbations), draw(st.booleans())
            for t in segment:
                box = start + velocity * (t - 1)
                gt_rows.append(np.r_[t, gid, box])
                if not missed:
                    tr_rows.append(np.r_[t, tid, moved(box, perturbation, jitter)])
                if split_tid is not None:
                    tr_rows.append(np.r_[t, split_tid, moved(box, split_perturbation, split_jitter)])
    for _ in range(draw(st.integers(0, 8))):  # false positives anywhere
        box = np.array([draw(coords), draw(coords), draw(sizes), draw(sizes)], dtype=float) * unit
        tr_rows.append(np.r_[draw(frames), draw(pool), moved(box, (0, 0, 0, 0, 1.0), draw(st.booleans()))])

    gt = np.array(gt_rows).reshape(-1, 6)
    tracker = np.array(tr_rows).reshape(-1, 6)
    tracker = tracker[_first_per_frame_and_id(tracker)]  # an id appears at most once per frame
    no_tracker = draw(st.sets(frames, max_size=num_frames // 3 + 1))  # tracker has no box at all
    no_gt = draw(st.sets(frames, max_size=num_frames // 4 + 1))  # nothing annotated
    tracker = tracker[~np.isin(tracker[:, 0], list(no_tracker))]
    gt = gt[~np.isin(gt[:, 0], list(no_gt))]
    if _weighted_flag(draw, 10):
        tracker = tracker[:0]
    gt, tracker = (_order(rows, draw(st.booleans()), rng) for rows in (gt, tracker))
    return TrackingCase(num_frames=num_frames, gt=gt, tracker=tracker)


def _first_per_frame_and_id(rows: np.ndarray) -> np.ndarray:
    """Indices (in order) of the first row of each (frame, id) pair."""
    _, first = np.unique(rows[:, :2], axis=0, return_index=True)
    return np.sort(first)


def _order(rows: np.ndarray, shuffle: bool, rng: np.random.Generator) -> np.ndarray:
    """Frame-sorted (stable) rows, or a random file order when ``shuffle``."""
    if shuffle:
        return rows[rng.permutation(len(rows))]
    return rows[np.argsort(rows[:, 0], kind="stable")]


@st.composite
def similarity_cases(
    draw: st.DrawFn, max_frames: int = 12, max_per_frame: int = 5, max_ids: int = 8
) -> SimilarityCase:
    """Per-frame ids (unique within a frame) and similarity matrices with threshold values and
    uniform floats in [0, 1]; frames may have no GT, no tracker boxes, or neither."""
    num_frames = draw(st.integers(1, max_frames))
    n_gt_ids = 0 if _weighted_flag(draw, 10) else draw(st.integers(1, max_ids))
    n_tr_ids = 0 if _weighted_flag(draw, 10) else draw(st.integers(1, max_ids))
    value = st.one_of(st.sampled_from(SIM_VALUES), st.floats(0.0, 1.0))

    def ids(n_ids: int) -> np.ndarray:
        if n_ids == 0:
            return np.zeros(0, int)
        chosen = draw(st.lists(st.integers(0, n_ids - 1), unique=True, max_size=min(max_per_frame, n_ids)))
        return np.asarray(chosen, dtype=int)

    gt_ids, tr_ids, sims = [], [], []
    for _ in range(num_frames):
        g, p = ids(n_gt_ids), ids(n_tr_ids)
        gt_ids.append(g)
        tr_ids.append(p)
        sims.append(draw(hnp.arrays(float, (len(g), len(p)), elements=value)))
    return SimilarityCase(gt_ids=relabel(gt_ids), tracker_ids=relabel(tr_ids), sims=sims)
