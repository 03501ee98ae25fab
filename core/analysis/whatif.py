"""What-if: where HOTA would go if one kind of error were fixed by an oracle.

Every fix is a counterfactual *edit of the tracker output*, decided from the baseline HOTA matching,
followed by a full re-evaluation of the edited output with the very same pipeline (``prepare`` +
the HOTA metric that ``evaluate_sequence`` runs). So every fixed score is the real HOTA of a real
tracker output, with TrackEval's preprocessing, matching and association rules, and never the
result of editing the formula. Only the IoUs are not computed again: every edited box is an unedited
tracker box or a copy of a ground-truth box, so its IoUs are taken from gt x tracker or gt x gt
(``_edited_pairs``; bit-identical to computing them, tested against plain re-evaluations). The precise definitions are in ``docs/whatif.md``; in short, with
"labelled" meaning "a true positive of the baseline HOTA matching at the lowest alpha (0.05)":

* ``fix_localisation``: every labelled tracker box is replaced by its ground-truth box.
* ``fix_false_negatives``: every evaluated ground-truth box without a label gets a tracker box equal
  to it, with the tracker id that covers its ground-truth id most when that id is free in the frame,
  otherwise one fresh id per ground-truth id.
* ``fix_false_positives``: every evaluated tracker box without a label is deleted.
* ``fix_splits``: every labelled box is relabelled to the dominant tracker id of its ground-truth
  id, unless that would put one id twice in a frame.
* ``fix_merges``: labelled boxes of a tracker id whose ground-truth id is not the dominant one of
  that tracker id get a fresh id per (tracker id, ground-truth id).
* ``fix_all``: false positives, false negatives, localisation, merges, splits, in this order.

Boxes that preprocessing removed (matched to a distractor) are neither true nor false positives:
no fix moves or deletes them, and they never block an id an edit needs; when one would share its
id with an edited box of its frame (TrackEval checks duplicate ids before preprocessing), it alone
gets a fresh id.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..detections import Detections
from ..metrics import hota
from ..prepare import EvalSequence, prepare
from ..similarity import Pairs, box_pairs

BASELINE = "baseline"
FIXES = ("fix_localisation", "fix_false_negatives", "fix_false_positives", "fix_splits", "fix_merges", "fix_all")
FIX_ALL_ORDER = ("fix_false_positives", "fix_false_negatives", "fix_localisation", "fix_merges", "fix_splits")
SCORE_FIELDS = ("HOTA", "DetA", "AssA", "LocA")
ADDED_CLASS = -1  # column 8 of added tracker boxes ("not given", as submissions write it)


# ----------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class FixScore:
    """HOTA of one (possibly edited) tracker output. Scores are means over the 19 alphas, as
    TrackEval reports them; ``hota`` is the full TrackEval HOTA dict of the re-evaluation."""

    fix: str
    HOTA: float
    DetA: float
    AssA: float
    LocA: float
    delta_HOTA: float
    edits: int
    hota: dict = field(repr=False, compare=False)


@dataclass(frozen=True)
class WhatIf:
    """The baseline and every fix of one sequence x tracker."""

    sequence: str
    rows: tuple[FixScore, ...]  # baseline first, then FIXES in order

    @property
    def baseline(self) -> FixScore:
        return self.rows[0]

    def __getitem__(self, fix: str) -> FixScore:
        for row in self.rows:
            if row.fix == fix:
                return row
        raise KeyError(fix)

    def gain(self, fix: str) -> float:
        """HOTA gain of a fix over the baseline (``delta_HOTA``)."""
        return self[fix].delta_HOTA

    def to_pandas(self) -> pd.DataFrame:
        """One row per fix (baseline first): fix, HOTA, DetA, AssA, LocA, delta_HOTA, edits."""
        cols = ("fix",) + SCORE_FIELDS + ("delta_HOTA", "edits")
        return pd.DataFrame({c: [getattr(r, c) for r in self.rows] for c in cols})


# ----------------------------------------------------------------------------------------------
# Public API


def what_if(gt: Detections, tr: Detections, name: str, benchmark: str = "MOT17",
            preprocess: bool = True) -> pd.DataFrame:
    """The what-if table of one sequence x tracker (see ``what_if_result``)."""
    return what_if_result(gt, tr, name, benchmark=benchmark, preprocess=preprocess).to_pandas()


def what_if_result(gt: Detections, tr: Detections, name: str, benchmark: str = "MOT17",
                   preprocess: bool = True) -> WhatIf:
    """Baseline HOTA, then HOTA after each fix in ``FIXES`` (one full re-evaluation per fix)."""
    base = _baseline(gt, tr, name, benchmark, preprocess)
    rows = [_score_row(BASELINE, base.result, None, 0)]
    for fix in FIXES:
        state = _apply(fix, base).in_file_order()
        pairs, removed = _edited_pairs(state, base)
        res, _, _ = _hota(name, gt, state.detections(tr), benchmark, preprocess, pairs, removed)
        rows.append(_score_row(fix, res, rows[0].HOTA, state.edits))
    return WhatIf(name, tuple(rows))


def edit_tracker(gt: Detections, tr: Detections, fix: str, name: str = "", benchmark: str = "MOT17",
                 preprocess: bool = True) -> Detections:
    """The edited tracker output of one fix (what ``what_if`` re-evaluates), e.g. to write it out."""
    if fix == BASELINE:
        return tr
    return _apply(fix, _baseline(gt, tr, name, benchmark, preprocess)).detections(tr)


# ----------------------------------------------------------------------------------------------
# Baseline labelling


@dataclass(frozen=True)
class _Baseline:
    gt: Detections
    tracker: Detections
    result: dict  # TrackEval HOTA dict of the unedited output
    label: np.ndarray  # per tracker row: the gt row it is a TP of at alpha 0.05, else -1
    frozen: np.ndarray  # per tracker row: removed by preprocessing (never edited)
    gt_eval: np.ndarray  # evaluated gt rows (kept by preprocessing)
    first_fresh: int  # first id above every tracker id
    pairs: Pairs  # IoUs of gt x the unedited tracker rows
    removed: np.ndarray  # tracker rows preprocessing removed
    cache: dict = field(default_factory=dict, compare=False)

    def gt_self_pairs(self) -> Pairs:
        """IoUs of gt x gt (the IoUs of a tracker box copied from a gt box), computed once."""
        if "gt" not in self.cache:
            self.cache["gt"] = box_pairs(self.gt.box, self.gt.offsets, self.gt.box, self.gt.offsets)
        return self.cache["gt"]


def _hota(name: str, gt: Detections, tr: Detections, benchmark: str, preprocess: bool,
          pairs: Pairs | None = None, removed: np.ndarray | None = None,
          ) -> tuple[dict, hota.HotaMatches | None, EvalSequence]:
    """The HOTA part of ``evaluate_sequence`` (same ``prepare``, same ``hota.evaluate``), without
    the CLEAR and Identity passes the what-if does not need; ``pairs``/``removed`` as ``prepare``
    takes them when already known."""
    seq = prepare(name, gt, tr, benchmark=benchmark, preprocess=preprocess, pairs=pairs, removed=removed)
    res, matches = hota.evaluate(seq)
    return res, matches, seq


def _baseline(gt: Detections, tr: Detections, name: str, benchmark: str, preprocess: bool) -> _Baseline:
    pairs = box_pairs(gt.box, gt.offsets, tr.box, tr.offsets)
    res, matches, seq = _hota(name, gt, tr, benchmark, preprocess, pairs)
    label = np.full(len(tr), -1, np.int64)
    if matches is not None:
        tp = matches.pair_index[matches.levels >= 1]
        label[seq.tr_rows[seq.pairs.tr[tp]]] = seq.gt_rows[seq.pairs.gt[tp]]
    frozen = np.zeros(len(tr), bool)
    frozen[seq.removed_tr_rows] = True
    first_fresh = int(tr.id.max()) + 1 if len(tr) else 1  # ids are >= 0 (the reader rejects negatives)
    return _Baseline(gt, tr, res, label, frozen, seq.gt_rows, first_fresh, pairs, seq.removed_tr_rows)


def _edited_pairs(s: "_State", base: _Baseline) -> tuple[Pairs | None, np.ndarray | None]:
    """The IoU pairs of an edited output (``s`` in file order) without computing an IoU again, and its
    distractor-matched rows when its boxes are the unedited ones (only ids changed). Every edited box
    is an unedited tracker box or a copy of a ground-truth box, so its IoUs are those of the unedited
    row or those of that ground-truth box against the ground truth (``box_pairs(gt, gt)``, same
    arithmetic with the same operand order), put in ``box_pairs``' order. ``(None, None)`` (compute
    both afresh) if a box is neither."""
    tr, gt = base.tracker, base.gt
    n = s.order.size
    original = s.order < len(tr)
    from_tr = original.copy()
    from_tr[original] = (s.box[original] == tr.box[s.order[original]]).all(axis=1)
    copied = np.flatnonzero(~from_tr)
    if copied.size and ((s.label[copied] < 0).any() or np.unique(s.label[copied]).size < copied.size
                        or not (s.box[copied] == gt.box[s.label[copied]]).all()):
        return None, None
    if n == len(tr) and not copied.size and (s.order == np.arange(n)).all():
        return base.pairs, base.removed  # ids only: the same boxes in the same rows
    row_of = np.full(len(tr), -1, np.int64)
    row_of[s.order[from_tr]] = np.flatnonzero(from_tr)
    keep = row_of[base.pairs.tr] >= 0
    g, t, sim = [base.pairs.gt[keep]], [row_of[base.pairs.tr[keep]]], [base.pairs.sim[keep]]
    if copied.size:
        same = base.gt_self_pairs()
        copy_of = np.full(len(gt), -1, np.int64)
        copy_of[s.label[copied]] = copied
        hit = copy_of[same.tr] >= 0
        g.append(same.gt[hit])
        t.append(copy_of[same.tr[hit]])
        sim.append(same.sim[hit])
    g, t, sim = np.concatenate(g), np.concatenate(t), np.concatenate(sim)
    order = np.argsort(g * np.int64(max(n, 1)) + t, kind="stable")
    return Pairs(g[order], t[order], sim[order]), None


def _score_row(fix: str, res: dict, baseline_hota: float | None, edits: int) -> FixScore:
    means = {f: float(np.mean(res[f])) for f in SCORE_FIELDS}
    delta = 0.0 if baseline_hota is None else means["HOTA"] - baseline_hota
    return FixScore(fix=fix, **means, delta_HOTA=delta, edits=int(edits), hota=res)


# ----------------------------------------------------------------------------------------------
# The edited tracker output


@dataclass(frozen=True)
class _State:
    """A tracker output being edited: the columns of ``Detections`` plus, per row, its label (the
    gt row it is a TP of at alpha 0.05, -1 for none; added rows carry the gt row they copy),
    whether preprocessing removed it (``frozen``), whether an edit changed it, and an order key
    that keeps the file order inside a frame (added rows go last, in gt order)."""

    frame: np.ndarray
    id: np.ndarray
    box: np.ndarray
    conf: np.ndarray
    cls: np.ndarray
    vis: np.ndarray
    line: np.ndarray
    label: np.ndarray
    frozen: np.ndarray
    changed: np.ndarray
    order: np.ndarray
    deleted: int
    next_id: int

    @property
    def edits(self) -> int:
        """Boxes added, deleted, moved or relabelled."""
        return int(self.changed.sum()) + self.deleted

    def take(self, rows: np.ndarray) -> "_State":
        cols = {c: getattr(self, c)[rows] for c in _ROW_COLUMNS}
        return replace(self, **cols)

    def in_file_order(self) -> "_State":
        """The rows as ``detections`` writes them: by frame, file order inside a frame (added rows last)."""
        return self.take(np.lexsort((self.order, self.frame)))

    def detections(self, tr: Detections) -> Detections:
        s = self.in_file_order()
        return Detections(frame=s.frame, id=s.id, box=s.box, conf=s.conf, cls=s.cls, vis=s.vis, line=s.line,
                          num_frames=tr.num_frames, source=tr.source, ignored=tr.ignored)


_ROW_COLUMNS = ("frame", "id", "box", "conf", "cls", "vis", "line", "label", "frozen", "changed", "order")


def _initial(base: _Baseline, tr: Detections) -> _State:
    n = len(tr)
    return _State(frame=tr.frame.copy(), id=tr.id.astype(np.int64), box=tr.box.copy(), conf=tr.conf.copy(),
                  cls=tr.cls.copy(), vis=tr.vis.copy(), line=tr.line.copy(), label=base.label.copy(),
                  frozen=base.frozen.copy(), changed=np.zeros(n, bool), order=np.arange(n, dtype=np.int64),
                  deleted=0, next_id=base.first_fresh)


def _apply(fix: str, base: _Baseline) -> _State:
    if fix not in FIXES:
        raise ValueError(f"unknown fix {fix!r}; expected one of {', '.join(FIXES)}")
    state = _initial(base, base.tracker)
    steps = FIX_ALL_ORDER if fix == "fix_all" else (fix,)
    for step in steps:
        state = _EDITS[step](state, base)
    return state


# ----------------------------------------------------------------------------------------------
# Dominance and conflict-free relabelling


@dataclass(frozen=True)
class _Dominant:
    """For each distinct key (sorted): the partner it is labelled with most often; ties go to the
    partner first seen earliest, then to the smallest partner. ``count``/``first`` describe the
    chosen (key, partner) pair."""

    keys: np.ndarray
    partner: np.ndarray
    count: np.ndarray
    first: np.ndarray

    def lookup(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each key: its row in the table, whether it is there, and its partner (-1 if not)."""
        if self.keys.size == 0:
            return np.zeros(key.size, np.int64), np.zeros(key.size, bool), np.full(key.size, -1, np.int64)
        k = np.minimum(np.searchsorted(self.keys, key), self.keys.size - 1)
        has = self.keys[k] == key
        return k, has, np.where(has, self.partner[k], -1)


