"""``--workers``' units: the sequences sharing one ground truth (MOT17's copies per detector) go to one
worker together, the largest first; every task is run exactly once."""
from __future__ import annotations

from pathlib import Path

from tracklens.evaluate import pool_units, run_tasks
from tracklens.layout import SequenceFiles


def _files(tmp_path: Path, name: str, gt_text: str, tracker_text: str) -> SequenceFiles:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "gt.txt").write_text(gt_text)
    (folder / "tr.txt").write_text(tracker_text)
    return SequenceFiles(name, str(folder / "gt.txt"), None, {"t": str(folder / "tr.txt")})


def test_copies_of_one_ground_truth_form_one_unit_largest_first(tmp_path: Path) -> None:
    small_gt, large_gt = "1,1,1,1,1,1,1,1,1\n", "1,1,1,1,1,1,1,1,1\n" * 50
    seqs = [_files(tmp_path, "02-DPM", small_gt, "x" * 10), _files(tmp_path, "02-FRCNN", small_gt, "x" * 20),
            _files(tmp_path, "04-DPM", large_gt, "x"), _files(tmp_path, "04-FRCNN", large_gt, "x"),
            SequenceFiles("missing", str(tmp_path / "nowhere.txt"), None, {})]
    units = pool_units([(f, "opts") for f in seqs])
    assert [[t[0].name for t in u] for u in units] == [["04-DPM", "04-FRCNN"], ["02-DPM", "02-FRCNN"], ["missing"]]
    assert all(t[1] == "opts" for u in units for t in u)


def test_pool_runs_every_task_once(tmp_path: Path) -> None:
    gt = "1,1,1,1,1,1,1,1,1\n"
    seqs = [_files(tmp_path, f"s{i}", gt * (1 + i % 2), "") for i in range(5)]
    done = run_tasks(_named, [(f, f"tag{k}") for k, f in enumerate(seqs)], 2, None)
    assert {name: out[1] for name, out in done.items()} == {f"s{i}": f"tag{i}" for i in range(5)}


class _Named(tuple):
    @property
    def name(self) -> str:
        return self[0]


def _named(files: SequenceFiles, tag: str) -> _Named:
    return _Named((files.name, tag))
