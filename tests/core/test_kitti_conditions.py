"""KITTI occlusion and truncation as breakdown conditions (core/analysis/{boxes,conditions}.py, docs/breakdowns.md).

No real KITTI data is available (/work/shared/data/SOURCES.md lists MOT17, MOT15-TUD and PETS09 only), so the
files are generated: hypothesis writes KITTI label files with every occlusion / truncation value around the
bin edges (and DontCare's -1), the pipeline evaluates them, and each evaluated ground-truth box is checked
against its own line of the file: the box table carries the two values as written, and the bin is the one
docs/breakdowns.md defines (written out here again, independently of ``CONDITIONS``). The counts per bin add
up to the metrics (``check_adds_up`` of test_breakdowns.py, which covers every condition), saved runs keep
the columns, and a run saved before them opens with every box in the "no value" bin."""
from __future__ import annotations

import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklens.analysis.breakdown import box_bins, breakdown_table, sequence_counts, shown_conditions
from tracklens.analysis.conditions import CONDITIONS, box_conditions
from tracklens.analysis.record import SequenceAnalysis
from tracklens.breakdowns import combined_table
from tracklens.dashboard.cli import main
from tracklens.evaluate import evaluate
from tracklens.formats.kitti import read_kitti_file
from tracklens.formats.layouts import resolve_dataset
from tracklens.layout import resolve
from tracklens.workspace import Workspace
from test_breakdowns import check_adds_up, mot17_mpn  # noqa: F401 (a fixture)

SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
OCCLUDED = ("0", "1", "2", "3", "-1", "0.5", "1.99", "2.5", "2.999999", "4")
TRUNCATED = ("0", "0.00", "-0.0", "0.07", "0.15", "0.1500001", "0.3", "0.30", "0.31", "0.5", "0.500001", "0.99", "1",
             "2", "-1")
TYPES = ("Car", "Car", "Pedestrian", "Van", "Person")


def expected_occlusion(text: str) -> str:
    """docs/breakdowns.md: the level as written; outside [0, 4) (DontCare's -1) counts as absent."""
    v = float(text)
    if v < 0 or v >= 4:
        return "no KITTI occlusion column"
    return ("0 fully visible", "1 partly occluded", "2 largely occluded", "3 unknown")[int(v)]


def expected_truncation(text: str) -> str:
    """docs/breakdowns.md: 0, (0, 0.15], (0.15, 0.3], (0.3, 0.5], > 0.5; negative counts as absent."""
    v = float(text)
    if v < 0:
        return "no KITTI truncation column"
    if v == 0:
        return "0"
    for upper, label in ((0.15, "(0, 0.15]"), (0.3, "(0.15, 0.3]"), (0.5, "(0.3, 0.5]")):
        if v <= upper:
            return label
    return "> 0.5"


def kitti_row(frame: int, tid: int, typ: str, box: tuple[float, float, float, float], trunc: str = "0",
              occ: str = "0", score: float | None = None) -> str:
    x0, y0, x1, y1 = box
    row = (f"{frame} {tid} {typ} {trunc} {occ} -10.000000 {x0:.2f} {y0:.2f} {x1:.2f} {y1:.2f} "
           "-1000.000000 -1000.000000 -1000.000000 -10.000000 -1.000000 -1.000000 -1.000000")
    return row + (f" {score:.2f}" if score is not None else "") + "\n"


@st.composite
def kitti_cases(draw):
    """(length, gt text, tracker text): objects whose occlusion and truncation change from row to row, a
    tracker that follows most of them (with one id switch sometimes) and adds false positives."""
    length = draw(st.integers(1, 6))
    gt, tr = [], []
    for k in range(draw(st.integers(0, 6))):
        typ = draw(st.sampled_from(TYPES))
        x, y = draw(st.integers(0, 10)) * 40.0, draw(st.integers(0, 4)) * 40.0
        h = draw(st.sampled_from((20.0, 30.0, 60.0)))
        switch = draw(st.sampled_from((None, 1, 3)))
        for t in sorted(draw(st.sets(st.integers(0, length - 1), min_size=1))):
            box = (x + 3.0 * t, y, x + 3.0 * t + 30.0, y + h)
            gt.append(kitti_row(t, k, typ, box, draw(st.sampled_from(TRUNCATED)), draw(st.sampled_from(OCCLUDED))))
            if draw(st.integers(0, 4)):
                tid = k + 1 if switch is None or t < switch else 50 + k
                d = draw(st.sampled_from((0.0, 2.0, 9.0)))
                ttype = "Car" if typ in ("Car", "Van") else "Pedestrian"
                tr.append(kitti_row(t, tid, ttype, (box[0] + d, box[1], box[2] + d, box[3]), score=0.9))
    if draw(st.booleans()):
        gt.append(kitti_row(0, -1, "DontCare", (0.0, 0.0, 40.0, 40.0), "-1", "-1"))
    for j in range(draw(st.integers(0, 3))):
        t = draw(st.integers(0, length - 1))
        tr.append(kitti_row(t, 100 + j, draw(st.sampled_from(("Car", "Pedestrian"))),
                            (500.0 + 40 * j, 300.0, 530.0 + 40 * j, 360.0), score=0.5))
    return length, "".join(gt), "".join(tr)


