"""The public Python API: evaluate folders (``tracklens.evaluate``) or pandas DataFrames in MOT columns
(``tracklens.evaluate_frames``), combine sequences (``tracklens.combine``), and the typed results
they return (``Results``, ``Metrics``). ``tracklens.Accumulator`` (``accumulator.py``) feeds frames
from a training loop into the same pipeline.

Every number is TrackEval 1.3.0's (HOTA, CLEAR, Identity, Count), computed by the same code as
``tracklens eval``.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from .errors import InputError
from .evaluate import COMBINED as _COMBINED_SEQ
from .evaluate import combine as _combine
from .evaluate import evaluate as _evaluate_layout
from .fields import FIELDS, PER_ALPHA, is_per_alpha
from .formats.motchallenge import detections_from_rows
from .layout import resolve
from .metrics.hota import ALPHAS
from .prepare import prepare
from .results import flatten, format_summary
from .sequence_eval import evaluate_sequence

COMBINED = "COMBINED"  # the public name of the combination over sequences ("COMBINED_SEQ" in TrackEval)
MOT_COLUMNS = ("frame", "id", "x", "y", "w", "h", "conf", "class", "visibility")
Progress = Callable[[int, int, str], None]


def _ordered(fields: Mapping[str, Any]) -> list[str]:
    """Field names in the registry's order (HOTA, CLEAR, Identity, Count)."""
    return [f for f in FIELDS if f in fields] + [f for f in fields if f not in FIELDS]


def _key(sequence: str) -> str:
    return _COMBINED_SEQ if sequence in (COMBINED, _COMBINED_SEQ) else sequence


@dataclass(frozen=True)
class Metrics:
    """Every TrackEval field of one tracker on one sequence (or on the combination).

    ``metrics["HOTA"]`` is the number as TrackEval reports it: the mean over the 19 α for per-α
    fields, else the value itself. ``per_alpha("HOTA")`` gives the 19 values (α = 0.05 .. 0.95), and
    ``fields`` TrackEval's own dict (per-α fields as arrays). What each field is (count or rate,
    which way is better): ``tracklens.fields.FIELDS``.
    """

    fields: Mapping[str, Any]
    tracker: str = ""
    sequence: str = ""

    def __getitem__(self, name: str) -> float | int:
        value = self.fields[name]
        if is_per_alpha(name):
            return float(np.mean(value))
        return int(value) if isinstance(value, (int, np.integer)) else float(value)

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def __repr__(self) -> str:
        shown = ", ".join(f"{f}={self[f]:.4f}" for f in ("HOTA", "DetA", "AssA", "MOTA", "IDF1") if f in self.fields)
        where = ", ".join(f"{k}={v!r}" for k, v in (("tracker", self.tracker), ("sequence", self.sequence)) if v)
        return f"Metrics({', '.join(p for p in (where, shown) if p)}, ...)"

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def keys(self):
        return self.fields.keys()

    def per_alpha(self, name: str) -> np.ndarray:
        """The 19 values of a per-α field (one per α in ``tracklens.fields`` order of ALPHAS)."""
        if not is_per_alpha(name):
            raise KeyError(f"{name!r} is not a per-α field; per-α fields: {', '.join(PER_ALPHA)}")
        return np.asarray(self.fields[name], float)

    def to_dict(self) -> dict:
        """JSON-ready: every field, per-α fields as ``X`` (mean) and ``X_alpha`` (19 values); the
        layout of ``tracklens eval --json``."""
        return flatten(self.fields)

    def to_pandas(self) -> pd.Series:
        """The reported numbers as a Series indexed by field name (means for per-α fields)."""
        return pd.Series({name: self[name] for name in _ordered(self.fields)}, name=self.tracker or None, dtype=float)


