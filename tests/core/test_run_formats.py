"""One pipeline for every format: KITTI, BDD100K and ``--classes`` runs are saved, loaded, exported,
reported and clipped like MOTChallenge runs; a saved run remembers its inputs in one record and
still opens after it has moved (with or without its data)."""
from __future__ import annotations

import json
import shutil

import cv2
import numpy as np
import pandas as pd
import pytest
from core_cases import field_mismatches
from format_data import write_bdd, write_kitti
from test_kitti_bdd import BDD_COMBINED, trackeval_bdd, trackeval_kitti

from tracklens.classes import evaluate_classes
from tracklens.dashboard.cli import main
from tracklens.dashboard.report import build_report, whatif_tables
from tracklens.errors import InputError
from tracklens.evaluate import COMBINED
from tracklens.export import export_workspace, read_export
from tracklens.layout import resolve
from tracklens.run import RunInputs, resolve_inputs
from tracklens.workspace import Workspace

WRITERS = {"kitti": (write_kitti, trackeval_kitti),
           "bdd100k": (write_bdd, trackeval_bdd)}


@pytest.fixture(scope="module", params=["kitti", "bdd100k"])
def saved(request, tmp_path_factory):
    """(format, data root, run dir, TrackEval's result) of a saved run of generated data."""
    fmt = request.param
    write, reference = WRITERS[fmt]
    root = tmp_path_factory.mktemp(fmt)
    gt, trs = write(root / "data")
    run = root / "run"
    assert main(["eval", "--format", fmt, "--gt-folder", str(gt), "--trackers-folder", str(trs), "--save", str(run),
                 "--json", str(root / "out.json"), "--csv", str(root / "out.csv"), "--quiet"]) == 0
    return fmt, root, run, reference(gt, trs)


def test_saved_run_equals_trackeval(saved):
    fmt, root, run, ref = saved
    ws = Workspace.load(str(run))
    assert ws.classes == (["car", "pedestrian"] if fmt == "kitti" else list(ref["tracker_a"][COMBINED])[:8])
    bad, compared = [], 0
    for tr, by_seq in ref.items():
        for seq, by_cls in by_seq.items():
            for cls, fields in by_cls.items():
                ours = ws.combined[tr][cls] if cls in BDD_COMBINED else ws.for_class(cls).metrics[tr][seq]
                bad += [f"{tr}/{seq}/{cls} {m}" for m in field_mismatches(ours, fields)]
                compared += 1
    assert not bad, "\n".join(bad[:20])
    # trackers x ((2 sequences + combined) x classes + the class combinations, BDD100K only)
    assert compared == 2 * (3 * 2 if fmt == "kitti" else 3 * 8 + len(BDD_COMBINED))
    csv = pd.read_csv(root / "out.csv")
    assert {"car:0000" if fmt == "kitti" else "car:video-0", "car:COMBINED"} <= set(csv["seq"])
    assert json.loads((root / "out.json").read_text())["tracker_b"]["car"]["COMBINED"]["IDSW"] == \
        ws.for_class("car").metrics["tracker_b"][COMBINED]["IDSW"]


def test_class_views_read_their_own_tables(saved):
    fmt, _, run, _ = saved
    ws = Workspace.load(str(run))
    seq = ws.sequences[0].name
    car, ped = ws.for_class("car"), ws.for_class("pedestrian")
    assert ws.for_class("car") is car and car.class_name == "car"
    an = car.analysis("tracker_b", seq)
    assert an.metrics["IDSW"] == car.metrics["tracker_b"][seq]["IDSW"] > 0  # tracker_b swaps the two cars
    assert (an.events["type"] == "SWITCH").sum() == an.metrics["IDSW"]
    assert set(an.gt_tracks["gt_id"]) == {1, 2}  # the pedestrian (id 3) belongs to the other class
    p = ped.analysis("tracker_b", seq)
    assert set(p.gt_tracks["gt_id"]) == {3} and p.metrics["CLR_FN"] == ped.metrics["tracker_b"][seq]["CLR_FN"] == 6
    with pytest.raises(KeyError):
        ws.for_class("van")


