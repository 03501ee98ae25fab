"""KITTI tracking and BDD100K box tracking vs TrackEval 1.3.0 (``Kitti2DBox``, ``BDD100K``), files
to numbers: generated datasets are written in TrackEval's folder layouts, TrackEval's ``Evaluator``
runs on them (single process, nothing written) and our layout resolver + readers + preprocessing +
metrics run on the same folders. Every HOTA/CLEAR/Identity/Count field must agree (floats to 1e-9,
counts exactly) per class x sequence, per class combined over sequences and, for BDD100K, for the
class combiners and super-categories.

The generated data covers what the two preprocessings act on: KITTI DontCare regions (IoA around
0.5), van / person distractors, occlusion 3 and truncation 1-2 (and a fractional truncation that
TrackEval's ``astype(int)`` turns into 0), tiny boxes around the 25 px height limit, tracker boxes
of other classes, negative tracker ids; BDD100K crowd boxes and distractor categories as ignore
regions, frames written out of ``index`` order, boxes of every category.
"""
from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from core_cases import field_mismatches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import install_numpy_shim

install_numpy_shim()  # TrackEval's import needs nothing here, but keep the harness' rule
import trackeval  # noqa: E402

from tracklens.dashboard.cli import main  # noqa: E402
from tracklens.errors import InputError  # noqa: E402
from tracklens.evaluate import COMBINED, evaluate  # noqa: E402
from tracklens.formats.bdd100k import CLASSES as BDD_CLASSES, read_bdd_file  # noqa: E402
from tracklens.formats.kitti import read_kitti_file, read_seqmap  # noqa: E402
from tracklens.formats.layouts import resolve_dataset  # noqa: E402
from tracklens.preprocess_kitti import prepare_kitti  # noqa: E402


def evaluate_dataset(layout):
    """Every tracker x class x sequence through the one pipeline, as TrackEval's Evaluator."""
    return evaluate(layout, preprocess=True)

SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
BDD_COMBINED = ("cls_comb_cls_av", "cls_comb_det_av", "HUMAN", "VEHICLE", "BIKE")
EVAL_CONFIG = {
    "USE_PARALLEL": False, "BREAK_ON_ERROR": True, "RETURN_ON_ERROR": False, "LOG_ON_ERROR": None,
    "PRINT_RESULTS": False, "PRINT_ONLY_COMBINED": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False,
    "DISPLAY_LESS_PROGRESS": True, "OUTPUT_SUMMARY": False, "OUTPUT_EMPTY_CLASSES": False,
    "OUTPUT_DETAILED": False, "PLOT_CURVES": False,
}


# ------------------------------------------------------------------------------------------------
# TrackEval side


def _flat(per_metric: dict) -> dict:
    out = {}
    for res in per_metric.values():
        out.update(res)
    return out


def trackeval_dataset(dataset) -> dict:
    """``{tracker: {seq | COMBINED_SEQ: {class | combined key: {field: value}}}}``."""
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
               trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
    with contextlib.redirect_stdout(io.StringIO()):
        output, _ = trackeval.Evaluator(EVAL_CONFIG).evaluate([dataset], metrics)
    res = output[dataset.get_name()]
    return {tr: {seq: {c: _flat(m) for c, m in by_cls.items()} for seq, by_cls in r.items()} for tr, r in res.items()}


def trackeval_kitti(gt: Path, trackers: Path, classes=("car", "pedestrian"), split="training") -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        ds = trackeval.datasets.Kitti2DBox({
            "GT_FOLDER": str(gt), "TRACKERS_FOLDER": str(trackers), "OUTPUT_FOLDER": "", "CLASSES_TO_EVAL": list(classes),
            "SPLIT_TO_EVAL": split, "PRINT_CONFIG": False})
    return trackeval_dataset(ds)


def trackeval_bdd(gt: Path, trackers: Path, classes=BDD_CLASSES) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        ds = trackeval.datasets.BDD100K({
            "GT_FOLDER": str(gt), "TRACKERS_FOLDER": str(trackers), "OUTPUT_FOLDER": None,
            "CLASSES_TO_EVAL": list(classes), "PRINT_CONFIG": False})
    return trackeval_dataset(ds)


