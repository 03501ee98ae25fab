"""Kill tests: every write of tracklens is SIGKILLed at several points (tests/hostile/killer.py) and
what is on disk afterwards is checked (issue 13, item 4).

* A run re-saved over an older one (other options): after a kill it opens as the old run or as the
  new one, whole: its manifest, metrics.json and every analysis agree; never a mix.
* A first save killed: no run (nothing that opens as complete).
* report, clip, export and --json killed: the previous file (or export folder) is intact.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tracklens.errors import InputError
from tracklens.workspace import Workspace
from hostile.corpus import BENCHMARK, make_dataset

TESTS = Path(__file__).resolve().parents[1]


def tracklens_killed(kill: str, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "hostile.killer", kill, *argv], capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("data")).root


def eval_args(data: Path, *extra: str) -> list[str]:
    return ["eval", "--gt-folder", str(data / "gt"), "--trackers-folder", str(data / "trackers"),
            "--benchmark", BENCHMARK, "--quiet", *extra]


def assert_whole(run: Path) -> float:
    """The run opens, and its manifest, metrics.json and every analysis are from one save; its threshold."""
    ws = Workspace.load(str(run))
    for tr in ws.trackers:
        for seq in ws.sequences:
            an = ws.analysis(tr, seq.name)
            for field in ("HOTA", "MOTA", "IDF1", "CLR_TP", "IDSW"):
                np.testing.assert_array_equal(np.asarray(an.metrics[field]), np.asarray(ws.metrics[tr][seq.name][field]))
    return ws.manifest["inputs"]["threshold"]


RESAVE_POINTS = ["save:2", "fsync:1", "fsync:6", "fsync:14", "exchange:1", "rmtree:1"]


@pytest.mark.parametrize("kill", RESAVE_POINTS)
def test_resave_killed_leaves_the_old_run_or_the_new_one_whole(data: Path, tmp_path: Path, kill: str) -> None:
    run = tmp_path / "run"
    assert tracklens_killed("fsync:0", *eval_args(data, "--threshold", "0.3", "--save", str(run))).returncode == 0
    old = json.loads((run / "metrics.json").read_text())
    proc = tracklens_killed(kill, *eval_args(data, "--threshold", "0.9", "--save", str(run)))
    assert proc.returncode == -9, f"the kill point {kill} was not reached: {proc.stderr[-2000:]}"
    threshold = assert_whole(run)
    assert threshold in (0.3, 0.9)
    if threshold == 0.3:
        assert json.loads((run / "metrics.json").read_text()) == old
    # The next save cleans what the killed one left beside the run.
    assert tracklens_killed("fsync:0", *eval_args(data, "--save", str(run))).returncode == 0
    assert assert_whole(run) == 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.parametrize("kill", ["save:1", "fsync:3", "fsync:12"])
def test_first_save_killed_leaves_no_run(data: Path, tmp_path: Path, kill: str) -> None:
    run = tmp_path / "run"
    proc = tracklens_killed(kill, *eval_args(data, "--save", str(run)))
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert not run.exists()
    with pytest.raises(InputError, match="not a saved tracklens run"):
        Workspace.load(str(run))


@pytest.fixture(scope="module")
def saved(data: Path, tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("saved") / "run"
    assert tracklens_killed("fsync:0", *eval_args(data, "--save", str(run))).returncode == 0
    return run


@pytest.mark.parametrize("kill", ["fsync:1", "replace:1"])
@pytest.mark.parametrize("command", ["report", "json", "csv", "clip"])
def test_killed_file_write_keeps_the_previous_file(data: Path, saved: Path, tmp_path: Path, command: str,
                                                   kill: str) -> None:
    out = tmp_path / {"report": "old.html", "json": "old.json", "csv": "old.csv", "clip": "old.gif"}[command]
    out.write_bytes(b"the previous file")
    argv = {"report": ["report", str(saved), "-o", str(out), "--no-whatif"],
            "json": eval_args(data, "--json", str(out)), "csv": eval_args(data, "--csv", str(out)),
            "clip": ["clip", str(saved), "--tracker", "t1", "--sequence", "A", "--frames", "1:3", "-o", str(out)]}
    proc = tracklens_killed(kill, *argv[command])
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert out.read_bytes() == b"the previous file"
    assert proc.stderr.count("tracklens: error") == 0


@pytest.mark.parametrize("kill", ["fsync:1", "fsync:20", "exchange:1"])
def test_killed_export_keeps_the_previous_export(saved: Path, tmp_path: Path, kill: str) -> None:
    out = tmp_path / "export"
    assert tracklens_killed("fsync:0", "export", str(saved), "-o", str(out), "--format", "json").returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    proc = tracklens_killed(kill, "export", str(saved), "-o", str(out), "--format", "csv")
    assert proc.returncode == -9, proc.stderr[-2000:]
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before, "the json export is still there, whole, and no csv file joined it"
