"""Per-frame maximum-score assignment, answer-identical to TrackEval's full-frame Hungarian.

TrackEval runs ``linear_sum_assignment`` on every frame's dense score matrix. Most pairs are
uncontested: the only candidate of their gt box and of their tracker box. Every optimal assignment
contains those, so no solver is needed for them. Frames with a contested pair are solved on the same
dense matrix TrackEval builds (zeros off the candidates), so ties resolve the same way.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

import numpy as np


def _load_lsap():
    """SciPy's own ``linear_sum_assignment`` (the compiled ``scipy.optimize._lsap``), loaded without
    running ``scipy.optimize/__init__`` (half a second of imports for this one function). It is the
    same function object SciPy exports, so ties break identically; any other SciPy layout falls back
    to the ordinary import."""
    name = "scipy.optimize._lsap"
    if name in sys.modules:
        return sys.modules[name].linear_sum_assignment
    scipy_spec = importlib.util.find_spec("scipy")
    folder = os.path.join(os.path.dirname(scipy_spec.origin), "optimize") if scipy_spec and scipy_spec.origin else ""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, "_lsap" + suffix)
        if folder and os.path.isfile(path):
            loader = importlib.machinery.ExtensionFileLoader(name, path)
            spec = importlib.util.spec_from_file_location(name, path, loader=loader)
            module = importlib.util.module_from_spec(spec)
            loader.exec_module(module)
            solver = getattr(module, "linear_sum_assignment", None)
            if callable(solver):
                sys.modules[name] = module  # ``import scipy.optimize`` later reuses it: one solver
                return solver
            break
    from scipy.optimize import linear_sum_assignment as solver
    return solver


linear_sum_assignment = _load_lsap()


def frame_of_rows(offsets: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """0-based frame index of each row position (``0 <= row < offsets[-1]``), given CSR frame offsets."""
    rows = np.asarray(rows)
    if 8 * rows.size >= int(offsets[-1]):
        # A row -> frame table: one pass, where a binary search per row costs log(frames) cache misses.
        return np.repeat(np.arange(offsets.size - 1, dtype=np.intp), np.diff(offsets))[rows]
    return np.searchsorted(offsets, rows, side="right") - 1


BLOCK_CHUNK = 1 << 18  # dense-matrix entries laid out at a time (2 MiB of float64)


class ContestedFrames:
    """The frames a solver must visit, with their dense score matrices.

    Candidates are frame-sorted; ``uncontested`` marks pairs with no rival on either side.
    ``iter_blocks(score)`` yields each contested frame's dense matrix (TrackEval's, zeros off the
    candidates) with its candidate-index map; ``solve(score, blocks)`` solves some of them, one solver
    call per frame and the answers mapped back per chunk. The matrices are laid out a chunk of frames at a time
    (about ``BLOCK_CHUNK`` entries), never for the whole sequence at once: one buffer for all frames
    grows with frames x objects^2 (gigabytes for an hour at 50 objects) and, once past the
    allocator's mmap threshold and the caches, costs more per frame the longer the sequence.
    """

    def __init__(self, gt_rows: np.ndarray, tr_rows: np.ndarray, gt_offsets: np.ndarray, tr_offsets: np.ndarray):
        self.pair_frame = frame_of_rows(gt_offsets, gt_rows)
        deg_g = np.bincount(gt_rows, minlength=int(gt_offsets[-1]))
        deg_t = np.bincount(tr_rows, minlength=int(tr_offsets[-1]))
        self.uncontested = (deg_g[gt_rows] == 1) & (deg_t[tr_rows] == 1)
        # the contested frames, sorted (np.unique's answer, by a mask instead of a sort)
        self.frames = np.flatnonzero(np.bincount(self.pair_frame[~self.uncontested], minlength=gt_offsets.size - 1))
        f = self.frames
        self.shape = np.stack([gt_offsets[f + 1] - gt_offsets[f], tr_offsets[f + 1] - tr_offsets[f]], axis=1)
        size = self.shape[:, 0] * self.shape[:, 1]
        self.start = np.zeros(f.size + 1, np.int64)
        np.cumsum(size, out=self.start[1:])
        # Flat position of each candidate in a contested frame, inside that frame's block.
        block_of = np.full(gt_offsets.size - 1, -1, np.int64)  # frame -> its number among contested frames
        block_of[f] = np.arange(f.size)
        block = block_of[self.pair_frame]
        self.members = np.flatnonzero(block >= 0)
        k = block[self.members]
        self.member_block = k  # contested-frame number of each member (non-decreasing)
        # start + (gt row - first gt row) * cols + (tracker row - first tracker row), per-frame terms first
        cols = self.shape[:, 1]
        origin = self.start[:-1] - gt_offsets[f] * cols - tr_offsets[f]
        self.flat = origin[k] + gt_rows[self.members] * cols[k] + tr_rows[self.members]
        # Chunks of whole frames: chunk j starts at the first frame whose block starts at or past
        # j * BLOCK_CHUNK, so a chunk holds at most BLOCK_CHUNK entries plus one frame's block.
        total = int(self.start[-1])
        cuts = np.searchsorted(self.start[:-1], np.arange(0, total, BLOCK_CHUNK), side="left")
        self.chunks = np.unique(np.concatenate([cuts, [0, f.size]]))

    def unique_optimum(self, score: np.ndarray, gt_rows: np.ndarray, tr_rows: np.ndarray,
                       by_tracker: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The contested frames SciPy's solver settles without a search, and its choice there: the
        candidates chosen (indices) and, per contested frame, whether it was settled.

        SciPy solves a frame row by row over its shorter side (it transposes a matrix with more rows
        than columns). When every box of that side with candidates has a single best candidate
        (strictly), and no two of them want the same partner, SciPy's first step for each row finds
        that partner at its exact cost (all column potentials are still 0; a box without candidates
        only ever takes or gives up a zero column, which leaves the potentials at 0) and keeps it:
        the answer is each row's best candidate, whatever the ties elsewhere in the matrix. Every
        other frame goes to the solver (``settled`` False).

        ``by_tracker``: the candidates in stable order of tracker row, when the caller has it (the
        score sweep sorts once for all its kept sets) and the candidates are sorted by gt row; it
        replaces the sort of the lines, with the same order."""
        members = self.members
        k = self.member_block
        by_gt = (self.shape[:, 0] <= self.shape[:, 1])[k]  # the side SciPy walks row by row
        n_gt = np.int64(max(int(gt_rows.max(initial=0)), int(tr_rows.max(initial=0))) + 1)
        line = np.where(by_gt, gt_rows[members], n_gt + tr_rows[members])
        partner = np.where(by_gt, tr_rows[members], n_gt + gt_rows[members])
        if by_tracker is None:
            order = np.argsort(line, kind="stable")  # each line's candidates together (gt lines are sorted already)
        else:  # gt lines first (members are in gt-row order), then tracker lines in ``by_tracker``'s order
            at = np.full(gt_rows.size, -1, np.int64)
            at[members] = np.arange(members.size)
            tracker_lines = at[by_tracker]
            tracker_lines = tracker_lines[tracker_lines >= 0]
            order = np.concatenate([np.flatnonzero(by_gt), tracker_lines[~by_gt[tracker_lines]]])
        line_o, s_o = line[order], score[members[order]]
        head = np.ones(order.size, bool)
        head[1:] = line_o[1:] != line_o[:-1]
        starts = np.flatnonzero(head)
        sizes = np.diff(np.append(starts, order.size))
        at_top = s_o == np.repeat(np.maximum.reduceat(s_o, starts), sizes)
        tied = np.add.reduceat(at_top.astype(np.int64), starts) > 1  # a line whose best score is shared
        best = order[at_top & ~np.repeat(tied, sizes)]
        settled = np.ones(self.frames.size, bool)
        settled[k[order[starts[tied]]]] = False
        wanted = np.bincount(partner[best])  # a partner wanted by two lines of one frame (partners are frame-local)
        settled[k[best[wanted[partner[best]] > 1]]] = False
        chosen = members[best[settled[k[best]]]]
        return chosen, settled

    def dense(self, score: np.ndarray, k0: int = 0, k1: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The blocks of contested frames ``k0..k1-1``, one after the other in a flat buffer, filled
        with ``score`` (per candidate), and the candidate-index map (-1 off the candidates)."""
        k1 = self.frames.size if k1 is None else k1
        base, end = int(self.start[k0]), int(self.start[k1])
        m0, m1 = np.searchsorted(self.member_block, [k0, k1]).tolist()
        members = self.members[m0:m1]
        pos = self.flat[m0:m1] - base
        buf = np.zeros(end - base)
        buf[pos] = score[members]
        index = np.full(end - base, -1, np.int64)
        index[pos] = members
        return buf, index

    def blocks(self, flat: np.ndarray, k0: int = 0, k1: int | None = None) -> list[np.ndarray]:
        """Each dense matrix of contested frames ``k0..k1-1``, as views into ``flat`` (from ``dense``)."""
        k1 = self.frames.size if k1 is None else k1
        base = int(self.start[k0])
        return [flat[a - base:b - base].reshape(r, c) for a, b, (r, c) in
                zip(self.start[k0:k1].tolist(), self.start[k0 + 1:k1 + 1].tolist(), self.shape[k0:k1].tolist())]

    def iter_blocks(self, score: np.ndarray, negate: bool = False):
        """``(k, matrix, index)`` for every contested frame ``frames[k]`` in order: its dense matrix
        of ``score`` (``-score`` when ``negate``) and candidate-index map, a chunk of frames at a time.
        The matrices are views of one chunk's buffer, valid until the next chunk is laid out."""
        cuts = self.chunks.tolist()
        for k0, k1 in zip(cuts[:-1], cuts[1:]):
            buf, index = self.dense(score, k0, k1)
            if negate:
                buf = -buf
            yield from zip(range(k0, k1), self.blocks(buf, k0, k1), self.blocks(index, k0, k1))

    def solve(self, score: np.ndarray, blocks: np.ndarray) -> np.ndarray:
        """Candidate indices chosen by the Hungarian minimising ``-score`` on each contested frame
        ``frames[k]``, ``k`` in ``blocks`` (sorted): the same dense matrices as ``iter_blocks(score,
        negate=True)`` gives, laid out a chunk at a time, one solver call per frame and the answers
        mapped back to candidates once per chunk (not per frame)."""
        blocks = np.asarray(blocks, np.int64)
        if not blocks.size:
            return np.zeros(0, np.int64)
        slot = np.full(self.frames.size, -1, np.int64)  # contested frame -> its place among ``blocks``
        slot[blocks] = np.arange(blocks.size)
        m = np.flatnonzero(slot[self.member_block] >= 0)
        members, s = self.members[m], slot[self.member_block[m]]
        sizes = self.start[blocks + 1] - self.start[blocks]
        start = np.zeros(blocks.size + 1, np.int64)
        np.cumsum(sizes, out=start[1:])
        pos = start[s] + self.flat[m] - self.start[blocks[s]]  # flat position among the chosen frames' blocks
        cuts = np.unique(np.concatenate([np.searchsorted(start[:-1], np.arange(0, int(start[-1]), BLOCK_CHUNK)),
                                         [0, blocks.size]])).tolist()
        shape = self.shape[blocks].tolist()
        out = []
        for j0, j1 in zip(cuts[:-1], cuts[1:]):
            base, end = int(start[j0]), int(start[j1])
            p0, p1 = np.searchsorted(s, [j0, j1]).tolist()
            buf = np.zeros(end - base)
            buf[pos[p0:p1] - base] = score[members[p0:p1]]
            buf = -buf  # as iter_blocks(negate=True): the zeros off the candidates are -0.0 there too
            rows, cols, firsts, widths = [], [], [], []
            for a, (r, c) in zip(start[j0:j1].tolist(), shape[j0:j1]):
                r_ind, c_ind = linear_sum_assignment(buf[a - base:a - base + r * c].reshape(r, c))
                rows.append(r_ind)
                cols.append(c_ind)
                firsts.append(a - base)
                widths.append(c)
            counts = [x.size for x in rows]
            flat = (np.repeat(firsts, counts) + np.concatenate(rows) * np.repeat(widths, counts)
                    + np.concatenate(cols))
            index = np.full(end - base, -1, np.int64)
            index[pos[p0:p1] - base] = members[p0:p1]
            picked = index[flat]
            out.append(picked[picked >= 0])
        return np.concatenate(out)


def solve_block(cost_block: np.ndarray, index_block: np.ndarray) -> np.ndarray:
    """Candidate indices chosen by the Hungarian minimising the block's cost (negated score)."""
    chosen = index_block[linear_sum_assignment(cost_block)]
    return chosen[chosen >= 0]


def assign(gt_rows: np.ndarray, tr_rows: np.ndarray, score: np.ndarray,
           gt_offsets: np.ndarray, tr_offsets: np.ndarray, by_tracker: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask over frame-sorted candidate pairs (all with positive score) chosen by a
    per-frame maximum assignment, identical to TrackEval's dense Hungarian (``by_tracker``: see
    ``ContestedFrames.unique_optimum``)."""
    if score.size == 0:
        return np.zeros(0, bool)
    frames = ContestedFrames(gt_rows, tr_rows, gt_offsets, tr_offsets)
    chosen = frames.uncontested.copy()
    if frames.frames.size:
        chosen[frames.members] = False
        settled_pairs, settled = frames.unique_optimum(score, gt_rows, tr_rows, by_tracker)
        chosen[settled_pairs] = True
        chosen[frames.solve(score, np.flatnonzero(~settled))] = True  # the frames left to the solver
    return chosen
