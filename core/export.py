"""Export every table of a ``Workspace`` to CSV, JSON or Parquet (``tracklens export``).

Layout of an export folder::

    OUT/metrics.<ext>                          every metric field per tracker x sequence (+ COMBINED),
                                               HOTA arrays as X___5 .. X___95 and X___AUC (TrackEval's
                                               detailed CSV)
    OUT/[classes/<class>/]<tracker>/<sequence>/<table>.<ext>
                                               the SequenceAnalysis tables (boxes, events, pairs,
                                               gt_tracks, tr_tracks) and, at one alpha, the per-track
                                               association tables (gt_track_table, tracker_track_table)
    OUT/schema.json                            the dtype of every column, so ``read_export`` restores
                                               the tables exactly (categories, int8, bool, strings)
    OUT/manifest.json                          the run's provenance plus what was exported

JSON files are lists of records (one object per row, NaN written as null) and keep every float
exactly (Python's shortest round-trip repr). Lists in the per-track tables (the ids covering a
track) are written as space-separated ids ("3 7"). Pure pandas: no dashboard code here.
"""
from __future__ import annotations

import io
import json
import math
import os
from typing import Iterable

import numpy as np
import pandas as pd

from .atomic import atomic_dir
from .errors import InputError
from .analysis.record import TABLES
from .analysis.tracks import gt_track_table, tracker_track_table
from .jsonable import plain
from .metrics.hota import ALPHAS
from .results import class_rows, detailed_frame

FORMATS = ("csv", "json", "parquet")
SCHEMA = "schema.json"
MANIFEST = "manifest.json"
ALPHA_TABLES = ("gt_track_table", "tracker_track_table")
LIST_COLUMNS = ("tracker_ids", "gt_ids")
# pandas < 3 parses CSV floats with a fast, not always exact, parser unless asked (3 is exact and deprecates it).
_CSV_FLOATS = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


def _check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def _alpha_index(alpha: float) -> int:
    return int(np.argmin(np.abs(ALPHAS - alpha)))


def flatten_lists(table: pd.DataFrame) -> pd.DataFrame:
    """The table with list columns (ids covering a track) as space-separated strings."""
    out = table.copy()
    for col in LIST_COLUMNS:
        if col in out:
            out[col] = [" ".join(str(int(v)) for v in ids) if isinstance(ids, (list, tuple, np.ndarray)) else ids
                        for ids in out[col]]
    return out


def column_schema(table: pd.DataFrame) -> dict[str, dict]:
    """Per column: its dtype name, and the categories of a categorical column."""
    schema = {}
    for col in table.columns:
        dtype = table[col].dtype
        entry = {"dtype": "category" if isinstance(dtype, pd.CategoricalDtype) else str(dtype)}
        if isinstance(dtype, pd.CategoricalDtype):
            entry["categories"] = [_plain(c) for c in dtype.categories]
        schema[str(col)] = entry
    return schema


def _plain(value):
    """A cell as JSON: numpy as Python, NaN as null (an infinity stays: JSON's Infinity)."""
    value = plain(value)
    return None if isinstance(value, float) and math.isnan(value) else value


def _is_text(entry: dict) -> bool:
    return entry["dtype"] in ("category", "str", "string", "object")


def _records(table: pd.DataFrame) -> list[dict]:
    columns = [table[c].astype(object).tolist() if isinstance(table[c].dtype, pd.CategoricalDtype)
               else table[c].tolist() for c in table.columns]
    names = [str(c) for c in table.columns]
    return [{k: _plain(v) for k, v in zip(names, row)} for row in zip(*columns)]


def table_bytes(table: pd.DataFrame, fmt: str) -> bytes:
    """One table in one format, as the bytes of the file (also what the dashboard downloads)."""
    return _encode(flatten_lists(table), _check_format(fmt))


