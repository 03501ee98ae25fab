"""Masks (MOTS formats) drawn by evaluation state under the boxes of ``overlay.annotate``: a
translucent fill and an outline in the box's colour, the same colours as the boxes (matched tracker
masks in their id colour, matched ground truth white, missed ground truth red, false positives
amber). Masks are pycocotools RLE dicts at the frame's size (or any size: they are scaled to the
picture, nearest pixel)."""
from __future__ import annotations

import cv2
import numpy as np
import pandas as pd

FILL_ALPHA = 0.35  # how much of the state colour a mask pixel takes


def draw_masks(canvas: np.ndarray, boxes: pd.DataFrame, masks: list, *, show: str = "both",
               color_of=None) -> None:
    """Paint ``masks`` (row-aligned with ``boxes``; ``None`` where a row has no mask) on ``canvas``
    (H x W x 3 RGB, in place): ground truth first, tracker masks over it. ``color_of(side, state, id)``
    gives the colour (``overlay.state_color``)."""
    from pycocotools import mask as mask_utils

    from .overlay import state_color

    color_of = color_of or state_color
    height, width = canvas.shape[:2]
    line = max(1, round(width / 640))
    sides = boxes["side"].astype(str).tolist()
    for side in ("gt", "tr"):
        if show not in ("both", side):
            continue
        for k in (i for i, s in enumerate(sides) if s == side and masks[i] is not None):
            m = mask_utils.decode(masks[k])
            if m.shape != (height, width):
                m = cv2.resize(m, (width, height), interpolation=cv2.INTER_NEAREST)
            inside = m.astype(bool)
            color = np.asarray(color_of(side, str(boxes["state"].iat[k]), int(boxes["id"].iat[k])), float)
            canvas[inside] = np.rint(canvas[inside] * (1 - FILL_ALPHA) + color * FILL_ALPHA).astype(np.uint8)
            contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            cv2.drawContours(canvas, contours, -1, tuple(int(c) for c in color), line)
