"""Score-threshold sweep: every metric field with the tracker's boxes of confidence below a cutoff
removed before matching (so each point equals evaluating the filtered files with TrackEval).

Each sequence is parsed once and its ground-truth x tracker similarities computed once; a cutoff
only masks tracker rows (and the pairs that touch them), then preprocessing, the three matchings and
the metrics run on that subset. Cutoffs that keep the same boxes share one evaluation (a tracker
whose scores are all 1 is evaluated once). Definitions: docs/sweep.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import InputError
from .evaluate import COMBINED, combine, load_sequence, run_tasks
from .fields import FIELDS, is_per_alpha
from .layout import Layout, SequenceFiles
from .sweep_reuse import TrackerSweep

# The curves drawn and the fields whose best cutoff is reported first.
CURVE_FIELDS = ("HOTA", "DetA", "AssA", "MOTA", "IDF1")
DEFAULT_CUTOFFS = "0:0.95:0.05"  # the dashboard's and the report's grid
GRID_DECIMALS = 12  # grid points are rounded, so 0:0.95:0.05 gives 0.15, not 0.15000000000000002


def parse_cutoffs(text: str) -> tuple[float, ...]:
    """``start:stop:step`` (stop included when on the grid) or a comma list, as sorted unique cutoffs."""
    spec = text.strip()
    fix = "Write --score-thresholds 0:0.95:0.05 (start:stop:step, stop included) or a list such as 0.3,0.5,0.7."
    try:
        if ":" in spec:
            start, stop, step = (float(v) for v in spec.split(":"))
            if not (step > 0 and stop >= start):
                raise InputError("--score-thresholds", f"{spec!r}: the step must be > 0 and stop >= start.", fix)
            count = int(math.floor((stop - start) / step + 1e-9)) + 1
            values = [round(start + k * step, GRID_DECIMALS) for k in range(count)]
        else:
            values = [float(v) for v in spec.split(",") if v.strip()]
    except ValueError:
        raise InputError("--score-thresholds", f"{spec!r} is not a list of numbers or start:stop:step.", fix) from None
    if not values or not all(math.isfinite(v) for v in values):
        raise InputError("--score-thresholds", f"{spec!r} gives no finite cutoff.", fix)
    if len(values) > 1000:
        raise InputError("--score-thresholds", f"{spec!r} gives {len(values)} cutoffs (at most 1000).", fix)
    return tuple(sorted(set(values)))


@dataclass
class SweepSequence:
    """A worker's result: ``metrics[tracker][k]`` is the metric dict at ``cutoffs[k]``."""

    name: str
    metrics: dict[str, list[dict]]


@dataclass(frozen=True)
class Sweep:
    """``metrics[tracker][k][sequence | COMBINED_SEQ]`` at ``cutoffs[k]`` (boxes with confidence
    >= cutoff kept), over ``sequences`` in the layout's order."""

    cutoffs: tuple[float, ...]
    sequences: tuple[str, ...]
    metrics: dict[str, list[dict[str, dict]]]

    @property
    def trackers(self) -> tuple[str, ...]:
        return tuple(self.metrics)

    def curve(self, tracker: str, field: str, sequence: str = COMBINED) -> np.ndarray:
        """``field`` at every cutoff (the mean over α for HOTA's per-α fields)."""
        return np.array([summary_value(point[sequence], field) for point in self.metrics[tracker]])


def summary_value(fields: dict, name: str) -> float:
    """One number per field: HOTA's per-α arrays reported as their mean, as TrackEval does."""
    value = fields[name]
    return float(np.mean(value)) if is_per_alpha(name) else float(value)


def sweep_files(files: SequenceFiles, cutoffs: tuple[float, ...], benchmark: str, preprocess: bool,
                threshold: float) -> SweepSequence:
    """One sequence, every tracker, every cutoff: parsed once, similarities once, each kept set
    evaluated reusing what it shares with the previous one (``sweep_reuse.TrackerSweep``)."""
    return sweep_loaded(load_sequence(files), cutoffs, benchmark, preprocess, threshold)


