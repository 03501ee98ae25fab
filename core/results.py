"""Metric dicts as tables and files: the JSON layout of ``tracklens eval --json``, a TrackEval-style
detailed CSV and the printed summary."""
from __future__ import annotations

import json
import math

from typing import TYPE_CHECKING

import numpy as np

from .fields import HEADLINE, is_count, is_per_alpha
from .jsonable import plain
from .metrics.hota import ALPHAS

if TYPE_CHECKING:
    import pandas as pd

ALPHA_LABELS = [int(round(100 * a)) for a in ALPHAS]


def flatten(fields: dict) -> dict:
    """One metric dict with HOTA arrays as ``X`` (mean over alphas) and ``X_alpha`` (19 values)."""
    out = {}
    for key, value in fields.items():
        if is_per_alpha(key):
            arr = np.asarray(value, float)
            out[key] = float(arr.mean())
            out[f"{key}_alpha"] = [float(v) for v in arr]
        else:
            out[key] = plain(value)
    return out


def to_json(metrics: dict[str, dict[str, dict]]) -> str:
    """``out[tracker][sequence or "COMBINED"][field]`` as JSON."""
    out = {tr: {("COMBINED" if s == "COMBINED_SEQ" else s): flatten(m) for s, m in seqs.items()}
           for tr, seqs in metrics.items()}
    return json.dumps(out, indent=1, allow_nan=True)


def to_json_nested(tree: dict) -> str:
    """Like ``to_json`` for any nesting depth whose leaves are metric dicts (multi-class output)."""
    def walk(node):
        if any(k in node for k in ("HOTA", "MOTA", "IDF1")):
            return flatten(node)
        return {("COMBINED" if k == "COMBINED_SEQ" else str(k)): walk(v) for k, v in node.items()}
    return json.dumps(walk(tree), indent=1)


def class_rows(metrics: dict[str, dict[str, dict[str, dict]]], combined: dict[str, dict[str, dict]]) -> dict:
    """A run with classes (``metrics[tracker][class][sequence]``) as ``detailed_frame`` rows: one per
    tracker x ``<class>:<sequence>`` (``COMBINED`` for the combination), then ``<combination>:COMBINED``."""
    out = {}
    for tr, by_class in metrics.items():
        out[tr] = {f"{c}:{'COMBINED' if s == 'COMBINED_SEQ' else s}": m for c, seqs in by_class.items()
                   for s, m in seqs.items()}
        out[tr].update({f"{k}:COMBINED": v for k, v in combined.get(tr, {}).items()})
    return out


def detailed_frame(metrics: dict[str, dict[str, dict]]) -> pd.DataFrame:
    """TrackEval's detailed CSV: per tracker x sequence, every field, HOTA arrays as ``X___5 .. X___95``
    plus ``X___AUC`` (the mean)."""
    rows = []
    for tr, seqs in metrics.items():
        for seq, fields in seqs.items():
            row = {"tracker": tr, "seq": "COMBINED" if seq == "COMBINED_SEQ" else seq}
            for key, value in fields.items():
                if is_per_alpha(key):
                    arr = np.asarray(value, float)
                    row.update({f"{key}___{a}": v for a, v in zip(ALPHA_LABELS, arr)})
                    row[f"{key}___AUC"] = float(arr.mean())
                else:
                    row[key] = plain(value)
            rows.append(row)
    import pandas as pd  # only --csv and the API's tables need it

    return pd.DataFrame(rows)


def format_summary(metrics: dict[str, dict[str, dict]]) -> str:
    """A readable per-tracker table: percentages for rates, integers for counts."""
    lines = []
    for tr, seqs in metrics.items():
        rows = {s: flatten(m) for s, m in seqs.items()}
        present = {k for row in rows.values() for k in row}
        cols = [c for c in HEADLINE if c in present]
        lines.append(f"\n{tr}")
        header = f"{'sequence':<22}" + "".join(f"{c:>9}" for c in cols)
        lines.append(header)
        for seq, row in rows.items():
            name = "COMBINED" if seq == "COMBINED_SEQ" else str(seq)
            cells = "".join(f"{_cell(c, row.get(c, math.nan)):>9}" for c in cols)
            lines.append(f"{name[:22]:<22}{cells}")
    return "\n".join(lines)


def _cell(column: str, value) -> str:
    if is_count(column):
        return str(int(value))
    v = float(value)
    return "nan" if math.isnan(v) else f"{100 * v:.3f}"
