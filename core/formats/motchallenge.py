"""MOTChallenge text files (MOT15/16/17/20, DanceTrack, SportsMOT) into ``Detections``.

Rows are ``frame, id, x, y, w, h[, conf/flag, class, visibility, ...]``; commas or whitespace,
CRLF, a UTF-8 BOM, float-formatted frames and ids are all accepted. Small files of plain decimals
are parsed here; pyarrow's CSV reader (``arrow_text``) does the bulk work on plain numbers; the C
parser of pandas reads anything else; the slow path only runs to explain a bad file with its line number.
"""
from __future__ import annotations

import configparser
import dataclasses
import io
import os
import re
import sys
from typing import NoReturn

import numpy as np

from ..detections import Detections, SequenceInfo
from ..errors import Flagged, Ignored, InputError
from .arrow_text import arrow_columns

_MIN_COLUMNS = 6
_MAX_ID = 2.0**53  # larger integers are not all exact in float64 (and 2**63 wraps in int64)
_FORMAT_HINT = "each row must be 'frame, id, x, y, w, h[, conf, class, visibility]' (MOTChallenge format)."
MAX_FILE_BYTES = 2 * 1024**3  # read_mot_file refuses larger files before reading a byte
MAX_FRAMES = 10_000_000  # seqLength above this is refused (per-frame arrays would not fit in memory)
MAX_COORD = 1e8  # |x|, |y|, |w|, |h| above this (pixels) are refused: box arithmetic would lose exactness
MAX_IMAGE_SIDE = 100_000  # imWidth / imHeight
MAX_COLUMNS = 10 + 1024  # the 10 MOT columns and up to 1024 class probabilities (docs/classes.md)
MAX_LINE_BYTES = 64 * 1024  # a row of MAX_COLUMNS values is ~20 KB
MAX_CELLS_PER_BYTE = 4  # table cells (8 bytes each) per input byte: a real row of n values takes >= 2n bytes
MAX_IMAGE_PIXELS = 8192 * 8192  # imWidth x imHeight: one RGB frame of this canvas is 192 MiB
# Magic numbers of files people pass by mistake: (prefix, what it is, how to fix).
_MAGIC = ((b"\x1f\x8b", "a binary file (gzip-compressed)", "Decompress it first (gunzip FILE)."),
          (b"PK\x03\x04", "a binary file (a zip archive)", "Extract the text file from the archive first."),
          (b"\xfd7zXZ\x00", "a binary file (xz-compressed)", "Decompress it first (unxz FILE)."),
          (b"\xff\xfe", "UTF-16 text", "Save it as UTF-8 or ASCII text (e.g. iconv -f UTF-16 -t UTF-8)."),
          (b"\xfe\xff", "UTF-16 text", "Save it as UTF-8 or ASCII text (e.g. iconv -f UTF-16 -t UTF-8)."))


def read_seqinfo(path: str) -> SequenceInfo:
    """Parse ``seqinfo.ini``; ``seqLength`` is required, the rest is optional."""
    _refuse_special(path)
    if not os.path.isfile(path):
        raise InputError(path, "seqinfo.ini not found.",
                         "Put a seqinfo.ini with a [Sequence] section and seqLength=<frames> beside gt/.")
    parser = configparser.ConfigParser(interpolation=None)  # a '%' in a value is text, not a reference
    try:
        if os.path.getsize(path) > 1024**2:
            raise ValueError("larger than 1 MiB")
        with open(path, encoding="utf-8-sig") as fp:
            parser.read_file(fp)
        sec = parser["Sequence"]
    except (configparser.Error, KeyError, UnicodeDecodeError, ValueError, OSError) as exc:
        detail = " ".join(str(exc).split())  # configparser's messages span lines; keep ours on one
        raise InputError(path, f"cannot read it as an ini file with a [Sequence] section ({detail}).",
                         "Write it as '[Sequence]' followed by 'seqLength=<frames>' lines.") from None

    def number(key: str, kind=int):
        value = sec.get(key)
        if value is None or value.strip() == "":
            return None
        try:
            parsed = float(value)
        except ValueError:
            parsed = float("nan")
        if not np.isfinite(parsed):
            raise InputError(path, f"{key}={value[:40]!r} is not a number.", f"Set {key} to a number.")
        return kind(parsed)

    length = number("seqLength")
    if length is None or length < 0:
        raise InputError(path, "seqLength is missing or negative.", "Add 'seqLength=<number of frames>'.")
    if length > MAX_FRAMES:
        raise InputError(path, f"seqLength={length} is more than {MAX_FRAMES} frames.",
                         "Set seqLength to the number of frames of the sequence.")
    for key in ("imWidth", "imHeight"):
        side = number(key)
        if side is not None and not 0 < side <= MAX_IMAGE_SIDE:
            raise InputError(path, f"{key}={side} is outside 1..{MAX_IMAGE_SIDE} pixels.",
                             f"Set {key} to the frame size in pixels, or remove the line.")
    width, height = number("imWidth"), number("imHeight")
    if width and height and width * height > MAX_IMAGE_PIXELS:
        raise InputError(path, f"imWidth x imHeight = {width} x {height} is {width * height / 1e6:,.0f} megapixels, "
                         f"above the {MAX_IMAGE_PIXELS / 1e6:,.0f} megapixel limit for a frame.",
                         "Set imWidth and imHeight to the frame size in pixels, or remove the lines.")
    name = sec.get("name") or os.path.basename(os.path.dirname(os.path.abspath(path)))
    return SequenceInfo(
        name=name, length=length, width=number("imWidth"), height=number("imHeight"),
        fps=number("frameRate", float), im_dir=sec.get("imDir"), im_ext=sec.get("imExt"),
    )


