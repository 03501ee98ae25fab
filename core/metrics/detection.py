"""Video-detection metrics: frame-level AP/mAP, speed-stratified mAP and Average Delay.

Every definition, and every choice where the reference code is ambiguous, is written down in
``docs/detection_metrics.md``; the short version:

* **AP / mAP** (``detection_map``). Boxes are matched per frame and per class, detections in
  descending score order (stable mergesort, so ties keep sequence / frame / file order), each
  taking the highest-IoU ground truth still free with ``IoU >= t`` (pycocotools' ``evaluateImg``;
  ties go to the later ground-truth row, as there). IoU is computed with pycocotools' operations
  (area = w*h, no +1 pixel), so results equal pycocotools bit for bit. From one matching come
  three separately named numbers: **dataset-level** (one ranked list per class over every frame
  of every sequence: COCO / ImageNet-VID practice), **sequence-averaged** (AP per sequence and
  class, mean over classes, then over sequences: TrackEval PR #44) and **frame-averaged** (AP per
  frame and class, mean over classes, then over frames with ground truth). Each carries COCO
  101-point AP@[.5:.95] (and @.5, @.75), VOC2010+ all-point AP@.5 and VOC2007 11-point AP@.5.
* **Speed-stratified mAP** (``speed_map``, FGFA): ground truth is binned by its motion IoU (mean IoU
  with the same instance over frames t-10..t+10, see ``motion_iou``); per bin, ground truth outside
  the bin is ignored and unmatched detections are charged with FGFA's nearest-bin rule.
* **Average Delay** (``average_delay``, VMetrics): score thresholds at false-positive ratios
  {0.1, 0.2, 0.4, 0.8, 1.6, 3.2}, per-object delay to the first detection with IoU > 0.5, clipped
  at 30 frames, harmonic mean of (delay + 1) over the operating points, minus 1.

Inputs are dicts ``{sequence name: Detections}`` for ground truth and predictions (same names;
a sequence missing from the predictions has none). ``conf`` is the score and ``cls`` the class of
a row; ``class_agnostic=True`` puts every row in one class. Sequences are always processed in
sorted name order (TrackEval's order), which only matters for score ties across sequences.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..detections import Detections
from ..prepare import prepare
from ..similarity import overlap_candidates
from .track_map import track_map
from .video_sequences import VideoSequence, video_sequences

COCO_IOU_THRESHOLDS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
COCO_RECALL_THRESHOLDS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
VOC07_RECALL_THRESHOLDS = np.arange(0., 1.1, 0.1)
AD_FP_RATIOS = (0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
AD_CLIP = 30
MOTION_WINDOW = 10
SPEED_BINS = ("slow", "medium", "fast")
_EPS = np.finfo(np.float64).eps
_I50 = 0  # index of IoU 0.5 in COCO_IOU_THRESHOLDS
_I75 = 5  # index of IoU 0.75


# --------------------------------------------------------------------------------------------
# IoU and single-curve AP formulas
# --------------------------------------------------------------------------------------------

def coco_iou(det: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Row-wise IoU of xywh boxes ``det[k]`` and ``gt[k]`` with pycocotools' operations
    (``maskApi.c::bbIou``: area = w*h, zero unless the overlap has positive width and height)."""
    w = np.minimum(det[:, 2] + det[:, 0], gt[:, 2] + gt[:, 0]) - np.maximum(det[:, 0], gt[:, 0])
    h = np.minimum(det[:, 3] + det[:, 1], gt[:, 3] + gt[:, 1]) - np.maximum(det[:, 1], gt[:, 1])
    inter = w * h
    union = det[:, 2] * det[:, 3] + gt[:, 2] * gt[:, 3] - inter
    ok = (w > 0) & (h > 0) & (union > 0)
    return np.where(ok, inter / np.where(ok, union, 1.0), 0.0)


