"""Draw one frame's boxes by their evaluation state (TP / FN / FP, identity events) with OpenCV.

``annotate(frame, boxes)`` follows supervision's ``annotate(scene, detections)``: it returns a new
RGB image and never touches the input. ``boxes`` has one row per box of the frame:

=========  ===============================================================================
side       "gt" or "tr"
id         the id as in the file
x y w h    box in pixels (float)
state      "TP", "FN" or "FP"
partner    id of the matched box on the other side, -1 if none
iou        IoU with the partner, NaN if none (for a localisation miss: the best IoU found)
event      "" or one of SWITCH, TRANSFER, ASCEND, MIGRATE, FRAG
loc_miss   FN/FP that overlapped a candidate, but below the threshold
note       optional: what a missed box's tag adds ("IoU 0.38<0.50", "gt4 taken"), replacing
           the generic loc_miss text (``views.overlay_boxes`` derives it from the matching)
=========  ===============================================================================

Look: matched tracker boxes solid in their id colour, their ground truth thin dashed white;
missed ground truth dashed red, false positives solid orange; identity changes get a bold
magenta ring and a letter badge. Solid lines have a dark shadow and dashes alternate with dark
gaps, so both read on bright and dark footage. Tracker tags sit above a box, ground-truth tags
below it, so a matched pair's tags never cover each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import pandas as pd

from .palette import EVENT_COLOR, FN_COLOR, FP_COLOR, GT_COLOR, RGB, SHADOW_COLOR, id_color, to_hex

BOX_COLUMNS = ("side", "id", "x", "y", "w", "h", "state", "partner", "iou", "event", "loc_miss")
SHOW_OPTIONS = ("both", "gt", "tr")
# An ascend is a switch (to an id never seen before) and a migrate a transfer: same letters, as the legend says.
EVENT_BADGES = {"SWITCH": "S", "TRANSFER": "T", "ASCEND": "S", "MIGRATE": "T", "FRAG": "F"}
# A switch or transfer changes who is who; ascend/migrate are their first-time variants.
IDENTITY_EVENTS = frozenset({"SWITCH", "TRANSFER", "ASCEND", "MIGRATE"})
FONT = cv2.FONT_HERSHEY_SIMPLEX
# OpenCV's Hershey fonts have ASCII glyphs only (4.x and 5.x draw "α" as "?"): text burned into frames
# spells it out.
CV_ALPHA = "alpha"
# When one box is highlighted, the rest is redrawn as this blend of drawn boxes and bare frame.
DIM_BOXES, DIM_FRAME = 0.45, 0.25


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: a swatch (colour, style, text shown in it) and what it means."""

    label: str
    color: str
    style: str  # "solid", "dashed", "outline" (ring), "badge" (round letter) or "tag" (text box)
    text: str = ""


def legend_items() -> list[LegendItem]:
    """The overlay's visual vocabulary, for the app to render next to the frame."""
    return [
        LegendItem("Tracker box matched to ground truth at α (TP, HOTA); colour = tracker id",
                   to_hex(id_color(0)), "solid"),
        LegendItem("Ground truth of a matched box", to_hex(GT_COLOR), "dashed"),
        LegendItem("Missed ground truth at α (FN, HOTA)", to_hex(FN_COLOR), "dashed"),
        LegendItem("Tracker box matched to no ground truth at α (FP, HOTA)", to_hex(FP_COLOR), "solid"),
        LegendItem("Identity switch (S) or id transfer (T), CLEAR's events", to_hex(EVENT_COLOR), "outline", "S"),
        LegendItem("Track resumes after a gap (F, CLEAR's fragmentation)", to_hex(EVENT_COLOR), "badge", "F"),
        LegendItem("Miss whose IoU is below α (the tag gives it); \"gt4 taken\": its best overlap is matched "
                   "to another box", to_hex(FN_COLOR), "tag", "IoU<α"),
    ]


@dataclass(frozen=True)
class _Style:
    """Pixel sizes scaled to the frame, so a 640x480 and a 1920x1080 frame look alike."""

    box: int
    gt: int
    font_scale: float
    text: int
    pad: int
    dash: int
    gap: int
    badge: int

    @classmethod
    def for_frame(cls, width: int, height: int) -> _Style:
        s = min(max(min(width, height) / 720, 0.65), 2.5)
        return cls(box=max(2, round(2 * s)), gt=max(1, round(s)),
                   font_scale=min(max(0.3 + min(width, height) / 1800, 0.45), 1.1),
                   text=1 if s < 1.6 else 2, pad=max(2, round(3 * s)), dash=max(5, round(8 * s)),
                   gap=max(3, round(5 * s)), badge=max(7, round(8 * s)))


