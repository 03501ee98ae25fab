"""Masks (MOTS formats) drawn by evaluation state under the boxes of ``overlay.annotate``: a
translucent fill and an outline in the box's colour, the same colours as the boxes (matched tracker
masks in their id colour, matched ground truth white, missed ground truth red, false positives
amber). Masks are pycocotools RLE dicts at the frame's size (or any size: they are scaled to the
picture, nearest pixel), or decoded arrays (``cut_masks``: a crop's window of each mask)."""
from __future__ import annotations

import cv2
import numpy as np
import pandas as pd

FILL_ALPHA = 0.35  # how much of the state colour a mask pixel takes


def decoded(mask, height: int, width: int) -> np.ndarray:
    """``mask`` (a pycocotools RLE, or an already decoded array) as a 0/1 ``uint8`` array of
    ``height`` x ``width`` (scaled, nearest pixel, when it is another size)."""
    from pycocotools import mask as mask_utils

    m = mask if isinstance(mask, np.ndarray) else mask_utils.decode(mask)
    if m.shape != (height, width):
        m = cv2.resize(np.ascontiguousarray(m, np.uint8), (width, height), interpolation=cv2.INTER_NEAREST)
    return np.ascontiguousarray(m, np.uint8)


def cut_masks(masks: list | None, frame_size: tuple[int, int], window: tuple[int, int, int, int]) -> list | None:
    """Each mask of a ``frame_size`` (width, height) frame cut to ``window`` (x0, y0, x1, y1: columns
    x0..x1-1, rows y0..y1-1; it may reach past the frame, left empty there), so ``draw_masks`` paints a
    crop of that window the way ``annotate`` paints the whole frame. None stays None."""
    if masks is None:
        return None
    width, height = frame_size
    x0, y0, x1, y1 = window
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    out: list = []
    for mask in masks:
        if mask is None:
            out.append(None)
            continue
        part = np.zeros((max(1, y1 - y0), max(1, x1 - x0)), np.uint8)
        if sx1 > sx0 and sy1 > sy0:
            part[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = decoded(mask, height, width)[sy0:sy1, sx0:sx1]
        out.append(part)
    return out


def draw_masks(canvas: np.ndarray, boxes: pd.DataFrame, masks: list, *, show: str = "both",
               color_of=None) -> None:
    """Paint ``masks`` (row-aligned with ``boxes``; ``None`` where a row has no mask) on ``canvas``
    (H x W x 3 RGB, in place): ground truth first, tracker masks over it. ``color_of(side, state, id)``
    gives the colour (``overlay.state_color``)."""
    from .overlay import state_color

    color_of = color_of or state_color
    height, width = canvas.shape[:2]
    line = max(1, round(width / 640))
    sides = boxes["side"].astype(str).tolist()
    for side in ("gt", "tr"):
        if show not in ("both", side):
            continue
        for k in (i for i, s in enumerate(sides) if s == side and masks[i] is not None):
            m = decoded(masks[k], height, width)
            rows, cols = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
            if not len(rows):
                continue
            # the mask's bounding box and a pixel around it: the work of a full frame on a person's size
            y0, y1 = max(rows[0] - 1, 0), min(rows[-1] + 2, height)
            x0, x1 = max(cols[0] - 1, 0), min(cols[-1] + 2, width)
            part, under = np.ascontiguousarray(m[y0:y1, x0:x1]), canvas[y0:y1, x0:x1]
            inside = part.astype(bool)
            color = np.asarray(color_of(side, str(boxes["state"].iat[k]), int(boxes["id"].iat[k])), float)
            under[inside] = np.rint(under[inside] * (1 - FILL_ALPHA) + color * FILL_ALPHA).astype(np.uint8)
            contours, _ = cv2.findContours(part, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE, offset=(int(x0), int(y0)))
            cv2.drawContours(canvas, contours, -1, tuple(int(c) for c in color), line)
