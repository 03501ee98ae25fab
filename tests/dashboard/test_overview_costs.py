"""The Overview: the numbers papers quote first with the tracker pinned, and a sentence per tracker on what
costs it most whose facts agree with the What-if and Tracks pages, and whose links open them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tracklens.evaluate import COMBINED
from tracklens.dashboard.text import plain
from tracklens.dashboard.overview_story import (PAPER_COLUMNS, Costs, costliest, largest_gain, paper_first, sentence,
                                                worst_sequence)

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def open_overview() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["seq"], at.query_params["tracker"] = "TUD-Campus", "motmetrics_test"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_paper_columns_come_first() -> None:
    table = pd.DataFrame(columns=["tracker", "LocA", "CLR_FN", "HOTA", "MT", "IDSW", "DetA", "AssA", "MOTA", "IDF1",
                                  "CLR_FP"])
    assert list(paper_first(table).columns) == ["tracker", *PAPER_COLUMNS, "LocA", "MT"]


def test_worst_sequence_largest_gain_and_costliest_tracks() -> None:
    metrics = {"t": {"a": {"HOTA": np.full(19, 0.6)}, "b": {"HOTA": np.full(19, 0.4)}, COMBINED: {"HOTA": 0}}}
    assert worst_sequence(metrics, "t") == ("b", pytest.approx(40.0))
    assert worst_sequence({"t": {"a": {"HOTA": np.ones(19)}, COMBINED: {}}}, "t") is None
    table = pd.DataFrame({"fix": ["baseline", "fix_localisation", "fix_false_negatives", "fix_all"],
                          "delta_HOTA": [0.0, 0.02, 0.05, 0.5]})
    assert largest_gain(table) == ("fix_false_negatives", pytest.approx(5.0))  # fix_all is not a single fix
    tracks = pd.DataFrame({"gt_id": [1, 2, 3, 4], "lost": [0.0, 7.5, 7.5, 9.0], "first_frame": [1, 5, 9, 2]})
    assert costliest(tracks) == ((4, 9.0, 2), (2, 7.5, 5), (3, 7.5, 9))
    assert costliest(tracks, 10)[-1][0] == 3  # a track that loses nothing is never "costly"


def test_sentence_names_are_plain_text_and_the_gain_has_its_sign() -> None:
    c = Costs("<b>x</b>_*y*", 41.0, "fix_splits", 3.25, "seq_[1](x)", 30.0, ((4, 12.0, 1),))
    text = sentence(c, "")
    assert "\\<b\\>x\\</b\\>\\_\\*y\\*" in text and "seq\\_\\[1\\]\\(x\\)" in text
    assert "+3.2 points" in text or "+3.3 points" in text
    assert "gt 4 (12 frames lost)" in text
    assert "no single fix raises" in sentence(Costs("t", 50.0, "fix_splits", -0.5), "")
    assert sentence(Costs("t", 50.0), "not computed yet").endswith("not computed yet")


def test_overview_table_and_sentences_agree_with_what_if_and_tracks() -> None:
    at = open_overview()
    table = at.dataframe[0].value
    assert list(table.columns[:9]) == ["tracker", *PAPER_COLUMNS]
    ws = at.session_state["workspace"]
    from tracklens.dashboard.whatif_data import every_combined_what_if  # the What-if page's numbers

    lines = [m.value for m in at.markdown if "combined HOTA" in m.value]
    assert len(lines) == len(ws.trackers)
    for tracker in ws.trackers:
        line = next(v for v in lines if v.startswith(f"**{plain(tracker)}**"))
        fix, gain = largest_gain(every_combined_what_if(ws)[tracker])
        assert f"{gain:+.1f} points of combined HOTA" in line
        assert f"combined HOTA {100 * float(np.mean(ws.metrics[tracker][COMBINED]['HOTA'])):.1f}" in line
        assert "Its worst sequence is TUD\\-Campus" in line  # the lower HOTA of the two, for both trackers (escaped)


def test_overview_links_open_the_pages_with_the_view_set() -> None:
    at = open_overview()
    track = next(b for b in at.button if b.key.startswith("go_track_masa_"))
    gt = int(track.key.rsplit("_", 1)[1])
    track.click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["tracker"] == "masa" and at.session_state["seq"] == "TUD-Campus"
    assert at.session_state["track"] == gt
    assert any(t.value.startswith(f"Frame inspector · {plain('TUD-Campus')} · masa") for t in at.title)
    at = open_overview()
    next(b for b in at.button if b.key == "go_seq_motmetrics_test").click().run()
    assert any(t.value.startswith(f"Tracks · {plain('TUD-Campus')} · {plain('motmetrics_test')}") for t in at.title)
    at = open_overview()
    next(b for b in at.button if b.key == "go_whatif_masa").click().run()
    assert any(t.value == "What-if · masa" for t in at.title)


def test_one_meaning_per_colour_on_the_overview(repo_root: Path) -> None:
    """Trackers never get a state colour (red = missed, amber = false positive, violet = identity event) nor the
    Pareto line's; score bars and widgets use the slate accent, in development and in `tracklens dashboard`."""
    import tomllib

    from tracklens.dashboard import figures
    from tracklens.dashboard import cli
    from tracklens.dashboard.palette import ACCENT_COLOR, EVENT_COLOR, FN_COLOR, FP_COLOR
    from test_palette import delta_e

    def rgb(h: str) -> tuple[int, int, int]:
        return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))

    many = figures.tracker_colors([f"tracker{k}" for k in range(len(figures.TRACKER_COLORS))])
    assert len(set(many.values())) == len(figures.TRACKER_COLORS)
    for color in [*figures.TRACKER_COLORS, ACCENT_COLOR]:
        assert min(delta_e(rgb(color), s, "normal") for s in (FN_COLOR, FP_COLOR, EVENT_COLOR)) >= 35, color
        assert delta_e(rgb(color), rgb(figures.PARETO_COLOR), "normal") >= 15, color
    config = tomllib.loads((repo_root / ".streamlit" / "config.toml").read_text())
    assert config["theme"]["primaryColor"] == ACCENT_COLOR
    cmd = cli.dashboard_command(cli.build_parser().parse_args(["dashboard"]))
    assert cmd[cmd.index("--theme.primaryColor") + 1] == ACCENT_COLOR
    from streamlit import config as streamlit_config

    assert "theme.primaryColor" in streamlit_config._config_options_template  # noqa: SLF001 - a real option


