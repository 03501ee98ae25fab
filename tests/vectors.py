"""Hand-made single-sequence test vectors of metrics.md §2.6 and §3.2/§3.4 with their expected numbers.

``VECTORS[name] = (case, expected)``: ``case.per_frame()`` gives per-frame gt ids, tracker ids and
similarity matrices (ids already 0..N-1); ``expected`` maps a TrackEval field name to its value.
A scalar expected for an alpha-array field (HOTA, DetA, AssA, LocA, ...) is the mean over the 19 alphas
(the reported number); an array is compared per alpha. Keys prefixed ``combined:`` are the values
after ``combine_sequences`` over this one sequence. Table numbers are given to 4 decimals, so
compare with ``ABS_TOL`` (``mismatches`` does). All of them reproduce with TrackEval 1.3.0.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from strategies import SimilarityCase

ABS_TOL = 5e-5
COMBINED_PREFIX = "combined:"

Frame = tuple[Sequence[int], Sequence[int], Sequence[Sequence[float]]]


def _case(frames: Sequence[Frame]) -> SimilarityCase:
    """Build a case from ``(gt ids, tracker ids, similarity rows)`` per frame."""
    gt_ids = [np.asarray(g, dtype=int) for g, _, _ in frames]
    tr_ids = [np.asarray(p, dtype=int) for _, p, _ in frames]
    sims = [np.asarray(s, dtype=float).reshape(len(g), len(p)) for g, p, s in frames]
    return SimilarityCase(gt_ids=gt_ids, tracker_ids=tr_ids, sims=sims)


def _one_gt(track_ids: Sequence[int | None], sim: float = 1.0) -> SimilarityCase:
    """One GT present in every frame, covered by ``track_ids[t]`` (``None``: no tracker box)."""
    return _case([([0], [], []) if p is None else ([0], [p], [[sim]]) for p in track_ids])


def _two_gts(gt_of_frame: Sequence[int], track_of_frame: Sequence[int]) -> SimilarityCase:
    """One GT and one tracker box per frame, matching exactly (S = 1)."""
    return _case([([g], [p], [[1.0]]) for g, p in zip(gt_of_frame, track_of_frame, strict=True)])


HOTA_BLOCK_TP = np.array([10.0] * 6 + [9.0] * 13)  # alpha <= 0.30: 10 TPs; alpha >= 0.35: 9

VECTORS: dict[str, tuple[SimilarityCase, dict[str, Any]]] = {
    "perfect": (
        _one_gt([0] * 10),
        {"HOTA": 1.0, "DetA": 1.0, "AssA": 1.0, "LocA": 1.0, "MOTA": 1.0, "IDSW": 0, "Frag": 0, "IDF1": 1.0},
    ),
    "idsw": (
        _one_gt([0, 0, 1, 1]),
        {"HOTA": 0.5**0.5, "DetA": 1.0, "AssA": 0.5, "LocA": 1.0, "MOTA": 0.75, "IDSW": 1, "Frag": 0, "IDF1": 0.5},
    ),
    "iou0.6": (
        _one_gt([0] * 10, sim=0.6),
        {"HOTA": 12 / 19, "DetA": 12 / 19, "AssA": 12 / 19, "LocA": (12 * 0.6 + 7) / 19,
         "MOTA": 1.0, "IDSW": 0, "Frag": 0, "IDF1": 1.0},
    ),
    "idtransfer": (  # GT0 in frame 1, GT1 in frame 2, both covered by tracker id 0
        _two_gts([0, 1], [0, 0]),
        {"HOTA": 0.5**0.5, "DetA": 1.0, "AssA": 0.5, "LocA": 1.0, "MOTA": 1.0, "IDSW": 0, "Frag": 0, "IDF1": 0.5},
    ),
    "switchback": (
        _one_gt([0, 0, 1, 1, 0, 0]),
        {"HOTA": (5 / 9) ** 0.5, "DetA": 1.0, "AssA": 5 / 9, "LocA": 1.0, "MOTA": 2 / 3, "IDSW": 2, "Frag": 0,
         "IDF1": 2 / 3},
    ),
    "gap": (  # frames 4-5: the tracker has no box at all
        _one_gt([0, 0, 0, None, None, 0, 0, 0, 0, 0]),
        {"HOTA": 0.8, "DetA": 0.8, "AssA": 0.8, "LocA": 1.0, "MOTA": 0.8, "IDSW": 0, "Frag": 0, "IDF1": 8 / 9},
    ),
    "gap+fp": (  # frames 4-5: only an unrelated box (tracker id 1, S = 0)
        _case([([0], [1], [[0.0]]) if t in (4, 5) else ([0], [0], [[1.0]]) for t in range(1, 11)]),
        {"HOTA": (0.8 * 2 / 3) ** 0.5, "DetA": 2 / 3, "AssA": 0.8, "LocA": 1.0, "MOTA": 0.6, "IDSW": 0, "Frag": 1,
         "IDF1": 0.8},
    ),
    "gt-absent-gap": (  # GT0 not annotated in frames 4-5 while GT1 is present and tracked
        _case([([1], [1], [[1.0]]) if t in (4, 5) else ([0, 1], [0, 1], [[1.0, 0.0], [0.0, 1.0]])
               for t in range(1, 11)]),
        {"HOTA": 1.0, "DetA": 1.0, "AssA": 1.0, "LocA": 1.0, "MOTA": 1.0, "IDSW": 0, "Frag": 1, "IDF1": 1.0},
    ),
    "hota-block": (  # GT0 tracked by id 1 (S = 1) in frames 1-9; frame 10: id 0 S = 0.9, id 1 S = 0.3
        _case([([0], [1], [[1.0]])] * 9 + [([0], [0, 1], [[0.9, 0.3]])]),
        {"HOTA": 0.8371, "DetA": 0.8002, "AssA": 0.8756, "LocA": 0.9779, "MOTA": 0.8, "IDSW": 1, "Frag": 0,
         "IDF1": 6 / 7, "HOTA_TP": HOTA_BLOCK_TP},
    ),
    "cross": (  # GT0 frames 1-4, GT1 frames 5-8; id 0 on frames 1,2,5,6, id 1 on 3,4,7,8
        _two_gts([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 0, 0, 1, 1]),
        {"HOTA": (1 / 3) ** 0.5, "DetA": 1.0, "AssA": 1 / 3, "LocA": 1.0,
         "MOTA": 0.75, "IDSW": 2, "Frag": 0, "IDF1": 0.5},  # CLEAR/Identity: not in the table, hand-checked
    ),
    "mixed": (  # GT0 frames 1-6, GT1 frames 7-8; id 0 frames 1-3, id 1 frames 4-8
        _two_gts([0, 0, 0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1]),
        {"HOTA": 0.428125**0.5, "DetA": 1.0, "AssA": 0.428125, "AssRe": 0.625, "AssPr": 0.7, "LocA": 1.0,
         "MOTA": 0.875, "IDSW": 1, "Frag": 0, "IDF1": 0.625},  # CLEAR/Identity: not in the table, hand-checked
    ),
    "clear-tp": (  # CLEAR maximises the summed S (2 TPs, sum S = 2.0), not the TP count (3, sum S = 1.6)
        _case([([0, 1, 2], [0, 1, 2], [[1.0, 0.5, 0.0], [0.0, 1.0, 0.5], [0.6, 0.0, 0.0]])]),
        {"CLR_TP": 2, "CLR_FN": 1, "CLR_FP": 1, "MOTA": 1 / 3, "MOTP": 1.0,
         "IDTP": 3, "IDF1": 1.0},  # Identity counts every S >= 0.5 pair: 3 IDTPs (not in §3.2, hand-checked)
    ),
    "fp-only": (  # 3 frames, no GT, one tracker box each: early exit leaves CLR_Frames at 0
        _case([([], [0], [])] * 3),
        {"CLR_FP": 3, "MOTA": 0.0, "CLR_Frames": 0, "MLR": 1.0, "HOTA": 0.0, "LocA": 1.0, "HOTA_FP": np.full(19, 3.0),
         "IDFP": 3, "IDF1": 0.0,
         "combined:MOTA": -3.0, "combined:FP_per_frame": 3.0, "combined:CLR_Frames": 0},
    ),
}


def mismatches(
    expected: Mapping[str, Any], per_seq: Mapping[str, Any], combined: Mapping[str, Any] | None = None
) -> list[str]:
    """Fields of flat results (``{field: value}``) that differ from ``expected`` by more than ``ABS_TOL``."""
    out = []
    for key, want in expected.items():
        if key.startswith(COMBINED_PREFIX):
            if combined is None:
                raise ValueError(f"{key} needs the combined results")
            got = np.asarray(combined[key.removeprefix(COMBINED_PREFIX)], dtype=float)
        else:
            got = np.asarray(per_seq[key], dtype=float)
        want_arr = np.asarray(want, dtype=float)
        if want_arr.ndim == 0 and got.ndim == 1:
            got = got.mean()
        if got.shape != want_arr.shape or not np.allclose(got, want_arr, rtol=0.0, atol=ABS_TOL):
            out.append(f"{key}: expected {want!r}, got {got!r}")
    return out
