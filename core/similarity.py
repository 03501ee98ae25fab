"""Similarity of every ground-truth x tracker box pair that shares a frame.

IoU is computed with exactly the operations TrackEval uses (``_calculate_box_ious``: corners from
x+w, y+h; area from the corners; zero for degenerate boxes or unions), so values are bit-identical.
Only pairs with a positive similarity are kept: everything downstream treats the rest as 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = np.finfo(float).eps
CHUNK_BOXES = 1 << 15  # boxes (both sides) handled at a time by ``overlap_candidates`` and ``box_pairs``


@dataclass(frozen=True)
class Pairs:
    """Sparse same-frame similarities: entry k links gt row ``gt[k]`` and tracker row ``tr[k]``.

    Rows are positions in the frame-sorted ``Detections`` of each side; entries are sorted by gt
    row, then tracker row (so also by frame).
    """

    gt: np.ndarray
    tr: np.ndarray
    sim: np.ndarray


def frame_chunks(gt_offsets: np.ndarray, tr_offsets: np.ndarray, boxes: int | None = None) -> list[tuple[int, int]]:
    """Consecutive runs ``(first, end)`` of whole frames holding about ``boxes`` boxes of both sides
    each (a frame with more is a run of its own); ``CHUNK_BOXES`` by default.

    Working a run at a time keeps every temporary small and in cache, and the binary searches
    short: over a whole long sequence the candidate arrays grow past the CPU caches and the
    allocator's reuse threshold (every allocation then comes as fresh pages from the kernel), the
    left-edge ranks are searched among all the boxes of the sequence, and the time per frame grows
    with the length of the sequence.
    """
    boxes = CHUNK_BOXES if boxes is None else boxes
    total = gt_offsets + tr_offsets  # boxes before each frame, both sides
    cuts = np.unique(np.concatenate([[0], np.searchsorted(total, np.arange(boxes, total[-1], boxes)),
                                     [total.size - 1]])).tolist()
    return list(zip(cuts[:-1], cuts[1:]))


def overlap_candidates(gt_box: np.ndarray, gt_offsets: np.ndarray, tr_box: np.ndarray,
                       tr_offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Same-frame (gt row, tracker row) pairs whose x-extents can overlap (a superset of IoU > 0),
    sorted by tracker row (``frame_chunks`` at a time; the result does not depend on the chunks).

    Ground-truth boxes are sorted by left edge inside each frame; a tracker box can only meet those
    whose left edge lies in (x0 - widest gt box of the frame, x1), a contiguous run found by binary
    search on the exact key (frame, left edge), so any coordinate range works.
    Boxes of non-positive width never overlap anything and are left out.
    """
    return _by_chunks(_overlap_candidates, gt_box, gt_offsets, tr_box, tr_offsets)


def _by_chunks(fn, gt_box: np.ndarray, gt_offsets: np.ndarray, tr_box: np.ndarray, tr_offsets: np.ndarray):
    """``fn`` over each run of ``frame_chunks``, its (gt row, tracker row, ...) outputs shifted back to
    whole-sequence rows and concatenated (in frame order, so sorted as each run's output is)."""
    chunks = frame_chunks(gt_offsets, tr_offsets)
    if len(chunks) <= 1:
        return fn(gt_box, gt_offsets, tr_box, tr_offsets)
    parts = []
    for a, b in chunks:
        g0, g1, t0, t1 = int(gt_offsets[a]), int(gt_offsets[b]), int(tr_offsets[a]), int(tr_offsets[b])
        g, t, *rest = fn(gt_box[g0:g1], gt_offsets[a:b + 1] - g0, tr_box[t0:t1], tr_offsets[a:b + 1] - t0)
        parts.append((g + g0, t + t0, *rest))
    return tuple(np.concatenate(col) for col in zip(*parts))


