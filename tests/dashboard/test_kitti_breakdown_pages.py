"""The Breakdowns page and the report on a saved KITTI run (AppTest): KITTI occlusion and truncation are
conditions there, visibility (KITTI has no such column) is not; a bin's frames are the core's. On the
MOTChallenge sample the KITTI conditions are not offered."""
from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_page

from tracklens.analysis.breakdown import box_bins, frames_in_bin
from tracklens.workspace import Workspace



@pytest.fixture(scope="module")
def kitti_levels_run(tmp_path_factory) -> str:
    from format_data import write_kitti
    from kitti_levels import write_levels

    from tracklens.dashboard.cli import main

    root = tmp_path_factory.mktemp("kitti_levels")
    gt, trs = write_kitti(root / "data")
    write_levels(gt)
    assert main(["eval", "--format", "kitti", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                 "--save", str(root / "run"), "--quiet"]) == 0
    return str(root / "run")


def open_breakdowns(run_dir: str | None) -> AppTest:
    from tracklens.dashboard.loading import Source

    if run_dir:
        at = open_page("breakdowns", source=Source(run_dir=run_dir), cls="car", seq="0000", tracker="tracker_b")
    else:
        at = open_page("breakdowns", seq="TUD-Campus", tracker="motmetrics_test")
    assert not at.error, [e.value for e in at.error]
    return at


def test_kitti_run_offers_occlusion_and_truncation_and_lists_a_bins_frames(kitti_levels_run):
    at = open_breakdowns(kitti_levels_run)
    radio = at.radio(key="bd_condition")
    assert "KITTI occlusion" in radio.options and "KITTI truncation" in radio.options  # the titles shown
    assert "Ground-truth visibility" not in radio.options  # KITTI has no visibility column: all "no value"
    radio.set_value("kitti_occlusion").run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.get("plotly_chart")) == 2  # one chart per tracker
    assert "Only ground truth has this condition" in " ".join(c.value for c in at.caption)
    at.session_state["bd_pick"] = ("tracker_b", "kitti_occlusion", 1)  # what a click on "1 partly occluded" stores
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    heading = "Frames of KITTI occlusion 1 partly occluded · tracker_b · 0000"
    assert [s.value.replace("\\", "") for s in at.subheader] == [heading]  # names escaped by plain()
    shown = at.dataframe[-1].value
    an = Workspace.load(kitti_levels_run).for_class("car").analysis("tracker_b", "0000")
    core = frames_in_bin(box_bins(an.boxes), "kitti_occlusion", 1, 9)
    assert len(shown) > 0 and shown.reset_index(drop=True).equals(core)


def test_sample_does_not_offer_the_kitti_conditions():
    at = open_breakdowns(None)
    options = at.radio(key="bd_condition").options
    assert "Box height" in options and not {"KITTI occlusion", "KITTI truncation"} & set(options)


def test_report_on_kitti_charts_occlusion(kitti_levels_run):
    from tracklens.dashboard.report import build_report

    ws = Workspace.load(kitti_levels_run).for_class("car")
    report = build_report(ws, alpha=0.5, whatif=False, max_tracks=1)
    section = report[report.index('<section id="breakdowns">'):]
    section = section[:section.index("</section>")]
    assert 'id="fig-breakdown-kitti_occlusion"' in section and 'id="fig-breakdown-kitti_truncation"' in section
    assert 'id="fig-breakdown-visibility"' not in section