@dataclass(frozen=True)
class _Box:
    """One row of the boxes table, corners rounded to pixels."""

    side: str
    id: int
    x1: int
    y1: int
    x2: int
    y2: int
    state: str
    partner: int
    iou: float
    event: str
    loc_miss: bool
    note: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return self.side, self.id


def annotate(frame_rgb: np.ndarray, boxes: pd.DataFrame, *, show: str = "both",
             highlight: tuple[str, int] | None = None, label: bool = True,
             alpha: float | None = None, masks: list | None = None) -> np.ndarray:
    """A copy of ``frame_rgb`` with ``boxes`` drawn by evaluation state.

    ``show`` keeps "gt", "tr" or "both" sides. ``highlight`` = (side, id) draws that box (and its
    partner) bright with a glow over dimmed everything else. ``label`` adds the id/IoU tags.
    ``alpha`` is the IoU threshold, printed on localisation misses ("IoU<0.50").
    ``masks`` (row-aligned pycocotools RLEs, MOTS formats) are filled and outlined under the boxes
    (``mask_overlay.draw_masks``); inside a highlighted box they stay bright, as the frame does.
    """
    if frame_rgb.ndim != 3 or frame_rgb.shape[2] != 3:
        raise ValueError(f"frame_rgb must be an H x W x 3 RGB image, got shape {frame_rgb.shape}")
    if show not in SHOW_OPTIONS:
        raise ValueError(f"show must be one of {SHOW_OPTIONS}, got {show!r}")
    missing = [c for c in BOX_COLUMNS if c not in boxes.columns]
    if missing:
        raise ValueError(f"boxes lack columns {missing}")
    height, width = frame_rgb.shape[:2]
    style = _Style.for_frame(width, height)
    rows = _rows(boxes)
    drawn = [b for b in rows if show == "both" or b.side == show]
    badges = _badges(rows, {b.key for b in drawn})
    emphasised = _emphasised(drawn, highlight)
    canvas = np.array(frame_rgb, dtype=np.uint8, copy=True)
    lit = frame_rgb  # what the spotlight shows inside the highlighted box: the frame, with its masks
    if masks is not None:
        from .mask_overlay import draw_masks
        draw_masks(canvas, boxes, masks, show=show)
        lit = canvas.copy() if highlight is not None else lit
    layer = _Layer(style, badges, show, label, alpha)
    layer.draw(canvas, [b for b in drawn if b.key not in emphasised])
    if highlight is not None:
        cv2.addWeighted(canvas, DIM_BOXES, np.asarray(frame_rgb, np.uint8), DIM_FRAME, 0,
                        dst=canvas)
        focus = [b for b in drawn if b.key in emphasised]
        for box in focus:
            if box.key == highlight:
                _spotlight(canvas, lit, box)
                _draw_glow(canvas, box, _color(box), style)
        layer.draw(canvas, focus, thick_key=highlight)
    return canvas


def _rows(boxes: pd.DataFrame) -> list[_Box]:
    """The table as boxes with integer pixel corners (plain Python values: fast to draw from)."""
    x, y = boxes["x"].to_numpy(float), boxes["y"].to_numpy(float)
    corners = [np.rint(v).astype(int).tolist()
               for v in (x, y, x + boxes["w"].to_numpy(float), y + boxes["h"].to_numpy(float))]
    columns = [boxes["side"].astype(str).tolist(), boxes["id"].astype(int).tolist(), *corners,
               boxes["state"].astype(str).tolist(), boxes["partner"].astype(int).tolist(),
               boxes["iou"].astype(float).tolist(),
               boxes["event"].fillna("").astype(str).str.upper().tolist(),
               boxes["loc_miss"].fillna(False).astype(bool).tolist()]
    if "note" in boxes.columns:
        columns.append(boxes["note"].fillna("").astype(str).tolist())
    return [_Box(*row) for row in zip(*columns, strict=True)]


def _emphasised(drawn: list[_Box], highlight: tuple[str, int] | None) -> set[tuple[str, int]]:
    """The highlighted box and its matched partner: both stay bright over the dimmed rest."""
    if highlight is None:
        return set()
    keys = {highlight}
    for box in drawn:
        if box.key == highlight and box.partner >= 0:
            keys.add(("tr" if box.side == "gt" else "gt", box.partner))
    return keys