def write_layout(root: Path, sequences: dict[str, tuple[int, str, str]]) -> tuple[Path, Path]:
    gt, trs = root / "gt", root / "trackers"
    (gt / "label_02").mkdir(parents=True)
    (trs / "t" / "data").mkdir(parents=True)
    for name, (length, gt_text, tr_text) in sequences.items():
        (gt / "label_02" / f"{name}.txt").write_text(gt_text)
        (trs / "t" / "data" / f"{name}.txt").write_text(tr_text)
    (gt / "evaluate_tracking.seqmap.training").write_text(
        "".join(f"{name} empty 000000 {length:06d}\n" for name, (length, _, _) in sequences.items()))
    return gt, trs


def check_against_file(an: SequenceAnalysis, gt_path: Path, num_frames: int, what: str) -> None:
    """Every ground-truth box carries its own line's occlusion / truncation and sits in the bin
    docs/breakdowns.md gives it; tracker boxes have no value; the bins add up to the metrics."""
    boxes = an.boxes
    lines = gt_path.read_text().splitlines()
    file_line = read_kitti_file(str(gt_path), num_frames, is_gt=True).dets.line
    gt = boxes[(boxes["side"] == "gt").to_numpy()]
    cells = [lines[file_line[r] - 1].split() for r in gt["row"].to_numpy()]
    for column, k in (("kitti_truncated", 3), ("kitti_occluded", 4)):
        written = np.array([float(c[k]) for c in cells])
        assert np.array_equal(gt[column].to_numpy(), written), (what, column)
    tr = boxes[(boxes["side"] == "tr").to_numpy()]
    assert tr["kitti_occluded"].isna().all() and tr["kitti_truncated"].isna().all(), what

    binned = box_bins(boxes)
    gt_binned = binned[(binned["side"] == "gt").to_numpy()]
    rows = boxes.loc[gt_binned.index, "row"].to_numpy()
    expected = {"kitti_occlusion": Counter(), "kitti_truncation": Counter()}
    for r, occ_code, trunc_code in zip(rows, gt_binned["kitti_occlusion"], gt_binned["kitti_truncation"]):
        c = lines[file_line[r] - 1].split()
        assert CONDITIONS["kitti_occlusion"].bin_labels[occ_code] == expected_occlusion(c[4]), (what, c)
        assert CONDITIONS["kitti_truncation"].bin_labels[trunc_code] == expected_truncation(c[3]), (what, c)
        expected["kitti_occlusion"][expected_occlusion(c[4])] += 1
        expected["kitti_truncation"][expected_truncation(c[3])] += 1
    # the table's GT column per bin is the number of evaluated rows of the file with that value
    counts = sequence_counts(boxes)
    table = breakdown_table(counts)
    for name, want in expected.items():
        part = table[(table["condition"] == name).to_numpy()].set_index("bin")
        for label in CONDITIONS[name].bin_labels:
            assert int(part.loc[label, "GT"]) == want.get(label, 0), (what, name, label)
        assert int(part.loc["false positives (no value)", "TR"]) == int((binned["side"] == "tr").sum())
    check_adds_up(counts, an.metrics, what)


