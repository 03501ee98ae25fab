"""The inspector's crop and filmstrip pictures, made once per (data, sequence, tracker, α, frame, choice)
and shared by every session (like ``loading.frame_picture``), as JPEG bytes."""
from __future__ import annotations

import cv2
import numpy as np
import pandas as pd
import streamlit as st

from .crop import CONTEXT, Key, Region, crop_picture, involved, region_around, trail_points
from .display import JPEG_QUALITY
from .filmstrip import filmstrip
from .loading import View, frame_boxes, frame_source

TRAIL_FRAMES = 25  # how far back a crop's trails reach
CROP_WIDTH = 760  # pixels: about the frame column's width, so the labels show at their drawn size
COMPARE_WIDTH = 720  # pixels: each of Compare's two pictures


def jpeg(picture: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(picture, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return encoded.tobytes()


def crop_keys(view: View, tracker: str, sequence: str, alpha_idx: int, frame: int, track: int | None) -> set[Key]:
    """The boxes a crop of ``frame`` is about (``crop.involved``): the selected track, else the frame's events."""
    analysis = view.workspace().analysis(tracker, sequence)
    return involved(frame_boxes(view, tracker, sequence, alpha_idx, frame), track, analysis.frame_identity_events(frame))


@st.cache_resource(show_spinner=False, max_entries=128)
def crop_jpeg(view: View, tracker: str, sequence: str, alpha_idx: int, frame: int, show: str, track: int | None,
              context: str) -> bytes | None:
    """The crop of ``frame`` around ``crop_keys`` at full resolution, scaled to the display width, with
    trails of those boxes over the TRAIL_FRAMES frames before; None when there is nothing to crop to."""
    from .views import ALPHA_CHOICES

    meta = view.workspace().sequence(sequence)
    keys = crop_keys(view, tracker, sequence, alpha_idx, frame, track)
    boxes = frame_boxes(view, tracker, sequence, alpha_idx, frame)
    region = region_around(boxes, keys, (meta.width or 1280, meta.height or 720), CONTEXT[context], aspect=4 / 3)
    if region is None:
        return None
    window = pd.concat([frame_boxes(view, tracker, sequence, alpha_idx, k)
                        for k in range(max(1, frame - TRAIL_FRAMES), frame + 1)], ignore_index=True)
    frames = frame_source(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames)
    return jpeg(crop_picture(frames.frame(frame), boxes, region, keys, width=CROP_WIDTH,
                             alpha=ALPHA_CHOICES[alpha_idx], show=show, trails=trail_points(window, keys)))


@st.cache_resource(show_spinner="Drawing the filmstrip…", max_entries=16)
def filmstrip_jpeg(view: View, tracker: str, sequence: str, alpha_idx: int, frame: int, show: str,
                   track: int | None, half: int) -> bytes | None:
    """Frames ``frame - half`` .. ``frame + half`` cropped to the boxes of ``crop_keys`` (``filmstrip``)."""
    from .views import ALPHA_CHOICES

    meta = view.workspace().sequence(sequence)
    keys = crop_keys(view, tracker, sequence, alpha_idx, frame, track)
    frames = frame_source(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames)
    around = list(range(max(1, frame - half), min(meta.num_frames, frame + half) + 1))
    sheet = filmstrip(around, frame, frames.frame, lambda k: frame_boxes(view, tracker, sequence, alpha_idx, k), keys,
                      tile_width=200, per_row=min(len(around), 7), alpha=ALPHA_CHOICES[alpha_idx], show=show)
    return None if sheet is None else jpeg(sheet)


@st.cache_resource(show_spinner=False, max_entries=64)
def zoom_spec(view: View, tracker: str, sequence: str, alpha_idx: int, frame: int, show: str,
              highlight: tuple[str, int] | None, threshold: float) -> dict:
    """The zoomable frame (``zoom.zoom_figure``) as a plain dict: the annotated frame at full resolution
    and a hover record per box drawn."""
    from .display import frame_jpeg
    from .views import ALPHA_CHOICES
    from .zoom import zoom_figure

    meta = view.workspace().sequence(sequence)
    frames = frame_source(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames)
    picture = frames.frame(frame)
    boxes = frame_boxes(view, tracker, sequence, alpha_idx, frame)
    alpha = ALPHA_CHOICES[alpha_idx]
    full = frame_jpeg(picture, boxes, width=picture.shape[1], show=show, highlight=highlight, alpha=alpha)
    shown = boxes if show == "both" else boxes[boxes["side"] == show]
    return zoom_figure(full, (picture.shape[1], picture.shape[0]), shown, alpha, threshold).to_dict()


@st.cache_resource(show_spinner=False, max_entries=64)
def compare_jpegs(view: View, trackers: tuple[str, str], sequence: str, alpha_idx: int, frame: int,
                  track: int | None, context: str) -> tuple[bytes, bytes, bool]:
    """Tracker A's and B's pictures of ``frame``, boxes coloured by the ground-truth person they are
    (``crop_picture(by_identity=True)``), both cropped to the same region: ground-truth ``track`` and the
    ids either tracker pairs it with (``context`` around them), or the whole frame when ``context`` is
    "whole" or the track is not on the frame. The bool says whether they are cropped."""
    from .views import ALPHA_CHOICES

    meta = view.workspace().sequence(sequence)
    frames = frame_source(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames)
    picture = frames.frame(frame)
    size = (picture.shape[1], picture.shape[0])
    sides = [frame_boxes(view, t, sequence, alpha_idx, frame) for t in trackers]
    no_events = pd.DataFrame(columns=["gt_id", "tr_id"])
    keys = [involved(b, track, no_events) if track is not None else set() for b in sides]
    region = None
    if context != "whole" and any(keys):
        both = pd.concat([b[[(s, int(i)) in k for s, i in zip(b["side"], b["id"])]] for b, k in zip(sides, keys)])
        region = region_around(both, {(s, int(i)) for s, i in zip(both["side"], both["id"])}, size, CONTEXT[context],
                               aspect=4 / 3)
    cropped = region is not None
    region = region or Region(0, 0, size[0], size[1])
    drawn = tuple(jpeg(crop_picture(picture, b, region, k, width=COMPARE_WIDTH, alpha=ALPHA_CHOICES[alpha_idx],
                                    by_identity=True)) for b, k in zip(sides, keys))
    return drawn[0], drawn[1], cropped
