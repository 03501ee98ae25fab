"""Where the errors are in time: per-frame counts at every alpha, and the frames where an error of a
given kind happens (what "jump to the next switch" steps through).

Both are answered from small tables built with the analysis, never from the whole box table: per-frame
counts (``frame_counts``), the identity events (a few per track) and the FN bursts at every alpha
(``fn_bursts``). That keeps an hour-long sequence (10M boxes) as quick to browse as a minute."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.hota import NUM_ALPHAS

IDENTITY_EVENTS = ("SWITCH", "ASCEND", "TRANSFER", "MIGRATE", "FRAG")
FN_BURST_FRAMES = 3
ERROR_KINDS = {
    "switch": "identity switch (CLEAR)",
    "fn_burst": f"a person starts being missed for {FN_BURST_FRAMES}+ frames (FN burst)",
    "fn": "missed ground truth (FN at α)",
    "fp": "false positive (FP at α)",
    "merge": "tracker id jumps to another person (transfer)",
    "frag": "track resumes after a gap (fragmentation)",
}
_EVENTS_OF_KIND = {"switch": ("SWITCH", "ASCEND"), "merge": ("TRANSFER", "MIGRATE"), "frag": ("FRAG",)}


def tp_column(alpha_index: int) -> str:
    return f"tp_{alpha_index}"


def frame_counts(boxes: pd.DataFrame, events: pd.DataFrame, num_frames: int) -> pd.DataFrame:
    """One row per frame 1..num_frames: evaluated gt and tracker boxes (``gt``, ``tr``), HOTA TPs at each
    alpha index k (``tp_k``; FN = gt - tp_k, FP = tr - tp_k) and CLEAR identity switches (``switches``)."""
    ev = boxes[boxes["evaluated"].to_numpy()]
    frame = ev["frame"].to_numpy() - 1
    gt = (ev["side"] == "gt").to_numpy()
    out = {"frame": np.arange(1, num_frames + 1),
           "gt": np.bincount(frame[gt], minlength=num_frames).astype(np.int32),
           "tr": np.bincount(frame[~gt], minlength=num_frames).astype(np.int32)}
    # TPs per (frame, level) on the gt side; a box is a TP at alpha k when its level > k.
    level = ev["level"].to_numpy()[gt].astype(np.int64)
    hist = np.bincount(frame[gt] * (NUM_ALPHAS + 1) + level, minlength=num_frames * (NUM_ALPHAS + 1))
    above = np.cumsum(hist.reshape(num_frames, NUM_ALPHAS + 1)[:, ::-1], axis=1)[:, ::-1]
    for k in range(NUM_ALPHAS):
        out[tp_column(k)] = above[:, k + 1].astype(np.int32)
    switch = (events["type"] == "SWITCH").to_numpy()  # one SWITCH row per CLEAR IDSW (ASCEND rows repeat some)
    out["switches"] = np.bincount(events["frame"].to_numpy()[switch] - 1, minlength=num_frames).astype(np.int32)
    return pd.DataFrame(out)


def fn_bursts(boxes: pd.DataFrame) -> pd.DataFrame:
    """Every FN burst at every alpha index: a run of at least FN_BURST_FRAMES consecutive frames in which
    an evaluated ground-truth track is missed (its box is a TP at alpha k only when level > k), as
    ``alpha_index, frame`` (where the run starts) ``, gt_id``. One sort, then a linear pass per alpha."""
    gt = boxes[((boxes["side"] == "gt") & boxes["evaluated"]).to_numpy()]
    ids, frame, level = gt["id"].to_numpy(), gt["frame"].to_numpy(), gt["level"].to_numpy()
    order = np.lexsort((frame, ids))
    ids, frame, level = ids[order], frame[order], level[order]
    # Where a track's run of consecutive frames breaks: a new id or a skipped frame.
    cut = np.ones(ids.size, bool)
    cut[1:] = (ids[1:] != ids[:-1]) | (frame[1:] != frame[:-1] + 1)
    parts = []
    for k in range(NUM_ALPHAS):
        miss = level <= k
        start = miss & (cut | np.concatenate(([True], ~miss[:-1])))
        starts = np.flatnonzero(start)
        if starts.size == 0:
            continue
        # Run length: up to the next start, cut or hit, whichever comes first.
        stop = np.flatnonzero(~miss | cut)  # positions that end (or restart) a run before them
        nxt = np.searchsorted(stop, starts, side="right")
        ends = np.where(nxt < stop.size, stop[np.minimum(nxt, stop.size - 1)], ids.size)
        keep = starts[ends - starts >= FN_BURST_FRAMES]
        parts.append(pd.DataFrame({"alpha_index": np.full(keep.size, k, np.int8), "frame": frame[keep],
                                   "gt_id": ids[keep]}))
    if not parts:
        return pd.DataFrame({"alpha_index": np.zeros(0, np.int8), "frame": np.zeros(0, np.int64),
                             "gt_id": np.zeros(0, np.int64)})
    return pd.concat(parts, ignore_index=True)


def error_frames(analysis, kind: str, alpha_index: int) -> np.ndarray:
    """Sorted frames where an error of ``kind`` (a key of ERROR_KINDS) occurs at ``alpha_index``
    (``analysis`` is a SequenceAnalysis; answers are kept on it)."""
    key = ("error_frames", kind, alpha_index if kind in ("fn", "fp", "fn_burst") else None)
    if key in analysis.memo:
        return analysis.memo[key]
    if kind in _EVENTS_OF_KIND:
        ev = analysis.identity_events
        out = np.unique(ev.loc[ev["type"].isin(_EVENTS_OF_KIND[kind]).to_numpy(), "frame"].to_numpy())
    elif kind in ("fn", "fp"):
        counts = analysis.frames
        total = counts["gt" if kind == "fn" else "tr"].to_numpy()
        out = counts["frame"].to_numpy()[total > counts[tp_column(alpha_index)].to_numpy()]
    elif kind == "fn_burst":
        bursts = analysis.fn_bursts
        out = np.unique(bursts.loc[bursts["alpha_index"].to_numpy() == alpha_index, "frame"].to_numpy())
    else:
        raise ValueError(f"unknown error kind {kind!r}")
    analysis.memo[key] = out
    return out


def binned_errors(counts: pd.DataFrame, alpha_index: int, bins: int) -> pd.DataFrame:
    """FN, FP and switches summed over at most ``bins`` equal runs of frames (``first``..``last``): a
    whole-sequence error strip that costs the same to draw for a minute or an hour."""
    n = len(counts)
    if n == 0:
        return pd.DataFrame({c: np.zeros(0, np.int64) for c in ("first", "last", "FN", "FP", "switches")})
    start = np.arange(0, n, max(1, -(-n // bins)))
    end = np.append(start[1:], n) - 1
    frames = counts["frame"].to_numpy()
    tp = counts[tp_column(alpha_index)].to_numpy()
    return pd.DataFrame({"first": frames[start], "last": frames[end],
                         "FN": np.add.reduceat(counts["gt"].to_numpy() - tp, start),
                         "FP": np.add.reduceat(counts["tr"].to_numpy() - tp, start),
                         "switches": np.add.reduceat(counts["switches"].to_numpy(), start)})
