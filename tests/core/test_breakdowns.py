"""Breakdowns by condition and causes of identity errors (core/analysis/{conditions,breakdown,causes}.py).

Invariants: every count split by bin adds up to the total; the bins pooled give TrackEval's HOTA, DetA,
AssA, MOTA and IDF1 (random cases against TrackEval 1.3.0 itself, MOT17 against the run's metrics, which
are parity-tested); AssA of the bins, TP-weighted, is AssA. Causes: one tagged row per CLEAR switch and
fragmentation, and hand-built sequences where the cause is known by construction."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from tracklens.analysis.breakdown import (
    COUNTS, PER_ALPHA, add_counts, bin_fields, breakdown_table, sequence_counts, total,
)
from tracklens.analysis.causes import baseline_counts, cause_counts, identity_causes
from tracklens.analysis.conditions import CONDITIONS, box_conditions
from tracklens.analysis.record import SequenceAnalysis, analyse
from tracklens.evaluate import COMBINED, evaluate
from tracklens.formats.motchallenge import read_mot_file
from tracklens.layout import resolve
from tracklens.prepare import prepare
from tracklens.sequence_eval import evaluate_sequence
from reference import trackeval_sequence
from strategies import TrackingCase, tracking_cases

TOL = 1e-9
CI_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HEADLINE = ("HOTA", "DetA", "AssA", "MOTA", "IDF1")


def check_adds_up(counts: dict, metrics: dict, what: str) -> None:
    """Every condition's bins add up to the metric counts, and pooled they give the metric values."""
    for name, cond in CONDITIONS.items():
        res = counts[name]
        tot = total(res)
        for field in ("HOTA_TP", "HOTA_FN", "HOTA_FP"):
            assert np.array_equal(tot[field][0], np.asarray(metrics[field], float)), (what, name, field)
        for field in ("CLR_TP", "CLR_FN", "CLR_FP", "IDSW", "IDTP", "IDFN", "IDFP"):
            assert int(tot[field][0]) == int(metrics[field]), (what, name, field)
        assert int(tot["GT"][0]) == metrics["GT_Dets"] and int(tot["TR"][0]) == metrics["Dets"], (what, name)
        pooled = bin_fields(tot, with_fp=True)
        # without ground truth TrackEval returns early (MOTA 0, not -FP); a bin without gt has no score
        for field in HEADLINE if metrics["GT_Dets"] else ():
            assert abs(pooled[field][0] - np.mean(metrics[field])) <= TOL, (what, name, field)
        # AssA of the bins, weighted by their TPs, is AssA (at every α)
        tp = res["HOTA_TP"]
        ass = res["AssA_sum"] / np.maximum(1, tp)
        assert np.allclose((ass * tp).sum(0), np.asarray(metrics["AssA"]) * metrics["HOTA_TP"], rtol=0, atol=1e-7)
        if cond.gt_only:  # tracker boxes have no value: all of them in the last row, none in a bin
            assert int(res["TR"][-1]) == metrics["Dets"] and not res["TR"][:-1].any(), (what, name)
            assert not res["GT"][-1], (what, name)
        else:
            assert not res["TR"][-1] and not res["GT"][-1], (what, name)


def reference_flat(case: TrackingCase) -> dict:
    ref = trackeval_sequence(*case.per_frame())
    return {**ref["HOTA"], **ref["CLEAR"], **ref["Identity"], "GT_Dets": int(ref["HOTA"]["HOTA_TP"][0]
            + ref["HOTA"]["HOTA_FN"][0]), "Dets": int(ref["HOTA"]["HOTA_TP"][0] + ref["HOTA"]["HOTA_FP"][0])}


def analyse_text(gt_rows: list[str], tr_rows: list[str], num_frames: int, benchmark: str) -> SequenceAnalysis:
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        gt_path.write_text("".join(gt_rows))
        tr_path.write_text("".join(tr_rows))
        gt = read_mot_file(str(gt_path), num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), num_frames, is_gt=False)
    return analyse(evaluate_sequence(prepare("case", gt, tr, benchmark=benchmark)), gt, tr, "t")


def analyse_case(case: TrackingCase) -> SequenceAnalysis:
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        case.write_mot(gt_path, tr_path)
        return analyse_text([gt_path.read_text()], [tr_path.read_text()], case.num_frames, "MOT15")


