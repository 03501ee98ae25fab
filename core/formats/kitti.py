"""KITTI tracking label files (``label_02/<seq>.txt``) into ``Detections``, plus what KITTI adds.

One row per box, whitespace separated (commas are accepted too)::

    frame id type truncated occluded alpha left top right bottom h w l x y z rotation_y [score]

``frame`` is 0-based (``Detections.frame`` is 1-based: frame + 1); ``type`` is a class name
(case-insensitive) mapped to TrackEval's ids (``CLASS_IDS``); the box is given by its corners.
Ground-truth ``DontCare`` rows are not boxes but ignore regions (``BoxFile.regions``). Trackers put
their confidence in column 18 (``score``; 1 when absent).

Loading follows TrackEval's ``Kitti2DBox._load_raw_file``: rows with a negative id are dropped (and
counted in ``Detections.ignored``); ``DontCare`` rows are read as regions whatever their id; the
box corners are kept exactly as written (``BoxFile.corners``), because TrackEval computes IoU from
them (``x0y0x1y1``) and ``x0 + (x1 - x0)`` is not always ``x1`` in floating point.

``BoxFile`` is the reader output shared by the corner-box formats (KITTI, BDD100K): the canonical
``Detections`` plus the exact corners, per-row extras (``truncated``/``occluded`` here) and the
ground truth's ignore regions.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field, replace

import numpy as np

from ..detections import Detections, frame_offsets
from ..errors import Ignored, InputError
from .motchallenge import MAX_COORD, MAX_FILE_BYTES, MAX_FRAMES, _read_bytes, split_lines

# TrackEval's Kitti2DBox.class_name_to_class_id ('person' is KITTI's "person sitting").
CLASS_IDS = {"car": 1, "van": 2, "truck": 3, "pedestrian": 4, "person": 5, "cyclist": 6, "tram": 7, "misc": 8,
             "dontcare": 9, "car_2": 1}
CLASS_NAMES = {1: "car", 2: "van", 3: "truck", 4: "pedestrian", 5: "person", 6: "cyclist", 7: "tram", 8: "misc",
               9: "dontcare"}
DONTCARE = 9
_MIN_COLUMNS = 10
_SCORE_COLUMN = 17
_MAX_ID = 2.0**53
_MAX_COLUMNS = 64
_FORMAT_HINT = ("each row must be 'frame id type truncated occluded alpha left top right bottom h w l x y z "
                "rotation_y [score]' (KITTI tracking format, frames 0-based).")


@dataclass(frozen=True)
class IgnoreRegions:
    """Boxes (corners ``x0 y0 x1 y1``) inside which unmatched tracker boxes are dropped, by frame."""

    frame: np.ndarray  # 1-based, sorted
    corners: np.ndarray  # M x 4
    line: np.ndarray  # where each came from (file line, or label number for JSON)
    num_frames: int

    @property
    def offsets(self) -> np.ndarray:
        return frame_offsets(self.frame, self.num_frames)

    @classmethod
    def empty(cls, num_frames: int) -> "IgnoreRegions":
        return cls(np.zeros(0, np.int64), np.zeros((0, 4)), np.zeros(0, np.int64), num_frames)


@dataclass(frozen=True)
class BoxFile:
    """One side of one sequence in a corner-box format.

    ``dets`` is the canonical table (``box`` as x y w h); ``corners`` holds the same boxes as
    written (``x0 y0 x1 y1``, row-aligned with ``dets``), from which IoU, IoA and heights are
    computed exactly as TrackEval does. ``extras`` holds per-row columns a format adds (KITTI:
    ``truncated``, ``occluded``, ``alpha``, as floats exactly as written); ``regions`` the ground
    truth's ignore regions (KITTI ``DontCare``; BDD100K crowd and distractor-class boxes).
    """

    dets: Detections
    corners: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    regions: IgnoreRegions | None = None

    def with_num_frames(self, num_frames: int) -> "BoxFile":
        regions = None if self.regions is None else replace(self.regions, num_frames=num_frames)
        return replace(self, dets=replace(self.dets, num_frames=num_frames), regions=regions)


def read_seqmap(path: str) -> dict[str, int]:
    """KITTI's ``evaluate_tracking.seqmap.<split>``: ``<seq> empty <first> <num_frames>`` per line.

    As TrackEval, the 4th value is the number of frames (frames ``0..num_frames-1``) and lines
    with fewer than 4 values are skipped.
    """
    if not os.path.isfile(path):
        raise InputError(path, "KITTI seqmap not found.",
                         "Write one line '<seq> empty 000000 <number of frames>' per sequence (the devkit's "
                         "evaluate_tracking.seqmap.<split>), pass it with --seqmap, or leave it out to evaluate "
                         "every label_02/<seq>.txt with lengths taken from the files.")
    out: dict[str, int] = {}
    try:
        with open(path, encoding="utf-8-sig") as fp:
            text = fp.read()
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(path, f"cannot read the seqmap as UTF-8 text ({exc}).", "Write it as plain text: one line "
                         "'<seq> empty 000000 <number of frames>' per sequence.") from None
    for i, line in enumerate(split_lines(text), start=1):
        cells = line.replace(",", " ").split()
        if len(cells) < 4:
            continue
        try:
            length = int(cells[3])
        except ValueError:
            raise InputError(path, f"number of frames {cells[3][:40]!r} is not an integer.",
                             "Each line is '<seq> empty <first frame> <number of frames>'.", line=i) from None
        if length < 0:
            raise InputError(path, f"negative number of frames {length}.", "Fix the 4th value.", line=i)
        if length > MAX_FRAMES:
            raise InputError(path, f"number of frames {length} is more than {MAX_FRAMES}.",
                             "Set the 4th value to the number of frames of the sequence.", line=i)
        out[cells[0]] = length
    if not out:
        raise InputError(path, "the seqmap lists no sequence.", "Add lines '<seq> empty 000000 <number of frames>'.")
    return out


def read_kitti_file(path: str, num_frames: int | None, *, is_gt: bool) -> BoxFile:
    """Read one KITTI tracking label file.

    ``num_frames`` is the sequence length (frames ``0..num_frames-1``); ``None`` takes it from the
    file (last frame + 1). Raises ``InputError`` naming the line for: fewer than 10 values, a
    non-numeric or non-finite value in columns 1-2 or 4-10, an unknown type, a fractional frame or
    id, an id above 2**53, a box corner beyond ±1e8 pixels, a frame outside the sequence (or, when the
    length comes from the file, beyond ``MAX_FRAMES``). Blank lines, rows with a negative id and
    ground-truth ``DontCare`` rows outside the sequence are skipped and counted in
    ``dets.ignored`` (TrackEval drops the latter two silently). An empty file is a valid result.
    """
    if not os.path.exists(path):
        raise InputError(path, "file not found.", "Check the folder layout (see docs/formats.md).")
    raw = _read_bytes(path, MAX_FILE_BYTES)  # a folder, a FIFO or a file above the limit: refused before reading
    if b"\x00" in raw[:4096]:
        raise InputError(path, "this is a binary file, not a KITTI label file.", _FORMAT_HINT)
    text = raw.decode("utf-8-sig", errors="replace")
    rows, lines, blank = _split_rows(path, text)
    numbers, cls, line, frames_f, ids_f = _parse_rows(path, rows, lines, is_gt=is_gt)

    ignored: list[Ignored] = []
    if blank:
        ignored.append(Ignored(path, blank, "blank lines"))
    region = (cls == DONTCARE) if is_gt else np.zeros(cls.size, bool)
    if num_frames is None:
        far = frames_f >= MAX_FRAMES  # the length comes from the files: per-frame arrays must fit in memory
        if far.any():
            i = int(np.argmax(far))
            raise InputError(path, f"frame {frames_f[i]:g} is beyond the {MAX_FRAMES} frames a sequence may have.",
                             "Column 1 is the 0-based frame number: check the column order (or give the sequence "
                             "lengths in a seqmap).", line=int(line[i]))
        num_frames = int(frames_f.max()) + 1 if frames_f.size else 0
    outside = (frames_f < 0) | (frames_f >= num_frames)
    bad = outside & ~region
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(path, f"frame {int(frames_f[i])} is outside 0..{num_frames - 1} (KITTI frames are 0-based; "
                         f"the seqmap gives {num_frames} frames); {int(bad.sum())} row(s) are outside.",
                         "Fix the frame numbers or the number of frames in the seqmap.", line=int(line[i]))
    if (region & outside).any():
        ignored.append(Ignored(path, int((region & outside).sum()),
                               f"DontCare rows outside frames 0..{num_frames - 1} (TrackEval never reads them)"))
    negative = (ids_f < 0) & ~region
    if negative.any():
        ignored.append(Ignored(path, int(negative.sum()), "negative track id (TrackEval drops these rows)"))

    frame1 = frames_f.astype(np.int64) + 1
    reg = region & ~outside
    keep = ~region & ~negative
    order = np.flatnonzero(keep)[np.argsort(frame1[keep], kind="stable")]
    reg_order = np.flatnonzero(reg)[np.argsort(frame1[reg], kind="stable")]
    corners = np.ascontiguousarray(numbers[order][:, 6:10])
    n = order.size
    ncol = numbers.shape[1]
    conf = np.ones(n)
    if not is_gt and ncol > _SCORE_COLUMN:
        conf = np.where(np.isnan(numbers[order, _SCORE_COLUMN]), 1.0, numbers[order, _SCORE_COLUMN])
    box = np.column_stack([corners[:, 0], corners[:, 1], corners[:, 2] - corners[:, 0], corners[:, 3] - corners[:, 1]])
    dets = Detections(
        frame=frame1[order], id=ids_f[order].astype(np.int64), box=box.reshape(-1, 4), conf=conf,
        cls=cls[order], vis=np.full(n, np.nan), line=line[order], num_frames=num_frames, source=path,
        ignored=tuple(ignored),
    )
    extras = {"truncated": numbers[order, 3], "occluded": numbers[order, 4], "alpha": numbers[order, 5]}
    regions = IgnoreRegions(frame1[reg_order], np.ascontiguousarray(numbers[reg_order][:, 6:10]).reshape(-1, 4),
                            line[reg_order], num_frames) if is_gt else None
    return BoxFile(dets, corners.reshape(-1, 4), extras, regions)


def _split_rows(path: str, text: str) -> tuple[list[list[str]], list[int], int]:
    """Cells of every non-blank line (whitespace or comma separated) with their 1-based line numbers."""
    rows, lines, blank = [], [], 0
    comma = None
    for i, line in enumerate(split_lines(text), start=1):  # not str.splitlines: '\v', '\x1c'... end no line
        stripped = line.strip()
        if not stripped:
            blank += 1
            continue
        if comma is None:
            comma = "," in stripped
        if comma:
            try:
                cells = [c.strip() for c in next(csv.reader([stripped]))]
            except csv.Error as exc:  # a field above csv's size limit (128 KiB)
                raise InputError(path, f"cannot split this line into values ({exc}).", _FORMAT_HINT, line=i) from None
            if cells and cells[-1] == "":
                cells = cells[:-1]
        else:
            cells = stripped.split()
        rows.append(cells)
        lines.append(i)
    return rows, lines, blank


def _parse_rows(path: str, rows: list[list[str]], lines: list[int], *, is_gt: bool):
    """Numeric matrix (NaN for the type column and missing cells), class ids, lines, frames and ids."""
    n = len(rows)
    width = max((len(r) for r in rows), default=_MIN_COLUMNS)
    if width > _MAX_COLUMNS:  # the table is rows x widest row: one long row must not size it
        k = next(k for k, r in enumerate(rows) if len(r) == width)
        raise InputError(path, f"row has {width:,} values, more than {_MAX_COLUMNS} (KITTI rows have 17 or 18).",
                         _FORMAT_HINT, line=lines[k])
    numbers = np.full((n, max(width, _MIN_COLUMNS)), np.nan)
    cls = np.zeros(n, np.int64)
    for k, (cells, ln) in enumerate(zip(rows, lines)):
        if len(cells) < _MIN_COLUMNS:
            raise InputError(path, f"row has {len(cells)} values, at least {_MIN_COLUMNS} are needed.", _FORMAT_HINT,
                             line=ln)
        name = cells[2].lower()
        if name not in CLASS_IDS:
            raise InputError(path, f"type {cells[2][:40]!r} is not a KITTI class ({', '.join(CLASS_IDS)}).",
                             "Use one of the KITTI types (case does not matter).", line=ln)
        cls[k] = CLASS_IDS[name]
        for j, cell in enumerate(cells):
            if j == 2:
                continue
            try:
                if not cell.isascii():  # float() takes Arabic-Indic and other Unicode digits; MOT files do not
                    raise ValueError(cell)
                numbers[k, j] = float(cell)
            except ValueError:
                if j < _MIN_COLUMNS or (j == _SCORE_COLUMN and not is_gt):
                    raise InputError(path, f"value {cell[:40]!r} (column {j + 1}) is not a number.", _FORMAT_HINT,
                                     line=ln) from None
    line = np.asarray(lines, np.int64)
    needed = [0, 1, 3, 4, 5, 6, 7, 8, 9]
    finite = np.isfinite(numbers[:, needed]).all(axis=1) if n else np.zeros(0, bool)
    if n and not finite.all():
        i = int(np.argmin(finite))
        raise InputError(path, "row has a NaN or infinite value in columns 1-2 or 4-10.", _FORMAT_HINT,
                         line=int(line[i]))
    frames_f, ids_f = numbers[:, 0], numbers[:, 1]
    for label, col in (("frame", frames_f), ("id", ids_f)):
        frac = col != np.floor(col)
        if frac.any():
            i = int(np.argmax(frac))
            raise InputError(path, f"{label} {float(col[i])!r} is not a whole number.", f"Write {label}s as integers.",
                             line=int(line[i]))
    big = np.abs(ids_f) > _MAX_ID
    if big.any():
        i = int(np.argmax(big))
        raise InputError(path, f"id {ids_f[i]:.0f} is too large (ids above 2**53 are not exact in floating point).",
                         "Renumber the ids with smaller integers.", line=int(line[i]))
    huge = np.abs(numbers[:, 6:10]) > MAX_COORD
    if huge.any():
        i, j = divmod(int(np.argmax(huge)), 4)
        raise InputError(path, f"{('left', 'top', 'right', 'bottom')[j]} = {numbers[i, 6 + j]:g} is beyond "
                         f"±{MAX_COORD:g} pixels ({int(huge.any(axis=1).sum())} such row(s)).",
                         "Columns 7-10 are the box corners 'left top right bottom' in pixels: check the column order "
                         "and the units.", line=int(line[i]))
    return numbers, cls, line, frames_f, ids_f
