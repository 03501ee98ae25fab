"""TETA (Li et al., "Tracking Every Thing in the Wild", ECCV 2022) as its reference code computes it
(SysCV/tet a62a9c0, ``teta/teta/metrics/teta.py``, ``eval.py``, ``datasets/tao.py``), on one video.

Per evaluated class c of a video:

* Local clusters: a prediction (any predicted class) belongs to c's cluster in a frame when its IoU
  with some ground truth of c is >= 0.5, unless a class-agnostic matching of the whole video (the
  HOTA-style global-alignment Hungarian, IoU >= 0.5) gave it to ground truth of another class in
  that frame. c's predictions are the tracks that are in a cluster in some frame (all their boxes).
* One Hungarian per frame on ``GA * IoU`` (GA from soft per-frame counts, as TrackEval's HOTA),
  shared by the 20 thresholds alpha = 0.0, 0.05, ..., 0.95; a pair is a TP at alpha when IoU >=
  alpha - eps.
* LocA = TP / (TP + FN + FP), FP = cluster members of the frame not matched; AssocA/Re/Pr as HOTA's
  AssA/Re/Pr; ClsA (alpha 0.5..0.95 only) over matched pairs: TP when the predicted class is c,
  else an FN of c and an FP of the predicted class (when that class is evaluated).
* TETA_alpha = (LocA_alpha + AssocA_alpha + ClsA) / 3, ClsA averaged over its 10 alphas first.

Pure functions over per-frame arrays; ``combine_videos`` and ``class_average`` combine as the
reference's Evaluator does (docs/teta.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

EPS = np.finfo(float).eps
ALPHAS = np.arange(0.0, 0.99, 0.05)  # LocA / AssocA thresholds (20, from 0.0 as the reference)
CLS_ALPHAS = np.arange(0.5, 0.99, 0.05)  # ClsA thresholds (10)
CLS_FROM = int(np.flatnonzero(ALPHAS >= 0.5)[0])  # index of alpha 0.5 in ALPHAS
OVERLAP = 0.5  # a prediction joins a class's local cluster at IoU >= 0.5
FIELDS = ("TETA", "LocA", "AssocA", "ClsA", "LocRe", "LocPr", "AssocRe", "AssocPr", "ClsRe", "ClsPr")
COUNT_FIELDS = ("Loc_TP", "Loc_FN", "Loc_FP", "Cls_TP", "Cls_FN", "Cls_FP")


@dataclass(frozen=True)
class TetaFrame:
    """One frame of one video: ground truth and predictions (ids as in the files, class ids, and
    the dense IoU matrix ``iou[gt, pred]``)."""

    gt_ids: np.ndarray
    gt_cls: np.ndarray
    pr_ids: np.ndarray
    pr_cls: np.ndarray
    iou: np.ndarray


@dataclass(frozen=True)
class TetaCounts:
    """What TETA sums over videos for one class: counts per alpha and the association means
    (TP-weighted, so videos combine by ``Loc_TP``)."""

    loc_tp: np.ndarray  # (20,)
    loc_fn: np.ndarray
    loc_fp: np.ndarray
    cls_tp: np.ndarray  # (10,)
    cls_fn: np.ndarray
    cls_fp: np.ndarray
    assoc_a: np.ndarray  # (20,)
    assoc_re: np.ndarray
    assoc_pr: np.ndarray

    @classmethod
    def zeros(cls) -> "TetaCounts":
        a, c = np.zeros(ALPHAS.size), np.zeros(CLS_ALPHAS.size)
        return cls(a, a.copy(), a.copy(), c, c.copy(), c.copy(), a.copy(), a.copy(), a.copy())


@dataclass(frozen=True)
class TetaResult:
    """TETA's fields: 20-value arrays for TETA, Loc* and Assoc*, scalars for Cls* (already the mean
    over their 10 alphas), and the counts. ``summary()`` gives the reported numbers."""

    TETA: np.ndarray
    LocA: np.ndarray
    AssocA: np.ndarray
    ClsA: float
    LocRe: np.ndarray
    LocPr: np.ndarray
    AssocRe: np.ndarray
    AssocPr: np.ndarray
    ClsRe: float
    ClsPr: float
    counts: dict  # COUNT_FIELDS name -> array (summed)

    def summary(self) -> dict[str, float]:
        """Field -> mean over its alphas (the numbers the reference prints, as fractions)."""
        return {f: float(np.mean(getattr(self, f))) for f in FIELDS}

    @property
    def empty(self) -> bool:
        """No TP, FN or FP at any alpha: left out of the class average (the reference's ``ignore_empty``)."""
        c = self.counts
        return not (c["Loc_TP"] + c["Loc_FN"] + c["Loc_FP"] > 0 + EPS).any()


# --------------------------------------------------------------------------- one video


def _relabel(ids: np.ndarray, universe: np.ndarray) -> np.ndarray:
    return np.searchsorted(universe, ids)


def _alignment(gt_idx: Sequence[np.ndarray], pr_idx: Sequence[np.ndarray], ious: Sequence[np.ndarray],
               n_gt: int, n_pr: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Global alignment score between ids (soft per-frame counts, as TrackEval's HOTA) and the
    number of boxes of each id, frame by frame in the reference's order of operations."""
    matches = np.zeros((n_gt, n_pr))
    gt_count = np.zeros((n_gt, 1))
    pr_count = np.zeros((1, n_pr))
    for g, p, sim in zip(gt_idx, pr_idx, ious):
        denom = sim.sum(0, keepdims=True) + sim.sum(1, keepdims=True) - sim
        soft = np.zeros_like(sim)
        ok = denom > 0 + EPS
        soft[ok] = sim[ok] / denom[ok]
        matches[g[:, None], p[None, :]] += soft
        gt_count[g] += 1
        pr_count[0, p] += 1
    return matches / (gt_count + pr_count - matches), gt_count, pr_count


def _hungarian(ga: np.ndarray, g: np.ndarray, p: np.ndarray, sim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return linear_sum_assignment(-(ga[g[:, None], p[None, :]] * sim))


def _union(per_frame: Sequence[np.ndarray]) -> np.ndarray:
    return np.unique(np.concatenate([np.asarray(x, np.int64) for x in per_frame])) if per_frame else \
        np.zeros(0, np.int64)


def _agnostic_assignment(frames: Sequence[TetaFrame]) -> list[dict]:
    """Per frame, ground-truth id -> prediction id of the class-agnostic matching at IoU 0.5 (the
    reference's ``compute_global_assignment``)."""
    overlap = [f.pr_ids[(f.iou >= OVERLAP).any(axis=0)] for f in frames]
    keep = _union(overlap)
    out: list[dict] = [{} for _ in frames]
    n_gt = sum(f.gt_ids.size for f in frames)
    if sum(o.size for o in overlap) == 0 or n_gt == 0:
        return out
    cols = [np.isin(f.pr_ids, keep) for f in frames]
    gt_univ = _union([f.gt_ids for f in frames])
    pr_univ = _union([f.pr_ids[c] for f, c in zip(frames, cols)])
    g_idx = [_relabel(f.gt_ids, gt_univ) for f in frames]
    p_idx = [_relabel(f.pr_ids[c], pr_univ) for f, c in zip(frames, cols)]
    sims = [f.iou[:, c] for f, c in zip(frames, cols)]
    ga, _, _ = _alignment(g_idx, p_idx, sims, gt_univ.size, pr_univ.size)
    for t, (f, c, g, p, sim) in enumerate(zip(frames, cols, g_idx, p_idx, sims)):
        rows, cs = _hungarian(ga, g, p, sim)
        ok = sim[rows, cs] >= OVERLAP - EPS
        out[t] = dict(zip(f.gt_ids[rows[ok]].tolist(), f.pr_ids[c][cs[ok]].tolist()))
    return out


def teta_video(frames: Sequence[TetaFrame], classes: Mapping[str, int]) -> dict[str, TetaCounts]:
    """TETA's counts of every evaluated class (name -> category id) on one video, the FPs of
    classification that other classes' matches give each class included."""
    assignment = _agnostic_assignment(frames)
    cls_fp = {c: np.zeros(CLS_ALPHAS.size) for c in classes}
    name_of = {cid: name for name, cid in classes.items()}
    present = {int(c) for f in frames for c in f.gt_cls}
    # a class without ground truth in the video has an empty cluster: all counts 0, no FP given to others
    counts = {c: _class_counts(frames, cid, assignment, name_of, cls_fp) if cid in present else TetaCounts.zeros()
              for c, cid in classes.items()}
    return {c: TetaCounts(k.loc_tp, k.loc_fn, k.loc_fp, k.cls_tp, k.cls_fn, k.cls_fp + cls_fp[c], k.assoc_a,
                          k.assoc_re, k.assoc_pr) for c, k in counts.items()}


def _class_counts(frames: Sequence[TetaFrame], cid: int, assignment: list[dict], name_of: Mapping[int, str],
                  cls_fp: dict) -> TetaCounts:
    """One class's counts; adds the FPs of classification it gives other classes to ``cls_fp``."""
    gt_sel = [f.gt_cls == cid for f in frames]
    overlap = []
    for f, sel, assigned in zip(frames, gt_sel, assignment):
        taken = {assigned[g] for g, c in zip(f.gt_ids.tolist(), f.gt_cls.tolist()) if c != cid and g in assigned}
        members = f.pr_ids[(f.iou[sel] >= OVERLAP).any(axis=0)]
        overlap.append(np.array(sorted(set(members.tolist()) - taken), np.int64))
    keep = _union(overlap)
    cols = [np.isin(f.pr_ids, keep) for f in frames]
    n_gt = int(sum(s.sum() for s in gt_sel))
    out = TetaCounts.zeros()
    if sum(o.size for o in overlap) == 0 or n_gt == 0:  # no prediction near the class: every ground truth missed
        out.loc_fn[:] = n_gt
        return out
    gt_ids = [f.gt_ids[s] for f, s in zip(frames, gt_sel)]
    pr_ids = [f.pr_ids[c] for f, c in zip(frames, cols)]
    gt_univ, pr_univ = _union(gt_ids), _union(pr_ids)
    g_idx = [_relabel(x, gt_univ) for x in gt_ids]
    p_idx = [_relabel(x, pr_univ) for x in pr_ids]
    sims = [f.iou[s][:, c] for f, s, c in zip(frames, gt_sel, cols)]
    ga, gt_count, pr_count = _alignment(g_idx, p_idx, sims, gt_univ.size, pr_univ.size)
    matched_pairs = np.zeros((ALPHAS.size,) + ga.shape)  # per alpha, frames each id pair is a TP
    floor = (ALPHAS - EPS)[:, None]
    for f, c, ids, g, p, sim, members in zip(frames, cols, pr_ids, g_idx, p_idx, sims, overlap):
        if g.size == 0:
            continue
        rows, cs = _hungarian(ga, g, p, sim)
        tp = sim[rows, cs][None, :] >= floor  # (alpha, pair): the pair is a TP at alpha
        n = tp.sum(axis=1)
        # the reference's FP candidates are the members with IoU >= 0.5 to a ground truth of the class:
        # every member, by the definition of the cluster; ids are unique in a frame
        in_cluster = np.isin(ids[cs], members)
        out.loc_tp[:] += n
        out.loc_fn[:] += g.size - n
        out.loc_fp[:] += members.size - (tp & in_cluster).sum(axis=1)
        got = f.pr_cls[c][cs]
        cls_tp = tp[CLS_FROM:]
        right = (cls_tp & (got == cid)).sum(axis=1)
        out.cls_tp[:] += right
        out.cls_fn[:] += n[CLS_FROM:] - right
        for k in np.flatnonzero(got != cid):
            if int(got[k]) in name_of:
                cls_fp[name_of[int(got[k])]] += cls_tp[:, k]
        matched_pairs[:, g[rows], p[cs]] += tp
    for a in range(ALPHAS.size):
        m = matched_pairs[a]
        tp = np.maximum(1, out.loc_tp[a])
        out.assoc_a[a] = np.sum(m * (m / np.maximum(1, gt_count + pr_count - m))) / tp
        out.assoc_re[a] = np.sum(m * (m / np.maximum(1, gt_count))) / tp
        out.assoc_pr[a] = np.sum(m * (m / np.maximum(1, pr_count))) / tp
    return out


# --------------------------------------------------------------------------- combining


def combine_videos(per_video: Sequence[TetaCounts]) -> TetaCounts:
    """One class over videos (in the given order): counts summed, association TP-weighted."""
    total = TetaCounts.zeros()
    for k in ("loc_tp", "loc_fn", "loc_fp", "cls_tp", "cls_fn", "cls_fp"):
        acc = 0
        for v in per_video:
            acc = acc + getattr(v, k)
        getattr(total, k)[:] = acc
    for k in ("assoc_a", "assoc_re", "assoc_pr"):
        acc = 0
        for v in per_video:
            acc = acc + getattr(v, k) * v.loc_tp
        getattr(total, k)[:] = acc / np.maximum(1.0, total.loc_tp)
    return total


def teta_result(c: TetaCounts) -> TetaResult:
    """The fields from the counts (the reference's ``_compute_final_fields``)."""
    loc_re = c.loc_tp / np.maximum(1, c.loc_tp + c.loc_fn)
    loc_pr = c.loc_tp / np.maximum(1, c.loc_tp + c.loc_fp)
    loc_a = c.loc_tp / np.maximum(1, c.loc_tp + c.loc_fn + c.loc_fp)
    cls_re = np.mean(c.cls_tp / np.maximum(1, c.cls_tp + c.cls_fn))
    cls_pr = np.mean(c.cls_tp / np.maximum(1, c.cls_tp + c.cls_fp))
    cls_a = np.mean(c.cls_tp / np.maximum(1, c.cls_tp + c.cls_fn + c.cls_fp))
    counts = {"Loc_TP": c.loc_tp, "Loc_FN": c.loc_fn, "Loc_FP": c.loc_fp, "Cls_TP": c.cls_tp, "Cls_FN": c.cls_fn,
              "Cls_FP": c.cls_fp}
    return TetaResult((loc_a + c.assoc_a + cls_a) / 3, loc_a, c.assoc_a, cls_a, loc_re, loc_pr, c.assoc_re,
                      c.assoc_pr, cls_re, cls_pr, counts)


def class_average(per_class: Mapping[str, TetaResult]) -> TetaResult:
    """The reference's ``average``: every field averaged over the classes that are not empty,
    counts summed over them."""
    kept = [r for r in per_class.values() if not r.empty]
    fields = {f: np.mean([getattr(r, f) for r in kept], axis=0) for f in FIELDS}
    counts = {k: sum(r.counts[k] for r in kept) for k in COUNT_FIELDS}
    return TetaResult(counts=counts, **fields)


__all__ = ["ALPHAS", "CLS_ALPHAS", "COUNT_FIELDS", "FIELDS", "TetaCounts", "TetaFrame", "TetaResult", "class_average",
           "combine_videos", "teta_result", "teta_video"]
