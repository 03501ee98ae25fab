"""The library's commands, ``tracklens eval`` and ``tracklens export``: their arguments and handlers.

The ``tracklens`` program itself (``tracklens.dashboard.cli``) adds the drawing and serving commands on
the app side; core never reaches the app.
"""
from __future__ import annotations

import argparse
import sys

from . import eval_extras
from .atomic import check_output_dir, check_output_file, write_text
from .errors import InputError, printable
from .evaluate import COMBINED, evaluate
from .results import class_rows, detailed_frame, format_summary, to_json, to_json_nested
from .run import Run, RunInputs, resolve_inputs


def add_input_arguments(p: argparse.ArgumentParser, required: bool) -> None:
    """The arguments naming the data (shared by ``eval`` and ``dashboard``)."""
    p.add_argument("--gt-folder", required=required, help="ground truth: TrackEval layout or <seq>/gt/gt.txt folders")
    p.add_argument("--trackers-folder", required=required, help="one sub-folder of <seq>.txt files per tracker")
    p.add_argument("--benchmark", default="MOT17", help="MOT15, MOT16, MOT17, MOT20, ... (default MOT17)")
    p.add_argument("--split", default="train", help="split name of the TrackEval layout (default train)")
    p.add_argument("--seqmap", help="file listing the sequences (TrackEval seqmap)")
    p.add_argument("--trackers", nargs="+", help="only these trackers (default: every sub-folder)")
    p.add_argument("--no-preproc", action="store_true", help="skip MOTChallenge distractor/class preprocessing")
    p.add_argument("--threshold", type=float, default=0.5, help="similarity threshold of CLEAR and Identity")


def add_core_commands(sub) -> None:
    """``eval`` and ``export`` on a subparsers object."""
    ev = sub.add_parser("eval", help="evaluate trackers (HOTA, CLEAR, Identity, Count)")
    add_input_arguments(ev, required=True)
    ev.add_argument("--workers", type=int, default=1, help="processes evaluating sequences in parallel")
    ev.add_argument("--dask", metavar="ADDRESS",
                    help="run the per-sequence work on a Dask cluster (tcp://host:8786, or 'local'); "
                         "needs the tracklens[dask] extra; results are bit-equal to a local run")
    ev.add_argument("--json", help="write out[tracker][sequence|COMBINED][field] here")
    ev.add_argument("--csv", help="write TrackEval's detailed CSV (every field, per sequence) here")
    ev.add_argument("--breakdowns", metavar="FILE",
                    help="write HOTA, DetA, AssA, MOTA and IDF1 per bin of visibility, height, speed, crowding, "
                         "track length and frames since visible, and the causes of identity errors, as JSON "
                         "(docs/breakdowns.md; FN bursts at α 0.5)")
    ev.add_argument("--save", metavar="RUN_DIR", help="save metrics and all analysis tables for the dashboard")
    ev.add_argument("--no-compared", action="store_true",
                    help="with --save: leave out the Metrics compared tables (HOTA with the paper's matching, CA-HOTA, "
                         "detection metrics; the slowest part of a save); the dashboard then computes them per sequence")
    ev.add_argument("--video-folder", help="videos named <seq>.mp4/.avi (recorded in the saved run)")
    ev.add_argument("--quiet", action="store_true", help="do not print the summary table")
    ev.add_argument("--format", choices=("mot", "kitti", "bdd100k", "mots", "kitti_mots", "tao", "youtube_vis",
                                         "youtube_vis_masks",
                                         "imagenet_vid"), default="mot",
                    help="input format: MOTChallenge (default), KITTI tracking, BDD100K box tracking, MOTS "
                         "Challenge or KITTI-MOTS masks, TAO (COCO-video JSON boxes), YouTube-VIS/OVIS boxes or "
                         "masks, or "
                         "ImageNet VID (XML ground truth) "
                         "(layouts in docs/formats.md; --classes then takes class names)")
    ev.add_argument("--classes", nargs="+", metavar="CLASS",
                    help="multi-class data: evaluate each class id of column 8 on its own ('all' = every class "
                         "in the ground truth) and combine classes both ways (class- and detection-averaged)")
    ev.add_argument("--link", choices=("iou",),
                    help="detections without identities (ids -1; TAO results without track_id): link them frame "
                         "to frame (Hungarian on IoU >= 0.5, same class) and score the result, labelled 'ids linked "
                         "by tracklens' (docs/formats.md)")
    ev.add_argument("--protocol", metavar="NAME", help="score under a named protocol: trackeval (default), "
                    "no-preproc, mot20, motmetrics (py-motmetrics 1.4.0's rules), iou=T or classes=1,7 (those "
                    "ground-truth classes as targets, ids or names; tracklens.protocols)")
    eval_extras.add_arguments(ev)
    add_check_arguments(ev)
    ev.add_argument("--no-check", action="store_true", help="skip the input check's summary (tracklens check)")
    ck = sub.add_parser("check", help="what is probably wrong with the inputs (frame offset, 0-based frames, "
                        "corner boxes, scale, class filter, ...), with the fix and the score after it")
    add_input_arguments(ck, required=True)
    ck.add_argument("--classes", nargs="+", metavar="CLASS", help="as for eval: the class ids evaluated")
    add_check_arguments(ck)
    ck.add_argument("--json", help="write the findings (evidence, fixes, scores) here")
    ck.add_argument("--no-score", action="store_true", help="do not evaluate the scores before and after each fix")
    xp = sub.add_parser("export", help="every table of a saved run as CSV, JSON or Parquet")
    xp.add_argument("run_dir", help="a saved run (tracklens eval --save RUN_DIR)")
    xp.add_argument("--format", choices=("csv", "json", "parquet"), default="csv", help="default csv")
    xp.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the tables into")
    xp.add_argument("--alpha", type=float, default=0.5, help="α of the per-track association tables")
    from .diff_cli import add_diff_command  # tracklens diff RUN_A RUN_B
    add_diff_command(sub)
    from .speed_map_cli import add_speed_map_command  # tracklens speed-map (ImageNet VID, FGFA's bins)
    add_speed_map_command(sub)