@settings(max_examples=40, **SETTINGS)
@given(st.lists(kitti_cases(), min_size=1, max_size=2))
def test_generated_kitti_rows_bin_as_written(cases) -> None:
    sequences = {f"{k:04d}": case for k, case in enumerate(cases)}
    with tempfile.TemporaryDirectory() as tmp:
        gt, trs = write_layout(Path(tmp), sequences)
        run = evaluate(resolve_dataset("kitti", str(gt), str(trs)), analyse_matches=True)
        for cls, seqs in run.analyses["t"].items():
            for seq, an in seqs.items():
                check_against_file(an, gt / "label_02" / f"{seq}.txt", sequences[seq][0], f"{cls}/{seq}")


# A fixed sequence with one evaluated car per bin of each condition (and the rows TrackEval leaves out).
FIXED_GT = "".join([
    kitti_row(0, 1, "Car", (0, 0, 50, 40), trunc="0", occ="0"),
    kitti_row(1, 1, "Car", (3, 0, 53, 40), trunc="0.15", occ="1"),
    kitti_row(2, 1, "Car", (6, 0, 56, 40), trunc="0.2", occ="2"),
    kitti_row(0, 2, "Car", (100, 0, 150, 40), trunc="0.45", occ="1"),
    kitti_row(1, 2, "Car", (103, 0, 153, 40), trunc="0.8", occ="2"),
    kitti_row(2, 2, "Car", (106, 0, 156, 40), trunc="1", occ="0"),  # int(1) > 0: not evaluated
    kitti_row(0, 3, "Car", (200, 0, 250, 40), trunc="0", occ="3"),  # int(3) > 2: not evaluated
    kitti_row(1, 4, "Pedestrian", (300, 0, 320, 60), trunc="-1", occ="-1"),  # evaluated, both absent
    kitti_row(0, -1, "DontCare", (400, 0, 450, 40), trunc="-1", occ="-1"),
])
FIXED_TR = "".join([
    kitti_row(0, 11, "Car", (0, 0, 50, 40), score=0.9), kitti_row(1, 11, "Car", (3, 0, 53, 40), score=0.9),
    kitti_row(2, 12, "Car", (6, 0, 56, 40), score=0.9), kitti_row(0, 21, "Car", (100, 0, 150, 40), score=0.9),
    kitti_row(1, 4, "Pedestrian", (300, 0, 320, 60), score=0.9), kitti_row(2, 30, "Car", (600, 0, 650, 40), score=0.9),
])


@pytest.fixture(scope="module")
def fixed_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("kitti_conditions")
    gt, trs = write_layout(root / "data", {"0000": (3, FIXED_GT, FIXED_TR)})
    breakdowns = root / "breakdowns.json"
    assert main(["eval", "--format", "kitti", "--gt-folder", str(gt), "--trackers-folder", str(trs), "--save",
                 str(root / "run"), "--breakdowns", str(breakdowns), "--quiet"]) == 0
    return root, gt


def test_fixed_sequence_bins(fixed_run) -> None:
    root, gt = fixed_run
    ws = Workspace.load(str(root / "run"))
    car = ws.for_class("car").analysis("t", "0000")
    check_against_file(car, gt / "label_02" / "0000.txt", 3, "car")
    table = combined_table([("0000", car)]).set_index(["condition", "bin"])
    occ = table.loc["kitti_occlusion", "GT"]
    assert occ.to_dict() == {"0 fully visible": 1, "1 partly occluded": 2, "2 largely occluded": 2, "3 unknown": 0,
                             "no KITTI occlusion column": 0, "false positives (no value)": 0}
    trunc = table.loc["kitti_truncation", "GT"]
    assert trunc.to_dict() == {"0": 1, "(0, 0.15]": 1, "(0.15, 0.3]": 1, "(0.3, 0.5]": 1, "> 0.5": 1,
                               "no KITTI truncation column": 0, "false positives (no value)": 0}
    assert table.loc[("kitti_occlusion", "false positives (no value)"), "TR"] == car.metrics["Dets"]
    # the car track 1 (frames 0-2) is followed by 11, then 12: the switch is on its frame-2 box (occlusion 2)
    assert table.loc[("kitti_occlusion", "2 largely occluded"), "IDSW"] == 1 == car.metrics["IDSW"]
    ped = ws.for_class("pedestrian").analysis("t", "0000")
    ped_table = combined_table([("0000", ped)]).set_index(["condition", "bin"])
    assert ped_table.loc[("kitti_occlusion", "no KITTI occlusion column"), "GT"] == 1  # written -1
    assert ped_table.loc[("kitti_truncation", "no KITTI truncation column"), "GT"] == 1
    # the car class has values: both KITTI conditions are shown; visibility (no column in KITTI) is not
    shown = shown_conditions([combined_table([("0000", car)])])
    assert "kitti_occlusion" in shown and "kitti_truncation" in shown and "visibility" not in shown
    assert not {"kitti_occlusion", "kitti_truncation"} & set(shown_conditions([combined_table([("0000", ped)])]))


