"""Named evaluation protocols: one run scored under the rules of another tool or setting, so that two
numbers that differ can be put side by side and their difference listed box by box (``rundiff``).

- ``trackeval``: TrackEval 1.3.0's MOTChallenge evaluation (distractor preprocessing, pedestrians only,
  CLEAR and Identity at IoU ≥ 0.5): what ``tracklens eval`` does by default.
- ``no-preproc``: the same without the preprocessing (TrackEval's ``DO_PREPROC=False``): every box
  with a non-zero consider flag, any class, is evaluated; no tracker box is removed.
- ``mot20``: MOT20's preprocessing (``BENCHMARK=MOT20``): non_mot_vehicle (class 6) is a distractor too.
- ``motmetrics``: py-motmetrics 1.4.0's MOTChallenge evaluation (``apps/eval_motchallenge.py``, scipy
  solver): ground truth with confidence ≥ 1 of any class, tracker boxes with confidence ≥ -1, no
  distractor preprocessing, and its CLEAR matching: a pair matched before (ever, not only in the
  previous frame) is kept first whenever its distance 1 - IoU ≤ 0.5 (IoU on its x - 1, y - 1
  coordinates), then a minimum-distance assignment of the rest. A switch is counted as in TrackEval
  (the tracker id differs from the gt's last match). HOTA and Identity are TrackEval's on that data.
- ``iou=T``: TrackEval's evaluation with CLEAR and Identity at IoU ≥ T.
- ``classes=1,7`` (ids or names of the MOTChallenge class table): TrackEval's evaluation with the
  ground-truth boxes of those classes (consider flag 1) as targets instead of pedestrians only; the
  chosen classes are taken out of the distractor list, so a tracker box on, say, a static person is
  scored instead of removed. TrackEval 1.3.0 gives the same on ground truth whose chosen classes are
  rewritten to class 1 (and whose pedestrians, when not chosen, are marked consider 0).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from .assignment import frame_of_rows
from .errors import InputError
from .evaluate import COMBINED, combine, evaluate, load_sequence
from .metrics import clear, count, hota, identity
from .metrics.clear import ClearMatches
from .prepare import MOT_CLASS_NAMES, EvalSequence, build, distractor_classes, prepare
from .run import Run, RunInputs, RunOptions, resolve_inputs
from .sequence_eval import SequenceEvaluation, evaluate_sequence
from .similarity import box_pairs

TRACKEVAL, MOTMETRICS = "trackeval", "motmetrics"


@dataclass(frozen=True)
class Protocol:
    """How a run is scored: the preprocessing, the CLEAR threshold and whose CLEAR matching."""

    name: str
    rule: str  # one sentence: what this protocol does differently
    preprocess: bool = True
    benchmark: str | None = None  # None: the run's benchmark
    threshold: float = 0.5
    matching: str = TRACKEVAL  # or MOTMETRICS
    targets: tuple[int, ...] | None = None  # ground-truth classes evaluated; None: pedestrian

    def inputs(self, inputs: RunInputs) -> RunInputs:
        """``inputs`` with this protocol's options."""
        return replace(inputs, preprocess=self.preprocess, benchmark=self.benchmark or inputs.benchmark,
                       threshold=self.threshold, targets=self.targets)


PROTOCOLS = {
    "trackeval": Protocol("trackeval", "TrackEval 1.3.0 MOTChallenge: tracker boxes matched to distractors removed, "
                          "only pedestrian ground truth with consider flag 1 (MOT16 and later), CLEAR IoU ≥ 0.5"),
    "no-preproc": Protocol("no-preproc", "no MOTChallenge preprocessing: every ground-truth box with a non-zero "
                           "consider flag (any class) is evaluated and no tracker box is removed", preprocess=False),
    "mot20": Protocol("mot20", "MOT20 preprocessing: non_mot_vehicle (class 6) is an extra distractor class",
                      benchmark="MOT20"),
    "motmetrics": Protocol("motmetrics", "py-motmetrics 1.4.0: no distractor preprocessing (ground truth of any "
                           "class with confidence ≥ 1); a gt's last matched tracker id is kept whenever its "
                           "1 − IoU ≤ 0.5 (also after a gap), then a minimum-distance assignment of the rest",
                           preprocess=False, matching=MOTMETRICS),
}


PRESETS = ("classes=1,7",)  # parametrised protocols offered beside ``PROTOCOLS`` (the dashboard's choices)
CLASS_IDS = {name: cid for cid, name in MOT_CLASS_NAMES.items()}