def add_check_arguments(p: argparse.ArgumentParser) -> None:
    """``--fix`` and ``--strict`` (shared by ``eval`` and ``check``)."""
    p.add_argument("--fix", action="append", metavar="[TRACKER:]FIX",
                   help="correct the tracker files explicitly (recorded in the run): offset=K, zero-based, corners, "
                        "scale=F[,FY], translate=DX,DY, class=C (docs/check.md); repeatable")
    p.add_argument("--strict", action="store_true", help="the input check's findings are fatal (exit code 1)")


def run_core_command(args: argparse.Namespace) -> int:
    """Run ``eval``, ``check`` or ``export``; bad input raises ``InputError`` (the program prints it). Output
    paths and options are checked first, so a bad one fails at once, not after the evaluation."""
    if args.command == "check":
        check_threshold(args.threshold)
        if args.json:
            check_output_file(args.json, "--json")
        from .check.command import run_check
        return run_check(args)
    if args.command == "eval":
        check_threshold(args.threshold)
        eval_extras.check(args)
        for flag, path in (("--json", args.json), ("--csv", args.csv), ("--breakdowns", args.breakdowns)):
            if path:
                check_output_file(path, flag)
        if args.save:
            check_output_dir(args.save, "--save")
        if args.format in ("mots", "kitti_mots", "youtube_vis_masks") and args.breakdowns:
            raise InputError("--breakdowns", "breakdowns of mask formats are not supported yet: their conditions "
                             "(occlusion, crowding) use box overlaps, not the mask IoU the matching used.",
                             "Leave out --breakdowns: --json, --csv and --save hold every metric and box.")
        return _eval(args)
    if args.command == "diff":
        from .diff_cli import run_diff
        return run_diff(args)
    if args.command == "speed-map":
        from .speed_map_cli import run_speed_map
        return run_speed_map(args)
    check_output_dir(args.output, "-o")
    return _export(args)


def fixes_argument(texts: list[str] | None) -> tuple[str, ...]:
    """``--fix`` values, checked and written canonically (``offset=1``) for the run's record."""
    if not texts:
        return ()
    from .check.fixes import parse_fixes
    return tuple(str(f) for f in parse_fixes(texts))


def check_threshold(value: float) -> None:
    """The similarity threshold of CLEAR and Identity: a number in (0, 1] (NaN matches nothing and
    above 1 nothing is ever matched, which would print MOTA -1 as if it were a result)."""
    if not 0 < value <= 1:  # False for NaN too
        raise InputError("--threshold", f"{value} is not a similarity threshold in (0, 1].",
                         "Pass --threshold 0.5 (TrackEval's value) or another number above 0 and at most 1.")


def _export(args: argparse.Namespace) -> int:
    from .export import export_workspace
    from .workspace import Workspace

    files = export_workspace(Workspace.load(args.run_dir), args.output, args.format, alpha=args.alpha)
    print(f"tracklens: {len(files)} files written to {args.output}", file=sys.stderr)
    return 0


def _progress(done: int, total: int, name: str) -> None:
    if sys.stderr.isatty():
        bar = "#" * int(30 * done / total)
        print(f"\r[{bar:<30}] {done}/{total} {name[:30]:<30}", end="" if done < total else "\n", file=sys.stderr)