def assert_parity(fmt: str, gt: Path, trackers: Path, ref: dict, classes=None) -> int:
    """Ours on the same folders equals ``ref`` everywhere; returns the number of result dicts compared."""
    run = evaluate_dataset(resolve_dataset(fmt, str(gt), str(trackers), classes=classes))
    compared, bad = 0, []
    for tr, by_seq in ref.items():
        for seq, by_cls in by_seq.items():
            for cls, fields in by_cls.items():
                if seq == COMBINED and cls in BDD_COMBINED:
                    ours = run.combined[tr][cls]
                else:
                    ours = run.metrics[tr][cls][seq]
                compared += 1
                bad += [f"{tr}/{seq}/{cls} {m}" for m in field_mismatches(ours, fields)]
        if fmt == "bdd100k":  # and nothing extra on our side
            assert set(run.combined[tr]) == {k for k in ref[tr][COMBINED] if k in BDD_COMBINED}
    assert not bad, "\n".join(bad[:20])
    return compared


# ------------------------------------------------------------------------------------------------
# KITTI data

KITTI_TYPES = ("Car", "Van", "Pedestrian", "Person", "Cyclist", "Truck", "car_2")
TRACKER_TYPE = {"Car": "Car", "Van": "Car", "Pedestrian": "Pedestrian", "Person": "Pedestrian", "Cyclist": "Cyclist",
                "Truck": "Car", "car_2": "Car"}


def kitti_row(frame, tid, typ, x0, y0, x1, y1, trunc=0, occ=0, score=None) -> str:
    row = (f"{frame} {tid} {typ} {trunc:g} {occ} -10.000000 {x0:.6f} {y0:.6f} {x1:.6f} {y1:.6f} "
           "-1000.000000 -1000.000000 -1000.000000 -10.000000 -1.000000 -1.000000 -1.000000")
    return row + (f" {score:.6f}" if score is not None else "") + "\n"


@st.composite
def kitti_sequences(draw, max_frames: int = 7):
    """(length, gt text, {tracker: text}) of one generated KITTI sequence."""
    length = draw(st.integers(1, max_frames))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    frames = st.integers(0, length - 1)
    gt_lines: list[tuple[int, str]] = []
    objects = []
    for k in range(draw(st.integers(0, 6))):
        typ = draw(st.sampled_from(KITTI_TYPES))
        trunc = draw(st.sampled_from((0, 0, 0, 1, 2, 0.5)))
        occ = draw(st.sampled_from((0, 0, 1, 2, 3)))
        w = draw(st.sampled_from((10.0, 30.0, 60.0)))
        h = draw(st.sampled_from((20.0, 25.0, 30.0, 60.0)))
        x, y = draw(st.integers(0, 12)) * 10.0, draw(st.integers(0, 8)) * 10.0
        dx = draw(st.sampled_from((0.0, 2.5, 10.0)))
        present = sorted(draw(st.sets(frames, min_size=1)))
        box = {t: (x + dx * t, y, x + dx * t + w, y + h) for t in present}
        objects.append((k, typ, box))
        for t in present:
            gt_lines.append((t, kitti_row(t, k, typ, *box[t], trunc=trunc, occ=occ)))
    regions = {}
    for _ in range(draw(st.integers(0, 3))):  # DontCare regions
        t = draw(frames)
        x, y = draw(st.integers(0, 12)) * 10.0, draw(st.integers(0, 8)) * 10.0
        region = (x, y, x + draw(st.sampled_from((20.0, 50.0, 100.0))), y + draw(st.sampled_from((30.0, 60.0))))
        regions.setdefault(t, []).append(region)
        gt_lines.append((t, kitti_row(t, -1, "DontCare", *region, trunc=-1, occ=-1)))
    if draw(st.booleans()):
        gt_lines.sort(key=lambda r: r[0])

    trackers = {}
    for name in ("A", "B")[: draw(st.integers(1, 2))]:
        with_score = draw(st.booleans())
        rows = []
        for k, typ, box in objects:
            if draw(st.integers(0, 4)) == 0:
                continue  # missed
            ttype = TRACKER_TYPE[typ] if draw(st.integers(0, 5)) else draw(st.sampled_from(KITTI_TYPES))
            jitter = draw(st.sampled_from((0.0, 0.0, 2.0, 5.0, 15.0)))
            switch = draw(st.sampled_from((None, 1, 2)))
            for i, t in enumerate(sorted(box)):
                if draw(st.integers(0, 6)) == 0:
                    continue
                tid = k + 1 if switch is None or i < switch else 50 + k
                x0, y0, x1, y1 = box[t]
                d = rng.uniform(-jitter, jitter, 4).round(2)
                rows.append((t, kitti_row(t, tid, ttype, x0 + d[0], y0 + d[1], x1 + d[2], y1 + d[3],
                                          score=0.9 if with_score else None)))
        for j in range(draw(st.integers(0, 5))):  # false positives: tiny, inside DontCare, elsewhere
            t = draw(frames)
            h = draw(st.sampled_from((5.0, 24.5, 25.0, 25.5, 40.0)))
            ttype = draw(st.sampled_from(("Car", "Car", "Pedestrian", "Van")))
            if regions.get(t) and draw(st.booleans()):
                x0, y0, x1, y1 = regions[t][0]
                # shifted so that IoA lands below, at and above 0.5
                shift = draw(st.sampled_from((0.0, 0.25, 0.5, 0.75)))
                bw = min(x1 - x0, 20.0)
                bx = x0 - shift * bw
                rows.append((t, kitti_row(t, 100 + j, ttype, bx, y0, bx + bw, y0 + max(h, 26.0),
                                          score=0.9 if with_score else None)))
            else:
                x, y = draw(st.integers(0, 15)) * 10.0, draw(st.integers(0, 10)) * 10.0
                rows.append((t, kitti_row(t, 100 + j, ttype, x, y, x + 20.0, y + h, score=0.9 if with_score else None)))
        if draw(st.integers(0, 5)) == 0:
            rows.append((0, kitti_row(0, -1, "Car", 0.0, 0.0, 50.0, 50.0,
                                      score=0.9 if with_score else None)))  # dropped by both
        if draw(st.booleans()):
            rows.sort(key=lambda r: r[0])
        trackers[name] = "".join(line for _, line in rows)
    return length, "".join(line for _, line in gt_lines), trackers


