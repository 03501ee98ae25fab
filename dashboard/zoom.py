"""The frame as a zoomable plotly picture: wheel to zoom, drag to pan, hover a box for its full record
(both matchings' statements). Zoom and pan happen in the browser, so they cost no rerun; the picture is
the annotated frame at full resolution, so zooming in shows real pixels."""
from __future__ import annotations

import base64

import pandas as pd
import plotly.graph_objects as go

from tracklens.analysis.explain import fmt_iou, label, sentence

ZOOM_HEIGHT = 430  # pixels of the chart: fits under the step controls at 1280x720


def box_record(row: dict, alpha: float, threshold: float) -> str:
    """A box's full record as hover text (HTML line breaks): its name, HOTA state at α, best overlap,
    and each matching's statement."""
    best = f"{label('tr' if row['side'] == 'gt' else 'gt', row['best'])} (IoU {fmt_iou(row['best_iou'])})" \
        if row["best"] >= 0 else "none"
    return "<br>".join([f"<b>{label(row['side'], row['id'])}</b> · {row['state']} at α {alpha:.2f} (HOTA)",
                        f"best overlap: {best}", sentence(row, "hota", alpha) + ".",
                        sentence(row, "clear", threshold) + "."])


def zoom_figure(jpeg: bytes, size: tuple[int, int], boxes: pd.DataFrame, alpha: float, threshold: float,
                height: int = ZOOM_HEIGHT) -> go.Figure:
    """``jpeg`` (the annotated frame, ``size`` = its width, height in the boxes' pixels) as a plotly
    image, one invisible hover area per box of ``boxes`` (``views.overlay_boxes`` rows)."""
    width, frame_height = size
    fig = go.Figure()
    fig.add_layout_image(source="data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii"), xref="x",
                         yref="y", x=0, y=0, sizex=width, sizey=frame_height, sizing="stretch", layer="below")
    for row in boxes.to_dict("records"):
        x0, y0, x1, y1 = row["x"], row["y"], row["x"] + row["w"], row["y"] + row["h"]
        fig.add_trace(go.Scatter(x=[x0, x1, x1, x0, x0], y=[y0, y0, y1, y1, y0], mode="lines", fill="toself",
                                 fillcolor="rgba(0,0,0,0)", line={"width": 0}, hoveron="fills", showlegend=False,
                                 name=label(row["side"], row["id"]), text=box_record(row, alpha, threshold),
                                 hoverinfo="text"))
    fig.update_xaxes(range=[0, width], visible=False, constrain="domain")
    fig.update_yaxes(range=[frame_height, 0], visible=False, scaleanchor="x", constrain="domain")
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0}, dragmode="pan",
                      hoverlabel={"align": "left", "bgcolor": "#ffffff", "font": {"size": 13, "color": "#111111"}},
                      plot_bgcolor="#262626")
    return fig
