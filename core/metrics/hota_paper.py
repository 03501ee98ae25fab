"""HOTA with the paper's per-alpha matching (Luiten et al., IJCV 2021, Eq. 15-16), beside TrackEval's.

TrackEval (``tracklens.metrics.hota``) runs one Hungarian per frame on ``soft global alignment x IoU`` and
shares it by all 19 alphas. The paper matches **separately for every alpha**, maximising
lexicographically, per frame:

1. the number of TPs (pairs with ``S >= alpha``),
2. then the summed ``Amax`` of the chosen pairs, ``Amax(g, p) = m / (n_g + n_p - m)`` with ``m`` the
   number of frames in which ids g and p overlap with ``S >= alpha`` (the paper's ``|TPA|max``;
   ``n_g - m`` and ``n_p - m`` are ``|FNA|min`` and ``|FPA|min``),
3. then the summed similarity.

The paper writes this as one score ``1/eps + Amax + eps * S``; with floating point that single score
loses the lower tiers (``1/eps + 0.3 == 1/eps`` in float64). Here each tier is its own assignment
problem: solve tier k, compute an optimal dual (Bellman-Ford on the residual graph), keep only the
edges that lie in *some* optimal assignment (tight edges on an alternating cycle or in the
assignment), and solve tier k+1 on those. Tiers therefore never mix, whatever their magnitudes.
Tier sums that differ by less than ``TIER_TOL`` (1e-12, far above float noise for components of up to
~1000 boxes) are ties. Only boxes that compete (a connected component of ``S >= alpha`` pairs with
more than one pair) go through the solver; a lone pair is in every optimal assignment.

``evaluate_matches`` turns any per-alpha matching into TrackEval's field set with TrackEval's
arithmetic (with TrackEval's matches it is bit-identical to ``hota.evaluate``), so paper-matching
results combine over sequences and classes with ``hota.combine``.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb, factorial

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..prepare import EvalSequence
from ..similarity import EPS
from . import hota
from .hota import ALPHAS, ARRAY_FIELDS, COUNT_FIELDS, NUM_ALPHAS, SCALAR_FIELDS

TIER_TOL = 1e-12
TRACKEVAL = "trackeval"
PAPER = "paper"
PAPER_CA = "paper-ca"  # the paper's classification-aware matching (Eq. 39), see hota_variants


@dataclass(frozen=True)
class AlphaMatches:
    """Matched pairs per alpha: ``pair_index`` (sorted, unique) indexes ``EvalSequence.pairs`` and
    ``active[k, a]`` says whether pair ``pair_index[k]`` is a TP at ``ALPHAS[a]``.

    TrackEval's matches are nested (one matching, gated by ``S >= alpha``); the paper's are not.
    """

    pair_index: np.ndarray
    active: np.ndarray
    matching: str

    @classmethod
    def from_hota(cls, matches: hota.HotaMatches) -> "AlphaMatches":
        """TrackEval's shared matching (every matched pair kept, also those that pass no alpha)."""
        active = matches.levels[:, None] > np.arange(NUM_ALPHAS)[None, :]
        return cls(matches.pair_index, active, TRACKEVAL)

    @classmethod
    def from_per_alpha(cls, chosen: list[np.ndarray], matching: str) -> "AlphaMatches":
        """From one array of chosen pair indices per alpha."""
        union = np.unique(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
        active = np.zeros((union.size, NUM_ALPHAS), bool)
        for a, idx in enumerate(chosen):
            active[np.searchsorted(union, idx), a] = True
        return cls(union.astype(np.int64), active, matching)

    @classmethod
    def empty(cls, matching: str) -> "AlphaMatches":
        return cls(np.zeros(0, np.int64), np.zeros((0, NUM_ALPHAS), bool), matching)

    def at(self, a: int) -> np.ndarray:
        """Pair indices matched (as TPs) at alpha index ``a``."""
        return self.pair_index[self.active[:, a]]


# --------------------------------------------------------------------------- lexicographic assignment


def _optimal_edges(cost: np.ndarray, match: np.ndarray, tol: float) -> np.ndarray:
    """Edges of a square min-cost assignment problem that lie in *some* optimal perfect assignment.

    ``match[i]`` is the column of row i in one optimal assignment. An optimal dual comes from
    shortest paths in the residual graph (arcs row->col with the cost, col->row along the assignment
    with minus the cost; a source at distance 0 to every row): ``u = -d_row``, ``v = d_col``. Every
    optimal assignment uses only tight edges (reduced cost 0, here ``<= tol``), and a tight edge is
    in some optimal assignment iff it is assigned or lies on an alternating cycle of tight edges,
    i.e. its row and column are in one strongly connected component.
    """
    n = cost.shape[0]
    rows = np.arange(n)
    matched_cost = cost[rows, match]
    d_row = np.zeros(n)
    d_col = (d_row[:, None] + cost).min(axis=0)
    for _ in range(2 * n + 2):
        new = np.minimum(d_row, d_col[match] - matched_cost)
        if np.array_equal(new, d_row):
            break
        d_row = new
        d_col = (d_row[:, None] + cost).min(axis=0)
    with np.errstate(invalid="ignore"):
        reduced = cost + d_row[:, None] - d_col[None, :]
    tight = reduced <= tol
    assigned = np.zeros((n, n), bool)
    assigned[rows, match] = True
    alternating = tight & ~assigned
    if not alternating.any():
        return assigned
    return assigned | (alternating & _same_component(alternating, match))


def _same_component(forward: np.ndarray, match: np.ndarray, dense_limit: int = 48) -> np.ndarray:
    """For every arc ``forward[i, j]``: are row i and column j in one strongly connected component of
    the directed graph with arcs row i -> column j (``forward``) and column match[i] -> row i?"""
    n = forward.shape[0]
    if n > dense_limit:
        r, c = np.nonzero(forward)
        rows = np.arange(n)
        src = np.concatenate([r, n + match])
        dst = np.concatenate([n + c, rows])
        graph = coo_matrix((np.ones(src.size), (src, dst)), shape=(2 * n, 2 * n)).tocsr()
        _, label = connected_components(graph, directed=True, connection="strong")
        return label[:n, None] == label[None, n:]
    # Small blocks: reachability between rows through (row -> column -> its matched row) steps.
    step = np.zeros((n, n), bool)  # step[i, k]: row i -> column j -> row k = owner of j
    owner = np.empty(n, np.int64)
    owner[match] = np.arange(n)
    r, c = np.nonzero(forward)
    step[r, owner[c]] = True
    reach = step | np.eye(n, dtype=bool)
    while True:
        nxt = reach | ((reach.astype(np.float64) @ reach.astype(np.float64)) > 0)
        if np.array_equal(nxt, reach):
            break
        reach = nxt
    # For an arc i -> j (forward), j's only way on is to its owner row: i and j are strongly connected
    # iff owner[j] reaches i.
    return reach[owner, :].T


def lexicographic_assignment(valid: np.ndarray, tiers: list[np.ndarray],
                             tol: float = TIER_TOL) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the assignment of a dense block that maximises ``tiers[0]``, then
    ``tiers[1]`` among those optimal for tier 0, and so on. Only ``valid`` entries carry weight
    (an entry that is not valid is never returned); tier sums within ``tol`` are ties. Small blocks
    are solved by enumerating their matchings (a tie of the last tier goes to the first enumerated),
    larger ones by successive assignment problems (the tie goes to ``linear_sum_assignment``); both
    are deterministic."""
    r, c = valid.shape
    matchings = _all_matchings(r, c) if r * c <= ENUMERATE_MAX_CELLS else None
    if matchings is not None:
        return _enumerated_assignment(valid, tiers, tol, matchings)
    return _dual_assignment(valid, tiers, tol)


def _dual_assignment(valid: np.ndarray, tiers: list[np.ndarray], tol: float) -> tuple[np.ndarray, np.ndarray]:
    """``lexicographic_assignment`` by successive assignment problems restricted to the edges that
    lie in some optimal assignment of the previous tier."""
    r, c = valid.shape
    n = max(r, c)
    allowed = np.ones((n, n), bool)
    rows = cols = np.zeros(0, np.int64)
    for k, weight in enumerate(tiers):
        w = np.zeros((n, n))
        w[:r, :c] = np.where(valid, weight, 0.0)
        cost = np.where(allowed, -w, np.inf)
        rows, cols = linear_sum_assignment(cost)
        if k < len(tiers) - 1:
            allowed = _optimal_edges(cost, cols, tol)
            if np.count_nonzero(allowed) == n:  # one optimal assignment left: later tiers cannot change it
                break
    keep = (rows < r) & (cols < c)
    rows, cols = rows[keep], cols[keep]
    keep = valid[rows, cols]
    return rows[keep], cols[keep]


ENUMERATE_MAX_CELLS = 30  # blocks of at most this many cells (and ENUMERATE_LIMIT matchings) are enumerated
ENUMERATE_LIMIT = 2000
_MATCHINGS: dict[tuple[int, int], np.ndarray | None] = {}


def _all_matchings(r: int, c: int) -> np.ndarray | None:
    """Every matching of an r x c block as (count x r) column indices (c: the row is unmatched), the
    empty matching first; None when there are more than ENUMERATE_LIMIT. Cached per shape."""
    key = (r, c)
    if key not in _MATCHINGS:
        count = sum(comb(r, k) * comb(c, k) * factorial(k) for k in range(min(r, c) + 1))
        if count > ENUMERATE_LIMIT:
            _MATCHINGS[key] = None
        else:
            out: list[tuple[int, ...]] = []

            def rec(prefix: tuple[int, ...]) -> None:
                if len(prefix) == r:
                    out.append(prefix)
                    return
                rec(prefix + (c,))
                for j in range(c):
                    if j not in prefix:
                        rec(prefix + (j,))

            rec(())
            _MATCHINGS[key] = np.asarray(out, np.int64).reshape(-1, r)
    return _MATCHINGS[key]


def _enumerated_assignment(valid: np.ndarray, tiers: list[np.ndarray], tol: float,
                           matchings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``lexicographic_assignment`` by enumeration: among matchings that use valid entries only,
    keep the best tier sums tier by tier (within ``tol``), the first one on a tie of the last."""
    r, c = valid.shape
    rows = np.arange(r)[None, :]
    ok = np.concatenate([valid, np.ones((r, 1), bool)], axis=1)[rows, matchings].all(axis=1)
    cand = matchings[ok]
    keep = np.ones(cand.shape[0], bool)
    for k, weight in enumerate(tiers):
        w = np.concatenate([np.where(valid, weight, 0.0), np.zeros((r, 1))], axis=1)
        total = w[rows, cand].sum(axis=1)
        if k < len(tiers) - 1:
            keep &= total >= total[keep].max() - tol
        else:
            best = cand[int(np.argmax(np.where(keep, total, -np.inf)))]
    used = best < c
    return np.flatnonzero(used), best[used]


def lexicographic_matching(gt_rows: np.ndarray, tr_rows: np.ndarray, tiers: list[np.ndarray],
                           tol: float = TIER_TOL) -> np.ndarray:
    """Boolean mask over candidate pairs (gt position, tracker position; all valid) chosen by the
    lexicographic maximum over ``tiers`` (per-candidate weights), solved per connected component.

    A frame holds thousands of small components, so they are solved in batches, never one Python
    call each: stars (one box against several) all at once, small blocks enumerated together per
    shape (``_enumerated_batch``); only blocks too large to enumerate go one by one to the dual solver.
    Each component gets exactly the answer ``lexicographic_assignment`` gives it alone (tested)."""
    chosen = np.zeros(gt_rows.size, bool)
    if gt_rows.size == 0:
        return chosen
    deg_g = np.bincount(gt_rows)
    deg_t = np.bincount(tr_rows)
    lone = (deg_g[gt_rows] == 1) & (deg_t[tr_rows] == 1)
    chosen[lone] = True
    rest = np.flatnonzero(~lone)
    if rest.size == 0:
        return chosen
    gu, gi = np.unique(gt_rows[rest], return_inverse=True)
    tu, ti = np.unique(tr_rows[rest], return_inverse=True)
    n = gu.size + tu.size
    graph = coo_matrix((np.ones(rest.size), (gi, gu.size + ti)), shape=(n, n))
    count, label = connected_components(graph, directed=False)
    comp = label[gi]
    local_row, rows_of = _local_index(comp, gi, count)
    local_col, cols_of = _local_index(comp, ti, count)
    star = (rows_of == 1) | (cols_of == 1)
    order = np.argsort(comp, kind="stable")  # edges grouped by component, candidate order inside
    bounds = np.searchsorted(comp[order], np.arange(count + 1))
    edges = order[star[comp[order]]]
    chosen[rest[edges[_star_choices(comp[edges], [t[rest[edges]] for t in tiers], tol)]]] = True
    blocks = np.flatnonzero(~star)
    shape = rows_of[blocks] * (int(cols_of.max()) + 1) + cols_of[blocks]
    for code in np.unique(shape):
        group = blocks[shape == code]
        r, c = int(rows_of[group[0]]), int(cols_of[group[0]])
        if r * c <= ENUMERATE_MAX_CELLS and _all_matchings(r, c) is not None:
            e = order[np.isin(comp[order], group)]
            picked = _enumerated_batch(np.searchsorted(group, comp[e]), local_row[e], local_col[e], r, c,
                                       group.size, [t[rest[e]] for t in tiers], tol)
            chosen[rest[e[picked]]] = True
            continue
        for k in group:  # too large to enumerate: one by one
            e = order[bounds[k]:bounds[k + 1]]
            valid = np.zeros((r, c), bool)
            valid[local_row[e], local_col[e]] = True
            index = np.full(valid.shape, -1, np.int64)
            index[local_row[e], local_col[e]] = rest[e]
            weights = []
            for t in tiers:
                w = np.zeros(valid.shape)
                w[local_row[e], local_col[e]] = t[rest[e]]
                weights.append(w)
            rr, cc = lexicographic_assignment(valid, weights, tol)
            chosen[index[rr, cc]] = True
    return chosen


def _local_index(comp: np.ndarray, node: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Each edge's node as a rank among the distinct nodes of its component (ascending), and the number
    of distinct nodes per component."""
    code = comp.astype(np.int64) * (int(node.max()) + 1) + node
    uniq, inv = np.unique(code, return_inverse=True)
    owner = uniq // (int(node.max()) + 1)
    first = np.searchsorted(owner, np.arange(count))
    return inv.ravel() - first[comp], np.bincount(owner, minlength=count)


def _star_choices(comp: np.ndarray, tiers: list[np.ndarray], tol: float) -> np.ndarray:
    """The lexicographic best candidate of every star (candidates that share one box, so at most one can
    be chosen): ``comp`` (grouped) names each candidate's star; returns the position of each choice (on a
    tie of the last tier, the first candidate)."""
    if comp.size == 0:
        return np.zeros(0, np.int64)
    start = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
    seg = np.cumsum(np.r_[False, comp[1:] != comp[:-1]])
    cand = np.ones(comp.size, bool)
    for t in tiers[:-1]:
        best = np.maximum.reduceat(np.where(cand, t, -np.inf), start)
        cand &= t >= best[seg] - tol
    last = np.where(cand, tiers[-1], -np.inf)
    hit = np.flatnonzero(last == np.maximum.reduceat(last, start)[seg])
    return hit[np.r_[True, seg[hit][1:] != seg[hit][:-1]]]


ENUMERATE_BATCH_CELLS = 1 << 21  # (blocks x matchings x rows) values per step of ``_enumerated_batch``


def _enumerated_batch(block: np.ndarray, row: np.ndarray, col: np.ndarray, r: int, c: int, count: int,
                      tiers: list[np.ndarray], tol: float) -> np.ndarray:
    """``_enumerated_assignment`` of ``count`` blocks of one shape r x c at once: edge k is entry
    (``row[k]``, ``col[k]``) of block ``block[k]`` with tier weights ``tiers[.][k]``. Returns a mask of
    the chosen edges. Same arithmetic as the one-block solver: the same sums over the same rows."""
    matchings = _all_matchings(r, c)
    rows = np.arange(r)[None, :]
    chosen = np.zeros(block.size, bool)
    step = max(1, ENUMERATE_BATCH_CELLS // (matchings.size or 1))
    for lo in range(0, count, step):
        hi = min(count, lo + step)
        mine = np.flatnonzero((block >= lo) & (block < hi))
        b = block[mine] - lo
        valid = np.zeros((hi - lo, r, c + 1), bool)
        valid[:, :, c] = True
        valid[b, row[mine], col[mine]] = True
        index = np.full((hi - lo, r, c + 1), -1, np.int64)
        index[b, row[mine], col[mine]] = mine
        keep = valid[:, rows, matchings].all(axis=2)
        pick = np.zeros(hi - lo, np.int64)
        for k, t in enumerate(tiers):
            w = np.zeros((hi - lo, r, c + 1))
            w[b, row[mine], col[mine]] = t[mine]
            total = np.ascontiguousarray(w[:, rows, matchings]).sum(axis=2)
            if k < len(tiers) - 1:
                best = np.where(keep, total, -np.inf).max(axis=1)
                keep &= total >= best[:, None] - tol
            else:
                pick = np.argmax(np.where(keep, total, -np.inf), axis=1)
        picked = index[np.arange(hi - lo)[:, None], rows, matchings[pick]]
        chosen[picked[picked >= 0]] = True
    return chosen


# --------------------------------------------------------------------------- the paper's matching


def id_counts(seq: EvalSequence) -> tuple[np.ndarray, np.ndarray]:
    """Detections per gt id and per tracker id (over all frames)."""
    return (np.bincount(seq.gt_idx, minlength=seq.num_gt_ids).astype(float),
            np.bincount(seq.tr_idx, minlength=seq.num_tr_ids).astype(float))


def thresholded_alignment(seq: EvalSequence, idx: np.ndarray) -> np.ndarray:
    """The paper's ``Amax`` for each pair ``seq.pairs[idx]`` (all with ``S >= alpha``): m / (n_g + n_p - m)
    with m = number of frames where the two ids overlap with ``S >= alpha`` (ids are unique per
    frame, so m counts the pairs of ``idx`` with the same two ids)."""
    gt_count, tr_count = id_counts(seq)
    p = seq.pairs
    code = seq.gt_idx[p.gt[idx]] * seq.num_tr_ids + seq.tr_idx[p.tr[idx]]
    uniq, inv = np.unique(code, return_inverse=True)
    m = np.bincount(inv.ravel()).astype(float)
    amax = m / (gt_count[uniq // seq.num_tr_ids] + tr_count[uniq % seq.num_tr_ids] - m)
    return amax[inv.ravel()]


def paper_match(seq: EvalSequence, tier2_extra: np.ndarray | None = None, *, matching: str = PAPER,
                tol: float = TIER_TOL) -> AlphaMatches:
    """The paper's matching, separately for every alpha: maximise #TP, then sum of ``Amax`` (plus
    ``tier2_extra[pair]`` when given: Eq. 39 adds the class probability ``C``), then sum of S."""
    p = seq.pairs
    chosen: list[np.ndarray] = []
    previous: tuple[int, np.ndarray] | None = None
    for alpha in ALPHAS:
        idx = np.flatnonzero(p.sim >= alpha - EPS)
        if previous is not None and previous[0] == idx.size:
            chosen.append(previous[1])  # same candidates (they are nested): same answer
            continue
        tier2 = thresholded_alignment(seq, idx)
        if tier2_extra is not None:
            tier2 = tier2 + tier2_extra[idx]
        tiers = [np.ones(idx.size), tier2, p.sim[idx]]
        picked = idx[lexicographic_matching(p.gt[idx], p.tr[idx], tiers, tol)]
        chosen.append(picked)
        previous = (idx.size, picked)
    return AlphaMatches.from_per_alpha(chosen, matching)


def match(seq: EvalSequence) -> AlphaMatches:
    """The paper's per-alpha matching (Eq. 15-16)."""
    return paper_match(seq)


