"""Names from files (a tracker called ``<b>X9<i>_*y*``, a sequence called ``S_<i>Q7*z*``: the HTML and Markdown
of ``<b>x</b>_*y*`` without the slash a folder name cannot hold) are shown as the characters they are on every page: escaped in everything Streamlit renders as Markdown, as entities in
plotly's labels, legends, axes and hovers (plotly draws a subset of HTML there); and a folder name in the
"Could not open the data" error is not Markdown either."""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tracklens.dashboard.text import chart_text, plain

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TRACKER, SEQUENCE = "<b>X9<i>_*y*", "S_<i>Q7*z*"
RAW_HTML = ("<b>X9", "X9<i>", "<i>Q7")  # plotly and Markdown would draw these tags
RAW = RAW_HTML + ("_*y*", "*z*")  # Markdown would draw these too
MARKDOWN_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                     "button", "toast")
PAGES = ["overview", "inspector", "tracks", "compare", "whatif", "metrics"]


@pytest.fixture(autouse=True)
def app_argv(monkeypatch) -> list[str]:
    """``streamlit run app.py -- ARGS`` as the app reads it (argv[0] is app.py), for every rerun."""
    argv = [APP]
    monkeypatch.setattr(sys, "argv", argv)
    return argv


@pytest.fixture(scope="module")
def hostile_sample(tmp_path_factory, sample_dir: Path) -> Path:
    """The bundled sample with the tracker masa and the sequence TUD-Stadtmitte renamed."""
    root = tmp_path_factory.mktemp("names")
    shutil.copytree(sample_dir / "gt", root / "gt")
    shutil.copytree(sample_dir / "trackers", root / "trackers")
    (root / "gt" / "TUD-Stadtmitte").rename(root / "gt" / SEQUENCE)
    for tracker in ("masa", "motmetrics_test"):
        (root / "trackers" / tracker / "TUD-Stadtmitte.txt").rename(root / "trackers" / tracker / f"{SEQUENCE}.txt")
    (root / "trackers" / "masa").rename(root / "trackers" / TRACKER)
    return root


def strings(value) -> list[str]:
    """Every string inside a decoded JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def check_page(at: AppTest, page: str) -> int:
    """No raw name in a Markdown-rendered element or a plotly figure; returns the figures checked."""
    assert not at.exception, (page, [e.message for e in at.exception])
    for kind in MARKDOWN_ELEMENTS:
        for element in at.get(kind):
            text = str(getattr(element, "value", None) or getattr(element, "label", "") or element.proto)
            assert not any(raw in text for raw in RAW), (page, kind, text)
    for radio in at.radio:  # options are Markdown too
        assert not any(raw in option for option in radio.options for raw in RAW), (page, radio.options)
    charts = at.get("plotly_chart")
    for chart in charts:
        found = strings(json.loads(chart.proto.spec))
        assert not any(raw in s for s in found for raw in RAW_HTML), (page, [s for s in found if any(r in s for r in RAW_HTML)][:3])
    return len(charts)


@pytest.mark.parametrize("page", PAGES)
def test_hostile_names_on_every_page(hostile_sample: Path, page: str) -> None:
    sys.argv[1:] = ["--gt-folder", str(hostile_sample / "gt"), "--trackers-folder", str(hostile_sample / "trackers"),
                    "--benchmark", "MOT15"]
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["seq"], at.query_params["tracker"] = SEQUENCE, TRACKER
    at.query_params["tracker2"] = "motmetrics_test"
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert at.session_state["tracker"] == TRACKER and at.session_state["seq"] == SEQUENCE
    charts = check_page(at, page)
    if page == "overview":
        assert charts >= 5
        spec = json.dumps([json.loads(c.proto.spec) for c in at.get("plotly_chart")])
        assert json.dumps(chart_text(TRACKER))[1:-1] in spec  # shown, as entities
        assert any(plain(TRACKER) in m.value for m in at.markdown)  # the costs sentence names it, escaped


def test_chart_text_is_entities_and_no_template() -> None:
    assert chart_text("<b>x</b>&%{y}") == "&lt;b&gt;x&lt;/b&gt;&amp;%&#123;y}"
    assert chart_text("a\nb") == "a?b"


def test_could_not_open_error_shows_a_folder_name_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "**bold**_[x](http:h)<img src=y>"
    sys.argv[1:] = ["--gt-folder", str(folder), "--trackers-folder", str(tmp_path)]
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("**Could not open the data.**")
    assert plain(str(folder)) in message
    body = message.removeprefix("**Could not open the data.**")
    assert re.search(r"(?<!\\)[*_\[\]()<>]", body) is None, body  # every Markdown/HTML character escaped
