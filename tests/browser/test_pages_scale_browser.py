"""Tracks, Overview, What-if and Metrics compared in a real browser, on the bundled sample and on MOT17 (three
sequences x three trackers from /work/shared/data): rows labelled and at least 10 px tall, the legends each
tab needs, clicks that open the inspector, the paper's numbers on the Overview, at 1280x720 and 1440x900."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import no_exception  # tests/browser/conftest.py

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
SAMPLE = "?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5"
MOT17_SEQUENCES = ("MOT17-02-FRCNN", "MOT17-04-FRCNN", "MOT17-09-FRCNN")
MOT17 = "?seq=MOT17-04-FRCNN&tracker=MPNTrack&alpha=0.5"
ROWS = re.compile(r"([\d,]+) of ([\d,]+) (ground-truth tracks|tracker ids)")


def rows_of(chart) -> list[tuple[str, float]]:
    """The chart's row labels and their vertical centres (px), top to bottom."""
    labels = chart.locator("g.ytick text")
    found = []
    for k in range(labels.count()):
        box = labels.nth(k).bounding_box()
        found.append((labels.nth(k).text_content(), box["y"] + box["height"] / 2))
    return sorted(found, key=lambda r: r[1])


def bar_heights(chart) -> list[float]:
    paths = chart.locator("g.trace.bars g.point path")
    return [paths.nth(k).bounding_box()["height"] for k in range(min(paths.count(), 200))]


def check_rows(page, chart, side: str) -> int:
    """Every drawn row labelled ("gt 12" / "id 7") and at least 10 px from the next, bars at least 10 px tall;
    as many rows as the caption says. Returns the number of rows."""
    expect(chart.locator("g.ytick text").first).to_be_attached()
    rows = rows_of(chart)
    prefix = "gt " if side == "gt" else "id "
    assert rows and all(label.startswith(prefix) and label[3:].isdigit() for label, _ in rows), rows[:5]
    gaps = [b - a for (_, a), (_, b) in zip(rows, rows[1:])]
    assert not gaps or min(gaps) >= 10, min(gaps)
    assert min(bar_heights(chart)) >= 10
    caption = page.get_by_text(ROWS).filter(has_text="ground-truth tracks" if side == "gt" else "tracker ids")
    shown = int(ROWS.search(caption.first.inner_text()).group(1).replace(",", ""))
    assert shown == len(rows)
    return len(rows)


def legend_text(chart) -> str:
    return chart.locator("g.legend").first.text_content()


def open_tracks(page, url: str, open_app, query: str, timeout_ms: int = 60_000):
    open_app(page, f"{url}/tracks{query}", timeout_ms=timeout_ms)
    no_exception(page)
    return page.locator('[data-testid="stPlotlyChart"]')