def write_kitti(root: Path, sequences: dict[str, tuple[int, str, dict[str, str]]], split="training") -> tuple[Path, Path]:
    gt, trs = root / "gt", root / "trackers"
    (gt / "label_02").mkdir(parents=True)
    trs.mkdir()
    seqmap = []
    for name, (length, gt_text, trackers) in sequences.items():
        (gt / "label_02" / f"{name}.txt").write_text(gt_text)
        seqmap.append(f"{name} empty 000000 {length:06d}\n")
        for tr, text in trackers.items():
            (trs / tr / "data").mkdir(parents=True, exist_ok=True)
            (trs / tr / "data" / f"{name}.txt").write_text(text)
    (gt / f"evaluate_tracking.seqmap.{split}").write_text("".join(seqmap))
    return gt, trs


@settings(max_examples=40, **SETTINGS)
@given(st.lists(kitti_sequences(), min_size=1, max_size=3))
def test_kitti_matches_trackeval(sequences):
    # every tracker needs every sequence: give the later sequences the first sequence's tracker names
    names = list(sequences[0][2])
    data = {f"{k:04d}": (length, gt, {n: trs.get(n, "") for n in names}) for k, (length, gt, trs) in enumerate(sequences)}
    with tempfile.TemporaryDirectory() as tmp:
        gt, trs = write_kitti(Path(tmp), data)
        assert_parity("kitti", gt, trs, trackeval_kitti(gt, trs))


# ------------------------------------------------------------------------------------------------
# BDD100K data

BDD_CATEGORIES = ("pedestrian", "rider", "other person", "car", "bus", "truck", "train", "trailer", "other vehicle",
                  "motorcycle", "bicycle")
CONFUSED = {"pedestrian": "rider", "rider": "pedestrian", "car": "truck", "truck": "car", "bus": "train",
            "train": "bus", "motorcycle": "bicycle", "bicycle": "motorcycle", "other person": "pedestrian",
            "trailer": "truck", "other vehicle": "car"}


def bdd_label(lid, category, box, crowd=None, score=None) -> dict:
    x0, y0, x1, y1 = box
    label = {"id": str(lid), "category": category, "box2d": {"x1": x0, "y1": y0, "x2": x1, "y2": y1}}
    if crowd is not None:
        label["attributes"] = {"Crowd": crowd, "Occluded": False, "Truncated": False}
    if score is not None:
        label["score"] = score
    return label


