"""The metrics cache: reopening the same inputs skips the evaluation and gives identical metrics;
editing an input file, or changing an option, evaluates again."""
from __future__ import annotations

import os
import shutil

import numpy as np

from tracklens import workspace
from tracklens.workspace import Workspace


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for tr in a:
        for seq in a[tr]:
            for field, value in a[tr][seq].items():
                assert np.array_equal(np.asarray(value), np.asarray(b[tr][seq][field])), (tr, seq, field)


def test_cache_hit_miss_and_invalidation(sample_dir, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(sample_dir / "gt", data / "gt")
    shutil.copytree(sample_dir / "trackers", data / "trackers")
    cache = tmp_path / "cache"
    first = Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark="MOT15", analyse_now=False,
                                   metrics_cache=str(cache))
    assert len(os.listdir(cache)) == 1

    calls = []
    real = workspace.evaluate
    monkeypatch.setattr(workspace, "evaluate", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark="MOT15", analyse_now=False,
                                   metrics_cache=str(cache))
    assert calls == []  # served from the cache
    _same(first.metrics, again.metrics)
    assert again.analysis("masa", "TUD-Campus").metrics["IDSW"] == first.metrics["masa"]["TUD-Campus"]["IDSW"]

    Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark="MOT15", analyse_now=False,
                           metrics_cache=str(cache), threshold=0.6)
    assert calls == [1]  # another option: evaluated again

    tracker_file = data / "trackers" / "masa" / "TUD-Campus.txt"
    lines = tracker_file.read_text().splitlines(keepends=True)
    tracker_file.write_text("".join(lines[:-5]))  # the user edits a tracker output
    edited = Workspace.from_folders(str(data / "gt"), str(data / "trackers"), benchmark="MOT15",
                                    analyse_now=False, metrics_cache=str(cache))
    assert calls == [1, 1]
    assert edited.metrics["masa"]["TUD-Campus"]["Dets"] == first.metrics["masa"]["TUD-Campus"]["Dets"] - 5
