"""The Tracks page's rows and chart: each track's cost agrees with the matching records (bundled sample,
MOT17 x 3 trackers, generated cases, several α), the rows are ordered and filtered as asked, and the chart
draws one labelled row per track and one bar per run of frames, with legends that say what each side means."""
from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from plotly.utils import PlotlyJSONEncoder

from tracklens.analysis.record import analyse
from tracklens.analysis.tracks import coverage_segments, gt_track_table, pair_table, tracker_track_table
from tracklens.dashboard.figures import timeline_point
from tracklens.dashboard.palette import EVENT_COLOR, FN_COLOR, FP_COLOR, id_color, to_hex
from tracklens.dashboard.track_chart import GT_SIDE, ROW_PX, TR_SIDE, chart_height, coverage_chart, with_selection
from tracklens.dashboard.track_rows import COST, GT_ORDERS, ORDERS, TR_ORDERS, ordered, pick_rows, with_cost
from tracklens.evaluate import load_sequence
from tracklens.formats.motchallenge import read_mot_file
from tracklens.layout import resolve
from tracklens.prepare import prepare
from tracklens.sequence_eval import evaluate_sequence
from strategies import tracking_cases

SOME_ALPHAS = (0, 9, 14, 18)
CI_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def first_principles_cost(boxes: pd.DataFrame, pairs: pd.DataFrame, side: str, a: int) -> pd.Series:
    """Per id of ``side``: 1 per evaluated box unmatched at α, 1 − A(c) per matched box (A of its pair)."""
    own = boxes[(boxes["side"] == side) & boxes["evaluated"]]
    table = pair_table(pairs, a)
    score = dict(zip(zip(table["gt_id"], table["tr_id"]), table["A"]))
    tp = own["level"].to_numpy() > a
    ids, partner = own["id"].to_numpy(), own["partner"].to_numpy()
    keys = zip(ids, partner) if side == "gt" else zip(partner, ids)
    lost = np.array([1 - score[k] if m else 1.0 for k, m in zip(keys, tp)])
    return pd.Series(lost, index=ids).groupby(level=0).sum()


def check_costs(gt, tr, name: str, benchmark: str, alphas=SOME_ALPHAS) -> int:
    """Every track's cost, both sides, against the boxes and the sequence's HOTA fields; returns tracks checked."""
    ev = evaluate_sequence(prepare(name, gt, tr, benchmark=benchmark), 0.5)
    an = analyse(ev, gt, tr, "t")
    checked = 0
    for a in alphas:
        gt_rows = with_cost(gt_track_table(an.gt_tracks, an.pairs, a)).set_index("gt_id")
        tr_rows = with_cost(tracker_track_table(an.tr_tracks, an.pairs, a)).set_index("tr_id")
        for rows, side in ((gt_rows, "gt"), (tr_rows, "tr")):
            truth = first_principles_cost(an.boxes, an.pairs, side, a).reindex(rows.index, fill_value=0.0)
            np.testing.assert_allclose(rows[COST].to_numpy(), truth.to_numpy(), rtol=0, atol=1e-9)
            checked += len(rows)
        assert (gt_rows["missed"] == gt_rows["frames"] - gt_rows["matched"]).all()
        # the matched parts add up to the sequence's TP x AssA: the costs are HOTA's own loss
        tp, ass_a = float(ev.hota["HOTA_TP"][a]), float(ev.hota["AssA"][a])
        assert gt_rows[COST].sum() == pytest.approx(gt_rows["frames"].sum() - tp * ass_a, rel=1e-12, abs=1e-9)
        assert tr_rows[COST].sum() == pytest.approx(tr_rows["frames"].sum() - tp * ass_a, rel=1e-12, abs=1e-9)
        assert gt_rows["frames"].sum() == tp + float(ev.hota["HOTA_FN"][a])
        assert tr_rows["frames"].sum() == tp + float(ev.hota["HOTA_FP"][a])
    return checked


