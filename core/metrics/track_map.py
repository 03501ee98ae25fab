"""Track-mAP exactly as TrackEval computes it (``trackeval/metrics/track_map.py::TrackMAP``, the
TAO / YouTube-VIS metric), on MOTChallenge-style ``Detections``.

Per sequence and class, ground-truth and predicted tracks are the rows of one id (tracks in order
of first appearance, as TAO's loader builds them; predicted tracks then sorted by score with a
stable sort, score = mean of the rows' ``conf``). Track IoU = summed box intersection / summed box
union over the union of both tracks' frames. Per IoU threshold 0.50:0.05:0.95 (``np.arange``,
with its upward float drift) predicted tracks are matched greedily in score order, each to the
best still-unmatched ground-truth track with IoU >= thr - eps (non-ignored ground truth first).
Per class, the sequences' results are pooled, ranked by score (mergesort) and turned into COCO
101-point AP and final recall; classes are averaged over those with ground truth. Seven track
sets are evaluated: all, area_s/m/l (mean box area, [0, 32^2], [32^2, 96^2], [96^2, 1e10]) and
time_s/m/l (number of boxes, [0, 3], [3, 10], [10, 1e5]), ranges closed with eps margins; outside
a range, ground truth is ignored and unmatched predicted tracks are not counted.

Quirk kept by default (``id0_quirk``): TrackEval marks a matched ground-truth track with the id of
the predicted track and tests ``> 0``, so a ground-truth track taken by the predicted track with
id 0 stays available to later tracks. Deviations: track IoU sums per-frame terms in frame order
(TrackEval in Python ``set`` order; only the last bits differ); no crowd / not-exhaustively-labelled
handling and no TAO 300-detections-per-image cap (MOTChallenge data has neither).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..detections import Detections
from ..similarity import overlap_candidates
from .video_sequences import VideoSequence, video_sequences

IOU_THRESHOLDS = np.arange(0.5, 0.96, 0.05)
RECALL_THRESHOLDS = np.linspace(0.0, 1.00, int(np.round((1.00 - 0.0) / 0.01) + 1), endpoint=True)
AREA_RANGES = ((0 ** 2, 32 ** 2), (32 ** 2, 96 ** 2), (96 ** 2, 1e5 ** 2))
TIME_RANGES = ((0, 3), (3, 10), (10, 1e5))
LABELS = ("all", "area_s", "area_m", "area_l", "time_s", "time_m", "time_l")
_EPS = np.finfo("float").eps
_CAND_MARGIN = 1e-6  # candidates: track IoU >= 0.5 - margin (a superset of every acceptable pair)


@dataclass(frozen=True, eq=False)
class TrackSet:
    """The tracks of one side of one sequence for one class, in TrackEval's order.

    ``rows`` are the Detections rows of the class, ``row_track`` their track index.
    """

    ids: np.ndarray
    areas: np.ndarray
    lengths: np.ndarray
    scores: np.ndarray
    rows: np.ndarray
    row_track: np.ndarray

    def __len__(self) -> int:
        return int(self.ids.size)


def track_set(det: Detections, cls_col: np.ndarray, cls: int, *, by_score: bool) -> TrackSet:
    """Group the rows of class ``cls`` into tracks (one per id): order of first appearance, then
    (predictions) a stable sort by descending mean score. Area = mean w*h, length = number of rows."""
    rows = np.flatnonzero(cls_col == cls)
    uniq, first_idx, inv = np.unique(det.id[rows], return_index=True, return_inverse=True)
    appear = np.argsort(first_idx, kind="stable")
    rank = np.empty(appear.size, np.int64)
    rank[appear] = np.arange(appear.size)
    tidx = rank[inv.ravel()]
    ids = uniq[appear]
    box = det.box[rows]
    lengths = np.bincount(tidx, minlength=ids.size)
    areas = np.bincount(tidx, weights=box[:, 2] * box[:, 3], minlength=ids.size) / np.maximum(lengths, 1)
    o = np.argsort(tidx, kind="stable")
    bounds = np.cumsum(lengths)[:-1]
    conf = det.conf[rows][o]
    scores = np.array([np.mean(part) for part in np.split(conf, bounds)]) if ids.size else np.zeros(0)
    if by_score and ids.size:
        order = np.argsort(-scores, kind="mergesort")
        new = np.empty(order.size, np.int64)
        new[order] = np.arange(order.size)
        ids, areas, lengths, scores = ids[order], areas[order], lengths[order], scores[order]
        tidx = new[tidx]
    return TrackSet(ids, areas, lengths.astype(np.int64), scores, rows, tidx)


def track_ious(s: VideoSequence, gt: TrackSet, dt: TrackSet) -> np.ndarray:
    """(D, G) track IoU: sum of per-frame intersections / (sum of dt areas + sum of gt areas -
    sum of intersections), 0 when the union is 0."""
    out = np.zeros((len(dt), len(gt)))
    if len(dt) == 0 or len(gt) == 0:
        return out
    g_all, p_all = overlap_candidates(s.gt.box, s.gt_offsets, s.pr.box, s.pr_offsets)
    g_pos = np.full(len(s.gt), -1, np.int64)
    g_pos[gt.rows] = gt.row_track
    p_pos = np.full(len(s.pr), -1, np.int64)
    p_pos[dt.rows] = dt.row_track
    keep = (g_pos[g_all] >= 0) & (p_pos[p_all] >= 0)
    g_all, p_all = g_all[keep], p_all[keep]
    d, g = s.pr.box[p_all], s.gt.box[g_all]
    w = np.maximum(np.minimum(d[:, 0] + d[:, 2], g[:, 0] + g[:, 2]) - np.maximum(d[:, 0], g[:, 0]), 0)
    h = np.maximum(np.minimum(d[:, 1] + d[:, 3], g[:, 1] + g[:, 3]) - np.maximum(d[:, 1], g[:, 1]), 0)
    code = p_pos[p_all] * len(gt) + g_pos[g_all]
    inter = np.bincount(code, weights=w * h, minlength=len(dt) * len(gt)).reshape(len(dt), len(gt))
    dbox, gbox = s.pr.box[dt.rows], s.gt.box[gt.rows]
    a_dt = np.bincount(dt.row_track, weights=dbox[:, 2] * dbox[:, 3], minlength=len(dt))
    a_gt = np.bincount(gt.row_track, weights=gbox[:, 2] * gbox[:, 3], minlength=len(gt))
    union = a_dt[:, None] + a_gt[None, :] - inter
    np.divide(inter, union, out=out, where=union > 0)
    return out


def ignore_masks(areas: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(7, N) bool, one row per label of ``LABELS``: True = outside that track set."""
    rows = [np.zeros(areas.size, bool)]
    for lo, hi in AREA_RANGES:
        rows.append(~((lo - _EPS <= areas) & (areas <= hi + _EPS)))
    for lo, hi in TIME_RANGES:
        rows.append(~((lo - _EPS <= lengths) & (lengths <= hi + _EPS)))
    return np.array(rows, dtype=bool).reshape(len(LABELS), areas.size)


