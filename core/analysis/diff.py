"""What changed between two evaluations of the same ground truth on one sequence (two runs of one
tracker, two trackers, or one tracker under two protocols), box by box and event by event.

Every change names its matching: CLEAR at the IoU threshold (FN, FP, IDSW, Frag) or HOTA at one α
(FN, FP at that α). The changes account exactly for the change in the reported counts:
``ΔFN = introduced - fixed``, ``ΔFP = introduced - fixed``, ``ΔIDSW = appeared - vanished`` and
``ΔFrag = appeared - vanished``; a box that enters or leaves the evaluation (preprocessing) counts
as introduced or fixed too, its state ``IGN`` on that side.

A ground-truth box is the same in both when its (frame, id) is (the same gt file); a tracker box when
its frame and exact box are (ids may be renumbered between runs; equal boxes of one frame pair in
file order). Everything reads the tables of ``SequenceAnalysis``: no re-matching.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..metrics.hota import ALPHAS
from .boxes import GT, TRACKER, states
from .record import SequenceAnalysis
from .tracks import analysis_track_table

ABSENT = "—"  # a tracker box that only the other run has
BOX_COLUMNS = ["frame", "x", "y", "w", "h"]
# (matching family, measure, metric field): the counts whose change the events explain
MEASURES = (("CLEAR", "FN", "CLR_FN"), ("CLEAR", "FP", "CLR_FP"), ("CLEAR", "IDSW", "IDSW"),
            ("CLEAR", "Frag", "Frag"), ("HOTA", "FN", "HOTA_FN"), ("HOTA", "FP", "HOTA_FP"))
ADDED = {"FN": "FN introduced", "FP": "FP introduced", "IDSW": "appeared", "Frag": "appeared"}
REMOVED = {"FN": "FN fixed", "FP": "FP fixed", "IDSW": "vanished", "Frag": "vanished"}
# Per ground-truth track: what it costs (lower is better), from the gt track table at α.
TRACK_COSTS = ("CLEAR FN", "IDSW", "Frag", "HOTA FN", "HOTA assoc")
EVENT_NAMES = {"SWITCH": "IDSW", "FRAG": "Frag"}


def clear_label(threshold_a: float, threshold_b: float) -> str:
    """The CLEAR matching's name (both thresholds when the two runs differ), thresholds written in full."""
    a, b = repr(float(threshold_a)), repr(float(threshold_b))
    return f"CLEAR IoU≥{a}" if a == b else f"CLEAR IoU≥{a} (A) / ≥{b} (B)"


def hota_label(alpha_index: int) -> str:
    return f"HOTA α={ALPHAS[alpha_index]:.2f}"


@dataclass(frozen=True)
class SequenceDiff:
    """One sequence's changes from A to B (see the module doc); every table has a ``matching`` column."""

    sequence: str
    counts: pd.DataFrame  # matching, measure, A, B, delta, added, removed (A/B: the reported counts)
    gt_boxes: pd.DataFrame  # matching, frame, gt_id, change, state_a, state_b, partner_a, partner_b
    tr_boxes: pd.DataFrame  # matching, frame, x, y, w, h, change, state_a, state_b, tr_id_a, tr_id_b
    events: pd.DataFrame  # matching, frame, gt_id, type, change, tr_id_a, prev_tr_id_a, tr_id_b, prev_tr_id_b
    tracks: pd.DataFrame  # gt_id, frames, per cost A / B / Δ, verdict (only tracks that changed)
    unchanged_tracks: int


