"""A run saved under a protocol that TrackEval's pipeline cannot reproduce, in a real browser: the What-if
page and the Overview say why (``reevaluation_refused``) instead of numbers under other rules. The bundled
sample under ``motmetrics``, and MOT17 under ``classes=1,7`` (shared data). Screenshots at 1280x720 and
1440x900 (tests/screenshots/protocol_gate_*.png)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from conftest import no_exception  # tests/browser/conftest.py

from tracklens.dashboard.cli import main
from tracklens.run import reevaluation_refused
from tracklens.workspace import Workspace

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
MOT17_SEQ = "MOT17-09-DPM"


def saved(run_dir, gt, trackers, benchmark: str, name: str, *extra: str):
    if not (run_dir / "manifest.json").exists():
        assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trackers), "--benchmark", benchmark,
                     "--quiet", "--protocol", name, "--save", str(run_dir), *extra]) == 0
    return run_dir


def check_pages(url: str, page, query: str, refused: str, wait_idle, screenshot, name: str) -> None:
    page.goto(f"{url}/whatif?{query}", wait_until="domcontentloaded")
    wait_idle(page, timeout_ms=180_000)
    no_exception(page)
    expect(page.get_by_text(refused, exact=True)).to_be_visible()
    screenshot(page, f"protocol_gate_{name}_whatif")
    page.goto(f"{url}/?{query}", wait_until="domcontentloaded")
    wait_idle(page, timeout_ms=180_000)
    no_exception(page)
    expect(page.get_by_text("Input check not run: " + refused, exact=True)).to_be_visible()
    costs = page.get_by_role("heading", name="What costs each tracker most")
    costs.scroll_into_view_if_needed()
    expect(page.get_by_text(refused, exact=True)).to_be_visible()
    page.wait_for_timeout(300)
    screenshot(page, f"protocol_gate_{name}_overview")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample_motmetrics_run(app_server_factory, sample_dir, tmp_path_factory, browser_page, wait_idle,
                               screenshot, size):
    run_dir = saved(tmp_path_factory.getbasetemp() / "gate_motmetrics", sample_dir / "gt",
                    sample_dir / "trackers", "MOT15", "motmetrics")
    refused = reevaluation_refused(Workspace.load(str(run_dir)).inputs)
    url = app_server_factory(run_dir)
    browser_page.set_viewport_size(VIEWPORTS[size])
    check_pages(url, browser_page, "seq=TUD-Campus&tracker=motmetrics_test&alpha=0.5&frame=1", refused,
                wait_idle, screenshot, f"sample_{size}")


@pytest.mark.shared
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_mot17_classes_run(app_server_factory, shared_data, tmp_path_factory, browser_page, wait_idle,
                           screenshot, size):
    root = shared_data / "mot_challenge"
    base = tmp_path_factory.getbasetemp()
    seqmap = base / "gate_classes.txt"
    seqmap.write_text(f"name\n{MOT17_SEQ}\n")
    run_dir = saved(base / "gate_classes", root / "gt" / "mot_challenge", root / "trackers" / "mot_challenge",
                    "MOT17", "classes=1,7", "--seqmap", str(seqmap), "--trackers", "BoTSORT")
    refused = reevaluation_refused(Workspace.load(str(run_dir)).inputs)
    url = app_server_factory(run_dir)
    browser_page.set_viewport_size(VIEWPORTS[size])
    check_pages(url, browser_page, f"seq={MOT17_SEQ}&tracker=BoTSORT&alpha=0.5&frame=1", refused,
                wait_idle, screenshot, f"mot17_{size}")
