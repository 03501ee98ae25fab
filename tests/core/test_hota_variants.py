"""HOTA with the paper's per-alpha matching and the paper's HOTA variants (CA-HOTA, ClaA, CA2-HOTA,
Fed-HOTA, FA-HOTA, W-HOTA, OHOTA), plus the class-probability reader.

Hand-made cases carry their arithmetic in comments. Where a variant reduces to HOTA it must equal
``tracklens.metrics.hota`` (TrackEval matching) or ``tracklens.metrics.hota_paper`` (paper matching) bit for
bit, on hypothesis-generated sequences. The blog example of the HOTA authors (one object, 100
frames, trackers A/B/C) checks equal HOTA with different MOTA/IDF1 through core's evaluate_sequence.
"""
from __future__ import annotations

import json
from fractions import Fraction
from unittest import mock
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from core_cases import eval_sequence_from_matrices
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import similarity_cases, tracking_cases
from vectors import VECTORS

from tracklens.detections import Detections
from tracklens.errors import InputError
from tracklens.formats.motchallenge import read_mot_file
from tracklens.formats.probabilities import (hard_probabilities, load_probabilities, read_probability_columns,
                                        read_probability_file)
from tracklens.metrics import hota, hota_paper
from tracklens.metrics.hota import ALPHAS, NUM_ALPHAS
from tracklens.metrics.hota_paper import AlphaMatches
from tracklens.metrics.hota_variants import (ClassLabels, HotaWeights, ca2_hota, ca_hota, fa_hota, fed_hota, o_hota,
                                        variant_matches, w_hota)
from tracklens.prepare import prepare
from tracklens.sequence_eval import evaluate_sequence
from tracklens.similarity import EPS
from tracklens.variants import class_labels, evaluate_variants, prepare_multiclass

SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
# Boxes (crowds, twins, switches) and raw similarity matrices (many contested frames for the paper's matching).
CASES = st.one_of(tracking_cases(max_frames=15, max_objects=5), similarity_cases(max_frames=10, max_per_frame=5,
                                                                                   max_ids=6))
TOL = 1e-12


def seq_of(frames):
    """EvalSequence from ``[(gt ids, tracker ids, similarity rows), ...]`` per frame."""
    gt = [np.asarray(g, int) for g, _, _ in frames]
    tr = [np.asarray(p, int) for _, p, _ in frames]
    sims = [np.asarray(s, float).reshape(len(g), len(p)) for g, p, s in frames]
    return eval_sequence_from_matrices(gt, tr, sims)


def one_class(seq) -> ClassLabels:
    """Every gt box of class 1, every prediction sure of class 1 (C = 1 for every TP)."""
    return ClassLabels(np.array([1]), np.ones(seq.num_gt_dets, int), np.ones((seq.num_tr_dets, 1)))


def alpha_index(alpha: float) -> int:
    return int(np.flatnonzero(np.isclose(ALPHAS, alpha))[0])


# --------------------------------------------------------------------------- paper matching, hand cases


def test_hota_block_paper_vs_trackeval():
    # GT0 in frames 1-10; tracker id 1 covers it (S=1) in frames 1-9; frame 10: id 0 S=0.9, id 1 S=0.3.
    seq = eval_sequence_from_matrices(*VECTORS["hota-block"][0].per_frame())
    te, _ = hota.evaluate(seq)
    pa, m = hota_paper.evaluate(seq)
    # TrackEval: one matching for all alphas picks (GT0, id1, S=0.3) in frame 10 and drops it from 0.35 on.
    assert te["HOTA_TP"].tolist() == [10] * 6 + [9] * 13
    # Paper, per alpha. alpha <= 0.30: both frame-10 pairs valid; Amax(id1) = 10/(10+10-10) = 1 beats
    # Amax(id0) = 1/(10+1-1) = 0.1 (association before similarity) -> id1, 10 TPs.
    # 0.35 <= alpha <= 0.90: only id0 valid in frame 10 -> still 10 TPs. alpha = 0.95: 9 TPs.
    assert pa["HOTA_TP"].tolist() == [10] * 18 + [9]
    assert pa["HOTA_TP"][alpha_index(0.35):alpha_index(0.9) + 1].tolist() == [10] * 12
    lo, mid, hi = slice(0, 6), slice(6, 18), slice(18, 19)
    # alpha <= 0.30: TP 10, FN 0, FP 1 (id0's box): DetA = 10/11; A(GT0,id1) = 10/10 = 1 -> AssA 1;
    # LocA = (9*1 + 0.3)/10 = 0.93.
    np.testing.assert_allclose(pa["DetA"][lo], 10 / 11, rtol=0, atol=TOL)
    np.testing.assert_allclose(pa["AssA"][lo], 1.0, rtol=0, atol=TOL)
    np.testing.assert_allclose(pa["LocA"][lo], 0.93, rtol=0, atol=TOL)
    # 0.35..0.90: TP 10 (9 x id1, 1 x id0), FP 1: DetA = 10/11. A(GT0,id1) = 9/(10+10-9) = 9/11,
    # A(GT0,id0) = 1/(10+1-1) = 1/10 -> AssA = (9*9/11 + 1*1/10)/10 = 821/1100 = 0.746364;
    # HOTA = sqrt(10/11 * 821/1100) = sqrt(821/1210) = 0.823710; LocA = (9 + 0.9)/10 = 0.99.
    np.testing.assert_allclose(pa["AssA"][mid], 821 / 1100, rtol=0, atol=TOL)
    np.testing.assert_allclose(pa["HOTA"][mid], np.sqrt(821 / 1210), rtol=0, atol=TOL)
    np.testing.assert_allclose(pa["LocA"][mid], 0.99, rtol=0, atol=TOL)
    # 0.95: TP 9, FN 1, FP 2: DetA = 9/12; AssA = 9/11; HOTA = sqrt(27/44) = 0.783349 (= TrackEval's).
    np.testing.assert_allclose(pa["HOTA"][hi], np.sqrt(27 / 44), rtol=0, atol=TOL)
    # mean HOTA = (6*sqrt(10/11) + 12*sqrt(821/1210) + sqrt(27/44))/19 = 0.862566 vs TrackEval 0.8371
    want = (6 * np.sqrt(10 / 11) + 12 * np.sqrt(821 / 1210) + np.sqrt(27 / 44)) / 19
    assert abs(pa["HOTA"].mean() - want) < TOL
    assert abs(want - 0.862566) < 5e-7 and abs(te["HOTA"].mean() - 0.8371) < 5e-5
    assert np.array_equal(hota_paper.evaluate_hota(seq)["HOTA"], te["HOTA"])
    assert np.array_equal(hota_paper.evaluate_hota(seq, matching="paper")["HOTA"], pa["HOTA"])
    assert hota_paper.summary(pa)["HOTA_TP"] == (18 * 10 + 9) / 19
    table = hota_paper.compare_matchings(seq)
    assert table.loc["0.35", "HOTA_TP (TrackEval)"] == 9 and table.loc["0.35", "HOTA_TP (paper)"] == 10
    assert table["frames differing"].iloc[:-1].tolist() == [0] * 6 + [1] * 12 + [0]


