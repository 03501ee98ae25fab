"""``tracklens eval --score-thresholds ... --bootstrap N --seed S`` (and ``--format tao --teta``): the
score sweep, the bootstrap and TETA beside an evaluation, in the printed summary, ``--json`` and ``--csv``.

With any of them ``--json`` holds ``{"metrics": <the usual document>, "score_sweep": ...,
"bootstrap": ..., "teta": ...}``; ``--csv`` stays the usual detailed CSV and gains sibling files
``<name>.sweep.csv``, ``<name>.bootstrap.csv`` and ``<name>.teta.csv``.
"""
from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass

from .errors import InputError
from .layout import Layout
from .run import Run


def add_arguments(ev: argparse.ArgumentParser) -> None:
    ev.add_argument("--score-thresholds", metavar="SPEC",
                    help="also evaluate with tracker boxes of confidence below each cutoff removed: "
                         "start:stop:step (stop included, e.g. 0:0.95:0.05) or a list 0.3,0.5 (docs/sweep.md)")
    ev.add_argument("--bootstrap", type=int, metavar="N",
                    help="N sequence resamples: confidence intervals and paired differences (docs/uncertainty.md)")
    ev.add_argument("--seed", type=int, default=0, help="seed of the bootstrap draws (default 0)")
    ev.add_argument("--resample", choices=("sequences", "tracks"), default="sequences",
                    help="what --bootstrap draws: whole sequences (default), or ground-truth tracks within each "
                         "sequence, for the fields that split over them (docs/uncertainty.md)")
    ev.add_argument("--teta", action="store_true",
                    help="with --format tao: also TETA (LocA, AssocA, ClsA) as its reference code, SysCV/tet "
                         "(docs/teta.md)")


@dataclass
class Extras:
    sweep: object | None = None
    bootstrap: object | None = None
    teta: dict | None = None  # tracker -> teta_tao.TetaRun

    def __bool__(self) -> bool:
        return self.sweep is not None or self.bootstrap is not None or self.teta is not None


def check(args: argparse.Namespace) -> None:
    """Bad options fail before the evaluation."""
    if args.score_thresholds is not None:
        from .sweep import parse_cutoffs
        parse_cutoffs(args.score_thresholds)
    if args.bootstrap is not None and not 1 <= args.bootstrap <= 1_000_000:
        raise InputError("--bootstrap", f"{args.bootstrap} resamples.", "Pass a number from 1 to 1000000, e.g. 1000.")
    if args.resample != "sequences" and args.bootstrap is None:
        raise InputError("--resample", f"{args.resample} without --bootstrap.", "Add --bootstrap 1000, or leave out --resample.")
    if args.resample == "tracks" and args.protocol:
        from .protocols import TRACKEVAL, protocol
        if protocol(args.protocol).matching != TRACKEVAL:
            raise InputError("--resample tracks", f"protocol {args.protocol} scores with its own matching, and the "
                             "ground-truth tracks' sums come from TrackEval's matchings.",
                             "Leave out --protocol, or use --resample sequences.")
    if (args.score_thresholds is not None or args.bootstrap is not None) and (args.classes or args.format != "mot"):
        raise InputError("--score-thresholds/--bootstrap", "they work with the MOTChallenge single-class evaluation.",
                         "Leave out --classes and --format, or leave out these options.")
    if getattr(args, "teta", False) and (args.format != "tao" or args.protocol):
        raise InputError("--teta", "TETA is computed for TAO files (--format tao) under its reference's rules.",
                         "Pass --format tao (without --protocol), or leave out --teta.")


def compute(args: argparse.Namespace, layout: Layout, run: Run, progress=None) -> Extras:
    out = Extras()
    if args.score_thresholds is not None:
        from .sweep import parse_cutoffs, sweep
        out.sweep = sweep(layout, parse_cutoffs(args.score_thresholds), preprocess=run.preprocess,
                          threshold=run.threshold, workers=args.workers, progress=progress)
    if args.bootstrap is not None:
        if args.resample == "tracks":
            from .evaluate import COMBINED
            from .track_bootstrap import track_bootstrap_layout
            out.bootstrap = track_bootstrap_layout(layout, run.options, args.bootstrap, args.seed, args.workers,
                                                   combined={tr: m[COMBINED] for tr, m in run.metrics.items()})
        else:
            from .bootstrap import bootstrap_run
            order = tuple(f.name for f in layout.sequences)
            out.bootstrap = bootstrap_run(run.metrics, order, args.bootstrap, args.seed)
    if getattr(args, "teta", False):
        from .teta_report import teta_runs
        out.teta = teta_runs(layout)
    return out


