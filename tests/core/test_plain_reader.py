"""Small files of plain decimals are parsed without pandas: the columns must be bit-identical to the
C parser's on every file the plain reader accepts, and every other file must be left to the C parser."""
from __future__ import annotations

import numpy as np
import pytest

from tracklens.formats import motchallenge as mc


def _number(rng: np.random.Generator) -> str:
    """A plain decimal of at most 15 characters, in the forms tracker files use."""
    digits = int(rng.integers(1, 9))
    value = rng.random() * 10.0 ** int(rng.integers(0, 7)) * (-1 if rng.random() < 0.2 else 1)
    text = [f"{value:.{digits}f}", str(int(value)), f"{int(value)}.", f"{value:.{digits}f}".rstrip("0"), "-1", "-0",
            "0.000000000001", "123456789012345", "99999999.999999"][int(rng.integers(0, 9))]
    return text[:15].rstrip("-") or "0"


def _plain_file(rng: np.random.Generator, sep: str) -> bytes:
    rows, width = int(rng.integers(1, 60)), int(rng.integers(6, 11))
    eol = ["\n", "\r\n"][int(rng.integers(0, 2))]
    lines = []
    for _ in range(rows):
        cells = [_number(rng) for _ in range(width)]
        if sep == "," and rng.random() < 0.1:
            cells[int(rng.integers(1, width))] = ""  # an empty cell: NaN
        lines.append((sep if sep == "," else ["\t", " ", "  "][int(rng.integers(0, 3))]).join(cells))
    trailing = "," if sep == "," and rng.random() < 0.3 else ""
    return (eol.join(line + trailing for line in lines) + (eol if rng.random() < 0.7 else "")).encode()


@pytest.mark.parametrize("sep", [",", " "])
@pytest.mark.parametrize("seed", range(10))
def test_plain_columns_bit_equal_to_the_c_parser(sep: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(30):
        raw = _plain_file(rng, sep)
        key = mc._separator(raw)
        plain = mc._plain_columns(raw, key)
        assert plain is not None, raw[:200]
        want = mc._pandas_columns("f.txt", raw, key)
        assert len(plain) == len(want)
        for got, ref in zip(plain, want):
            assert got.tobytes() == ref.tobytes(), raw[:200]


@pytest.mark.parametrize("raw", [
    b"1,1,2,3,4,5\n\n2,1,2,3,4,5\n",         # a blank line (counted as ignored by the C route)
    b"1,1,2,3,4,5\n2,1,2,3,4\n",             # ragged rows
    b"1, 1,2,3,4,5\n",                       # a space after a comma
    b"1,1,2,3,4,nan\n",                      # a literal nan
    b"1,1,2e3,3,4,5\n",                      # an exponent
    b"1,1,1234567890123456,3,4,5\n",         # more than 15 digits
    b"\xef\xbb\xbf1,1,2,3,4,5\n",            # a BOM
    b"1,1,-,3,4,5\n",                        # not a number
    b" 1 1 2 3 4 5\n",                       # leading whitespace (whitespace-separated)
    b"1 1 2 3 4 5 \n",                       # trailing whitespace
    b"1,1,2,3,4,5\r2,1,2,3,4,5\r",           # old Mac line breaks are fine...
])
def test_anything_else_is_left_to_the_c_parser(raw: bytes) -> None:
    plain = mc._plain_columns(raw, mc._separator(raw))
    if raw.endswith(b"\r") and b"\n" not in raw:  # ...and then parsed identically
        want = mc._pandas_columns("f.txt", raw, ",")
        assert plain is not None and all(a.tobytes() == b.tobytes() for a, b in zip(plain, want))
    else:
        assert plain is None


def test_read_gives_the_same_detections_either_way(sample_dir, monkeypatch) -> None:
    """The whole reader (validation, blank-line notes, line numbers) on the bundled sample: the
    plain route and the C parser's give equal tables."""
    for path in sorted((sample_dir / "trackers").rglob("*.txt")) + sorted((sample_dir / "gt").rglob("gt.txt")):
        raw = path.read_bytes()
        monkeypatch.setattr(mc, "_plain_pays", lambda raw: True)
        plain = mc._parse_table(str(path), raw)
        monkeypatch.setattr(mc, "_plain_pays", lambda raw: False)
        c_parser = mc._parse_table(str(path), raw)
        assert plain[1] == c_parser[1]
        assert plain[0].tobytes() == c_parser[0].tobytes(), path
