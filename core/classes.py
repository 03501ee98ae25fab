"""Multi-class evaluation: every class on its own (ids never linked across classes), combined over
sequences per class, then over classes both ways TrackEval does it.

``cls_comb_cls_av``: every float field is the plain mean of the per-class values, counts summed.
``cls_comb_det_av``: classes pooled like sequences (sums and TP-weighted averages). TrackEval's
Evaluator averages with ``ignore_empty_classes=False``: a class with no boxes at all counts as 0
(and LocA as 1); pass ``ignore_empty=True`` to leave such classes out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .evaluate import COMBINED, combine, load_sequence, run_tasks
from .layout import Layout, SequenceFiles
from .metrics import clear, count, hota, identity
from .prepare import build
from .sequence_eval import evaluate_sequence
from .similarity import box_pairs

CLASS_AVERAGED = "cls_comb_cls_av"
DET_AVERAGED = "cls_comb_det_av"


def combine_classes(per_class: list[dict], *, class_averaged: bool, ignore_empty: bool = False) -> dict:
    """Combine flat metric dicts of several classes (each already combined over sequences)."""
    if not class_averaged:
        return combine(per_class)
    return {**hota.combine_class_averaged(per_class, ignore_empty), **clear.combine_class_averaged(per_class, ignore_empty),
            **identity.combine_class_averaged(per_class, ignore_empty), **count.combine(per_class)}


def combine_per_class(done: dict[str, tuple], order: list[str], trackers: Sequence[str],
                      classes: Sequence) -> dict:
    """``metrics[tracker][class][sequence | COMBINED_SEQ]`` from per-sequence worker results
    (``done[seq][1][tracker][class]``), each class combined over sequences in ``order``."""
    metrics: dict = {}
    for tr in trackers:
        metrics[tr] = {}
        for c in classes:
            per_seq = {s: done[s][1][tr][c] for s in order}
            per_seq[COMBINED] = combine(per_seq[s] for s in order)
            metrics[tr][c] = per_seq
    return metrics


@dataclass
class ClassRun:
    """``metrics[tracker][class][sequence | COMBINED_SEQ]`` and ``combined[tracker][CLASS_AVERAGED |
    DET_AVERAGED]``."""

    layout: Layout
    classes: list[int]
    metrics: dict[str, dict[int, dict[str, dict]]]
    combined: dict[str, dict[str, dict]]
    notes: list[str]


def _evaluate_classes(files: SequenceFiles, classes: tuple[int, ...], threshold: float) -> tuple:
    inputs = load_sequence(files)
    notes = [str(i) for d in (inputs.gt, *inputs.trackers.values()) for i in d.ignored]
    consider = np.trunc(inputs.gt.conf) != 0
    out: dict[str, dict[int, dict]] = {}
    for name, tr in inputs.trackers.items():
        pairs = box_pairs(inputs.gt.box, inputs.gt.offsets, tr.box, tr.offsets)
        out[name] = {}
        for c in classes:
            seq = build(files.name, inputs.gt, tr, pairs, consider & (inputs.gt.cls == c), tr.cls == c,
                        np.zeros(0, np.int64))
            out[name][c] = evaluate_sequence(seq, threshold).metrics()
    return files.name, out, notes


def evaluate_classes(layout: Layout, classes: Sequence[int], *, threshold: float = 0.5, workers: int = 1,
                     ignore_empty: bool = False, progress: Callable[[int, int, str], None] | None = None) -> ClassRun:
    """Evaluate each class (column 8) separately, without MOTChallenge preprocessing."""
    classes = tuple(int(c) for c in classes)
    tasks = [(f, classes, threshold) for f in layout.sequences]
    done = run_tasks(_evaluate_classes, tasks, workers, progress)
    order = [f.name for f in layout.sequences]
    metrics = combine_per_class(done, order, layout.trackers, classes)
    combined: dict[str, dict[str, dict]] = {}
    for tr in layout.trackers:
        finals = [metrics[tr][c][COMBINED] for c in classes]
        combined[tr] = {CLASS_AVERAGED: combine_classes(finals, class_averaged=True, ignore_empty=ignore_empty),
                        DET_AVERAGED: combine_classes(finals, class_averaged=False)}
    notes = [n for s in order for n in done[s][2]]
    return ClassRun(layout, list(classes), metrics, combined, notes)


def classes_in(layout: Layout) -> list[int]:
    """Every class id found in the ground truth of the layout's sequences (consider flag != 0)."""
    found: set[int] = set()
    for f in layout.sequences:
        gt = load_sequence(SequenceFiles(f.name, f.gt, f.seqinfo)).gt
        found.update(np.unique(gt.cls[np.trunc(gt.conf) != 0]).tolist())
    return sorted(found)
