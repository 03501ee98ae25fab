"""The detectors of ``tracklens check``: each looks at one sequence's ground truth and one tracker's
rows and returns ``Evidence`` when it sees a likely input mistake. How each one decides, and what it
cannot see, is in docs/check.md; the thresholds are the constants below.

Every detector takes row tables with the columns of ``Rows`` (a ``Detections`` has the same ones),
so the same code runs on a file read leniently by ``tracklens check`` and on what ``eval`` loaded.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .fixes import Fix
from .rows import Sample, best_iou, overlap, shifted_sums

MAX_OFFSET = 5  # frame shifts tried by tracklens check: -5..5
EVAL_MAX_OFFSET = 2  # ...and by eval's summary (-2..2: cheaper; a larger offset is seen by tracklens check)
SAMPLE_FRAMES = 40  # frames sampled per sequence (evenly spread) for every overlap test
EVAL_SAMPLE_FRAMES = 25  # ...in eval's summary
OFFSET_GAIN = 1.01  # the shifted overlap must beat the unshifted one by 1 %...
OFFSET_VERTEX = 0.35  # ...and the curve's peak (parabola through its top 3 points) lie this close to a whole shift
CORNER_SHARE = 0.9  # share of boxes with w > x and h > y before corners are even tried
GEOMETRY_GAIN = 1.5  # a geometric fix must raise the summed best IoU by half...
GEOMETRY_IOU = 0.3  # ...and reach this mean best IoU
SCALE_TRIGGER = 1.25  # median box height ratio (either way) that makes the scale test run
OUTSIDE_SHARE = 0.01  # boxes entirely outside the image: at least 1 % of the tracker's boxes...
OUTSIDE_MIN = 10  # ...and at least this many
FILTER_SHARE = 0.5  # a class filter removing more than half of the tracker's boxes
GT_FILTER_SHARE = 0.9  # the ground truth's consider/class filter removing more than 90 %
JUMP_HEIGHTS = 2.0  # a ground-truth id moving more than 2 box heights between consecutive frames (real: <= 0.64)
JUMP_MIN = 1  # ...at least this many times in a sequence


@dataclass
class Evidence:
    """What one detector saw on one sequence (``tracker`` None: the ground truth itself)."""

    kind: str
    sequence: str
    tracker: str | None
    facts: dict
    fixes: tuple[Fix, ...] = ()
    curve: dict = field(default_factory=dict)  # frame offsets: summed best IoU per shift, pooled per tracker


def _first_line(rows, mask: np.ndarray) -> int | None:
    hit = np.flatnonzero(mask)
    return int(rows.line[hit].min()) if hit.size else None


def frame_range(seq: str, tracker: str, tr, length: int) -> list[Evidence]:
    """Frames counted from 0 (rows at frame 0), or frames past the sequence's end."""
    out = []
    zero = tr.frame == 0
    if zero.any():
        out.append(Evidence("zero-based", seq, tracker, {
            "rows_at_frame_0": int(zero.sum()), "first_line": _first_line(tr, zero),
            "last_frame": int(tr.frame.max()), "seq_length": length}, (Fix("zero-based", (), tracker),)))
    beyond = (tr.frame > length) | (tr.frame < 0)
    if beyond.any():
        out.append(Evidence("frames-outside", seq, tracker, {
            "rows": int(beyond.sum()), "first_line": _first_line(tr, beyond), "seq_length": length}))
    return out


def shift_curve(gt, tr, sample: Sample, max_offset: int, at_zero: float | None = None) -> dict[int, float]:
    """Summed best IoU of the tracker's boxes at every frame shift in -max_offset..max_offset
    (``at_zero``: the unshifted value, when already known)."""
    shifts = [s for s in range(-max_offset, max_offset + 1) if s != 0 or at_zero is None]
    sums = dict(zip(shifts, shifted_sums(gt, tr, sample, shifts)))
    return {s: sums[s] if s in sums else at_zero for s in range(-max_offset, max_offset + 1)}


