"""Saved KITTI and BDD100K runs in a real browser: the dashboard opens each (overview with the class
selector and the table of every class, the frame inspector drawing that class's boxes on a blank
canvas), switching class from the sidebar, and the HTML report of each; screenshots at 1280x720 and
1440x900 (tests/screenshots/formats_*.png)."""
from __future__ import annotations

import re

import pytest
from format_data import write_bdd, write_kitti
from playwright.sync_api import expect

from tracklens.dashboard.cli import main
from tracklens.dashboard.report import build_report
from tracklens.workspace import Workspace
from conftest import no_exception  # tests/browser/conftest.py

SIZES = ({"width": 1280, "height": 720}, {"width": 1440, "height": 900})
FIRST = {"kitti": ("0000", "car"), "bdd100k": ("video-0", "pedestrian")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, str]:
    out = {}
    for fmt, write in (("kitti", write_kitti), ("bdd100k", write_bdd)):
        root = tmp_path_factory.mktemp(fmt)
        gt, trs = write(root / "data")
        assert main(["eval", "--format", fmt, "--gt-folder", str(gt), "--trackers-folder", str(trs),
                     "--save", str(root / "run"), "--quiet"]) == 0
        out[fmt] = str(root / "run")
    return out


@pytest.mark.parametrize("fmt", ["kitti", "bdd100k"])
def test_saved_run_in_the_dashboard(fmt, runs, app_server_factory, browser_page, open_app, wait_idle, screenshot,
                                    page_errors):
    page = browser_page
    url = app_server_factory(runs[fmt])
    seq, cls = FIRST[fmt]
    ws = Workspace.load(runs[fmt])
    for size in SIZES:
        page.set_viewport_size(size)
        tag = f"{size['width']}x{size['height']}"
        open_app(page, f"{url}/?seq={seq}&tracker=tracker_b&alpha=0.5")
        no_exception(page)
        expect(page.get_by_role("heading", name=f"Overview · class {cls}")).to_be_visible()
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar.get_by_text("Class", exact=True)).to_be_visible()
        expect(page.get_by_text(f"Every class ({len(ws.classes)}) and the class combinations")).to_be_visible()
        assert page.locator('[data-testid="stPlotlyChart"]').count() >= 3
        screenshot(page, f"formats_{fmt}_overview_{tag}")

        open_app(page, f"{url}/inspector?cls=car&seq={seq}&tracker=tracker_b&alpha=0.5&frame=14")
        no_exception(page)
        expect(page.get_by_role("heading", name=f"Frame inspector · {seq} · tracker_b · class car")).to_be_visible()
        expect(page.get_by_text("frame 14 / 24")).to_be_visible()
        expect(page.get_by_text(re.compile("blank 1280x720 canvas"))).to_be_visible()
        # tracker_b swapped the two cars at frame 13: the switch is listed at the frame the URL opened
        events = ws.for_class("car").analysis("tracker_b", seq).events
        assert (events[events["frame"] == 13]["type"] == "SWITCH").sum() == 2
        assert "cls=car" in page.url
        screenshot(page, f"formats_{fmt}_inspector_{tag}")

    # The class selector drives every page: switch to the other class from the sidebar.
    page.set_viewport_size(SIZES[1])
    open_app(page, f"{url}/?cls=car&seq={seq}&tracker=tracker_b")
    other = "pedestrian"
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=other, exact=True).click()
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_role("heading", name=f"Overview · class {other}")).to_be_visible()
    assert f"cls={other}" in page.url
    assert not [e for e in page_errors if "pageerror" in e], page_errors


@pytest.mark.parametrize("fmt", ["kitti", "bdd100k"])
def test_report_of_a_saved_run(fmt, runs, tmp_path, browser_page, screenshot, page_errors):
    page = browser_page
    ws = Workspace.load(runs[fmt])
    path = tmp_path / "report.html"
    path.write_text(build_report(ws, max_tracks=2), encoding="utf-8")
    cls = ws.class_name
    for size in SIZES:
        page.set_viewport_size(size)
        page.goto(path.as_uri(), wait_until="load")
        expected = page.locator("div.figure").count()
        page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected}",
                               timeout=30_000)
        expect(page.get_by_role("heading", name=f"Summary · class {cls}")).to_be_visible()
        expect(page.get_by_role("heading", name="Every class")).to_be_visible()
        rows = page.locator("h3:has-text('Every class') + .table-wrap tbody tr").count()
        assert rows == 2 * (len(ws.classes) + len(ws.combined["tracker_a"]))
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
        assert images and all(ok and w > 50 for ok, w in images), images
        expect(page.get_by_text(f"--format {fmt}")).to_be_visible()
        screenshot(page, f"formats_{fmt}_report_{size['width']}x{size['height']}")
    assert page_errors == [], page_errors
