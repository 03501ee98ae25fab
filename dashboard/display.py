"""Frames as the browser shows them: drawn and JPEG-encoded at display size (no Streamlit here).

A 1920x1080 frame fills a column about 1,000 pixels wide; drawing the boxes on the full frame and
sending it as PNG cost ~110 ms a step and ~3 MB a frame. Drawing on the frame scaled to the display
width keeps the boxes' lines and tags as thick, relative to the picture, as ``overlay``'s style
makes them, and the JPEG is ~10x smaller.
"""
from __future__ import annotations

import base64
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import cv2
import numpy as np
import pandas as pd

from .overlay import annotate
from .views import overlay_masks

DISPLAY_WIDTH = 1024  # pixels: the inspector's image column on a 1920-pixel-wide screen
JPEG_QUALITY = 88


@dataclass(frozen=True)
class DrawList:
    """The overlay rows (``views.overlay_boxes``) of frames ``first``..``first + len(offsets) - 2`` at
    one α, in frame order, with where each frame's rows start: a frame's boxes are a slice."""

    first: int
    boxes: pd.DataFrame
    offsets: np.ndarray

    def frame(self, k: int) -> pd.DataFrame:
        i = k - self.first
        if not 0 <= i < len(self.offsets) - 1:
            raise IndexError(f"frame {k} is not in this draw list")
        return self.boxes.iloc[int(self.offsets[i]):int(self.offsets[i + 1])]


def index_frames(boxes: pd.DataFrame, first: int, last: int) -> DrawList:
    """``boxes`` (overlay rows of frames first..last, sorted by frame) indexed by frame."""
    frames = boxes["frame"].to_numpy()
    if frames.size and np.any(np.diff(frames) < 0):
        raise ValueError("overlay rows must be sorted by frame")
    return DrawList(first, boxes.reset_index(drop=True), np.searchsorted(frames, np.arange(first, last + 2)))


def scaled(frame_rgb: np.ndarray, boxes: pd.DataFrame, width: int) -> tuple[np.ndarray, pd.DataFrame]:
    """The frame resized to at most ``width`` pixels wide, and the boxes in its coordinates (a new table)."""
    height, full = frame_rgb.shape[:2]
    if full <= width:
        return frame_rgb, boxes
    s = width / full
    small = resized(frame_rgb, (width, max(1, round(height * s))))
    return small, boxes.assign(x=boxes["x"] * s, y=boxes["y"] * s, w=boxes["w"] * s, h=boxes["h"] * s)


RESIZED_KEEP = 4  # read-only frames whose display-size copy is remembered
_resized: OrderedDict[tuple[int, tuple[int, int]], tuple[weakref.ref, np.ndarray]] = OrderedDict()
_resized_lock = threading.Lock()


def resized(frame_rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``frame_rgb`` resized to ``size`` (w, h), read-only. A read-only frame's copy is remembered for the
    last few frames: a sequence without footage draws every frame on one blank canvas, resized once
    instead of at every step (the resize was most of a picture's drawing time)."""
    if frame_rgb.flags.writeable:
        return cv2.resize(frame_rgb, size, interpolation=cv2.INTER_AREA)
    key = (id(frame_rgb), size)
    with _resized_lock:
        kept = _resized.get(key)
        if kept is not None and kept[0]() is frame_rgb:  # the same array, not another at a reused address
            _resized.move_to_end(key)
            return kept[1]
    small = cv2.resize(frame_rgb, size, interpolation=cv2.INTER_AREA)
    small.flags.writeable = False
    with _resized_lock:
        _resized[key] = (weakref.ref(frame_rgb), small)
        while len(_resized) > RESIZED_KEEP:
            _resized.popitem(last=False)
    return small


def frame_jpeg(frame_rgb: np.ndarray, boxes: pd.DataFrame, *, width: int = DISPLAY_WIDTH, show: str = "both",
               highlight: tuple[str, int] | None = None, alpha: float | None = None) -> bytes:
    """``overlay.annotate`` drawn at display size, as JPEG bytes."""
    small, boxes = scaled(frame_rgb, boxes, width)
    image = annotate(small, boxes, show=show, highlight=highlight, alpha=alpha, masks=overlay_masks(boxes))
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return encoded.tobytes()


def data_url(jpeg: bytes) -> str:
    """JPEG bytes as a ``data:`` URL: ``st.image`` sends it inside the element itself, so a step's picture
    needs no second request from the browser (a media file URL is fetched after the element arrives)."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