def _eval(args: argparse.Namespace) -> int:
    """Every format and ``--classes`` through the one pipeline; ``--save``, ``--json`` and ``--csv``
    all written from the same run."""
    if args.format != "mot":
        for flag, given in (("--no-preproc", args.no_preproc), ("--video-folder", args.video_folder),
                            ("--fix", args.fix), ("--strict", args.strict)):
            if given:
                raise InputError(flag, f"{flag} is not supported with --format {args.format}.",
                                 f"Leave out {flag} (it works with --format mot).")
    inputs = RunInputs(args.gt_folder, args.trackers_folder, args.format,
                       args.benchmark if args.format == "mot" else args.format.upper(), args.split, args.seqmap,
                       tuple(args.trackers) if args.trackers else None,
                       tuple(args.classes) if args.classes else None, args.video_folder,
                       not args.no_preproc and not (args.format == "mot" and args.classes),  # --classes: none
                       args.threshold, fixes_argument(args.fix), link=args.link).absolute()
    if args.link and args.protocol:
        raise InputError("--link", "--link scores under TrackEval's rules only.", "Leave out --protocol or --link.")
    if args.strict and args.no_check:
        raise InputError("--strict", "--strict makes the input check's findings fatal, and --no-check skips the check.",
                         "Leave out one of them.")
    check = args.format == "mot" and not args.no_check and not args.protocol and not args.link  # read their own way
    if args.protocol:  # the protocol's options replace --no-preproc / --threshold / --benchmark
        from .protocols import protocol_run
        if args.dask:
            raise InputError("--dask", "--protocol runs here, not on a Dask cluster.", "Leave out --dask or --protocol.")
        if args.score_thresholds is not None:
            raise InputError("--score-thresholds", "the score sweep evaluates under TrackEval's rules only.",
                             "Leave out --protocol or --score-thresholds.")
        inputs, run = protocol_run(inputs, args.protocol, analyse=bool(args.save or args.breakdowns), workers=args.workers,
                                   progress=_progress)
    else:
        layout = resolve_inputs(inputs)
        if inputs.fixes:
            from .check.command import announce_fixes
            announce_fixes(layout)
        try:
            run = evaluate(layout, preprocess=inputs.preprocess, threshold=inputs.threshold, workers=args.workers,
                           analyse_matches=bool(args.save or args.breakdowns), progress=_progress, dask=args.dask,
                           check=check)
        except InputError as exc:
            if not check:
                raise
            from .check.command import explain_failure  # the fix the check proposes (0-based frames ...), if any
            raise explain_failure(exc, layout, inputs) from None
    extras = eval_extras.compute(args, run.layout, run, progress=_progress)
    for note in run.notes:
        print(f"tracklens: note: {printable(str(note))}", file=sys.stderr)
    if check:
        from .check.command import eval_summary
        if eval_summary(run, args.strict):
            return 1
    if not args.quiet:
        print(format_summary(_summary(run)) + eval_extras.summary(extras))
    try:
        if args.save:
            from .workspace import Workspace  # the saved-run modules only for --save
            ws = Workspace.from_run(inputs, run)
            eval_extras.carry(ws.manifest, extras)
            ws.save(args.save, workers=args.workers, compared=not args.no_compared)
        if args.json:
            write_text(args.json, eval_extras.json_text(
                to_json(run.metrics) if not run.classes else to_json_nested(_nested(run)), extras))
        if args.csv:
            frame = detailed_frame(run.metrics if not run.classes else class_rows(run.metrics, run.combined))
            write_text(args.csv, frame.to_csv(index=False))
            for path, text in eval_extras.csv_files(args.csv, extras).items():
                write_text(path, text)
        if args.breakdowns:
            _write_breakdowns(args.breakdowns, run)
    except OSError as exc:
        raise InputError(exc.filename or "output", f"cannot write the results ({exc.strerror or exc}).",
                         "Choose a writable place for --save, --json and --csv.") from None
    return 0


def _write_breakdowns(path: str, run: Run) -> None:
    """``--breakdowns``: out[tracker] = breakdowns by condition + causes of identity errors (one class at a
    time with classes: out[tracker][class])."""
    import json

    from .breakdowns import tracker_breakdowns
    from .jsonable import plain

    def one(seqs: dict) -> dict:
        return tracker_breakdowns(list(seqs.items()), 9, run.threshold)

    out = {tr: ({c: one(per_class) for c, per_class in seqs.items()} if run.classes else one(seqs))
           for tr, seqs in run.analyses.items()}
    write_text(path, json.dumps(out, default=plain, ensure_ascii=False))


def _summary(run: Run) -> dict:
    """The printed table: per tracker, its sequences; with classes, each class combined over sequences
    and then the class combinations."""
    if not run.classes:
        return run.metrics
    return {tr: {**{c: run.metrics[tr][c][COMBINED] for c in run.classes}, **run.combined[tr]}
            for tr in run.layout.trackers}


def _nested(run: Run) -> dict:
    """``--json`` with classes: ``out[tracker][class | combination][sequence | COMBINED]``."""
    return {tr: {**run.metrics[tr], **{k: {COMBINED: v} for k, v in run.combined[tr].items()}}
            for tr in run.layout.trackers}
