"""The reference side of the parity tests: TrackEval 1.3.0 run in-process, never written to disk.

Two entry points: ``trackeval_sequence`` runs TrackEval's metric classes on per-frame ids and
similarity matrices (what a metric receives after loading and preprocessing, metrics.md §0), and
``trackeval_folders`` runs TrackEval's ``Evaluator`` + ``MotChallenge2DBox`` on files, loading and
preprocessing included. ``make_trackeval_layout`` builds the folder layout the latter expects.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np


def install_numpy_shim() -> None:
    """Restore the ``np.float/np.int/np.bool`` aliases removed in numpy 1.24/2 (only those missing).

    TrackEval 1.3.0 from PyPI no longer uses them in the metric and MOT code, but older TrackEval
    snapshots (and some of its other datasets) do; the shim keeps either working.
    """
    for name, alias in (("float", float), ("int", int), ("bool", bool)):
        if name not in np.__dict__:
            setattr(np, name, alias)


install_numpy_shim()

import trackeval  # noqa: E402  (after the shim)

MetricResult = dict[str, Any]
FlatResult = dict[str, Any]
PathLike = str | os.PathLike[str]

METRIC_NAMES: tuple[str, ...] = ("HOTA", "CLEAR", "Identity", "Count")
COMBINED = "COMBINED_SEQ"
CLASS = "pedestrian"


@cache
def _metric(name: str, threshold: float = 0.5) -> Any:
    """One TrackEval metric instance; ``threshold`` is only used by CLEAR and Identity."""
    cls = getattr(trackeval.metrics, name)
    if name in ("CLEAR", "Identity"):
        return cls({"THRESHOLD": threshold, "PRINT_CONFIG": False})
    return cls()


def _as_ids(ids: Sequence[np.ndarray]) -> list[np.ndarray]:
    return [np.asarray(x, dtype=int).reshape(-1) for x in ids]


def _count_ids(per_frame: list[np.ndarray], side: str) -> int:
    """Number of distinct ids, checking they are unique per frame and already 0..N-1."""
    for t, ids in enumerate(per_frame):
        if len(np.unique(ids)) != len(ids):
            raise ValueError(f"{side} ids repeat within frame {t + 1}: {ids.tolist()}")
    unique = np.unique(np.concatenate(per_frame)) if per_frame else np.zeros(0, int)
    if not np.array_equal(unique, np.arange(len(unique))):
        raise ValueError(f"{side} ids must be relabelled to 0..N-1 first, got {unique.tolist()}")
    return len(unique)


def _as_matrix(sim: np.ndarray, n_gt: int, n_tr: int, t: int) -> np.ndarray:
    sim = np.asarray(sim, dtype=float)
    if sim.size == 0 and n_gt * n_tr == 0:
        return np.zeros((n_gt, n_tr))
    if sim.shape != (n_gt, n_tr):
        raise ValueError(f"frame {t + 1}: similarity shape {sim.shape}, expected {(n_gt, n_tr)}")
    return sim


def sequence_data(
    gt_ids: Sequence[np.ndarray],
    tracker_ids: Sequence[np.ndarray],
    similarity_scores: Sequence[np.ndarray],
    seq: str = "case",
) -> dict[str, Any]:
    """TrackEval's preprocessed per-sequence ``data`` dict (the input of ``eval_sequence``)."""
    gt = _as_ids(gt_ids)
    tr = _as_ids(tracker_ids)
    if not len(gt) == len(tr) == len(similarity_scores):
        raise ValueError("gt_ids, tracker_ids and similarity_scores need one entry per frame")
    sims = [_as_matrix(s, len(g), len(p), t) for t, (g, p, s) in enumerate(zip(gt, tr, similarity_scores, strict=True))]
    return {
        "seq": seq,
        "num_timesteps": len(gt),
        "num_gt_ids": _count_ids(gt, "gt"),
        "num_tracker_ids": _count_ids(tr, "tracker"),
        "num_gt_dets": int(sum(len(g) for g in gt)),
        "num_tracker_dets": int(sum(len(p) for p in tr)),
        "gt_ids": gt,
        "tracker_ids": tr,
        "similarity_scores": sims,
    }


