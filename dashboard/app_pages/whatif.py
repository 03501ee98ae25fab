"""What-if: how much HOTA each kind of error costs, measured by fixing it with an oracle and
re-evaluating the edited tracker output."""
from __future__ import annotations

import streamlit as st

from tracklens.dashboard.figures import whatif_waterfall
from tracklens.dashboard.loading import confirm_long_run, what_if_table
from tracklens.dashboard.views import FIX_LABELS, overlap_sentence, run_kind, whatif_view
from tracklens.dashboard.text import plain

ws = st.session_state["workspace"]
seq_name, tracker = st.session_state["seq"], st.session_state["tracker"]
st.title(f"What-if · {plain(seq_name)} · {plain(tracker)}")
st.caption("Each row edits the tracker output to remove one kind of error (an oracle fix), then evaluates it "
           "again with the same pipeline. Gains overlap, so they do not add up exactly; "
           "see docs/whatif.md for the exact definitions.")
if ws.inputs.format != "mot" or ws.classes:
    st.info("The what-if fixes are defined for the MOTChallenge single-class evaluation (its preprocessing and "
            "matching); this run is " + run_kind(ws.inputs.format, ws.classes) + ".")
    st.stop()
if not confirm_long_run(ws, seq_name, [tracker], "the what-if analysis", f"whatif_go_{tracker}_{seq_name}"):
    st.stop()
try:
    table = what_if_table(ws.inputs, tracker, seq_name)
except Exception as exc:  # the inputs of a saved run may have moved
    st.warning(f"The what-if analysis needs the original files: {plain(exc)}")
    st.stop()
base = float(table.loc[table["fix"] == "baseline", "HOTA"].iloc[0])
steps = table[~table["fix"].isin(["baseline", "fix_all"])]
all_fixed = table.loc[table["fix"] == "fix_all", "HOTA"]
labelled = steps.assign(fix=steps["fix"].map(lambda f: FIX_LABELS.get(f, f)))
st.plotly_chart(whatif_waterfall(labelled[["fix", "delta_HOTA"]], base,
                                 float(all_fixed.iloc[0]) if len(all_fixed) else None), width="stretch")
if len(all_fixed):
    st.caption(overlap_sentence(base, float(steps["delta_HOTA"].sum()), float(all_fixed.iloc[0])))
st.dataframe(whatif_view(table), hide_index=True, width="stretch",
             column_config={"Δ HOTA (points)": st.column_config.NumberColumn(format="%+.2f"),
                            **{c: st.column_config.NumberColumn(format="%.2f") for c in ("HOTA", "DetA", "AssA", "LocA")}})