def _color(box: _Box) -> RGB:
    return state_color(box.side, box.state, box.id)


def state_color(side: str, state: str, box_id: int) -> RGB:
    """The colour of a box (and its mask) by side and evaluation state."""
    if side == "gt":
        return FN_COLOR if state == "FN" else GT_COLOR
    return FP_COLOR if state == "FP" else id_color(box_id)


def _badges(rows: list[_Box], drawn: set[tuple[str, int]]) -> dict[tuple[str, int], list[str]]:
    """Events per drawn box: its own, plus those of a hidden partner (``show`` = one side)."""
    badges: dict[tuple[str, int], list[str]] = {}
    for box in rows:
        partner = ("tr" if box.side == "gt" else "gt", box.partner)
        owner = box.key if box.key in drawn else partner if partner in drawn else None
        if box.event and owner is not None and box.event not in badges.get(owner, []):
            badges.setdefault(owner, []).append(box.event)
    return badges


@dataclass(frozen=True)
class _Layer:
    """How to draw a set of boxes; ``draw`` is called once, or twice when one is highlighted."""

    style: _Style
    badges: dict[tuple[str, int], list[str]]
    show: str
    label: bool
    alpha: float | None

    def draw(self, canvas: np.ndarray, boxes: list[_Box],
             thick_key: tuple[str, int] | None = None) -> None:
        """Z-order: ground truth, tracker boxes, event outlines, tags, then badges on top."""
        style = self.style
        for missed, color, thickness in ((False, GT_COLOR, style.gt), (True, FN_COLOR, style.box)):
            group = [b for b in boxes if b.side == "gt" and (b.state == "FN") == missed]
            _draw_dashed(canvas, [b for b in group if b.key != thick_key], color, thickness, style)
            _draw_dashed(canvas, [b for b in group if b.key == thick_key], color,
                         thickness + style.box, style)
        for box in boxes:
            if box.side == "tr":
                thickness = style.box * 2 if box.key == thick_key else style.box
                _draw_outline(canvas, box, _color(box), thickness)
        with_events = [(b, self.badges[b.key]) for b in boxes if b.key in self.badges]
        for box, events in with_events:
            if IDENTITY_EVENTS.intersection(events):
                _draw_event_outline(canvas, box, style)
        tags = {}
        if self.label:
            for box in boxes:
                text = _tag_text(box, self.show, self.alpha)
                if text:
                    tags[box.key] = _draw_tag(canvas, box, text, _color(box), style)
        for box, events in with_events:
            letters = "".join(EVENT_BADGES.get(e, "?") for e in events)
            _draw_badge(canvas, box, letters, tags.get(box.key), style)


def _tag_text(box: _Box, show: str, alpha: float | None) -> str:
    """What a box's tag says ("" for none)."""
    if box.state == "FN":
        text = f"FN gt{box.id}"
    elif box.state == "FP":
        text = f"FP {box.id}"
    elif box.side == "tr":
        text = f"{box.id} | {box.iou:.2f}" if math.isfinite(box.iou) else f"{box.id}"
    elif show == "gt":
        text = f"gt{box.id} | {box.iou:.2f}" if math.isfinite(box.iou) else f"gt{box.id}"
    else:
        return ""  # a matched ground truth's IoU is already on its tracker box's tag
    if box.note:
        return f"{text}  {box.note}"
    if box.loc_miss:
        threshold = f"{alpha:.2f}" if alpha is not None else CV_ALPHA
        best = f"{box.iou:.2f}" if math.isfinite(box.iou) else ""
        text += f"  IoU {best}<{threshold}" if best else f"  IoU<{threshold}"
    return text


def _fill(canvas: np.ndarray, x1: int, y1: int, x2: int, y2: int, color: RGB) -> None:
    """Fill the pixels [x1, x2) x [y1, y2); OpenCV clips to the frame."""
    if x2 > x1 and y2 > y1:
        cv2.rectangle(canvas, (x1, y1), (x2 - 1, y2 - 1), color, -1)


def _edges(x1: int, y1: int, x2: int, y2: int, thickness: int) -> list[tuple[int, int, int, int]]:
    """The four edge strips of a box as [x1, y1, x2, y2) rectangles (top, bottom, left, right),
    each ``thickness`` wide and centred on the border."""
    a = thickness // 2
    left, top, right, bottom = x1 - a, y1 - a, x2 - a + thickness, y2 - a + thickness
    return [(left, top, right, top + thickness), (left, y2 - a, right, bottom),
            (left, top, left + thickness, bottom), (x2 - a, top, right, bottom)]


