"""Masks drawn by evaluation state (``mask_overlay.draw_masks`` through ``overlay.annotate(masks=...)``):
translucent fill and outline in the box colours, ground truth under tracker masks, ``show`` honoured,
the input frame untouched, masks of another size scaled to the picture."""
from __future__ import annotations

import numpy as np
import pandas as pd
from pycocotools import mask as mask_utils

from tracklens.dashboard.mask_overlay import FILL_ALPHA, draw_masks
from tracklens.dashboard.overlay import annotate, state_color
from tracklens.dashboard.palette import FN_COLOR, FP_COLOR, GT_COLOR, id_color

H, W = 60, 80


def rle(mask: np.ndarray) -> dict:
    return mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))


def block(y0, y1, x0, x1, shape=(H, W)) -> np.ndarray:
    m = np.zeros(shape, bool)
    m[y0:y1, x0:x1] = True
    return m


def table(rows) -> pd.DataFrame:
    cols = ("side", "id", "x", "y", "w", "h", "state", "partner", "iou", "event", "loc_miss")
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def mixed(base: int, color, alpha=FILL_ALPHA) -> np.ndarray:
    return np.rint(base * (1 - alpha) + np.asarray(color, float) * alpha).astype(np.uint8)


def test_fill_and_outline_by_state():
    boxes = table([("gt", 1, 10, 10, 20, 20, "FN", -1, np.nan, "", False),
                   ("tr", 7, 50, 30, 20, 20, "TP", 2, 0.9, "", False),
                   ("gt", 2, 50, 30, 20, 20, "TP", 7, 0.9, "", False),
                   ("tr", 8, 0, 50, 5, 5, "FP", -1, np.nan, "", False)])
    masks = [rle(block(10, 30, 10, 30)), rle(block(30, 50, 50, 70)), rle(block(30, 50, 50, 70)),
             rle(block(50, 55, 0, 5))]
    frame = np.full((H, W, 3), 40, np.uint8)
    canvas = frame.copy()
    draw_masks(canvas, boxes, masks)
    assert (frame == 40).all()  # draw_masks paints the canvas given, annotate copies first
    assert canvas[20, 20].tolist() == mixed(40, FN_COLOR).tolist()  # inside: translucent fill
    assert canvas[10, 20].tolist() == list(FN_COLOR)  # edge: outline in full colour
    assert canvas[0, 0].tolist() == [40, 40, 40]  # outside: untouched
    # the matched pair: ground truth filled white first, then the tracker's id colour over it
    want = np.rint(mixed(40, GT_COLOR) * (1 - FILL_ALPHA) + np.asarray(id_color(7), float) * FILL_ALPHA)
    assert canvas[40, 60].tolist() == want.astype(np.uint8).tolist()
    assert canvas[51, 2].tolist() != [40, 40, 40] and tuple(canvas[50, 0]) == FP_COLOR
    assert state_color("tr", "TP", 7) == id_color(7) and state_color("gt", "TP", 2) == GT_COLOR


def test_annotate_with_masks_show_and_scaling():
    boxes = table([("gt", 1, 10, 10, 20, 20, "FN", -1, np.nan, "", False),
                   ("tr", 3, 40, 10, 20, 20, "FP", -1, np.nan, "", False)])
    frame = np.zeros((H, W, 3), np.uint8)
    masks = [rle(block(10, 30, 10, 30)), rle(block(10, 30, 40, 60))]
    only_gt = annotate(frame, boxes, show="gt", label=False, masks=masks)
    plain = annotate(frame, boxes, show="gt", label=False)
    assert (frame == 0).all()
    assert only_gt[20, 20].tolist() == mixed(0, FN_COLOR).tolist() and plain[20, 20].tolist() == [0, 0, 0]
    assert only_gt[20, 50].tolist() == [0, 0, 0]  # the tracker side is hidden, its mask too
    # a row without a mask draws none; masks at half the picture's size are scaled to it
    half = [rle(block(5, 15, 5, 15, (H // 2, W // 2))), None]
    scaled = annotate(frame, boxes, label=False, masks=half)
    assert scaled[20, 20].tolist() == mixed(0, FN_COLOR).tolist()
    assert scaled[20, 50].tolist() == [0, 0, 0]
