"""Where the files are: TrackEval's folder layout or the plain one, resolved in one place.

TrackEval layout::

    GT/<BENCH>-<split>/<seq>/{gt/gt.txt, seqinfo.ini}      GT/seqmaps/<BENCH>-<split>.txt
    TRACKERS/<BENCH>-<split>/<tracker>/data/<seq>.txt

Plain layout: ``GT/<seq>/{gt/gt.txt, seqinfo.ini}`` and ``TRACKERS/<tracker>/[data/]<seq>.txt``.
Without a seqmap every sequence folder holding ``gt/gt.txt`` is evaluated.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .formats.motchallenge import is_plain_name, read_mot_file, read_seqinfo, read_seqmap


@dataclass(frozen=True)
class SequenceFiles:
    """One sequence's files in any format. ``seqinfo`` is MOTChallenge's (None for KITTI and BDD100K);
    ``num_frames`` is set when a KITTI seqmap gives the length (None: from seqinfo or the files);
    ``fixes`` are the explicit ``--fix`` corrections its tracker files are read with (``check.fixes``)."""

    name: str
    gt: str
    seqinfo: str | None
    trackers: dict[str, str] = field(default_factory=dict)
    video: str | None = None
    image_dir: str | None = None
    num_frames: int | None = None
    fixes: tuple = ()
    link: str | None = None  # --link: the tracker files' ids are replaced by tracklens' linker (core/linker.py)


@dataclass(frozen=True)
class Layout:
    """The sequences to evaluate with their files, the tracker names in order, the input format
    (``mot``, ``kitti``, ``bdd100k``) and the classes evaluated one by one (empty: the MOTChallenge
    single-class evaluation)."""

    sequences: tuple[SequenceFiles, ...]
    trackers: tuple[str, ...]
    benchmark: str
    format: str = "mot"
    classes: tuple[str, ...] = ()


VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm")


def resolve(gt_folder: str, trackers_folder: str | None, benchmark: str = "MOT17", split: str = "train",
            seqmap: str | None = None, trackers: list[str] | None = None,
            video_folder: str | None = None) -> Layout:
    """Find every sequence's gt, seqinfo and tracker file; raise ``InputError`` naming what is missing."""
    if not os.path.isdir(gt_folder):
        raise InputError(gt_folder, "ground-truth folder not found.", "Pass --gt-folder with an existing folder.")
    split_name = f"{benchmark}-{split}"
    gt_root = os.path.join(gt_folder, split_name)
    trackeval_layout = os.path.isdir(gt_root)
    if not trackeval_layout:
        gt_root = gt_folder
    if seqmap is None and trackeval_layout:
        default_map = os.path.join(gt_folder, "seqmaps", f"{split_name}.txt")
        seqmap = default_map if os.path.isfile(default_map) else None
    names = read_seqmap(seqmap) if seqmap else _sequence_folders(gt_root)
    tr_root = None
    if trackers_folder is not None:
        if not os.path.isdir(trackers_folder):
            raise InputError(trackers_folder, "trackers folder not found.",
                             "Pass --trackers-folder with a folder holding one sub-folder per tracker.")
        candidate = os.path.join(trackers_folder, split_name)
        tr_root = candidate if os.path.isdir(candidate) else trackers_folder
    for name in trackers or ():
        if not is_plain_name(name):
            raise InputError(repr(name)[:120], "a tracker name must be a plain folder name (no '/', '\\', '..' "
                             "or control characters).", "Pass --trackers with the names of tracker folders.")
    tracker_names = list(trackers) if trackers else (sorted(
        d for d in os.listdir(tr_root) if os.path.isdir(os.path.join(tr_root, d))) if tr_root else [])
    if tr_root is not None and not tracker_names:
        loose = any(f.endswith(".txt") for f in os.listdir(tr_root))
        raise InputError(tr_root, "no tracker folders found" + (" (it holds <seq>.txt files itself)." if loose else "."),
                         "Pass the folder above it: one sub-folder per tracker." if loose else
                         "Put each tracker's <seq>.txt files in its own sub-folder.")

    sequences = []
    for name in names:
        seq_dir = os.path.join(gt_root, name)
        gt_file = os.path.join(seq_dir, "gt", "gt.txt")
        if not os.path.lexists(gt_file):  # a folder or a broken link is left to the reader to explain
            raise InputError(gt_file, f"ground truth of sequence '{name}' not found.",
                             f"Expected {os.path.join('<gt-folder>', name, 'gt', 'gt.txt')}"
                             + (" (listed in the seqmap)." if seqmap else "."))
        files = {t: _tracker_file(tr_root, t, name) for t in tracker_names}
        video, image_dir = _frames_of(seq_dir, name, video_folder)
        sequences.append(SequenceFiles(name, gt_file, os.path.join(seq_dir, "seqinfo.ini"), files, video, image_dir))
    return Layout(tuple(sequences), tuple(tracker_names), benchmark)