def test_paper_maximises_tp_count_first():
    # One frame, GT a,b and tracker x,y, S = [[1.0, 0.6], [0.6, 0]]. Every Amax = 1/(1+1-1) = 1.
    # TrackEval: U_aa = 1/(1.6+1.6-1) = 0.4545, U_ab = U_ba = 0.6/1.6 = 0.375; GA_aa = 0.4545/1.5455 = 0.2941,
    # GA_ab = 0.375/1.625 = 0.2308; score (a,x) = 0.2941 > (a,y)+(b,x) = 2*0.2308*0.6 = 0.2769 -> 1 TP.
    # Paper (alpha <= 0.6): 2 TPs beat 1 -> (a,y), (b,x): DetA 1, AssA 1, HOTA 1, LocA 0.6.
    # alpha >= 0.65: only (a,x) valid: TP 1, FN 1, FP 1 -> DetA 1/3, HOTA sqrt(1/3), LocA 1.
    seq = seq_of([([0, 1], [0, 1], [[1.0, 0.6], [0.6, 0.0]])])
    te, _ = hota.evaluate(seq)
    pa, _ = hota_paper.evaluate(seq)
    k = alpha_index(0.6) + 1  # 12 alphas: 0.6000000000000001 - eps <= 0.6
    assert te["HOTA_TP"].tolist() == [1] * NUM_ALPHAS
    assert pa["HOTA_TP"].tolist() == [2] * k + [1] * (NUM_ALPHAS - k)
    np.testing.assert_allclose(pa["HOTA"], [1.0] * k + [np.sqrt(1 / 3)] * (NUM_ALPHAS - k), rtol=0, atol=TOL)
    np.testing.assert_allclose(pa["LocA"], [0.6] * k + [1.0] * (NUM_ALPHAS - k), rtol=0, atol=TOL)


def test_paper_association_before_similarity_before_nothing():
    # Frames 1-3: GT0 with tracker id 0 (S=1). Frame 4: GT0 with id 0 (S=0.5) and id 1 (S=0.95).
    # alpha <= 0.5: Amax(id0) = 4/(4+4-4) = 1 > Amax(id1) = 1/(4+1-1) = 0.25 -> id0 (S 0.5) although id1
    # is better localised. alpha > 0.5: only id1 valid -> id1.
    seq = seq_of([([0], [0], [[1.0]])] * 3 + [([0], [0, 1], [[0.5, 0.95]])])
    m = hota_paper.match(seq)
    frame4 = [int(seq.pairs.tr[i]) for a in range(NUM_ALPHAS) for i in m.at(a) if seq.pairs.gt[i] == 3]
    k = alpha_index(0.5) + 1
    tr_of_id = {int(pos): int(seq.tr_idx[pos]) for pos in range(seq.num_tr_dets)}
    assert [tr_of_id[t] for t in frame4] == [0] * k + [1] * (alpha_index(0.95) - k + 1)
    # Two predictions of one frame with equal Amax (1 each, a single frame): the higher S wins.
    seq = seq_of([([0], [0, 1], [[0.7, 0.9]])])
    m = hota_paper.match(seq)
    assert m.at(0).tolist() == [1]


@pytest.mark.parametrize("solver", ["enumerate", "dual"])
def test_lexicographic_tiers_never_mix(solver):
    def solve(valid, tiers):
        if solver == "dual":
            return hota_paper._dual_assignment(valid, tiers, hota_paper.TIER_TOL)
        return hota_paper._enumerated_assignment(valid, tiers, hota_paper.TIER_TOL,
                                                 hota_paper._all_matchings(*valid.shape))

    valid = np.array([[True, True], [True, False]])
    ones = np.ones((2, 2))
    # Tier 2 strongly prefers (0,0), but 2 TPs beat 1: (0,1) + (1,0).
    r, c = solve(valid, [ones, np.array([[1.0, 0.0], [0.0, 0.0]]), np.full((2, 2), 0.5)])
    assert sorted(zip(r.tolist(), c.tolist())) == [(0, 1), (1, 0)]
    # Tier 2 difference of 1e-9 beats a tier-3 difference of 0.95.
    valid = np.array([[True, True]])
    r, c = solve(valid, [np.ones((1, 2)), np.array([[0.5 + 1e-9, 0.5]]), np.array([[0.05, 1.0]])])
    assert c.tolist() == [0]
    # A tier-2 difference below TIER_TOL (1e-12) is a tie: similarity decides.
    r, c = solve(valid, [np.ones((1, 2)), np.array([[0.5 + 1e-14, 0.5]]), np.array([[0.05, 1.0]])])
    assert c.tolist() == [1]
    # Float noise does not break a rational tie: 1/3 + 1/6 == 1/2 + 0 exactly, not in float64;
    # the tie goes to similarity (0.9 + 0.9 > 0.2 + 0.2).
    valid = np.ones((2, 2), bool)
    tier2 = np.array([[1 / 3, 1 / 2], [0.0, 1 / 6]])
    s = np.array([[0.9, 0.2], [0.2, 0.9]])
    r, c = solve(valid, [np.ones((2, 2)), tier2, s])
    assert sorted(zip(r.tolist(), c.tolist())) == [(0, 0), (1, 1)]
    r, c = solve(valid, [np.ones((2, 2)), tier2, 1 - s])
    assert sorted(zip(r.tolist(), c.tolist())) == [(0, 1), (1, 0)]
    # Not valid entries are never chosen, even when nothing else is.
    r, c = solve(np.zeros((2, 3), bool), [np.ones((2, 3))] * 3)
    assert r.size == 0


@settings(max_examples=100, **SETTINGS)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_enumeration_and_dual_solvers_agree(r, c, data):
    # Random blocks with rational tier-2 values (sixths: many exact ties) and similarities with ties.
    valid = np.asarray(data.draw(st.lists(st.booleans(), min_size=r * c, max_size=r * c)), bool).reshape(r, c)
    tier2 = np.asarray(data.draw(st.lists(st.integers(0, 6), min_size=r * c, max_size=r * c)), float).reshape(r, c) / 6
    sim = np.asarray(data.draw(st.lists(st.sampled_from([0.3, 0.5, 1.0]) | st.floats(0.05, 1.0), min_size=r * c,
                                        max_size=r * c)), float).reshape(r, c)
    tiers = [np.ones((r, c)), tier2, sim]
    keys = []
    for rows, cols in (hota_paper._dual_assignment(valid, tiers, hota_paper.TIER_TOL),
                       hota_paper._enumerated_assignment(valid, tiers, hota_paper.TIER_TOL,
                                                         hota_paper._all_matchings(r, c))):
        assert valid[rows, cols].all() and len(set(rows)) == rows.size and len(set(cols)) == cols.size
        keys.append((rows.size, round(tier2[rows, cols].sum() * 6), sim[rows, cols].sum()))
    assert keys[0][:2] == keys[1][:2] and abs(keys[0][2] - keys[1][2]) < 1e-9


