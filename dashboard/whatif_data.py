"""The what-if re-evaluations the pages show, each computed once per (run inputs, tracker, sequence) and shared by
every session: one sequence's table, and every sequence combined as TrackEval combines them."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from tracklens.run import RunInputs
from tracklens.workspace import Workspace

from .loading import LARGE_SEQUENCE_BOXES, mot_sequence, sequence_boxes


@st.cache_resource(show_spinner=False, max_entries=256)
def sequence_what_if(inputs: RunInputs, tracker: str, sequence: str):
    """``what_if_result`` of one sequence x tracker from the run's input files (never modified)."""
    from tracklens.analysis.whatif import what_if_result

    loaded = mot_sequence(inputs, sequence, [tracker], "What-if")
    return what_if_result(loaded.gt, loaded.trackers[tracker], sequence, benchmark=inputs.benchmark,
                          preprocess=inputs.preprocess)


def combined_what_if(inputs: RunInputs, tracker: str, sequences: Sequence[str],
                     step: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Every fix of ``tracker`` combined over ``sequences`` (``combine_what_if``); ``step(k)`` after each sequence."""
    from tracklens.analysis.whatif_combined import combine_what_if

    results = []
    for k, sequence in enumerate(sequences):
        results.append(sequence_what_if(inputs, tracker, sequence))
        if step is not None:
            step(k + 1)
    return combine_what_if(results)


def run_is_small(ws: Workspace) -> bool:
    """Whether every tracker x sequence re-evaluates quickly enough to start without asking (the sample does)."""
    return sum(sequence_boxes(ws, s.name, list(ws.trackers)) for s in ws.sequences) <= LARGE_SEQUENCE_BOXES // 10


def every_combined_what_if(ws: Workspace) -> dict[str, pd.DataFrame]:
    """``combined_what_if`` of every tracker over every sequence of ``ws``, with a progress bar."""
    names = [s.name for s in ws.sequences]
    total = len(names) * len(ws.trackers)
    bar = st.progress(0.0, text=f"Re-evaluating {total} tracker x sequence pairs with each kind of error fixed…")
    tables = {}
    for t, tracker in enumerate(ws.trackers):
        tables[tracker] = combined_what_if(ws.inputs, tracker, names,
                                           lambda k, t=t: bar.progress((t * len(names) + k) / total))
    bar.empty()
    return tables


def gains_by_tracker(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Fix x tracker in points of combined HOTA: the HOTA as evaluated, each fix's gain (signed), and the HOTA
    with everything fixed; rows in plain words (``views.FIX_LABELS``)."""
    from .views import FIX_LABELS

    out = {}
    for tracker, table in tables.items():
        rows = table.set_index("fix")
        out[tracker] = [100 * rows.loc[f, "HOTA"] if f in ("baseline", "fix_all") else 100 * rows.loc[f, "delta_HOTA"]
                        for f in rows.index]
    index = [FIX_LABELS.get(f, f) for f in next(iter(tables.values()))["fix"]]
    shown = pd.DataFrame(out, index=index)
    shown.index = [f"HOTA {i}" if i in (FIX_LABELS["baseline"], FIX_LABELS["fix_all"]) else f"Δ {i}" for i in index]
    return shown.rename_axis("points of combined HOTA")
