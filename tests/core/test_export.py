"""``tracklens export``: every table of every tracker x sequence plus the metrics, in CSV, JSON and
Parquet, read back exactly (values and dtypes) for each format. (That core never reaches the app:
tests/test_layers.py.)"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracklens.analysis.record import TABLES
from tracklens.dashboard.cli import main
from tracklens.export import (ALPHA_TABLES, FORMATS, export_workspace, flatten_lists, read_export, read_table,
                         table_bytes, workspace_tables)
from tracklens.workspace import Workspace


@pytest.fixture(scope="module")
def ws(sample_dir):
    return Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                  video_folder=str(sample_dir / "videos"))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, sample_dir):
    out = tmp_path_factory.mktemp("run") / "run"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--save", str(out), "--quiet"]) == 0
    return out


def _expected(ws, alpha=0.5) -> dict[str, pd.DataFrame]:
    return {name: flatten_lists(table).reset_index(drop=True) for name, table in workspace_tables(ws, alpha)}


def test_every_table_is_exported(ws):
    names = set(_expected(ws))
    assert "metrics" in names
    for tracker in ws.trackers:
        for seq in ws.sequences:
            for table in (*TABLES, *ALPHA_TABLES):
                assert f"{tracker}/{seq.name}/{table}" in names
    assert len(names) == 1 + len(ws.trackers) * len(ws.sequences) * (len(TABLES) + len(ALPHA_TABLES))


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(ws, tmp_path, fmt):
    files = export_workspace(ws, str(tmp_path), fmt)
    assert all(Path(f).is_file() and Path(f).stat().st_size > 0 for f in files)
    assert {Path(f).suffix for f in files} == {f".{fmt}", ".json"}
    back = read_export(str(tmp_path))
    expected = _expected(ws)
    assert back.keys() == expected.keys()
    for name, table in expected.items():
        pd.testing.assert_frame_equal(back[name].reset_index(drop=True), table, check_exact=True, obj=name)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["export"]["format"] == fmt and manifest["inputs"] == ws.manifest["inputs"]
    # The box states keep their categories (and the events their types) through every format.
    boxes = back[f"{ws.trackers[0]}/{ws.sequences[0].name}/boxes"]
    assert isinstance(boxes["side"].dtype, pd.CategoricalDtype)
    assert list(boxes["side"].cat.categories) == ["gt", "tr"]


def test_files_read_without_tracklens(ws, tmp_path):
    """The files are plain CSV / JSON records / Parquet that any tool reads."""
    for fmt in FORMATS:
        export_workspace(ws, str(tmp_path / fmt), fmt)
    metrics = pd.read_csv(tmp_path / "csv" / "metrics.csv")
    assert {"tracker", "seq", "HOTA___AUC", "HOTA___50", "MOTA", "IDF1"} <= set(metrics.columns)
    combined = metrics[(metrics["tracker"] == "motmetrics_test") & (metrics["seq"] == "COMBINED")]
    assert combined["HOTA___AUC"].iloc[0] == pytest.approx(float(np.mean(ws.metrics["motmetrics_test"]["COMBINED_SEQ"]["HOTA"])))
    seq = ws.sequences[0].name
    records = json.loads((tmp_path / "json" / "motmetrics_test" / seq / "events.json").read_text())
    assert isinstance(records, list) and {"frame", "gt_id", "tr_id", "type"} <= set(records[0])
    gt = pd.read_parquet(tmp_path / "parquet" / "motmetrics_test" / seq / "gt_track_table.parquet")
    assert gt["tracker_ids"].map(type).eq(str).all()  # lists as "3 7"
    assert len(gt) == len(ws.analysis("motmetrics_test", seq).gt_tracks)


def test_nan_and_text_survive_csv_and_json(tmp_path):
    table = pd.DataFrame({"a": [1.0, np.nan, 0.1 + 0.2], "s": ["", "x", "y, z"], "n": np.array([1, 2, 3], np.int8),
                          "b": [True, False, True], "c": pd.Categorical(["", "SWITCH", ""], ["", "SWITCH", "FRAG"])})
    for fmt in FORMATS:
        from tracklens.export import write_table
        schema = write_table(table, str(tmp_path / f"t.{fmt}"))
        pd.testing.assert_frame_equal(read_table(str(tmp_path / f"t.{fmt}"), schema), table, check_exact=True)


def test_unknown_format_is_refused(ws):
    with pytest.raises(ValueError, match="csv, json, parquet"):
        table_bytes(pd.DataFrame({"a": [1]}), "xlsx")


def test_cli_export(run_dir, tmp_path, capsys):
    out = tmp_path / "tables"
    assert main(["export", str(run_dir), "--format", "parquet", "-o", str(out)]) == 0
    assert "files written" in capsys.readouterr().err
    loaded = Workspace.load(str(run_dir))
    back = read_export(str(out))
    for name, table in _expected(loaded).items():
        pd.testing.assert_frame_equal(back[name].reset_index(drop=True), table, check_exact=True, obj=name)


def test_cli_export_of_a_missing_run(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nothing"), "-o", str(tmp_path / "out")]) == 2
    assert "not a saved tracklens run" in capsys.readouterr().err