def fgfa_iou(det: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Row-wise IoU of xywh boxes as FGFA / the ILSVRC devkit compute it: the boxes read back as
    the VOC corners of the XML (x, y, x + w, y + h; tracklens' VID reader sets w = xmax - xmin)
    and taken as inclusive pixel ranges, so a side is xmax - xmin + 1 (``vid_eval_motion``'s
    overlap, in its order of operations); zero unless both overlaps are positive."""
    dx2, dy2 = det[:, 0] + det[:, 2], det[:, 1] + det[:, 3]
    gx2, gy2 = gt[:, 0] + gt[:, 2], gt[:, 1] + gt[:, 3]
    iw = np.minimum(dx2, gx2) - np.maximum(det[:, 0], gt[:, 0]) + 1
    ih = np.minimum(dy2, gy2) - np.maximum(det[:, 1], gt[:, 1]) + 1
    ok = (iw > 0) & (ih > 0)
    inter = iw * ih
    ua = (dx2 - det[:, 0] + 1.) * (dy2 - det[:, 1] + 1.) + (gx2 - gt[:, 0] + 1.) * (gy2 - gt[:, 1] + 1.) - inter
    return np.where(ok, inter / np.where(ok, ua, 1.0), 0.0)


def fgfa_thresholds(gt: np.ndarray, default: float = 0.5, pixel_tolerance: float = 10) -> np.ndarray:
    """Per xywh ground-truth box, FGFA's / the devkit's IoU threshold (``parse_vid_rec``):
    min(0.5, w h / ((w + 10)(h + 10))) with the inclusive sides w = xmax - xmin + 1 (``fgfa_iou``),
    which lowers the bar for objects smaller than about 40 x 40 pixels."""
    w = (gt[:, 0] + gt[:, 2]) - gt[:, 0] + 1
    h = (gt[:, 1] + gt[:, 3]) - gt[:, 1] + 1
    return np.minimum((w * h) / ((w + pixel_tolerance) * (h + pixel_tolerance)), default)


def voc_ap(rec: np.ndarray, prec: np.ndarray) -> float:
    """VOC2010+ all-point AP (``voc_eval.py::voc_ap``, FGFA ``vid_ap``): area under the
    precision envelope, summed where recall changes."""
    mrec = np.concatenate(([0.], np.asarray(rec, float), [1.]))
    mpre = np.concatenate(([0.], np.asarray(prec, float), [0.]))
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]
    i = np.where(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1]))


def voc07_ap(rec: np.ndarray, prec: np.ndarray) -> float:
    """VOC2007 11-point AP: mean over r in {0, 0.1, ..., 1} of max precision at recall >= r."""
    rec, prec = np.asarray(rec, float), np.asarray(prec, float)
    ap = 0.
    for t in VOC07_RECALL_THRESHOLDS:
        p = 0. if np.sum(rec >= t) == 0 else float(np.max(prec[rec >= t]))
        ap = ap + p / 11.
    return float(ap)


def coco_ap(rec: np.ndarray, prec: np.ndarray) -> float:
    """COCO 101-point AP (``COCOeval.accumulate``): precision envelope sampled at the first point
    with recall >= r for r in 0, 0.01, ..., 1 (0 beyond the last recall), averaged."""
    rec, prec = np.asarray(rec, float), np.asarray(prec, float)
    q = np.zeros(COCO_RECALL_THRESHOLDS.size)
    if rec.size:
        env = np.maximum.accumulate(prec[::-1])[::-1]
        idx = np.searchsorted(rec, COCO_RECALL_THRESHOLDS, side="left")
        ok = idx < rec.size
        q[ok] = env[idx[ok]]
    return float(np.mean(q))


def _all_pairs(s: VideoSequence, fgfa: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(gt row, prediction row, IoU) of every same-frame pair with a positive IoU, any classes;
    ``fgfa``: FGFA's +1-pixel IoU (``fgfa_iou``), whose boxes overlap when the boxes one pixel
    wider and taller do."""
    if len(s.gt) == 0 or len(s.pr) == 0:
        z = np.zeros(0, np.int64)
        return z, z, np.zeros(0)
    grow = np.array([0., 0., 1., 1.]) if fgfa else np.zeros(4)
    g, p = overlap_candidates(s.gt.box + grow, s.gt_offsets, s.pr.box + grow, s.pr_offsets)
    iou = (fgfa_iou if fgfa else coco_iou)(s.pr.box[p], s.gt.box[g])
    keep = iou > 0
    return g[keep], p[keep], iou[keep]


def _score_order(frame: np.ndarray, cls: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Rows by frame, then class, then descending score; ties keep row (file) order."""
    o = np.argsort(-score, kind="stable")
    o = o[np.argsort(cls[o], kind="stable")]
    return o[np.argsort(frame[o], kind="stable")]


# --------------------------------------------------------------------------------------------
# Matching (pycocotools' evaluateImg, per frame and class)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class _Matched:
    """One sequence after matching. Detections are the evaluated prediction rows in evaluation
    order (frame, class, descending score); ``gt_of[k, i]`` = matched gt row at threshold k or -1."""

    rows: np.ndarray
    frame: np.ndarray
    cls: np.ndarray
    score: np.ndarray
    gt_of: np.ndarray


def _match(s: VideoSequence, classes: np.ndarray, thresholds: np.ndarray, max_dets: int | None,
           pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None, fgfa: bool = False) -> _Matched:
    """``fgfa``: FGFA's matching instead of pycocotools' (``pairs`` with ``fgfa_iou``): the
    threshold of each gt is ``fgfa_thresholds`` (``thresholds`` must be [0.5]) and on equal IoUs
    the first gt row wins."""
    pr = s.pr
    usable = np.flatnonzero(np.isin(s.pr_cls, classes))
    order = usable[_score_order(pr.frame[usable], s.pr_cls[usable], pr.conf[usable])]
    if max_dets is not None and order.size:
        key = pr.frame[order] * (classes.size + 1) + np.searchsorted(classes, s.pr_cls[order])
        first = np.r_[True, key[1:] != key[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
        order = order[np.arange(order.size) - start < max_dets]
    n = order.size
    pos = np.full(len(pr), -1, np.int64)
    pos[order] = np.arange(n)
    g, p, iou = pairs if pairs is not None else _all_pairs(s)
    same = (pos[p] >= 0) & (s.gt_cls[g] == s.pr_cls[p])
    d, g, iou = pos[p[same]], g[same], iou[same]
    frame = pr.frame[order]
    gt_of = np.full((thresholds.size, n), -1, np.int64)
    for k, t in enumerate(thresholds):
        thr = fgfa_thresholds(s.gt.box, float(t))[g] if fgfa else min(float(t), 1 - 1e-10)
        gt_of[k] = _greedy(n, frame, d, g, iou, thr, first_on_ties=fgfa)
    return _Matched(order, frame, s.pr_cls[order], pr.conf[order].astype(float), gt_of)


def _greedy(n: int, det_frame: np.ndarray, d: np.ndarray, g: np.ndarray, iou: np.ndarray,
            thr: float | np.ndarray, first_on_ties: bool = False) -> np.ndarray:
    """COCO greedy matching at one threshold: detection i (evaluation order) takes the gt with the
    highest IoU >= thr not taken by an earlier detection (ties: the later gt row, as pycocotools'
    ``if iou < best: continue`` scan does; ``first_on_ties``: the earlier one, as FGFA's
    ``ov > ovmax`` scan does). ``d``/``g``/``iou``: candidate pairs (same frame and class);
    ``thr``: one threshold or one per pair. Returns the matched gt row per detection, -1 if none.

    Resolved in rounds, vectorised: a detection's current best free gt is final as soon as no
    earlier unresolved detection has that gt among its candidates (nothing can take it first, and
    losing other candidates cannot make it worse). The earliest unresolved detection of every frame
    always qualifies, so each round makes progress; usually one or two rounds settle everything.
    """
    out = np.full(n, -1, np.int64)
    v = iou >= thr
    d, g, iou = d[v], g[v], iou[v]
    if d.size == 0:
        return out
    num_g = int(g.max()) + 1
    free = np.ones(num_g, bool)
    alive = np.ones(d.size, bool)
    while alive.any():
        dd, gg, ss = d[alive], g[alive], iou[alive]
        o = np.lexsort((-gg if first_on_ties else gg, ss, dd))
        dd, gg = dd[o], gg[o]
        last = np.r_[dd[1:] != dd[:-1], True]
        bd, bg = dd[last], gg[last]
        first_claim = np.full(num_g, n, np.int64)
        np.minimum.at(first_claim, gg, dd)
        final = first_claim[bg] == bd
        out[bd[final]] = bg[final]
        free[bg[final]] = False
        settled = np.zeros(n, bool)
        settled[bd[final]] = True
        alive &= ~settled[d] & free[g]
    return out


# --------------------------------------------------------------------------------------------
# Grouped precision/recall curves (vectorised over many groups at once)
# --------------------------------------------------------------------------------------------

def _group_cumsum(values: np.ndarray, grp: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at each group (groups contiguous). Exact: integer-valued inputs
    use one cumsum minus the group prefix; fractional inputs are summed group by group."""
    if values.size == 0:
        return values.astype(float)
    if np.all(values == np.round(values)):
        c = np.cumsum(values)
        prefix = np.concatenate(([0.], c))[start[:-1]]
        return c - prefix[grp]
    out = np.empty(values.size)
    for a, b in zip(start[:-1], start[1:]):
        out[a:b] = np.cumsum(values[a:b])
    return out


def _group_rev_cummax(values: np.ndarray, grp: np.ndarray) -> np.ndarray:
    """max(values[i:end of i's group]) for every i, exactly (ranks instead of offset floats)."""
    if values.size == 0:
        return values
    uniq, rank = np.unique(values, return_inverse=True)
    width = np.int64(uniq.size)
    key = rank.astype(np.int64).ravel() - grp.astype(np.int64) * width
    acc = np.maximum.accumulate(key[::-1])[::-1]
    return uniq[acc + grp.astype(np.int64) * width]


def _needed_tp(npos: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(G, R): the smallest integer k with ``k / npos >= r`` in float64 (the recall test of
    pycocotools' ``searchsorted``), for every group and recall threshold."""
    uniq, inv = np.unique(npos, return_inverse=True)
    n = uniq[:, None].astype(float)
    r = thresholds[None, :]
    k = np.clip(np.ceil(r * n), 0, n)
    while True:  # the estimate is off by one at most; step until exact
        down = (k > 0) & ((k - 1) / n >= r)
        up = (k < n) & (k / n < r)
        if not (down.any() or up.any()):
            break
        k = k - down + up
    return k.astype(np.int64)[inv.ravel()]


def _at_recall(tp: np.ndarray, env: np.ndarray, grp: np.ndarray, start: np.ndarray, k: np.ndarray) -> np.ndarray:
    """(G, R): per group, ``env`` at the first point whose recall ``cumsum(tp) / npos`` is >= r
    (pycocotools: ``searchsorted(rc, r, 'left')``), 0 where the group never reaches r.

    ``tp`` is 0/1, so that point is the k-th true positive of the group (``k = _needed_tp(npos,
    thresholds)``, (G, R)), or the group's first detection for k = 0: no search is needed.
    """
    num_groups = start.size - 1
    tp_pos = np.flatnonzero(tp > 0)
    n_tp = np.bincount(grp[tp_pos], minlength=num_groups)
    tp_start = np.concatenate(([0], np.cumsum(n_tp)))
    nonempty = (start[1:] > start[:-1])[:, None]
    at_tp = tp_start[:-1, None] + k - 1
    ok = np.where(k == 0, nonempty, k <= n_tp[:, None])
    idx = np.where(k == 0, start[:-1, None], tp_pos[np.clip(at_tp, 0, max(tp_pos.size - 1, 0))]
                   if tp_pos.size else 0)
    out = np.zeros(k.shape)
    out[ok] = env[idx[ok]]
    return out


@dataclass(frozen=True, eq=False)
class _GroupAP:
    coco: np.ndarray   # (T, G): COCO 101-point AP per IoU threshold
    voc: np.ndarray    # (T, G): VOC all-point AP (NaN at thresholds not asked for)
    voc07: np.ndarray  # (T, G): VOC 11-point AP (NaN at thresholds not asked for)


def _group_ap(det_group: np.ndarray, score: np.ndarray, tp: np.ndarray, fp: np.ndarray,
              npos: np.ndarray, voc_only: bool = False, voc_at: tuple[int, ...] = (_I50,)) -> _GroupAP:
    """AP of G ranked lists at once. ``det_group``: group of each detection (-1 = not evaluated);
    detections in evaluation order (so ties keep it); ``tp``/``fp``: (T, n); ``npos``: (G,) > 0.
    COCO AP at every threshold (``tp`` must be 0/1 then); VOC / VOC07 only at the indices
    ``voc_at`` (NaN elsewhere). ``voc_only``: just VOC all-point (fractional ``fp`` allowed)."""
    num_groups = npos.size
    num_t = tp.shape[0]
    idx = np.flatnonzero(det_group >= 0)
    o = idx[np.argsort(-score[idx], kind="stable")]
    o = o[np.argsort(det_group[o], kind="stable")]
    grp = det_group[o].astype(np.int64)
    start = np.zeros(num_groups + 1, np.int64)
    np.cumsum(np.bincount(grp, minlength=num_groups), out=start[1:])
    first = np.zeros(o.size, bool)
    first[start[:-1][start[:-1] < o.size]] = True
    coco = np.zeros((num_t, num_groups))
    voc = np.full((num_t, num_groups), np.nan)
    voc07 = np.full((num_t, num_groups), np.nan)
    k101 = None if voc_only else _needed_tp(npos, COCO_RECALL_THRESHOLDS)
    k07 = None if voc_only else _needed_tp(npos, VOC07_RECALL_THRESHOLDS)
    for k in range(num_t):
        tpk = tp[k, o].astype(float)
        tpc = _group_cumsum(tpk, grp, start)
        fpc = _group_cumsum(fp[k, o].astype(float), grp, start)
        rc = tpc / npos[grp]
        if k in voc_at:
            prv = tpc / np.maximum(tpc + fpc, _EPS)
            envv = _group_rev_cummax(prv, grp)
            prev = np.where(first, 0.0, np.concatenate(([0.], rc[:-1])))
            voc[k] = np.bincount(grp, weights=(rc - prev) * envv, minlength=num_groups)
            if not voc_only:
                q07 = _at_recall(tpk, envv, grp, start, k07)
                acc = np.zeros(num_groups)
                for j in range(VOC07_RECALL_THRESHOLDS.size):
                    acc = acc + q07[:, j] / 11.
                voc07[k] = acc
        if voc_only:
            continue
        pr = tpc / (fpc + tpc + np.spacing(1))
        env = _group_rev_cummax(pr, grp)
        coco[k] = _at_recall(tpk, env, grp, start, k101).mean(axis=1)
    return _GroupAP(coco, voc, voc07)


# --------------------------------------------------------------------------------------------
# AP / mAP at three aggregation levels
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MapValues:
    """The mAP figures of one aggregation level (or of one class / one sequence).

    ``coco`` = COCO 101-point AP averaged over IoU 0.50:0.05:0.95 (pycocotools' AP@[.5:.95]);
    ``coco_50`` / ``coco_75`` the same at one threshold; ``voc`` = VOC2010+ all-point AP@0.5;
    ``voc07`` = VOC2007 11-point AP@0.5. NaN when nothing could be averaged. ``units`` = how many
    (class | sequence | frame) values the figure averages.
    """

    coco: float
    coco_50: float
    coco_75: float
    voc: float
    voc07: float
    coco_per_iou: tuple[float, ...]
    units: int

    def as_dict(self) -> dict:
        return {"mAP_coco": self.coco, "AP50_coco": self.coco_50, "AP75_coco": self.coco_75,
                "AP50_voc": self.voc, "AP50_voc07": self.voc07, "units": self.units}


_NAN_VALUES = MapValues(np.nan, np.nan, np.nan, np.nan, np.nan, tuple([np.nan] * COCO_IOU_THRESHOLDS.size), 0)


@dataclass(frozen=True)
class DetectionMAP:
    """Frame-detection AP/mAP (identities are ignored) at three aggregation levels.

    * ``dataset_level``: per class one ranked list pooled over all frames of all sequences
      (COCO / ImageNet VID), then the mean over classes. ``units`` = classes.
    * ``sequence_averaged``: per sequence the mean over its classes, then the mean over sequences
      with ground truth. ``units`` = sequences.
    * ``frame_averaged``: per frame the mean over its classes, then the mean over frames with
      ground truth (detections in frames without ground truth are not seen). ``units`` = frames.
    """

    dataset_level: MapValues
    sequence_averaged: MapValues
    frame_averaged: MapValues
    per_class: dict[int, MapValues]
    per_sequence: dict[str, MapValues]
    classes: tuple[int, ...]
    num_gt: int
    num_detections: int
    max_dets_per_frame: int | None

    def to_pandas(self) -> pd.DataFrame:
        """One row per aggregation level."""
        rows = []
        for level, v in (("dataset_level", self.dataset_level), ("sequence_averaged", self.sequence_averaged),
                         ("frame_averaged", self.frame_averaged)):
            rows.append({"level": level, **v.as_dict()})
        return pd.DataFrame(rows).set_index("level")

    def per_sequence_to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame([{"sequence": k, **v.as_dict()} for k, v in self.per_sequence.items()]).set_index(
            "sequence") if self.per_sequence else pd.DataFrame()

    def per_class_to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame([{"class": k, **v.as_dict()} for k, v in self.per_class.items()]).set_index(
            "class") if self.per_class else pd.DataFrame()


def _values(ap: _GroupAP, cols: np.ndarray | None = None) -> MapValues:
    """Mean over the given groups (all when None)."""
    sel = slice(None) if cols is None else cols
    coco, voc, voc07 = ap.coco[:, sel], ap.voc[:, sel], ap.voc07[:, sel]
    if coco.shape[1] == 0:
        return _NAN_VALUES
    per_iou = coco.mean(axis=1)
    return MapValues(float(coco.mean(axis=0).mean()), float(per_iou[_I50]), float(per_iou[_I75]),
                     float(voc[_I50].mean()), float(voc07[_I50].mean()),
                     tuple(float(x) for x in per_iou), int(coco.shape[1]))


def _mean_of_units(ap: _GroupAP, unit: np.ndarray) -> MapValues:
    """Mean over classes inside each unit (sequence / frame), then mean over units."""
    if unit.size == 0:
        return _NAN_VALUES
    uniq, inv = np.unique(unit, return_inverse=True)
    count = np.bincount(inv).astype(float)

    def avg(m: np.ndarray) -> float:  # m: (G,) -> mean over units of the mean inside each unit
        return float(np.mean(np.bincount(inv, weights=m) / count))

    coco_g = ap.coco.mean(axis=0)
    per_iou = [avg(ap.coco[k]) for k in range(ap.coco.shape[0])]
    return MapValues(avg(coco_g), per_iou[_I50], per_iou[_I75], avg(ap.voc[_I50]), avg(ap.voc07[_I50]),
                     tuple(per_iou), int(uniq.size))


def detection_map(gt_by_seq: Mapping[str, Detections], pred_by_seq: Mapping[str, Detections], *,
                  class_agnostic: bool = False, max_dets_per_frame: int | None = None) -> DetectionMAP:
    """AP/mAP of per-frame detections, dataset-level, sequence-averaged and frame-averaged.

    ``max_dets_per_frame``: keep only the top-k detections per frame and class (COCO's
    ``maxDets=100``); None (default) keeps all. Classes are those present in the ground truth;
    predictions of other classes are not evaluated (COCO). Ground-truth rows all count (no crowd
    or ignore regions: filter the ground truth before calling).
    """
    seqs = video_sequences(gt_by_seq, pred_by_seq, class_agnostic)
    classes = np.unique(np.concatenate([s.gt_cls for s in seqs] + [np.zeros(0, np.int64)]))
    num_c = max(classes.size, 1)
    det_key_parts, gt_key_parts = [], []
    scores, tps = [], []
    frame_base = 0
    for si, s in enumerate(seqs):
        m = _match(s, classes, COCO_IOU_THRESHOLDS, max_dets_per_frame)
        c_det = np.searchsorted(classes, m.cls)
        c_gt = np.searchsorted(classes, s.gt_cls)
        det_key_parts.append(np.column_stack([np.full(c_det.size, si), frame_base + m.frame - 1, c_det]))
        gt_key_parts.append(np.column_stack([np.full(c_gt.size, si), frame_base + s.gt.frame - 1, c_gt]))
        scores.append(m.score)
        tps.append(m.gt_of >= 0)
        frame_base += s.num_frames
    det_keys = np.concatenate(det_key_parts + [np.zeros((0, 3), np.int64)]).astype(np.int64)
    gt_keys = np.concatenate(gt_key_parts + [np.zeros((0, 3), np.int64)]).astype(np.int64)
    score = np.concatenate(scores + [np.zeros(0)])
    tp = np.concatenate(tps + [np.zeros((COCO_IOU_THRESHOLDS.size, 0), bool)], axis=1).astype(float)
    fp = 1.0 - tp

    def level(key_det: np.ndarray, key_gt: np.ndarray) -> tuple[np.ndarray, _GroupAP]:
        groups, npos = np.unique(key_gt, return_counts=True)
        at = np.searchsorted(groups, key_det)
        hit = at < groups.size
        hit[hit] = groups[at[hit]] == key_det[hit]
        det_group = np.where(hit, at, -1)
        return groups, _group_ap(det_group, score, tp, fp, npos.astype(float))

    # dataset level: group = class
    cls_groups, cls_ap = level(det_keys[:, 2], gt_keys[:, 2])
    # sequence level: group = (sequence, class)
    seq_groups, seq_ap = level(det_keys[:, 0] * num_c + det_keys[:, 2], gt_keys[:, 0] * num_c + gt_keys[:, 2])
    # frame level: group = (global frame, class)
    frm_groups, frm_ap = level(det_keys[:, 1] * num_c + det_keys[:, 2], gt_keys[:, 1] * num_c + gt_keys[:, 2])

    per_class = {int(classes[c]): _values(cls_ap, np.array([j])) for j, c in enumerate(cls_groups)}
    seq_of_group = seq_groups // num_c
    per_sequence = {seqs[int(si)].name: _values(seq_ap, np.flatnonzero(seq_of_group == si))
                    for si in np.unique(seq_of_group)}
    return DetectionMAP(
        dataset_level=_values(cls_ap),
        sequence_averaged=_mean_of_units(seq_ap, seq_of_group),
        frame_averaged=_mean_of_units(frm_ap, frm_groups // num_c),
        per_class=per_class, per_sequence=per_sequence,
        classes=tuple(int(c) for c in classes), num_gt=int(gt_keys.shape[0]),
        num_detections=int(score.size), max_dets_per_frame=max_dets_per_frame,
    )


# --------------------------------------------------------------------------------------------
# Speed-stratified mAP (FGFA)
# --------------------------------------------------------------------------------------------

def motion_iou(gt: Detections, window: int = MOTION_WINDOW) -> np.ndarray:
    """Per ground-truth row: the mean IoU of its box with the boxes of the same id in the other
    frames t-window..t+window where that id is annotated (the row itself excluded; frames
    outside the sequence or without the id are skipped, not counted as 0). NaN when the id has
    no other box in the window (a one-frame track or an isolated box)."""
    n = len(gt)
    total = np.zeros(n)
    count = np.zeros(n)
    o = np.lexsort((gt.frame, gt.id))
    ids, fr, box = gt.id[o], gt.frame[o], gt.box[o]
    for shift in range(1, window + 1):
        a = np.arange(n - shift)
        b = a + shift
        ok = (ids[a] == ids[b]) & (fr[b] - fr[a] <= window)
        if not ok.any():
            break  # rows further apart are further apart in frames too
        a, b = a[ok], b[ok]
        v = coco_iou(box[a], box[b])
        total[a] += v
        total[b] += v
        count[a] += 1
        count[b] += 1
    out = np.full(n, np.nan)
    has = count > 0
    out[o[has]] = total[has] / count[has]
    return out


def speed_bin_mask(motion: np.ndarray, name: str, fgfa_edges: bool = False) -> np.ndarray:
    """Ground truth in bin ``name``. Default (a partition): fast < 0.7 <= medium <= 0.9 < slow.
    ``fgfa_edges``: FGFA's code, every bin closed on both ends (fast [0, 0.7], medium [0.7, 0.9],
    slow [0.9, 1]), so exactly 0.7 / 0.9 land in two bins. NaN is in no bin."""
    m = np.asarray(motion, float)
    if name == "all":
        return np.ones(m.shape, bool)
    if fgfa_edges:
        lo, hi = {"fast": (0.0, 0.7), "medium": (0.7, 0.9), "slow": (0.9, 1.0)}[name]
        return (m >= lo) & (m <= hi)
    if name == "fast":
        return m < 0.7
    if name == "medium":
        return (m >= 0.7) & (m <= 0.9)
    if name == "slow":
        return m > 0.9
    raise ValueError(f"unknown speed bin {name!r}")


@dataclass(frozen=True)
class SpeedMAP:
    """FGFA's motion-stratified mAP: VOC all-point AP@0.5, dataset-level, mean over classes with
    ground truth in the bin (NaN when none). ``all`` is the unstratified value (equal to
    ``DetectionMAP.dataset_level.voc``)."""

    map: dict[str, float]
    per_class: dict[str, dict[int, float]]
    num_gt: dict[str, int]
    num_gt_without_motion: int
    window: int
    fgfa_compat: bool

    def to_pandas(self) -> pd.DataFrame:
        total = max(sum(self.num_gt[b] for b in SPEED_BINS) + self.num_gt_without_motion, 1)
        return pd.DataFrame([{"bin": b, "mAP50_voc": self.map[b], "num_gt": self.num_gt[b],
                              "gt_share": self.num_gt[b] / total if b != "all" else 1.0}
                             for b in ("all",) + SPEED_BINS]).set_index("bin")


def speed_map(gt_by_seq: Mapping[str, Detections], pred_by_seq: Mapping[str, Detections], *,
              class_agnostic: bool = False, window: int = MOTION_WINDOW, fgfa_compat: bool = False,
              max_dets_per_frame: int | None = None) -> SpeedMAP:
    """Slow / medium / fast mAP (FGFA ``vid_eval_motion``) with motion IoU from ``motion_iou``.

    Per bin: ground truth outside the bin is ignored (it still takes its match: a detection matched
    to it is neither TP nor FP). An unmatched detection is compared by its best IoU with in-bin and
    with out-of-bin ground truth of any class in its frame (-1 when there is none of that kind):
    closer to in-bin -> FP 1, closer to out-of-bin -> FP 0; on a tie, FP = the fraction of the
    frame's ground truth that is in the bin (FGFA uses the fraction *out* of the bin; set
    ``fgfa_compat``), or in a frame without ground truth the fraction of all ground truth that is
    in the bin (``fgfa_compat``: of all ground truth and one motion IoU 0 per frame without ground
    truth, as FGFA's ``.mat`` holds). ``fgfa_compat`` also switches to FGFA's overlapping closed bin
    edges and to FGFA's matching on ImageNet VID boxes (``_match(fgfa=True)``): the +1-pixel IoU of
    ``fgfa_iou``, the small-object thresholds of ``fgfa_thresholds`` and the first gt on equal IoUs.
    Motion IoU stays ``motion_iou`` (FGFA ships its values in a ``.mat``, not the code that made them).
    """
    seqs = video_sequences(gt_by_seq, pred_by_seq, class_agnostic)
    classes = np.unique(np.concatenate([s.gt_cls for s in seqs] + [np.zeros(0, np.int64)]))
    thr = COCO_IOU_THRESHOLDS[:1]
    per_seq = []
    for s in seqs:
        pairs = _all_pairs(s, fgfa_compat)
        m = _match(s, classes, thr, max_dets_per_frame, pairs, fgfa_compat)
        per_seq.append((s, pairs, m, motion_iou(s.gt, window)))
    all_motion = np.concatenate([x[3] for x in per_seq] + [np.zeros(0)])
    bins = ("all",) + SPEED_BINS
    score = np.concatenate([x[2].score for x in per_seq] + [np.zeros(0)])
    det_cls = np.searchsorted(classes, np.concatenate([x[2].cls for x in per_seq] + [np.zeros(0, np.int64)]))
    # FGFA's motion table holds one empty entry, read as motion IoU 0, per frame without ground truth
    frames_without_gt = sum(s.num_frames - np.unique(s.gt.frame).size for s in seqs) if fgfa_compat else 0
    out_map, out_cls, out_num = {}, {}, {}
    for b in bins:
        in_all = np.concatenate([speed_bin_mask(all_motion, b, fgfa_compat),
                                 np.repeat(speed_bin_mask(np.zeros(1), b, True), frames_without_gt)])
        empty_weight = float(in_all.mean()) if in_all.size else 0.0
        tps, fps, npos = [], [], np.zeros(classes.size)
        for s, (pg, pp, piou), m, mot in per_seq:
            in_b = speed_bin_mask(mot, b, fgfa_compat)
            np.add.at(npos, np.searchsorted(classes, s.gt_cls[in_b]), 1.0)
            gt_of = m.gt_of[0]
            matched = gt_of >= 0
            tp = np.zeros(gt_of.size)
            fp = np.zeros(gt_of.size)
            tp[matched] = in_b[gt_of[matched]]
            if b == "all":
                fp[~matched] = 1.0
            else:
                pos = np.full(len(s.pr), -1, np.int64)
                pos[m.rows] = np.arange(m.rows.size)
                f = m.frame
                n_in = np.bincount(s.gt.frame[in_b], minlength=s.num_frames + 1)[f]
                n_all = np.bincount(s.gt.frame, minlength=s.num_frames + 1)[f]
                best_in = np.where(n_in > 0, 0.0, -1.0)
                best_out = np.where(n_all - n_in > 0, 0.0, -1.0)
                k = pos[pp] >= 0
                gin = in_b[pg[k]]
                np.maximum.at(best_in, pos[pp[k]][gin], piou[k][gin])
                np.maximum.at(best_out, pos[pp[k]][~gin], piou[k][~gin])
                share = (n_all - n_in if fgfa_compat else n_in) / np.maximum(n_all, 1)
                tie = np.where(n_all == 0, empty_weight, share)
                charge = np.where(best_in > best_out, 1.0, np.where(best_out > best_in, 0.0, tie))
                fp[~matched] = charge[~matched]
            tps.append(tp)
            fps.append(fp)
        tp_all = np.concatenate(tps + [np.zeros(0)])[None, :]
        fp_all = np.concatenate(fps + [np.zeros(0)])[None, :]
        valid = np.flatnonzero(npos > 0)
        remap = np.full(classes.size, -1, np.int64)
        remap[valid] = np.arange(valid.size)
        ap = _group_ap(remap[det_cls] if det_cls.size else det_cls, score, tp_all, fp_all, npos[valid],
                       voc_only=True, voc_at=(0,))
        out_cls[b] = {int(classes[c]): float(ap.voc[0, j]) for j, c in enumerate(valid)}
        out_map[b] = float(ap.voc[0].mean()) if valid.size else float("nan")
        out_num[b] = int(npos.sum())
    return SpeedMAP(out_map, out_cls, out_num, int(np.isnan(all_motion).sum()), window, fgfa_compat)


# --------------------------------------------------------------------------------------------
# Average Delay (VMetrics)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class AverageDelay:
    """Average Delay (Mao et al., ICCV'19; VMetrics' code), in frames; lower is better.

    ``score_thresholds[r]`` = the operating point for ``fp_ratios[r]`` (-inf: the ratio is never
    exceeded, every detection is kept); ``mean_delays[r]`` = mean over ground-truth objects of
    min(delay, clip); ``average_delay`` = 1 / mean_r(1 / (mean_delays[r] + 1)) - 1.
    ``track_delays`` (R x objects) holds the unclipped delays, objects described by ``tracks``.
    """

    average_delay: float
    fp_ratios: tuple[float, ...]
    score_thresholds: tuple[float, ...]
    mean_delays: tuple[float, ...]
    detected: tuple[int, ...]
    track_delays: np.ndarray
    tracks: pd.DataFrame
    clip: int
    skip_last_frame: bool

    @property
    def num_tracks(self) -> int:
        return int(self.tracks.shape[0])

    def to_pandas(self) -> pd.DataFrame:
        """One row per operating point."""
        return pd.DataFrame({"fp_ratio": self.fp_ratios, "score_threshold": self.score_thresholds,
                             "mean_delay": self.mean_delays, "objects_detected": self.detected,
                             "objects": self.num_tracks}).set_index("fp_ratio")

    def tracks_to_pandas(self) -> pd.DataFrame:
        out = self.tracks.copy()
        for r, ratio in enumerate(self.fp_ratios):
            out[f"delay@{ratio:g}"] = self.track_delays[r] if self.track_delays.size else []
        return out


def average_delay(gt_by_seq: Mapping[str, Detections], pred_by_seq: Mapping[str, Detections], *,
                  class_agnostic: bool = False, fp_ratios: tuple[float, ...] = AD_FP_RATIOS,
                  clip: int = AD_CLIP, iou_threshold: float = 0.5, skip_last_frame: bool = False
                  ) -> AverageDelay:
    """Average Delay as VMetrics computes it (``experiments/eval_map_ad.py``, ``vmetrics/delay.py``).

    1. Operating points: all detections of all sequences and classes in one list by descending
       score (stable); VOC matching (each detection takes its max-IoU same-class gt of the frame,
       first on ties; IoU >= 0.5 and gt unused -> TP, else FP); FP ratio = cumulative FP / number
       of ground-truth boxes; the threshold for ratio r is the score of the first detection whose
       ratio exceeds r (-inf when none does; VMetrics uses 0, the same for non-negative scores).
    2. Per threshold, detections with score >= it; an object (sequence, id) is detected in a frame
       when a kept detection's max-IoU same-class gt there is that object with IoU > 0.5 (strict,
       not one-to-one). delay = first detected frame - first frame, or last frame - first frame
       when never detected; mean of min(delay, clip) over all objects.
    3. AD = harmonic mean of (mean delay + 1) over the operating points, minus 1.

    IoU is continuous (no +1 pixel). ``skip_last_frame=True`` reproduces VMetrics' loop
    ``range(max frame)``, which never scans the last frame holding a row of the sequence.
    """
    seqs = video_sequences(gt_by_seq, pred_by_seq, class_agnostic)
    total_gt = sum(len(s.gt) for s in seqs)
    # per detection (concatenated over sequences, row order): target gt, its IoU, TP for the FP ratio
    det_parts = []
    for si, s in enumerate(seqs):
        g, p, iou = _all_pairs(s)
        same = s.gt_cls[g] == s.pr_cls[p]
        g, p, iou = g[same], p[same], iou[same]
        n = len(s.pr)
        target = np.full(n, -1, np.int64)
        best = np.zeros(n)
        if p.size:
            o = np.lexsort((-g, iou, p))  # per detection: max IoU, then the first gt row
            last = np.r_[p[o][1:] != p[o][:-1], True]
            target[p[o][last]] = g[o][last]
            best[p[o][last]] = iou[o][last]
        # VOC: among detections with IoU >= 0.5 on the same gt, the highest-ranked one is the TP
        rank = np.empty(n, np.int64)
        rank[_score_order(s.pr.frame, np.zeros(n, np.int64), s.pr.conf)] = np.arange(n)
        cand = np.flatnonzero((best >= 0.5) & (target >= 0))
        tp = np.zeros(n, bool)
        if cand.size:
            o = cand[np.lexsort((rank[cand], target[cand]))]
            firsts = np.r_[True, target[o][1:] != target[o][:-1]]
            tp[o[firsts]] = True
        det_parts.append((si, s, target, best, tp))
    score = np.concatenate([s.pr.conf for _, s, *_ in det_parts] + [np.zeros(0)]).astype(float)
    fp = ~np.concatenate([x[4] for x in det_parts] + [np.zeros(0, bool)])
    order = np.argsort(-score, kind="stable")
    fp_rate = np.cumsum(fp[order]) / total_gt if total_gt else np.full(order.size, np.inf)
    thresholds = []
    for r in fp_ratios:
        over = np.flatnonzero(fp_rate > r)
        thresholds.append(float(score[order[over[0]]]) if over.size else float("-inf"))

    # objects: (sequence, id) over the scanned frames
    track_rows = []
    for si, s, target, best, _ in det_parts:
        last = max(int(s.gt.frame.max(initial=0)), int(s.pr.frame.max(initial=0)))
        scanned_gt = (s.gt.frame < last) if skip_last_frame else np.ones(len(s.gt), bool)
        ids, first_row, tidx = np.unique(s.gt.id[scanned_gt], return_index=True, return_inverse=True)
        tidx = tidx.ravel()
        first = np.full(ids.size, np.iinfo(np.int64).max)
        lastf = np.zeros(ids.size, np.int64)
        np.minimum.at(first, tidx, s.gt.frame[scanned_gt])
        np.maximum.at(lastf, tidx, s.gt.frame[scanned_gt])
        cls_first = s.gt_cls[scanned_gt][first_row]
        row_track = np.full(len(s.gt), -1, np.int64)
        row_track[scanned_gt] = tidx
        scanned_det = (s.pr.frame < last) if skip_last_frame else np.ones(len(s.pr), bool)
        hit = scanned_det & (target >= 0) & (best > iou_threshold)
        track_rows.append((s, ids, first, lastf, cls_first, row_track, target, hit))
    delays = []
    detected = []
    for tau in thresholds:
        per = []
        num_det = 0
        for s, ids, first, lastf, _, row_track, target, hit in track_rows:
            keep = hit & (s.pr.conf >= tau)
            found = np.full(ids.size, np.iinfo(np.int64).max)
            np.minimum.at(found, row_track[target[keep]], s.pr.frame[keep])
            is_found = found != np.iinfo(np.int64).max
            num_det += int(is_found.sum())
            per.append(np.maximum(np.where(is_found, found - first, lastf - first), 0))
        delays.append(np.concatenate(per + [np.zeros(0, np.int64)]))
        detected.append(num_det)
    track_delays = np.array(delays, dtype=np.int64).reshape(len(thresholds), -1)
    mean_delays = [float(np.mean(np.minimum(d, clip))) if d.size else float("nan") for d in track_delays]
    md = np.array(mean_delays)
    ad = float(1.0 / np.mean(1.0 / (md + 1)) - 1) if track_delays.shape[1] else float("nan")
    tracks = pd.DataFrame({
        "sequence": np.concatenate([np.full(t[1].size, t[0].name, dtype=object) for t in track_rows]
                                   + [np.zeros(0, object)]),
        "id": np.concatenate([t[1] for t in track_rows] + [np.zeros(0, np.int64)]),
        "class": np.concatenate([t[4] for t in track_rows] + [np.zeros(0, np.int64)]),
        "first_frame": np.concatenate([t[2] for t in track_rows] + [np.zeros(0, np.int64)]),
        "last_frame": np.concatenate([t[3] for t in track_rows] + [np.zeros(0, np.int64)]),
    })
    return AverageDelay(ad, tuple(float(r) for r in fp_ratios), tuple(thresholds), tuple(mean_delays),
                        tuple(detected), track_delays, tracks, clip, skip_last_frame)


# --------------------------------------------------------------------------------------------
# One table comparing every detection-style metric
# --------------------------------------------------------------------------------------------

def mot_detection_inputs(gt: Detections, pred: Detections, benchmark: str = "MOT17") -> tuple[Detections, Detections]:
    """The rows TrackEval's MOTChallenge preprocessing keeps (``tracklens.prepare``): ground truth
    with a non-zero consider flag (and, past MOT15, pedestrians only); predictions minus those
    matched to a distractor."""
    seq = prepare("seq", gt, pred, benchmark=benchmark)
    return gt.take(seq.gt_rows), pred.take(seq.tr_rows)


def detection_report(gt_by_seq: Mapping[str, Detections], pred_by_seq: Mapping[str, Detections], *,
                     class_agnostic: bool = True, benchmark: str | None = None) -> pd.DataFrame:
    """One row per metric: ``metric``, ``value``, ``better`` ('higher' / 'lower'), ``ignores``
    (what the number does not look at), for a page that puts the metrics side by side.

    ``class_agnostic`` defaults to True because MOTChallenge trackers write -1 as the class;
    ``benchmark`` (e.g. 'MOT17'), when given, first applies TrackEval's MOTChallenge preprocessing.
    """
    if benchmark is not None:
        pairs = {k: mot_detection_inputs(g, pred_by_seq.get(k, Detections.empty(g.num_frames)), benchmark)
                 for k, g in gt_by_seq.items()}
        gt_by_seq = {k: v[0] for k, v in pairs.items()}
        pred_by_seq = {k: v[1] for k, v in pairs.items()}
    dm = detection_map(gt_by_seq, pred_by_seq, class_agnostic=class_agnostic)
    sm = speed_map(gt_by_seq, pred_by_seq, class_agnostic=class_agnostic)
    ad = average_delay(gt_by_seq, pred_by_seq, class_agnostic=class_agnostic)
    tm = track_map(gt_by_seq, pred_by_seq, class_agnostic=class_agnostic)
    ids = "identities entirely"
    rows = [
        ("mAP@[.5:.95] dataset-level (COCO 101-pt)", dm.dataset_level.coco, "higher",
         f"{ids}; pools every frame of every sequence into one ranked list per class, so long or crowded "
         "sequences weigh more"),
        ("mAP@[.5:.95] sequence-averaged", dm.sequence_averaged.coco, "higher",
         f"{ids}; every sequence weighs the same whatever its length"),
        ("mAP@[.5:.95] frame-averaged", dm.frame_averaged.coco, "higher",
         f"{ids}; false positives in frames without ground truth; every frame weighs the same, "
         "and a frame's ranking cannot be traded against another's"),
        ("AP50 dataset-level (VOC all-point)", dm.dataset_level.voc, "higher",
         f"{ids}; localisation beyond IoU 0.5"),
        ("AP50 dataset-level (VOC07 11-point)", dm.dataset_level.voc07, "higher",
         f"{ids}; localisation beyond IoU 0.5; precision between the 11 recall points"),
        ("mAP50 slow motion (motion IoU > 0.9)", sm.map["slow"], "higher",
         f"{ids}; objects of the other speed bins (their boxes neither help nor hurt)"),
        ("mAP50 medium motion (0.7-0.9)", sm.map["medium"], "higher",
         f"{ids}; objects of the other speed bins"),
        ("mAP50 fast motion (motion IoU < 0.7)", sm.map["fast"], "higher",
         f"{ids}; objects of the other speed bins"),
        ("Average Delay (frames)", ad.average_delay, "lower",
         "everything after an object's first detection (later misses, switches, localisation); "
         "identities of predictions"),
        ("Track-mAP@[.5:.95] (TrackEval)", tm.track_map, "higher",
         "per-frame detail: one track IoU per (predicted track, gt track) pair; a track split in two "
         "scores at most one match"),
        ("Track-mAP@0.5 (TAO-style single threshold)", tm.ap_at(0.5), "higher",
         "per-frame detail; localisation beyond a track IoU of 0.5"),
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "better", "ignores"])