@settings(max_examples=60, **CI_SETTINGS)
@given(tracking_cases())
def test_random_cases_add_up_to_trackeval(case: TrackingCase) -> None:
    an = analyse_case(case)
    check_adds_up(sequence_counts(an.boxes), reference_flat(case), "random case")
    causes = identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9)
    ref = reference_flat(case)
    assert int((causes["kind"] == "switch").sum()) == ref["IDSW"]
    assert int((causes["kind"] == "frag").sum()) == ref["Frag"]


def test_sample_adds_up(sample_dir: Path) -> None:
    run = evaluate(resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15"), analyse_matches=True)
    for tracker, seqs in run.analyses.items():
        parts = [sequence_counts(an.boxes) for an in seqs.values()]
        for (seq, an), part in zip(seqs.items(), parts):
            check_adds_up(part, an.metrics, f"{tracker}/{seq}")
        check_adds_up(add_counts(parts), run.metrics[tracker][COMBINED], f"{tracker}/combined")


@pytest.fixture(scope="module")
def mot17_mpn(shared_data: Path):
    root = shared_data / "mot_challenge"
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     trackers=["MPNTrack"])
    return evaluate(layout, analyse_matches=True, workers=2)


@pytest.mark.shared
def test_mot17_adds_up_and_tags_every_error(mot17_mpn) -> None:
    seqs = mot17_mpn.analyses["MPNTrack"]
    assert len(seqs) == 21
    parts = []
    switches = frags = 0
    for seq, an in seqs.items():
        part = sequence_counts(an.boxes)
        check_adds_up(part, an.metrics, seq)
        parts.append(part)
        causes = identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9)
        switches += int((causes["kind"] == "switch").sum())
        frags += int((causes["kind"] == "frag").sum())
        bursts = an.fn_bursts
        assert int((causes["kind"] == "fn_burst").sum()) == int((bursts["alpha_index"] == 9).sum())
    combined = mot17_mpn.metrics["MPNTrack"][COMBINED]
    check_adds_up(add_counts(parts), combined, "MPNTrack/combined")
    assert switches == combined["IDSW"] and frags == combined["Frag"]
    table = breakdown_table(add_counts(parts))
    vis = table[table["condition"] == "visibility"]
    assert vis["GT"].sum() == combined["GT_Dets"] and vis["TR"].sum() == combined["Dets"]
    # MOT17 has a visibility column: no box without a value, and the gt-only fields only
    assert vis.loc[vis["bin"] == "no visibility column", "GT"].item() == 0
    assert vis["HOTA"].isna().all() and vis["DetRe"].iloc[:4].notna().all()


def mot17_row(frame: int, gid: int, x: float, y: float, w: float, h: float, vis: float) -> str:
    return f"{frame},{gid},{x},{y},{w},{h},1,1,{vis}\n"


def tracker_row(frame: int, tid: int, x: float, y: float, w: float, h: float) -> str:
    return f"{frame},{tid},{x},{y},{w},{h},1,-1,-1,-1\n"


def test_conditions_by_construction() -> None:
    # person 1 walks 5 px a frame, 100 px tall, hidden (visibility 0.1) in frames 4-5; person 2 stands
    # half-overlapping it in frame 1 only
    gt = [mot17_row(f, 1, 5.0 * f, 0, 50, 100, 0.1 if f in (4, 5) else 0.9) for f in range(1, 9)]
    gt.append(mot17_row(1, 2, 5.0 + 25, 0, 50, 100, 1.0))
    an = analyse_text(gt, [tracker_row(1, 7, 5, 0, 50, 100)], 8, "MOT17")
    cond = box_conditions(an.boxes)
    b = an.boxes.loc[cond.index]
    one = cond[((b["side"] == "gt") & (b["id"] == 1)).to_numpy()]
    assert np.allclose(one["speed"], 0.05) and np.allclose(one["height"], 100)
    assert one["track_length"].eq(8).all()
    assert one["crowding"].iloc[0] == pytest.approx(1 / 3) and (one["crowding"].iloc[1:] == 0).all()
    # frames since last visible: the first box has none before; frames 5 and 6 are 2 and 3 after frame 3
    assert np.isnan(one["since_visible"].iloc[0])
    assert one["since_visible"].iloc[1:].tolist() == [1, 1, 1, 2, 3, 1, 1]
    two = cond[((b["side"] == "gt") & (b["id"] == 2)).to_numpy()]
    assert np.isnan(two["speed"]).all()  # a one-box track has no speed
    tr = cond[(b["side"] == "tr").to_numpy()]
    assert np.isnan(tr["visibility"]).all() and np.isnan(tr["since_visible"]).all() and tr["height"].eq(100).all()


