"""Builders of the score-sweep views: the curves against the cutoff (plotly) and the best-cutoff
table, from a sweep's curves document (``tracklens.sweep.curves_document``: computed now or carried
by a saved run). Pure functions, no Streamlit."""
from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tracklens.sweep import CURVE_FIELDS

from .figures import TEMPLATE, tracker_colors


def sweep_curves(doc: dict, fields: tuple[str, ...] = CURVE_FIELDS) -> go.Figure:
    """One panel per field, one colour per tracker, the value (x100) against the score cutoff; a star
    marks each curve's best cutoff. The legend gives each tracker's HOTA area."""
    cutoffs = doc["score_thresholds"]
    trackers = list(doc["trackers"])
    colors = tracker_colors(trackers)
    cols = 3
    rows = math.ceil(len(fields) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(fields), horizontal_spacing=0.07,
                        vertical_spacing=0.16)
    for tracker in trackers:
        entry = doc["trackers"][tracker]
        name = html.escape(str(tracker))
        for i, field in enumerate(fields):
            row, col = i // cols + 1, i % cols + 1
            values = [100 * v for v in entry["curves"][field]]
            fig.add_trace(go.Scatter(
                x=cutoffs, y=values, mode="lines+markers", legendgroup=name, showlegend=i == 0,
                name=f"{name} · HOTA area {100 * entry['HOTA_area']:.1f}",
                line={"color": colors[tracker], "width": 2}, marker={"size": 4},
                hovertemplate=f"{name}<br>cutoff %{{x:g}}<br>{field} %{{y:.2f}}<extra></extra>"), row=row, col=col)
            best = entry["best"][field]
            fig.add_trace(go.Scatter(
                x=[best["score_threshold"]], y=[100 * best["value"]], mode="markers", legendgroup=name,
                showlegend=False, marker={"symbol": "star", "size": 14, "color": colors[tracker],
                                          "line": {"color": "black", "width": 1}},
                hovertemplate=f"{name}: best {field} %{{y:.2f}} at cutoff %{{x:g}}<extra></extra>"), row=row, col=col)
    fig.update_xaxes(title_text="score cutoff (boxes below removed)")
    fig.update_layout(template=TEMPLATE, height=320 * rows + 80, hovermode="closest",
                      legend={"orientation": "h", "y": -0.12, "title_text": "★ best cutoff"},
                      margin={"t": 50, "l": 50, "r": 20, "b": 60})
    return fig


def best_cutoff_table(doc: dict, fields: tuple[str, ...] = CURVE_FIELDS) -> pd.DataFrame:
    """Per tracker: HOTA area and, per field, the best value (x100) and the cutoff reaching it."""
    rows = []
    for tracker, entry in doc["trackers"].items():
        row = {"tracker": tracker, "HOTA area": 100 * entry["HOTA_area"]}
        for field in fields:
            row[f"best {field}"] = 100 * entry["best"][field]["value"]
            row[f"{field} at cutoff"] = entry["best"][field]["score_threshold"]
        rows.append(row)
    return pd.DataFrame(rows)


def flat_trackers(doc: dict) -> list[str]:
    """Trackers whose every curve is flat (all cutoffs keep the same boxes: constant scores)."""
    return [t for t, e in doc["trackers"].items()
            if all(max(v) == min(v) for v in e["curves"].values())]
