"""What the app opens: the command line after ``--`` (a saved run, or data folders), else the
bundled sample; cached so a page switch or a widget change never re-evaluates."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from dataclasses import dataclass

import numpy as np
import streamlit as st

from tracklens.run import RunInputs
from tracklens.workspace import Workspace

from .ahead import Ahead
from .display import DrawList, frame_jpeg, index_frames
from .frames import MAX_PIXELS, BlankFrames, FrameSource, open_frames

from tracklens.assets import SAMPLE  # noqa: E402  (package data)


@dataclass(frozen=True)
class Source:
    """Where the workspace comes from (hashable, so it keys the cache)."""

    run_dir: str | None = None
    gt_folder: str | None = None
    trackers_folder: str | None = None
    video_folder: str | None = None
    benchmark: str = "MOT17"
    split: str = "train"
    seqmap: str | None = None
    trackers: tuple[str, ...] | None = None
    preprocess: bool = True
    upload: str | None = None  # what was uploaded (the folders are then a private temporary copy)

    @property
    def label(self) -> str:
        if self.upload:
            return f"uploaded: {self.upload}"
        if self.run_dir:
            return f"saved run {self.run_dir}"
        if self.gt_folder == str(SAMPLE / "gt"):
            return "bundled sample (MOT15 TUD-Campus / TUD-Stadtmitte)"
        return f"{self.gt_folder} + {self.trackers_folder}"


@dataclass(frozen=True)
class View:
    """What a page shows: where the data comes from and, for a run with classes, which class. Hashable:
    it keys the caches every session on this data shares (a class's boxes are not another class's)."""

    source: Source
    cls: str | None = None

    def workspace(self) -> Workspace:
        ws = load_workspace(self.source)
        return ws.for_class(self.cls) if self.cls is not None else ws


def parse_source(argv: list[str]) -> Source:
    """The app's own arguments (what ``tracklens dashboard`` passes after ``--``)."""
    p = argparse.ArgumentParser(prog="tracklens dashboard", add_help=False)
    p.add_argument("run_dir", nargs="?")
    p.add_argument("--gt-folder")
    p.add_argument("--trackers-folder")
    p.add_argument("--video-folder")
    p.add_argument("--benchmark", default=None)
    p.add_argument("--split", default="train")
    p.add_argument("--seqmap")
    p.add_argument("--trackers", nargs="+")
    p.add_argument("--no-preproc", action="store_true")
    p.add_argument("--data-root", action="append")  # dashboard.data_access's; declared so its value isn't run_dir
    a, _ = p.parse_known_args(argv)
    if a.run_dir:
        return Source(run_dir=os.path.abspath(a.run_dir))
    if a.gt_folder or a.trackers_folder:
        return Source(gt_folder=a.gt_folder, trackers_folder=a.trackers_folder, video_folder=a.video_folder,
                      benchmark=a.benchmark or "MOT17", split=a.split, seqmap=a.seqmap,
                      trackers=tuple(a.trackers) if a.trackers else None, preprocess=not a.no_preproc)
    return Source(gt_folder=str(SAMPLE / "gt"), trackers_folder=str(SAMPLE / "trackers"),
                  video_folder=str(SAMPLE / "videos"), benchmark="MOT15")


@st.cache_resource(show_spinner="Evaluating the trackers (one pass per sequence)…")
def load_workspace(source: Source) -> Workspace:
    if source.run_dir:
        from .data_access import data_roots  # the app's roots: a run shows frames only from inside them

        own_argv = sys.argv[1:] if Path(sys.argv[0]).name == "app.py" else []  # as app.py reads them
        return Workspace.load(source.run_dir, frame_roots=data_roots(own_argv))
    if not source.gt_folder or not source.trackers_folder:
        from tracklens.errors import InputError
        raise InputError(source.gt_folder or source.trackers_folder or "", "both --gt-folder and --trackers-folder are needed.",
                         "Pass both folders, or a saved run directory.")
    return Workspace.from_folders(
        source.gt_folder, source.trackers_folder, benchmark=source.benchmark, split=source.split,
        seqmap=source.seqmap, trackers=list(source.trackers) if source.trackers else None,
        video_folder=source.video_folder, preprocess=source.preprocess, workers=min(2, os.cpu_count() or 1),
        analyse_now=False, metrics_cache=metrics_cache_folder())


