"""TETA on TAO files, read as TETA's reference reads them (SysCV/tet a62a9c0, ``datasets/tao.py``):
the ground truth and result JSON through ``formats/tao.py`` (the same loading as TrackEval's TAO:
frames are the images with ground truth in ``frame_index`` order, merged categories, track ids made
unique per video), except that every result box is kept (the reference's ``MAX_DETECTIONS`` default
is 0, no limit). TETA does no other preprocessing: ``neg_category_ids`` and
``not_exhaustive_category_ids`` play no part with its default ``exhaustive=False``; the local
clusters decide which predictions count (``metrics/teta.py``).

Classes are the categories with ground truth (or the chosen ones); videos are combined in the
order of their names, then classes averaged (empty ones left out), as the reference's Evaluator.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .detections import Detections
from .errors import InputError
from .formats.tao import read_tao_gt, read_tao_results
from .metrics.teta import TetaCounts, TetaFrame, TetaResult, class_average, combine_videos, teta_result, teta_video
from .similarity import box_iou

AVERAGE = "average"  # the reference's key for the class average


@dataclass(frozen=True)
class TetaRun:
    """One tracker's TETA: per class (combined over videos), their average, and each video's counts
    (per class) for whoever wants them."""

    per_class: dict  # class name -> TetaResult
    average: TetaResult
    per_video: dict  # video name -> {class name -> TetaCounts}


def dense_iou(gt_box: np.ndarray, pr_box: np.ndarray) -> np.ndarray:
    """IoU of every ground-truth box against every predicted box of one frame (TrackEval's IoU)."""
    n, m = gt_box.shape[0], pr_box.shape[0]
    return box_iou(np.repeat(gt_box, m, axis=0), np.tile(pr_box, (n, 1))).reshape(n, m)


def _check_unique(dets: Detections, lo: int, hi: int, t: int, what: str) -> None:
    ids = dets.id[lo:hi]
    if np.unique(ids).size != ids.size:
        dup = sorted({int(i) for i in ids if (ids == i).sum() > 1})
        raise InputError(dets.source, f"{what} track id(s) {dup} appear more than once on frame {t} of a video.",
                         "Give each box of a frame its own track_id.", line=int(dets.line[lo]))


def video_frames(gt: Detections, pr: Detections) -> list[TetaFrame]:
    """The per-frame arrays TETA reads, in the files' order inside each frame."""
    go, po = gt.offsets, pr.offsets
    frames = []
    for t in range(gt.num_frames):
        _check_unique(gt, go[t], go[t + 1], t + 1, "ground-truth")
        _check_unique(pr, po[t], po[t + 1], t + 1, "result")
        g, p = slice(go[t], go[t + 1]), slice(po[t], po[t + 1])
        frames.append(TetaFrame(gt.id[g], gt.cls[g], pr.id[p], pr.cls[p], dense_iou(gt.box[g], pr.box[p])))
    return frames


def teta_tao(gt_path: str, result_path: str, classes: Sequence[str] | None = None,
             link: str | None = None) -> TetaRun:
    """TETA of one tracker's result file against a TAO ground-truth file (``link``: ids linked by
    tracklens, ``--link iou``, on every result box as read here)."""
    gt = read_tao_gt(gt_path)
    names = tuple(classes) if classes else gt.classes
    chosen = {c: gt.class_ids[c] for c in names if c in gt.class_ids}
    if len(chosen) != len(names) or not chosen:
        raise InputError(gt_path, f"no ground truth for class(es) {', '.join(c for c in names if c not in chosen)}.",
                         "Choose categories with ground truth.")
    results = read_tao_results(result_path, gt, max_detections=0, link=link)
    per_video: dict = {}
    for name in sorted(gt.video_names):
        vid = gt.video_ids[name]
        per_video[name] = teta_video(video_frames(gt.videos[vid], results[vid]), chosen)
    per_class = {c: teta_result(combine_videos([v[c] for v in per_video.values()])) for c in chosen}
    return TetaRun(per_class, class_average(per_class), per_video)


__all__ = ["AVERAGE", "TetaCounts", "TetaRun", "TetaResult", "dense_iou", "teta_tao", "video_frames"]
