"""CLEAR's per-frame matching with a Python step only on the frames that need one.

A contested frame's scores depend on the previous processed frame's matches (+``BONUS`` for a pair
that continues), so TrackEval solves frame after frame. Here the matches are first guessed for all
frames at once, twice over: the bonus is read off the current guess, every frame whose optimum under
it is unique (``ContestedFrames.unique_optimum``) takes that optimum without the solver, the others
are solved on it. Then one walk in frame order keeps a frame's guess only when it is provably
TrackEval's answer: the frame's bonus is the one read off the final guess, and its previous frame's
matches are the final ones. Every other frame (whose bonus moved in the last round, or whose
previous frame's matches changed in the walk) is solved again on the bonus of the final matches.
"""
from __future__ import annotations

import numpy as np

from ..assignment import ContestedFrames, solve_block

BONUS = 1000
GUESS_ROUNDS = 2  # rounds of guessing (measured on MOT17-train: a third one costs more than it saves)


def continued_pair(gt_id: np.ndarray, tr_id: np.ndarray, step: np.ndarray) -> np.ndarray:
    """For each candidate, the candidate with the same (gt id, tracker id) in the previous processed
    frame (``step`` - 1), or -1."""
    code = gt_id.astype(np.int64) * (int(tr_id.max(initial=0)) + 1) + tr_id
    order = np.lexsort((step, code))
    c, s = code[order], step[order]
    follows = np.zeros(order.size, bool)
    follows[1:] = (c[1:] == c[:-1]) & (s[1:] == s[:-1] + 1)
    pred = np.full(order.size, -1, np.int64)
    pred[order[1:][follows[1:]]] = order[:-1][follows[1:]]
    return pred


def clear_choice(frames: ContestedFrames, g_rows: np.ndarray, t_rows: np.ndarray,
                 sim: np.ndarray, pred: np.ndarray, prev_block: np.ndarray, shortcut: bool = True) -> np.ndarray:
    """Boolean mask over the candidates chosen by TrackEval's CLEAR frame loop.

    ``pred``: ``continued_pair``; ``prev_block[k]``: the contested-frame number of the processed
    frame before contested frame ``k`` when that frame is contested too, else -1. ``shortcut`` False
    solves every contested frame (the reference path the tests compare against)."""
    chosen = frames.uncontested.copy()
    members, k_of = frames.members, frames.member_block
    n_blocks = frames.frames.size
    if not n_blocks:
        return chosen
    chosen[members] = False
    m_pred = pred[members]
    has_pred = m_pred >= 0
    m_pred_safe = np.where(has_pred, m_pred, 0)

    def bonus_of(mask: np.ndarray) -> np.ndarray:
        return has_pred & mask[m_pred_safe]

    guess = chosen.copy()
    used = bonus_of(guess)
    settled = np.zeros(n_blocks, bool)
    if shortcut and bool(np.all(sim[members] > 0)):  # the unique optimum needs every candidate above the zeros
        score = sim.copy()
        for _ in range(GUESS_ROUNDS):
            used = bonus_of(guess)
            score[members] = np.where(used, sim[members] + BONUS, sim[members])
            picked, settled = frames.unique_optimum(score, g_rows, t_rows)
            nxt = chosen.copy()
            nxt[picked] = True
            # the other frames solved on this guess's bonus: every frame's answer to it
            nxt[frames.solve(score, np.flatnonzero(~settled))] = True
            if np.array_equal(nxt, guess):
                break
            guess = nxt
        # the walk must solve again the frames whose bonus moved in the last round
        settled = np.bincount(k_of[used != bonus_of(guess)], minlength=n_blocks) == 0
    # the frames the walk solves; every other frame keeps its guess while its previous frame does
    solve = np.flatnonzero(~settled).tolist()
    chosen = guess.copy()
    bounds = np.searchsorted(k_of, np.arange(n_blocks + 1)).tolist()
    pos, pending = 0, -1
    while pos < len(solve) or pending >= 0:
        if pending >= 0 and (pos >= len(solve) or pending <= solve[pos]):
            k = pending
            pos += pos < len(solve) and solve[pos] == k
        else:
            k = solve[pos]
            pos += 1
        pending = -1
        lo, hi = bounds[k], bounds[k + 1]
        mem = members[lo:hi]
        bonus = has_pred[lo:hi] & chosen[m_pred_safe[lo:hi]]
        cost, index = frame_matrix(frames, k, lo, hi, -np.where(bonus, sim[mem] + BONUS, sim[mem]), mem)
        chosen[mem] = False
        chosen[solve_block(cost, index)] = True
        if k + 1 < n_blocks and prev_block[k + 1] == k and not np.array_equal(guess[mem], chosen[mem]):
            pending = k + 1  # its guess was read off this frame's guessed matches
    return chosen


def frame_matrix(frames: ContestedFrames, k: int, lo: int, hi: int, cost: np.ndarray,
                  mem: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Contested frame ``k``'s dense cost matrix (zeros off the candidates) and candidate-index map."""
    rows, cols = frames.shape[k].tolist()
    pos = frames.flat[lo:hi] - frames.start[k]
    buf = np.zeros(rows * cols)
    buf[pos] = cost
    index = np.full(rows * cols, -1, np.int64)
    index[pos] = mem
    return buf.reshape(rows, cols), index.reshape(rows, cols)
