"""CLEAR-MOT exactly as TrackEval computes it (``trackeval/metrics/clear.py``).

The per-frame Hungarian prefers continuing the previous frame's pairs (+1000) and then maximises
summed IoU over pairs with IoU >= threshold. The state only matters in frames where some box has
two candidates; elsewhere every candidate pair is matched whatever the state, which lets the loop
visit contested frames alone (``clear_frames``: and of those, only the few whose answer is not
provable from a guess made for all frames at once). ``ClearMatches`` keeps the matched pairs and their switch flags.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assignment import ContestedFrames, frame_of_rows
from ..fields import names
from ..prepare import EvalSequence
from ..similarity import EPS
from .clear_frames import BONUS, clear_choice, continued_pair  # noqa: F401 (BONUS: read as clear.BONUS)

INT_FIELDS = names("CLEAR", kinds=("count",))
FLOAT_FIELDS = names("CLEAR", kinds=("rate", "value"))
SUMMED_FIELDS = INT_FIELDS + ("MOTP_sum",)


@dataclass(frozen=True)
class ClearMatches:
    """Matched pairs (indices into ``EvalSequence.pairs``, frame-sorted) with, per match, whether it is
    an identity switch and whether it starts a new tracked fragment of its ground-truth id."""

    pair_index: np.ndarray
    is_switch: np.ndarray
    starts_fragment: np.ndarray
    threshold: float


def match(seq: EvalSequence, threshold: float = 0.5, shortcut: bool = True) -> ClearMatches:
    """``shortcut`` False solves every contested frame (``clear_choice``; the tests' reference path)."""
    p = seq.pairs
    cand = np.flatnonzero(p.sim >= threshold - EPS)
    g_rows, t_rows, sim = p.gt[cand], p.tr[cand], p.sim[cand]
    frames = ContestedFrames(g_rows, t_rows, seq.gt_offsets, seq.tr_offsets)
    processed = np.flatnonzero((np.diff(seq.gt_offsets) > 0) & (np.diff(seq.tr_offsets) > 0))
    chosen = frames.uncontested
    if frames.frames.size:
        # A contested frame's scores need the pairs matched in the previous processed frame.
        step = np.full(seq.num_frames, -1, np.int64)
        step[processed] = np.arange(processed.size)
        pred = continued_pair(seq.gt_idx[g_rows], seq.tr_idx[t_rows], step[frames.pair_frame])
        block_of = np.full(seq.num_frames, -1, np.int64)
        block_of[frames.frames] = np.arange(frames.frames.size)
        prev_step = step[frames.frames] - 1
        prev_block = np.where(prev_step >= 0, block_of[processed[np.maximum(prev_step, 0)]], -1)
        chosen = clear_choice(frames, g_rows, t_rows, sim, pred, prev_block, shortcut)
    return _flag_events(seq, cand[chosen], processed, threshold)


def _flag_events(seq: EvalSequence, index: np.ndarray, processed: np.ndarray, threshold: float) -> ClearMatches:
    """Switches (tracker id differs from the gt id's previous match) and fragment starts (gt id not
    matched in the previous processed frame)."""
    p = seq.pairs
    g = seq.gt_idx[p.gt[index]]
    t = seq.tr_idx[p.tr[index]]
    frame = frame_of_rows(seq.gt_offsets, p.gt[index])
    step = np.full(seq.num_frames, -1, np.int64)
    step[processed] = np.arange(processed.size)
    order = np.lexsort((frame, g))
    gs, ts, steps = g[order], t[order], step[frame[order]]
    same_gt = np.zeros(index.size, bool)
    same_gt[1:] = gs[1:] == gs[:-1]
    switch = np.zeros(index.size, bool)
    switch[1:] = same_gt[1:] & (ts[1:] != ts[:-1])
    frag = np.ones(index.size, bool)
    frag[1:] = ~(same_gt[1:] & (steps[1:] == steps[:-1] + 1))
    is_switch = np.empty(index.size, bool)
    is_switch[order] = switch
    starts = np.empty(index.size, bool)
    starts[order] = frag
    return ClearMatches(pair_index=index, is_switch=is_switch, starts_fragment=starts, threshold=threshold)


def empty_result(seq: EvalSequence) -> dict:
    res = {f: 0 for f in INT_FIELDS + FLOAT_FIELDS}
    if seq.num_tr_dets == 0:
        res["CLR_FN"] = seq.num_gt_dets
        res["ML"] = seq.num_gt_ids
    else:
        res["CLR_FP"] = seq.num_tr_dets
    res["MLR"] = 1.0
    return res


def evaluate(seq: EvalSequence, threshold: float = 0.5,
             matches: ClearMatches | None = None) -> tuple[dict, ClearMatches | None]:
    """TrackEval's CLEAR result dict for one sequence, and the matches it was computed from."""
    if seq.num_tr_dets == 0 or seq.num_gt_dets == 0:
        return empty_result(seq), None
    if matches is None:
        matches = match(seq, threshold)
    p = seq.pairs
    idx = matches.pair_index
    g = seq.gt_idx[p.gt[idx]]
    tp = int(idx.size)
    gt_count = np.bincount(seq.gt_idx, minlength=seq.num_gt_ids)
    matched_count = np.bincount(g, minlength=seq.num_gt_ids)
    frag_count = np.bincount(g[matches.starts_fragment], minlength=seq.num_gt_ids)
    present = gt_count > 0
    ratio = matched_count[present] / gt_count[present]
    mt = int(np.sum(ratio > 0.8))
    pt = int(np.sum(ratio >= 0.2)) - mt
    res = {
        "CLR_TP": tp, "CLR_FN": seq.num_gt_dets - tp, "CLR_FP": seq.num_tr_dets - tp,
        "IDSW": int(matches.is_switch.sum()), "MT": mt, "PT": pt, "ML": seq.num_gt_ids - mt - pt,
        "Frag": int(np.sum(frag_count[frag_count > 0] - 1)), "CLR_Frames": seq.num_frames,
        "MOTP_sum": float(p.sim[idx].sum()),
    }
    return final_fields(res), matches


def final_fields(res: dict) -> dict:
    """TrackEval ``_compute_final_fields`` for CLEAR."""
    tp, fn, fp, idsw = res["CLR_TP"], res["CLR_FN"], res["CLR_FP"], res["IDSW"]
    num_gt_ids = res["MT"] + res["ML"] + res["PT"]
    res["MTR"] = res["MT"] / np.maximum(1.0, num_gt_ids)
    res["MLR"] = res["ML"] / np.maximum(1.0, num_gt_ids)
    res["PTR"] = res["PT"] / np.maximum(1.0, num_gt_ids)
    res["CLR_Re"] = tp / np.maximum(1.0, tp + fn)
    res["CLR_Pr"] = tp / np.maximum(1.0, tp + fp)
    res["MODA"] = (tp - fp) / np.maximum(1.0, tp + fn)
    res["MOTA"] = (tp - fp - idsw) / np.maximum(1.0, tp + fn)
    res["MOTP"] = res["MOTP_sum"] / np.maximum(1.0, tp)
    res["sMOTA"] = (res["MOTP_sum"] - fp - idsw) / np.maximum(1.0, tp + fn)
    res["CLR_F1"] = tp / np.maximum(1.0, tp + 0.5 * fn + 0.5 * fp)
    res["FP_per_frame"] = fp / np.maximum(1.0, res["CLR_Frames"])
    log_idsw = np.log10(idsw) if idsw > 0 else idsw
    res["MOTAL"] = (tp - fp - log_idsw) / np.maximum(1.0, tp + fn)
    return res


def combine(results: list[dict]) -> dict:
    res = {f: sum(r[f] for r in results) for f in SUMMED_FIELDS}
    return final_fields(res)


def combine_class_averaged(results: list[dict], ignore_empty: bool = False) -> dict:
    if ignore_empty:
        results = [r for r in results if r["CLR_TP"] + r["CLR_FN"] + r["CLR_FP"] > 0]
    res = {f: sum(r[f] for r in results) for f in INT_FIELDS}
    for f in FLOAT_FIELDS:
        res[f] = float(np.mean([r[f] for r in results]))
    return res
