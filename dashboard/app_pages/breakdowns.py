"""Breakdowns: HOTA, DetA, AssA, MOTA and IDF1 per bin of a condition, a chart per tracker; a click on a
bin lists the frames with boxes in it, and a row opens that frame in the inspector."""
from __future__ import annotations

import streamlit as st

from tracklens.analysis.breakdown import frames_in_bin, shown_conditions
from tracklens.analysis.conditions import CONDITIONS
from tracklens.dashboard import state
from tracklens.dashboard.breakdown_loading import binned_boxes, tracker_breakdown
from tracklens.dashboard.breakdown_views import breakdown_chart, picked_bin
from tracklens.dashboard.text import plain
from tracklens.dashboard.views import alpha_index

ws = st.session_state["workspace"]
view = st.session_state["view"]
alpha = st.session_state["alpha"]
st.title("Breakdowns by condition" + (f" · class {plain(ws.class_name)}" if ws.classes else ""))
shown = shown_conditions([tracker_breakdown(view, t) for t in ws.trackers])  # not those without values
if st.session_state.get("bd_condition") not in shown:
    st.session_state.pop("bd_condition", None)
name = st.radio("Condition", shown, format_func=lambda c: CONDITIONS[c].title, horizontal=True,
                key="bd_condition")
cond = CONDITIONS[name]
if cond.gt_only:
    how = ("Only ground truth has this condition, so false positives cannot be put in a bin: they are counted "
           "apart, and each bin shows the scores defined without them (DetRe, AssA, OWTA = √(DetRe·AssA), "
           "CLEAR recall, ID recall).")
else:
    how = ("A ground-truth box (a TP or an FN) counts in its own bin; a false positive in the bin of the "
           "tracker box's own value. The bins' counts add up to the totals.")
st.caption(f"{cond.title} ({cond.unit}), over every sequence of the run. {how} AssA of a bin is HOTA's "
           "association score of each TP averaged over the bin's TPs; HOTA/DetA/AssA are means over the 19 α, "
           "MOTA and IDF1 use the CLEAR/Identity matching. Bins are defined in docs/breakdowns.md. Click a bar "
           "to list the bin's frames.")

for tracker in ws.trackers:
    table = tracker_breakdown(view, tracker)
    fig = breakdown_chart(table, name, tracker)
    event = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key=f"bd_chart_{tracker}_{name}",
                            width="stretch")
    picked = picked_bin(event, name)
    if picked is not None:
        st.session_state["bd_pick"] = (tracker, name, picked)
    part = table[table["condition"] == name].drop(columns=["condition", "bin_index"])
    with st.expander(f"Counts and scores per bin · {plain(tracker)}"):
        st.dataframe(part, hide_index=True, width="stretch")

pick = st.session_state.get("bd_pick")
if pick and pick[1] == name and pick[0] in ws.trackers:
    tracker, _, b = pick
    label = (*cond.bin_labels, "")[b]
    seq_name = st.selectbox("Sequence", [s.name for s in ws.sequences],
                            index=[s.name for s in ws.sequences].index(st.session_state["seq"]), key="bd_seq")
    what = cond.title if cond.title[:2].isupper() else cond.title.lower()  # "KITTI occlusion" keeps its case
    st.subheader(f"Frames of {what} {label} · {plain(tracker)} · {plain(seq_name)}")
    frames = frames_in_bin(binned_boxes(view, tracker, seq_name), name, b, alpha_index(alpha))
    st.caption(f"{len(frames):,} frames have boxes in this bin; FN/FP at α = {alpha:.2f} (HOTA), switches "
               "from CLEAR. Most errors first; select a row to open the frame in the inspector.")
    chosen = st.dataframe(frames, hide_index=True, on_select="rerun", selection_mode="single-row",
                          key=f"bd_frames_{tracker}_{name}_{b}_{seq_name}", height=300, width="stretch")
    if chosen and chosen.selection.rows:
        state.open_frame(seq_name, tracker, int(frames.iloc[chosen.selection.rows[0]]["frame"]))
