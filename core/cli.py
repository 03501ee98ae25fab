"""``tracklens``: ``eval`` (metrics in the terminal and files) and ``dashboard`` (the browser app)."""
from __future__ import annotations

import argparse
import importlib
import ipaddress
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
    ev.add_argument("--dask", metavar="ADDRESS",
                    help="run the per-sequence work on a Dask cluster (tcp://host:8786, or 'local'); "
                         "needs the tracklens[dask] extra; results are bit-equal to a local run")
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
    db.add_argument("--host", default="127.0.0.1", help="address to bind (default localhost only; another "
                                                        "address shares the dashboard with the network)")
    db.add_argument("--data-root", action="append", metavar="DIR",
                    help="a folder the app's 'Open data' form may read from (repeatable; the folders given "
                         "here and the bundled sample are always allowed)")
    _share_parsers(sub)
    return parser


# --- report / clip / export (sharing a saved run) -------------------------------------------------


def _share_parsers(sub) -> None:
    rp = sub.add_parser("report", help="one self-contained HTML report of a saved run (opens offline)")
    rp.add_argument("run_dir", help="a saved run (tracklens eval --save RUN_DIR)")
    rp.add_argument("-o", "--output", default="report.html", help="HTML file to write (default report.html)")
    rp.add_argument("--alpha", type=float, default=0.5, help="α at which tracks and frames are shown (default 0.5)")
    rp.add_argument("--max-tracks", type=int, default=6, help="worst tracks per tracker (default 6)")
    rp.add_argument("--no-whatif", action="store_true", help="skip the what-if re-evaluations")
    rp.add_argument("--workers", type=int, default=1, help="processes re-evaluating the what-if fixes")
    cp = sub.add_parser("clip", help="a short annotated clip of a failure (MP4, AVI or GIF)")
    cp.add_argument("run_dir", help="a saved run (tracklens eval --save RUN_DIR)")
    cp.add_argument("--tracker", help="tracker (needed when the run has several)")
    cp.add_argument("--sequence", help="sequence (needed when the run has several)")
    cp.add_argument("--frames", metavar="A:B", help="first:last frame, both inclusive, 1-based (e.g. 30:90)")
    cp.add_argument("--track", type=int, help="ground-truth id to highlight (without --frames: a window "
                                              "around its first identity switch)")
    cp.add_argument("--alpha", type=float, default=0.5, help="α at which boxes are drawn (default 0.5)")
    cp.add_argument("--fps", type=float, help="frames per second (default: the sequence's)")
    cp.add_argument("--max-width", type=int, help="scale frames down to this width")
    cp.add_argument("-o", "--output", default="clip.mp4", help=".mp4/.mov/.m4v (mp4v), .avi (MJPG) or .gif")
    xp = sub.add_parser("export", help="every table of a saved run as CSV, JSON or Parquet")
    xp.add_argument("run_dir", help="a saved run (tracklens eval --save RUN_DIR)")
    xp.add_argument("--format", choices=("csv", "json", "parquet"), default="csv", help="default csv")
    xp.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the tables into")
    xp.add_argument("--alpha", type=float, default=0.5, help="α of the per-track association tables")


def _export(args: argparse.Namespace) -> int:
    from .export import export_workspace

    files = export_workspace(Workspace.load(args.run_dir), args.output, args.format, alpha=args.alpha)
    print(f"tracklens: {len(files)} files written to {args.output}", file=sys.stderr)
    return 0


def _drawing_command(args: argparse.Namespace) -> int:
    """report / clip draw frames and figures: their code lives in the dashboard package, reached
    lazily so core never imports it."""
    if importlib.util.find_spec("dashboard") is None:
        print(f"tracklens: error: '{args.command}' needs the dashboard package (plotly, OpenCV).", file=sys.stderr)
        return 2
    commands = importlib.import_module("dashboard.cli_commands")
    return getattr(commands, args.command)(args)


_SHARE_COMMANDS = {"report": _drawing_command, "clip": _drawing_command, "export": _export}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in _SHARE_COMMANDS:
            return _SHARE_COMMANDS[args.command](args)
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
            threshold=args.threshold, workers=args.workers, progress=_progress, dask=args.dask)
        ws.save(args.save)
        metrics, notes = ws.metrics, ws.manifest["notes"]
    else:
        layout = resolve(args.gt_folder, args.trackers_folder, args.benchmark, args.split, args.seqmap, args.trackers)
        run = evaluate(layout, preprocess=not args.no_preproc, threshold=args.threshold, workers=args.workers,
                       progress=_progress, dask=args.dask)
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


MAX_UPLOAD_MB = 200  # server.maxUploadSize of the dashboard


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def dashboard_command(args: argparse.Namespace) -> list[str]:
    """The ``streamlit run`` command line of ``tracklens dashboard``, built without starting anything:
    bound to ``--host`` (127.0.0.1 by default), XSRF protection on, uploads capped at MAX_UPLOAD_MB."""
    spec = importlib.util.find_spec("dashboard")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("dashboard", "the dashboard package is not installed.",
                         "Install tracklens with its dashboard dependencies (streamlit, plotly, OpenCV).")
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
    for root in args.data_root or []:
        if not os.path.isdir(root):
            raise InputError(root, "data root not found (or not a folder).", "Pass --data-root with an existing folder.")
        passthrough += ["--data-root", os.path.abspath(root)]
    if args.run_dir:
        passthrough.append(args.run_dir)
    return [sys.executable, "-m", "streamlit", "run", app, "--server.port", str(args.port),
            "--server.address", args.host, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.enableXsrfProtection", "true", "--server.maxUploadSize", str(MAX_UPLOAD_MB),
            "--", *passthrough]


def _dashboard(args: argparse.Namespace) -> int:
    cmd = dashboard_command(args)
    if not is_loopback(args.host):
        print(f"tracklens: warning: serving on {args.host}, not on localhost only: anyone who can reach this "
              f"machine on port {args.port} can open the dashboard (there is no login) and read its data "
              "folders. Leave out --host to keep it on 127.0.0.1.", file=sys.stderr)
    print(f"tracklens: dashboard on http://{args.host}:{args.port}", file=sys.stderr)
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
