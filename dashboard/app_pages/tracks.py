"""Tracks: who covered each ground-truth track over time, which tracks cost the most, and why a
track's association score is what it is."""
from __future__ import annotations

import numpy as np
import streamlit as st

from tracklens.dashboard import state
from tracklens.analysis.tracks import pair_table
from tracklens.dashboard.figures import timeline_point
from tracklens.dashboard.track_chart import chart_height, with_selection
from tracklens.dashboard.track_rows import (COST, COST_HELP, GT_ORDERS, ORDER_HELP, ORDERS, ROW_LIMITS, TR_ORDERS,
                                            ordered, pick_rows)
from tracklens.dashboard.tracks_data import coverage_spec, coverage_window, track_tables
from tracklens.dashboard.views import MAX_TIMELINE_FRAMES, TIMELINE_FRAMES, alpha_index, explain_track
from tracklens.dashboard.text import plain

PANEL_PX = 520  # a taller chart scrolls inside a panel of this height

ws = st.session_state["workspace"]
view = st.session_state["view"]
seq_name, tracker = st.session_state["seq"], st.session_state["tracker"]
alpha = st.session_state["alpha"]
a_idx = alpha_index(alpha)
analysis = ws.analysis(tracker, seq_name)

st.title(f"Tracks · {plain(seq_name)} · {plain(tracker)}" + (f" · class {plain(ws.class_name)}" if ws.classes else ""))
st.caption(f"At α = {alpha:.2f}, HOTA's matching: one row per track, one bar per run of frames matched to the same "
           "id (its number written in the bar) or unmatched; diamonds are CLEAR identity events. A track's cost, "
           "*lost*, is 1 frame per unmatched box plus 1 − A per matched box (A = its pair's association score). "
           "Click a bar to open it in the frame inspector.")

selected = st.session_state.get("track")
n = analysis.num_frames
if n <= TIMELINE_FRAMES:
    first, last = 1, n
