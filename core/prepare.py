"""From two ``Detections`` to what the metrics read: MOTChallenge preprocessing, relabelled ids,
sparse similarities, all indexed by frame.

Preprocessing follows TrackEval's ``MotChallenge2DBox.get_preprocessed_seq_data``: tracker boxes
matched (Hungarian, IoU >= 0.5) to a distractor ground truth are removed; ground truth with a zero
consider flag (or, past MOT15, a class other than pedestrian) is removed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .assignment import assign, frame_of_rows
from .codes import unique_inverse
from .detections import Detections, frame_offsets
from .errors import InputError
from .similarity import EPS, Pairs, box_pairs

PEDESTRIAN = 1
VALID_GT_CLASSES = np.arange(1, 14)
MOT_CLASS_NAMES = {
    1: "pedestrian", 2: "person_on_vehicle", 3: "car", 4: "bicycle", 5: "motorbike", 6: "non_mot_vehicle",
    7: "static_person", 8: "distractor", 9: "occluder", 10: "occluder_on_ground", 11: "occluder_full",
    12: "reflection", 13: "crowd",
}


def distractor_classes(benchmark: str, targets: tuple[int, ...] = ()) -> np.ndarray:
    """Classes whose matched tracker boxes are removed (MOT20 adds non_mot_vehicle); a class evaluated
    as a target (protocol ``classes=…``) is not one."""
    classes = [2, 7, 8, 12]
    if benchmark.upper() == "MOT20":
        classes.append(6)
    return np.array([c for c in classes if c not in targets], np.int64)


@dataclass(frozen=True)
class EvalSequence:
    """One sequence x one tracker, ready for every metric.

    ``gt_rows``/``tr_rows`` point into the original ``Detections`` (kept rows, frame-sorted);
    everything else is indexed by position in those arrays. ``gt_idx``/``tr_idx`` are ids relabelled
    to 0..N-1 in ascending order of the original ids ``gt_ids``/``tr_ids`` (TrackEval's relabelling).
    ``pairs`` holds every positive similarity between kept boxes of the same frame.
    """

    name: str
    num_frames: int
    gt_rows: np.ndarray
    tr_rows: np.ndarray
    gt_offsets: np.ndarray
    tr_offsets: np.ndarray
    gt_idx: np.ndarray
    tr_idx: np.ndarray
    gt_ids: np.ndarray
    tr_ids: np.ndarray
    pairs: Pairs
    removed_tr_rows: np.ndarray

    @property
    def num_gt_dets(self) -> int:
        return int(self.gt_rows.size)

    @property
    def num_tr_dets(self) -> int:
        return int(self.tr_rows.size)

    @property
    def num_gt_ids(self) -> int:
        return int(self.gt_ids.size)

    @property
    def num_tr_ids(self) -> int:
        return int(self.tr_ids.size)


def removes_distractors(benchmark: str, preprocess: bool) -> bool:
    """Whether the MOTChallenge class preprocessing applies (not for MOT15, nor without preprocessing)."""
    return preprocess and benchmark.upper() != "MOT15"


def prepare(name: str, gt: Detections, tr: Detections, *, benchmark: str = "MOT17",
            preprocess: bool = True, pairs: Pairs | None = None, removed: np.ndarray | None = None,
            targets: tuple[int, ...] = ()) -> EvalSequence:
    """Apply the benchmark's preprocessing and build the metric-ready sequence. ``pairs``: the
    similarities of ``gt`` x ``tr`` when already known, and ``removed``: the tracker rows matched to
    a distractor (``distractor_rows``) when already known (the score sweep reuses both). ``targets``:
    the ground-truth classes evaluated (protocol ``classes=…``; default pedestrian), none of them a
    distractor."""
    _check_tracker_classes(tr)
    if pairs is None:
        pairs = box_pairs(gt.box, gt.offsets, tr.box, tr.offsets)
    mot_classes = removes_distractors(benchmark, preprocess)
    if mot_classes:
        _check_gt_classes(gt)
        if removed is None:
            removed = distractor_rows(gt, tr, pairs, benchmark, targets=targets)
    else:
        removed = np.zeros(0, np.int64)
    consider = np.trunc(gt.conf) != 0
    keep_gt = consider & np.isin(gt.cls, targets or (PEDESTRIAN,)) if mot_classes else consider
    keep_tr = np.ones(len(tr), bool)
    keep_tr[removed] = False
    return build(name, gt, tr, pairs, keep_gt, keep_tr, removed)


def build(name: str, gt: Detections, tr: Detections, pairs: Pairs, keep_gt: np.ndarray,
          keep_tr: np.ndarray, removed_tr_rows: np.ndarray) -> EvalSequence:
    """Restrict both sides (and their pairs) to kept rows and relabel ids."""
    gt_rows = np.flatnonzero(keep_gt)
    tr_rows = np.flatnonzero(keep_tr)
    gt_pos = np.full(len(gt), -1, np.int64)
    gt_pos[gt_rows] = np.arange(gt_rows.size)
    tr_pos = np.full(len(tr), -1, np.int64)
    tr_pos[tr_rows] = np.arange(tr_rows.size)
    both = (gt_pos[pairs.gt] >= 0) & (tr_pos[pairs.tr] >= 0)
    kept_pairs = Pairs(gt_pos[pairs.gt[both]], tr_pos[pairs.tr[both]], pairs.sim[both])
    gt_ids, gt_idx = _ids_and_index(gt.id[gt_rows])
    tr_ids, tr_idx = _ids_and_index(tr.id[tr_rows])
    return EvalSequence(
        name=name, num_frames=gt.num_frames, gt_rows=gt_rows, tr_rows=tr_rows,
        gt_offsets=frame_offsets(gt.frame[gt_rows], gt.num_frames),
        tr_offsets=frame_offsets(tr.frame[tr_rows], tr.num_frames),
        gt_idx=gt_idx.astype(np.int64).ravel(), tr_idx=tr_idx.astype(np.int64).ravel(),
        gt_ids=gt_ids, tr_ids=tr_ids, pairs=kept_pairs, removed_tr_rows=removed_tr_rows,
    )


def _ids_and_index(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(ids, return_inverse=True)``, through a table over the id range when it is small."""
    if ids.size and ids.dtype.kind in "iu" and int(ids.min()) >= 0:
        return unique_inverse(ids, int(ids.max()) + 1)
    return np.unique(ids, return_inverse=True)


def distractor_rows(gt: Detections, tr: Detections, pairs: Pairs, benchmark: str,
                    frames: np.ndarray | None = None, targets: tuple[int, ...] = ()) -> np.ndarray:
    """Tracker rows (sorted) matched (IoU >= 0.5, Hungarian over all ground truth) to a distractor;
    with ``frames`` (one bool per frame) only in those frames. Each frame is matched on its own, so a
    frame's answer depends only on its boxes."""
    return _distractor_matches(gt, tr, pairs, distractor_classes(benchmark, targets), frames)


def _distractor_matches(gt: Detections, tr: Detections, pairs: Pairs, distractors: np.ndarray,
                        frames: np.ndarray | None = None) -> np.ndarray:
    cand = pairs.sim >= 0.5 - EPS
    if frames is not None:
        cand &= frames[gt.frame[pairs.gt] - 1]
    g = pairs.gt[cand]
    distractor = np.isin(gt.cls[g], distractors)
    # Only a frame with a distractor candidate can lose a tracker box, and each frame is matched on its
    # own: the other frames are left out.
    frame = frame_of_rows(gt.offsets, g)
    involved = np.zeros(gt.num_frames, bool)
    involved[frame[distractor]] = True
    keep = involved[frame]
    g, t, s, distractor = g[keep], pairs.tr[cand][keep], pairs.sim[cand][keep], distractor[keep]
    chosen = assign(g, t, s, gt.offsets, tr.offsets)
    return np.sort(t[chosen & distractor])


def _check_tracker_classes(tr: Detections) -> None:
    bad = tr.cls > PEDESTRIAN
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(tr.source, f"class {int(tr.cls[i])} in column 8; MOTChallenge evaluation is only valid "
                         "for the pedestrian class (1, or -1 for 'not given').",
                         "Write -1 (or 1) in column 8 of tracker files.", line=int(tr.line[i]))


def _check_gt_classes(gt: Detections) -> None:
    bad = ~np.isin(gt.cls, VALID_GT_CLASSES)
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(gt.source, f"ground-truth class {int(gt.cls[i])} is not a MOTChallenge class (1..13).",
                         "Use --benchmark MOT15 or --no-preproc for files without MOT16+ classes.",
                         line=int(gt.line[i]))
