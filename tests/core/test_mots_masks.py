"""MOTS Challenge and KITTI-MOTS masks vs TrackEval 1.3.0 (``MOTSChallenge``, ``KittiMOTS``), files to
numbers: generated mask tracks (random label maps, so masks of a side never overlap; pycocotools
RLE) are written in TrackEval's layouts, its ``Evaluator`` runs on them and our resolver + reader +
preprocessing + metrics on the same folders. Every HOTA/CLEAR/Identity/Count field must agree
(floats to 1e-9, counts exactly) per class x sequence and per class combined over sequences.

The data covers what the preprocessing acts on: ground-truth ignore regions (class 10) that
unmatched tracker masks fall into (IoA around 0.5), tracker masks of another class, matched and
unmatched masks, ids switching between frames, empty masks, empty frames and empty tracker files.
"""
from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from core_cases import field_mismatches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mask_data import (H, W, mots_sequence, rle, rows_of, write_kitti_mots, write_mots, write_mots_dataset,
                       write_real_mots)
from pycocotools import mask as mask_utils
from reference import install_numpy_shim

install_numpy_shim()
import trackeval  # noqa: E402

from tracklens.errors import InputError  # noqa: E402
from tracklens.evaluate import COMBINED, evaluate  # noqa: E402
from tracklens.formats.layouts import resolve_dataset  # noqa: E402
from tracklens.formats.mots import mask_pairs, read_mots_file, rle_pixels  # noqa: E402

SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
EVAL_CONFIG = {
    "USE_PARALLEL": False, "BREAK_ON_ERROR": True, "RETURN_ON_ERROR": False, "LOG_ON_ERROR": None,
    "PRINT_RESULTS": False, "PRINT_ONLY_COMBINED": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False,
    "DISPLAY_LESS_PROGRESS": True, "OUTPUT_SUMMARY": False, "OUTPUT_EMPTY_CLASSES": False,
    "OUTPUT_DETAILED": False, "PLOT_CURVES": False,
}
def trackeval_run(fmt: str, gt: Path, trs: Path) -> dict:
    """``{tracker: {seq | COMBINED_SEQ: {class: {field: value}}}}`` from TrackEval's Evaluator."""
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
               trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
    with contextlib.redirect_stdout(io.StringIO()):
        if fmt == "mots":
            ds = trackeval.datasets.MOTSChallenge({"GT_FOLDER": str(gt), "TRACKERS_FOLDER": str(trs),
                                                   "OUTPUT_FOLDER": "", "PRINT_CONFIG": False})
        else:
            ds = trackeval.datasets.KittiMOTS({"GT_FOLDER": str(gt), "TRACKERS_FOLDER": str(trs), "OUTPUT_FOLDER": "",
                                               "PRINT_CONFIG": False})
        output, _ = trackeval.Evaluator(EVAL_CONFIG).evaluate([ds], metrics)
    res = output[ds.get_name()]
    flat = {}
    for tr, by_seq in res.items():
        flat[tr] = {seq: {c: {k: v for m in by_m.values() for k, v in m.items()} for c, by_m in by_cls.items()}
                    for seq, by_cls in by_seq.items()}
    return flat


def assert_parity(fmt: str, gt: Path, trs: Path, split: str) -> int:
    ref = trackeval_run(fmt, gt, trs)
    run = evaluate(resolve_dataset(fmt, str(gt), str(trs), split=split), preprocess=True)
    compared, bad = 0, []
    for tr, by_seq in ref.items():
        for seq, by_cls in by_seq.items():
            for cls, fields in by_cls.items():
                compared += 1
                bad += [f"{tr}/{seq}/{cls} {m}" for m in field_mismatches(run.metrics[tr][cls][seq], fields)]
    assert not bad, "\n".join(bad[:20])
    assert run.combined == {tr: {} for tr in ref}  # neither dataset combines classes
    return compared


@settings(max_examples=60, **SETTINGS)
@given(st.lists(mots_sequence(zero_based=False), min_size=1, max_size=2))
def test_mots_challenge_matches_trackeval(seqs):
    data = {f"MOTS20-{k + 1:02d}": s for k, s in enumerate(seqs)}
    with tempfile.TemporaryDirectory() as tmp:
        gt, trs = write_mots(Path(tmp), data)
        assert assert_parity("mots", gt, trs, "train") == 2 * (len(data) + 1)


