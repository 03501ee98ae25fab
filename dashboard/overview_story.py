"""The Overview's table in the order papers quote it, and one sentence per tracker on what costs it most:
its largest what-if gain over all sequences, its worst sequence and that sequence's costliest tracks.
Pure functions: the page turns the facts into links."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracklens.evaluate import COMBINED

from .text import plain
from .views import FIX_LABELS

# The numbers papers quote, first (CLEAR's FP and FN are CLR_FP / CLR_FN in TrackEval's names).
PAPER_COLUMNS = ("HOTA", "DetA", "AssA", "MOTA", "IDF1", "IDSW", "CLR_FP", "CLR_FN")
SHORT_NAMES = {"CLR_FP": "FP", "CLR_FN": "FN"}


def paper_first(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (a ``summary_table``) with tracker, then ``PAPER_COLUMNS``, then every other column."""
    first = ["tracker", *[c for c in PAPER_COLUMNS if c in table]]
    return table[first + [c for c in table.columns if c not in first]]


@dataclass(frozen=True)
class Costs:
    """What costs one tracker most (each part None when unknown)."""

    tracker: str
    hota: float  # combined, percent
    fix: str | None = None  # the what-if fix with the largest combined gain
    gain: float | None = None  # its gain, points of combined HOTA
    sequence: str | None = None  # the sequence with the lowest HOTA
    sequence_hota: float | None = None
    tracks: tuple[tuple[int, float, int], ...] = ()  # (gt id, frames lost, first frame), costliest first


def worst_sequence(metrics: dict[str, dict[str, dict]], tracker: str) -> tuple[str, float] | None:
    """The sequence where ``tracker``'s HOTA (mean over α, percent) is lowest; None with a single sequence."""
    scores = {s: 100 * float(np.mean(m["HOTA"])) for s, m in metrics[tracker].items() if s != COMBINED}
    if len(scores) < 2:
        return None
    name = min(scores, key=lambda s: (scores[s], s))
    return name, scores[name]


def largest_gain(table: pd.DataFrame) -> tuple[str, float]:
    """The single fix (not ``fix_all``) with the largest gain in a ``combine_what_if`` table: (fix, points)."""
    single = table[~table["fix"].isin(["baseline", "fix_all"])]
    best = single.loc[single["delta_HOTA"].idxmax()]
    return str(best["fix"]), 100 * float(best["delta_HOTA"])


def costliest(tracks: pd.DataFrame, n: int = 3) -> tuple[tuple[int, float, int], ...]:
    """The ``n`` ground-truth tracks that lose the most (``track_rows.with_cost`` table), those losing something."""
    top = tracks[tracks["lost"] > 1e-9].sort_values(["lost", "gt_id"], ascending=[False, True]).head(n)
    return tuple((int(r.gt_id), float(r.lost), int(r.first_frame)) for r in top.itertuples())


def sentence(c: Costs, whatif_note: str) -> str:
    """``c`` in words, as Markdown with every name escaped (``whatif_note`` stands in for an unknown gain)."""
    parts = [f"**{plain(c.tracker)}** (combined HOTA {c.hota:.1f}):"]
    if c.fix is not None and c.gain is not None:
        what = FIX_LABELS.get(c.fix, c.fix)
        parts.append(f"the largest what-if gain over all sequences is *{plain(what)}*, "
                     f"{c.gain:+.1f} points of combined HOTA." if c.gain > 0 else
                     f"no single fix raises its combined HOTA (the best, *{plain(what)}*, changes it by {c.gain:+.1f}).")
    else:
        parts.append(whatif_note)
    if c.sequence is not None:
        parts.append(f"Its worst sequence is {plain(c.sequence)} (HOTA {c.sequence_hota:.1f})"
                     + (", where its costliest tracks are " + ", ".join(f"gt {g} ({lost:.0f} frames lost)"
                                                                      for g, lost, _ in c.tracks) + "."
                        if c.tracks else "."))
    elif c.tracks:
        parts.append("Its costliest tracks are " + ", ".join(f"gt {g} ({lost:.0f} frames lost)"
                                                             for g, lost, _ in c.tracks) + ".")
    return " ".join(parts)