def diff_sequence(a: SequenceAnalysis, b: SequenceAnalysis, alpha_index: int,
                  threshold_a: float = 0.5, threshold_b: float = 0.5) -> SequenceDiff:
    """The changes from ``a`` to ``b`` (same sequence, same ground truth) under CLEAR at each run's
    threshold and HOTA at α number ``alpha_index``."""
    boxes_a, boxes_b = a.boxes, b.boxes
    gt_a, gt_b = _same_ground_truth(a, b, boxes_a, boxes_b)
    tr_a, tr_b = (_tracker_side(x) for x in (boxes_a, boxes_b))
    labels = {"CLEAR": clear_label(threshold_a, threshold_b), "HOTA": hota_label(alpha_index)}
    gt_parts, tr_parts = [], []
    for family, matching in labels.items():
        index = None if family == "CLEAR" else alpha_index
        gt_parts.append(_gt_changes(gt_a, gt_b, index).assign(matching=matching))
        tr_parts.append(_tr_changes(tr_a, tr_b, index).assign(matching=matching))
    gt_boxes = _first(pd.concat(gt_parts, ignore_index=True), "matching")
    tr_boxes = _first(pd.concat(tr_parts, ignore_index=True), "matching")
    # identity_events hold every switch and fragmentation of the events: the whole event tables are not read
    events = _event_changes(a.identity_events, b.identity_events).assign(matching=labels["CLEAR"])
    events = _first(events, "matching")
    counts = _counts(a.metrics, b.metrics, alpha_index, labels, gt_boxes, tr_boxes, events)
    tracks, unchanged = _track_changes(a, b, alpha_index)
    return SequenceDiff(a.sequence, counts, gt_boxes, tr_boxes, events, tracks, unchanged)


def _first(df: pd.DataFrame, column: str) -> pd.DataFrame:
    return df[[column, *[c for c in df.columns if c != column]]]


