"""Metrics compared, computed once per run: every tracker scored by the metrics a run does not hold
already (HOTA with the paper's matching, CA-HOTA, the video-detection metrics), the CA-HOTA curves and
the per-class table. The HOTA-paper matching takes seconds per sequence and tracker, so a saved run
keeps these tables (``COMPARED`` in the run folder) and the dashboard reads them instead of evaluating
every sequence again on every visit. Tables travel as column lists with their dtype, so a table read
back equals the one computed (tested)."""
from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from .errors import InputError
from .run import RunInputs, reevaluation_refused, resolve_inputs

COMPARED = "compared.json"
VARIANTS = ("HOTA (paper)", "CA-HOTA")
ROW_COLUMNS = ["tracker", "metric", "value", "better", "ignores"]
_DTYPES = frozenset({"float64", "int64", "object", "bool", "str"})


def applies(inputs: RunInputs) -> bool:
    """Whether these metrics apply: MOTChallenge files evaluated without classes, under rules their
    re-evaluation reproduces (not other target classes, not py-motmetrics' matching)."""
    return inputs.format == "mot" and not inputs.classes and reevaluation_refused(inputs) is None


def load_mot_sequence(inputs: RunInputs, sequence: str, trackers: list[str], what: str):
    """One sequence of a MOTChallenge run read again from its inputs (``resolve_inputs``); raises
    ``InputError`` saying what is missing, or that ``what`` needs MOTChallenge files."""
    from .evaluate import load_sequence

    if inputs.format != "mot":
        raise InputError(inputs.gt_folder, f"{what} reads MOTChallenge files; this run is {inputs.format.upper()}.",
                         "Use the Overview, Frame inspector, Tracks and Compare pages for this run.")
    layout = resolve_inputs(inputs, trackers, saved=True)
    return load_sequence(next(f for f in layout.sequences if f.name == sequence))


def metric_rows(inputs: RunInputs, loaded, sequence: str, trackers: tuple[str, ...]) -> pd.DataFrame:
    """One row per (tracker, metric) on one loaded sequence; ``ignores`` is None for the two HOTA
    variants (the dashboard words those)."""
    from .metrics.detection import detection_report
    from .variants import evaluate_variants

    rows = []
    for tracker in trackers:
        tr = loaded.trackers[tracker]
        classes_given = bool((tr.cls >= 0).any()) and inputs.benchmark != "MOT15"
        # Without classes CA-HOTA is not a number (C(c) would be 0 or 1 by accident, not a probability):
        # its classification-aware matching is not run at all.
        wanted = VARIANTS if classes_given else tuple(v for v in VARIANTS if v != "CA-HOTA")
        variants = evaluate_variants(loaded.gt, tr, sequence, variants=wanted,
                                     preprocess=inputs.preprocess and inputs.benchmark != "MOT15",
                                     benchmark=inputs.benchmark)
        for name in VARIANTS:
            value = float(variants.loc[name, "score"]) if name in wanted else float("nan")
            rows.append((tracker, name, value, "higher", None))
        report = detection_report({sequence: loaded.gt}, {sequence: tr},
                                  benchmark=inputs.benchmark if inputs.preprocess else None)
        for _, r in report.iterrows():
            rows.append((tracker, r["metric"], float(r["value"]), r["better"], r["ignores"]))
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def ca_hota_table(loaded, sequence: str, tracker: str) -> pd.DataFrame:
    """CA-HOTA, ClaA and HOTA (paper matching, class-aware) against alpha for one loaded sequence x tracker."""
    from .metrics.hota_variants import ca_hota
    from .variants import class_labels, prepare_multiclass

    tr = loaded.trackers[tracker]
    seq = prepare_multiclass(sequence, loaded.gt, tr)
    table = ca_hota(seq, class_labels(seq, loaded.gt, tr)).to_pandas()
    table = table[table.index != "mean"] if "mean" in table.index else table
    return table.reset_index().assign(tracker=tracker)


def has_classes(rows: pd.DataFrame, tracker: str) -> bool:
    """Whether ``tracker``'s file gives class probabilities (its CA-HOTA is a number)."""
    return bool(rows.loc[(rows["tracker"] == tracker) & (rows["metric"] == "CA-HOTA"), "value"].notna().all())


def per_class_table(inputs: RunInputs, trackers: tuple[str, ...]) -> pd.DataFrame | None:
    """HOTA / MOTA / IDF1 per ground-truth class (column 8) and both class combinations, per tracker;
    None when the ground truth has a single class, for MOT15 (whose column 8 is a world coordinate), and
    for a run evaluated per class already."""
    from .classes import CLASS_AVERAGED, DET_AVERAGED, classes_in, evaluate_classes
    from .evaluate import COMBINED

    if inputs.format != "mot" or inputs.classes or inputs.benchmark.upper() == "MOT15":
        return None
    layout = resolve_inputs(inputs, list(trackers), saved=True)
    classes = classes_in(layout)
    if len(classes) < 2:
        return None
    run = evaluate_classes(layout, classes, threshold=inputs.threshold)
    rows = []
    for tracker in trackers:
        named = {f"class {c}": run.metrics[tracker][str(c)][COMBINED] for c in classes}
        named.update({"class-averaged": run.combined[tracker][CLASS_AVERAGED],
                      "detection-averaged": run.combined[tracker][DET_AVERAGED]})
        for label, m in named.items():
            rows.append({"tracker": tracker, "class": label, "HOTA": float(m["HOTA"].mean()),
                         "DetA": float(m["DetA"].mean()), "AssA": float(m["AssA"].mean()),
                         "MOTA": float(m["MOTA"]), "IDF1": float(m["IDF1"]), "GT_Dets": int(m["GT_Dets"])})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ once per run


