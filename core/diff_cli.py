"""``tracklens diff RUN_A RUN_B``: what changed between two runs on the same data, as a table (and
``--json``). A run is a saved run (``tracklens eval --save``) or a tracker folder (``<seq>.txt`` or
``data/<seq>.txt`` files) evaluated here against ``--gt-folder``."""
from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from typing import TYPE_CHECKING

from .atomic import check_output_file, write_text
from .errors import InputError, printable
from .run import RunInputs

if TYPE_CHECKING:  # the diff's modules load only for `tracklens diff`, not for every command's parser
    from .rundiff import RunDiff

TRACK_COLUMNS = ["sequence", "gt_id", "frames", "Δ CLEAR FN", "Δ IDSW", "Δ Frag", "Δ HOTA FN", "Δ HOTA assoc",
                 "Δ HOTA loss", "verdict"]


def add_diff_command(sub) -> None:
    p = sub.add_parser("diff", help="what changed between two runs on the same data: switches appeared or vanished, "
                                    "FNs/FPs fixed or introduced, tracks better or worse")
    p.add_argument("runs", nargs="+", metavar="RUN",
                   help="A then B: saved runs (tracklens eval --save) or tracker folders (with --gt-folder); "
                        "one saved run with --tracker-a/--tracker-b compares two of its trackers")
    p.add_argument("--tracker-a", help="A's tracker (when its run has several)")
    p.add_argument("--tracker-b", help="B's tracker (when its run has several)")
    p.add_argument("--gt-folder", help="ground truth of tracker folders (TrackEval layout or <seq>/gt/gt.txt)")
    p.add_argument("--benchmark", default="MOT17", help="of tracker folders: MOT15, MOT17, MOT20, ... (default MOT17)")
    p.add_argument("--split", default="train", help="of tracker folders: split of the TrackEval layout")
    p.add_argument("--seqmap", help="of tracker folders: file listing the sequences")
    p.add_argument("--no-preproc", action="store_true", help="of tracker folders: no MOTChallenge preprocessing")
    p.add_argument("--threshold", type=float, default=0.5, help="of tracker folders: CLEAR/Identity IoU threshold")
    p.add_argument("--class", dest="cls", metavar="CLASS", help="the class compared (runs with classes)")
    p.add_argument("--alpha", type=float, default=0.5, help="α of the HOTA matching compared (default 0.5)")
    p.add_argument("--top", type=int, default=10, help="tracks listed as most improved / worsened (default 10)")
    p.add_argument("--json", metavar="FILE", help="write every change (RunDiff.to_dict()) here as JSON")
    p.add_argument("--protocols", metavar="A,B",
                   help="one run (a tracker folder, or a saved run whose inputs are reachable) scored under two "
                        "protocols and compared: trackeval, no-preproc, mot20, motmetrics, iou=T, classes=1,7 "
                        "(ground-truth classes as targets, ids or names)")


def run_diff(args: argparse.Namespace) -> int:
    from .rundiff import diff_runs

    if args.json:
        check_output_file(args.json, "--json")
    if len(args.runs) > 2:
        raise InputError(" ".join(args.runs[2:]), "diff compares two runs.", "Give RUN_A and RUN_B.")
    if args.protocols:
        d = _protocol_diff(args)
    else:
        ws_a = open_run(args.runs[0], args)
        ws_b = ws_a if len(args.runs) == 1 or args.runs[1] == args.runs[0] else open_run(args.runs[1], args)
        tr_a = pick_tracker(ws_a, args.tracker_a, "--tracker-a")
        tr_b = pick_tracker(ws_b, args.tracker_b, "--tracker-b")
        if ws_a is ws_b and tr_a == tr_b:
            raise InputError(args.runs[0], f"A and B are the same tracker ({tr_a}) of the same run.",
                             "Give two runs, or --tracker-a and --tracker-b with two of its trackers.")
        label_a, label_b = (f"{run} ({tr})" for run, tr in ((args.runs[0], tr_a), (args.runs[-1], tr_b)))
        d = diff_runs(ws_a, tr_a, ws_b, tr_b, args.alpha, label_a=label_a, label_b=label_b)
    print(format_diff(d, args.top))
    if args.json:
        write_text(args.json, json.dumps(d.to_dict(), indent=1))
    return 0