# --------------------------------------------------------------------------- scoring


def evaluate_matches(seq: EvalSequence, matches: AlphaMatches) -> dict:
    """TrackEval's HOTA field set computed from per-alpha matches, with TrackEval's arithmetic (and
    its early exits for a sequence without tracker or without gt boxes)."""
    if seq.num_tr_dets == 0 or seq.num_gt_dets == 0:
        return hota.empty_result(seq.num_gt_dets, seq.num_tr_dets)
    return hota.fields_from_matches(seq, matches.pair_index, matches.active)


def evaluate(seq: EvalSequence, matches: AlphaMatches | None = None) -> tuple[dict, AlphaMatches | None]:
    """HOTA with the paper's matching: TrackEval's field set (19-value arrays, HOTA(0), LocA(0),
    HOTALocA(0)) and the matches. Combine sequences with ``hota.combine``."""
    if seq.num_tr_dets == 0 or seq.num_gt_dets == 0:
        return hota.empty_result(seq.num_gt_dets, seq.num_tr_dets), None
    if matches is None:
        matches = match(seq)
    return evaluate_matches(seq, matches), matches


def evaluate_hota(seq: EvalSequence, matching: str = TRACKEVAL) -> dict:
    """HOTA's field set under either matching: ``"trackeval"`` (the default, ``hota.evaluate``) or
    ``"paper"`` (per-alpha, Eq. 15-16)."""
    if matching == TRACKEVAL:
        return hota.evaluate(seq)[0]
    if matching == PAPER:
        return evaluate(seq)[0]
    raise ValueError(f"unknown matching {matching!r}; use 'trackeval' or 'paper'")


