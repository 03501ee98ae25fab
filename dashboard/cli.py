"""``tracklens``: the program. ``eval`` and ``export`` come from the library (``tracklens.cli``);
``dashboard``, ``report`` and ``clip`` draw, so they live here, on the app side, with the server's
start-up settings. Heavy modules are imported by the command that needs them, so ``tracklens eval``
never loads Streamlit, plotly or OpenCV.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from tracklens.cli import add_core_commands, add_input_arguments, run_core_command
from tracklens.errors import InputError
from tracklens.dashboard.palette import ACCENT_COLOR

MAX_UPLOAD_MB = 200  # server.maxUploadSize of the dashboard
APP = Path(__file__).resolve().parent / "app.py"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tracklens", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add_core_commands(sub)
    db = sub.add_parser("dashboard", help="open the dashboard (bundled sample when no data is given)")
    db.add_argument("run_dir", nargs="?", help="a saved run (tracklens eval --save)")
    add_input_arguments(db, required=False)
    db.add_argument("--video-folder", help="videos named <seq>.mp4/.avi")
    db.add_argument("--port", type=int, default=8501)
    db.add_argument("--host", default="127.0.0.1", help="address to bind (default localhost only; another "
                                                        "address shares the dashboard with the network)")
    db.add_argument("--allow-host", action="append", metavar="NAME", default=[],
                    help="a host name the dashboard may be opened by (repeatable; IP addresses, localhost and "
                         "this machine's name always work; other Host headers are refused: DNS rebinding)")
    db.add_argument("--data-root", action="append", metavar="DIR",
                    help="a folder the app's 'Open data' form may read from (repeatable; the folders given "
                         "here and the bundled sample are always allowed)")
    rp = sub.add_parser("report", help="one self-contained HTML report of a saved run (opens offline)",
                        description="One self-contained HTML report of a saved run, built from what the run saved. "
                                    "The sections that evaluate the input files again take several times as long "
                                    "and are added by a flag: --what-if, and --score-thresholds (a run saved with "
                                    "'eval --score-thresholds ... --save' carries its sweep); without the flag the "
                                    "report says which flag adds them.")
    rp.add_argument("run_dir", help="a saved run (tracklens eval --save RUN_DIR)")
    rp.add_argument("-o", "--output", default="report.html", help="HTML file to write (default report.html)")
    rp.add_argument("--alpha", type=float, default=0.5, help="α at which tracks and frames are shown (default 0.5)")
    rp.add_argument("--max-tracks", type=int, default=6, help="worst tracks per tracker (default 6)")
    whatif = rp.add_mutually_exclusive_group()
    whatif.add_argument("--what-if", dest="what_if", action="store_true",
                        help="add the what-if gains: each tracker's output edited to remove one kind of error and "
                             "evaluated again from the input files")
    whatif.add_argument("--no-whatif", action="store_true", help="no what-if gains (the default; kept for scripts)")
    rp.add_argument("--score-thresholds", metavar="SPEC",
                    help="add a score sweep evaluated again from the input files at these cutoffs: start:stop:step "
                         "(stop included, e.g. 0:0.95:0.05) or a list 0.3,0.5 (docs/sweep.md); without it the "
                         "report shows the sweep the run carries, if any")
    rp.add_argument("--resample-tracks", action="store_true",
                    help="add bootstrap intervals over ground-truth tracks within the sequences (DetRe, AssA, LocA, "
                         "CLR_Re, IDR), evaluating the input files again to sum the matches per track "
                         "(docs/uncertainty.md)")
    rp.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes for the report's per-sequence work on the saved tables, the input check and "
                         "the re-evaluations of --what-if and --score-thresholds, beside the report's other "
                         "sections (default 2; 1: everything in this process)")
    rp.add_argument("--class", dest="cls", metavar="CLASS",
                    help="the class shown (a run with classes; default the first)")
    rp.add_argument("--data-root", action="append", metavar="DIR",
                    help="a folder the run's video or frame images may be read from (repeatable; frames inside the "
                         "run folder are always allowed, others are left out: a shared run cannot embed your files)")
    cp = sub.add_parser("clip", help="a short annotated clip of a failure (MP4, AVI or GIF)")
    cp.add_argument("run_dir", help="a saved run (tracklens eval --save RUN_DIR)")
    cp.add_argument("--tracker", help="tracker (needed when the run has several)")
    cp.add_argument("--sequence", help="sequence (needed when the run has several)")
    cp.add_argument("--frames", metavar="A:B", help="first:last frame, both inclusive, 1-based (e.g. 30:90)")
    cp.add_argument("--track", type=int, help="ground-truth id to highlight (without --frames: a window "
                                              "around its first identity switch)")
    cp.add_argument("--class", dest="cls", metavar="CLASS",
                    help="the class drawn (a run with classes; default the first)")
    cp.add_argument("--alpha", type=float, default=0.5, help="α at which boxes are drawn (default 0.5)")
    cp.add_argument("--fps", type=float, help="frames per second (default: the sequence's)")
    cp.add_argument("--max-width", type=int, help="scale frames down to this width")
    cp.add_argument("-o", "--output", default="clip.mp4", help=".mp4/.mov/.m4v (mp4v), .avi (MJPG) or .gif")
    cp.add_argument("--data-root", action="append", metavar="DIR",
                    help="a folder the run's video or frame images may be read from (repeatable)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The program. Called without ``argv`` (the console script, ``python -m``), ``eval`` and ``export``
    end the process themselves once their output is flushed: tearing down the interpreter with NumPy
    and SciPy loaded costs more than a small evaluation. Called with ``argv`` (tests, other code), it
    returns the exit code as usual."""
    args = build_parser().parse_args(argv)
    try:
        if args.command in ("eval", "export", "diff", "check", "speed-map"):
            code = run_core_command(args)
            if argv is None and not getattr(args, "dask", None):  # a Dask cluster is shut down by teardown
                exit_now(code)
            return code
        if args.command == "dashboard":
            return _dashboard(args)
        return _drawing_command(args)
    except InputError as exc:
        print(f"tracklens: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"tracklens: error: {args.command}: out of memory (the input is larger than this machine can hold). "
              "Fix: evaluate fewer sequences or trackers at once (--seqmap, --trackers), or use more memory.",
              file=sys.stderr)
        return 2


