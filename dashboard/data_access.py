"""What a served dashboard may read: folders typed in the app are confined to the data roots given
at start (``tracklens dashboard --data-root DIR``, the folders on the command line, the bundled
sample). Paths are resolved with ``os.path.realpath`` first, so neither ``../`` nor a symbolic link
can lead outside a root.

Uploaded files never land in a data root: ``tracklens.dashboard.uploads`` writes them to a private temporary
folder, which is then opened like typed folders.

The functions at the top are pure (no Streamlit); ``open_data_form`` at the bottom is the sidebar
form that uses them. A failed open leaves the workspace already shown in place.
"""
from __future__ import annotations

import argparse
import os
import re
from typing import Iterable, Sequence

from tracklens.errors import InputError
from tracklens.layout import Layout, resolve

from . import uploads
from .loading import SAMPLE, Source
from .text import plain

_ROOTS_FIX = "Type a folder inside one of them, or restart with 'tracklens dashboard --data-root FOLDER'."


def _real(path: str) -> str:
    try:
        return os.path.realpath(os.path.expanduser(path))
    except (ValueError, OSError) as exc:  # embedded NUL byte, unreadable cwd
        raise InputError(path[:200], f"not a usable path ({exc}).", "Type a plain folder path.") from None


def _inside(real: str, root: str) -> bool:
    try:
        return os.path.commonpath([real, root]) == root
    except ValueError:  # different drives (Windows)
        return False


def confine(path: str, roots: Sequence[str]) -> str:
    """``path`` resolved (links followed, ``..`` removed) when it lies inside one of ``roots``.

    A relative path is taken relative to the first root that holds it (else the first root).
    Raises ``InputError`` for an empty path and for anything that resolves outside every root.
    """
    text = (path or "").strip()
    if not text:
        raise InputError("(empty)", "no folder given.", "Type the path of a folder.")
    real_roots = [_real(r) for r in roots]
    if not real_roots:
        raise InputError(text, "this dashboard was started without any data folder it may read.",
                         "Restart it with 'tracklens dashboard --data-root FOLDER'.")
    if os.path.isabs(os.path.expanduser(text)):
        real = _real(text)
    else:
        candidates = [_real(os.path.join(r, text)) for r in real_roots]
        real = next((c for c in candidates if os.path.exists(c)), candidates[0])
    if any(_inside(real, r) for r in real_roots):
        return real
    raise InputError(text[:200], "this path is outside the data folders this dashboard may read "
                     f"({', '.join(real_roots)}; links are followed before checking).", _ROOTS_FIX)


def data_roots(argv: Sequence[str]) -> tuple[str, ...]:
    """The data roots of the app's arguments: every ``--data-root``, the folders given (gt, trackers,
    video, seqmap's folder, run dir) and the bundled sample; resolved, without duplicates."""
    p = argparse.ArgumentParser(add_help=False)  # the flags of loading.parse_source, and --data-root
    p.add_argument("run_dir", nargs="?")
    p.add_argument("--data-root", action="append", default=[])
    for flag in ("--gt-folder", "--trackers-folder", "--video-folder", "--seqmap", "--benchmark", "--split"):
        p.add_argument(flag)
    p.add_argument("--trackers", nargs="+")
    p.add_argument("--no-preproc", action="store_true")
    a, _ = p.parse_known_args(list(argv))
    given = [*a.data_root, a.gt_folder, a.trackers_folder, a.video_folder,
             os.path.dirname(a.seqmap) if a.seqmap else None, a.run_dir, str(SAMPLE)]
    roots: list[str] = []
    for folder in given:
        if folder:
            real = os.path.realpath(folder)
            if os.path.isdir(real) and real not in roots:
                roots.append(real)
    return tuple(roots)


def layout_files(layout: Layout) -> Iterable[str]:
    """Every path evaluating and showing ``layout`` reads (frame images only where they are links)."""
    for seq in layout.sequences:
        yield from (seq.gt, seq.seqinfo, *seq.trackers.values())
        if seq.video:
            yield seq.video
        if seq.image_dir:
            yield seq.image_dir
            with os.scandir(seq.image_dir) as entries:
                yield from (e.path for e in entries if e.is_symlink())


