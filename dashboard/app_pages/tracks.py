"""Tracks: who covered each ground-truth track over time, which tracks cost the most, and why a
track's association score is what it is."""
from __future__ import annotations

import streamlit as st

from tracklens.analysis.tracks import gt_track_table, pair_table, tracker_track_table
from tracklens.dashboard import state
from tracklens.dashboard.figures import timeline_point, with_selection
from tracklens.dashboard.loading import timeline_spec
from tracklens.dashboard.views import MAX_TIMELINE_FRAMES, TIMELINE_FRAMES, alpha_index, explain_track
from tracklens.dashboard.text import plain

ws = st.session_state["workspace"]
view = st.session_state["view"]
seq_name, tracker = st.session_state["seq"], st.session_state["tracker"]
alpha = st.session_state["alpha"]
a_idx = alpha_index(alpha)
analysis = ws.analysis(tracker, seq_name)

st.title(f"Tracks · {plain(seq_name)} · {plain(tracker)}" + (f" · class {plain(ws.class_name)}" if ws.classes else ""))
st.caption(f"At α = {alpha:.2f}. Coverage bars show which tracker id matched each ground-truth track (HOTA "
           "matching); markers are CLEAR identity switches. Click a bar to open that frame in the inspector.")

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
TIMELINE_TABS = ["By ground-truth track", "By tracker id"]
state.choice("timeline_tab", TIMELINE_TABS)
gt_view, tr_view = st.tabs(TIMELINE_TABS, key="timeline_tab", on_change="rerun")
with gt_view:
    spec, rows = timeline_spec(view, tracker, seq_name, a_idx, first, last, "gt")
    fig = with_selection(spec, rows, (st.session_state.get("frame"), selected))
    picked = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key="timeline", width="stretch")
    point = timeline_point(picked)
    if point is not None:
        st.session_state["frame"], st.session_state["track"] = point
        st.switch_page("app_pages/inspector.py")
with tr_view:
    st.caption("One row per tracker id, coloured by the ground-truth person it covers; light red = false "
               "positives. A row with several colours is an id that jumps between people (a merge).")
    spec, rows = timeline_spec(view, tracker, seq_name, a_idx, first, last, "tr")
    fig = with_selection(spec, rows, None)
    picked_tr = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key="timeline_tr", width="stretch")
    point = timeline_point(picked_tr)
    if point is not None:
        st.session_state["frame"] = point[0]
        st.switch_page("app_pages/inspector.py")

TABLE_TABS = ["Ground-truth tracks", "Tracker tracks"]
state.choice("tracks_table_tab", TABLE_TABS)
gt_tab, tr_tab = st.tabs(TABLE_TABS, key="tracks_table_tab", on_change="rerun")
with gt_tab:
    table = gt_track_table(analysis.gt_tracks, analysis.pairs, a_idx)
    SORTS = ["lowest AssA", "most switches", "most fragments", "fewest matched"]
    state.choice("track_sort", SORTS)
    order = st.radio("Sort by", SORTS, horizontal=True, key="track_sort")
    key = {"lowest AssA": ("AssA", True), "most switches": ("switches", False),
           "most fragments": ("fragments", False), "fewest matched": ("matched", True)}[order]
    table = table.sort_values(key[0], ascending=key[1], kind="stable").reset_index(drop=True)
    table["tracker_ids"] = table["tracker_ids"].map(lambda ids: ", ".join(map(str, ids)))
    chosen = st.dataframe(
        table, hide_index=True, on_select="rerun", selection_mode="single-row", key="gt_table", height=320,
        width="stretch",
        column_config={c: st.column_config.ProgressColumn(c, format="%.2f", min_value=0, max_value=1)
                       for c in ("AssA", "AssRe", "AssPr")})
    if chosen and chosen.selection.rows:
        row = table.iloc[chosen.selection.rows[0]]
        if int(row["gt_id"]) != selected:
            st.session_state["track"] = int(row["gt_id"])
            st.session_state["frame"] = int(row["first_frame"])
            st.rerun()
with tr_tab:
    tr_table = tracker_track_table(analysis.tr_tracks, analysis.pairs, a_idx)
    tr_table["gt_ids"] = tr_table["gt_ids"].map(lambda ids: ", ".join(map(str, ids)))
    st.dataframe(tr_table.sort_values(["merges", "fp_frames"], ascending=False), hide_index=True, height=320,
                 width="stretch",
                 column_config={c: st.column_config.ProgressColumn(c, format="%.2f", min_value=0, max_value=1)
                                for c in ("AssA", "AssPr")})

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