def test_strong_components_dense_and_sparse_agree():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 9))
        match = rng.permutation(n)
        forward = rng.random((n, n)) < 0.3
        forward[np.arange(n), match] = False
        dense = hota_paper._same_component(forward, match)
        sparse = hota_paper._same_component(forward, match, dense_limit=0)
        assert np.array_equal(dense & forward, sparse & forward)


def _best_key(edges):
    """Brute force: lexicographic max of (#TP, sum Amax as Fraction, sum S) over all matchings."""
    best = None

    def rec(k, used_t, n, amax, s):
        nonlocal best
        if k == len(rows):
            key = (n, amax, s)
            if best is None or (key[0], key[1]) > (best[0], best[1]) or (
                    (key[0], key[1]) == (best[0], best[1]) and key[2] > best[2]):
                best = key
            return
        rec(k + 1, used_t, n, amax, s)
        for (i, j, a, sim) in edges:
            if i == rows[k] and j not in used_t:
                rec(k + 1, used_t | {j}, n + 1, amax + a, s + sim)

    rows = sorted({e[0] for e in edges})
    rec(0, frozenset(), 0, Fraction(0), 0.0)
    return best


@settings(max_examples=60, **SETTINGS)
@given(similarity_cases(max_frames=8, max_per_frame=4, max_ids=5), st.sampled_from([30, 0]))
def test_paper_matching_is_lexicographically_optimal(case, max_cells):
    # max_cells 0 sends every contested block to the dual-based solver, 30 to enumeration.
    seq = eval_sequence_from_matrices(*case.per_frame())
    if seq.num_gt_dets == 0 or seq.num_tr_dets == 0:
        return
    with mock.patch.object(hota_paper, "ENUMERATE_MAX_CELLS", max_cells):
        m = hota_paper.match(seq)
    p = seq.pairs
    ng = np.bincount(seq.gt_idx, minlength=seq.num_gt_ids)
    nt = np.bincount(seq.tr_idx, minlength=seq.num_tr_ids)
    frame = np.searchsorted(seq.gt_offsets, p.gt, side="right") - 1
    for a, alpha in enumerate(ALPHAS):
        valid = np.flatnonzero(p.sim >= alpha - EPS)
        g, t = seq.gt_idx[p.gt[valid]], seq.tr_idx[p.tr[valid]]
        mcount = {}
        for x in zip(g.tolist(), t.tolist()):
            mcount[x] = mcount.get(x, 0) + 1
        amax = {x: Fraction(k, int(ng[x[0]] + nt[x[1]]) - k) for x, k in mcount.items()}
        chosen = set(m.at(a).tolist())
        assert chosen <= set(valid.tolist())
        for f in np.unique(frame[valid]).tolist():
            edges = [(int(p.gt[i]), int(p.tr[i]), amax[(int(seq.gt_idx[p.gt[i]]), int(seq.tr_idx[p.tr[i]]))],
                      float(p.sim[i])) for i in valid[frame[valid] == f]]
            mine = [e for i, e in zip(valid[frame[valid] == f].tolist(), edges) if i in chosen]
            assert len({e[0] for e in mine}) == len(mine) and len({e[1] for e in mine}) == len(mine)
            best = _best_key(edges)
            assert len(mine) == best[0]
            assert sum((e[2] for e in mine), Fraction(0)) == best[1]
            assert abs(sum(e[3] for e in mine) - best[2]) < 1e-9


@settings(max_examples=50, **SETTINGS)
@given(CASES)
def test_scoring_trackeval_matches_is_bit_identical(case):
    seq = eval_sequence_from_matrices(*case.per_frame())
    te, tm = hota.evaluate(seq)
    if tm is None:
        return
    ours = hota_paper.evaluate_matches(seq, AlphaMatches.from_hota(tm))
    for key, value in te.items():
        assert np.array_equal(np.asarray(ours[key]), np.asarray(value)), key
    pa, _ = hota_paper.evaluate(seq)
    assert set(pa) == set(te)
    # Per alpha the paper never has fewer TPs than TrackEval (it maximises their number).
    assert (pa["HOTA_TP"] >= te["HOTA_TP"]).all()


# --------------------------------------------------------------------------- CA-HOTA, ClaA


def test_ca_hota_hand():
    # One GT (class 1), 4 frames, tracker id 0 with S = 1 throughout; P(class 1) = 1, 0.5, 0.5, 0.
    # A(c) = 4/(4+4-4) = 1 for every TP; sum A*C = 1 + 0.5 + 0.5 + 0 = 2; TP+FN+FP = 4.
    # CA-HOTA = sqrt(2/4) = 0.707107 at every alpha; ClaA = 2/4 = 0.5; HOTA = 1.
    seq = seq_of([([0], [0], [[1.0]])] * 4)
    p1 = np.array([1.0, 0.5, 0.5, 0.0])
    labels = ClassLabels(np.array([1, 2]), np.ones(4, int), np.stack([p1, 1 - p1], axis=1))
    for matching in ("paper", "trackeval"):
        r = ca_hota(seq, labels, matching=matching)
        np.testing.assert_allclose(r.ca_hota, np.sqrt(0.5), rtol=0, atol=TOL)
        np.testing.assert_allclose(r.cla_a, 0.5, rtol=0, atol=TOL)
        np.testing.assert_allclose(r.hota, 1.0, rtol=0, atol=TOL)
    frame = r.to_pandas()
    assert list(frame.index[:2]) == ["0.05", "0.10"] and frame.index[-1] == "mean"
    assert abs(frame.loc["mean", "CA-HOTA"] - np.sqrt(0.5)) < TOL and abs(r.score - np.sqrt(0.5)) < TOL


