"""The per-sequence work of the report's sections built from the saved box tables: each sequence's
breakdown counts, causes of identity errors and ground-truth baseline, its ground-truth track tables
and coverage spans at α (worst tracks) and its run diffs (first tracker against the next ones). Every piece is the
function the section called before on that one sequence, so gathering them in the run's sequence
order gives the same tables.

``ReportPieces(ws, alpha_index, pairs, workers)`` starts them: with ``workers > 1`` and a saved run, in
that many processes (each reads its sequences' tables itself), while the report builds its other
sections; otherwise here, on first use. ``get(sequence)`` waits for one sequence's pieces."""
from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

import pandas as pd

from tracklens.analysis.breakdown import sequence_counts
from tracklens.analysis.causes import baseline_counts, identity_causes
from tracklens.analysis.diff import SequenceDiff, diff_sequence
from tracklens.analysis.frame_table import FrameTable
from tracklens.analysis.tracks import analysis_track_table, coverage_segments
from tracklens.breakdowns import conditions

# The box-table columns the pieces read (not the similarities, scores or masks: a quarter of a MOTChallenge
# table, most of a mask format's)
PIECE_COLUMNS = ["frame", "side", "id", "x", "y", "w", "h", "row", "vis", "evaluated", "partner", "level",
                 "clear_partner", "event", "idtp", "kitti_occluded", "kitti_truncated"]


@dataclass
class SequencePieces:
    """One sequence's share of the report (see the module doc)."""

    name: str
    counts: dict[str, dict]  # tracker -> ``breakdown.sequence_counts``
    causes: dict[str, pd.DataFrame]  # tracker -> ``causes.identity_causes`` with its ``sequence`` column
    baseline: dict[str, int]  # ``causes.baseline_counts`` of the ground truth (through the first tracker)
    track_tables: dict[str, pd.DataFrame]  # tracker -> ``tracks.gt_track_table`` at α
    segments: dict[str, pd.DataFrame]  # tracker -> ``tracks.coverage_segments`` of every ground-truth id at α
    diffs: dict[str, SequenceDiff]  # other tracker -> ``diff.diff_sequence(first, other)``


def sequence_pieces(ws, name: str, alpha_index: int, pairs: tuple[str, ...]) -> SequencePieces:
    """The pieces of sequence ``name``; ``pairs``: the trackers compared with the first one."""
    analyses = {tr: _narrow(ws.analysis(tr, name)) for tr in ws.trackers}
    first = analyses[ws.trackers[0]]
    threshold = float(ws.inputs.threshold)
    return SequencePieces(
        name,
        counts={tr: sequence_counts(an.boxes, conditions(an)) for tr, an in analyses.items()},
        causes={tr: identity_causes(an.boxes, an.identity_events, an.fn_bursts, alpha_index, conditions(an))
                .assign(sequence=name) for tr, an in analyses.items()},
        baseline=baseline_counts(first.boxes, conditions(first)),
        track_tables={tr: analysis_track_table(an, alpha_index) for tr, an in analyses.items()},  # kept: the
        # diffs' track costs below read the same tables
        segments={tr: coverage_segments(an.boxes, alpha_index, "gt") for tr, an in analyses.items()},
        diffs={tr: diff_sequence(first, analyses[tr], alpha_index, threshold, threshold) for tr in pairs})


def _narrow(an):
    """A copy of an analysis whose whole box table holds only ``PIECE_COLUMNS`` (read alone from a saved
    run); the analysis itself is left as it was (the report's thumbnails read windows of it)."""
    boxes = FrameTable(an.stored_boxes.columns(PIECE_COLUMNS), categories=an.stored_boxes.categories)
    return replace(an, stored_boxes=boxes, memo={})


_WS = None  # a worker process's copy of the workspace (``_start_worker``)


def _start_worker(ws) -> None:
    global _WS
    _WS = ws


def _worker_pieces(name: str, alpha_index: int, pairs: tuple[str, ...]) -> SequencePieces:
    """Worker: one sequence's pieces; its tables are let go afterwards (the pieces are small)."""
    try:
        return sequence_pieces(_WS, name, alpha_index, pairs)
    finally:
        for tr in _WS.trackers:
            _WS._analyses.pop((tr, name), None)


def _worker_input_check() -> str:
    from .report import _input_check

    return _input_check(_WS.inputs)


class ReportPieces:
    """Every sequence's pieces, computed in the background or on first use (see the module doc)."""

    def __init__(self, ws, alpha_index: int, pairs: tuple[str, ...], workers: int = 1):
        self._ws, self._alpha_index, self._pairs = ws, alpha_index, pairs
        self._done: dict[str, SequencePieces | Future] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._input_check: Future | None = None
        names = [m.name for m in ws.sequences]
        workers = min(workers, len(names), os.cpu_count() or 1)
        if ws.root is not None and workers > 1:  # a run from folders holds its tables here: no copies
            bare = replace(ws, _analyses={}, _views={})  # what a worker needs: no tables read here travel
            self._pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(bare,))
            self._input_check = self._pool.submit(_worker_input_check)  # it reads the input files: first
            self._done = {n: self._pool.submit(_worker_pieces, n, alpha_index, pairs) for n in names}

    def input_check(self) -> str:
        """``report._input_check`` of the run's inputs (from a worker when the pieces are)."""
        from .report import _input_check

        if self._input_check is not None:
            try:
                return self._input_check.result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): checked here instead
                pass
        return _input_check(self._ws.inputs)

    @property
    def background(self) -> bool:
        """Whether the pieces come from other processes (the box tables are then not read here)."""
        return self._pool is not None

    def get(self, name: str) -> SequencePieces:
        found = self._done.get(name)
        if isinstance(found, Future):
            try:
                found = found.result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): this sequence here instead
                found = None
        if found is None:
            found = sequence_pieces(self._ws, name, self._alpha_index, self._pairs)
        self._done[name] = found
        return found

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