def summary(res: dict) -> dict[str, float]:
    """The reported numbers: every alpha-array field as its mean over the 19 alphas, scalars as is."""
    out = {f: float(np.mean(res[f])) for f in ARRAY_FIELDS + COUNT_FIELDS}
    out.update({f: float(res[f]) for f in SCALAR_FIELDS})
    return out


def alpha_labels() -> list[str]:
    """'0.05' ... '0.95' (the alphas as TrackEval names its CSV columns, as decimals)."""
    return [f"{a:.2f}" for a in ALPHAS]


def compare_matchings(seq: EvalSequence) -> pd.DataFrame:
    """Per alpha, TrackEval's and the paper's matching side by side: TP, DetA, AssA, HOTA, LocA of
    each, and in how many frames the two chose different pairs. Rows '0.05'..'0.95' and 'mean'."""
    te, te_m = hota.evaluate(seq)
    pa, pa_m = evaluate(seq)
    rows = {}
    for f in ("HOTA_TP", "DetA", "AssA", "HOTA", "LocA"):
        rows[f"{f} (TrackEval)"] = te[f]
        rows[f"{f} (paper)"] = pa[f]
    differ = np.zeros(NUM_ALPHAS)
    if te_m is not None and pa_m is not None:
        te_alpha = AlphaMatches.from_hota(te_m)
        gt_frame = np.searchsorted(seq.gt_offsets, seq.pairs.gt, side="right") - 1
        for a in range(NUM_ALPHAS):
            sym = np.setxor1d(te_alpha.at(a), pa_m.at(a))
            differ[a] = np.unique(gt_frame[sym]).size
    rows["frames differing"] = differ
    frame = pd.DataFrame(rows, index=pd.Index(alpha_labels(), name="alpha"))
    frame.loc["mean"] = frame.mean(axis=0)
    return frame