def benchmark_name(text: str | None) -> str:
    """The benchmark typed in a form, checked: it becomes part of a folder name (<gt>/<BENCH>-<split>)."""
    benchmark = (text or "").strip() or "MOT17"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_+-]*", benchmark):
        raise InputError(benchmark[:60], "not a benchmark name.", "Type a name such as MOT17 or DanceTrack.")
    return benchmark


def open_folders(gt_folder: str, trackers_folder: str, video_folder: str | None, benchmark: str,
                 roots: Sequence[str], split: str = "train") -> Source:
    """The ``Source`` for folders typed in the app, after checking that they, and every file the
    layout resolves inside them, stay inside ``roots``. Raises ``InputError`` otherwise."""
    gt = confine(gt_folder, roots)
    trackers = confine(trackers_folder, roots)
    video = confine(video_folder, roots) if video_folder and video_folder.strip() else None
    benchmark = benchmark_name(benchmark)
    default_seqmap = os.path.join(gt, "seqmaps", f"{benchmark}-{split}.txt")  # resolve() reads it if there
    if os.path.lexists(default_seqmap):
        confine(default_seqmap, roots)
    layout = resolve(gt, trackers, benchmark, split, None, None, video)
    for path in layout_files(layout):
        try:
            confine(path, roots)
        except InputError:
            raise InputError(path, "this file is a link to a place outside the data folders this dashboard "
                             "may read.", "Copy the file into the data folder instead of linking it.") from None
    return Source(gt_folder=gt, trackers_folder=trackers, video_folder=video, benchmark=benchmark, split=split)


def describe(exc: BaseException) -> str:
    """One line for the user: an ``InputError`` as it is, anything else with its type."""
    return str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"


# ------------------------------------------------------------------------------------ Streamlit glue

OPENED = "_opened_source"  # session key: the Source opened with the form (overrides the command line)
OPEN_ERROR = "_open_error"
UPLOAD_DIR = "_upload_dir"  # session key: uploads.Owned, the temporary folder of the uploaded data shown now


def _opened(source: Source, upload_dir: str | None = None) -> None:
    """Show ``source`` from now on; drop the previous upload (its folder and its cached workspace)."""
    import streamlit as st

    from .loading import load_workspace

    ss = st.session_state
    previous, previous_dir = ss.get(OPENED), ss.get(UPLOAD_DIR)
    if previous_dir is not None:
        previous_dir.drop()
        load_workspace.clear(previous)
    ss.pop(OPEN_ERROR, None)
    ss[OPENED] = source
    ss[UPLOAD_DIR] = uploads.Owned(upload_dir) if upload_dir else None
    ss["_state_ready"] = False  # re-pick sequence and tracker for the new workspace
    ss.pop("frame", None)
    ss.pop("track", None)


def _on_open(roots: tuple[str, ...]) -> None:
    import streamlit as st

    from .loading import load_workspace

    ss = st.session_state
    try:
        source = open_folders(ss.get("open_gt", ""), ss.get("open_trackers", ""), ss.get("open_video"),
                              ss.get("open_benchmark", "MOT17"), roots)
        load_workspace(source)  # evaluates now: bad data fails here, before anything is replaced
    except Exception as exc:  # noqa: BLE001 - whatever the data does, the app keeps the old workspace
        ss[OPEN_ERROR] = f"**Could not open these folders; the data shown is unchanged.** {plain(describe(exc))}"
        return
    _opened(source)