def _dominant(key: np.ndarray, partner: np.ndarray, frame: np.ndarray) -> _Dominant:
    if key.size == 0:
        z = np.zeros(0, np.int64)
        return _Dominant(z, z, z, z)
    order = np.lexsort((frame, partner, key))
    k, p, f = key[order], partner[order], frame[order]
    start = np.flatnonzero(np.r_[True, (k[1:] != k[:-1]) | (p[1:] != p[:-1])])
    count = np.diff(np.r_[start, k.size])
    gk, gp, gf = k[start], p[start], f[start]  # groups sorted by key
    best = np.lexsort((gp, gf, -count, gk))
    first_of_key = np.r_[True, gk[best][1:] != gk[best][:-1]]
    pick = best[first_of_key]
    return _Dominant(gk[pick], gp[pick], count[pick], gf[pick])


def _codes(frame: np.ndarray, ident: np.ndarray, span: int) -> np.ndarray:
    return frame.astype(np.int64) * span + ident


def _winners(frame: np.ndarray, target: np.ndarray, rank: np.ndarray, occupied: np.ndarray,
             span: int) -> np.ndarray:
    """Candidates that may take ``target`` in their frame: the id is not ``occupied`` there and no
    other candidate of the frame wanting it has a better (smaller) rank."""
    code = _codes(frame, target, span)
    free = np.flatnonzero(~np.isin(code, occupied))
    order = free[np.lexsort((rank[free], code[free]))]
    head = np.r_[True, code[order][1:] != code[order][:-1]] if order.size else np.zeros(0, bool)
    win = np.zeros(frame.size, bool)
    win[order[head]] = True
    return win


