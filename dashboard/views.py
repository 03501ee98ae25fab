"""Pure table builders between core's results and the app's widgets (no Streamlit here)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from tracklens.analysis.boxes import miss_reasons, states
from tracklens.evaluate import COMBINED
from tracklens.fields import HEADLINE, is_count, is_rate, names
from tracklens.metrics.hota import ALPHAS
from tracklens.results import flatten

ALPHA_CHOICES = [round(float(a), 2) for a in ALPHAS]
# The app's tables: the CLI's headline fields plus HOTA(0) and LocA(0) (the LocA(0) x HOTA(0) scatter).
TABLE_COLUMNS = HEADLINE[:8] + ("HOTA(0)", "LocA(0)") + HEADLINE[8:]
RATE_COLUMNS = tuple(c for c in TABLE_COLUMNS if is_rate(c))
COUNT_COLUMNS = tuple(c for c in TABLE_COLUMNS if is_count(c))
TIMELINE_FRAMES = 3_000  # the track timelines of a longer sequence show a window of this many frames
MAX_TIMELINE_FRAMES = 20_000  # the widest window a user may pick


def alpha_index(alpha: float) -> int:
    """Index of the nearest of the 19 alphas."""
    return int(np.argmin(np.abs(ALPHAS - alpha)))


def overlay_boxes(boxes: pd.DataFrame, alpha_idx: int) -> pd.DataFrame:
    """One frame's (or more) evaluated boxes in the overlay's contract, states taken at one alpha."""
    ev = boxes[boxes["evaluated"]]
    state = states(ev, alpha_idx)
    tp = state == "TP"
    return pd.DataFrame({
        "frame": ev["frame"].to_numpy(), "side": ev["side"].astype(str).to_numpy(), "id": ev["id"].to_numpy(),
        "x": ev["x"].to_numpy(), "y": ev["y"].to_numpy(), "w": ev["w"].to_numpy(), "h": ev["h"].to_numpy(),
        "state": state, "partner": np.where(tp, ev["partner"].to_numpy(), -1),
        "iou": np.where(tp, ev["iou"].to_numpy(), np.nan), "event": ev["event"].to_numpy(),
        "loc_miss": (~tp) & (ev["best_iou"].to_numpy() > 0),
        "best_iou": ev["best_iou"].to_numpy(), "why": miss_reasons(ev, alpha_idx),
    })


def summary_table(metrics: dict[str, dict[str, dict]], sequence: str = COMBINED) -> pd.DataFrame:
    """Tracker x headline metrics for one sequence (or the combination)."""
    rows = []
    for tracker, seqs in metrics.items():
        if sequence not in seqs:
            continue
        flat = flatten(seqs[sequence])
        rows.append({"tracker": tracker, **{c: flat[c] for c in RATE_COLUMNS + COUNT_COLUMNS if c in flat}})
    return pd.DataFrame(rows)


def class_table(class_metrics: dict[str, dict[str, dict[str, dict]]],
                combined: dict[str, dict[str, dict]]) -> pd.DataFrame:
    """Long table tracker x class x headline metrics: each class combined over sequences, then the class
    combinations (class-averaged, detection-averaged, BDD100K super-categories) of a run with classes."""
    rows = []
    for tracker in (next(iter(class_metrics.values())) if class_metrics else {}):
        named = {c: class_metrics[c][tracker][COMBINED] for c in class_metrics}
        named.update({COMBINATION_NAMES.get(k, k): v for k, v in combined.get(tracker, {}).items()})
        for label, fields in named.items():
            flat = flatten(fields)
            rows.append({"tracker": tracker, "class": label,
                         **{c: flat[c] for c in RATE_COLUMNS + COUNT_COLUMNS if c in flat}})
    return pd.DataFrame(rows)


def run_kind(fmt: str, classes: list[str]) -> str:
    """How a run was evaluated, in words (pages that need MOTChallenge files say why they cannot)."""
    name = {"kitti": "KITTI", "bdd100k": "BDD100K"}.get(fmt, "MOTChallenge")
    return f"{name}, evaluated per class ({', '.join(classes)})" if classes else name


COMBINATION_NAMES = {"cls_comb_cls_av": "class-averaged", "cls_comb_det_av": "detection-averaged"}


def sequence_table(metrics: dict[str, dict[str, dict]]) -> pd.DataFrame:
    """Long table tracker x sequence x headline metrics (sequences only, no combination)."""
    rows = []
    for tracker, seqs in metrics.items():
        for seq, fields in seqs.items():
            if seq == COMBINED:
                continue
            flat = flatten(fields)
            rows.append({"tracker": tracker, "sequence": seq,
                         **{c: flat[c] for c in RATE_COLUMNS + COUNT_COLUMNS if c in flat}})
    return pd.DataFrame(rows)


def per_alpha_table(metrics: dict[str, dict[str, dict]], sequence: str = COMBINED,
                    fields: tuple[str, ...] = names("HOTA", kinds=("rate",), per_alpha=True)) -> pd.DataFrame:
    """Long table tracker x alpha x HOTA array fields."""
    rows = []
    for tracker, seqs in metrics.items():
        m = seqs[sequence]
        for k, a in enumerate(ALPHAS):
            rows.append({"tracker": tracker, "alpha": float(a), **{f: float(np.asarray(m[f])[k]) for f in fields}})
    return pd.DataFrame(rows)


def association_scores(frame_boxes: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """A(c) of each TP box of ``frame_boxes`` (overlay rows) from the pair table at the same alpha
    (``tracklens.analysis.tracks.pair_table``); NaN for non-TPs."""
    a = np.full(len(frame_boxes), np.nan)
    if pairs.empty:
        return a
    lookup = dict(zip(zip(pairs["gt_id"].tolist(), pairs["tr_id"].tolist()), pairs["A"].tolist()))
    for k, (side, i, partner, state) in enumerate(zip(frame_boxes["side"], frame_boxes["id"], frame_boxes["partner"],
                                                       frame_boxes["state"])):
        if state == "TP":
            key = (int(i), int(partner)) if side == "gt" else (int(partner), int(i))
            a[k] = lookup.get(key, np.nan)
    return a


def frame_counts(frame_boxes: pd.DataFrame) -> dict[str, int]:
    """TP / FN / FP counts among one frame's overlay boxes (TPs counted once, on the gt side)."""
    s = frame_boxes["state"]
    side = frame_boxes["side"]
    return {"TP": int(((s == "TP") & (side == "gt")).sum()), "FN": int((s == "FN").sum()),
            "FP": int((s == "FP").sum())}


