"""One sequence x tracker evaluated at successive, nested kept sets of a score sweep, reusing what the
kept sets share. Every number is identical to ``evaluate_sequence(prepare(...))`` on the kept rows
(the plain evaluation of the filtered file; tests/core/test_sweep_reuse.py checks it field by field).

Computed once per tracker: the ground-truth x tracker similarities; the ground truth's preprocessing
and relabelling (the ground truth is never filtered); the tracker's ids ranked over all its rows; the
(gt id, tracker id) pair of every similarity. Per kept set (largest first, each inside the previous):

- the distractor matching only in the frames that lost a box (each frame is matched on its own), and
  of those only in frames where a pair at IoU >= 0.5 touches a distractor (nowhere else is a box removed);
- the ``EvalSequence`` by masks: ids relabelled by a cumulative count of the ids present, which is
  ``np.unique``'s ranking without its sort;
- HOTA's sums per id pair by ``bincount`` over the precomputed id-pair index: the same additions in
  the same order as over ``np.unique``'s index, so the same bits;
- CLEAR's per-frame Hungarian only where its input can differ from the previous kept set's. A frame's
  matrix is set by its own boxes and by the pairs matched in the previous processed frame (the
  continuation bonus compares ids, which relabelling keeps equal or not). So a frame keeps its answer
  when it lost no box, its previous processed frame is the same, and that frame's answer is unchanged.
  Every other contested frame is guessed, all at once (``unique_optimum``, the solver on the rest),
  on the bonus read off its previous frame's answer as it stands; then again, for ``GUESS_ROUNDS``,
  every frame whose previous frame's answer moved since its bonus was read. A frame keeps its guess
  when its previous frame's final answer is exactly the snapshot its bonus was read off; the others
  are solved one by one in frame order, and a changed answer sends the next processed frame after.

The HOTA matching is solved again in full at every kept set: its global alignment sums each id
pair's similarities over the whole sequence, so one removed box changes the scores of every frame of
the ids it touches (measured on MOT17 BoTSORT: 95-100 % of frames at each step).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from .assignment import ContestedFrames, assign, solve_block
from .detections import Detections, frame_offsets
from .metrics import clear, count, hota, identity
from .metrics.clear_frames import frame_matrix
from .prepare import (PEDESTRIAN, EvalSequence, _check_gt_classes, _check_tracker_classes, distractor_classes,
                      distractor_rows, removes_distractors)
from .similarity import EPS, Pairs, box_pairs

GUESS_ROUNDS = 2  # rounds of guessing CLEAR's frames before the walk (measured on MOT17 BoTSORT)


class Distractors:
    """The distractor matching of successive, nested kept sets, each frame matched again only when a
    box of it has gone since the previous set (a frame is matched on its own: same boxes, same answer)."""

    def __init__(self, gt: Detections, tr: Detections, pairs: Pairs, benchmark: str):
        self.gt, self.tr, self.benchmark = gt, tr, benchmark
        near = pairs.sim >= 0.5 - EPS  # the only pairs the distractor matching looks at
        # and of those only the frames where one touches a distractor: elsewhere nothing is removed
        frame = gt.frame[pairs.gt] - 1
        with_distractor = np.zeros(gt.num_frames, bool)
        with_distractor[frame[near & np.isin(gt.cls[pairs.gt], distractor_classes(benchmark))]] = True
        near &= with_distractor[frame]
        self.pairs = Pairs(pairs.gt[near], pairs.tr[near], pairs.sim[near])
        self.frame = frame[near]
        self.rows: np.ndarray | None = None  # the previous kept rows
        self.removed = np.zeros(0, np.int64)  # the previous answer, as rows of ``tr``

    def update(self, rows: np.ndarray) -> np.ndarray:
        """The tracker rows removed when ``rows`` (sorted) are kept, as positions in ``rows``."""
        tr = self.tr
        pos = np.full(len(tr), -1, np.int64)
        pos[rows] = np.arange(rows.size)
        changed = np.ones(self.gt.num_frames, bool)
        if self.rows is not None:
            changed[:] = False
            changed[tr.frame[self.rows[pos[self.rows] < 0]] - 1] = True  # the frames that lost a box
        on = changed[self.frame] & (pos[self.pairs.tr] >= 0)  # kept pairs of the frames to match again
        fresh = np.zeros(0, np.int64)
        if on.any():
            near = Pairs(self.pairs.gt[on], pos[self.pairs.tr[on]], self.pairs.sim[on])
            fresh = rows[distractor_rows(self.gt, tr.take(rows), near, self.benchmark)]
        kept = self.removed[~changed[tr.frame[self.removed] - 1]]
        self.rows, self.removed = rows, np.union1d(kept, fresh)
        return np.searchsorted(rows, self.removed)


@dataclass
class _ClearState:
    """CLEAR's answer at the previous kept set: tracker rows kept (after preprocessing), chosen pairs
    (over ``TrackerSweep.pairs``) and each frame's previous processed frame."""

    kept: np.ndarray
    chosen: np.ndarray
    prev_of: np.ndarray


