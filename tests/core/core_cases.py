"""Helpers of the core tests: build our ``EvalSequence`` from per-frame ids and dense similarity
matrices (TrackEval's metric input), run our core on it, and compare flat metric dicts."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tracklens.prepare import EvalSequence
from tracklens.similarity import Pairs

FLOAT_TOL = 1e-9


def eval_sequence_from_matrices(gt_ids: Sequence[np.ndarray], tracker_ids: Sequence[np.ndarray],
                                sims: Sequence[np.ndarray], name: str = "case") -> EvalSequence:
    """An ``EvalSequence`` holding exactly the given frames: rows in the given order, ids relabelled
    to 0..N-1 in ascending order, and every positive similarity as a pair."""
    num_frames = len(gt_ids)
    gt_per = [np.asarray(g, dtype=np.int64).reshape(-1) for g in gt_ids]
    tr_per = [np.asarray(p, dtype=np.int64).reshape(-1) for p in tracker_ids]
    gt_offsets = np.zeros(num_frames + 1, np.int64)
    tr_offsets = np.zeros(num_frames + 1, np.int64)
    np.cumsum([g.size for g in gt_per], out=gt_offsets[1:])
    np.cumsum([p.size for p in tr_per], out=tr_offsets[1:])
    gt_all = np.concatenate(gt_per) if gt_per else np.zeros(0, np.int64)
    tr_all = np.concatenate(tr_per) if tr_per else np.zeros(0, np.int64)
    gt_uniq, gt_idx = np.unique(gt_all, return_inverse=True)
    tr_uniq, tr_idx = np.unique(tr_all, return_inverse=True)
    pg, pt, ps = [], [], []
    for t, s in enumerate(sims):
        s = np.asarray(s, dtype=float).reshape(gt_per[t].size, tr_per[t].size)
        r, c = np.nonzero(s > 0)  # row-major: gt position, then tracker position
        pg.append(r + gt_offsets[t])
        pt.append(c + tr_offsets[t])
        ps.append(s[r, c])
    cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
    return EvalSequence(
        name=name, num_frames=num_frames,
        gt_rows=np.arange(gt_all.size, dtype=np.int64), tr_rows=np.arange(tr_all.size, dtype=np.int64),
        gt_offsets=gt_offsets, tr_offsets=tr_offsets,
        gt_idx=gt_idx.astype(np.int64).ravel(), tr_idx=tr_idx.astype(np.int64).ravel(),
        gt_ids=gt_uniq.astype(np.int64), tr_ids=tr_uniq.astype(np.int64),
        pairs=Pairs(cat(pg, np.int64), cat(pt, np.int64), cat(ps, float)),
        removed_tr_rows=np.zeros(0, np.int64),
    )


INT_FIELDS = frozenset({
    "HOTA_TP", "HOTA_FN", "HOTA_FP", "CLR_TP", "CLR_FN", "CLR_FP", "IDSW", "MT", "PT", "ML", "Frag",
    "CLR_Frames", "IDTP", "IDFN", "IDFP", "Dets", "GT_Dets", "IDs", "GT_IDs", "Frames",
})


def field_mismatches(ours: Mapping[str, Any], ref: Mapping[str, Any], *, tol: float = FLOAT_TOL,
                     fields: Sequence[str] | None = None) -> list[str]:
    """Every field of ``ref`` (or ``fields``) that ``ours`` lacks or gets wrong: counts must be equal,
    floats within ``tol`` (absolute), arrays compared element-wise with equal shapes."""
    out = []
    for key in (fields if fields is not None else ref.keys()):
        if key not in ours:
            out.append(f"{key}: missing (reference {ref[key]!r})")
            continue
        want = np.asarray(ref[key], dtype=float)
        got = np.asarray(ours[key], dtype=float)
        if want.shape != got.shape:
            out.append(f"{key}: shape {got.shape} != reference {want.shape}")
            continue
        if key in INT_FIELDS:
            ok = np.array_equal(got, want)
        else:
            ok = np.allclose(got, want, rtol=0.0, atol=tol, equal_nan=True)
        if not ok:
            out.append(f"{key}: ours {got!r} != reference {want!r}")
    return out
