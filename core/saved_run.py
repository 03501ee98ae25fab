"""A saved run on disk, written atomically and read as untrusted input.

Writing (``write_run``): the run is filled in a temporary folder beside its destination; the
manifest, holding the size and SHA-256 of every other file, is written last; then the folder
replaces the destination in one step. A kill or a failed write at any point leaves the previous run
(or nothing) under the name, never a run that opens as complete.

Reading: a run may come from anyone, so before anything is used the manifest and ``metrics.json`` are
checked for shape, types and sizes; tracker and sequence names must be plain folder names; each file
must be a regular file (a FIFO would hang the reader) of the recorded size and checksum; a Parquet
table's row count is checked from its footer before it is loaded; frame paths outside the run and
the allowed folders are dropped with a note. Every refusal is an ``InputError`` naming the file.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from typing import Callable, Sequence

from .atomic import atomic_dir, write_json
from .errors import InputError
from .formats.motchallenge import MAX_FRAMES, MAX_IMAGE_PIXELS, is_plain_name

MANIFEST = "manifest.json"
METRICS = "metrics.json"
MAX_JSON_BYTES = 256 * 1024**2  # manifest / metrics / analysis.json
MAX_TABLE_ROWS = 200_000_000
MIN_PARQUET_BYTES_PER_ROW = 0.25  # real tables take several bytes a row; 150 M constant rows in 6 MB do not
_FIX = "Save the run again with 'tracklens eval ... --save RUN_DIR'."


# ------------------------------------------------------------------------------------------ writing


def write_run(run_dir: str, fill: Callable[[str], None], manifest: dict, metrics: dict) -> None:
    """``fill(folder)`` writes the analysis folders; then ``metrics.json`` and, last, the manifest
    with a checksum per file; then the folder replaces ``run_dir`` whole."""
    with atomic_dir(run_dir) as tmp:
        fill(tmp)
        write_json(os.path.join(tmp, METRICS), metrics)
        files = {}
        for root, _, names in os.walk(tmp):
            for name in sorted(names):
                path = os.path.join(root, name)
                files[os.path.relpath(path, tmp).replace(os.sep, "/")] = {"size": os.path.getsize(path),
                                                                          "sha256": _sha256(path)}
        write_json(os.path.join(tmp, MANIFEST), {**manifest, "files": files}, indent=1)


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fp:
        while chunk := fp.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------ reading


def regular_file(path: str, what: str = "file") -> int:
    """The size of ``path`` when it is a regular file (not a link, FIFO, device or folder)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise InputError(path, f"the run's {what} is missing (an interrupted or partial copy?).", _FIX) from None
    except OSError as exc:
        raise InputError(path, f"cannot read the run's {what} ({exc.strerror or exc}).", _FIX) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(path, f"the run's {what} is not a regular file (a link, pipe, device or folder).", _FIX)
    return st.st_size


def read_json(path: str, what: str) -> object:
    size = regular_file(path, what)
    if size > MAX_JSON_BYTES:
        raise InputError(path, f"the run's {what} is {size / 1024**2:,.0f} MiB, above "
                         f"{MAX_JSON_BYTES / 1024**2:,.0f} MiB.", _FIX)
    try:
        with open(path, "rb") as fp:
            return json.loads(fp.read())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(path, f"the run's {what} is not valid JSON ({' '.join(str(exc).split())[:160]}); "
                         "half-written or edited?", _FIX) from None


def _fail(path: str, what: str) -> InputError:
    return InputError(path, f"the manifest is not a tracklens manifest: {what}.", _FIX)


