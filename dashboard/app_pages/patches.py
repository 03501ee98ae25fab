"""Error patches: every FN, FP and identity switch as a crop, filterable, a page at a time; "Open" shows
the frame in the inspector. Above the grid, the causes of each tracker's identity errors."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from tracklens.analysis.causes import CAUSES, KINDS
from tracklens.analysis.conditions import CONDITIONS
from tracklens.breakdowns import matching_names
from tracklens.dashboard import state
from tracklens.dashboard.breakdown_loading import (gt_baseline, patch_jpeg, patch_mask, sequence_patches,
                                                   tracker_cause_counts)
from tracklens.dashboard.breakdown_views import cause_summary, filter_patches
from tracklens.dashboard.text import plain
from tracklens.dashboard.views import alpha_index, clear_threshold

PER_PAGE = 24
COLUMNS = 6

ws = st.session_state["workspace"]
view = st.session_state["view"]
tracker, alpha = st.session_state["tracker"], st.session_state["alpha"]
a_idx = alpha_index(alpha)
st.title(f"Error patches · {plain(tracker)}" + (f" · class {plain(ws.class_name)}" if ws.classes else ""))

matching = matching_names(a_idx, clear_threshold(ws.manifest))
with st.expander("Causes of identity errors, per tracker", expanded=True):
    st.caption(f"Switches and fragmentations: {matching['switch']}; FN bursts: {matching['fn_burst']}. Each "
               "event keeps every cause that applies (they overlap): the share (%) of its kind with it. "
               "Evidence is read from the 10 frames before the event (docs/breakdowns.md). The last row says how "
               "common the same evidence is at any ground-truth box: a cause matters where its share is well above it.")
    counts = {t: tracker_cause_counts(view, t, a_idx)[0] for t in ws.trackers}
    summary = cause_summary(counts, gt_baseline(view))
    summary["kind"] = summary["kind"].map(lambda k: KINDS.get(k, k))
    st.dataframe(summary, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.0f %%") for c in summary.columns[3:]})
    events = tracker_cause_counts(view, tracker, a_idx)[1]
    ex_cols = st.columns([2, 2, 3, 1])
    kind = ex_cols[0].selectbox("Example of", list(KINDS), format_func=KINDS.get, key="patch_ex_kind")
    cause = ex_cols[1].selectbox("with cause", list(CAUSES), format_func=CAUSES.get, key="patch_ex_cause")
    found = events[(events["kind"] == kind).to_numpy() & events[cause].to_numpy(bool)]
    if len(found):
        # options are shown as text (no Markdown): the names as they are
        labels = [f"{r.sequence} · frame {r.frame} · gt {r.gt_id}" for r in found.head(200).itertuples()]
        pick = ex_cols[2].selectbox(f"{len(found):,} examples ({plain(tracker)})", range(len(labels)),
                                    format_func=labels.__getitem__, key=f"patch_ex_{kind}_{cause}")
        if ex_cols[3].button("Open", key="patch_ex_open", icon=":material/movie:"):
            row = found.iloc[pick]
            state.open_frame(row["sequence"], tracker, int(row["frame"]), int(row["gt_id"]))
    else:
        ex_cols[2].caption("No example of this kind with this cause.")

seqs = [s.name for s in ws.sequences]
f1, f2, f3 = st.columns(3)
chosen_seqs = f1.multiselect("Sequences", seqs, default=[st.session_state["seq"]], key="patch_seqs")
states = f2.multiselect("State", ["FN", "FP", "switch"], default=["FN", "FP", "switch"], key="patch_states",
                        help=f"FN and FP at α = {alpha:.2f} (HOTA); switches from CLEAR.")
causes = f3.multiselect("Cause (switches)", list(CAUSES), format_func=CAUSES.get, key="patch_causes")
f4, f5 = st.columns(2)
sizes = f4.multiselect("Size (box height, px)", CONDITIONS["height"].labels, key="patch_sizes")
vis = f5.multiselect("Visibility (ground truth)", CONDITIONS["visibility"].bin_labels, key="patch_vis")

patches = pd.concat([sequence_patches(view, tracker, s, a_idx) for s in chosen_seqs], ignore_index=True) \
    if chosen_seqs else pd.DataFrame(columns=["sequence", "frame", "state", "id", "x", "y", "w", "h", "size",
                                              "visibility", "causes"])
shown = filter_patches(patches, states, causes, sizes, vis)
pages = max(1, math.ceil(len(shown) / PER_PAGE))
top = st.columns([3, 1])
top[0].caption(f"{len(shown):,} of {len(patches):,} patches (FN, FP and switches of the chosen sequences); "
               f"{PER_PAGE} a page. Crops from the footage where the run has it, a blank canvas otherwise.")
page = top[1].number_input("Page", 1, pages, 1, key="patch_page") if pages > 1 else 1
for start in range((page - 1) * PER_PAGE, min(page * PER_PAGE, len(shown)), COLUMNS):
    cols = st.columns(COLUMNS)
    for col, row in zip(cols, shown.iloc[start:start + COLUMNS].itertuples()):
        with col:
            st.image(patch_jpeg(view, row.sequence, int(row.frame), (row.x, row.y, row.w, row.h), row.state,
                                patch_mask(row)))
            st.caption(f"**{row.state}** · {plain(row.sequence)} · f {row.frame} · id {row.id}")
            if row.causes:
                st.caption(plain(row.causes))
            if st.button("Open", key=f"patch_open_{row.sequence}_{row.frame}_{row.state}_{row.id}",
                         icon=":material/movie:"):
                state.open_frame(row.sequence, tracker, int(row.frame), int(row.id) if row.state != "FP" else None)
