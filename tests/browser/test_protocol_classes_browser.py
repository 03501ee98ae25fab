"""The ``classes=1,7`` protocol on the Compare page in a real browser: chosen as Protocol B, its rule shown
under it and the counts table the same as ``diff_sequence`` between ``trackeval`` and ``classes=1,7``
(MOT17, blank canvas); on the bundled MOT15 sample a warning says why it cannot score. Screenshots at
1280x720 and 1440x900 (tests/screenshots/protocol_classes_*.png)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from conftest import no_exception  # tests/browser/conftest.py

from tracklens.analysis.diff import diff_sequence
from tracklens.dashboard.diff_views import summary_view
from tracklens.evaluate import load_sequence
from tracklens.layout import resolve
from tracklens.protocols import analyse_under, protocol
from tracklens.rundiff import gather

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
MOT17_SEQ = "MOT17-02-DPM"
PRESET = "classes=1,7"


def choose_protocol_b(page, wait_idle) -> None:
    """Protocol B set to the classes preset, and the section scrolled into view."""
    heading = page.get_by_role("heading", name=re.compile(r"^Protocols side by side: "))
    heading.scroll_into_view_if_needed()
    page.get_by_role("combobox", name="Protocol B").click()
    page.get_by_role("option", name=PRESET, exact=True).click()
    wait_idle(page, timeout_ms=180_000)
    no_exception(page)
    heading.scroll_into_view_if_needed()
    expect(page.get_by_text(protocol(PRESET).rule)).to_be_visible()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample_classes_protocol_is_explained(app_server, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/compare?seq=TUD-Campus&tracker=motmetrics_test&tracker2=masa&alpha=0.5&frame=40")
    no_exception(page)
    choose_protocol_b(page, wait_idle)
    expect(page.get_by_text(re.compile("Cannot score this run under both protocols.*MOT15 ground truth has none"))
           ).to_be_visible()
    page.wait_for_timeout(300)
    screenshot(page, f"protocol_classes_sample_{size}")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_trackeval_against_classes(app_server_factory, shared_data, tmp_path_factory, browser_page, open_app,
                                         wait_idle, screenshot, size):
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.getbasetemp() / "mot17_classes.txt"
    seqmap.write_text(f"name\n{MOT17_SEQ}\n")
    gt, trackers = root / "gt" / "mot_challenge", root / "trackers" / "mot_challenge"
    url = app_server_factory("--gt-folder", gt, "--trackers-folder", trackers, "--benchmark", "MOT17",
                             "--seqmap", seqmap, "--trackers", "BoTSORT", "MoTT")
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/compare?seq={MOT17_SEQ}&tracker=BoTSORT&tracker2=MoTT&alpha=0.5&frame=1",
             timeout_ms=180_000)
    no_exception(page)
    choose_protocol_b(page, wait_idle)
    loaded = load_sequence(resolve(str(gt), str(trackers), "MOT17", "train", str(seqmap), ["BoTSORT"]).sequences[0])
    g, tr = loaded.gt, loaded.trackers["BoTSORT"]
    part = diff_sequence(analyse_under("trackeval", MOT17_SEQ, g, tr, "BoTSORT"),
                         analyse_under(PRESET, MOT17_SEQ, g, tr, "BoTSORT"), 9)
    want = summary_view(gather([part], "a", "b", 0.5, 0.5, 0.5), MOT17_SEQ)
    table = page.locator('[data-testid="stTable"]').filter(has_text="explained by").last
    table.scroll_into_view_if_needed()
    shown = table.inner_text()
    for row in want.itertuples():
        assert row._6 in shown, row._6  # "+added introduced − removed fixed" of every measure
    assert f"--protocols trackeval,{PRESET}" in page.inner_text("body")
    page.wait_for_timeout(300)
    screenshot(page, f"protocol_classes_mot17_{size}")