def test_ca_matching_prefers_the_right_class():
    # One frame, one GT of class 1; prediction x: S 0.9, P(1) = 0.2; prediction y: S 0.6, P(1) = 0.9.
    # Eq. 39, alpha <= 0.6: one TP either way; C + Amax = 0.2 + 1 (x) < 0.9 + 1 (y) -> y.
    #   TP 1, FN 0, FP 1: DetA 1/2; CA-HOTA = sqrt(1/2 * 1 * 0.9) = sqrt(0.45) = 0.670820; ClaA 0.9.
    # 0.65 <= alpha <= 0.9: only x valid: CA-HOTA = sqrt(1/2 * 0.2) = sqrt(0.1) = 0.316228; ClaA 0.2.
    # alpha = 0.95: no TP: 0.   Mean = (12 sqrt(0.45) + 6 sqrt(0.1)) / 19 = 0.523526.
    # TrackEval matching: GA x = 0.6/1.4 = 0.4286 (U = 0.9/1.5), y = 0.4/1.6 = 0.25 (U = 0.6/1.5);
    #   0.4286*0.9 > 0.25*0.6 -> x at every alpha <= 0.9: mean = 18 sqrt(0.1) / 19 = 0.299584.
    seq = seq_of([([0], [0, 1], [[0.9, 0.6]])])
    labels = ClassLabels(np.array([1, 2]), np.array([1]), np.array([[0.2, 0.8], [0.9, 0.1]]))
    k = alpha_index(0.6) + 1
    r = ca_hota(seq, labels)  # paper (Eq. 39)
    want = np.array([np.sqrt(0.45)] * k + [np.sqrt(0.1)] * (18 - k) + [0.0])
    np.testing.assert_allclose(r.ca_hota, want, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.cla_a, [0.9] * k + [0.2] * (18 - k) + [0.0], rtol=0, atol=TOL)
    assert abs(r.score - (12 * np.sqrt(0.45) + 6 * np.sqrt(0.1)) / 19) < TOL
    r = ca_hota(seq, labels, matching="trackeval")
    assert abs(r.score - 18 * np.sqrt(0.1) / 19) < TOL


def _dets(rows, num_frames, *, cls=None, conf=None, source="mem") -> Detections:
    """Detections from (frame, id, x, y, w, h) rows in file order (lines 1..N)."""
    rows = np.asarray(rows, float).reshape(-1, 6)
    order = np.argsort(rows[:, 0], kind="stable")
    n = rows.shape[0]
    cls = np.ones(n, np.int64) if cls is None else np.asarray(cls, np.int64)
    conf = np.ones(n) if conf is None else np.asarray(conf, float)
    return Detections(frame=rows[order, 0].astype(np.int64), id=rows[order, 1].astype(np.int64),
                      box=rows[order, 2:6], conf=conf[order], cls=cls[order], vis=np.full(n, np.nan),
                      line=np.arange(1, n + 1)[order], num_frames=num_frames, source=source)


def test_hard_class_and_confidence():
    # C(c) = confidence if the predicted class equals the gt class, else 0; -1 means 'no confidence' = 1.
    # 2 frames; GT0 (class 1) at x=0, GT1 (class 2) at x=100; both tracked exactly (S = 1).
    # id 7 on GT0: class 1 conf 0.8 (C 0.8), then class 2 conf 0.9 (wrong: C 0); id 8 on GT1: class 2, conf -1
    # (C 1, 1). All A = 2/(2+2-2) = 1. CA-HOTA = sqrt((0.8 + 0 + 1 + 1)/4) = sqrt(0.7); ClaA = 0.7.
    gt = _dets([(1, 0, 0, 0, 10, 10), (1, 1, 100, 0, 10, 10), (2, 0, 0, 0, 10, 10), (2, 1, 100, 0, 10, 10)], 2,
               cls=[1, 2, 1, 2])
    tr = _dets([(1, 7, 0, 0, 10, 10), (1, 8, 100, 0, 10, 10), (2, 7, 0, 0, 10, 10), (2, 8, 100, 0, 10, 10)], 2,
               cls=[1, 2, 2, 2], conf=[0.8, -1, 0.9, -1])
    seq = prepare_multiclass("s", gt, tr)
    labels = class_labels(seq, gt, tr)
    r = ca_hota(seq, labels)
    np.testing.assert_allclose(r.ca_hota, np.sqrt(0.7), rtol=0, atol=TOL)
    np.testing.assert_allclose(r.cla_a, 0.7, rtol=0, atol=TOL)
    # Without the confidence: C = 1, 0, 1, 1 -> sqrt(3/4).
    r = ca_hota(seq, class_labels(seq, gt, tr, use_confidence=False))
    np.testing.assert_allclose(r.ca_hota, np.sqrt(0.75), rtol=0, atol=TOL)
    bad = _dets([(1, 7, 0, 0, 10, 10)], 1, conf=[25.0], source="t.txt")
    with pytest.raises(InputError, match="not a probability"):
        hard_probabilities(bad)


# --------------------------------------------------------------------------- CA2-HOTA, Fed-HOTA


def _two_class_case():
    # Frame 1: GT0 (class 1) <- tr0 (S 1, P = {1: .8, 2: .2}); GT1 (class 2) <- tr1 (S 1, P = {1: .3, 2: .7}).
    # Frame 2: GT0 <- tr0 (S 1, P = {1: 1, 2: 0}); GT1 missed; tr2 is an FP (S 0, P = {1: .5, 2: .5}).
    seq = seq_of([([0, 1], [0, 1], [[1.0, 0.0], [0.0, 1.0]]), ([0, 1], [0, 2], [[1.0, 0.0], [0.0, 0.0]])])
    labels = ClassLabels(np.array([1, 2]), np.array([1, 2, 1, 2]),
                         np.array([[0.8, 0.2], [0.3, 0.7], [1.0, 0.0], [0.5, 0.5]]))
    return seq, labels


def test_ca2_hota_hand():
    seq, labels = _two_class_case()
    # Class 1: TP 2 (GT0 x2), A(GT0,tr0) = 2/(2+2-2) = 1, sum A*C = 0.8 + 1.0 = 1.8; FN 0; FP mass = tr2's 0.5.
    #   -> sqrt(1.8 / (2 + 0 + 0.5)) = sqrt(0.72) = 0.848528
    # Class 2: TP 1 (GT1 f1), A(GT1,tr1) = 1/(2+1-1) = 0.5, sum A*C = 0.5*0.7 = 0.35; FN 1; FP mass 0.5.
    #   -> sqrt(0.35 / (1 + 1 + 0.5)) = sqrt(0.14) = 0.374166
    # CA2-HOTA = (0.848528 + 0.374166)/2 = 0.611347 at every alpha.
    r = ca2_hota(seq, labels)
    assert r.classes == (1, 2)
    np.testing.assert_allclose(r.per_class[0], np.sqrt(0.72), rtol=0, atol=TOL)
    np.testing.assert_allclose(r.per_class[1], np.sqrt(0.14), rtol=0, atol=TOL)
    np.testing.assert_allclose(r.value, (np.sqrt(0.72) + np.sqrt(0.14)) / 2, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.fp_mass, [[0.5] * 19, [0.5] * 19], rtol=0, atol=TOL)
    # Option: also count the mass matched predictions put on other classes (tr1's 0.3 on class 1,
    # tr0's 0.2 on class 2 in frame 1): class 1 -> sqrt(1.8/2.8); class 2 -> sqrt(0.35/2.7).
    r = ca2_hota(seq, labels, tp_wrong_class_fp=True)
    np.testing.assert_allclose(r.value, (np.sqrt(1.8 / 2.8) + np.sqrt(0.35 / 2.7)) / 2, rtol=0, atol=TOL)
    # CA-HOTA on the same: TP 3, FN 1, FP 1; sum A*C = 1.8 + 0.35 = 2.15 -> sqrt(2.15/5) = sqrt(0.43);
    # ClaA = (0.8 + 1 + 0.7)/3 = 5/6; HOTA: AssA (1+1+0.5)/3, DetA 3/5 -> sqrt(0.5).
    c = ca_hota(seq, labels)
    np.testing.assert_allclose(c.ca_hota, np.sqrt(0.43), rtol=0, atol=TOL)
    np.testing.assert_allclose(c.cla_a, 5 / 6, rtol=0, atol=TOL)
    np.testing.assert_allclose(c.hota, np.sqrt(0.5), rtol=0, atol=TOL)
    assert {"CA2-HOTA", "CA2-HOTA[1]", "FP mass[2]"} <= set(r.to_pandas().columns)


