"""The dashboard in a real browser: start `streamlit run dashboard/app.py` on the bundled sample,
click through every page as a user would, and keep screenshots (tests/screenshots/)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

QUERY = "?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5&frame=30"


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]


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
    page.get_by_role("button", name="▶", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("frame 31 / 71")).to_be_visible()
    page.get_by_role("button", name="next ▶").click()
    wait_idle(page)
    no_exception(page)
    caption = page.get_by_text(re.compile(r"frame \d+ / 71")).inner_text()
    frame = int(re.search(r"frame (\d+)", caption).group(1))
    assert frame > 31
    expect(page.get_by_text(re.compile("SWITCH|ASCEND")).first).to_be_visible()
    assert f"frame={frame}" in page.url
    screenshot(page, "inspector_next_switch")
    page.get_by_text("ground truth", exact=True).click()
    wait_idle(page)
    no_exception(page)
    screenshot(page, "inspector_gt_only")


def test_tracks_page_and_jump_from_table(app_server, browser_page, open_app, wait_idle, screenshot):
    page = browser_page
    go(page, app_server, open_app, "tracks")
    expect(page.get_by_role("heading", name=re.compile("Tracks"))).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
    screenshot(page, "tracks", full_page=True)
    page.get_by_text("most switches").click()
    wait_idle(page)
    no_exception(page)


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