@st.composite
def bdd_videos(draw, max_frames: int = 5):
    """(gt frames, {tracker: frames}) of one generated BDD100K video."""
    length = draw(st.integers(1, max_frames))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    order = draw(st.permutations(range(length)))
    step = draw(st.sampled_from((1, 1, 5)))
    frames = st.integers(0, length - 1)
    gt = [[] for _ in range(length)]
    objects = []
    for k in range(draw(st.integers(0, 8))):
        cat = draw(st.sampled_from(BDD_CATEGORIES))
        crowd = draw(st.sampled_from((None, False, False, True)))
        w, h = draw(st.sampled_from((10.0, 30.0, 80.0))), draw(st.sampled_from((10.0, 40.0)))
        x, y = draw(st.integers(0, 12)) * 10.0, draw(st.integers(0, 6)) * 10.0
        dx = draw(st.sampled_from((0.0, 5.0)))
        present = sorted(draw(st.sets(frames, min_size=1)))
        box = {t: (x + dx * t, y, x + dx * t + w, y + h) for t in present}
        objects.append((k, cat, box))
        twin = draw(st.integers(0, 3)) == 0  # a crowd box over this object: its match must survive
        for t in present:
            gt[t].append(bdd_label(k + 1, cat, box[t], crowd=crowd))
            if twin:
                gt[t].append(bdd_label(900 + k, "other person", box[t], crowd=True))
    trackers = {}
    for name in ("A", "B")[: draw(st.integers(1, 2))]:
        out = [[] for _ in range(length)]
        for k, cat, box in objects:
            if draw(st.integers(0, 4)) == 0:
                continue
            tcat = cat if draw(st.integers(0, 4)) else CONFUSED[cat]
            jitter = draw(st.sampled_from((0.0, 3.0, 10.0)))
            switch = draw(st.sampled_from((None, 1)))
            for i, t in enumerate(sorted(box)):
                if draw(st.integers(0, 5)) == 0:
                    continue
                tid = k + 1 if switch is None or i < switch else 40 + k
                d = rng.uniform(-jitter, jitter, 4).round(2)
                out[t].append(bdd_label(tid, tcat, tuple(np.add(box[t], d).tolist()), score=0.5))
        for j in range(draw(st.integers(0, 5))):  # false positives, half of them over an ignore region
            t = draw(frames)
            cat = draw(st.sampled_from(BDD_CLASSES))
            near = [b[t] for _, _, b in objects if t in b] if draw(st.booleans()) else []
            if near:
                x0, y0, x1, y1 = near[0]
                shift = draw(st.sampled_from((0.0, 0.4, 0.5, 0.6)))
                bw = x1 - x0
                out[t].append(bdd_label(100 + j, cat, (x0 - shift * bw, y0, x1 - shift * bw, y1)))
            else:
                x, y = draw(st.integers(0, 15)) * 10.0, draw(st.integers(0, 8)) * 10.0
                out[t].append(bdd_label(100 + j, cat, (x, y, x + 25.0, y + 25.0)))
        trackers[name] = out
    video = "v"
    return ([{"name": f"{video}-{t}", "index": t * step, "labels": gt[t]} for t in order],
            {n: [{"name": f"{video}-{t}", "index": t * step, "labels": fr[t]} for t in range(length)]
             for n, fr in trackers.items()})


def write_bdd(root: Path, videos: dict[str, tuple[list, dict[str, list]]]) -> tuple[Path, Path]:
    gt, trs = root / "gt", root / "trackers"
    gt.mkdir(parents=True)
    trs.mkdir()
    for name, (gt_frames, trackers) in videos.items():
        (gt / f"{name}.json").write_text(json.dumps(gt_frames))
        for tr, frames in trackers.items():
            (trs / tr / "data").mkdir(parents=True, exist_ok=True)
            (trs / tr / "data" / f"{name}.json").write_text(json.dumps(frames))
    return gt, trs


@settings(max_examples=30, **SETTINGS)
@given(st.lists(bdd_videos(), min_size=1, max_size=3))
def test_bdd100k_matches_trackeval(videos):
    names = list(videos[0][1])
    data = {}
    for k, (gt_frames, trackers) in enumerate(videos):
        empty = [{"name": f["name"], "index": f["index"], "labels": []} for f in gt_frames]
        data[f"video{k}"] = (gt_frames, {n: trackers.get(n, empty) for n in names})
    with tempfile.TemporaryDirectory() as tmp:
        gt, trs = write_bdd(Path(tmp), data)
        assert_parity("bdd100k", gt, trs, trackeval_bdd(gt, trs))


