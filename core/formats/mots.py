"""MOTS Challenge and KITTI-MOTS mask tracks (RLE text) into ``Detections`` plus their masks, and
TrackEval's ``MOTSChallenge`` / ``KittiMOTS`` preprocessing.

One row per mask, space separated::

    frame id class_id img_height img_width rle

``rle`` is COCO's compressed run-length string (pycocotools, column-major). MOTS Challenge frames
are 1-based, KITTI-MOTS frames 0-based (``Detections.frame`` is 1-based: frame + 1 there).
Ground-truth rows of class 10 are ignore regions (merged per frame, as TrackEval). Classes: KITTI-MOTS
car = 1, pedestrian = 2; MOTS Challenge pedestrian = 2. Rows of other classes are read, checked and
never evaluated. Mask IoU and IoA are pycocotools' ``iou`` called as TrackEval's
``_calculate_mask_ious`` calls it (bit-identical); ``Detections.box`` is each mask's bounding box
(pycocotools ``toBbox``), for drawing and the box-based analysis only.

Checks TrackEval also makes (it raises, without a line): masks of one side overlapping in a frame
(for the ground truth, its ignore region included), the same id twice in one frame (every class
of a side, ignore regions aside), frames outside the sequence. Stricter: every mask of a file must
have the size of its first row (pycocotools would compare masks of different sizes as -1), RLE
strings must use pycocotools' alphabet, ids must be whole numbers >= 0.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np

from ..detections import Detections
from ..errors import Ignored, InputError
from ..similarity import EPS, Pairs
from .motchallenge import MAX_FILE_BYTES, MAX_FRAMES, _read_bytes, split_lines

IGNORE_CLASS = 10
CLASS_IDS = {"kitti_mots": {"car": 1, "pedestrian": 2}, "mots": {"pedestrian": 2}}
_RLE_CHARS = re.compile(rb"[0-o]*")  # pycocotools writes 5 bits + 48 per char: '0'..'o'
_FORMAT_HINT = "each row must be 'frame id class_id img_height img_width rle' (space separated, RLE as pycocotools)."


@dataclass(frozen=True)
class MaskFile:
    """One side of one sequence: ``dets`` (boxes = mask bounding boxes) and, row-aligned, ``rles``
    (pycocotools dicts); ``ignore`` (ground truth only) holds one merged ignore RLE per frame
    (index frame - 1), ``None`` where the frame has none."""

    dets: Detections
    rles: list[dict]
    ignore: list[dict | None] | None = None


def read_mots_seqmap(path: str) -> dict[str, int]:
    """KITTI-MOTS ``evaluate_mots.seqmap.<split>``: ``<seq> empty <first> <last>`` per line. As
    TrackEval, the sequence is ``'%04d' % int(seq)`` and its length the 4th value + 1."""
    if not os.path.isfile(path):
        raise InputError(path, "KITTI-MOTS seqmap not found.",
                         "Write one line '<seq> empty 000000 <last frame>' per sequence (evaluate_mots.seqmap.<split>) "
                         "or pass it with --seqmap.")
    try:
        with open(path, encoding="utf-8-sig") as fp:
            text = fp.read()
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(path, f"cannot read the seqmap as UTF-8 text ({exc}).",
                         "Write it as plain text: '<seq> empty 000000 <last frame>' per line.") from None
    out: dict[str, int] = {}
    for i, line in enumerate(split_lines(text), start=1):
        cells = line.replace(",", " ").split()
        if len(cells) < 4:
            continue
        try:
            seq, last = int(cells[0]), int(cells[3])
        except ValueError:
            raise InputError(path, f"sequence {cells[0][:40]!r} or last frame {cells[3][:40]!r} is not an integer.",
                             "Each line is '<seq number> empty <first frame> <last frame>'.", line=i) from None
        if not 0 <= last < MAX_FRAMES:
            raise InputError(path, f"last frame {last} is outside 0..{MAX_FRAMES - 1}.", "Fix the 4th value.", line=i)
        out["%04d" % seq] = last + 1
    if not out:
        raise InputError(path, "the seqmap lists no sequence.", "Add lines '<seq> empty 000000 <last frame>'.")
    return out


def rle_pixels(strings: list[bytes]) -> np.ndarray:
    """Pixels covered by the runs of each compressed RLE string (pycocotools' ``rleFrString``
    decoding, vectorised over all strings), -1 where a run is cut short or negative: pycocotools
    would read such a string past its mask. Strings must hold only '0'..'o'."""
    n = len(strings)
    lengths = np.fromiter((len(x) for x in strings), np.int64, n)
    out = np.full(n, -1, np.int64)
    if n == 0 or lengths.sum() == 0:
        out[lengths == 0] = 0
        return out
    c = np.frombuffer(b"".join(strings), np.uint8).astype(np.int64) - 48
    last = np.cumsum(lengths) - 1
    has = lengths > 0
    end = (c & 0x20) == 0
    cut = has.copy()
    cut[has] = ~end[last[has]]  # the row's last run is unfinished: invalid, and the next row starts afresh
    end[last[has]] = True
    starts = np.r_[0, np.flatnonzero(end)[:-1] + 1]
    run_of_char = np.cumsum(end) - end
    k = np.arange(c.size) - starts[run_of_char]
    x = np.add.reduceat((c & 0x1F) << (5 * k), starts)
    size = np.diff(np.r_[starts, c.size])
    ends = starts + size - 1
    x = np.where(c[ends] & 0x10, x - (np.int64(1) << (5 * size)), x)
    row_of_char = np.repeat(np.arange(n), lengths)
    run_row = row_of_char[starts]
    first_run = np.searchsorted(run_row, np.arange(n))
    m = np.arange(x.size) - first_run[run_row]
    chain = np.where(m == 0, 0, np.where(m % 2 == 1, 1, 2)) + 3 * run_row  # runs[m] += runs[m - 2] for m > 2
    order = np.argsort(chain, kind="stable")
    total = np.cumsum(x[order])
    group_start = np.r_[True, chain[order][1:] != chain[order][:-1]]
    base = np.maximum.accumulate(np.where(group_start, np.arange(x.size), 0))
    runs = np.empty_like(x)
    runs[order] = total - np.r_[0, total][base]
    bad = np.zeros(n, bool)
    bad[run_row[runs < 0]] = True
    out[:] = np.bincount(run_row, weights=runs, minlength=n).astype(np.int64)
    out[bad | cut] = -1
    out[~has] = 0
    return out


def valid_rles(strings: list[bytes], height: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Which RLE strings are pycocotools RLEs of exactly their height x width mask (alphabet and runs
    checked as the reader checks them): only those are safe to decode (pycocotools writes every run)."""
    ok = np.fromiter((_RLE_CHARS.fullmatch(s) is not None for s in strings), bool, len(strings))
    pixels = rle_pixels([s if good else b"" for s, good in zip(strings, ok)])
    return ok & (pixels == np.asarray(height, np.int64) * np.asarray(width, np.int64)) & (np.asarray(height) > 0)


