"""``tracklens eval --score-thresholds --bootstrap --seed``: the JSON wrapper, the sibling CSVs with the
same numbers as the library, the printed lines, and bad options refused before any evaluation."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tracklens.bootstrap import bootstrap_run, table_rows
from tracklens.dashboard.cli import main
from tracklens.evaluate import evaluate
from tracklens.layout import resolve
from tracklens.sweep import sweep


def test_json_csv_and_summary(sample_dir: Path, tmp_path: Path, capsys) -> None:
    gt, trs = str(sample_dir / "gt"), str(sample_dir / "trackers")
    args = ["eval", "--gt-folder", gt, "--trackers-folder", trs, "--benchmark", "MOT15",
            "--score-thresholds", "0.5,-1", "--bootstrap", "40", "--seed", "2",
            "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv")]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "score sweep (boxes with confidence >= cutoff kept)" in printed
    assert "bootstrap over sequences (40 resamples, seed 2, 95 % percentile intervals)" in printed
    assert "masa is better than motmetrics_test on HOTA" in printed
    layout = resolve(gt, trs, "MOT15", "train")
    run = evaluate(layout, preprocess=True)
    doc = json.loads((tmp_path / "r.json").read_text())
    assert set(doc) == {"metrics", "score_sweep", "bootstrap"}
    assert doc["metrics"]["masa"]["COMBINED"]["HOTA"] == pytest.approx(float(run.metrics["masa"]["COMBINED_SEQ"]["HOTA"].mean()), abs=0)
    expected = sweep(layout, (-1.0, 0.5))
    points = doc["score_sweep"]["trackers"]["motmetrics_test"]["points"]
    assert [p["score_threshold"] for p in points] == [-1.0, 0.5]
    # -1 keeps motmetrics_test's boxes (its scores are -1), 0.5 removes them all
    assert points[0]["COMBINED"]["HOTA"] == doc["metrics"]["motmetrics_test"]["COMBINED"]["HOTA"] > 0
    assert points[1]["COMBINED"]["Dets"] == 0
    frame = pd.read_csv(tmp_path / "r.sweep.csv")
    assert len(frame) == 2 * 2 * 3  # cutoffs x trackers x (2 sequences + COMBINED)
    row = frame[(frame.tracker == "masa") & (frame.seq == "COMBINED") & (frame.score_threshold == 0.5)].iloc[0]
    assert row["MOTA"] == expected.metrics["masa"][1]["COMBINED_SEQ"]["MOTA"]
    boot = pd.read_csv(tmp_path / "r.bootstrap.csv")
    rows = table_rows(bootstrap_run(run.metrics, tuple(f.name for f in layout.sequences), 40, 2))
    assert len(boot) == len(rows) and (boot.seed == 2).all() and (boot.resamples == 40).all()
    assert boot["high"].tolist() == [r["high"] for r in rows]
    assert doc["bootstrap"]["rows"][0]["low"] == rows[0]["low"]


@pytest.mark.parametrize("extra,message", [
    (["--bootstrap", "0"], "--bootstrap"),
    (["--score-thresholds", "x"], "--score-thresholds"),
    (["--score-thresholds", "0.5", "--classes", "1"], "MOTChallenge single-class"),
])
def test_bad_options_fail_first(sample_dir: Path, capsys, extra: list[str], message: str) -> None:
    args = ["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
            "--benchmark", "MOT15", *extra]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("tracklens: error:") and message in err and "Traceback" not in err