def offset_from_curve(curve: dict[int, float]) -> tuple[int, float] | None:
    """The whole shift K the curve peaks at (K != 0), with the peak's sub-frame position, or None.

    A tracker's own lag (a Kalman filter's boxes trail the person) moves the peak by a fraction of a
    frame; a file written with shifted frame numbers moves it by a whole number. So the peak of a
    parabola through the top three points must be within ``OFFSET_VERTEX`` of a non-zero K and the
    overlap there ``OFFSET_GAIN`` above the unshifted one."""
    if not curve or curve.get(0, 0.0) <= 0 and max(curve.values()) <= 0:
        return None
    best = max(curve, key=lambda s: (curve[s], -abs(s)))
    if best == 0:
        return None
    if best - 1 in curve and best + 1 in curve:
        lo, mid, hi = curve[best - 1], curve[best], curve[best + 1]
        bend = lo - 2 * mid + hi
        vertex = best + (lo - hi) / (2 * bend) if bend < 0 else float(best)
    else:
        vertex = float(best)
    k = int(round(vertex))
    if k == 0 or abs(vertex - k) > OFFSET_VERTEX or curve[best] < OFFSET_GAIN * max(curve[0], 1e-12):
        return None
    return k, vertex


def _mean_best(gt, tr, sample: Sample) -> tuple[float, float]:
    o = overlap(gt, tr, sample)
    return o.iou_sum, o.mean_iou


def geometry_possible(unshifted) -> bool:
    """Whether a geometric fix could still raise the overlap (an ``Overlap``) by ``GEOMETRY_GAIN``: not
    when the mean best IoU is already above 1 / GEOMETRY_GAIN (what makes the check cheap on good data)."""
    return unshifted.mean_iou * GEOMETRY_GAIN < 1


def corners(seq: str, tracker: str, gt, tr, sample: Sample) -> list[Evidence]:
    """Columns 5-6 holding x2, y2: nearly every 'width' exceeds x and 'height' exceeds y, and reading
    them as corners raises the overlap with the ground truth by half."""
    if len(tr) == 0:
        return []
    x, y, w, h = tr.box.T
    share = float(((w > x) & (h > y)).mean())
    if share < CORNER_SHARE:
        return []
    before, mean_before = _mean_best(gt, tr, sample)
    box = tr.box.copy()
    box[:, 2] -= box[:, 0]
    box[:, 3] -= box[:, 1]
    after, mean_after = _mean_best(gt, dataclasses.replace(tr, box=box), sample)
    if after < GEOMETRY_GAIN * before or mean_after < GEOMETRY_IOU:
        return []
    return [Evidence("corners", seq, tracker, {"share_w_gt_x_and_h_gt_y": round(share, 4),
                                                "mean_best_iou": round(mean_before, 4),
                                                "mean_best_iou_as_corners": round(mean_after, 4)},
                     (Fix("corners", (), tracker),))]


def _nice(value: float) -> float:
    """A simple fraction (denominator up to 8) within 1 % of ``value`` (resized images), else ``value``
    to 4 digits."""
    frac = Fraction(value).limit_denominator(8)
    return float(frac) if abs(float(frac) / value - 1) < 0.01 else float(f"{value:.4g}")