def check_manifest(path: str, manifest: object, format_version: int) -> dict:
    """The manifest when its shape, types and sizes are what a saved run writes; ``InputError`` else."""
    if not isinstance(manifest, dict):
        raise _fail(path, "not a JSON object")
    if manifest.get("format") != format_version:
        raise InputError(path, f"saved with format {str(manifest.get('format'))[:20]}, this tracklens reads "
                         f"{format_version}.", "Re-run 'tracklens eval ... --save' with this version.")
    trackers, sequences = manifest.get("trackers"), manifest.get("sequences")
    if not isinstance(trackers, list) or not trackers or not all(isinstance(t, str) for t in trackers):
        raise _fail(path, "'trackers' must be a list of names")
    if not isinstance(sequences, list) or not sequences or not all(isinstance(s, dict) for s in sequences):
        raise _fail(path, "'sequences' must be a list of objects")
    if not isinstance(manifest.get("inputs"), dict):
        raise _fail(path, "'inputs' must be an object")
    for name in [*trackers, *(s.get("name") for s in sequences)]:
        if not isinstance(name, str) or not is_plain_name(name):
            raise _fail(path, f"name {str(name)[:60]!r} is not a plain folder name")
    if len(set(trackers)) != len(trackers) or len({s["name"] for s in sequences}) != len(sequences):
        raise _fail(path, "a tracker or sequence is listed twice")
    for s in sequences:
        _check_sequence(path, s)
    files = manifest.get("files")
    if files is not None and not (isinstance(files, dict) and all(
            isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("size"), int)
            and isinstance(v.get("sha256"), str) for k, v in files.items())):
        raise _fail(path, "'files' must map each file to its size and sha256")
    return manifest


def _check_sequence(path: str, s: dict) -> None:
    keys = {"name", "num_frames", "width", "height", "fps", "video", "image_dir"}
    if not keys <= set(s):
        raise _fail(path, f"sequence {s.get('name')!r} must have {', '.join(sorted(keys))}")
    n = s["num_frames"]
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_FRAMES:
        raise _fail(path, f"sequence {s['name']!r} has num_frames {str(n)[:20]}, not 0..{MAX_FRAMES}")
    for key in ("width", "height"):
        v = s[key]
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 < v <= 100_000):
            raise _fail(path, f"sequence {s['name']!r} has {key} {str(v)[:20]}")
    if s["width"] and s["height"] and s["width"] * s["height"] > MAX_IMAGE_PIXELS:
        raise _fail(path, f"sequence {s['name']!r} has a {s['width']}x{s['height']} frame, above the pixel limit")
    fps = s["fps"]
    if fps is not None and (not isinstance(fps, (int, float)) or isinstance(fps, bool) or not math.isfinite(fps)
                            or fps <= 0):
        raise _fail(path, f"sequence {s['name']!r} has fps {str(fps)[:20]}")
    for key in ("video", "image_dir"):
        if s[key] is not None and not isinstance(s[key], str):
            raise _fail(path, f"sequence {s['name']!r} has a {key} that is not a path")


def check_metrics(path: str, metrics: object, trackers: Sequence[str], sequences: Sequence[str],
                  combined: str) -> dict:
    """``metrics[tracker][sequence | COMBINED][field]`` of numbers or lists of numbers, for every
    tracker and sequence of the manifest."""
    def bad(what: str) -> InputError:
        return InputError(path, f"the run's metrics.json {what}.", _FIX)

    if not isinstance(metrics, dict):
        raise bad("is not a JSON object")
    for tr in trackers:
        per_seq = metrics.get(tr)
        if not isinstance(per_seq, dict):
            raise bad(f"has no metrics for tracker {tr!r}")
        for seq in [*sequences, combined]:
            fields = per_seq.get(seq)
            if not isinstance(fields, dict) or not fields:
                raise bad(f"has no metrics for {tr!r} / {seq!r}")
            for key, value in fields.items():
                values = value if isinstance(value, list) else [value]
                if isinstance(value, str) or not all(v is None or (isinstance(v, (int, float)) and
                                                                   not isinstance(v, bool)) for v in values):
                    raise bad(f"has a value of {key!r} for {tr!r} / {seq!r} that is not a number")
    return metrics