def metrics_cache_folder() -> str | None:
    """Where reopened data finds its metrics: $TRACKLENS_CACHE, else $XDG_CACHE_HOME/tracklens (or
    ~/.cache/tracklens); TRACKLENS_CACHE=off disables it. None too when the folder cannot be written
    (read-only, full): the app then works without the cache (``cache_problem`` says why)."""
    configured = os.environ.get("TRACKLENS_CACHE")
    if configured:
        folder = None if configured.lower() == "off" else configured
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "tracklens")
    return folder if folder is not None and cache_problem(folder) is None else None


def cache_warning() -> str | None:
    """Why the configured metrics cache is not used, when it cannot be written (None otherwise)."""
    configured = os.environ.get("TRACKLENS_CACHE")
    if configured and configured.lower() == "off":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return cache_problem(configured or os.path.join(base, "tracklens"))


def cache_problem(folder: str) -> str | None:
    """Why the metrics cache ``folder`` cannot be used (one line), or None when a file can be written there."""
    from tracklens.atomic import check_output_dir
    from tracklens.errors import InputError

    try:
        os.makedirs(folder, exist_ok=True)
        check_output_dir(os.path.join(folder, "probe"), "the metrics cache")
    except (OSError, InputError) as exc:
        return (f"The metrics cache {folder} cannot be written ({getattr(exc, 'reason', None) or exc}); data is "
                "evaluated each time it is opened. Set TRACKLENS_CACHE to a writable folder, or to off.")
    return None


@st.cache_resource(show_spinner=False, max_entries=8)
def frame_source(video: str | None, image_dir: str | None, width: int | None, height: int | None,
                 num_frames: int) -> FrameSource:
    """One open decoder per sequence, shared by reruns (seeks are the expensive part)."""
    try:
        return open_frames(video=video, image_dir=image_dir, width=width or 1280, height=height or 720,
                           num_frames=num_frames)
    except (OSError, ValueError) as exc:  # a corrupt video, an unreadable image folder: keep browsing
        size = (width or 1280, height or 720)
        blank = BlankFrames(size if size[0] * size[1] <= MAX_PIXELS else (1280, 720), num_frames)
        blank.note = f"Cannot show the footage ({exc}); boxes are drawn on a blank canvas."
        return blank


def mot_sequence(inputs: RunInputs, sequence: str, trackers: list[str], what: str):
    """One sequence of a MOTChallenge run read again from its inputs (``resolve_inputs``); raises
    ``InputError`` saying what is missing, or that ``what`` needs MOTChallenge files."""
    from tracklens.compared import load_mot_sequence

    return load_mot_sequence(inputs, sequence, trackers, what)


def _worded(rows):
    """The HOTA variants' rows with what they ignore (the dashboard's words)."""
    from tracklens.compared import VARIANTS

    from .views import TRACKING_NOTES

    rows = rows.copy()
    variant = rows["metric"].isin(VARIANTS)
    rows.loc[variant, "ignores"] = rows.loc[variant, "metric"].map(TRACKING_NOTES)
    return rows


@st.cache_data(show_spinner="Scoring every tracker with every metric…", max_entries=16)
def other_metrics(inputs: RunInputs, sequence: str, trackers: tuple[str, ...]):
    """The metrics a workspace does not hold already (HOTA variants, video-detection metrics): one row
    per (tracker, metric) on one sequence, with which way is better and what the metric ignores."""
    from tracklens.compared import metric_rows

    loaded = mot_sequence(inputs, sequence, list(trackers), "Metrics compared")
    return _worded(metric_rows(inputs, loaded, sequence, trackers))


@st.cache_data(show_spinner=False, max_entries=16)
def ca_hota_curve(inputs: RunInputs, sequence: str, tracker: str):
    """CA-HOTA, ClaA and HOTA (paper matching, class-aware) against alpha for one sequence x tracker."""
    from tracklens.compared import ca_hota_table

    return ca_hota_table(mot_sequence(inputs, sequence, [tracker], "Metrics compared"), sequence, tracker)


