"""A crowded frame made readable: a crop around the boxes a question is about (a selected track, or the
frame's identity events), taken from the full-resolution frame and scaled to the display, with a label on
every box that avoids the other labels, ground-truth ids on matched tracker boxes, and trails of where
the involved boxes were in the frames before.

Pure functions on numpy images and ``views.overlay_boxes`` rows (no Streamlit): ``crop_picture`` is what
the inspector shows, ``filmstrip.filmstrip`` reuses it frame by frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np
import pandas as pd

from .mask_overlay import cut_masks
from .overlay import FONT, annotate
from .palette import FN_COLOR, FP_COLOR, GT_COLOR, RGB, SHADOW_COLOR, id_color
from .views import overlay_masks

Key = tuple[str, int]  # (side, id) of a box: ("gt", 4), ("tr", 1)
CONTEXT = {"tight": 0.1, "medium": 0.4, "wide": 1.0}  # margin around the boxes, in units of their size
MIN_SIDE = 96  # pixels of the full frame: a crop never zooms further in than this
MAX_UPSCALE = 6.0
LABEL_SCALE, LABEL_THICKNESS, LABEL_PAD = 0.6, 1, 3
EVENT_WORDS = {"SWITCH": "switch", "ASCEND": "switch", "TRANSFER": "transfer", "MIGRATE": "transfer",
               "FRAG": "resumes"}


@dataclass(frozen=True)
class Region:
    """A rectangle of the full frame, in pixels: columns x0..x1-1, rows y0..y1-1."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def involved(boxes: pd.DataFrame, track: int | None, events: pd.DataFrame) -> set[Key]:
    """The boxes a crop is about: the selected ground-truth track with the tracker ids HOTA (at α) and
    CLEAR pair it with; without a track on this frame, the boxes of the frame's CLEAR identity events
    (both ids of each pair, and the id or gt each was on before)."""
    keys: set[Key] = set()
    present = set(zip(boxes["side"].astype(str), boxes["id"].astype(int)))
    if track is not None and ("gt", int(track)) in present:
        row = boxes[(boxes["side"] == "gt") & (boxes["id"] == track)].iloc[0]
        keys.add(("gt", int(track)))
        keys.update(("tr", int(p)) for p in (row["partner"], row["clear_partner"], row.get("hota_partner", -1)) if p >= 0)
    else:
        for e in events.itertuples():
            keys.update({("gt", int(e.gt_id)), ("tr", int(e.tr_id))})
            if getattr(e, "prev_tr_id", -1) >= 0:
                keys.add(("tr", int(e.prev_tr_id)))
            if getattr(e, "prev_gt_id", -1) >= 0:
                keys.add(("gt", int(e.prev_gt_id)))
    return keys & present


