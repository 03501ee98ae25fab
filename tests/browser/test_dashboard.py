"""The dashboard in a real browser: start `streamlit run dashboard/app.py` on the bundled sample,
click through every page as a user would, and keep screenshots (tests/screenshots/)."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from conftest import no_exception  # tests/browser/conftest.py

QUERY = "?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5&frame=30"


def go(page, url, open_app, path=""):
    open_app(page, f"{url}/{path}{QUERY}")
    no_exception(page)


def test_overview(app_server, browser_page, open_app, screenshot, page_errors):
    go(browser_page, app_server, open_app)
    expect(browser_page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(browser_page.get_by_text("Scores against α")).to_be_visible()
    assert browser_page.locator('[data-testid="stPlotlyChart"]').count() >= 5
    screenshot(browser_page, "overview", full_page=True)
    browser_page.get_by_text("Where the trackers trade one error for another").scroll_into_view_if_needed()
    browser_page.wait_for_timeout(800)
    screenshot(browser_page, "overview_tradeoffs")
    assert not [e for e in page_errors if "pageerror" in e], page_errors


def test_inspector_click_through(app_server, browser_page, open_app, wait_idle, screenshot):
    page = browser_page
    go(page, app_server, open_app, "inspector")
    expect(page.get_by_text("frame 30 / 71")).to_be_visible()
    screenshot(page, "inspector_frame30")
    page.get_by_role("button", name=re.compile(r"^▶")).click()  # "▶", and its shortcut "→"
    wait_idle(page)
    expect(page.get_by_text("frame 31 / 71")).to_be_visible()
    assert "frame=31" in page.url  # a step reruns the frame region only, and the URL still follows
    page.get_by_role("button", name="next ▶").click()
    wait_idle(page)
    no_exception(page)
    caption = page.get_by_text(re.compile(r"frame \d+ / 71")).inner_text()
    frame = int(re.search(r"frame (\d+)", caption).group(1))
    assert frame > 31
    expect(page.get_by_text(re.compile(r"CLEAR \(IoU ≥ 0.50\): gt \d+ ← id \d+")).first).to_be_visible()
    assert f"frame={frame}" in page.url
    screenshot(page, "inspector_next_switch")
    page.get_by_text("gt", exact=True).click()  # the Show radio: both / gt / tracker
    wait_idle(page)
    no_exception(page)
    screenshot(page, "inspector_gt_only")


def test_inspector_arrow_keys_step_frames(app_server, browser_page, open_app, wait_idle, screenshot):
    page = browser_page
    go(page, app_server, open_app, "inspector")
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    expect(page.get_by_text("frame 31 / 71")).to_be_visible()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
        wait_idle(page)
    expect(page.get_by_text("frame 28 / 71")).to_be_visible()
    assert "frame=28" in page.url
    no_exception(page)
    screenshot(page, "inspector_keys_frame28")


def test_inspector_table_pick_highlights_a_track_that_stays_while_stepping(app_server, browser_page, open_app,
                                                                          wait_idle, screenshot):
    page = browser_page
    go(page, app_server, open_app, "inspector")
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection box (under the header)
    wait_idle(page)
    no_exception(page)
    picked = page.get_by_text(re.compile(r"Selected ground-truth track: \d+"))
    expect(picked).to_be_visible()
    track = picked.inner_text().rsplit(" ", 1)[1]
    assert f"track={track}" in page.url
    page.get_by_role("button", name=re.compile(r"^▶")).click()
    wait_idle(page)
    expect(page.get_by_text("frame 31 / 71")).to_be_visible()
    expect(page.get_by_text(f"Selected ground-truth track: {track}")).to_be_visible()  # not the next frame's row
    screenshot(page, "inspector_track_picked_then_stepped")


def test_inspector_error_strip_click_opens_that_frame(app_server, browser_page, open_app, wait_idle, screenshot):
    """The strip of FN / FP / switches over the whole sequence: clicking a bar shows its first frame."""
    page = browser_page
    go(page, app_server, open_app, "inspector")
    strip = page.locator('[data-testid="stPlotlyChart"]').first
    expect(strip.locator("g.trace.bars path").first).to_be_attached()
    strip.scroll_into_view_if_needed()  # below the frame and its table
    page.wait_for_timeout(300)
    bars = strip.locator("g.trace.bars path")
    drawn = [b for b in (bars.nth(i).bounding_box() for i in range(bars.count())) if b and b["height"] > 2]
    assert len(drawn) > 10  # one bar per frame of TUD-Campus that has an error
    last = max(drawn, key=lambda b: b["x"])  # the right end of the strip: late in the sequence
    page.mouse.click(last["x"] + last["width"] / 2, last["y"] + last["height"] / 2)
    wait_idle(page)
    no_exception(page)
    caption = page.get_by_text(re.compile(r"frame \d+ / 71")).inner_text()
    frame = int(re.search(r"frame (\d+)", caption).group(1))
    assert 60 <= frame <= 71, caption
    assert f"frame={frame}" in page.url
    screenshot(page, "inspector_error_strip_jump")


def test_tracks_page_and_jump_from_table(app_server, browser_page, open_app, wait_idle, screenshot):
    page = browser_page
    go(page, app_server, open_app, "tracks")
    expect(page.get_by_role("heading", name=re.compile("Tracks"))).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
    screenshot(page, "tracks", full_page=True)
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()  # the rows' order
    page.get_by_role("option", name="order: most id changes").click()
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_text(re.compile(r"by most id changes\."))).to_be_visible()


def test_tracks_timeline_click_opens_that_frame_in_the_inspector(app_server, browser_page, open_app, wait_idle,
                                                                 screenshot):
    page = browser_page
    go(page, app_server, open_app, "tracks")
    timeline = page.locator('[data-testid="stPlotlyChart"]').first
    expect(timeline.locator("g.trace.bars g.point path").first).to_be_attached()
    points = timeline.locator("g.trace.bars g.point path")  # one bar per run of frames
    boxes = [b for b in (points.nth(i).bounding_box() for i in range(min(points.count(), 400))) if b]
    target = sorted(boxes, key=lambda b: (b["y"], b["x"]))[len(boxes) // 2]  # a point mid-chart
    page.mouse.click(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_role("heading", name=re.compile("Frame inspector"))).to_be_visible()
    assert "/inspector" in page.url and "track=" in page.url
    # the view (tracker, alpha) survives the page switch
    expect(page.get_by_role("heading", name="Frame inspector · TUD-Campus · motmetrics_test")).to_be_visible()
    assert "tracker=motmetrics_test" in page.url and "alpha=0.5" in page.url
    frame = int(re.search(r"frame=(\d+)", page.url).group(1))
    expect(page.get_by_text(f"frame {frame} / 71")).to_be_visible()
    screenshot(page, "tracks_timeline_click_to_inspector")


def test_tracks_selected_track_explained(app_server, browser_page, open_app, screenshot):
    page = browser_page
    open_app(page, f"{app_server}/tracks{QUERY}&track=3")
    no_exception(page)
    expect(page.get_by_text("Why ground-truth track 3 scores what it scores")).to_be_visible()
    expect(page.get_by_text(re.compile(r"tracker id \d+ matches it in \d+ of its 63 frames")).first).to_be_visible()
    screenshot(page, "tracks_why", full_page=True)


def test_compare_and_whatif(app_server, browser_page, open_app, screenshot):
    page = browser_page
    go(page, app_server, open_app, "compare")
    expect(page.get_by_text(re.compile("B − A per sequence"))).to_be_visible()
    screenshot(page, "compare", full_page=True)
    go(page, app_server, open_app, "whatif")
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
    expect(page.get_by_text("all fixed").first).to_be_visible()
    screenshot(page, "whatif", full_page=True)


def test_navigation_keeps_the_view_in_the_url(app_server, browser_page, open_app, wait_idle):
    page = browser_page
    go(page, app_server, open_app, "inspector")
    page.get_by_role("link", name="Tracks").click()
    wait_idle(page)
    no_exception(page)
    assert "seq=TUD-Campus" in page.url and "tracker=motmetrics_test" in page.url
