"""Run diff: did my change help, and where. ``diff_runs`` compares tracker A of one workspace with
tracker B of another (or of the same) on the same ground truth, sequence by sequence
(``analysis.diff.diff_sequence``), and gathers the changes into one ``RunDiff``.

The counts table gives, per sequence and combined, each count as reported (A, B) beside the boxes and
events that changed (``added``, ``removed``): ``delta == added - removed`` always.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .analysis.diff import MEASURES, TRACK_COSTS, SequenceDiff, clear_label, diff_sequence, hota_label
from .errors import InputError
from .jsonable import plain
from .metrics.hota import ALPHAS

COMBINED = "COMBINED"
TABLES = ("counts", "events", "gt_boxes", "tr_boxes", "tracks")


def alpha_index(alpha: float) -> int:
    """Index of the nearest of the 19 alphas."""
    return int(np.argmin(np.abs(ALPHAS - alpha)))


@dataclass(frozen=True)
class RunDiff:
    """Every change from A to B (each table has ``sequence`` and ``matching`` columns):

    - ``counts``: per sequence and ``COMBINED``, each count as reported in A and B, its change, and
      the boxes/events added (FN/FP introduced, IDSW/Frag appeared) and removed (fixed, vanished);
    - ``events``: CLEAR switches and fragmentations that appeared or vanished (frame, gt id, both
      runs' tracker ids); ``gt_boxes`` / ``tr_boxes``: FNs / FPs fixed or introduced under CLEAR and
      under HOTA at α; ``tracks``: the ground-truth tracks whose costs changed, with a verdict."""

    a: str
    b: str
    alpha: float
    threshold_a: float
    threshold_b: float
    sequences: tuple[str, ...]
    counts: pd.DataFrame
    events: pd.DataFrame
    gt_boxes: pd.DataFrame
    tr_boxes: pd.DataFrame
    tracks: pd.DataFrame
    unchanged_tracks: int

    @property
    def matchings(self) -> dict[str, str]:
        """The names of the two matchings every change is under."""
        return {"CLEAR": clear_label(self.threshold_a, self.threshold_b),
                "HOTA": hota_label(alpha_index(self.alpha))}

    def summary(self) -> pd.DataFrame:
        """The combined counts: matching, measure, A, B, delta, added, removed."""
        return self.counts[self.counts["sequence"] == COMBINED].drop(columns="sequence").reset_index(drop=True)

    def verdicts(self) -> dict[str, int]:
        """How many ground-truth tracks got better, worse, mixed, or stayed the same."""
        found = self.tracks["verdict"].value_counts()
        return {v: int(found.get(v, 0)) for v in ("better", "worse", "mixed")} | {"same": self.unchanged_tracks}

    def top_tracks(self, n: int = 10, *, worse: bool = True) -> pd.DataFrame:
        """The ``n`` tracks that got the most worse (or better) by their HOTA loss at α, ``Δ HOTA FN +
        Δ HOTA assoc`` (gt frames not covered by TP x AssA: what the track takes from DetA and AssA)."""
        loss = self.tracks["Δ HOTA FN"] + self.tracks["Δ HOTA assoc"]
        picked = self.tracks.assign(**{"Δ HOTA loss": loss})
        picked = picked[(loss > 0) if worse else (loss < 0)]
        return picked.sort_values("Δ HOTA loss", ascending=not worse, kind="stable").head(n).reset_index(drop=True)

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        """Every table by name (``TABLES``)."""
        return {name: getattr(self, name) for name in TABLES}

    def to_dict(self) -> dict:
        """JSON-ready: what was compared, the matchings, the track verdicts and every table as records."""
        return {"a": self.a, "b": self.b, "alpha": self.alpha, "threshold_a": self.threshold_a,
                "threshold_b": self.threshold_b, "sequences": list(self.sequences), "matchings": self.matchings,
                "tracks_changed": self.verdicts(),
                **{name: [{k: plain(v) for k, v in row.items()} for row in table.to_dict("records")]
                   for name, table in self.to_pandas().items()}}


def diff_runs(ws_a, tracker_a: str, ws_b, tracker_b: str, alpha: float = 0.5, *,
              sequences: list[str] | None = None, label_a: str | None = None,
              label_b: str | None = None) -> RunDiff:
    """The changes from ``tracker_a`` in workspace ``ws_a`` to ``tracker_b`` in ``ws_b`` (the same
    workspace for two trackers of one run), on every sequence (or ``sequences``), under CLEAR at each
    run's threshold and HOTA at ``alpha``. Raises ``InputError`` when the runs do not share the
    sequences or the ground truth."""
    for ws, tracker, side in ((ws_a, tracker_a, "A"), (ws_b, tracker_b, "B")):
        if tracker not in ws.trackers:
            raise InputError(tracker, f"run {side} has no tracker {tracker!r} (it has {', '.join(ws.trackers)}).",
                             "Pick one of its trackers.")
    names_a = [s.name for s in ws_a.sequences]
    names_b = [s.name for s in ws_b.sequences]
    if sequences is None:
        if sorted(names_a) != sorted(names_b):
            only = sorted(set(names_a) ^ set(names_b))
            raise InputError(", ".join(only[:5]), "the two runs do not have the same sequences "
                             f"(in one run only: {len(only)}).", "Compare runs of the same sequences.")
        sequences = names_a
    if not sequences:
        raise InputError("sequences", "no sequence to compare.", "Give runs with at least one sequence.")
    missing = [s for s in sequences if s not in names_a or s not in names_b]
    if missing:
        raise InputError(", ".join(missing[:5]), "sequence not in both runs.", "Pick sequences both runs have.")
    k = alpha_index(alpha)
    ta, tb = float(ws_a.inputs.threshold), float(ws_b.inputs.threshold)
    parts = [diff_sequence(ws_a.analysis(tracker_a, s), ws_b.analysis(tracker_b, s), k, ta, tb) for s in sequences]
    return gather(parts, label_a or tracker_a, label_b or tracker_b, float(ALPHAS[k]), ta, tb)


def gather(parts: list[SequenceDiff], a: str, b: str, alpha: float, threshold_a: float, threshold_b: float
           ) -> RunDiff:
    """One ``RunDiff`` from the diffs of each sequence (in order), with the combined counts."""
    def tables(name: str) -> pd.DataFrame:
        return pd.concat([getattr(p, name).assign(sequence=p.sequence) for p in parts], ignore_index=True)[
            ["sequence", *getattr(parts[0], name).columns]]

    counts = tables("counts")
    combined = counts.groupby(["matching", "measure"], sort=False)[["A", "B", "delta", "added", "removed"]].sum()
    counts = pd.concat([counts, combined.reset_index().assign(sequence=COMBINED)], ignore_index=True)
    return RunDiff(a, b, alpha, threshold_a, threshold_b, tuple(p.sequence for p in parts), counts, tables("events"),
                   tables("gt_boxes"), tables("tr_boxes"), tables("tracks"), sum(p.unchanged_tracks for p in parts))


__all__ = ["COMBINED", "MEASURES", "RunDiff", "TRACK_COSTS", "TABLES", "alpha_index", "diff_runs", "gather"]
