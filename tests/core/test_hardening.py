"""Issue 13, items 5 and 8 and the write helpers: output paths checked before any evaluation, a cache
that cannot be written is no cache, and each reader edge case with a clear error or a documented,
tested behaviour (docs/hardening.md lists them)."""
from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest

from tracklens import atomic, workspace
from tracklens.dashboard import cli
from tracklens.errors import InputError
from tracklens.formats import probabilities
from tracklens.formats.bdd100k import read_bdd_file
from tracklens.formats.kitti import read_kitti_file
from tracklens.formats.motchallenge import read_mot_file
from tracklens.formats.probabilities import read_probability_file
from tracklens.workspace import Workspace
from hostile.corpus import BENCHMARK, make_dataset, write


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "data").root


def eval_argv(data: Path, *extra: str) -> list[str]:
    return ["eval", "--gt-folder", str(data / "gt"), "--trackers-folder", str(data / "trackers"),
            "--benchmark", BENCHMARK, "--quiet", *extra]


@pytest.fixture
def no_evaluation(monkeypatch):
    """Fail the test if an evaluation starts: the output checks must come first."""
    from tracklens import cli as core_cli
    from tracklens.workspace import Workspace

    def refuse(*a, **k):
        raise AssertionError("the evaluation started before the output path was checked")
    monkeypatch.setattr(core_cli, "evaluate", refuse)
    monkeypatch.setattr(Workspace, "from_folders", classmethod(lambda cls, *a, **k: refuse()))


# ------------------------------------------------------------------------------------ output paths


@pytest.mark.parametrize("flag,target,words", [
    ("--json", "DIR", "--json names a folder"),
    ("--json", "missing/x.json", "the folder of --json does not exist"),
    ("--csv", "missing/x.csv", "the folder of --csv does not exist"),
    ("--save", "FILE", "--save names a file"),
    ("--save", "missing/deeper/run", "the folder holding --save does not exist"),
    ("--json", "/proc/x.json", "cannot write --json there"),
    ("--save", "/proc/run", "cannot write --save there"),
])
def test_output_paths_are_checked_before_evaluating(data: Path, tmp_path: Path, capsys, no_evaluation,
                                                    flag: str, target: str, words: str) -> None:
    (tmp_path / "DIR").mkdir()
    (tmp_path / "FILE").write_text("x")
    path = target if target.startswith("/") else str(tmp_path / target)
    assert cli.main(eval_argv(data, flag, path)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tracklens: error: {path}: {words}") and err.count("\n") == 1, err


@pytest.mark.parametrize("value", ["nan", "2", "0", "-0.5", "inf"])
def test_threshold_outside_0_1_is_refused(data: Path, capsys, no_evaluation, value: str) -> None:
    assert cli.main(eval_argv(data, "--threshold", value)) == 2
    assert "is not a similarity threshold in (0, 1]" in capsys.readouterr().err


def test_report_output_checked_before_the_report_is_built(data: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    run = tmp_path / "run"
    Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark=BENCHMARK).save(str(run))
    from tracklens.dashboard import report
    monkeypatch.setattr(report, "build_report", lambda *a, **k: pytest.fail("built before the check"))
    (tmp_path / "DIR").mkdir()
    assert cli.main(["report", str(run), "-o", str(tmp_path / "DIR")]) == 2
    assert "-o names a folder" in capsys.readouterr().err


def test_clip_into_an_unwritable_folder_says_so(data: Path, tmp_path: Path, capsys) -> None:
    """Not 'OpenCV cannot open a video writer': the folder is the problem, and it is named."""
    run = tmp_path / "run"
    Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark=BENCHMARK).save(str(run))
    assert cli.main(["clip", str(run), "--tracker", "t1", "--sequence", "A", "--frames", "1:3",
                     "-o", "/proc/clip.mp4"]) == 2
    err = capsys.readouterr().err
    assert "cannot write the clip there" in err and "OpenCV" not in err


def test_export_refuses_a_folder_of_other_files(data: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark=BENCHMARK).save(str(run))
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("precious")
    assert cli.main(["export", str(run), "-o", str(home)]) == 2
    assert "holds other files" in capsys.readouterr().err and (home / "thesis.tex").read_text() == "precious"


# ------------------------------------------------------------------------------------ atomic helpers


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text("previous")
    with pytest.raises(RuntimeError):
        with atomic.atomic_file(str(path)) as fp:
            fp.write("half")
            raise RuntimeError("disk full")
    assert path.read_text() == "previous" and sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_full_disk_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "r.html"
    path.write_text("previous")

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        atomic.write_text(str(path), "new report")
    assert path.read_text() == "previous" and sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_atomic_dir_swaps_a_folder_whole(tmp_path: Path) -> None:
    target = tmp_path / "run"
    target.mkdir()
    (target / "old").write_text("1")
    with atomic.atomic_dir(str(target)) as tmp:
        Path(tmp, "new").write_text("2")
        assert (target / "old").exists(), "the old folder stays until the new one is complete"
    assert sorted(p.name for p in target.iterdir()) == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