# ------------------------------------------------------------------------------------------------
# Hand-made cases: each KITTI rule on its own, the errors, the layouts and the CLI


KITTI_RULES_GT = "".join([
    kitti_row(0, 0, "Car", 0, 0, 50, 40),  # kept, tracked -> TP
    kitti_row(0, 1, "Van", 100, 0, 150, 40),  # distractor: its matched tracker car is removed
    kitti_row(0, 2, "Car", 200, 0, 250, 40, occ=3),  # occluded: GT removed, matched tracker removed
    kitti_row(0, 3, "Car", 300, 0, 350, 40, trunc=0.5),  # int(0.5) = 0: kept
    kitti_row(0, 4, "Car", 400, 0, 450, 20),  # 20 px high, matched: tracker kept despite height
    kitti_row(0, -1, "DontCare", 0, 100, 100, 200, trunc=-1, occ=-1),
    kitti_row(5, -1, "DontCare", 0, 100, 100, 200, trunc=-1, occ=-1),  # outside 0..1: never read
    kitti_row(1, 5, "Pedestrian", 0, 0, 20, 60, trunc=1),  # truncated: removed with its match
    kitti_row(1, 6, "Person", 100, 0, 120, 60),  # person sitting: pedestrian distractor
])
KITTI_RULES_TR = "".join([
    kitti_row(0, 1, "Car", 0, 0, 50, 40, score=0.9),
    kitti_row(0, 2, "Car", 100, 0, 150, 40, score=0.9),  # removed (van)
    kitti_row(0, 3, "Car", 200, 0, 250, 40, score=0.9),  # removed (occlusion 3)
    kitti_row(0, 4, "Car", 300, 0, 350, 40, score=0.9),
    kitti_row(0, 5, "Car", 400, 0, 450, 20, score=0.9),
    kitti_row(0, 6, "Car", 500, 0, 550, 25, score=0.9),  # unmatched, 25 px: removed
    kitti_row(0, 7, "Car", 600, 0, 650, 25.5, score=0.9),  # unmatched, 25.5 px: FP
    kitti_row(0, 8, "Car", 0, 100, 20, 140, score=0.9),  # IoA 1 with DontCare: removed
    kitti_row(0, 9, "Car", 90, 100, 110, 140, score=0.9),  # IoA exactly 0.5: FP
    kitti_row(0, 10, "Van", 700, 0, 750, 40, score=0.9),  # another class: not evaluated
    kitti_row(0, -1, "Car", 800, 0, 850, 40, score=0.9),  # negative id: dropped
    kitti_row(0, 9, "Pedestrian", 900, 0, 920, 60, score=0.9),  # id 9 twice in frame 0, other class: fine
    kitti_row(1, 1, "Pedestrian", 0, 0, 20, 60, score=0.9),  # removed (truncation 1)
    kitti_row(1, 2, "Pedestrian", 100, 0, 120, 60, score=0.9),  # removed (person)
])


def test_kitti_rules_one_by_one(tmp_path):
    gt, trs = write_kitti(tmp_path, {"0000": (2, KITTI_RULES_GT, {"t": KITTI_RULES_TR})})
    gt_file = read_kitti_file(str(gt / "label_02" / "0000.txt"), 2, is_gt=True)
    tr_file = read_kitti_file(str(trs / "t" / "data" / "0000.txt"), 2, is_gt=False)
    assert gt_file.regions.frame.tolist() == [1]
    assert [str(i) for i in gt_file.dets.ignored] == [
        f"{gt / 'label_02' / '0000.txt'}: ignored 1 row(s): DontCare rows outside frames 0..1 (TrackEval never reads them)"]
    assert tr_file.dets.ignored[0].count == 1 and tr_file.dets.conf.tolist() == [0.9] * 13
    seqs = prepare_kitti("0000", gt_file, tr_file)
    car, ped = seqs["car"], seqs["pedestrian"]
    assert tr_file.dets.id[car.tr_rows].tolist() == [1, 4, 5, 7, 9]
    assert sorted(tr_file.dets.id[car.removed_tr_rows].tolist()) == [2, 3, 6, 8]
    assert gt_file.dets.id[car.gt_rows].tolist() == [0, 3, 4]
    assert ped.num_gt_dets == 0 and tr_file.dets.id[ped.tr_rows].tolist() == [9]
    assert assert_parity("kitti", gt, trs, trackeval_kitti(gt, trs)) == 2 * 2