@st.cache_data(show_spinner="Evaluating each class on its own…", max_entries=8)
def per_class_table(inputs: RunInputs, trackers: tuple[str, ...]):
    """HOTA / MOTA / IDF1 per ground-truth class (column 8) and both class combinations, per tracker;
    None when the ground truth has a single class, for MOT15 (whose column 8 is a world coordinate), and
    for a run evaluated per class already (its classes are in the sidebar)."""
    from tracklens import compared

    return compared.per_class_table(inputs, trackers)


# A saved run holds these tables (computed once, at save time): read, never evaluated again.

def compared_rows(ws: Workspace, sequence: str):
    """``other_metrics`` of ``ws`` on ``sequence``: from the saved run when it has them."""
    if ws.compared is None:
        return other_metrics(ws.inputs, sequence, tuple(ws.trackers))
    from tracklens.compared import frame_from_json
    return _worded(frame_from_json(ws.compared["sequences"][sequence]["rows"]))


def compared_curve(ws: Workspace, sequence: str, tracker: str):
    """``ca_hota_curve`` of ``ws``: from the saved run when it has it."""
    if ws.compared is None:
        return ca_hota_curve(ws.inputs, sequence, tracker)
    from tracklens.compared import frame_from_json
    return frame_from_json(ws.compared["sequences"][sequence]["curves"][tracker])


def compared_classes(ws: Workspace):
    """``per_class_table`` of ``ws``: from the saved run when it has it."""
    if ws.compared is None:
        return per_class_table(ws.inputs, tuple(ws.trackers))
    from tracklens.compared import frame_from_json
    saved = ws.compared["per_class"]
    return None if saved is None else frame_from_json(saved)


LARGE_SEQUENCE_BOXES = 1_000_000  # gt + tracker boxes above which whole-sequence recomputation waits for a click


def sequence_boxes(ws: Workspace, sequence: str, trackers: list[str]) -> int:
    """Evaluated gt + tracker boxes of ``sequence`` over ``trackers``, from the metrics (no table read)."""
    total = 0
    for t in trackers:
        m = ws.metrics[t][sequence]
        total += int(m["GT_Dets"]) + int(m["CLR_TP"]) + int(m["CLR_FP"])
    return total


def confirm_long_run(ws: Workspace, sequence: str, trackers: list[str], what: str, key: str) -> bool:
    """True when ``what`` may run now: at once on a normal sequence, after a click on a long one (an hour
    of video takes minutes to evaluate again, and a page switch must not start that by surprise)."""
    boxes = sequence_boxes(ws, sequence, trackers)
    allowed = f"{key}_allowed"  # stays set, so later reruns (an alpha change) do not ask again
    if boxes <= LARGE_SEQUENCE_BOXES or st.session_state.get(allowed):
        return True
    st.info(f"{sequence} is long ({boxes:,} boxes): {what} evaluates it again from the input files, which "
            "takes about as long as the first evaluation.")
    st.button(f"Compute {what}", key=key, icon=":material/play_arrow:",
              on_click=lambda: st.session_state.__setitem__(allowed, True))
    return False


# ------------------------------------------------------------------ the inspector's frame, prepared once
# Keyed by the Source (not the workspace object) so every session on the same data shares them; the
# values are never modified after they are made.

DRAW_CHUNK = 256  # frames per cached draw list: a step is a slice, an hour-long sequence is never prepared whole


@st.cache_resource(show_spinner=False, max_entries=32)
def draw_list(view: View, tracker: str, sequence: str, alpha_idx: int, chunk: int) -> DrawList:
    """The overlay rows of one block of DRAW_CHUNK frames at one α, prepared once per (run, sequence,
    tracker, α)."""
    from .views import clear_threshold, overlay_boxes

    ws = view.workspace()
    analysis = ws.analysis(tracker, sequence)
    first = chunk * DRAW_CHUNK + 1
    last = first + DRAW_CHUNK - 1
    rows = overlay_boxes(analysis.box_window(first, last), alpha_idx, clear_threshold(ws.manifest),
                         analysis.identity_event_window(first, last))
    return index_frames(rows, first, last)


