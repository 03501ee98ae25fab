"""Metrics compared: every tracker scored by every metric on one sequence, what each metric ignores,
and where the metrics disagree on which tracker is better."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from tracklens.dashboard.figures import alpha_curves
from tracklens.dashboard.loading import compared_classes, compared_curve, compared_rows, confirm_long_run
from tracklens.dashboard.views import (METRIC_NAMES, NEEDS_CLASSES, metrics_view, ranking_disagreements, ranking_table,
                                       run_kind, tracking_rows)
from tracklens.dashboard.metric_contrast import ca_hota_vs_teta
from tracklens.dashboard.metrics_names import named_disagreements, per_class_percent
from tracklens.dashboard.text import plain
from tracklens.run import reevaluation_refused

ws = st.session_state["workspace"]
seq_name = st.session_state["seq"]
st.title(f"Metrics compared · {plain(seq_name)}")
st.caption("Tracking metrics (HOTA family, MOTA, IDF1) and the video-detection metrics the field also "
           "reports (frame/sequence/dataset mAP, speed-stratified mAP, Average Delay, Track-mAP), on the "
           "same tracker outputs. Detection metrics use column 7 as the score (trackers that write -1 there "
           "tie every box). See docs/detection_metrics.md and docs/hota_variants.md.")
with st.expander("CA-HOTA and TETA: where the two classification-aware scores differ"):
    st.table(ca_hota_vs_teta())
if ws.inputs.format != "mot" or ws.classes:
    st.info("These metrics read MOTChallenge files without classes; this run is "
            + run_kind(ws.inputs.format, ws.classes)
            + ". Its metrics per class and the class combinations are on the Overview page.")
    st.stop()
if refused := reevaluation_refused(ws.inputs):  # scored under rules the re-evaluation would not reproduce
    st.info(plain(refused))
    st.stop()
if ws.compared is None and not confirm_long_run(ws, seq_name, list(ws.trackers), "every metric", f"metrics_go_{seq_name}"):
    st.stop()
try:
    table = pd.concat([tracking_rows(ws.metrics, seq_name),
                       compared_rows(ws, seq_name)], ignore_index=True)
except Exception as exc:  # a saved run whose input files moved, or a format the metrics cannot read
    st.warning(f"These metrics need the original input files: {plain(exc)}")
    st.stop()

st.subheader("Every metric, every tracker")
st.caption("Scores in percent. HOTA with TrackEval's matching and HOTA with the paper's per-α matching are "
           "different numbers. CA-HOTA needs class probabilities (column 8 a class, column 7 its probability): "
           "without them it is not computed.")
st.dataframe(metrics_view(table, list(ws.trackers)), width="stretch",
             column_config={t: st.column_config.TextColumn(width="medium") for t in ws.trackers})

if len(ws.trackers) > 1:
    st.subheader("Rankings under each metric")
    st.dataframe(ranking_table(table).rename(index=METRIC_NAMES), width="stretch")
    disagreements = named_disagreements(ranking_disagreements(table))
    if disagreements.empty:
        st.success("Every metric that applies ranks the trackers the same way on this sequence.")
    else:
        st.markdown(f"**{len(disagreements)} pairs of metrics disagree** on which tracker is better:")
        st.dataframe(disagreements, hide_index=True, width="stretch")

st.subheader("Classification-aware HOTA against α")
st.caption("CA-HOTA weights every match by the probability the tracker gave to the right class (C(c) = the "
           "confidence when the class is right, else 0; 1 when the file gives no confidence). Class-agnostic "
           "matching over every ground-truth class, without MOTChallenge preprocessing (docs/classes.md).")
with_classes = [t for t in ws.trackers
                if table.loc[(table["tracker"] == t) & (table["metric"] == "CA-HOTA"), "value"].notna().all()]
if with_classes:
    curves = pd.concat([compared_curve(ws, seq_name, t) for t in with_classes], ignore_index=True)
    curves["alpha"] = curves["alpha"].astype(float)
    curves = curves.rename(columns={"HOTA": "HOTA (paper matching)"})
    st.plotly_chart(alpha_curves(curves, fields=("HOTA (paper matching)", "CA-HOTA", "ClaA"),
                                 alpha=st.session_state["alpha"]), width="stretch")
missing = [t for t in ws.trackers if t not in with_classes]
if missing:
    st.text(f"CA-HOTA {NEEDS_CLASSES}; not shown for: " + ", ".join(missing))

st.subheader("Per class")
classes = compared_classes(ws)
if classes is None:
    st.caption("The ground truth has a single class (after the consider flag): nothing to break down. With "
               "several classes in column 8, each is evaluated on its own and combined both ways TrackEval does "
               "(class-averaged and detection-averaged), as `tracklens eval --classes all`.")
else:
    st.caption("Each class evaluated on its own over all sequences (no MOTChallenge preprocessing), then combined "
               "over classes both ways TrackEval does. Scores in percent.")
    st.dataframe(per_class_percent(classes), hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.2f") for c in ("HOTA", "DetA", "AssA",
                                                                                           "MOTA", "IDF1")})
