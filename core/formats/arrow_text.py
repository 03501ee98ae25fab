"""The bulk parse of MOTChallenge text: pyarrow's CSV reader with every column typed float64.

Taken only for files it reads exactly as TrackEval does (Python's ``float`` on each cell, which
pyarrow's parser matches bit for bit: both round correctly) and with the careful reader's line numbers:
plain numbers and empty cells, rows of one width, no blank line (a UTF-8 BOM and any line breaks are
fine). Anything else (spaces after commas, 'nan', a header, ragged rows, blank lines...) returns None
and goes to the careful reader, which explains a bad file with its line number. pyarrow is already a dependency (Parquet); its CSV reader
loads in a fraction of pandas' import and parses about twice as fast.
"""
from __future__ import annotations

import numpy as np

_BOM = b"\xef\xbb\xbf"
# Every byte a file may hold to be parsed here, per delimiter: digits, signs, '.', exponents, the
# delimiter and line breaks.
_NUMBER_BYTES = b"0123456789.-+eE\r\n"
# In a whitespace-separated file, one space or one tab between cells and none at a line's edges is
# the same as the careful reader's 'any run of whitespace'; anything else (runs, mixed) goes there.
_EDGES = (b"\n ", b" \n", b"\r ", b" \r", b"\n\t", b"\t\n", b"\r\t", b"\t\r", b"  ", b"\t\t")


def arrow_columns(raw: bytes, comma: bool) -> list[np.ndarray] | None:
    """The file's columns as float64 (NaN for an empty cell), one row per line; None when the file is
    not one this parse reads exactly like the careful reader (then nothing was decided from it)."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]  # the careful reader decodes utf-8-sig: the BOM is not part of the first line
    delimiter = b"," if comma else _single_whitespace(raw)
    if delimiter is None or raw.translate(None, _NUMBER_BYTES + delimiter):
        return None
    first_end = _line_end(raw)
    width = raw.count(delimiter, 0, first_end) + 1
    import pyarrow as pa
    import pyarrow.csv as pv

    try:
        table = pv.read_csv(
            pa.py_buffer(raw),
            read_options=pv.ReadOptions(autogenerate_column_names=True, use_threads=False, block_size=1 << 26),
            parse_options=pv.ParseOptions(delimiter=delimiter.decode(), quote_char=False, double_quote=False,
                                          escape_char=False, newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pv.ConvertOptions(column_types={f"f{j}": pa.float64() for j in range(width)},
                                              null_values=[""], true_values=[], false_values=[],
                                              strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):  # a cell that is not a number, a row of another width
        return None
    if table.num_rows != _line_count(raw):  # pyarrow skips blank lines: the careful reader counts them
        return None
    return [_floats(column.chunks, table.num_rows) for column in table.columns]


def _floats(chunks: list, rows: int) -> np.ndarray:
    """One float64 column of Arrow chunks as numpy, NaN where a cell was empty. Read from the Arrow
    buffers: pyarrow's ``to_numpy`` imports pandas, whose import this module exists to avoid."""
    out = np.empty(rows)
    at = 0
    for chunk in chunks:
        validity, data = chunk.buffers()
        n, offset = len(chunk), chunk.offset
        part = out[at:at + n]
        part[:] = np.frombuffer(data, np.float64, n, 8 * offset)
        if chunk.null_count:
            bits = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")[offset:offset + n]
            part[bits == 0] = np.nan
        at += n
    return out


def _single_whitespace(raw: bytes) -> bytes | None:
    """The one whitespace byte separating cells (space or tab), when cells are separated by exactly one
    of it and no line starts or ends with whitespace; else None."""
    has_space, has_tab = b" " in raw, b"\t" in raw
    if has_space == has_tab or raw[:1] in b" \t" or raw[-1:] in b" \t" or any(e in raw for e in _EDGES):
        return None
    return b" " if has_space else b"\t"


def _line_end(raw: bytes) -> int:
    ends = [i for i in (raw.find(b"\n"), raw.find(b"\r")) if i >= 0]
    return min(ends) if ends else len(raw)


def _line_count(raw: bytes) -> int:
    r"""Lines as the careful reader counts them: ``\n``, ``\r\n`` and ``\r`` end a line; a last line
    without a break counts."""
    breaks = int(np.count_nonzero(np.frombuffer(raw, np.uint8) == 10))  # a vector pass: twice bytes.count's speed
    if b"\r" in raw:
        breaks += raw.count(b"\r") - raw.count(b"\r\n")
    return breaks + (1 if raw and raw[-1:] not in b"\r\n" else 0)