def frame_boxes(view: View, tracker: str, sequence: str, alpha_idx: int, frame: int):
    """Frame ``frame``'s overlay rows at one α (a read-only slice of a cached draw list)."""
    return draw_list(view, tracker, sequence, alpha_idx, (frame - 1) // DRAW_CHUNK).frame(frame)


DRAW_AHEAD = 3  # frames drawn in the background past the one shown (``ahead.Ahead``)
_AHEAD = Ahead()


@st.cache_resource(show_spinner=False, max_entries=256)
def frame_picture(view: View, tracker: str, sequence: str, alpha_idx: int, frame: int, show: str,
                  highlight: tuple[str, int] | None) -> bytes:
    """The annotated frame as the inspector shows it: JPEG at display size (``display.frame_jpeg``);
    the next ``DRAW_AHEAD`` frames are drawn in the background meanwhile."""
    from .views import ALPHA_CHOICES

    meta = view.workspace().sequence(sequence)
    frames = frame_source(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames)
    alpha = ALPHA_CHOICES[alpha_idx]
    key = (view, tracker, sequence, alpha_idx, show, highlight)
    picture = _AHEAD.take((*key, frame))
    if picture is None:
        picture = frame_jpeg(frames.frame(frame), frame_boxes(view, tracker, sequence, alpha_idx, frame), show=show,
                             highlight=highlight, alpha=alpha)
    for k in range(frame + 1, min(frame + DRAW_AHEAD, meta.num_frames) + 1):
        boxes = frame_boxes(view, tracker, sequence, alpha_idx, k)  # cached draw lists, read here (script thread)
        _AHEAD.draw((*key, k), lambda k=k, boxes=boxes: frame_jpeg(frames.frame(k), boxes, show=show,
                                                                   highlight=highlight, alpha=alpha))
    return picture


STRIP_LEGEND_PX = 40


@st.cache_resource(show_spinner=False, max_entries=64)
def error_strip_spec(view: View, tracker: str, sequence: str, alpha_idx: int, bins: int) -> dict:
    """The error strip's figure as a plain dict, built once, its x range fixed to the bars' extent (what
    plotly's autorange gives) so ``figures.frame_marker_html`` can place the frame on it."""
    from tracklens.analysis.timeline import binned_errors

    from .figures import error_strip

    analysis = view.workspace().analysis(tracker, sequence)
    binned = binned_errors(analysis.frames, alpha_idx, bins)
    spec = error_strip(binned).to_dict()
    first = binned["first"].to_numpy(float)
    half = float(np.diff(first).min()) / 2 if first.size > 1 else 0.5  # bars are as wide as the closest two
    layout = spec["layout"]
    if first.size:
        layout["xaxis"] = {**layout.get("xaxis", {}), "range": [first[0] - half, first[-1] + half], "autorange": False}
    # room for the legend above the bars, fixed (plotly would grow the margin to fit it by itself)
    layout["margin"] = {**layout.get("margin", {}), "t": STRIP_LEGEND_PX, "autoexpand": False}
    return spec


@st.cache_resource(show_spinner=False, max_entries=64)
def overview_specs(view: View, sequence: str, alpha: float) -> dict[str, dict]:
    """The Overview's charts of one scope (a sequence or the combination) as plain dicts, built once."""
    from .figures import TRADEOFF_PLOTS, alpha_curves, sequence_difficulty, tradeoff_scatter
    from .views import per_alpha_table, sequence_table, summary_table

    ws = view.workspace()
    summary = summary_table(ws.metrics, sequence)
    specs = {"alpha": alpha_curves(per_alpha_table(ws.metrics, sequence), alpha=alpha).to_dict()}
    if len(ws.sequences) > 1:
        specs["difficulty"] = sequence_difficulty(sequence_table(ws.metrics)).to_dict()
    for k, plot in enumerate(TRADEOFF_PLOTS):
        specs[f"tradeoff-{k}"] = tradeoff_scatter(summary, plot.x, plot.y, plot.contour, plot.contour_label).to_dict()
    return specs