@dataclass(frozen=True, eq=False)
class _SeqClassResult:
    scores: np.ndarray    # (D,)
    matched: np.ndarray   # (M, T, D)
    dt_ignore: np.ndarray  # (M, T, D)
    gt_ignore: np.ndarray  # (M, G)


def _match(ious: np.ndarray, gt_ig: np.ndarray, dt_ids: np.ndarray, id0_quirk: bool) -> tuple[np.ndarray, np.ndarray]:
    """TrackEval's greedy matching for one track set: (matched, matched-to-ignored) as (T, D)."""
    num_t, num_d = IOU_THRESHOLDS.size, ious.shape[0]
    matched = np.zeros((num_t, num_d), bool)
    to_ignored = np.zeros((num_t, num_d), bool)
    if num_d == 0 or ious.shape[1] == 0:
        return matched, to_ignored
    order = np.argsort(gt_ig, kind="mergesort")  # ignored ground truth last
    ig = gt_ig[order].tolist()
    srt = ious[:, order]
    cd, cg = np.nonzero(srt >= IOU_THRESHOLDS[0] - _CAND_MARGIN)
    cands: dict[int, list[tuple[int, float]]] = {}
    for d, g, v in zip(cd.tolist(), cg.tolist(), srt[cd, cg].tolist()):
        cands.setdefault(d, []).append((g, v))
    dets = sorted(cands)
    ids = dt_ids.tolist()
    for k, thr in enumerate(IOU_THRESHOLDS):
        stored = [-1] * srt.shape[1]  # TrackEval's gt_m: id of the predicted track that took it
        taken = [False] * srt.shape[1]
        start = min(float(thr), 1 - 1e-10)
        for d in dets:
            cur, m = start, -1
            for g, v in cands[d]:
                if (stored[g] > 0) if id0_quirk else taken[g]:
                    continue
                if m > -1 and ig[m] == 0 and ig[g] == 1:
                    break
                if v < cur - _EPS:
                    continue
                cur, m = v, g
            if m == -1:
                continue
            matched[k, d] = True
            to_ignored[k, d] = bool(ig[m])
            stored[m] = ids[d]
            taken[m] = True
    return matched, to_ignored


