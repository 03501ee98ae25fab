"""HOTA, DetA, AssA, MOTA and IDF1 per bin of a condition (visibility, height, speed, ...).

How a metric splits by bin (docs/breakdowns.md):
- every ground-truth box has one bin, so its counts (HOTA TP/FN at each α, CLEAR TP/FN and switches,
  IDTP/IDFN) split exactly by the gt box's bin; a TP counts in its ground truth's bin;
- a tracker box is binned by its own value of the condition where it has one (height, speed, crowding,
  track length), so FP, CLEAR FP and IDFP split exactly too; for conditions only the ground truth has
  (visibility, frames since visible) the tracker boxes are not binned: their FPs are reported apart, and
  only the fields that need no FP are given per bin (DetRe, AssA, OWTA, CLEAR recall, ID recall);
- AssA of a bin is HOTA's A(c) = TPA/(TPA+FNA+FPA) of each TP c (its id pair, at each α) averaged over
  the TPs of the bin, so TP-weighted bins average back to AssA exactly.
Counts per bin add up to the totals; the fields of all bins pooled are TrackEval's.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics.hota import NUM_ALPHAS
from .conditions import CONDITIONS, box_conditions

COUNTS = ("GT", "TR", "HOTA_TP", "HOTA_FN", "HOTA_FP", "AssA_sum", "CLR_TP", "CLR_FN", "CLR_FP", "IDSW",
          "IDTP", "IDFN", "IDFP")
PER_ALPHA = ("HOTA_TP", "HOTA_FN", "HOTA_FP", "AssA_sum")
FULL_FIELDS = ("HOTA", "DetA", "AssA", "DetRe", "OWTA", "MOTA", "IDF1", "CLR_Re", "IDR")
RECALL_FIELDS = ("AssA", "DetRe", "OWTA", "CLR_Re", "IDR")  # defined without false positives


def _zeros(n: int) -> dict[str, np.ndarray]:
    return {c: np.zeros((n, NUM_ALPHAS)) if c in PER_ALPHA else np.zeros(n, np.int64) for c in COUNTS}


def box_bins(boxes: pd.DataFrame, cond: pd.DataFrame | None = None) -> pd.DataFrame:
    """The evaluated boxes of one sequence's whole box table with the bin of each condition (column per
    condition; ``len(bin_labels)`` for a tracker box of a gt-only condition: the unbinned row). ``cond``:
    ``box_conditions(boxes)`` when the caller has it."""
    ev = boxes[boxes["evaluated"].to_numpy()]
    cond = box_conditions(boxes) if cond is None else cond
    gt = (ev["side"] == "gt").to_numpy()
    out = ev[["frame", "side", "id", "x", "y", "w", "h", "level", "clear_partner", "idtp", "partner"]].copy()
    out["switch"] = ev["event"].isin(["SWITCH", "ASCEND"]).to_numpy() & gt
    for name, c in CONDITIONS.items():
        code = c.codes(cond[name].to_numpy(float))
        if c.gt_only:
            code[~gt] = len(c.bin_labels)
        out[name] = code.astype(np.int8)
    return out


def sequence_counts(boxes: pd.DataFrame, cond: pd.DataFrame | None = None) -> dict[str, dict[str, np.ndarray]]:
    """Per condition: the counts of each bin, then one more row for the tracker boxes the condition
    cannot bin (all zero for a condition tracker boxes have). ``boxes``: one sequence's whole box table."""
    return bin_counts(box_bins(boxes, cond))


