"""HOTA family exactly as TrackEval computes it (``trackeval/metrics/hota.py``).

One soft global alignment, one Hungarian per frame (score = alignment x similarity) shared by all
19 alphas, then per-alpha TP/FN/FP, association and localisation. Besides the TrackEval fields,
``HotaMatches`` keeps which pairs were matched so the analysis never re-matches.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assignment import assign
from ..codes import unique_inverse
from ..fields import names
from ..prepare import EvalSequence
from ..similarity import EPS

ALPHAS = np.arange(0.05, 0.99, 0.05)
NUM_ALPHAS = ALPHAS.size
ARRAY_FIELDS = names("HOTA", kinds=("rate",), per_alpha=True)  # TrackEval's float_array_fields
COUNT_FIELDS = names("HOTA", kinds=("count",), per_alpha=True)  # integer_array_fields
SCALAR_FIELDS = names("HOTA", per_alpha=False)  # float_fields


@dataclass(frozen=True)
class HotaMatches:
    """The matched pairs of the shared per-frame Hungarian (similarity > 0), as indices into
    ``EvalSequence.pairs``; ``levels[k]`` = number of alphas at which match k counts as a TP."""

    pair_index: np.ndarray
    levels: np.ndarray
    global_alignment: np.ndarray  # per pair of EvalSequence.pairs


def alpha_levels(sim: np.ndarray) -> np.ndarray:
    """How many of the 19 alphas each similarity passes (``sim >= alpha - eps``, nested): the
    number of thresholds ``alpha - eps`` at or below it."""
    return np.searchsorted(ALPHAS - EPS, sim, side="right")


def empty_result(num_gt_dets: int, num_tr_dets: int) -> dict:
    """TrackEval's early exit for a sequence with no tracker or no gt detections."""
    res = {f: np.zeros(NUM_ALPHAS) for f in ARRAY_FIELDS + COUNT_FIELDS}
    res.update({f: 0 for f in SCALAR_FIELDS})
    if num_tr_dets == 0:
        res["HOTA_FN"] = num_gt_dets * np.ones(NUM_ALPHAS)
    else:
        res["HOTA_FP"] = num_tr_dets * np.ones(NUM_ALPHAS)
    res["LocA"] = np.ones(NUM_ALPHAS)
    res["LocA(0)"] = 1.0
    return res