def _matched(gt, tr, sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """(tracker rows, ground-truth rows) of the sampled boxes whose best IoU is at least 0.5."""
    rows, best, which = best_iou(gt, tr, sample)
    ok = best >= 0.5
    return rows[ok], which[ok]


def scale_translation(seq: str, tracker: str, gt, tr, sample: Sample) -> list[Evidence]:
    """A constant scale (boxes of resized images) and/or translation between tracker and ground truth.

    The scale is first guessed from the median box heights (unaffected by a translation), the
    translation from the peak of the centre displacements of all same-frame pairs; each is kept
    only if it raises the overlap by half, then refined on the boxes it matches (medians)."""
    frames = sample.frames
    g_in, t_in = np.isin(gt.frame, frames), np.isin(tr.frame, frames)
    if g_in.sum() < 10 or t_in.sum() < 10:
        return []
    before, mean_before = _mean_best(gt, tr, sample)
    ratio = float(np.median(gt.box[g_in, 3]) / np.median(tr.box[t_in, 3])) if np.median(tr.box[t_in, 3]) > 0 else 1.0
    fix_scale = None
    box = tr.box
    if ratio > SCALE_TRIGGER or 0 < ratio < 1 / SCALE_TRIGGER:
        # the median heights only say roughly (each side may miss different people): the best overlap
        # on a grid of +-40 % around them, then the medians of the boxes that scale matches
        grid = ratio * np.exp(np.linspace(-0.4, 0.4, 41))
        rough = max(grid, key=lambda r: overlap(gt, dataclasses.replace(tr, box=box * r), sample).iou_sum)
        t_rows, g_rows = _matched(gt, dataclasses.replace(tr, box=box * rough), sample)
        if t_rows.size >= 10:
            fx, fy = _scale_factors(gt.box[g_rows], tr.box[t_rows])
            trial = box * np.array([fx, fy, fx, fy])
            after, _ = _mean_best(gt, dataclasses.replace(tr, box=trial), sample)
            if after >= GEOMETRY_GAIN * before:
                fix_scale, box, before = (fx, fy), trial, after
    shift = _displacement_peak(gt, dataclasses.replace(tr, box=box), frames)
    fix_shift = None
    if shift is not None:
        trial = box + np.array([shift[0], shift[1], 0, 0])
        t_rows, g_rows = _matched(gt, dataclasses.replace(tr, box=trial), sample)
        if t_rows.size >= 10:
            d = gt.box[g_rows, :2] - box[t_rows, :2]
            dx, dy = (round(float(np.median(d[:, j])) * 2) / 2 for j in (0, 1))
            trial = box + np.array([dx, dy, 0, 0])
            after, _ = _mean_best(gt, dataclasses.replace(tr, box=trial), sample)
            if after >= GEOMETRY_GAIN * before:
                fix_shift, box = (dx, dy), trial
    if fix_scale is None and fix_shift is None:
        return []
    _, mean_after = _mean_best(gt, dataclasses.replace(tr, box=box), sample)
    if mean_after < GEOMETRY_IOU:
        return []
    fixes = []
    if fix_scale is not None:
        fixes.append(Fix("scale", fix_scale if fix_scale[0] != fix_scale[1] else fix_scale[:1], tracker))
    if fix_shift is not None:
        fixes.append(Fix("translate", fix_shift, tracker))
    return [Evidence("scale" if fix_scale is not None else "translation", seq, tracker, {
        "median_height_ratio_gt_to_tracker": round(ratio, 4), "mean_best_iou": round(mean_before, 4),
        "mean_best_iou_fixed": round(mean_after, 4)}, tuple(fixes))]


def _scale_factors(g: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """Scale of x and of y between matched boxes: the median ratio of box centres (x) and bottoms (y),
    over the half of the pairs furthest from the origin (where a few pixels of box error matter
    least); one factor for both when they agree within 3 %, snapped to a simple fraction."""
    ratios = []
    for g_pos, t_pos in ((g[:, 0] + g[:, 2] / 2, t[:, 0] + t[:, 2] / 2), (g[:, 1] + g[:, 3], t[:, 1] + t[:, 3])):
        far = t_pos >= np.median(t_pos)
        ratios.append(g_pos[far] / t_pos[far])
    fx, fy = (float(np.median(r)) for r in ratios)
    if abs(fx / fy - 1) < 0.03:
        fx = fy = _nice(float(np.median(np.concatenate(ratios))))
    else:
        fx, fy = _nice(fx), _nice(fy)
    return fx, fy


def _displacement_peak(gt, tr, frames: np.ndarray) -> tuple[float, float] | None:
    """The most common (gt x - tracker x, gt y - tracker y) over all same-frame pairs of the sampled
    frames (8-pixel bins), when it is further than a quarter of the median box width from zero."""
    dx, dy = [], []
    for f in frames:
        g = gt.box[gt.frame == f]
        t = tr.box[tr.frame == f]
        if len(g) and len(t):
            dx.append((g[:, None, 0] - t[None, :, 0]).ravel())
            dy.append((g[:, None, 1] - t[None, :, 1]).ravel())
    if not dx:
        return None
    dx, dy = np.concatenate(dx), np.concatenate(dy)
    bins = 8.0
    kx, ky = (np.floor(v / bins).astype(np.int64) for v in (dx, dy))
    kx, ky = kx - kx.min(), ky - ky.min()
    top = int(np.argmax(np.bincount(kx * (int(ky.max()) + 1) + ky)))
    tx, ty = divmod(top, int(ky.max()) + 1)
    near = (np.abs(kx - tx) <= 1) & (np.abs(ky - ty) <= 1)
    px, py = float(np.median(dx[near])), float(np.median(dy[near]))
    if np.hypot(px, py) < 0.25 * float(np.median(gt.box[np.isin(gt.frame, frames), 2])):
        return None
    return px, py


def outside_image(seq: str, tracker: str, tr, width: int | None, height: int | None) -> list[Evidence]:
    """Boxes lying entirely outside the image (imWidth x imHeight of seqinfo.ini)."""
    if not width or not height or len(tr) == 0:
        return []
    x, y, w, h = tr.box.T
    out = (x >= width) | (y >= height) | (x + w <= 0) | (y + h <= 0)
    n = int(out.sum())
    if n < OUTSIDE_MIN or n < OUTSIDE_SHARE * len(tr):
        return []
    return [Evidence("outside-image", seq, tracker, {"rows": n, "share": round(n / len(tr), 4),
                                                     "first_line": _first_line(tr, out),
                                                     "image": f"{width}x{height}"})]


def tracker_class_filter(seq: str, tracker: str, tr, classes: tuple[str, ...]) -> list[Evidence]:
    """``--classes`` keeps only tracker rows of those classes (column 8): most of them gone."""
    if not classes or len(tr) == 0:
        return []
    cls = np.where(np.isnan(tr.cls.astype(float)), 1, tr.cls)
    gone = ~np.isin(cls, [int(c) for c in classes])
    share = float(gone.mean())
    if share <= FILTER_SHARE:
        return []
    found = np.unique(cls[gone])[:5]
    fixes = (Fix("class", (float(classes[0]),), tracker),) if len(classes) == 1 else ()
    return [Evidence("class-filter", seq, tracker, {
        "removed_rows": int(gone.sum()), "share": round(share, 4), "classes_kept": list(classes),
        "tracker_classes": [int(c) for c in found], "first_line": _first_line(tr, gone)}, fixes)]


def gt_filter(seq: str, gt, kept: np.ndarray, rule: str) -> list[Evidence]:
    """The ground truth's consider flag / class filter keeping almost nothing."""
    if len(gt) == 0:
        return []
    share = 1 - float(kept.mean())
    if share <= GT_FILTER_SHARE:
        return []
    return [Evidence("gt-filter", seq, None, {"removed_rows": int((~kept).sum()), "share": round(share, 4),
                                              "rule": rule})]


def duplicate_ids(seq: str, tracker: str | None, rows) -> list[Evidence]:
    """The same id twice in one frame (``eval`` refuses the file; this counts them all)."""
    if len(rows) < 2:
        return []
    order = np.lexsort((rows.id, rows.frame))
    f, i = rows.frame[order], rows.id[order]
    same = (f[1:] == f[:-1]) & (i[1:] == i[:-1])
    if not same.any():
        return []
    k = int(np.argmax(same))
    return [Evidence("duplicate-ids", seq, tracker, {
        "duplicates": int(same.sum()), "frames": int(np.unique(f[1:][same]).size),
        "first": f"id {int(i[k])} in frame {int(f[k])} (lines {int(rows.line[order[k]])}, {int(rows.line[order[k + 1]])})"})]


def gt_id_jumps(seq: str, gt) -> list[Evidence]:
    """A ground-truth id whose box centre moves more than ``JUMP_HEIGHTS`` box heights between two
    consecutive frames: most likely one id reused for two people."""
    if len(gt) < 2:
        return []
    order = np.lexsort((gt.frame, gt.id))
    f, i, b = gt.frame[order], gt.id[order], gt.box[order]
    step = (i[1:] == i[:-1]) & (f[1:] == f[:-1] + 1)
    c = b[:, :2] + b[:, 2:] / 2
    dist = np.hypot(*(c[1:] - c[:-1]).T)
    size = np.maximum(np.maximum(b[1:, 3], b[:-1, 3]), 1.0)
    jump = step & (dist > JUMP_HEIGHTS * size)
    if jump.sum() < JUMP_MIN:
        return []
    k = int(np.argmax(jump))
    return [Evidence("gt-id-jump", seq, None, {
        "jumps": int(jump.sum()), "ids": int(np.unique(i[1:][jump]).size),
        "first": f"id {int(i[k + 1])} from frame {int(f[k])} to {int(f[k + 1])}: {dist[k]:.0f} px "
                 f"({dist[k] / size[k]:.1f} box heights; lines {int(gt.line[order[k]])}, {int(gt.line[order[k + 1]])})"})]