def read_mots_file(path: str, num_frames: int, *, is_gt: bool, zero_based: bool) -> MaskFile:
    """Read one MOTS text file (``zero_based`` for KITTI-MOTS). Raises ``InputError`` naming the line
    for any row TrackEval could not use, overlapping masks and duplicate ids in a frame."""
    from pycocotools import mask as mask_utils  # only when masks are read

    if not os.path.exists(path):
        raise InputError(path, "file not found.", "Check the folder layout (see docs/formats.md).")
    raw = _read_bytes(path, MAX_FILE_BYTES)
    if b"\x00" in raw[:4096]:
        raise InputError(path, "this is a binary file, not a MOTS text file.", _FORMAT_HINT)
    text = raw.decode("utf-8-sig", errors="replace")
    first = 0 if zero_based else 1
    frames, ids, classes, lines, rles = [], [], [], [], []
    size: tuple[int, int] | None = None
    blank = outside_ignore = 0
    for ln, line in enumerate(split_lines(text), start=1):
        cells = line.split()
        if not cells:
            blank += 1
            continue
        if len(cells) < 6:
            raise InputError(path, f"row has {len(cells)} values, 6 are needed.", _FORMAT_HINT, line=ln)
        nums = []
        for name, cell in zip(("frame", "id", "class_id", "img_height", "img_width"), cells[:5]):
            try:
                nums.append(int(cell))
            except ValueError:
                raise InputError(path, f"{name} {cell[:40]!r} is not an integer.", _FORMAT_HINT, line=ln) from None
        frame, tid, cls, h, w = nums
        if tid < 0:
            raise InputError(path, f"negative id {tid}.", "Ids are whole numbers >= 0: renumber the track.", line=ln)
        if h < 1 or w < 1:
            raise InputError(path, f"image size {h} x {w} is not positive.", _FORMAT_HINT, line=ln)
        if size is None:
            size = (h, w)
        elif (h, w) != size:
            raise InputError(path, f"mask size {h} x {w} differs from the file's first mask ({size[0]} x {size[1]}).",
                             "Every mask of a sequence is the image size (img_height img_width): fix columns 4-5.",
                             line=ln)
        counts = cells[5].encode("ascii", errors="replace")
        if not _RLE_CHARS.fullmatch(counts):
            raise _bad_rle(path, h, w, -1, ln)
        if not first <= frame < num_frames + first:
            if is_gt and cls == IGNORE_CLASS:
                outside_ignore += 1
                continue
            raise InputError(path, f"frame {frame} is outside {first}..{num_frames + first - 1} "
                             f"({'0' if zero_based else '1'}-based frames; the sequence has {num_frames}).",
                             "Fix the frame numbers or the sequence length (seqinfo.ini / seqmap).", line=ln)
        frames.append(frame - first + 1)
        ids.append(tid)
        classes.append(cls)
        lines.append(ln)
        rles.append({"size": [h, w], "counts": counts})
    frame = np.asarray(frames, np.int64)
    cls = np.asarray(classes, np.int64)
    line = np.asarray(lines, np.int64)
    if size is not None:
        pixels = rle_pixels([r["counts"] for r in rles])
        wrong = pixels != size[0] * size[1]
        if wrong.any():
            i = int(np.argmax(wrong))
            raise _bad_rle(path, size[0], size[1], int(pixels[i]), int(line[i]))
    ignored = []
    if blank:
        ignored.append(Ignored(path, blank, "blank lines"))
    if outside_ignore:
        ignored.append(Ignored(path, outside_ignore, "ignore regions (class 10) outside the sequence (TrackEval "
                                                     "never reads them)"))
    region = (cls == IGNORE_CLASS) if is_gt else np.zeros(cls.size, bool)
    keep = np.flatnonzero(~region)
    order = keep[np.argsort(frame[keep], kind="stable")]
    kept = [rles[i] for i in order]
    box = np.asarray(mask_utils.toBbox(kept), float).reshape(-1, 4) if kept else np.zeros((0, 4))
    dets = Detections(frame=frame[order], id=np.asarray(ids, np.int64)[order], box=box, conf=np.ones(order.size),
                      cls=cls[order], vis=np.full(order.size, np.nan), line=line[order], num_frames=num_frames,
                      source=path, ignored=tuple(ignored))
    ignore = None
    if is_gt:
        ignore = [None] * num_frames
        rows = np.flatnonzero(region)
        rows = rows[np.argsort(frame[rows], kind="stable")]
        for group in np.split(rows, np.flatnonzero(np.diff(frame[rows])) + 1) if rows.size else ():
            ignore[frame[group[0]] - 1] = mask_utils.merge([rles[i] for i in group], intersect=False)
    out = MaskFile(dets, kept, ignore)
    _check_frames(out)
    return out