def test_breakdowns_json_has_the_kitti_conditions(fixed_run) -> None:
    root, _ = fixed_run
    out = json.loads((root / "breakdowns.json").read_text())
    occ = out["t"]["car"]["breakdowns"]["combined"]["kitti_occlusion"]
    assert occ["title"] == "KITTI occlusion" and occ["gt_only"] is True
    assert [b["bin"] for b in occ["bins"]] == [*CONDITIONS["kitti_occlusion"].bin_labels, "false positives (no value)"]
    assert [b["GT"] for b in occ["bins"]] == [1, 2, 2, 0, 0, 0]
    trunc = out["t"]["car"]["breakdowns"]["sequences"]["0000"]["kitti_truncation"]
    assert [b["GT"] for b in trunc["bins"]] == [1, 1, 1, 1, 1, 0, 0]


def test_saved_run_keeps_the_columns_and_an_older_run_opens(fixed_run, tmp_path) -> None:
    root, gt = fixed_run
    ws = Workspace.load(str(root / "run"))
    saved = ws.for_class("car").analysis("t", "0000")
    assert saved.boxes["kitti_truncated"].dtype == np.float64
    # the same analysis computed again from the folders (lazily, as the dashboard does) has the same values
    fresh = evaluate(resolve_dataset("kitti", str(gt), str(root / "data" / "trackers")), analyse_matches=True)
    again = fresh.analyses["t"]["car"]["0000"].boxes
    for column in ("kitti_occluded", "kitti_truncated"):
        assert np.array_equal(saved.boxes[column].to_numpy(), again[column].to_numpy(), equal_nan=True), column
    # an analysis saved before the columns existed: every box in the "no value" bin, counts still add up
    folder = tmp_path / "old"
    saved.save(str(folder))
    path = folder / "boxes.parquet"
    table = pq.read_table(path)
    pq.write_table(table.drop(["kitti_occluded", "kitti_truncated"]), path, row_group_size=16384)
    old = SequenceAnalysis.load(str(folder))
    assert "kitti_occluded" not in old.boxes.columns
    cond = box_conditions(old.boxes)
    assert cond["kitti_occlusion"].isna().all() and cond["kitti_truncation"].isna().all()
    counts = sequence_counts(old.boxes)
    check_adds_up(counts, old.metrics, "old run")
    table = breakdown_table(counts).set_index(["condition", "bin"])
    assert table.loc[("kitti_occlusion", "no KITTI occlusion column"), "GT"] == old.metrics["GT_Dets"]
    assert "kitti_occlusion" not in shown_conditions([breakdown_table(counts)])
    shutil.rmtree(folder)


def test_mot_boxes_have_no_kitti_values(sample_dir) -> None:
    """Other formats: no KITTI columns in the box table, every box in the missing bin, and the conditions
    not shown."""
    run = evaluate(resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15"), analyse_matches=True)
    tables = []
    for seqs in run.analyses.values():
        for an in seqs.values():
            assert not {"kitti_occluded", "kitti_truncated"} & set(an.boxes.columns)
            counts = sequence_counts(an.boxes)
            check_adds_up(counts, an.metrics, an.sequence)
            tables.append(breakdown_table(counts))
    shown = shown_conditions(tables)
    assert shown == ["height", "speed", "crowding", "track_length", "since_visible"]  # MOT15: no visibility either


@pytest.mark.shared
def test_mot17_has_no_kitti_values(mot17_mpn) -> None:
    """MOT17: no KITTI value at any box, the counts add up, and only the six MOTChallenge conditions are shown."""
    tables = []
    for seq, an in mot17_mpn.analyses["MPNTrack"].items():
        boxes = an.boxes
        assert not {"kitti_occluded", "kitti_truncated"} & set(boxes.columns), seq
        counts = sequence_counts(boxes)
        check_adds_up(counts, an.metrics, seq)
        tables.append(breakdown_table(counts))
    assert shown_conditions(tables) == ["visibility", "height", "speed", "crowding", "track_length", "since_visible"]
