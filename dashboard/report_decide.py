"""The report's "Score sweep" and "Uncertainty" sections: the sweep the run carries or the one asked for with
``tracklens report --score-thresholds SPEC`` (computed from the input files, ``report_reeval``), else one
sentence naming that flag; and the sequence bootstrap of the headline metrics with the paired comparison
of every two trackers. ``report.build_report`` calls ``decide_sections``."""
from __future__ import annotations

import html
from typing import Callable

from tracklens.bootstrap import CONFIDENCE, bootstrap_run, saved_settings, sentence
from tracklens.sweep import check_curves_document

from .report_reeval import SWEEP_LEFT_OUT
from .sweep_figures import best_cutoff_table, flat_trackers, sweep_curves

INTERVAL_FIELDS = ("HOTA", "DetA", "AssA", "MOTA", "IDF1")


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _sweep_doc(ws, reevaluation=None) -> tuple[dict | None, str]:
    """(curves document, where it comes from) or (None, why not); ``reevaluation``: the report's
    ``report_reeval.Reevaluation``, which computes the sweep asked for (``--score-thresholds``) beside
    the what-if. Without one asked for, the sweep the run carries, else ``SWEEP_LEFT_OUT``."""
    if ws.inputs.format != "mot" or ws.classes:
        return None, "the score sweep evaluates MOTChallenge files without classes"
    if reevaluation is not None and reevaluation.wants_sweep:
        return reevaluation.sweep()
    carried = ws.manifest.get("score_sweep")
    if carried is not None:
        return check_curves_document(carried, "manifest.json", list(ws.trackers)), "carried by the saved run"
    return None, SWEEP_LEFT_OUT


def _table(frame, digits: int = 1) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(v if isinstance(v, str) else f'{v:.{digits}f}' if isinstance(v, float) else v)}</td>"
                                    for v in row) + "</tr>" for row in frame.itertuples(index=False))
    return f'<div class="table-wrap"><table class="metrics"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _sweep_section(ws, figure_html: Callable, section: Callable, reevaluation=None) -> str:
    from tracklens.run import reevaluation_refused

    if ws.inputs.format == "mot" and not ws.classes and (refused := reevaluation_refused(ws.inputs)):
        return section("sweep", "Score sweep", f'<p class="note">No score sweep: {_e(refused)}</p>')
    doc, origin = _sweep_doc(ws, reevaluation)
    if doc is None:
        note = origin if origin == SWEEP_LEFT_OUT else f"No score sweep: {origin}."
        return section("sweep", "Score sweep", f'<p class="note">{_e(note)}</p>')
    best = best_cutoff_table(doc)
    body = figure_html(sweep_curves(doc), "sweep") + _table(best, 2)
    flat = flat_trackers(doc)
    if flat:
        body += (f'<p class="note">Flat curves (every cutoff keeps the same boxes): {_e(", ".join(flat))}.</p>')
    lead = ("Each point evaluates the trackers with their boxes of confidence below the cutoff removed before "
            "matching (equal to TrackEval on the filtered files); a star marks each curve's best cutoff. The HOTA "
            "area is the mean height of the HOTA curve over the cutoffs (trapezoid rule, divided by the range; "
            f"docs/sweep.md). Sweep {_e(origin)}.")
    return section("sweep", "Score sweep", body, lead)


def _uncertainty_section(ws, section: Callable) -> str:
    sequences = tuple(s.name for s in ws.sequences)
    if len(sequences) < 2:
        return section("uncertainty", "Uncertainty",
                       '<p class="note">One sequence: the bootstrap draws whole sequences, so there is nothing to '
                       "resample.</p>")
    resamples, seed = saved_settings(ws.manifest)
    boot = bootstrap_run(ws.metrics, sequences, resamples, seed)
    rows = []
    for tr in boot.trackers:
        cells = [f"<td>{_e(tr)}</td>"]
        for field in INTERVAL_FIELDS:
            iv = boot.interval(tr, field)
            cells.append(f"<td>{100 * iv.estimate:.1f} <small>[{100 * iv.low:.1f}, {100 * iv.high:.1f}]</small></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "<th>tracker</th>" + "".join(f"<th>{f}</th>" for f in INTERVAL_FIELDS)
    body = f'<div class="table-wrap"><table class="metrics"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    pairs = [sentence(boot.difference(a, b, f), boot.confidence) for i, a in enumerate(boot.trackers)
             for b in boot.trackers[i + 1:] for f in ("HOTA", "MOTA", "IDF1")]
    if pairs:
        body += "<ul>" + "".join(f"<li>{_e(p)}</li>" for p in pairs) + "</ul>"
    lead = (f"{100 * CONFIDENCE:g} % percentile intervals from {boot.resamples} resamples of the {len(sequences)} "
            f"sequences with replacement (seed {boot.seed}), each combined exactly as TrackEval combines sequences; "
            "every tracker on the same draws, so the differences are paired (docs/uncertainty.md)."
            + (" With so few sequences there are few distinct resamples: read the intervals with care."
               if len(sequences) < 5 else ""))
    return section("uncertainty", "Uncertainty", body, lead)


def decide_sections(ws, figure_html: Callable, section: Callable, reevaluation=None) -> list[str]:
    """The two sections as HTML (``figure_html(fig, name)`` and ``section(anchor, title, body, lead)``
    are the report's own; ``reevaluation``: the report's ``report_reeval.Reevaluation``)."""
    return [_sweep_section(ws, figure_html, section, reevaluation), _uncertainty_section(ws, section)]
