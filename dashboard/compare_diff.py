"""The Compare page's run-diff section: on the sidebar's sequence, what changed from tracker A to B
(switches appeared or vanished, FNs / FPs fixed or introduced, tracks better or worse), each under its
named matching, with the frames of the changes to step to; then tracker A under two protocols
(``tracklens.protocols``) and the boxes and events that differ between them."""
from __future__ import annotations

import streamlit as st

from tracklens.dashboard.diff_views import change_frames, event_view, summary_view, track_view
from tracklens.dashboard.loading import View
from tracklens.dashboard.text import plain
from tracklens.errors import InputError
from tracklens.analysis.diff import diff_sequence
from tracklens.rundiff import RunDiff, alpha_index, diff_runs, gather

TOP_TRACKS = 8


@st.cache_resource(show_spinner="Comparing the two trackers box by box…", max_entries=16)
def sequence_diff(view: View, tracker_a: str, tracker_b: str, sequence: str, alpha_idx: int) -> RunDiff:
    """The diff of one sequence, shared by every session on this data (never modified)."""
    from tracklens.metrics.hota import ALPHAS

    ws = view.workspace()
    return diff_runs(ws, tracker_a, ws, tracker_b, float(ALPHAS[alpha_idx]), sequences=[sequence])


def _go_to(frame: int) -> None:
    st.session_state["frame"] = int(frame)


def _frame_picker(frames, label: str, key: str) -> None:
    """A changed frame to pick (with what changed there) and a button that shows it in the view above."""
    if not len(frames):
        return
    labels = {int(f): f"frame {int(f)}: {c}" for f, c in zip(frames["frame"], frames["changes"])}
    step = st.columns([4, 1])
    chosen = step[0].selectbox(label, list(labels), format_func=labels.get, key=f"{key}_frame",
                               label_visibility="collapsed")
    step[1].button("Show frame", on_click=_go_to, args=(chosen,), key=f"{key}_go",
                   help="show this frame in the side-by-side view above")


def render_run_diff(tracker_a: str, tracker_b: str, sequence: str, alpha: float) -> None:
    """The section (placed by the Compare page)."""
    d = sequence_diff(st.session_state["view"], tracker_a, tracker_b, sequence, alpha_index(alpha))
    st.subheader(f"Run diff on {plain(sequence)}: what changed from A to B")
    st.caption(f"A = {plain(tracker_a)}, B = {plain(tracker_b)}. Matchings: {d.matchings['CLEAR']} (FN, FP, IDSW, "
               f"Frag) and {d.matchings['HOTA']} (FN, FP). Each change B − A is exactly the listed boxes and events "
               "that were added minus those removed. Command line: tracklens diff RUN_A RUN_B.")
    st.table(summary_view(d, sequence), hide_index=True)  # six rows, read whole
    v = d.verdicts()
    cols = st.columns(4)
    for col, key in zip(cols, ("better", "worse", "mixed", "same")):
        col.metric(f"gt tracks {key}" if key != "same" else "gt tracks unchanged", v[key])
    frames = change_frames(d, sequence)
    st.markdown(f"**Frames with a change under {d.matchings['CLEAR']}**: {len(frames)}")
    _frame_picker(frames, "Change", "diff")
    events = event_view(d, sequence).drop(columns="sequence")
    st.markdown(f"**Identity switches and fragmentations that appeared or vanished** ({d.matchings['CLEAR']}): "
                f"{len(events)}")
    if len(events):
        st.dataframe(events, hide_index=True, width="stretch", height=min(35 * (len(events) + 1) + 3, 300))
    tracks = st.columns(2)
    for col, worse in zip(tracks, (True, False)):
        t = track_view(d, TOP_TRACKS, worse=worse).drop(columns="sequence")
        col.markdown(f"**Ground-truth tracks most {'worsened' if worse else 'improved'}** (Δ HOTA loss at "
                     f"{d.matchings['HOTA']}: Δ FN + Δ matched × (1 − AssA))")
        if len(t):
            col.dataframe(t, hide_index=True, width="stretch")
        else:
            col.caption("None.")
    render_protocols(tracker_a, sequence, alpha)


@st.cache_resource(show_spinner="Scoring the tracker under both protocols…", max_entries=16)
def protocol_diff(inputs, tracker: str, sequence: str, first: str, second: str, alpha_idx: int) -> RunDiff:
    """One sequence x tracker under two protocols, read again from the run's input files."""
    from tracklens.dashboard.loading import mot_sequence
    from tracklens.metrics.hota import ALPHAS
    from tracklens.protocols import analyse_under, protocol

    loaded = mot_sequence(inputs, sequence, [tracker], "Protocols side by side")
    gt, tr = loaded.gt, loaded.trackers[tracker]
    pa, pb = protocol(first), protocol(second)
    a, b = (analyse_under(p.name, sequence, gt, tr, tracker, inputs.benchmark) for p in (pa, pb))
    part = diff_sequence(a, b, alpha_idx, pa.threshold, pb.threshold)
    return gather([part], f"{tracker} under {first}", f"{tracker} under {second}", float(ALPHAS[alpha_idx]),
                  pa.threshold, pb.threshold)


def render_protocols(tracker: str, sequence: str, alpha: float) -> None:
    """Protocols side by side: the sidebar's tracker scored under two rule sets, and what differs."""
    from tracklens.protocols import PRESETS, PROTOCOLS, protocol

    ws = st.session_state["workspace"]
    st.subheader(f"Protocols side by side: {plain(tracker)} on {plain(sequence)}")
    if ws.inputs.format != "mot" or ws.classes:
        st.info("Protocols compare MOTChallenge single-class runs (this run is "
                f"{'per class' if ws.classes else ws.inputs.format.upper()}).")
        return
    names = [*PROTOCOLS, *PRESETS]
    cols = st.columns(2)
    first = cols[0].selectbox("Protocol A", names, index=names.index("trackeval"), key="protocol_a")
    second = cols[1].selectbox("Protocol B", names, index=names.index("motmetrics"), key="protocol_b")
    cols[0].caption(protocol(first).rule)
    cols[1].caption(protocol(second).rule)
    try:
        d = protocol_diff(ws.inputs, tracker, sequence, first, second, alpha_index(alpha))
    except InputError as exc:  # e.g. MOT20's classes asked of MOT15 files, or the input files are gone
        st.warning(f"Cannot score this run under both protocols: {plain(str(exc))}")
        return
    st.caption(f"Matchings: {d.matchings['CLEAR']} (FN, FP, IDSW, Frag) and {d.matchings['HOTA']} (FN, FP). "
               "Each change B − A is exactly the listed boxes and events added minus those removed. Command line: "
               f"tracklens diff TRACKER_FOLDER --gt-folder GT --protocols {first},{second}.")
    st.table(summary_view(d, sequence), hide_index=True)
    frames = change_frames(d, sequence)
    st.markdown(f"**Frames where the two protocols differ under {d.matchings['CLEAR']}**: {len(frames)}")
    _frame_picker(frames, "Protocol change", "protocol")
    events = event_view(d, sequence).drop(columns="sequence")
    if len(events):
        st.dataframe(events, hide_index=True, width="stretch", height=min(35 * (len(events) + 1) + 3, 300))