def check_both_tabs(page, charts, wait_idle, screenshot, name: str) -> None:
    """Both tabs' legends say what their colours mean; the tracker-id tab's rows are labelled and tall (its
    screenshot is ``name``)."""
    legend = legend_text(charts.first)
    assert "missed (FN at α)" in legend and "matched: colour and label = the tracker id" in legend
    page.get_by_role("tab", name="By tracker id").click()
    wait_idle(page)
    assert charts.count() == 1  # only the open tab is drawn
    tr_chart = charts.first
    expect(tr_chart.locator("g.ytick text").first).to_be_visible()
    check_rows(page, tr_chart, "tr")
    legend = legend_text(tr_chart)
    assert "false positive (FP at α)" in legend
    assert "not covered" not in legend and "identity switch" not in legend
    screenshot(page, name)
    page.get_by_role("tab", name="By ground-truth track").click()
    wait_idle(page)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample_tracks_rows_and_legends(app_server, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    charts = open_tracks(page, app_server, open_app, SAMPLE)
    check_rows(page, charts.first, "gt")
    screenshot(page, f"pages_tracks_sample_{size}")
    check_both_tabs(page, charts, wait_idle, screenshot, f"pages_tracks_sample_tr_{size}")


def test_sample_tracks_filters_and_bar_click(app_server, browser_page, open_app, wait_idle, screenshot):
    page = browser_page
    page.set_viewport_size(VIEWPORTS["1440x900"])
    charts = open_tracks(page, app_server, open_app, SAMPLE)
    page.get_by_text("Only tracks with errors").click()
    wait_idle(page)
    caption = ROWS.search(page.get_by_text(ROWS).first.inner_text())
    assert caption.group(1) == caption.group(2)  # every track of TUD-Campus (fewer than 50)
    assert check_rows(page, charts.first, "gt") == int(caption.group(2))
    bar = charts.first.locator("g.trace.bars g.point path").first
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_role("heading", name=re.compile("Frame inspector"))).to_be_visible()
    assert "/inspector" in page.url and re.search(r"track=\d+", page.url) and re.search(r"frame=\d+", page.url)
    screenshot(page, "pages_tracks_click_to_inspector")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample_overview_whatif_metrics(app_server, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/{SAMPLE}")
    no_exception(page)
    expect(page.get_by_text("What costs each tracker most")).to_be_visible()
    screenshot(page, f"pages_overview_sample_{size}")
    page.get_by_text("Where the trackers trade one error for another").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    screenshot(page, f"pages_overview_tradeoffs_sample_{size}")
    open_app(page, f"{app_server}/whatif{SAMPLE}")
    no_exception(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator("g.legend")).to_be_attached()
    assert "gain of this fix alone" in legend_text(chart)
    expect(page.get_by_text(re.compile(r"^HOTA of all 2 sequences combined exactly as TrackEval"))).to_be_visible()
    screenshot(page, f"pages_whatif_sample_{size}")
    open_app(page, f"{app_server}/metrics{SAMPLE}", timeout_ms=120_000)
    no_exception(page)
    expect(page.get_by_text("Every metric, every tracker")).to_be_visible()
    screenshot(page, f"pages_metrics_sample_{size}")


# ------------------------------------------------------------------ MOT17

@pytest.fixture(scope="module")
def mot17_url(app_server_factory, shared_data, tmp_path_factory) -> str:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.mktemp("pages") / "mot17_three.txt"
    seqmap.write_text("name\n" + "".join(f"{s}\n" for s in MOT17_SEQUENCES))
    return app_server_factory("--gt-folder", root / "gt" / "mot_challenge", "--trackers-folder",
                              root / "trackers" / "mot_challenge", "--benchmark", "MOT17", "--seqmap", seqmap)


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_04_tracks_at_benchmark_scale(mot17_url, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    charts = open_tracks(page, mot17_url, open_app, MOT17, timeout_ms=300_000)
    assert check_rows(page, charts.first, "gt") == 50  # worst 50 of ~80 tracks with errors
    screenshot(page, f"pages_tracks_mot17_{size}")
    charts.first.scroll_into_view_if_needed()
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(500)
    screenshot(page, f"pages_tracks_mot17_scrolled_{size}")
    check_both_tabs(page, charts, wait_idle, screenshot, f"pages_tracks_mot17_tr_{size}")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_overview_numbers_and_links(mot17_url, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{mot17_url}/{MOT17}", timeout_ms=300_000)
    no_exception(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    assert box["x"] + box["width"] <= VIEWPORTS[size]["width"]  # the table fits the page
    screenshot(page, f"pages_overview_mot17_{size}")
    links = page.get_by_role("button", name=re.compile(r"^gt \d+ →$"))
    expect(links.first).to_be_visible()
    gt = re.search(r"\d+", links.first.inner_text()).group(0)
    links.first.click()
    wait_idle(page, timeout_ms=120_000)
    no_exception(page)
    expect(page.get_by_role("heading", name=re.compile("Frame inspector"))).to_be_visible()
    assert f"track={gt}" in page.url
    screenshot(page, f"pages_overview_mot17_link_{size}")
