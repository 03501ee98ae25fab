"""Per-detection class probabilities of a tracker, for the classification-aware HOTA variants.

Three sources, described in docs/classes.md:

1. **Extra MOT columns.** Columns 11, 12, ... of a MOTChallenge tracker file (after the 10 standard
   ``frame, id, x, y, w, h, conf, x, y, z`` columns) hold the probability of each class, in the
   order of a class list that is not written in the file (header-free): ``classes`` if given, else
   1, 2, ..., K. Pad short rows with -1 up to column 10.
2. **A side file** beside the tracker file ``<seq>.txt``: ``<seq>.probs.parquet`` (long table with
   columns ``frame, id, class, prob``) or ``<seq>.probs.json`` (``{"classes": [...], "detections":
   [{"frame": f, "id": i, "probs": {"<class>": p, ...}}, ...]}``, or the bare list of detections).
   Classes a detection does not name get probability 0.
3. **Only a hard class and a confidence** (``hard_probabilities``): the row holds the confidence at
   the predicted class (column 8) and 0 elsewhere, so C(c) = confidence if the predicted class is the
   gt class, else 0; confidence 1 when the column is absent or holds MOTChallenge's -1. A class of -1
   ('not given') is the evaluated class when the ground truth has only one (``unknown_class``).

Probabilities (sources 1-2) must be finite, >= 0, and sum to 1 per detection within 1e-6; every
error is an ``InputError`` naming the file, the line (row, JSON line) and the fix.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from ..detections import Detections
from ..errors import InputError
from .motchallenge import _parse_table

SUM_TOL = 1e-6
_MAX_INT = 2**53  # frames, ids and class ids beyond this are not exact in floating point (nor all in int64)
STANDARD_COLUMNS = 10
SIDE_SUFFIXES = (".probs.parquet", ".probs.json")
_FIX_SUM = ("Give every detection a full distribution: divide each value by the row's sum, or add the "
            "missing mass to a background/other class that you list among the classes.")


@dataclass(frozen=True)
class ClassProbabilities:
    """``probs[k, j]`` = probability tracker row k (of ``Detections``, frame-sorted order) gives to
    ``classes[j]``. ``hard`` marks rows built from a hard class and a confidence (they sum to the
    confidence, not to 1)."""

    classes: np.ndarray
    probs: np.ndarray
    source: str
    hard: bool = False


def _class_list(classes: Iterable[int] | None) -> np.ndarray | None:
    if classes is None:
        return None
    out = np.asarray([int(c) for c in classes], np.int64)
    if np.unique(out).size != out.size:
        raise ValueError(f"class list {out.tolist()} names a class twice")
    return out


def _check_values(path: str, probs: np.ndarray, lines: np.ndarray, classes: np.ndarray, where,
                  line_of=int) -> None:
    """Finite, non-negative, summing to 1 (within SUM_TOL); ``line_of(lines[k])`` locates row k and
    ``where(k)`` names it."""
    bad = ~np.isfinite(probs)
    if bad.any():
        k, j = np.argwhere(bad)[0]
        raise InputError(path, f"{where(k)}: the probability of class {int(classes[j])} is missing or not a number "
                         f"({int(bad.any(axis=1).sum())} detection(s) affected).",
                         "Write a number in [0, 1] for every class of every detection.", line=line_of(lines[k]))
    neg = probs < 0
    if neg.any():
        k, j = np.argwhere(neg)[0]
        raise InputError(path, f"{where(k)}: the probability of class {int(classes[j])} is negative "
                         f"({float(probs[k, j])!r}); {int(neg.any(axis=1).sum())} detection(s) affected.",
                         "Probabilities must be in [0, 1]; write the classifier's softmax output, not logits.",
                         line=line_of(lines[k]))
    total = probs.sum(axis=1)
    off = np.abs(total - 1.0) > SUM_TOL
    if off.any():
        k = int(np.argmax(off))
        raise InputError(path, f"{where(k)}: the probabilities sum to {float(total[k])!r}, not 1 "
                         f"(tolerance {SUM_TOL:g}); {int(off.sum())} detection(s) affected.", _FIX_SUM,
                         line=line_of(lines[k]))


def read_probability_columns(path: str, tr: Detections,
                             classes: Sequence[int] | None = None) -> ClassProbabilities | None:
    """Probabilities from columns 11.. of the tracker file ``path`` (None when it has no such column).
    Column 10+j belongs to ``classes[j-1]`` (default: class j)."""
    with open(path, "rb") as fp:
        raw = fp.read()
    if not raw.strip():
        return None
    table, _ = _parse_table(path, raw)
    data, lines = table[:, :-1], table[:, -1].astype(np.int64)
    if data.shape[1] <= STANDARD_COLUMNS:
        return None
    values = data[:, STANDARD_COLUMNS:]
    k = values.shape[1]
    names = _class_list(classes)
    if names is None:
        names = np.arange(1, k + 1, dtype=np.int64)
    elif names.size != k:
        raise InputError(path, f"rows have {k} probability column(s) after column {STANDARD_COLUMNS}, but "
                         f"{names.size} class(es) are named ({names.tolist()}).",
                         "Name exactly one class per probability column (in column order), or fix the columns.",
                         line=int(lines[0]))
    pos = np.searchsorted(lines, tr.line)
    if tr.line.size and (pos.max() >= lines.size or not np.array_equal(lines[pos], tr.line)):
        raise InputError(path, "the tracker rows do not match this file's lines.",
                         "Read the tracker file and its probabilities from the same file.")
    probs = values[pos]
    _check_values(path, probs, tr.line, names, lambda r: f"frame {int(tr.frame[r])}, id {int(tr.id[r])} "
                  f"(probability columns {STANDARD_COLUMNS + 1}..{STANDARD_COLUMNS + k})")
    return ClassProbabilities(names, probs, path)


def side_file(tracker_path: str) -> str | None:
    """``<seq>.probs.parquet`` or ``<seq>.probs.json`` beside ``<seq>.txt`` (None if neither exists)."""
    base = os.path.splitext(tracker_path)[0]
    found = [base + s for s in SIDE_SUFFIXES if os.path.isfile(base + s)]
    if len(found) > 1:
        raise InputError(found[0], f"both {os.path.basename(found[0])} and {os.path.basename(found[1])} exist.",
                         "Keep one probability side file per sequence.")
    return found[0] if found else None


def _records_json(path: str) -> tuple[list, Callable[[int], int], list[int] | None]:
    """(records, the 1-based line of record k, declared classes or None) of a JSON probability file.
    One C-speed parse; the lines are found (one more pass) only when an error needs one."""
    try:
        with open(path, encoding="utf-8-sig") as fp:
            text = fp.read()
    except UnicodeDecodeError:
        raise InputError(path, "not a UTF-8 text file.", "Write the file with json.dump (UTF-8 text).") from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except _Duplicate as exc:
        raise InputError(path, f"the key {str(exc)[:40]!r} appears twice in one object (JSON would keep only the "
                         "last one).", "Write each key once.") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc.msg}).", "Write the file with json.dump.",
                         line=exc.lineno) from None
    except RecursionError:
        raise InputError(path, "cannot read it as JSON (arrays or objects nested too deeply).",
                         "Write the file with json.dump.") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise InputError(path, f"cannot read it as JSON ({' '.join(str(exc).split(':')[0].split())}).",
                         "Write the file with json.dump.") from None
    declared = None
    if isinstance(doc, dict):
        if not isinstance(doc.get("detections"), list):
            raise InputError(path, "the JSON object has no 'detections' list.",
                             'Write {"classes": [...], "detections": [{"frame": 1, "id": 1, "probs": {"1": 1.0}}]}.')
        declared, records = doc.get("classes"), doc["detections"]
    elif isinstance(doc, list):
        records = doc
    else:
        raise InputError(path, "the JSON document is neither a list of detections nor an object.",
                         'Write {"classes": [...], "detections": [...]}.')
    found: list[list[int]] = []

    def line_of(k: int) -> int:
        if not found:
            try:
                found.append(_lines_at(text, _parse(text)[1]))
            except (ValueError, IndexError):
                found.append([])
        return found[0][int(k)] if int(k) < len(found[0]) else 0
    return records, line_of, declared


class _Duplicate(ValueError):
    """A JSON object with the same key twice."""


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        raise _Duplicate(next(k for k, _ in pairs if k in seen or seen.add(k)))
    return out


_SPACE = re.compile(r"[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_SEPARATOR = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")


def _parse(text: str) -> tuple[object, list[int]]:
    """(document, where each detection record starts): the records (the top-level list, or the
    top-level object's ``"detections"`` list) are decoded one at a time to note their offsets, so a
    nested ``"detections"`` key cannot be mistaken for the top-level one. ``ValueError`` for invalid JSON."""
    decoder = json.JSONDecoder()
    pos = _SPACE.match(text).end()
    records, offsets = None, []
    if text.startswith("[", pos):
        records, offsets, pos = _array(text, pos, decoder)
        doc: object = records
    elif text.startswith("{", pos):
        doc = {}
        pos = _SPACE.match(text, pos + 1).end()
        while not text.startswith("}", pos):
            if not text.startswith('"', pos):
                raise ValueError("expected a key")
            key, pos = decoder.raw_decode(text, pos)
            pos = _COLON.match(text, pos).end()
            if key == "detections" and text.startswith("[", pos):
                records, offsets, pos = _array(text, pos, decoder)
                doc[key] = records
            else:
                doc[key], pos = decoder.raw_decode(text, pos)
            pos = _SPACE.match(text, pos).end()
            if text.startswith(",", pos):
                pos = _SPACE.match(text, pos + 1).end()
            elif not text.startswith("}", pos):
                raise ValueError("expected , or }")
        pos += 1
    else:
        doc, pos = decoder.raw_decode(text, pos)
    if _SPACE.match(text, pos).end() != len(text):
        raise ValueError("extra data")
    return doc, offsets


def _array(text: str, pos: int, decoder: json.JSONDecoder) -> tuple[list, list[int], int]:
    """The JSON array starting at ``pos`` (its ``[``): its elements, their offsets, the position after it."""
    items, offsets = [], []
    scan, space, sep = decoder.scan_once, _SPACE.match, _SEPARATOR.match
    pos = space(text, pos + 1).end()
    if text.startswith("]", pos):
        return items, offsets, pos + 1
    while True:
        offsets.append(pos)
        try:
            value, pos = scan(text, pos)
        except StopIteration:
            raise ValueError("expected a value") from None
        items.append(value)
        found = sep(text, pos)
        if found is None:
            raise ValueError("expected , or ]")
        if found.group(1) == "]":
            return items, offsets, found.end()
        pos = found.end()


def _lines_at(text: str, offsets: list[int]) -> list[int]:
    """1-based line of each offset (ascending), counting newlines from one to the next: linear."""
    lines, line, counted = [], 1, 0
    for pos in offsets:
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
    return lines


def _strict_float(value) -> float:
    """A probability from JSON: a number (a string or a boolean is refused, not converted)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("not a number")
    return float(value)


_ASCII_INT = re.compile(r"-?[0-9]+")


def _strict_int(value) -> int:
    """An integer from JSON: an int (not a bool), an integral float, or a string of ASCII digits
    (``int()`` alone takes '١٢' and truncates 1.5, which the MOT reader refuses)."""
    if isinstance(value, bool):
        raise TypeError("a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _ASCII_INT.fullmatch(value.strip()):
        return int(value)
    raise ValueError(f"{str(value)[:20]!r} is not an integer")


def _records_parquet(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        detail = " ".join(str(exc).split())  # pyarrow's messages span lines; keep ours on one
        raise InputError(path, f"cannot read it as Parquet ({type(exc).__name__}: {detail[:300]}).",
                         "Write it with pandas.DataFrame.to_parquet.") from None
    missing = [c for c in ("frame", "id", "class", "prob") if c not in frame.columns]
    if missing:
        raise InputError(path, f"column(s) {missing} missing (found {list(frame.columns)}).",
                         "Write a long table with columns frame, id, class, prob (one row per detection and class).")
    out = []
    for col in ("frame", "id", "class", "prob"):
        try:
            v = frame[col].to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:  # text, or objects that are not numbers
            raise InputError(path, f"column {col!r} ({frame[col].dtype}) holds values that are not numbers "
                             f"({' '.join(str(exc).split())[:80]}).", f"Write {col} as a numeric column.") from None
        if col == "prob":
            out.append(v)
            break
        bad = ~np.isfinite(v) | (v != np.floor(v)) | (np.abs(v) > _MAX_INT)
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError(path, f"row {row + 1}: {col} {float(v[row])!r} is not a whole number (of at most 2**53).",
                             f"Write {col} as an integer.", line=row + 1)
        out.append(v.astype(np.int64))
    return out[0], out[1], out[2], out[3]


def _json_rows(path: str, records: list, line_of: Callable[[int], int]) -> tuple[list, list, list, list, list]:
    """(frame, id, class, prob, record index) lists, one entry per class of each record; one pass,
    with the common case (ints and floats as json.dump writes them) taking no conversion call."""
    frames, ids, cls, prob, lines = [], [], [], [], []
    for r, rec in enumerate(records):
        try:
            f, i, probs = rec["frame"], rec["id"], rec["probs"]
            f = f if type(f) is int else _strict_int(f)
            i = i if type(i) is int else _strict_int(i)
            ok = isinstance(probs, dict) and -_MAX_INT <= f <= _MAX_INT and -_MAX_INT <= i <= _MAX_INT
            for c, p in probs.items() if ok else ():
                c = _strict_int(c)
                p = p if type(p) is float else _strict_float(p)
                ok = ok and -_MAX_INT <= c <= _MAX_INT
                frames.append(f), ids.append(i), cls.append(c), prob.append(p), lines.append(r)
        except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: int(inf), float(10**400)
            ok = False
        if not ok:
            raise InputError(path, f"detection #{r + 1} is not {{\"frame\": int, \"id\": int, \"probs\": "
                             "{class: prob}} (integers up to 2**53).",
                             'Write each detection as {"frame": 1, "id": 7, "probs": {"1": 0.8, "2": 0.2}}.',
                             line=line_of(r) or None)
    return frames, ids, cls, prob, lines


def read_probability_file(path: str, tr: Detections, classes: Sequence[int] | None = None) -> ClassProbabilities:
    """Probabilities from a side file (.parquet or .json), one row per tracker row of ``tr``.

    The class list is ``classes`` if given, else the JSON's ``"classes"``, else every class the file
    names (sorted). A class outside a given list, a (frame, id) without a tracker box, a tracker box
    without any probability, or the same (frame, id, class) twice is an error."""
    names = _class_list(classes)
    if path.endswith(".json"):
        records, line_of, declared = _records_json(path)
        if names is None and declared is not None:
            try:
                if not isinstance(declared, list):
                    raise TypeError({"str": "a string", "dict": "an object"}.get(type(declared).__name__, "one value"))
                if any(abs(int(c)) > _MAX_INT for c in declared):
                    raise ValueError("a class id beyond 2**53")
                names = _class_list(declared)
            except (TypeError, ValueError, OverflowError) as exc:
                raise InputError(path, f"\"classes\" {json.dumps(declared)[:60]} is not a list of distinct integer "
                                 f"class ids ({exc}).", 'Write "classes" as a list of class ids, e.g. [1, 2, 3].'
                                 ) from None
        frames, ids, cls, prob, lines = _json_rows(path, records, line_of)
        frames, ids, cls = (np.asarray(x, np.int64) for x in (frames, ids, cls))
        prob, lines = np.asarray(prob, float), np.asarray(lines, np.int64)
        unit = "line"
    elif path.endswith(".parquet"):
        frames, ids, cls, prob = _records_parquet(path)
        lines = np.arange(1, frames.size + 1, dtype=np.int64)
        line_of, unit = int, "row"
    else:
        raise InputError(path, "unknown probability file type.", "Use <seq>.probs.parquet or <seq>.probs.json.")
    if names is None:
        names = np.unique(cls)
    unknown = ~np.isin(cls, names)
    if unknown.any():
        k = int(np.argmax(unknown))
        raise InputError(path, f"{unit} {line_of(lines[k])}: class {int(cls[k])} (frame {int(frames[k])}, "
                         f"id {int(ids[k])}) is not a known class (known: {names.tolist()}).",
                         "Use only the listed classes, or add the class to the class list.", line=line_of(lines[k]) or None)
    # (frame, id) -> tracker row
    order = np.lexsort((tr.id, tr.frame))
    keys_tr = np.stack([tr.frame[order], tr.id[order]], axis=1)
    keys = np.stack([frames, ids], axis=1)
    pos = _find_rows(keys_tr, keys)
    missing_box = pos < 0
    if missing_box.any():
        k = int(np.argmax(missing_box))
        raise InputError(path, f"{unit} {line_of(lines[k])}: frame {int(frames[k])}, id {int(ids[k])} has no box in the "
                         f"tracker file ({int(missing_box.sum())} entr(y/ies) without a box).",
                         "Write probabilities only for the tracker's detections (same frame and id).",
                         line=line_of(lines[k]) or None)
    row = order[pos]
    col = np.searchsorted(np.sort(names), cls)
    col = np.argsort(names, kind="stable")[col]
    seen = np.zeros((len(tr), names.size), np.int64)
    np.add.at(seen, (row, col), 1)
    if (seen > 1).any():
        r, c = np.argwhere(seen > 1)[0]
        k = int(np.flatnonzero((row == r) & (col == c))[1])
        raise InputError(path, f"{unit} {line_of(lines[k])}: frame {int(tr.frame[r])}, id {int(tr.id[r])} gives class "
                         f"{int(names[c])} twice.", "Give each class of a detection once.", line=line_of(lines[k]) or None)
    none = ~seen.any(axis=1)
    if none.any():
        r = int(np.argmax(none))
        raise InputError(path, f"frame {int(tr.frame[r])}, id {int(tr.id[r])} (tracker line {int(tr.line[r])}) has no "
                         f"probability; {int(none.sum())} tracker detection(s) have none.",
                         "Give every tracker detection its class probabilities (or remove the side file to use the "
                         "hard class and confidence).")
    probs = np.zeros((len(tr), names.size))
    probs[row, col] = prob
    first_line = np.zeros(len(tr), np.int64)
    first_line[row[::-1]] = lines[::-1]
    _check_values(path, probs, first_line, names, lambda r: f"frame {int(tr.frame[r])}, id {int(tr.id[r])}", line_of)
    return ClassProbabilities(names, probs, path)


def _find_rows(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index of each (frame, id) of ``keys`` in lexicographically sorted ``sorted_keys`` (-1 if absent)."""
    if sorted_keys.shape[0] == 0:
        return np.full(keys.shape[0], -1, np.int64)
    dtype = np.dtype([("f", np.int64), ("i", np.int64)])
    a = np.ascontiguousarray(sorted_keys).view(dtype).ravel()
    b = np.ascontiguousarray(keys).view(dtype).ravel()
    pos = np.minimum(np.searchsorted(a, b), a.size - 1)
    return np.where(a[pos] == b, pos, -1)


def hard_probabilities(tr: Detections, classes: Sequence[int] | None = None, *, use_confidence: bool = True,
                       unknown_class: int | None = None) -> ClassProbabilities:
    """Rows from the hard class (column 8) and the confidence (column 7): the confidence at the
    predicted class, 0 elsewhere. Confidence 1 when ``use_confidence`` is off or the value is -1
    (MOTChallenge's 'not given'); other values outside [0, 1] are an error. A class of -1
    (MOTChallenge's 'not given') becomes ``unknown_class`` when given, else the row predicts no class
    (C = 0 for every gt)."""
    cls = tr.cls
    no_class = (cls == -1) if unknown_class is None else np.zeros(len(tr), bool)
    if unknown_class is not None:
        cls = np.where(cls == -1, int(unknown_class), cls)
    names = _class_list(classes)
    if names is None:
        names = np.unique(cls[~no_class])
    conf = np.ones(len(tr))
    if use_confidence and len(tr):
        conf = np.where(tr.conf == -1, 1.0, tr.conf)
        bad = (conf < 0) | (conf > 1) | ~np.isfinite(conf)
        if bad.any():
            k = int(np.argmax(bad))
            raise InputError(tr.source, f"confidence {float(tr.conf[k])!r} (column 7) is not a probability in [0, 1] "
                             f"({int(bad.sum())} row(s)); C(c) uses it as the probability of the predicted class.",
                             "Rescale confidences to [0, 1], or evaluate with use_confidence=False (C = 1 for the "
                             "right class).", line=int(tr.line[k]))
    probs = np.zeros((len(tr), names.size))
    col = {int(c): j for j, c in enumerate(names.tolist())}
    j = np.array([col.get(int(c), -1) for c in cls], np.int64) if len(tr) else np.zeros(0, np.int64)
    ok = j >= 0
    probs[np.flatnonzero(ok), j[ok]] = conf[ok]
    return ClassProbabilities(names, probs, tr.source, hard=True)


def load_probabilities(tracker_path: str, tr: Detections,
                       classes: Sequence[int] | None = None) -> ClassProbabilities | None:
    """The tracker's probabilities: from its side file if there is one, else from its extra columns,
    else None (then use ``hard_probabilities``). Both a side file and extra columns is an error."""
    side = side_file(tracker_path)
    columns = read_probability_columns(tracker_path, tr, classes) if os.path.isfile(tracker_path) else None
    if side is not None and columns is not None:
        raise InputError(tracker_path, f"has probability columns after column {STANDARD_COLUMNS} and a side file "
                         f"{os.path.basename(side)}.", "Keep one source of probabilities.")
    if side is not None:
        return read_probability_file(side, tr, classes)
    return columns
