"""Breakdowns by KITTI occlusion and truncation in a real browser: a saved KITTI run (ground truth with
levels that change along each track) offers both conditions and not visibility; a click on a bar lists
that bin's frames. Screenshots at 1280x720 and 1440x900 (tests/screenshots/breakdowns_kitti_*.png)."""
from __future__ import annotations

import re

import pytest
from format_data import write_kitti
from kitti_levels import write_levels
from playwright.sync_api import expect

from tracklens.dashboard.cli import main
from conftest import no_exception  # tests/browser/conftest.py

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}


@pytest.fixture(scope="module")
def kitti_run(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("kitti_levels_browser")
    gt, trs = write_kitti(root / "data")
    write_levels(gt)
    assert main(["eval", "--format", "kitti", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                 "--save", str(root / "run"), "--quiet"]) == 0
    return str(root / "run")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_kitti_occlusion_chart_and_a_bins_frames(kitti_run, app_server_factory, browser_page, open_app, wait_idle,
                                                 screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    url = app_server_factory(kitti_run)
    open_app(page, f"{url}/breakdowns?cls=car&seq=0000&tracker=tracker_b&alpha=0.5")
    no_exception(page)
    expect(page.get_by_role("heading", name="Breakdowns by condition · class car")).to_be_visible()
    radios = page.locator('[data-testid="stRadio"]').first
    expect(radios.get_by_text("KITTI truncation")).to_be_visible()
    assert radios.get_by_text("Ground-truth visibility").count() == 0
    radios.get_by_text("KITTI occlusion").click()
    wait_idle(page)
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(2)  # one per tracker
    expect(charts.first.get_by_text("1 partly occluded")).to_be_visible()
    screenshot(page, f"breakdowns_kitti_occlusion_{size}")
    bar = charts.last.locator("g.point path").first  # tracker_b's first bar: bin "0 fully visible"
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # plotly's drag layer is on top
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_role("heading", name=re.compile(r"Frames of KITTI occlusion 0 fully visible · tracker_b"))
           ).to_be_visible()
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    screenshot(page, f"breakdowns_kitti_occlusion_bin_frames_{size}")
    radios.get_by_text("KITTI truncation").click()
    wait_idle(page)
    no_exception(page)
    expect(page.locator(".js-plotly-plot").first.get_by_text("(0.15, 0.3]")).to_be_visible()
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    screenshot(page, f"breakdowns_kitti_truncation_{size}")