def trackeval_sequence(
    gt_ids: Sequence[np.ndarray],
    tracker_ids: Sequence[np.ndarray],
    similarity_scores: Sequence[np.ndarray],
    metrics: Sequence[str] = METRIC_NAMES,
    clear_threshold: float = 0.5,
    identity_threshold: float = 0.5,
) -> dict[str, MetricResult]:
    """Run TrackEval's ``eval_sequence`` of each metric on one sequence: ``{metric: res}``.

    Ids must already be relabelled to contiguous 0..N-1 (separately for GT and tracker), one int
    array per frame; ``similarity_scores[t]`` is ``len(gt_ids[t]) x len(tracker_ids[t])``.
    """
    data = sequence_data(gt_ids, tracker_ids, similarity_scores)
    thresholds = {"CLEAR": clear_threshold, "Identity": identity_threshold}
    return {m: _metric(m, thresholds.get(m, 0.5)).eval_sequence(data) for m in metrics}


def trackeval_combine(metric_name: str, per_seq_results: Mapping[str, MetricResult]) -> MetricResult:
    """TrackEval's ``combine_sequences`` of one metric over ``{seq: res}``."""
    return _metric(metric_name).combine_sequences(dict(per_seq_results))


def trackeval_combine_classes_class_averaged(
    metric_name: str, per_class_results: Mapping[str, MetricResult], ignore_empty_classes: bool = False
) -> MetricResult:
    """TrackEval's class-averaged class combiner (``eval.py`` uses the default ``False``)."""
    return _metric(metric_name).combine_classes_class_averaged(
        dict(per_class_results), ignore_empty_classes=ignore_empty_classes
    )


def trackeval_combine_classes_det_averaged(
    metric_name: str, per_class_results: Mapping[str, MetricResult]
) -> MetricResult:
    """TrackEval's detection-averaged class combiner over ``{class: res}``."""
    return _metric(metric_name).combine_classes_det_averaged(dict(per_class_results))


def flatten(results: Mapping[str, MetricResult]) -> FlatResult:
    """``{metric: {field: v}}`` -> ``{field: v}`` (field names are unique across the metrics)."""
    flat: FlatResult = {}
    for res in results.values():
        for field, value in res.items():
            if field in flat:
                raise ValueError(f"field {field!r} appears in two metrics")
            flat[field] = value
    return flat


def trackeval_folders(
    gt_folder: PathLike,
    trackers_folder: PathLike,
    benchmark: str,
    split: str,
    trackers: Sequence[str] | None = None,
    seqmap_file: PathLike | None = None,
    do_preproc: bool = True,
    seq_info: Mapping[str, int | None] | None = None,
    skip_split_fol: bool = False,
    threshold: float = 0.5,
) -> dict[str, dict[str, FlatResult]]:
    """Run TrackEval's ``Evaluator`` on MOTChallenge files: ``{tracker: {seq | COMBINED_SEQ: {field: v}}}``.

    HOTA, CLEAR, Identity and Count, class ``pedestrian``, single process, nothing printed or
    written. Count's per-sequence ``Frames`` is absent from ``COMBINED_SEQ`` (as in TrackEval).
    Errors (``trackeval.utils.TrackEvalException``) propagate.
    """
    eval_config = {
        "USE_PARALLEL": False,
        "BREAK_ON_ERROR": True,
        "RETURN_ON_ERROR": False,
        "LOG_ON_ERROR": None,
        "PRINT_RESULTS": False,
        "PRINT_ONLY_COMBINED": False,
        "PRINT_CONFIG": False,
        "TIME_PROGRESS": False,
        "DISPLAY_LESS_PROGRESS": True,
        "OUTPUT_SUMMARY": False,
        "OUTPUT_EMPTY_CLASSES": False,
        "OUTPUT_DETAILED": False,
        "PLOT_CURVES": False,
    }
    dataset_config = {
        "GT_FOLDER": str(gt_folder),
        "TRACKERS_FOLDER": str(trackers_folder),
        "OUTPUT_FOLDER": None,
        "TRACKERS_TO_EVAL": list(trackers) if trackers is not None else None,
        "CLASSES_TO_EVAL": [CLASS],
        "BENCHMARK": benchmark,
        "SPLIT_TO_EVAL": split,
        "PRINT_CONFIG": False,
        "DO_PREPROC": do_preproc,
        "SEQMAP_FILE": str(seqmap_file) if seqmap_file is not None else None,
        "SEQ_INFO": dict(seq_info) if seq_info is not None else None,
        "SKIP_SPLIT_FOL": skip_split_fol,
    }
    metrics = [_metric("HOTA"), _metric("CLEAR", threshold), _metric("Identity", threshold)]  # the Evaluator adds Count
    with contextlib.redirect_stdout(io.StringIO()):  # the Evaluator prints progress unconditionally
        evaluator = trackeval.Evaluator(eval_config)
        dataset = trackeval.datasets.MotChallenge2DBox(dataset_config)
        output, _ = evaluator.evaluate([dataset], metrics)
    by_tracker = output[dataset.get_name()]
    return {
        tracker: {seq: _flatten_evaluator(seq_res[CLASS]) for seq, seq_res in res.items()}
        for tracker, res in by_tracker.items()
    }