def read_seqmap(path: str) -> list[str]:
    """Sequence names of a TrackEval seqmap (first line is the header ``name``)."""
    _refuse_special(path)
    if not os.path.isfile(path):
        raise InputError(path, "seqmap file not found.",
                         "Pass --seqmap with a file listing one sequence per line after a 'name' header, "
                         "or leave it out to evaluate every sequence folder.")
    if os.path.getsize(path) > 16 * 1024**2:
        raise InputError(path, "the seqmap is larger than 16 MiB.", "List one sequence name per line after 'name'.")
    try:
        with open(path, encoding="utf-8-sig") as fp:
            names = [line.split(",")[0].strip() for line in fp]
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(path, f"cannot read the seqmap as UTF-8 text ({exc}).",
                         "Write it as plain text: 'name', then one sequence name per line.") from None
    numbered = [(i, n) for i, n in enumerate(names[1:], start=2) if n]
    if not numbered:
        raise InputError(path, "the seqmap lists no sequence.", "Add one sequence name per line after 'name'.")
    seen: set[str] = set()
    for i, name in numbered:
        if not is_plain_name(name):
            raise InputError(path, f"sequence name {clean_text(name)!r} is not a plain folder name (no '/', '\\', "
                             "'..' or control characters).", "List each sequence by its folder name only.", line=i)
        if name in seen:
            raise InputError(path, f"sequence '{name}' is listed twice (it would count twice in COMBINED).",
                             "List each sequence once.", line=i)
        seen.add(name)
    return [n for _, n in numbered]


def is_plain_name(name: str) -> bool:
    """A name that is one path component inside its folder: what a sequence or tracker name must be
    before it is joined to a folder (a seqmap, a saved run's manifest and an upload are untrusted)."""
    return (bool(name) and len(name) <= 255 and name not in (".", "..") and not any(c in name for c in "/\\\0")
            and name.isprintable() and not re.match(r"[A-Za-z]:", name))


def clean_text(text: str, limit: int = 120) -> str:
    """``text`` for one line of a terminal or page: control characters (newlines, ANSI escapes) as
    ``?``, at most ``limit`` characters."""
    out = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return out + ("..." if len(text) > limit else "")


def _refuse_special(path: str) -> None:
    """A pipe, socket or device in place of a file is said as such (reading it could hang or never end)."""
    if os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path):
        raise InputError(path, "this is not a regular file (a pipe, socket or device).", "Point to the file itself.")