def test_fed_hota_hand():
    seq, labels = _two_class_case()
    # Nothing verified, positives not counted: the FP tr2 is ignored for both classes.
    #   class 1: sqrt(1.8/2) = sqrt(0.9); class 2: sqrt(0.35/2) = sqrt(0.175).
    r = fed_hota(seq, labels, {}, positives_verified=False)
    np.testing.assert_allclose(r.value, (np.sqrt(0.9) + np.sqrt(0.175)) / 2, rtol=0, atol=TOL)
    # Class 1 verified in frame 2 (where tr2 is): class 1 counts tr2's 0.5 -> sqrt(0.72); class 2 still ignores it.
    r = fed_hota(seq, labels, {2: [1]}, positives_verified=False)
    np.testing.assert_allclose(r.value, (np.sqrt(0.72) + np.sqrt(0.175)) / 2, rtol=0, atol=TOL)
    # Default: a class annotated in a frame is verified there; both classes have gt in frame 2 -> CA2-HOTA.
    r = fed_hota(seq, labels)
    assert np.array_equal(r.value, ca2_hota(seq, labels).value)


# --------------------------------------------------------------------------- FA-HOTA, W-HOTA, OHOTA


def test_fa_hota_hand():
    # (a) One GT, 6 frames; tracker id 0 in frames 1, 2, 5, 6 (no tracker box in 3, 4).
    # TPA 4, FNA 2 -> A = 4/6. Fragments {1,2}, {5,6}: F = 2/6 each. sum sqrt(A F) = 4 sqrt(8/36) = 4 sqrt(8)/6;
    # TP+FN+FP = 6 -> FA-HOTA = sqrt(4 sqrt(8)/36) = 0.560642; FragA = 1/3; HOTA = 4/6.
    seq = seq_of([([0], [0], [[1.0]])] * 2 + [([0], [], [])] * 2 + [([0], [0], [[1.0]])] * 2)
    r = fa_hota(seq)
    np.testing.assert_allclose(r.fa_hota, np.sqrt(4 * np.sqrt(8) / 36), rtol=0, atol=TOL)
    np.testing.assert_allclose(r.frag_a, 1 / 3, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.hota, 4 / 6, rtol=0, atol=TOL)
    # (b) Same, but the GT is absent in frames 3-4 too: no FNA/FPA between -> one fragment, FA = HOTA = 1.
    seq = seq_of([([0], [0], [[1.0]])] * 2 + [([], [], [])] * 2 + [([0], [0], [[1.0]])] * 2)
    r = fa_hota(seq)
    assert np.array_equal(r.fa_hota, r.hota) and np.allclose(r.fa_hota, 1.0)
    # (c) FPA breaks a fragment: GT0 frames 1-4, tracked by id0 in 1, 2, 4; in frame 3 id0 is on GT1 (present
    # only there) and GT0 is missed. Pair (GT0,id0): TPA 3, FNA 1, FPA 1 -> A = 3/5; fragments {1,2}, {4}:
    # F = 2/5, 1/5 -> 2 sqrt(6/25) + sqrt(3/25) = (2 sqrt 6 + sqrt 3)/5 = 1.326206.
    # Pair (GT1,id0): TPA 1, n_g 1, n_p 4 -> A = 1/4, one fragment F = 1/4 -> 0.25. Sum 1.576206.
    # TP 4, FN 1, FP 0 -> FA-HOTA = sqrt(1.576206/5) = 0.561463; HOTA = sqrt((3*3/5 + 1/4)/5) = sqrt(0.41);
    # FragA = (2*2/5 + 1/5 + 1/4)/4 = 0.3125.
    seq = seq_of([([0], [0], [[1.0]])] * 2 + [([0, 1], [0], [[0.0], [1.0]])] + [([0], [0], [[1.0]])])
    r = fa_hota(seq)
    np.testing.assert_allclose(r.fa_hota, np.sqrt((2 * np.sqrt(6) / 5 + np.sqrt(3) / 5 + 0.25) / 5), rtol=0, atol=TOL)
    np.testing.assert_allclose(r.hota, np.sqrt(0.41), rtol=0, atol=TOL)
    np.testing.assert_allclose(r.frag_a, 0.3125, rtol=0, atol=TOL)


def test_w_hota_hand():
    # 'gap': one GT, 10 frames, missed in frames 4-5: TP 8, FN 2, FP 0; HOTA 0.8.
    # w_fn = w_fna = 0.5: A_w = 8/(8 + 0.5*2 + 0) = 8/9; W-AssA = 8/9; W-DetA = 8/(8 + 0.5*2) = 8/9; W-HOTA = 8/9.
    seq = eval_sequence_from_matrices(*VECTORS["gap"][0].per_frame())
    r = w_hota(seq, HotaWeights(fn=0.5, fna=0.5))
    np.testing.assert_allclose(r.w_hota, 8 / 9, rtol=0, atol=TOL)
    np.testing.assert_allclose(r.hota, 0.8, rtol=0, atol=TOL)
    # 'idtransfer': GT0 (frame 1) and GT1 (frame 2), one tracker id. Each pair: TPA 1, FNA 0, FPA 1 -> A 1/2, HOTA
    # sqrt(1/2). w_fpa = 0: A_w = 1/(1 + 0) = 1 -> W-HOTA 1.
    seq = eval_sequence_from_matrices(*VECTORS["idtransfer"][0].per_frame())
    np.testing.assert_allclose(w_hota(seq, HotaWeights(fpa=0.0)).w_hota, 1.0, rtol=0, atol=TOL)
    with pytest.raises(ValueError):
        HotaWeights(fn=1.5)


