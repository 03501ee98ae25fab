"""ImageNet VID as a dataset of ``tracklens eval --format imagenet_vid``: folder layout, loading and
per-class preparation through the one pipeline::

    GT/<snippet>/<frame>.xml                 ILSVRC2015 Annotations/VID/<split>/<snippet> folders
    TRACKERS/<tracker>/data/<snippet>.txt    MOTChallenge text: frame (1-based: the snippet's k-th
                                             .xml is frame k), id, x, y, w, h, score, class (1..30)
                                             (TRACKERS/<tracker>/<snippet>.txt accepted)

Results without identities (id -1) need ``--link iou``. Each class is evaluated on its own without
preprocessing (VID has no ignore regions or distractors); classes are combined both ways.
Default classes: those with ground truth in some snippet, in the devkit's order.
"""
from __future__ import annotations

import os
import re

import numpy as np

from ..errors import InputError
from ..layout import Layout, SequenceFiles
from ..prepare import EvalSequence, build
from ..similarity import box_pairs
from .imagenet_vid import CLASS_INDEX, CLASSES, read_vid_snippet, snippet_frames
from .kitti import BoxFile
from .folders import tracker_folders
from .motchallenge import read_mot_file


def resolve_vid(gt_folder: str, trackers_folder: str | None, *, trackers: list[str] | None = None,
                classes: list[str] | None = None) -> Layout:
    if not os.path.isdir(gt_folder):
        raise InputError(gt_folder, "ground-truth folder not found.", "Pass --gt-folder with an existing folder.")
    snippets = sorted(d for d in os.listdir(gt_folder)
                      if os.path.isdir(os.path.join(gt_folder, d)) and snippet_frames(os.path.join(gt_folder, d)))
    if not snippets:
        raise InputError(gt_folder, "no snippet folders with <frame>.xml files found.",
                         "Pass ILSVRC2015's Annotations/VID/<split> folder (one sub-folder per snippet).")
    present = set()
    for s in snippets:
        present.update(read_vid_snippet(os.path.join(gt_folder, s)).cls.tolist())
    chosen = _classes(classes, present)
    tracker_names = tracker_folders(trackers_folder, trackers, "<snippet>.txt files")
    sequences = []
    for s in snippets:
        files = {t: _tracker_file(trackers_folder, t, s) for t in tracker_names}
        sequences.append(SequenceFiles(s, os.path.join(gt_folder, s), None, files,
                                       num_frames=len(snippet_frames(os.path.join(gt_folder, s)))))
    return Layout(tuple(sequences), tuple(tracker_names), "IMAGENET_VID", format="imagenet_vid", classes=chosen)


def _classes(classes: list[str] | None, present: set) -> tuple[str, ...]:
    if not classes or classes == ["all"]:
        if not present:
            raise InputError("--gt-folder", "the ground truth has no object of any class.",
                             "Check the snippets' <object> entries, or name the classes with --classes.")
        return tuple(c for k, c in enumerate(CLASSES, start=1) if k in present)
    out = tuple(c.lower() for c in classes)
    bad = [c for c in out if c not in CLASSES]
    if bad:
        raise InputError("--classes", f"{', '.join(bad)} is not an ImageNet VID class.",
                         f"Use some of: {', '.join(CLASSES)} (or 'all').")
    return out


def _tracker_file(root: str, tracker: str, seq: str) -> str:
    base = os.path.join(root, tracker)
    if not os.path.isdir(base):
        raise InputError(base, f"tracker '{tracker}' not found.", "Check --trackers and --trackers-folder.")
    for candidate in (os.path.join(base, "data", seq + ".txt"), os.path.join(base, seq + ".txt")):
        if os.path.isfile(candidate):
            return candidate
    raise InputError(os.path.join(base, "data", seq + ".txt"), f"tracker '{tracker}' has no result for snippet "
                     f"'{seq}'.", "Add the file (an empty file is a valid result with no boxes).")


def _boxfile(dets) -> BoxFile:
    corners = np.column_stack([dets.box[:, 0], dets.box[:, 1], dets.box[:, 0] + dets.box[:, 2],
                               dets.box[:, 1] + dets.box[:, 3]]).reshape(-1, 4)
    return BoxFile(dets, corners, {}, None)


def load_vid_sequence(seq: SequenceFiles) -> tuple[BoxFile, dict[str, BoxFile]]:
    gt = read_vid_snippet(seq.gt)
    trackers = {}
    for t, path in seq.trackers.items():
        dets = read_mot_file(path, gt.num_frames, is_gt=False, ids_optional=bool(seq.link))
        require_class_column(path)
        if seq.link:
            from ..linker import link_iou
            dets = link_iou(dets)
        trackers[t] = _boxfile(dets)
    return _boxfile(gt), trackers


def require_class_column(path: str) -> None:
    """A result row without column 8 would silently be class 1 (airplane): refused."""
    with open(path, "rb") as fh:
        for k, raw in enumerate(fh, start=1):
            values = [v for v in re.split(rb"[,\s]+", raw.strip()) if v]
            if not values:
                continue
            if len(values) < 8:
                raise InputError(path, f"the row has {len(values)} values; ImageNet VID results need the class "
                                 "in column 8.", "Write frame, id, x, y, w, h, score, class (1..30: the VID class "
                                 "index).", line=k)
            return


def prepare_vid(name: str, gt: BoxFile, tr: BoxFile, classes: tuple[str, ...]) -> dict[str, EvalSequence]:
    """Each class on its own: its ground truth against its results, nothing removed."""
    g, t = gt.dets, tr.dets
    pairs = box_pairs(g.box, g.offsets, t.box, t.offsets)
    none = np.zeros(0, np.int64)
    return {c: build(name, g, t, pairs, g.cls == CLASS_INDEX[c], t.cls == CLASS_INDEX[c], none) for c in classes}
