"""``tracklens check``: every detector on every sequence x tracker (files read leniently), then
each proposed fix scored with the engine of ``eval``."""
from __future__ import annotations

import dataclasses
import time


from ..errors import InputError
from ..formats.motchallenge import read_mot_rows, read_seqinfo
from ..layout import Layout, SequenceFiles
from ..run import RunOptions
from .detect import Evidence
from .evidence import sequence_evidence
from .findings import SCORES, CheckReport, Finding, findings_from
from .fixes import apply_fixes
from .rows import Rows


def _read_rows(path: str, fixes) -> Rows:
    return Rows.from_table(apply_fixes(read_mot_rows(path), fixes))


def check_layout(layout: Layout, opts: RunOptions, *, score: bool = True,
                 progress=None) -> CheckReport:
    """Read every file leniently (with the ``--fix`` corrections already given), run the detectors,
    and (``score``) evaluate each proposed fix on the sequences it concerns."""
    start = time.perf_counter()
    evidence: list[Evidence] = []
    for k, files in enumerate(layout.sequences):
        info = read_seqinfo(files.seqinfo)
        gt = _read_rows(files.gt, ())
        trackers = {t: _read_rows(p, [f for f in files.fixes if f.applies_to(t)]) for t, p in files.trackers.items()}
        evidence += sequence_evidence(files.name, gt, trackers, opts, info.length, info.width, info.height)
        if progress:
            progress(k + 1, len(layout.sequences), files.name)
    findings = findings_from(evidence)
    if score:
        for finding in findings:
            if finding.fixes and finding.tracker is not None:
                score_fix(finding, layout, opts)
    given = tuple(str(f) for f in (layout.sequences[0].fixes if layout.sequences else ()))
    return CheckReport(findings, len(layout.sequences), len(layout.trackers), time.perf_counter() - start, given)


def _scores(files: list[SequenceFiles], opts: RunOptions, tracker: str, fixes: tuple) -> dict:
    """HOTA, MOTA, IDF1 of ``tracker`` over ``files`` read with ``fixes`` (the engine of ``eval``)."""
    from ..evaluate import combine, evaluate_files
    from ..results import flatten

    key = opts.classes[0] if opts.classes else None
    per_seq = []
    for f in files:
        one = dataclasses.replace(f, trackers={tracker: f.trackers[tracker]}, fixes=fixes)
        per_seq.append(evaluate_files(one, dataclasses.replace(opts, keep=False)).metrics[tracker][key])
    total = combine(per_seq)
    flat = flatten(total)
    return {k: float(flat[k]) for k in SCORES}


def score_fix(finding: Finding, layout: Layout, opts: RunOptions) -> None:
    """Fill ``now`` and ``after``: the tracker on the finding's sequences as it is, and with the fix
    (added to the fixes already given)."""
    files = [f for f in layout.sequences if f.name in finding.sequences]
    given = files[0].fixes if files else ()
    try:
        finding.now = _scores(files, opts, finding.tracker, given)
    except InputError as exc:
        finding.now_error = str(exc)
    try:
        finding.after = _scores(files, opts, finding.tracker, tuple(given) + tuple(finding.fixes))
    except InputError as exc:
        finding.after = None
        finding.now_error = (finding.now_error or "") + f" (after the fix: {exc})"
    finding.scored = True

