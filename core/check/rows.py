"""One file's rows as ``tracklens check`` sees them: parsed, not validated (frame 0, frames past the
end and duplicate ids are what it looks for), and how well two sides overlap, frame by frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..detections import frame_offsets
from ..formats.motchallenge import MAX_COORD
from ..similarity import box_pairs


@dataclass(frozen=True)
class Rows:
    """Columns of one file, sorted by frame (file order kept within a frame); ``cls`` is NaN when the
    file has no class column."""

    frame: np.ndarray
    id: np.ndarray
    box: np.ndarray
    conf: np.ndarray
    cls: np.ndarray
    line: np.ndarray

    @classmethod
    def from_table(cls, table: np.ndarray) -> "Rows":
        """From ``read_mot_rows``' table (after any ``--fix``); rows with a non-finite frame, id or
        box, a coordinate beyond ``MAX_COORD`` or a frame or id beyond 2**53, are left out (the reader names them when the file is
        evaluated)."""
        ok = (np.isfinite(table[:, :6]).all(axis=1) & (np.abs(table[:, 2:6]) <= MAX_COORD).all(axis=1)
              & (np.abs(table[:, :2]) < 2.0**53).all(axis=1)
              if table.shape[1] > 6 else np.zeros(table.shape[0], bool))
        t = table[ok]
        t = t[np.argsort(t[:, 0], kind="stable")]
        ncol = t.shape[1] - 1
        return cls(frame=t[:, 0].astype(np.int64), id=t[:, 1].astype(np.int64), box=np.ascontiguousarray(t[:, 2:6]),
                   conf=t[:, 6] if ncol > 6 else np.ones(len(t)),
                   cls=t[:, 7] if ncol > 7 else np.full(len(t), np.nan), line=t[:, -1].astype(np.int64))

    def __len__(self) -> int:
        return int(self.frame.size)

    def take(self, keep: np.ndarray) -> "Rows":
        return Rows(self.frame[keep], self.id[keep], self.box[keep], self.conf[keep], self.cls[keep], self.line[keep])


@dataclass(frozen=True)
class Overlap:
    """How a tracker's boxes meet the ground truth on the sampled frames: the sum, over its ``boxes``
    there, of each box's best IoU with a ground-truth box of the same frame."""

    boxes: int
    iou_sum: float

    @property
    def mean_iou(self) -> float:
        return self.iou_sum / self.boxes if self.boxes else 0.0


def sample_frames(length: int, wanted: int) -> np.ndarray:
    """About ``wanted`` frames spread evenly over 1..length (all of them in a short sequence)."""
    step = max(1, length // max(wanted, 1))
    return np.arange(1, length + 1, step)


@dataclass(frozen=True)
class Sample:
    """The ground truth on a sample of frames, set up once for every comparison with a tracker."""

    frames: np.ndarray
    length: int
    in_sample: np.ndarray  # bool per frame number 0..length
    gt_rows: np.ndarray
    gt_offsets: np.ndarray

    @classmethod
    def of(cls, gt: Rows, length: int, wanted: int) -> "Sample":
        frames = sample_frames(length, wanted)
        in_sample = np.zeros(length + 1, bool)
        in_sample[frames] = True
        rows = np.flatnonzero(_lookup(in_sample, gt.frame))
        return cls(frames, length, in_sample, rows, frame_offsets(gt.frame[rows], length))


def _lookup(table: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """``table[frame]``, False for frames outside it."""
    ok = (frame >= 0) & (frame < table.size)
    out = np.zeros(frame.size, bool)
    out[ok] = table[frame[ok]]
    return out


def best_iou(gt: Rows, tr: Rows, sample: Sample, shift: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tracker boxes whose frame + ``shift`` is a sampled frame, each with its best IoU against the
    ground truth of that frame: (tracker row positions, best IoU, the ground-truth row of it or -1)."""
    moved = tr.frame + shift
    tr_sel = np.flatnonzero(_lookup(sample.in_sample, moved))
    best = np.zeros(tr_sel.size)
    which = np.full(tr_sel.size, -1, np.int64)
    if sample.gt_rows.size and tr_sel.size:
        pairs = box_pairs(gt.box[sample.gt_rows], sample.gt_offsets,
                          tr.box[tr_sel], frame_offsets(moved[tr_sel], sample.length))
        np.maximum.at(best, pairs.tr, pairs.sim)
        top = pairs.sim == best[pairs.tr]
        which[pairs.tr[top]] = sample.gt_rows[pairs.gt[top]]
    return tr_sel, best, which


def overlap(gt: Rows, tr: Rows, sample: Sample, shift: int = 0) -> Overlap:
    _, best, _ = best_iou(gt, tr, sample, shift)
    return Overlap(int(best.size), float(best.sum()))


def shifted_sums(gt: Rows, tr: Rows, sample: Sample, shifts: list[int]) -> list[float]:
    """``overlap(gt, tr, sample, s).iou_sum`` for each shift s, from one ``box_pairs`` call: the k-th
    sampled frame under shift number i becomes frame i * (sampled frames) + k of its own, so each
    tracker box meets the same ground truth as in ``best_iou``; the best IoUs are summed in the same
    order, so every sum is bit-identical."""
    sel = [np.flatnonzero(_lookup(sample.in_sample, tr.frame + s)) for s in shifts]
    sizes = [rows.size for rows in sel]
    if not sample.gt_rows.size or not sum(sizes):
        return [0.0] * len(shifts)
    rank = np.cumsum(sample.in_sample)  # frame -> its number among the sampled frames (1-based)
    per = sample.frames.size
    gt_k = rank[gt.frame[sample.gt_rows]]
    gt_virtual = np.concatenate([gt_k + i * per for i in range(len(shifts))])
    tr_rows = np.concatenate(sel)
    tr_virtual = np.concatenate([rank[tr.frame[rows] + s] + i * per for i, (s, rows) in enumerate(zip(shifts, sel))])
    n_frames = len(shifts) * per
    pairs = box_pairs(np.tile(gt.box[sample.gt_rows], (len(shifts), 1)), frame_offsets(gt_virtual, n_frames),
                      tr.box[tr_rows], frame_offsets(tr_virtual, n_frames))
    best = np.zeros(tr_rows.size)
    np.maximum.at(best, pairs.tr, pairs.sim)
    ends = np.cumsum(sizes).tolist()
    return [float(best[end - size:end].sum()) for size, end in zip(sizes, ends)]