def read_mot_file(path: str, num_frames: int, *, is_gt: bool, max_bytes: int = MAX_FILE_BYTES,
                  ids_optional: bool = False) -> Detections:
    """Read one MOTChallenge text file, validated against the sequence length.

    Raises ``InputError`` naming the line for: too few columns, non-numeric or non-finite values,
    fractional or negative ids, frames outside 1..num_frames, the same id twice in one frame.
    Blank lines are skipped and counted in ``Detections.ignored``. An empty file is a valid,
    empty result. A file above ``max_bytes`` is refused before it is read. ``ids_optional`` (detections
    to be linked by ``--link``): column 2 is not read, each row gets its own placeholder id.
    """
    raw = _read_bytes(path, max_bytes)
    kind = _binary_kind(raw[:4096])
    if kind is not None:
        raise InputError(path, f"this is {kind[0]}, not a MOTChallenge text file.", kind[1])
    if not raw or raw.isspace():  # = not raw.strip(), without copying the whole file
        return Detections.empty(num_frames, source=path)

    key = (raw, num_frames, ids_optional)
    last = _last_gt[0]
    if is_gt and last is not None and last[0] == key:  # compares lengths first: another file costs nothing
        return _own_copy(last[1], path)
    table, blank_lines = _parse_table(path, raw)
    ignored = (Ignored(path, blank_lines, "blank lines"),) if blank_lines else ()
    if table.shape[0] == 0:  # only blank or separator-only lines (',,,')
        empty = Detections.empty(num_frames, source=path)
        return Detections(**{**vars(empty), "ignored": ignored})
    out = _validated(path, table, num_frames, is_gt=is_gt, ignored=ignored, raw=raw, ids_optional=ids_optional)
    if is_gt:
        _last_gt[0] = (key, _own_copy(out, path))
    return out


def read_mot_rows(path: str, *, max_bytes: int = MAX_FILE_BYTES) -> np.ndarray:
    """The file's rows parsed but not validated (NaN-padded floats, the 1-based line last; at least 7
    columns): what ``tracklens check`` inspects (frames outside the sequence, duplicate ids) and what
    an explicit ``--fix`` corrects before ``detections_from_rows`` validates it as usual."""
    raw = _read_bytes(path, max_bytes)
    kind = _binary_kind(raw[:4096])
    if kind is not None:
        raise InputError(path, f"this is {kind[0]}, not a MOTChallenge text file.", kind[1])
    if not raw or raw.isspace():
        return np.zeros((0, _MIN_COLUMNS + 1))
    return _parse_table(path, raw)[0]


# The last ground-truth file read: its (bytes, length, ids_optional) and its Detections. MOT17 ships one
# ground truth three times (one copy per public detector), read in turn with each detector's tracker
# file: each copy after the first is neither parsed nor validated again.
_last_gt: list = [None]


def forget_reads() -> None:
    """Forget the last ground truth read (the next read of the same bytes parses them again)."""
    _last_gt[0] = None


def _own_copy(d: Detections, path: str) -> Detections:
    """``d`` with arrays of its own, read from ``path`` (its source and notes name it)."""
    return Detections(frame=d.frame.copy(), id=d.id.copy(), box=d.box.copy(), conf=d.conf.copy(), cls=d.cls.copy(),
                      vis=d.vis.copy(), line=d.line.copy(), num_frames=d.num_frames, source=path,
                      ignored=tuple(dataclasses.replace(i, path=path) for i in d.ignored))


def _read_bytes(path: str, max_bytes: int) -> bytes:
    """The file's bytes; ``InputError`` for a missing file, a folder, a broken link, too large, unreadable."""
    if os.path.isdir(path):
        raise InputError(path, "this is a folder, not a file.", "Point to the text file itself.")
    if os.path.islink(path) and not os.path.exists(path):
        raise InputError(path, "this is a broken symbolic link (or a link loop).", "Make the link point to the file.")
    _refuse_special(path)
    if not os.path.isfile(path):
        raise InputError(path, "file not found.", "Check the folder layout (see README 'Usage').")
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise InputError(path, f"the file is {size / 1024**2:,.0f} MiB, above the {max_bytes / 1024**2:,.0f} MiB "
                             "limit for one MOTChallenge file.", "Check that this is the right file "
                             "(a result file is a few MiB), or raise the limit (read_mot_file max_bytes).")
        with open(path, "rb") as fp:
            return fp.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc}).",
                         "Check the file's permissions.") from None


def _binary_kind(head: bytes) -> tuple[str, str] | None:
    """(what the file is, how to fix it) when its first bytes are not text, else None."""
    for magic, what, fix in _MAGIC:
        if head.startswith(magic):
            return what, fix
    if b"\x00" not in head:
        return None
    for nul, other in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):  # UTF-16 LE, BE: ASCII has a NUL half
        if nul.count(0) > 0.9 * len(nul) and other.count(0) < 0.1 * len(other):
            return "UTF-16 text", _MAGIC[-1][2]
    return "a binary file", _FORMAT_HINT