def _priority(count: np.ndarray, first: np.ndarray, gt_id: np.ndarray) -> np.ndarray:
    """Rank of claims on one id (0 = best): more labelled frames, then earlier, then smaller gt id."""
    rank = np.empty(count.size, np.int64)
    rank[np.lexsort((gt_id, first, -count))] = np.arange(count.size)
    return rank


def _fresh(keys: np.ndarray, next_id: int) -> tuple[np.ndarray, int]:
    """One fresh id per distinct key (in key order), starting at ``next_id``."""
    uniq, inv = np.unique(keys, return_inverse=True)
    return next_id + inv.ravel().astype(np.int64), next_id + uniq.size


# ----------------------------------------------------------------------------------------------
# The five edits (each takes and returns a _State; fix_all chains them)


def _fix_localisation(s: _State, base: _Baseline) -> _State:
    rows = np.flatnonzero(s.label >= 0)
    new = base.gt.box[s.label[rows]]
    moved = rows[(s.box[rows] != new).any(axis=1)]
    box, changed = s.box.copy(), s.changed.copy()
    box[rows] = new
    changed[moved] = True
    return replace(s, box=box, changed=changed)


def _fix_false_positives(s: _State, base: _Baseline) -> _State:
    keep = (s.label >= 0) | s.frozen
    out = s.take(np.flatnonzero(keep))
    return replace(out, deleted=s.deleted + int((~keep).sum()))