def test_lazy_and_parallel_runs_equal_the_saved_one(saved):
    """The dashboard's way (metrics now, one sequence x tracker x class analysed when asked) and a
    process pool give what the saved run holds."""
    fmt, root, run, _ = saved
    saved_ws = Workspace.load(str(run))
    inputs = RunInputs(str(root / "data" / "gt"), str(root / "data" / "trackers"), fmt, fmt.upper())
    lazy = Workspace.from_inputs(inputs, analyse_now=False, workers=2)
    assert lazy.classes == saved_ws.classes and lazy.class_name == saved_ws.class_name
    seq = saved_ws.sequences[1].name
    for cls in ("car", "pedestrian"):
        mine, theirs = lazy.for_class(cls), saved_ws.for_class(cls)
        assert not field_mismatches(mine.metrics["tracker_b"][COMBINED], theirs.metrics["tracker_b"][COMBINED])
        pd.testing.assert_frame_equal(mine.analysis("tracker_b", seq).events.reset_index(drop=True),
                                      theirs.analysis("tracker_b", seq).events.reset_index(drop=True))
    assert saved_ws.for_class("pedestrian").for_class(saved_ws.class_name) is saved_ws


def test_export_report_and_clip(saved, tmp_path):
    fmt, _, run, _ = saved
    ws = Workspace.load(str(run))
    seq = ws.sequences[-1].name
    export_workspace(ws, str(tmp_path / "x"), "parquet")
    tables = read_export(str(tmp_path / "x"))
    for cls in ws.classes:
        boxes = tables[f"classes/{cls}/tracker_b/{seq}/boxes"]
        pd.testing.assert_frame_equal(boxes.reset_index(drop=True),
                                      ws.for_class(cls).analysis("tracker_b", seq).boxes.reset_index(drop=True))
    rows = tables["metrics"].set_index(["tracker", "seq"])
    assert rows.loc[("tracker_a", "pedestrian:COMBINED"), "CLR_TP"] == \
        ws.for_class("pedestrian").metrics["tracker_a"][COMBINED]["CLR_TP"]
    if fmt == "bdd100k":
        assert ("tracker_b", "cls_comb_det_av:COMBINED") in rows.index

    html = build_report(ws.for_class("pedestrian"), max_tracks=1)
    assert "class pedestrian" in html and "Every class" in html
    assert "What-if gains are not available" in html and "MOTChallenge single-class evaluation" in html
    assert f"--format {fmt}" in html
    out = tmp_path / "r.html"
    assert main(["report", str(run), "--class", "car", "-o", str(out), "--no-whatif"]) == 0
    assert "class car" in out.read_text()
    assert main(["report", str(run), "--class", "van", "-o", str(out)]) == 2

    clip = tmp_path / "c.avi"
    assert main(["clip", str(run), "--class", "car", "--tracker", "tracker_b", "--sequence", seq, "--frames", "3:9",
                 "-o", str(clip)]) == 0
    cap = cv2.VideoCapture(str(clip))
    frames = 0
    while cap.read()[0]:
        frames += 1
    assert frames == 7


