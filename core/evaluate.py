"""Orchestration: which sequences and trackers, in which processes; one evaluation pass per
sequence x tracker whose matches are kept for the analysis and the dashboard."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable

from .detections import Detections
from .formats.motchallenge import read_mot_file, read_seqinfo
from .layout import Layout, SequenceFiles
from .analysis.record import SequenceAnalysis, analyse
from .metrics import clear, count, hota, identity
from .prepare import prepare
from .sequence_eval import SequenceEvaluation, evaluate_sequence

__all__ = ["COMBINED", "Run", "SequenceEvaluation", "SequenceInputs", "combine", "evaluate", "evaluate_sequence",
           "load_sequence"]

COMBINED = "COMBINED_SEQ"


def combine(per_sequence: Iterable[dict]) -> dict:
    """Combine flat per-sequence metric dicts over sequences, exactly as TrackEval."""
    results = list(per_sequence)
    return {**hota.combine(results), **clear.combine(results), **identity.combine(results),
            **count.combine(results)}


@dataclass(frozen=True)
class SequenceInputs:
    """A loaded sequence: its ground truth and each tracker's boxes."""

    files: SequenceFiles
    gt: Detections
    trackers: dict[str, Detections]


def load_sequence(files: SequenceFiles) -> SequenceInputs:
    length = read_seqinfo(files.seqinfo).length
    gt = read_mot_file(files.gt, length, is_gt=True)
    trackers = {name: read_mot_file(path, length, is_gt=False) for name, path in files.trackers.items()}
    return SequenceInputs(files, gt, trackers)


def _evaluate_files(files: SequenceFiles, benchmark: str, preprocess: bool, threshold: float,
                    keep: bool) -> tuple[str, dict[str, dict], dict[str, SequenceAnalysis] | None, list[str]]:
    """Worker: one sequence, every tracker (ground truth read once)."""
    inputs = load_sequence(files)
    metrics, kept = {}, {}
    notes = [str(i) for d in (inputs.gt, *inputs.trackers.values()) for i in d.ignored]
    for name, tr in inputs.trackers.items():
        ev = evaluate_sequence(prepare(files.name, inputs.gt, tr, benchmark=benchmark, preprocess=preprocess), threshold)
        metrics[name] = ev.metrics()
        if keep:
            kept[name] = analyse(ev, inputs.gt, tr, name)
    return files.name, metrics, (kept if keep else None), notes


def run_tasks(worker: Callable[..., tuple], tasks: list[tuple], workers: int,
              progress: Callable[[int, int, str], None] | None, dask: str | None = None) -> dict[str, tuple]:
    """Run ``worker(*task)`` for every task, keyed by the first item of each result (the sequence
    name): on a Dask cluster when ``dask`` is given, in local processes when ``workers > 1``, else
    here. Combining happens later in the layout's order, so every route gives bit-equal results."""
    done: dict[str, tuple] = {}
    if dask:
        from .cluster import run_on_dask
        for k, out in enumerate(run_on_dask(dask, worker, tasks)):
            done[out[0]] = out
            if progress:
                progress(k + 1, len(tasks), out[0])
    elif workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks), os.cpu_count() or 1)) as pool:
            for k, fut in enumerate([pool.submit(worker, *t) for t in tasks]):
                out = fut.result()
                done[out[0]] = out
                if progress:
                    progress(k + 1, len(tasks), out[0])
    else:
        for k, t in enumerate(tasks):
            out = worker(*t)
            done[out[0]] = out
            if progress:
                progress(k + 1, len(tasks), out[0])
    return done


@dataclass
class Run:
    """Results of evaluating trackers over sequences: ``metrics[tracker][sequence or COMBINED]``."""

    layout: Layout
    metrics: dict[str, dict[str, dict]]
    analyses: dict[str, dict[str, SequenceAnalysis]] | None
    notes: list[str]
    preprocess: bool
    threshold: float


def evaluate(layout: Layout, *, preprocess: bool = True, threshold: float = 0.5, workers: int = 1,
             analyse_matches: bool = False, progress: Callable[[int, int, str], None] | None = None,
             dask: str | None = None) -> Run:
    """Evaluate every tracker of ``layout`` on every sequence and combine over sequences.

    ``workers > 1`` spreads sequences over processes; results are identical (same code, and
    combining runs in the sequence order of the layout); so does ``dask`` (a scheduler address such as
    ``tcp://host:8786``, or ``local`` for a LocalCluster). ``analyse_matches`` also builds each
    sequence's ``SequenceAnalysis`` from the same pass.
    """
    tasks = [(f, layout.benchmark, preprocess, threshold, analyse_matches) for f in layout.sequences]
    done = run_tasks(_evaluate_files, tasks, workers, progress, dask)
    order = [f.name for f in layout.sequences]
    metrics = {tr: {s: done[s][1][tr] for s in order} for tr in layout.trackers}
    for tr in layout.trackers:
        metrics[tr][COMBINED] = combine(metrics[tr][s] for s in order)
    analyses = {tr: {s: done[s][2][tr] for s in order} for tr in layout.trackers} if analyse_matches else None
    notes = [n for s in order for n in done[s][3]]
    return Run(layout, metrics, analyses, notes, preprocess, threshold)