_FIRST_ROW = re.compile(rb"[^\s][^\r\n]*")  # from the first non-blank byte to the end of its line


def _separator(raw: bytes) -> str:
    first = _FIRST_ROW.search(raw)
    return "," if first and b"," in first.group() else r"\s+"


def _parse_table(path: str, raw: bytes) -> tuple[np.ndarray, int]:
    """All rows as a float matrix (NaN-padded) with the 1-based file line appended as the last column,
    and the number of blank lines dropped."""
    sep = _separator(raw)
    _check_shape(path, raw, sep)
    columns = _plain_columns(raw, sep) if _plain_pays(raw) else None
    if columns is None:
        columns = arrow_columns(raw, comma=sep == ",")
    if columns is None:
        columns = _pandas_columns(path, raw, sep)
    # Trailing separators leave an all-empty last column: drop it as TrackEval does.
    while len(columns) > _MIN_COLUMNS and np.isnan(columns[-1]).all():
        columns.pop()
    blank = np.isnan(columns[0])
    for col in columns[1:]:
        blank &= np.isnan(col)
    line_no = np.arange(1, blank.size + 1, dtype=np.float64)
    keep = ~blank if blank.any() else slice(None)
    table = np.empty((len(columns) + 1, int(blank.size - blank.sum())))
    for j, col in enumerate([*columns, line_no]):
        table[j] = col[keep]
    return table.T, int(blank.sum())


_PLAIN_BYTES = {",": b"0123456789.-,\r\n", r"\s+": b"0123456789.- \t\r\n"}  # all a plain file may hold
PLAIN_BUDGET = 512 * 1024  # bytes parsed here per process before pyarrow's CSV import pays for itself
_plain_left = [PLAIN_BUDGET]


def _plain_pays(raw: bytes) -> bool:
    """Parse here rather than import pyarrow's CSV reader: while neither it nor pandas is loaded and
    this process has parsed less than ``PLAIN_BUDGET`` bytes here (they are faster per byte once imported)."""
    if len(raw) > _plain_left[0] or "pyarrow.csv" in sys.modules or "pandas" in sys.modules:
        return False
    _plain_left[0] -= len(raw)
    return True


def _plain_columns(raw: bytes, sep: str) -> list[np.ndarray] | None:
    """The columns of a file of plain decimals in rows of one width, parsed without pandas (whose
    import costs more than evaluating a small sequence); None for anything else (blank lines, spaces
    after commas, exponents, 'nan', long numbers...), which the C parser reads. Numbers of at most
    15 digits are read exactly (correctly rounded) by both ``float`` and the C parser, so both give
    the same bits; an empty cell is NaN in both."""
    if raw.translate(None, _PLAIN_BYTES[sep]):
        return None
    rows = raw.splitlines()
    if sep == ",":
        cells = [line.split(b",") for line in rows]
    elif any(not line or line[:1] in b" \t" or line[-1:] in b" \t" for line in rows):
        return None  # blank lines and edge whitespace: the C parser's rules
    else:
        cells = [line.split() for line in rows]
    width = len(cells[0])
    flat = [c for row in cells if len(row) == width for c in row]
    if len(flat) != width * len(cells) or max(map(len, flat)) > 15 or (sep == "," and b"" in rows):
        return None
    nan = float("nan")
    try:
        values = np.fromiter(map(float, flat) if b"" not in flat else (float(c) if c else nan for c in flat),
                             np.float64, len(flat))
    except ValueError:  # '-', '.', '1-2': not a number; the C parser explains
        return None
    table = values.reshape(len(cells), width)
    return [np.ascontiguousarray(table[:, j]) for j in range(width)]