def test_o_hota_hand():
    # 'idsw': one GT 4 frames, tracker ids 0,0,1,1. Offline A = 2/(4+2-2) = 1/2 for all -> HOTA sqrt(1/2).
    # Online, A from frames <= t: t1 1/(1+1-1) = 1; t2 2/(2+2-2) = 1; t3 (id 1) 1/(3+1-1) = 1/3;
    # t4 2/(4+2-2) = 1/2 -> O-AssA = (1 + 1 + 1/3 + 1/2)/4 = 17/24; OHOTA = sqrt(17/24) = 0.841625.
    seq = eval_sequence_from_matrices(*VECTORS["idsw"][0].per_frame())
    r = o_hota(seq)
    np.testing.assert_allclose(r.o_hota, np.sqrt(17 / 24), rtol=0, atol=TOL)
    # 'switchback' ids 0,0,1,1,0,0: 1, 1, 1/3, 1/2, 3/(5+3-3) = 3/5, 4/(6+4-4) = 2/3 -> sum 4.1, /6 -> sqrt(41/60).
    seq = eval_sequence_from_matrices(*VECTORS["switchback"][0].per_frame())
    np.testing.assert_allclose(o_hota(seq).o_hota, np.sqrt(41 / 60), rtol=0, atol=TOL)


def test_empty_sequences():
    for frames in ([([0], [], [])] * 3, [([], [0], [])] * 3):
        seq = seq_of(frames)
        labels = ClassLabels(np.array([1]), np.ones(seq.num_gt_dets, int), np.ones((seq.num_tr_dets, 1)))
        te, _ = hota.evaluate(seq)
        for r in (ca_hota(seq, labels), fa_hota(seq), w_hota(seq), o_hota(seq)):
            assert r.score == 0.0
        assert ca2_hota(seq, labels).score == 0.0
        pa, m = hota_paper.evaluate(seq)
        assert m is None and all(np.array_equal(pa[k], te[k]) for k in te)


# --------------------------------------------------------------------------- reductions to HOTA (hypothesis)


def _reference(seq, matching):
    if matching == "trackeval":
        return hota.evaluate(seq)[0]
    return hota_paper.evaluate(seq)[0]


@settings(max_examples=60, **SETTINGS)
@given(CASES, st.sampled_from(["trackeval", "paper"]))
def test_reductions_equal_hota_exactly(case, matching):
    seq = eval_sequence_from_matrices(*case.per_frame())
    ref = _reference(seq, matching)
    labels = one_class(seq)
    # CA-HOTA with every probability 1 on the (only, right) class; paper -> Eq. 39 with C = 1.
    ca = ca_hota(seq, labels, matching=matching)
    assert np.array_equal(ca.ca_hota, ref["HOTA"])
    assert np.array_equal(ca.cla_a, np.where(ref["HOTA_TP"] > 0, 1.0, 0.0))
    # CA2-HOTA and Fed-HOTA (all verified) with one class and C = 1.
    assert np.array_equal(ca2_hota(seq, labels, matching=matching).value, ref["HOTA"])
    every = {t: [1] for t in range(1, seq.num_frames + 1)}
    assert np.array_equal(fed_hota(seq, labels, every, positives_verified=False, matching=matching).value, ref["HOTA"])
    # W-HOTA with every weight 1.
    assert np.array_equal(w_hota(seq, HotaWeights(), matching=matching).w_hota, ref["HOTA"])
    # FA-HOTA never exceeds HOTA (F(c) <= A(c)); OHOTA is a score in [0, 1].
    assert (fa_hota(seq, matching=matching).fa_hota <= ref["HOTA"] + 1e-12).all()
    o = o_hota(seq, matching=matching).o_hota
    assert ((o >= 0) & (o <= 1 + 1e-12)).all()


@settings(max_examples=30, **SETTINGS)
@given(CASES, st.data())
def test_ca_hota_right_class_many_classes(case, data):
    # Several classes; every TrackEval-matched prediction puts probability 1 on its gt's class, the
    # others on a random class: CA-HOTA with TrackEval's matching is HOTA, ClaA is 1 where TP > 0.
    seq = eval_sequence_from_matrices(*case.per_frame())
    gt_cls_of_id = np.asarray(data.draw(st.lists(st.integers(1, 3), min_size=seq.num_gt_ids,
                                                 max_size=seq.num_gt_ids)), int)
    gt_class = gt_cls_of_id[seq.gt_idx] if seq.num_gt_ids else np.zeros(0, int)
    tr_class = np.asarray(data.draw(st.lists(st.integers(1, 3), min_size=seq.num_tr_dets,
                                             max_size=seq.num_tr_dets)), int)
    ref, tm = hota.evaluate(seq)
    if tm is not None:
        tr_class[seq.pairs.tr[tm.pair_index]] = gt_class[seq.pairs.gt[tm.pair_index]]
    probs = np.zeros((seq.num_tr_dets, 3))
    probs[np.arange(seq.num_tr_dets), tr_class - 1] = 1.0
    r = ca_hota(seq, ClassLabels(np.array([1, 2, 3]), gt_class, probs), matching="trackeval")
    assert np.array_equal(r.ca_hota, ref["HOTA"])
    assert np.array_equal(r.cla_a, np.where(ref["HOTA_TP"] > 0, 1.0, 0.0))


@st.composite
def unfragmented_cases(draw):
    """Objects that never overlap each other; each tracked (or not) by its own tracker id over a
    contiguous run of its annotated frames with one similarity, plus stray FPs (S = 0) with other ids.
    No FNA or FPA ever falls between two TPs of a pair: no fragmentation, whatever the matching."""
    num_frames = draw(st.integers(1, 12))
    n = draw(st.integers(1, 4))
    gt = [[] for _ in range(num_frames)]
    tr = [[] for _ in range(num_frames)]
    sim_of = {}
    for k in range(n):
        present = sorted(draw(st.sets(st.integers(0, num_frames - 1), min_size=1)))
        for t in present:
            gt[t].append(k)
        if draw(st.booleans()):
            i = draw(st.integers(0, len(present) - 1))
            j = draw(st.integers(i, len(present) - 1))
            s = draw(st.sampled_from([0.3, 0.5, 0.6, 1.0]) | st.floats(0.01, 1.0))
            for t in present[i:j + 1]:
                tr[t].append(k)
            sim_of[k] = s
    for _ in range(draw(st.integers(0, 4))):
        t = draw(st.integers(0, num_frames - 1))
        fid = draw(st.integers(n, n + 2))
        if fid not in tr[t]:
            tr[t].append(fid)
    sims = [np.array([[sim_of[p] if (p == g and p in sim_of) else 0.0 for p in tr[t]] for g in gt[t]]).reshape(
        len(gt[t]), len(tr[t])) for t in range(num_frames)]
    return [np.array(g, int) for g in gt], [np.array(p, int) for p in tr], sims