@settings(max_examples=60, **SETTINGS)
@given(st.lists(mots_sequence(zero_based=True), min_size=1, max_size=2))
def test_kitti_mots_matches_trackeval(seqs):
    data = {f"{k:04d}": s for k, s in enumerate(seqs)}
    with tempfile.TemporaryDirectory() as tmp:
        gt, trs = write_kitti_mots(Path(tmp), data)
        assert assert_parity("kitti_mots", gt, trs, "val") == 2 * 2 * (len(data) + 1)


def test_walkers_sequence_matches_trackeval(tmp_path):
    """``mask_data``'s sequence (the one the saved-run, one-story and browser tests use), 640 x 360
    masks: every field equal to TrackEval's."""
    gt, trs = write_mots_dataset(tmp_path)
    assert assert_parity("mots", gt, trs, "train") == 2 * 2


def test_mask_iou_is_trackevals(tmp_path):
    """The sparse pairs hold exactly TrackEval's ``_calculate_mask_ious`` values (bit for bit)."""
    rng = np.random.default_rng(3)
    g = rng.integers(0, 4, (H, W))
    t = np.where(rng.random((H, W)) < 0.3, rng.integers(0, 4, (H, W)), g)
    (tmp_path / "gt.txt").write_text("\n".join(rows_of(g, 1, {1: 1, 2: 2, 3: 3}, {1: 2, 2: 2, 3: 1})))
    (tmp_path / "tr.txt").write_text("\n".join(rows_of(t, 1, {1: 5, 2: 6, 3: 7}, {1: 2, 2: 2, 3: 1})))
    gt = read_mots_file(str(tmp_path / "gt.txt"), 1, is_gt=True, zero_based=False)
    tr = read_mots_file(str(tmp_path / "tr.txt"), 1, is_gt=False, zero_based=False)
    ref = trackeval.datasets._base_dataset._BaseDataset._calculate_mask_ious(gt.rles, tr.rles, is_encoded=True)
    dense = np.zeros_like(ref)
    p = mask_pairs(gt, tr)
    dense[p.gt, p.tr] = p.sim
    assert (ref > 0).sum() == p.sim.size > 0
    assert np.array_equal(dense, ref)


def test_ignore_region_removes_unmatched_tracker_mask(tmp_path):
    """A tracker mask inside the ignore region is removed unless matched; outside it is a false positive."""
    inside = np.zeros((H, W), bool)
    inside[0:2, 0:3] = True
    region = np.zeros((H, W), bool)
    region[0:3, 0:4] = True
    person = np.zeros((H, W), bool)
    person[4:6, 4:7] = True
    far = np.zeros((H, W), bool)
    far[4:6, 0:2] = True
    gt_text = f"1 1 2 {H} {W} {rle(person)}\n1 10000 10 {H} {W} {rle(region)}\n"
    tr_text = f"1 5 2 {H} {W} {rle(person)}\n1 6 2 {H} {W} {rle(inside)}\n1 7 2 {H} {W} {rle(far)}\n"
    gt, trs = write_mots(tmp_path, {"MOTS20-02": (1, gt_text, {"A": tr_text})})
    run = evaluate(resolve_dataset("mots", str(gt), str(trs)), preprocess=True)
    m = run.metrics["A"]["pedestrian"]["MOTS20-02"]
    assert (m["CLR_TP"], m["CLR_FP"], m["CLR_FN"]) == (1, 1, 0)
    assert assert_parity("mots", gt, trs, "train") == 2


@pytest.mark.parametrize("text, line, message", [
    ("1 1 2 6 7\n", 1, "row has 5 values, 6 are needed"),
    ("1 1 2 6 8 0\n1 x 2 6 8 0\n", 2, "id 'x' is not an integer"),
    ("1 -3 2 6 8 0\n", 1, "negative id -3"),
    ("1 1 2 6 8 0\n1 2 2 5 7 0\n", 2, "differs from the file's first mask"),
    ("1 1 2 6 8 {}\n", 1, "not a pycocotools RLE string of an 6 x 8 mask."),
    ("1 1 2 6 8 a\n", 1, "not a pycocotools RLE string of an 6 x 8 mask."),  # a run cut short
    ("1 1 2 6 8 41\n", 1, "(its runs cover 5 pixels)"),
    ("3 1 2 6 8 0\n", 1, "frame 3 is outside 1..2"),
])
def test_reader_errors(tmp_path, text, line, message):
    path = tmp_path / "gt.txt"
    path.write_text(text.replace(" 0\n", f" {rle(np.zeros((H, W), bool))}\n"))  # '0': an empty 6 x 8 mask
    with pytest.raises(InputError) as err:
        read_mots_file(str(path), 2, is_gt=True, zero_based=False)
    assert message in err.value.reason and err.value.line == line and err.value.fix


