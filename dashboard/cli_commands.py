"""The command-line subcommands that draw (``tracklens report`` and ``tracklens clip``).

``tracklens.dashboard.cli`` defines their arguments and imports this module when one of them runs, so
``tracklens eval`` never loads the drawing code. Each handler takes the parsed ``argparse.Namespace`` and returns the
exit status.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from tracklens.errors import InputError
from tracklens.atomic import check_output_file, make_parent, write_text
from tracklens.workspace import Workspace


def _error(message: str) -> int:
    print(f"tracklens: error: {message}", file=sys.stderr)
    return 2


def load_run(args: argparse.Namespace) -> Workspace:
    """The saved run, its frames shown from inside the run, the bundled sample or a ``--data-root``;
    the class of ``--class`` for a run with classes."""
    from tracklens.assets import SAMPLE  # not through .loading: the report and clips never load Streamlit

    ws = Workspace.load(args.run_dir, frame_roots=(str(SAMPLE), *(getattr(args, "data_root", None) or [])))
    cls = getattr(args, "cls", None)
    if cls is not None and cls not in ws.classes:
        raise InputError("--class", f"class {cls!r} is not in this run "
                         f"({'its classes: ' + ', '.join(ws.classes) if ws.classes else 'it has no classes'}).",
                         "Pick one of its classes, or leave out --class.")
    return ws.for_class(cls) if cls is not None else ws


def report(args: argparse.Namespace) -> int:
    """``tracklens report RUN_DIR -o report.html [--alpha 0.5] [--what-if] [--score-thresholds SPEC]
    [--max-tracks N] [--workers N]``."""
    from tracklens.sweep import parse_cutoffs

    from .report import build_report

    if args.score_thresholds is not None:
        parse_cutoffs(args.score_thresholds)  # a bad SPEC is said before the work, not after
    out = args.output
    make_parent(out, "-o")
    check_output_file(out, "-o")  # before the minutes of work, not after
    ws = load_run(args)
    started = time.perf_counter()
    text = build_report(ws, alpha=args.alpha, whatif=args.what_if, max_tracks=args.max_tracks,
                        workers=args.workers, score_thresholds=args.score_thresholds,
                        resample_tracks=args.resample_tracks)
    write_text(out, text)  # a kill or a full disk leaves the previous report whole
    size = os.path.getsize(out) / 1e6
    print(f"tracklens: report written to {out} ({size:.1f} MB, {time.perf_counter() - started:.1f} s); "
          "it opens offline in any browser", file=sys.stderr)
    return 0


def clip(args: argparse.Namespace) -> int:
    """``tracklens clip RUN_DIR --tracker T --sequence S --frames A:B [--track ID] [--alpha] -o out.mp4``."""
    from .clips import parse_frames, track_window, write_clip

    ws = load_run(args)
    tracker = args.tracker or (ws.trackers[0] if len(ws.trackers) == 1 else None)
    sequence = args.sequence or (ws.sequences[0].name if len(ws.sequences) == 1 else None)
    if tracker is None:
        return _error(f"--tracker is needed: this run has {', '.join(ws.trackers)}")
    if sequence is None:
        return _error(f"--sequence is needed: this run has {', '.join(s.name for s in ws.sequences)}")
    if tracker not in ws.trackers:
        return _error(f"unknown tracker {tracker!r}; this run has {', '.join(ws.trackers)}")
    names = [s.name for s in ws.sequences]
    if sequence not in names:
        return _error(f"unknown sequence {sequence!r}; this run has {', '.join(names)}")
    try:
        if args.frames:
            frames = parse_frames(args.frames, ws.sequence(sequence).num_frames)
        elif args.track is not None:
            frames = track_window(ws, tracker, sequence, args.track)
        else:
            return _error("give --frames A:B (inclusive), or --track ID for a window around its first switch")
        path = write_clip(ws, tracker, sequence, frames, args.output, track=args.track, alpha=args.alpha,
                          fps=args.fps, max_width=args.max_width)
    except (ValueError, RuntimeError) as exc:
        return _error(str(exc))
    print(f"tracklens: clip of frames {frames.start}:{frames.stop - 1} ({len(frames)} frames) written to {path}",
          file=sys.stderr)
    return 0