def test_track_costs_of_the_sample(sample_dir: Path) -> None:
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15")
    checked = 0
    for files in layout.sequences:
        inputs = load_sequence(files)
        for tr in inputs.trackers.values():
            checked += check_costs(inputs.gt, tr, files.name, "MOT15")
    assert checked > 100


@pytest.mark.shared
def test_track_costs_of_mot17_three_trackers(shared_data: Path) -> None:
    root = shared_data / "mot_challenge"
    seqmap = root / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train-DPM.txt"
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     seqmap=str(seqmap))
    assert len(layout.trackers) == 3
    checked = 0
    for files in layout.sequences[:3]:
        inputs = load_sequence(files)
        for tr in inputs.trackers.values():
            checked += check_costs(inputs.gt, tr, files.name, "MOT17", alphas=(4, 9, 15))
    assert checked > 1000


@settings(max_examples=60, **CI_SETTINGS)
@given(tracking_cases(max_frames=12, max_objects=6))
def test_track_costs_of_generated_cases(case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        case.write_mot(gt_path, tr_path)
        gt = read_mot_file(str(gt_path), case.num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), case.num_frames, is_gt=False)
    check_costs(gt, tr, "case", "MOT15")


# ------------------------------------------------------------------ orders and filters

def cost_table() -> pd.DataFrame:
    return pd.DataFrame({"gt_id": [1, 2, 3, 4, 5], COST: [0.0, 5.0, 2.5, 5.0, 0.0], "AssA": [1.0, 0.2, 0.5, 0.9, 1.0],
                         "switches": [0, 1, 3, 0, 0], "missed": [0, 4, 0, 2, 0], "matched": [10, 3, 8, 6, 9]})


def test_orders_are_total_with_the_costliest_first_on_ties() -> None:
    table = cost_table()
    assert list(ordered(table, "gt_id", "most lost", GT_ORDERS)["gt_id"]) == [2, 4, 3, 1, 5]
    assert list(ordered(table, "gt_id", "lowest AssA", GT_ORDERS)["gt_id"]) == [2, 3, 4, 1, 5]
    assert list(ordered(table, "gt_id", "most id changes", GT_ORDERS)["gt_id"]) == [3, 2, 4, 1, 5]
    assert list(ordered(table, "gt_id", "most unmatched frames", GT_ORDERS)["gt_id"]) == [2, 4, 3, 1, 5]
    assert list(ordered(table, "gt_id", "fewest matched frames", GT_ORDERS)["gt_id"]) == [2, 4, 3, 5, 1]
    assert set(GT_ORDERS) == set(TR_ORDERS) == set(ORDERS)


def test_rows_only_with_errors_the_worst_n_and_those_in_the_window() -> None:
    table = ordered(cost_table(), "gt_id", "most lost", GT_ORDERS)
    assert list(pick_rows(table, "gt_id", True, None)["gt_id"]) == [2, 4, 3]
    assert list(pick_rows(table, "gt_id", False, None)["gt_id"]) == [2, 4, 3, 1, 5]
    assert list(pick_rows(table, "gt_id", True, 2)["gt_id"]) == [2, 4]
    assert list(pick_rows(table, "gt_id", False, 3, present=[5, 3, 1])["gt_id"]) == [3, 1, 5]


# ------------------------------------------------------------------ the chart

