"""Uploaded files into a private temporary folder laid out as ``tracklens.layout`` reads it, so an upload is
opened exactly like typed folders (``Source`` -> ``Workspace.from_folders``) and core validates it.

Two shapes are accepted (see the help text of the sidebar "Open data" > "Upload" form):

* one ground-truth file (MOTChallenge ``gt.txt``) and tracker result files, each file's name being the
  tracker's name: one sequence, whose length is the one given, else the largest frame in the files;
* one ``.zip`` holding ``gt/`` and ``trackers/`` folders (plain or TrackEval layout), at its top or
  inside a folder; a sequence without ``seqinfo.ini`` gets its length from its files the same way.

Nothing the user sends becomes a path unchecked: file names are reduced to ``[A-Za-z0-9._+-]``; zip
entries with an absolute path or ``..`` (zip-slip) are refused, and so is a zip that unpacks to more
than ``max_bytes`` (zip bomb). Pure functions, no Streamlit.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import weakref
import zipfile
from typing import Sequence

from .cli import MAX_UPLOAD_MB
from tracklens.errors import InputError
from tracklens.formats.motchallenge import MAX_FRAMES
from tracklens.layout import Layout, resolve

from .loading import Source

ZIP_FACTOR = 5  # a zip may unpack to this many times the upload limit (MOT text compresses ~5x)
MAX_ZIP_BYTES = MAX_UPLOAD_MB * ZIP_FACTOR * 1024**2
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_RATIO = 50  # unpacked / zipped: MOT text deflates ~5-10x, frames barely; 1000x is a bomb
SESSION_QUOTA_MB = 2 * MAX_UPLOAD_MB  # what one session may upload at once (gt + every tracker file)
_TEXT_FIX = "Upload MOTChallenge text files (UTF-8 or ASCII, one 'frame, id, x, y, w, h, ...' row per line)."
_ZIP_FIX = ("Zip a folder holding gt/<seq>/gt/gt.txt and trackers/<tracker>/<seq>.txt (or TrackEval's "
            "gt/<BENCH>-<split>/<seq>/... and trackers/<BENCH>-<split>/<tracker>/data/<seq>.txt).")

Upload = tuple[str, bytes]  # (file name as the browser sent it, content)


def upload_folder() -> str:
    """A new private folder (mode 0700) in the system's temporary folder, one per upload: a reused
    path would hand back the workspace cached for the previous upload."""
    return tempfile.mkdtemp(prefix="tracklens-upload-")


def safe_name(name: str, what: str) -> str:
    """``name`` as a plain file name: the last path part, without ``.txt``, every character outside
    ``[A-Za-z0-9._+-]`` made ``_`` and no leading dot; ``InputError`` when nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem = base[:-4] if base.lower().endswith(".txt") else base
    clean = re.sub(r"[^A-Za-z0-9._+-]", "_", stem).lstrip(".")[:100]
    if not clean.strip("_.-"):
        raise InputError(repr(name)[:200], f"cannot make a {what} name of this.",
                         "Name it with letters and digits (e.g. MOT17-02 for a sequence, masa.txt for a tracker).")
    return clean


def _text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(name, f"this is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); "
                         "a binary file or another encoding?", _TEXT_FIX) from None


_FRAME = re.compile(r"^[ \t]*(\d+(?:\.\d*)?)", re.M)


def max_frame(name: str, data: bytes) -> int:
    """The largest frame number (first column) in a MOT text file; 0 when it has no rows. Rows whose
    first cell is not a number are left for core's reader to explain with their line."""
    largest = max((float(m) for m in _FRAME.findall(_text(name, data))), default=0.0)
    return int(min(largest, MAX_FRAMES + 1))  # beyond MAX_FRAMES (or inf) is refused as too long anyway


def _seqinfo(path: str, name: str, length: int, source: str) -> None:
    if length <= 0:
        raise InputError(source, f"no frames in sequence '{name}' to take its length from.",
                         "Give the sequence length, or upload files with rows.")
    if length > MAX_FRAMES:
        raise InputError(source, f"a frame number is above {MAX_FRAMES} (the most frames a sequence may have).",
                         "Check that column 1 holds the frame number.")
    with open(path, "w", encoding="utf-8") as fp:
        fp.write(f"[Sequence]\nname={name}\nseqLength={length}\n")


def write_upload(gt: Upload | None, trackers: Sequence[Upload], folder: str, benchmark: str = "MOT17",
                 sequence: str = "", length: int = 0, max_zip_bytes: int = MAX_ZIP_BYTES) -> Source:
    """Either shape of upload into ``folder`` (a .zip as the ground truth, else text files)."""
    if gt is not None and (gt[0].lower().endswith(".zip") or gt[1][:2] == b"PK"):
        if trackers:
            raise InputError(gt[0], "a zip holds the trackers as well, but tracker files were uploaded too.",
                             "Remove the separate tracker files, or upload a gt.txt instead of the zip.")
        return extract_zip(gt[0], gt[1], folder, benchmark, max_zip_bytes)
    return write_files(gt, trackers, folder, benchmark, sequence, length)