def sweep_loaded(loaded, cutoffs: tuple[float, ...], benchmark: str, preprocess: bool,
                 threshold: float) -> SweepSequence:
    """``sweep_files`` of a sequence already read (``evaluate.load_sequence``), e.g. shared with the
    report's what-if."""
    files = loaded.files
    out = SweepSequence(files.name, {})
    for name, tr in loaded.trackers.items():
        tracker = TrackerSweep(files.name, loaded.gt, tr, benchmark, preprocess, threshold)
        kept_sorted = np.sort(tr.conf)
        by_count: dict[int, dict] = {}  # nested subsets: the same number kept means the same boxes
        points = []
        for cutoff in sorted(cutoffs):  # ascending: each kept set inside the previous one
            kept = int(kept_sorted.size - np.searchsorted(kept_sorted, cutoff, side="left"))
            if kept not in by_count:
                by_count[kept] = tracker.evaluate(np.flatnonzero(tr.conf >= cutoff))
            points.append(by_count[kept])
        order = np.argsort(np.argsort(cutoffs, kind="stable"), kind="stable")  # back to the caller's order
        out.metrics[name] = [points[k] for k in order]
    return out


def sweep(layout: Layout, cutoffs: tuple[float, ...], *, preprocess: bool = True, threshold: float = 0.5,
          workers: int = 1, progress: Callable[[int, int, str], None] | None = None) -> Sweep:
    """Evaluate every tracker of a MOTChallenge ``layout`` at every cutoff, combined over sequences
    exactly as ``evaluate`` combines them."""
    if layout.format != "mot" or layout.classes:
        raise InputError("--score-thresholds", "the score sweep evaluates the MOTChallenge single-class layout only.",
                         "Leave out --classes / --format, or leave out --score-thresholds.")
    tasks = [(f, tuple(cutoffs), layout.benchmark, preprocess, threshold) for f in layout.sequences]
    done = run_tasks(sweep_files, tasks, workers, progress)
    return gather_sweep(tuple(f.name for f in layout.sequences), layout.trackers, cutoffs, done)


def gather_sweep(order: tuple[str, ...], trackers, cutoffs: tuple[float, ...],
                 done: dict[str, SweepSequence]) -> Sweep:
    """One ``Sweep`` from every sequence's ``SweepSequence``, combined in ``order`` as ``evaluate`` does."""
    metrics = {}
    for tr in trackers:
        points = []
        for k in range(len(cutoffs)):
            point = {s: done[s].metrics[tr][k] for s in order}
            point[COMBINED] = combine(point[s] for s in order)
            points.append(point)
        metrics[tr] = points
    return Sweep(tuple(cutoffs), order, metrics)


def best_cutoff(sweep: Sweep, tracker: str, field: str) -> tuple[float, float]:
    """(cutoff, value) where the combined ``field`` is best (higher or lower by the field registry);
    the lowest such cutoff on a tie."""
    values = sweep.curve(tracker, field)
    direction = FIELDS[field].better
    if direction is None:
        raise ValueError(f"{field} has no better direction")
    scored = np.where(np.isnan(values), -np.inf, values if direction == "higher" else -values)
    k = int(np.argmax(scored))
    return sweep.cutoffs[k], float(values[k])


def hota_auc(sweep: Sweep, tracker: str) -> float:
    """Area under the combined HOTA-vs-cutoff curve, trapezoid rule over the cutoff grid, divided by
    the grid's range (so it is the curve's mean height, in HOTA's units); HOTA itself for one cutoff."""
    return curve_area(np.asarray(sweep.cutoffs, float), sweep.curve(tracker, "HOTA"))


def curve_area(x: np.ndarray, y: np.ndarray) -> float:
    if x.size == 1:
        return float(y[0])
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2 / (x[-1] - x[0]))


