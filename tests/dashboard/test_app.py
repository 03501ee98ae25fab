"""Every dashboard page through Streamlit's AppTest, on the bundled sample: renders without an
exception, shows what it should, and reacts to the widgets a user touches."""
from __future__ import annotations

import base64
from pathlib import Path

import numpy as np

import pytest
from streamlit.testing.v1 import AppTest

from tracklens.dashboard.text import plain

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ["overview", "inspector", "tracks", "compare", "whatif", "metrics"]


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"seq": "TUD-Campus", "tracker": "motmetrics_test", **params}.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(page):
    at = open_page(page)
    assert at.title, "every page has a title"
    assert at.sidebar.selectbox(key="seq").value == "TUD-Campus"
    assert at.sidebar.selectbox(key="tracker").value == "motmetrics_test"


def test_overview_shows_every_tracker_and_the_published_numbers():
    at = open_page("overview")
    table = at.dataframe[0].value
    assert set(table["tracker"]) == {"masa", "motmetrics_test"}
    assert len(at.get("plotly_chart")) >= 5  # alpha curves + 4 trade-off scatters (+ difficulty)
    at.radio[0].set_value("Selected sequence").run()
    row = at.dataframe[0].value.set_index("tracker").loc["motmetrics_test"]
    # TUD-Campus, official MOTChallenge devkit: MOTA 52.6 %, IDF1 55.8 %, FP 13, FN 150, IDSW 7
    assert round(row["MOTA"], 1) == 52.6 and round(row["IDF1"], 1) == 55.8
    assert (row["CLR_FP"], row["CLR_FN"], row["IDSW"]) == (13, 150, 7)


def test_url_state_is_read_and_written_back():
    at = open_page("inspector", frame="30", alpha="0.75")
    assert at.session_state["frame"] == 30
    assert at.session_state["alpha"] == 0.75
    assert at.query_params["frame"] == ["30"] or at.query_params["frame"] == "30"
    at.sidebar.select_slider(key="alpha").set_value(0.3).run()
    assert str(at.query_params["alpha"]).strip("[]'") == "0.3"


def test_inspector_steps_and_jumps_to_the_next_switch():
    at = open_page("inspector", frame="1")
    assert at.session_state["frame"] == 1
    at.button[1].click().run()  # ▶ next frame
    assert at.session_state["frame"] == 2
    next_error = next(b for b in at.button if b.label == "next ▶")
    next_error.click().run()
    first_switch = at.session_state["frame"]
    assert first_switch > 2
    # the frame really has a CLEAR identity switch in the events table
    caption = " ".join(c.value for c in at.caption)
    assert "frames with: identity switch (CLEAR)" in caption
    lines = [t.value for t in at.text]
    assert any(line.startswith("CLEAR (IoU ≥ 0.50): gt") and "identity switch" in line for line in lines), lines


def test_inspector_says_where_hota_and_clear_disagree():
    """TUD-Stadtmitte frame 53 (issue 11): one story, each statement naming its matching."""
    at = open_page("inspector", seq="TUD-Stadtmitte", frame="53", alpha="0.5")
    lines = [t.value for t in at.text]
    assert any("gt 4 ← id 1" in line and "identity switch (gt 4 was on id 3)" in line
               and "But HOTA pairs gt 4 with id 3 (IoU 0.38 < α 0.50), not its best overlap id 1 (IoU 0.53) → FN at this α" in line for line in lines), lines
    assert any(line.startswith("HOTA pairs gt 4 with id 3") and "CLEAR pairs gt 4 with id 1 (IoU 0.53 ≥ 0.50)"
               " → identity switch from id 3" in line for line in lines), lines
    table = at.dataframe[0].value
    assert list(table.columns[:6]) == ["box", "state", "event (CLEAR)", "why (HOTA at α)", "best IoU", "A(c)"]
    assert not table.astype(str).isin(["None", "nan"]).any().any()
    gt4 = table.set_index("box").loc["gt 4"]
    assert gt4["state"] == "FN" and gt4["why (HOTA at α)"].startswith("paired with id 3, IoU 0.38 < α")
    assert all("below_alpha" not in str(v) and "taken" != str(v) for v in table.to_numpy().ravel())


def test_inspector_bad_frame_in_url_is_clamped():
    at = open_page("inspector", frame="99999")
    assert at.session_state["frame"] == 71


def test_tracks_page_explains_a_selected_track():
    at = open_page("tracks", track="3", alpha="0.5")
    text = " ".join(m.value for m in at.markdown)
    assert "tracker id" in text and "A =" in text
    assert any("Why ground-truth track 3" in s.value for s in at.subheader)


def test_compare_page_shows_deltas_and_two_frames():
    at = open_page("compare", tracker2="masa")
    assert len(at.get("imgs")) >= 1 or len(at.get("image")) >= 1
    assert any("B − A" in s.value for s in at.subheader)


