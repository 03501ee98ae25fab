"""What-if: how much HOTA each kind of error costs, measured by fixing it with an oracle and
re-evaluating the edited tracker output, on one sequence or on every sequence combined."""
from __future__ import annotations

import streamlit as st

from tracklens.dashboard.figures import whatif_waterfall
from tracklens.dashboard.loading import confirm_long_run
from tracklens.dashboard.text import plain
from tracklens.dashboard.views import FIX_LABELS, overlap_sentence, run_kind, whatif_view
from tracklens.dashboard.whatif_data import every_combined_what_if, gains_by_tracker, run_is_small, sequence_what_if
from tracklens.run import reevaluation_refused

ALL = "all"
ws = st.session_state["workspace"]
seq_name, tracker = st.session_state["seq"], st.session_state["tracker"]
st.title(f"What-if · {plain(tracker)}")
st.caption("Each row edits the tracker output to remove one kind of error (an oracle fix), then evaluates it "
           "again with the same pipeline. Gains overlap, so they do not add up exactly; "
           "see docs/whatif.md for the exact definitions.")
if ws.inputs.format != "mot" or ws.classes:
    st.info("The what-if fixes are defined for the MOTChallenge single-class evaluation (its preprocessing and "
            "matching); this run is " + run_kind(ws.inputs.format, ws.classes) + ".")
    st.stop()
if refused := reevaluation_refused(ws.inputs):  # scored under rules the re-evaluation would not reproduce
    st.info(plain(refused))
    st.stop()
scope = st.radio("Scope", [ALL, "sequence"], horizontal=True, key="whatif_scope", label_visibility="collapsed",
                 format_func=lambda s: f"All {len(ws.sequences)} sequences (combined)" if s == ALL else
                 f"Selected sequence: {plain(seq_name)}")
tables = None
try:
    if scope == ALL:
        if not (run_is_small(ws) or st.session_state.get("whatif_all_allowed")):
            st.info(f"Combining over all {len(ws.sequences)} sequences evaluates every tracker x sequence again, once "
                    "per kind of fix: minutes on a benchmark such as MOT17-train. Done once, then shared.")
            st.button("Compute the what-if gains over all sequences", key="whatif_all_go", icon=":material/play_arrow:",
                      on_click=lambda: st.session_state.__setitem__("whatif_all_allowed", True))
            st.stop()
        tables = every_combined_what_if(ws)
        table = tables[tracker]
        st.caption(f"HOTA of all {len(ws.sequences)} sequences combined exactly as TrackEval combines sequences "
                   "(true positives, misses and false positives summed, association weighted by true positives), "
                   "each fix applied on every sequence: not a mean of the per-sequence gains.")
    else:
        if not confirm_long_run(ws, seq_name, [tracker], "the what-if analysis", f"whatif_go_{tracker}_{seq_name}"):
            st.stop()
        table = sequence_what_if(ws.inputs, tracker, seq_name).to_pandas()
except Exception as exc:  # noqa: BLE001 - the inputs of a saved run may have moved
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
if tables is not None and len(tables) > 1:
    st.subheader("Every tracker, all sequences combined")
    st.dataframe(gains_by_tracker(tables), width="stretch",
                 column_config={t: st.column_config.NumberColumn(format="%.2f") for t in tables})
    st.caption("Δ rows: the gain of each fix alone, in points of combined HOTA (negative: the fix lowers HOTA).")
