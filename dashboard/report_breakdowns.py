"""The report's section on breakdowns by condition and causes of identity errors (docs/breakdowns.md)."""
from __future__ import annotations

import html
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from tracklens.analysis.breakdown import add_counts, breakdown_table, shown_conditions
from tracklens.analysis.causes import CAUSES, KINDS, cause_counts
from tracklens.breakdowns import baseline, combined_table, matching_names, pooled_baseline, tracker_causes

from .breakdown_views import cause_summary, condition_comparison, headline_finding
from .views import alpha_index, clear_threshold


def breakdown_section(ws, alpha: float, figure_html: Callable[[go.Figure, str], str], colors: dict[str, str],
                      pieces=None) -> tuple[str, str, str, str]:
    """(anchor, title, body, lead) of the section: a chart per condition, the causes table and the findings.
    ``pieces``: the report's ``report_pieces.ReportPieces`` at ``alpha``, which hold each sequence's counts."""
    a_idx = alpha_index(alpha)
    tables, counts, base = {}, {}, None
    if pieces is not None:  # the same functions, per sequence, gathered in the run's order
        done = [pieces.get(s.name) for s in ws.sequences]
        for tracker in ws.trackers:
            tables[tracker] = breakdown_table(add_counts([p.counts[tracker] for p in done]))
            counts[tracker] = cause_counts(pd.concat([p.causes[tracker] for p in done], ignore_index=True))
        base = pooled_baseline([p.baseline for p in done])
    else:
        for tracker in ws.trackers:
            analyses = [(s.name, ws.analysis(tracker, s.name)) for s in ws.sequences]
            tables[tracker] = combined_table(analyses)
            counts[tracker] = cause_counts(tracker_causes(analyses, a_idx))
            base = base or baseline(analyses)  # ground truth only: the same through every tracker
    charts = "".join(figure_html(condition_comparison(tables, name, colors), f"breakdown-{name}")
                     for name in shown_conditions(list(tables.values())))
    summary = cause_summary(counts, base)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ("tracker", "kind", "events", *CAUSES.values(), "no evidence"))
    rows = []
    for r in summary.to_dict("records"):
        cells = [html.escape(r["tracker"]), html.escape(KINDS.get(r["kind"], r["kind"])), f"{r['events']:,}"]
        cells += ["–" if r[c] != r[c] else f"{r[c]:.0f} %" for c in (*CAUSES.values(), "no evidence")]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    findings = [f for t in ws.trackers if (f := headline_finding(t, counts[t], base))]
    matching = matching_names(a_idx, clear_threshold(ws.manifest))
    body = (f'<div class="grid2">{charts}</div>'
            f"<h3>Causes of identity errors</h3>"
            + ("<ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in findings) + "</ul>" if findings else "")
            + f'<div class="table-wrap"><table class="metrics"><thead><tr>{head}</tr></thead>'
              f'<tbody>{"".join(rows)}</tbody></table></div>'
            + f'<p class="note">Switches and fragmentations: {html.escape(matching["switch"])}; FN bursts: '
              f'{html.escape(matching["fn_burst"])}. Evidence is read from the 10 frames before each event; an event '
              "keeps every cause that applies, so shares overlap; the last row gives how common the same evidence "
              "is at any ground-truth box (a cause matters where its share is well above that). The dashboard's "
              "Error patches page shows each "
              "one as a crop.</p>")
    lead = ("HOTA per bin of each condition, all sequences pooled (for visibility, frames since visible and KITTI's "
            "occlusion and truncation, which false positives do not have, OWTA = √(DetRe·AssA); a condition without "
            "a value at any box is left out). Ground-truth boxes count in their own bin, false "
            "positives in the bin of the tracker box's value; AssA of a bin averages HOTA's association score of its "
            "TPs. Bins and definitions: docs/breakdowns.md.")
    return "breakdowns", "Breakdowns and causes of identity errors", body, lead