def _eval_seq_class(s: VideoSequence, cls: int, id0_quirk: bool) -> _SeqClassResult | None:
    gt = track_set(s.gt, s.gt_cls, cls, by_score=False)
    dt = track_set(s.pr, s.pr_cls, cls, by_score=True)
    if len(gt) == 0 and len(dt) == 0:
        return None
    ious = track_ious(s, gt, dt)
    gt_masks = ignore_masks(gt.areas, gt.lengths)
    dt_masks = ignore_masks(dt.areas, dt.lengths)
    num_m, num_t = len(LABELS), IOU_THRESHOLDS.size
    matched = np.zeros((num_m, num_t, len(dt)), bool)
    dt_ig = np.zeros((num_m, num_t, len(dt)), bool)
    gt_ig = np.zeros((num_m, len(gt)), bool)
    for mi in range(num_m):
        m, to_ig = _match(ious, gt_masks[mi], dt.ids, id0_quirk)
        matched[mi] = m
        dt_ig[mi] = to_ig | (~m & dt_masks[mi][None, :])
        gt_ig[mi] = gt_masks[mi]
    return _SeqClassResult(dt.scores, matched, dt_ig, gt_ig)


def _combine(results: list[_SeqClassResult]) -> tuple[np.ndarray, np.ndarray]:
    """TrackEval's ``combine_sequences`` for one class: AP (M, T) and AR (M, T), -1 if undefined."""
    num_m, num_t = len(LABELS), IOU_THRESHOLDS.size
    ap = -np.ones((num_m, num_t))
    ar = -np.ones((num_m, num_t))
    if not results:
        return ap, ar
    scores = np.concatenate([r.scores for r in results])
    idx = np.argsort(-scores, kind="mergesort")
    for mi in range(num_m):
        num_gt = int(sum(np.count_nonzero(r.gt_ignore[mi] == 0) for r in results))
        if num_gt == 0:
            continue
        m = np.concatenate([r.matched[mi] for r in results], axis=1)[:, idx]
        ig = np.concatenate([r.dt_ignore[mi] for r in results], axis=1)[:, idx]
        tp_sum = np.cumsum(m & ~ig, axis=1).astype(float)
        fp_sum = np.cumsum(~m & ~ig, axis=1).astype(float)
        for k in range(num_t):
            tp, fp = tp_sum[k], fp_sum[k]
            rc = tp / num_gt
            ar[mi, k] = rc[-1] if tp.size else 0
            pr = tp / (fp + tp + np.spacing(1))
            env = np.maximum.accumulate(pr[::-1])[::-1] if pr.size else pr
            inds = np.searchsorted(rc, RECALL_THRESHOLDS, side="left")
            q = np.zeros(RECALL_THRESHOLDS.size)
            ok = inds < pr.size
            q[ok] = env[inds[ok]]
            ap[mi, k] = np.mean(q)
    return ap, ar


