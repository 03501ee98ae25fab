"""The report's sections that evaluate the run's input files again, each only when asked for (together
they take several times as long as the rest of the report): the score sweep at the cutoffs of
``tracklens report --score-thresholds SPEC`` (a run saved with a sweep carries its own) and the what-if
fixes of ``--what-if``. Each sequence is read once for both (``evaluate.load_sequence``). With
``workers > 1`` they run in that many background processes, started before the report builds its other
sections from the saved tables, so both go on at once.

``Reevaluation(ws, whatif, sweep, workers, score_thresholds)`` starts them; ``sweep()`` and ``whatif()``
wait for their part and give what ``report_decide._sweep_doc`` and ``report.whatif_tables`` give.
``WHATIF_LEFT_OUT`` and ``SWEEP_LEFT_OUT`` are what the report says in their place when not asked for."""
from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd

from tracklens.errors import InputError
from tracklens.sweep import DEFAULT_CUTOFFS, SweepSequence, curves_document, gather_sweep, parse_cutoffs, sweep_loaded

WHATIF_LEFT_OUT = ("What-if gains are not in this report: they evaluate edited copies of the tracker files "
                   "again from the input files, so they are added only with tracklens report --what-if.")
SWEEP_LEFT_OUT = ("No score sweep in this report: it evaluates the input files again at each cutoff, so it is "
                  f"added only with tracklens report --score-thresholds SPEC (e.g. {DEFAULT_CUTOFFS}) or carried "
                  "by a run saved with tracklens eval --score-thresholds SPEC --save.")


@dataclass
class _Part:
    """One sequence's share: its sweep, its what-if tables, or why each failed."""

    name: str
    sweep: SweepSequence | None = None
    sweep_error: str | None = None  # an InputError / OSError while evaluating the sweep
    whatif: list[pd.DataFrame] | None = None
    whatif_error: str | None = None


def reevaluate_sequence(files, trackers: list[str], benchmark: str, preprocess: bool, threshold: float,
                        cutoffs: tuple[float, ...] | None, whatif: bool) -> _Part:
    """Worker: one sequence read once, then its sweep at ``cutoffs`` and (``whatif``) its what-if tables."""
    from tracklens.evaluate import load_sequence

    from .report import whatif_loaded

    part = _Part(files.name)
    try:
        loaded = load_sequence(files)
    except (InputError, OSError) as exc:
        part.sweep_error, part.whatif_error = str(exc), f"{type(exc).__name__}: {exc}"
        return part
    if cutoffs is not None:
        try:
            part.sweep = sweep_loaded(loaded, cutoffs, benchmark, preprocess, threshold)
        except (InputError, OSError) as exc:
            part.sweep_error = str(exc)
    if whatif:
        try:
            part.whatif = whatif_loaded(loaded, trackers, benchmark, preprocess)
        except Exception as exc:  # noqa: BLE001 - the report must still come out
            part.whatif_error = f"{type(exc).__name__}: {exc}"
    return part


class Reevaluation:
    """The re-evaluations a report needs, started at once (see the module doc)."""

    def __init__(self, ws, *, whatif: bool, sweep: bool, workers: int = 1, score_thresholds: str = DEFAULT_CUTOFFS):
        from tracklens.run import reevaluation_refused, resolve_inputs

        from .report import whatif_inputs

        self._ws = ws
        self._spec = score_thresholds
        self._cutoffs = parse_cutoffs(score_thresholds)
        self._sweep_reason: str | None = None  # why no sweep is computed here
        self._whatif_reason: str | None = None
        self._parts: dict[str, Future | _Part] = {}
        self._tasks: dict[str, tuple] = {}  # run here, when first asked for (one worker)
        self._pool: ProcessPoolExecutor | None = None
        inputs = ws.inputs
        self.wants_sweep = (sweep and inputs.format == "mot" and not ws.classes
                            and not reevaluation_refused(inputs) and not self._carried_matches())
        layout = None
        if self.wants_sweep:
            try:
                layout = resolve_inputs(inputs, list(ws.trackers), saved=True)
            except (InputError, OSError) as exc:
                self._sweep_reason = f"it re-reads the input files, which are not available ({exc})"
        self.wants_whatif = whatif
        found: list[str] = []
        if whatif:
            whatif_layout, found_or_reason = whatif_inputs(ws)
            if whatif_layout is None:
                self._whatif_reason = found_or_reason
            else:
                layout, found = whatif_layout, found_or_reason
        sweep_here = self.wants_sweep and self._sweep_reason is None
        if layout is None or not (sweep_here or found):
            return
        self._order = tuple(f.name for f in layout.sequences)
        self._trackers = layout.trackers
        tasks = [(f, list(ws.trackers), inputs.benchmark, inputs.preprocess, inputs.threshold,
                  self._cutoffs if sweep_here else None, f.name in found)
                 for f in layout.sequences if sweep_here or f.name in found]
        if workers > 1 and len(tasks) > 1:
            self._pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks), os.cpu_count() or 1))
            self._parts = {t[0].name: self._pool.submit(reevaluate_sequence, *t) for t in tasks}
        else:
            self._tasks = {t[0].name: t for t in tasks}

    def _carried_matches(self) -> bool:
        """Whether the run carries a sweep at the asked cutoffs (then it is shown, not computed again)."""
        carried = self._ws.manifest.get("score_sweep")
        return (isinstance(carried, dict) and isinstance(carried.get("score_thresholds"), list)
                and tuple(carried["score_thresholds"]) == self._cutoffs)

    def _done(self) -> dict[str, _Part]:
        if not self._parts and self._tasks:
            self._parts = {name: reevaluate_sequence(*t) for name, t in self._tasks.items()}
        out = {name: p.result() if isinstance(p, Future) else p for name, p in self._parts.items()}
        self._parts = out
        return out

    def sweep(self) -> tuple[dict | None, str]:
        """(curves document, where it comes from) or (None, why not): ``report_decide._sweep_doc``'s answer
        for a run that carries no sweep."""
        if self._sweep_reason is not None:
            return None, self._sweep_reason
        done = self._done()
        errors = [p.sweep_error for p in done.values() if p.sweep_error is not None]
        if errors:
            return None, f"it re-reads the input files, which are not available ({errors[0]})"
        result = gather_sweep(self._order, self._trackers, self._cutoffs, {n: p.sweep for n, p in done.items()})
        return curves_document(result), f"computed from the input files at cutoffs {self._spec}"

    def whatif(self) -> tuple[pd.DataFrame | None, str]:
        """``report.whatif_tables``'s answer."""
        from .report import whatif_combined

        if self._whatif_reason is not None:
            return None, self._whatif_reason
        done = self._done()
        failed = [p.whatif_error for p in done.values() if p.whatif_error is not None]
        if failed:
            return None, f"the re-evaluation failed ({failed[0]})"
        return whatif_combined(self._ws, {n: p.whatif for n, p in done.items() if p.whatif is not None}), ""

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