def test_switch_after_occlusion_to_fresh_id() -> None:
    """Person 1 is hidden in frames 11-15 while the tracker loses it; a new tracker id picks it up at 16."""
    gt = [mot17_row(f, 1, 100 + 2.0 * f, 50, 40, 100, 0.1 if 11 <= f <= 15 else 1.0) for f in range(1, 31)]
    gt += [mot17_row(f, 2, 600, 50, 40, 100, 1.0) for f in range(1, 31)]
    tr = [tracker_row(f, 10 if f <= 10 else 11, 100 + 2.0 * f, 50, 40, 100) for f in range(1, 31) if not 11 <= f <= 15]
    tr += [tracker_row(f, 20, 600, 50, 40, 100) for f in range(1, 31)]
    an = analyse_text(gt, tr, 30, "MOT17")
    causes = identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9)
    switch = causes[causes["kind"] == "switch"]
    assert len(switch) == 1 and an.metrics["IDSW"] == 1
    s = switch.iloc[0]
    assert (s["frame"], s["gt_id"], s["tr_id"], s["prev_tr_id"]) == (16, 1, 11, 10)
    assert s["occluded_before"] and s["after_gap"] and s["gap"] == 5 and s["fresh_id"] and s["id_origin"] == "fresh"
    assert not s["taken_id"] and not s["crowded"] and not s["overlap_before"] and not s["fast"]
    burst = causes[causes["kind"] == "fn_burst"]
    assert len(burst) == 1
    assert (burst.iloc[0]["frame"], burst.iloc[0]["gap"]) == (11, 5) and burst.iloc[0]["occluded_before"]
    counts = cause_counts(causes).set_index(["kind", "cause"])
    assert counts.loc[("switch", "occluded_before"), "share"] == 1.0
    assert counts.loc[("switch", "occluded_before"), "known"] == 1
    # baseline: person 1's boxes at frames 12..25 have frames 11-15 (hidden) in their 10 frames before;
    # each track's first box has nothing before it; nobody overlaps; 2 px a frame / 100 px is slow
    base = baseline_counts(an.boxes)
    assert base == {"boxes": 60, "boxes_with_visibility": 58, "occluded_before": 14, "overlap_before": 0,
                    "crowded": 0, "fast": 0}
    assert counts.loc[("switch", "no_evidence"), "count"] == 0


def test_crossing_swap_takes_the_other_id() -> None:
    """Two people cross (overlapping in frames 9-12); the tracker swaps their ids at frame 11."""
    def x(gid: int, f: int) -> float:
        return 100 + 10.0 * f if gid == 1 else 300 - 10.0 * f

    gt = [mot17_row(f, g, x(g, f), 50, 40, 100, 1.0) for f in range(1, 21) for g in (1, 2)]
    tr = [tracker_row(f, (10 if g == 1 else 20) if f < 11 else (20 if g == 1 else 10), x(g, f), 50, 40, 100)
          for f in range(1, 21) for g in (1, 2)]
    an = analyse_text(gt, tr, 20, "MOT17")
    causes = identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9)
    switch = causes[causes["kind"] == "switch"]
    assert len(switch) == 2 == an.metrics["IDSW"]
    assert switch["frame"].eq(11).all() and switch["id_origin"].eq("taken").all() and switch["taken_id"].all()
    base = baseline_counts(an.boxes)  # 40 boxes, all moving 0.1 box heights a frame; overlaps where they cross
    assert base["boxes"] == 40 and base["fast"] == 40 and 0 < base["crowded"] < 40
    # they overlap before and at the swap, at 10 px a frame for 100 px tall boxes (0.1 heights a frame)
    assert switch["overlap_before"].all() and switch["crowded"].all() and switch["fast"].all()
    assert not switch["after_gap"].any() and (switch["gap"] == 0).all() and not switch["occluded_before"].any()
    assert causes["kind"].eq("switch").all()  # no fragmentation, no burst


