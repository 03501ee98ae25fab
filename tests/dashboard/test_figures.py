"""Figure builders: the traces each figure holds, contour values, the Pareto front, the
timeline's click read-back and its size on a large sequence."""

from __future__ import annotations


import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from tracklens.dashboard import figures

ALPHAS = np.round(np.arange(0.05, 0.951, 0.05), 2)


def per_alpha_table() -> pd.DataFrame:
    rows = []
    for tracker, level in (("A", 0.6), ("B", 0.4)):
        for alpha in ALPHAS:
            rows.append((tracker, alpha, level * (1 - alpha / 2), level, level * 0.9, 0.8))
    return pd.DataFrame(rows, columns=["tracker", "alpha", "HOTA", "DetA", "AssA", "LocA"])


def summary_table() -> pd.DataFrame:
    return pd.DataFrame({
        "tracker": ["A", "B", "C", "D"],
        "DetA": [0.64, 0.50, 0.40, 0.30], "AssA": [0.25, 0.50, 0.30, 0.60],
        "DetRe": [0.7, 0.6, 0.5, 0.4], "DetPr": [0.8, 0.7, 0.9, 0.6],
        "AssRe": [0.5, 0.6, 0.4, 0.7], "AssPr": [0.6, 0.5, 0.7, 0.8],
        "HOTA(0)": [0.5, 0.6, 0.55, 0.45], "LocA(0)": [0.8, 0.82, 0.78, 0.85],
    })


def test_alpha_curves_one_trace_per_tracker_and_field_with_means_in_the_legend() -> None:
    fig = figures.alpha_curves(per_alpha_table(), alpha=0.5)
    assert len(fig.data) == 2 * 4
    names = [trace.name for trace in fig.data]
    assert names[:4] == ["HOTA 45.0", "DetA 60.0", "AssA 54.0", "LocA 80.0"]  # best first
    assert {trace.legendgroup for trace in fig.data} == {"A", "B"}
    hota_a = fig.data[0]
    assert np.allclose(hota_a.x, ALPHAS) and np.isclose(hota_a.y[0], 60 * (1 - 0.025))
    markers = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(markers) == 4 and all(s.x0 == 0.5 == s.x1 for s in markers)


def test_alpha_curves_without_alpha_has_no_marker_and_checks_columns() -> None:
    fig = figures.alpha_curves(per_alpha_table(), fields=("HOTA", "LocA"))
    assert len(fig.data) == 4 and not fig.layout.shapes
    with pytest.raises(ValueError, match="OWTA"):
        figures.alpha_curves(per_alpha_table(), fields=("OWTA",))


@pytest.mark.parametrize("kind, x, y, expected", [
    ("geometric", 0.64, 0.25, 0.4),
    ("jaccard", 0.5, 0.5, 1 / 3),
    ("jaccard", 1.0, 0.6, 0.6),
    ("jaccard", 0.0, 0.0, 0.0),
    ("product", 0.8, 0.5, 0.4),
])
def test_contour_functions(kind: str, x: float, y: float, expected: float) -> None:
    value = figures.CONTOUR_FUNCTIONS[kind](np.array(x), np.array(y))
    assert np.isclose(value, expected)


def test_tradeoff_scatter_contour_grid_holds_the_combined_score() -> None:
    fig = figures.tradeoff_scatter(summary_table(), "DetA", "AssA", "geometric")
    contour, front, points = fig.data
    assert isinstance(contour, go.Contour) and contour.name == "HOTA"
    column = int(np.flatnonzero(np.isclose(contour.x, 64))[0])
    row = int(np.flatnonzero(np.isclose(contour.y, 25))[0])
    assert np.isclose(np.asarray(contour.z)[row, column], 40.0)
    assert list(points.text) == ["A", "B", "C", "D"]
    assert np.allclose(points.x, [64, 50, 40, 30]) and np.allclose(points.y, [25, 50, 30, 60])
    assert np.isclose(points.customdata[0], 40.0)  # the tracker's own HOTA-like value


def test_tradeoff_plots_are_the_four_standard_pairs() -> None:
    pairs = {(p.y, p.x, p.contour) for p in figures.TRADEOFF_PLOTS}
    assert pairs == {("AssA", "DetA", "geometric"), ("AssPr", "AssRe", "jaccard"),
                     ("DetPr", "DetRe", "jaccard"), ("HOTA(0)", "LocA(0)", "product")}
    for plot in figures.TRADEOFF_PLOTS:
        fig = figures.tradeoff_scatter(summary_table(), plot.x, plot.y, plot.contour)
        assert fig.data[0].name == plot.contour_label


def test_tradeoff_scatter_rejects_an_unknown_contour() -> None:
    with pytest.raises(ValueError, match="contour"):
        figures.tradeoff_scatter(summary_table(), "DetA", "AssA", "harmonic")


def test_pareto_front_on_a_hand_example() -> None:
    #            0    1    2    3    4    5
    x = np.array([1.0, 2.0, 3.0, 2.0, 0.5, 3.0])
    y = np.array([3.0, 2.0, 1.0, 1.0, 0.5, 1.0])
    # 3 is beaten by 1, 4 by everyone; 2 and 5 tie and are both kept.
    assert list(figures.pareto_front(x, y)) == [0, 1, 2, 5]
    assert list(figures.pareto_front([0.5], [0.5])) == [0]


def test_tradeoff_scatter_draws_the_front_as_a_staircase() -> None:
    fig = figures.tradeoff_scatter(summary_table(), "DetA", "AssA", "geometric")
    front = fig.data[1]
    # A (64, 25), B (50, 50) and D (30, 60) are on the front; C (40, 30) is beaten by B.
    assert list(front.x)[1:] == [30, 30, 50, 50, 64, 64]
    assert list(front.y)[:-1] == [60, 60, 50, 50, 25, 25]


