"""TrackEval's ``TAO`` folder layout (``tracklens eval --format tao``) resolved into the shared ``Layout``::

    GT/<any name>.json                      exactly one JSON file: the whole split
    TRACKERS/<tracker>/data/<any>.json      exactly one JSON file per tracker (TRACKERS/<tracker>/<any>.json
                                            accepted)

Sequences are the file's videos in its order (TrackEval's ``seq_list``; a '/' in a name becomes
'-'); classes are the categories with ground truth, in the file's order, unless ``--classes``
names some of them.
"""
from __future__ import annotations

import os

from ..errors import InputError
from ..layout import Layout, SequenceFiles
from .folders import tracker_folders
from .tao import read_tao_gt


def _one_json(folder: str, what: str) -> str:
    files = sorted(f for f in os.listdir(folder) if f.endswith(".json") and os.path.isfile(os.path.join(folder, f)))
    if len(files) != 1:
        found = f"{len(files)} ({', '.join(files[:4])}{', ...' if len(files) > 4 else ''})" if files else "none"
        raise InputError(folder, f"{what} must hold exactly one .json file; found {found}.",
                         "Keep the one TAO JSON file there and move the others away.")
    return os.path.join(folder, files[0])


def resolve_tao(gt_folder: str, trackers_folder: str | None, *, trackers: list[str] | None = None,
                classes: list[str] | None = None, fmt: str = "tao") -> Layout:
    """``fmt`` ``tao``, ``youtube_vis`` or ``youtube_vis_masks`` (the same layout, TrackEval's ``YouTubeVIS`` loading)."""
    if not os.path.isdir(gt_folder):
        raise InputError(gt_folder, "ground-truth folder not found.", "Pass --gt-folder with an existing folder.")
    gt_path = _one_json(gt_folder, "the ground-truth folder")
    if fmt == "youtube_vis":
        from .youtube_vis import read_vis_gt
        gt = read_vis_gt(gt_path)
    elif fmt == "youtube_vis_masks":
        from .youtube_vis_masks import read_vis_masks_gt
        gt = read_vis_masks_gt(gt_path)
    else:
        gt = read_tao_gt(gt_path)
    chosen = _classes(gt.classes, classes, gt_path)
    tracker_files: dict[str, str] = {}
    if trackers_folder is not None:
        names = tracker_folders(trackers_folder, trackers, "result JSON (data/results.json)")
        for t in names:
            base = os.path.join(trackers_folder, t)
            if not os.path.isdir(base):
                raise InputError(base, f"tracker '{t}' not found.", "Check --trackers and --trackers-folder.")
            sub = os.path.join(base, "data")
            tracker_files[t] = _one_json(sub if os.path.isdir(sub) else base, f"the folder of tracker '{t}'")
    sequences = tuple(SequenceFiles(name, gt_path, None, dict(tracker_files),
                                    num_frames=gt.lengths[gt.video_ids[name]]) for name in gt.video_names)
    return Layout(sequences, tuple(tracker_files), fmt.upper(), format=fmt, classes=chosen)


def _classes(valid: tuple[str, ...], classes: list[str] | None, gt_path: str) -> tuple[str, ...]:
    if not valid:
        raise InputError(gt_path, "no category has ground truth (no annotation).", "Check the annotations.")
    if not classes or classes == ["all"]:
        return valid
    out = tuple(c.lower() for c in classes)  # TrackEval lower-cases CLASSES_TO_EVAL
    bad = [c for c in out if c not in valid]
    if bad:
        shown = ", ".join(valid[:20]) + (", ..." if len(valid) > 20 else "")
        raise InputError("--classes", f"{', '.join(bad)} has no ground truth in {os.path.basename(gt_path)}.",
                         f"Use categories with ground truth: {shown} (or 'all').")
    return out
