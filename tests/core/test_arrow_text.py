"""The bulk parse by pyarrow's CSV reader (core/formats/arrow_text.py).

Whatever the bytes, reading a file with it enabled gives the same ``Detections`` or the same
``InputError`` (file, line, reason, fix) as the careful reader alone; every table it accepts is
bit-identical to TrackEval's own parse (Python's ``float`` on each cell); it declines what it cannot
read exactly (blank lines, ragged rows, spaces after commas, 'nan', headers...); and reading a
MOT17-sized file loads neither pandas nor the careful reader's parser.
"""
from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklens.errors import InputError
from tracklens.formats import motchallenge as mc
from tracklens.formats.arrow_text import arrow_columns

NUM_FRAMES = 30
EXAMPLES = settings(max_examples=300, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def float_columns(raw: bytes, delimiter: str) -> list[np.ndarray]:
    """TrackEval's parse of a rectangular file: each cell through Python's ``float`` (empty = NaN)."""
    text = raw.decode("utf-8-sig")
    rows = [line.split(delimiter) for line in mc.split_lines(text)]
    table = np.array([[float(c) if c else math.nan for c in row] for row in rows], np.float64)
    return [np.ascontiguousarray(table[:, j]) for j in range(table.shape[1])]


def same_bits(got: list[np.ndarray], want: list[np.ndarray]) -> bool:
    return len(got) == len(want) and all(a.tobytes() == b.tobytes() for a, b in zip(got, want))


# Cells in the forms trackers write, long float32-to-text decimals (17 digits) and exponents included.
NUMBER = st.one_of(st.integers(-3, NUM_FRAMES + 3).map(str),
                   st.floats(-5e3, 5e3, allow_nan=False).map(repr),
                   st.floats(-5e3, 5e3, allow_nan=False, width=32).map(lambda v: repr(float(v))),
                   st.floats(1e-9, 1.0).map(lambda v: f"{v:.6e}"),
                   st.sampled_from(["1.", ".5", "-0", "+1", "1E3", "-1", "1e400", "1e-400", "9" * 25]))
ODD = st.sampled_from(["", " 1", "1 ", "nan", "inf", "x", '"1"', "-", "1e", "\xe9", "1-2", "\t"])


@st.composite
def mot_text(draw) -> bytes:
    """Rows of 6 to 10 cells: half the files clean (what this parse is for), the others with the odd
    blank line, ragged row or hostile cell; line endings, BOMs and separators mixed in."""
    clean = draw(st.booleans())
    width = draw(st.integers(6, 10))
    sep = draw(st.sampled_from([",", ",", ",", " ", "\t", ", "]))
    eol = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    trailing = "," if sep == "," and draw(st.integers(0, 4)) == 0 else ""  # an empty last column
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        if not clean and draw(st.integers(0, 8)) == 0:
            lines.append("")
            continue
        n = width if clean or draw(st.integers(0, 8)) else draw(st.integers(1, 12))
        cells = [str(draw(st.integers(1, NUM_FRAMES))), str(draw(st.integers(0, 6)))] + \
            [draw(ODD if not clean and draw(st.integers(0, 8)) == 0 else NUMBER) for _ in range(n - 2)]
        lines.append(sep.join(cells[:n]) + trailing)
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    return draw(st.sampled_from([b"", b"", b"", b"\xef\xbb\xbf"])) + text.encode()


def read_or_error(path: str, is_gt: bool):
    try:
        d = mc.read_mot_file(path, NUM_FRAMES, is_gt=is_gt)
    except InputError as exc:
        return ("error", exc.path, exc.reason, exc.fix, exc.line)
    cols = (d.frame, d.id, d.box, d.conf, d.cls, d.vis, d.line)
    return ("ok", [c.tobytes() for c in cols], [str(i) for i in d.ignored])


@EXAMPLES
@given(raw=mot_text(), is_gt=st.booleans())
def test_same_detections_or_same_error_as_the_careful_reader(tmp_path: Path, monkeypatch, raw: bytes,
                                                             is_gt: bool) -> None:
    path = tmp_path / "seq.txt"
    path.write_bytes(raw)
    monkeypatch.setattr(mc, "_plain_pays", lambda raw: False)
    mc.forget_reads()
    fast = read_or_error(str(path), is_gt)
    mc.forget_reads()
    monkeypatch.setattr(mc, "arrow_columns", lambda raw, comma: None)
    careful = read_or_error(str(path), is_gt)
    mc.forget_reads()
    if fast[0] == "ok" and careful[0] == "ok" and fast != careful:
        # Bits may differ only where pandas' parser does not round correctly: then TrackEval's
        # float() decides, and the fast table must be the one that agrees with it.
        sep = mc._separator(raw)
        columns = arrow_columns(raw, comma=sep == ",")
        assert columns is not None and same_bits(columns, float_columns(raw, "," if sep == "," else raw_ws(raw)))
        assert fast[2] == careful[2]
    else:
        assert fast == careful


def raw_ws(raw: bytes) -> str:
    return "\t" if b"\t" in raw else " "


@EXAMPLES
@given(raw=mot_text())
def test_every_accepted_table_is_trackevals_parse(raw: bytes) -> None:
    sep = mc._separator(raw)
    columns = arrow_columns(raw, comma=sep == ",")
    if columns is not None:
        assert same_bits(columns, float_columns(raw, "," if sep == "," else raw_ws(raw))), raw[:300]


ROW = "1,0.0,447.4205017089844,440.7640686035156,104.33230590820312,282.5323181152344,1,-1,-1,-1"


@pytest.mark.parametrize("raw", [
    (ROW + "\n") * 3,                                   # MPNTrack's output: 17-digit decimals
    "1,1,912,484,97,109,0,7,1\r\n2,1,912,484,97,109,0,7,1.2e-05\r\n",  # ground truth, CRLF, an exponent
    "1,1,2,3,4,5\r2,1,2,3,4,5",                         # old Mac line breaks, no final break
    "\ufeff1,1,2,3,4,5\n",                              # a BOM
    "1,1,2,3,4,5,\n2,1,2,3,4,5,\n",                     # trailing commas (an empty last column)
    "1,1,2,3,4,5,,7\n",                                 # an empty cell
    ",,,,,,\n1,1,2,3,4,5,6\n",                          # a separator-only row (counted as blank later)
    "1 1 2 3 4 5\n2 1 2 3 4 5\n",                       # one space between cells
    "1\t1\t2\t3\t4\t5\n",                               # one tab between cells
    "1,1,+2,-0,.5,5.\n",                                # signs, bare points
])
def test_plain_numbers_are_parsed_here(raw: str) -> None:
    data = raw.encode()
    sep = mc._separator(data)
    columns = arrow_columns(data, comma=sep == ",")
    assert columns is not None
    assert same_bits(columns, float_columns(data, "," if sep == "," else raw_ws(data)))


@pytest.mark.parametrize("raw", [
    "1,1,2,3,4,5\n\n2,1,2,3,4,5\n",        # a blank line: the careful reader counts it
    "1,1,2,3,4,5\n\r\n2,1,2,3,4,5\n",      # a blank CRLF line
    "\n1,1,2,3,4,5\n",                     # a blank first line
    "1,1,2,3,4,5\n2,1,2,3,4\n",            # ragged rows: NaN-padded there
    "1,1,2,3,4\n2,1,2,3,4,5\n",            # a later row longer than the first
    "1, 1,2,3,4,5\n",                      # a space after a comma
    "1,1,2,3,4,nan\n",                     # a literal nan
    "1,1,2,3,4,inf\n",                     # inf
    "frame,id,x,y,w,h\n1,1,2,3,4,5\n",     # a header
    "1,1,2,3,4,-\n",                       # not a number
    "1,1,2,3,4,1e\n",                      # half an exponent
    '1,1,2,3,4,"5"\n',                     # quotes
    "1;1;2;3;4;5\n",                       # semicolons
    "1  1 2 3 4 5\n",                      # a run of spaces
    "1 1\t2 3 4 5\n",                      # spaces and tabs
    " 1 1 2 3 4 5\n",                      # leading whitespace
    "1 1 2 3 4 5 \n",                      # trailing whitespace
])
def test_anything_else_goes_to_the_careful_reader(raw: str) -> None:
    data = raw.encode()
    assert arrow_columns(data, comma=mc._separator(data) == ",") is None


def big_file(rows: int, bad: dict[int, str] | None = None) -> bytes:
    """A MOT17-sized tracker file (one id per row and frame) with some lines replaced (1-based)."""
    lines = [f"{1 + i // 40},{i % 40},{100 + i % 7}.4205017089844,440.7640686035156,104.33230590820312,"
             f"282.5323181152344,1,-1,-1,-1" for i in range(rows)]
    for at, text in (bad or {}).items():
        lines[at - 1] = text
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("bad, line, reason", [
    ({39_000: "975,39,1,2,3,abc,1,-1,-1,-1"}, 39_000, "value 'abc' is not a number."),
    ({39_000: "975,39,1,2,3"}, 39_000, "row has fewer than 6 values"),
    ({39_000: "975,39,1,2,3,4,1,-1,-1,-1,5,6"}, None, None),   # a longer row: NaN-padded table, 12 columns
    ({39_000: "975,1.5,1,2,3,4,1,-1,-1,-1"}, 39_000, "id 1.5 is not a whole number."),
    ({39_000: "975,0,1,2,3,4,1,-1,-1,-1"}, 39_000, "tracker id 0 appears 2 times in frame 975"),
    ({39_000: "975,-3,1,2,3,4,1,-1,-1,-1"}, 39_000, "negative id -3"),
    ({39_000: "2000,3,1,2,3,4,1,-1,-1,-1"}, 39_000, "frame 2000 is outside 1..1000"),
])
def test_errors_in_large_files_name_the_line(tmp_path: Path, bad: dict, line: int | None, reason: str | None) -> None:
    path = tmp_path / "MOT17-02.txt"
    path.write_bytes(big_file(40_000, bad))
    mc.forget_reads()
    if reason is None:
        d = mc.read_mot_file(str(path), 1000, is_gt=False)
        assert len(d) == 40_000
        return
    with pytest.raises(InputError) as info:
        mc.read_mot_file(str(path), 1000, is_gt=False)
    assert info.value.path == str(path) and info.value.line == line and reason in info.value.reason
    assert info.value.fix


def test_blank_lines_in_a_large_file_are_counted_and_lines_stay_numbered(tmp_path: Path) -> None:
    raw = big_file(40_000).replace(b"\n", b"\n\n", 1)  # a blank line 2: every later row is one line down
    path = tmp_path / "blank.txt"
    path.write_bytes(raw)
    mc.forget_reads()
    d = mc.read_mot_file(str(path), 1000, is_gt=False)
    assert len(d) == 40_000 and d.line[0] == 1 and d.line[1] == 3 and d.line[-1] == 40_001
    assert [i.count for i in d.ignored] == [1]


def test_a_large_file_is_read_without_pandas(tmp_path: Path) -> None:
    """The speed structure: a MOT17-sized file is parsed by pyarrow, pandas is not imported."""
    path = tmp_path / "MOT17-04.txt"
    path.write_bytes(big_file(60_000))
    code = ("import sys; from tracklens.formats.motchallenge import read_mot_file; "
            f"d = read_mot_file({str(path)!r}, 2000, is_gt=False); "
            "print(len(d), 'pandas' in sys.modules, 'pyarrow.csv' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["60000", "False", "True"]


@pytest.mark.shared
def test_mot17_files_parse_as_the_c_parser_does(shared_data: Path) -> None:
    """Every MOT17-train ground truth and MPNTrack file: the same bits as pandas' C parser (the
    reader's route before) and as TrackEval's float()."""
    root = shared_data / "mot_challenge"
    files = sorted((root / "gt" / "mot_challenge" / "MOT17-train").glob("*-FRCNN/gt/gt.txt"))
    files += sorted((root / "trackers" / "mot_challenge" / "MOT17-train" / "MPNTrack" / "data").glob("*FRCNN.txt"))
    assert len(files) == 14
    for path in files:
        raw = path.read_bytes()
        columns = arrow_columns(raw, comma=True)
        assert columns is not None, path
        assert same_bits(columns, mc._pandas_columns(str(path), raw, ",")), path
        assert same_bits(columns, float_columns(raw, ",")), path
