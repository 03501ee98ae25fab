"""What the Tracks page draws, prepared once and shared by every session (keyed by the ``View``, never
modified): the track tables with their cost at α, the coverage runs and identity events of a window of
frames, and the chart of a chosen list of rows (as ``fig.to_dict()``)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .loading import View

# identity event types drawn on each side's rows, and the column that names the row
EVENTS = {"gt": (("SWITCH", "ASCEND"), "gt_id"), "tr": (("TRANSFER", "MIGRATE"), "tr_id")}


@st.cache_resource(show_spinner=False, max_entries=32)
def track_tables(view: View, tracker: str, sequence: str, alpha_idx: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ground-truth and tracker track tables at one α, with their ``lost`` cost (``track_rows.with_cost``)."""
    from tracklens.analysis.tracks import gt_track_table, tracker_track_table

    from .track_rows import with_cost

    analysis = view.workspace().analysis(tracker, sequence)
    return (with_cost(gt_track_table(analysis.gt_tracks, analysis.pairs, alpha_idx)),
            with_cost(tracker_track_table(analysis.tr_tracks, analysis.pairs, alpha_idx)))


@st.cache_resource(show_spinner=False, max_entries=32)
def coverage_window(view: View, tracker: str, sequence: str, alpha_idx: int, first: int, last: int,
                    side: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coverage runs (``coverage_segments``) and identity events (``frame, id``) of one side over frames
    first..last: a window of a long sequence is read, never the whole box table."""
    from tracklens.analysis.tracks import coverage_segments

    analysis = view.workspace().analysis(tracker, sequence)
    segments = coverage_segments(analysis.box_window(first, last), alpha_idx, side)
    identity = analysis.identity_events
    types, column = EVENTS[side]
    chosen = identity[(identity["frame"] >= first) & (identity["frame"] <= last) & identity["type"].isin(types)]
    events = pd.DataFrame({"frame": chosen["frame"].to_numpy(), "id": chosen[column].to_numpy()})
    return segments, events


@st.cache_resource(show_spinner=False, max_entries=64)
def coverage_spec(view: View, tracker: str, sequence: str, alpha_idx: int, first: int, last: int, side: str,
                  rows: tuple[int, ...]) -> dict:
    """``track_chart.coverage_chart`` of ``rows`` as a plain dict, built once."""
    from .track_chart import GT_SIDE, TR_SIDE, coverage_chart

    segments, events = coverage_window(view, tracker, sequence, alpha_idx, first, last, side)
    return coverage_chart(segments, events, rows, GT_SIDE if side == "gt" else TR_SIDE, (first, last)).to_dict()