def _sequence_folders(root: str) -> list[str]:
    names = sorted(d for d in os.listdir(root) if os.path.lexists(os.path.join(root, d, "gt", "gt.txt")))
    if not names and os.path.isfile(os.path.join(root, "gt", "gt.txt")):
        raise InputError(root, "this is one sequence's folder, not a folder of sequences.",
                         "Pass the folder above it as --gt-folder.")
    split_dirs = [] if names else sorted(
        d for d in os.listdir(root) if "-" in d and os.path.isdir(os.path.join(root, d))
        and any(os.path.isfile(os.path.join(root, d, s, "gt", "gt.txt")) for s in os.listdir(os.path.join(root, d))))
    if split_dirs:
        bench, _, split = split_dirs[0].rpartition("-")
        raise InputError(root, f"no sequence folders for this benchmark and split; it has {', '.join(split_dirs)}.",
                         f"Pass --benchmark {bench} --split {split} (TrackEval layout <gt-folder>/<BENCH>-<split>/).")
    if not names:
        raise InputError(root, "no sequence folders with gt/gt.txt found.",
                         "Use <gt-folder>/<seq>/gt/gt.txt (plain) or <gt-folder>/<BENCH>-<split>/<seq>/gt/gt.txt "
                         "(TrackEval layout, with --benchmark and --split).")
    return names


def _tracker_file(tr_root: str, tracker: str, seq: str) -> str:
    base = os.path.join(tr_root, tracker)
    if not os.path.isdir(base):
        raise InputError(base, f"tracker '{tracker}' not found.", "Check --trackers and --trackers-folder.")
    for candidate in (os.path.join(base, "data", f"{seq}.txt"), os.path.join(base, f"{seq}.txt")):
        if os.path.lexists(candidate):  # the reader explains a folder or a broken link there
            return candidate
    present = sorted({f[:-4] for d in (base, os.path.join(base, "data")) if os.path.isdir(d)
                      for f in os.listdir(d) if f.endswith(".txt")})
    has = (f"it has {', '.join(present[:6])}{', ...' if len(present) > 6 else ''}" if present else "it has no <seq>.txt")
    raise InputError(os.path.join(base, "data", f"{seq}.txt"), f"tracker '{tracker}' has no result for sequence '{seq}' "
                     f"({has}; file names must match the sequence names).",
                     "Add the file (an empty file is a valid result with no boxes), or restrict the sequences with --seqmap.")


def _frames_of(seq_dir: str, name: str, video_folder: str | None) -> tuple[str | None, str | None]:
    """A video named after the sequence (in --video-folder or the sequence folder) and/or an img1/ folder."""
    video = None
    for folder in (video_folder, seq_dir):
        if folder is None:
            continue
        for ext in VIDEO_EXTENSIONS:
            path = os.path.join(folder, name + ext)
            if os.path.isfile(path):
                video = path
                break
        if video:
            break
    image_dir = os.path.join(seq_dir, "img1")
    return video, image_dir if os.path.isdir(image_dir) else None


def classes_in(layout: Layout) -> list[int]:
    """Every class id found in the ground truth of the layout's sequences (consider flag != 0)."""
    found: set[int] = set()
    for f in layout.sequences:
        gt = read_mot_file(f.gt, read_seqinfo(f.seqinfo).length, is_gt=True)
        found.update(np.unique(gt.cls[np.trunc(gt.conf) != 0]).tolist())
    return sorted(found)
