"""The report's run-diff section: in a run with several trackers, what changed from the first tracker
to each other one (``tracklens.rundiff``) over every sequence: the counts with the boxes and events that
explain them, each under its named matching, the tracks most improved and worsened, and the identity
switches that appeared or vanished."""
from __future__ import annotations

import html
import numbers

import pandas as pd

from tracklens.metrics.hota import ALPHAS
from tracklens.rundiff import alpha_index, diff_runs, gather

from .diff_views import event_view, summary_view, track_view

MAX_PAIRS = 3  # comparisons shown: the first tracker against the next ones
TOP_TRACKS = 5
MAX_EVENTS = 15


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = []
    for row in df.itertuples(index=False):
        cells = "".join(f'<td class="num">{v:+.2f}</td>' if isinstance(v, float) else
                        f'<td class="num">{v}</td>' if isinstance(v, numbers.Integral) else f"<td>{_e(v)}</td>"
                        for v in row)
        rows.append(f"<tr>{cells}</tr>")
    return (f'<div class="table-wrap"><table class="metrics"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _diff(ws, first: str, other: str, alpha: float, pieces=None):
    """``diff_runs`` of two trackers of the run; from the report's ``report_pieces.ReportPieces`` (each
    sequence's ``diff_sequence``, gathered in the run's order) when given."""
    if pieces is None:
        return diff_runs(ws, first, ws, other, alpha)
    threshold = float(ws.inputs.threshold)
    parts = [pieces.get(s.name).diffs[other] for s in ws.sequences]
    return gather(parts, first, other, float(ALPHAS[alpha_index(alpha)]), threshold, threshold)


def diff_section(ws, alpha: float, pieces=None) -> str:
    """The whole ``<section id="diff">`` (a note when the run has a single tracker); ``pieces``: the
    report's ``report_pieces.ReportPieces`` at ``alpha``."""
    lead = ("What changed from the first tracker (A) to each other one (B), box by box: every count's change "
            "B − A is exactly the boxes and events added minus those removed, each under its matching (CLEAR at the "
            "IoU threshold; HOTA at α). Two separate runs compare with <code>tracklens diff RUN_A RUN_B</code>.")
    if len(ws.trackers) < 2:
        body = ('<p class="note">This run has one tracker: nothing to compare here. '
                "<code>tracklens diff RUN_A RUN_B</code> compares two runs.</p>")
        return f'<section id="diff"><h2>Run diff</h2><p class="lead">{lead}</p>{body}</section>'
    parts = []
    first = ws.trackers[0]
    for other in ws.trackers[1:1 + MAX_PAIRS]:
        d = _diff(ws, first, other, alpha, pieces)
        v = d.verdicts()
        parts.append(f"<h3>B = {_e(other)} against A = {_e(first)}</h3>")
        parts.append(f'<p class="facts">Matchings: {_e(d.matchings["CLEAR"])}; {_e(d.matchings["HOTA"])}. '
                     f"Ground-truth tracks: {v['better']} better, {v['worse']} worse, {v['mixed']} mixed, "
                     f"{v['same']} unchanged.</p>")
        parts.append(_table(summary_view(d)))
        for worse in (True, False):
            t = track_view(d, TOP_TRACKS, worse=worse)
            if len(t):
                parts.append(f"<h4>Tracks most {'worsened' if worse else 'improved'} (Δ HOTA loss at "
                             f"{_e(d.matchings['HOTA'])})</h4>{_table(t)}")
        events = event_view(d)
        switches = events[events["event"] == "IDSW"]
        if len(switches):
            shown = switches.head(MAX_EVENTS)
            more = f" (first {len(shown)} of {len(switches)})" if len(switches) > len(shown) else ""
            parts.append(f"<h4>Identity switches that appeared or vanished ({_e(d.matchings['CLEAR'])}){more}</h4>"
                         f"{_table(shown)}")
    if len(ws.trackers) > 1 + MAX_PAIRS:
        parts.append(f'<p class="note">{len(ws.trackers) - 1 - MAX_PAIRS} more trackers not compared here.</p>')
    return f'<section id="diff"><h2>Run diff</h2><p class="lead">{lead}</p>{"".join(parts)}</section>'