def write_files(gt: Upload | None, trackers: Sequence[Upload], folder: str, benchmark: str = "MOT17",
                sequence: str = "", length: int = 0) -> Source:
    """A ground-truth file and tracker files as ``folder/gt/<seq>/{gt/gt.txt, seqinfo.ini}`` and
    ``folder/trackers/<tracker>/<seq>.txt``; the ``Source`` that opens them."""
    if gt is None or not gt[0]:
        raise InputError("(no file)", "no ground-truth file uploaded.", "Choose a gt.txt file (or a .zip).")
    if not trackers:
        raise InputError(gt[0], "no tracker result uploaded.",
                         "Choose one .txt file per tracker (the file name is the tracker's name).")
    seq = safe_name(sequence.strip() or "upload", "sequence")
    names = [safe_name(n, "tracker") for n, _ in trackers]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(", ".join(twice), "two uploaded tracker files have the same name.",
                         "Give each tracker's file its own name.")
    if not gt[1].strip():
        raise InputError(gt[0], "the ground-truth file is empty.", "Upload the sequence's gt.txt.")
    for name, data in (gt, *trackers):
        _text(name, data)
    seq_dir = os.path.join(folder, "gt", seq)
    os.makedirs(os.path.join(seq_dir, "gt"))
    with open(os.path.join(seq_dir, "gt", "gt.txt"), "wb") as fp:
        fp.write(gt[1])
    if length <= 0:
        length = max(max_frame(n, d) for n, d in (gt, *trackers))
    _seqinfo(os.path.join(seq_dir, "seqinfo.ini"), seq, length, gt[0])
    for name, (_, data) in zip(names, trackers):
        os.makedirs(os.path.join(folder, "trackers", name))
        with open(os.path.join(folder, "trackers", name, f"{seq}.txt"), "wb") as fp:
            fp.write(data)
    return Source(gt_folder=os.path.join(folder, "gt"), trackers_folder=os.path.join(folder, "trackers"),
                  benchmark=benchmark, upload=_label(gt[0], *(n for n, _ in trackers)))


