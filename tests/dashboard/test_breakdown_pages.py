"""The Breakdowns and Error patches pages through Streamlit's AppTest, on the bundled sample."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tracklens.analysis.causes import KINDS

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def open_on(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["seq"], at.query_params["tracker"] = "TUD-Campus", "motmetrics_test"
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_breakdowns_page_charts_every_tracker_and_lists_a_bins_frames():
    at = open_on("breakdowns")
    assert at.title[0].value.startswith("Breakdowns by condition")
    assert len(at.get("plotly_chart")) == 2  # one chart per tracker
    at.radio(key="bd_condition").set_value("height").run()
    assert "false positive in the bin of the tracker box's own value" in " ".join(c.value for c in at.caption)
    at.session_state["bd_pick"] = ("motmetrics_test", "height", 2)  # what a click on the 100–200 px bar stores
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Frames of box height 100–200" in s.value for s in at.subheader)
    frames = at.dataframe[-1].value
    assert len(frames) > 0 and {"frame", "FN", "FP", "switches"} <= set(frames.columns)
    assert frames["errors"].is_monotonic_decreasing


def test_open_frame_request_changes_sequence_and_tracker_before_the_widgets():
    at = open_on("breakdowns")
    at.session_state["_open_frame"] = ("TUD-Stadtmitte", "masa", 17, None)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.selectbox(key="seq").value == "TUD-Stadtmitte"
    assert at.sidebar.selectbox(key="tracker").value == "masa"
    assert at.session_state["frame"] == 17


def campus_switches_with(cause: str) -> int:
    """The core's answer for the sample's TUD-Campus x motmetrics_test (what the page must show)."""
    from tracklens.analysis.causes import identity_causes
    from tracklens.evaluate import evaluate
    from tracklens.layout import resolve

    sample = Path(APP).parents[1] / "assets" / "sample"
    run = evaluate(resolve(str(sample / "gt"), str(sample / "trackers"), "MOT15"), analyse_matches=True)
    an = run.analyses["motmetrics_test"]["TUD-Campus"]
    causes = identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9)
    return int(((causes["kind"] == "switch") & causes[cause]).sum())


def test_patches_page_grid_filters_and_cause_table():
    at = open_on("patches")
    summary = at.dataframe[0].value
    assert set(summary["tracker"]) == {"masa", "motmetrics_test", ""}
    assert set(summary["kind"]) == {*KINDS.values(), "every ground-truth box (baseline)"}
    switches = summary[(summary["tracker"] == "motmetrics_test") & (summary["kind"] == KINDS["switch"])]
    assert switches["events"].item() == 7 + 7  # IDSW of TUD-Campus and TUD-Stadtmitte (devkit numbers)
    images = at.get("image")
    assert 0 < len(images) <= 24
    at.multiselect(key="patch_states").set_value(["switch"]).run()
    captions = [c.value for c in at.caption if c.value.startswith("**")]
    assert captions and all(c.startswith("**switch**") for c in captions)
    assert len(captions) == 7  # TUD-Campus's 7 switches
    at.multiselect(key="patch_causes").set_value(["overlap_before"]).run()
    fewer = [c.value for c in at.caption if c.value.startswith("**")]
    assert len(fewer) == campus_switches_with("overlap_before") and 0 < len(fewer) < 7


def test_patch_open_button_shows_the_frame_in_the_inspector():
    at = open_on("patches")
    at.multiselect(key="patch_states").set_value(["switch"]).run()
    buttons = [b for b in at.button if b.key and b.key.startswith("patch_open_TUD-Campus_")]
    frame = int(buttons[0].key.split("_")[3])
    buttons[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["frame"] == frame
    assert any("Frame inspector" in t.value or "TUD-Campus" in t.value for t in at.title)
