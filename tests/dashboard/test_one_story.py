"""What the inspector says about every box agrees with the matching records, at several α.

For every box of every frame (bundled sample, MOT17 x 3 trackers, generated cases) the displayed
state, reason, IoU, partner, best overlap, CLEAR cell, event and frame tag are checked against facts
recomputed here from first principles: the frame's IoU matrix (TrackEval's formula on the raw boxes),
HOTA's matched pairs (``HotaMatches``, thresholded at α by IoU) and CLEAR's matched pairs
(``ClearMatches``), with switches and transfers re-derived from the sequence of CLEAR matches.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from tracklens.analysis.explain import fmt_iou
from tracklens.analysis.record import analyse
from tracklens.analysis.tracks import pair_table
from tracklens.dashboard.overlay import _rows, _tag_text
from tracklens.dashboard.views import association_scores, disagreements, frame_table, overlay_boxes
from tracklens.detections import Detections
from tracklens.evaluate import load_sequence
from tracklens.formats.motchallenge import read_mot_file
from tracklens.layout import resolve
from tracklens.metrics.hota import ALPHAS
from tracklens.prepare import prepare
from tracklens.sequence_eval import evaluate_sequence
from strategies import EPS, TrackingCase, box_ious, tracking_cases

THRESHOLD = 0.5
SOME_ALPHAS = (2, 9, 14)  # 0.15, 0.50, 0.75
CI_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@dataclass
class Truth:
    """First-principles facts of one frame: ids, IoU matrix, HOTA pairs (IoU), CLEAR pairs and events."""

    gt_ids: np.ndarray
    tr_ids: np.ndarray
    iou: np.ndarray  # gt x tracker
    hota: dict  # (side, id) -> (partner id, IoU)
    clear: dict
    switch_from: dict  # gt id -> previous tracker id, for CLEAR switches in this frame
    transfer_from: dict  # tracker id -> previous gt id, for CLEAR transfers in this frame


def frame_truths(gt: Detections, tr: Detections, ev, similarity=None) -> dict[int, Truth]:
    """``similarity(gt_rows, tr_rows)``: the matrix the matching used (default TrackEval's box IoU)."""
    similarity = similarity or (lambda g, t: box_ious(gt.box[g], tr.box[t]))
    d = ev.data
    p = d.pairs
    truths = {}
    pair_sets = {}
    for name, matches in (("hota", ev.hota_matches), ("clear", ev.clear_matches)):
        idx = np.zeros(0, np.int64) if matches is None else matches.pair_index
        pair_sets[name] = (p.gt[idx], p.tr[idx])
    gt_frame = np.repeat(np.arange(1, d.num_frames + 1), np.diff(d.gt_offsets))
    last_tr, last_gt = {}, {}  # CLEAR: previous matched tracker id per gt id, and gt id per tracker id
    switch_flags = {}
    if ev.clear_matches is not None:
        cg, ct = pair_sets["clear"]
        for g, t, flag in zip(cg, ct, ev.clear_matches.is_switch):
            switch_flags[(int(g), int(t))] = bool(flag)
    for k in range(1, d.num_frames + 1):
        gpos = np.arange(d.gt_offsets[k - 1], d.gt_offsets[k])
        tpos = np.arange(d.tr_offsets[k - 1], d.tr_offsets[k])
        gt_ids = d.gt_ids[d.gt_idx[gpos]]
        tr_ids = d.tr_ids[d.tr_idx[tpos]]
        iou = similarity(d.gt_rows[gpos], d.tr_rows[tpos])
        found = {}
        for name, (pg, pt) in pair_sets.items():
            sel = np.flatnonzero((pg >= gpos[0]) & (pg <= gpos[-1])) if gpos.size else np.zeros(0, int)
            table = {}
            for j in sel:
                gi, ti = int(pg[j] - gpos[0]), int(pt[j] - d.tr_offsets[k - 1])
                table[("gt", int(gt_ids[gi]))] = (int(tr_ids[ti]), float(iou[gi, ti]))
                table[("tr", int(tr_ids[ti]))] = (int(gt_ids[gi]), float(iou[gi, ti]))
                if name == "clear":
                    assert switch_flags[(int(pg[j]), int(pt[j]))] == (
                        int(gt_ids[gi]) in last_tr and last_tr[int(gt_ids[gi])] != int(tr_ids[ti]))
            found[name] = table
        switch_from, transfer_from = {}, {}
        for (side, i), (partner, _) in found["clear"].items():
            if side == "gt" and last_tr.get(i, partner) != partner:
                switch_from[i] = last_tr[i]
            if side == "tr" and last_gt.get(i, partner) != partner:
                transfer_from[i] = last_gt[i]
        for (side, i), (partner, _) in found["clear"].items():
            (last_tr if side == "gt" else last_gt)[i] = partner
        truths[k] = Truth(gt_ids, tr_ids, iou, found["hota"], found["clear"], switch_from, transfer_from)
    assert gt_frame.size == d.num_gt_dets
    return truths


def name(side: str, i: int) -> str:
    return f"gt {i}" if side == "gt" else f"id {i}"


def expected_reason(side: str, i: int, pairs: dict, cut: float, best: tuple[int, float]) -> tuple[str, str, str]:
    """(state, reason text the table must contain, tag note) of one box under one matching."""
    other = "tr" if side == "gt" else "gt"
    miss = "FN" if side == "gt" else "FP"
    cid, ciou = best
    if (side, i) in pairs:
        partner, iou = pairs[(side, i)]
        if iou >= cut - EPS:
            return "TP", f"matched to {name(other, partner)}", ""
        return miss, f"paired with {name(other, partner)}, IoU {fmt_iou(iou, cut)} <", \
            f"IoU {fmt_iou(iou, cut)}<{fmt_iou(cut)}"
    if ciou <= 0:
        return miss, "nothing overlaps it (best IoU 0)", ""
    if ciou < cut - EPS:
        return miss, f"best overlap {name(other, cid)} (IoU {fmt_iou(ciou, cut)}) <", \
            f"IoU {fmt_iou(ciou, cut)}<{fmt_iou(cut)}"
    if (other, cid) in pairs:
        holder, hiou = pairs[(other, cid)]
        return miss, (f"best overlap {name(other, cid)} (IoU {fmt_iou(ciou, cut)}) is taken by "
                      f"{name(side, holder)} (IoU {fmt_iou(hiou, cut)})"), f"{name(other, cid).replace(' ', '')} taken"
    return miss, "was left unpaired too", ""


def check_frame(truth: Truth, rows: list[dict], shown_rows: list[dict], tags: list[str], alpha_idx: int,
                where: str) -> tuple[int, int]:
    """Every box of one frame (its ``overlay_boxes`` rows, frame table rows and tag texts, any order);
    returns how many boxes were checked and how many the two matchings decide differently."""
    alpha = float(ALPHAS[alpha_idx])
    assert len(rows) == truth.gt_ids.size + truth.tr_ids.size, where
    assert len(shown_rows) == len(rows) == len(tags), where
    by_key = {(r["side"], int(r["id"])): r for r in shown_rows}
    overlay = {(r["side"], int(r["id"])): r for r in rows}
    tags = dict(zip(overlay, tags))
    differing = 0
    for side, ids, matrix in (("gt", truth.gt_ids, truth.iou), ("tr", truth.tr_ids, truth.iou.T)):
        other = "tr" if side == "gt" else "gt"
        other_ids = truth.tr_ids if side == "gt" else truth.gt_ids
        for k, i in enumerate(ids.tolist()):
            what = f"{where} {name(side, i)} α={alpha:.2f}"
            row, shown, tag = overlay[(side, i)], by_key[(side, i)], tags[(side, i)]
            overlaps = matrix[k] if other_ids.size else np.zeros(0)
            best_iou = float(overlaps.max()) if overlaps.size else 0.0
            # best overlap: the displayed one is one of the boxes with the highest IoU, and the IoU is real
            assert shown["best IoU"] == pytest.approx(best_iou, abs=1e-12), what
            if best_iou > 0:
                ties = set(other_ids[overlaps == best_iou].tolist())
                assert shown["best overlap"] in {name(other, t) for t in ties}, what
                cid = int(shown["best overlap"].split()[1])
            else:
                assert shown["best overlap"] == "", what
                cid = -1
            for cell in shown.values():
                assert not (isinstance(cell, str) and ("None" in cell or "nan" in cell)), f"{what}: {shown}"
            # HOTA at α: state, reason, partner, tag
            state, reason, note = expected_reason(side, i, truth.hota, alpha, (cid, best_iou))
            assert row["state"] == shown["state"] == state, what
            assert reason in shown["why (HOTA at α)"], f"{what}: {shown['why (HOTA at α)']!r} lacks {reason!r}"
            if state == "TP":
                partner, iou = truth.hota[(side, i)]
                assert row["partner"] == partner and row["iou"] == pytest.approx(iou, abs=1e-12), what
                assert (f"{i} | {iou:.2f}" == tag) if side == "tr" else tag == "", f"{what}: tag {tag!r}"
            else:
                assert row["partner"] == -1, what
                head = f"FN gt{i}" if side == "gt" else f"FP {i}"
                assert tag == (f"{head}  {note}" if note else head), f"{what}: tag {tag!r} vs note {note!r}"
            # CLEAR at the threshold
            c_state, c_reason, _ = expected_reason(side, i, truth.clear, THRESHOLD, (cid, best_iou))
            clear_cell = shown[f"CLEAR (IoU ≥ {THRESHOLD:.2f})"]
            differ = c_state != state or (state == "TP" and truth.clear[(side, i)][0] != truth.hota[(side, i)][0])
            differing += differ
            assert clear_cell.startswith("≠ ") == differ, f"{what}: {clear_cell!r}"
            assert clear_cell.removeprefix("≠ ").startswith(c_state), what
            if c_state == "TP":
                assert clear_cell.endswith(name(other, truth.clear[(side, i)][0])), what
            else:
                assert c_reason.replace(" <", "") in clear_cell, f"{what}: {clear_cell!r} lacks {c_reason!r}"
            # CLEAR's identity events
            event = shown["event (CLEAR)"]
            if side == "gt" and i in truth.switch_from:
                assert event.startswith("identity switch") and event.endswith(f"from id {truth.switch_from[i]}"), what
            elif side == "tr" and i in truth.transfer_from:
                assert event.startswith("id transfer") and event.endswith(f"from gt {truth.transfer_from[i]}"), what
            else:
                assert event in ("", "track resumes after a gap"), f"{what}: {event!r}"
                if event:
                    assert side == "gt" and c_state == "TP", what
    return len(rows), differing


def check_sequence(gt: Detections, tr: Detections, tracker: str, name_: str, alphas=SOME_ALPHAS,
                   benchmark: str = "MOT17") -> int:
    """Evaluate, analyse, and check every box of every frame at each alpha; returns boxes checked."""
    ev = evaluate_sequence(prepare(name_, gt, tr, benchmark=benchmark), THRESHOLD)
    return check_analysis(analyse(ev, gt, tr, tracker), frame_truths(gt, tr, ev), f"{tracker}/{name_}", alphas)


def check_analysis(an, truths: dict[int, Truth], where: str, alphas=SOME_ALPHAS) -> int:
    """Every box of every frame of an analysis against its first-principles ``truths``, at each alpha."""
    checked = 0
    boxes = an.boxes
    events = an.identity_events
    for a in alphas:
        rows = overlay_boxes(boxes, a, THRESHOLD, events)
        table = frame_table(rows, association_scores(rows, pair_table(an.pairs, a)), float(ALPHAS[a]), THRESHOLD)
        table = table.sort_values("frame", kind="stable")
        records, shown = rows.to_dict("records"), table.to_dict("records")
        tags = [_tag_text(b, "both", float(ALPHAS[a])) for b in _rows(rows)]
        row_starts = np.searchsorted(rows["frame"].to_numpy(), np.arange(1, an.num_frames + 2))
        table_starts = np.searchsorted(table["frame"].to_numpy(), np.arange(1, an.num_frames + 2))
        differing = 0
        for k, truth in truths.items():
            lo, hi = row_starts[k - 1], row_starts[k]
            boxes_, differ = check_frame(truth, records[lo:hi], shown[table_starts[k - 1]:table_starts[k]], tags[lo:hi],
                                         a, f"{where} frame {k}")
            checked += boxes_
            differing += differ
        # one sentence per box the matchings disagree on, each naming both
        sentences = disagreements(rows, float(ALPHAS[a]), THRESHOLD)
        assert len(sentences) == differing
        assert all(t.startswith("HOTA ") and "; CLEAR " in t and "→" in t for t in sentences)
    return checked


def test_the_reported_switch_frame_tells_one_story(sample_dir: Path) -> None:
    """TUD-Stadtmitte, motmetrics_test, frame 53 at α 0.5 (the case in issue 11)."""
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15")
    files = next(f for f in layout.sequences if f.name == "TUD-Stadtmitte")
    inputs = load_sequence(files)
    tr = inputs.trackers["motmetrics_test"]
    ev = evaluate_sequence(prepare("TUD-Stadtmitte", inputs.gt, tr, benchmark="MOT15"), THRESHOLD)
    an = analyse(ev, inputs.gt, tr, "motmetrics_test")
    rows = overlay_boxes(an.frame_boxes(53), 9, THRESHOLD, an.frame_identity_events(53))
    table = frame_table(rows, association_scores(rows, pair_table(an.pairs, 9)), 0.5, THRESHOLD)
    gt4 = table[(table.side == "gt") & (table.id == 4)].iloc[0]
    assert gt4["state"] == "FN"
    assert gt4["why (HOTA at α)"].startswith("paired with id 3, IoU 0.38 < α")
    assert gt4["event (CLEAR)"] == "identity switch from id 3"
    assert gt4["CLEAR (IoU ≥ 0.50)"] == "≠ TP with id 1"
    assert gt4["best overlap"] == "id 1" and round(gt4["best IoU"], 3) == 0.533
    id1 = table[(table.side == "tr") & (table.id == 1)].iloc[0]
    assert id1["event (CLEAR)"] == "id transfer from gt 5"
    tags = {b.key: _tag_text(b, "both", 0.5) for b in _rows(rows)}
    assert tags[("gt", 4)] == "FN gt4  IoU 0.38<0.50"  # the IoU that fell short, not the 0.53 of CLEAR's pair
    assert table.index[(table.side == "gt") & (table.id == 4)][0] < 2  # disagreements come first
    _, differing = check_frame(frame_truths(inputs.gt, tr, ev)[53], rows.to_dict("records"), table.to_dict("records"),
                               [_tag_text(b, "both", 0.5) for b in _rows(rows)], 9, "Stadtmitte 53")
    assert differing == 2  # gt 4 and id 1


def test_every_box_of_the_sample(sample_dir: Path) -> None:
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15")
    checked = 0
    for files in layout.sequences:
        inputs = load_sequence(files)
        for tracker, tr in inputs.trackers.items():
            checked += check_sequence(inputs.gt, tr, tracker, files.name, alphas=(0, 5, 9, 13, 18), benchmark="MOT15")
    assert checked > 10_000


@pytest.mark.shared
def test_every_box_of_mot17_three_trackers(shared_data: Path, tmp_path: Path) -> None:
    """The 7 MOT17-train sequences all three trackers ran on (DPM detections)."""
    root = shared_data / "mot_challenge"
    seqmap = root / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train-DPM.txt"
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     seqmap=str(seqmap))
    assert len(layout.trackers) == 3 and len(layout.sequences) == 7
    checked = 0
    for files in layout.sequences:
        inputs = load_sequence(files)
        for tracker, tr in inputs.trackers.items():
            checked += check_sequence(inputs.gt, tr, tracker, files.name, alphas=(4, 9, 15))
    assert checked > 500_000


@settings(max_examples=60, **CI_SETTINGS)
@given(tracking_cases(max_frames=12, max_objects=6))
def test_every_box_of_generated_cases(case: TrackingCase) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        case.write_mot(gt_path, tr_path)
        gt = read_mot_file(str(gt_path), case.num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), case.num_frames, is_gt=False)
    check_sequence(gt, tr, "case", "case", alphas=(0, 9, 18), benchmark="MOT15")
