"""The HTML report in a real browser: built from the bundled sample, opened from a file in headless
chromium with every network request blocked, it renders each plotly figure and every thumbnail
with no console error (tests/screenshots/report.png is the full page)."""
from __future__ import annotations

import pytest

from tracklens.workspace import Workspace
from tracklens.dashboard.report import build_report


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, sample_dir):
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                video_folder=str(sample_dir / "videos"))
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(build_report(ws, alpha=0.5, whatif=True), encoding="utf-8")
    return path


def test_report_opens_offline(report_file, browser_page, page_errors, screenshot):
    page = browser_page
    outside = []

    def block(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", block)
    page.goto(report_file.as_uri(), wait_until="load")
    expected = page.locator("div.figure").count()
    assert expected >= 4  # alpha curves, DetA x AssA, difficulty, what-if
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}",
                           timeout=30_000)
    page.wait_for_timeout(500)
    assert page.evaluate("typeof Plotly") == "object"
    plots = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => p.data.length)")
    assert len(plots) == expected and all(n > 0 for n in plots), plots
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert images and all(ok and w > 100 and h > 50 for ok, w, h in images), images
    for heading in ("Summary", "Scores against α", "Detection x association", "Worst tracks", "What-if gains",
                    "How these numbers were made"):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert page.locator("table.metrics").first.locator("tbody tr").count() == 2
    assert outside == [], outside
    assert page_errors == [], page_errors
    screenshot(page, "report", full_page=True)


def test_dashboard_exports(app_server, browser_page, open_app, wait_idle, tmp_path, page_errors):
    """The same report from the overview page, and a clip from the frame inspector, downloaded as a
    user would (both are built on click)."""
    page = browser_page
    open_app(page, f"{app_server}/?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5&frame=33&track=3")
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Download the HTML report").click()
    report = tmp_path / info.value.suggested_filename
    info.value.save_as(report)
    text = report.read_text(encoding="utf-8")
    assert report.name == "tracklens_report.html" and text.startswith("<!DOCTYPE html>")
    assert '<section id="tracks">' in text and text.count("* plotly.js v") == 1

    open_app(page, f"{app_server}/inspector?seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5&frame=33&track=3")
    page.get_by_text("Export a clip of these frames").click()
    wait_idle(page)
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="Download MP4").click()
    clip = tmp_path / info.value.suggested_filename
    info.value.save_as(clip)
    assert clip.name == "TUD-Campus_motmetrics_test_8-58_gt3.mp4"
    from tracklens.dashboard.clips import read_clip
    assert len(read_clip(clip)) == 51
    assert not [e for e in page_errors if "pageerror" in e], page_errors
