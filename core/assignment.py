"""Per-frame maximum-score assignment, answer-identical to TrackEval's full-frame Hungarian.

TrackEval runs ``linear_sum_assignment`` on every frame's dense score matrix. Most pairs are
uncontested: the only candidate of their gt box and of their tracker box. Every optimal assignment
contains those, so no solver is needed for them. Frames with a contested pair are solved on the same
dense matrix TrackEval builds (zeros off the candidates), so ties resolve the same way.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def frame_of_rows(offsets: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """0-based frame index of each row position, given CSR frame offsets."""
    return np.searchsorted(offsets, rows, side="right") - 1


class ContestedFrames:
    """The frames a solver must visit, with their dense score matrices laid out in one buffer.

    Candidates are frame-sorted; ``uncontested`` marks pairs with no rival on either side.
    ``solve(k, score)`` runs the Hungarian on frame ``frames[k]`` and returns the chosen candidates.
    """

    def __init__(self, gt_rows: np.ndarray, tr_rows: np.ndarray, gt_offsets: np.ndarray, tr_offsets: np.ndarray):
        self.pair_frame = frame_of_rows(gt_offsets, gt_rows)
        deg_g = np.bincount(gt_rows, minlength=int(gt_offsets[-1]))
        deg_t = np.bincount(tr_rows, minlength=int(tr_offsets[-1]))
        self.uncontested = (deg_g[gt_rows] == 1) & (deg_t[tr_rows] == 1)
        self.frames = np.unique(self.pair_frame[~self.uncontested])
        f = self.frames
        self.bounds = np.searchsorted(self.pair_frame, np.concatenate([f, f + 1])).reshape(2, -1)
        self.shape = np.stack([gt_offsets[f + 1] - gt_offsets[f], tr_offsets[f + 1] - tr_offsets[f]], axis=1)
        size = self.shape[:, 0] * self.shape[:, 1]
        self.start = np.zeros(f.size + 1, np.int64)
        np.cumsum(size, out=self.start[1:])
        # Flat position of each candidate in a contested frame, inside that frame's block.
        in_block = ~self.uncontested | np.isin(self.pair_frame, f)
        self.members = np.flatnonzero(in_block)
        k = np.searchsorted(f, self.pair_frame[self.members])
        r = gt_rows[self.members] - gt_offsets[f[k]]
        c = tr_rows[self.members] - tr_offsets[f[k]]
        self.flat = self.start[k] + r * self.shape[k, 1] + c

    def dense(self, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All contested blocks filled with ``score`` (per candidate), and the candidate-index map."""
        buf = np.zeros(int(self.start[-1]))
        buf[self.flat] = score[self.members]
        index = np.full(int(self.start[-1]), -1, np.int64)
        index[self.flat] = self.members
        return buf, index

    def blocks(self, flat: np.ndarray) -> list[np.ndarray]:
        """Each contested frame's dense matrix, as views into ``flat``."""
        return [flat[a:b].reshape(r, c) for a, b, (r, c) in
                zip(self.start[:-1].tolist(), self.start[1:].tolist(), self.shape.tolist())]


def solve_block(cost_block: np.ndarray, index_block: np.ndarray) -> np.ndarray:
    """Candidate indices chosen by the Hungarian minimising the block's cost (negated score)."""
    chosen = index_block[linear_sum_assignment(cost_block)]
    return chosen[chosen >= 0]


def assign(gt_rows: np.ndarray, tr_rows: np.ndarray, score: np.ndarray,
           gt_offsets: np.ndarray, tr_offsets: np.ndarray) -> np.ndarray:
    """Boolean mask over frame-sorted candidate pairs (all with positive score) chosen by a
    per-frame maximum assignment, identical to TrackEval's dense Hungarian."""
    if score.size == 0:
        return np.zeros(0, bool)
    frames = ContestedFrames(gt_rows, tr_rows, gt_offsets, tr_offsets)
    chosen = frames.uncontested.copy()
    if frames.frames.size:
        chosen[frames.members] = False
        buf, index = frames.dense(score)
        for cost, idx in zip(frames.blocks(-buf), frames.blocks(index)):
            chosen[solve_block(cost, idx)] = True
    return chosen
