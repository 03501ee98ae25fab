"""Atomic writes: a file or a folder appears whole under its name, or not at all.

Everything is written under a temporary name in the destination's own folder (so the final rename
never crosses a file system), flushed to disk, then renamed over the destination. A kill or a full
disk at any point leaves the previous file (or run folder) untouched and at most a hidden
``.NAME.*.tmp*`` beside it, which the next write of the same name removes.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from typing import IO, Iterator

from .errors import InputError

_RENAME_EXCHANGE = 2  # renameat2 flag (Linux): swap two paths in one step


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _tmp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}."


def _sweep(path: str) -> None:
    """Remove what an earlier, killed write of ``path`` left (``.NAME.*.tmp*`` files and folders)."""
    folder, prefix = os.path.dirname(os.path.abspath(path)), _tmp_prefix(path)
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix) and ".tmp" in n[len(prefix):]]
    except OSError:
        return
    for name in names:
        stale = os.path.join(folder, name)
        if os.path.isdir(stale) and not os.path.islink(stale):
            shutil.rmtree(stale, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(stale)


@contextlib.contextmanager
def atomic_path(path: str, suffix: str = "") -> Iterator[str]:
    """A temporary file name beside ``path`` to write to (for writers that take a name, such as a
    video encoder; ``suffix`` keeps an extension they look at); renamed to ``path`` when the block
    ends without an exception, deleted otherwise."""
    folder = os.path.dirname(os.path.abspath(path))
    _sweep(path)
    fd, tmp = tempfile.mkstemp(prefix=_tmp_prefix(path), suffix=f".tmp{suffix}", dir=folder)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fp:
            os.fsync(fp.fileno())
        os.replace(tmp, path)
        _fsync_dir(folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_file(path: str, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """``open(path, mode)`` that only replaces ``path`` once everything was written."""
    with atomic_path(path) as tmp:
        with open(tmp, mode, encoding=None if "b" in mode else encoding) as fp:
            yield fp
            fp.flush()


def write_text(path: str, text: str) -> None:
    with atomic_file(path) as fp:
        fp.write(text)


def write_json(path: str, data: object, **kwargs) -> None:
    with atomic_file(path) as fp:
        json.dump(data, fp, **kwargs)


def _exchange(a: str, b: str) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not available."""
    import ctypes  # only replacing a folder needs it (ctypes.util loads subprocess)
    import ctypes.util

    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), b)


@contextlib.contextmanager
def atomic_dir(path: str) -> Iterator[str]:
    """A temporary folder beside ``path`` to fill; when the block ends without an exception it
    replaces ``path`` whole (an existing folder is swapped out in one step, then deleted); otherwise
    it is deleted and ``path`` is left as it was."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    _sweep(path)
    tmp = tempfile.mkdtemp(prefix=_tmp_prefix(path), suffix=".tmp", dir=folder)
    try:
        yield tmp
        _fsync_tree(tmp)
        if os.path.isdir(path) and not os.path.islink(path):
            if _exchange(tmp, path):  # tmp now holds the old run
                _fsync_dir(folder)
                shutil.rmtree(tmp, ignore_errors=True)
                return
            old = tempfile.mkdtemp(prefix=_tmp_prefix(path), suffix=".tmp", dir=folder)
            os.rename(path, os.path.join(old, "old"))  # no swap: a moment without `path`, never a mix
        os.rename(tmp, path)
        _fsync_dir(folder)
    finally:
        _sweep(path)


def _fsync_tree(folder: str) -> None:
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as fp:
                os.fsync(fp.fileno())
        _fsync_dir(root)


def check_output_file(path: str, flag: str) -> None:
    """Before any work: ``path`` can be written as a file (its folder exists and is writable, it is
    not a folder). ``InputError`` naming ``flag`` otherwise."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError(path, f"{flag} names a folder; it needs a file name.", f"Pass {flag} FOLDER/NAME.")
    if not os.path.isdir(folder):
        raise InputError(path, f"the folder of {flag} does not exist.", "Create the folder first, or pick another path.")
    _writable(folder, path, flag)


def make_parent(path: str, flag: str) -> None:
    """Create the folder ``path`` goes into (report and clip create it); ``InputError`` when that fails."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise InputError(path, f"cannot create the folder of {flag} ({exc.strerror or exc}).",
                         "Pick a folder you may write to.") from None


def check_output_dir(path: str, flag: str) -> None:
    """Before any work: ``path`` can be created or replaced as a folder."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError(path, f"{flag} names a file; it needs a folder.", f"Pass {flag} with a folder path.")
    if not os.path.isdir(folder):
        raise InputError(path, f"the folder holding {flag} does not exist.", "Create it first, or pick another path.")
    _writable(folder, path, flag)


def _writable(folder: str, path: str, flag: str) -> None:
    try:
        fd, probe = tempfile.mkstemp(prefix=_tmp_prefix(path), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(path, f"cannot write {flag} there ({exc.strerror or exc}).",
                         "Pick a folder you may write to (and with free space).") from None
    os.close(fd)
    os.unlink(probe)
