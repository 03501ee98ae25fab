"""Metrics compared computed once, at save time: the tables a saved run holds equal, exactly, the ones
the Metrics compared page computes from the input files (bundled sample, a generated two-class case
with class probabilities, and a real MOT17 sequence), and a damaged file is a one-line error."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tracklens import saved_run
from tracklens.compared import COMPARED, frame_from_json, frame_to_json
from tracklens.dashboard.loading import (ca_hota_curve, compared_classes, compared_curve, compared_rows,
                                         other_metrics, per_class_table)
from tracklens.errors import InputError
from tracklens.workspace import Workspace


def _computed_and_saved(folders: Workspace, run_dir: Path) -> Workspace:
    folders.save(str(run_dir))
    saved = Workspace.load(str(run_dir))
    assert saved.compared is not None and folders.compared is None
    return saved


def _assert_same(folders: Workspace, saved: Workspace) -> int:
    """Every table of every sequence, read back from the run, equals the one computed now; returns how
    many CA-HOTA curves were compared."""
    curves = 0
    for meta in folders.sequences:
        live = other_metrics(folders.inputs, meta.name, tuple(folders.trackers))
        pd.testing.assert_frame_equal(compared_rows(saved, meta.name), live, check_exact=True)
        assert compared_rows(folders, meta.name).equals(live)
        with_classes = [t for t in folders.trackers
                        if live.loc[(live.tracker == t) & (live.metric == "CA-HOTA"), "value"].notna().all()]
        assert set(saved.compared["sequences"][meta.name]["curves"]) == set(with_classes)
        for t in with_classes:
            pd.testing.assert_frame_equal(compared_curve(saved, meta.name, t),
                                          ca_hota_curve(folders.inputs, meta.name, t), check_exact=True)
            curves += 1
    live_classes = per_class_table(folders.inputs, tuple(folders.trackers))
    if live_classes is None:
        assert compared_classes(saved) is None
    else:
        pd.testing.assert_frame_equal(compared_classes(saved), live_classes, check_exact=True)
    return curves


def test_sample_run_keeps_the_tables_the_page_computes(sample_dir: Path, tmp_path: Path) -> None:
    folders = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                     analyse_now=False)
    saved = _computed_and_saved(folders, tmp_path / "run")
    _assert_same(folders, saved)
    rows = compared_rows(saved, folders.sequences[0].name)
    assert rows["ignores"].notna().all() and set(rows["tracker"]) == set(folders.trackers)


def _two_class_case(root: Path) -> tuple[Path, Path]:
    """Two sequences, two classes; tracker ``p`` gives class probabilities (column 8 and 7; MOTChallenge files allow class 1 only), ``q`` none."""
    for name, frames in (("s1", 6), ("s2", 4)):
        seq = root / "gt" / name
        (seq / "gt").mkdir(parents=True)
        (seq / "seqinfo.ini").write_text(f"[Sequence]\nname={name}\nseqLength={frames}\n")
        gt, p, q = [], [], []
        for f in range(1, frames + 1):
            gt += [f"{f},1,10,10,20,40,1,1,1", f"{f},2,{100 + f},10,20,40,1,2,1"]
            p += [f"{f},7,11,10,20,40,0.8,1,1", f"{f},{8 + f % 2},{101 + f},11,20,40,0.6,1,1"]
            q += [f"{f},3,10,12,20,40,-1,-1,-1"] + ([f"{f},4,300,10,20,40,-1,-1,-1"] if f % 3 else [])
        (seq / "gt" / "gt.txt").write_text("\n".join(gt) + "\n")
        for tracker, rows in (("p", p), ("q", q)):
            (root / "tr" / tracker).mkdir(parents=True, exist_ok=True)
            (root / "tr" / tracker / f"{name}.txt").write_text("\n".join(rows) + "\n")
    return root / "gt", root / "tr"


def test_two_classes_with_probabilities(tmp_path: Path) -> None:
    gt, tr = _two_class_case(tmp_path / "data")
    folders = Workspace.from_folders(str(gt), str(tr), benchmark="MOT17", preprocess=False, analyse_now=False)
    saved = _computed_and_saved(folders, tmp_path / "run")
    assert _assert_same(folders, saved) == 2, "tracker p's CA-HOTA curve on both sequences"
    assert compared_classes(saved) is not None


@pytest.mark.shared
def test_real_mot17_sequence(shared_data: Path, tmp_path: Path) -> None:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path / "one.txt"
    seqmap.write_text("name\nMOT17-05-FRCNN\n")
    folders = Workspace.from_folders(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"),
                                     benchmark="MOT17", seqmap=str(seqmap), trackers=["MPNTrack"], analyse_now=False)
    saved = _computed_and_saved(folders, tmp_path / "run")
    _assert_same(folders, saved)


def test_tables_round_trip_with_nan_and_dtypes() -> None:
    frame = pd.DataFrame({"a": [1.5, float("nan")], "b": ["x", None], "c": [1, 2], "d": [True, False]})
    pd.testing.assert_frame_equal(frame_from_json(json.loads(json.dumps(frame_to_json(frame)))), frame,
                                  check_exact=True)


@pytest.mark.parametrize("damage", ["text value", "unknown tracker", "missing sequence", "not json"])
def test_a_damaged_file_is_a_one_line_error(sample_dir: Path, tmp_path: Path, damage: str) -> None:
    run = tmp_path / "run"
    Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                           analyse_now=False).save(str(run))
    path = run / COMPARED
    raw = json.loads(path.read_text())
    seq = next(iter(raw["sequences"]))
    if damage == "text value":
        raw["sequences"][seq]["rows"]["columns"]["value"]["values"][0] = {"x": 1}
    elif damage == "unknown tracker":
        raw["sequences"][seq]["rows"]["columns"]["tracker"]["values"][0] = "someone"
    elif damage == "missing sequence":
        del raw["sequences"][seq]
    text = "{" if damage == "not json" else json.dumps(raw)
    path.write_text(text)
    manifest = json.loads((run / "manifest.json").read_text())  # re-signed, so the shape check is what refuses
    manifest["files"][COMPARED] = {"size": path.stat().st_size, "sha256": saved_run._sha256(str(path))}
    (run / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError) as err:
        Workspace.load(str(run))
    assert err.value.path.endswith(COMPARED) and "metrics compared" in err.value.reason


def test_no_compared_leaves_them_to_the_page(sample_dir: Path, tmp_path: Path) -> None:
    from tracklens.dashboard.cli import main

    run = tmp_path / "run"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--save", str(run), "--no-compared", "--quiet"]) == 0
    saved = Workspace.load(str(run))
    assert saved.compared is None and not (run / COMPARED).exists()
    seq = saved.sequences[0].name
    assert compared_rows(saved, seq).equals(other_metrics(saved.inputs, seq, tuple(saved.trackers)))


def test_metrics_compared_page_reads_a_moved_run_without_its_inputs(sample_dir: Path, tmp_path: Path) -> None:
    """The page shows the saved tables (no re-evaluation: the input files are gone)."""
    import shutil

    from streamlit.testing.v1 import AppTest

    from tracklens.dashboard.loading import Source

    project = tmp_path / "project"
    shutil.copytree(sample_dir, project / "data")
    Workspace.from_folders(str(project / "data" / "gt"), str(project / "data" / "trackers"), benchmark="MOT15",
                           analyse_now=False).save(str(project / "run"))
    shutil.rmtree(project / "data")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py"), default_timeout=120)
    at.session_state["_opened_source"] = Source(run_dir=str(project / "run"))
    at.query_params["seq"], at.query_params["tracker"] = "TUD-Campus", "motmetrics_test"
    at.run()
    at.switch_page("app_pages/metrics.py").run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    shown = at.dataframe[0].value  # HOTA, DetA, AssA, MOTA, IDF1 from metrics.json, the rest from the run's tables
    saved = Workspace.load(str(project / "run")).compared["sequences"]["TUD-Campus"]["rows"]["columns"]
    assert len(shown) == 5 + len(set(saved["metric"]["values"])) and shown["ignores"].astype(bool).all()