def protocol(name: str) -> Protocol:
    """A protocol by name (``PROTOCOLS``, ``iou=T`` for TrackEval at another CLEAR threshold, or
    ``classes=A,B`` for TrackEval with other target classes)."""
    if name in PROTOCOLS:
        return PROTOCOLS[name]
    if name.startswith("classes="):
        return classes_protocol(name)
    if name.startswith("iou="):
        try:
            t = float(name[4:])
        except ValueError:
            t = float("nan")
        if 0 < t <= 1:
            return Protocol(name, f"TrackEval with CLEAR and Identity at IoU ≥ {t:g}", threshold=t)
    raise InputError("--protocol", f"unknown protocol {name!r}.",
                     f"Use one of {', '.join(PROTOCOLS)}, iou=T with 0 < T ≤ 1, or classes=A,B (e.g. classes=1,7).")


def split_protocols(text: str) -> list[str]:
    """``--protocols A,B`` into names, a ``classes=…`` list keeping its commas (``trackeval,classes=1,7``)."""
    names: list[str] = []
    for token in (t.strip() for t in text.split(",")):
        if names and names[-1].startswith("classes=") and "=" not in token and token not in PROTOCOLS:
            names[-1] += "," + token
        else:
            names.append(token)
    return names


def classes_protocol(name: str) -> Protocol:
    """``classes=1,7`` (or ``classes=pedestrian,static_person``): the named ground-truth classes as targets.
    Its name lists the class ids in ascending order, whichever way they were given."""
    table = ", ".join(f"{c} {n}" for c, n in MOT_CLASS_NAMES.items())
    fix = f"Give MOTChallenge class ids or names separated by commas, e.g. classes=1,7 ({table})."
    given = [t.strip() for t in name[len("classes="):].split(",") if t.strip()]
    if not given:
        raise InputError("--protocol", f"{name!r} names no class.", fix)
    ids = set()
    for text in given:
        cid = CLASS_IDS.get(text.lower()) or (int(text) if text.isascii() and text.isdigit() else None)
        if cid not in MOT_CLASS_NAMES:
            raise InputError("--protocol", f"{text!r} in {name!r} is not a MOTChallenge class.", fix)
        ids.add(cid)
    targets = tuple(sorted(ids))
    names = [f"{MOT_CLASS_NAMES[c]} ({c})" for c in targets]
    named = " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))
    others = [f"{MOT_CLASS_NAMES[c]} ({c})" for c in distractor_classes("MOT17", targets)]
    if 6 not in targets:
        others.append("on MOT20 non_mot_vehicle (6)")
    rule = (f"TrackEval 1.3.0 MOTChallenge with the targets {named}: their ground-truth boxes with consider flag 1 "
            "are evaluated and they are not distractors; only tracker boxes matched to the other distractor "
            f"classes ({', '.join(others) or 'none'}) are removed; CLEAR IoU ≥ 0.5")
    return Protocol("classes=" + ",".join(map(str, targets)), rule, targets=targets)


def check_targets(proto: Protocol, benchmark: str) -> None:
    """A protocol with other target classes needs MOT16+ ground-truth classes (MOT15 has none)."""
    if proto.targets and benchmark.upper() == "MOT15":
        raise InputError("--protocol", f"protocol {proto.name!r} selects ground-truth classes, and MOT15 ground "
                         "truth has none (column 8 is not a class there).",
                         "Use it on MOT16/17/20 data, or pick another protocol.")


def motmetrics_prepare(name: str, gt, tr, pairs) -> EvalSequence:
    """py-motmetrics' MOTChallenge loading: gt rows with confidence ≥ 1, tracker rows with confidence ≥ -1."""
    return build(name, gt, tr, pairs, gt.conf >= 1, tr.conf >= -1, np.zeros(0, np.int64))


def motmetrics_distances(seq: EvalSequence, gt_box: np.ndarray, tr_box: np.ndarray) -> np.ndarray:
    """py-motmetrics' ``1 - IoU`` of every pair of ``seq.pairs``, with its arithmetic (boxes moved by
    (-1, -1) as its loader does, corners as x + w)."""
    p = seq.pairs
    a = gt_box[seq.gt_rows][p.gt].copy()
    b = tr_box[seq.tr_rows][p.tr].copy()
    a[:, :2] -= 1
    b[:, :2] -= 1
    a_min, a_max = a[:, :2], a[:, :2] + a[:, 2:]
    b_min, b_max = b[:, :2], b[:, :2] + b[:, 2:]
    i_size = np.maximum(np.minimum(a_max, b_max) - np.maximum(a_min, b_min), 0)
    i_vol = i_size[:, 0] * i_size[:, 1]
    a_size, b_size = np.maximum(a_max - a_min, 0), np.maximum(b_max - b_min, 0)
    u_vol = a_size[:, 0] * a_size[:, 1] + b_size[:, 0] * b_size[:, 1] - i_vol
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(i_vol == 0, 0.0, np.true_divide(i_vol, u_vol))
    return 1 - iou


