"""Every view choice in the URL (issue 11, item 9), through AppTest on the bundled sample: a link's
choices are taken (when they are valid), written back when the user changes them, kept across page
switches; tracker2 never equals tracker. Also the inspector's crop, zoom and filmstrip render."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"seq": "TUD-Stadtmitte", "tracker": "motmetrics_test", **params}.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def url(at: AppTest, key: str):
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def test_inspector_choices_come_from_the_link_and_go_back_to_it():
    at = open_page("inspector", frame="53", show="gt", jump="fn", view="medium", film="1")
    assert at.radio(key="show_sides").value == "gt"
    assert at.selectbox(key="error_kind").value == "fn"
    assert at.selectbox(key="frame_view").value == "medium"
    assert at.toggle(key="filmstrip").value is True
    captions = [image.proto.imgs[0].caption for image in at.get("image")]
    assert "frame 53 / 179 · α = 0.50 · cropped to this frame's identity events" in captions
    assert "frames 50…56 around frame 53, cropped to this frame's identity events" in captions
    at.selectbox(key="frame_view").set_value("zoom").run()
    at.radio(key="show_sides").set_value("both").run()
    assert (url(at, "view"), url(at, "show"), url(at, "jump"), url(at, "film")) == ("zoom", "both", "fn", "1")
    assert len(at.get("plotly_chart")) >= 2  # the zoomable frame and the error strip


def test_invalid_choices_in_a_link_are_ignored():
    at = open_page("inspector", show="<b>x</b>", view="huge", film="maybe", jump="nothing")
    assert at.radio(key="show_sides").value == "both"
    assert at.selectbox(key="frame_view").value == "whole"
    assert at.toggle(key="filmstrip").value is False
    assert url(at, "view") == "whole"


def test_overview_scope_and_tracks_tab_and_sort_are_in_the_url():
    at = open_page("overview", scope="Selected sequence")
    assert at.radio(key="overview_scope").value == "Selected sequence"
    at.radio(key="overview_scope").set_value("All sequences (combined)").run()
    assert url(at, "scope") == "All sequences (combined)"
    at = open_page("tracks", sort="most id changes", tab="By tracker id")
    assert at.selectbox(key="track_sort").value == "most id changes"
    assert at.session_state["tracks_tab"] == "By tracker id"
    at.selectbox(key="track_sort").set_value("fewest matched frames").run()
    assert (url(at, "sort"), url(at, "tab")) == ("fewest matched frames", "By tracker id")


def test_choices_outlive_a_visit_to_another_page():
    at = open_page("inspector", view="tight")
    at.switch_page("app_pages/overview.py").run()
    assert url(at, "view") == "tight"
    at.switch_page("app_pages/inspector.py").run()
    assert at.selectbox(key="frame_view").value == "tight"


@pytest.mark.parametrize("tracker2", ["motmetrics_test", "nobody", None])
def test_tracker2_never_equals_tracker(tracker2):
    params = {"tracker2": tracker2} if tracker2 else {}
    at = open_page("compare", **params)
    assert at.session_state["tracker2"] == "masa" and url(at, "tracker2") == "masa"
    at.sidebar.selectbox(key="tracker").set_value("masa").run()
    assert url(at, "tracker2") != "masa"