def _gt_dominance(s: _State, base: _Baseline) -> tuple[np.ndarray, np.ndarray, _Dominant]:
    rows = np.flatnonzero(s.label >= 0)
    gt_id = base.gt.id[s.label[rows]]
    return rows, gt_id, _dominant(gt_id, s.id[rows], s.frame[rows])


def _fix_false_negatives(s: _State, base: _Baseline) -> _State:
    gt = base.gt
    covered = np.zeros(len(gt), bool)
    covered[s.label[s.label >= 0]] = True
    missed = base.gt_eval[~covered[base.gt_eval]]
    if missed.size == 0:
        return s
    _, _, dom = _gt_dominance(s, base)
    g, f = gt.id[missed], gt.frame[missed]
    k, has, target = dom.lookup(g)
    span = int(max(s.id.max(initial=0), target.max(initial=0))) + 1
    cand = np.flatnonzero(has)
    rank = _priority(dom.count[k[cand]], dom.first[k[cand]], g[cand])
    live = ~s.frozen
    win = _winners(f[cand], target[cand], rank, _codes(s.frame[live], s.id[live], span), span)
    ident = np.full(missed.size, -1, np.int64)
    ident[cand[win]] = target[cand[win]]
    lose = ident < 0
    ident[lose], next_id = _fresh(g[lose], s.next_id)
    n = missed.size
    added = dict(frame=f.astype(np.int64), id=ident, box=gt.box[missed].astype(float), conf=np.ones(n),
                 cls=np.full(n, ADDED_CLASS, s.cls.dtype), vis=np.full(n, np.nan), line=np.zeros(n, s.line.dtype),
                 label=missed.astype(np.int64), frozen=np.zeros(n, bool), changed=np.ones(n, bool),
                 order=len(base.tracker) + missed.astype(np.int64))
    cols = {c: np.concatenate([getattr(s, c), added[c]]) for c in _ROW_COLUMNS}
    return _evict(replace(s, **cols, next_id=next_id))


