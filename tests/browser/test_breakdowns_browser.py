"""Breakdowns and Error patches in a real browser (issue 14, items 3 and 4): a chart per tracker whose bars
open a bin's frames, the grid of FN/FP/switch crops whose "Open" shows the frame in the inspector. On the
bundled sample (video frames), PETS09 (img1/ frames) and MOT17 (blank canvas), with screenshots at 1280x720
and 1440x900 (tests/screenshots/breakdowns_*.png, patches_*.png)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from conftest import no_exception  # tests/browser/conftest.py

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
CAMPUS = "?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5"


def patch_captions(page) -> list[str]:
    return [t for t in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
            if re.match(r"(FN|FP|switch) · ", t)]


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample_breakdown_chart_and_a_bins_frames(app_server, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/breakdowns{CAMPUS}")
    no_exception(page)
    expect(page.get_by_role("heading", name="Breakdowns by condition")).to_be_visible()
    page.get_by_test_id("stRadioGroup").get_by_text("Box height", exact=True).click()
    wait_idle(page)
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2)  # one per tracker
    screenshot(page, f"breakdowns_sample_height_{size}")
    bar = charts.last.locator("g.point path").first  # motmetrics_test's first bar
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # plotly's drag layer is on top
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_role("heading", name=re.compile(r"Frames of box height .* · motmetrics_test"))).to_be_visible()
    assert "frames have boxes in this bin" in page.inner_text("body")
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, f"breakdowns_sample_bin_frames_{size}")
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box: most errors first
    wait_idle(page)
    no_exception(page)
    assert "/inspector" in page.url
    expect(page.get_by_text(re.compile(r"frame \d+ / 71"))).to_be_visible()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample_patches_grid_and_open(app_server, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/patches{CAMPUS}")
    no_exception(page)
    expect(page.get_by_role("heading", name="Error patches · motmetrics_test")).to_be_visible()
    assert "Switches and fragmentations: CLEAR matching at IoU ≥ 0.5" in page.inner_text("body")
    screenshot(page, f"patches_sample_causes_{size}")
    images = page.locator('[data-testid="stImage"] img')
    expect(images.first).to_be_visible()
    assert 0 < images.count() <= 24
    images.first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, f"patches_sample_grid_{size}")
    first = patch_captions(page)[0]
    frame = int(re.search(r"· f (\d+) ·", first).group(1))
    page.locator('[class*="st-key-patch_open_"] button').first.click()  # the first patch's "Open"
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_text(f"frame {frame} / 71")).to_be_visible()
    assert "/inspector" in page.url


@pytest.fixture(scope="module")
def pets09(shared_data, tmp_path_factory) -> Path:
    """PETS09-S2L1 as a MOT15 layout with its whole video (its errors are past img1/'s first 100 frames)."""
    source = shared_data / "PETS09-S2L1"
    root = tmp_path_factory.mktemp("pets09_patches")
    seq = root / "gt" / "PETS09-S2L1"
    (seq / "gt").mkdir(parents=True)
    shutil.copy(source / "gt" / "gt.txt", seq / "gt" / "gt.txt")
    shutil.copy(source / "seqinfo.ini", seq / "seqinfo.ini")
    (root / "videos").mkdir()
    (root / "videos" / "PETS09-S2L1.avi").symlink_to(source / "vtest.avi")
    (root / "trackers" / "masa-hung-kf").mkdir(parents=True)
    shutil.copy(source / "trackers" / "masa-hung-kf.txt", root / "trackers" / "masa-hung-kf" / "PETS09-S2L1.txt")
    return root


@pytest.mark.shared
def test_pets09_patches_are_crops_of_the_frames(app_server_factory, pets09, browser_page, open_app, wait_idle,
                                                 screenshot):
    url = app_server_factory("--gt-folder", pets09 / "gt", "--trackers-folder", pets09 / "trackers",
                             "--benchmark", "MOT15", "--video-folder", pets09 / "videos")
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1440x900"])
    open_app(page, f"{url}/patches?seq=PETS09-S2L1&tracker=masa-hung-kf&alpha=0.5", timeout_ms=120_000)
    no_exception(page)
    images = page.locator('[data-testid="stImage"] img')
    expect(images.first).to_be_visible()
    images.first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, "patches_pets09_grid_1440x900")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_breakdowns_and_patches(app_server_factory, shared_data, tmp_path_factory, browser_page, open_app,
                                      wait_idle, screenshot, size):
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.getbasetemp() / "mot17_breakdowns.txt"
    seqmap.write_text("name\nMOT17-09-DPM\nMOT17-05-SDP\n")
    url = app_server_factory("--gt-folder", root / "gt" / "mot_challenge", "--trackers-folder",
                             root / "trackers" / "mot_challenge", "--benchmark", "MOT17", "--seqmap", seqmap)
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/breakdowns?seq=MOT17-09-DPM&tracker=MPNTrack&alpha=0.5", timeout_ms=240_000)
    no_exception(page)
    expect(page.locator(".js-plotly-plot")).to_have_count(3)  # BoTSORT, MPNTrack, MoTT
    assert "false positives cannot be put in a bin" in page.inner_text("body")  # visibility: gt only
    screenshot(page, f"breakdowns_mot17_visibility_{size}")
    open_app(page, f"{url}/patches?seq=MOT17-09-DPM&tracker=MPNTrack&alpha=0.5", timeout_ms=240_000)
    no_exception(page)
    page.get_by_text("Cause (switches)").scroll_into_view_if_needed()
    screenshot(page, f"patches_mot17_causes_{size}")
    images = page.locator('[data-testid="stImage"] img')
    expect(images.first).to_be_visible()
    images.first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, f"patches_mot17_grid_{size}")
