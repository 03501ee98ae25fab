"""Orchestration, the same for every format: which sequences and trackers, in which processes; one
evaluation pass per sequence x tracker x class whose matches can be kept for the analysis and the
dashboard. Combining over sequences (and classes) runs here, in the layout's order."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Callable, Iterable

import numpy as np

from .detections import Detections, SequenceInfo
from .formats.motchallenge import read_mot_file, read_seqinfo
from .layout import Layout, SequenceFiles
from .metrics import clear, count, hota, identity
from .prepare import EvalSequence, build, prepare
from .run import Run, RunOptions, SequenceResult
from .sequence_eval import SequenceEvaluation, evaluate_sequence
from .similarity import box_pairs

__all__ = ["CLASS_AVERAGED", "COMBINED", "DET_AVERAGED", "Run", "SequenceEvaluation", "SequenceInputs", "combine",
           "combine_classes", "evaluate", "evaluate_files", "evaluate_sequence", "load_sequence"]

COMBINED = "COMBINED_SEQ"
CLASS_AVERAGED = "cls_comb_cls_av"
DET_AVERAGED = "cls_comb_det_av"
MASK_FORMATS = ("mots", "kitti_mots", "youtube_vis_masks")  # analyses keep the masks (drawn by the dashboard)


def combine(per_sequence: Iterable[dict]) -> dict:
    """Combine flat per-sequence metric dicts over sequences, exactly as TrackEval."""
    results = list(per_sequence)
    return {**hota.combine(results), **clear.combine(results), **identity.combine(results),
            **count.combine(results)}


def combine_classes(per_class: list[dict], *, class_averaged: bool, ignore_empty: bool = False) -> dict:
    """Combine flat metric dicts of several classes (each already combined over sequences).

    ``cls_comb_cls_av``: every float field is the plain mean of the per-class values, counts summed.
    ``cls_comb_det_av``: classes pooled like sequences. TrackEval's Evaluator averages with
    ``ignore_empty_classes=False``: a class with no boxes counts as 0 (LocA as 1)."""
    if not class_averaged:
        return combine(per_class)
    return {**hota.combine_class_averaged(per_class, ignore_empty), **clear.combine_class_averaged(per_class, ignore_empty),
            **identity.combine_class_averaged(per_class, ignore_empty), **count.combine(per_class)}


@dataclass(frozen=True)
class SequenceInputs:
    """A loaded MOTChallenge sequence: its ground truth and each tracker's boxes."""

    files: SequenceFiles
    gt: Detections
    trackers: dict[str, Detections]
    info: SequenceInfo | None = None  # its seqinfo.ini, read once for every use


def load_sequence(files: SequenceFiles) -> SequenceInputs:
    info = read_seqinfo(files.seqinfo)
    length = info.length
    gt = read_mot_file(files.gt, length, is_gt=True)
    if files.link:  # detections without identities: ids linked by tracklens (--link)
        from .linker import link_iou
        trackers = {name: link_iou(read_mot_file(path, length, is_gt=False, ids_optional=True))
                    for name, path in files.trackers.items()}
    elif files.fixes:  # explicit --fix corrections, recorded in the run's inputs
        from .check.fixes import read_fixed
        trackers = {name: read_fixed(path, length, name, files.fixes) for name, path in files.trackers.items()}
    else:
        trackers = {name: read_mot_file(path, length, is_gt=False) for name, path in files.trackers.items()}
    return SequenceInputs(files, gt, trackers, info)


def _prepared(name: str, gt, tr, opts: RunOptions) -> dict[str | None, EvalSequence]:
    """Every class of one sequence x tracker, ready for the metrics (key None without classes)."""
    if opts.format == "kitti":
        from .preprocess_kitti import prepare_kitti
        return prepare_kitti(name, gt, tr, opts.classes)
    if opts.format in ("mots", "kitti_mots"):
        from .formats.mots import prepare_mots
        return prepare_mots(name, gt, tr, opts.classes, opts.format)
    if opts.format == "bdd100k":
        from .formats.bdd100k import prepare_bdd
        return prepare_bdd(name, gt, tr, opts.classes)
    if opts.format == "imagenet_vid":
        from .formats.vid_dataset import prepare_vid
        return prepare_vid(name, gt, tr, opts.classes)
    if opts.format == "youtube_vis_masks":
        from .formats.youtube_vis_masks import prepare_vis_masks
        return prepare_vis_masks(name, gt, tr, opts.classes)
    if opts.format == "youtube_vis":
        from .formats.youtube_vis import prepare_vis
        return prepare_vis(name, gt, tr, opts.classes)
    if opts.format == "tao":
        from .formats.tao import prepare_tao
        return prepare_tao(name, gt, tr, opts.classes)
    if not opts.classes:
        return {None: prepare(name, gt, tr, benchmark=opts.benchmark, preprocess=opts.preprocess, targets=opts.targets)}
    # --classes: each class id of column 8 on its own, no MOTChallenge preprocessing, ids never linked
    pairs = box_pairs(gt.box, gt.offsets, tr.box, tr.offsets)
    consider = np.trunc(gt.conf) != 0
    return {c: build(name, gt, tr, pairs, consider & (gt.cls == int(c)), tr.cls == int(c), np.zeros(0, np.int64))
            for c in opts.classes}


