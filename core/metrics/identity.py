"""Identity metrics (IDF1, IDR, IDP) with TrackEval's numbers (``trackeval/metrics/identity.py``).

TrackEval minimises FN+FP over a (G+P)^2 matrix with dummy rows and columns. Its total cost is
``sum(n_g) + sum(n_p) - 2 * sum(matched overlaps)``, so the optimum is exactly a maximum-overlap
matching between gt ids and tracker ids: solved here on the ids that overlap at all, which gives the
same IDTP/IDFN/IDFP whatever assignment a tie picks.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..assignment import linear_sum_assignment
from ..fields import names
from ..prepare import EvalSequence

INT_FIELDS = names("Identity", kinds=("count",))
FLOAT_FIELDS = names("Identity", kinds=("rate",))


@dataclass(frozen=True)
class IdentityMatches:
    """The global one-to-one id assignment: ``gt_partner[g]`` is the tracker index matched to gt
    index g (or -1), ``overlap[g]`` the frames they share with similarity >= threshold."""

    gt_partner: np.ndarray
    overlap: np.ndarray
    threshold: float


def match(seq: EvalSequence, threshold: float = 0.5) -> IdentityMatches:
    p = seq.pairs
    sel = p.sim >= threshold
    g = seq.gt_idx[p.gt[sel]]
    t = seq.tr_idx[p.tr[sel]]
    code = g * seq.num_tr_ids + t
    uniq, counts = np.unique(code, return_counts=True)
    return match_id_pairs(seq.num_gt_ids, uniq // max(seq.num_tr_ids, 1), uniq % max(seq.num_tr_ids, 1), counts,
                          threshold)


def match_id_pairs(num_gt_ids: int, ug: np.ndarray, ut: np.ndarray, counts: np.ndarray,
                   threshold: float) -> IdentityMatches:
    """The assignment from each (gt index ``ug``, tracker index ``ut``) pair's frames with similarity
    >= threshold (``counts``), id pairs sorted by gt index then tracker index."""
    partner = np.full(num_gt_ids, -1, np.int64)
    overlap = np.zeros(num_gt_ids, np.int64)
    if counts.size:
        rows, row_of = np.unique(ug, return_inverse=True)
        cols, col_of = np.unique(ut, return_inverse=True)
        weight = np.zeros((rows.size, cols.size))
        weight[row_of, col_of] = counts
        r, c = linear_sum_assignment(-weight)
        useful = weight[r, c] > 0
        partner[rows[r[useful]]] = cols[c[useful]]
        overlap[rows[r[useful]]] = weight[r[useful], c[useful]].astype(np.int64)
    return IdentityMatches(gt_partner=partner, overlap=overlap, threshold=threshold)


def evaluate(seq: EvalSequence, threshold: float = 0.5,
             matches: IdentityMatches | None = None) -> tuple[dict, IdentityMatches | None]:
    res = {f: 0 for f in INT_FIELDS + FLOAT_FIELDS}
    if seq.num_tr_dets == 0:
        res["IDFN"] = seq.num_gt_dets
        return res, None
    if seq.num_gt_dets == 0:
        res["IDFP"] = seq.num_tr_dets
        return res, None
    if matches is None:
        matches = match(seq, threshold)
    idtp = int(matches.overlap.sum())
    res.update(IDTP=idtp, IDFN=seq.num_gt_dets - idtp, IDFP=seq.num_tr_dets - idtp)
    return final_fields(res), matches


def final_fields(res: dict) -> dict:
    tp, fn, fp = res["IDTP"], res["IDFN"], res["IDFP"]
    res["IDR"] = tp / np.maximum(1.0, tp + fn)
    res["IDP"] = tp / np.maximum(1.0, tp + fp)
    res["IDF1"] = tp / np.maximum(1.0, tp + 0.5 * fp + 0.5 * fn)
    return res


def combine(results: list[dict]) -> dict:
    return final_fields({f: sum(r[f] for r in results) for f in INT_FIELDS})


def combine_class_averaged(results: list[dict], ignore_empty: bool = False) -> dict:
    if ignore_empty:
        results = [r for r in results if r["IDTP"] + r["IDFN"] + r["IDFP"] > 0]
    res = {f: sum(r[f] for r in results) for f in INT_FIELDS}
    for f in FLOAT_FIELDS:
        res[f] = float(np.mean([r[f] for r in results]))
    return res