# ------------------------------------------------------------------------------------ metrics cache


def test_unwritable_cache_means_no_cache_and_no_tmp(data: Path, tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()

    def full(path, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", path)
    monkeypatch.setattr(workspace, "write_json", full)
    ws = Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark=BENCHMARK, analyse_now=False,
                                metrics_cache=str(cache))
    assert ws.metrics["t1"]["A"]["HOTA"].shape == (19,)
    assert list(cache.iterdir()) == [], "no 0-byte .tmp left"


def test_damaged_cache_entry_is_a_miss(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    kw = dict(benchmark=BENCHMARK, analyse_now=False, metrics_cache=str(cache))
    first = Workspace.from_folders(str(data / "gt"), str(data / "trackers"), **kw)
    (entry,) = cache.iterdir()
    entry.write_text("")  # what the old code left on a full disk
    again = Workspace.from_folders(str(data / "gt"), str(data / "trackers"), **kw)
    np.testing.assert_array_equal(again.metrics["t1"]["A"]["HOTA"], first.metrics["t1"]["A"]["HOTA"])
    assert json.loads(entry.read_text())["metrics"], "rewritten whole"


def test_cache_problem_is_one_line(tmp_path: Path, monkeypatch) -> None:
    from tracklens.dashboard import loading

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("TRACKLENS_CACHE", str(blocker / "cache"))
    assert loading.metrics_cache_folder() is None
    warning = loading.cache_warning()
    assert warning and "cannot be written" in warning and "\n" not in warning
    monkeypatch.setenv("TRACKLENS_CACHE", "off")
    assert loading.cache_warning() is None


# ------------------------------------------------------------------------------------ readers (item 8)


def _tracker(tmp_path: Path, n: int) -> tuple[Path, object]:
    rows = "".join(f"{k // 10 + 1},{k % 10 + 1},1,1,10,10,0.9,-1,-1,-1\n" for k in range(n))
    path = write(tmp_path / "A.txt", rows)
    return path, read_mot_file(str(path), n // 10 + 1, is_gt=False)


def _record(k: int) -> dict:
    return {"frame": k // 10 + 1, "id": k % 10 + 1, "probs": {"1": 0.25, "2": 0.75}}


def test_probability_json_happy_path_parses_once(tmp_path: Path, monkeypatch) -> None:
    """The linear reader: one parse, and the line search (a second pass) only when an error needs it."""
    _, tr = _tracker(tmp_path, 200)
    path = tmp_path / "A.probs.json"
    path.write_text(json.dumps({"classes": [1, 2], "detections": [_record(k) for k in range(200)]}, indent=1))
    monkeypatch.setattr(probabilities, "_parse", lambda *a: pytest.fail("lines searched on the happy path"))
    assert read_probability_file(str(path), tr).probs.shape == (200, 2)


def _opening_lines(text: str) -> list[int]:
    """1-based lines holding only '{' in json.dumps(indent=1) output: the document, then each object in a list."""
    return [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "{"]


def test_probability_json_error_names_the_line(tmp_path: Path) -> None:
    _, tr = _tracker(tmp_path, 20)
    records = [_record(k) for k in range(20)]
    records[13]["probs"] = {"1": 0.5, "2": 0.1}
    text = json.dumps({"classes": [1, 2], "detections": records}, indent=1)
    path = write(tmp_path / "A.probs.json", text)
    with pytest.raises(InputError, match="sum to 0.6") as info:
        read_probability_file(str(path), tr)
    assert info.value.line == _opening_lines(text)[1 + 13]


@pytest.mark.parametrize("text,words", [
    ('{"detections": [], "detections": []}', "the key 'detections' appears twice"),
    ('{"detections": [{"frame": 1, "id": 1, "probs": {"1": 0.5, "1": 0.5}}]}', "the key '1' appears twice"),
    ('{"meta": {"detections": [5]}}', "no 'detections' list"),
    ('{"detections": [{"frame": "١", "id": 1, "probs": {"1": 1.0}}]}', "detection #1 is not"),
    ('{"detections": [{"frame": 1, "id": 1, "probs": {"١": 1.0}}]}', "detection #1 is not"),
    ('{"detections": [{"frame": 1.5, "id": 1, "probs": {"1": 1.0}}]}', "detection #1 is not"),
    ('{"detections": [{"frame": 1, "id": 1, "probs": {"1": "1.0"}}]}', "detection #1 is not"),
])
def test_probability_json_edge_cases(tmp_path: Path, text: str, words: str) -> None:
    _, tr = _tracker(tmp_path, 10)
    path = write(tmp_path / "A.probs.json", text)
    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        read_probability_file(str(path), tr)


def test_nested_detections_key_is_not_taken_for_the_top_level_one(tmp_path: Path) -> None:
    _, tr = _tracker(tmp_path, 10)
    doc = {"meta": {"detections": [{"x": 1}]}, "classes": [1, 2], "detections": [_record(k) for k in range(10)]}
    doc["detections"][4]["probs"] = {"1": 2.0, "2": -1.0}
    text = json.dumps(doc, indent=1)
    path = write(tmp_path / "A.probs.json", text)
    with pytest.raises(InputError, match="negative") as info:
        read_probability_file(str(path), tr)
    assert info.value.line == _opening_lines(text)[2 + 4]  # the document, meta's nested item, then the records


def test_kitti_unicode_digits_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "0000.txt", "0 1 Car 0 0 0 ١٠ 10 50 50 1 1 1 1 1 1 1\n")
    with pytest.raises(InputError, match="is not a number") as info:
        read_kitti_file(str(path), None, is_gt=True)
    assert info.value.line == 1


def test_kitti_fifo_is_refused_unread(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "0000.txt")
    with pytest.raises(InputError, match="not a regular file"):
        read_kitti_file(str(tmp_path / "0000.txt"), None, is_gt=True)


def _bdd(label_extra: dict) -> str:
    label = {"id": "1", "category": "pedestrian", "box2d": {"x1": 0, "y1": 0, "x2": 10, "y2": 10}, **label_extra}
    return json.dumps([{"name": "a", "videoName": "v", "index": 0, "labels": [label]}])


@pytest.mark.parametrize("attributes", [{"Crowd": "false"}, {"Crowd": 0}, {"crowd": "true"}])
def test_bdd_crowd_must_be_a_boolean(tmp_path: Path, attributes: dict) -> None:
    path = write(tmp_path / "v.json", _bdd({"attributes": attributes}))
    with pytest.raises(InputError, match="not true or false"):
        read_bdd_file(str(path), is_gt=True)


def test_bdd_crowd_false_is_a_box(tmp_path: Path) -> None:
    path = write(tmp_path / "v.json", _bdd({"attributes": {"Crowd": False}}))
    boxes = read_bdd_file(str(path), is_gt=True)
    assert len(boxes.dets) == 1 and boxes.regions.corners.shape[0] == 0


def test_bdd_unicode_digit_id_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "v.json", _bdd({"id": "١٢"}))
    with pytest.raises(InputError, match="is not an integer"):
        read_bdd_file(str(path), is_gt=True)


def test_dev_zero_is_not_file_not_found() -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_mot_file("/dev/zero", 10, is_gt=False)


def test_memory_error_is_one_line(data: Path, capsys, monkeypatch) -> None:
    from tracklens import cli as core_cli

    def oom(*a, **k):
        raise MemoryError()
    monkeypatch.setattr(core_cli, "evaluate", oom)
    assert cli.main(eval_argv(data)) == 2
    err = capsys.readouterr().err
    assert err.startswith("tracklens: error: eval: out of memory") and err.count("\n") == 1


def test_eval_save_with_a_seqmap_escape_writes_nothing(data: Path, tmp_path: Path, capsys) -> None:
    seqmap = write(tmp_path / "seqmap.txt", "name\nA\n../../escaped\n")
    assert cli.main(eval_argv(data, "--seqmap", str(seqmap), "--save", str(tmp_path / "R"))) == 2
    assert "not a plain folder name" in capsys.readouterr().err
    assert not (tmp_path / "R").exists() and not (tmp_path.parent / "escaped").exists()


def test_tracker_names_given_must_be_plain(data: Path, capsys) -> None:
    assert cli.main(eval_argv(data, "--trackers", "../t1")) == 2
    assert "a tracker name must be a plain folder name" in capsys.readouterr().err


def test_kitti_row_too_wide_is_refused(tmp_path: Path) -> None:
    """One row of 100,000 values among 10,000 would make a 10,000 x 100,000 table."""
    row = "0 1 Car 0 0 0 10 10 50 50 1 1 1 1 1 1 1\n"
    path = write(tmp_path / "0000.txt", row * 10_000 + " ".join(["1"] * 100_000) + "\n")
    with pytest.raises(InputError, match="row has 100,000 values, more than 64") as info:
        read_kitti_file(str(path), None, is_gt=True)
    assert info.value.line == 10_001


def test_output_folder_that_cannot_be_created(data: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark=BENCHMARK).save(str(run))
    for argv in (["report", str(run), "-o", "/proc/new/r.html"],
                 ["clip", str(run), "--tracker", "t1", "--sequence", "A", "--frames", "1:3", "-o", "/proc/new/c.gif"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert "cannot create the folder of" in err and err.count("\n") == 1, err
