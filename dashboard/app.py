"""tracklens dashboard entrypoint: loads the workspace once, keeps the shared view state (sequence,
tracker, alpha) in the sidebar and the URL, and routes to the pages."""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from tracklens.errors import InputError
from tracklens.dashboard import state
from tracklens.dashboard.data_access import OPENED, data_roots, describe, open_data_form
from tracklens.dashboard.loading import View, cache_warning, load_workspace, parse_source
from tracklens.dashboard.views import ALPHA_CHOICES
from tracklens.dashboard.text import plain

PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="tracklens", page_icon=":material/troubleshoot:", layout="wide")

# `streamlit run app.py -- ARGS` sets argv to [app.py, ARGS]; anything else (AppTest, pytest) is not ours.
own_argv = sys.argv[1:] if Path(sys.argv[0]).name == Path(__file__).name else []
roots = data_roots(own_argv)  # what the "Open data" form may read
source = st.session_state.get(OPENED) or parse_source(own_argv)
try:
    ws = load_workspace(source)
except (InputError, OSError, ValueError) as exc:
    st.error(f"**Could not open the data.** {plain(describe(exc))}")  # folder names: text, never Markdown
    with st.sidebar:
        open_data_form(roots, source)
    st.stop()

if not st.session_state.get("_cache_said") and (problem := cache_warning()):
    st.toast(plain(problem), icon=":material/warning:")  # once per session: the app works without the cache
    st.session_state["_cache_said"] = True
state.init(ws)
state.keep_widget_state()

with st.sidebar:
    st.markdown("### :material/troubleshoot: tracklens")
    st.caption(plain(source.label))
    if ws.classes:  # a run evaluated per class is shown one class at a time
        st.selectbox("Class", ws.classes, key="cls", help="Each class is evaluated on its own; the Overview also "
                     "lists every class and the class combinations.")
        ws = ws.for_class(st.session_state["cls"])
    st.session_state["workspace"] = ws
    st.session_state["view"] = View(source, ws.class_name if ws.classes else None)  # keys the shared caches
    st.selectbox("Sequence", [s.name for s in ws.sequences], key="seq")
    st.selectbox("Tracker", ws.trackers, key="tracker")
    st.select_slider("α (localisation threshold)", options=ALPHA_CHOICES, key="alpha",
                     help="HOTA counts a match as a true positive when IoU ≥ α. The numbers in the "
                          "tables are means over the 19 α; frames and tracks are shown at this α.")
    if ws.manifest.get("notes"):
        with st.expander(f"Input notes ({len(ws.manifest['notes'])})"):
            for note in ws.manifest["notes"]:
                st.caption(plain(note))
    open_data_form(roots, source)

pages = [
    st.Page(str(PAGES / "overview.py"), title="Overview", icon=":material/leaderboard:", default=True),
    st.Page(str(PAGES / "inspector.py"), title="Frame inspector", icon=":material/movie:", url_path="inspector"),
    st.Page(str(PAGES / "tracks.py"), title="Tracks", icon=":material/timeline:", url_path="tracks"),
    st.Page(str(PAGES / "compare.py"), title="Compare", icon=":material/compare:", url_path="compare"),
    st.Page(str(PAGES / "whatif.py"), title="What-if", icon=":material/science:", url_path="whatif"),
    st.Page(str(PAGES / "metrics.py"), title="Metrics compared", icon=":material/balance:", url_path="metrics"),
    st.Page(str(PAGES / "breakdowns.py"), title="Breakdowns", icon=":material/bar_chart:", url_path="breakdowns"),
    st.Page(str(PAGES / "patches.py"), title="Error patches", icon=":material/grid_view:", url_path="patches"),
    st.Page(str(PAGES / "sweep.py"), title="Score sweep", icon=":material/tune:", url_path="sweep"),
]
page = st.navigation(pages)
try:
    page.run()
except InputError as exc:  # a damaged table of a saved run, a file changed since: one line, not a traceback
    st.error(f"**Could not show this page.** {plain(describe(exc))}")
state.sync_url()
