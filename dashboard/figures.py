"""Plotly figure builders: the plots the HOTA paper and TrackEval use, plus the error views.

Every builder takes pandas DataFrames and returns a ``go.Figure``; nothing here knows Streamlit.
Scores come in as fractions (0..1), as TrackEval computes them, and are shown x100, as in
TrackEval's tables and plots. Trackers get colours by sorted name, so a tracker keeps its colour
across figures; track ids use the overlay's palette (``palette.id_color``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .text import chart_text
from .palette import EVENT_COLOR, FN_COLOR, FP_COLOR, to_hex

TEMPLATE = "plotly_white"
# Tracker colours keep away from the state colours (red = missed, amber = false positive, violet = identity
# event) and from the Pareto line's near-black; trackers are also named in every legend and label.
TRACKER_COLORS = ("#1f77b4", "#2ca02c", "#17becf", "#393b79", "#e377c2", "#0b6e4f", "#c49c94", "#5f7a8c",
                  "#8c564b", "#bcbd22")
ALPHA_MARKER_COLOR = "#555555"
PARETO_COLOR = "#222222"


def _geometric(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.sqrt(x * y)


def _jaccard(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x + y - x * y > 0, x * y / (x + y - x * y), 0.0)


def _product(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x * y


# How a pair of scores combines into the score drawn as background contours (TrackEval plotting).
CONTOUR_FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "geometric": _geometric,  # HOTA = sqrt(DetA * AssA)
    "jaccard": _jaccard,  # DetA from DetRe, DetPr (and AssA from AssRe, AssPr)
    "product": _product,  # HOTALocA(0) = HOTA(0) * LocA(0)
}


@dataclass(frozen=True)
class TradeoffPlot:
    """One of the standard score-pair scatters: ``y`` against ``x``, contours of ``contour``."""

    x: str
    y: str
    contour: str
    contour_label: str


TRADEOFF_PLOTS: tuple[TradeoffPlot, ...] = (
    TradeoffPlot("DetA", "AssA", "geometric", "HOTA"),
    TradeoffPlot("AssRe", "AssPr", "jaccard", "AssA"),
    TradeoffPlot("DetRe", "DetPr", "jaccard", "DetA"),
    TradeoffPlot("LocA(0)", "HOTA(0)", "product", "HOTALocA(0)"),
)


def tracker_colors(trackers: Sequence[str]) -> dict[str, str]:
    """Colour per tracker name, by sorted name: the same set of trackers always looks the same."""
    names = sorted(set(trackers))
    return {name: TRACKER_COLORS[i % len(TRACKER_COLORS)] for i, name in enumerate(names)}


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}")


def alpha_curves(per_alpha: pd.DataFrame, fields: Sequence[str] = ("HOTA", "DetA", "AssA", "LocA"),
                 alpha: float | None = None) -> go.Figure:
    """Scores against the IoU threshold α: one panel per field, one colour per tracker.

    ``per_alpha`` is long-form (``tracker, alpha, <fields>``, 19 α per tracker). As in TrackEval's
    plots the legend gives each curve's mean over α (the reported number); ``alpha`` draws a
    vertical marker at the α chosen in the app.
    """
    _require(per_alpha, ["tracker", "alpha", *fields], "per_alpha")
    cols = 2 if len(fields) == 4 else min(len(fields), 3)
    rows = math.ceil(len(fields) / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(fields), shared_xaxes=True,
                        horizontal_spacing=0.08, vertical_spacing=0.12)
    means = per_alpha.groupby("tracker")[list(fields)].mean()
    order = means.sort_values(fields[0], ascending=False).index
    colors = tracker_colors(order)
    for tracker in order:
        curve = per_alpha[per_alpha["tracker"] == tracker].sort_values("alpha")
        for i, field in enumerate(fields):
            fig.add_trace(go.Scatter(
                x=curve["alpha"], y=curve[field] * 100, mode="lines+markers",
                name=f"{field} {means.loc[tracker, field] * 100:.1f}",
                legendgroup=chart_text(tracker), legendgrouptitle_text=chart_text(tracker) if i == 0 else None,
                line={"color": colors[tracker], "width": 2}, marker={"size": 4},
                hovertemplate=f"{chart_text(tracker)}<br>α=%{{x:.2f}}<br>{field}=%{{y:.1f}}<extra></extra>",
            ), row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(range=[0, 1], dtick=0.1, title_text="α (IoU threshold)", row=rows)
    fig.update_yaxes(range=[0, 100])
    if alpha is not None:
        fig.add_vline(x=alpha, line={"color": ALPHA_MARKER_COLOR, "dash": "dot", "width": 1.5},
                      row="all", col="all")
    fig.update_layout(template=TEMPLATE, height=330 * rows + 60, hovermode="closest",
                      legend={"groupclick": "togglegroup", "title_text": "mean over α"},
                      margin={"t": 50, "l": 50, "r": 20, "b": 50})
    return fig


def pareto_front(x: Sequence[float], y: Sequence[float]) -> np.ndarray:
    """Indices of the points no other point beats on both scores, ordered by ``x``.

    A point is dropped when another is at least as good on both and better on one (both scores
    are better when higher). Equal points are all kept.
    """
    xs, ys = np.asarray(x, float), np.asarray(y, float)
    dominated = ((xs[None, :] >= xs[:, None]) & (ys[None, :] >= ys[:, None])
                 & ((xs[None, :] > xs[:, None]) | (ys[None, :] > ys[:, None]))).any(axis=1)
    front = np.flatnonzero(~dominated)
    return front[np.lexsort((-ys[front], xs[front]))]


def _axis_range(values: np.ndarray) -> tuple[float, float]:
    """The data range padded to multiples of 5 within [0, 100] (TrackEval zooms the same way)."""
    lo = max(0.0, math.floor((np.nanmin(values) - 2) / 5) * 5)
    hi = min(100.0, math.ceil((np.nanmax(values) + 2) / 5) * 5)
    return (lo, hi) if hi > lo else (max(0.0, lo - 5), min(100.0, hi + 5))


def _shown(axis: tuple[float, float]) -> list[float]:
    """The axis as displayed: a little room past the top so a perfect tracker's marker and label
    are not cut off at the edge."""
    return [axis[0], axis[1] + 0.06 * (axis[1] - axis[0])]


def tradeoff_scatter(summary: pd.DataFrame, x: str, y: str, contour: str,
                     contour_label: str | None = None) -> go.Figure:
    """Trackers as points in a score pair, over iso-contours of the combined score, with the
    Pareto front: which trackers trade detection for association (or recall for precision).

    ``summary`` has one row per tracker: a ``tracker`` column and the score columns (fractions).
    ``contour`` names a ``CONTOUR_FUNCTIONS`` entry. The contours are exact for one α but only
    approximate for α-averaged scores, as in TrackEval.
    """
    if contour not in CONTOUR_FUNCTIONS:
        raise ValueError(f"contour must be one of {sorted(CONTOUR_FUNCTIONS)}, got {contour!r}")
    _require(summary, ["tracker", x, y], "summary")
    label = contour_label or next((p.contour_label for p in TRADEOFF_PLOTS
                                   if (p.x, p.y, p.contour) == (x, y, contour)), contour)
    xs, ys = summary[x].to_numpy(float) * 100, summary[y].to_numpy(float) * 100
    x_range, y_range = _axis_range(xs), _axis_range(ys)
    grid_x = np.linspace(*x_range, int((x_range[1] - x_range[0]) * 2) + 1)  # 0.5 steps
    grid_y = np.linspace(*y_range, int((y_range[1] - y_range[0]) * 2) + 1)
    z = CONTOUR_FUNCTIONS[contour](grid_x[None, :] / 100, grid_y[:, None] / 100) * 100
    span = max(x_range[1] - x_range[0], y_range[1] - y_range[0])
    level = 2 if span <= 20 else 5 if span <= 50 else 10
    fig = go.Figure(go.Contour(
        x=grid_x, y=grid_y, z=z, name=label, showscale=False, hoverinfo="skip",
        colorscale=[[0, "#bbbbbb"], [1, "#bbbbbb"]], line={"width": 1},
        autocontour=False,
        contours={"coloring": "lines", "showlabels": True,
                  "start": level, "end": 100, "size": level,
                  "labelfont": {"size": 10, "color": "#888888"}},
    ))
    front = pareto_front(xs, ys)
    fx, fy = xs[front], ys[front]
    step_x = np.concatenate([[x_range[0]], np.repeat(fx, 2)])
    step_y = np.concatenate([np.repeat(fy, 2), [y_range[0]]])
    fig.add_trace(go.Scatter(x=step_x, y=step_y, mode="lines", name="Pareto front",
                             line={"color": PARETO_COLOR, "dash": "dash", "width": 1.5},
                             hoverinfo="skip"))
    names = summary["tracker"].astype(str).to_numpy()
    colors = tracker_colors(names)
    combined = CONTOUR_FUNCTIONS[contour](xs / 100, ys / 100) * 100
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=[chart_text(n) for n in names], textposition="top center",
        name="trackers", cliponaxis=False,
        marker={"size": 12, "color": [colors[n] for n in names],
                "line": {"color": "white", "width": 1}},
        customdata=combined,
        hovertemplate=(f"<b>%{{text}}</b><br>{x}=%{{x:.1f}}<br>{y}=%{{y:.1f}}"
                       f"<br>{label}≈%{{customdata:.1f}}<extra></extra>"),
    ))
    fig.update_xaxes(range=_shown(x_range), title_text=x, constrain="domain")
    fig.update_yaxes(range=_shown(y_range), title_text=y)
    fig.update_layout(template=TEMPLATE, title=f"{y} vs {x} (contours: {label})",
                      showlegend=False, height=480, margin={"t": 50, "l": 50, "r": 20, "b": 50})
    return fig


def sequence_difficulty(per_seq: pd.DataFrame, metric: str = "HOTA") -> go.Figure:
    """Sequences ranked by their mean score across trackers, hardest at the top; each tracker's
    own score as a dot, so a sequence that is hard for only one tracker stands out.

    ``per_seq`` is long-form: ``tracker, sequence, <metric>``.
    """
    _require(per_seq, ["tracker", "sequence", metric], "per_seq")
    mean = per_seq.groupby("sequence")[metric].mean().sort_values() * 100
    fig = go.Figure(go.Bar(
        y=mean.index.map(chart_text), x=mean.to_numpy(), orientation="h", name=f"mean {metric}",
        marker={"color": "#c7d3e3"}, text=[f"{v:.1f}" for v in mean], textposition="inside",
        insidetextanchor="start",
        hovertemplate=f"%{{y}}<br>mean {metric}=%{{x:.1f}}<extra></extra>",
    ))
    colors = tracker_colors(per_seq["tracker"].astype(str))
    for tracker, rows in per_seq.groupby("tracker"):
        fig.add_trace(go.Scatter(
            y=rows["sequence"].map(chart_text), x=rows[metric] * 100, mode="markers", name=chart_text(tracker),
            marker={"color": colors[str(tracker)], "size": 9,
                    "line": {"color": "white", "width": 1}},
            hovertemplate=f"{chart_text(tracker)}<br>%{{y}}<br>{metric}=%{{x:.1f}}<extra></extra>",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=list(mean.index.map(chart_text)),
                     autorange="reversed")
    fig.update_xaxes(range=[0, 100], title_text=metric)
    fig.update_layout(template=TEMPLATE, title=f"Sequences by mean {metric} (hardest first)",
                      height=max(300, 28 * len(mean) + 120), hovermode="closest",
                      margin={"t": 50, "l": 120, "r": 20, "b": 50})
    return fig


def timeline_point(event: Mapping[str, Any] | None) -> tuple[int, int] | None:
    """(frame, gt_id) of the first clicked point in an ``st.plotly_chart(on_select=...)`` event
    (or its ``selection``), None when nothing with a frame was clicked."""
    if not event:
        return None
    selection = event.get("selection", event)
    for point in selection.get("points", []):
        data = point.get("customdata")
        if isinstance(data, Mapping):  # a row of a typed array comes back as {"0": ..., "1": ...}
            data = [data[k] for k in sorted(data, key=int)]
        if data is not None and len(data) >= 2 and int(data[0]) >= 1:
            return int(data[0]), int(data[1])
    return None


def error_strip(binned: pd.DataFrame, frame: int | None = None) -> go.Figure:
    """The whole sequence's errors at a glance: FN and FP stacked per run of frames, a diamond above the
    runs with identity switches, and the frame on screen. ``binned`` is ``timeline.binned_errors``'s
    table, so the figure has the same few hundred bars for a minute or an hour. A click gives the run's
    first frame through ``timeline_point`` (customdata [first frame, -1, last frame])."""
    _require(binned, ["first", "last", "FN", "FP", "switches"], "binned errors")
    first = binned["first"].to_numpy(int)
    custom = np.stack([first, np.full(first.size, -1), binned["last"].to_numpy(int)], axis=1)
    single = bool((binned["first"] == binned["last"]).all())
    span = "frame %{customdata[0]}" if single else "frames %{customdata[0]}–%{customdata[2]}"
    fig = go.Figure()
    for column, color in (("FN", FN_COLOR), ("FP", FP_COLOR)):
        fig.add_trace(go.Bar(x=first, y=binned[column], name=column, marker_color=to_hex(color), customdata=custom,
                             hovertemplate=f"{span}<br>{column} %{{y}}<extra></extra>"))
    switched = binned["switches"].to_numpy() > 0
    top = float((binned["FN"] + binned["FP"]).max()) if len(binned) else 0.0
    fig.add_trace(go.Scatter(
        x=first[switched], y=np.full(int(switched.sum()), 1.12 * top + 0.5), mode="markers", name="identity switch",
        marker={"symbol": "diamond", "size": 9, "color": to_hex(EVENT_COLOR), "line": {"color": "#222222", "width": 1}},
        customdata=np.column_stack([custom[switched], binned["switches"].to_numpy()[switched]]),
        hovertemplate=f"{span}<br>%{{customdata[3]}} identity switch(es)<extra></extra>"))
    if frame is not None:
        fig.add_vline(x=frame, line={"color": ALPHA_MARKER_COLOR, "width": 1.5, "dash": "dot"})
    fig.update_yaxes(title_text="boxes", rangemode="tozero")
    fig.update_xaxes(title_text="frame")
    fig.update_layout(template=TEMPLATE, barmode="stack", bargap=0, height=190, clickmode="event+select",
                      margin={"t": 10, "l": 60, "r": 20, "b": 40}, hovermode="closest",
                      legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom"})
    return fig


WHATIF_COLORS = {"total": "#3d5a80", "gain": "#4e9a6a", "loss": "#8c564b", "overlap": "#b5b5b5"}


def whatif_waterfall(gains: pd.DataFrame, base_hota: float,
                     all_fixed: float | None = None) -> go.Figure:
    """From the tracker's HOTA, one step per fixed error kind, to HOTA with everything fixed.

    ``gains``: ``fix, delta_HOTA`` (fractions), taken as applied one after another. When the
    measured ``all_fixed`` differs from ``base_hota + sum(delta_HOTA)`` (fixes measured one at a
    time overlap), the difference is its own step, grey and hatched: a correction with its sign, not a
    gain (negative when the single fixes count some errors twice). Bars are drawn from their base, one
    trace per kind of step, so the legend says what each colour is.
    """
    _require(gains, ["fix", "delta_HOTA"], "gains")
    base = base_hota * 100
    steps = [("tracker HOTA", base, "total")]
    steps += [(str(f), 100 * float(d), "gain" if d >= 0 else "loss")
              for f, d in zip(gains["fix"], gains["delta_HOTA"])]
    total = base + sum(v for _, v, _ in steps[1:])
    if all_fixed is not None and abs(all_fixed * 100 - total) > 1e-9:
        steps.append(("overlap between fixes", all_fixed * 100 - total, "overlap"))
        total = all_fixed * 100
    steps.append(("all fixed", total, "total"))
    names = {"total": "HOTA", "gain": "gain of this fix alone", "loss": "loss of this fix alone",
             "overlap": "overlap between fixes: fixed together minus the single gains"}
    running, bars = 0.0, []
    for k, (label, value, kind) in enumerate(steps):
        if kind == "total":
            lo, hi, text = 0.0, value, f"{value:.1f}"
            running = value
        else:
            lo, hi, text = min(running, running + value), max(running, running + value), f"{value:+.1f}"
            running += value
        bars.append((label, lo, hi - lo, text, kind))
    fig = go.Figure()
    for kind in ("total", "gain", "loss", "overlap"):
        part = [b for b in bars if b[4] == kind]
        if not part:
            continue
        hover = "%{x}: %{text}"
        if kind == "overlap":
            hover += (" points<br>fixed together, HOTA rises " + (
                "less than the single gains add up to (they count some errors twice)" if part[0][3].startswith("-")
                else "more than the single gains add up to (the fixes help each other)"))
        fig.add_trace(go.Bar(
            x=[b[0] for b in part], base=[b[1] for b in part], y=[b[2] for b in part], text=[b[3] for b in part],
            name=names[kind], textposition="outside", cliponaxis=False,
            marker={"color": WHATIF_COLORS[kind], "line": {"color": "#555555", "width": 1},
                    **({"pattern": {"shape": "/", "fgcolor": "#6b6b6b"}} if kind == "overlap" else {})},
            hovertemplate=hover + "<extra></extra>"))
    labels = [b[0] for b in bars]
    fig.update_xaxes(categoryorder="array", categoryarray=labels, tickangle=0, tickvals=labels,  # labels wrapped, level
                     ticktext=["<br>".join(textwrap.wrap(chart_text(x), 14)) for x in labels])
    fig.update_yaxes(title_text="HOTA", range=[0, min(100, max(base, total) + 10)])
    fig.update_layout(template=TEMPLATE, title="What if each error kind were fixed", barmode="overlay",
                      height=480, legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
                      margin={"t": 50, "l": 50, "r": 20, "b": 110})
    return fig


def from_spec(spec: dict) -> go.Figure:
    """A figure from a cached ``fig.to_dict()``: it was validated when it was built, so it is wrapped
    without validating again (a few ms instead of 50-600 ms a chart); ``spec`` is not modified."""
    return go.Figure(spec, _validate=False)


def frame_marker_html(spec: dict, frame: int, gap_px: int = 24) -> str:
    """A dotted line at ``frame`` across the plot area of the chart drawn just above (``spec``: its
    ``to_dict()``, with a fixed x range), as HTML. The error strip's figure then stays the same from
    one frame to the next, so the browser does not draw it again on every step (that redraw was
    about half of a step's time in the browser). ``gap_px``: Streamlit's gap between elements."""
    layout = spec["layout"]
    lo, hi = layout["xaxis"]["range"]
    margin, height = layout["margin"], layout["height"]
    share = min(max((frame - lo) / (hi - lo), 0.0), 1.0) if hi > lo else 0.0
    return ("<div style='position:relative;height:0'><div style='position:absolute;pointer-events:none;"
            f"left:calc({margin['l']}px + (100% - {margin['l'] + margin['r']}px) * {share:.6f});"
            f"top:-{gap_px + height - margin['t']}px;height:{height - margin['t'] - margin['b']}px;"
            f"border-left:2px dotted {ALPHA_MARKER_COLOR}'></div></div>")
