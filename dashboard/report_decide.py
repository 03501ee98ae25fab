"""The report's "Score sweep" and "Uncertainty" sections: the sweep the run carries or the one asked for with
``tracklens report --score-thresholds SPEC`` (computed from the input files, ``report_reeval``), else one
sentence naming that flag; and the sequence bootstrap of the headline metrics with the paired comparison
of every two trackers. ``report.build_report`` calls ``decide_sections``."""
from __future__ import annotations

import html
from typing import Callable

from tracklens.bootstrap import CONFIDENCE, SUMMARY_FIELDS, bootstrap_run, saved_settings, sentence
from tracklens.track_bootstrap import SUMMARY_FIELDS as TRACK_INTERVAL_FIELDS
from tracklens.sweep import check_curves_document

from .report_reeval import SWEEP_LEFT_OUT
from .sweep_figures import best_cutoff_table, flat_trackers, sweep_curves

INTERVAL_FIELDS = SUMMARY_FIELDS


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


TRACKS_LEFT_OUT = ("Intervals over ground-truth tracks within the sequences evaluate the input files again, so "
                   "they are added only with tracklens report --resample-tracks.")


def _interval_table(boot, fields: tuple[str, ...]) -> str:
    rows = []
    for tr in boot.trackers:
        cells = [f"<td>{_e(tr)}</td>"]
        for field in fields:
            iv = boot.interval(tr, field)
            cells.append(f"<td>{100 * iv.estimate:.1f} <small>[{100 * iv.low:.1f}, {100 * iv.high:.1f}]</small></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "<th>tracker</th>" + "".join(f"<th>{f}</th>" for f in fields)
    return (f'<div class="table-wrap"><table class="metrics"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def _tracks_part(ws, workers: int) -> str:
    """The ground-truth-track bootstrap (``tracklens report --resample-tracks``): the run's sequences
    evaluated again to sum the matches per track; or why it is not here."""
    if not workers:
        return f'<p class="note">{_e(TRACKS_LEFT_OUT)}</p>'
    from tracklens.errors import InputError
    from tracklens.evaluate import COMBINED
    from tracklens.run import RunOptions, reevaluation_refused, resolve_inputs
    from tracklens.track_bootstrap import track_bootstrap_layout

    inputs = ws.inputs
    if inputs.format != "mot" or ws.classes:
        return '<p class="note">No intervals over ground-truth tracks: they are computed for MOTChallenge runs without classes.</p>'
    if refused := reevaluation_refused(inputs):
        return f'<p class="note">No intervals over ground-truth tracks: {_e(refused)}</p>'
    resamples, seed = saved_settings(ws.manifest)
    try:
        layout = resolve_inputs(inputs, list(ws.trackers), saved=True)
        boot = track_bootstrap_layout(layout, RunOptions.of(inputs, layout), resamples, seed, workers,
                                      combined={t: ws.metrics[t][COMBINED] for t in ws.trackers})
    except InputError as exc:
        return f'<p class="note">No intervals over ground-truth tracks: {_e(exc)}</p>'
    pairs = [sentence(boot.difference(a, b, "AssA"), boot.confidence) for i, a in enumerate(boot.trackers)
             for b in boot.trackers[i + 1:]]
    return ("<h3>Over ground-truth tracks within the sequences</h3>"
            f'<p class="note">{resamples} resamples drawing, in every sequence, as many ground-truth tracks as it has '
            f"(seed {seed}), the matchings as evaluated; for the fields that split over ground-truth tracks: which "
            "objects were annotated, not which videos (docs/uncertainty.md).</p>"
            + _interval_table(boot, TRACK_INTERVAL_FIELDS)
            + ("<ul>" + "".join(f"<li>{_e(p)}</li>" for p in pairs) + "</ul>" if pairs else ""))


def _uncertainty_section(ws, section: Callable, tracks: int = 0) -> str:
    sequences = tuple(s.name for s in ws.sequences)
    if len(sequences) < 2:
        return section("uncertainty", "Uncertainty",
                       '<p class="note">One sequence: the bootstrap draws whole sequences, so there is nothing to '
                       "resample.</p>" + _tracks_part(ws, tracks))
    resamples, seed = saved_settings(ws.manifest)
    boot = bootstrap_run(ws.metrics, sequences, resamples, seed)
    body = _interval_table(boot, INTERVAL_FIELDS)
    pairs = [sentence(boot.difference(a, b, f), boot.confidence) for i, a in enumerate(boot.trackers)
             for b in boot.trackers[i + 1:] for f in ("HOTA", "MOTA", "IDF1")]
    if pairs:
        body += "<ul>" + "".join(f"<li>{_e(p)}</li>" for p in pairs) + "</ul>"
    body += _tracks_part(ws, tracks)
    lead = (f"{100 * CONFIDENCE:g} % percentile intervals from {boot.resamples} resamples of the {len(sequences)} "
            f"sequences with replacement (seed {boot.seed}), each combined exactly as TrackEval combines sequences; "
            "every tracker on the same draws, so the differences are paired (docs/uncertainty.md)."
            + (" With so few sequences there are few distinct resamples: read the intervals with care."
               if len(sequences) < 5 else ""))
    return section("uncertainty", "Uncertainty", body, lead)


def decide_sections(ws, figure_html: Callable, section: Callable, reevaluation=None, tracks: int = 0) -> list[str]:
    """The two sections as HTML (``figure_html(fig, name)`` and ``section(anchor, title, body, lead)``
    are the report's own; ``reevaluation``: the report's ``report_reeval.Reevaluation``; ``tracks``:
    with workers above 0, the bootstrap over ground-truth tracks in that many processes)."""
    return [_sweep_section(ws, figure_html, section, reevaluation), _uncertainty_section(ws, section, tracks)]
