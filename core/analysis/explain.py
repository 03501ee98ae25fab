"""Why each box is what it is, in facts from the matching records, for both matchings at once.

Two matchings decide about every evaluated box and they can disagree:

- **HOTA at α**: one α-independent matching (a per-frame Hungarian on IoU weighted by how well the two
  tracks agree over the whole sequence), then thresholded: a pair counts as a TP at α when its IoU
  >= α. A box paired below α is a miss at that α even when another box overlaps it more.
- **CLEAR** (and Identity) at the evaluation threshold: only pairs with IoU >= threshold can match,
  continuing the previous frame's pairs first; identity events (switch, transfer, fragmentation) are
  CLEAR's.

Every IoU here is the similarity the matchings used, read from their pair records (the box table):
box IoU, or mask IoU for mask formats (MOTS), never recomputed from the drawn boxes.

``explain`` gives, per evaluated box, each matching's state, partner and the reason of a miss, the best
overlapping box of the other side, and who holds it. The reason is a fact, never a guess:

- ``matched``: a TP (the partner and its IoU are given);
- ``paired_below`` (HOTA only): paired, but the pair's IoU < α;
- ``no_candidate``: nothing of the other side overlaps it (best IoU 0);
- ``below``: unpaired, and its best overlap is < the threshold;
- ``taken``: unpaired, its best overlap passes the threshold but is paired with another box (the
  holder, with that pair's IoU);
- ``unpaired``: unpaired though its best overlap passes and is free (the matching's optimum left both).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..similarity import EPS, box_pairs

REASONS = ("matched", "paired_below", "no_candidate", "below", "taken", "unpaired")
MATCHINGS = ("hota", "clear")
EVENT_WORDS = {"SWITCH": "identity switch", "ASCEND": "identity switch to a new id",
               "TRANSFER": "id transfer", "MIGRATE": "id transfer to a new person",
               "FRAG": "track resumes after a gap"}


def label(side: str, box_id: int) -> str:
    """How a box is named everywhere: ``gt 4`` for ground truth, ``id 1`` for a tracker box."""
    return f"gt {int(box_id)}" if side == "gt" else f"id {int(box_id)}"


def other(side: str) -> str:
    return "tr" if side == "gt" else "gt"


def fmt_iou(value: float, threshold: float | None = None) -> str:
    """IoU with 2 decimals, more when 2 would hide the comparison with ``threshold`` (0.4996 vs 0.50)
    or round a real overlap to 0."""
    for digits in (2, 3, 4):
        text = f"{value:.{digits}f}"
        hides_zero = value > 0 and float(text) == 0
        hides_threshold = threshold is not None and float(text) == round(threshold, digits) and \
            (value >= threshold - EPS) != (float(text) >= threshold - EPS)
        if not hides_zero and not hides_threshold:
            return text
    return f"{value:.6f}"


def explain(boxes: pd.DataFrame, alpha_index: int, alpha: float, threshold: float,
            identity_events: pd.DataFrame | None = None) -> pd.DataFrame:
    """``explain_columns`` as a table."""
    return pd.DataFrame(explain_columns(boxes, alpha_index, alpha, threshold, identity_events))


def explain_columns(boxes: pd.DataFrame, alpha_index: int, alpha: float, threshold: float,
                    identity_events: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """One row per evaluated box of ``boxes`` (box-table rows of any frames, in their order):

    ``frame side id`` · ``{hota,clear}_state`` (TP/FN/FP) · ``{hota,clear}_reason`` (``REASONS``) ·
    ``{hota,clear}_partner`` (id on the other side this matching pairs it with, -1; HOTA's includes pairs
    below α) and ``_iou`` · ``best`` / ``best_iou`` (the most overlapping box of the other side, ties to
    the lower id; -1 / 0.0 when none) · ``{hota,clear}_holder`` / ``_holder_iou`` (who that box is paired
    with in this matching, same side as the box; -1 / NaN) · ``event`` (CLEAR's, "" if none) and
    ``event_from`` (the id the gt box was matched to before a switch, or the gt a tracker id was on
    before a transfer; -1) · ``x y w h``. ``alpha`` is ``ALPHAS[alpha_index]``, ``threshold`` CLEAR's.
    Columns as arrays: the frame inspector builds one table from them (pandas' string columns are slow to make)."""
    keep = boxes["evaluated"].to_numpy(bool)
    col = {c: boxes[c].to_numpy()[keep] for c in ("id", "frame", "x", "y", "w", "h", "partner", "iou", "clear_partner",
                                                   "level")}
    n = int(keep.sum())
    side = _text(boxes["side"])[keep]
    is_gt = side == "gt"
    ids = col["id"].astype(np.int64)
    frame = col["frame"].astype(np.int64)
    best, best_iou, clear_sim = _similarities(boxes, keep, col, is_gt, ids, frame)
    # the row of each box's best candidate (same frame, other side, that id)
    cand_row = _find([frame, is_gt.astype(np.int64), ids], np.arange(n),
                     [frame, (~is_gt).astype(np.int64), best], -1)

    hota_partner = col["partner"].astype(np.int64)
    hota_iou = np.where(hota_partner >= 0, col["iou"].astype(float), np.nan)
    clear_partner = col["clear_partner"].astype(np.int64)
    clear_iou = np.where(clear_partner >= 0, clear_sim, np.nan)

    out = {"frame": frame, "side": side, "id": ids}
    tp_hota = col["level"] > alpha_index
    tp_clear = clear_partner >= 0
    miss = np.where(is_gt, "FN", "FP")
    for name, tp, partner, iou, cut in (("hota", tp_hota, hota_partner, hota_iou, alpha),
                                        ("clear", tp_clear, clear_partner, clear_iou, threshold)):
        holder = np.where(cand_row >= 0, partner[np.maximum(cand_row, 0)], -1) if n else partner
        holder_iou = np.where(holder >= 0, iou[np.maximum(cand_row, 0)], np.nan) if n else iou
        reason = np.select(
            [tp, partner >= 0, best_iou <= 0, best_iou < cut - EPS, holder >= 0],
            ["matched", "paired_below", "no_candidate", "below", "taken"], "unpaired")
        out |= {f"{name}_state": np.where(tp, "TP", miss), f"{name}_reason": reason,
                f"{name}_partner": partner, f"{name}_iou": iou,
                f"{name}_holder": holder, f"{name}_holder_iou": holder_iou}
    out |= {"best": best, "best_iou": best_iou}
    out |= _events(_text(boxes["event"])[keep], is_gt, ids, frame, clear_partner, identity_events)
    out |= {c: col[c] for c in ("x", "y", "w", "h")}
    return out


def _text(column: pd.Series) -> np.ndarray:
    """A text column as an object array ("" where missing); a categorical one from its codes (converting
    it with ``astype(str)`` costs milliseconds per frame)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        names = np.array([*map(str, column.cat.categories), ""], dtype=object)
        return names[column.cat.codes.to_numpy()]  # code -1 (missing) picks the trailing ""
    return column.fillna("").astype(object).to_numpy()


def _find(keys: list[np.ndarray], values: np.ndarray, queries: list[np.ndarray], missing) -> np.ndarray:
    """``values[k]`` for each query whose columns equal the (unique) key row k, else ``missing``: a join on
    integer columns with numpy alone (pandas' MultiIndex costs milliseconds per frame)."""
    size = queries[0].size
    out = np.full(size, missing, dtype=np.result_type(values.dtype, np.min_scalar_type(missing)))
    if size == 0 or keys[0].size == 0:
        return out
    key_code = np.zeros(keys[0].size, np.int64)
    query_code = np.zeros(size, np.int64)
    for k, q in zip(keys, queries):
        uniq, inv = np.unique(np.r_[k, q], return_inverse=True)
        key_code = key_code * uniq.size + inv[:k.size]
        query_code = query_code * uniq.size + inv[k.size:]
    order = np.argsort(key_code, kind="stable")
    at = np.minimum(np.searchsorted(key_code[order], query_code), order.size - 1)
    found = key_code[order][at] == query_code
    out[found] = values[order[at[found]]]
    return out


def _similarities(boxes: pd.DataFrame, keep: np.ndarray, col: dict, is_gt: np.ndarray, ids: np.ndarray,
                  frame: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each box's best overlap (id, similarity) and its CLEAR pair's similarity, as the matching recorded
    them (the box table's ``best``, ``best_iou``, ``clear_iou``: mask IoU for masks). A box table saved
    before those columns (box formats only) has them recomputed from the boxes, bit-identical."""
    if "clear_iou" in boxes.columns:
        return (boxes["best"].to_numpy(np.int64)[keep], boxes["best_iou"].to_numpy(float)[keep],
                boxes["clear_iou"].to_numpy(float)[keep])
    n = ids.size
    xywh = np.stack([col[c].astype(float) for c in ("x", "y", "w", "h")], axis=1) if n else np.zeros((0, 4))
    rows, others, sims = _overlaps(xywh, is_gt, ids, frame)
    best, best_iou = _best(rows, others, sims, n)
    clear_sim = _find([rows, others], sims, [np.arange(n), col["clear_partner"].astype(np.int64)], 0.0)
    return best, best_iou, clear_sim


def _overlaps(xywh: np.ndarray, is_gt: np.ndarray, ids: np.ndarray, frame: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every overlapping (row, other side's id, IoU) of the same frame, both directions; IoU bit-identical to
    the evaluation's (``similarity.box_pairs``)."""
    gi, ti = np.flatnonzero(is_gt), np.flatnonzero(~is_gt)
    if gi.size == 0 or ti.size == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0)
    frames = np.unique(frame)
    g_off = np.r_[np.searchsorted(frame[gi], frames), gi.size]
    t_off = np.r_[np.searchsorted(frame[ti], frames), ti.size]
    p = box_pairs(xywh[gi], g_off, xywh[ti], t_off)
    g, t = gi[p.gt], ti[p.tr]
    return np.r_[g, t], np.r_[ids[t], ids[g]], np.r_[p.sim, p.sim]


def _best(rows: np.ndarray, others: np.ndarray, sims: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the other side's id with the highest IoU (ties: the lower id) and that IoU."""
    best = np.full(n, -1, np.int64)
    best_iou = np.zeros(n)
    if rows.size:
        order = np.lexsort((others, -sims, rows))
        first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]]
        best[rows[first]] = others[first]
        best_iou[rows[first]] = sims[first]
    return best, best_iou


def _events(event: np.ndarray, is_gt: np.ndarray, ids: np.ndarray, frame: np.ndarray, clear_partner: np.ndarray,
            identity_events: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """CLEAR's event of each box and where its identity came from (``identity_events`` rows)."""
    came_from = np.full(event.size, -1, np.int64)
    if identity_events is not None and len(identity_events):
        e = identity_events.drop_duplicates(["frame", "gt_id", "tr_id"])
        keys = [e[c].to_numpy(np.int64) for c in ("frame", "gt_id", "tr_id")]
        where = [frame, np.where(is_gt, ids, clear_partner), np.where(is_gt, clear_partner, ids)]
        prev_tr = _find(keys, e["prev_tr_id"].to_numpy(np.int64), where, -1)
        prev_gt = _find(keys, e["prev_gt_id"].to_numpy(np.int64), where, -1)
        came_from = np.where(is_gt, np.where(np.isin(event, ("SWITCH", "ASCEND")), prev_tr, -1),
                             np.where(np.isin(event, ("TRANSFER", "MIGRATE")), prev_gt, -1)).astype(np.int64)
    return {"event": event, "event_from": came_from}


# --- Words -----------------------------------------------------------------------------------------------

def reason_text(row, matching: str, cut: float) -> str:
    """Short plain words for one matching's decision on a box (``row``: an ``explain`` row): why it is
    a miss, or whom it is matched to."""
    side = row["side"]
    reason = row[f"{matching}_reason"]
    partner, iou = row[f"{matching}_partner"], row[f"{matching}_iou"]
    sym = "α" if matching == "hota" else fmt_iou(cut)
    if reason == "matched":
        return f"matched to {label(other(side), partner)} (IoU {fmt_iou(iou, cut)})"
    if reason == "paired_below":
        text = f"paired with {label(other(side), partner)}, IoU {fmt_iou(iou, cut)} < {sym}"
        if row["best"] != partner and row["best_iou"] >= cut - EPS:
            holder = row[f"{matching}_holder"]
            held = f"paired with {label(side, holder)}" if holder >= 0 else "unpaired"
            text += (f"; its best overlap {label(other(side), row['best'])} (IoU {fmt_iou(row['best_iou'], cut)})"
                     f" is {held}")
        return text
    if reason == "no_candidate":
        return "nothing overlaps it (best IoU 0)"
    best = f"{label(other(side), row['best'])} (IoU {fmt_iou(row['best_iou'], cut)})"
    if reason == "below":
        return f"best overlap {best} < {sym}"
    if reason == "taken":
        holder_iou = fmt_iou(row[f"{matching}_holder_iou"], cut)
        return f"best overlap {best} is taken by {label(side, row[f'{matching}_holder'])} (IoU {holder_iou})"
    return f"best overlap {best} was left unpaired too"


def event_text(row) -> str:
    """CLEAR's identity event on a box in words ("" if none)."""
    event = row["event"]
    if not event:
        return ""
    words = EVENT_WORDS[event]
    came_from = int(row["event_from"])
    if came_from >= 0 and row["side"] == "gt":
        return f"{words} from id {came_from}"
    if came_from >= 0:
        return f"{words} from gt {came_from}"
    return words


def sentence(row, matching: str, cut: float) -> str:
    """One matching's full statement about a box, naming the matching and its outcome."""
    me = label(row["side"], row["id"])
    state = row[f"{matching}_state"]
    reason = row[f"{matching}_reason"]
    partner, iou = row[f"{matching}_partner"], row[f"{matching}_iou"]
    if matching == "hota":
        name, sym, outcome = "HOTA", f"α {fmt_iou(cut)}", ("TP" if state == "TP" else f"{state} at this α")
    else:
        name, sym, outcome = "CLEAR", fmt_iou(cut), (state if state != "TP" else "TP")
        if state == "TP" and row["event"]:
            outcome = event_text(row)
    if reason in ("matched", "paired_below"):
        rel = "≥" if reason == "matched" else "<"
        text = f"{name} pairs {me} with {label(other(row['side']), partner)} (IoU {fmt_iou(iou, cut)} {rel} {sym})"
        if matching == "hota" and row["best"] != partner and row["best_iou"] > iou:
            text += f", not its best overlap {label(other(row['side']), row['best'])} (IoU {fmt_iou(row['best_iou'], cut)})"
        return f"{text} → {outcome}"
    return f"{name} leaves {me} unpaired: {reason_text(row, matching, cut)} → {outcome}"


def disagree(row) -> bool:
    """Do HOTA at α and CLEAR decide differently on this box (state or partner of a TP)?"""
    if row["hota_state"] != row["clear_state"]:
        return True
    return row["hota_state"] == "TP" and row["hota_partner"] != row["clear_partner"]


def disagreement_text(row, alpha: float, threshold: float) -> str:
    """"HOTA ... → FN at this α; CLEAR ... → switch from id 3" when the matchings disagree, else ""."""
    if not disagree(row):
        return ""
    return f"{sentence(row, 'hota', alpha)}; {sentence(row, 'clear', threshold)}"


def tag_notes(facts, alpha: float) -> list[str]:
    """What each missed box's frame tag adds, from HOTA at α (``explain`` rows or columns): the IoU that fell
    short, or who took its best overlap ("" for TPs and boxes nothing overlaps)."""
    limit = fmt_iou(alpha)
    notes = []
    for reason, iou, best_iou, side, best in zip(*(list(facts[c]) for c in ("hota_reason", "hota_iou", "best_iou",
                                                                             "side", "best"))):
        if reason == "paired_below":
            notes.append(f"IoU {fmt_iou(iou, alpha)}<{limit}")
        elif reason == "below":
            notes.append(f"IoU {fmt_iou(best_iou, alpha)}<{limit}")
        elif reason == "taken":
            notes.append(f"{label(other(side), best).replace(' ', '')} taken")
        else:
            notes.append("")
    return notes
