"""The overlap prefilter never drops a pair with IoU > 0, whatever the coordinate range, and IoU is
bit-identical to TrackEval's."""
from __future__ import annotations

import numpy as np
import pytest
from strategies import box_ious

from core.detections import frame_offsets
from core.similarity import box_iou, box_pairs, overlap_candidates


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