def _overlap_candidates(gt_box: np.ndarray, gt_offsets: np.ndarray, tr_box: np.ndarray,
                        tr_offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    num_frames = gt_offsets.size - 1
    gt_frame = np.repeat(np.arange(num_frames), np.diff(gt_offsets))
    tr_frame = np.repeat(np.arange(num_frames), np.diff(tr_offsets))
    gx0, gw = gt_box[:, 0], gt_box[:, 2]
    usable = gw > 0
    if not usable.any() or tr_box.shape[0] == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    widest = np.zeros(num_frames)
    np.maximum.at(widest, gt_frame[usable], gw[usable])
    rows = np.flatnonzero(usable)
    # (frame, left edge) as one complex number: numpy orders complex numbers by real part, then
    # imaginary part, so one sort and two binary searches need no rank of the edges (whose searches,
    # three over unsorted queries, took most of the time).
    key = gt_frame[rows] + 1j * gx0[rows]
    order = np.argsort(key, kind="stable")
    key, rows = key[order], rows[order]
    low = tr_box[:, 0] - widest[tr_frame]
    high = tr_box[:, 0] + tr_box[:, 2]
    # a margin for the rounding of the sums above (it only widens the superset)
    low = low - (1.0 + 1e-9 * np.abs(low))
    high = high + (1.0 + 1e-9 * np.abs(high))
    lo = np.searchsorted(key, tr_frame + 1j * low, side="left")
    hi = np.searchsorted(key, tr_frame + 1j * high, side="right")
    hi = np.where(tr_box[:, 2] > 0, np.maximum(hi, lo), lo)
    n = hi - lo
    tr_rows = np.repeat(np.arange(tr_box.shape[0]), n)
    start = np.zeros(n.size, np.int64)
    np.cumsum(n[:-1], out=start[1:])
    k = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(start - lo, n)
    return rows[k], tr_rows


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise IoU of xywh boxes ``a[k]`` and ``b[k]``, bit-identical to TrackEval."""
    ax0, ay0 = a[:, 0], a[:, 1]
    ax1, ay1 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx0, by0 = b[:, 0], b[:, 1]
    bx1, by1 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    inter = (np.maximum(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), 0)
             * np.maximum(np.minimum(ay1, by1) - np.maximum(ay0, by0), 0))
    area_a = (ax1 - ax0) * (ay1 - ay0)
    area_b = (bx1 - bx0) * (by1 - by0)
    union = area_a + area_b - inter
    degenerate = (area_a <= EPS) | (area_b <= EPS) | (union <= EPS)
    inter = np.where(degenerate, 0.0, inter)
    union = np.where(union <= EPS, 1.0, union)
    return inter / union


def box_pairs(gt_box: np.ndarray, gt_offsets: np.ndarray, tr_box: np.ndarray, tr_offsets: np.ndarray) -> Pairs:
    """IoU of every same-frame pair with a positive IoU, sorted by gt row then tracker row
    (``frame_chunks`` at a time)."""
    return Pairs(*_by_chunks(_box_pairs, gt_box, gt_offsets, tr_box, tr_offsets))


def _box_pairs(gt_box: np.ndarray, gt_offsets: np.ndarray, tr_box: np.ndarray,
               tr_offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Candidates searched from the ground-truth side: they come sorted by gt row, so the final sort
    # by (gt row, tracker row) only reorders within each gt row.
    t, g = _overlap_candidates(tr_box, tr_offsets, gt_box, gt_offsets)
    # TrackEval's arithmetic, each step on the same operands: corners x0 + w, y0 + h and areas
    # (x1 - x0) * (y1 - y0) per box, the intersection per pair.
    gx0, gy0 = gt_box[:, 0], gt_box[:, 1]
    gx1, gy1 = gx0 + gt_box[:, 2], gy0 + gt_box[:, 3]
    tx0, ty0 = tr_box[:, 0], tr_box[:, 1]
    tx1, ty1 = tx0 + tr_box[:, 2], ty0 + tr_box[:, 3]
    ix = np.minimum(gx1[g], tx1[t]) - np.maximum(gx0[g], tx0[t])
    meet = ix > 0
    g, t, ix = g[meet], t[meet], ix[meet]
    iy = np.minimum(gy1[g], ty1[t]) - np.maximum(gy0[g], ty0[t])
    meet = iy > 0  # both extents overlap: the only pairs whose intersection can be positive
    g, t, inter = g[meet], t[meet], ix[meet] * iy[meet]
    area_g = ((gx1 - gx0) * (gy1 - gy0))[g]
    area_t = ((tx1 - tx0) * (ty1 - ty0))[t]
    union = area_g + area_t - inter
    keep = (area_g > EPS) & (area_t > EPS) & (union > EPS)
    g, t, sim = g[keep], t[keep], inter[keep] / union[keep]
    keep = sim > 0  # an intersection that underflowed
    g, t, sim = g[keep], t[keep], sim[keep]
    order = np.argsort(g * np.int64(max(tr_box.shape[0], 1)) + t, kind="stable")
    return g[order], t[order], sim[order]