def extract_zip(name: str, data: bytes, folder: str, benchmark: str = "MOT17",
                max_bytes: int = MAX_ZIP_BYTES) -> Source:
    """Unpack a zip of ``gt/`` and ``trackers/`` into ``folder`` after checking every entry; write a
    ``seqinfo.ini`` where a sequence has none; the ``Source`` that opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise InputError(name, "this is not a zip archive (or it is damaged).", _ZIP_FIX) from None
    entries = [e for e in archive.infolist() if not e.is_dir() and not e.filename.startswith("__MACOSX/")]
    if not entries:
        raise InputError(name, "the zip holds no files.", _ZIP_FIX)
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InputError(name, f"the zip holds {len(entries)} files, more than {MAX_ZIP_ENTRIES}.", _ZIP_FIX)
    for e in entries:
        parts = re.split(r"[\\/]", e.filename)
        if e.filename.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", e.filename):
            raise InputError(f"{name}: {e.filename[:200]}", "a zip entry with an absolute path is refused.",
                             "Zip the folder with relative paths (cd into it first).")
        if ".." in parts or any(c < " " for c in e.filename):
            raise InputError(f"{name}: {e.filename[:200]}", "a zip entry with '..' or a control character in "
                             "its path is refused (it could write outside the upload folder).",
                             "Zip the folder with plain relative paths.")
    total = sum(e.file_size for e in entries)
    if total > max_bytes:
        raise InputError(name, f"the zip unpacks to {total / 1024**2:,.0f} MiB, above the "
                         f"{max_bytes / 1024**2:,.0f} MiB limit.", "Upload fewer sequences at a time.")
    if total > MAX_ZIP_RATIO * max(len(data), 64 * 1024):
        raise InputError(name, f"the zip unpacks to {total / 1024**2:,.1f} MiB from {len(data) / 1024**2:,.1f} MiB, "
                         f"more than {MAX_ZIP_RATIO} times its size (a zip bomb?).",
                         "Zip the text files with ordinary compression, or upload fewer sequences at a time.")
    written = 0
    top = os.path.realpath(folder)
    for e in entries:
        target = os.path.realpath(os.path.join(top, *(p for p in re.split(r"[\\/]", e.filename) if p not in ("", "."))))
        if os.path.commonpath([target, top]) != top or target == top:  # belt and braces after the checks above
            raise InputError(f"{name}: {e.filename[:200]}", "this entry would be written outside the upload folder.",
                             "Zip the folder with plain relative paths.")
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(e) as src, open(target, "xb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > max_bytes:  # zipfile stops at the declared size (then fails the CRC); counted anyway
                        raise InputError(name, f"the zip unpacks to more than {max_bytes / 1024**2:,.0f} MiB.",
                                         "Upload fewer sequences at a time.")
                    dst.write(chunk)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError) as exc:
            raise InputError(f"{name}: {e.filename[:200]}", f"cannot unpack this entry ({exc}).",
                             "Zip it again (without a password, with the usual 'deflate' compression).") from None
    root = _gt_and_trackers(top, name)
    gt, trackers = os.path.join(root, "gt"), os.path.join(root, "trackers")
    benchmark, split = _benchmark_split(gt, benchmark)
    try:
        layout = resolve(gt, trackers, benchmark, split)
    except InputError as exc:  # the private folder's path means nothing to the user
        raise InputError(exc.path.replace(top, name, 1), exc.reason, exc.fix, exc.line) from None
    inside(layout, top, name)
    for seq in layout.sequences:
        if not os.path.exists(seq.seqinfo):
            files = [p for p in (seq.gt, *seq.trackers.values()) if os.path.isfile(p)]  # core explains others
            length = max((max_frame(p.replace(top, name, 1), _read(p)) for p in files), default=0)
            _seqinfo(seq.seqinfo, seq.name, length, seq.gt.replace(top, name, 1))
    return Source(gt_folder=gt, trackers_folder=trackers, benchmark=benchmark, split=split, upload=_label(name))


def inside(layout: Layout, top: str, name: str) -> None:
    """Refuse a layout naming any file outside ``top`` (links followed): every path the upload's
    evaluation and frames would read, or a missing ``seqinfo.ini`` would be written to."""
    for seq in layout.sequences:
        paths = [seq.gt, seq.seqinfo, *seq.trackers.values(), seq.video, seq.image_dir]
        for path in filter(None, paths):
            real = os.path.realpath(path)
            if os.path.commonpath([real, top]) != top:
                raise InputError(name, f"sequence '{seq.name}' would be read from outside the upload.",
                                 "Zip the folder with plain relative paths and no links.")


def within_quota(files: Sequence[Upload], quota_mb: int = SESSION_QUOTA_MB) -> None:
    """Refuse one upload (ground truth + tracker files) above the per-session quota."""
    total = sum(len(data) for _, data in files)
    if total > quota_mb * 1024**2:
        raise InputError(f"{len(files)} files", f"this upload is {total / 1024**2:,.0f} MiB, above the "
                         f"{quota_mb:,} MiB one session may upload at once.", "Upload fewer or smaller files.")


def _label(*names: str) -> str:
    """The uploaded file names for the sidebar caption (plain characters only: it is Markdown)."""
    text = " + ".join(re.sub(r"[^A-Za-z0-9._+-]", "_", re.split(r"[\\/]", n)[-1]) for n in names)
    return text if len(text) <= 120 else text[:117] + "..."


def _read(path: str) -> bytes:
    with open(path, "rb") as fp:
        return fp.read()


def _gt_and_trackers(top: str, name: str) -> str:
    """The shallowest folder (3 levels at most) holding both ``gt/`` and ``trackers/``."""
    level = [top]
    for _ in range(4):
        for folder in level:
            if os.path.isdir(os.path.join(folder, "gt")) and os.path.isdir(os.path.join(folder, "trackers")):
                return folder
        level = [e.path for f in level for e in os.scandir(f) if e.is_dir(follow_symlinks=False)]
    raise InputError(name, "no folder in the zip holds both gt/ and trackers/.", _ZIP_FIX)


def _benchmark_split(gt: str, benchmark: str) -> tuple[str, str]:
    """TrackEval's ``gt/<BENCH>-<split>/`` decides benchmark and split when it is the only one."""
    split_dirs = [e.name for e in os.scandir(gt) if e.is_dir() and "-" in e.name
                  and not os.path.exists(os.path.join(e.path, "gt", "gt.txt"))]
    if len(split_dirs) == 1:
        bench, _, split = split_dirs[0].rpartition("-")
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_+-]*", bench) and split:
            return bench, split
    return benchmark, "train"


def remove(folder: str | None) -> None:
    """Delete an upload folder (only ever one ``upload_folder`` made)."""
    if folder and os.path.basename(folder).startswith("tracklens-upload-"):
        shutil.rmtree(folder, ignore_errors=True)


class Owned:
    """An upload folder kept in a session's state: deleted by ``drop()``, else when the session (and
    so this object) goes, else at exit, so uploaded data does not pile up in the temporary folder."""

    def __init__(self, path: str):
        self.path = path
        self.drop = weakref.finalize(self, remove, path)
