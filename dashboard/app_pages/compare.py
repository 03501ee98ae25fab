"""Compare two trackers: metric deltas per sequence, the same frame side by side, and the tracks
where they differ most."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from tracklens.analysis.tracks import gt_track_table
from tracklens.dashboard.compare_diff import render_run_diff
from tracklens.dashboard.decide import compare_bootstrap
from tracklens.dashboard.loading import frame_source
from tracklens.dashboard.overlay import annotate
from tracklens.dashboard.views import (alpha_index, better_sign, compare_deltas, delta_style, disagreement_frames,
                                       neighbour, overlay_boxes)
from tracklens.dashboard.text import plain

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
source = frame_source(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames)
image = source.frame(st.session_state["frame"])
views = st.columns(2)
for col, tracker in zip(views, (first, second)):
    an = ws.analysis(tracker, seq_name)
    boxes = overlay_boxes(an.frame_boxes(st.session_state["frame"]), a_idx)
    col.image(annotate(image, boxes, alpha=alpha), caption=tracker, width="stretch")

st.subheader("Ground-truth tracks where they differ most (AssA at α)")
ta = gt_track_table(ws.analysis(first, seq_name).gt_tracks, ws.analysis(first, seq_name).pairs, a_idx)
tb = gt_track_table(ws.analysis(second, seq_name).gt_tracks, ws.analysis(second, seq_name).pairs, a_idx)
diff = pd.merge(ta[["gt_id", "frames", "AssA", "matched", "switches"]],
                tb[["gt_id", "AssA", "matched", "switches"]], on="gt_id", suffixes=(f" {first}", f" {second}"))
diff["Δ AssA"] = diff[f"AssA {second}"] - diff[f"AssA {first}"]
diff = diff.reindex(diff["Δ AssA"].abs().sort_values(ascending=False).index)
st.dataframe(diff.head(30), hide_index=True, width="stretch")

render_run_diff(first, second, seq_name, alpha)