def _flatten_evaluator(per_metric: Mapping[str, MetricResult]) -> FlatResult:
    flat = flatten(per_metric)
    for field in _metric("HOTA").float_array_fields + _metric("HOTA").integer_array_fields:
        flat[field] = np.asarray(flat[field])
    return flat


def _place(src: PathLike, dst: Path) -> None:
    """Symlink ``src`` to ``dst`` (copy where links are not possible)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        dst.symlink_to(Path(src).resolve())
    except OSError:
        shutil.copyfile(src, dst)


def make_trackeval_layout(
    tmpdir: PathLike,
    sequences: Mapping[str, tuple[PathLike, PathLike | int, Mapping[str, PathLike]]],
    benchmark: str = "MOT15",
    split: str = "train",
) -> tuple[Path, Path]:
    """Build TrackEval's MOTChallenge folders under ``tmpdir``: returns ``(gt_folder, trackers_folder)``.

    ``sequences`` maps a sequence name to ``(gt_txt, seqinfo_ini or seq_length, {tracker: txt})``.
    Files are symlinked; an int length writes a minimal ``seqinfo.ini``. Every tracker evaluated
    must have a file for every sequence (TrackEval refuses otherwise).

    Layout: ``gt/<BENCH>-<split>/<seq>/{gt/gt.txt,seqinfo.ini}``, ``gt/seqmaps/<BENCH>-<split>.txt``
    and ``trackers/<BENCH>-<split>/<tracker>/data/<seq>.txt``.
    """
    root = Path(tmpdir)
    split_name = f"{benchmark}-{split}"
    gt_folder, trackers_folder = root / "gt", root / "trackers"
    for seq, (gt_txt, seqinfo, tracker_files) in sequences.items():
        seq_dir = gt_folder / split_name / seq
        _place(gt_txt, seq_dir / "gt" / "gt.txt")
        if isinstance(seqinfo, int):
            (seq_dir / "seqinfo.ini").write_text(f"[Sequence]\nname={seq}\nseqLength={seqinfo}\n")
        else:
            _place(seqinfo, seq_dir / "seqinfo.ini")
        for tracker, txt in tracker_files.items():
            _place(txt, trackers_folder / split_name / tracker / "data" / f"{seq}.txt")
    seqmap = gt_folder / "seqmaps" / f"{split_name}.txt"
    seqmap.parent.mkdir(parents=True, exist_ok=True)
    seqmap.write_text("name\n" + "".join(f"{seq}\n" for seq in sequences))
    (trackers_folder / split_name).mkdir(parents=True, exist_ok=True)
    return gt_folder, trackers_folder