def _expensive(costs: np.ndarray) -> np.ndarray:
    """py-motmetrics' ``add_expensive_edges``: do-not-pair entries cost more than any feasible choice."""
    valid = np.isfinite(costs)
    if valid.all():
        return costs.copy()
    if not valid.any():
        return np.zeros_like(costs)
    c = np.abs(costs[valid]).max() + 1
    return np.where(valid, costs, 2 * min(costs.shape) * c + 1)


def motmetrics_match(seq: EvalSequence, gt_box: np.ndarray, tr_box: np.ndarray, threshold: float = 0.5
                     ) -> ClearMatches:
    """py-motmetrics 1.4.0's ``MOTAccumulator.update`` frame by frame (see the module doc), as matches
    of ``seq.pairs`` with TrackEval's switch and fragment flags."""
    p = seq.pairs
    dist = motmetrics_distances(seq, gt_box, tr_box)
    valid = ~(dist > 1 - threshold) & np.isfinite(dist)
    cand = np.flatnonzero(valid)
    pair_frame = frame_of_rows(seq.gt_offsets, p.gt[cand])
    order = np.argsort(pair_frame, kind="stable")
    cand, pair_frame = cand[order], pair_frame[order]
    bounds = np.searchsorted(pair_frame, np.arange(seq.num_frames + 1))
    last: dict[int, int] = {}  # gt index -> tracker index of its last match (ever)
    chosen: list[int] = []
    for f in np.flatnonzero(np.diff(bounds) > 0).tolist():
        idx = cand[bounds[f]:bounds[f + 1]]
        g0, t0 = seq.gt_offsets[f], seq.tr_offsets[f]
        ng, nt = seq.gt_offsets[f + 1] - g0, seq.tr_offsets[f + 1] - t0
        d = np.full((ng, nt), np.nan)
        index = np.full((ng, nt), -1, np.int64)
        d[p.gt[idx] - g0, p.tr[idx] - t0] = dist[idx]
        index[p.gt[idx] - g0, p.tr[idx] - t0] = idx
        gts, trs = seq.gt_idx[g0:g0 + ng], seq.tr_idx[t0:t0 + nt]
        row_free, col_free = np.ones(ng, bool), np.ones(nt, bool)
        now: list[tuple[int, int]] = []
        for i in range(ng):  # 1. keep the pairs matched before
            h = last.get(int(gts[i]))
            j = np.flatnonzero(col_free & (trs == h)) if h is not None else ()
            if len(j) and np.isfinite(d[i, j[0]]):
                row_free[i] = col_free[j[0]] = False
                now.append((i, int(j[0])))
        d[~row_free, :] = np.nan
        d[:, ~col_free] = np.nan
        rows, cols = linear_sum_assignment(_expensive(d))  # 2. the rest: minimum total distance
        now += [(i, j) for i, j in zip(rows.tolist(), cols.tolist()) if np.isfinite(d[i, j])]
        for i, j in now:
            last[int(gts[i])] = int(trs[j])
            chosen.append(int(index[i, j]))
    index = np.sort(np.asarray(chosen, np.int64))
    processed = np.flatnonzero((np.diff(seq.gt_offsets) > 0) & (np.diff(seq.tr_offsets) > 0))
    return clear._flag_events(seq, index, processed, threshold)


def evaluate_motmetrics(seq: EvalSequence, gt_box: np.ndarray, tr_box: np.ndarray,
                        threshold: float = 0.5) -> SequenceEvaluation:
    """One pass with py-motmetrics' CLEAR matching (HOTA and Identity as TrackEval on the same data)."""
    h, hm = hota.evaluate(seq)
    matches = None
    if seq.num_gt_dets and seq.num_tr_dets:
        matches = motmetrics_match(seq, gt_box, tr_box, threshold)
    c, cm = clear.evaluate(seq, threshold, matches)
    i, im = identity.evaluate(seq, threshold)
    return SequenceEvaluation(seq, h, c, i, count.evaluate(seq), hm, cm, im)


