"""The overlap prefilter never drops a pair with IoU > 0, whatever the coordinate range, and IoU is
bit-identical to TrackEval's."""
from __future__ import annotations

import numpy as np
import pytest
from strategies import box_ious

from tracklens.detections import frame_offsets
from tracklens.similarity import box_iou, box_pairs, overlap_candidates


def _all_positive_pairs(gf, gb, tf, tb):
    return {(i, j) for i in range(len(gf)) for j in range(len(tf))
            if gf[i] == tf[j] and box_iou(gb[i:i + 1], tb[j:j + 1])[0] > 0}


@pytest.mark.parametrize("far", [0.0, 1e6, 1e15, 1e17, -1e17])
def test_prefilter_keeps_every_overlapping_pair(far):
    rng = np.random.default_rng(7)
    for _ in range(60):
        nf, ng, nt = 5, 14, 14
        gf = np.sort(rng.integers(1, nf + 1, ng))
        tf = np.sort(rng.integers(1, nf + 1, nt))
        gb = np.column_stack([rng.random(ng) * 20, rng.random(ng) * 20, rng.random(ng) * 8 - 1, rng.random(ng) * 8])
        tb = np.column_stack([rng.random(nt) * 20, rng.random(nt) * 20, rng.random(nt) * 8 - 1, rng.random(nt) * 8])
        gb[0, 0] += far  # one box very far away must not disturb the others
        g, t = overlap_candidates(gb, frame_offsets(gf, nf), tb, frame_offsets(tf, nf))
        assert _all_positive_pairs(gf, gb, tf, tb) <= set(zip(g.tolist(), t.tolist()))


def test_box_pairs_equal_trackeval_dense_iou():
    rng = np.random.default_rng(3)
    nf, ng, nt = 6, 30, 25
    gf, tf = np.sort(rng.integers(1, nf + 1, ng)), np.sort(rng.integers(1, nf + 1, nt))
    gb = np.column_stack([rng.integers(0, 40, ng), rng.integers(0, 40, ng), rng.integers(0, 12, ng),
                          rng.integers(0, 12, ng)]).astype(float)
    tb = np.column_stack([rng.integers(0, 40, nt), rng.integers(0, 40, nt), rng.integers(0, 12, nt),
                          rng.integers(0, 12, nt)]).astype(float)
    p = box_pairs(gb, frame_offsets(gf, nf), tb, frame_offsets(tf, nf))
    for f in range(1, nf + 1):
        gi, ti = np.flatnonzero(gf == f), np.flatnonzero(tf == f)
        dense = box_ious(gb[gi], tb[ti])
        ours = np.zeros_like(dense)
        sel = np.isin(p.gt, gi)
        ours[np.searchsorted(gi, p.gt[sel]), np.searchsorted(ti, p.tr[sel])] = p.sim[sel]
        assert np.array_equal(ours, dense)  # bit-identical, zeros included


def _random_sequence(rng, nf, per_frame):
    gf = np.sort(rng.integers(1, nf + 1, nf * per_frame))
    tf = np.sort(rng.integers(1, nf + 1, nf * per_frame))
    gb = np.column_stack([rng.random(gf.size) * 60, rng.random(gf.size) * 60,
                          rng.random(gf.size) * 15 - 1, rng.random(gf.size) * 15])
    tb = np.column_stack([rng.random(tf.size) * 60, rng.random(tf.size) * 60,
                          rng.random(tf.size) * 15 - 1, rng.random(tf.size) * 15])
    return gb, frame_offsets(gf, nf), tb, frame_offsets(tf, nf)


@pytest.mark.parametrize("chunk", [1, 7, 40, 1000])
def test_chunked_pairs_equal_whole_sequence(chunk, monkeypatch):
    """Working a run of frames at a time changes nothing: same candidates, same pairs, same order."""
    import tracklens.similarity as similarity
    rng = np.random.default_rng(11)
    gb, go, tb, to = _random_sequence(rng, 40, 6)
    go[5:9] = go[5]  # a few empty frames on the gt side
    whole_c = overlap_candidates(gb, go, tb, to)
    whole_p = box_pairs(gb, go, tb, to)
    monkeypatch.setattr(similarity, "CHUNK_BOXES", chunk)
    assert len(similarity.frame_chunks(go, to)) > (1 if chunk < 1000 else 0)
    for got, want in zip(overlap_candidates(gb, go, tb, to), whole_c):
        assert np.array_equal(got, want)
    p = box_pairs(gb, go, tb, to)
    for got, want in ((p.gt, whole_p.gt), (p.tr, whole_p.tr), (p.sim, whole_p.sim)):
        assert np.array_equal(got, want)


def test_frame_chunks_cover_every_frame_once():
    from tracklens.similarity import frame_chunks
    rng = np.random.default_rng(5)
    _, go, _, to = _random_sequence(rng, 50, 4)
    for boxes in (1, 3, 17, 100, 10**6):
        runs = frame_chunks(go, to, boxes)
        assert runs[0][0] == 0 and runs[-1][1] == 50
        assert all(a < b and b == c for (a, b), (c, _) in zip(runs, runs[1:] + [(runs[-1][1], None)]))
    assert frame_chunks(np.zeros(1, np.int64), np.zeros(1, np.int64)) == []
