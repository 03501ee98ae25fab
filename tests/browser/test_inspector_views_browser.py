"""The frame inspector's views in a real browser (issue 11, items 2, 3, 6 and 9): the frame and the step
controls visible together at 1280x720 and 1440x900, keyboard steps by frame and by error, Play moving
the slider, the strip marker and the URL; crop, filmstrip and trails; Compare's clickable rows; every
view choice in the URL. On the bundled sample, MOT17 (blank canvas) and PETS09-S2L1 (img1/ frames),
with screenshots (tests/screenshots/inspector_views_*.png)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect
from conftest import no_exception, pets09_layout  # tests/browser/conftest.py

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
    page.wait_for_timeout(800)  # the grid draws its rows once in view
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
    return pets09_layout(shared_data, tmp_path_factory.mktemp("pets09_views"))


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


PETS09_PAGES = {  # url path -> (a heading the page draws, a text of its content)
    "": ("Overview", "What costs each tracker most"), "tracks": ("Tracks ·", "By ground-truth track"),
    "compare": ("Compare", "Run diff on PETS09-S2L1"), "whatif": ("What-if", "points of combined HOTA"),
    "metrics": ("Metrics compared", "HOTA"), "breakdowns": ("Breakdowns", "masa-hung-kf"),
    "sweep": ("Score sweep", "HOTA area"),
}


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_pets09_every_page_opens_with_its_content(app_server_factory, pets09_root, browser_page, open_app, wait_idle,
                                                  screenshot, size):
    """Every page on PETS09-S2L1 (MOT15 rules, img1/ frames): drawn without an exception, with its content."""
    url = pets09_url(app_server_factory, pets09_root)
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    for path, (heading, text) in PETS09_PAGES.items():
        open_app(page, f"{url}/{path}?seq=PETS09-S2L1&tracker=masa-hung-kf&tracker2=masa&alpha=0.5",
                 timeout_ms=120_000)
        wait_idle(page)
        no_exception(page)
        expect(page.get_by_role("heading", name=re.compile(re.escape(heading))).first).to_be_visible(timeout=60_000)
        expect(page.get_by_text(text).first).to_be_attached(timeout=60_000)
        screenshot(page, f"pages_pets09_{path or 'overview'}_{size}")


# ------------------------------------------------------------------ item 2: readable crowded frames


def pick_view(page, wait_idle, label: str) -> None:
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').nth(1).click()
    page.get_by_role("option", name=label).click()
    wait_idle(page)


def image_size(page) -> tuple[int, int]:
    return tuple(frame_image(page).evaluate("e => [e.naturalWidth, e.naturalHeight]"))


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_crop_zoom_and_filmstrip_on_the_sample(app_server, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/inspector{STADTMITTE}&frame=53")
    whole = image_size(page)
    pick_view(page, wait_idle, "crop: close")
    no_exception(page)
    expect(page.get_by_text("frame 53 / 179 · α = 0.50 · cropped to this frame's identity events")).to_be_visible()
    assert query(page)["view"] == "tight"
    assert image_size(page)[0] > whole[0] * 0.5  # a part of the frame, drawn at about the display width
    assert_frame_and_controls_visible(page)
    screenshot(page, f"inspector_views_crop_sample_{size}")
    page.locator("h1").first.click()  # keys to the page, not the selectbox
    page.keyboard.press("Shift+ArrowRight")  # the crop follows to the next identity event
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"· cropped to this frame's identity events"))).to_be_visible()
    assert frame_shown(page) > 53

    pick_view(page, wait_idle, "zoom & pan")
    chart = page.locator(".st-key-frame_area .js-plotly-plot").first
    expect(chart).to_be_visible()
    assert query(page)["view"] == "zoom"
    box = chart.bounding_box()
    hovered = ""
    for fx in (0.55, 0.65, 0.72, 0.8, 0.9, 0.3, 0.4):  # somewhere over a box
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.5)
        page.wait_for_timeout(300)
        if page.locator(".hoverlayer .hovertext").count():
            hovered = page.locator(".hoverlayer .hovertext").first.text_content()
            break
    assert re.search(r"(gt|id) \d+ · (TP|FN|FP) at α 0\.50 \(HOTA\)", hovered), hovered
    assert "HOTA" in hovered and "CLEAR" in hovered
    screenshot(page, f"inspector_views_zoom_hover_sample_{size}")
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    before = chart.evaluate("e => e._fullLayout.xaxis.range")
    for _ in range(6):
        page.mouse.wheel(0, -300)  # zoom in, in the browser (no rerun)
        page.wait_for_timeout(150)
    page.wait_for_timeout(500)
    x_range = chart.evaluate("e => e._fullLayout.xaxis.range")
    assert x_range[1] - x_range[0] < (before[1] - before[0]) * 0.7, (before, x_range)
    assert_in_view(page, chart, "the zoomable frame")

    pick_view(page, wait_idle, "whole frame")
    page.get_by_text(re.compile("^Filmstrip")).click()
    wait_idle(page)
    no_exception(page)
    strip = page.get_by_text(re.compile(r"^frames \d+…\d+ around frame \d+, cropped to"))
    expect(strip).to_be_visible()
    assert query(page)["film"] == "1"
    strip.scroll_into_view_if_needed()
    screenshot(page, f"inspector_views_filmstrip_sample_{size}")


def test_one_click_on_a_table_row_crops_to_its_track(app_server, browser_page, open_app, wait_idle, screenshot):
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1440x900"])
    open_app(page, f"{app_server}/inspector{STADTMITTE}&frame=53")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(800)  # the grid draws its rows once in view
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 55)  # the row picker of the first row (gt 4, the switch)
    page.wait_for_function("() => /[?&]track=/.test(location.search)")  # the pick, then its rerun
    wait_idle(page)
    no_exception(page)
    assert query(page).get("track") == "4" and query(page)["view"] == "medium"
    expect(page.get_by_text("cropped to ground-truth track 4")).to_be_visible()
    page.locator("h1").first.scroll_into_view_if_needed()
    assert_frame_and_controls_visible(page)
    screenshot(page, "inspector_views_crop_track_sample_1440x900")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_crowd_crops_to_a_track_and_zooms(app_server_factory, shared_data, tmp_path_factory, browser_page,
                                                open_app, wait_idle, screenshot, size):
    url = mot17_url(app_server_factory, shared_data, tmp_path_factory)
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/inspector?seq=MOT17-04-DPM&tracker=MPNTrack&alpha=0.5&frame=100&track=5&view=medium",
             timeout_ms=240_000)
    no_exception(page)
    expect(page.get_by_text("frame 100 / 1050 · α = 0.50 · cropped to ground-truth track 5")).to_be_visible()
    assert_frame_and_controls_visible(page)
    screenshot(page, f"inspector_views_crop_mot17_{size}")
    page.locator("h1").first.click()
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    assert frame_shown(page) == 101 and query(page)["view"] == "medium"
    pick_view(page, wait_idle, "zoom & pan")
    expect(page.locator(".st-key-frame_area .js-plotly-plot").first).to_be_visible()
    assert page.locator(".st-key-frame_area .js-plotly-plot").first.evaluate("e => e.data.length") >= 50
    screenshot(page, f"inspector_views_zoom_mot17_{size}")


@pytest.mark.shared
def test_pets09_crop_and_filmstrip_from_img1(app_server_factory, pets09_root, browser_page, open_app, wait_idle,
                                              screenshot):
    url = pets09_url(app_server_factory, pets09_root)
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1440x900"])
    open_app(page, f"{url}/inspector?seq=PETS09-S2L1&tracker=masa-hung-kf&alpha=0.5&frame=60&track=13&view=tight&film=1",
             timeout_ms=120_000)
    no_exception(page)
    expect(page.get_by_text("frame 60 / 795 · α = 0.50 · cropped to ground-truth track 13")).to_be_visible()
    assert_frame_and_controls_visible(page)
    screenshot(page, "inspector_views_crop_pets09_1440x900")
    strip = page.get_by_text("frames 57…63 around frame 60, cropped to ground-truth track 13")
    strip.scroll_into_view_if_needed()
    screenshot(page, "inspector_views_filmstrip_pets09_1440x900")


# ------------------------------------------------------------------ item 6: Compare


def test_compare_rows_open_the_track_with_the_same_colour_per_person(app_server, browser_page, open_app, wait_idle,
                                                                      screenshot):
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1440x900"])
    open_app(page, f"{app_server}/compare?seq=TUD-Stadtmitte&tracker=motmetrics_test&tracker2=masa&alpha=0.5&frame=53")
    no_exception(page)
    expect(page.get_by_text("Boxes coloured by the ground-truth person they are")).to_be_visible()
    grid = page.locator('[data-testid="stDataFrame"]').nth(1)
    first_gt = grid.locator('td[role="gridcell"]').first.text_content().strip()
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(800)  # the grid draws its rows once in view
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 55)  # the row picker of the first row
    page.wait_for_function("() => /[?&]track=/.test(location.search)")  # the pick, then its rerun
    wait_idle(page)
    no_exception(page)
    assert query(page)["track"] == first_gt and query(page)["compare"] == "medium"
    captions = page.get_by_text(re.compile(f"cropped to ground-truth track {first_gt}$"))
    expect(captions.first).to_be_visible()
    assert captions.count() == 2
    expect(page.get_by_role("link", name=f"Open ground-truth track {first_gt} in the frame inspector →")).to_be_visible()
    captions.first.scroll_into_view_if_needed()
    screenshot(page, "inspector_views_compare_track_1440x900")


@pytest.mark.shared
def test_compare_on_mot17(app_server_factory, shared_data, tmp_path_factory, browser_page, open_app, screenshot):
    url = mot17_url(app_server_factory, shared_data, tmp_path_factory)
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1440x900"])
    open_app(page, f"{url}/compare?seq=MOT17-04-DPM&tracker=MPNTrack&tracker2=BoTSORT&alpha=0.5&frame=100&track=5"
             "&compare=wide", timeout_ms=240_000)
    no_exception(page)
    assert page.get_by_text(re.compile("cropped to ground-truth track 5$")).count() == 2
    page.get_by_text(re.compile("cropped to ground-truth track 5$")).first.scroll_into_view_if_needed()
    screenshot(page, "inspector_views_compare_mot17_1440x900")


# ------------------------------------------------------------------ item 9: the URL


def test_a_link_reopens_every_view_choice(app_server, browser_page, open_app, wait_idle):
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1280x720"])
    open_app(page, f"{app_server}/inspector{STADTMITTE}&frame=53&show=tr&jump=fp&view=wide&film=1")
    no_exception(page)
    expect(page.get_by_label("tracker", exact=True)).to_be_checked()
    expect(page.get_by_text("false positive (FP at α)")).to_be_visible()
    expect(page.get_by_text("· cropped to this frame's identity events")).to_be_visible()
    q = query(page)
    assert (q["show"], q["jump"], q["view"], q["film"]) == ("tr", "fp", "wide", "1")
    page.locator('[data-testid="stSidebarNav"] a', has_text="Tracks").first.click()
    wait_idle(page)
    page.get_by_role("combobox", name="Order by").click()
    page.get_by_role("option", name="order: most id changes").click()
    wait_idle(page)
    page.get_by_role("tab", name="By tracker id").click()
    wait_idle(page)
    q = query(page)
    assert (q["tab"], q["sort"], q["view"]) == ("By tracker id", "most id changes", "wide"), q
    page.locator('[data-testid="stSidebarNav"] a', has_text="Compare").first.click()
    wait_idle(page)
    assert query(page)["tracker2"] == "masa" != query(page)["tracker"]