def best_table(sweep: Sweep) -> list[dict]:
    """Per tracker: the best cutoff of each curve field and the HOTA area (the summary rows)."""
    rows = []
    for tr in sweep.trackers:
        row: dict = {"tracker": tr, "HOTA_area": hota_auc(sweep, tr)}
        for field in CURVE_FIELDS:
            cut, value = best_cutoff(sweep, tr, field)
            row[f"best_{field}_cutoff"] = cut
            row[f"best_{field}"] = value
        rows.append(row)
    return rows


def to_document(sweep: Sweep) -> dict:
    """The JSON record: the cutoffs, and per tracker every field of every sequence (and COMBINED) at
    each cutoff, the best cutoffs and the HOTA area (docs/sweep.md)."""
    from .results import flatten

    best = {row["tracker"]: row for row in best_table(sweep)}
    trackers = {}
    for tr in sweep.trackers:
        points = [{"score_threshold": cut, **{("COMBINED" if s == COMBINED else s): flatten(m) for s, m in point.items()}}
                  for cut, point in zip(sweep.cutoffs, sweep.metrics[tr])]
        trackers[tr] = {"points": points, "HOTA_area": best[tr]["HOTA_area"],
                        "best": {f: {"score_threshold": best[tr][f"best_{f}_cutoff"], "value": best[tr][f"best_{f}"]}
                                 for f in CURVE_FIELDS}}
    return {"score_thresholds": list(sweep.cutoffs), "kept": "confidence >= score_threshold",
            "HOTA_area": "trapezoid over the cutoffs / (last - first cutoff)", "trackers": trackers}


def to_frame(sweep: Sweep):
    """TrackEval's detailed CSV at every cutoff: a ``score_threshold`` column, then tracker, seq and
    every field (``results.detailed_frame``)."""
    import pandas as pd

    from .results import detailed_frame

    parts = []
    for k, cut in enumerate(sweep.cutoffs):
        frame = detailed_frame({tr: sweep.metrics[tr][k] for tr in sweep.trackers})
        frame.insert(0, "score_threshold", cut)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def curves_document(sweep: Sweep) -> dict:
    """What a saved run carries and the dashboard draws: the cutoffs and, per tracker, the combined
    curves of ``CURVE_FIELDS``, the best cutoffs and the HOTA area (JSON-ready floats)."""
    best = {row["tracker"]: row for row in best_table(sweep)}
    return {"score_thresholds": [float(c) for c in sweep.cutoffs], "trackers": {
        tr: {"curves": {f: [float(v) for v in sweep.curve(tr, f)] for f in CURVE_FIELDS},
             "best": {f: {"score_threshold": best[tr][f"best_{f}_cutoff"], "value": best[tr][f"best_{f}"]}
                      for f in CURVE_FIELDS},
             "HOTA_area": best[tr]["HOTA_area"]} for tr in sweep.trackers}}


def check_curves_document(doc: object, where: str, trackers: list[str]) -> dict:
    """A carried sweep read back from a saved run (untrusted): its shape, or ``InputError``."""
    fix = "Save the run again with 'tracklens eval ... --score-thresholds ... --save RUN_DIR'."

    def numbers(values: object, size: int | None) -> bool:
        return (isinstance(values, list) and (size is None or len(values) == size)
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values))

    if not isinstance(doc, dict) or not numbers(doc.get("score_thresholds"), None) or not doc["score_thresholds"]:
        raise InputError(where, "the carried score sweep has no list of cutoffs.", fix)
    size = len(doc["score_thresholds"])
    per = doc.get("trackers")
    if not isinstance(per, dict) or set(per) != set(trackers):
        raise InputError(where, "the carried score sweep does not list the run's trackers.", fix)
    for tr, entry in per.items():
        ok = (isinstance(entry, dict) and isinstance(entry.get("curves"), dict)
              and all(numbers(entry["curves"].get(f), size) for f in CURVE_FIELDS)
              and isinstance(entry.get("best"), dict) and isinstance(entry.get("HOTA_area"), (int, float)))
        if not ok:
            raise InputError(where, f"the carried score sweep of tracker {tr!r} is not curves of {size} values.", fix)
    return doc