def bin_counts(binned: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """``sequence_counts`` from a ``box_bins`` table."""
    gt = (binned["side"] == "gt").to_numpy()
    level = binned["level"].to_numpy(np.int64)
    clear_tp = binned["clear_partner"].to_numpy() >= 0
    idtp = binned["idtp"].to_numpy(bool)
    switch = binned["switch"].to_numpy(bool)
    assoc = _pair_scores(binned, gt, level)  # A(c) per gt box and α (0 unless a TP at that α)
    lv_g, lv_t = level[gt], level[~gt]
    out = {}
    for name, c in CONDITIONS.items():
        n = len(c.bin_labels) + 1  # + the row of unbinned tracker boxes
        code = binned[name].to_numpy(np.int64)
        res = _zeros(n)
        g, t = code[gt], code[~gt]
        res["GT"] = np.bincount(g, minlength=n)
        res["TR"] = np.bincount(t, minlength=n)
        res["HOTA_TP"] = _above_levels(g, lv_g, n)
        res["HOTA_FP"] = res["TR"][:, None] - _above_levels(t, lv_t, n)
        res["AssA_sum"] = pd.DataFrame(assoc).groupby(g).sum().reindex(range(n), fill_value=0.0).to_numpy()
        res["HOTA_FN"] = res["GT"][:, None] - res["HOTA_TP"]
        res["CLR_TP"] = np.bincount(g, clear_tp[gt], minlength=n).astype(np.int64)
        res["CLR_FN"] = res["GT"] - res["CLR_TP"]
        res["CLR_FP"] = np.bincount(t, ~clear_tp[~gt], minlength=n).astype(np.int64)
        res["IDSW"] = np.bincount(g, switch[gt], minlength=n).astype(np.int64)
        res["IDTP"] = np.bincount(g, idtp[gt], minlength=n).astype(np.int64)
        res["IDFN"] = res["GT"] - res["IDTP"]
        res["IDFP"] = np.bincount(t, ~idtp[~gt], minlength=n).astype(np.int64)
        out[name] = res
    return out


def _above_levels(code: np.ndarray, level: np.ndarray, n: int) -> np.ndarray:
    """Per bin and α index k: how many boxes have ``level > k`` (TPs at α k), from one histogram."""
    hist = np.bincount(code * (NUM_ALPHAS + 1) + level, minlength=n * (NUM_ALPHAS + 1)).reshape(n, NUM_ALPHAS + 1)
    return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:].astype(float)


