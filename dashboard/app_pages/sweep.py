"""Score sweep: every tracker evaluated with its low-confidence boxes removed, at each cutoff;
HOTA, DetA, AssA, MOTA and IDF1 against the cutoff, the best cutoff of each, and the HOTA area."""
from __future__ import annotations

import streamlit as st

from tracklens.dashboard.decide import carried_sweep, computed_sweep
from tracklens.dashboard.sweep_figures import best_cutoff_table, flat_trackers, sweep_curves
from tracklens.dashboard.text import plain
from tracklens.errors import InputError
from tracklens.run import reevaluation_refused
from tracklens.sweep import DEFAULT_CUTOFFS, parse_cutoffs

ws = st.session_state["workspace"]
st.title("Score sweep")
st.caption("At each cutoff t, tracker boxes with confidence (column 7) below t are removed before matching, "
           "so each point equals evaluating the filtered files (TrackEval's numbers, combined over all sequences). "
           "The HOTA area is the mean height of the HOTA curve over the cutoffs (trapezoid rule; docs/sweep.md). "
           "The best cutoff is the best on these data: choosing it here tunes on what you report.")
if ws.inputs.format != "mot" or ws.classes:
    st.info("The score sweep evaluates MOTChallenge files without classes; this run is not one.")
    st.stop()
if refused := reevaluation_refused(ws.inputs):  # scored under rules the sweep would not reproduce
    st.info(plain(refused))
    st.stop()
doc = carried_sweep(ws)
if doc is not None:
    st.caption("This saved run carries its sweep (tracklens eval --score-thresholds … --save).")
else:
    spec = st.text_input("Cutoffs", DEFAULT_CUTOFFS, help="start:stop:step (stop included) or a list 0.3,0.5,0.7")
    try:
        cutoffs = parse_cutoffs(spec)
    except InputError as exc:
        st.error(plain(str(exc)))
        st.stop()
    if st.session_state.get("sweep_cutoffs") != cutoffs:
        if not st.button(f"Run the sweep ({len(cutoffs)} cutoffs)", type="primary"):
            st.caption("Each cutoff evaluates every tracker again on the boxes it keeps (the files are parsed and "
                       "the overlaps computed once).")
            st.stop()
        st.session_state["sweep_cutoffs"] = cutoffs
        st.rerun()  # drawn again without the button
    try:
        doc = computed_sweep(ws.inputs, cutoffs, tuple(ws.trackers))
    except InputError as exc:
        st.warning(f"The sweep needs the original input files: {plain(str(exc))}")
        st.stop()

st.plotly_chart(sweep_curves(doc), width="stretch")
st.subheader("Best cutoff per metric")
best = best_cutoff_table(doc)
st.dataframe(best, hide_index=True, width="stretch",
             column_config={"tracker": st.column_config.TextColumn(),
                            **{c: st.column_config.NumberColumn(format="%.2f") for c in best if c != "tracker"}})
flat = flat_trackers(doc)
if flat:
    st.caption("Flat curves (every cutoff keeps the same boxes, e.g. every score 1, or every score below the first "
               "cutoff): " + plain(", ".join(flat)))