@dataclass(frozen=True)
class Results:
    """Every tracker on every sequence and on their combination: ``results["MyTracker"]`` is the
    combined ``Metrics``, ``results["MyTracker", "MOT17-02"]`` one sequence's."""

    metrics: Mapping[str, Mapping[str, Mapping[str, Any]]]  # [tracker][sequence | "COMBINED_SEQ"][field]
    notes: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return f"Results(trackers={list(self.trackers)}, sequences={list(self.sequences)})"

    @property
    def trackers(self) -> tuple[str, ...]:
        return tuple(self.metrics)

    @property
    def sequences(self) -> tuple[str, ...]:
        first = next(iter(self.metrics.values()), {})
        return tuple(s for s in first if s != _COMBINED_SEQ)

    def __getitem__(self, key: str | tuple[str, str]) -> Metrics:
        tracker, sequence = key if isinstance(key, tuple) else (key, COMBINED)
        if tracker not in self.metrics:
            raise KeyError(f"no tracker {tracker!r}; trackers: {', '.join(self.trackers)}")
        seqs = self.metrics[tracker]
        if _key(sequence) not in seqs:
            raise KeyError(f"no sequence {sequence!r}; sequences: {', '.join(self.sequences)} and {COMBINED}")
        return Metrics(seqs[_key(sequence)], tracker, COMBINED if _key(sequence) == _COMBINED_SEQ else sequence)

    def to_dict(self) -> dict:
        """``out[tracker][sequence | "COMBINED"][field]``: what ``tracklens eval --json`` writes."""
        return {tr: {(COMBINED if s == _COMBINED_SEQ else s): flatten(m) for s, m in seqs.items()}
                for tr, seqs in self.metrics.items()}

    def to_pandas(self, per_alpha: bool = False) -> pd.DataFrame:
        """One row per tracker x sequence (``COMBINED`` last), one column per field (means for per-α
        fields). With ``per_alpha``: one row per tracker x sequence x α, one column per per-α field."""
        rows = []
        for tr, seqs in self.metrics.items():
            for s, fields in seqs.items():
                m = Metrics(fields)
                name = COMBINED if s == _COMBINED_SEQ else s
                if per_alpha:
                    arrays = {f: m.per_alpha(f) for f in _ordered(fields) if is_per_alpha(f)}
                    rows += [{"tracker": tr, "sequence": name, "alpha": float(a), **{f: float(v[k]) for f, v in arrays.items()}}
                             for k, a in enumerate(ALPHAS)]
                else:
                    rows.append({"tracker": tr, "sequence": name, **{f: m[f] for f in _ordered(fields)}})
        index = ["tracker", "sequence", "alpha"] if per_alpha else ["tracker", "sequence"]
        return pd.DataFrame(rows).set_index(index)

    def summary(self) -> str:
        """The table ``tracklens eval`` prints."""
        return format_summary(self.metrics).lstrip("\n")


def evaluate(gt_folder: str | os.PathLike, trackers_folder: str | os.PathLike, *, benchmark: str = "MOT17",
             split: str = "train", seqmap: str | None = None, trackers: Sequence[str] | None = None,
             preprocess: bool = True, threshold: float = 0.5, workers: int = 1,
             progress: Progress | None = None) -> Results:
    """Evaluate every tracker on every sequence of MOTChallenge folders, as ``tracklens eval`` does.

    Layouts (TrackEval's or the plain one) as in the README. ``preprocess``: TrackEval's MOTChallenge
    preprocessing (off for MOT15 whatever it says). ``threshold``: the similarity threshold of CLEAR
    and Identity. ``workers``: processes (results are bit-equal). Bad input raises ``InputError``.
    """
    layout = resolve(os.fspath(gt_folder), os.fspath(trackers_folder), benchmark, split, seqmap,
                     list(trackers) if trackers else None)
    run = _evaluate_layout(layout, preprocess=preprocess, threshold=threshold, workers=workers, progress=progress)
    return Results(run.metrics, tuple(run.notes))


def combine(per_sequence: Sequence[Metrics]) -> Metrics:
    """Several sequences' ``Metrics`` combined exactly as TrackEval combines sequences (sums of counts,
    TP-weighted association and localisation), e.g. the ``compute()`` of one ``Accumulator`` per video."""
    if not per_sequence:
        raise ValueError("combine needs at least one sequence's Metrics")
    return Metrics(_combine(m.fields for m in per_sequence), per_sequence[0].tracker, COMBINED)


# ------------------------------------------------------------------------------------------------
# DataFrames in MOT columns


