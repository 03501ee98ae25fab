"""The Score sweep page and the Compare page's bootstrap sentence (AppTest), the sweep builders, and a
saved run carrying its sweep and bootstrap settings through ``tracklens eval --save``."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tracklens.dashboard.sweep_figures import best_cutoff_table, flat_trackers, sweep_curves
from tracklens.sweep import CURVE_FIELDS

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "sample"


def open_page(page: str, source=None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    if source is not None:
        at.session_state["_opened_source"] = source
    for key, value in {"seq": "TUD-Campus", "tracker": "motmetrics_test", **params}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture(scope="module")
def scored_run(tmp_path_factory) -> Path:
    """The sample with masa's scores rewritten to vary (0.05 .. 1.0, seeded), saved with its sweep."""
    from tracklens.dashboard.cli import main

    root = tmp_path_factory.mktemp("scored")
    shutil.copytree(SAMPLE / "gt", root / "gt")
    rng = np.random.default_rng(5)
    for tracker in ("masa", "motmetrics_test"):
        for src in sorted((SAMPLE / "trackers" / tracker).rglob("*.txt")):
            dst = root / "trackers" / src.relative_to(SAMPLE / "trackers")
            dst.parent.mkdir(parents=True, exist_ok=True)
            lines = []
            for line in src.read_text().splitlines():
                cols = line.split(",")
                cols[6] = f"{rng.choice(np.arange(1, 21)) / 20:.2f}"
                lines.append(",".join(cols))
            dst.write_text("\n".join(lines) + "\n")
    assert main(["eval", "--gt-folder", str(root / "gt"), "--trackers-folder", str(root / "trackers"),
                 "--benchmark", "MOT15", "--score-thresholds", "0:1:0.1", "--bootstrap", "300", "--seed", "4",
                 "--save", str(root / "run"), "--json", str(root / "out.json"), "--quiet"]) == 0
    return root


def test_sample_sweep_runs_on_a_click_and_shows_flat_curves():
    at = open_page("sweep")
    assert at.title[0].value == "Score sweep"
    assert not at.get("plotly_chart")
    next(b for b in at.button if b.label.startswith("Run the sweep (20 cutoffs)")).click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.get("plotly_chart")) == 1
    table = at.dataframe[0].value.set_index("tracker")
    # masa's scores are constant: every cutoff keeps every box, so its best HOTA is its HOTA (97.112 %)
    assert table.loc["masa", "best HOTA"] == pytest.approx(table.loc["masa", "HOTA area"])
    assert round(table.loc["masa", "best HOTA"], 3) == 97.112
    # motmetrics_test writes -1: every cutoff >= 0 removes all its boxes
    assert table.loc["motmetrics_test", "best HOTA"] == 0
    assert any("Flat curves" in c.value and "masa" in c.value for c in at.caption)


def test_sweep_page_rejects_bad_cutoffs_with_a_message():
    at = open_page("sweep")
    at.text_input[0].set_value("0:1").run()
    assert not at.exception
    assert at.error and "--score-thresholds" in at.error[0].value.replace("\\", "")  # shown escaped (text.plain)


def test_compare_page_says_which_tracker_is_better():
    at = open_page("compare", tracker2="masa")
    lines = [m.value.replace("\\", "") for m in at.markdown]  # shown through plain(): Markdown escaped
    hota = next(line for line in lines if "on HOTA" in line)
    assert hota.startswith("masa is better than motmetrics_test on HOTA: +")
    assert "in 100 % of resamples" in hota
    assert any("1000 resamples of the 2 sequences" in c.value for c in at.caption)


def test_compare_page_resamples_ground_truth_tracks_on_demand():
    """Off by default (it evaluates the sequences again); on, the lines equal the library's
    ground-truth-track bootstrap of the sample, with the run's own numbers as estimates."""
    from tracklens.bootstrap import sentence
    from tracklens.evaluate import COMBINED, evaluate
    from tracklens.layout import resolve
    from tracklens.track_bootstrap import track_bootstrap_layout

    at = open_page("compare", tracker2="masa")
    toggle = at.toggle(key="compare_track_bootstrap")
    assert not toggle.value
    assert not any("on AssA" in m.value for m in at.markdown)
    toggle.set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    lines = [m.value.replace("\\", "") for m in at.markdown]
    layout = resolve(str(SAMPLE / "gt"), str(SAMPLE / "trackers"), "MOT15", "train", None,
                     ["motmetrics_test", "masa"])
    run = evaluate(layout)
    boot = track_bootstrap_layout(layout, run.options, 1000, 0, combined={t: m[COMBINED] for t, m in run.metrics.items()})
    for field in ("AssA", "DetRe", "IDR"):
        expected = sentence(boot.difference("motmetrics_test", "masa", field), boot.confidence)
        assert expected in lines, (field, expected)
    assert any("as many ground-truth tracks as it has" in c.value for c in at.caption)