def frames_in_bin(binned: pd.DataFrame, condition: str, bin_index: int, alpha_index: int) -> pd.DataFrame:
    """Frames with boxes in one bin: how many ground-truth boxes, FNs and FPs (HOTA at ``alpha_index``) and
    CLEAR switches of that bin each frame has, most errors first."""
    sel = binned[(binned[condition] == bin_index).to_numpy()]
    gt = (sel["side"] == "gt").to_numpy()
    hit = sel["level"].to_numpy() > alpha_index
    table = pd.DataFrame({"frame": sel["frame"].to_numpy(), "gt": gt, "FN": gt & ~hit, "FP": ~gt & ~hit,
                          "switches": sel["switch"].to_numpy(bool)})
    out = table.groupby("frame", sort=True).sum().reset_index()
    out["errors"] = out["FN"] + out["FP"] + out["switches"]
    return out.sort_values(["errors", "frame"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _pair_scores(ev: pd.DataFrame, gt: np.ndarray, level: np.ndarray) -> np.ndarray:
    """HOTA's A = C / (n_g + n_p - C) of each gt box's id pair at each α (0 where the box is no TP)."""
    ids = ev["id"].to_numpy(np.int64)
    n_g = pd.Series(ids[gt]).value_counts()
    n_p = pd.Series(ids[~gt]).value_counts()
    g_ids, partner, lv = ids[gt], ev["partner"].to_numpy(np.int64)[gt], level[gt]
    out = np.zeros((g_ids.size, NUM_ALPHAS))
    matched = np.flatnonzero(partner >= 0)
    if matched.size == 0:
        return out
    g_code, g_uniq = pd.factorize(g_ids[matched])  # the (gt id, partner) pairs, numbered: two integer codes
    p_code, p_uniq = pd.factorize(partner[matched])  # combined (no tuples built)
    pair, uniq = pd.factorize(g_code * np.int64(len(p_uniq)) + p_code)
    hist = np.zeros((len(uniq), NUM_ALPHAS + 1))
    np.add.at(hist, (pair, lv[matched]), 1)
    count = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]  # C at α k: boxes with level > k
    ng = n_g.reindex(g_uniq[uniq // len(p_uniq)]).to_numpy(float)[:, None]
    np_ = n_p.reindex(p_uniq[uniq % len(p_uniq)]).fillna(0).to_numpy(float)[:, None]
    a = count / np.maximum(1, ng + np_ - count)
    tp = lv[matched][:, None] > np.arange(NUM_ALPHAS)[None, :]
    out[matched] = np.where(tp, a[pair], 0.0)
    return out


def add_counts(parts: list[dict[str, dict[str, np.ndarray]]]) -> dict[str, dict[str, np.ndarray]]:
    """Sequences (or trackers' sequences) pooled: every count summed per bin."""
    return {name: {c: sum(p[name][c] for p in parts) for c in COUNTS} for name in CONDITIONS}


def bin_fields(res: dict[str, np.ndarray], with_fp: bool) -> dict[str, np.ndarray]:
    """TrackEval's formulas on counts of bins (rows); per-α fields averaged over α like TrackEval's summary.
    ``with_fp`` False leaves out every field that needs the false positives (they are not binned)."""
    tp, fn, fp = res["HOTA_TP"], res["HOTA_FN"], res["HOTA_FP"]
    ass = res["AssA_sum"] / np.maximum(1, tp)
    det_re = tp / np.maximum(1, tp + fn)
    out = {"AssA": ass.mean(1), "DetRe": det_re.mean(1), "OWTA": np.sqrt(det_re * ass).mean(1),
           "CLR_Re": res["CLR_TP"] / np.maximum(1.0, res["CLR_TP"] + res["CLR_FN"]),
           "IDR": res["IDTP"] / np.maximum(1.0, res["IDTP"] + res["IDFN"])}
    if with_fp:
        det_a = tp / np.maximum(1, tp + fn + fp)
        out["DetA"] = det_a.mean(1)
        out["HOTA"] = np.sqrt(det_a * ass).mean(1)
        out["MOTA"] = (res["CLR_TP"] - res["CLR_FP"] - res["IDSW"]) / np.maximum(1.0, res["CLR_TP"] + res["CLR_FN"])
        out["IDF1"] = res["IDTP"] / np.maximum(1.0, res["IDTP"] + 0.5 * res["IDFP"] + 0.5 * res["IDFN"])
    return out


def scored_fields(res: dict[str, np.ndarray], with_fp: bool) -> dict[str, np.ndarray]:
    """``bin_fields`` with NaN for bins without ground truth (no score; their FPs are still counted)."""
    empty = res["GT"] == 0
    return {k: np.where(empty, np.nan, v) for k, v in bin_fields(res, with_fp).items()}


def total(res: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All rows pooled (one row): what the bins add up to."""
    return {c: v.sum(0, keepdims=True) for c, v in res.items()}


def breakdown_table(counts: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """One row per (condition, bin) plus a row per gt-only condition for its unbinned false positives:
    the counts (at α = 0.5 for the HOTA ones) and the fields each bin allows (NaN where it does not)."""
    rows = []
    for name, c in CONDITIONS.items():
        res = counts[name]
        labels = (*c.bin_labels, "false positives (no value)")
        fields = scored_fields(res, with_fp=not c.gt_only)
        for b, label in enumerate(labels):
            unbinned = b == len(labels) - 1
            if unbinned and not c.gt_only:
                continue  # every tracker box has a value of this condition: the row is empty
            row = {"condition": name, "bin": label, "bin_index": b,
                   **{k: int(res[k][b]) for k in ("GT", "TR", "CLR_TP", "CLR_FN", "CLR_FP", "IDSW",
                                                   "IDTP", "IDFN", "IDFP")},
                   **{f"{k}@0.5": int(res[k][b, 9]) for k in ("HOTA_TP", "HOTA_FN", "HOTA_FP")}}
            for f in FULL_FIELDS:
                row[f] = float(fields[f][b]) if f in fields and not unbinned else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def shown_conditions(tables: list[pd.DataFrame]) -> list[str]:
    """The conditions worth a chart in ``breakdown_table`` rows (one table per tracker): every condition but
    those whose ground-truth boxes all fall in the missing bin (KITTI occlusion on MOT17, visibility on KITTI
    or MOT15), which would chart one bin of boxes without a value."""
    out = []
    for name, c in CONDITIONS.items():
        valued = missing = 0
        for t in tables:
            part = t[(t["condition"] == name).to_numpy()]
            gt, index = part["GT"].to_numpy(np.int64), part["bin_index"].to_numpy()
            valued += int(gt[index < len(c.labels)].sum())
            missing += int(gt[index == len(c.labels)].sum())
        if valued or not missing:
            out.append(name)
    return out


def to_jsonable(counts: dict[str, dict[str, np.ndarray]]) -> dict:
    """``out[condition]``: its definition, bins with counts and fields, and the unbinned false positives."""
    table = breakdown_table(counts)
    out = {}
    for name, c in CONDITIONS.items():
        part = table[table["condition"] == name]
        bins = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()
                 if k not in ("condition", "bin_index")} for r in part.to_dict("records")]
        out[name] = {"title": c.title, "unit": c.unit, "gt_only": c.gt_only,
                     "fields": list(RECALL_FIELDS if c.gt_only else FULL_FIELDS), "bins": bins}
    return out