def test_classes_save_json_and_csv(tmp_path):
    """``eval --classes all --save R --csv F --json J`` writes all three, from the same run."""
    gt, trs = tmp_path / "gt", tmp_path / "trs"
    (gt / "s" / "gt").mkdir(parents=True)
    (gt / "s" / "seqinfo.ini").write_text("[Sequence]\nname=s\nseqLength=6\nimWidth=640\nimHeight=480\n")
    (trs / "t").mkdir(parents=True)
    gt_rows, tr_rows = [], []
    for f in range(1, 7):
        gt_rows += [f"{f},1,{10 + 5 * f},10,40,80,1,1,1\n", f"{f},2,300,{20 + 3 * f},90,50,1,3,1\n"]
        tr_rows += [f"{f},7,{12 + 5 * f},10,40,80,0.9,1,1\n"]
        if f != 4:
            tr_rows.append(f"{f},{8 if f < 4 else 9},302,{20 + 3 * f},90,50,0.9,3,1\n")
    (gt / "s" / "gt" / "gt.txt").write_text("".join(gt_rows))
    (trs / "t" / "s.txt").write_text("".join(tr_rows))
    run, csv, js = tmp_path / "run", tmp_path / "m.csv", tmp_path / "m.json"
    assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trs), "--classes", "all",
                 "--save", str(run), "--csv", str(csv), "--json", str(js), "--quiet"]) == 0
    fresh = evaluate_classes(resolve(str(gt), str(trs)), [1, 3])
    ws = Workspace.load(str(run))
    assert ws.classes == ["1", "3"] and ws.inputs.classes == ("1", "3") and not ws.inputs.preprocess
    for cls in ws.classes:
        assert not field_mismatches(ws.for_class(cls).metrics["t"][COMBINED], fresh.metrics["t"][cls][COMBINED])
    assert not field_mismatches(ws.combined["t"]["cls_comb_cls_av"], fresh.combined["t"]["cls_comb_cls_av"])
    assert ws.for_class("3").metrics["t"]["s"]["IDSW"] == 1 and ws.for_class("3").metrics["t"]["s"]["CLR_FN"] == 1
    rows = pd.read_csv(csv).set_index("seq")
    wanted = {"1:s", "1:COMBINED", "3:COMBINED", "cls_comb_cls_av:COMBINED", "cls_comb_det_av:COMBINED"}
    assert wanted <= set(rows.index)
    assert rows.loc["3:COMBINED", "IDSW"] == 1
    assert json.loads(js.read_text())["t"]["cls_comb_det_av"]["COMBINED"]["CLR_TP"] == 11
    assert (run / "classes" / "3" / "t" / "s" / "analysis.json").is_file()
    # An output that cannot be written is a clear error before any work, never a silent exit 0.
    (tmp_path / "afile").write_text("")
    assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trs), "--classes", "all",
                 "--csv", str(tmp_path / "afile" / "m.csv"), "--quiet"]) == 2
    assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trs), "--classes", "all",
                 "--save", str(tmp_path / "afile"), "--quiet"]) == 2


def test_moved_run_finds_its_data_or_says_what_is_missing(sample_dir, tmp_path, capsys):
    project = tmp_path / "project"
    shutil.copytree(sample_dir, project / "data")
    assert main(["eval", "--gt-folder", str(project / "data" / "gt"), "--trackers-folder",
                 str(project / "data" / "trackers"), "--benchmark", "MOT15", "--video-folder",
                 str(project / "data" / "videos"), "--save", str(project / "run"), "--quiet"]) == 0
    record = json.loads((project / "run" / "manifest.json").read_text())["inputs"]
    assert record["relative"]["gt_folder"] == "../data/gt" and record["gt_folder"] == str(project / "data" / "gt")

    # Run and data moved together: everything, the what-if included, reads the new place.
    moved = tmp_path / "elsewhere" / "project"
    shutil.move(str(project), str(moved))
    ws = Workspace.load(str(moved / "run"), frame_roots=(str(moved / "data"),))  # frames: allowed roots only
    assert ws.inputs.gt_folder == str(moved / "data" / "gt")
    assert all(s.video.startswith(str(moved / "data" / "videos")) for s in ws.sequences)
    assert len(resolve_inputs(ws.inputs).sequences) == len(ws.sequences)
    table, reason = whatif_tables(ws)
    assert reason == "" and set(table["tracker"]) == set(ws.trackers)

    # The run alone moved on, the data gone: it still opens; the re-evaluations say what is missing.
    alone = tmp_path / "alone"
    shutil.move(str(moved / "run"), str(alone))
    shutil.rmtree(moved)
    ws = Workspace.load(str(alone))
    assert ws.analysis(ws.trackers[0], ws.sequences[0].name).metrics["HOTA"] is not None
    table, reason = whatif_tables(ws)
    assert table is None and f"missing: {project / 'data' / 'gt'}" in reason  # as first recorded
    with pytest.raises(InputError, match="an input of this run is missing"):
        resolve_inputs(ws.inputs, saved=True)
    assert main(["report", str(alone), "-o", str(tmp_path / "r.html"), "--max-tracks", "1"]) == 0


def test_old_manifests_read_as_motchallenge():
    """A manifest written before the record grew (no format, trackers, classes, relative paths)."""
    old = {"gt_folder": "/data/gt", "trackers_folder": "/data/tr", "benchmark": "MOT15", "split": "train",
           "seqmap": None, "video_folder": None, "preprocess": True, "threshold": 0.5}
    inputs = RunInputs.from_manifest(old, "/runs/r")
    assert inputs == RunInputs("/data/gt", "/data/tr", benchmark="MOT15")
    assert np.isclose(inputs.threshold, 0.5)
