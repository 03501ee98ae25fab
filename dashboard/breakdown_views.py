"""Builders of the Breakdowns and Error patches pages: the per-bin chart (plotly), the table of patches
(every FN, FP and switch with its size, visibility and causes) and a patch's picture (numpy). Pure
functions, no Streamlit (docs/breakdowns.md says what the numbers are)."""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tracklens.analysis.causes import CAUSES
from tracklens.analysis.conditions import CONDITIONS

from .figures import TEMPLATE
from .mask_overlay import cut_masks, draw_masks
from .palette import EVENT_COLOR, FN_COLOR, FP_COLOR
from .views import MASK_COLUMNS

CHART_FIELDS = ("HOTA", "DetA", "AssA", "MOTA", "IDF1")
RECALL_CHART_FIELDS = ("DetRe", "AssA", "OWTA", "CLR_Re", "IDR")
FIELD_COLORS = {"HOTA": "#1f77b4", "DetA": "#2ca02c", "AssA": "#9467bd", "MOTA": "#8c564b", "IDF1": "#17becf",
                "DetRe": "#2ca02c", "OWTA": "#1f77b4", "CLR_Re": "#8c564b", "IDR": "#17becf"}
STATES = {"FN": FN_COLOR, "FP": FP_COLOR, "switch": EVENT_COLOR}
PATCH_SIZE = (120, 160)  # width, height of a patch


def chart_fields(condition: str) -> tuple[str, ...]:
    """The fields a condition's bins have: all five, or the recall side for a gt-only condition."""
    return RECALL_CHART_FIELDS if CONDITIONS[condition].gt_only else CHART_FIELDS


def breakdown_chart(table: pd.DataFrame, condition: str, title: str) -> go.Figure:
    """Grouped bars: one group per bin of ``condition`` (rows of ``breakdown_table`` of one tracker), one bar
    per field (x100); ``picked_bin`` reads a click on it."""
    part = table[(table["condition"] == condition) & table["GT"].gt(0)]
    fig = go.Figure()
    for field in chart_fields(condition):
        fig.add_bar(x=part["bin"], y=part[field] * 100, name=field, marker_color=FIELD_COLORS[field],
                    customdata=np.stack([part["GT"], part["TR"]], axis=1),
                    hovertemplate=f"{field} %{{y:.1f}}<br>bin %{{x}}<br>gt boxes %{{customdata[0]:,}}"
                                  "<br>tracker boxes %{customdata[1]:,}<extra></extra>")
    low = min(0.0, float(np.nanmin(part[list(chart_fields(condition))].to_numpy(float), initial=0)) * 100)
    fig.update_layout(template=TEMPLATE, barmode="group", title=html.escape(title), height=340,
                      clickmode="event+select", margin=dict(l=40, r=10, t=70, b=40),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"),
                      yaxis=dict(title="score (x100)", range=[low, 100]),
                      xaxis=dict(title=CONDITIONS[condition].unit, type="category"))
    return fig


