"""The terminal side of the check: ``tracklens check``, the lines ``eval`` prints (fixes applied, the
check's summary, what is probably behind a reading error) and ``--strict``."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from ..atomic import write_text
from ..errors import InputError, printable
from ..layout import Layout
from ..run import Run, RunInputs, RunOptions, resolve_inputs
from .checker import check_layout
from .findings import CheckReport, Finding, findings_from
from .fixes import check_fix_trackers, parse_fixes

SUMMARY_LINES = 3  # findings named in eval's summary; the rest are counted


def _say(text: str) -> None:
    print(f"tracklens: {printable(text)}", file=sys.stderr)


def _given_fixes(layout: Layout) -> tuple:
    return layout.sequences[0].fixes if layout.sequences else ()


def announce_fixes(layout: Layout) -> None:
    """One line per ``--fix``: never a silent correction."""
    fixes = _given_fixes(layout)
    check_fix_trackers(fixes, layout.trackers)
    for fix in fixes:
        _say(f"fix applied: --fix {fix}: {fix.describe()}")


def _line(f: Finding) -> str:
    return f.message + (f" (fix: {f.fix_args})" if f.fixes else "")


def eval_summary(run: Run, strict: bool) -> bool:
    """Print the check's findings on the data ``eval`` just loaded in a few lines; True when
    ``strict`` makes them fatal."""
    findings = findings_from(run.evidence)
    if not findings:
        _say(f"check: nothing suspicious in {len(run.layout.sequences)} sequence(s) x "
             f"{len(run.layout.trackers)} tracker(s)")
        return False
    for f in findings[:SUMMARY_LINES]:
        _say(f"check: {_line(f)}")
    more = len(findings) - SUMMARY_LINES
    _say(("check: " + (f"{more} more finding(s); " if more > 0 else "") +
          "run 'tracklens check' with the same arguments for the evidence and the score after each fix")
         + (" (--strict: no results written)" if strict else ""))
    return strict


def explain_failure(exc: InputError, layout: Layout, inputs: RunInputs) -> InputError:
    """A reading error with the check's proposed fixes on the same files read leniently (0-based
    frames, a frame offset ...) added to its fix: still one line. The error as it was when the check
    proposes nothing or cannot read the files either."""
    try:
        report = check_layout(layout, _options(layout, inputs), score=False)
    except InputError:
        return exc
    hints = [f for f in report.findings if f.fixes][:SUMMARY_LINES]
    if not hints:
        return exc
    said = "; ".join(f"{f.message} (fix: {f.fix_args})" for f in hints)
    return dataclasses.replace(exc, fix=f"{exc.fix} tracklens check: {said}.".strip())


def _options(layout: Layout, inputs: RunInputs) -> RunOptions:
    return RunOptions("mot", layout.classes, layout.benchmark, inputs.preprocess, inputs.threshold)


def format_report(report: CheckReport) -> str:
    """The findings for a terminal: the sentence, the fix with its scores, the sequences."""
    if not report.findings:
        return (f"No findings in {report.sequences} sequence(s) x {report.trackers} tracker(s) "
                f"({report.seconds:.1f} s).")
    lines = [f"{len(report.findings)} finding(s) in {report.sequences} sequence(s) x {report.trackers} tracker(s) "
             f"({report.seconds:.1f} s):"]
    for k, f in enumerate(report.findings, 1):
        lines.append(f"\n{k}. [{f.kind}] {printable(f.message)}")
        if f.fixes:
            lines.append(f"   fix: {f.fix_args}  ({'; '.join(x.describe() for x in f.fixes)})")
        if f.scored:
            if f.after is not None:
                lines.append(f"   score over {len(f.sequences)} sequence(s): {f.score_text()}")
            if f.now_error:
                lines.append(f"   as it is: {printable(f.now_error)}")
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    """``tracklens check``: exit 0, or 1 with ``--strict`` when there are findings."""
    inputs = RunInputs(args.gt_folder, args.trackers_folder, "mot", args.benchmark, args.split, args.seqmap,
                       tuple(args.trackers) if args.trackers else None,
                       tuple(args.classes) if args.classes else None, None,
                       not args.no_preproc and not args.classes, args.threshold,
                       tuple(str(f) for f in parse_fixes(args.fix))).absolute()
    layout = resolve_inputs(inputs)
    if inputs.fixes:
        announce_fixes(layout)
    report = check_layout(layout, _options(layout, inputs), score=not args.no_score)
    print(format_report(report))
    if args.json:
        write_text(args.json, json.dumps(report.to_dict(), indent=1))
    return 1 if args.strict and report.findings else 0
