"""The Metrics compared page's "CA-HOTA and TETA" table in a real browser: opened on the bundled sample
and on a TAO run saved with ``--teta`` (the table is shown before the page says its other metrics read
MOTChallenge files). Screenshots at 1280x720 and 1440x900 (tests/screenshots/metric_contrast_*.png)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import no_exception  # tests/browser/conftest.py
from playwright.sync_api import expect

from tracklens.dashboard.cli import main

VIEWPORTS = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
LABEL = "CA-HOTA and TETA: where the two classification-aware scores differ"
TAO_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "tao_mmtracking" / "gt" / "ann.json"


def tao_run(root: Path) -> Path:
    run_dir = root / "run"
    if not (run_dir / "manifest.json").exists():
        (root / "gt").mkdir(parents=True, exist_ok=True)
        (root / "gt" / "ann.json").write_bytes(TAO_SAMPLE.read_bytes())
        anns = json.loads(TAO_SAMPLE.read_text())["annotations"]
        results = [{"image_id": a["image_id"], "category_id": a["category_id"], "track_id": a["track_id"],
                    "bbox": a["bbox"], "score": 0.9} for a in anns]
        (root / "trackers" / "T" / "data").mkdir(parents=True, exist_ok=True)
        (root / "trackers" / "T" / "data" / "results.json").write_text(json.dumps(results))
        assert main(["eval", "--format", "tao", "--gt-folder", str(root / "gt"), "--trackers-folder",
                     str(root / "trackers"), "--teta", "--quiet", "--save", str(run_dir)]) == 0
    return run_dir


def open_table(url: str, page, query: str, wait_idle, screenshot, name: str) -> None:
    page.goto(f"{url}/metrics?{query}", wait_until="domcontentloaded")
    wait_idle(page, timeout_ms=180_000)
    no_exception(page)
    page.get_by_text(LABEL, exact=True).click()
    wait_idle(page)
    expect(page.get_by_text("(LocA + AssocA + ClsA) / 3: arithmetic, a weak term is averaged away")).to_be_visible()
    page.wait_for_timeout(300)
    screenshot(page, f"metric_contrast_{name}")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_sample(app_server_factory, browser_page, wait_idle, screenshot, size):
    url = app_server_factory()
    browser_page.set_viewport_size(VIEWPORTS[size])
    open_table(url, browser_page, "seq=TUD-Campus&tracker=motmetrics_test", wait_idle, screenshot, f"sample_{size}")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_tao_run(app_server_factory, tmp_path_factory, browser_page, wait_idle, screenshot, size):
    url = app_server_factory(tao_run(tmp_path_factory.getbasetemp() / "contrast_tao"))
    browser_page.set_viewport_size(VIEWPORTS[size])
    open_table(url, browser_page, "cls=baby&seq=train-YFCC100M-v_f69ebe5b731d3e87c1a3992ee39c3b7e&tracker=T",
               wait_idle, screenshot, f"tao_{size}")