def _pandas_columns(path: str, raw: bytes, sep: str) -> list[np.ndarray]:
    """Every column of the file as parsed by pandas' C parser (NaN-padded to the widest row)."""
    import pandas as pd  # loaded only for files the plain reader and pyarrow leave to it

    options = dict(sep=sep, header=None, engine="c", skip_blank_lines=False, dtype=np.float64,
                   skipinitialspace=True, encoding="utf-8-sig")
    try:
        try:
            frame = pd.read_csv(io.BytesIO(raw), **options)
        except (pd.errors.ParserError, pd.errors.EmptyDataError):
            # A later row is longer than the first (or the first line is blank): size the table by
            # the longest row.
            lines = _lines(raw)
            widths = [len(_cells(line, sep)) for line in lines]
            widest = max(widths)
            if widest > MAX_COLUMNS or widest * len(lines) > max(1_000_000, MAX_CELLS_PER_BYTE * len(raw)):
                at = widths.index(widest) + 1
                raise InputError(path, f"this line has {widest:,} values while the file's {len(lines):,} lines would "
                                 f"make a table of {widest * len(lines):,} cells (too much memory for this file).",
                                 "Rows have 6 to 10 values (plus one per class probability): check this line.", line=at)
            frame = pd.read_csv(io.BytesIO(raw), names=range(widest), **options)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError):
        _explain_unparsable(path, _lines(raw), sep)
    # Column by column from the parsed columns: the table is written once, column-major (the
    # reader's whole-table copies dominated the time of long sequences).
    return [frame.iloc[:, j].to_numpy(dtype=np.float64, copy=False) for j in range(frame.shape[1])]


_LONG_LINE = re.compile(rb"^[^\r\n]{%d}" % (MAX_LINE_BYTES + 1), re.M)  # anchored: linear in the file


def _may_have_long_line(raw: bytes) -> bool:
    """False when every run of bytes without a newline is at most ``MAX_LINE_BYTES`` long (then no line
    is longer); True when one may be (the regex then finds it). A hop per ``MAX_LINE_BYTES`` to the last
    newline in reach: a few hundred searches for a MOT17 file, where the regex alone walks every line in
    Python's engine (a third of a second on MOT17)."""
    at, end = 0, len(raw)
    while end - at > MAX_LINE_BYTES:
        last = raw.rfind(b"\n", at, at + MAX_LINE_BYTES + 1)
        if last < 0:
            return True
        at = last + 1
    return False