else:  # a long sequence: the timelines read and draw one window of frames, never the whole sequence
    lo = max(1, min(int(st.session_state.get("frame", 1)) - TIMELINE_FRAMES // 2, n - TIMELINE_FRAMES + 1))
    first, last = st.slider("Frames shown in the timelines", 1, n, value=(lo, lo + TIMELINE_FRAMES - 1),
                            key=f"timeline_window_{lo}",
                            help=f"{n:,} frames are too many to draw at once; the window follows the inspector's frame.")
    if last - first + 1 > MAX_TIMELINE_FRAMES:
        last = first + MAX_TIMELINE_FRAMES - 1
        st.caption(f"Showing frames {first:,}–{last:,} (at most {MAX_TIMELINE_FRAMES:,} at once).")

gt_all, tr_all = track_tables(view, tracker, seq_name, a_idx)  # shared by every session: never modified
filters = st.columns([2, 1.8, 1.3])
state.choice("track_sort", ORDERS)
order = filters[0].selectbox("Order by", ORDERS, key="track_sort", format_func=lambda o: f"order: {o}",
                             label_visibility="collapsed", help=ORDER_HELP)
errors_only = filters[1].toggle("Only tracks with errors", value=True, key="tracks_errors_only",
                                help="hide tracks that lose nothing at α (" + COST_HELP + ")")
limit = filters[2].selectbox("Rows", ROW_LIMITS, index=1, key="tracks_limit", format_func=lambda k: f"worst {k:,}",
                             label_visibility="collapsed")


def coverage(side: str, table, id_column: str, key: str, row: int | None):
    """The side's chart of the rows picked from ``table`` (ordered), in a scrolling panel when tall; a click
    opens the inspector on that frame and ground-truth track."""
    segments, _ = coverage_window(view, tracker, seq_name, a_idx, first, last, side)
    present = np.unique(segments["id"].to_numpy()) if (first, last) != (1, n) else None
    rows = pick_rows(table, id_column, errors_only, limit, present)
    total = len(table) if present is None else len(present)
    st.caption(f"{len(rows):,} of {total:,} {'ground-truth tracks' if side == 'gt' else 'tracker ids'}"
               + (" in these frames" if present is not None else "")
               + (", only those with errors" if errors_only else "") + f", by {order}."
               + (" Bars are labelled with the ground-truth person they cover: a row with several numbers is an "
                  "id that moves between people (a merge)." if side == "tr" else ""))
    if rows.empty:
        st.info("No track to draw with these filters.")
        return rows
    ids = tuple(int(i) for i in rows[id_column])
    fig = with_selection(coverage_spec(view, tracker, seq_name, a_idx, first, last, side, ids), ids,
                         st.session_state.get("frame"), row)
    panel = st.container(height=PANEL_PX) if chart_height(len(ids)) > PANEL_PX else st.container()
    picked = panel.plotly_chart(fig, on_select="rerun", selection_mode="points", key=key, width="stretch")
    point = timeline_point(picked)
    if point is not None:
        st.session_state["frame"] = point[0]
        if point[1] >= 0:
            st.session_state["track"] = point[1]
        st.switch_page("app_pages/inspector.py")
    return rows


progress = {c: st.column_config.ProgressColumn(c, format="%.2f", min_value=0, max_value=1)
            for c in ("AssA", "AssRe", "AssPr")}
cost_column = {COST: st.column_config.NumberColumn(COST, format="%.1f", help=COST_HELP)}
table = ordered(gt_all, "gt_id", order, GT_ORDERS)
tr_table = ordered(tr_all, "tr_id", order, TR_ORDERS)
# Only the open tab runs and is sent (a tab switch reruns): the browser draws one chart, not two.
TIMELINE_TABS = ["By ground-truth track", "By tracker id"]
state.choice("tracks_tab", TIMELINE_TABS)
gt_view, tr_view = st.tabs(TIMELINE_TABS, key="tracks_tab", on_change="rerun")
if gt_view.open:
    with gt_view:
        shown = coverage("gt", table, "gt_id", "timeline", selected)
        listed = shown.assign(tracker_ids=shown["tracker_ids"].map(lambda ids: ", ".join(map(str, ids))))
        chosen = st.dataframe(listed, hide_index=True, on_select="rerun", selection_mode="single-row", key="gt_table",
                              height=320, width="stretch", column_config=progress | cost_column)
        if chosen and chosen.selection.rows:
            row = listed.iloc[chosen.selection.rows[0]]
            if int(row["gt_id"]) != selected:
                st.session_state["track"] = int(row["gt_id"])
                st.session_state["frame"] = int(row["first_frame"])
                st.rerun()
if tr_view.open:
    with tr_view:
        tr_shown = coverage("tr", tr_table, "tr_id", "timeline_tr", None)
        st.dataframe(tr_shown.assign(gt_ids=tr_shown["gt_ids"].map(lambda ids: ", ".join(map(str, ids)))),
                     hide_index=True, height=320, width="stretch", column_config=progress | cost_column)

# --- Export: the tables of this page as CSV (core/export.py) ---------------------------------------------------
from tracklens.export import table_bytes  # noqa: E402

stem = f"{seq_name}_{tracker}_a{alpha:.2f}"
downloads = st.columns(3)
downloads[0].download_button("Ground-truth tracks (CSV)", data=lambda t=table: table_bytes(t, "csv"),
                             file_name=f"{stem}_gt_tracks.csv", mime="text/csv", icon=":material/download:",
                             on_click="ignore", key="csv_gt_tracks")
downloads[1].download_button("Tracker tracks (CSV)", data=lambda t=tr_table: table_bytes(t, "csv"),
                             file_name=f"{stem}_tracker_tracks.csv", mime="text/csv", icon=":material/download:",
                             on_click="ignore", key="csv_tr_tracks")
downloads[2].download_button("Id pairs: TPA, FNA, FPA, A (CSV)",
                             data=lambda: table_bytes(pair_table(analysis.pairs, a_idx), "csv"),
                             file_name=f"{stem}_pairs.csv", mime="text/csv", icon=":material/download:",
                             on_click="ignore", key="csv_pairs")

if selected is not None:
    st.subheader(f"Why ground-truth track {selected} scores what it scores")
    pairs = pair_table(analysis.pairs, a_idx)
    for line in explain_track(pairs, selected):
        st.markdown(f"- {line}")
    st.caption("A = TPA / (TPA + FNA + FPA): TPA = frames matched together, FNA = frames of this person "
               "without that id, FPA = boxes of that id not on this person (HOTA paper, Eq. 20).")
    st.dataframe(pairs[(pairs["gt_id"] == selected)], hide_index=True, width="stretch")
    st.page_link("app_pages/inspector.py", label="Open it in the frame inspector →")
