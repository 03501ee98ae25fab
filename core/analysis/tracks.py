"""Per-track and per-id-pair views of the HOTA association, and track coverage spans.

For a ground-truth id g and tracker id p at alpha a, ``TPA = C_a[g,p]`` (frames matched together),
``FNA = n_g - TPA`` and ``FPA = n_p - TPA`` (TrackEval counts every detection of the id, matched
elsewhere or not), ``A = TPA / (TPA + FNA + FPA)``. A track's AssA is the TP-weighted mean of the A
of its pairs, so ``sum_g TP_g * AssA_g / TP`` is exactly the sequence AssA.

Everything here reads the serialisable tables of ``SequenceAnalysis`` (no re-matching).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..sequence_eval import SequenceEvaluation
from ..metrics.hota import NUM_ALPHAS, id_pair_counts, level_passes
from ..results import ALPHA_LABELS

TPA_COLUMNS = [f"TPA_{a:02d}" for a in ALPHA_LABELS]


def pair_frame(ev: SequenceEvaluation) -> pd.DataFrame:
    """Every id pair matched at some alpha: gt_id, tr_id, gt_frames, tr_frames, TPA_05..TPA_95."""
    d, hm = ev.data, ev.hota_matches
    n_g = np.bincount(d.gt_idx, minlength=d.num_gt_ids)
    n_p = np.bincount(d.tr_idx, minlength=d.num_tr_ids)
    if hm is None:
        g = t = np.zeros(0, np.int64)
        counts = np.zeros((0, NUM_ALPHAS))
    else:
        g, t, counts = id_pair_counts(d, hm.pair_index, level_passes(hm.levels))
    out = pd.DataFrame({"gt_id": d.gt_ids[g], "tr_id": d.tr_ids[t], "gt_frames": n_g[g], "tr_frames": n_p[t]})
    for k, col in enumerate(TPA_COLUMNS):
        out[col] = counts[:, k].astype(np.int64)
    return out


def pair_table(pairs: pd.DataFrame, alpha_index: int) -> pd.DataFrame:
    """gt id x tracker id at one alpha: TPA, FNA, FPA and A (pairs with TPA > 0), best first per gt."""
    tpa = pairs[TPA_COLUMNS[alpha_index]].to_numpy()
    keep = tpa > 0
    p = pairs[keep]
    tpa = tpa[keep]
    n_g, n_p = p["gt_frames"].to_numpy(), p["tr_frames"].to_numpy()
    return pd.DataFrame({
        "gt_id": p["gt_id"].to_numpy(), "tr_id": p["tr_id"].to_numpy(), "TPA": tpa, "FNA": n_g - tpa,
        "FPA": n_p - tpa, "A": tpa / np.maximum(1, n_g + n_p - tpa), "gt_frames": n_g, "tr_frames": n_p,
    }).sort_values(["gt_id", "TPA"], ascending=[True, False], kind="stable").reset_index(drop=True)


def _by_id(ids: np.ndarray, keys: np.ndarray, weights: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``ids``: TP (sum of weights over rows with that key) and the TP-weighted mean score."""
    pos = np.searchsorted(ids, keys)
    tp = np.bincount(pos, weights=weights, minlength=ids.size)
    num = np.bincount(pos, weights=weights * score, minlength=ids.size)
    return tp, np.divide(num, tp, out=np.zeros(ids.size), where=tp > 0)


def _covering(ids: np.ndarray, own: np.ndarray, other: np.ndarray, tpa: np.ndarray) -> list[list[int]]:
    """Per id, the other side's ids it was matched with, most frames first."""
    lists: dict[int, list[int]] = {int(i): [] for i in ids}
    order = np.lexsort((-tpa, own))
    for i in order[tpa[order] > 0]:
        lists[int(own[i])].append(int(other[i]))
    return [lists[int(i)] for i in ids]