class TrackerSweep:
    """``evaluate(rows)`` for nested kept sets given largest first: the metric dict of the tracker
    restricted to ``rows`` (sorted tracker rows), as the plain evaluation gives it."""

    def __init__(self, name: str, gt: Detections, tr: Detections, benchmark: str, preprocess: bool,
                 threshold: float):
        self.name, self.gt, self.tr, self.benchmark, self.threshold = name, gt, tr, benchmark, threshold
        self.all_pairs = box_pairs(gt.box, gt.offsets, tr.box, tr.offsets)
        self.mot = removes_distractors(benchmark, preprocess)
        if self.mot:
            _check_gt_classes(gt)
        self.distractors = Distractors(gt, tr, self.all_pairs, benchmark) if self.mot else None
        consider = np.trunc(gt.conf) != 0
        self.gt_rows = np.flatnonzero(consider & (gt.cls == PEDESTRIAN) if self.mot else consider)
        gt_pos = np.full(len(gt), -1, np.int64)
        gt_pos[self.gt_rows] = np.arange(self.gt_rows.size)
        self.gt_offsets = frame_offsets(gt.frame[self.gt_rows], gt.num_frames)
        self.gt_ids, gt_idx = np.unique(gt.id[self.gt_rows], return_inverse=True)
        self.gt_idx = gt_idx.astype(np.int64).ravel()
        # The pairs of kept ground truth: gt as positions among the kept, tracker as rows of ``tr``.
        on = gt_pos[self.all_pairs.gt] >= 0
        self.pairs = Pairs(gt_pos[self.all_pairs.gt[on]], self.all_pairs.tr[on], self.all_pairs.sim[on])
        self.tr_ids, tr_idx = np.unique(tr.id, return_inverse=True)  # every id of the file, ranked
        self.tr_idx = tr_idx.astype(np.int64).ravel()
        code = self.gt_idx[self.pairs.gt] * np.int64(max(self.tr_ids.size, 1)) + self.tr_idx[self.pairs.tr]
        id_pairs, self.id_pair = np.unique(code, return_inverse=True)  # sorted as (gt id, tracker id)
        self.id_pair = self.id_pair.ravel()
        self.id_pair_gt = id_pairs // max(self.tr_ids.size, 1)
        self.id_pair_tr = id_pairs % max(self.tr_ids.size, 1)
        self.by_tracker = np.argsort(self.pairs.tr, kind="stable")  # the pairs in tracker-row order
        self.pair_frame = gt.frame[self.gt_rows[self.pairs.gt]] - 1
        self.pair_at = np.searchsorted(self.pair_frame, np.arange(gt.num_frames + 1)).tolist()
        self.state: _ClearState | None = None

    def evaluate(self, rows: np.ndarray) -> dict:
        tr = self.tr
        if (tr.cls[rows] > PEDESTRIAN).any():
            _check_tracker_classes(tr.take(rows))
        removed = np.zeros(0, np.int64)
        if self.distractors is not None:
            removed = self.distractors.update(rows)
        kept = np.zeros(len(tr), bool)
        kept[rows] = True
        kept[rows[removed]] = False
        seq, on, relabel = self._sequence(rows, kept, removed)
        h = self._hota(seq, on, relabel)
        c = self._clear(seq, on, kept)
        i, _ = identity.evaluate(seq, self.threshold, self._identity(seq, on, relabel))
        return {**h, **c, **i, **count.evaluate(seq)}

    def _sequence(self, rows: np.ndarray, kept: np.ndarray, removed: np.ndarray
                  ) -> tuple[EvalSequence, np.ndarray, np.ndarray]:
        """``prepare``'s sequence for the kept rows; the mask of ``self.pairs`` it holds; and the new
        index of each tracker id (-1 for an id with no kept row)."""
        tr = self.tr
        kept_rows = np.flatnonzero(kept)
        tr_pos = np.full(len(tr), -1, np.int64)
        tr_pos[kept_rows] = np.arange(kept_rows.size)
        on = kept[self.pairs.tr]
        pairs = Pairs(self.pairs.gt[on], tr_pos[self.pairs.tr[on]], self.pairs.sim[on])
        present = np.bincount(self.tr_idx[kept_rows], minlength=self.tr_ids.size) > 0
        relabel = np.where(present, np.cumsum(present) - 1, -1)
        seq = EvalSequence(
            name=self.name, num_frames=self.gt.num_frames, gt_rows=self.gt_rows,
            tr_rows=np.searchsorted(rows, kept_rows), gt_offsets=self.gt_offsets,
            tr_offsets=frame_offsets(tr.frame[kept_rows], tr.num_frames), gt_idx=self.gt_idx,
            tr_idx=relabel[self.tr_idx[kept_rows]], gt_ids=self.gt_ids, tr_ids=self.tr_ids[present], pairs=pairs,
            removed_tr_rows=removed,
        )
        return seq, on, relabel

    def _hota(self, seq: EvalSequence, on: np.ndarray, relabel: np.ndarray) -> dict:
        """``hota.evaluate`` with the id pairs indexed once for all kept sets."""
        if seq.num_tr_dets == 0 or seq.num_gt_dets == 0:
            return hota.empty_result(seq.num_gt_dets, seq.num_tr_dets)
        p = seq.pairs
        id_pair = self.id_pair[on]
        gt_count, tr_count, soft = hota.alignment_terms(seq)
        potential = np.bincount(id_pair, weights=soft, minlength=self.id_pair_gt.size)[id_pair]
        score = potential / (gt_count[seq.gt_idx[p.gt]] + tr_count[seq.tr_idx[p.tr]] - potential) * p.sim
        cand = np.flatnonzero(score > 0)
        at = np.full(self.pairs.sim.size, -1, np.int64)  # each pair of ``self.pairs`` as a candidate
        at[np.flatnonzero(on)[cand]] = np.arange(cand.size)
        by_tracker = at[self.by_tracker]
        index = cand[assign(p.gt[cand], p.tr[cand], score[cand], seq.gt_offsets, seq.tr_offsets,
                            by_tracker[by_tracker >= 0])]
        levels = hota.alpha_levels(p.sim[index])
        # ``fields_from_levels``'s per-id-pair tallies, id pairs in the same (gt, tracker) order
        width = hota.NUM_ALPHAS + 1
        matched = id_pair[index]
        has = np.zeros(self.id_pair_gt.size, bool)
        has[matched] = True
        slot = np.cumsum(has) - 1
        used = np.flatnonzero(has)
        hist = np.bincount(slot[matched] * width + levels, minlength=used.size * width).reshape(used.size, width)
        tp = hota._above(np.bincount(levels, minlength=width)).astype(float)
        loc_sum = hota._loc_sums(p.sim[index], levels)
        return hota._fields(seq, tp, loc_sum, self.id_pair_gt[used], relabel[self.id_pair_tr[used]],
                            hota._above(hist).astype(float))

    def _identity(self, seq: EvalSequence, on: np.ndarray, relabel: np.ndarray) -> identity.IdentityMatches:
        """``identity.match``, the frames of each id pair counted over the precomputed id-pair index."""
        id_pair = self.id_pair[on][seq.pairs.sim >= self.threshold]
        counts = np.bincount(id_pair, minlength=self.id_pair_gt.size)
        used = np.flatnonzero(counts)
        return identity.match_id_pairs(seq.num_gt_ids, self.id_pair_gt[used], relabel[self.id_pair_tr[used]],
                                       counts[used], self.threshold)

    def _clear(self, seq: EvalSequence, on: np.ndarray, kept: np.ndarray) -> dict:
        """``clear.evaluate``, the contested frames whose input is unchanged taking their previous answer."""
        p, threshold = seq.pairs, self.threshold
        processed = np.flatnonzero((np.diff(seq.gt_offsets) > 0) & (np.diff(seq.tr_offsets) > 0))
        prev_of = np.full(seq.num_frames, -1, np.int64)
        prev_of[processed[1:]] = processed[:-1]
        state, self.state = self.state, _ClearState(kept, np.zeros(self.pairs.sim.size, bool), prev_of)
        if seq.num_tr_dets == 0 or seq.num_gt_dets == 0:
            return clear.empty_result(seq)
        global_of = np.flatnonzero(on)  # each pair of ``seq`` as an index into ``self.pairs``
        cand = np.flatnonzero(p.sim >= threshold - EPS)
        if state is None:
            matches = clear.match(seq, threshold)
        else:
            chosen = self._clear_chosen(seq, cand, global_of[cand], state, kept, prev_of, processed)
            matches = clear._flag_events(seq, cand[chosen], processed, threshold)
        self.state.chosen[global_of[matches.pair_index]] = True
        return clear.evaluate(seq, threshold, matches)[0]

    def _clear_chosen(self, seq: EvalSequence, cand: np.ndarray, cand_global: np.ndarray, state: _ClearState,
                      kept: np.ndarray, prev_of: np.ndarray, processed: np.ndarray) -> np.ndarray:
        """CLEAR's chosen candidates (mask over ``cand``): ``clear.match``'s answer, the contested frames
        whose matrix can differ from the previous kept set's guessed at once (``_guess``), and only
        the frames whose guess is not provably right solved one by one, in frame order."""
        p = seq.pairs
        g_rows, t_rows, sim = p.gt[cand], p.tr[cand], p.sim[cand]
        frames = ContestedFrames(g_rows, t_rows, seq.gt_offsets, seq.tr_offsets)
        chosen = frames.uncontested.copy()
        if not frames.frames.size:
            return chosen
        lost_box = np.zeros(seq.num_frames, bool)
        lost_box[self.tr.frame[state.kept & ~kept] - 1] = True
        contested = np.zeros(seq.num_frames, bool)
        contested[frames.frames] = True
        # changed[f]: the pairs matched in frame f differ from the previous kept set's. Known now for
        # frames without a contested pair (their matches are their uncontested candidates).
        now = np.zeros(self.pairs.sim.size, bool)
        now[cand_global[frames.uncontested]] = True
        changed = np.zeros(seq.num_frames, bool)
        changed[self.pair_frame[now != state.chosen]] = True
        changed &= ~contested
        # A contested frame's matrix is set by its boxes and by the pairs matched in its previous
        # processed frame: dirty when it lost a box, its previous processed frame is another one, or
        # that frame's matches changed. Every other contested frame starts from its previous answer.
        prev_changed = (prev_of >= 0) & changed[prev_of]
        dirty = contested & (lost_box | (prev_of != state.prev_of) | prev_changed)
        chosen[frames.members] = state.chosen[cand_global[frames.members]]
        gt_id, tr_id = seq.gt_idx[g_rows], seq.tr_idx[t_rows]
        # Guessed in rounds, a round's frames all at once, each on the bonus read off ``chosen`` as the
        # round starts: first the dirty frames, then every frame whose input has moved since it was
        # read (a clean frame's input is the previous kept set's answer). A frame keeps its guess when
        # its previous processed frame's final answer is its input; the others are solved one by one.
        prev = prev_of[frames.frames]
        safe = np.maximum(prev, 0)
        round_of = np.zeros(frames.frames.size, np.int64)  # whose snapshot a frame's input is (0: previous kept set)
        snapshots = [state.chosen]  # 0: the previous kept set's answer (over ``self.pairs``, compared as ``now``)
        blocks = np.flatnonzero(dirty[frames.frames])
        for r in range(1, GUESS_ROUNDS + 1):
            snapshots.append(chosen.copy())
            self._guess(seq, frames, blocks, chosen, gt_id, tr_id, g_rows, t_rows, sim, prev_of)
            round_of[blocks] = r
            moved = np.zeros((r + 1, seq.num_frames), bool)  # moved[j, f]: f's answer is not snapshot j's
            now = np.zeros(self.pairs.sim.size, bool)
            now[cand_global[chosen]] = True
            moved[0, self.pair_frame[now != state.chosen]] = True
            for j in range(1, r + 1):
                moved[j, frames.pair_frame[chosen != snapshots[j]]] = True
            blocks = np.flatnonzero((prev >= 0) & moved[round_of, safe])
            if not blocks.size:
                break
        return self._walk(seq, frames, chosen, frames.frames[blocks].tolist(), gt_id, tr_id, sim, prev_of, processed)

    @staticmethod
    def _guess(seq: EvalSequence, frames: ContestedFrames, blocks: np.ndarray, chosen: np.ndarray, gt_id: np.ndarray,
               tr_id: np.ndarray, g_rows: np.ndarray, t_rows: np.ndarray, sim: np.ndarray, prev_of: np.ndarray) -> None:
        """Contested frames ``frames.frames[blocks]`` answered in ``chosen``, all at once, on the bonus
        read off ``chosen`` as it is: SciPy's answer by ``unique_optimum`` where it settles the frame,
        the solver's elsewhere (as ``clear_frames.clear_choice`` guesses)."""
        if not blocks.size:
            return
        in_blocks = np.zeros(frames.frames.size, bool)
        in_blocks[blocks] = True
        mem = frames.members[in_blocks[frames.member_block]]  # every candidate of those frames
        prev = prev_of[frames.pair_frame[mem]]
        # bonus: the member's (gt id, tracker id) matched in its previous processed frame
        n_gt = np.int64(max(seq.num_gt_ids, 1))
        is_prev = np.zeros(seq.num_frames, bool)
        is_prev[prev[prev >= 0]] = True
        matched = np.flatnonzero(chosen & is_prev[frames.pair_frame])
        key = frames.pair_frame[matched] * n_gt + gt_id[matched]
        order = np.argsort(key, kind="stable")
        key, matched_tr = key[order], tr_id[matched[order]]
        bonus = np.zeros(mem.size, bool)
        if key.size:
            want = prev * n_gt + gt_id[mem]
            at = np.minimum(np.searchsorted(key, want), key.size - 1)
            bonus = (prev >= 0) & (key[at] == want) & (matched_tr[at] == tr_id[mem])
        score = np.where(bonus, sim[mem] + clear.BONUS, sim[mem])
        sub = ContestedFrames(g_rows[mem], t_rows[mem], seq.gt_offsets, seq.tr_offsets)
        settled = np.zeros(sub.frames.size, bool)
        chosen[mem] = False
        if bool(np.all(sim[mem] > 0)):  # the unique optimum needs every candidate above the zeros
            picked, settled = sub.unique_optimum(score, g_rows[mem], t_rows[mem])
            chosen[mem[picked]] = True
        chosen[mem[sub.solve(score, np.flatnonzero(~settled))]] = True

    def _walk(self, seq: EvalSequence, frames: ContestedFrames, chosen: np.ndarray, todo: list[int],
              gt_id: np.ndarray, tr_id: np.ndarray, sim: np.ndarray, prev_of: np.ndarray,
              processed: np.ndarray) -> np.ndarray:
        """``todo`` (sorted contested frames) solved again in frame order on the bonus of their
        previous processed frame's final answer; a changed answer sends the next processed frame after."""
        block_of = np.full(seq.num_frames, -1, np.int64)
        block_of[frames.frames] = np.arange(frames.frames.size)
        next_of = np.full(seq.num_frames, -1, np.int64)
        next_of[processed[:-1]] = processed[1:]
        matched_tr = np.full(seq.num_gt_ids, -1, np.int64)
        member_at = np.searchsorted(frames.member_block, np.arange(frames.frames.size + 1)).tolist()
        cand_at = np.searchsorted(frames.pair_frame, np.arange(seq.num_frames + 1)).tolist()
        queued = set(todo)
        while todo:
            f = heapq.heappop(todo)  # frame order: a frame's previous processed frame is final
            b = int(block_of[f])
            members = frames.members[member_at[b]:member_at[b + 1]]
            p_f = int(prev_of[f])
            lo, hi = (cand_at[p_f], cand_at[p_f + 1]) if p_f >= 0 else (0, 0)
            prev = np.flatnonzero(chosen[lo:hi]) + lo
            matched_tr[gt_id[prev]] = tr_id[prev]
            member_cost = -sim[members] - clear.BONUS * (matched_tr[gt_id[members]] == tr_id[members])
            matched_tr[gt_id[prev]] = -1
            # TrackEval's dense matrix, as clear.match lays it out
            cost, index = frame_matrix(frames, b, member_at[b], member_at[b + 1], member_cost, members)
            c0, c1 = cand_at[f], cand_at[f + 1]
            old = chosen[c0:c1].copy()
            chosen[members] = False
            chosen[solve_block(cost, index)] = True
            if not np.array_equal(chosen[c0:c1], old):
                n = int(next_of[f])
                if n >= 0 and block_of[n] >= 0 and n not in queued:
                    queued.add(n)
                    heapq.heappush(todo, n)
        return chosen