def test_scatter_labels_are_not_clipped_and_a_fourth_tracker_is_not_pareto_coloured() -> None:
    from tracklens.dashboard.figures import PARETO_COLOR, tradeoff_scatter

    summary = pd.DataFrame({"tracker": ["a", "b", "c", "d"], "DetA": [0.5, 0.6, 0.7, 1.0],
                            "AssA": [0.9, 0.7, 0.6, 1.0]})
    fig = tradeoff_scatter(summary, "DetA", "AssA", "geometric")
    points = next(t for t in fig.data if t.name == "trackers")
    assert points.cliponaxis is False
    assert PARETO_COLOR not in points.marker.color
    assert next(t for t in fig.data if t.name == "Pareto front").line.color == PARETO_COLOR


def test_a_large_run_computes_the_what_if_gains_from_the_overview_on_request(monkeypatch) -> None:
    """On a run too large to re-evaluate without asking (MOT17-train), the sentence says the gains are not
    computed yet and one button computes them; then the sentence names the largest gain."""
    import tracklens.dashboard.overview_costs as overview_costs

    monkeypatch.setattr(overview_costs, "run_is_small", lambda ws: False)
    at = open_overview()
    assert any("not computed yet" in m.value for m in at.markdown)
    at.button(key="overview_whatif_go").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not any("not computed yet" in m.value for m in at.markdown)
    assert any("points" in m.value and "what-if" in m.value.lower() for m in at.markdown), [m.value for m in at.markdown]
    assert not [b for b in at.button if b.key == "overview_whatif_go"]
