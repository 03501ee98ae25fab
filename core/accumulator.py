"""``tracklens.Accumulator``: TrackEval's metrics from a training or validation loop, frame by frame.

Each ``update`` takes one frame's ground-truth ids and boxes and the tracker's ids and boxes (numpy
arrays, lists, pandas Series/DataFrames, or anything ``numpy.asarray`` reads, such as CPU tensors);
``compute()`` runs the same evaluation as ``tracklens eval`` on the frames seen so far (no
MOTChallenge preprocessing: every box given is evaluated) and returns a ``Metrics``. One
accumulator is one sequence (video); ``tracklens.combine`` combines several as TrackEval does.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .api import Metrics
from .detections import Detections
from .prepare import prepare
from .sequence_eval import evaluate_sequence


class Accumulator:
    """Frames of one sequence, evaluated on ``compute()``.

    Boxes are ``x, y, w, h`` (MOTChallenge: left, top, width, height), one row per id. Ids are
    integers, each at most once per frame; they need not be contiguous. ``threshold`` is the IoU
    threshold of CLEAR and Identity (HOTA uses all 19 α).
    """

    def __init__(self, name: str = "sequence", threshold: float = 0.5) -> None:
        self.name = name
        self.threshold = threshold
        self.reset()

    def reset(self) -> None:
        """Forget every frame (start a new sequence)."""
        self._gt: list[tuple[np.ndarray, np.ndarray]] = []
        self._tr: list[tuple[np.ndarray, np.ndarray]] = []

    @property
    def num_frames(self) -> int:
        return len(self._gt)

    def update(self, gt_ids: ArrayLike, gt_boxes: ArrayLike, tracker_ids: ArrayLike, tracker_boxes: ArrayLike) -> None:
        """Add the next frame. Raises ``ValueError`` (naming the frame) for a bad input; the frame is
        then not added."""
        frame = self.num_frames + 1
        gt = _side(gt_ids, gt_boxes, "ground truth", frame)
        tr = _side(tracker_ids, tracker_boxes, "tracker", frame)
        self._gt.append(gt)
        self._tr.append(tr)

    def compute(self) -> Metrics:
        """TrackEval's HOTA, CLEAR, Identity and Count fields of the frames so far."""
        gt, tr = _detections(self._gt), _detections(self._tr, tracker=True)
        data = prepare(self.name, gt, tr, benchmark="MOT15", preprocess=False)
        return Metrics(evaluate_sequence(data, self.threshold).metrics(), sequence=self.name)


def _side(ids: ArrayLike, boxes: ArrayLike, what: str, frame: int) -> tuple[np.ndarray, np.ndarray]:
    """One side of one frame as (int64 ids, float64 n x 4 boxes), checked."""
    raw_ids = np.asarray(ids)
    if raw_ids.ndim > 1 and raw_ids.size == max(raw_ids.shape):
        raw_ids = raw_ids.reshape(-1)  # a column vector
    if raw_ids.ndim != 1:
        raise ValueError(f"frame {frame}: {what} ids must be one-dimensional, got shape {raw_ids.shape}")
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.size == 0:
        arr = arr.reshape(0, 4)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"frame {frame}: {what} boxes must be n x 4 (x, y, w, h), got shape {arr.shape}")
    if arr.shape[0] != raw_ids.size:
        raise ValueError(f"frame {frame}: {raw_ids.size} {what} ids but {arr.shape[0]} boxes")
    if not np.isfinite(arr).all():
        raise ValueError(f"frame {frame}: a {what} box has a NaN or infinite coordinate")
    if raw_ids.dtype.kind in "iu":  # integers: only the range to check (as floats, like the other route)
        if raw_ids.size and max(abs(float(raw_ids.min())), abs(float(raw_ids.max()))) > 2.0**53:
            raise ValueError(f"frame {frame}: {what} ids must be integers, got {raw_ids[:5].tolist()}")
        id_arr = raw_ids.astype(np.int64)
    else:
        try:
            as_float = raw_ids.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"frame {frame}: {what} ids must be integers, got {raw_ids[:5].tolist()}") from None
        if raw_ids.size and (not np.isfinite(as_float).all() or (as_float != np.floor(as_float)).any()
                             or np.abs(as_float).max() > 2.0**53):
            raise ValueError(f"frame {frame}: {what} ids must be integers, got {raw_ids[:5].tolist()}")
        id_arr = raw_ids.astype(np.int64)
    listed = id_arr.tolist()
    if len(set(listed)) != len(listed):  # a set: a frame's few ids, where np.unique costs tens of µs
        uniq, counts = np.unique(id_arr, return_counts=True)
        raise ValueError(f"frame {frame}: {what} id {int(uniq[np.argmax(counts > 1)])} appears "
                         f"{int(counts.max())} times (each id at most once per frame)")
    return id_arr, arr


def _detections(frames: list[tuple[np.ndarray, np.ndarray]], tracker: bool = False) -> Detections:
    """The frames as one frame-sorted ``Detections`` (rows of a frame in the order given)."""
    n = np.array([ids.size for ids, _ in frames], np.int64)
    total = int(n.sum())
    ids = np.concatenate([i for i, _ in frames]) if frames else np.zeros(0, np.int64)
    boxes = np.concatenate([b for _, b in frames]) if frames else np.zeros((0, 4))
    return Detections(
        frame=np.repeat(np.arange(1, len(frames) + 1, dtype=np.int64), n), id=ids.astype(np.int64),
        box=np.ascontiguousarray(boxes.reshape(-1, 4)), conf=np.ones(total),
        cls=np.full(total, 1 if tracker else -1, np.int64), vis=np.full(total, np.nan),
        line=np.arange(1, total + 1, dtype=np.int64), num_frames=len(frames),
        source="tracker" if tracker else "ground truth")
