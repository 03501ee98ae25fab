"""``tracklens``: ``eval`` (metrics in the terminal and files) and ``dashboard`` (the browser app)."""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys

from .errors import InputError
from .evaluate import evaluate
from .layout import resolve
from .classes import classes_in, evaluate_classes
from .evaluate import COMBINED
from .results import detailed_frame, format_summary, to_json, to_json_nested
from .workspace import Workspace


def _eval_args(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--gt-folder", required=required, help="ground truth: TrackEval layout or <seq>/gt/gt.txt folders")
    p.add_argument("--trackers-folder", required=required, help="one sub-folder of <seq>.txt files per tracker")
    p.add_argument("--benchmark", default="MOT17", help="MOT15, MOT16, MOT17, MOT20, ... (default MOT17)")
    p.add_argument("--split", default="train", help="split name of the TrackEval layout (default train)")
    p.add_argument("--seqmap", help="file listing the sequences (TrackEval seqmap)")
    p.add_argument("--trackers", nargs="+", help="only these trackers (default: every sub-folder)")
    p.add_argument("--no-preproc", action="store_true", help="skip MOTChallenge distractor/class preprocessing")
    p.add_argument("--threshold", type=float, default=0.5, help="similarity threshold of CLEAR and Identity")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tracklens", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", help="evaluate trackers (HOTA, CLEAR, Identity, Count)")
    _eval_args(ev, required=True)
    ev.add_argument("--workers", type=int, default=1, help="processes evaluating sequences in parallel")
    ev.add_argument("--json", help="write out[tracker][sequence|COMBINED][field] here")
    ev.add_argument("--csv", help="write TrackEval's detailed CSV (every field, per sequence) here")
    ev.add_argument("--save", metavar="RUN_DIR", help="save metrics and all analysis tables for the dashboard")
    ev.add_argument("--video-folder", help="videos named <seq>.mp4/.avi (recorded in the saved run)")
    ev.add_argument("--quiet", action="store_true", help="do not print the summary table")
    ev.add_argument("--format", choices=("mot", "kitti", "bdd100k"), default="mot",
                    help="input format: MOTChallenge (default), KITTI tracking or BDD100K box tracking "
                         "(layouts in docs/formats.md; --classes then takes class names)")
    ev.add_argument("--classes", nargs="+", metavar="CLASS",
                    help="multi-class data: evaluate each class id of column 8 on its own ('all' = every class "
                         "in the ground truth) and combine classes both ways (class- and detection-averaged)")
    db = sub.add_parser("dashboard", help="open the dashboard (bundled sample when no data is given)")
    db.add_argument("run_dir", nargs="?", help="a saved run (tracklens eval --save)")
    _eval_args(db, required=False)
    db.add_argument("--video-folder", help="videos named <seq>.mp4/.avi")
    db.add_argument("--port", type=int, default=8501)
    db.add_argument("--host", default="127.0.0.1", help="address to bind (default localhost only)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _eval(args) if args.command == "eval" else _dashboard(args)
    except InputError as exc:
        print(f"tracklens: error: {exc}", file=sys.stderr)
        return 2


def _progress(done: int, total: int, name: str) -> None:
    if sys.stderr.isatty():
        bar = "#" * int(30 * done / total)
        print(f"\r[{bar:<30}] {done}/{total} {name[:30]:<30}", end="" if done < total else "\n", file=sys.stderr)


def _eval(args: argparse.Namespace) -> int:
    if args.format != "mot":
        from .formats.layouts import eval_command
        return eval_command(args, _progress)
    if args.classes:
        return _eval_classes(args)
    if args.save:
        ws = Workspace.from_folders(
            args.gt_folder, args.trackers_folder, benchmark=args.benchmark, split=args.split, seqmap=args.seqmap,
            trackers=args.trackers, video_folder=args.video_folder, preprocess=not args.no_preproc,
            threshold=args.threshold, workers=args.workers, progress=_progress)
        ws.save(args.save)
        metrics, notes = ws.metrics, ws.manifest["notes"]
    else:
        layout = resolve(args.gt_folder, args.trackers_folder, args.benchmark, args.split, args.seqmap, args.trackers)
        run = evaluate(layout, preprocess=not args.no_preproc, threshold=args.threshold, workers=args.workers,
                       progress=_progress)
        metrics, notes = run.metrics, run.notes
    for note in notes:
        print(f"tracklens: note: {note}", file=sys.stderr)
    if not args.quiet:
        print(format_summary(metrics))
    if args.json:
        with open(args.json, "w") as fp:
            fp.write(to_json(metrics))
    if args.csv:
        detailed_frame(metrics).to_csv(args.csv, index=False)
    return 0


def _eval_classes(args: argparse.Namespace) -> int:
    layout = resolve(args.gt_folder, args.trackers_folder, args.benchmark, args.split, args.seqmap, args.trackers)
    if args.classes == ["all"]:
        classes = classes_in(layout)
    else:
        try:
            classes = [int(c) for c in args.classes]
        except ValueError:
            raise InputError("--classes", f"{args.classes} are not class ids.", "Give integers (column 8) or 'all'.") from None
    run = evaluate_classes(layout, classes, threshold=args.threshold, workers=args.workers, progress=_progress)
    # One table per tracker: rows are classes (combined over sequences) and the two class combinations.
    table = {tr: {**{f"class {c}": run.metrics[tr][c][COMBINED] for c in classes}, **run.combined[tr]}
             for tr in layout.trackers}
    if not args.quiet:
        print(format_summary(table))
    if args.json:
        out = {tr: {**{str(c): run.metrics[tr][c] for c in classes}, **{k: {COMBINED: v} for k, v in run.combined[tr].items()}}
               for tr in layout.trackers}
        with open(args.json, "w") as fp:
            fp.write(to_json_nested(out))
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    spec = importlib.util.find_spec("dashboard")
    if spec is None or not spec.submodule_search_locations:
        print("tracklens: error: the dashboard package is not installed.", file=sys.stderr)
        return 2
    app = os.path.join(list(spec.submodule_search_locations)[0], "app.py")
    passthrough = []
    for flag in ("gt_folder", "trackers_folder", "video_folder", "benchmark", "split", "seqmap"):
        value = getattr(args, flag)
        if value is not None:
            passthrough += [f"--{flag.replace('_', '-')}", str(value)]
    if args.trackers:
        passthrough += ["--trackers", *args.trackers]
    if args.no_preproc:
        passthrough.append("--no-preproc")
    if args.run_dir:
        passthrough.append(args.run_dir)
    cmd = [sys.executable, "-m", "streamlit", "run", app, "--server.port", str(args.port),
           "--server.address", args.host, "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.enableXsrfProtection", "true", "--", *passthrough]
    print(f"tracklens: dashboard on http://{args.host}:{args.port}", file=sys.stderr)
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
