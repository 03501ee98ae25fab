"""What the Breakdowns and Error patches pages draw, computed once per (data, tracker[, sequence]) and shared
by every session (keyed by the ``View``, never modified)."""
from __future__ import annotations

import cv2
import pandas as pd
import streamlit as st

from tracklens.analysis.breakdown import add_counts, bin_counts, box_bins, breakdown_table
from tracklens.analysis.causes import cause_counts, identity_causes
from tracklens.breakdowns import baseline

from .breakdown_views import crop_patch, patch_table
from .loading import View, frame_source
from .views import MASK_COLUMNS, overlay_masks


@st.cache_resource(show_spinner=False, max_entries=64)
def binned_boxes(view: View, tracker: str, sequence: str) -> pd.DataFrame:
    """The evaluated boxes of one sequence x tracker with their bins (``breakdown.box_bins``), and a mask
    run's masks (``views.MASK_COLUMNS``) for the Error patches."""
    boxes = view.workspace().analysis(tracker, sequence).boxes
    evaluated = boxes["evaluated"].to_numpy(bool)
    return box_bins(boxes).assign(**{c: boxes[c].to_numpy()[evaluated] for c in MASK_COLUMNS if c in boxes.columns})


@st.cache_resource(show_spinner="Splitting the metrics by condition…", max_entries=16)
def tracker_breakdown(view: View, tracker: str) -> pd.DataFrame:
    """A tracker's breakdown table over every sequence of the run."""
    ws = view.workspace()
    return breakdown_table(add_counts([bin_counts(binned_boxes(view, tracker, s.name)) for s in ws.sequences]))


@st.cache_resource(show_spinner=False, max_entries=64)
def sequence_causes(view: View, tracker: str, sequence: str, alpha_idx: int) -> pd.DataFrame:
    an = view.workspace().analysis(tracker, sequence)
    return identity_causes(an.boxes, an.identity_events, an.fn_bursts, alpha_idx)


@st.cache_resource(show_spinner="Looking for the causes of identity errors…", max_entries=16)
def tracker_cause_counts(view: View, tracker: str, alpha_idx: int) -> pd.DataFrame:
    """``cause_counts`` of a tracker over every sequence, and its events (with a ``sequence`` column)."""
    ws = view.workspace()
    events = pd.concat([sequence_causes(view, tracker, s.name, alpha_idx).assign(sequence=s.name)
                        for s in ws.sequences], ignore_index=True)
    return cause_counts(events), events


@st.cache_resource(show_spinner=False, max_entries=16)
def gt_baseline(view: View) -> dict:
    """``breakdowns.baseline`` of the run (ground truth only: read through the first tracker's tables)."""
    ws = view.workspace()
    return baseline([(s.name, ws.analysis(ws.trackers[0], s.name)) for s in ws.sequences])


@st.cache_resource(show_spinner=False, max_entries=64)
def sequence_patches(view: View, tracker: str, sequence: str, alpha_idx: int) -> pd.DataFrame:
    return patch_table(binned_boxes(view, tracker, sequence), sequence_causes(view, tracker, sequence, alpha_idx),
                       alpha_idx, sequence)


@st.cache_resource(show_spinner=False, max_entries=2048)
def patch_jpeg(view: View, sequence: str, frame: int, box: tuple[float, float, float, float], state: str,
               mask: tuple[str, int, int] | None = None) -> bytes:
    """One patch as JPEG (cached: a page of the grid is drawn once); ``mask``: a mask run's (RLE string,
    height, width) of the box (``patch_mask``), drawn as the inspector draws masks."""
    meta = view.workspace().sequence(sequence)
    frames = frame_source(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames)
    rle = None if mask is None else overlay_masks(pd.DataFrame([mask], columns=list(MASK_COLUMNS)))[0]
    tile = crop_patch(frames.frame(frame), box, state, mask=rle)
    _, data = cv2.imencode(".jpg", cv2.cvtColor(tile, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return data.tobytes()


def patch_mask(row) -> tuple[str, int, int] | None:
    """A ``patch_table`` row's mask as ``patch_jpeg`` takes it (hashable, for its cache); None for boxes."""
    return (str(row.mask), int(row.mask_h), int(row.mask_w)) if hasattr(row, "mask") else None