def _bad_rle(path: str, h: int, w: int, pixels: int, line: int) -> InputError:
    return InputError(path, f"column 6 is not a pycocotools RLE string of an {h} x {w} mask"
                      + ("." if pixels < 0 else f" (its runs cover {pixels} pixels)."),
                      "Write masks with pycocotools.mask.encode(...)['counts'] at the image size.", line=line)


def _check_frames(mf: MaskFile) -> None:
    """TrackEval's two per-frame checks, with the lines: one id once, masks never overlapping."""
    from pycocotools import mask as mask_utils

    d = mf.dets
    offsets = d.offsets
    for t in np.flatnonzero(np.diff(offsets) > 0):
        a, b = offsets[t], offsets[t + 1]
        ids = d.id[a:b]
        if np.unique(ids).size < ids.size:
            dup = next(i for i in ids if (ids == i).sum() > 1)
            lines = d.line[a:b][ids == dup]
            raise InputError(d.source, f"id {int(dup)} appears {lines.size} times in frame {int(d.frame[a])} "
                             f"(lines {', '.join(map(str, lines[:5]))}).",
                             "Each id may appear once per frame: drop or renumber the duplicates.", line=int(lines[1]))
        masks = mf.rles[a:b]
        if b - a > 1:
            inter = np.asarray(mask_utils.iou(masks, masks, [False] * (b - a))) > 0
            np.fill_diagonal(inter, False)
            if inter.any():
                i, j = np.argwhere(inter)[0]
                raise InputError(d.source, f"masks of lines {int(d.line[a + i])} and {int(d.line[a + j])} overlap in "
                                 f"frame {int(d.frame[a])} (MOTS masks may not overlap; TrackEval refuses them).",
                                 "Give each pixel to one object at most.", line=int(d.line[a + j]))
        region = mf.ignore[t] if mf.ignore is not None else None
        if region is not None:
            hit = np.asarray(mask_utils.iou(masks, [region], [True])).ravel() > 0
            if hit.any():
                k = a + int(np.argmax(hit))
                raise InputError(d.source, f"the mask of line {int(d.line[k])} overlaps the frame's ignore region "
                                 "(class 10 rows); TrackEval refuses overlapping masks.",
                                 "Remove the object's pixels from the ignore region.", line=int(d.line[k]))


