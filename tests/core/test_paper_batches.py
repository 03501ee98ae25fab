"""The paper's matching solves its many small blocks in batches (``hota_paper.lexicographic_matching``):
every block must get exactly the answer the one-block solvers give it alone. The reference below is the
per-component loop the batches replaced; both are compared on generated graphs full of ties (stars,
small blocks of every shape, blocks too large to enumerate, blocks of 8+ rows whose sums numpy adds
pairwise) and on a real MOT17 sequence at every alpha."""
from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from tracklens.evaluate import load_sequence
from tracklens.layout import resolve
from tracklens.metrics import hota_paper
from tracklens.prepare import prepare

SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _star_choice(tiers: list[np.ndarray], tol: float) -> int:
    cand = np.ones(tiers[0].size, bool)
    for t in tiers[:-1]:
        best = t[cand].max()
        cand &= t >= best - tol
    return int(np.argmax(np.where(cand, tiers[-1], -np.inf)))


def reference_matching(gt_rows, tr_rows, tiers, tol=hota_paper.TIER_TOL):
    """The one-component-at-a-time loop (tracklens before the batches)."""
    chosen = np.zeros(gt_rows.size, bool)
    if gt_rows.size == 0:
        return chosen
    deg_g, deg_t = np.bincount(gt_rows), np.bincount(tr_rows)
    lone = (deg_g[gt_rows] == 1) & (deg_t[tr_rows] == 1)
    chosen[lone] = True
    rest = np.flatnonzero(~lone)
    if rest.size == 0:
        return chosen
    gu, gi = np.unique(gt_rows[rest], return_inverse=True)
    tu, ti = np.unique(tr_rows[rest], return_inverse=True)
    n = gu.size + tu.size
    _, label = connected_components(coo_matrix((np.ones(rest.size), (gi, gu.size + ti)), shape=(n, n)),
                                    directed=False)
    comp = label[gi]
    order = np.argsort(comp, kind="stable")
    for edges in np.split(order, np.flatnonzero(np.diff(comp[order])) + 1):
        if np.all(gi[edges] == gi[edges[0]]) or np.all(ti[edges] == ti[edges[0]]):
            chosen[rest[edges[_star_choice([t[rest[edges]] for t in tiers], tol)]]] = True
            continue
        r_u, r_i = np.unique(gi[edges], return_inverse=True)
        c_u, c_i = np.unique(ti[edges], return_inverse=True)
        valid = np.zeros((r_u.size, c_u.size), bool)
        valid[r_i, c_i] = True
        index = np.full(valid.shape, -1, np.int64)
        index[r_i, c_i] = rest[edges]
        blocks = []
        for t in tiers:
            block = np.zeros(valid.shape)
            block[r_i, c_i] = t[rest[edges]]
            blocks.append(block)
        rr, cc = hota_paper.lexicographic_assignment(valid, blocks, tol)
        chosen[index[rr, cc]] = True
    return chosen


@st.composite
def graphs(draw):
    """Candidate pairs of a frame-less bipartite graph: several components of random shapes (up to
    12 x 4), random density, and tier values drawn from few levels (ties everywhere)."""
    gt, tr = [], []
    g0 = t0 = 0
    for _ in range(draw(st.integers(1, 8))):
        r, c = draw(st.sampled_from([(1, 1), (1, 4), (5, 1), (2, 2), (3, 3), (2, 5), (4, 4), (10, 2), (12, 3),
                                     (5, 7), (4, 4)]))
        density = draw(st.sampled_from([0.4, 0.7, 1.0]))
        rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
        mask = rng.random((r, c)) < density
        rows, cols = np.nonzero(mask)
        gt += (rows + g0).tolist()
        tr += (cols + t0).tolist()
        g0, t0 = g0 + r, t0 + c
    n = len(gt)
    order = draw(st.permutations(range(n)))
    gt, tr = np.asarray(gt, np.int64)[order], np.asarray(tr, np.int64)[order]
    level = st.lists(st.sampled_from([0.0, 1 / 3, 0.5, 1 / 6, 0.25, 0.9]) | st.floats(0.0, 1.0), min_size=n,
                     max_size=n)
    tier2 = np.asarray(draw(level), float)
    sim = np.asarray(draw(st.lists(st.sampled_from([0.3, 0.5, 1.0]) | st.floats(0.05, 1.0), min_size=n,
                                   max_size=n)), float)
    return gt, tr, [np.ones(n), tier2, sim]


@settings(max_examples=300, **SETTINGS)
@given(graphs(), st.sampled_from([30, 6, 0]))
def test_batches_choose_what_each_block_alone_chooses(graph, max_cells):
    gt, tr, tiers = graph
    with mock.patch.object(hota_paper, "ENUMERATE_MAX_CELLS", max_cells):
        new = hota_paper.lexicographic_matching(gt, tr, tiers)
        old = reference_matching(gt, tr, tiers)
    assert np.array_equal(new, old)


@pytest.mark.shared
def test_paper_matching_unchanged_on_mot17(shared_data, monkeypatch):
    root = shared_data / "mot_challenge"
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     trackers=["MPNTrack"])
    loaded = load_sequence(next(f for f in layout.sequences if f.name == "MOT17-02-FRCNN"))
    seq = prepare("MOT17-02-FRCNN", loaded.gt, loaded.trackers["MPNTrack"], benchmark="MOT17")
    new = hota_paper.paper_match(seq)
    monkeypatch.setattr(hota_paper, "lexicographic_matching", reference_matching)
    old = hota_paper.paper_match(seq)
    assert new.pair_index.size > 10_000
    assert np.array_equal(new.pair_index, old.pair_index) and np.array_equal(new.active, old.active)