def _outline(canvas: np.ndarray, x1: int, y1: int, x2: int, y2: int, color: RGB,
             thickness: int) -> None:
    """A solid box border, drawn as four filled strips (OpenCV's thick lines are much slower)."""
    for strip in _edges(x1, y1, x2, y2, thickness):
        _fill(canvas, *strip, color)


def _draw_outline(canvas: np.ndarray, box: _Box, color: RGB, thickness: int) -> None:
    """A solid box over a 1-pixel dark shadow, so yellow or white boxes read on bright footage."""
    _outline(canvas, box.x1, box.y1, box.x2, box.y2, SHADOW_COLOR, thickness + 2)
    _outline(canvas, box.x1, box.y1, box.x2, box.y2, color, thickness)


def _draw_dashed(canvas: np.ndarray, boxes: list[_Box], color: RGB, thickness: int,
                 style: _Style) -> None:
    """Dashed borders of many boxes at once: coloured dashes with dark gaps, so the dashes read on
    bright and dark footage alike; all dashes painted in one vectorised numpy assignment."""
    if not boxes:
        return
    strips = []
    for box in boxes:
        _outline(canvas, box.x1, box.y1, box.x2, box.y2, SHADOW_COLOR, thickness)
        strips += _edges(box.x1, box.y1, box.x2, box.y2, thickness)
    pixels = _dash_pixels(np.array(strips), style.dash, style.dash + style.gap, canvas.shape[:2])
    channels = canvas.reshape(-1)  # canvases made here are contiguous: this is a view
    for channel, value in enumerate(color):
        channels[pixels * 3 + channel] = value


