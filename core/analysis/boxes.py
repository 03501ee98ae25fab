"""Every box of a sequence x tracker with what the evaluation decided about it.

One row per ground-truth box and per tracker box (including the ones preprocessing set aside, with
the reason), carrying its HOTA partner and how many alphas the pair survives (``level``), so the
state at any alpha is ``TP if level > alpha_index else FN/FP`` without re-matching. CLEAR partner,
identity events and the identity (IDF1) partner ride along. KITTI ground truth's occlusion and truncation
levels (``kitti_occluded``, ``kitti_truncated``, as written) too, on KITTI runs only (NaN for tracker boxes).

Every similarity in the table is the matching's own (its sparse pairs: box IoU, or mask IoU for the
MOTS formats): ``iou`` of the HOTA pair, ``clear_iou`` of the CLEAR pair, and ``best`` / ``best_iou``
(the other side's id overlapping the box most, ties to the lower id), so explanations never recompute
an overlap from the boxes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..detections import Detections
from ..sequence_eval import SequenceEvaluation
from ..metrics.hota import NUM_ALPHAS
from .events import BOX_EVENTS, clear_events

GT, TRACKER = "gt", "tr"
IGNORED_REASONS = {
    "gt": "not evaluated: consider flag 0 or not a pedestrian (MOTChallenge preprocessing)",
    "tr": "removed: matched to a distractor ground truth (MOTChallenge preprocessing)",
}


def box_table(ev: SequenceEvaluation, gt: Detections, tr: Detections, clear_matches: pd.DataFrame | None = None,
              gt_extras: dict[str, np.ndarray] | None = None,
              masks: tuple[list[dict], list[dict]] | None = None) -> pd.DataFrame:
    """All boxes of both sides, frame-sorted, with their evaluation outcome (see module doc). ``gt_extras``:
    the KITTI reader's per-row ``truncated`` / ``occluded`` of ``gt`` (``BoxFile.extras``). ``masks``
    (mask formats: the ground truth's and the tracker's pycocotools RLEs, row-aligned with ``gt`` / ``tr``)
    adds ``mask`` (the RLE string), ``mask_h`` and ``mask_w``, for drawing."""
    d = ev.data
    p = d.pairs
    parts = []
    for k, (det, rows, extras) in enumerate(((gt, d.gt_rows, gt_extras or {}), (tr, d.tr_rows, {}))):
        n = len(det)
        frame = pd.DataFrame({
            "frame": det.frame, "id": det.id, "x": det.box[:, 0], "y": det.box[:, 1],
            "w": det.box[:, 2], "h": det.box[:, 3], "conf": det.conf, "row": np.arange(n),
            "vis": det.vis.astype(np.float32),  # ground truth's visibility column (NaN when absent)
        })
        if extras:  # KITTI ground truth's levels, exactly as written (float64: no rounding across a bin edge);
            # other formats carry no such columns (16 bytes a box saved), read as NaN (conditions._kitti)
            frame["kitti_occluded"] = extras["occluded"].astype(np.float64)
            frame["kitti_truncated"] = extras["truncated"].astype(np.float64)
        if masks is not None:
            frame["mask"] = [r["counts"].decode("ascii") for r in masks[k]]
            frame["mask_h"] = np.array([r["size"][0] for r in masks[k]], np.int32)
            frame["mask_w"] = np.array([r["size"][1] for r in masks[k]], np.int32)
        evaluated = np.zeros(n, bool)
        evaluated[rows] = True
        frame["evaluated"] = evaluated
        parts.append(frame)
    gt_df, tr_df = parts
    n_gt_pos, n_tr_pos = d.num_gt_dets, d.num_tr_dets

    # HOTA: partner and level per evaluated box (positions -> rows).
    gt_partner = np.full(n_gt_pos, -1, np.int64)
    tr_partner = np.full(n_tr_pos, -1, np.int64)
    gt_iou = np.full(n_gt_pos, np.nan)
    tr_iou = np.full(n_tr_pos, np.nan)
    gt_level = np.zeros(n_gt_pos, np.int8)
    tr_level = np.zeros(n_tr_pos, np.int8)
    if ev.hota_matches is not None:
        m = ev.hota_matches.pair_index
        gpos, tpos = p.gt[m], p.tr[m]
        gt_partner[gpos] = d.tr_ids[d.tr_idx[tpos]]
        tr_partner[tpos] = d.gt_ids[d.gt_idx[gpos]]
        gt_iou[gpos] = tr_iou[tpos] = p.sim[m]
        gt_level[gpos] = tr_level[tpos] = ev.hota_matches.levels
    best_gt, best_gt_iou = _best_overlap(p.gt, d.tr_ids[d.tr_idx[p.tr]], p.sim, n_gt_pos)
    best_tr, best_tr_iou = _best_overlap(p.tr, d.gt_ids[d.gt_idx[p.gt]], p.sim, n_tr_pos)

    ev_gt, ev_tr, clear_gt_partner, clear_tr_partner = clear_events(ev, clear_matches)
    clear_gt_iou = np.full(n_gt_pos, np.nan)
    clear_tr_iou = np.full(n_tr_pos, np.nan)
    if ev.clear_matches is not None:
        m = ev.clear_matches.pair_index
        clear_gt_iou[p.gt[m]] = clear_tr_iou[p.tr[m]] = p.sim[m]
    id_gt, id_tr = _identity_hits(ev)

    for df, rows, cols in (
        (gt_df, d.gt_rows, {"partner": gt_partner, "iou": gt_iou, "level": gt_level, "best": best_gt,
                            "best_iou": best_gt_iou, "clear_partner": clear_gt_partner, "clear_iou": clear_gt_iou,
                            "event": ev_gt, "idtp": id_gt}),
        (tr_df, d.tr_rows, {"partner": tr_partner, "iou": tr_iou, "level": tr_level, "best": best_tr,
                            "best_iou": best_tr_iou, "clear_partner": clear_tr_partner, "clear_iou": clear_tr_iou,
                            "event": ev_tr, "idtp": id_tr}),
    ):
        n = len(df)
        for name, values in cols.items():
            fill = {"partner": -1, "clear_partner": -1, "iou": np.nan, "level": 0, "best": -1, "best_iou": 0.0,
                    "clear_iou": np.nan, "event": 0, "idtp": False}[name]
            full = np.full(n, fill, dtype=values.dtype)
            full[rows] = values
            df[name] = full
    out = pd.concat([gt_df, tr_df], ignore_index=True)
    out.insert(1, "side", pd.Categorical.from_codes(np.repeat([0, 1], [len(gt_df), len(tr_df)]),
                                                    categories=[GT, TRACKER]))
    out["event"] = pd.Categorical.from_codes(out["event"].to_numpy(), categories=BOX_EVENTS)
    order = np.argsort(out["frame"].to_numpy(), kind="stable")  # gt before tracker inside a frame
    return out.iloc[order].reset_index(drop=True)


def _best_overlap(pos: np.ndarray, other_id: np.ndarray, sim: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per position of one side: the other side's id of its highest-similarity pair (ties: the lower id)
    and that similarity; -1 / 0.0 without a pair."""
    best = np.full(n, -1, np.int64)
    best_sim = np.zeros(n)
    if pos.size:
        order = np.lexsort((other_id, -sim, pos))
        first = order[np.r_[True, pos[order][1:] != pos[order][:-1]]]
        best[pos[first]] = other_id[first]
        best_sim[pos[first]] = sim[first]
    return best, best_sim


