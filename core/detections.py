"""The canonical table every reader produces and every metric and view reads.

One ``Detections`` holds one side (ground truth or tracker) of one sequence as columns, sorted by
frame with the file order kept inside a frame (TrackEval's order, which decides Hungarian ties).
``offsets`` makes a frame a slice: rows ``offsets[t-1]:offsets[t]`` are frame ``t`` (1-based).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import Ignored


@dataclass(frozen=True)
class SequenceInfo:
    """What ``seqinfo.ini`` says about a sequence (frames are numbered 1..length)."""

    name: str
    length: int
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    im_dir: str | None = None
    im_ext: str | None = None


@dataclass(frozen=True)
class Detections:
    """Boxes of one side of one sequence, columnar and frame-sorted.

    Columns (all length N): ``frame`` (1-based), ``id`` (as in the file), ``box`` (N x 4, x y w h),
    ``conf`` (column 7: the ground truth's consider flag, the tracker's confidence), ``cls``
    (column 8, class id; 1 when absent for trackers, -1 when absent for ground truth), ``vis``
    (column 9, visibility; NaN when absent) and ``line`` (1-based line in ``source``).
    """

    frame: np.ndarray
    id: np.ndarray
    box: np.ndarray
    conf: np.ndarray
    cls: np.ndarray
    vis: np.ndarray
    line: np.ndarray
    num_frames: int
    source: str = ""
    ignored: tuple[Ignored, ...] = field(default=())

    def __len__(self) -> int:
        return int(self.frame.shape[0])

    @property
    def offsets(self) -> np.ndarray:
        """``offsets[t-1]:offsets[t]`` are the rows of frame t (length ``num_frames + 1``)."""
        return frame_offsets(self.frame, self.num_frames)

    @classmethod
    def empty(cls, num_frames: int, source: str = "") -> "Detections":
        return cls(
            frame=np.zeros(0, np.int64), id=np.zeros(0, np.int64), box=np.zeros((0, 4)),
            conf=np.zeros(0), cls=np.zeros(0, np.int64), vis=np.zeros(0), line=np.zeros(0, np.int64),
            num_frames=num_frames, source=source,
        )

    def take(self, rows: np.ndarray) -> "Detections":
        """A subset of rows (kept in their order)."""
        return Detections(
            frame=self.frame[rows], id=self.id[rows], box=self.box[rows], conf=self.conf[rows],
            cls=self.cls[rows], vis=self.vis[rows], line=self.line[rows],
            num_frames=self.num_frames, source=self.source, ignored=self.ignored,
        )


def frame_offsets(frame: np.ndarray, num_frames: int) -> np.ndarray:
    """CSR offsets of a frame-sorted, 1-based frame column."""
    counts = np.bincount(frame, minlength=num_frames + 1)[1 : num_frames + 1]
    out = np.zeros(num_frames + 1, np.int64)
    np.cumsum(counts, out=out[1:])
    return out