def _protocol_diff(args: argparse.Namespace) -> RunDiff:
    """One run's tracker under two protocols (``tracklens.protocols``)."""
    from .protocols import evaluate_protocol, protocol, split_protocols
    from .rundiff import diff_runs

    names = split_protocols(args.protocols)
    if len(names) != 2 or len(args.runs) != 1:
        raise InputError("--protocols", "compare one run under two protocols.",
                         "Give one RUN and --protocols A,B (e.g. trackeval,motmetrics).")
    first, second = (protocol(n) for n in names)  # unknown names fail here, before any evaluation
    path = args.runs[0]
    from .workspace import MANIFEST, Workspace
    if os.path.isfile(os.path.join(path, MANIFEST)):
        saved = Workspace.load(path)
        tracker = pick_tracker(saved, args.tracker_a, "--tracker-a")
        inputs = replace(saved.inputs, trackers=(tracker,))
    else:
        inputs = _folder_inputs(path, args)
        tracker = inputs.trackers[0]
    ws_a, ws_b = evaluate_protocol(inputs, first.name), evaluate_protocol(inputs, second.name)
    if args.cls is not None:
        ws_a, ws_b = ws_a.for_class(args.cls), ws_b.for_class(args.cls)
    return diff_runs(ws_a, tracker, ws_b, tracker, args.alpha, label_a=f"{tracker} under {first.name}: {first.rule}",
                     label_b=f"{tracker} under {second.name}: {second.rule}")


def _folder_inputs(path: str, args: argparse.Namespace) -> RunInputs:
    """The inputs of a tracker folder: its parent holds trackers, ``--gt-folder`` the ground truth."""
    if not os.path.isdir(path):
        raise InputError(path, "run not found.", "Give a saved run folder or a tracker folder.")
    if not args.gt_folder:
        raise InputError(path, "a tracker folder (not a saved run) needs its ground truth.",
                         "Pass --gt-folder, or give runs saved with 'tracklens eval --save RUN_DIR'.")
    folder = os.path.abspath(path)
    return RunInputs(args.gt_folder, os.path.dirname(folder), benchmark=args.benchmark, split=args.split,
                     seqmap=args.seqmap, trackers=(os.path.basename(folder),), preprocess=not args.no_preproc,
                     threshold=args.threshold)


def open_run(path: str, args: argparse.Namespace):
    """A saved run, or a tracker folder evaluated now against ``--gt-folder``; the class of ``--class``."""
    from .workspace import MANIFEST, Workspace

    if os.path.isfile(os.path.join(path, MANIFEST)):
        ws = Workspace.load(path)
    else:
        ws = Workspace.from_inputs(_folder_inputs(path, args), analyse_now=True)
    if args.cls is not None:
        if args.cls not in ws.classes:
            raise InputError("--class", f"class {args.cls!r} is not in {path} "
                             f"({'its classes: ' + ', '.join(ws.classes) if ws.classes else 'it has no classes'}).",
                             "Pick one of its classes, or leave out --class.")
        ws = ws.for_class(args.cls)
    return ws


def pick_tracker(ws, name: str | None, flag: str) -> str:
    if name is not None:
        if name not in ws.trackers:
            raise InputError(flag, f"no tracker {name!r} in this run (it has {', '.join(ws.trackers)}).",
                             f"Pass {flag} with one of them.")
        return name
    if len(ws.trackers) == 1:
        return ws.trackers[0]
    raise InputError(flag, f"the run has {len(ws.trackers)} trackers ({', '.join(ws.trackers)}).",
                     f"Pass {flag} to say which one.")


def format_diff(d: RunDiff, top: int = 10) -> str:
    """The printed diff: combined counts with the changes that explain them, then the tracks."""
    lines = [f"A = {printable(d.a)}", f"B = {printable(d.b)}",
             f"{len(d.sequences)} sequence{'s' * (len(d.sequences) != 1)}; added = FN/FP introduced, IDSW/Frag "
             "appeared; removed = fixed / vanished; Δ = B − A = added − removed", ""]
    summary = d.summary()
    width = max(len(m) for m in summary["matching"])
    lines.append(f"{'matching':<{width}}  {'measure':<7}{'A':>9}{'B':>9}{'Δ':>9}{'added':>9}{'removed':>9}")
    for r in summary.itertuples():
        lines.append(f"{r.matching:<{width}}  {r.measure:<7}{r.A:>9}{r.B:>9}{r.delta:>+9}{r.added:>9}{r.removed:>9}")
    v = d.verdicts()
    lines += ["", f"Ground-truth tracks ({d.matchings['CLEAR']}; {d.matchings['HOTA']}): {v['better']} better, "
                  f"{v['worse']} worse, {v['mixed']} mixed, {v['same']} unchanged"]
    for worse in (True, False):
        t = d.top_tracks(top, worse=worse)
        if len(t):
            table = t[TRACK_COLUMNS].to_string(index=False, float_format=lambda x: f"{x:+.2f}")
            lines += ["", "Most worsened" if worse else "Most improved", *map(printable, table.splitlines())]
    return "\n".join(lines)