def picked_bin(event: Mapping[str, Any] | None, condition: str) -> int | None:
    """The bin number of a click on ``breakdown_chart`` of ``condition`` (None without one): the bar's x is
    its bin's label."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    labels = CONDITIONS[condition].bin_labels
    for point in points:
        if point.get("x") in labels:
            return labels.index(point["x"])
    return None


def patch_table(binned: pd.DataFrame, causes: pd.DataFrame, alpha_index: int, sequence: str) -> pd.DataFrame:
    """Every FN and FP at α (HOTA) and every CLEAR identity switch of one sequence (a ``box_bins`` table and
    its ``identity_causes``), one row each: where it is, its size and visibility bins, and a switch's causes
    (and, in a mask run, its mask: ``views.MASK_COLUMNS`` when ``binned`` has them)."""
    hit = binned["level"].to_numpy() > alpha_index
    gt = (binned["side"] == "gt").to_numpy()
    state = np.where(gt & ~hit, "FN", np.where(~gt & ~hit, "FP", ""))
    switch = binned["switch"].to_numpy(bool)
    rows = []
    for name, mask in (("FN", state == "FN"), ("FP", state == "FP"), ("switch", switch)):
        sel = binned[mask]
        rows.append(pd.DataFrame({"sequence": sequence, "frame": sel["frame"].to_numpy(), "state": name,
                                  "id": sel["id"].to_numpy(), **{c: sel[c].to_numpy(float) for c in "xywh"},
                                  "size": _labels("height", sel["height"]),
                                  "visibility": _labels("visibility", sel["visibility"]), "causes": "",
                                  **{c: sel[c].to_numpy() for c in MASK_COLUMNS if c in sel.columns}}))
    out = pd.concat(rows, ignore_index=True)
    sw = causes[(causes["kind"] == "switch").to_numpy()]
    if len(sw):
        tags = sw[list(CAUSES)].to_numpy(bool)
        text = ["; ".join(CAUSES[c] for c, on in zip(CAUSES, row) if on) for row in tags]
        lookup = dict(zip(zip(sw["frame"].to_numpy(), sw["gt_id"].to_numpy()), text))
        is_sw = (out["state"] == "switch").to_numpy()
        keys = zip(out.loc[is_sw, "frame"], out.loc[is_sw, "id"])
        out.loc[is_sw, "causes"] = [lookup.get(key, "") for key in keys]
    return out.sort_values(["frame", "state"], kind="stable").reset_index(drop=True)


def _labels(condition: str, codes: pd.Series) -> np.ndarray:
    labels = np.array([*CONDITIONS[condition].bin_labels, "tracker box (no value)"], dtype=object)
    return labels[codes.to_numpy(np.int64)]


def filter_patches(patches: pd.DataFrame, states: list[str], causes: list[str], sizes: list[str],
                   visibility: list[str]) -> pd.DataFrame:
    """The patches passing every filter (an empty list lets everything through). A cause filter keeps the
    switches with at least one of those causes (only switches have causes)."""
    keep = np.ones(len(patches), bool)
    if states:
        keep &= patches["state"].isin(states).to_numpy()
    if causes:
        text = patches["causes"].to_numpy(str)
        keep &= np.array([any(CAUSES[c] in t for c in causes) for t in text], bool) if len(text) else keep
    if sizes:
        keep &= patches["size"].isin(sizes).to_numpy()
    if visibility:
        keep &= patches["visibility"].isin(visibility).to_numpy()
    return patches[keep]


def crop_patch(frame_rgb: np.ndarray, box: tuple[float, float, float, float], state: str,
               size: tuple[int, int] = PATCH_SIZE, mask: dict | None = None) -> np.ndarray:
    """The box with a margin of half its size around it, fitted into ``size`` (w, h) on a dark tile, the box
    outlined in its state's colour. Parts outside the frame are left dark. ``mask`` (a mask run's RLE of
    the box, ``views.overlay_masks``) is cut to the same window and drawn under the outline in that colour
    (``mask_overlay.draw_masks``, as the inspector draws masks)."""
    x, y, w, h = box
    fh, fw = frame_rgb.shape[:2]
    mx, my = max(w, 8) * 0.5, max(h, 8) * 0.5
    x0, y0, x1, y1 = int(np.floor(x - mx)), int(np.floor(y - my)), int(np.ceil(x + w + mx)), int(np.ceil(y + h + my))
    region = np.full((max(1, y1 - y0), max(1, x1 - x0), 3), 30, np.uint8)
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(fw, x1), min(fh, y1)
    if sx1 > sx0 and sy1 > sy0:
        region[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = frame_rgb[sy0:sy1, sx0:sx1]
    tw, th = size
    scale = min(tw / region.shape[1], th / region.shape[0])
    nw, nh = max(1, int(region.shape[1] * scale)), max(1, int(region.shape[0] * scale))
    small = cv2.resize(region, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    if mask is not None:
        one = pd.DataFrame({"side": ["tr" if state == "FP" else "gt"], "state": [state], "id": [0]})
        cut = cut_masks([mask], (fw, fh), (x0, y0, x0 + region.shape[1], y0 + region.shape[0]))
        draw_masks(small, one, cut, color_of=lambda *_: STATES[state])
    tile = np.full((th, tw, 3), 30, np.uint8)
    ox, oy = (tw - nw) // 2, (th - nh) // 2
    tile[oy:oy + nh, ox:ox + nw] = small
    p0 = (int(ox + (x - x0) * scale), int(oy + (y - y0) * scale))
    p1 = (int(ox + (x + w - x0) * scale), int(oy + (y + h - y0) * scale))
    cv2.rectangle(tile, p0, p1, STATES[state], 2)
    return tile


BASELINE_ROW = "every ground-truth box (baseline)"


def cause_summary(counts: Mapping[str, pd.DataFrame], base: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Per tracker and kind of event: how many, and the share (%) carrying each cause (``cause_counts``);
    then, given ``base`` (``breakdowns.baseline``), how common that evidence is at any ground-truth box."""
    rows = []
    for tracker, table in counts.items():
        for kind, part in table.groupby("kind", sort=False):
            shares = dict(zip(part["cause"], part["share"] * 100))
            rows.append({"tracker": tracker, "kind": kind, "events": int(part["events"].iloc[0]),
                         **{CAUSES.get(c, "no evidence"): shares[c] for c in (*CAUSES, "no_evidence")}})
    if base is not None:
        rows.append({"tracker": "", "kind": BASELINE_ROW, "events": int(base["boxes"]),
                     **{CAUSES.get(c, "no evidence"): _percent(base["share"].get(c)) for c in (*CAUSES, "no_evidence")}})
    return pd.DataFrame(rows)


