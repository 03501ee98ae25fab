"""``tracklens eval --format tao --teta``: TETA (reference SysCV/tet a62a9c0, docs/teta.md) of every
tracker beside the TrackEval metrics, in the printed summary, ``--json`` (key ``teta``), ``--csv``
(sibling ``<name>.teta.csv``) and a saved run's manifest.

Fields keep the reference's names: TETA, LocA, AssocA, ClsA, LocRe, LocPr, AssocRe, AssocPr, ClsRe,
ClsPr (each the mean over its thresholds, as fractions; the reference prints 100 x these) and the
counts Loc_TP/FN/FP (per alpha 0.0..0.95) and Cls_TP/FN/FP (per alpha 0.5..0.95).
"""
from __future__ import annotations

from .layout import Layout
from .metrics.teta import ALPHAS, CLS_ALPHAS, COUNT_FIELDS, FIELDS, TetaResult
from .teta_tao import AVERAGE, TetaRun, teta_tao

REFERENCE = "SysCV/tet a62a9c0"
HEADLINE = ("TETA", "LocA", "AssocA", "ClsA")


def teta_runs(layout: Layout) -> dict[str, TetaRun]:
    """Each tracker's TETA on the layout's ground truth, over the layout's classes."""
    if layout.format != "tao" or not layout.sequences:
        raise ValueError("TETA is computed for TAO layouts")
    files = layout.sequences[0]
    return {tr: teta_tao(files.gt, files.trackers[tr], layout.classes or None, link=files.link)
            for tr in layout.trackers}


def _row(r: TetaResult) -> dict:
    out: dict = dict(r.summary())
    for k in COUNT_FIELDS:
        out[k] = [int(v) for v in r.counts[k]]
    return out


def to_document(runs: dict[str, TetaRun]) -> dict:
    """``{"reference": ..., "alphas": ..., "trackers": {tracker: {class | "average": fields}}}``."""
    return {"reference": REFERENCE, "alphas": [round(float(a), 2) for a in ALPHAS],
            "cls_alphas": [round(float(a), 2) for a in CLS_ALPHAS],
            "trackers": {tr: {**{c: _row(r) for c, r in run.per_class.items()}, AVERAGE: _row(run.average)}
                         for tr, run in runs.items()}}


def to_frame(runs: dict[str, TetaRun]):
    """One CSV row per tracker x class (and "average"): the ten fields."""
    import pandas as pd
    rows = []
    for tr, run in runs.items():
        for c, r in [*run.per_class.items(), (AVERAGE, run.average)]:
            rows.append({"tracker": tr, "class": c, **r.summary()})
    return pd.DataFrame(rows, columns=["tracker", "class", *FIELDS])


def summary_lines(runs: dict[str, TetaRun]) -> list[str]:
    lines = [f"\nTETA ({REFERENCE}; class average, classes without any box left out)"]
    for tr, run in runs.items():
        s = run.average.summary()
        lines.append(f"{tr}: " + "; ".join(f"{f} {100 * s[f]:.3f}" for f in HEADLINE))
    return lines


__all__ = ["REFERENCE", "summary_lines", "teta_runs", "to_document", "to_frame"]
