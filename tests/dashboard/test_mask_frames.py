"""A saved mask run carries each box's mask (the file's RLE, unchanged) through the box table and the
overlay rows, and the inspector's picture (``display.frame_jpeg``) paints them (``overlay.annotate``
with ``masks``); box runs have no masks."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from mask_data import SEQUENCE, TRACKERS, write_mots_dataset
from pycocotools import mask as mask_utils

from tracklens.analysis.record import analyse
from tracklens.dashboard.cli import main
from tracklens.dashboard.display import frame_jpeg
from tracklens.dashboard.frames import BLANK_GREY
from tracklens.dashboard.overlay import annotate
from tracklens.dashboard.views import overlay_boxes, overlay_masks
from tracklens.evaluate import load_sequence
from tracklens.formats.layouts import load_dataset_sequence, resolve_dataset
from tracklens.layout import resolve
from tracklens.prepare import prepare
from tracklens.sequence_eval import evaluate_sequence
from tracklens.workspace import Workspace


@pytest.fixture(scope="module")
def mask_run(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("mots")
    gt, trs = write_mots_dataset(root / "data")
    assert main(["eval", "--format", "mots", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                 "--save", str(root / "run"), "--quiet"]) == 0
    return root / "data", root / "run"


def test_each_overlay_row_has_its_files_mask(mask_run):
    data, run = mask_run
    files = resolve_dataset("mots", str(data / "gt"), str(data / "trackers"), split="train").sequences[0]
    gt, trackers = load_dataset_sequence("mots", files)
    ws = Workspace.load(str(run)).for_class("pedestrian")
    checked = 0
    for tracker in TRACKERS:
        boxes = ws.analysis(tracker, SEQUENCE).boxes
        rows = overlay_boxes(boxes, 9)
        source = boxes[boxes["evaluated"]]
        masks = overlay_masks(rows)
        assert len(masks) == len(rows) == len(source)
        for side, row, mask in zip(source["side"].astype(str), source["row"], masks):
            rle = (gt if side == "gt" else trackers[tracker]).rles[row]
            assert mask["counts"] == rle["counts"] and mask["size"] == rle["size"]
            checked += 1
    assert checked > 150


def test_the_inspector_picture_paints_the_masks(mask_run):
    _, run = mask_run
    an = Workspace.load(str(run)).for_class("pedestrian").analysis("swapper", SEQUENCE)
    rows = overlay_boxes(an.frame_boxes(14), 9)
    masks = overlay_masks(rows)
    frame = np.full((int(rows["mask_h"].iat[0]), int(rows["mask_w"].iat[0]), 3), BLANK_GREY, np.uint8)
    picture = cv2.cvtColor(cv2.imdecode(np.frombuffer(frame_jpeg(frame, rows, alpha=0.5), np.uint8),
                                        cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    drawn, bare = annotate(frame, rows, alpha=0.5, masks=masks), annotate(frame, rows, alpha=0.5)
    assert np.abs(picture.astype(int) - drawn).mean() < 2  # frame_jpeg draws the masks, up to JPEG's loss
    for mask in masks:
        inner = cv2.erode(mask_utils.decode(mask), np.ones((9, 9), np.uint8)).astype(bool)
        assert (drawn[inner] != bare[inner]).any(axis=1).mean() > 0.9


def test_box_runs_have_no_masks(sample_dir):
    files = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15").sequences[0]
    inputs = load_sequence(files)
    tracker, tr = next(iter(inputs.trackers.items()))
    ev = evaluate_sequence(prepare(files.name, inputs.gt, tr, benchmark="MOT15"), 0.5)
    boxes = analyse(ev, inputs.gt, tr, tracker).frame_boxes(1)
    assert len(boxes) and overlay_masks(overlay_boxes(boxes, 9)) is None


def test_an_altered_mask_is_not_decoded(mask_run):
    """A saved run's mask string that is not an RLE of its size (runs overrunning it, characters out of
    pycocotools' alphabet, a wrong or huge size) is left undrawn; its box and the other masks are drawn."""
    _, run = mask_run
    an = Workspace.load(str(run)).for_class("pedestrian").analysis("swapper", SEQUENCE)
    rows = overlay_boxes(an.frame_boxes(14), 9)
    assert len(rows) >= 5
    good = overlay_masks(rows)
    altered = rows.copy()
    altered.loc[0, "mask"] = altered.loc[0, "mask"] + "Y9"  # one more run: past the mask's end
    altered.loc[1, "mask"] = "~~~"
    altered.loc[2, "mask_h"] = int(altered.loc[2, "mask_h"]) + 1
    altered.loc[3, "mask_h"], altered.loc[3, "mask_w"] = 100_000, 100_000
    masks = overlay_masks(altered)
    assert masks[:4] == [None] * 4 and masks[4:] == good[4:] and all(m is not None for m in good)
    frame = np.full((int(rows["mask_h"].iat[0]), int(rows["mask_w"].iat[0]), 3), BLANK_GREY, np.uint8)
    assert frame_jpeg(frame, altered, alpha=0.5)
