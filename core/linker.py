"""``--link iou``: identities for detections that have none, so a detector can be scored on what its
detections would give a simple tracker. Everything scored this way is labelled "ids linked by
tracklens" (the tracker's name, the run's notes and its recorded inputs), never passed off as the
tracker's own ids.

The linker, deliberately simple and documented (docs/formats.md, "Detections without identities"):
for every pair of consecutive frames t-1, t, the boxes of frame t are matched to the boxes of frame
t-1 of the same class by the project's per-frame Hungarian (``assignment.assign``, maximising the
summed IoU) among pairs with IoU >= ``threshold`` (TrackEval's box IoU). A matched box takes the
id of its match; every other box starts a new id (1, 2, ... in frame, then file order). No motion
model, no gap bridging: a box missing for one frame ends its track.
"""
from __future__ import annotations

import numpy as np

from .assignment import assign
from .detections import Detections, frame_offsets
from .similarity import box_pairs

LINKERS = ("iou",)
LINK_LABEL = "ids linked by tracklens"
LINK_THRESHOLD = 0.5


def linked_name(tracker: str) -> str:
    """The name a tracker's linked results are shown under, everywhere."""
    return f"{tracker} ({LINK_LABEL})"


def unlinked_name(name: str) -> str:
    """The tracker folder behind a ``linked_name`` (a name without the label is returned as is)."""
    suffix = f" ({LINK_LABEL})"
    return name[: -len(suffix)] if name.endswith(suffix) else name


def link_iou(dets: Detections, threshold: float = LINK_THRESHOLD) -> Detections:
    """``dets`` with every id replaced by the frame-to-frame IoU linker's."""
    n = len(dets)
    if n == 0:
        return dets
    prev_rows = np.flatnonzero(dets.frame < dets.num_frames)  # a box of frame t-1 seen from frame t
    prev_offsets = frame_offsets(dets.frame[prev_rows] + 1, dets.num_frames)
    pairs = box_pairs(dets.box[prev_rows], prev_offsets, dets.box, dets.offsets)
    g, t, s = pairs.gt, pairs.tr, pairs.sim
    keep = (s >= threshold) & (dets.cls[prev_rows[g]] == dets.cls[t])
    g, t, s = g[keep], t[keep], s[keep]
    order = np.lexsort((t, g))
    g, t, s = g[order], t[order], s[order]
    chosen = assign(g, t, s, prev_offsets, dets.offsets)
    predecessor = np.full(n, -1, np.int64)
    predecessor[t[chosen]] = prev_rows[g[chosen]]
    ids = np.zeros(n, np.int64)
    next_id = 1
    for row in range(n):  # frame-sorted: a predecessor always comes first
        p = predecessor[row]
        if p >= 0:
            ids[row] = ids[p]
        else:
            ids[row] = next_id
            next_id += 1
    return Detections(dets.frame, ids, dets.box, dets.conf, dets.cls, dets.vis, dets.line, dets.num_frames,
                      dets.source, dets.ignored)


def link_layout(layout, how: str):
    """``layout`` with every tracker shown as ``linked_name`` and its files read through the linker."""
    from dataclasses import replace

    if how not in LINKERS:
        from .errors import InputError
        raise InputError("--link", f"unknown linker {how!r}.", f"Use one of {', '.join(LINKERS)}.")
    sequences = tuple(replace(f, trackers={linked_name(t): p for t, p in f.trackers.items()}, link=how)
                      for f in layout.sequences)
    return replace(layout, sequences=sequences, trackers=tuple(linked_name(t) for t in layout.trackers))


__all__ = ["LINKERS", "LINK_LABEL", "LINK_THRESHOLD", "link_iou", "link_layout", "linked_name", "unlinked_name"]