@settings(max_examples=40, **SETTINGS)
@given(unfragmented_cases(), st.sampled_from(["trackeval", "paper"]))
def test_fa_hota_without_fragmentation_is_hota(case, matching):
    gt_ids, tr_ids, sims = case
    seq = eval_sequence_from_matrices(gt_ids, tr_ids, sims)
    ref = _reference(seq, matching)
    r = fa_hota(seq, matching=matching)
    assert np.array_equal(r.fa_hota, ref["HOTA"])
    np.testing.assert_allclose(r.frag_a, np.where(ref["HOTA_TP"] > 0, ref["AssA"], 0.0), rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- the blog example


def _blog_tracker(segments):
    """Tracker rows: one box identical to the GT's, ``segments`` = [(first frame, last frame, id), ...]."""
    return [(t, tid, 0, 0, 10, 10) for a, b, tid in segments for t in range(a, b + 1)]


def test_blog_trackers_equal_hota_different_mota_idf1():
    # One GT object, 100 frames, perfectly localised boxes (S = 1), no FPs. For a tracker whose ids cover
    # runs of L_i frames: A(run i) = L_i/(100 + L_i - L_i) = L_i/100, DetA = sum L_i/100, so
    # HOTA^2 = DetA * sum(L_i * L_i/100)/sum L_i = sum L_i^2 / 100^2 at every alpha.
    #   A: ids change every 25 frames (4 x 25): sum L^2 = 2500 -> HOTA 0.5; detection 1, association 0.25.
    #   B: 40 + 30 frames, 30 missed: 1600 + 900 = 2500 -> HOTA 0.5; DetA 0.7, AssA 25/70.
    #   C: one id for 50 frames, 50 missed: 2500 -> HOTA 0.5; DetA 0.5, AssA 0.5.
    # MOTA = 1 - (FN + FP + IDSW)/100: A 1 - 3/100 = 0.97, B 1 - 31/100 = 0.69, C 0.5 (follows detection).
    # IDF1 = IDTP/(IDTP + (IDFN + IDFP)/2): A 25/(25 + (75+75)/2) = 0.25; B 40/(40 + (60+30)/2) = 40/85;
    # C 50/(50 + (50+0)/2) = 2/3 (follows association).
    gt = _dets([(t, 1, 0, 0, 10, 10) for t in range(1, 101)], 100)
    trackers = {
        "A": _blog_tracker([(1, 25, 1), (26, 50, 2), (51, 75, 3), (76, 100, 4)]),
        "B": _blog_tracker([(1, 40, 1), (41, 70, 2)]),
        "C": _blog_tracker([(1, 50, 1)]),
    }
    want = {"A": (0.97, 0.25, 1.0, 0.25), "B": (0.69, 40 / 85, 0.7, 25 / 70), "C": (0.5, 2 / 3, 0.5, 0.5)}
    for name, rows in trackers.items():
        ev = evaluate_sequence(prepare(name, gt, _dets(rows, 100), preprocess=False))
        m = ev.metrics()
        np.testing.assert_allclose(m["HOTA"], 0.5, rtol=0, atol=TOL)
        mota, idf1, det_a, ass_a = want[name]
        assert abs(m["MOTA"] - mota) < TOL and abs(m["IDF1"] - idf1) < TOL
        np.testing.assert_allclose(m["DetA"], det_a, rtol=0, atol=TOL)
        np.testing.assert_allclose(m["AssA"], ass_a, rtol=0, atol=TOL)


# --------------------------------------------------------------------------- probability inputs


def _write_tracker(path: Path, rows: list[str]) -> Detections:
    path.write_text("".join(r + "\n" for r in rows))
    return read_mot_file(str(path), 3, is_gt=False)


def test_probability_columns(tmp_path):
    rows = ["2,5,0,0,10,10,1,-1,-1,-1,0.1,0.9", "1,5,0,0,10,10,1,-1,-1,-1,0.7,0.3"]
    tr = _write_tracker(tmp_path / "s.txt", rows)
    p = read_probability_columns(str(tmp_path / "s.txt"), tr)
    assert p.classes.tolist() == [1, 2]
    # Detections are frame-sorted: row 0 is frame 1 (file line 2).
    np.testing.assert_allclose(p.probs, [[0.7, 0.3], [0.1, 0.9]])
    p = read_probability_columns(str(tmp_path / "s.txt"), tr, classes=[3, 8])
    assert p.classes.tolist() == [3, 8]
    assert load_probabilities(str(tmp_path / "s.txt"), tr).probs.shape == (2, 2)
    plain = _write_tracker(tmp_path / "p.txt", ["1,5,0,0,10,10,1,-1,-1,-1"])
    assert read_probability_columns(str(tmp_path / "p.txt"), plain) is None


@pytest.mark.parametrize("row, message", [
    ("1,5,0,0,10,10,1,-1,-1,-1,-0.1,1.1", "negative"),
    ("1,5,0,0,10,10,1,-1,-1,-1,0.5,0.4", "sum to"),
])
def test_probability_columns_errors(tmp_path, row, message):
    tr = _write_tracker(tmp_path / "s.txt", ["1,4,0,0,10,10,1,-1,-1,-1,0.5,0.5", row])
    with pytest.raises(InputError, match=message) as err:
        read_probability_columns(str(tmp_path / "s.txt"), tr)
    assert err.value.line == 2 and err.value.fix and str(tmp_path / "s.txt") in str(err.value)
    with pytest.raises(InputError, match="3 class"):
        read_probability_columns(str(tmp_path / "s.txt"), tr, classes=[1, 2, 3])


def test_probability_side_files(tmp_path):
    tr = _write_tracker(tmp_path / "s.txt", ["1,5,0,0,10,10", "1,6,20,0,10,10", "2,5,0,0,10,10"])
    doc = {"classes": [1, 2, 3], "detections": [
        {"frame": 1, "id": 5, "probs": {"1": 0.6, "2": 0.4}},
        {"frame": 1, "id": 6, "probs": {"3": 1.0}},
        {"frame": 2, "id": 5, "probs": {"1": 0.25, "2": 0.25, "3": 0.5}},
    ]}
    (tmp_path / "s.probs.json").write_text(json.dumps(doc, indent=1))
    p = load_probabilities(str(tmp_path / "s.txt"), tr)
    assert p.classes.tolist() == [1, 2, 3]
    np.testing.assert_allclose(p.probs, [[0.6, 0.4, 0], [0, 0, 1.0], [0.25, 0.25, 0.5]])
    (tmp_path / "s.probs.json").unlink()
    long = pd.DataFrame({"frame": [1, 1, 1, 2, 2], "id": [5, 5, 6, 5, 5], "class": [1, 2, 3, 1, 3],
                         "prob": [0.6, 0.4, 1.0, 0.5, 0.5]})
    long.to_parquet(tmp_path / "s.probs.parquet")
    p = load_probabilities(str(tmp_path / "s.txt"), tr)
    assert p.classes.tolist() == [1, 2, 3]
    np.testing.assert_allclose(p.probs, [[0.6, 0.4, 0], [0, 0, 1.0], [0.5, 0, 0.5]])
    # A class outside the given list.
    with pytest.raises(InputError, match="not a known class") as err:
        read_probability_file(str(tmp_path / "s.probs.parquet"), tr, classes=[1, 2])
    assert err.value.line == 3


def test_probability_side_file_errors(tmp_path):
    tr = _write_tracker(tmp_path / "s.txt", ["1,5,0,0,10,10", "2,5,0,0,10,10"])
    path = tmp_path / "s.probs.json"

    def check(detections, message, line, classes=(1, 2)):
        path.write_text(json.dumps({"classes": list(classes), "detections": detections}, indent=1))
        with pytest.raises(InputError, match=message) as err:
            read_probability_file(str(path), tr)
        assert err.value.line == line, str(err.value)
        assert err.value.fix

    ok = {"frame": 1, "id": 5, "probs": {"1": 1.0}}
    # json.dumps(indent=1): line 1 '{', 2 '"classes": [', 3-4 the classes, 5 '],', 6 '"detections": [',
    # 7 the first record's '{' (a record spans 7 lines): the second record starts on line 14.
    check([ok, {"frame": 2, "id": 5, "probs": {"1": -0.5, "2": 1.5}}], "negative", 14)
    check([ok, {"frame": 2, "id": 5, "probs": {"1": 0.5}}], "sum to", 14)
    check([ok, {"frame": 2, "id": 5, "probs": {"7": 1.0}}], "not a known class", 14)
    check([ok, {"frame": 3, "id": 5, "probs": {"1": 1.0}}], "has no box", 14)
    path.write_text(json.dumps({"classes": [1, 2], "detections": [ok]}))
    with pytest.raises(InputError, match="have none"):
        read_probability_file(str(path), tr)


def test_probability_side_file_fuzz_regressions(tmp_path):
    """Side files the atheris fuzzer (tests/fuzz/fuzz_readers.py) found to raise something else than InputError."""
    tr = _write_tracker(tmp_path / "s.txt", ["1,5,0,0,10,10", "2,5,0,0,10,10"])
    path = tmp_path / "s.probs.json"
    ok = {"frame": 1, "id": 5, "probs": {"1": 1.0}}
    for data, message in [
        (b'{"detections": [\xff]}', "not a UTF-8 text file"),  # UnicodeDecodeError
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # RecursionError
        ("[" + "1" * 5000 + "]", "4300 digits"),  # ValueError
        (json.dumps({"classes": [1, 1], "detections": [ok]}), "names a class twice"),  # ValueError
        (json.dumps({"classes": "ab", "detections": [ok]}), "not a list of distinct integer class ids"),  # ValueError
        (json.dumps({"classes": 5, "detections": [ok]}), "not a list of distinct integer class ids"),  # TypeError
        (json.dumps({"classes": [10**30], "detections": [ok]}), "not a list of distinct integer"),  # OverflowError
        (json.dumps([{**ok, "frame": float("inf")}]), "is not {"),  # OverflowError
        (json.dumps([{**ok, "id": 10**30}]), "integers up to 2\\*\\*53"),  # OverflowError
        (json.dumps([{**ok, "probs": {"1": 10**400}}]), "is not {"),  # OverflowError
    ]:
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        with pytest.raises(InputError, match=message) as err:
            read_probability_file(str(path), tr)
        assert err.value.path == str(path) and err.value.fix and "\n" not in str(err.value)
    parquet = tmp_path / "s.probs.parquet"
    parquet.write_bytes(b"PAR1 not really")  # pyarrow's message spans lines: ours must not
    with pytest.raises(InputError, match="cannot read it as Parquet") as err:
        read_probability_file(str(parquet), tr)
    assert "\n" not in str(err.value)
    good = {"frame": [1, 2], "id": [5, 5], "class": [1, 1], "prob": [1.0, 1.0]}
    for column, values, message in [("class", ["a", "b"], "'class' .* holds values that are not numbers"),
                                    ("prob", ["x", "y"], "'prob' .* holds values that are not numbers"),
                                    ("frame", [1.0, 1e300], "frame 1e\\+300 is not a whole number")]:
        pd.DataFrame({**good, column: values}).to_parquet(parquet)
        with pytest.raises(InputError, match=message):
            read_probability_file(str(parquet), tr)


# --------------------------------------------------------------------------- entry point


def test_evaluate_variants_table(tmp_path):
    gt = _dets([(1, 0, 0, 0, 10, 10), (1, 1, 100, 0, 10, 10), (2, 0, 0, 0, 10, 10), (2, 1, 100, 0, 10, 10)], 2,
               cls=[1, 2, 1, 2])
    tr = _dets([(1, 7, 0, 0, 10, 10), (1, 8, 100, 0, 10, 10), (2, 7, 0, 0, 10, 10), (2, 9, 100, 0, 10, 10)], 2,
               cls=[1, 2, 2, 2], conf=[0.8, -1, 0.9, -1])
    table = evaluate_variants(gt, tr, "s", variants=("HOTA", "HOTA (paper)", "CA-HOTA", "CA2-HOTA", "Fed-HOTA",
                                                      "FA-HOTA", "W-HOTA", "OHOTA"),
                              weights=HotaWeights(fpa=0.5))
    assert list(table.index) == ["HOTA", "HOTA (paper)", "CA-HOTA", "CA2-HOTA", "Fed-HOTA", "FA-HOTA", "W-HOTA",
                                 "OHOTA"]
    seq = prepare_multiclass("s", gt, tr)
    assert table.loc["HOTA", "score"] == evaluate_sequence(seq).hota["HOTA"].mean()
    # GT1 is tracked by id 8 then id 9: A = 1/(2+1-1) = 1/2 each; GT0 by id 7: A = 1. AssA = 3/4, DetA 1.
    assert abs(table.loc["HOTA", "score"] - np.sqrt(0.75)) < TOL
    # C: 0.8, 0 (wrong class), 1, 1 -> sum A*C = 0.8 + 0 + 0.5 + 0.5 = 1.8 -> CA-HOTA sqrt(1.8/4).
    assert abs(table.loc["CA-HOTA", "score"] - np.sqrt(0.45)) < TOL
    assert abs(table.loc["CA-HOTA", "ClaA"] - 0.7) < TOL
    assert table.loc["CA2-HOTA", "classes"] == "1, 2"
    with pytest.raises(ValueError, match="unknown variant"):
        evaluate_variants(gt, tr, "s", variants=("X",))


def test_variant_matches_names():
    seq = eval_sequence_from_matrices(*VECTORS["hota-block"][0].per_frame())
    assert variant_matches(seq, "trackeval").matching == "trackeval"
    assert variant_matches(seq, "paper").matching == "paper"
    with pytest.raises(ValueError):
        variant_matches(seq, "paper-ca")
    with pytest.raises(ValueError):
        variant_matches(seq, "greedy")
