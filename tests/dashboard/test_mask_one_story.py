"""For a mask run (MOTS), what the inspector says about every box agrees with the mask matching.

The matching of a MOTS run uses mask IoU; the drawn boxes are the masks' bounding boxes, whose IoU is
another number. Every box of every frame (a saved run of ``mask_data``'s sequence, where the two differ
on purpose, and generated cases) is checked with ``test_one_story.check_analysis`` against facts
recomputed here: the frame's mask IoU matrix (pycocotools on the files' RLEs), HOTA's matched pairs
thresholded at α and CLEAR's matched pairs with their switches and transfers.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mask_data import (REAL_SEQUENCE, SEQUENCE, mots_sequence, write_kitti_mots, write_mots, write_mots_dataset,
                       write_real_mots)
from pycocotools import mask as mask_utils
from strategies import box_ious
from test_one_story import CI_SETTINGS, THRESHOLD, check_analysis, frame_truths

from tracklens.analysis.record import analyse
from tracklens.formats.layouts import load_dataset_sequence, resolve_dataset
from tracklens.formats.mots import prepare_mots
from tracklens.sequence_eval import evaluate_sequence
from tracklens.workspace import Workspace

ALPHAS_CHECKED = (0, 5, 9, 13, 18)


def mask_ious(gt, tr):
    """``similarity(gt_rows, tr_rows)`` for ``frame_truths``: pycocotools' mask IoU of the rows' RLEs."""
    def similarity(g: np.ndarray, t: np.ndarray) -> np.ndarray:
        if g.size == 0 or t.size == 0:
            return np.zeros((g.size, t.size))
        out = mask_utils.iou([gt.rles[i] for i in g], [tr.rles[j] for j in t], [False] * t.size)
        return np.asarray(out, float).reshape(g.size, t.size)
    return similarity


def evaluated(fmt: str, gt_folder: Path, trackers_folder: Path, split: str):
    """(sequence, tracker, class, gt MaskFile, tracker MaskFile, evaluation) of every run of the layout."""
    layout = resolve_dataset(fmt, str(gt_folder), str(trackers_folder), split=split)
    for files in layout.sequences:
        gt, trackers = load_dataset_sequence(fmt, files)
        for tracker, tr in trackers.items():
            for cls, seq in prepare_mots(files.name, gt, tr, layout.classes, fmt).items():
                yield files.name, tracker, cls, gt, tr, evaluate_sequence(seq, THRESHOLD)


@pytest.mark.parametrize("data", ["walkers", "real MOTS20-09"])
def test_every_box_of_a_saved_mask_run(data: str, tmp_path: Path) -> None:
    """``tracklens eval --format mots --save``, opened as the dashboard opens it: ``mask_data``'s walkers
    and the real MOTS20-09 ground truth (tests/data/mots20) with trackers derived from it."""
    from tracklens.dashboard.cli import main

    write, sequence_name = {"walkers": (write_mots_dataset, SEQUENCE),
                            "real MOTS20-09": (write_real_mots, REAL_SEQUENCE)}[data]
    gt_folder, trackers_folder = write(tmp_path / "data")
    run = tmp_path / "run"
    assert main(["eval", "--format", "mots", "--gt-folder", str(gt_folder), "--trackers-folder",
                 str(trackers_folder), "--save", str(run), "--quiet"]) == 0
    ws = Workspace.load(str(run)).for_class("pedestrian")
    checked = differs = runs = 0
    for sequence, tracker, cls, gt, tr, ev in evaluated("mots", gt_folder, trackers_folder, "train"):
        assert (sequence, cls) == (sequence_name, "pedestrian")
        an = ws.analysis(tracker, sequence)
        assert an.metrics["HOTA"].tolist() == ev.metrics()["HOTA"].tolist()
        truths = frame_truths(gt.dets, tr.dets, ev, mask_ious(gt, tr))
        checked += check_analysis(an, truths, f"{tracker}/{sequence}", ALPHAS_CHECKED)
        # the mask IoU the story uses is not the boxes' IoU (the old explanation's number) on many pairs
        d = ev.data
        box = box_ious(gt.dets.box[d.gt_rows[d.pairs.gt]], tr.dets.box[d.tr_rows[d.pairs.tr]]).diagonal()
        differs += int((np.abs(box - d.pairs.sim) > 0.05).sum())
        runs += 1
    assert runs == 2
    assert checked > 2 * 20 * len(ALPHAS_CHECKED)
    assert differs > 5


@settings(max_examples=30, **CI_SETTINGS)
@given(st.lists(mots_sequence(zero_based=False), min_size=1, max_size=2))
def test_every_box_of_generated_mots_challenge_cases(seqs) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folders = write_mots(Path(tmp), {f"MOTS20-{k + 1:02d}": s for k, s in enumerate(seqs)})
        check_generated("mots", *folders, "train")


@settings(max_examples=30, **CI_SETTINGS)
@given(st.lists(mots_sequence(zero_based=True), min_size=1, max_size=2))
def test_every_box_of_generated_kitti_mots_cases(seqs) -> None:
    """Cars and pedestrians, each class explained on its own (its masks only)."""
    with tempfile.TemporaryDirectory() as tmp:
        folders = write_kitti_mots(Path(tmp), {f"{k:04d}": s for k, s in enumerate(seqs)})
        check_generated("kitti_mots", *folders, "val")


def check_generated(fmt: str, gt_folder: Path, trackers_folder: Path, split: str) -> None:
    for sequence, tracker, cls, gt, tr, ev in evaluated(fmt, gt_folder, trackers_folder, split):
        an = analyse(ev, gt.dets, tr.dets, tracker, masks=(gt.rles, tr.rles))
        check_analysis(an, frame_truths(gt.dets, tr.dets, ev, mask_ious(gt, tr)), f"{tracker}/{sequence}/{cls}",
                       ALPHAS_CHECKED)