def test_rle_pixels_and_extra_columns(tmp_path):
    rng = np.random.default_rng(0)
    shapes = [(H, W), (1, 1), (40, 31), (375, 1242)]
    masks = [rng.random(shapes[i % 4]) < rng.random() for i in range(60)]
    strings = [rle(m).encode() for m in masks]
    broken = [b"a", b"41", strings[2][:-1] + b"a", b""]
    want = [m.size for m in masks] + [-1, 5, -1, 0]
    assert rle_pixels(strings + broken).tolist() == want
    assert rle_pixels(broken[::-1] + strings).tolist() == want[60:][::-1] + want[:60]
    path = tmp_path / "t.txt"  # extra columns are not read (as TrackEval); blank lines are counted
    path.write_text(f"2 3 2 {H} {W} {rle(np.eye(H, W, dtype=bool))} extra\n\n")
    mf = read_mots_file(str(path), 2, is_gt=False, zero_based=False)
    assert mf.dets.frame.tolist() == [2] and mf.dets.id.tolist() == [3] and mf.dets.box.tolist() == [[0, 0, 6, 6]]
    assert [str(i) for i in mf.dets.ignored] == [f"{path}: ignored 1 row(s): blank lines"]


def test_overlap_and_duplicate_ids_named_by_line(tmp_path):
    a = np.zeros((H, W), bool)
    a[0:3, 0:3] = True
    b = np.zeros((H, W), bool)
    b[2:4, 2:4] = True
    path = tmp_path / "t.txt"
    path.write_text(f"1 1 2 {H} {W} {rle(a)}\n1 2 2 {H} {W} {rle(b)}\n")
    with pytest.raises(InputError, match="masks of lines 1 and 2 overlap in frame 1"):
        read_mots_file(str(path), 1, is_gt=False, zero_based=False)
    path.write_text(f"0 4 1 {H} {W} {rle(a)}\n0 4 2 {H} {W} {rle(~a)}\n")
    with pytest.raises(InputError, match="id 4 appears 2 times in frame 1") as err:
        read_mots_file(str(path), 1, is_gt=False, zero_based=True)
    assert err.value.line == 2
    path.write_text(f"1 1 2 {H} {W} {rle(a)}\n1 10000 10 {H} {W} {rle(b)}\n")
    with pytest.raises(InputError, match="overlaps the frame's ignore region"):
        read_mots_file(str(path), 1, is_gt=True, zero_based=False)