def _encode(table: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "csv":
        return table.to_csv(index=False).encode()
    if fmt == "json":
        return json.dumps(_records(table)).encode()  # NaN as null; an infinity as Infinity
    buf = io.BytesIO()
    table.to_parquet(buf, index=False)
    return buf.getvalue()


def write_table(table: pd.DataFrame, path: str, fmt: str | None = None) -> dict[str, dict]:
    """Write one table (format from ``fmt`` or the file's extension); returns its column schema."""
    fmt = _check_format(fmt or os.path.splitext(path)[1])
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    flat = flatten_lists(table)
    with open(path, "wb") as fp:
        fp.write(_encode(flat, fmt))
    return column_schema(flat)


def read_table(path: str, schema: dict[str, dict] | None = None) -> pd.DataFrame:
    """Read one exported table; with its ``schema`` the dtypes come back exactly as written."""
    fmt = _check_format(os.path.splitext(path)[1])
    if fmt == "parquet":
        table = pd.read_parquet(path)
    elif fmt == "json":
        with open(path) as fp:
            records = json.load(fp)
        table = pd.DataFrame.from_records(records, columns=list(schema) if schema else None)
    else:
        if schema is None:
            table = pd.read_csv(path, **_CSV_FLOATS)
        else:
            text = [c for c, e in schema.items() if _is_text(e)]
            table = pd.read_csv(path, dtype={c: str for c in text}, keep_default_na=False,
                                **_CSV_FLOATS,
                                na_values={c: ["", "NaN", "nan"] for c in schema if c not in text})
            for c in text:
                table[c] = table[c].fillna("")
    return _restore(table, schema) if schema else table


def _restore(table: pd.DataFrame, schema: dict[str, dict]) -> pd.DataFrame:
    out = table[list(schema)].copy() if len(table.columns) else pd.DataFrame({c: [] for c in schema})
    for col, entry in schema.items():
        if entry["dtype"] == "category":
            out[col] = out[col].astype(object).astype(pd.CategoricalDtype(entry["categories"]))
        else:
            out[col] = out[col].astype(entry["dtype"])
    return out


def workspace_tables(ws, alpha: float = 0.5) -> Iterable[tuple[str, pd.DataFrame]]:
    """(relative name, table) for every table of the workspace: ``metrics`` first, then
    ``<tracker>/<sequence>/<table>`` per tracker x sequence; a run with classes has one metrics row
    per tracker x ``<class>:<sequence>`` and its tables under ``classes/<class>/``."""
    if ws.classes:
        by_class = {tr: {c: ws.class_metrics[c][tr] for c in ws.classes} for tr in ws.trackers}
        yield "metrics", detailed_frame(class_rows(by_class, ws.combined))
    else:
        yield "metrics", detailed_frame(ws.metrics)
    a_idx = _alpha_index(alpha)
    for view in ws.class_views():
        prefix = f"classes/{view.class_name}/" if ws.classes else ""
        for tracker in ws.trackers:
            for seq in ws.sequences:
                an = view.analysis(tracker, seq.name)
                base = f"{prefix}{tracker}/{seq.name}"
                for name in TABLES:
                    yield f"{base}/{name}", getattr(an, name)
                yield f"{base}/gt_track_table", gt_track_table(an.gt_tracks, an.pairs, a_idx)
                yield f"{base}/tracker_track_table", tracker_track_table(an.tr_tracks, an.pairs, a_idx)


def export_workspace(ws, out_dir: str, fmt: str = "csv", alpha: float = 0.5) -> list[str]:
    """Write every table of ``ws`` under ``out_dir`` in ``fmt``; returns the files written."""
    fmt = _check_format(fmt)
    if os.path.isdir(out_dir) and os.listdir(out_dir) and not os.path.isfile(os.path.join(out_dir, SCHEMA)):
        raise InputError(out_dir, "this folder holds other files; an export replaces its folder whole.",
                         "Pass -o with a new folder (or a previous export's folder).")
    written, schema = [], {}
    with atomic_dir(out_dir) as tmp:  # a kill or a full disk leaves the previous export, not half of one
        for name, table in workspace_tables(ws, alpha):
            rel = os.path.join(*name.split("/")) + f".{fmt}"
            schema[f"{name}.{fmt}"] = write_table(table, os.path.join(tmp, rel), fmt)
            written.append(os.path.join(out_dir, rel))
        with open(os.path.join(tmp, SCHEMA), "w") as fp:
            json.dump(schema, fp, indent=1)
        manifest = {**ws.manifest, "export": {"format": fmt, "alpha": float(ALPHAS[_alpha_index(alpha)]),
                                              "alpha_tables": list(ALPHA_TABLES), "files": sorted(schema)}}
        with open(os.path.join(tmp, MANIFEST), "w") as fp:
            json.dump(manifest, fp, indent=1, default=str)
    return written + [os.path.join(out_dir, SCHEMA), os.path.join(out_dir, MANIFEST)]


def read_export(out_dir: str) -> dict[str, pd.DataFrame]:
    """Every table of an export folder, keyed like ``workspace_tables`` (``metrics``,
    ``<tracker>/<sequence>/<table>``), with the dtypes it was written with."""
    with open(os.path.join(out_dir, SCHEMA)) as fp:
        schema = json.load(fp)
    return {os.path.splitext(rel)[0]: read_table(os.path.join(out_dir, *rel.split("/")), cols)
            for rel, cols in schema.items()}
