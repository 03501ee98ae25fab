"""Overview: every tracker on every sequence, scores against α, and the trade-off scatters."""
from __future__ import annotations

import streamlit as st

from tracklens.evaluate import COMBINED
from tracklens.protocols import described
from tracklens.dashboard import state
from tracklens.dashboard.figures import TRADEOFF_PLOTS, from_spec
from tracklens.dashboard.input_check import show_banner
from tracklens.dashboard.loading import overview_specs
from tracklens.dashboard.text import plain
from tracklens.dashboard.overview_costs import costs_section, follow_link
from tracklens.dashboard.overview_story import PAPER_COLUMNS, SHORT_NAMES, paper_first
from tracklens.dashboard.views import RATE_COLUMNS, class_table, sequence_table, summary_table

ws = st.session_state["workspace"]
view = st.session_state["view"]
alpha = st.session_state["alpha"]
follow_link()  # a link of the costs section was clicked

st.title("Overview" + (f" · class {plain(ws.class_name)}" if ws.classes else ""))
show_banner(ws.inputs)  # tracklens check's findings on these inputs, and the --fix the run was made with
SCOPES = ["All sequences (combined)", "Selected sequence"]
state.choice("overview_scope", SCOPES)
scope = st.radio("Scope", SCOPES, horizontal=True, label_visibility="collapsed", key="overview_scope")
seq = COMBINED if scope.startswith("All") else st.session_state["seq"]
st.caption("Scores are percentages, means over the 19 α (as TrackEval reports them); counts are CLEAR/Identity "
           f"at IoU {ws.inputs.threshold:g}. "
           f"{'All sequences combined as TrackEval combines them.' if seq == COMBINED else seq}"
           + (f" Scored under protocol {plain(described(ws.inputs.protocol))}." if ws.inputs.protocol else ""))

rate_config = {c: st.column_config.ProgressColumn(c, format="%.1f", min_value=0, max_value=100) for c in RATE_COLUMNS}
summary = summary_table(ws.metrics, seq)
shown = summary.copy()
for c in RATE_COLUMNS:
    if c in shown:
        shown[c] = 100 * shown[c]
st.dataframe(paper_first(shown.sort_values("HOTA", ascending=False)), hide_index=True, width="stretch",
             column_config=rate_config | {"tracker": st.column_config.TextColumn("tracker", pinned=True)}
             | {c: st.column_config.ProgressColumn(c, format="%.1f", min_value=0, max_value=100, width=80)
                for c in PAPER_COLUMNS if c in RATE_COLUMNS}
             | {c: st.column_config.NumberColumn(SHORT_NAMES.get(c, c), width=60) for c in PAPER_COLUMNS
                if c not in RATE_COLUMNS})
costs_section(ws, view, alpha)

if ws.classes:
    with st.expander(f"Every class ({len(ws.classes)}) and the class combinations", expanded=True):
        st.caption("Each class combined over all sequences, then the classes combined as TrackEval does "
                   "(class-averaged: plain means; detection-averaged: pooled like sequences).")
        by_class = class_table(ws.class_metrics, ws.combined)
        for c in RATE_COLUMNS:
            if c in by_class:
                by_class[c] = 100 * by_class[c]
        st.dataframe(by_class, hide_index=True, column_config=rate_config, width="stretch")

st.subheader("Scores against α")
charts = overview_specs(view, seq, alpha)  # built once per (run, scope, α), shared by every session
st.plotly_chart(from_spec(charts["alpha"]), width="stretch")

st.subheader("Where the trackers trade one error for another")
cols = st.columns(2)
for k in range(len(TRADEOFF_PLOTS)):
    with cols[k % 2]:
        st.plotly_chart(from_spec(charts[f"tradeoff-{k}"]), width="stretch", key=f"tradeoff-{k}")

if len(ws.sequences) > 1:
    st.subheader("Sequences by difficulty")
    st.plotly_chart(from_spec(charts["difficulty"]), width="stretch")
    with st.expander("Per-sequence table"):
        table = sequence_table(ws.metrics)
        for c in RATE_COLUMNS:
            if c in table:
                table[c] = 100 * table[c]
        st.dataframe(table, hide_index=True, column_config=rate_config, width="stretch")

# --- Share: one self-contained HTML report of the run (dashboard/report.py), built on click ---------------
from tracklens.dashboard.report import build_report  # noqa: E402

st.subheader("Share")
st.caption(f"One HTML file with the summary, the α curves, DetA × AssA, the worst tracks (thumbnails at α = {alpha:.2f}), "
           "the what-if gains and how the numbers were made. It opens offline in any browser; the same file as "
           "`tracklens report RUN_DIR`.")
share = st.columns([1.2, 3])
with_whatif = share[1].toggle("Include the what-if gains", value=True, key="report_whatif",
                              help="Re-evaluates every tracker x sequence once per kind of fix: seconds on the sample, "
                                   "about a minute on MOT17-train.")
share[0].download_button("Download the HTML report", data=lambda: build_report(ws, alpha=alpha, whatif=with_whatif),
                         file_name="tracklens_report.html", mime="text/html", icon=":material/download:",
                         on_click="ignore", key="report_download")