def evaluation_under(proto: Protocol, sequence: str, gt, tr, benchmark: str = "MOT17",
                     threshold: float | None = None) -> SequenceEvaluation:
    """One MOTChallenge sequence x tracker evaluated under ``proto`` (``threshold`` overrides its own)."""
    threshold = proto.threshold if threshold is None else threshold
    if proto.matching == MOTMETRICS:
        seq = motmetrics_prepare(sequence, gt, tr, box_pairs(gt.box, gt.offsets, tr.box, tr.offsets))
        return evaluate_motmetrics(seq, gt.box, tr.box, threshold)
    check_targets(proto, proto.benchmark or benchmark)
    seq = prepare(sequence, gt, tr, benchmark=proto.benchmark or benchmark, preprocess=proto.preprocess,
                  targets=proto.targets or ())
    return evaluate_sequence(seq, threshold)


def analyse_under(name: str, sequence: str, gt, tr, tracker: str, benchmark: str = "MOT17"):
    """The ``SequenceAnalysis`` of one sequence x tracker under protocol ``name`` (what a diff reads)."""
    from .analysis.record import analyse

    return analyse(evaluation_under(protocol(name), sequence, gt, tr, benchmark), gt, tr, tracker)


def protocol_run(inputs: RunInputs, name: str, *, analyse: bool = True, workers: int = 1,
                 progress=None) -> tuple[RunInputs, Run]:
    """Evaluate ``inputs`` under protocol ``name``: the inputs as evaluated (the protocol's options) and
    the run; its notes name the protocol and its rule."""
    proto = protocol(name)
    inputs = proto.inputs(inputs.absolute())
    if proto.matching == TRACKEVAL:
        if inputs.format != "mot" and (proto.benchmark or not proto.preprocess or proto.targets):
            raise InputError("--protocol", f"protocol {name!r} is for MOTChallenge data.", "Use trackeval or iou=T.")
        if proto.targets and inputs.classes:
            raise InputError("--protocol", f"protocol {proto.name!r} is for single-class MOTChallenge runs.",
                             "Leave out --classes, or pick another protocol.")
        check_targets(proto, inputs.benchmark)
        layout = resolve_inputs(inputs)
        run = evaluate(layout, preprocess=inputs.preprocess, threshold=inputs.threshold, workers=workers,
                       analyse_matches=analyse, progress=progress, targets=inputs.targets or ())
    else:
        if inputs.format != "mot" or inputs.classes:
            raise InputError("--protocol", "the motmetrics protocol is for single-class MOTChallenge data.",
                             "Leave out --format / --classes, or pick another protocol.")
        run = _motmetrics_run(resolve_inputs(inputs), inputs.threshold, analyse, progress)
    run.notes.append(f"protocol {proto.name}: {proto.rule}")
    return inputs, run


def _motmetrics_run(layout, threshold: float, analyse: bool, progress) -> Run:
    """Every sequence x tracker with py-motmetrics' loading and CLEAR matching, combined as TrackEval."""
    from .analysis.record import analyse as analyse_one

    metrics: dict = {t: {} for t in layout.trackers}
    analyses: dict = {t: {} for t in layout.trackers}
    notes, frames = [], {}
    for k, files in enumerate(layout.sequences):
        loaded = load_sequence(files)
        gt = loaded.gt
        for t, tr in loaded.trackers.items():
            ev = evaluation_under(PROTOCOLS[MOTMETRICS], files.name, gt, tr, layout.benchmark, threshold)
            metrics[t][files.name] = ev.metrics()
            if analyse:
                analyses[t][files.name] = analyse_one(ev, gt, tr, t)
        notes += [str(i) for d in (gt, *loaded.trackers.values()) for i in d.ignored]
        frames[files.name] = gt.num_frames
        if progress:
            progress(k + 1, len(layout.sequences), files.name)
    order = [f.name for f in layout.sequences]
    for t in layout.trackers:
        metrics[t][COMBINED] = combine(metrics[t][s] for s in order)
    options = RunOptions("mot", (), layout.benchmark, False, threshold, analyse)
    return Run(layout, options, metrics, {}, analyses if analyse else None, notes, frames)


def evaluate_protocol(inputs: RunInputs, name: str):
    """A ``Workspace`` of ``inputs`` evaluated under protocol ``name``, its analyses kept (for diffs)."""
    from .workspace import Workspace

    return Workspace.from_run(*protocol_run(inputs, name))
