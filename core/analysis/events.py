"""Identity events per frame with CLEAR semantics (TrackEval's matching, py-motmetrics' names).

MATCH / SWITCH: a CLEAR true positive whose tracker id is the same as / differs from the one its
ground truth had at its previous match (SWITCH count == TrackEval IDSW). ASCEND: a switch to a
tracker id never matched before. TRANSFER: a true positive whose tracker id was last matched to a
different ground truth; MIGRATE: a transfer onto a ground truth never matched before. FRAG: a match
that resumes a ground truth after it went untracked (count == TrackEval Frag). MISS / FP: CLEAR
false negatives / false positives.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..assignment import frame_of_rows
from ..sequence_eval import SequenceEvaluation

EVENT_TYPES = ("MATCH", "SWITCH", "ASCEND", "TRANSFER", "MIGRATE", "FRAG", "MISS", "FP")


def _previous(key: np.ndarray, other: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """For each item, the ``other`` value of the previous item (in frame order) with the same ``key``; -1 if none."""
    order = np.lexsort((frame, key))
    ks, os_ = key[order], other[order]
    prev_sorted = np.full(key.size, -1, np.int64)
    same = ks[1:] == ks[:-1]
    prev_sorted[1:] = np.where(same, os_[:-1], -1)
    prev = np.empty(key.size, np.int64)
    prev[order] = prev_sorted
    return prev


def clear_match_table(ev: SequenceEvaluation) -> pd.DataFrame:
    """One row per CLEAR match: frame, gt/tracker positions and ids, IoU and its event flags."""
    d, cm = ev.data, ev.clear_matches
    cols = ["frame", "gt_pos", "tr_pos", "gt_id", "tr_id", "iou", "switch", "ascend", "transfer", "migrate",
            "frag", "prev_tr_id", "prev_gt_id"]
    if cm is None or cm.pair_index.size == 0:
        return pd.DataFrame({c: [] for c in cols})
    p = d.pairs
    idx = cm.pair_index
    gpos, tpos = p.gt[idx], p.tr[idx]
    g, t = d.gt_idx[gpos], d.tr_idx[tpos]
    frame = frame_of_rows(d.gt_offsets, gpos) + 1
    prev_t = _previous(g, t, frame)
    prev_g = _previous(t, g, frame)
    # "never matched before": first time this tracker id / gt id appears among matches
    t_new = _first_occurrence(t, frame)
    g_new = _first_occurrence(g, frame)
    first_of_g = prev_t < 0
    transfer = (prev_g >= 0) & (prev_g != g)
    return pd.DataFrame({
        "frame": frame, "gt_pos": gpos, "tr_pos": tpos, "gt_id": d.gt_ids[g], "tr_id": d.tr_ids[t],
        "iou": p.sim[idx], "switch": cm.is_switch, "ascend": cm.is_switch & t_new, "transfer": transfer,
        "migrate": transfer & g_new, "frag": cm.starts_fragment & ~first_of_g,
        "prev_tr_id": np.where(prev_t >= 0, d.tr_ids[np.maximum(prev_t, 0)], -1),
        "prev_gt_id": np.where(prev_g >= 0, d.gt_ids[np.maximum(prev_g, 0)], -1),
    })


def _first_occurrence(key: np.ndarray, frame: np.ndarray) -> np.ndarray:
    order = np.lexsort((np.arange(key.size), frame))
    first = np.zeros(key.size, bool)
    _, at = np.unique(key[order], return_index=True)
    first[order[at]] = True
    return first


BOX_EVENTS = ["", "SWITCH", "ASCEND", "FRAG", "TRANSFER", "MIGRATE"]


def clear_events(ev: SequenceEvaluation, m: pd.DataFrame | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per evaluated position: the gt box's and the tracker box's event (codes into ``BOX_EVENTS``) and
    the CLEAR partner ids. ``m`` is ``clear_match_table(ev)`` when the caller already has it."""
    d = ev.data
    gt_event = np.zeros(d.num_gt_dets, np.int8)
    tr_event = np.zeros(d.num_tr_dets, np.int8)
    gt_partner = np.full(d.num_gt_dets, -1, np.int64)
    tr_partner = np.full(d.num_tr_dets, -1, np.int64)
    m = clear_match_table(ev) if m is None else m
    if len(m):
        gpos, tpos = m["gt_pos"].to_numpy(), m["tr_pos"].to_numpy()
        gt_partner[gpos] = m["tr_id"].to_numpy()
        tr_partner[tpos] = m["gt_id"].to_numpy()
        code = BOX_EVENTS.index
        gt_event[gpos] = np.select([m["ascend"], m["switch"], m["frag"]],
                                   [code("ASCEND"), code("SWITCH"), code("FRAG")], 0)
        tr_event[tpos] = np.select([m["migrate"], m["transfer"]], [code("MIGRATE"), code("TRANSFER")], 0)
    return gt_event, tr_event, gt_partner, tr_partner


def event_table(ev: SequenceEvaluation, m: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table of identity events: frame, type, gt_id, tr_id, prev_tr_id, prev_gt_id, iou."""
    d = ev.data
    m = clear_match_table(ev) if m is None else m
    code = EVENT_TYPES.index
    parts = []
    if len(m):
        base = m[["frame", "gt_id", "tr_id", "prev_tr_id", "prev_gt_id", "iou"]]
        parts.append(base.assign(type=np.where(m["switch"], code("SWITCH"), code("MATCH"))))
        for flag, name in (("ascend", "ASCEND"), ("transfer", "TRANSFER"), ("migrate", "MIGRATE"), ("frag", "FRAG")):
            sel = m[flag].to_numpy()
            if sel.any():
                parts.append(base[sel].assign(type=code(name)))
    matched_g = np.zeros(d.num_gt_dets, bool)
    matched_t = np.zeros(d.num_tr_dets, bool)
    if len(m):
        matched_g[m["gt_pos"].to_numpy()] = True
        matched_t[m["tr_pos"].to_numpy()] = True
    miss = np.flatnonzero(~matched_g)
    fp = np.flatnonzero(~matched_t)
    gt_frame = np.repeat(np.arange(1, d.num_frames + 1), np.diff(d.gt_offsets))
    tr_frame = np.repeat(np.arange(1, d.num_frames + 1), np.diff(d.tr_offsets))
    parts.append(pd.DataFrame({"frame": gt_frame[miss], "gt_id": d.gt_ids[d.gt_idx[miss]], "tr_id": -1,
                               "prev_tr_id": -1, "prev_gt_id": -1, "iou": np.nan, "type": code("MISS")}))
    parts.append(pd.DataFrame({"frame": tr_frame[fp], "gt_id": -1, "tr_id": d.tr_ids[d.tr_idx[fp]],
                               "prev_tr_id": -1, "prev_gt_id": -1, "iou": np.nan, "type": code("FP")}))
    out = pd.concat(parts, ignore_index=True)
    order = np.lexsort((out["type"].to_numpy(), out["frame"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    out["type"] = pd.Categorical.from_codes(out["type"].to_numpy().astype(np.int8), categories=list(EVENT_TYPES))
    return out