def test_kitti_duplicate_ids_after_preprocessing(tmp_path):
    """Like TrackEval, a duplicate only among removed boxes passes; among evaluated boxes it is an error."""
    gt_text = kitti_row(0, 0, "Car", 0, 0, 50, 40)
    ok = kitti_row(0, 1, "Car", 0, 0, 50, 40) + kitti_row(0, 1, "Car", 300, 0, 350, 10)  # second: tiny, removed
    gt, trs = write_kitti(tmp_path / "ok", {"0000": (1, gt_text, {"t": ok})})
    assert_parity("kitti", gt, trs, trackeval_kitti(gt, trs))
    bad = kitti_row(0, 1, "Car", 0, 0, 50, 40) + kitti_row(0, 1, "Car", 300, 0, 350, 40)
    gt, trs = write_kitti(tmp_path / "bad", {"0000": (1, gt_text, {"t": bad})})
    with pytest.raises(trackeval.utils.TrackEvalException):
        trackeval_kitti(gt, trs)
    with pytest.raises(InputError, match=r"tracker id 1 appears 2 times in frame 1 among the evaluated car boxes") as err:
        evaluate_dataset(resolve_dataset("kitti", str(gt), str(trs)))
    assert err.value.line == 2


@pytest.mark.parametrize("text, line, message", [
    (kitti_row(0, 1, "Bus", 0, 0, 10, 10), 1, "type 'Bus' is not a KITTI class"),
    ("0 1 Car 0 0\n", 1, "row has 5 values, at least 10 are needed"),
    (kitti_row(0, 1, "Car", 0, 0, 10, 10) + kitti_row(3, 1, "Car", 0, 0, 10, 10), 2, "frame 3 is outside 0..1"),
    (kitti_row(0, 1, "Car", 0, 0, 10, 10).replace(" 0.000000", " x", 1), 1, "value 'x' \\(column 7\\) is not a number"),
    (kitti_row(0, 1.5, "Car", 0, 0, 10, 10), 1, "id 1.5 is not a whole number"),
    (kitti_row(0, 1, "Car", 0, 0, 10, 10).replace(" 0.000000", " nan", 1), 1, "NaN or infinite"),
    # Found by the atheris fuzzer (tests/fuzz): a form feed is no line break (it was for str.splitlines) ...
    (kitti_row(0, 1, "Car", 0, 0, 10, 10).replace("\n", " \x0c\n") + kitti_row(0, 2, "Bus", 0, 0, 10, 10), 2,
     "type 'Bus' is not a KITTI class"),
    # Found while writing that fuzzer's checks: corners beyond ±1e8 px made widths overflow to inf.
    (kitti_row(0, 1, "Car", -1.7e308, 0, 1.7e308, 10), 1, "left = -1.7e\\+308 is beyond ±1e\\+08 pixels"),
])
def test_kitti_reader_errors(tmp_path, text, line, message):
    path = tmp_path / "0000.txt"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        read_kitti_file(str(path), 2, is_gt=False)
    assert err.value.line == line and err.value.fix


def test_kitti_fuzz_regressions(tmp_path):
    """Inputs found while writing the atheris fuzzer (tests/fuzz/fuzz_readers.py) that crashed or slipped through
    (the fuzzer itself found the seqmap ones; the others need inputs above its 4 KiB or a 9e15 frame)."""
    path = tmp_path / "0000.txt"
    # Without a seqmap the length comes from the file: a frame of 9e15 made a 9e15-frame sequence.
    path.write_text(kitti_row(0, 1, "Car", 0, 0, 10, 10) + kitti_row(9 * 10**15, 1, "Car", 0, 0, 10, 10))
    with pytest.raises(InputError, match="frame 9e\\+15 is beyond the 10000000 frames") as err:
        read_kitti_file(str(path), None, is_gt=False)
    assert err.value.line == 2 and err.value.fix
    # A comma-separated line with a quoted field above csv's 128 KiB limit raised _csv.Error.
    path.write_text('0,1,Car,"' + "x" * 200_000 + '"\n')
    with pytest.raises(InputError, match="cannot split this line into values") as err:
        read_kitti_file(str(path), 2, is_gt=False)
    assert err.value.line == 1
    seqmap = tmp_path / "evaluate_tracking.seqmap.training"
    for data, message, line in [
        (b"0000 empty 000000 0\xff0154\n", "cannot read the seqmap as UTF-8 text", None),  # was UnicodeDecodeError
        (b"0000 empty 000000 9007199254740993000000\n", "number of frames 9007199254740993000000 is more than", 1),
    ]:
        seqmap.write_bytes(data)
        with pytest.raises(InputError, match=message) as err:
            read_seqmap(str(seqmap))
        assert err.value.line == line and err.value.fix and err.value.path == str(seqmap)