def test_whatif_page_reaches_100_when_everything_is_fixed():
    at = open_page("whatif")
    from tracklens.evaluate import COMBINED

    ws = at.session_state["workspace"]
    table = at.dataframe[0].value.set_index("what is fixed")  # all sequences combined, by default
    combined = 100 * float(np.mean(ws.metrics["motmetrics_test"][COMBINED]["HOTA"]))
    assert table.loc["as evaluated", "HOTA"] == pytest.approx(combined, abs=1e-9)  # the Overview's number
    assert table.loc["everything fixed", "HOTA"] == pytest.approx(100.0)
    every = at.dataframe[1].value
    assert list(every.columns) == list(ws.trackers) and every.loc["HOTA everything fixed"].tolist() == [100.0, 100.0]
    assert every.loc["HOTA as evaluated", "motmetrics_test"] == pytest.approx(combined, abs=1e-9)
    at.radio(key="whatif_scope").set_value("sequence").run()
    table = at.dataframe[0].value.set_index("what is fixed")
    assert table.loc["as evaluated", "HOTA"] == pytest.approx(39.1397, abs=1e-3)
    assert table.loc["everything fixed", "HOTA"] == pytest.approx(100.0)
    assert any(c.value.startswith("Overlap between fixes") or c.value.startswith("The single gains")
               for c in at.caption)


def test_bad_data_folder_gives_a_message_not_a_traceback(tmp_path):
    at = AppTest.from_file(APP, default_timeout=60)
    import sys
    argv = sys.argv
    sys.argv = [APP, "--gt-folder", str(tmp_path / "missing"), "--trackers-folder", str(tmp_path)]
    try:
        at.run()
    finally:
        sys.argv = argv
    assert not at.exception
    assert at.error and plain("ground-truth folder not found") in at.error[0].value  # shown as text: escaped Markdown


def test_metrics_compared_page_scores_every_tracker_with_every_metric():
    at = open_page("metrics")
    wide = at.dataframe[0].value
    assert {"masa", "motmetrics_test"} <= set(wide.columns)
    assert {"HOTA (TrackEval matching)", "HOTA (paper's per-α matching)", "MOTA", "IDF1", "CA-HOTA",
            "Average Delay (frames)"} <= set(wide.index)
    assert wide.loc["HOTA (TrackEval matching)", "motmetrics_test"] == "39.14"  # percent, as on every page
    assert set(wide["unit"]) == {"%", "frames"}
    # MOT15 files carry no classes: CA-HOTA is not a score of 0 but says what it needs
    assert (wide.loc["CA-HOTA", ["masa", "motmetrics_test"]] == "needs class probabilities").all()
    assert wide["ignores"].str.len().min() > 0  # every metric says what it ignores
    ranks = at.dataframe[1].value
    assert ranks.loc["HOTA (TrackEval matching)", "masa"] == 1 and ranks.loc["Average Delay (frames)", "masa"] == 1
    assert set(ranks.index) == set(wide.index)  # the same distinct names as the main table
    assert ranks.loc["CA-HOTA"].isna().all()
    assert not at.get("plotly_chart")  # no CA-HOTA curve without class probabilities
    assert any("CA-HOTA needs class probabilities" in t.value for t in at.text)


def test_long_sequence_pages_wait_for_a_click_before_evaluating_again(monkeypatch):
    import tracklens.dashboard.loading
    import tracklens.dashboard.whatif_data

    monkeypatch.setattr(tracklens.dashboard.loading, "LARGE_SEQUENCE_BOXES", 100)  # TUD-Campus counts as long now
    monkeypatch.setattr(tracklens.dashboard.whatif_data, "LARGE_SEQUENCE_BOXES", 100)
    at = open_page("whatif")
    assert not at.dataframe, "nothing is re-evaluated before the click"
    next(b for b in at.button if b.label == "Compute the what-if gains over all sequences").click().run()
    assert at.dataframe[0].value.set_index("what is fixed").loc["everything fixed", "HOTA"] == pytest.approx(100.0)
    at.radio(key="whatif_scope").set_value("sequence").run()
    assert not at.dataframe, "nothing is re-evaluated before the click"
    assert any("is long" in i.value for i in at.info)
    next(b for b in at.button if b.label == "Compute the what-if analysis").click().run()
    table = at.dataframe[0].value.set_index("what is fixed")
    assert table.loc["everything fixed", "HOTA"] == pytest.approx(100.0)
    at.sidebar.select_slider(key="alpha").set_value(0.3).run()  # later reruns do not ask again
    assert at.dataframe and not any("is long" in i.value for i in at.info)


