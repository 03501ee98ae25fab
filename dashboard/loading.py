"""What the app opens: the command line after ``--`` (a saved run, or data folders), else the
bundled sample; cached so a page switch or a widget change never re-evaluates."""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core.workspace import Workspace

from .frames import FrameSource, open_frames

SAMPLE = Path(__file__).resolve().parents[1] / "assets" / "sample"


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

    @property
    def label(self) -> str:
        if self.run_dir:
            return f"saved run {self.run_dir}"
        if self.gt_folder == str(SAMPLE / "gt"):
            return "bundled sample (MOT15 TUD-Campus / TUD-Stadtmitte)"
        return f"{self.gt_folder} + {self.trackers_folder}"


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
        return Workspace.load(source.run_dir)
    if not source.gt_folder or not source.trackers_folder:
        from core.errors import InputError
        raise InputError(source.gt_folder or source.trackers_folder or "", "both --gt-folder and --trackers-folder are needed.",
                         "Pass both folders, or a saved run directory.")
    return Workspace.from_folders(
        source.gt_folder, source.trackers_folder, benchmark=source.benchmark, split=source.split,
        seqmap=source.seqmap, trackers=list(source.trackers) if source.trackers else None,
        video_folder=source.video_folder, preprocess=source.preprocess, workers=min(2, os.cpu_count() or 1),
        analyse_now=False)


@st.cache_resource(show_spinner=False, max_entries=8)
def frame_source(video: str | None, image_dir: str | None, width: int | None, height: int | None,
                 num_frames: int) -> FrameSource:
    """One open decoder per sequence, shared by reruns (seeks are the expensive part)."""
    return open_frames(video=video, image_dir=image_dir, width=width or 1280, height=height or 720,
                       num_frames=num_frames)


@st.cache_data(show_spinner="Re-evaluating with each kind of error fixed…", max_entries=32)
def what_if_table(inputs: dict, tracker: str, sequence: str):
    """The what-if table of one sequence x tracker, from the original input files."""
    from core.analysis.whatif import what_if
    from core.evaluate import load_sequence
    from core.layout import resolve

    layout = resolve(inputs["gt_folder"], inputs["trackers_folder"], inputs["benchmark"], inputs["split"],
                     inputs.get("seqmap"), [tracker])
    files = next(f for f in layout.sequences if f.name == sequence)
    loaded = load_sequence(files)
    result = what_if(loaded.gt, loaded.trackers[tracker], sequence, benchmark=inputs["benchmark"],
                     preprocess=inputs["preprocess"])
    return result.to_pandas() if hasattr(result, "to_pandas") else result