def test_kitti_layout_variants_and_cli(tmp_path, capsys):
    gt_text = kitti_row(0, 0, "Car", 0, 0, 50, 40) + kitti_row(2, 0, "Car", 5, 0, 55, 40)
    tr_text = kitti_row(0, 3, "Car", 0, 0, 50, 40) + kitti_row(1, 3, "Car", 0, 0, 50, 40)
    gt, trs = write_kitti(tmp_path / "a", {"0000": (3, gt_text, {"t": tr_text})})
    ref = trackeval_kitti(gt, trs)
    # No seqmap: the length is the last frame found in any file + 1 (here 3, as in the seqmap).
    (gt / "evaluate_tracking.seqmap.training").unlink()
    run = evaluate_dataset(resolve_dataset("kitti", str(gt), str(trs)))
    assert run.metrics["t"]["car"]["0000"]["CLR_Frames"] == 3 and run.notes
    assert not field_mismatches(run.metrics["t"]["car"][COMBINED], ref["t"][COMBINED]["car"])
    # The CLI: --split train falls back to KITTI's 'training'; JSON nested tracker/class/sequence.
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    gt_b, trs_b = tmp_path / "b" / "gt", tmp_path / "b" / "trackers"
    (gt_b / "evaluate_tracking.seqmap.training").write_text("0000 empty 000000 000003\n")
    out = tmp_path / "out.json"
    csv = tmp_path / "out.csv"
    assert main(["eval", "--format", "kitti", "--gt-folder", str(gt_b), "--trackers-folder", str(trs_b),
                 "--json", str(out), "--csv", str(csv)]) == 0
    printed = capsys.readouterr().out
    assert "car" in printed and "pedestrian" in printed
    got = json.loads(out.read_text())["t"]["car"]["COMBINED"]
    assert got["HOTA"] == pytest.approx(float(np.mean(ref["t"][COMBINED]["car"]["HOTA"])), abs=1e-12)
    assert "car:0000" in csv.read_text()
    # Errors reach the user as one line with a fix.
    assert main(["eval", "--format", "kitti", "--gt-folder", str(gt_b), "--trackers-folder", str(trs_b),
                 "--classes", "van"]) == 2
    assert "van cannot be evaluated on kitti" in capsys.readouterr().err
    (trs_b / "t" / "data" / "0000.txt").unlink()
    assert main(["eval", "--format", "kitti", "--gt-folder", str(gt_b), "--trackers-folder", str(trs_b)]) == 2
    assert "tracker 't' has no result for sequence '0000'" in capsys.readouterr().err


def test_bdd_crowd_distractors_and_quirks(tmp_path):
    gt_frames = [
        {"name": "b", "index": 1, "labels": [bdd_label(2, "car", (0, 0, 40, 40), crowd=False)]},
        {"name": "a", "index": 0, "labels": [
            bdd_label(1, "car", (0, 0, 40, 40), crowd=False),
            bdd_label(9, "car", (100, 0, 140, 40), crowd=True),  # crowd: an ignore region
            bdd_label(8, "trailer", (200, 0, 240, 40)),  # distractor category: an ignore region
        ]},
    ]
    tr_frames = [
        {"name": "a", "index": 0, "labels": [
            bdd_label(5, "car", (0, 0, 40, 40)),
            bdd_label(6, "car", (100, 0, 140, 40)),  # in the crowd region: removed
            bdd_label(7, "truck", (200, 0, 240, 40)),  # in the trailer region: removed
            bdd_label(5, "bus", (300, 0, 340, 40)),  # same id, other class: fine
        ]},
        {"name": "b", "index": 1, "labels": [bdd_label(5, "car", (0, 0, 40, 40))]},
    ]
    gt, trs = write_bdd(tmp_path / "x", {"v": (gt_frames, {"t": tr_frames})})
    assert assert_parity("bdd100k", gt, trs, trackeval_bdd(gt, trs)) == len(BDD_CLASSES) * 2 + len(BDD_COMBINED)
    run = evaluate_dataset(resolve_dataset("bdd100k", str(gt), str(trs)))
    assert run.metrics["t"]["car"]["v"]["Dets"] == 2 and run.metrics["t"]["truck"]["v"]["Dets"] == 0
    # A subset of classes: super-categories without an evaluated member are left out (TrackEval crashes).
    run = evaluate_dataset(resolve_dataset("bdd100k", str(gt), str(trs), classes=["car", "pedestrian"]))
    assert set(run.combined["t"]) == {"cls_comb_cls_av", "cls_comb_det_av", "HUMAN", "VEHICLE"}
    # Lower-case 'crowd' (current BDD100K labels) is read too; TrackEval needs 'Crowd'.
    lower = json.loads(json.dumps(gt_frames).replace('"Crowd"', '"crowd"'))
    (gt / "v.json").write_text(json.dumps(lower))
    assert read_bdd_file(str(gt / "v.json"), is_gt=True).regions.frame.tolist() == [1, 1]