def _sequence(job: tuple[RunInputs, str, tuple[str, ...]]) -> tuple[str, dict]:
    inputs, sequence, trackers = job
    loaded = load_mot_sequence(inputs, sequence, list(trackers), "Metrics compared")
    rows = metric_rows(inputs, loaded, sequence, trackers)
    curves = {t: frame_to_json(ca_hota_table(loaded, sequence, t)) for t in trackers if has_classes(rows, t)}
    return sequence, {"rows": frame_to_json(rows), "curves": curves}


def compute(inputs: RunInputs, trackers: list[str], sequences: list[str], workers: int = 1) -> dict:
    """Every sequence's tables and the per-class table, JSON-ready (what ``COMPARED`` holds)."""
    jobs = [(inputs, s, tuple(trackers)) for s in sequences]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(min(workers, len(jobs))) as pool:
            done = dict(pool.map(_sequence, jobs))
    else:
        done = dict(map(_sequence, jobs))
    classes = per_class_table(inputs, tuple(trackers))
    return {"sequences": {s: done[s] for s in sequences},
            "per_class": None if classes is None else frame_to_json(classes)}


def frame_to_json(frame: pd.DataFrame) -> dict:
    """A table as {column: {"dtype", "values"}} in column order (NaN as null); index dropped."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        dtype = str(col.dtype)
        values = [None if isinstance(v, float) and math.isnan(v) else v for v in col.tolist()]
        out[str(name)] = {"dtype": dtype, "values": values}
    return {"columns": out}


def frame_from_json(raw: dict) -> pd.DataFrame:
    """The table ``frame_to_json`` wrote (nulls back to NaN in float columns)."""
    cols = raw["columns"]
    data = {}
    for name, col in cols.items():
        values = col["values"]
        if col["dtype"] == "float64":
            values = [math.nan if v is None else v for v in values]
        data[name] = pd.Series(values, dtype=col["dtype"])
    return pd.DataFrame(data, columns=list(cols))


# ------------------------------------------------------------------------------ reading (untrusted)


def check(path: str, raw: object, trackers: list[str], sequences: list[str]) -> dict:
    """``raw`` when it has the shape ``compute`` writes, for these trackers and sequences; ``InputError`` else."""
    def fail(what: str) -> InputError:
        return InputError(path, f"the run's metrics compared are damaged: {what}.",
                          "Save the run again with 'tracklens eval ... --save RUN_DIR'.")

    def table(t: object, where: str) -> None:
        if not isinstance(t, dict) or not isinstance(t.get("columns"), dict) or not t["columns"]:
            raise fail(f"{where} is not a table")
        lengths = set()
        for name, col in t["columns"].items():
            if not (isinstance(col, dict) and col.get("dtype") in _DTYPES and isinstance(col.get("values"), list)):
                raise fail(f"{where}, column {str(name)[:40]!r} has no known dtype and values")
            if not all(v is None or isinstance(v, (str, int, float, bool)) for v in col["values"]):
                raise fail(f"{where}, column {str(name)[:40]!r} holds a value that is not text or a number")
            lengths.add(len(col["values"]))
        if len(lengths) != 1:
            raise fail(f"{where} has columns of different lengths")

    if not isinstance(raw, dict) or not isinstance(raw.get("sequences"), dict):
        raise fail("no 'sequences'")
    if set(raw["sequences"]) != set(sequences):
        raise fail("its sequences are not the run's")
    for s, entry in raw["sequences"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("curves"), dict):
            raise fail(f"sequence {s!r} has no rows and curves")
        table(entry.get("rows"), f"sequence {s!r}")
        if list(entry["rows"]["columns"]) != ROW_COLUMNS:
            raise fail(f"sequence {s!r}: the rows' columns are not {', '.join(ROW_COLUMNS)}")
        if not set(entry["rows"]["columns"]["tracker"]["values"]) <= set(trackers):
            raise fail(f"sequence {s!r} names a tracker the run does not have")
        for t, curve in entry["curves"].items():
            if t not in trackers:
                raise fail(f"sequence {s!r} has a curve of a tracker the run does not have")
            table(curve, f"sequence {s!r}, curve of {t!r}")
    if raw.get("per_class") is not None:
        table(raw["per_class"], "the per-class table")
    return raw


def saved_path(run_dir: str) -> str:
    return os.path.join(run_dir, COMPARED)