def alignment_terms(seq: EvalSequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TrackEval's ingredients of the global alignment: boxes per gt id, boxes per tracker id, and each
    pair's soft match (its IoU over its row's and column's IoU sums, less itself)."""
    p = seq.pairs
    gt_count = np.bincount(seq.gt_idx, minlength=seq.num_gt_ids).astype(float)
    tr_count = np.bincount(seq.tr_idx, minlength=seq.num_tr_ids).astype(float)
    row_sum = np.bincount(p.gt, weights=p.sim, minlength=seq.num_gt_dets)
    col_sum = np.bincount(p.tr, weights=p.sim, minlength=seq.num_tr_dets)
    denom = col_sum[p.tr] + row_sum[p.gt] - p.sim
    soft = np.where(denom > 0 + EPS, p.sim / np.where(denom > EPS, denom, 1.0), 0.0)
    return gt_count, tr_count, soft


def match(seq: EvalSequence) -> HotaMatches:
    """The shared matching: soft global alignment, then a per-frame Hungarian on alignment x IoU."""
    p = seq.pairs
    gt_count, tr_count, soft = alignment_terms(seq)
    g, t = seq.gt_idx[p.gt], seq.tr_idx[p.tr]
    code = g * seq.num_tr_ids + t
    uniq, inv = unique_inverse(code, seq.num_gt_ids * seq.num_tr_ids)
    potential = np.bincount(inv, weights=soft)
    ug, ut = uniq // seq.num_tr_ids, uniq % seq.num_tr_ids
    alignment = potential / (gt_count[ug] + tr_count[ut] - potential)
    ga = alignment[inv]
    score = ga * p.sim
    positive = score > 0
    cand = np.flatnonzero(positive)
    chosen = assign(p.gt[cand], p.tr[cand], score[cand], seq.gt_offsets, seq.tr_offsets)
    index = cand[chosen]
    return HotaMatches(pair_index=index, levels=alpha_levels(p.sim[index]), global_alignment=ga)


def evaluate(seq: EvalSequence, matches: HotaMatches | None = None) -> tuple[dict, HotaMatches | None]:
    """TrackEval's HOTA result dict for one sequence, and the matches it was computed from."""
    if seq.num_tr_dets == 0 or seq.num_gt_dets == 0:
        return empty_result(seq.num_gt_dets, seq.num_tr_dets), None
    if matches is None:
        matches = match(seq)
    return fields_from_levels(seq, matches.pair_index, matches.levels), matches


def level_passes(levels: np.ndarray) -> np.ndarray:
    """(matches x 19) booleans: match k is a TP at alpha a iff ``levels[k] > a``."""
    return levels[:, None] > np.arange(NUM_ALPHAS)[None, :]


def id_pair_counts(seq: EvalSequence, pair_index: np.ndarray, passes: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TrackEval's ``matches_count``, sparse: (gt index, tracker index, TPs per alpha) of every id
    pair with at least one match."""
    p = seq.pairs
    code = seq.gt_idx[p.gt[pair_index]] * seq.num_tr_ids + seq.tr_idx[p.tr[pair_index]]
    uniq, inv = np.unique(code, return_inverse=True)
    if uniq.size == 0:
        return uniq, uniq, np.zeros((0, NUM_ALPHAS))
    order = np.argsort(inv, kind="stable")
    starts = np.searchsorted(inv[order], np.arange(uniq.size))
    counts = np.add.reduceat(passes[order].astype(float), starts, axis=0)
    return uniq // seq.num_tr_ids, uniq % seq.num_tr_ids, counts


def fields_from_matches(seq: EvalSequence, pair_index: np.ndarray, passes: np.ndarray) -> dict:
    """TrackEval's HOTA fields from matched pairs (indices into ``seq.pairs``) and, per match, the
    alphas at which it counts as a TP (``passes``, matches x 19). Shared by every matching."""
    sim = seq.pairs.sim[pair_index]
    tp = passes.sum(axis=0).astype(float)
    loc_sum = (passes * sim[:, None]).sum(axis=0)
    return _fields(seq, tp, loc_sum, *id_pair_counts(seq, pair_index, passes))


def _above(tally: np.ndarray) -> np.ndarray:
    """From per-level tallies (last axis: levels 0..19), the total over levels > a for each alpha a."""
    return np.cumsum(tally[..., ::-1], axis=-1)[..., ::-1][..., 1:]


MATCH_BLOCK = 1 << 14  # matches per block of ``_loc_sums``


def _loc_sums(sim: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Per alpha, the summed similarity of the matches that count at that alpha, added one after the
    other in match order, exactly as summing the rows of the matches x 19 matrix ``passes * sim``
    (numpy adds rows sequentially), but a block of rows at a time."""
    acc = np.zeros((1, NUM_ALPHAS))
    alphas = np.arange(NUM_ALPHAS)
    for s in range(0, sim.size, MATCH_BLOCK):
        block = (levels[s:s + MATCH_BLOCK, None] > alphas) * sim[s:s + MATCH_BLOCK, None]
        acc = np.add.reduce(np.concatenate([acc, block]), axis=0, keepdims=True)
    return acc[0]


def fields_from_levels(seq: EvalSequence, pair_index: np.ndarray, levels: np.ndarray) -> dict:
    """``fields_from_matches`` for nested passes (``level_passes(levels)``: match k is a TP at the
    first ``levels[k]`` alphas), from per-level tallies: no matches x 19 matrix, which for a long
    sequence is hundreds of MB of temporaries. Bit-identical to ``fields_from_matches``."""
    width = NUM_ALPHAS + 1
    tp = _above(np.bincount(levels, minlength=width)).astype(float)
    loc_sum = _loc_sums(seq.pairs.sim[pair_index], levels)
    p = seq.pairs
    code = seq.gt_idx[p.gt[pair_index]] * seq.num_tr_ids + seq.tr_idx[p.tr[pair_index]]
    uniq, inv = unique_inverse(code, seq.num_gt_ids * seq.num_tr_ids)
    hist = np.bincount(inv * width + levels, minlength=uniq.size * width).reshape(uniq.size, width)
    counts = _above(hist).astype(float)
    return _fields(seq, tp, loc_sum, uniq // seq.num_tr_ids, uniq % seq.num_tr_ids, counts)


def _fields(seq: EvalSequence, tp: np.ndarray, loc_sum: np.ndarray, g: np.ndarray, t: np.ndarray,
            counts: np.ndarray) -> dict:
    """The fields from TPs and localisation sums per alpha, and the TPs per alpha of every id pair
    (gt index ``g``, tracker index ``t``, ``counts`` pairs x 19)."""
    gt_count = np.bincount(seq.gt_idx, minlength=seq.num_gt_ids).astype(float)
    tr_count = np.bincount(seq.tr_idx, minlength=seq.num_tr_ids).astype(float)
    ng = gt_count[g][:, None]
    nt = tr_count[t][:, None]
    tp_safe = np.maximum(1, tp)
    res = {
        "HOTA_TP": tp,
        "HOTA_FN": seq.num_gt_dets - tp,
        "HOTA_FP": seq.num_tr_dets - tp,
        "AssA": (counts * (counts / np.maximum(1, ng + nt - counts))).sum(axis=0) / tp_safe,
        "AssRe": (counts * (counts / np.maximum(1, ng))).sum(axis=0) / tp_safe,
        "AssPr": (counts * (counts / np.maximum(1, nt))).sum(axis=0) / tp_safe,
        "LocA": np.maximum(1e-10, loc_sum) / np.maximum(1e-10, tp),
    }
    return final_fields(res)


def final_fields(res: dict) -> dict:
    """Fields derived from the counts and association sums (TrackEval ``_compute_final_fields``)."""
    tp, fn, fp = res["HOTA_TP"], res["HOTA_FN"], res["HOTA_FP"]
    res["DetRe"] = tp / np.maximum(1, tp + fn)
    res["DetPr"] = tp / np.maximum(1, tp + fp)
    res["DetA"] = tp / np.maximum(1, tp + fn + fp)
    res["HOTA"] = np.sqrt(res["DetA"] * res["AssA"])
    res["OWTA"] = np.sqrt(res["DetRe"] * res["AssA"])
    res["HOTA(0)"] = res["HOTA"][0]
    res["LocA(0)"] = res["LocA"][0]
    res["HOTALocA(0)"] = res["HOTA(0)"] * res["LocA(0)"]
    return res


def combine(results: list[dict]) -> dict:
    """Combine sequences (or classes, detection-averaged): sums and TP-weighted averages."""
    res = {f: sum(r[f] for r in results) for f in COUNT_FIELDS}
    weight = np.maximum(1.0, res["HOTA_TP"])
    for f in ("AssRe", "AssPr", "AssA"):
        res[f] = sum(r[f] * r["HOTA_TP"] for r in results) / weight
    loc = sum(r["LocA"] * r["HOTA_TP"] for r in results)
    res["LocA"] = np.maximum(1e-10, loc) / np.maximum(1e-10, res["HOTA_TP"])
    return final_fields(res)


def combine_class_averaged(results: list[dict], ignore_empty: bool = False) -> dict:
    """Plain mean of every float field over classes; counts summed (TrackEval ``cls_comb_cls_av``)."""
    if ignore_empty:
        results = [r for r in results if ((r["HOTA_TP"] + r["HOTA_FN"] + r["HOTA_FP"]) > 0 + EPS).any()]
    res = {f: sum(r[f] for r in results) if results else np.zeros(NUM_ALPHAS) for f in COUNT_FIELDS}
    for f in ARRAY_FIELDS + SCALAR_FIELDS:
        res[f] = np.mean([r[f] for r in results], axis=0)
    return res
