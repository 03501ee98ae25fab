"""The Metrics compared page's secondary tables in the main table's names and unit: a metric computed with a
different matching keeps its distinct name everywhere, and scores are percent as on every page."""
from __future__ import annotations

import pandas as pd

from .views import METRIC_NAMES

PER_CLASS_SCORES = ("HOTA", "DetA", "AssA", "MOTA", "IDF1")


def named_disagreements(table: pd.DataFrame, reference: str = "HOTA") -> pd.DataFrame:
    """``ranking_disagreements`` with its metrics named as in the main table (``views.METRIC_NAMES``)."""
    out = table.copy()
    if "metric" in out:
        out["metric"] = out["metric"].map(lambda m: METRIC_NAMES.get(m, m))
    return out.rename(columns={f"{reference} prefers": f"{METRIC_NAMES.get(reference, reference)} prefers"})


def per_class_percent(table: pd.DataFrame) -> pd.DataFrame:
    """``loading.per_class_table`` (fractions) with its scores in percent."""
    out = table.copy()
    for column in PER_CLASS_SCORES:
        if column in out:
            out[column] = 100 * out[column]
    return out
