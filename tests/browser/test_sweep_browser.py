"""The Score sweep page and the Compare page's bootstrap sentence in a real browser, on the bundled
sample and on MOT17 (the 7 DPM sequences, three trackers, blank canvas), with screenshots at
1280x720 and 1440x900 (tests/screenshots/sweep_*.png)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from conftest import no_exception  # tests/browser/conftest.py

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
SENTENCE = re.compile(r"(\S+) is better than (\S+) on HOTA: [+-]\d+\.\d\d pt \[[+-]\d+\.\d\d, [+-]\d+\.\d\d\] "
                      r"\(95 % interval\), in \d+ % of resamples\.")


TRACKS = re.compile(r"(\S+) is better than (\S+) on AssA: [+-]\d+\.\d\d pt \[[+-]\d+\.\d\d, [+-]\d+\.\d\d\] "
                    r"\(95 % interval\), in \d+ % of resamples\.")


def body(page) -> str:
    return page.inner_text("body")


def resample_tracks(page, wait_idle, timeout_ms: int) -> re.Match:
    """Switch on the Compare page's ground-truth-track bootstrap; its AssA sentence."""
    assert not TRACKS.search(body(page))  # off until asked: it evaluates the sequences again
    page.get_by_text("Also resample ground-truth tracks within the sequences").click()
    wait_idle(page, timeout_ms=timeout_ms)
    no_exception(page)
    expect(page.get_by_text(re.compile("as many ground-truth tracks as it has"))).to_be_visible(timeout=timeout_ms)
    found = TRACKS.search(body(page))
    assert found, body(page)[:3000]
    page.get_by_text(re.compile("as many ground-truth tracks as it has")).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    return found


def run_sweep(page, wait_idle, timeout_ms: int) -> None:
    page.get_by_role("button", name=re.compile(r"Run the sweep \(20 cutoffs\)")).click()
    wait_idle(page, timeout_ms=timeout_ms)
    no_exception(page)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=timeout_ms)
    expect(page.get_by_role("button", name=re.compile("Run the sweep"))).to_have_count(0)
    page.wait_for_timeout(800)


def screenshot_table(page, screenshot, name: str) -> None:
    """The legend (tracker names, HOTA area) and the best-cutoff table, below the curves."""
    page.get_by_role("heading", name="Best cutoff per metric").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    screenshot(page, name)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample_sweep_and_compare(app_server, browser_page, open_app, wait_idle, screenshot, size):
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{app_server}/sweep?seq=TUD-Campus&tracker=motmetrics_test")
    no_exception(page)
    run_sweep(page, wait_idle, 120_000)
    text = body(page)
    assert "Best cutoff per metric" in text and "Flat curves" in text
    screenshot(page, f"sweep_sample_{size}")
    screenshot_table(page, screenshot, f"sweep_sample_table_{size}")
    open_app(page, f"{app_server}/compare?seq=TUD-Campus&tracker=motmetrics_test&tracker2=masa")
    no_exception(page)
    heading = page.get_by_role("heading", name=re.compile("Is the difference real"))
    heading.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    found = SENTENCE.search(body(page))
    assert found and found.group(1) == "masa" and found.group(2) == "motmetrics_test", body(page)[:3000]
    screenshot(page, f"sweep_compare_sample_{size}")
    found = resample_tracks(page, wait_idle, 120_000)
    assert (found.group(1), found.group(2)) == ("masa", "motmetrics_test")
    screenshot(page, f"sweep_compare_tracks_sample_{size}")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_sweep_and_compare(app_server_factory, shared_data, browser_page, open_app, wait_idle, screenshot,
                                 size):
    root = shared_data / "mot_challenge"
    url = app_server_factory("--gt-folder", root / "gt" / "mot_challenge", "--trackers-folder",
                             root / "trackers" / "mot_challenge", "--benchmark", "MOT17", "--seqmap",
                             root / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train-DPM.txt")
    page = browser_page
    page.set_viewport_size(VIEWPORTS[size])
    open_app(page, f"{url}/sweep?seq=MOT17-02-DPM&tracker=BoTSORT", timeout_ms=300_000)
    no_exception(page)
    run_sweep(page, wait_idle, 600_000)
    text = body(page)
    assert "Best cutoff per metric" in text
    assert re.search(r"Flat curves.*MPNTrack, MoTT", text), text[:3000]  # their scores are all 1
    screenshot(page, f"sweep_mot17_{size}")
    screenshot_table(page, screenshot, f"sweep_mot17_table_{size}")
    open_app(page, f"{url}/compare?seq=MOT17-02-DPM&tracker=BoTSORT&tracker2=MPNTrack", timeout_ms=300_000)
    no_exception(page)
    page.get_by_role("heading", name=re.compile("Is the difference real")).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    found = SENTENCE.search(body(page))
    assert found and {found.group(1), found.group(2)} == {"BoTSORT", "MPNTrack"}, body(page)[:3000]
    screenshot(page, f"sweep_compare_mot17_{size}")
    found = resample_tracks(page, wait_idle, 300_000)
    assert {found.group(1), found.group(2)} == {"BoTSORT", "MPNTrack"}
    screenshot(page, f"sweep_compare_tracks_mot17_{size}")
