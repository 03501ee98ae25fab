"""Folder layouts of the KITTI and BDD100K formats (``tracklens eval --format``), resolved into the
one ``Layout`` every format shares and evaluated by the one pipeline of ``evaluate.evaluate``.

KITTI (TrackEval's ``Kitti2DBox`` layout; ``GT`` is TrackEval's ``GT_FOLDER``)::

    GT/evaluate_tracking.seqmap.<split>     '<seq> empty 000000 <number of frames>' per line
    GT/label_02/<seq>.txt                   (GT/<seq>.txt is accepted too)
    TRACKERS/<tracker>/data/<seq>.txt       (TRACKERS/<tracker>/<seq>.txt is accepted too)

``<split>`` is ``--split`` (``train`` falls back to KITTI's ``training``); ``--seqmap`` names the
file directly. Without any seqmap every ``<seq>.txt`` of the label folder is a sequence and its
length is the last frame (0-based) found in its ground truth or tracker files, plus one.

BDD100K (TrackEval's ``BDD100K`` layout)::

    GT/<video>.json                         one JSON list of frames per video
    TRACKERS/<tracker>/data/<video>.json    (TRACKERS/<tracker>/<video>.json is accepted too)

Every tracker needs a file for every sequence. Sequences are evaluated and combined in sorted
name order (TrackEval's order). Classes are evaluated separately; BDD100K also combines classes
(``cls_comb_cls_av``, ``cls_comb_det_av``) and super-categories (HUMAN, VEHICLE, BIKE; each
detection-averaged over its evaluated members), KITTI does not (as in TrackEval).
"""
from __future__ import annotations

import os

from ..errors import InputError
from ..layout import Layout, SequenceFiles
from ..preprocess_kitti import KITTI_CLASSES
from . import bdd100k, mots
from .folders import tracker_folders
from .kitti import read_kitti_file, read_seqmap

FORMATS = ("mot", "kitti", "bdd100k", "mots", "kitti_mots", "tao", "youtube_vis", "imagenet_vid",
           "youtube_vis_masks")
SUFFIX = {"kitti": ".txt", "bdd100k": ".json", "kitti_mots": ".txt"}


def valid_classes(fmt: str) -> tuple[str, ...]:
    if fmt in mots.CLASS_IDS:
        return tuple(mots.CLASS_IDS[fmt])
    return KITTI_CLASSES if fmt == "kitti" else bdd100k.CLASSES  # TAO's come from its file (formats/tao_layout.py)


def resolve_dataset(fmt: str, gt_folder: str, trackers_folder: str | None, *, split: str = "training",
                    seqmap: str | None = None, trackers: list[str] | None = None,
                    classes: list[str] | None = None) -> Layout:
    """Find every sequence's ground truth and tracker files of a KITTI or BDD100K layout; raise
    ``InputError`` naming what is missing."""
    if fmt == "mots":
        return _mots_challenge(gt_folder, trackers_folder, split, seqmap, trackers, classes)
    if fmt == "imagenet_vid":
        from .vid_dataset import resolve_vid
        return resolve_vid(gt_folder, trackers_folder, trackers=trackers, classes=classes)
    if fmt in ("tao", "youtube_vis", "youtube_vis_masks"):
        from .tao_layout import resolve_tao
        return resolve_tao(gt_folder, trackers_folder, trackers=trackers, classes=classes, fmt=fmt)
    if fmt not in SUFFIX:
        raise InputError("--format", f"unknown format {fmt!r}.", f"Use one of {', '.join(FORMATS)}.")
    if not os.path.isdir(gt_folder):
        raise InputError(gt_folder, "ground-truth folder not found.", "Pass --gt-folder with an existing folder.")
    chosen = _classes(fmt, classes)
    if fmt == "kitti":
        label_dir, lengths = _kitti_sequences(gt_folder, split, seqmap)
    elif fmt == "kitti_mots":
        label_dir, lengths = _kitti_mots_sequences(gt_folder, split, seqmap)
    else:
        label_dir = gt_folder
        lengths = {n: None for n in _files(gt_folder, ".json")}
        if not lengths:
            raise InputError(gt_folder, "no <video>.json files found.",
                             "Put one BDD100K JSON file per video directly in the ground-truth folder.")
    names = sorted(lengths)
    tracker_names = tracker_folders(trackers_folder, trackers, f"<seq>{SUFFIX[fmt]} files")
    sequences = []
    for name in names:
        gt = os.path.join(label_dir, name + SUFFIX[fmt])
        if not os.path.isfile(gt):
            raise InputError(gt, f"ground truth of sequence '{name}' not found (listed in the seqmap).",
                             f"Expected {os.path.join('<gt-folder>', 'label_02', name + '.txt')}.")
        files = {t: _tracker_file(trackers_folder, t, name, SUFFIX[fmt]) for t in tracker_names}
        sequences.append(SequenceFiles(name, gt, None, files, num_frames=lengths[name]))
    return Layout(tuple(sequences), tuple(tracker_names), fmt.upper(), format=fmt, classes=chosen)


def _classes(fmt: str, classes: list[str] | None) -> tuple[str, ...]:
    valid = valid_classes(fmt)
    if not classes or classes == ["all"]:
        return valid
    out = tuple(c.lower() for c in classes)
    bad = [c for c in out if c not in valid]
    if bad:
        raise InputError("--classes", f"{', '.join(bad)} cannot be evaluated on {fmt}.",
                         f"Use some of: {', '.join(valid)} (or 'all').")
    return out