def test_cli_mots_formats(tmp_path, capsys):
    """``tracklens eval --format mots|kitti_mots``: JSON nested tracker/class/sequence equal to TrackEval;
    bad input is one line with the file, the line and a fix."""
    from tracklens.dashboard.cli import main

    rng = np.random.default_rng(7)
    g = np.kron(rng.integers(0, 4, (H // 2, W // 2)), np.ones((2, 2), np.int64))
    t = np.where(rng.random((H, W)) < 0.2, rng.integers(0, 4, (H, W)), g)
    seq = (2, "\n".join(rows_of(g, 0, {1: 1, 2: 2, 3: 3}, {1: 1, 2: 2, 3: 2})
                        + rows_of(g, 1, {1: 1, 2: 2, 3: 3}, {1: 1, 2: 2, 3: 2})) + "\n",
           {"t": "\n".join(rows_of(t, 0, {1: 4, 2: 5, 3: 6}, {1: 1, 2: 2, 3: 2})
                           + rows_of(t, 1, {1: 4, 2: 6, 3: 5}, {1: 1, 2: 2, 3: 2}))})
    gt, trs = write_kitti_mots(tmp_path / "k", {"0002": seq})
    ref = trackeval_run("kitti_mots", gt, trs)
    out = tmp_path / "out.json"
    assert main(["eval", "--format", "kitti_mots", "--split", "val", "--gt-folder", str(gt), "--trackers-folder",
                 str(trs), "--json", str(out)]) == 0
    assert "car" in capsys.readouterr().out
    got = json.loads(out.read_text())["t"]
    for cls in ("car", "pedestrian"):
        assert got[cls]["COMBINED"]["HOTA"] == pytest.approx(float(np.mean(ref["t"][COMBINED][cls]["HOTA"])), abs=1e-12)
        assert got[cls]["0002"]["IDSW"] == ref["t"]["0002"][cls]["IDSW"]
    assert ref["t"]["0002"]["pedestrian"]["IDSW"] > 0
    # a saved run (its explanations use mask IoU: tests/dashboard/test_mask_one_story.py); breakdowns
    # (conditions from box overlaps) are refused with the reason
    assert main(["eval", "--format", "kitti_mots", "--split", "val", "--gt-folder", str(gt), "--trackers-folder",
                 str(trs), "--save", str(tmp_path / "run")]) == 0
    from tracklens.workspace import Workspace
    meta = Workspace.load(str(tmp_path / "run")).sequences[0]
    assert (meta.height, meta.width) == (H, W)  # no seqinfo.ini: the frame is the masks' size
    capsys.readouterr()
    assert main(["eval", "--format", "kitti_mots", "--split", "val", "--gt-folder", str(gt), "--trackers-folder",
                 str(trs), "--breakdowns", str(tmp_path / "b.csv")]) == 2
    assert "mask IoU the matching used" in capsys.readouterr().err and not (tmp_path / "b.csv").exists()
    # MOTS Challenge: frames 1-based, a frame 0 row is refused with its line
    mots_seq = (2, seq[1], seq[2])
    gt_m, trs_m = write_mots(tmp_path / "m", {"MOTS20-05": mots_seq})
    assert main(["eval", "--format", "mots", "--gt-folder", str(gt_m), "--trackers-folder", str(trs_m)]) == 2
    err = capsys.readouterr().err
    assert "gt.txt:1: frame 0 is outside 1..2" in err and "Fix:" in err


def test_real_kitti_mots_seqmap_read_as_trackeval():
    """The KITTI-MOTS validation seqmap of mots_tools (tests/data/kitti_mots/CREDITS.md): same
    sequences and lengths (last frame + 1) as TrackEval's ``KittiMOTS._get_seq_info``."""
    import types

    from tracklens.formats.mots import read_mots_seqmap

    path = Path(__file__).parents[1] / "data" / "kitti_mots" / "evaluate_mots.seqmap.val"
    fake = types.SimpleNamespace(config={"SEQ_INFO": None, "SEQMAP_FILE": str(path), "SPLIT_TO_EVAL": "val"})
    seqs, lengths = trackeval.datasets.KittiMOTS._get_seq_info(fake)
    ours = read_mots_seqmap(str(path))
    assert list(ours) == seqs and ours == lengths
    assert ours["0002"] == 233 and len(ours) == 9


def test_ignore_regions_merged_per_frame_and_tracker_size(tmp_path):
    """Several class-10 rows of a frame make one region (TrackEval merges them); a tracker mask of
    another image size is refused with its line."""
    left, right = np.zeros((H, W), bool), np.zeros((H, W), bool)
    left[:, :2] = True
    right[:, 6:] = True
    body = np.zeros((H, W), bool)
    body[2:4, 3:5] = True
    gt_text = (f"1 10000 10 {H} {W} {rle(left)}\n2 1 2 {H} {W} {rle(body)}\n2 10000 10 {H} {W} {rle(left)}\n"
               f"1 10001 10 {H} {W} {rle(right)}\n")
    (tmp_path / "gt.txt").write_text(gt_text)
    gt = read_mots_file(str(tmp_path / "gt.txt"), 2, is_gt=True, zero_based=False)
    assert mask_utils.area(gt.ignore[0]) == 2 * H * 2 and mask_utils.area(gt.ignore[1]) == 2 * H
    assert gt.dets.line.tolist() == [2]
    tr_text = f"1 5 2 {H} {W} {rle(left[:, :6][:, :6])}\n"
    gt_dir, trs = write_mots(tmp_path / "d", {"MOTS20-09": (2, gt_text, {"A": tr_text.replace(f" {H} {W} ", " 6 6 ")})})
    with pytest.raises(InputError, match=r"mask size 6 x 6 differs from the ground truth's \(6 x 8\)") as err:
        evaluate(resolve_dataset("mots", str(gt_dir), str(trs)))
    assert err.value.line == 1


def test_real_mots20_ground_truth_matches_trackeval(tmp_path):
    """Real MOTS20-09 ground truth (tests/data/mots20, 2 frames at 1080 x 1920, with its ignore region)
    against trackers derived from it: every field equal to TrackEval's."""
    gt, trs = write_real_mots(tmp_path)
    assert assert_parity("mots", gt, trs, "train") == 2 * 2
    run = evaluate(resolve_dataset("mots", str(gt), str(trs)), preprocess=True)
    m = run.metrics["swapped"]["pedestrian"]["MOTS20-09"]
    assert m["IDSW"] > 0 and m["CLR_FP"] > 0 and m["CLR_FN"] > 0  # the derived errors are there
    assert 0.5 < run.metrics["shifted"]["pedestrian"]["MOTS20-09"]["LocA(0)"] < 1  # frayed, shifted masks