def states(boxes: pd.DataFrame, alpha_index: int) -> np.ndarray:
    """TP / FN / FP / IGN per box at alpha number ``alpha_index`` (0 = 0.05 ... 18 = 0.95)."""
    if not 0 <= alpha_index < NUM_ALPHAS:
        raise ValueError(f"alpha_index must be in 0..{NUM_ALPHAS - 1}")
    tp = boxes["level"].to_numpy() > alpha_index
    miss = np.where((boxes["side"] == GT).to_numpy(), "FN", "FP")
    out = np.where(tp, "TP", miss)
    return np.where(boxes["evaluated"].to_numpy(), out, "IGN")


def _identity_hits(ev: SequenceEvaluation) -> tuple[np.ndarray, np.ndarray]:
    """Per evaluated box: is it an identity true positive (its pair is the IDF1 id pair, IoU >= thr)?"""
    d = ev.data
    gt_hit = np.zeros(d.num_gt_dets, bool)
    tr_hit = np.zeros(d.num_tr_dets, bool)
    im = ev.identity_matches
    if im is None:
        return gt_hit, tr_hit
    p = d.pairs
    ok = p.sim >= im.threshold
    ok &= im.gt_partner[d.gt_idx[p.gt]] == d.tr_idx[p.tr]
    gt_hit[p.gt[ok]] = True
    tr_hit[p.tr[ok]] = True
    return gt_hit, tr_hit