def test_saved_run_carries_its_sweep_and_bootstrap(scored_run: Path):
    from tracklens.dashboard.loading import Source

    manifest = json.loads((scored_run / "run" / "manifest.json").read_text())
    carried = manifest["score_sweep"]
    assert carried["score_thresholds"] == [round(0.1 * k, 1) for k in range(11)]
    assert manifest["bootstrap"] == {"resamples": 300, "seed": 4, "resampling": "sequences"}
    out = json.loads((scored_run / "out.json").read_text())
    points = out["score_sweep"]["trackers"]["masa"]["points"]
    assert [p["COMBINED"]["HOTA"] for p in points] == carried["trackers"]["masa"]["curves"]["HOTA"]
    assert len(set(carried["trackers"]["masa"]["curves"]["HOTA"])) > 5  # the scores vary now
    assert out["bootstrap"]["seed"] == 4 and out["bootstrap"]["resamples"] == 300

    at = open_page("sweep", Source(run_dir=str(scored_run / "run")))
    assert not [b for b in at.button if b.label.startswith("Run the sweep")], "a carried sweep needs no click"
    assert any("carries its sweep" in c.value for c in at.caption)
    table = at.dataframe[0].value.set_index("tracker")
    best = carried["trackers"]["masa"]["best"]["HOTA"]
    assert table.loc["masa", "HOTA at cutoff"] == best["score_threshold"]
    assert table.loc["masa", "best HOTA"] == pytest.approx(100 * best["value"], abs=1e-12)
    compare = open_page("compare", Source(run_dir=str(scored_run / "run")), tracker2="masa")
    assert any("300 resamples" in c.value and "seed 4" in c.value for c in compare.caption)


def test_damaged_carried_sweep_is_a_message_not_a_traceback(scored_run: Path, tmp_path: Path):
    from tracklens.dashboard.loading import Source
    from tracklens.workspace import Workspace

    ws = Workspace.load(str(scored_run / "run"))
    ws.manifest["score_sweep"]["trackers"]["masa"]["curves"]["HOTA"] = ["x"]
    ws.save(str(tmp_path / "damaged"))
    at = open_page("sweep", Source(run_dir=str(tmp_path / "damaged")))
    assert at.error and "carried score sweep of tracker 'masa'" in at.error[0].value


def _doc() -> dict:
    curves = {f: [0.5, 0.7, 0.6] for f in CURVE_FIELDS}
    best = {f: {"score_threshold": 0.5, "value": 0.7} for f in CURVE_FIELDS}
    flat = {f: [0.2, 0.2, 0.2] for f in CURVE_FIELDS}
    return {"score_thresholds": [0.0, 0.5, 1.0], "trackers": {
        "<b>A</b>": {"curves": curves, "best": best, "HOTA_area": 0.625},
        "B": {"curves": flat, "best": {f: {"score_threshold": 0.0, "value": 0.2} for f in CURVE_FIELDS},
              "HOTA_area": 0.2}}}


def test_sweep_curves_one_line_and_one_star_per_tracker_and_field():
    fig = sweep_curves(_doc())
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    stars = [t for t in fig.data if t.mode == "markers"]
    assert len(lines) == len(stars) == 2 * len(CURVE_FIELDS)
    assert list(lines[0].y) == [50.0, 70.0, 60.0] and (stars[0].x[0], stars[0].y[0]) == (0.5, 70.0)
    assert lines[0].name == "&lt;b&gt;A&lt;/b&gt; · HOTA area 62.5"  # names from files are text, not HTML


def test_best_cutoff_table_and_flat_trackers():
    table = best_cutoff_table(_doc()).set_index("tracker")
    assert table.loc["<b>A</b>", "best HOTA"] == 70.0 and table.loc["<b>A</b>", "HOTA at cutoff"] == 0.5
    assert flat_trackers(_doc()) == ["B"]