def condition_comparison(tables: Mapping[str, pd.DataFrame], condition: str, colors: Mapping[str, str]) -> go.Figure:
    """One condition, every tracker: HOTA per bin (OWTA for a gt-only condition, which has no HOTA), x100."""
    field = "OWTA" if CONDITIONS[condition].gt_only else "HOTA"
    fig = go.Figure()
    for tracker, table in tables.items():
        part = table[(table["condition"] == condition) & table["GT"].gt(0)]
        name = html.escape(tracker)  # plotly draws a subset of HTML (links too): names from files as text
        fig.add_bar(x=part["bin"], y=part[field] * 100, name=name, marker_color=colors.get(tracker),
                    customdata=part["GT"], hovertemplate=f"{name}<br>{field} %{{y:.1f}}<br>bin %{{x}}"
                                                         "<br>gt boxes %{customdata:,}<extra></extra>")
    fig.update_layout(template=TEMPLATE, barmode="group", height=320, title=f"{CONDITIONS[condition].title}: {field}",
                      margin=dict(l=40, r=10, t=70, b=40), yaxis=dict(title=f"{field} (x100)", range=[0, 100]),
                      xaxis=dict(title=CONDITIONS[condition].unit, type="category"),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return fig


def _percent(share: float | None) -> float:
    return np.nan if share is None else 100 * share


def headline_finding(tracker: str, counts: pd.DataFrame, base: Mapping[str, Any] | None = None) -> str | None:
    """The most frequent cause of a tracker's switches as one sentence, with how common that evidence is
    at any ground-truth box when ``base`` (``breakdowns.baseline``) has it (None without switches)."""
    part = counts[(counts["kind"] == "switch") & counts["cause"].isin(list(CAUSES))]
    if part.empty or int(part["events"].iloc[0]) == 0:
        return None
    top = part.sort_values("share", ascending=False, kind="stable").iloc[0]
    text = (f"{tracker}'s identity switches: {100 * top['share']:.0f} % show “{CAUSES[top['cause']]}” "
            f"({int(top['count'])} of {int(top['known'])})")
    rate = (base or {}).get("share", {}).get(top["cause"])
    return text + (f"; {100 * rate:.0f} % of all ground-truth boxes do" if rate is not None else "")
