"""Evaluation on a real Dask cluster (distributed.LocalCluster on loopback) is bit-equal to a local
run: same per-sequence functions, combined in the same order."""
from __future__ import annotations

import numpy as np
import pytest

from tracklens.evaluate import evaluate
from tracklens.layout import resolve

distributed = pytest.importorskip("distributed", reason="the tracklens[dask] extra is not installed")


def _assert_bit_equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for tracker in a:
        for seq in a[tracker]:
            for field, value in a[tracker][seq].items():
                assert np.array_equal(np.asarray(value), np.asarray(b[tracker][seq][field])), (tracker, seq, field)


def test_local_cluster_run_is_bit_equal(sample_dir):
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15")
    local = evaluate(layout)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        remote = evaluate(layout, dask=cluster.scheduler_address)
    _assert_bit_equal(local.metrics, remote.metrics)


def test_dask_local_shortcut_and_cli(sample_dir, tmp_path, capsys):
    from tracklens.dashboard.cli import main
    out = tmp_path / "dask.json"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--dask", "local", "--quiet", "--json", str(out)]) == 0
    local = tmp_path / "local.json"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--quiet", "--json", str(local)]) == 0
    assert out.read_text() == local.read_text()


def test_unreachable_scheduler_is_a_clear_error(sample_dir, capsys):
    from tracklens.dashboard.cli import main
    code = main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--dask", "tcp://127.0.0.1:9", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot reach the Dask scheduler" in err and "Traceback" not in err
