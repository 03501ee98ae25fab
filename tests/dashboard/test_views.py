"""The pure table builders between core's analysis and the app's widgets, on the bundled sample
(TUD-Campus, motmetrics_test: a real tracker with 7 identity switches) and on tiny hand cases."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tracklens.analysis.tracks import pair_table
from tracklens.run import RunInputs
from tracklens.workspace import Workspace
from tracklens.dashboard.views import (BETTER_COLOR, WORSE_COLOR, alpha_index, association_scores, compare_deltas,
                                       delta_style, disagreement_frames, explain_track, frame_counts, neighbour,
                                       overlap_sentence, overlay_boxes, per_alpha_table, summary_table, whatif_view)


@pytest.fixture(scope="module")
def campus(sample_dir):
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                trackers=["motmetrics_test"], analyse_now=False)
    return ws, ws.analysis("motmetrics_test", "TUD-Campus")


def test_alpha_index_is_the_nearest_of_19():
    assert alpha_index(0.05) == 0 and alpha_index(0.5) == 9 and alpha_index(0.95) == 18 and alpha_index(0.52) == 9


def test_overlay_boxes_states_match_the_metrics_at_every_alpha(campus):
    ws, an = campus
    m = ws.metrics["motmetrics_test"]["TUD-Campus"]
    for a in (0, 9, 18):
        boxes = overlay_boxes(an.boxes, a)
        counts = frame_counts(boxes)
        assert counts == {"TP": m["HOTA_TP"][a], "FN": m["HOTA_FN"][a], "FP": m["HOTA_FP"][a]}
        tp = boxes[boxes.state == "TP"]
        assert (tp.partner >= 0).all() and tp.iou.notna().all()
        assert (boxes.loc[boxes.state != "TP", "partner"] == -1).all()


def test_neighbour_steps_over_the_current_frame():
    frames = np.array([3, 8, 20])
    assert neighbour(frames, 8, True) == 20 and neighbour(frames, 8, False) == 3
    assert neighbour(frames, 20, True) is None and neighbour(frames, 3, False) is None
    assert neighbour(np.array([], int), 5, True) is None


def test_association_scores_and_explanation_agree_with_the_pair_table(campus):
    _, an = campus
    pairs = pair_table(an.pairs, 9)
    boxes = overlay_boxes(an.frame_boxes(33), 9)
    scores = association_scores(boxes, pairs)
    tp = boxes.state.to_numpy() == "TP"
    assert np.isfinite(scores[tp]).all() and np.isnan(scores[~tp]).all()
    gt3 = pairs[pairs.gt_id == 3].sort_values("TPA", ascending=False).iloc[0]
    lines = explain_track(pairs, 3)
    assert f"matches it in {int(gt3.TPA)} of its {int(gt3.gt_frames)} frames" in lines[0]
    assert f"A = {gt3.A:.2f}" in lines[0]
    assert "never matched" in explain_track(pairs.iloc[0:0], 3)[0]


def test_summary_and_alpha_tables_are_fractions_with_19_alphas(campus):
    ws, _ = campus
    summary = summary_table(ws.metrics)
    assert list(summary.tracker) == ["motmetrics_test"] and 0 < summary.HOTA.iloc[0] < 1
    per_alpha = per_alpha_table(ws.metrics)
    assert len(per_alpha) == 19 and per_alpha.alpha.iloc[0] == pytest.approx(0.05)
    assert isinstance(per_alpha, pd.DataFrame)


def test_rankings_and_disagreements_on_a_hand_case():
    from tracklens.dashboard.views import ranking_disagreements, ranking_table
    long = pd.DataFrame([
        ("A", "HOTA", 0.6, "higher"), ("B", "HOTA", 0.5, "higher"),
        ("A", "MOTA", 0.4, "higher"), ("B", "MOTA", 0.7, "higher"),
        ("A", "Average Delay (frames)", 2.0, "lower"), ("B", "Average Delay (frames)", 5.0, "lower"),
    ], columns=["tracker", "metric", "value", "better"])
    ranks = ranking_table(long)
    assert ranks.loc["HOTA", "A"] == 1 and ranks.loc["MOTA", "A"] == 2 and ranks.loc["Average Delay (frames)", "A"] == 1
    dis = ranking_disagreements(long)
    assert list(dis["metric"]) == ["MOTA"]
    assert dis.iloc[0]["HOTA prefers"] == "A" and dis.iloc[0]["which prefers"] == "B"


def test_per_class_table_combines_classes_both_ways(tmp_path):
    from tracklens.dashboard.loading import per_class_table
    seq = tmp_path / "gt" / "s1"
    (seq / "gt").mkdir(parents=True)
    (seq / "seqinfo.ini").write_text("[Sequence]\nname=s1\nseqLength=4\n")
    gt_rows, tr_rows = [], []
    for f in range(1, 5):
        gt_rows += [f"{f},1,10,10,20,40,1,1,1", f"{f},2,100,10,20,40,1,2,1"]
        tr_rows += [f"{f},7,10,10,20,40,0.9,1,1"]                                   # class 1 tracked perfectly
        tr_rows += [f"{f},{8 + f % 2},100,10,20,40,0.9,2,1"]                         # class 2: id flips every frame
    (seq / "gt" / "gt.txt").write_text("\n".join(gt_rows) + "\n")
    (tmp_path / "tr" / "t").mkdir(parents=True)
    (tmp_path / "tr" / "t" / "s1.txt").write_text("\n".join(tr_rows) + "\n")
    inputs = RunInputs(str(tmp_path / "gt"), str(tmp_path / "tr"), benchmark="MOT17")
    table = per_class_table(inputs, ("t",)).set_index("class")
    assert table.loc["class 1", "HOTA"] == pytest.approx(1.0)
    assert table.loc["class 2", "HOTA"] < 1.0
    assert table.loc["class-averaged", "HOTA"] == pytest.approx((table.loc["class 1", "HOTA"] + table.loc["class 2", "HOTA"]) / 2)
    assert per_class_table(replace(inputs, benchmark="MOT15"), ("t",)) is None


def test_compare_deltas_have_a_combined_row_and_colour_by_better_not_sign(sample_dir):
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                analyse_now=False)
    deltas = compare_deltas(ws.metrics, "masa", "motmetrics_test")
    assert list(deltas.index) == ["TUD-Campus", "TUD-Stadtmitte", "COMBINED"]
    m = {t: ws.metrics[t]["TUD-Campus"] for t in ("masa", "motmetrics_test")}
    assert deltas.loc["TUD-Campus", "Δ IDSW"] == m["motmetrics_test"]["IDSW"] - m["masa"]["IDSW"]
    assert deltas.loc["TUD-Campus", "Δ FN"] == m["motmetrics_test"]["CLR_FN"] - m["masa"]["CLR_FN"]
    assert deltas.loc["COMBINED", "Δ HOTA"] == pytest.approx(
        100 * (np.mean(ws.metrics["motmetrics_test"]["COMBINED_SEQ"]["HOTA"])
               - np.mean(ws.metrics["masa"]["COMBINED_SEQ"]["HOTA"])))
    # motmetrics_test is worse than masa: more switches (a positive delta) and a lower HOTA (negative): both orange
    idsw = delta_style(deltas["Δ IDSW"])
    hota = delta_style(deltas["Δ HOTA"])
    assert deltas.loc["COMBINED", "Δ IDSW"] > 0 and deltas.loc["COMBINED", "Δ HOTA"] < 0
    assert WORSE_COLOR in idsw[-1] and WORSE_COLOR in hota[-1]
    flipped = delta_style(-deltas["Δ IDSW"])
    assert BETTER_COLOR in flipped[-1]


def test_disagreement_frames_are_where_a_gt_box_state_or_the_counts_differ(sample_dir):
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                analyse_now=False)
    a, b = ws.analysis("masa", "TUD-Campus"), ws.analysis("motmetrics_test", "TUD-Campus")
    frames = disagreement_frames(a, b, 9)
    assert frames.size and np.all(np.diff(frames) > 0)
    for k in range(1, a.num_frames + 1):
        sa, sb = (overlay_boxes(x.frame_boxes(k), 9) for x in (a, b))
        gt_a = dict(zip(sa.loc[sa.side == "gt", "id"], sa.loc[sa.side == "gt", "state"]))
        gt_b = dict(zip(sb.loc[sb.side == "gt", "id"], sb.loc[sb.side == "gt", "state"]))
        fp = [(s.state == "FP").sum() for s in (sa, sb)]
        switches = [int((x.frame_identity_events(k)["type"] == "SWITCH").sum()) for x in (a, b)]
        expected = gt_a != gt_b or fp[0] != fp[1] or switches[0] != switches[1]
        assert (k in frames) == expected, k


def test_whatif_view_is_plain_words_in_points_and_the_overlap_has_its_sign():
    table = pd.DataFrame({"fix": ["baseline", "fix_false_negatives", "fix_all"], "HOTA": [0.4, 0.5, 0.55],
                          "delta_HOTA": [0.0, 0.1, 0.15]})
    shown = whatif_view(table)
    assert list(shown["what is fixed"]) == ["as evaluated", "no missed boxes (FN)", "everything fixed"]
    assert shown["HOTA"].tolist() == pytest.approx([40, 50, 55]) and "Δ HOTA (points)" in shown
    assert not any("fix_" in str(v) for v in shown.to_numpy().ravel())
    assert overlap_sentence(0.40, 0.20, 0.55).startswith("Overlap between fixes = -5.0 points")
    assert "less than the single gains" in overlap_sentence(0.40, 0.20, 0.55)
    assert "more than the single gains" in overlap_sentence(0.40, 0.10, 0.55)
