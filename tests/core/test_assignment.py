"""The per-frame Hungarian laid out a chunk of frames at a time gives the same matches whatever the
chunk size (ties included), and HOTA's per-level tallies give the fields of the matches x 19 route."""
from __future__ import annotations

import numpy as np
import pytest
from core_cases import eval_sequence_from_matrices

import tracklens.assignment as assignment
from tracklens.metrics import clear, hota


def _crowded_sequence(seed: int, num_frames: int = 60):
    """Frames where most boxes have rivals, similarities on a coarse grid (many ties), ids that
    persist with occasional swaps so CLEAR's continuation bonus matters."""
    rng = np.random.default_rng(seed)
    gt_ids, tr_ids, sims = [], [], []
    for _ in range(num_frames):
        ng, nt = int(rng.integers(0, 6)), int(rng.integers(0, 6))
        gt_ids.append(rng.choice(8, ng, replace=False))
        tr_ids.append(rng.choice(8, nt, replace=False))
        s = np.round(rng.random((ng, nt)) * 4) / 4  # 0, .25, .5, .75, 1: ties everywhere
        s[rng.random((ng, nt)) < 0.3] = 0
        sims.append(s)
    return eval_sequence_from_matrices(gt_ids, tr_ids, sims)


@pytest.mark.parametrize("seed", range(6))
def test_chunk_size_changes_no_match(seed, monkeypatch):
    seq = _crowded_sequence(seed)
    want_h = hota.match(seq)
    want_c = clear.match(seq)
    for chunk in (1, 2, 9, 50):
        monkeypatch.setattr(assignment, "BLOCK_CHUNK", chunk)
        got_h = hota.match(seq)
        got_c = clear.match(seq)
        assert np.array_equal(got_h.pair_index, want_h.pair_index)
        assert np.array_equal(got_h.levels, want_h.levels)
        assert np.array_equal(got_c.pair_index, want_c.pair_index)
        assert np.array_equal(got_c.is_switch, want_c.is_switch)
        assert np.array_equal(got_c.starts_fragment, want_c.starts_fragment)


def test_chunks_split_at_frames():
    seq = _crowded_sequence(3)
    p = seq.pairs
    frames = assignment.ContestedFrames(p.gt, p.tr, seq.gt_offsets, seq.tr_offsets)
    seen = [k for k, _, _ in frames.iter_blocks(p.sim)]
    assert seen == list(range(frames.frames.size))
    for k, block, index in frames.iter_blocks(p.sim):
        f = frames.frames[k]
        assert block.shape == (seq.gt_offsets[f + 1] - seq.gt_offsets[f], seq.tr_offsets[f + 1] - seq.tr_offsets[f])
        assert np.array_equal(block[index >= 0], p.sim[index[index >= 0]])
        assert not block[index < 0].any()


def test_frame_of_rows_both_routes():
    offsets = np.array([0, 0, 3, 3, 7, 8, 8])
    rows = np.arange(8)
    want = np.array([1, 1, 1, 3, 3, 3, 3, 4])
    assert np.array_equal(assignment.frame_of_rows(offsets, rows), want)  # table
    assert np.array_equal(assignment.frame_of_rows(offsets, rows[[2, 7]]), want[[2, 7]])  # binary search


@pytest.mark.parametrize("block", [1, 3, 1 << 14])
@pytest.mark.parametrize("seed", range(4))
def test_level_tallies_equal_passes_matrix(seed, block, monkeypatch):
    """Bit-identical, localisation sums included, whatever the block of matches."""
    seq = _crowded_sequence(seed, 40)
    m = hota.match(seq)
    want = hota.fields_from_matches(seq, m.pair_index, hota.level_passes(m.levels))
    monkeypatch.setattr(hota, "MATCH_BLOCK", block)
    got = hota.fields_from_levels(seq, m.pair_index, m.levels)
    assert want.keys() == got.keys()
    for f in want:
        assert np.array_equal(got[f], want[f]), f


def test_loc_sums_bit_identical_on_many_matches():
    rng = np.random.default_rng(2)
    sim = rng.random(50_000)
    levels = hota.alpha_levels(sim)
    assert np.array_equal(hota._loc_sums(sim, levels), (hota.level_passes(levels) * sim[:, None]).sum(axis=0))


def test_alpha_levels_match_thresholds():
    sim = np.concatenate([hota.ALPHAS - hota.EPS, hota.ALPHAS, np.nextafter(hota.ALPHAS - hota.EPS, 0),
                          [0.0, 1e-300, 1.0]])
    want = (sim[:, None] >= hota.ALPHAS[None, :] - hota.EPS).sum(axis=1)
    assert np.array_equal(hota.alpha_levels(sim), want)
