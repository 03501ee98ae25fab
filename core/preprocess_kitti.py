"""TrackEval's KITTI 2D box preprocessing (``Kitti2DBox.get_preprocessed_seq_data``), per class.

For each evaluated class ('car' with distractor class 'van', 'pedestrian' with distractor class
'person', i.e. people sitting) and each frame, in TrackEval's order:

1. Ground truth of the class and of its distractor class take part (every occlusion and
   truncation level); tracker boxes of the class only.
2. Match them (Hungarian maximising the summed IoU over pairs with IoU >= 0.5 - eps, pairs
   scoring <= eps dropped). A tracker box matched to a distractor-class box, or to a box with
   ``int(occluded) > 2`` or ``int(truncated) > 0``, is removed.
3. Of the *unmatched* tracker boxes, those with height ``bottom - top <= 25 + eps`` px are removed,
   and so are those with IoA (intersection over the tracker box's area) ``> 0.5 + eps`` with any
   ``DontCare`` region of the frame. Matched boxes are never removed by height or DontCare.
4. Ground truth kept for evaluation: class == evaluated class, ``int(occluded) <= 2`` and
   ``int(truncated) <= 0``.

Truncation and occlusion are cast with ``astype(int)`` as TrackEval does, so a fractional
truncation such as 0.5 counts as 0 (not truncated). IoU and IoA are computed from the corners as
written, with TrackEval's operations (bit-identical). Ids are relabelled per class; the same id in
the same frame twice among the evaluated boxes is an error (TrackEval checks it after
preprocessing, so duplicates only among removed boxes pass, as there).

The helpers ``corner_pairs``, ``in_regions``, ``preprocess_matches`` and ``check_unique_ids`` are
shared with BDD100K (``tracklens.formats.bdd100k``).
"""
from __future__ import annotations

import numpy as np

from .assignment import assign
from .detections import Detections, frame_offsets
from .errors import InputError
from .formats.kitti import CLASS_IDS, BoxFile, IgnoreRegions
from .prepare import EvalSequence, build
from .similarity import EPS, Pairs, overlap_candidates

KITTI_CLASSES = ("car", "pedestrian")
DISTRACTORS = {"car": (CLASS_IDS["van"],), "pedestrian": (CLASS_IDS["person"],)}
MAX_OCCLUSION = 2
MAX_TRUNCATION = 0
MIN_HEIGHT = 25


def corner_iou(a: np.ndarray, b: np.ndarray, *, ioa: bool = False) -> np.ndarray:
    """Row-wise IoU (or IoA over ``a``'s area) of corner boxes ``a[k]``, ``b[k]``, bit-identical to
    TrackEval's ``_calculate_box_ious(..., box_format='x0y0x1y1')``."""
    inter = (np.maximum(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0)
             * np.maximum(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0))
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    if ioa:
        valid = area_a > 0 + EPS
        return np.where(valid, inter / np.where(valid, area_a, 1.0), 0.0)
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter
    degenerate = (area_a <= EPS) | (area_b <= EPS) | (union <= EPS)
    inter = np.where(degenerate, 0.0, inter)
    union = np.where(union <= EPS, 1.0, union)
    return inter / union


def _xywh(corners: np.ndarray) -> np.ndarray:
    return np.column_stack([corners[:, 0], corners[:, 1], corners[:, 2] - corners[:, 0], corners[:, 3] - corners[:, 1]])


def corner_pairs(gt: BoxFile, tr: BoxFile) -> Pairs:
    """IoU of every same-frame (gt row, tracker row) pair with a positive IoU, from the corners."""
    g, t = overlap_candidates(_xywh(gt.corners), gt.dets.offsets, _xywh(tr.corners), tr.dets.offsets)
    s = corner_iou(gt.corners[g], tr.corners[t])
    keep = s > 0
    g, t, s = g[keep], t[keep], s[keep]
    order = np.lexsort((t, g))
    return Pairs(g[order], t[order], s[order])


def in_regions(tr: BoxFile, rows: np.ndarray, regions: IgnoreRegions | None) -> np.ndarray:
    """For tracker ``rows``: IoA with any ignore region of the same frame > 0.5 + eps."""
    out = np.zeros(rows.size, bool)
    if regions is None or regions.frame.size == 0 or rows.size == 0:
        return out
    offsets = regions.offsets
    f = tr.dets.frame[rows] - 1
    start, count = offsets[f], offsets[f + 1] - offsets[f]
    k = np.repeat(np.arange(rows.size), count)
    first = np.zeros(count.size, np.int64)
    np.cumsum(count[:-1], out=first[1:])
    r = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(first - start, count)
    hit = corner_iou(tr.corners[rows[k]], regions.corners[r], ioa=True) > 0.5 + EPS
    out[k[hit]] = True
    return out