def segments_of(n_tracks: int, runs: int, frames: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n_tracks`` ids, each with ``runs`` consecutive runs alternating between a partner and unmatched."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(1, n_tracks + 1):
        cuts = np.sort(rng.choice(np.arange(2, frames), runs - 1, replace=False))
        bounds = np.concatenate([[1], cuts, [frames + 1]])
        for k in range(runs):
            partner = -1 if k % 2 else int(rng.integers(1, 5000))
            rows.append((i, partner, int(bounds[k]), int(bounds[k + 1] - 1)))
    seg = pd.DataFrame(rows, columns=["id", "partner", "start", "end"])
    events = seg[seg["partner"] >= 0].groupby("id").nth(1)[["start", "id"]].rename(columns={"start": "frame"})
    return seg, events


def values(x) -> np.ndarray:
    """A plotly array as numpy: a list, an array, or plotly's base64 typed array ({"dtype", "bdata"})."""
    if isinstance(x, dict):
        shape = [int(k) for k in str(x.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]).reshape(shape)
    return np.asarray(x)


def bars(fig) -> list[dict]:
    return [t for t in fig.to_dict()["data"] if t["type"] == "bar"]


def test_one_bar_per_run_exactly_where_the_run_is() -> None:
    seg, events = segments_of(30, 5, 400)
    rows = list(range(30, 0, -1))
    fig = coverage_chart(seg, events, rows, GT_SIDE, (1, 400))
    drawn = pd.concat([pd.DataFrame({"row": values(t["y"]), "start": values(t["base"]) + 0.5,
                                     "end": values(t["base"]) + values(t["x"]) - 0.5,
                                     "partner": values(t["customdata"])[:, 3]}) for t in bars(fig)])
    assert len(drawn) == len(seg)  # one shape per run, never one per frame
    drawn["id"] = [rows[int(r)] for r in drawn["row"]]
    got = drawn.sort_values(["id", "start"]).reset_index(drop=True)
    want = seg.sort_values(["id", "start"]).reset_index(drop=True)
    assert (got[["id", "partner", "start", "end"]].astype(int) == want[["id", "partner", "start", "end"]]).all().all()
    data = fig.to_dict()["data"]
    diamonds = next(t for t in data if t["type"] == "scatter")
    assert sorted(values(diamonds["x"]).tolist()) == sorted(events["frame"].tolist())


@pytest.mark.parametrize("n_tracks", [80, 1000])
def test_every_row_labelled_and_tall_enough(n_tracks: int) -> None:
    seg, events = segments_of(n_tracks, 3, 1050)
    rows = list(range(1, n_tracks + 1))
    layout = coverage_chart(seg, events, rows, GT_SIDE, (1, 1050)).to_dict()["layout"]
    assert layout["yaxis"]["tickvals"] == list(range(n_tracks))
    assert layout["yaxis"]["ticktext"] == [f"gt {r}" for r in rows]
    plot_px = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    assert layout["height"] == chart_height(n_tracks) and plot_px / n_tracks == ROW_PX >= 10


def test_ids_are_written_not_only_coloured_and_legends_fit_each_side() -> None:
    seg = pd.DataFrame({"id": [1, 1, 1, 2], "partner": [7, -1, 19, 7], "start": [1, 201, 211, 1],
                        "end": [200, 210, 400, 400]})
    events = pd.DataFrame({"frame": [211], "id": [1]})
    gt_fig = coverage_chart(seg, events, [1, 2], GT_SIDE, (1, 400))
    matched, unmatched = bars(gt_fig)
    assert list(matched["text"]) == ["7", "19", "7"]  # the tracker id, in its bar
    assert list(matched["marker"]["color"]) == [to_hex(id_color(p)) for p in (7, 19, 7)]
    assert "matched to id %{customdata[3]}" in matched["hovertemplate"]
    assert unmatched["marker"]["color"] == to_hex(FN_COLOR)  # missed: the frame's FN colour
    names = [t["name"] for t in gt_fig.to_dict()["data"]]
    assert names == ["matched: colour and label = the tracker id", "missed (FN at α)", "identity switch (CLEAR)"]
    tr_fig = coverage_chart(seg, events, [1, 2], TR_SIDE, (1, 400))
    tr_data = tr_fig.to_dict()["data"]
    assert [t["name"] for t in tr_data] == ["matched: colour and label = the ground-truth id",
                                            "false positive (FP at α)", "id transfer (CLEAR)"]
    assert tr_data[1]["marker"]["color"] == to_hex(FP_COLOR) and tr_data[2]["marker"]["color"] == to_hex(EVENT_COLOR)
    assert "not covered" not in tr_fig.to_json() and "identity switch" not in tr_fig.to_json()
    assert "matched to gt %{customdata[3]}" in tr_data[0]["hovertemplate"]


def test_a_label_too_wide_for_its_bar_is_left_to_the_hover() -> None:
    seg = pd.DataFrame({"id": [1, 1], "partner": [123456, 8], "start": [1, 3], "end": [2, 1000]})
    matched = bars(coverage_chart(seg, seg.iloc[:0][["start", "id"]].rename(columns={"start": "frame"}), [1],
                                  GT_SIDE, (1, 1000)))[0]
    assert list(matched["text"]) == ["", "8"]


def test_rows_not_asked_for_are_not_drawn() -> None:
    seg, events = segments_of(10, 3, 100)
    fig = coverage_chart(seg, events, [4, 2], GT_SIDE, (1, 100))
    own = np.concatenate([values(t["customdata"])[:, 2] for t in fig.to_dict()["data"]])
    assert set(own.tolist()) <= {2, 4}


def test_a_click_gives_the_frame_and_the_ground_truth_track_to_open() -> None:
    seg = pd.DataFrame({"id": [5, 5], "partner": [7, -1], "start": [10, 30], "end": [29, 40]})
    events = pd.DataFrame({"frame": [10], "id": [5]})
    gt_data = coverage_chart(seg, events, [5], GT_SIDE, (1, 50)).to_dict()["data"]
    assert timeline_point({"selection": {"points": [{"customdata": list(values(gt_data[0]["customdata"])[0])}]}}) == (10, 5)
    assert timeline_point({"selection": {"points": [{"customdata": list(values(gt_data[1]["customdata"])[0])}]}}) == (30, 5)
    tr_data = coverage_chart(seg, events, [5], TR_SIDE, (1, 50)).to_dict()["data"]  # rows are tracker ids
    assert timeline_point({"selection": {"points": [{"customdata": list(values(tr_data[0]["customdata"])[0])}]}}) == (10, 7)
    assert timeline_point({"selection": {"points": [{"customdata": list(values(tr_data[1]["customdata"])[0])}]}}) == (30, -1)


def test_selection_marks_the_row_and_frame_without_touching_the_cached_figure() -> None:
    seg, events = segments_of(5, 3, 100)
    spec = coverage_chart(seg, events, [1, 2, 3], GT_SIDE, (1, 100)).to_dict()
    before = json.dumps(spec, cls=PlotlyJSONEncoder)
    fig = with_selection(spec, [1, 2, 3], 40, 2)
    shapes = fig.to_dict()["layout"]["shapes"]
    assert {s["type"] for s in shapes} == {"rect", "line"}
    band = next(s for s in shapes if s["type"] == "rect")
    assert (band["y0"], band["y1"]) == (0.5, 1.5)
    assert json.dumps(spec, cls=PlotlyJSONEncoder) == before
    assert "shapes" not in with_selection(spec, [1, 2, 3], None, 99).to_dict()["layout"]


def test_chart_of_real_coverage_segments(sample_dir: Path) -> None:
    """The chart of a real sequence covers exactly the evaluated boxes of each row (no frame drawn twice)."""
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15")
    files = layout.sequences[0]
    inputs = load_sequence(files)
    tr = inputs.trackers["motmetrics_test"]
    an = analyse(evaluate_sequence(prepare(files.name, inputs.gt, tr, benchmark="MOT15"), 0.5), inputs.gt, tr, "t")
    for side, chart_side in (("gt", GT_SIDE), ("tr", TR_SIDE)):
        seg = coverage_segments(an.boxes, 9, side)
        rows = sorted(seg["id"].unique().tolist())
        drawn = sum(int(values(t["x"]).sum()) for t in bars(coverage_chart(seg, seg.iloc[:0][["start", "id"]].rename(
            columns={"start": "frame"}), rows, chart_side, (1, an.num_frames))))
        own = an.boxes[(an.boxes["side"] == side) & an.boxes["evaluated"]]
        assert drawn == len(own)