def region_around(boxes: pd.DataFrame, keys: set[Key], frame_size: tuple[int, int], context: float = 0.75,
                  aspect: float | None = None) -> Region | None:
    """The part of a ``frame_size`` (width, height) frame that shows the ``keys`` boxes of ``boxes`` (any
    frames) with ``context`` times their extent around them, at least MIN_SIDE pixels a side, widened to
    ``aspect`` (width / height) when given, and kept inside the frame. None when no such box is there."""
    mine = boxes[[(str(s), int(i)) in keys for s, i in zip(boxes["side"], boxes["id"])]]
    if mine.empty:
        return None
    width, height = frame_size
    x0, y0 = float(mine["x"].min()), float(mine["y"].min())
    x1, y1 = float((mine["x"] + mine["w"]).max()), float((mine["y"] + mine["h"]).max())
    margin = context * max(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w = max(x1 - x0 + 2 * margin, MIN_SIDE)
    h = max(y1 - y0 + 2 * margin, MIN_SIDE)
    if aspect:
        w, h = max(w, h * aspect), max(h, w / aspect)
    w, h = min(w, width), min(h, height)
    left = int(round(min(max(cx - w / 2, 0), width - w)))
    top = int(round(min(max(cy - h / 2, 0), height - h)))
    return Region(left, top, left + int(round(w)), top + int(round(h)))


def box_label(row: dict, show: str = "both") -> str:
    """What a box's label says: its id and, for a matched tracker box, the ground truth it is matched to
    at α (HOTA); its state when it is a miss; CLEAR's identity event in a word. "" for a matched ground
    truth drawn beside its tracker box (that box's label names it)."""
    side, box_id, partner = row["side"], int(row["id"]), int(row["partner"])
    if row["state"] == "FN":
        text = f"FN gt {box_id}"
    elif row["state"] == "FP":
        text = f"FP id {box_id}"
    elif side == "tr":
        text = f"id {box_id} = gt {partner}"
    elif show == "gt":
        text = f"gt {box_id} = id {partner}"
    else:
        return ""
    event = EVENT_WORDS.get(str(row.get("event") or "").upper())
    return f"{text} · {event}" if event else text


def crop_picture(frame_rgb: np.ndarray, boxes: pd.DataFrame, region: Region, keys: set[Key], *, width: int,
                 alpha: float | None = None, show: str = "both",
                 trails: dict[Key, np.ndarray] | None = None, by_identity: bool = False) -> np.ndarray:
    """``region`` of the full-resolution ``frame_rgb`` scaled to ``width`` pixels (at most MAX_UPSCALE
    times), the boxes drawn by state (``overlay.annotate``), trails (full-frame points per key, oldest
    first) under them, and a label on every box in view that avoids the others; the ``keys`` boxes are
    drawn bright over the dimmed rest and their labels placed first. ``by_identity``: a matched tracker box
    takes the colour of its ground-truth person (``identity_color``), so two trackers' pictures of the
    same person match; nothing is dimmed. A mask run's masks (``views.overlay_masks``) are cut to ``region``
    and drawn under the boxes, as the inspector draws them."""
    crop = frame_rgb[region.y0:region.y1, region.x0:region.x1]
    scale = min(width / max(region.width, 1), MAX_UPSCALE)
    size = (max(1, round(region.width * scale)), max(1, round(region.height * scale)))
    picture = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    inside = boxes[(boxes["x"] < region.x1) & (boxes["x"] + boxes["w"] > region.x0)
                   & (boxes["y"] < region.y1) & (boxes["y"] + boxes["h"] > region.y0)]
    if show != "both":
        inside = inside[inside["side"] == show]
    local = inside.assign(x=(inside["x"] - region.x0) * scale, y=(inside["y"] - region.y0) * scale,
                          w=inside["w"] * scale, h=inside["h"] * scale)
    masks = cut_masks(overlay_masks(inside), (frame_rgb.shape[1], frame_rgb.shape[0]),
                      (region.x0, region.y0, region.x1, region.y1))  # a mask run's masks, as the boxes
    focus = next(((s, i) for s, i in sorted(keys) if s == "gt"), next(iter(sorted(keys)), None))
    if by_identity:  # annotate colours a tracker box by its id: give a matched one its person's id
        matched = ((local["side"] == "tr") & (local["state"] == "TP")).to_numpy()
        drawn = local.assign(id=np.where(matched, local["partner"], local["id"]))
        canvas = annotate(picture, drawn, show=show, label=False, alpha=alpha, masks=masks)
    else:
        canvas = annotate(picture, local, show=show, label=False, alpha=alpha, masks=masks,
                          highlight=focus if focus in set(zip(local["side"], local["id"].astype(int))) else None)
    for key, points in (trails or {}).items():
        draw_trail(canvas, (points - [region.x0, region.y0]) * scale, key_color(key))
    draw_labels(canvas, local, keys, show, identity_color if by_identity else state_color)
    return canvas


def key_color(key: Key) -> RGB:
    """A box's colour as the overlay draws a matched one: white ground truth, tracker ids by id."""
    return GT_COLOR if key[0] == "gt" else id_color(key[1])


def state_color(row: dict) -> RGB:
    if row["state"] == "FN":
        return FN_COLOR
    if row["state"] == "FP":
        return FP_COLOR
    return key_color((row["side"], int(row["id"])))


def identity_color(row: dict) -> RGB:
    """A box's colour by the ground-truth person it is: a matched tracker box and its ground truth both take
    the id colour of that person; misses keep the state colours."""
    if row["state"] in ("FN", "FP"):
        return state_color(row)
    return id_color(int(row["id"]) if row["side"] == "gt" else int(row["partner"]))


def draw_trail(canvas: np.ndarray, points: np.ndarray, color: RGB) -> None:
    """A polyline through ``points`` (oldest first) with a dark shadow, a dot at each point."""
    if len(points) < 2:
        return
    pts = np.rint(points).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(canvas, [pts], False, SHADOW_COLOR, 4, cv2.LINE_AA)
    cv2.polylines(canvas, [pts], False, color, 2, cv2.LINE_AA)
    for x, y in pts[:, 0]:
        cv2.circle(canvas, (int(x), int(y)), 2, color, -1, cv2.LINE_AA)


def trail_points(window: pd.DataFrame, keys: set[Key]) -> dict[Key, np.ndarray]:
    """Where each ``keys`` box stood (the middle of its bottom edge, full-frame pixels) on each frame of
    ``window`` (overlay rows of several frames, with ``frame``), oldest first."""
    out = {}
    for key in keys:
        rows = window[(window["side"] == key[0]) & (window["id"] == key[1])].sort_values("frame")
        if len(rows) > 1:
            out[key] = np.stack([(rows["x"] + rows["w"] / 2).to_numpy(float),
                                 (rows["y"] + rows["h"]).to_numpy(float)], axis=1)
    return out


def place_labels(anchors: list[tuple[float, float, float, float]], sizes: list[tuple[int, int]],
                 bounds: tuple[int, int]) -> list[tuple[int, int]]:
    """Top-left corners for labels of ``sizes`` (w, h), one per box ``anchors`` (x, y, w, h), in order:
    the first of: above the box, below it, inside its top, then further above or below, that stays in
    ``bounds`` (width, height) and overlaps no label placed before; else above the box."""
    placed: list[tuple[int, int, int, int]] = []
    corners = []
    width, height = bounds
    for (x, y, w, h), (lw, lh) in zip(anchors, sizes):
        left = int(min(max(x, 0), max(width - lw, 0)))
        candidates = [y - lh, y + h, y, *[y - lh * (2 + k) for k in range(3)], *[y + h + lh * (1 + k) for k in range(3)]]
        choice = None
        for top in candidates:
            top = int(top)
            if top < 0 or top + lh > height:
                continue
            rect = (left, top, left + lw, top + lh)
            if not any(rect[0] < p[2] and p[0] < rect[2] and rect[1] < p[3] and p[1] < rect[3] for p in placed):
                choice = rect
                break
        if choice is None:
            top = int(min(max(y - lh, 0), max(height - lh, 0)))
            choice = (left, top, left + lw, top + lh)
        placed.append(choice)
        corners.append(choice[:2])
    return corners


def draw_labels(canvas: np.ndarray, boxes: pd.DataFrame, keys: set[Key], show: str,
                colors: Callable[[dict], RGB] = state_color) -> None:
    """A filled label on every box with something to say (``box_label``) in ``colors(row)``, placed by
    ``place_labels``: the ``keys`` boxes first, then by position."""
    rows = [r for r in boxes.to_dict("records") if box_label(r, show)]
    rows.sort(key=lambda r: ((r["side"], int(r["id"])) not in keys, r["y"], r["x"]))
    texts = [box_label(r, show) for r in rows]
    sizes = []
    for text in texts:
        (tw, th), base = cv2.getTextSize(text, FONT, LABEL_SCALE, LABEL_THICKNESS)
        sizes.append((tw + 2 * LABEL_PAD, th + base + 2 * LABEL_PAD))
    anchors = [(r["x"], r["y"], r["w"], r["h"]) for r in rows]
    corners = place_labels(anchors, sizes, (canvas.shape[1], canvas.shape[0]))
    for row, text, (lw, lh), (left, top) in zip(rows, texts, sizes, corners):
        color = colors(row)
        cv2.rectangle(canvas, (left, top), (left + lw - 1, top + lh - 1), color, -1)
        cv2.rectangle(canvas, (left, top), (left + lw - 1, top + lh - 1), SHADOW_COLOR, 1)
        (_, th), _ = cv2.getTextSize(text, FONT, LABEL_SCALE, LABEL_THICKNESS)
        cv2.putText(canvas, text, (left + LABEL_PAD, top + LABEL_PAD + th), FONT, LABEL_SCALE, ink(color),
                    LABEL_THICKNESS, cv2.LINE_AA)


def ink(background: RGB) -> RGB:
    """Black text on a light label, white on a dark one (relative luminance)."""
    r, g, b = background
    return (0, 0, 0) if 0.2126 * r + 0.7152 * g + 0.0722 * b > 140 else (255, 255, 255)