def evaluate_files(files: SequenceFiles, opts: RunOptions) -> SequenceResult:
    """The worker of every route: one sequence, every tracker and class (ground truth read once)."""
    info = None
    if opts.format == "mot":
        loaded = load_sequence(files)
        gt, trackers, info = loaded.gt, loaded.trackers, loaded.info
        gt_dets, tr_dets = gt, trackers
    else:
        from .formats.layouts import load_dataset_sequence
        gt, trackers = load_dataset_sequence(opts.format, files)
        gt_dets, tr_dets = gt.dets, {t: b.dets for t, b in trackers.items()}
    notes = [str(i) for d in (gt_dets, *tr_dets.values()) for i in d.ignored]
    if files.link:
        from .linker import LINK_LABEL, LINK_THRESHOLD
        notes.append(f"{files.name}: {LINK_LABEL} (--link {files.link}: frame-to-frame Hungarian on IoU >= "
                     f"{LINK_THRESHOLD}); the tracker files' own ids are not used")
    if opts.format == "kitti" and files.num_frames is None:
        notes.append(f"{files.gt}: no seqmap, sequence length {gt_dets.num_frames} taken from the files")
    result = SequenceResult(files.name, gt_dets.num_frames, {}, {}, notes)
    if opts.check and opts.format == "mot":  # tracklens check's summary, on the data already loaded
        from .check.evidence import loaded_evidence
        result.evidence = loaded_evidence(files, gt, trackers, opts, info)
    for name, tr in trackers.items():
        result.metrics[name] = {}
        for cls, seq in _prepared(files.name, gt, tr, opts).items():
            ev = evaluate_sequence(seq, opts.threshold)
            result.metrics[name][cls] = ev.metrics()
            if opts.keep:
                from .analysis.record import analyse  # pandas and the analysis only when matches are kept
                masks = (gt.rles, tr.rles) if opts.format in MASK_FORMATS else None
                result.analyses[(name, cls)] = analyse(ev, gt_dets, tr_dets[name], name,
                                                       gt.extras if opts.format == "kitti" else None, masks)
    return result


def analyse_one(layout: Layout, opts: RunOptions, tracker: str, sequence: str, cls: str | None):
    """One sequence x tracker x class evaluated again with its matches kept (a lazy workspace)."""
    files = next(f for f in layout.sequences if f.name == sequence)
    one = replace(files, trackers={tracker: files.trackers[tracker]})
    out = evaluate_files(one, replace(opts, classes=(cls,) if cls is not None else (), keep=True))
    return out.analyses[(tracker, cls)]


def run_tasks(worker: Callable, tasks: list[tuple], workers: int,
              progress: Callable[[int, int, str], None] | None, dask: str | None = None) -> dict:
    """Run ``worker(*task)`` for every task, keyed by the result's ``name`` (the sequence): on a Dask
    cluster when ``dask`` is given, in local processes when ``workers > 1``, else here. Combining
    happens later in the layout's order, so every route gives bit-equal results."""
    done: dict = {}

    def record(k: int, out) -> None:
        done[out.name] = out
        if progress:
            progress(k + 1, len(tasks), out.name)

    if dask:
        from .cluster import run_on_dask
        for k, out in enumerate(run_on_dask(dask, worker, tasks)):
            record(k, out)
    elif workers > 1 and len(tasks) > 1:
        from concurrent.futures import ProcessPoolExecutor  # multiprocessing loads only when used

        units = pool_units(tasks)
        with ProcessPoolExecutor(max_workers=min(workers, len(units), os.cpu_count() or 1)) as pool:
            k = 0
            for fut in [pool.submit(_run_unit, worker, unit) for unit in units]:
                for out in fut.result():
                    record(k, out)
                    k += 1
    else:
        for k, t in enumerate(tasks):
            record(k, worker(*t))
    return done


