"""Compare two trackers: metric deltas per sequence, the same frame side by side, and the tracks
where they differ most."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from tracklens.analysis.tracks import gt_track_table
from tracklens.dashboard import state
from tracklens.dashboard.compare_diff import render_run_diff
from tracklens.dashboard.crop_views import compare_jpegs
from tracklens.dashboard.decide import compare_bootstrap
from tracklens.dashboard.views import (alpha_index, better_sign, compare_deltas, delta_style, disagreement_frames,
                                       neighbour, track_disagreement_frames)
from tracklens.dashboard.text import plain

COMPARE_VIEWS = {"whole": "whole frames", "tight": "cropped: close", "medium": "cropped: medium",
                 "wide": "cropped: wide"}

ws = st.session_state["workspace"]
st.title("Compare two trackers" + (f" · class {plain(ws.class_name)}" if ws.classes else ""))
if len(ws.trackers) < 2:
    st.info("Only one tracker is loaded: give a trackers folder with two or more trackers to compare.")
    st.stop()
seq_name, alpha = st.session_state["seq"], st.session_state["alpha"]
a_idx = alpha_index(alpha)
left_col, right_col = st.columns(2)
first = st.session_state["tracker"]
left_col.markdown(f"**A: {plain(first)}** (the sidebar's tracker)")
others = [t for t in ws.trackers if t != first]
current = st.session_state.get("tracker2")
second = right_col.selectbox("Tracker B", others, index=others.index(current) if current in others else 0)
st.session_state["tracker2"] = second

deltas = compare_deltas(ws.metrics, first, second)
st.subheader("B − A per sequence and combined")
st.caption(f"B = {plain(second)}, A = {plain(first)}. Scores in percentage points, IDSW / FP / FN as counts. "
           "Blue: B is better, orange: B is worse (for IDSW, FP and FN lower is better).")
st.dataframe(deltas.style.apply(delta_style).format("{:+.2f}", subset=[c for c in deltas if better_sign(c) > 0])
             .format("{:+.0f}", subset=[c for c in deltas if better_sign(c) < 0]), width="stretch")
compare_bootstrap(ws, first, second)

meta = ws.sequence(seq_name)
k = min(max(1, int(st.session_state.get("frame", 1))), meta.num_frames)
st.subheader(f"{plain(seq_name)}, frame {k}")
differ = disagreement_frames(ws.analysis(first, seq_name), ws.analysis(second, seq_name), a_idx)


def _go_to(frame: int | None) -> None:
    if frame is not None:
        st.session_state["frame"] = frame


step = st.columns([1.3, 1.3, 4])
before, after = neighbour(differ, k, False), neighbour(differ, k, True)
step[0].button("◀ A≠B", help="previous frame where A and B disagree at α", disabled=before is None,
               on_click=_go_to, args=(before,))
step[1].button("A≠B ▶", help="next frame where A and B disagree at α", disabled=after is None,
               on_click=_go_to, args=(after,))
step[2].caption(f"{differ.size} frames where A and B disagree at α = {alpha:.2f} (a ground-truth box matched by "
                "one and missed by the other, or different FP or identity-switch counts)")
st.session_state["frame"] = st.slider("Frame", 1, max(meta.num_frames, 2), value=k)
track = st.session_state.get("track")
shown = st.columns([2, 3])
state.choice("compare_view", list(COMPARE_VIEWS))
if st.session_state.pop("_crop_compare", False):
    st.session_state["compare_view"] = "medium"
context = shown[0].selectbox("Frames", list(COMPARE_VIEWS), format_func=COMPARE_VIEWS.get, key="compare_view",
                             help="crop both frames to the selected ground-truth track (click a row of the table below)")
shown[1].caption("Boxes coloured by the ground-truth person they are (HOTA at α), the same on both sides; "
                 "amber: false positive, crimson: missed." + (f" Selected: ground-truth track {track}." if track is not None
                                                            else " Click a row below to select a track."))
a_jpeg, b_jpeg, cropped = compare_jpegs(st.session_state["view"], (first, second), seq_name, a_idx,
                                        st.session_state["frame"], track, context)
views = st.columns(2)
for col, tracker, picture in zip(views, (first, second), (a_jpeg, b_jpeg)):
    col.image(picture, caption=f"{plain(tracker)}" + (f" · cropped to ground-truth track {track}" if cropped else ""),
              width="stretch")

st.subheader("Ground-truth tracks where they differ most (AssA at α)")
st.caption("Click a row: both frames go to the first frame where A and B disagree on that track, cropped to it.")
an_a, an_b = ws.analysis(first, seq_name), ws.analysis(second, seq_name)
ta = gt_track_table(an_a.gt_tracks, an_a.pairs, a_idx)
tb = gt_track_table(an_b.gt_tracks, an_b.pairs, a_idx)
diff = pd.merge(ta[["gt_id", "frames", "AssA", "matched", "switches"]],
                tb[["gt_id", "AssA", "matched", "switches"]], on="gt_id", suffixes=(f" {first}", f" {second}"))
diff["Δ AssA"] = diff[f"AssA {second}"] - diff[f"AssA {first}"]
diff = diff.reindex(diff["Δ AssA"].abs().sort_values(ascending=False).index).head(30).reset_index(drop=True)
picks = st.session_state.get("compare_picks", 0)
picked = st.dataframe(diff, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                      key=f"compare_tracks_{picks}")
if picked and picked.selection.rows:
    gt_id = int(diff.iloc[picked.selection.rows[0]]["gt_id"])
    st.session_state["compare_picks"] = picks + 1  # a fresh table: the pick is acted on once
    st.session_state["track"] = gt_id
    apart = track_disagreement_frames(an_a, an_b, a_idx, gt_id)
    st.session_state["frame"] = int(apart[0]) if apart.size else int(ta.set_index("gt_id").loc[gt_id, "first_frame"])
    if st.session_state.get("compare_view") in (None, "whole"):
        st.session_state["_crop_compare"] = True  # the selectbox is drawn already: set before it next run
    st.rerun()
if track is not None:
    st.page_link("app_pages/inspector.py", label=f"Open ground-truth track {track} in the frame inspector →")

render_run_diff(first, second, seq_name, alpha)
