"""The Tracks page's coverage chart: one labelled row per track, one bar per run of frames in the same
state (matched to one id of the other side, or unmatched), and the CLEAR identity events as diamonds.

One shape per run instead of one point per frame: MOT17-04's 80 tracks are a few hundred bars, so the
browser draws them in SVG at once, and a row stays ``ROW_PX`` tall whatever the number of tracks (the
page puts a tall chart in a scrollable panel). The partner's id is written in its bar where it fits and
is in every bar's hover: the colour (``palette.id_color``, as on the frame) only helps tell neighbours apart.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .figures import ALPHA_MARKER_COLOR, TEMPLATE, from_spec
from .palette import EVENT_COLOR, FN_COLOR, FP_COLOR, ID_PALETTE, to_hex

ROW_PX = 20  # height of one track's row
BAR_WIDTH = 0.72  # of a row: bars 14 px tall, with a gap between rows
TOP_PX, BOTTOM_PX = 70, 20  # legend and the frame axis above the rows; room below the last
LABEL_PX = 7.0  # width of one character of a bar's label (11 px font)
PLOT_PX = 850  # plot width the labels are fitted to (the chart's width at 1280 px, give or take)


@dataclass(frozen=True)
class Side:
    """What a chart's rows are and what their bars say (ground-truth tracks, or tracker ids)."""

    row: str  # how a row's id is named: "gt" / "id"
    partner: str  # how a bar's partner is named
    matched: str  # legend of the matched bars
    unmatched: str  # legend of the unmatched bars
    unmatched_hover: str
    unmatched_color: str
    event: str  # legend of the diamonds


GT_SIDE = Side("gt", "id", "matched: colour and label = the tracker id", "missed (FN at α)",
               "missed: no tracker box matched at α", to_hex(FN_COLOR), "identity switch (CLEAR)")
TR_SIDE = Side("id", "gt", "matched: colour and label = the ground-truth id", "false positive (FP at α)",
               "false positive: matched to no ground truth at α", to_hex(FP_COLOR), "id transfer (CLEAR)")


def chart_height(rows: int) -> int:
    """Pixels of a chart with ``rows`` rows."""
    return TOP_PX + BOTTOM_PX + ROW_PX * max(rows, 1)


def coverage_chart(segments: pd.DataFrame, events: pd.DataFrame, rows: Sequence[int], side: Side,
                   frames: tuple[int, int]) -> go.Figure:
    """Rows ``rows`` (ids, top to bottom) over ``frames`` (first, last).

    ``segments``: ``tracklens.analysis.tracks.coverage_segments`` (``id, partner, start, end``; partner −1 =
    unmatched); ``events``: ``frame, id`` (the row's id). Runs and events of ids not in ``rows`` are not
    drawn. Every bar's and diamond's ``customdata`` is [frame, ground-truth id to select (−1: none), row
    id], so ``figures.timeline_point`` gives the frame and track a click opens.
    """
    row_of = {int(r): k for k, r in enumerate(rows)}
    seg = segments[segments["id"].isin(row_of)]
    fig = go.Figure()
    span = max(1, frames[1] - frames[0] + 1)
    for matched in (True, False):
        part = seg[(seg["partner"] >= 0) == matched]
        start, end = part["start"].to_numpy(int), part["end"].to_numpy(int)
        own, partner = part["id"].to_numpy(int), part["partner"].to_numpy(int)
        gt = own if side is GT_SIDE else partner
        words = [str(p) for p in partner] if matched else ["" for _ in partner]
        fits = (end - start + 1) / span * PLOT_PX >= np.array([LABEL_PX * len(w) + 6 for w in words])
        fig.add_trace(go.Bar(
            orientation="h", y=np.array([row_of[i] for i in own], dtype=np.int32), x=end - start + 1,
            base=start - 0.5, width=BAR_WIDTH, name=side.matched if matched else side.unmatched,
            marker={"color": [to_hex(ID_PALETTE[p % len(ID_PALETTE)]) for p in partner] if matched
                    else side.unmatched_color, "line": {"color": "#ffffff", "width": 1}},
            text=np.where(fits, words, ""), textposition="inside", insidetextanchor="middle",
            textfont={"size": 11, "color": "#111111"}, constraintext="none", textangle=0,
            customdata=np.stack([start, gt, own, partner, end], axis=1).astype(np.int32),
            hovertemplate=(f"{side.row} %{{customdata[2]}} · frames %{{customdata[0]}}–%{{customdata[4]}}<br>"
                           + (f"matched to {side.partner} %{{customdata[3]}}" if matched else side.unmatched_hover)
                           + "<extra></extra>"),
        ))
    shown = events[events["id"].isin(row_of)]
    frame, ids = shown["frame"].to_numpy(int), shown["id"].to_numpy(int)
    fig.add_trace(go.Scatter(
        x=frame, y=[row_of[i] for i in ids], mode="markers", name=side.event,
        customdata=np.stack([frame, ids if side is GT_SIDE else np.full(ids.size, -1), ids], axis=1).astype(np.int32),
        marker={"symbol": "diamond", "size": ROW_PX * 0.6, "color": to_hex(EVENT_COLOR),
                "line": {"color": "#222222", "width": 1}},
        hovertemplate=f"{side.event}<br>{side.row} %{{customdata[2]}} · frame %{{customdata[0]}}<extra></extra>",
    ))
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(rows))), ticktext=[f"{side.row} {r}" for r in rows],
                     range=[len(rows) - 0.5, -0.5], showgrid=False, zeroline=False, fixedrange=True,
                     tickfont={"size": 11})
    fig.update_xaxes(title_text=None, side="top", range=[frames[0] - 0.5, frames[1] + 0.5], showgrid=True,
                     ticksuffix="", tickformat="d")
    fig.update_layout(template=TEMPLATE, height=chart_height(len(rows)), barmode="overlay", bargap=0,
                      hovermode="closest", dragmode="zoom", clickmode="event+select", showlegend=True,
                      uniformtext={"minsize": 9, "mode": "hide"},
                      legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "top",
                              "yref": "container", "font": {"size": 12}},
                      margin={"t": TOP_PX, "b": BOTTOM_PX, "l": 70, "r": 16})
    return fig


def with_selection(spec: dict, rows: Sequence[int], frame: int | None, row: int | None) -> go.Figure:
    """``coverage_chart``'s figure (``to_dict()``, built once for every session) with this session's frame
    (a dotted line) and selected row (a band) marked; ``spec`` itself is not modified."""
    fig = from_spec(spec)
    row_of: Mapping[int, int] = {int(r): k for k, r in enumerate(rows)}
    if row is not None and row in row_of:
        k = row_of[row]
        fig.add_hrect(y0=k - 0.5, y1=k + 0.5, fillcolor="#ffe08a", opacity=0.45, line_width=0, layer="below")
    if frame is not None:
        fig.add_vline(x=frame, line={"color": ALPHA_MARKER_COLOR, "width": 1.5, "dash": "dot"})
    return fig
