"""Frames settled without the solver (``ContestedFrames.unique_optimum``) get exactly the pairs SciPy's
``linear_sum_assignment`` picks on TrackEval's dense frame matrix: on tie-heavy, near-tie (one ulp
apart) and sparse frames, wide and tall, with and without boxes that have no candidate."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment as scipy_lsa

from tracklens import assignment


def _scores(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    kind = rng.integers(0, 4)
    if rows * cols == 0:
        return np.zeros((rows, cols))
    if kind == 0:
        s = np.round(rng.random((rows, cols)) * 4) / 4  # 0, .25, .., 1: ties everywhere
    elif kind == 1:
        s = rng.random((rows, cols))
        s[rng.random((rows, cols)) < 0.3] = np.nextafter(s.max(), 2.0)  # a few exact ties at the top
        near = rng.random((rows, cols)) < 0.3
        s[near] = np.nextafter(s[near], 0.0)  # one ulp below
    elif kind == 2:
        s = rng.integers(1, 3, (rows, cols)) + 1000.0 * (rng.random((rows, cols)) < 0.2)  # CLEAR's bonus scale
    else:
        s = rng.random((rows, cols))
    s[rng.random((rows, cols)) < rng.random()] = 0.0  # sparse: no candidate
    if rows and rng.random() < 0.3:
        s[rng.integers(0, rows)] = 0.0  # a box without any candidate
    return s


def _frames(rng: np.random.Generator, num_frames: int):
    """Frame-sorted candidate pairs (gt row, tracker row, score) and both sides' frame offsets, and
    each frame's dense score matrix."""
    gt_off, tr_off, g, t, sc, mats = [0], [0], [], [], [], []
    for _ in range(num_frames):
        ng, nt = (int(x) for x in rng.integers(0, 7, 2))
        m = _scores(rng, ng, nt)
        r, c = np.nonzero(m)
        g.append(r + gt_off[-1])
        t.append(c + tr_off[-1])
        sc.append(m[r, c])
        mats.append(m)
        gt_off.append(gt_off[-1] + ng)
        tr_off.append(tr_off[-1] + nt)
    cat = lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt)  # noqa: E731
    g, t, sc = cat(g, np.int64), cat(t, np.int64), cat(sc, float)
    order = np.lexsort((t, g))
    return g[order], t[order], sc[order], np.array(gt_off), np.array(tr_off), mats


def _scipy_pairs(mats, gt_off, tr_off) -> set[tuple[int, int]]:
    """TrackEval's solve: every frame's dense matrix, matched pairs with a positive score."""
    out = set()
    for f, m in enumerate(mats):
        if m.size == 0:
            continue
        r, c = scipy_lsa(-m)
        keep = m[r, c] > 0
        out |= {(int(a) + gt_off[f], int(b) + tr_off[f]) for a, b in zip(r[keep], c[keep])}
    return out


@pytest.mark.parametrize("seed", range(25))
def test_assign_equals_scipy_frame_by_frame(seed: int) -> None:
    rng = np.random.default_rng(seed)
    g, t, score, gt_off, tr_off, mats = _frames(rng, 80)
    chosen = assignment.assign(g, t, score, gt_off, tr_off)
    assert set(zip(g[chosen].tolist(), t[chosen].tolist())) == _scipy_pairs(mats, gt_off, tr_off)


@pytest.mark.parametrize("seed", range(10))
def test_settled_frames_are_scipys_answer(seed: int) -> None:
    """Each frame the shortcut settles, alone: its pairs are SciPy's (and some frames are settled,
    some are not, so both routes are exercised)."""
    rng = np.random.default_rng(1000 + seed)
    g, t, score, gt_off, tr_off, mats = _frames(rng, 200)
    frames = assignment.ContestedFrames(g, t, gt_off, tr_off)
    picked, settled = frames.unique_optimum(score, g, t)
    assert settled.any() and not settled.all()
    want = _scipy_pairs(mats, gt_off, tr_off)
    frame_of = assignment.frame_of_rows(gt_off, g)
    for k in np.flatnonzero(settled):
        f = frames.frames[k]
        got = {(int(a), int(b)) for a, b in zip(g[picked], t[picked]) if frame_of[np.flatnonzero(g == a)[0]] == f}
        assert got == {p for p in want if gt_off[f] <= p[0] < gt_off[f + 1]}, mats[f]