def neighbour(frames: np.ndarray, current: int, forward: bool) -> int | None:
    """The next (or previous) frame of ``frames`` strictly after (before) ``current``."""
    if frames.size == 0:
        return None
    if forward:
        k = np.searchsorted(frames, current, side="right")
        return int(frames[k]) if k < frames.size else None
    k = np.searchsorted(frames, current, side="left") - 1
    return int(frames[k]) if k >= 0 else None


def explain_track(pairs: pd.DataFrame, gt_id: int) -> list[str]:
    """Plain sentences on why ground-truth track ``gt_id`` has the association score it has,
    from its pair table rows (``tracklens.analysis.tracks.pair_table`` at one alpha)."""
    mine = pairs[pairs["gt_id"] == gt_id].sort_values("TPA", ascending=False)
    if mine.empty:
        return [f"Ground-truth track {gt_id} is never matched at this α: every one of its boxes is a miss."]
    n_g = int(mine["gt_frames"].iloc[0])
    lines = []
    for _, row in mine.iterrows():
        others = pairs[(pairs["tr_id"] == row["tr_id"]) & (pairs["gt_id"] != gt_id)]
        elsewhere = int(others["TPA"].sum())
        unmatched = int(row["FPA"]) - elsewhere
        parts = [f"tracker id {int(row['tr_id'])} matches it in {int(row['TPA'])} of its {n_g} frames, "
                 f"so each of those matches scores A = {row['A']:.2f}"]
        rest = int(row["FNA"])
        if rest:
            parts.append(f"the track spends {rest} frames without id {int(row['tr_id'])} (other ids or misses)")
        if elsewhere:
            parts.append(f"id {int(row['tr_id'])} also covers {len(others)} other person(s) for {elsewhere} frames")
        if unmatched > 0:
            parts.append(f"id {int(row['tr_id'])} has {unmatched} more boxes matched to nobody")
        lines.append("; ".join(parts) + ".")
    matched = int(mine["TPA"].sum())
    if matched < n_g:
        lines.append(f"{n_g - matched} of its {n_g} frames are not matched at all at this α.")
    return lines


