"""The report's Score sweep and Uncertainty sections: computed from the inputs when asked for, carried by
a saved run, or a note saying why not (or which flag adds it); the numbers are those of the sweep and the
bootstrap themselves."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracklens.bootstrap import bootstrap_run, sentence
from tracklens.dashboard.report_decide import decide_sections
from tracklens.dashboard.report_reeval import SWEEP_LEFT_OUT, Reevaluation
from tracklens.workspace import Workspace


def section(anchor: str, title: str, body: str, lead: str = "") -> str:
    return f'<section id="{anchor}"><h2>{title}</h2><p>{lead}</p>{body}</section>'


def figure_html(fig, name: str) -> str:
    return f'<div id="fig-{name}">{len(fig.data)} traces</div>'


@pytest.fixture(scope="module")
def ws(sample_dir):
    return Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                  analyse_now=False)


def asked(ws) -> Reevaluation:
    """The report's re-evaluation with a sweep asked for at the default cutoffs (``--score-thresholds``)."""
    return Reevaluation(ws, whatif=False, sweep=True)


def test_sections_from_the_inputs(ws):
    left_out, _ = decide_sections(ws, figure_html, section)  # not asked for: the flag is named
    assert SWEEP_LEFT_OUT in left_out and "fig-sweep" not in left_out
    sweep_html, unc_html = decide_sections(ws, figure_html, section, asked(ws))
    assert '<div id="fig-sweep">20 traces</div>' in sweep_html  # 2 trackers x 5 fields x (curve + star)
    assert "computed from the input files at cutoffs 0:0.95:0.05" in sweep_html
    assert "Flat curves" in sweep_html and "masa, motmetrics_test" in sweep_html
    boot = bootstrap_run(ws.metrics, tuple(s.name for s in ws.sequences), 1000, 0)
    expected = sentence(boot.difference("masa", "motmetrics_test", "HOTA"), boot.confidence)
    assert expected.startswith("masa is better than motmetrics_test on HOTA")
    assert expected in unc_html
    iv = boot.interval("masa", "HOTA")
    assert f"{100 * iv.estimate:.1f} <small>[{100 * iv.low:.1f}, {100 * iv.high:.1f}]</small>" in unc_html
    assert "1000 resamples of the 2 sequences" in unc_html and "seed 0" in unc_html


def moved_run(ws, tmp_path: Path) -> Workspace:
    """``ws`` saved, its ground truth then recorded somewhere that does not exist (the inputs are gone)."""
    run = tmp_path / "run"
    ws.save(str(run))
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["inputs"]["gt_folder"] = str(tmp_path / "moved")
    manifest["inputs"].pop("relative")
    (run / "manifest.json").write_text(json.dumps(manifest))
    return Workspace.load(str(run))


def test_carried_sweep_and_missing_inputs(ws, tmp_path: Path):
    moved = moved_run(ws, tmp_path)
    sweep_html, _ = decide_sections(moved, figure_html, section, asked(moved))
    assert "No score sweep: it re-reads the input files, which are not available" in sweep_html
    moved.manifest["score_sweep"] = {"score_thresholds": [0.0, 1.0], "trackers": {
        t: {"curves": {f: [0.5, 0.25] for f in ("HOTA", "DetA", "AssA", "MOTA", "IDF1")},
            "best": {f: {"score_threshold": 0.0, "value": 0.5} for f in ("HOTA", "DetA", "AssA", "MOTA", "IDF1")},
            "HOTA_area": 0.375} for t in moved.trackers}}
    moved.manifest["bootstrap"] = {"resamples": 50, "seed": 9}
    sweep_html, unc_html = decide_sections(moved, figure_html, section)
    assert "carried by the saved run" in sweep_html and "<td>37.50</td>" in sweep_html
    carried, _ = decide_sections(moved, figure_html, section, Reevaluation(moved, whatif=False, sweep=True,
                                                                          score_thresholds="0,1"))
    assert carried == sweep_html  # asked at the carried cutoffs: the carried sweep, the files not read
    assert "50 resamples" in unc_html and "seed 9" in unc_html


def test_ground_truth_track_intervals_only_when_asked(ws, tmp_path: Path):
    """``report --resample-tracks``: the table and sentences are the library's track bootstrap, with the
    run's own numbers as estimates; without the flag one sentence names it; with the inputs gone, a note."""
    from tracklens.dashboard.report_decide import TRACK_INTERVAL_FIELDS, TRACKS_LEFT_OUT
    from tracklens.evaluate import COMBINED
    from tracklens.run import RunOptions, resolve_inputs
    from tracklens.track_bootstrap import track_bootstrap_layout

    _, plain_html = decide_sections(ws, figure_html, section)
    assert TRACKS_LEFT_OUT in plain_html and "Over ground-truth tracks" not in plain_html
    _, unc_html = decide_sections(ws, figure_html, section, None, 1)
    assert TRACKS_LEFT_OUT not in unc_html and "Over ground-truth tracks within the sequences" in unc_html
    inputs = ws.inputs
    layout = resolve_inputs(inputs, list(ws.trackers))
    boot = track_bootstrap_layout(layout, RunOptions(layout.format, (), layout.benchmark, inputs.preprocess,
                                                     inputs.threshold), 1000, 0,
                                  combined={t: ws.metrics[t][COMBINED] for t in ws.trackers})
    for tr in ws.trackers:
        for field in TRACK_INTERVAL_FIELDS:
            iv = boot.interval(tr, field)
            assert f"{100 * iv.estimate:.1f} <small>[{100 * iv.low:.1f}, {100 * iv.high:.1f}]</small>" in unc_html
    assert sentence(boot.difference("masa", "motmetrics_test", "AssA"), boot.confidence) in unc_html
    _, gone = decide_sections(moved_run(ws, tmp_path), figure_html, section, None, 1)
    assert "No intervals over ground-truth tracks:" in gone and "Traceback" not in gone
