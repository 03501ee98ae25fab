"""Compare two trackers: metric deltas per sequence, the same frame side by side, and the tracks
where they differ most."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from tracklens.analysis.tracks import gt_track_table
from tracklens.dashboard.loading import frame_source
from tracklens.dashboard.overlay import annotate
from tracklens.dashboard.views import alpha_index, overlay_boxes, sequence_table
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

per_seq = sequence_table(ws.metrics)
a = per_seq[per_seq.tracker == first].set_index("sequence")
b = per_seq[per_seq.tracker == second].set_index("sequence")
cols = [c for c in ("HOTA", "DetA", "AssA", "LocA", "MOTA", "IDF1") if c in a]
delta = (100 * (b[cols] - a[cols])).add_prefix("Δ ")
delta["Δ IDSW"] = b["IDSW"] - a["IDSW"]
st.subheader(f"B − A per sequence (percentage points; positive = {plain(second)} better)")
st.dataframe(delta.style.format("{:+.2f}", subset=[f"Δ {c}" for c in cols]), width="stretch")

st.subheader(f"{plain(seq_name)}, frame {st.session_state['frame']}")
meta = ws.sequence(seq_name)
k = min(max(1, int(st.session_state.get("frame", 1))), meta.num_frames)
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