def test_tracks_timeline_of_a_long_sequence_shows_a_window(monkeypatch):
    import json

    import tracklens.dashboard.views

    monkeypatch.setattr(tracklens.dashboard.views, "TIMELINE_FRAMES", 20)
    at = open_page("tracks", frame="40")
    window = next(s for s in at.slider if s.label == "Frames shown in the timelines")
    assert window.value == (30, 49)  # centred on the inspector's frame
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = [t for t in figure["data"] if t["type"] == "bar"]  # one bar per run: frames base + 0.5 .. base + x - 0.5
    starts = np.concatenate([_values(t["base"]) + 0.5 for t in bars if "base" in t])
    ends = np.concatenate([_values(t["base"]) + _values(t["x"]) - 0.5 for t in bars if "base" in t])
    marks = np.concatenate([_values(t["x"]) for t in figure["data"] if t["type"] == "scatter"])
    assert starts.size and 30 <= starts.min() and ends.max() <= 49
    assert marks.size == 0 or (30 <= marks.min() and marks.max() <= 49)


def _values(x) -> np.ndarray:
    """A plotly JSON array: a list, or plotly's base64 typed array ({"dtype", "bdata"})."""
    if isinstance(x, dict):
        return np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]).astype(float)
    return np.asarray(x, float)


@pytest.fixture(scope="module")
def kitti_run(tmp_path_factory) -> str:
    from format_data import write_kitti

    from tracklens.dashboard.cli import main

    root = tmp_path_factory.mktemp("kitti")
    gt, trs = write_kitti(root / "data")
    assert main(["eval", "--format", "kitti", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                 "--save", str(root / "run"), "--quiet"]) == 0
    return str(root / "run")


def test_saved_kitti_run_every_page_and_the_class_selector(kitti_run):
    """A run with classes: the sidebar's Class picks the view every page reads; the pages that need
    MOTChallenge files say so instead of failing."""
    from tracklens.dashboard.loading import Source

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["_opened_source"] = Source(run_dir=kitti_run)
    for key, value in {"cls": "pedestrian", "seq": "0001", "tracker": "tracker_b"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.selectbox(key="cls").options == ["car", "pedestrian"]
    assert at.title[0].value == "Overview · class pedestrian"
    summary = at.dataframe[0].value.set_index("tracker")
    assert summary.loc["tracker_b", "CLR_FN"] == 12  # the pedestrian missed six frames in each sequence
    every = at.dataframe[1].value
    assert set(every["class"]) == {"car", "pedestrian"} and len(every) == 4  # KITTI: no class combination
    at.sidebar.selectbox(key="cls").set_value("car").run()
    assert at.title[0].value == "Overview · class car"
    assert at.dataframe[0].value.set_index("tracker").loc["tracker_b", "IDSW"] == 4
    for page in PAGES[1:]:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception and not at.error, (page, [e.message for e in at.exception])
        if page in ("whatif", "metrics"):
            assert "this run is KITTI, evaluated per class (car, pedestrian)" in at.info[0].value
    at.switch_page("app_pages/inspector.py").run()
    assert at.title[0].value.replace("\\", "") == "Frame inspector · 0001 · tracker_b · class car"  # names escaped


def test_moved_run_what_if_and_metrics_compared(sample_dir, tmp_path):
    """A run moved with its data re-evaluates from the new place; moved without it, both pages name
    what is missing instead of failing (saved without the Metrics compared tables, so that page needs
    the inputs too; test_compared_saved.py opens a moved run that has them)."""
    import shutil

    from tracklens.dashboard.cli import main
    from tracklens.dashboard.loading import Source

    project = tmp_path / "project"
    shutil.copytree(sample_dir, project / "data")
    assert main(["eval", "--gt-folder", str(project / "data" / "gt"), "--trackers-folder",
                 str(project / "data" / "trackers"), "--benchmark", "MOT15", "--save", str(project / "run"),
                 "--quiet", "--no-compared"]) == 0
    moved = tmp_path / "moved"
    shutil.move(str(project), str(moved))

    def whatif_page(run_dir) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["_opened_source"] = Source(run_dir=str(run_dir))
        at.query_params["seq"], at.query_params["tracker"] = "TUD-Campus", "motmetrics_test"
        at.run()
        at.switch_page("app_pages/whatif.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    at = whatif_page(moved / "run")
    assert not at.warning and "everything fixed" in set(at.dataframe[0].value["what is fixed"])
    shutil.rmtree(moved / "data")
    at = whatif_page(moved / "run")
    assert "an input of this run is missing" in at.warning[0].value
    assert str(project / "data" / "gt") in at.warning[0].value.replace("\\", "")  # names escaped
    at.switch_page("app_pages/metrics.py").run()
    assert not at.exception and "an input of this run is missing" in at.warning[0].value


def test_compare_steps_to_frames_where_the_trackers_disagree():
    at = open_page("compare", frame="1", tracker2="masa")
    deltas = at.dataframe[0].value
    assert "COMBINED" in list(deltas.index) and "Δ IDSW" in deltas.columns and "Δ FN" in deltas.columns
    next_differ = next(b for b in at.button if b.label == "A≠B ▶")
    next_differ.click().run()
    assert not at.exception
    assert at.session_state["frame"] > 1
    caption = " ".join(c.value for c in at.caption)
    assert "frames where A and B disagree" in caption
