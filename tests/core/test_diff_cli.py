"""``tracklens diff``: saved runs and tracker folders, the printed table and ``--json`` (the same
changes as ``diff_runs``), and clear errors for what cannot be compared."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracklens.dashboard.cli import main
from tracklens.rundiff import diff_runs
from tracklens.workspace import Workspace


@pytest.fixture(scope="module")
def saved(sample_dir: Path, tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("runs") / "sample"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--quiet", "--save", str(run)]) == 0
    return run


def test_two_trackers_of_a_saved_run(saved: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "diff.json"
    code = main(["diff", str(saved), "--tracker-a", "motmetrics_test", "--tracker-b", "masa", "--json", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "CLEAR IoU≥0.5  FN" in text and "HOTA α=0.50" in text and "Most improved" in text
    ws = Workspace.load(str(saved))
    d = diff_runs(ws, "motmetrics_test", ws, "masa", 0.5)
    written = json.loads(out.read_text())
    assert written["counts"] == json.loads(json.dumps(d.to_dict()["counts"]))
    assert written["matchings"] == {"CLEAR": "CLEAR IoU≥0.5", "HOTA": "HOTA α=0.50"}
    combined = [r for r in written["counts"] if r["sequence"] == "COMBINED"]
    clear_fn = next(r for r in combined if r["measure"] == "FN" and r["matching"].startswith("CLEAR"))
    assert (clear_fn["A"], clear_fn["B"]) == (602, 0)  # TUD published FN of motmetrics_test: 150 + 452
    assert f"{clear_fn['A']:>9}{clear_fn['B']:>9}{clear_fn['delta']:>+9}" in text
    assert len(written["gt_boxes"]) == len(d.gt_boxes) and len(written["events"]) == len(d.events)


def test_tracker_folders_against_a_saved_run(saved: Path, sample_dir: Path, capsys) -> None:
    """A tracker folder evaluated here (--gt-folder) against the same tracker in a saved run: no change."""
    code = main(["diff", str(saved), str(sample_dir / "trackers" / "masa"), "--tracker-a", "masa",
                 "--gt-folder", str(sample_dir / "gt"), "--benchmark", "MOT15", "--alpha", "0.3"])
    assert code == 0
    text = capsys.readouterr().out
    assert "HOTA α=0.30" in text and "0 better, 0 worse, 0 mixed" in text


@pytest.mark.parametrize("argv, message", [
    (["{trackers}/masa"], "needs its ground truth"),
    (["{saved}"], "Pass --tracker-a"),
    (["{saved}", "--tracker-a", "masa", "--tracker-b", "masa"], "the same tracker"),
    (["{saved}", "--tracker-a", "nope"], "no tracker 'nope'"),
    (["{saved}", "{saved}", "{saved}"], "diff compares two runs"),
    (["{saved}", "--class", "1", "--tracker-a", "masa"], "has no classes"),
])
def test_errors_are_explained(argv: list[str], message: str, saved: Path, sample_dir: Path, capsys) -> None:
    args = [a.format(saved=saved, trackers=sample_dir / "trackers") for a in argv]
    assert main(["diff", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