def _on_upload(roots: tuple[str, ...]) -> None:
    import streamlit as st

    from .loading import load_workspace

    ss = st.session_state
    folder = None
    try:
        benchmark = benchmark_name(ss.get("upload_benchmark"))
        gt = ss.get("upload_gt")
        folder = uploads.upload_folder()
        if any(_inside(_real(folder), _real(r)) for r in roots):  # TMPDIR set inside a data root
            raise InputError(folder, "the temporary folder for uploads is inside a data folder.",
                             "Start the dashboard with TMPDIR set to a folder outside the data folders.")
        files = [(f.name, f.getvalue()) for f in ss.get("upload_trackers") or []]
        uploads.within_quota([*files, *([(gt.name, gt.getvalue())] if gt is not None else [])])
        source = uploads.write_upload(
            (gt.name, gt.getvalue()) if gt is not None else None, files, folder, benchmark,
            ss.get("upload_sequence") or "", int(ss.get("upload_length") or 0),
            max_zip_bytes=st.get_option("server.maxUploadSize") * uploads.ZIP_FACTOR * 1024**2)
        load_workspace(source)  # evaluates now: bad data fails here, before anything is replaced
    except Exception as exc:  # noqa: BLE001 - whatever the upload holds, the app keeps the old workspace
        uploads.remove(folder)
        message = describe(exc)
        for path in {folder, os.path.realpath(folder)} if folder else ():  # the private path means nothing
            message = message.replace(path, "upload")
        ss[OPEN_ERROR] = f"**Could not open the uploaded files; the data shown is unchanged.** {plain(message)}"
        return
    _opened(source, folder)


def open_data_form(roots: tuple[str, ...], current: Source) -> None:
    """Sidebar expander: type a ground-truth and a trackers folder (and a video folder) to open, or
    upload the files."""
    import streamlit as st

    error = st.session_state.get(OPEN_ERROR)
    limit = st.get_option("server.maxUploadSize")
    with st.expander("Open data", icon=":material/folder_open:", expanded=bool(error)):
        if error:
            st.error(error)
        folders, upload = st.tabs(["Folders", "Upload"])
        with folders:
            with st.form("open_data", border=False):
                st.text_input("Ground-truth folder", key="open_gt", placeholder="<root>/gt")
                st.text_input("Trackers folder", key="open_trackers", placeholder="<root>/trackers")
                st.text_input("Video folder (optional)", key="open_video")
                st.text_input("Benchmark", key="open_benchmark", value=current.benchmark,
                              help="MOT15, MOT16, MOT17, MOT20, ... (decides the preprocessing)")
                st.form_submit_button("Open", key="open_submit", on_click=_on_open, args=(roots,))
            st.caption("Readable folders: " + ", ".join(f"`{r}`" for r in roots))
        with upload:
            with st.form("upload_data", border=False):
                st.file_uploader(
                    "Ground truth: gt.txt, or a .zip of everything", type=["txt", "zip"], key="upload_gt",
                    help=f"Up to {limit} MB per file. A MOTChallenge gt.txt (one sequence), or a .zip holding "
                         "gt/ and trackers/ folders: gt/<seq>/gt/gt.txt (+ seqinfo.ini) and "
                         "trackers/<tracker>/<seq>.txt, or TrackEval's gt/<BENCH>-<split>/... and "
                         f"trackers/<BENCH>-<split>/<tracker>/data/<seq>.txt. A zip may unpack to "
                         f"{limit * uploads.ZIP_FACTOR} MB.")
                st.file_uploader(
                    "Tracker results (.txt, one per tracker)", type=["txt"], accept_multiple_files=True,
                    key="upload_trackers", help=f"Up to {limit} MB per file. MOTChallenge result files of the "
                    "same sequence; each file's name is its tracker's name (masa.txt: tracker 'masa'). "
                    "Leave empty with a .zip.")
                st.text_input("Sequence name (optional)", key="upload_sequence", placeholder="upload",
                              help="The name the sequence is shown with (a gt.txt upload).")
                st.number_input("Sequence length in frames (0: from the files)", key="upload_length",
                                min_value=0, max_value=uploads.MAX_FRAMES, value=0, step=1,
                                help="Without a seqinfo.ini the length is the largest frame number in the "
                                     "uploaded files; give it when the last frames hold no boxes.")
                st.text_input("Benchmark", key="upload_benchmark", value=current.benchmark,
                              help="MOT15, MOT16, MOT17, MOT20, ... (decides the preprocessing); a zip's "
                                   "gt/<BENCH>-<split>/ folder overrides it.")
                st.form_submit_button("Open uploaded files", key="upload_submit", on_click=_on_upload,
                                      args=(roots,))
            st.caption(f"Up to {limit} MB per file (server.maxUploadSize). The files are copied to a private "
                       "temporary folder, never into the data folders, and deleted when other data is opened.")