def _dash_pixels(strips: np.ndarray, on: int, period: int,
                 frame_shape: tuple[int, int]) -> np.ndarray:
    """Flat (row * width + column) index of every dash pixel along each [x1, y1, x2, y2) strip:
    ``on`` pixels every ``period`` along its long side from its first pixel, clipped to the
    frame."""
    horizontal = strips[:, 2] - strips[:, 0] >= strips[:, 3] - strips[:, 1]
    length = np.where(horizontal, strips[:, 2] - strips[:, 0], strips[:, 3] - strips[:, 1])
    dashes_per_strip = -(-length // period)
    strip = np.repeat(np.arange(len(strips)), dashes_per_strip)
    first = np.cumsum(dashes_per_strip) - dashes_per_strip
    start = (np.arange(len(strip)) - first[strip]) * period
    stop = np.minimum(start + on, length[strip])
    along_x = horizontal[strip]
    sx1, sy1, sx2, sy2 = strips[strip].T
    dashes = np.stack([np.where(along_x, sx1 + start, sx1), np.where(along_x, sy1, sy1 + start),
                       np.where(along_x, sx1 + stop, sx2), np.where(along_x, sy2, sy1 + stop)], 1)
    height, width = frame_shape
    dashes = np.clip(dashes, 0, [width, height, width, height])
    dashes = dashes[(dashes[:, 2] > dashes[:, 0]) & (dashes[:, 3] > dashes[:, 1])]
    widths = dashes[:, 2] - dashes[:, 0]
    sizes = widths * (dashes[:, 3] - dashes[:, 1])
    dash = np.repeat(np.arange(len(dashes)), sizes)
    local = np.arange(len(dash)) - (np.cumsum(sizes) - sizes)[dash]
    rows = dashes[dash, 1] + local // widths[dash]
    return rows * width + dashes[dash, 0] + local % widths[dash]


def _draw_event_outline(canvas: np.ndarray, box: _Box, style: _Style) -> None:
    """A ring around the box with a gap, so the box's own colour stays visible inside it."""
    grow = style.box * 2 + 2
    ring = (box.x1 - grow, box.y1 - grow, box.x2 + grow, box.y2 + grow)
    _outline(canvas, *ring, SHADOW_COLOR, style.box + 3)
    _outline(canvas, *ring, EVENT_COLOR, style.box + 1)


def _draw_badge(canvas: np.ndarray, box: _Box, letters: str,
                tag: tuple[int, int, int, int] | None, style: _Style) -> None:
    """A round badge (a pill for several letters) right after the box's tag, or without a tag
    on the corner where the tag would be (top-right for tracker, bottom-right for ground truth)."""
    scale = style.badge / 16
    (text_w, text_h), _ = cv2.getTextSize(letters, FONT, scale, style.text + 1)
    half = max(text_w // 2 - style.badge // 2, 0)  # distance between the pill's end circles
    if tag is not None:
        center_x, y = tag[2] + style.badge + half + 2, (tag[1] + tag[3]) // 2
        if center_x + half + style.badge >= canvas.shape[1]:  # no room right of the tag
            center_x = tag[0] - style.badge - half - 2
    else:
        center_x, y = box.x2, box.y1 if box.side == "tr" else box.y2
    left, right = (center_x - half, y), (center_x + half, y)
    for color, radius in ((SHADOW_COLOR, style.badge + 2), (EVENT_COLOR, style.badge)):
        cv2.circle(canvas, left, radius, color, -1, cv2.LINE_AA)
        cv2.circle(canvas, right, radius, color, -1, cv2.LINE_AA)
        _fill(canvas, left[0], y - radius, right[0] + 1, y + radius + 1, color)
    cv2.putText(canvas, letters, (center_x - text_w // 2, y + text_h // 2), FONT, scale,
                (255, 255, 255), style.text + 1, cv2.LINE_AA)


def _draw_tag(canvas: np.ndarray, box: _Box, text: str, color: RGB,
              style: _Style) -> tuple[int, int, int, int]:
    """A filled tag in the box colour: above the top-left corner for tracker boxes, below the
    bottom-left for ground truth (so a tracker tag and its ground truth's never overlap);
    moved inside the box when it would leave the frame. Returns the tag's (x1, y1, x2, y2)."""
    (text_w, text_h), baseline = cv2.getTextSize(text, FONT, style.font_scale, style.text)
    tag_w, tag_h = text_w + 2 * style.pad, text_h + baseline + 2 * style.pad
    height, width = canvas.shape[:2]
    if box.side == "tr":
        top = box.y1 - tag_h if box.y1 - tag_h >= 0 else box.y1
    else:
        top = box.y2 if box.y2 + tag_h <= height else box.y2 - tag_h
    left = min(max(box.x1, 0), max(width - tag_w, 0))
    top = min(max(top, 0), max(height - tag_h, 0))
    _fill(canvas, left - 1, top - 1, left + tag_w + 1, top + tag_h + 1, SHADOW_COLOR)
    _fill(canvas, left, top, left + tag_w, top + tag_h, color)
    cv2.putText(canvas, text, (left + style.pad, top + style.pad + text_h), FONT,
                style.font_scale, _ink(color), style.text, cv2.LINE_AA)
    return left, top, left + tag_w, top + tag_h


def _ink(background: RGB) -> RGB:
    """Black or white text, whichever contrasts more with the tag colour."""
    r, g, b = background
    return (20, 20, 20) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else (255, 255, 255)


def _spotlight(canvas: np.ndarray, frame_rgb: np.ndarray, box: _Box) -> None:
    """Undo the dimming inside the highlighted box, so the eye goes to what it contains (``frame_rgb``:
    the frame as it was before the boxes were drawn, masks included)."""
    height, width = canvas.shape[:2]
    x1, y1, x2, y2 = max(box.x1, 0), max(box.y1, 0), min(box.x2, width), min(box.y2, height)
    if x2 > x1 and y2 > y1:
        canvas[y1:y2, x1:x2] = frame_rgb[y1:y2, x1:x2]


def _draw_glow(canvas: np.ndarray, box: _Box, color: RGB, style: _Style) -> None:
    """A soft halo outside the box (the inside stays clear to see the object), added onto the
    box's neighbourhood only."""
    radius = style.box * 6
    height, width = canvas.shape[:2]
    x1, y1 = max(box.x1 - 2 * radius, 0), max(box.y1 - 2 * radius, 0)
    x2, y2 = min(box.x2 + 2 * radius, width), min(box.y2 + 2 * radius, height)
    if x2 <= x1 or y2 <= y1:
        return
    halo = np.zeros((y2 - y1, x2 - x1, 3), np.uint8)
    _outline(halo, box.x1 - x1, box.y1 - y1, box.x2 - x1, box.y2 - y1, color, radius)
    halo = cv2.stackBlur(halo, (2 * radius + 1, 2 * radius + 1))  # Gaussian-like, much faster
    halo[max(box.y1 - y1, 0):max(box.y2 - y1, 0), max(box.x1 - x1, 0):max(box.x2 - x1, 0)] = 0
    roi = canvas[y1:y2, x1:x2]
    cv2.add(roi, halo, dst=roi)