def _check_shape(path: str, raw: bytes, sep: str) -> None:
    """Before pandas sizes a table: no line above ``MAX_LINE_BYTES``, no first row above
    ``MAX_COLUMNS`` values (a 2 MB line of commas would otherwise become a million columns)."""
    long = _LONG_LINE.search(raw) if _may_have_long_line(raw) else None
    if long:
        raise InputError(path, f"this line is longer than {MAX_LINE_BYTES // 1024} KiB (a MOTChallenge row is under "
                         "100 bytes; a binary file, or rows without line breaks?).", _FORMAT_HINT,
                         line=raw.count(b"\n", 0, long.start()) + 1)
    first = _FIRST_ROW.search(raw)
    if first:
        values = len(first.group().split(b",")) if sep == "," else len(first.group().split())
        if values > MAX_COLUMNS:
            raise InputError(path, f"the first row has {values:,} values, more than {MAX_COLUMNS:,}.", _FORMAT_HINT,
                             line=raw.count(b"\n", 0, first.start()) + 1)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    r"""Lines as the C parser (and Python's universal newlines) count them: only ``\n``, ``\r\n`` and ``\r``
    end a line. ``str.splitlines`` also breaks at ``\v``, ``\f``, ``\x1c``-``\x1e``, ``\x85``, ``\u2028``
    and ``\u2029``, which would shift the line numbers of every error after such a byte."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _lines(raw: bytes) -> list[str]:
    return split_lines(raw.decode("utf-8-sig", errors="replace"))


def _cells(line: str, sep: str) -> list[str]:
    return [c.strip() for c in line.split(",")] if sep == "," else line.split()


def _is_number(cell: str) -> bool:
    """What the C parser reads as a number: float() syntax, ASCII only, no '_' digit separators."""
    try:
        return cell.isascii() and "_" not in cell and float(cell) is not None
    except ValueError:
        return False


def _explain_unparsable(path: str, lines: list[str], sep: str) -> NoReturn:
    names = {",": "commas", r"\s+": "spaces or tabs", ";": "semicolons"}
    first_row = next((i for i, line in enumerate(lines, start=1) if line.strip()), 1)
    for i, line in enumerate(lines, start=1):
        for cell in _cells(line.strip(), sep):
            if cell == "" or _is_number(cell):
                continue
            for other in (o for o in names if o != sep):
                parts = [c for c in (cell.split(";") if other == ";" else _cells(cell, other)) if c]
                if len(parts) > 1 and all(_is_number(c) for c in parts):
                    first = "" if other == ";" else f" but the first line uses {names[sep]}"
                    raise InputError(path, f"this line separates values with {names[other]}{first}.",
                                     "Separate the values with commas (or spaces/tabs) in the whole file.", line=i)
            fix = _FORMAT_HINT
            if i == first_row and cell[:1].isalpha():
                fix = "This looks like a header line: delete it (MOTChallenge files start with the first box row)."
            raise InputError(path, f"value {cell[:40]!r} is not a number.", fix, line=i)
    raise InputError(path, "the file could not be parsed as a table.", _FORMAT_HINT)


def detections_from_rows(table: np.ndarray, num_frames: int, *, is_gt: bool, source: str) -> Detections:
    """Rows already parsed (``frame, id, x, y, w, h[, conf, class, visibility]`` as floats, NaN where
    absent, then the 1-based row number) into ``Detections``, validated exactly as a file's rows;
    errors name ``source`` and the row (as the line)."""
    table = np.asarray(table, np.float64)
    if table.shape[0] == 0:
        return Detections.empty(num_frames, source=source)
    return _validated(source, table, num_frames, is_gt=is_gt, ignored=(), raw=None)


def _validated(path: str, table: np.ndarray, num_frames: int, *, is_gt: bool,
               ignored: tuple[Ignored, ...], raw: bytes | None = b"", ids_optional: bool = False) -> Detections:
    line = table[:, -1].astype(np.int64)
    data = table[:, :-1]
    if data.shape[1] < _MIN_COLUMNS:
        raise InputError(path, f"rows have {data.shape[1]} columns, at least {_MIN_COLUMNS} are needed.",
                         _FORMAT_HINT, line=int(line[0]))
    core = data[:, :_MIN_COLUMNS]
    bad = ~np.isfinite(core).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        what = "has a NaN or infinite value in its first 6 columns"
        if np.isnan(core[i]).any() and raw is not None:
            # NaN is what pandas leaves for a missing cell and for a literal 'nan': tell them apart.
            text = _lines(raw)[int(line[i]) - 1] if raw else ""
            cells = _cells(text.strip(), _separator(raw)) if raw else []
            if not raw or len(cells) < _MIN_COLUMNS:
                what = "has fewer than 6 values"
            elif any(c == "" for c in cells[:_MIN_COLUMNS]):
                what = "has an empty value in its first 6 columns"
        raise InputError(path, f"row {what} (counted {int(bad.sum())} such row(s)).", _FORMAT_HINT,
                         line=int(line[i]))
    huge = np.abs(core[:, 2:]) > MAX_COORD
    if huge.any():
        i, j = divmod(int(np.argmax(huge)), 4)
        raise InputError(path, f"{'xywh'[j]} = {core[i, 2 + j]:g} is beyond ±{MAX_COORD:g} pixels "
                         f"({int(huge.any(axis=1).sum())} such row(s)).",
                         "Boxes are 'x, y, w, h' in pixels: check the column order and the units.", line=int(line[i]))
    if data.shape[1] > 7:  # column 8 becomes an int64 class id: inf or beyond ±2**31 would cast to garbage
        odd = np.isinf(data[:, 7]) | (np.abs(data[:, 7]) >= 2**31)
        if odd.any():
            i = int(np.argmax(odd))
            raise InputError(path, f"column 8 (class) is {data[i, 7]:g}, not a usable class id.",
                             "Write class ids as integers (-1 when there is none).", line=int(line[i]))
    flipped = (core[:, 4] < 0) | (core[:, 5] < 0)
    if flipped.any():
        ignored = (*ignored, Flagged(path, int(flipped.sum()), f"negative width or height (first on line "
                                     f"{int(line[int(np.argmax(flipped))])}); such a box overlaps nothing (IoU 0), "
                                     "as in TrackEval. Check that columns 5-6 are width and height."))
    frames, ids = core[:, 0], core[:, 1]
    if ids_optional:  # replaced by the linker's ids
        ids = np.arange(ids.size, dtype=np.float64)
    for name, col in (("frame", frames), ("id", ids)):
        frac = col != np.floor(col)
        if frac.any():
            i = int(np.argmax(frac))
            raise InputError(path, f"{name} {float(col[i])!r} is not a whole number.", f"Write {name}s as integers.",
                             line=int(line[i]))
    too_big = ids >= _MAX_ID  # 2**53 + 1 reads as 2**53: from 2**53 on, two ids can merge silently
    if too_big.any():
        i = int(np.argmax(too_big))
        raise InputError(path, f"id {ids[i]:.0f} is too large (ids of 2**53 or more are not exact in floating point "
                         "and would merge or wrap around).", "Renumber the ids with smaller integers.", line=int(line[i]))
    if not is_gt and (ids == -1).all():
        raise InputError(path, "every id is -1: these are detections without identities, and HOTA, CLEAR and "
                         "Identity (CA-HOTA too) score tracks, so they need track ids.",
                         "Pass --link iou to link them frame to frame (scored and labelled as 'ids linked by "
                         "tracklens'; docs/formats.md), or write the tracker's own ids.", line=int(line[0]))
    if (ids < 0).any():
        i = int(np.argmax(ids < 0))
        raise InputError(path, f"negative id {int(ids[i])} (ids must be >= 0; TrackEval would silently merge it "
                         "with another id).", "Renumber the ids so that all are non-negative.", line=int(line[i]))
    outside = (frames < 1) | (frames > num_frames)
    if outside.any():
        i = int(np.argmax(outside))
        raise InputError(path, f"frame {int(frames[i])} is outside 1..{num_frames} (seqLength in seqinfo.ini); "
                         f"{int(outside.sum())} row(s) are outside.",
                         "Frames are 1-based; fix the frame numbers or the seqLength.", line=int(line[i]))

    # Files are nearly always frame-sorted already: then no reordered copy of the table.
    order = slice(None) if np.all(frames[1:] >= frames[:-1]) else np.argsort(frames, kind="stable")
    frame_i = frames[order].astype(np.int64)
    id_i = ids[order].astype(np.int64)
    # Rows in (frame, id) order already (most files): no id twice in a frame, without a sort.
    ascending = (frame_i[1:] > frame_i[:-1]) | ((frame_i[1:] == frame_i[:-1]) & (id_i[1:] > id_i[:-1]))
    dup = np.zeros(0, np.int64)
    if not ascending.all():
        by_id = np.lexsort((id_i, frame_i))  # frame, then id (no key arithmetic: it could overflow)
        same = (frame_i[by_id][1:] == frame_i[by_id][:-1]) & (id_i[by_id][1:] == id_i[by_id][:-1])
        dup = np.flatnonzero(same)
    if dup.size:
        first = by_id[dup[0]]
        hit = (frame_i == frame_i[first]) & (id_i == id_i[first])
        rows = line[order][hit]
        who = "ground truth" if is_gt else "tracker"
        raise InputError(
            path, f"{who} id {int(id_i[first])} appears {rows.size} times in frame {int(frame_i[first])} "
            f"(lines {', '.join(str(int(r)) for r in rows[:5])}); {dup.size} duplicate(s) in all.",
            "Each id may appear at most once per frame: drop or renumber the duplicates.", line=int(rows[1]))

    data = data[order]
    n = data.shape[0]
    ncol = data.shape[1]
    conf = data[:, 6] if ncol > 6 else np.ones(n)
    default_cls = -1 if is_gt else 1
    cls_col = data[:, 7] if ncol > 7 else np.full(n, float(default_cls))
    cls_col = np.where(np.isnan(cls_col), default_cls, cls_col)
    no_conf = np.isnan(conf)
    if ncol > 6 and no_conf.any():
        ignored = (*ignored, Flagged(path, int(no_conf.sum()), f"column 7 (confidence) is empty or NaN (first on line "
                                     f"{int(line[order][int(np.argmax(no_conf))])}); read as 1, as when the column is "
                                     "absent (HOTA, CLEAR and Identity do not use it)."))
    conf = np.where(no_conf, 1.0, conf)
    vis = data[:, 8] if ncol > 8 else np.full(n, np.nan)
    return Detections(
        frame=frame_i, id=id_i, box=np.ascontiguousarray(data[:, 2:6]), conf=conf,
        cls=cls_col.astype(np.int64), vis=vis, line=line[order], num_frames=num_frames,
        source=path, ignored=ignored,
    )
