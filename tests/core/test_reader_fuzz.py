"""Fuzzing the readers: whatever the bytes, ``read_mot_file`` returns a valid ``Detections`` or raises
``InputError``, never any other exception (and so do ``read_seqinfo`` and ``read_seqmap``).

Inputs: arbitrary bytes, near-valid MOTChallenge text (valid rows with hostile cells, separators,
line endings, BOMs and truncations mixed in) and byte-level mutations of a valid file. Bounded and
deterministic for CI: ``derandomize=True``, no example database, TRACKLENS_FUZZ_EXAMPLES examples
per test (default 300; raise it for a longer local run).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklens.detections import Detections
from tracklens.errors import InputError
from tracklens.formats.motchallenge import MAX_COORD, read_mot_file, read_seqinfo, read_seqmap

NUM_FRAMES = 20
EXAMPLES = int(os.environ.get("TRACKLENS_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FUZZ_SMALL = settings(FUZZ, max_examples=max(1, EXAMPLES // 2))  # seqinfo / seqmap: small parsers

# Cells that are valid, odd, or hostile for a number parser.
HOSTILE_CELLS = ["", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "1e308", "-0", "0", "+1",
                 "1.", ".5", "1e3", "1E-3", "0x10", "1_0", "１", "abc", "#", '"1"', '"', "'", "True", "None", "\x00",
                 "\x0c", "\u00e9", "\u2028", "9" * 30, "1e20", "-1", "2.5", "1,5", "\t", "\r"]
SEPARATORS = [",", ", ", " ", "\t", "  ", ";", ",,", " , "]
ENDINGS = ["\n", "\r\n", "\r", "\n\n", " \n"]


# Strategies are built once (building them inside a composite makes generation the slow part).
NUMBER = st.one_of(st.integers(-2, NUM_FRAMES + 2).map(str), st.integers(-500, 5000).map(str),
                   st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: f"{v:.3f}"),
                   st.sampled_from(["1.0", "3.000", "1e20", "9007199254740993", "0.5", "-20"]))
CELL = st.one_of(NUMBER, NUMBER, NUMBER, st.sampled_from(HOSTILE_CELLS))
ROW = st.tuples(st.lists(CELL, max_size=12), st.sampled_from(SEPARATORS[:2] * 3 + SEPARATORS),
                st.sampled_from(ENDINGS[:1] * 6 + ENDINGS)).map(lambda r: r[1].join(r[0]) + r[2])
PREFIX = st.sampled_from([b"", b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"frame,id,x,y,w,h\n", b"\n\n"])


@st.composite
def near_valid_text(draw) -> bytes:
    text = "".join(draw(st.lists(ROW, max_size=15)))
    if text and draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]  # truncated anywhere
    return draw(PREFIX) + text.encode("utf-8", errors="surrogatepass")


VALID = "".join(f"{f},{i},{10 * i}.5,20,30,40,0.9,1,1\n" for f in range(1, NUM_FRAMES + 1) for i in (1, 2)).encode()


@st.composite
def mutated_valid(draw) -> bytes:
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.binary(min_size=1, max_size=4))
        if op == "insert":
            data[at:at] = chunk
        elif op == "delete":
            del data[at: at + len(chunk)]
        else:
            data[at: at + len(chunk)] = chunk
    return bytes(data)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_mot(path: Path, data: bytes, is_gt: bool) -> None:
    path.write_bytes(data)
    try:
        d = read_mot_file(str(path), NUM_FRAMES, is_gt=is_gt)
    except InputError as err:
        assert err.path == str(path) and err.reason and err.fix
        assert err.line is None or err.line >= 1
        assert "\n" not in str(err)
        return
    assert_valid(d, data)


def assert_valid(d: Detections, data: bytes) -> None:
    n = len(d)
    for column in (d.frame, d.id, d.conf, d.cls, d.vis, d.line):
        assert column.shape == (n,)
    assert d.box.shape == (n, 4) and d.frame.dtype == np.int64 and d.id.dtype == np.int64
    assert d.num_frames == NUM_FRAMES and d.offsets[-1] == n
    if n:
        assert d.frame.min() >= 1 and d.frame.max() <= NUM_FRAMES
        assert (np.diff(d.frame) >= 0).all(), "frame-sorted"
        assert d.id.min() >= 0
        assert np.isfinite(d.box).all() and np.abs(d.box).max() <= MAX_COORD
        assert not np.isnan(d.conf).any()
        assert len(set(zip(d.frame.tolist(), d.id.tolist()))) == n, "no id twice in a frame"
        assert d.line.min() >= 1 and d.line.max() <= data.count(b"\n") + data.count(b"\r") + 1


@FUZZ
@given(data=st.binary(max_size=3000), is_gt=st.booleans())
def test_arbitrary_bytes(scratch: Path, data: bytes, is_gt: bool) -> None:
    check_mot(scratch / "bytes.txt", data, is_gt)


@FUZZ
@given(data=near_valid_text(), is_gt=st.booleans())
def test_near_valid_text(scratch: Path, data: bytes, is_gt: bool) -> None:
    check_mot(scratch / "near.txt", data, is_gt)


@FUZZ
@given(data=mutated_valid(), is_gt=st.booleans())
def test_mutated_valid_file(scratch: Path, data: bytes, is_gt: bool) -> None:
    check_mot(scratch / "mutated.txt", data, is_gt)


INI_LINES = ["[Sequence]", "[Other]", "seqLength=10", "seqLength=", "seqLength=-1", "seqLength=inf", "seqLength=nan",
             "seqLength=1e30", "seqLength=abc", "seqLength", "imWidth=640", "imWidth=0", "imWidth=1e9", "imHeight=-5",
             "frameRate=inf", "frameRate=25", "name=%(x)s", "name=A", "= ", "[", "; comment", "  indented=1",
             "seqLength=10", "\x00", "\ufeff[Sequence]"]


@FUZZ_SMALL
@given(lines=st.lists(st.one_of(st.sampled_from(INI_LINES), st.text(max_size=20)), max_size=8),
       raw=st.one_of(st.none(), st.binary(max_size=200)))
def test_seqinfo(scratch: Path, lines: list[str], raw: bytes | None) -> None:
    path = scratch / "seqinfo.ini"
    path.write_bytes(raw if raw is not None else "\n".join(lines).encode("utf-8", errors="surrogatepass"))
    try:
        info = read_seqinfo(str(path))
    except InputError as err:
        assert err.path == str(path) and err.fix and "\n" not in str(err)
        return
    assert 0 <= info.length <= 10_000_000
    assert info.width is None or 0 < info.width <= 100_000


@FUZZ_SMALL
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_seqmap(scratch: Path, raw: bytes) -> None:
    path = scratch / "seqmap.txt"
    path.write_bytes(raw)
    try:
        names = read_seqmap(str(path))
    except InputError as err:
        assert err.path == str(path) and err.fix and "\n" not in str(err)
        return
    assert names and all(isinstance(n, str) and n for n in names)
