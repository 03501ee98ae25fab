"""The score sweep and the bootstrap in the app: computed once and cached (never modified), or read
from a saved run that carries them; and the one-line bootstrap comparison of the Compare page."""
from __future__ import annotations

import streamlit as st

from tracklens.bootstrap import Bootstrap, bootstrap_run, saved_settings, sentence
from tracklens.errors import InputError
from tracklens.evaluate import COMBINED
from tracklens.run import RunInputs, RunOptions
from tracklens.track_bootstrap import track_bootstrap
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


@st.cache_data(show_spinner="Evaluating the sequences again to sum the matches per ground-truth track…",
               max_entries=8)
def computed_track_sums(inputs: RunInputs, trackers: tuple[str, ...]) -> dict[str, list]:
    """``track_sums`` of every sequence of ``trackers`` (in the layout's order), from the run's input files."""
    from tracklens.run import resolve_inputs
    from tracklens.track_bootstrap import layout_track_sums

    layout = resolve_inputs(inputs, list(trackers), saved=True)
    return layout_track_sums(layout, RunOptions.of(inputs, layout))


def tracks_resampled(ws) -> str | None:
    """Why the Compare page can't resample ground-truth tracks for this run, or None when it can."""
    if ws.root is None and ws.layout is None:
        return "this run has no input files to evaluate again."
    if ws.classes or ws.inputs.format != "mot":
        return "it is offered for MOTChallenge single-class runs."
    if ws.analyser is not None or ws.inputs.protocol:
        return "this run is scored under a protocol's own matching."
    return None


def track_sentences(ws, a: str, b: str, resamples: int, seed: int) -> list[str]:
    """The ground-truth-track bootstrap's comparison lines (AssA, DetRe, IDR), B against A."""
    sums = computed_track_sums(ws.inputs, (a, b))
    order = tuple(s.name for s in ws.sequences)
    boot = track_bootstrap(sums, order, resamples, seed, combined={t: ws.metrics[t][COMBINED] for t in (a, b)})
    return [sentence(boot.difference(a, b, f), boot.confidence) for f in ("AssA", "DetRe", "IDR")]


def compare_track_bootstrap(ws, a: str, b: str, resamples: int, seed: int) -> None:
    """On demand (it evaluates the sequences again): B against A with ground-truth tracks resampled."""
    why_not = tracks_resampled(ws)
    if why_not is not None:
        st.caption(f"Resampling ground-truth tracks: not here, {why_not}")
        return
    if not st.toggle("Also resample ground-truth tracks within the sequences (evaluates them again)",
                     key="compare_track_bootstrap"):
        return
    try:
        lines = track_sentences(ws, a, b, resamples, seed)
    except InputError as exc:
        st.warning(plain(str(exc)))
        return
    for line in lines:
        st.markdown(plain(line))
    st.caption(f"{resamples} resamples drawing, in every sequence, as many ground-truth tracks as it has (seed "
               f"{seed}), both trackers on the same draws and the matchings as evaluated; for the fields that split "
               "over ground-truth tracks (docs/uncertainty.md): which objects were annotated, not which videos.")


def compare_bootstrap(ws, a: str, b: str) -> None:
    """The Compare page's bootstrap lines (HOTA, MOTA, IDF1), B against A over the run's sequences, and
    on demand the same over ground-truth tracks."""
    resamples, seed = saved_settings(ws.manifest)
    view = st.session_state.get("view")
    st.subheader("Is the difference real? (paired bootstrap over sequences)")
    if len(ws.sequences) < 2:
        st.caption("One sequence: nothing to resample (the bootstrap draws whole sequences).")
        compare_track_bootstrap(ws, a, b, resamples, seed)
        return
    for field in ("HOTA", "MOTA", "IDF1"):
        st.markdown(plain(comparison_sentence(ws, view, a, b, field)))
    st.caption(f"{resamples} resamples of the {len(ws.sequences)} sequences with replacement (seed {seed}), both "
               "trackers on the same draws, each combined exactly as TrackEval combines sequences; percentile "
               "interval of the difference, in percentage points (docs/uncertainty.md)."
               + (" With so few sequences there are few distinct resamples: read the interval with care."
                  if len(ws.sequences) < 5 else ""))
    compare_track_bootstrap(ws, a, b, resamples, seed)