def exit_now(code: int) -> None:
    """End the process with ``code`` without interpreter teardown, after flushing what was printed
    (every output file is already written and closed, atomically)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: exit 120 as Python does when stdout cannot be flushed
            if stream is sys.stdout and code == 0:
                code = 120
    os._exit(code)


def _drawing_command(args: argparse.Namespace) -> int:
    """report / clip: the app's dependencies (plotly, OpenCV) are needed, and said so when missing."""
    try:
        import cv2  # noqa: F401
        import plotly  # noqa: F401

        from . import cli_commands
    except ImportError as exc:
        print(f"tracklens: error: '{args.command}' needs the app's dependencies ({exc.name} is missing): "
              "pip install tracklens (with its default dependencies).", file=sys.stderr)
        return 2
    return getattr(cli_commands, args.command)(args)


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress  # the serving commands' modules load only for them: eval starts faster

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def dashboard_command(args: argparse.Namespace) -> list[str]:
    """The command line of ``tracklens dashboard``, built without starting anything: ``streamlit run``
    behind the Host/Origin guard (``serve``), bound to ``--host`` (127.0.0.1 by default), XSRF protection
    on, uploads capped at MAX_UPLOAD_MB, a viewer's toolbar (no Deploy button or developer menu)."""
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
    allowed = [*args.allow_host, *([] if is_loopback(args.host) or _is_ip(args.host) else [args.host])]
    guard = [a for name in allowed for a in ("--allow-host", name)]
    return [sys.executable, "-m", "tracklens.dashboard.serve", *guard, "run", str(APP),
            "--server.port", str(args.port), "--server.address", args.host, "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.enableXsrfProtection", "true",
            "--server.maxUploadSize", str(MAX_UPLOAD_MB), "--client.toolbarMode", "viewer",
            "--theme.primaryColor", ACCENT_COLOR, *NO_GC_AFTER_RUN, "--", *passthrough]


# Streamlit runs a full garbage collection after every script run, fragment runs included: with a run's
# tables in memory it took ~0.1 s of CPU (holding the GIL) after each frame step and Play tick. Python's
# own collector still runs; the dashboard's caches are bounded.
NO_GC_AFTER_RUN = ("--runner.postScriptGC", "false")


def _is_ip(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def _dashboard(args: argparse.Namespace) -> int:
    try:
        import streamlit  # noqa: F401  (only to say clearly when the app's dependencies are missing)
    except ImportError:
        print("tracklens: error: 'dashboard' needs Streamlit, plotly and OpenCV: pip install tracklens "
              "(with its default dependencies).", file=sys.stderr)
        return 2
    cmd = dashboard_command(args)
    if not is_loopback(args.host):
        print(f"tracklens: warning: serving on {args.host}, not on localhost only: anyone who can reach this "
              f"machine on port {args.port} can open the dashboard (there is no login) and read its data "
              "folders. Leave out --host to keep it on 127.0.0.1.", file=sys.stderr)
    print(f"tracklens: dashboard on http://{args.host}:{args.port}", file=sys.stderr)
    return serve(cmd)


def serve(cmd: list[str]) -> int:
    """Run the server until it exits; SIGTERM, SIGINT and SIGHUP are passed on to it (and it gets
    SIGTERM if this process dies), and its private temporary folder (every upload) is deleted after."""
    import shutil
    import subprocess
    import tempfile

    remove_stale_scratch(tempfile.gettempdir())
    scratch = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
    env = {**os.environ, "TMPDIR": scratch}  # uploads go to tracklens-upload-* inside it
    proc = subprocess.Popen(cmd, env=env, preexec_fn=_die_with_parent)

    def forward(signum, _frame):
        if proc.poll() is None:
            proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:  # a second Ctrl-C while the server stops
                forward(signal.SIGINT, None)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(scratch, ignore_errors=True)


SCRATCH_PREFIX = "tracklens-serve-"  # + the pid of the `tracklens dashboard` that owns it + a random tail


def remove_stale_scratch(tmp: str) -> list[str]:
    """Delete the scratch folders (and the uploads in them) of dashboards that died without cleaning up
    (SIGKILL): ours by name and owner, whose owning process is gone. Returns the folders removed."""
    import re
    import shutil

    removed = []
    for entry in os.scandir(tmp):
        match = re.fullmatch(re.escape(SCRATCH_PREFIX) + r"(\d+)-\w+", entry.name)
        if not match or not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
            continue  # its dashboard still runs
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed


def _die_with_parent() -> None:
    """In the server's process: get SIGTERM when ``tracklens dashboard`` dies, even by SIGKILL (Linux)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    sys.exit(main())
