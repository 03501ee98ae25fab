"""The run diff on the Compare page in a real browser: the counts B − A with the changes that explain them
(the same numbers as ``diff_runs``), both matchings named, "Show frame" stepping the side-by-side
view to a change, and the protocols section (TrackEval against py-motmetrics, both rules named). On the bundled sample and on MOT17 (blank canvas), screenshots at 1280x720 and
1440x900 (tests/screenshots/rundiff_*.png)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from conftest import no_exception  # tests/browser/conftest.py

from tracklens.dashboard.diff_views import change_frames, summary_view
from tracklens.rundiff import diff_runs
from tracklens.workspace import Workspace

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
MOT17_SEQ = "MOT17-09-DPM"


def check_diff_section(page, d, sequence: str) -> None:
    """The section is there with the counts of ``d`` and both matchings named."""
    heading = page.get_by_role("heading", name=f"Run diff on {sequence}: what changed from A to B")
    heading.scroll_into_view_if_needed()
    expect(heading).to_be_visible()
    text = page.inner_text("body")
    assert f"Matchings: {d.matchings['CLEAR']} (FN, FP, IDSW, Frag) and {d.matchings['HOTA']} (FN, FP)" in text
    grid = page.locator('[data-testid="stTable"]').filter(has_text="explained by").first
    shown = grid.inner_text()
    for row in summary_view(d, sequence).itertuples():
        assert row._6 in shown, row._6  # "+added introduced − removed fixed" of every measure


def check_protocols(page, screenshot, name: str) -> None:
    """The protocols section: TrackEval against py-motmetrics by default, both rules shown, a table of counts."""
    heading = page.get_by_role("heading", name=re.compile(r"^Protocols side by side: "))
    heading.scroll_into_view_if_needed()
    expect(heading).to_be_visible()
    text = page.inner_text("body")
    assert "TrackEval 1.3.0 MOTChallenge: tracker boxes matched to distractors removed" in text
    assert "py-motmetrics 1.4.0: no distractor preprocessing" in text
    assert "--protocols trackeval,motmetrics" in text
    expect(page.locator('[data-testid="stTable"]').filter(has_text="explained by")).to_have_count(2)
    page.wait_for_timeout(300)
    screenshot(page, name)


def show_first_change(page, wait_idle, d, sequence: str) -> int:
    first = int(change_frames(d, sequence)["frame"].iloc[0])
    page.get_by_role("button", name="Show frame").first.click()  # the run diff's (the protocols have one too)
    wait_idle(page, timeout_ms=120_000)
    no_exception(page)
    expect(page.get_by_role("heading", name=re.compile(rf", frame {first}$"))).to_be_visible()
    return first


@pytest.fixture(scope="module")
def sample_diff(sample_dir: Path):
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")
    return diff_runs(ws, "motmetrics_test", ws, "masa", 0.5, sequences=["TUD-Campus"])


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample_compare_run_diff(app_server, browser_page, open_app, wait_idle, screenshot, sample_diff, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/compare?seq=TUD-Campus&tracker=motmetrics_test&tracker2=masa&alpha=0.5&frame=40")
    no_exception(page)
    check_diff_section(page, sample_diff, "TUD-Campus")
    screenshot(page, f"rundiff_sample_{size}")
    page.get_by_text("Identity switches and fragmentations that appeared or vanished").scroll_into_view_if_needed()
    screenshot(page, f"rundiff_sample_changes_{size}")
    check_protocols(page, screenshot, f"rundiff_protocols_sample_{size}")
    show_first_change(page, wait_idle, sample_diff, "TUD-Campus")
    page.get_by_role("heading", name=re.compile(r"TUD-Campus, frame \d+")).scroll_into_view_if_needed()
    screenshot(page, f"rundiff_sample_show_frame_{size}")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_compare_run_diff(app_server_factory, shared_data, tmp_path_factory, browser_page, open_app, wait_idle,
                                screenshot, size):
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.getbasetemp() / "mot17_rundiff.txt"
    seqmap.write_text(f"name\n{MOT17_SEQ}\n")
    args = ("--gt-folder", root / "gt" / "mot_challenge", "--trackers-folder", root / "trackers" / "mot_challenge",
            "--benchmark", "MOT17", "--seqmap", seqmap, "--trackers", "MPNTrack", "BoTSORT")
    url = app_server_factory(*args)
    ws = Workspace.from_folders(str(args[1]), str(args[3]), seqmap=str(seqmap), trackers=["MPNTrack", "BoTSORT"])
    d = diff_runs(ws, "MPNTrack", ws, "BoTSORT", 0.5)
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/compare?seq={MOT17_SEQ}&tracker=MPNTrack&tracker2=BoTSORT&alpha=0.5&frame=1",
             timeout_ms=180_000)
    no_exception(page)
    check_diff_section(page, d, MOT17_SEQ)
    screenshot(page, f"rundiff_mot17_{size}")
    check_protocols(page, screenshot, f"rundiff_protocols_mot17_{size}")
    show_first_change(page, wait_idle, d, MOT17_SEQ)