def _fix_splits(s: _State, base: _Baseline) -> _State:
    rows, gt_id, dom = _gt_dominance(s, base)
    k, _, target = dom.lookup(gt_id)
    move = target != s.id[rows]
    cand, target, k = rows[move], target[move], k[move]
    if cand.size == 0:
        return s
    rank = _priority(dom.count[k], dom.first[k], gt_id[move])
    span = int(max(s.id.max(), target.max())) + 1
    active = np.ones(cand.size, bool)
    # Candidates that cannot move keep their id and then occupy it: repeat until every remaining
    # candidate can move (each round drops at least one candidate, so this ends).
    while True:
        fixed = ~s.frozen
        fixed[cand[active]] = False
        act = np.flatnonzero(active)
        win = _winners(s.frame[cand[act]], target[act], rank[act], _codes(s.frame[fixed], s.id[fixed], span), span)
        if win.all():
            break
        active[act[~win]] = False
    ident, changed = s.id.copy(), s.changed.copy()
    ident[cand[active]] = target[active]
    changed[cand[active]] = True
    return _evict(replace(s, id=ident, changed=changed))


def _evict(s: _State) -> _State:
    """Boxes removed by preprocessing never block an edit: one that now shares its id with an
    evaluated box of its frame gets a fresh id (TrackEval rejects duplicate ids even among boxes it
    removes later; preprocessing itself ignores ids). Its box is kept."""
    if not s.frozen.any():
        return s
    span = int(s.id.max()) + 1
    live = ~s.frozen
    frozen = np.flatnonzero(s.frozen)
    clash = frozen[np.isin(_codes(s.frame[frozen], s.id[frozen], span), _codes(s.frame[live], s.id[live], span))]
    if clash.size == 0:
        return s
    ident, changed = s.id.copy(), s.changed.copy()
    ident[clash] = s.next_id + np.arange(clash.size)
    changed[clash] = True
    return replace(s, id=ident, changed=changed, next_id=s.next_id + int(clash.size))


def _fix_merges(s: _State, base: _Baseline) -> _State:
    rows = np.flatnonzero(s.label >= 0)
    gt_id = base.gt.id[s.label[rows]]
    dom = _dominant(s.id[rows], gt_id, s.frame[rows])
    _, _, dominant_gt = dom.lookup(s.id[rows])
    off = gt_id != dominant_gt
    if not off.any():
        return s
    span = int(gt_id.max()) + 1
    fresh, next_id = _fresh(s.id[rows[off]] * span + gt_id[off], s.next_id)
    ident, changed = s.id.copy(), s.changed.copy()
    ident[rows[off]] = fresh
    changed[rows[off]] = True
    return replace(s, id=ident, changed=changed, next_id=next_id)


_EDITS = {
    "fix_localisation": _fix_localisation,
    "fix_false_negatives": _fix_false_negatives,
    "fix_false_positives": _fix_false_positives,
    "fix_splits": _fix_splits,
    "fix_merges": _fix_merges,
}
