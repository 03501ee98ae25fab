"""The view state (sequence, tracker, frame, alpha, selected track, second tracker, and every view
choice of the pages: ``VIEW_PARAMS``) lives in ``st.session_state`` and is mirrored into the URL, so a
copied link reopens the same view."""
from __future__ import annotations

import re

import streamlit as st

from tracklens.workspace import Workspace

from .views import ALPHA_CHOICES

DEFAULT_ALPHA = 0.5


def _param(name: str):
    value = st.query_params.get(name)
    return value if value not in (None, "") else None


_INT = re.compile(r"-?[0-9]{1,12}")  # ASCII digits only ('²' is a digit to str.isdigit), at most 12 of them


def _int_param(name: str) -> int | None:
    """An integer query parameter, or None when it is absent or not a plain (short) integer."""
    value = _param(name)
    return int(value) if isinstance(value, str) and _INT.fullmatch(value) else None


def init(ws: Workspace) -> None:
    """On a session's first run, take the state from the URL (ignoring values that don't exist)."""
    if st.session_state.get("_state_ready"):
        return
    seqs = [s.name for s in ws.sequences]
    if ws.classes:
        cls = _param("cls")
        st.session_state["cls"] = cls if cls in ws.classes else ws.classes[0]
    seq = _param("seq")
    st.session_state["seq"] = seq if seq in seqs else seqs[0]
    tr = _param("tracker")
    st.session_state["tracker"] = tr if tr in ws.trackers else ws.trackers[0]
    tr2 = _param("tracker2")
    others = [t for t in ws.trackers if t != st.session_state["tracker"]]  # B is never A
    st.session_state["tracker2"] = tr2 if tr2 in others else (others[0] if others else None)
    try:
        alpha = float((_param("alpha") or "")[:32] or DEFAULT_ALPHA)
    except ValueError:
        alpha = DEFAULT_ALPHA
    if alpha != alpha:  # NaN
        alpha = DEFAULT_ALPHA
    st.session_state["alpha"] = min(ALPHA_CHOICES, key=lambda a: abs(a - alpha))
    frame = _int_param("frame")
    st.session_state["frame"] = max(1, frame) if frame is not None else 1
    st.session_state["track"] = _int_param("track")
    # the link's page choices, kept until their page first draws its widgets (``choice``)
    st.session_state["_url_choices"] = {key: _param(param) for param, key in VIEW_PARAMS.items()}
    st.session_state["_state_ready"] = True


SIDEBAR_KEYS = ("cls", "seq", "tracker", "alpha")  # session keys the sidebar's widgets own
OPEN_FRAME = "_open_frame"  # a page asked for a frame of another sequence / tracker (applied next run)


def open_frame(sequence: str, tracker: str, frame: int, track: int | None = None) -> None:
    """Show this frame in the inspector: the sidebar's sequence and tracker can only change before their
    widgets exist, so the request waits for the next run (``keep_widget_state``); then switch pages."""
    st.session_state[OPEN_FRAME] = (sequence, tracker, int(frame), track)
    st.switch_page("app_pages/inspector.py")

# URL parameter -> the session key of the page widget it mirrors (each page checks the value: ``choice``)
VIEW_PARAMS = {
    "show": "show_sides",  # inspector: which boxes are drawn
    "jump": "error_kind",  # inspector: what "next ▶" jumps to
    "view": "frame_view",  # inspector: whole frame, zoom & pan, or a crop
    "film": "filmstrip",  # inspector: the filmstrip is shown
    "scope": "overview_scope",  # overview: all sequences or the selected one
    "tab": "tracks_tab",  # tracks: by ground-truth track or by tracker id
    "sort": "track_sort",  # tracks: the order of the rows (chart and table)
    "compare": "compare_view",  # compare: whole frames or cropped to the selected track
}


def choice(key: str, options) -> None:
    """Before the widget owning ``key`` is drawn: the first time, take its value from the link the session
    was opened with, when that is one of ``options`` (a bool widget's are ``(True, False)``, "1"/"0" in the URL)."""
    value = st.session_state.get("_url_choices", {}).pop(key, None)  # the link's value is used once
    if key in st.session_state or not isinstance(value, str):
        return
    if True in options:
        value = {"1": True, "0": False}.get(value)
    if value in options:
        st.session_state[key] = value


def keep_widget_state() -> None:
    """Re-assign the sidebar widgets' keys on every run: Streamlit drops a widget's key when a page
    switch (``st.switch_page``) interrupts a run, which sent a click on the tracks timeline to the
    inspector with the default tracker and alpha. Assigning the key makes it the user's value.
    A pending ``open_frame`` request is applied here, before the widgets."""
    if OPEN_FRAME in st.session_state:
        seq, tracker, frame, track = st.session_state.pop(OPEN_FRAME)
        st.session_state.update(seq=seq, tracker=tracker, frame=frame, track=track)
    for key in SIDEBAR_KEYS + tuple(VIEW_PARAMS.values()):  # a page's choices outlive a visit to another page
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def sync_url() -> None:
    """Write the current state into the URL's query string, in one message sent on every run.

    Sent even when the server's copy already matches: a fragment run that a full rerun overtakes (Play
    stopped mid-tick) has its messages dropped by the browser, so the server's copy of the URL can be
    ahead of the browser's. The last run's message is the URL the page shows."""
    wanted = {k: st.session_state.get(k) for k in ("cls", "seq", "tracker", "tracker2", "alpha", "frame", "track")}
    if wanted["tracker2"] == wanted["tracker"]:
        wanted["tracker2"] = None
    for param, key in VIEW_PARAMS.items():
        value = st.session_state.get(key)
        wanted[param] = ("1" if value else "0") if isinstance(value, bool) else value
    for key in [key for key, value in wanted.items() if value is None and key in st.query_params]:
        del st.query_params[key]
    st.query_params.update({key: str(value) for key, value in wanted.items() if value is not None})
