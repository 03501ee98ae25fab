"""Tables of a run diff (``tracklens.rundiff.RunDiff``) as the Compare page and the report show them:
each names its matching, and the counts table says which listed changes explain each delta."""
from __future__ import annotations

import pandas as pd

from tracklens.analysis.diff import ADDED, REMOVED
from tracklens.rundiff import RunDiff

TRACK_COLUMNS = ["sequence", "gt_id", "frames", "Δ CLEAR FN", "Δ IDSW", "Δ Frag", "Δ HOTA FN", "Δ HOTA assoc",
                 "Δ HOTA loss", "verdict"]


def summary_view(d: RunDiff, sequence: str = "COMBINED") -> pd.DataFrame:
    """Per matching and measure: A, B, B − A and the changes that make it up (``+added − removed``)."""
    c = d.counts[d.counts["sequence"] == sequence]
    return pd.DataFrame({
        "matching": c["matching"].to_numpy(), "measure": c["measure"].to_numpy(), "A": c["A"].to_numpy(),
        "B": c["B"].to_numpy(), "B − A": [f"{x:+d}" for x in c["delta"]],
        "explained by": [f"+{r.added} {ADDED[r.measure]} − {r.removed} {REMOVED[r.measure]}"
                         for r in c.itertuples()]})


def change_frames(d: RunDiff, sequence: str) -> pd.DataFrame:
    """Per frame of ``sequence`` with a change under CLEAR: how many switches/fragmentations appeared and
    vanished, FNs and FPs fixed and introduced (what to step through in the frame view)."""
    clear = d.matchings["CLEAR"]
    parts = []
    for name in ("events", "gt_boxes", "tr_boxes"):
        t = getattr(d, name)
        t = t[(t["sequence"] == sequence).to_numpy() & (t["matching"] == clear).to_numpy()]
        what = (t["type"] + " " + t["change"]) if name == "events" else t["change"]
        parts.append(pd.DataFrame({"frame": t["frame"].to_numpy(), "what": what.to_numpy()}))
    both = pd.concat(parts, ignore_index=True)
    if both.empty:
        return pd.DataFrame({"frame": pd.Series(dtype="int64"), "changes": pd.Series(dtype=str)})
    counted = both.groupby(["frame", "what"], sort=True).size().reset_index(name="n")
    text = counted.assign(item=counted["n"].astype(str) + " " + counted["what"]).groupby("frame")["item"]
    return text.agg(", ".join).reset_index(name="changes")


def event_view(d: RunDiff, sequence: str | None = None) -> pd.DataFrame:
    """Switches and fragmentations that appeared or vanished, with each run's tracker ids (previous → now)."""
    e = d.events if sequence is None else d.events[d.events["sequence"] == sequence]

    def ids(prev: pd.Series, now: pd.Series) -> list[str]:
        return ["—" if n < 0 else f"{p} → {n}" for p, n in zip(prev, now)]

    return pd.DataFrame({"sequence": e["sequence"].to_numpy(), "frame": e["frame"].to_numpy(),
                         "gt id": e["gt_id"].to_numpy(), "event": e["type"].to_numpy(), "change": e["change"].to_numpy(),
                         "A tracker id": ids(e["prev_tr_id_a"], e["tr_id_a"]),
                         "B tracker id": ids(e["prev_tr_id_b"], e["tr_id_b"])})


def track_view(d: RunDiff, n: int, *, worse: bool) -> pd.DataFrame:
    """The ``n`` ground-truth tracks most worsened (or improved) by their HOTA loss at α."""
    return d.top_tracks(n, worse=worse)[TRACK_COLUMNS]
