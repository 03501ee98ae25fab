"""The Tracks page through AppTest on a generated 1,000-track sequence: the worst N rows by the chosen order,
only tracks with errors unless asked, every row labelled, the table below listing the same rows."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from crowd_data import SEQUENCE, TRACKER, write_crowd
from tracklens.dashboard.track_chart import ROW_PX

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture(autouse=True)
def app_argv(monkeypatch) -> list[str]:
    argv = [APP]
    monkeypatch.setattr(sys, "argv", argv)
    return argv


@pytest.fixture(scope="module")
def crowd(tmp_path_factory) -> tuple[Path, Path]:
    return write_crowd(tmp_path_factory.mktemp("crowd"))


def tracks_page(crowd) -> AppTest:
    sys.argv[1:] = ["--gt-folder", str(crowd[0]), "--trackers-folder", str(crowd[1]), "--benchmark", "MOT17"]
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["seq"], at.query_params["tracker"] = SEQUENCE, TRACKER
    at.run()
    at.switch_page("app_pages/tracks.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def chart_rows(at: AppTest, k: int = 0) -> list[str]:
    layout = json.loads(at.get("plotly_chart")[k].proto.spec)["layout"]
    assert layout["height"] - layout["margin"]["t"] - layout["margin"]["b"] == ROW_PX * len(layout["yaxis"]["ticktext"])
    return layout["yaxis"]["ticktext"]


def test_the_worst_fifty_of_a_thousand_tracks_in_cost_order(crowd) -> None:
    at = tracks_page(crowd)
    table = at.dataframe[0].value
    rows = chart_rows(at)
    assert len(rows) == 50 and rows == [f"gt {g}" for g in table["gt_id"]]  # chart and table: the same rows
    assert (np.diff(table["lost"].to_numpy()) <= 0).all() and (table["lost"] > 0).all()
    assert any("50 of 1,000 ground-truth tracks" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 1  # only the open tab is drawn

    at.selectbox(key="tracks_limit").set_value(1000).run()
    with_errors = len(at.dataframe[0].value)
    assert len(chart_rows(at)) == with_errors < 1000  # the generated tracker follows some tracks perfectly
    at.toggle(key="tracks_errors_only").set_value(False).run()
    assert len(chart_rows(at)) == 1000

    at.selectbox(key="tracks_limit").set_value(25).run()
    at.selectbox(key="track_sort").set_value("most id changes").run()
    table = at.dataframe[0].value
    assert len(table) == 25 and (np.diff(table["switches"].to_numpy()) <= 0).all()
    at.session_state["tracks_tab"] = "By tracker id"  # the tab a click opens
    at.run()
    assert len(at.get("plotly_chart")) == 1
    tr_table = at.dataframe[0].value
    assert "tr_id" in tr_table and chart_rows(at) == [f"id {i}" for i in tr_table["tr_id"]]
    assert len(tr_table) == 25 and (np.diff(tr_table["merges"].to_numpy()) <= 0).all()
