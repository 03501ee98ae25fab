"""Which tracks the Tracks page draws, and in which order: each track's cost at α, the orders a user can
pick, and the filters (only tracks with errors, the worst N, the tracks present in a window of frames).

A track's cost is what it loses of HOTA's ideal at α, counted in frames: 1 for each of its boxes that is
not matched (a miss on the ground-truth side, a false positive on the tracker side) and 1 − A(c) for each
matched box (A(c) = the association score of its pair). It is ``frames − matched × AssA`` of the track
tables (AssA is their TP-weighted mean of A), and over every track of one side the matched parts add up
to ``TP × AssA`` of the sequence: a track that costs more frames pulls HOTA down more.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

COST = "lost"
COST_HELP = ("frames lost at α: 1 per unmatched box, 1 − A(c) per matched box (A = association score of the "
             "pair); 0 = a perfect track")
# The orders a user picks, the same words on both sides; per side: label -> (column, ascending). The first
# is the default. "id changes": CLEAR identity switches of a person / people an id covers beyond its first.
ORDERS = ("most lost", "lowest AssA", "most id changes", "most unmatched frames", "fewest matched frames")
ORDER_HELP = ("most lost: " + COST_HELP + ". id changes: CLEAR identity switches of a ground-truth track; for a "
              "tracker id, the people it covers beyond the first. Unmatched frames: misses of a ground-truth "
              "track, false positives of a tracker id.")
GT_ORDERS = dict(zip(ORDERS, ((COST, False), ("AssA", True), ("switches", False), ("missed", False), ("matched", True))))
TR_ORDERS = dict(zip(ORDERS, ((COST, False), ("AssA", True), ("merges", False), ("fp_frames", False), ("matched", True))))
ROW_LIMITS = (25, 50, 100, 250, 1000)


def with_cost(table: pd.DataFrame) -> pd.DataFrame:
    """``gt_track_table`` / ``tracker_track_table`` with the ``lost`` column, and ``missed`` (frames matched
    to no tracker box at α) for ground-truth tracks (a copy)."""
    out = table.copy()
    if "gt_id" in out:
        out.insert(out.columns.get_loc("matched") + 1, "missed", out["frames"] - out["matched"])
    out.insert(1, COST, out["frames"].to_numpy(float) - out["matched"].to_numpy(float) * out["AssA"].to_numpy(float))
    return out


def ordered(table: pd.DataFrame, id_column: str, order: str, orders: dict[str, tuple[str, bool]]) -> pd.DataFrame:
    """``table`` sorted by ``orders[order]``, ties broken by cost (worst first) then id: the order is total."""
    column, ascending = orders[order]
    keys = [column] + ([COST] if column != COST else []) + [id_column]
    return table.sort_values(keys, ascending=[ascending] + ([False] if column != COST else []) + [True],
                             kind="stable").reset_index(drop=True)


def pick_rows(table: pd.DataFrame, id_column: str, errors_only: bool, limit: int | None,
              present: Sequence[int] | None = None) -> pd.DataFrame:
    """The first ``limit`` rows of an ``ordered`` table, keeping only tracks that cost something when
    ``errors_only``, and only the ids in ``present`` (those drawn in a window of frames) when given."""
    keep = np.ones(len(table), bool)
    if errors_only:
        keep &= table[COST].to_numpy(float) > 1e-9
    if present is not None:
        keep &= np.isin(table[id_column].to_numpy(), np.asarray(present))
    picked = table[keep]
    return picked if limit is None else picked.head(limit)