def test_sequence_difficulty_orders_sequences_by_mean() -> None:
    per_seq = pd.DataFrame({
        "tracker": ["A", "A", "A", "B", "B", "B"],
        "sequence": ["easy", "hard", "mid", "easy", "hard", "mid"],
        "HOTA": [0.8, 0.2, 0.5, 0.6, 0.3, 0.5],
    })
    fig = figures.sequence_difficulty(per_seq)
    bars = fig.data[0]
    assert list(bars.y) == ["hard", "mid", "easy"]
    assert np.allclose(bars.x, [25, 50, 70])
    assert [trace.name for trace in fig.data[1:]] == ["A", "B"]


def timeline_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    segments = pd.DataFrame([(1, 3, 1, 40), (1, 8, 41, 71), (2, 4, 1, 25), (2, -1, 26, 33),
                             (2, 4, 34, 71), (7, 21, 5, 5)],
                            columns=["gt_id", "tracker_id", "start", "end"])
    switches = pd.DataFrame({"frame": [41], "gt_id": [1]})
    return segments, switches


def _steps(fig) -> dict[str, tuple[float, float, str, str]]:
    """Each step's (base, height, text, trace name) of the what-if figure."""
    return {x: (b, h, t, trace.name) for trace in fig.data for x, b, h, t in zip(trace.x, trace.base, trace.y, trace.text)}


def test_whatif_waterfall_runs_from_base_to_all_fixed() -> None:
    gains = pd.DataFrame({"fix": ["localisation", "missed boxes"], "delta_HOTA": [0.02, 0.08]})
    fig = figures.whatif_waterfall(gains, base_hota=0.45)
    assert list(fig.layout.xaxis.categoryarray) == ["tracker HOTA", "localisation", "missed boxes", "all fixed"]
    steps = _steps(fig)
    assert np.allclose(steps["tracker HOTA"][:2], (0, 45)) and np.allclose(steps["localisation"][:2], (45, 2))
    assert np.allclose(steps["missed boxes"][:2], (47, 8)) and steps["all fixed"][2] == "55.0"
    assert steps["localisation"][3] == "gain of this fix alone"


def test_whatif_waterfall_overlap_is_a_grey_correction_with_its_sign() -> None:
    gains = pd.DataFrame({"fix": ["a", "b"], "delta_HOTA": [0.10, 0.10]})
    fig = figures.whatif_waterfall(gains, base_hota=0.40, all_fixed=0.55)
    assert list(fig.layout.xaxis.categoryarray)[-2:] == ["overlap between fixes", "all fixed"]
    base, height, text, name = _steps(fig)["overlap between fixes"]
    assert np.allclose((base, height), (55, 5)) and text == "-5.0" and name.startswith("overlap between fixes")
    overlap = next(t for t in fig.data if t.name.startswith("overlap"))
    assert overlap.marker.color == figures.WHATIF_COLORS["overlap"] != figures.WHATIF_COLORS["gain"]
    assert "less than the single gains" in overlap.hovertemplate
    assert _steps(fig)["all fixed"][2] == "55.0"
    helping = figures.whatif_waterfall(pd.DataFrame({"fix": ["a"], "delta_HOTA": [0.05]}), 0.40, all_fixed=0.50)
    assert _steps(helping)["overlap between fixes"][2] == "+5.0"
    assert "help each other" in next(t for t in helping.data if t.name.startswith("overlap")).hovertemplate


def test_whatif_waterfall_a_fix_that_lowers_hota_is_a_loss() -> None:
    fig = figures.whatif_waterfall(pd.DataFrame({"fix": ["a"], "delta_HOTA": [-0.03]}), 0.40)
    base, height, text, name = _steps(fig)["a"]
    assert np.allclose((base, height), (37, 3)) and text == "-3.0" and name == "loss of this fix alone"


def test_tracker_colours_do_not_depend_on_order() -> None:
    assert figures.tracker_colors(["b", "a"]) == figures.tracker_colors(["a", "b", "a"])


def test_error_strip_has_a_fixed_number_of_bars_and_clicks_give_frames():
    from tracklens.analysis.timeline import binned_errors, tp_column
    from tracklens.metrics.hota import NUM_ALPHAS

    n = 108_000  # an hour at 30 fps
    rng = np.random.default_rng(0)
    counts = pd.DataFrame({"frame": np.arange(1, n + 1), "gt": np.full(n, 50), "tr": np.full(n, 49),
                           **{tp_column(k): rng.integers(40, 49, n) for k in range(NUM_ALPHAS)},
                           "switches": (rng.random(n) < 0.01).astype(int)})
    binned = binned_errors(counts, 9, 400)
    fig = figures.error_strip(binned, frame=5_000)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["FN", "FP"] and all(len(t.x) == len(binned) <= 400 for t in bars)
    assert sum(int(np.sum(t.y)) for t in bars) == int((50 - counts[tp_column(9)]).sum() + (49 - counts[tp_column(9)]).sum())
    k = 123
    point = {"selection": {"points": [{"customdata": list(bars[0].customdata[k])}]}}
    assert figures.timeline_point(point) == (int(binned["first"].iloc[k]), -1)
    packed = {"selection": {"points": [{"customdata": {str(i): v for i, v in enumerate(point["selection"]["points"][0]["customdata"])}}]}}
    assert figures.timeline_point(packed) == (int(binned["first"].iloc[k]), -1)  # a typed-array row, as the browser sends it
    assert any(s.type == "line" for s in fig.layout.shapes)  # the frame on screen