def pool_units(tasks: list[tuple]) -> list[list[tuple]]:
    """The tasks as the units handed to pool workers: sequences whose ground-truth files have one size
    together (MOT17's three copies of each ground truth: a worker reads it once and the reader reuses
    it), the largest inputs first, so the last unit a worker starts is a small one."""
    units: dict = {}
    for t in tasks:
        units.setdefault(_ground_truth_size(t[0]) or ("alone", len(units)), []).append(t)
    return sorted(units.values(), key=lambda unit: -sum(_input_bytes(t[0]) for t in unit))


def _ground_truth_size(files) -> int | None:
    try:
        return os.path.getsize(files.gt) if isinstance(files, SequenceFiles) and os.path.isfile(files.gt) else None
    except OSError:
        return None


def _input_bytes(files) -> int:
    if not isinstance(files, SequenceFiles):
        return 0
    total = 0
    for path in (files.gt, *files.trackers.values()):
        try:
            total += os.path.getsize(path) if os.path.isfile(path) else 0
        except OSError:
            pass
    return total


def _run_unit(worker: Callable, unit: list[tuple]) -> list:
    return [worker(*t) for t in unit]


def evaluate(layout: Layout, *, preprocess: bool = True, threshold: float = 0.5, workers: int = 1,
             analyse_matches: bool = False, progress: Callable[[int, int, str], None] | None = None,
             dask: str | None = None, ignore_empty: bool = False, check: bool = False,
             targets: tuple[int, ...] = ()) -> Run:
    """Evaluate every tracker of ``layout`` on every sequence (and class) and combine, as TrackEval.

    ``workers > 1`` spreads sequences over processes; results are identical (same code, and
    combining runs in the sequence order of the layout); so does ``dask`` (a scheduler address such as
    ``tcp://host:8786``, or ``local`` for a LocalCluster). ``analyse_matches`` also builds each
    ``SequenceAnalysis`` from the same pass. With classes, each is combined over sequences and the
    classes are combined both ways (MOT ``--classes``, BDD100K; BDD100K also by super-category).
    ``check`` also runs tracklens check's detectors on the loaded data (``Run.evidence``); ``targets``:
    the MOTChallenge ground-truth classes evaluated (protocol ``classes=…``), pedestrian by default."""
    opts = RunOptions(layout.format, layout.classes, layout.benchmark, preprocess, threshold, analyse_matches,
                      check, targets)
    done = run_tasks(evaluate_files, [(f, opts) for f in layout.sequences], workers, progress, dask)
    order = [f.name for f in layout.sequences]
    keys: list[str | None] = list(layout.classes) or [None]
    per_key = {}
    for cls in keys:
        per_key[cls] = {tr: {s: done[s].metrics[tr][cls] for s in order} for tr in layout.trackers}
        for tr in layout.trackers:
            per_key[cls][tr][COMBINED] = combine(per_key[cls][tr][s] for s in order)
    if layout.classes:
        metrics = {tr: {c: per_key[c][tr] for c in layout.classes} for tr in layout.trackers}
    else:
        metrics = per_key[None]
    combined = {tr: _class_combinations(layout, {c: per_key[c][tr][COMBINED] for c in layout.classes}, ignore_empty)
                for tr in layout.trackers} if layout.classes else {}
    analyses = None
    if analyse_matches:  # the shape of ``metrics``
        def per_seq(tr: str, c: str | None) -> dict:
            return {s: done[s].analyses[(tr, c)] for s in order}
        analyses = {tr: ({c: per_seq(tr, c) for c in layout.classes} if layout.classes else per_seq(tr, None))
                    for tr in layout.trackers}
    notes = [n for s in order for n in done[s].notes]
    return Run(layout, opts, metrics, combined, analyses, notes, {s: done[s].num_frames for s in order},
               [e for s in order for e in done[s].evidence])


def _class_combinations(layout: Layout, finals: dict[str, dict], ignore_empty: bool) -> dict[str, dict]:
    """Classes combined both ways (not for KITTI, as in TrackEval) and BDD100K's super-categories,
    each detection-averaged over its evaluated members."""
    if layout.format in ("kitti", "mots", "kitti_mots"):
        return {}
    values = list(finals.values())
    out = {CLASS_AVERAGED: combine_classes(values, class_averaged=True, ignore_empty=ignore_empty),
           DET_AVERAGED: combine_classes(values, class_averaged=False)}
    if layout.format == "bdd100k":
        from .formats.bdd100k import SUPER_CATEGORIES
        for cat, members in SUPER_CATEGORIES.items():
            present = [finals[c] for c in members if c in finals]
            if present:  # TrackEval crashes on a super-category with no evaluated class
                out[cat] = combine(present)
    return out
