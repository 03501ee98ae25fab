"""tracklens dashboard entrypoint: loads the workspace once, keeps the shared view state (sequence,
tracker, alpha) in the sidebar and the URL, and routes to the pages."""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from tracklens.errors import InputError
from tracklens.dashboard import state
from tracklens.dashboard.data_access import OPENED, data_roots, describe, open_data_form
from tracklens.dashboard.loading import load_workspace, parse_source
from tracklens.dashboard.views import ALPHA_CHOICES

PAGES = Path(__file__).resolve().parent / "app_pages"

st.set_page_config(page_title="tracklens", page_icon=":material/troubleshoot:", layout="wide")

# `streamlit run app.py -- ARGS` sets argv to [app.py, ARGS]; anything else (AppTest, pytest) is not ours.
own_argv = sys.argv[1:] if Path(sys.argv[0]).name == Path(__file__).name else []
roots = data_roots(own_argv)  # what the "Open data" form may read
source = st.session_state.get(OPENED) or parse_source(own_argv)
try:
    ws = load_workspace(source)
except (InputError, OSError, ValueError) as exc:
    st.error(f"**Could not open the data.** {describe(exc)}")
    with st.sidebar:
        open_data_form(roots, source)
    st.stop()

st.session_state["workspace"] = ws
st.session_state["source"] = source  # keys the caches every session on this data shares
state.init(ws)
state.keep_widget_state()

with st.sidebar:
    st.markdown("### :material/troubleshoot: tracklens")
    st.caption(source.label)
    st.selectbox("Sequence", [s.name for s in ws.sequences], key="seq")
    st.selectbox("Tracker", ws.trackers, key="tracker")
    st.select_slider("α (localisation threshold)", options=ALPHA_CHOICES, key="alpha",
                     help="HOTA counts a match as a true positive when IoU ≥ α. The numbers in the "
                          "tables are means over the 19 α; frames and tracks are shown at this α.")
    if ws.manifest.get("notes"):
        with st.expander(f"Input notes ({len(ws.manifest['notes'])})"):
            for note in ws.manifest["notes"]:
                st.caption(note)
    open_data_form(roots, source)

pages = [
    st.Page(str(PAGES / "overview.py"), title="Overview", icon=":material/leaderboard:", default=True),
    st.Page(str(PAGES / "inspector.py"), title="Frame inspector", icon=":material/movie:", url_path="inspector"),
    st.Page(str(PAGES / "tracks.py"), title="Tracks", icon=":material/timeline:", url_path="tracks"),
    st.Page(str(PAGES / "compare.py"), title="Compare", icon=":material/compare:", url_path="compare"),
    st.Page(str(PAGES / "whatif.py"), title="What-if", icon=":material/science:", url_path="whatif"),
    st.Page(str(PAGES / "metrics.py"), title="Metrics compared", icon=":material/balance:", url_path="metrics"),
]
page = st.navigation(pages)
page.run()
state.sync_url()
