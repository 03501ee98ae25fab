"""Metrics compared: every table names a metric as the main table does, in percent."""
from __future__ import annotations

import pandas as pd
import pytest

from tracklens.dashboard.metrics_names import named_disagreements, per_class_percent
from tracklens.dashboard.views import METRIC_NAMES, ranking_disagreements


def test_disagreements_keep_the_distinct_names_of_each_matching() -> None:
    long = pd.DataFrame({"tracker": ["a", "b"] * 3, "metric": ["HOTA", "HOTA", "HOTA (paper)", "HOTA (paper)", "MOTA", "MOTA"],
                         "value": [0.6, 0.5, 0.4, 0.5, 0.7, 0.6], "better": ["higher"] * 6})
    shown = named_disagreements(ranking_disagreements(long))
    assert list(shown.columns) == ["pair", "HOTA (TrackEval matching) prefers", "metric", "which prefers"]
    assert shown["metric"].tolist() == [METRIC_NAMES["HOTA (paper)"]]
    assert shown.iloc[0]["HOTA (TrackEval matching) prefers"] == "a" and shown.iloc[0]["which prefers"] == "b"


def test_per_class_scores_in_percent_counts_untouched() -> None:
    table = pd.DataFrame({"tracker": ["t"], "class": ["class 1"], "HOTA": [0.5], "DetA": [0.25], "AssA": [1.0],
                          "MOTA": [-0.1], "IDF1": [0.75], "GT_Dets": [120]})
    shown = per_class_percent(table)
    assert shown.iloc[0][["HOTA", "DetA", "AssA", "MOTA", "IDF1"]].tolist() == pytest.approx([50, 25, 100, -10, 75])
    assert shown.iloc[0]["GT_Dets"] == 120 and table.iloc[0]["HOTA"] == 0.5  # a copy
