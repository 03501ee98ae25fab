"""The Metrics compared page's CA-HOTA vs TETA table: its builder and the page showing it."""
from __future__ import annotations

from apptest_pages import open_page

from tracklens.dashboard.metric_contrast import ca_hota_vs_teta
from tracklens.metrics.teta import ALPHAS, CLS_ALPHAS


def test_table_contrasts_every_aspect_in_both_columns():
    table = ca_hota_vs_teta()
    assert list(table.columns) == ["CA-HOTA", "TETA"]
    assert {"Thresholds α", "Matching", "Which predictions count as FP", "Classification", "Combination"} <= set(
        table.index)
    assert table.notna().all().all() and (table != "").all().all()
    # the thresholds it states are the ones the implementation uses
    assert f"({ALPHAS.size})" in table.loc["Thresholds α", "TETA"]
    assert f"({CLS_ALPHAS.size})" in table.loc["Thresholds α", "TETA"]
    assert "a62a9c0" in table.loc["Source", "TETA"]


def test_metrics_page_shows_the_table():
    at = open_page("metrics", seq="TUD-Campus", tracker="motmetrics_test")
    labels = [e.label for e in at.expander]
    assert "CA-HOTA and TETA: where the two classification-aware scores differ" in labels
    shown = at.table[0].value
    assert list(shown.columns) == ["CA-HOTA", "TETA"]
    assert shown.loc["Combination", "TETA"] == ca_hota_vs_teta().loc["Combination", "TETA"]