def _same_ground_truth(a: SequenceAnalysis, b: SequenceAnalysis, boxes_a: pd.DataFrame, boxes_b: pd.DataFrame
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both runs' ground-truth boxes in (frame, id) order, checked to be the same boxes."""
    sides = []
    for boxes in (boxes_a, boxes_b):
        gt = boxes[(boxes["side"] == GT).to_numpy()]
        sides.append(gt.sort_values(["frame", "id"], kind="stable").reset_index(drop=True))
    gt_a, gt_b = sides
    cols = ["frame", "id", "x", "y", "w", "h"]
    same = len(gt_a) == len(gt_b) and a.sequence == b.sequence
    if same:
        differ = np.flatnonzero((gt_a[cols].to_numpy() != gt_b[cols].to_numpy()).any(axis=1))
        same = differ.size == 0
    if not same:
        where = (f"first at frame {int(gt_a['frame'].iloc[differ[0]])}" if len(gt_a) == len(gt_b)
                 and a.sequence == b.sequence else f"{len(gt_a)} vs {len(gt_b)} boxes")
        raise InputError(f"{a.sequence} / {b.sequence}", f"the two runs have different ground truth ({where}).",
                         "Compare runs evaluated on the same ground-truth files.")
    return gt_a, gt_b


def _clear_states(boxes: pd.DataFrame) -> np.ndarray:
    """TP / FN / FP / IGN per box under CLEAR (a CLEAR partner means a CLEAR match)."""
    matched = boxes["clear_partner"].to_numpy() >= 0
    miss = np.where((boxes["side"] == GT).to_numpy(), "FN", "FP")
    return np.where(boxes["evaluated"].to_numpy(), np.where(matched, "TP", miss), "IGN")


def _partners(boxes: pd.DataFrame, alpha_index: int | None) -> np.ndarray:
    """The other side's id each box is matched to under the matching (-1: none)."""
    if alpha_index is None:
        return boxes["clear_partner"].to_numpy()
    return np.where(boxes["level"].to_numpy() > alpha_index, boxes["partner"].to_numpy(), -1)


def _state(boxes: pd.DataFrame, alpha_index: int | None) -> np.ndarray:
    return _clear_states(boxes) if alpha_index is None else states(boxes, alpha_index)


def _gt_changes(gt_a: pd.DataFrame, gt_b: pd.DataFrame, alpha_index: int | None) -> pd.DataFrame:
    sa, sb = _state(gt_a, alpha_index), _state(gt_b, alpha_index)
    fixed, introduced = (sa == "FN") & (sb != "FN"), (sb == "FN") & (sa != "FN")
    pick = fixed | introduced
    return pd.DataFrame({
        "frame": gt_a["frame"].to_numpy()[pick], "gt_id": gt_a["id"].to_numpy()[pick],
        "change": np.where(fixed, "FN fixed", "FN introduced")[pick], "state_a": sa[pick], "state_b": sb[pick],
        "partner_a": _partners(gt_a, alpha_index)[pick], "partner_b": _partners(gt_b, alpha_index)[pick]})


def _tracker_side(boxes: pd.DataFrame) -> pd.DataFrame:
    """Tracker boxes keyed by frame, exact box and rank among equal boxes of that frame."""
    tr = boxes[(boxes["side"] == TRACKER).to_numpy()].sort_values(["frame", "row"], kind="stable")
    tr = tr.reset_index(drop=True)
    return tr.assign(rank=_rank_among_equal([tr[c].to_numpy() for c in BOX_COLUMNS]))


def _key_order(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Rows in lexicographic order of ``columns`` (ties kept in row order), and where each run of equal
    keys starts in that order (NaN equal to NaN, as a merge or a groupby matches them).

    Sorted by the first two columns (frame, x: nearly unique), then only the runs that tie on them by
    the rest: the order of one lexsort on every column, at the cost of two."""
    head = columns[:2]
    order = np.lexsort(head[::-1])  # stable: equal keys stay in row order
    starts = _run_starts(head, order)
    run = np.cumsum(starts) - 1
    tied = np.flatnonzero(np.bincount(run)[run] > 1)
    if tied.size and len(columns) > 2:  # within each tied run (contiguous), by the other columns, stably
        rows = order[tied]
        order[tied] = rows[np.lexsort([c[rows] for c in columns[:1:-1]] + [run[tied]])]
    return order, _run_starts(columns, order)


def _run_starts(columns: list[np.ndarray], order: np.ndarray) -> np.ndarray:
    """Where, in ``order``, each run of rows equal on every column starts."""
    starts = np.zeros(order.size, bool)
    starts[:1] = True
    for c in columns:
        v = c[order]
        differ = v[1:] != v[:-1]
        if v.dtype.kind == "f":
            differ &= ~(np.isnan(v[1:]) & np.isnan(v[:-1]))
        starts[1:] |= differ
    return starts


def _rank_among_equal(columns: list[np.ndarray]) -> np.ndarray:
    """Per row, how many earlier rows have the same key (a groupby's cumcount)."""
    order, starts = _key_order(columns)
    position = np.arange(order.size)
    rank = np.empty(order.size, np.int64)
    rank[order] = position - np.maximum.accumulate(np.where(starts, position, 0))
    return rank


def _tr_changes(tr_a: pd.DataFrame, tr_b: pd.DataFrame, alpha_index: int | None) -> pd.DataFrame:
    """FPs fixed or introduced: both runs' tracker boxes joined on (frame, box, rank), a key each side has
    at most once, in key order (what an outer merge gives)."""
    key = [*BOX_COLUMNS, "rank"]
    na = len(tr_a)
    columns = [np.concatenate([tr_a[c].to_numpy(), tr_b[c].to_numpy()]) for c in key]
    order, starts = _key_order(columns)
    group = np.cumsum(starts) - 1
    ia = np.full(int(starts.sum()), -1)
    ib = np.full(ia.size, -1)
    from_a = order < na
    ia[group[from_a]] = order[from_a]
    ib[group[~from_a]] = order[~from_a] - na
    sa = np.append(_state(tr_a, alpha_index), ABSENT)[ia].astype(object)  # index -1: the one it lacks
    sb = np.append(_state(tr_b, alpha_index), ABSENT)[ib].astype(object)
    fixed, introduced = (sa == "FP") & (sb != "FP"), (sb == "FP") & (sa != "FP")
    pick = fixed | introduced
    first = order[starts][pick]
    out = pd.DataFrame({c: columns[k][first] for k, c in enumerate(BOX_COLUMNS)})
    out = out.assign(change=np.where(fixed, "FP fixed", "FP introduced")[pick], state_a=sa[pick], state_b=sb[pick],
                     tr_id_a=np.append(tr_a["id"].to_numpy(np.int64), -1)[ia][pick],
                     tr_id_b=np.append(tr_b["id"].to_numpy(np.int64), -1)[ib][pick])
    return out.sort_values(["frame", "x", "y"], kind="stable").reset_index(drop=True)


def _event_changes(events_a: pd.DataFrame, events_b: pd.DataFrame) -> pd.DataFrame:
    """CLEAR switches and fragmentations present in one run only, keyed by (frame, gt id): a gt box has
    at most one of each, so appeared - vanished is exactly the change of IDSW (Frag)."""
    sides = []
    for events, tag in ((events_a, "a"), (events_b, "b")):
        e = events[events["type"].isin(list(EVENT_NAMES)).to_numpy()]
        sides.append(pd.DataFrame({"frame": e["frame"].to_numpy(), "gt_id": e["gt_id"].to_numpy(),
                                   "type": e["type"].astype(str).map(EVENT_NAMES).to_numpy(),
                                   f"tr_id_{tag}": e["tr_id"].to_numpy(), f"prev_tr_id_{tag}": e["prev_tr_id"].to_numpy()}))
    both = sides[0].merge(sides[1], on=["frame", "gt_id", "type"], how="outer", indicator=True, sort=False)
    out = both[(both["_merge"] != "both").to_numpy()]
    change = np.where(out["_merge"] == "right_only", "appeared", "vanished")
    out = out.drop(columns="_merge").assign(change=change)
    for col in ("tr_id_a", "prev_tr_id_a", "tr_id_b", "prev_tr_id_b"):
        out[col] = out[col].fillna(-1).astype(np.int64)
    out = out[["frame", "gt_id", "type", "change", "tr_id_a", "prev_tr_id_a", "tr_id_b", "prev_tr_id_b"]]
    return out.sort_values(["frame", "gt_id", "type"], kind="stable").reset_index(drop=True)


def reported(metrics: dict, field: str, alpha_index: int) -> int:
    """A count as reported: HOTA's per-α counts at ``alpha_index``."""
    value = metrics[field]
    return int(np.asarray(value)[alpha_index]) if np.ndim(value) else int(value)


def _counts(ma: dict, mb: dict, alpha_index: int, labels: dict[str, str], gt_boxes: pd.DataFrame,
            tr_boxes: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for family, measure, field in MEASURES:
        table = {"FN": gt_boxes, "FP": tr_boxes}.get(measure, events)
        mine = table[(table["matching"] == labels[family]).to_numpy()]
        if measure in ("IDSW", "Frag"):
            mine = mine[(mine["type"] == measure).to_numpy()]
        change = mine["change"].to_numpy()
        a, b = reported(ma, field, alpha_index), reported(mb, field, alpha_index)
        rows.append({"matching": labels[family], "measure": measure, "A": a, "B": b, "delta": b - a,
                     "added": int(np.sum(change == ADDED[measure])), "removed": int(np.sum(change == REMOVED[measure]))})
    return pd.DataFrame(rows)


def track_costs(an: SequenceAnalysis, alpha_index: int) -> pd.DataFrame:
    """Per evaluated ground-truth track, what it costs (lower is better): CLEAR FN, IDSW, Frag, and at
    α the HOTA FN and the association cost ``matched * (1 - AssA)`` (summed over tracks: HOTA TP
    minus TP x AssA, so these add up to the sequence's numbers)."""
    t = analysis_track_table(an, alpha_index)
    return pd.DataFrame({
        "gt_id": t["gt_id"].to_numpy(), "frames": t["frames"].to_numpy(),
        "CLEAR FN": (t["frames"] - t["clear_matched"]).to_numpy(), "IDSW": t["switches"].to_numpy(),
        "Frag": t["fragments"].to_numpy(), "HOTA FN": (t["frames"] - t["matched"]).to_numpy(),
        "HOTA assoc": (t["matched"] * (1.0 - t["AssA"])).to_numpy()})


def _track_changes(a: SequenceAnalysis, b: SequenceAnalysis, alpha_index: int) -> tuple[pd.DataFrame, int]:
    """Per gt track, each cost in A and B and its change; verdict better / worse / mixed (some costs up,
    some down). Only the tracks with a change; the number of unchanged ones."""
    both = track_costs(a, alpha_index).merge(track_costs(b, alpha_index), on="gt_id", how="outer",
                                              suffixes=(" A", " B"), sort=True)
    out = pd.DataFrame({"gt_id": both["gt_id"].to_numpy(),
                        "frames": np.maximum(both["frames A"].fillna(0), both["frames B"].fillna(0)).astype(np.int64)})
    up = np.zeros(len(both), bool)
    down = np.zeros(len(both), bool)
    for cost in TRACK_COSTS:
        kind = float if cost == "HOTA assoc" else np.int64
        va, vb = (both[f"{cost} {side}"].fillna(0).to_numpy().astype(kind) for side in "AB")
        delta = vb - va
        out[f"{cost} A"], out[f"{cost} B"], out[f"Δ {cost}"] = va, vb, delta
        up |= delta > 0
        down |= delta < 0
    out["verdict"] = np.select([up & down, down, up], ["mixed", "better", "worse"], "same")
    changed = (up | down)
    return out[changed].reset_index(drop=True), int((~changed).sum())