def gt_track_table(gt_tracks: pd.DataFrame, pairs: pd.DataFrame, alpha_index: int) -> pd.DataFrame:
    """``gt_tracks`` (alpha-free facts per ground-truth id) plus, at one alpha: matched frames,
    AssA/AssRe/AssPr and the tracker ids covering it."""
    t = pair_table(pairs, alpha_index)
    ids = gt_tracks["gt_id"].to_numpy()
    g = t["gt_id"].to_numpy()
    tpa = t["TPA"].to_numpy().astype(float)
    tp, ass_a = _by_id(ids, g, tpa, t["A"].to_numpy())
    _, ass_re = _by_id(ids, g, tpa, tpa / np.maximum(1, t["gt_frames"].to_numpy()))
    _, ass_pr = _by_id(ids, g, tpa, tpa / np.maximum(1, t["tr_frames"].to_numpy()))
    out = gt_tracks.copy()
    out.insert(4, "matched", tp.astype(np.int64))
    out.insert(5, "AssA", ass_a)
    out.insert(6, "AssRe", ass_re)
    out.insert(7, "AssPr", ass_pr)
    out["tracker_ids"] = _covering(ids, g, t["tr_id"].to_numpy(), tpa)
    return out


def analysis_track_table(analysis, alpha_index: int) -> pd.DataFrame:
    """``gt_track_table`` of a ``SequenceAnalysis`` at one alpha, computed once (kept on its memo: the
    caller must not change it)."""
    key = ("gt_track_table", alpha_index)
    if key not in analysis.memo:
        analysis.memo[key] = gt_track_table(analysis.gt_tracks, analysis.pairs, alpha_index)
    return analysis.memo[key]


def tracker_track_table(tr_tracks: pd.DataFrame, pairs: pd.DataFrame, alpha_index: int) -> pd.DataFrame:
    """Per tracker id at one alpha: matched frames, false-positive frames, AssA, AssPr and the
    ground-truth ids it covers (more than one = a merge)."""
    t = pair_table(pairs, alpha_index).sort_values("tr_id", kind="stable")
    ids = tr_tracks["tr_id"].to_numpy()
    p = t["tr_id"].to_numpy()
    tpa = t["TPA"].to_numpy().astype(float)
    tp, ass_a = _by_id(ids, p, tpa, t["A"].to_numpy())
    _, ass_pr = _by_id(ids, p, tpa, tpa / np.maximum(1, t["tr_frames"].to_numpy()))
    out = tr_tracks.copy()
    out["matched"] = tp.astype(np.int64)
    out["fp_frames"] = out["frames"] - out["matched"]
    out["AssA"] = ass_a
    out["AssPr"] = ass_pr
    covering = _covering(ids, p, t["gt_id"].to_numpy(), tpa)
    out["gt_ids"] = covering
    out["merges"] = [max(0, len(c) - 1) for c in covering]
    return out


def coverage_segments(boxes: pd.DataFrame, alpha_index: int, side: str = "gt") -> pd.DataFrame:
    """Coverage spans of each evaluated id of one side at one alpha: runs of consecutive frames (where
    the id is present) with the same partner id on the other side, or -1 while unmatched (a miss on
    the gt side, a false positive on the tracker side).

    Columns: id, partner, start, end (inclusive frames), frames.
    """
    own = boxes[(boxes["side"] == side) & boxes["evaluated"]]
    cols = ["id", "partner", "start", "end", "frames"]
    if own.empty:
        return pd.DataFrame({c: np.zeros(0, np.int64) for c in cols})
    own = own.sort_values(["id", "frame"], kind="stable")
    ids = own["id"].to_numpy()
    frame = own["frame"].to_numpy()
    partner = np.where(own["level"].to_numpy() > alpha_index, own["partner"].to_numpy(), -1)
    new = np.ones(ids.size, bool)
    new[1:] = (ids[1:] != ids[:-1]) | (partner[1:] != partner[:-1]) | (frame[1:] != frame[:-1] + 1)
    start = np.flatnonzero(new)
    end = np.append(start[1:], ids.size) - 1
    return pd.DataFrame({"id": ids[start], "partner": partner[start], "start": frame[start],
                         "end": frame[end], "frames": end - start + 1})