def mask_pairs(gt: MaskFile, tr: MaskFile) -> Pairs:
    """Mask IoU of every same-frame (gt row, tracker row) pair with a positive IoU, computed per frame
    by pycocotools exactly as TrackEval's ``_calculate_mask_ious`` (every class at once)."""
    from pycocotools import mask as mask_utils

    go, to = gt.dets.offsets, tr.dets.offsets
    gs, ts, ss = [], [], []
    for t in np.flatnonzero((np.diff(go) > 0) & (np.diff(to) > 0)):
        ga, gb, ta, tb = go[t], go[t + 1], to[t], to[t + 1]
        ious = np.asarray(mask_utils.iou(gt.rles[ga:gb], tr.rles[ta:tb], [False] * (tb - ta))).reshape(gb - ga, tb - ta)
        g, k = np.nonzero(ious > 0)
        gs.append(g + ga)
        ts.append(k + ta)
        ss.append(ious[g, k])
    if not gs:
        return Pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    return Pairs(np.concatenate(gs).astype(np.int64), np.concatenate(ts).astype(np.int64), np.concatenate(ss))


def in_ignore(gt: MaskFile, tr: MaskFile, rows: np.ndarray) -> np.ndarray:
    """For tracker ``rows``: IoA (over the tracker mask) with the frame's merged ignore region > 0.5 + eps."""
    from pycocotools import mask as mask_utils

    out = np.zeros(rows.size, bool)
    if gt.ignore is None:
        return out
    for k, r in enumerate(rows):
        region = gt.ignore[tr.dets.frame[r] - 1]
        if region is not None:
            out[k] = np.asarray(mask_utils.iou([tr.rles[r]], [region], [True])).item() > 0.5 + EPS
    return out


def prepare_mots(name: str, gt: MaskFile, tr: MaskFile, classes: tuple[str, ...], fmt: str) -> dict:
    """Every requested class of one sequence x tracker, preprocessed as TrackEval's ``MOTSChallenge``
    / ``KittiMOTS``: tracker masks of the class left unmatched by the preprocessing match (IoU >= 0.5,
    Hungarian) and lying more than half inside the frame's ignore region are removed; all ground
    truth of the class is evaluated."""
    from ..preprocess_kitti import check_unique_ids, preprocess_matches
    from ..prepare import build

    pairs = mask_pairs(gt, tr)
    out = {}
    for c in classes:
        cid = CLASS_IDS[fmt][c]
        gt_sel, tr_sel = gt.dets.cls == cid, tr.dets.cls == cid
        _, mt = preprocess_matches(gt.dets, tr.dets, pairs, gt_sel, tr_sel)
        unmatched = tr_sel.copy()
        unmatched[mt] = False
        candidates = np.flatnonzero(unmatched)
        removed = candidates[in_ignore(gt, tr, candidates)]
        keep_tr = tr_sel.copy()
        keep_tr[removed] = False
        seq = build(name, gt.dets, tr.dets, pairs, gt_sel, keep_tr, removed)
        check_unique_ids(seq, gt.dets, tr.dets, c)
        out[c] = seq
    return out


def mask_size(path: str) -> tuple[int | None, int | None]:
    """(height, width) of the masks of an evaluated MOTS file (its first row's columns 4-5; a file
    without rows gives (None, None)): the frame size where no seqinfo.ini gives it."""
    with open(path, encoding="utf-8-sig", errors="replace") as fp:
        for line in fp:
            cells = line.split()
            if len(cells) >= 6:
                return int(cells[3]), int(cells[4])
    return None, None


def load_mots_sequence(fmt: str, seq) -> tuple[MaskFile, dict[str, MaskFile]]:
    """Ground truth and tracker masks of one sequence (``seq``: a ``layout.SequenceFiles``); every
    tracker mask must have the ground truth's image size."""
    if fmt == "mots":
        from .motchallenge import read_seqinfo
        length = read_seqinfo(seq.seqinfo).length
    else:
        length = seq.num_frames
    zero_based = fmt == "kitti_mots"
    gt = read_mots_file(seq.gt, length, is_gt=True, zero_based=zero_based)
    trackers = {t: read_mots_file(p, length, is_gt=False, zero_based=zero_based) for t, p in seq.trackers.items()}
    if gt.rles:
        size = gt.rles[0]["size"]
        for tr in trackers.values():
            if tr.rles and tr.rles[0]["size"] != size:
                h, w = tr.rles[0]["size"]
                raise InputError(tr.dets.source, f"mask size {h} x {w} differs from the ground truth's "
                                 f"({size[0]} x {size[1]}).",
                                 "Write tracker masks at the image size of the ground truth.", line=int(tr.dets.line[0]))
    return gt, trackers