def test_visibility_drop_share_is_unknown_without_visibility() -> None:
    """MOT15-style ground truth (no visibility column): a switch after a gap, its visibility share NaN."""
    gt = [f"{f},1,{100 + 2.0 * f},50,40,100,1,-1,-1,-1\n" for f in range(1, 21)]
    tr = [tracker_row(f, 10 if f <= 8 else 11, 100 + 2.0 * f, 50, 40, 100) for f in range(1, 21) if f not in (9, 10)]
    an = analyse_text(gt, tr, 20, "MOT15")
    causes = identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9)
    counts = cause_counts(causes).set_index(["kind", "cause"])
    assert counts.loc[("switch", "after_gap"), "share"] == 1.0
    assert counts.loc[("switch", "occluded_before"), "known"] == 0
    assert np.isnan(counts.loc[("switch", "occluded_before"), "share"])


def test_no_events_gives_typed_empty_table() -> None:
    gt = [mot17_row(f, 1, 10, 10, 40, 100, 1.0) for f in range(1, 5)]
    tr = [tracker_row(f, 3, 10, 10, 40, 100) for f in range(1, 5)]
    an = analyse_text(gt, tr, 4, "MOT17")
    causes = identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9)
    assert causes.empty and "occluded_before" in causes.columns
    counts = cause_counts(causes)
    assert (counts["events"] == 0).all() and counts["share"].isna().all()


def test_counts_have_one_shape_per_bin() -> None:
    gt = [mot17_row(1, 1, 10, 10, 40, 100, 1.0)]
    counts = sequence_counts(analyse_text(gt, [], 1, "MOT17").boxes)
    for name, cond in CONDITIONS.items():
        rows = len(cond.bin_labels) + 1
        for field in COUNTS:
            assert counts[name][field].shape == ((rows, 19) if field in PER_ALPHA else (rows,)), (name, field)
    table = breakdown_table(counts)
    assert isinstance(table, pd.DataFrame) and table["GT"].groupby(table["condition"]).sum().eq(1).all()


def test_cli_writes_breakdowns_json(sample_dir: Path, tmp_path: Path) -> None:
    import json

    from tracklens.dashboard import cli

    out = tmp_path / "breakdowns.json"
    metrics = tmp_path / "metrics.json"
    assert cli.main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                     "--benchmark", "MOT15", "--quiet", "--breakdowns", str(out), "--json", str(metrics)]) == 0
    data, scores = json.loads(out.read_text()), json.loads(metrics.read_text())
    assert set(data) == {"masa", "motmetrics_test"}
    for tracker, part in data.items():
        combined = scores[tracker]["COMBINED"]
        for name, cond in part["breakdowns"]["combined"].items():
            bins = cond["bins"]
            assert sum(b["GT"] for b in bins) == combined["GT_Dets"] and sum(b["TR"] for b in bins) == combined["Dets"]
            assert sum(b["IDSW"] for b in bins) == combined["IDSW"], name
            assert sum(b["CLR_FP"] for b in bins) == combined["CLR_FP"], name
            assert cond["gt_only"] == CONDITIONS[name].gt_only
        counts = {(r["kind"], r["cause"]): r for r in part["causes"]["counts"]}
        assert counts[("switch", "after_gap")]["events"] == combined["IDSW"]
        assert part["causes"]["matching"]["fn_burst"] == "HOTA matching at α = 0.50"
        examples = part["causes"]["examples"]["switch"]
        tagged = [e for cause in examples.values() for e in cause]
        assert all(e["sequence"] in ("TUD-Campus", "TUD-Stadtmitte") for e in tagged)
        assert (len(tagged) > 0) == (combined["IDSW"] > 0)
        base = part["causes"]["baseline"]
        assert base["boxes"] == combined["GT_Dets"] and base["boxes_with_visibility"] == 0  # MOT15: no visibility
        assert base["share"]["occluded_before"] is None and 0 <= base["share"]["overlap_before"] <= 1