def test_bdd_errors(tmp_path):
    gt_frames = [{"name": "a", "index": 0, "labels": [bdd_label(1, "car", (0, 0, 40, 40))]}]
    gt, trs = write_bdd(tmp_path, {"v": (gt_frames, {"t": gt_frames + gt_frames})})
    with pytest.raises(trackeval.utils.TrackEvalException):
        trackeval_bdd(gt, trs)
    with pytest.raises(InputError, match="the tracker file has 2 frames, the ground truth 1"):
        evaluate_dataset(resolve_dataset("bdd100k", str(gt), str(trs)))
    path = tmp_path / "x.json"
    for content, message in [
        ([{"name": "a", "index": 0, "labels": [bdd_label(1, "lamp", (0, 0, 1, 1))]}], "category 'lamp' is not"),
        ([{"name": "a", "index": 0, "labels": [bdd_label("a7", "car", (0, 0, 1, 1))]}], "id 'a7' is not an integer"),
        ([{"name": "a", "index": 0, "labels": [bdd_label(-3, "car", (0, 0, 1, 1))]}], "negative id -3"),
        ([{"name": "a", "labels": []}], "has no numeric 'index'"),
        ([{"name": "a", "index": 0, "labels": [{"id": "1", "category": "car"}]}], "has no 'box2d'"),
        ({"frame": 1}, "not a list of frame objects"),
        # Found by the atheris fuzzer (tests/fuzz): OverflowError, TypeError, a NaN confidence, an infinite width.
        ([{"name": "a", "index": 10**400, "labels": []}], "has no numeric 'index'"),
        ([{"name": "a", "index": 0, "labels": [bdd_label(1, "car", (10**400, 0, 1, 1))]}], "needs finite numbers"),
        ([{"name": "a", "index": 0, "labels": [{**bdd_label(1, "car", (0, 0, 1, 1)), "id": 10**400}]}],
         "is too large"),
        ([{"name": "a", "index": 0, "labels": [bdd_label(1, "car", (0, 0, 1, 1), score=10**400)]}],
         "score 1000.* is not a finite number"),
        ([{"name": "a", "index": 0, "labels": [bdd_label(1, "car", (0, 0, 1, 1), score=float("nan"))]}],
         "score nan is not a finite number"),
        ([{"name": "a", "index": 0, "labels": [bdd_label(1, ["car"], (0, 0, 1, 1))]}],
         "category \"\\['car'\\]\" is not"),
        ([{"name": "a", "index": 0, "labels": [bdd_label(1, "car", (-1.7e308, 0, 1.7e308, 1))]}],
         "has a corner beyond ±1e\\+08 pixels"),
    ]:
        path.write_text(json.dumps(content))
        with pytest.raises(InputError, match=message):
            read_bdd_file(str(path), is_gt=False)
    path.write_text("[{")
    with pytest.raises(InputError, match="not valid JSON") as err:
        read_bdd_file(str(path), is_gt=True)
    assert err.value.line == 1
    # RecursionError (found by the fuzzer) and ValueError (more than 4300 digits) out of json.load.
    for text, message in [("[" * 100_000 + "]" * 100_000, "nested too deeply"),
                          ("[" + "1" * 5000 + "]", "4300 digits")]:
        path.write_text(text)
        with pytest.raises(InputError, match=message):
            read_bdd_file(str(path), is_gt=True)
    assert main(["eval", "--format", "bdd100k", "--gt-folder", str(tmp_path / "nowhere"),
                 "--trackers-folder", str(trs)]) == 2