@dataclass(frozen=True, eq=False)
class TrackMAPResult:
    """Track-mAP per track set (``LABELS``) and IoU threshold, classes averaged as TrackEval does
    (mean over classes with a value > -1; -1 when no class has ground truth)."""

    ap: dict[str, np.ndarray]
    ar: dict[str, np.ndarray]
    per_class: dict[int, dict[str, np.ndarray]]
    classes: tuple[int, ...]
    id0_quirk: bool

    @property
    def iou_thresholds(self) -> np.ndarray:
        return IOU_THRESHOLDS

    @property
    def track_map(self) -> float:
        """TrackEval's summary number: mean of ``AP_all`` over the 10 IoU thresholds (NaN if undefined)."""
        return _mean_or_nan(self.ap["all"])

    def ap_at(self, iou: float, label: str = "all") -> float:
        """AP at one track-IoU threshold (TAO reports a single threshold), NaN if undefined."""
        k = int(np.argmin(np.abs(self.iou_thresholds - iou)))
        if abs(self.iou_thresholds[k] - iou) > 1e-6:
            raise ValueError(f"{iou} is not one of the thresholds {self.iou_thresholds.round(2).tolist()}")
        v = float(self.ap[label][k])
        return v if v > -1 else float("nan")

    def fields(self) -> dict[str, np.ndarray]:
        """TrackEval's field names: ``AP_all``, ..., ``AR_time_l`` (arrays over the 10 thresholds)."""
        out = {f"AP_{lbl}": self.ap[lbl] for lbl in LABELS}
        out.update({f"AR_{lbl}": self.ar[lbl] for lbl in LABELS})
        return out

    def to_pandas(self) -> pd.DataFrame:
        """One row per track set: AP / AR averaged over thresholds, and at 0.5 and 0.75."""
        rows = []
        for lbl in LABELS:
            rows.append({"set": lbl, "AP": _mean_or_nan(self.ap[lbl]), "AP50": _nan(self.ap[lbl][0]),
                         "AP75": _nan(self.ap[lbl][5]), "AR": _mean_or_nan(self.ar[lbl]),
                         "AR50": _nan(self.ar[lbl][0])})
        return pd.DataFrame(rows).set_index("set")


def _nan(v: float) -> float:
    return float(v) if v > -1 else float("nan")


def _mean_or_nan(a: np.ndarray) -> float:
    return float(np.mean(a)) if np.all(a > -1) else float("nan")


def track_map(gt_by_seq: Mapping[str, Detections], pred_by_seq: Mapping[str, Detections], *,
              class_agnostic: bool = False, id0_quirk: bool = True) -> TrackMAPResult:
    """TrackEval's TrackMAP over the given sequences (sorted by name, as TrackEval's evaluator).

    Ground-truth ids and predicted ids are used as they are in the files (TAO passes raw track
    ids), which matters only for ``id0_quirk``: set it False to treat a ground-truth track taken
    by predicted id 0 as taken, like any other.
    """
    seqs = video_sequences(gt_by_seq, pred_by_seq, class_agnostic)
    classes = np.unique(np.concatenate([s.gt_cls for s in seqs] + [s.pr_cls for s in seqs]
                                       + [np.zeros(0, np.int64)]))
    per_class = {}
    aps, ars = [], []
    for c in classes.tolist():
        res = [r for r in (_eval_seq_class(s, c, id0_quirk) for s in seqs) if r is not None]
        ap, ar = _combine(res)
        per_class[int(c)] = {**{f"AP_{lbl}": ap[i] for i, lbl in enumerate(LABELS)},
                             **{f"AR_{lbl}": ar[i] for i, lbl in enumerate(LABELS)}}
        aps.append(ap)
        ars.append(ar)

    def class_mean(stack: list[np.ndarray]) -> np.ndarray:
        if not stack:
            return -np.ones((len(LABELS), IOU_THRESHOLDS.size))
        arr = np.array(stack)  # (C, M, T)
        out = np.empty(arr.shape[1:])
        for mi in range(arr.shape[1]):
            for k in range(arr.shape[2]):
                v = arr[:, mi, k]
                out[mi, k] = np.mean(v[v > -1]) if np.any(v > -1) else -1
        return out

    ap_mean, ar_mean = class_mean(aps), class_mean(ars)
    return TrackMAPResult(
        ap={lbl: ap_mean[i] for i, lbl in enumerate(LABELS)},
        ar={lbl: ar_mean[i] for i, lbl in enumerate(LABELS)},
        per_class=per_class, classes=tuple(int(c) for c in classes), id0_quirk=id0_quirk,
    )
