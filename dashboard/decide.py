"""The score sweep and the bootstrap in the app: computed once and cached (never modified), or read
from a saved run that carries them; and the one-line bootstrap comparison of the Compare page."""
from __future__ import annotations

import streamlit as st

from tracklens.bootstrap import Bootstrap, bootstrap_run, saved_settings, sentence
from tracklens.evaluate import COMBINED
from tracklens.run import RunInputs
from tracklens.sweep import check_curves_document, curves_document, sweep

from .text import plain

def carried_sweep(ws) -> dict | None:
    """The sweep a saved run carries (``tracklens eval --score-thresholds ... --save``), checked."""
    doc = ws.manifest.get("score_sweep")
    if doc is None:
        return None
    return check_curves_document(doc, f"{ws.root or 'this run'}: manifest.json", list(ws.trackers))


@st.cache_data(show_spinner="Evaluating every tracker at every score cutoff (files parsed once)…", max_entries=8)
def computed_sweep(inputs: RunInputs, cutoffs: tuple[float, ...], trackers: tuple[str, ...]) -> dict:
    """The curves document of a sweep over the run's input files."""
    from tracklens.run import resolve_inputs

    layout = resolve_inputs(inputs, list(trackers), saved=True)
    return curves_document(sweep(layout, cutoffs, preprocess=inputs.preprocess, threshold=inputs.threshold))


@st.cache_resource(show_spinner=False, max_entries=16)
def run_bootstrap(_ws, view, trackers: tuple[str, ...], resamples: int, seed: int) -> Bootstrap:
    """The bootstrap of ``trackers`` over the run's sequences (keyed by the ``View``)."""
    metrics = {t: _ws.metrics[t] for t in trackers}
    order = tuple(s.name for s in _ws.sequences if s.name != COMBINED)
    return bootstrap_run(metrics, order, resamples, seed)


def comparison_sentence(ws, view, a: str, b: str, field: str = "HOTA") -> str:
    """"B is better than A on HOTA: +1.20 pt [+0.40, +2.00] (95 % interval), in 99 % of resamples." """
    resamples, seed = saved_settings(ws.manifest)
    boot = run_bootstrap(ws, view, (a, b), resamples, seed)
    return sentence(boot.difference(a, b, field), boot.confidence)


def compare_bootstrap(ws, a: str, b: str) -> None:
    """The Compare page's bootstrap lines (HOTA, MOTA, IDF1), B against A over the run's sequences."""
    resamples, seed = saved_settings(ws.manifest)
    view = st.session_state.get("view")
    st.subheader("Is the difference real? (paired bootstrap over sequences)")
    if len(ws.sequences) < 2:
        st.caption("One sequence: nothing to resample (the bootstrap draws whole sequences).")
        return
    for field in ("HOTA", "MOTA", "IDF1"):
        st.markdown(plain(comparison_sentence(ws, view, a, b, field)))
    st.caption(f"{resamples} resamples of the {len(ws.sequences)} sequences with replacement (seed {seed}), both "
               "trackers on the same draws, each combined exactly as TrackEval combines sequences; percentile "
               "interval of the difference, in percentage points (docs/uncertainty.md)."
               + (" With so few sequences there are few distinct resamples: read the interval with care."
                  if len(ws.sequences) < 5 else ""))