def check_class_metrics(path: str, metrics: object, trackers: Sequence[str], classes: Sequence[str],
                        sequences: Sequence[str], combined: str) -> dict:
    """A run with classes: ``metrics[tracker][class][sequence | COMBINED][field]``, each class as
    ``check_metrics`` checks a run without classes."""
    if not isinstance(metrics, dict) or not all(isinstance(metrics.get(tr), dict) for tr in trackers):
        raise InputError(path, "the run's metrics.json has no per-class metrics for every tracker.", _FIX)
    for c in classes:
        check_metrics(path, {tr: metrics[tr].get(c) for tr in trackers}, trackers, sequences, combined)
    return metrics


def check_combined(path: str, combined: object, trackers: Sequence[str]) -> dict:
    """The class combinations of a run with classes: ``combined[tracker][combination][field]``."""
    if not isinstance(combined, dict) or not all(isinstance(combined.get(tr), dict) for tr in trackers):
        raise InputError(path, "the run's class combinations are not one object per tracker.", _FIX)
    for tr in trackers:
        for name, fields in combined[tr].items():
            check_metrics(path, {tr: {name: fields}}, [tr], [], name)
    return combined


def check_files(run_dir: str, folder: str, files: dict | None) -> None:
    """Before a run's analysis folder is read: every file listed for it in the manifest is a regular
    file of the recorded size and checksum, and every Parquet table's row count is sane."""
    rel = os.path.relpath(folder, run_dir).replace(os.sep, "/")
    if files is None:  # a run saved before checksums: the files are still checked for kind and rows
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        listed = {f"{rel}/{n}": None for n in names}
    else:
        listed = {k: v for k, v in files.items() if k.startswith(rel + "/")}
        if not listed:
            raise InputError(folder, "the manifest lists no files for this analysis (a partial run?).", _FIX)
    for key, expected in listed.items():
        check_file(os.path.join(run_dir, *key.split("/")), expected)


def check_file(path: str, expected: dict | None) -> None:
    """One file of a run: regular, of the size and checksum the manifest records (when it does), and
    for a Parquet table, of a sane row count."""
    size = regular_file(path, "file")
    if expected is not None and (size != expected["size"] or _sha256(path) != expected["sha256"]):
        raise InputError(path, "this file does not match the checksum in the run's manifest (changed, "
                         "truncated or from another save).", _FIX)
    if path.endswith(".parquet"):
        check_parquet_rows(path, size)


def check_parquet_rows(path: str, size: int) -> int:
    """The row count from a Parquet file's footer, refused when above ``MAX_TABLE_ROWS`` or when
    the file is too small to hold that many real rows (a few bytes of constant rows expand to GB)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a damaged file
        raise InputError(path, f"not a readable Parquet file ({' '.join(str(exc).split())[:160]}).", _FIX) from None
    rows = meta.num_rows
    if rows > MAX_TABLE_ROWS or rows > max(100_000, size / MIN_PARQUET_BYTES_PER_ROW):
        raise InputError(path, f"this table claims {rows:,} rows in {size / 1024**2:,.1f} MiB; that is not a "
                         "table a run writes, and loading it would take too much memory.", _FIX)
    return rows


def confine_frames(sequences: list[dict], roots: Sequence[str]) -> tuple[list[dict], list[str]]:
    """The sequences with each video / image folder outside ``roots`` (links followed) set to None,
    and a note for each: a run must not make a report embed, or the app show, files it names."""
    real_roots = [os.path.realpath(r) for r in roots]
    kept, notes = [], []
    for s in sequences:
        s = dict(s)
        for key in ("video", "image_dir"):
            if s[key] is None:
                continue
            real = os.path.realpath(s[key])
            if not any(os.path.commonpath([real, r]) == r for r in real_roots):
                notes.append(f"The frames of {s['name']} ({s[key][:200]}) are outside the run and the allowed data "
                             "folders: they are not shown (pass --data-root with their folder to allow them).")
                s[key] = None
        kept.append(s)
    return kept, notes
