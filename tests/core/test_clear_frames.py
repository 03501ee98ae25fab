"""CLEAR's matches from the all-frames guess (``metrics/clear_frames.py``) are TrackEval's, frame by
frame: equal to the solver-on-every-frame path (``shortcut=False``) and to TrackEval's own frame loop
written out here, on generated crowded frames (persistent ids with swaps, similarities on a coarse
grid and one ulp apart, so ties and the +1000 continuation bonus decide), with any number of guessing
rounds (fewer rounds leave more to the walk), and on MOT17-train for every tracker."""
from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import numpy as np
import pytest
from core_cases import eval_sequence_from_matrices
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment as scipy_lsa

from tracklens.assignment import frame_of_rows
from tracklens.metrics import clear
from tracklens.metrics import clear_frames


def _crowded(seed: int, num_frames: int, max_objects: int, grid: int, swap: float, gap: float):
    """Per-frame gt ids, tracker ids and similarity matrices: ids persist from frame to frame (tracker
    ids follow their gt with a few swaps), similarities on a grid of ``grid`` steps (ties) with some
    pushed one ulp, and frames with no gt or no tracker box (``gap``) that CLEAR's state skips."""
    rng = np.random.default_rng(seed)
    gt_ids, tr_ids, sims = [], [], []
    pool = np.arange(max_objects)
    follow = rng.permutation(max_objects)
    for _ in range(num_frames):
        ng, nt = (int(x) for x in rng.integers(0, max_objects + 1, 2))
        if rng.random() < gap:
            ng, nt = (0, nt) if rng.random() < 0.5 else (ng, 0)
        g = np.sort(rng.choice(pool, ng, replace=False))
        t = rng.choice(pool, nt, replace=False)
        if max_objects > 1 and rng.random() < swap:
            a, b = rng.choice(max_objects, 2, replace=False)
            follow[[a, b]] = follow[[b, a]]
        s = np.round(rng.random((ng, nt)) * grid) / grid
        s[follow[g][:, None] == t[None, :]] = np.maximum(s[follow[g][:, None] == t[None, :]], 0.75)
        ulp = rng.random((ng, nt)) < 0.2
        s[ulp] = np.nextafter(s[ulp], 2.0 if rng.random() < 0.5 else 0.0)
        s[rng.random((ng, nt)) < 0.25] = 0.0
        gt_ids.append(g)
        tr_ids.append(t)
        sims.append(np.clip(s, 0.0, 1.0))
    return gt_ids, tr_ids, sims


def _trackeval_pairs(gt_ids, tr_ids, sims, threshold: float = 0.5) -> list[set[tuple[int, int]]]:
    """TrackEval's CLEAR frame loop (``trackeval/metrics/clear.py``): per frame, the matched
    (gt position, tracker position)."""
    prev = {}
    out = []
    for g, t, s in zip(gt_ids, tr_ids, sims):
        if len(g) == 0 or len(t) == 0:
            out.append(set())
            continue
        score = 1000 * (np.array([[prev.get(int(a)) == int(b) for b in t] for a in g], dtype=bool).reshape(s.shape)) + s
        score[s < threshold - np.finfo("float").eps] = 0
        rows, cols = scipy_lsa(-score)
        keep = score[rows, cols] > 0 + np.finfo("float").eps
        rows, cols = rows[keep], cols[keep]
        prev = {int(g[r]): int(t[c]) for r, c in zip(rows, cols)}
        out.append({(int(r), int(c)) for r, c in zip(rows, cols)})
    return out


def _our_pairs(seq, matches: clear.ClearMatches) -> list[set[tuple[int, int]]]:
    p = seq.pairs
    g, t = p.gt[matches.pair_index], p.tr[matches.pair_index]
    frame = frame_of_rows(seq.gt_offsets, g)
    out = [set() for _ in range(seq.num_frames)]
    for f, a, b in zip(frame.tolist(), (g - seq.gt_offsets[frame]).tolist(), (t - seq.tr_offsets[frame]).tolist()):
        out[f].add((a, b))
    return out


def _assert_same(a: clear.ClearMatches, b: clear.ClearMatches) -> None:
    assert np.array_equal(a.pair_index, b.pair_index)
    assert np.array_equal(a.is_switch, b.is_switch)
    assert np.array_equal(a.starts_fragment, b.starts_fragment)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), num_frames=st.integers(1, 40), max_objects=st.integers(1, 9),
       grid=st.sampled_from([2, 4, 8, 1000]), swap=st.sampled_from([0.0, 0.1, 0.5]),
       gap=st.sampled_from([0.0, 0.1]), rounds=st.integers(1, 4))
def test_guessed_frames_are_trackevals(seed, num_frames, max_objects, grid, swap, gap, rounds):
    gt_ids, tr_ids, sims = _crowded(seed, num_frames, max_objects, grid, swap, gap)
    seq = eval_sequence_from_matrices(gt_ids, tr_ids, sims)
    with patch.object(clear_frames, "GUESS_ROUNDS", rounds):
        fast = clear.match(seq)
    _assert_same(fast, clear.match(seq, shortcut=False))
    assert _our_pairs(seq, fast) == _trackeval_pairs(gt_ids, tr_ids, sims)


def test_threshold_at_zero_goes_to_the_solver():
    """Candidates at similarity 0 (threshold 0) sit level with the dense matrix's zeros: no
    frame is settled by the unique optimum, every one is solved."""
    gt_ids, tr_ids, sims = _crowded(7, 30, 6, 4, 0.1, 0.0)
    seq = eval_sequence_from_matrices(gt_ids, tr_ids, sims)
    seq.pairs.sim[::3] = 0.0
    _assert_same(clear.match(seq, threshold=0.0), clear.match(seq, threshold=0.0, shortcut=False))


@pytest.mark.shared
@pytest.mark.parametrize("rounds", [1, clear_frames.GUESS_ROUNDS])
def test_mot17_frames_equal_the_solver_path(shared_data: Path, rounds: int, monkeypatch) -> None:
    from tracklens.evaluate import load_sequence
    from tracklens.layout import resolve
    from tracklens.prepare import prepare

    root = shared_data / "mot_challenge"
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train")
    monkeypatch.setattr(clear_frames, "GUESS_ROUNDS", rounds)
    assert len(layout.sequences) == 21
    for files in layout.sequences:
        loaded = load_sequence(files)
        for tracker in loaded.trackers.values():
            seq = prepare(files.name, loaded.gt, tracker)
            _assert_same(clear.match(seq), clear.match(seq, shortcut=False))