def _files(folder: str, suffix: str) -> list[str]:
    return [f[: -len(suffix)] for f in os.listdir(folder)
            if f.endswith(suffix) and os.path.isfile(os.path.join(folder, f))]


def _kitti_sequences(gt_folder: str, split: str, seqmap: str | None) -> tuple[str, dict[str, int | None]]:
    label_dir = os.path.join(gt_folder, "label_02")
    if not os.path.isdir(label_dir):
        label_dir = gt_folder
    if seqmap is None:
        for s in dict.fromkeys([split, "training" if split == "train" else split]):
            candidate = os.path.join(gt_folder, f"evaluate_tracking.seqmap.{s}")
            if os.path.isfile(candidate):
                seqmap = candidate
                break
    if seqmap is not None:
        return label_dir, dict(read_seqmap(seqmap))
    names = _files(label_dir, ".txt")
    if not names:
        raise InputError(gt_folder, "no KITTI label files found.",
                         "Use <gt-folder>/label_02/<seq>.txt with <gt-folder>/evaluate_tracking.seqmap.<split> "
                         "(see docs/formats.md).")
    return label_dir, {n: None for n in names}


def _tracker_file(root: str, tracker: str, seq: str, suffix: str) -> str:
    base = os.path.join(root, tracker)
    if not os.path.isdir(base):
        raise InputError(base, f"tracker '{tracker}' not found.", "Check --trackers and --trackers-folder.")
    for candidate in (os.path.join(base, "data", seq + suffix), os.path.join(base, seq + suffix)):
        if os.path.isfile(candidate):
            return candidate
    raise InputError(os.path.join(base, "data", seq + suffix),
                     f"tracker '{tracker}' has no result for sequence '{seq}'.",
                     ("Add the file (a JSON list with one frame per ground-truth frame, 'labels' empty where "
                      "there is nothing)." if suffix == ".json" else
                      "Add the file (an empty file is a valid result with no boxes), or list fewer sequences "
                      "in the seqmap."))


def _mots_challenge(gt_folder: str, trackers_folder: str | None, split: str, seqmap: str | None,
                    trackers: list[str] | None, classes: list[str] | None) -> Layout:
    """MOTS Challenge: TrackEval's MOTChallenge layout with benchmark MOTS (GT/MOTS-<split>/<seq>/gt/gt.txt)."""
    from ..layout import resolve

    if split == "training" and not os.path.isdir(os.path.join(gt_folder, "MOTS-training")):
        split = "train"  # resolve_dataset's default is KITTI's name of the split
    layout = resolve(gt_folder, trackers_folder, "MOTS", split, seqmap, trackers)
    return Layout(layout.sequences, layout.trackers, "MOTS", format="mots", classes=_classes("mots", classes))


def _kitti_mots_sequences(gt_folder: str, split: str, seqmap: str | None) -> tuple[str, dict[str, int | None]]:
    label_dir = os.path.join(gt_folder, "label_02")
    if not os.path.isdir(label_dir):
        label_dir = gt_folder
    if seqmap is None:
        names = [f"evaluate_mots.seqmap.{s}" for s in dict.fromkeys([split, "training" if split == "train" else split])]
        found = [os.path.join(gt_folder, n) for n in names if os.path.isfile(os.path.join(gt_folder, n))]
        seqmap = found[0] if found else os.path.join(gt_folder, names[0])
    return label_dir, mots.read_mots_seqmap(seqmap)


def load_dataset_sequence(fmt: str, seq: SequenceFiles):
    """Read one sequence's ground truth and tracker files (all with the same number of frames)."""
    if fmt in mots.CLASS_IDS:
        return mots.load_mots_sequence(fmt, seq)
    if fmt == "imagenet_vid":
        from .vid_dataset import load_vid_sequence
        return load_vid_sequence(seq)
    if fmt == "youtube_vis_masks":
        from .youtube_vis_masks import load_vis_masks_sequence
        return load_vis_masks_sequence(seq.gt, seq.name, seq.trackers)
    if fmt == "youtube_vis":
        from .youtube_vis import load_vis_sequence
        return load_vis_sequence(seq.gt, seq.name, seq.trackers)
    if fmt == "tao":
        from .tao import load_tao_sequence
        return load_tao_sequence(seq.gt, seq.name, seq.trackers, link=seq.link)
    if fmt == "bdd100k":
        gt = bdd100k.read_bdd_file(seq.gt, is_gt=True)
        n = gt.dets.num_frames
        return gt, {t: bdd100k.read_bdd_file(p, is_gt=False, num_frames=n) for t, p in seq.trackers.items()}
    gt = read_kitti_file(seq.gt, seq.num_frames, is_gt=True)
    trackers = {t: read_kitti_file(p, seq.num_frames, is_gt=False) for t, p in seq.trackers.items()}
    if seq.num_frames is None:  # lengths from the files: the longest side wins
        n = max([gt.dets.num_frames, *(b.dets.num_frames for b in trackers.values())])
        gt = gt.with_num_frames(n)
        trackers = {t: b.with_num_frames(n) for t, b in trackers.items()}
    return gt, trackers