def _named(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """``frame`` with MOT column names: integer columns (a DataFrame read without a header) are read by
    position, 0 = frame .. 8 = visibility."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {type(frame).__name__}")
    by_position = {c: MOT_COLUMNS[c] for c in frame.columns
                   if isinstance(c, (int, np.integer)) and 0 <= c < len(MOT_COLUMNS)}
    return frame.rename(columns=by_position) if by_position else frame


def _mot_rows(renamed: pd.DataFrame, rows: np.ndarray, what: str) -> np.ndarray:
    """The MOT columns as a float matrix (frame, id, x, y, w, h[, conf, class, visibility], NaN where
    absent) with ``rows`` (1-based positions in the caller's DataFrame) appended."""
    missing = [c for c in MOT_COLUMNS[:6] if c not in renamed.columns]
    if missing:
        raise InputError(what, f"no column {', '.join(repr(c) for c in missing)} (it has "
                         f"{', '.join(map(str, renamed.columns[:12]))}).",
                         f"Name the columns {', '.join(MOT_COLUMNS)} (the first six are required).")
    present = [c for c in MOT_COLUMNS if c in renamed.columns]
    # The optional columns are positional in the MOT format: fill the gaps before the last one given.
    last = max(MOT_COLUMNS.index(c) for c in present)
    columns = []
    for c in MOT_COLUMNS[:last + 1]:
        if c not in renamed.columns:
            columns.append(np.full(len(renamed), np.nan))
            continue
        try:
            columns.append(pd.to_numeric(renamed[c], errors="raise").to_numpy(np.float64, na_value=np.nan))
        except (ValueError, TypeError):
            raise InputError(what, f"column {c!r} holds values that are not numbers.",
                             "Give numbers in every MOT column.") from None
    return np.column_stack(columns + [rows.astype(np.float64)])


def _split(frame: pd.DataFrame, what: str) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """Per sequence (order of first appearance): its rows and their 1-based positions in ``frame``."""
    if "sequence" not in frame.columns:
        return {"sequence": (frame, np.arange(1, len(frame) + 1))}
    unnamed = frame["sequence"].isna().to_numpy()
    if unnamed.any():
        raise InputError(what, "a row has no sequence name.", "Fill the 'sequence' column of every row.",
                         line=int(np.argmax(unnamed)) + 1)
    groups = frame.groupby("sequence", sort=False, observed=True).indices
    return {str(name): (frame.iloc[pos], pos + 1) for name, pos in groups.items()}


def evaluate_frames(gt: pd.DataFrame, trackers: pd.DataFrame | Mapping[str, pd.DataFrame], *,
                    lengths: int | Mapping[str, int] | None = None, benchmark: str = "MOT17",
                    preprocess: bool = True, threshold: float = 0.5) -> Results:
    """Evaluate trackers given as DataFrames in MOT columns: ``frame, id, x, y, w, h`` and optionally
    ``conf`` (the ground truth's consider flag), ``class`` and ``visibility``; or no header at all
    (columns 0.. in that order, as ``pd.read_csv(path, header=None)`` gives).

    ``trackers``: one DataFrame (named "tracker") or ``{name: DataFrame}``. A ``sequence`` column
    splits the rows into sequences (evaluated in the ground truth's order of first appearance);
    without one, the rows are one sequence named "sequence".
    ``lengths``: frames per sequence (seqLength; the default is the last frame with a box, which
    changes CLR_Frames and FP_per_frame when the sequence ends with empty frames). MOTChallenge
    preprocessing (``benchmark``, ``preprocess``) needs the ground truth's ``class`` column; pass
    ``preprocess=False`` for data without MOT classes. Bad rows raise ``InputError`` naming the
    1-based row.
    """
    named = {"tracker": trackers} if isinstance(trackers, pd.DataFrame) else dict(trackers)
    if not named:
        raise ValueError("evaluate_frames needs at least one tracker")
    gt = _named(gt, "gt")
    named = {name: _named(t, f"tracker {name!r}") for name, t in named.items()}
    if preprocess and benchmark.upper() != "MOT15" and "class" not in gt.columns:
        raise InputError("gt DataFrame", f"no 'class' column, which {benchmark} preprocessing needs "
                         "(MOTChallenge classes: 1 = pedestrian, 2 = person on vehicle, ...).",
                         "Add the 'class' column, or pass preprocess=False.")
    gt_parts = _split(gt, "gt DataFrame")
    tr_parts = {name: _split(t, f"tracker {name!r} DataFrame") for name, t in named.items()}
    for name, parts in tr_parts.items():
        extra = sorted(set(parts) - set(gt_parts))
        if extra:
            raise InputError(f"tracker {name!r} DataFrame", f"sequence(s) {', '.join(extra[:5])} are not in the ground truth.",
                             "Use the ground truth's sequence names.")
    metrics: dict[str, dict[str, dict]] = {name: {} for name in named}
    notes: list[str] = []
    for seq, gt_part in gt_parts.items():
        gt_rows = _mot_rows(*gt_part, "gt DataFrame")
        tr_rows = {name: _mot_rows(*parts.get(seq, (named[name].iloc[:0], np.zeros(0))), f"tracker {name!r} DataFrame")
                   for name, parts in tr_parts.items()}
        num_frames = _length(lengths, seq, [gt_rows, *tr_rows.values()])
        gt_det = detections_from_rows(gt_rows, num_frames, is_gt=True, source=f"gt DataFrame ({seq})")
        notes += [str(i) for i in gt_det.ignored]
        for name, rows in tr_rows.items():
            tr_det = detections_from_rows(rows, num_frames, is_gt=False, source=f"tracker {name!r} DataFrame ({seq})")
            notes += [str(i) for i in tr_det.ignored]
            data = prepare(seq, gt_det, tr_det, benchmark=benchmark, preprocess=preprocess)
            metrics[name][seq] = evaluate_sequence(data, threshold).metrics()
    for name, seqs in metrics.items():
        seqs[_COMBINED_SEQ] = _combine(list(seqs.values()))
    return Results(metrics, tuple(notes))


def _length(lengths: int | Mapping[str, int] | None, seq: str, tables: list[np.ndarray]) -> int:
    if isinstance(lengths, Mapping):
        if seq not in lengths:
            raise InputError("lengths", f"no length for sequence {seq!r}.", "Give every sequence's number of frames.")
        return int(lengths[seq])
    if lengths is not None:
        return int(lengths)
    last = [np.nanmax(t[:, 0]) for t in tables if t.shape[0] and np.isfinite(t[:, 0]).any()]
    return int(max(last)) if last else 0


__all__ = ["COMBINED", "Metrics", "Results", "combine", "evaluate", "evaluate_frames"]
