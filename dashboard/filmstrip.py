"""A filmstrip around an identity event: frames k-N..k+N cropped to the same region around the ids
involved, side by side, so what happened to whom reads at a glance. Pure numpy (no Streamlit)."""
from __future__ import annotations

from typing import Callable

import cv2
import numpy as np
import pandas as pd

from .crop import Key, crop_picture, region_around
from .overlay import FONT
from .palette import EVENT_COLOR, SHADOW_COLOR

GAP = 6  # pixels between tiles
CAPTION_SCALE = 0.5


def filmstrip(frames: list[int], current: int, picture: Callable[[int], np.ndarray],
              boxes: Callable[[int], pd.DataFrame], keys: set[Key], *, tile_width: int = 240,
              per_row: int = 5, alpha: float | None = None, show: str = "both", context: float = 0.5) -> np.ndarray | None:
    """``frames`` (ascending) as tiles ``tile_width`` wide, ``per_row`` to a row, each the same region (the
    ``keys`` boxes over all the frames, ``context`` around them) of ``picture(k)`` with ``boxes(k)`` drawn
    and labelled (``crop.crop_picture``); the ``current`` frame framed in the event colour, each tile
    captioned with its frame number. None when none of the ``keys`` boxes is on any of the frames."""
    per_frame = {k: boxes(k) for k in frames}
    first = picture(frames[0])
    size = (first.shape[1], first.shape[0])
    together = pd.concat(per_frame.values(), ignore_index=True)
    region = region_around(together, keys, size, context, aspect=3 / 4)  # people are tall: portrait tiles
    if region is None:
        return None
    tiles = []
    for k in frames:
        tile = crop_picture(first if k == frames[0] else picture(k), per_frame[k], region, keys, width=tile_width,
                            alpha=alpha, show=show)
        caption = f"frame {k}"
        (tw, th), base = cv2.getTextSize(caption, FONT, CAPTION_SCALE, 1)
        cv2.rectangle(tile, (0, 0), (tw + 8, th + base + 6), SHADOW_COLOR, -1)
        cv2.putText(tile, caption, (4, th + 3), FONT, CAPTION_SCALE, (255, 255, 255), 1, cv2.LINE_AA)
        if k == current:
            cv2.rectangle(tile, (1, 1), (tile.shape[1] - 2, tile.shape[0] - 2), EVENT_COLOR, 3)
        tiles.append(tile)
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // per_row)
    cols = min(per_row, len(tiles))
    sheet = np.full((rows * h + (rows - 1) * GAP, cols * w + (cols - 1) * GAP, 3), 255, np.uint8)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, per_row)
        sheet[r * (h + GAP):r * (h + GAP) + tile.shape[0], c * (w + GAP):c * (w + GAP) + tile.shape[1]] = tile
    return sheet