def carry(manifest: dict, extras: Extras) -> None:
    """What a saved run keeps of the extras (in its manifest): the sweep's curves, best cutoffs and
    HOTA area, and the bootstrap's settings (its numbers come back from the saved metrics)."""
    if extras.sweep is not None:
        from .sweep import curves_document
        manifest["score_sweep"] = curves_document(extras.sweep)
    if extras.bootstrap is not None:
        manifest["bootstrap"] = {"resamples": extras.bootstrap.resamples, "seed": extras.bootstrap.seed,
                                 "resampling": extras.bootstrap.resampling}
    if extras.teta is not None:
        from .teta_report import to_document as teta_document
        manifest["teta"] = teta_document(extras.teta)


def summary(extras: Extras) -> str:
    """The printed lines: per tracker the best cutoffs and HOTA area; the headline intervals and,
    for each pair of trackers, the HOTA comparison."""
    lines = []
    if extras.sweep is not None:
        from .sweep import CURVE_FIELDS, best_table
        lines.append("\nscore sweep (boxes with confidence >= cutoff kept)")
        for row in best_table(extras.sweep):
            best = ", ".join(f"{f} {100 * row[f'best_{f}']:.3f} at {row[f'best_{f}_cutoff']:g}" for f in CURVE_FIELDS)
            lines.append(f"{row['tracker']}: HOTA area {100 * row['HOTA_area']:.3f}; best {best}")
    if extras.bootstrap is not None:
        from .bootstrap import sentence
        boot = extras.bootstrap
        if boot.resampling == "tracks":
            from .track_bootstrap import SUMMARY_FIELDS as shown
            what, paired = "ground-truth tracks within sequences", "AssA"
        else:
            from .bootstrap import SUMMARY_FIELDS as shown
            what, paired = "sequences", "HOTA"
        lines.append(f"\nbootstrap over {what} ({boot.resamples} resamples, seed {boot.seed}, "
                     f"{100 * boot.confidence:g} % percentile intervals)")
        for tr in boot.trackers:
            cells = []
            for field in shown:
                iv = boot.interval(tr, field)
                cells.append(f"{field} {100 * iv.estimate:.2f} [{100 * iv.low:.2f}, {100 * iv.high:.2f}]")
            lines.append(f"{tr}: " + "; ".join(cells))
        for i, a in enumerate(boot.trackers):
            for b in boot.trackers[i + 1:]:
                lines.append(sentence(boot.difference(a, b, paired), boot.confidence))
    if extras.teta is not None:
        from .teta_report import summary_lines
        lines += summary_lines(extras.teta)
    return "\n" + "\n".join(lines) if lines else ""


def json_text(metrics_json: str, extras: Extras) -> str:
    """``--json``: the usual document alone, or wrapped with the sweep and the bootstrap."""
    if not extras:
        return metrics_json
    doc: dict = {"metrics": json.loads(metrics_json)}
    if extras.sweep is not None:
        from .sweep import to_document
        doc["score_sweep"] = to_document(extras.sweep)
    if extras.bootstrap is not None:
        from .bootstrap import to_document as boot_document
        doc["bootstrap"] = boot_document(extras.bootstrap)
    if extras.teta is not None:
        from .teta_report import to_document as teta_document
        doc["teta"] = teta_document(extras.teta)
    return json.dumps(doc, indent=1, allow_nan=True)


def sibling(path: str, kind: str) -> str:
    """``results.csv`` -> ``results.<kind>.csv``."""
    stem, ext = os.path.splitext(path)
    return f"{stem}.{kind}{ext or '.csv'}"


def csv_files(csv_path: str, extras: Extras) -> dict[str, str]:
    """The sibling CSV files: {path: text}."""
    out = {}
    if extras.sweep is not None:
        from .sweep import to_frame
        out[sibling(csv_path, "sweep")] = to_frame(extras.sweep).to_csv(index=False)
    if extras.bootstrap is not None:
        import pandas as pd

        from .bootstrap import table_rows
        frame = pd.DataFrame(table_rows(extras.bootstrap))
        frame.insert(0, "seed", extras.bootstrap.seed)
        frame.insert(0, "resamples", extras.bootstrap.resamples)
        out[sibling(csv_path, "bootstrap")] = frame.to_csv(index=False)
    if extras.teta is not None:
        from .teta_report import to_frame as teta_frame
        out[sibling(csv_path, "teta")] = teta_frame(extras.teta).to_csv(index=False)
    return out

