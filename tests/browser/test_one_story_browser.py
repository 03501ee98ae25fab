"""One true story in a real browser (issue 11): the inspector names the matching behind every statement
and says where HOTA at α and CLEAR disagree; Compare colours deltas by better/worse and steps to frames
where the trackers disagree; What-if and Metrics compared speak plain words in one unit; names from
files show as typed; no Deploy button. On the bundled sample and on MOT17 (blank canvas), with
screenshots at 1280x720 and 1440x900 (tests/screenshots/one_story_*.png)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from conftest import no_exception, pets09_layout  # tests/browser/conftest.py

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
STADTMITTE_53 = "?seq=TUD-Stadtmitte&tracker=motmetrics_test&alpha=0.5&frame=53"


def body(page) -> str:
    return page.inner_text("body")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_inspector_names_the_matching_and_the_disagreement(app_server, browser_page, open_app, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/inspector{STADTMITTE_53}")
    no_exception(page)
    expect(page.get_by_text("frame 53 / 179")).to_be_visible()
    text = body(page)
    assert "Box states: HOTA's matching at α = 0.50. Events: CLEAR's matching (IoU ≥ 0.50)." in text
    assert "CLEAR (IoU ≥ 0.50): gt 4 ← id 1, IoU 0.53: identity switch (gt 4 was on id 3)" in text
    assert "But HOTA pairs gt 4 with id 3 (IoU 0.38 < α 0.50)" in text
    assert "below_alpha" not in text and "why missed" not in text
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0  # client.toolbarMode = viewer
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, f"one_story_inspector_stadtmitte53_{size}")
    page.get_by_text(re.compile(r"HOTA at α and CLEAR disagree on \d+ box")).click()
    page.wait_for_timeout(500)
    assert "CLEAR pairs gt 4 with id 1 (IoU 0.53 ≥ 0.50) → identity switch from id 3" in body(page)
    screenshot(page, f"one_story_inspector_disagreements_{size}")


def test_compare_colours_by_better_and_steps_to_disagreements(app_server, browser_page, open_app, wait_idle,
                                                              screenshot):
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1440x900"])
    open_app(page, f"{app_server}/compare?seq=TUD-Campus&tracker=masa&tracker2=motmetrics_test&alpha=0.5&frame=1")
    no_exception(page)
    expect(page.get_by_text("Blue: B is better, orange: B is worse")).to_be_visible()
    screenshot(page, "one_story_compare_deltas_1440x900")
    page.get_by_role("button", name="A≠B ▶").click()
    wait_idle(page)
    no_exception(page)
    frame = int(re.search(r"frame=(\d+)", page.url).group(1)) if "frame=" in page.url else None
    heading = page.get_by_role("heading", name=re.compile(r"TUD-Campus, frame \d+")).inner_text()
    shown = int(re.search(r"frame (\d+)", heading).group(1))
    assert shown > 1 and (frame is None or frame == shown)
    page.get_by_role("button", name="A≠B ▶").scroll_into_view_if_needed()
    screenshot(page, "one_story_compare_next_disagreement_1440x900")


def test_whatif_and_metrics_speak_plain_words(app_server, browser_page, open_app, screenshot):
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1440x900"])
    open_app(page, f"{app_server}/whatif?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5")
    no_exception(page)
    text = body(page)
    assert re.search(r"Overlap between fixes = [+-]\d+\.\d points|The single gains add up", text), text[:3000]
    screenshot(page, "one_story_whatif_1440x900", full_page=True)
    open_app(page, f"{app_server}/metrics?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5")
    no_exception(page)
    text = body(page)
    assert "CA-HOTA needs class probabilities; not shown for: masa, motmetrics_test" in text
    assert "Every metric that applies" in text or "pairs of metrics disagree" in text
    screenshot(page, "one_story_metrics_1440x900", full_page=True)


@pytest.fixture(scope="module")
def odd_names(tmp_path_factory, sample_dir) -> Path:
    """The sample's TUD-Campus with a tracker whose folder name is Markdown and HTML."""
    root = tmp_path_factory.mktemp("odd")
    shutil.copytree(sample_dir / "gt" / "TUD-Campus", root / "gt" / "TUD-Campus")
    folder = root / "trackers" / "**bold** <b>x :red[y] _z_"
    folder.mkdir(parents=True)
    shutil.copy(sample_dir / "trackers" / "motmetrics_test" / "TUD-Campus.txt", folder / "TUD-Campus.txt")
    return root


def test_names_from_files_show_as_typed(app_server_factory, odd_names, browser_page, open_app, screenshot):
    url = app_server_factory("--gt-folder", odd_names / "gt", "--trackers-folder", odd_names / "trackers",
                             "--benchmark", "MOT15")
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1280x720"])
    open_app(page, f"{url}/inspector?seq=TUD-Campus&frame=10")
    no_exception(page)
    title = page.locator("h1").first.inner_text()
    assert title == "Frame inspector · TUD-Campus · **bold** <b>x :red[y] _z_", title
    assert page.locator("h1 strong, h1 i, h1 em").count() == 0
    screenshot(page, "one_story_plain_names_1280x720")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_inspector_on_a_blank_canvas(app_server_factory, shared_data, tmp_path_factory, browser_page,
                                           open_app, wait_idle, screenshot, size):
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.getbasetemp() / "mot17_one.txt"
    seqmap.write_text("name\nMOT17-09-DPM\n")
    url = app_server_factory("--gt-folder", root / "gt" / "mot_challenge", "--trackers-folder",
                             root / "trackers" / "mot_challenge", "--benchmark", "MOT17", "--seqmap", seqmap)
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/inspector?seq=MOT17-09-DPM&tracker=MPNTrack&alpha=0.5&frame=1", timeout_ms=180_000)
    no_exception(page)
    page.get_by_role("button", name="next ▶").click()  # the first identity switch
    wait_idle(page, timeout_ms=120_000)
    no_exception(page)
    text = body(page)
    assert re.search(r"CLEAR \(IoU ≥ 0\.50\): gt \d+ ← id \d+, IoU \d\.\d+", text), text[:3000]
    assert "Box states: HOTA's matching at α = 0.50" in text
    assert "None" not in page.locator('[data-testid="stDataFrame"]').first.inner_text()
    screenshot(page, f"one_story_mot17_switch_{size}")


@pytest.fixture(scope="module")
def pets09(shared_data, tmp_path_factory) -> Path:
    """PETS09-S2L1 as a MOT15 layout with its img1/ frames (the first 100) and two trackers."""
    return pets09_layout(shared_data, tmp_path_factory.mktemp("pets09"))


@pytest.mark.shared
@pytest.mark.parametrize("size,frame", [("1280x720", 147), ("1440x900", 60)])
def test_pets09_inspector_from_img1(app_server_factory, pets09, browser_page, open_app, screenshot, size, frame):
    url = app_server_factory("--gt-folder", pets09 / "gt", "--trackers-folder", pets09 / "trackers",
                             "--benchmark", "MOT15")
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/inspector?seq=PETS09-S2L1&tracker=masa-hung-kf&alpha=0.5&frame={frame}",
             timeout_ms=120_000)
    no_exception(page)
    expect(page.get_by_text(f"frame {frame} / 795")).to_be_visible()
    assert "Box states: HOTA's matching at α = 0.50" in body(page)
    page.locator('[data-testid="stImage"]').first.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, f"one_story_pets09_frame{frame}_{size}")
