"""Pure table builders between core's results and the app's widgets (no Streamlit here)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from tracklens.analysis.explain import (EVENT_WORDS, disagree, disagreement_text, event_text, explain_columns, fmt_iou, label,
                                        reason_text, sentence, tag_notes)
from tracklens.analysis.timeline import tp_column
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
MASK_COLUMNS = ("mask", "mask_h", "mask_w")  # a mask run's boxes: the RLE string and its size
MAX_MASK_PIXELS = 8192 * 8192  # the largest mask decoded for drawing (as frames.MAX_PIXELS)


def alpha_index(alpha: float) -> int:
    """Index of the nearest of the 19 alphas."""
    return int(np.argmin(np.abs(ALPHAS - alpha)))


def overlay_boxes(boxes: pd.DataFrame, alpha_idx: int, threshold: float = 0.5,
                  identity_events: pd.DataFrame | None = None) -> pd.DataFrame:
    """One frame's (or more) evaluated boxes in the overlay's contract, states from HOTA's matching at
    one alpha, each with its explanation (``tracklens.analysis.explain``: both matchings' decisions,
    CLEAR's at ``threshold``) and the tag note that follows from it."""
    alpha = float(ALPHAS[alpha_idx])
    facts = explain_columns(boxes, alpha_idx, alpha, threshold, identity_events)
    tp = facts["hota_state"] == "TP"
    reason = facts["hota_reason"]
    keep = boxes["evaluated"].to_numpy(bool)
    masks = {c: boxes[c].to_numpy()[keep] for c in MASK_COLUMNS if c in boxes.columns}  # mask formats
    return pd.DataFrame(facts | masks | {
        "state": facts["hota_state"], "partner": np.where(tp, facts["hota_partner"], -1),
        "iou": np.where(tp, facts["hota_iou"], np.nan), "loc_miss": np.isin(reason, ("paired_below", "below")),
        "note": tag_notes(facts, alpha),
    })


def overlay_masks(rows: pd.DataFrame, max_pixels: int = MAX_MASK_PIXELS) -> list[dict | None] | None:
    """The pycocotools RLEs of ``overlay_boxes`` rows of a mask run, row-aligned; None for boxes. A mask
    that is not a valid RLE of its size, or larger than ``max_pixels`` (an altered saved run), is None: its
    box is drawn, the mask is not (pycocotools would write past a mask whose runs overrun it)."""
    if "mask" not in rows.columns:
        return None
    from tracklens.formats.mots import valid_rles

    counts = [str(c).encode("ascii", errors="replace") for c in rows["mask"]]
    height, width = rows["mask_h"].to_numpy(np.int64), rows["mask_w"].to_numpy(np.int64)
    ok = valid_rles(counts, height, width) & (width > 0) & (height * width <= max_pixels)
    return [{"size": [int(h), int(w)], "counts": c} if good else None
            for c, h, w, good in zip(counts, height, width, ok)]


KEY_COLUMNS = ("frame", "side", "id")
ROW_ORDER = {"disagree": 0, "event": 1, "miss": 2, "match": 3}


def frame_table(rows: pd.DataFrame, scores: np.ndarray, alpha: float, threshold: float) -> pd.DataFrame:
    """The frame table in plain words, one row per box of ``overlay_boxes``: its HOTA state at α, CLEAR's
    event, why (HOTA at α), the best IoU and A(c) first; then what CLEAR decided, marked when it differs.
    Text cells are "" when there is nothing to say (never None). Problems first: boxes the matchings
    disagree on, then identity events, misses, matches. ``side``/``id`` are kept for selection."""
    records = rows.to_dict("records")
    out = pd.DataFrame({
        "box": [label(r["side"], r["id"]) for r in records],
        "state": rows["state"].to_numpy() if len(rows) else [],
        "event (CLEAR)": [event_text(r) for r in records],
        "why (HOTA at α)": [reason_text(r, "hota", alpha) if r["hota_reason"] != "matched" else
                            f"matched to {label('tr' if r['side'] == 'gt' else 'gt', r['hota_partner'])}"
                            for r in records],
        "best IoU": rows["best_iou"].to_numpy(float) if len(rows) else [],
        "A(c)": ["" if not np.isfinite(a) else f"{a:.2f}" for a in scores],
        f"CLEAR (IoU ≥ {threshold:.2f})": [_clear_cell(r, threshold) for r in records],
        "best overlap": [label("tr" if r["side"] == "gt" else "gt", r["best"]) if r["best"] >= 0 else ""
                         for r in records],
        **{key: rows[key].to_numpy() if len(rows) else [] for key in KEY_COLUMNS},
    })
    kind = [("disagree" if disagree(r) else "event" if r["event"] else "miss" if r["state"] != "TP" else "match")
            for r in records]
    out["_order"] = [ROW_ORDER[k] for k in kind]
    return out.sort_values(["_order", "side", "id"], kind="stable").drop(columns="_order").reset_index(drop=True)


def _clear_cell(row: dict, threshold: float) -> str:
    """CLEAR's decision on a box in a few words, prefixed with ≠ when HOTA at α decides otherwise."""
    mark = "≠ " if disagree(row) else ""
    if row["clear_state"] == "TP":
        return f"{mark}TP with {label('tr' if row['side'] == 'gt' else 'gt', row['clear_partner'])}"
    return f"{mark}{row['clear_state']}: {reason_text(row, 'clear', threshold)}"


def disagreements(rows: pd.DataFrame, alpha: float, threshold: float) -> list[str]:
    """One sentence per box on which HOTA at α and CLEAR decide differently (``overlay_boxes`` rows)."""
    return [disagreement_text(r, alpha, threshold) for r in rows.to_dict("records") if disagree(r)]


def event_lines(events: pd.DataFrame, rows: pd.DataFrame, alpha: float, threshold: float) -> list[str]:
    """The frame's CLEAR identity events, one line per matched pair (``identity_events`` rows of one
    frame), each followed by what HOTA at α says of the same two boxes when it differs."""
    by_box = {(r["side"], int(r["id"])): r for r in rows.to_dict("records")}
    lines = []
    for (gt_id, tr_id), group in events.groupby(["gt_id", "tr_id"], sort=False):
        words = []
        for e in group.itertuples():
            w = EVENT_WORDS[str(e.type)]
            if e.type in ("SWITCH", "ASCEND"):
                w += f" (gt {gt_id} was on id {int(e.prev_tr_id)})"
            elif e.type in ("TRANSFER", "MIGRATE"):
                w += f" (id {tr_id} was on gt {int(e.prev_gt_id)})"
            words.append(w)
        line = (f"CLEAR (IoU ≥ {threshold:.2f}): gt {gt_id} ← id {tr_id}, IoU {fmt_iou(group['iou'].iloc[0])}: "
                + "; ".join(words))
        hota = [sentence(by_box[key], "hota", alpha) for key in (("gt", gt_id), ("tr", tr_id))
                if key in by_box and disagree(by_box[key])]
        if hota:
            line += ". But " + "; ".join(hota)
        lines.append(line)
    return lines


def clear_threshold(manifest: dict) -> float:
    """The IoU threshold CLEAR and Identity were evaluated at (0.5 unless the run chose another)."""
    return float(manifest.get("inputs", {}).get("threshold", 0.5))


def selected_box_text(rows: pd.DataFrame, side: str, box_id: int, alpha: float, threshold: float) -> str:
    """Both matchings' full statements about one box of ``overlay_boxes`` rows."""
    row = rows[(rows["side"] == side) & (rows["id"] == box_id)].to_dict("records")[0]
    return f"{sentence(row, 'hota', alpha)}.\n{sentence(row, 'clear', threshold)}."


def selected_gt(rows: pd.DataFrame, side: str, box_id: int) -> int:
    """The ground-truth track a picked box belongs to: its own id, or for a tracker box its partner at α
    (HOTA), else CLEAR's; -1 when it has neither."""
    if side == "gt":
        return box_id
    row = rows[(rows["side"] == side) & (rows["id"] == box_id)].iloc[0]
    return int(row["partner"]) if row["partner"] >= 0 else int(row["clear_partner"])


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
        for name, fields in named.items():
            flat = flatten(fields)
            rows.append({"tracker": tracker, "class": name,
                         **{c: flat[c] for c in RATE_COLUMNS + COUNT_COLUMNS if c in flat}})
    return pd.DataFrame(rows)


def run_kind(fmt: str, classes: list[str]) -> str:
    """How a run was evaluated, in words (pages that need MOTChallenge files say why they cannot)."""
    name = {"kitti": "KITTI", "bdd100k": "BDD100K", "mots": "MOTS Challenge (masks)",
            "kitti_mots": "KITTI-MOTS (masks)", "tao": "TAO", "youtube_vis": "YouTube-VIS",
            "youtube_vis_masks": "YouTube-VIS (masks)",
            "imagenet_vid": "ImageNet VID"}.get(fmt, "MOTChallenge")
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
    """The overlay legend (``overlay.legend_items()``) as one line of HTML swatches, each on a dark chip so the
    white ground-truth swatch shows on a white page."""
    parts = []
    for item in items:
        border = "dashed" if item.style == "dashed" else "solid"
        width = 3 if item.style == "outline" else 2
        mark = getattr(item, "text", "")
        if item.style == "tag":  # a filled tag with its text, as drawn on the frame
            parts.append(
                "<span style='display:inline-block;margin:0 14px 4px 0;font-size:0.85rem'>"
                f"<span style='display:inline-block;padding:0 4px;background:{item.color};color:#fff;"
                f"border:1px solid #111;font-size:0.75rem;margin-right:5px;vertical-align:middle'>{mark}</span>"
                f"{item.label}</span>")
            continue
        badge = f"<b style='font-size:9px;color:{item.color}'>{mark}</b>" if mark else ""
        parts.append(
            "<span style='display:inline-block;margin:0 14px 4px 0;font-size:0.85rem'>"
            f"<span style='display:inline-block;padding:3px;background:#3b3b3b;border-radius:3px;margin-right:5px;"
            f"vertical-align:middle'><span style='display:block;width:16px;height:11px;border:{width}px {border} "
            f"{item.color};text-align:center;line-height:9px'>{badge}</span></span>"
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
    "HOTA (paper)": "same as HOTA, with the paper's per-α matching (most TPs first): a different number",
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


# --- Compare two trackers ----------------------------------------------------------------------------------
LOWER_IS_BETTER = frozenset({"IDSW", "FP", "FN", "Frag"})
COMPARE_FIELDS = (("HOTA", "HOTA"), ("DetA", "DetA"), ("AssA", "AssA"), ("LocA", "LocA"), ("MOTA", "MOTA"),
                  ("IDF1", "IDF1"), ("IDSW", "IDSW"), ("FP", "CLR_FP"), ("FN", "CLR_FN"))
BETTER_COLOR, WORSE_COLOR = "#1f5fbf", "#b35900"  # blue / dark orange: apart under every colour-vision deficiency


def compare_deltas(metrics: dict[str, dict[str, dict]], a: str, b: str) -> pd.DataFrame:
    """B − A per sequence and the COMBINED row (last): scores in percentage points, counts as counts.
    Columns are ``Δ <field>``; ``better_sign`` says which sign is better for each."""
    rows = {}
    sequences = [s for s in metrics[a] if s != COMBINED and s in metrics[b]] + [COMBINED]
    for seq in sequences:
        fa, fb = flatten(metrics[a][seq]), flatten(metrics[b][seq])
        row = {}
        for shown, field in COMPARE_FIELDS:
            if field in fa and field in fb:
                scale = 1 if shown in LOWER_IS_BETTER else 100
                row[f"Δ {shown}"] = scale * (float(fb[field]) - float(fa[field]))
        rows["COMBINED" if seq == COMBINED else seq] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("sequence")


def better_sign(column: str) -> int:
    """+1 when a positive B − A delta of ``column`` ("Δ IDSW") means B is better, −1 when lower is better."""
    return -1 if column.removeprefix("Δ ") in LOWER_IS_BETTER else 1


def delta_style(column: pd.Series) -> list[str]:
    """CSS per cell of one delta column: blue where B is better, orange where B is worse, by the field's
    direction (Δ IDSW −3 is better), never by the sign alone."""
    sign = better_sign(str(column.name))
    return [f"color: {BETTER_COLOR}; font-weight: 600" if v * sign > 0 else
            f"color: {WORSE_COLOR}; font-weight: 600" if v * sign < 0 else "" for v in column.to_numpy(float)]


def _gt_levels(analysis) -> pd.Series:
    """HOTA level of every evaluated ground-truth box, indexed by (frame, gt id); kept in the analysis' memo."""
    key = ("gt_levels",)
    if key not in analysis.memo:
        boxes = analysis.boxes
        gt = boxes[((boxes["side"] == "gt") & boxes["evaluated"]).to_numpy()]
        analysis.memo[key] = pd.Series(gt["level"].to_numpy(np.int16),
                                       index=pd.MultiIndex.from_arrays([gt["frame"].to_numpy(), gt["id"].to_numpy()]))
    return analysis.memo[key]


def disagreement_frames(first, second, alpha_idx: int) -> np.ndarray:
    """Frames where two trackers' analyses of one sequence disagree at α: some ground-truth box is a TP
    for one and a miss for the other, or their FP counts or CLEAR identity-switch counts differ."""
    la, lb = _gt_levels(first), _gt_levels(second)
    ta, tb = la > alpha_idx, lb.reindex(la.index) > alpha_idx
    frames = set(la.index.get_level_values(0)[(ta != tb).to_numpy()].tolist())
    fa, fb = first.frames, second.frames
    col = tp_column(alpha_idx)
    fp_a = fa["tr"].to_numpy() - fa[col].to_numpy()
    fp_b = fb["tr"].to_numpy() - fb[col].to_numpy()
    differ = (fp_a != fp_b) | (fa["switches"].to_numpy() != fb["switches"].to_numpy())
    frames.update(fa["frame"].to_numpy()[differ].tolist())
    return np.array(sorted(frames), dtype=np.int64)


def track_disagreement_frames(first, second, alpha_idx: int, gt_id: int) -> np.ndarray:
    """Frames where ground-truth track ``gt_id`` is a TP at α for one tracker and a miss for the other."""
    la, lb = _gt_levels(first), _gt_levels(second)
    mine = la.index.get_level_values(1) == gt_id
    a = la[mine] > alpha_idx
    b = lb.reindex(a.index).fillna(-1) > alpha_idx
    return np.sort(a.index.get_level_values(0)[(a != b).to_numpy()].to_numpy(np.int64))


# --- What-if ------------------------------------------------------------------------------------------------
FIX_LABELS = {"baseline": "as evaluated", "fix_localisation": "perfect box positions",
              "fix_false_negatives": "no missed boxes (FN)", "fix_false_positives": "no false positives (FP)",
              "fix_splits": "no id splits (one id per person)", "fix_merges": "no id merges (one person per id)",
              "fix_all": "everything fixed"}


def whatif_view(table: pd.DataFrame) -> pd.DataFrame:
    """The what-if table in plain words and one unit (HOTA, DetA, AssA, LocA and the gain in points)."""
    shown = table.copy()
    shown["fix"] = shown["fix"].map(lambda f: FIX_LABELS.get(f, f))
    for c in ("HOTA", "DetA", "AssA", "LocA", "delta_HOTA"):
        if c in shown:
            shown[c] = 100 * shown[c]
    return shown.rename(columns={"fix": "what is fixed", "delta_HOTA": "Δ HOTA (points)"})


def overlap_sentence(base: float, gains: float, all_fixed: float) -> str:
    """The waterfall's overlap term in words, with its sign (all arguments are HOTA fractions)."""
    rest = 100 * (all_fixed - base - gains)
    if abs(rest) < 0.05:
        return "The single gains add up to the gain of fixing everything together."
    if rest < 0:
        return (f"Overlap between fixes = {rest:+.1f} points: fixing everything together gains {abs(rest):.1f} points "
                "less than the single gains add up to, because some errors are counted by more than one fix.")
    return (f"Overlap between fixes = {rest:+.1f} points: fixing everything together gains {rest:.1f} points more "
            "than the single gains add up to (the fixes help each other).")


# --- Metrics compared ---------------------------------------------------------------------------------------
NEEDS_CLASSES = "needs class probabilities"
METRIC_NAMES = {"HOTA": "HOTA (TrackEval matching)", "HOTA (paper)": "HOTA (paper's per-α matching)"}


def metrics_view(table: pd.DataFrame, trackers: list[str]) -> pd.DataFrame:
    """Every metric x tracker as text in one unit: scores in percent (2 decimals), counts of frames as frames;
    a metric that cannot be computed meaningfully (CA-HOTA without class probabilities) says so instead of a
    number. Metrics computed with different matchings get different names."""
    order = table["metric"].drop_duplicates()
    wide = table.pivot(index="metric", columns="tracker", values="value").reindex(order)
    notes = table.drop_duplicates("metric").set_index("metric")[["better", "ignores"]]
    out = pd.DataFrame(index=wide.index)
    for tracker in trackers:
        out[tracker] = [NEEDS_CLASSES if not np.isfinite(v) and m == "CA-HOTA" else
                        "" if not np.isfinite(v) else f"{v:.2f}" if "(frames)" in m else f"{100 * v:.2f}"
                        for m, v in zip(wide.index, wide[tracker].to_numpy(float))]
    out["unit"] = ["frames" if "(frames)" in m else "%" for m in wide.index]
    out = out.join(notes)
    out.index = [METRIC_NAMES.get(m, m) for m in out.index]
    return out.rename_axis("metric")
