"""The inputs of the video-detection metrics (``detection.py``) and Track-mAP (``track_map.py``):
ground truth and predictions per sequence, checked and indexed by frame, in sorted name order."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..detections import Detections, frame_offsets


@dataclass(frozen=True, eq=False)
class VideoSequence:
    """One sequence's ground truth and predictions, their class columns and frame offsets."""

    name: str
    gt: Detections
    pr: Detections
    gt_cls: np.ndarray
    pr_cls: np.ndarray
    num_frames: int
    gt_offsets: np.ndarray
    pr_offsets: np.ndarray


def video_sequences(gt_by_seq: Mapping[str, Detections], pred_by_seq: Mapping[str, Detections],
                    class_agnostic: bool) -> list[VideoSequence]:
    """Every sequence of the ground truth (sorted by name) with its predictions (none when missing);
    ``class_agnostic`` puts every row in class 0."""
    extra = sorted(set(pred_by_seq) - set(gt_by_seq))
    if extra:
        raise ValueError(f"predictions for sequences without ground truth: {', '.join(extra[:5])}")
    out = []
    for name in sorted(gt_by_seq):
        gt = gt_by_seq[name]
        pr = pred_by_seq.get(name)
        if pr is None:
            pr = Detections.empty(gt.num_frames)
        for side, det in (("ground truth", gt), ("predictions", pr)):
            if len(det) and (np.any(np.diff(det.frame) < 0) or det.frame.min() < 1):
                raise ValueError(f"{name}: {side} must be frame-sorted with 1-based frames (as read_mot_file returns)")
        nf = int(max(gt.num_frames, pr.num_frames, gt.frame.max(initial=0), pr.frame.max(initial=0)))
        gcls = np.zeros(len(gt), np.int64) if class_agnostic else gt.cls.astype(np.int64)
        pcls = np.zeros(len(pr), np.int64) if class_agnostic else pr.cls.astype(np.int64)
        out.append(VideoSequence(name, gt, pr, gcls, pcls, nf, frame_offsets(gt.frame, nf), frame_offsets(pr.frame, nf)))
    return out