def legend_html(items) -> str:
    """The overlay legend (``overlay.legend_items()``) as one line of HTML swatches."""
    parts = []
    for item in items:
        border = "dashed" if item.style == "dashed" else "solid"
        width = 3 if item.style == "outline" else 2
        mark = getattr(item, "text", "")
        badge = f"<b style='font-size:9px;color:{item.color}'>{mark}</b>" if mark else ""
        parts.append(
            "<span style='display:inline-block;margin:0 14px 4px 0;font-size:0.85rem'>"
            f"<span style='display:inline-block;width:16px;height:11px;border:{width}px {border} {item.color};"
            f"margin-right:5px;vertical-align:middle;text-align:center;line-height:9px'>{badge}</span>"
            f"{item.label}</span>")
    return "".join(parts)


def ranking_table(long: pd.DataFrame) -> pd.DataFrame:
    """Rank of each tracker (1 = best) under each metric of a (tracker, metric, value, better) table."""
    ranks = {}
    for metric, part in long.groupby("metric", sort=False):
        ascending = part["better"].iloc[0] == "lower"
        values = part.set_index("tracker")["value"]
        ranks[metric] = values.rank(ascending=ascending, method="min", na_option="keep")
    return pd.DataFrame(ranks).T


def ranking_disagreements(long: pd.DataFrame, reference: str = "HOTA") -> pd.DataFrame:
    """Tracker pairs that ``reference`` orders one way and another metric the other way."""
    ranks = ranking_table(long)
    trackers = list(ranks.columns)
    rows = []
    for i, a in enumerate(trackers):
        for b in trackers[i + 1:]:
            ref = np.sign(ranks.loc[reference, b] - ranks.loc[reference, a])
            for metric in ranks.index:
                other = np.sign(ranks.loc[metric, b] - ranks.loc[metric, a])
                if metric != reference and ref != 0 and other != 0 and other == -ref:
                    better_ref, better_other = (a, b) if ref > 0 else (b, a)
                    rows.append({"pair": f"{a} vs {b}", f"{reference} prefers": better_ref,
                                 "metric": metric, "which prefers": better_other})
    return pd.DataFrame(rows)


TRACKING_NOTES = {
    "HOTA": "nothing by design: detection, association and localisation, balanced (TrackEval's matching)",
    "HOTA (paper)": "same as HOTA, with the paper's per-α matching (most TPs first)",
    "CA-HOTA": "weights each match by the probability given to the right class; ignores nothing HOTA sees",
    "DetA": "identities entirely",
    "AssA": "missed and false boxes (only matched boxes are scored)",
    "MOTA": "localisation beyond IoU 0.5; association except at the switch frames; dominated by detection",
    "IDF1": "localisation beyond IoU 0.5; favours association over detection",
}


def tracking_rows(metrics: dict[str, dict[str, dict]], sequence: str) -> pd.DataFrame:
    """HOTA, DetA, AssA, MOTA and IDF1 of every tracker on one sequence, from the evaluated metrics,
    in the long (tracker, metric, value, better, ignores) layout of the Metrics compared page."""
    rows = []
    for tracker, seqs in metrics.items():
        flat = flatten(seqs[sequence])
        rows += [(tracker, name, float(flat[name]), "higher", TRACKING_NOTES[name])
                 for name in ("HOTA", "DetA", "AssA", "MOTA", "IDF1")]
    return pd.DataFrame(rows, columns=["tracker", "metric", "value", "better", "ignores"])