def preprocess_matches(gt: Detections, tr: Detections, pairs: Pairs, gt_sel: np.ndarray,
                       tr_sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TrackEval's preprocessing match among the selected rows of each frame: ``(gt rows, tracker
    rows)`` of the matched pairs (IoU >= 0.5 - eps, Hungarian maximising summed IoU)."""
    use = gt_sel[pairs.gt] & tr_sel[pairs.tr] & (pairs.sim >= 0.5 - EPS)
    g, t, s = pairs.gt[use], pairs.tr[use], pairs.sim[use]
    if s.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    gt_rows, tr_rows = np.flatnonzero(gt_sel), np.flatnonzero(tr_sel)
    gt_pos = np.cumsum(gt_sel) - 1
    tr_pos = np.cumsum(tr_sel) - 1
    chosen = assign(gt_pos[g], tr_pos[t], s, frame_offsets(gt.frame[gt_rows], gt.num_frames),
                    frame_offsets(tr.frame[tr_rows], tr.num_frames))
    chosen &= s > 0 + EPS
    return g[chosen], t[chosen]


def check_unique_ids(seq: EvalSequence, gt: Detections, tr: Detections, what: str) -> None:
    """The same id twice in one frame among the evaluated boxes of one class is an error."""
    for side, rows, idx, offsets, dets in (("ground truth", seq.gt_rows, seq.gt_idx, seq.gt_offsets, gt),
                                           ("tracker", seq.tr_rows, seq.tr_idx, seq.tr_offsets, tr)):
        if rows.size < 2:
            continue
        frame = np.repeat(np.arange(offsets.size - 1), np.diff(offsets))
        order = np.lexsort((idx, frame))
        same = (frame[order][1:] == frame[order][:-1]) & (idx[order][1:] == idx[order][:-1])
        if same.any():
            k = order[int(np.argmax(same))]
            hit = (frame == frame[k]) & (idx == idx[k])
            lines = dets.line[rows[hit]]
            raise InputError(
                dets.source, f"{side} id {int(dets.id[rows[k]])} appears {int(hit.sum())} times in frame "
                f"{int(dets.frame[rows[k]])} among the evaluated {what} boxes (lines/labels "
                f"{', '.join(str(int(x)) for x in lines[:5])}).",
                "Each id may appear at most once per frame and class: drop or renumber the duplicates.",
                line=int(lines[1]))


def preprocess_kitti(name: str, gt: BoxFile, tr: BoxFile, cls: str, pairs: Pairs | None = None) -> EvalSequence:
    """The metric-ready sequence of one KITTI class ('car' or 'pedestrian'), preprocessed as TrackEval."""
    if cls not in DISTRACTORS:
        raise InputError(cls, f"class {cls!r} cannot be evaluated on KITTI.", "Use 'car' and/or 'pedestrian'.")
    if pairs is None:
        pairs = corner_pairs(gt, tr)
    cls_id = CLASS_IDS[cls]
    distractors = np.asarray(DISTRACTORS[cls])
    g_cls, t_cls = gt.dets.cls, tr.dets.cls
    occluded = gt.extras["occluded"].astype(int)
    truncated = gt.extras["truncated"].astype(int)
    gt_sel = np.isin(g_cls, np.concatenate([[cls_id], distractors]))
    tr_sel = t_cls == cls_id

    mg, mt = preprocess_matches(gt.dets, tr.dets, pairs, gt_sel, tr_sel)
    bad_match = (np.isin(g_cls[mg], distractors) | (occluded[mg] > MAX_OCCLUSION + EPS)
                 | (truncated[mg] > MAX_TRUNCATION + EPS))
    unmatched = tr_sel.copy()
    unmatched[mt] = False
    candidates = np.flatnonzero(unmatched)
    c = tr.corners[candidates]
    too_small = (c[:, 3] - c[:, 1]) <= MIN_HEIGHT + EPS
    inside = in_regions(tr, candidates, gt.regions)
    removed = np.sort(np.concatenate([mt[bad_match], candidates[too_small | inside]]))

    keep_tr = tr_sel.copy()
    keep_tr[removed] = False
    keep_gt = (g_cls == cls_id) & (occluded <= MAX_OCCLUSION) & (truncated <= MAX_TRUNCATION)
    seq = build(name, gt.dets, tr.dets, pairs, keep_gt, keep_tr, removed)
    check_unique_ids(seq, gt.dets, tr.dets, cls)
    return seq


def prepare_kitti(name: str, gt: BoxFile, tr: BoxFile,
                  classes: tuple[str, ...] = KITTI_CLASSES) -> dict[str, EvalSequence]:
    """Every requested class of one sequence x tracker (IoU computed once for all classes)."""
    pairs = corner_pairs(gt, tr)
    return {c: preprocess_kitti(name, gt, tr, c, pairs) for c in classes}
