"""The field registry (``tracklens.fields``) against TrackEval 1.3.0's own field lists, and its readers:
the metrics' groups, the CLI summary, the report and the dashboard tables all classify fields by it."""
from __future__ import annotations

import re

import pytest

from tracklens.fields import FIELDS, HEADLINE, better, display, is_count, is_per_alpha, is_rate, names
from tracklens.metrics import clear, count, hota, identity
from reference import _metric


def test_registry_groups_are_trackevals_in_its_order() -> None:
    te_hota, te_clear, te_id, te_count = (_metric(m) for m in ("HOTA", "CLEAR", "Identity", "Count"))
    assert names("HOTA", kinds=("rate",), per_alpha=True) == tuple(te_hota.float_array_fields)
    assert names("HOTA", kinds=("count",), per_alpha=True) == tuple(te_hota.integer_array_fields)
    assert names("HOTA", per_alpha=False) == tuple(te_hota.float_fields)
    assert names("CLEAR", kinds=("count",)) == tuple(te_clear.integer_fields)
    assert names("CLEAR", kinds=("rate", "value")) == tuple(te_clear.float_fields)
    assert names("Identity", kinds=("count",)) == tuple(te_id.integer_fields)
    assert names("Identity", kinds=("rate",)) == tuple(te_id.float_fields)
    assert names("Count", combined=True) == tuple(te_count.integer_fields)
    every = [f for m in (te_hota, te_clear, te_id, te_count) for f in m.fields]
    assert set(FIELDS) == set(every) | {"Frames"}  # Count's per-sequence Frames is not in its field list
    # The metric modules compute with exactly these groups.
    assert (hota.ARRAY_FIELDS, hota.COUNT_FIELDS, hota.SCALAR_FIELDS) == (
        tuple(te_hota.float_array_fields), tuple(te_hota.integer_array_fields), tuple(te_hota.float_fields))
    assert clear.INT_FIELDS + clear.FLOAT_FIELDS == tuple(te_clear.integer_fields + te_clear.float_fields)
    assert identity.INT_FIELDS + identity.FLOAT_FIELDS == tuple(te_id.integer_fields + te_id.float_fields)
    assert count.FIELDS == tuple(te_count.integer_fields)


def test_every_field_a_run_produces_is_registered(sample_dir) -> None:
    import tracklens

    results = tracklens.evaluate(sample_dir / "gt", sample_dir / "trackers", benchmark="MOT15")
    for tracker in results.trackers:
        for seq in (*results.sequences, "COMBINED"):
            fields = results[tracker, seq].fields
            assert set(fields) <= set(FIELDS)
            for name, value in fields.items():
                assert (getattr(value, "shape", ()) == (19,)) == is_per_alpha(name), name


@pytest.mark.parametrize("name, kind, direction", [
    ("HOTA", "rate", "higher"), ("HOTA_FP", "count", "lower"), ("IDSW", "count", "lower"), ("MT", "count", "higher"),
    ("PT", "count", None), ("MLR", "rate", "lower"), ("FP_per_frame", "value", "lower"), ("GT_IDs", "count", None),
    ("MOTA", "rate", "higher"), ("IDFN", "count", "lower"),
])
def test_kinds_and_directions(name: str, kind: str, direction: str | None) -> None:
    assert FIELDS[name].kind == kind and better(name) == direction
    assert is_rate(name) == (kind == "rate") and is_count(name) == (kind == "count")


def test_consumers_read_the_registry(sample_dir) -> None:
    """The CLI summary prints a registry count as an integer and a rate as a percentage; the report's
    headers are the display names and its columns the headline fields that have a direction; the
    dashboard's rate columns (shown x100) are exactly the registry's rates among its columns."""
    from tracklens.dashboard import report, views
    import tracklens

    summary = tracklens.evaluate(sample_dir / "gt", sample_dir / "trackers", benchmark="MOT15").summary()
    header, campus = summary.split("\n")[1].split(), summary.split("\n")[2].split()
    cells = dict(zip(header[1:], campus[1:]))
    assert list(cells) == list(HEADLINE)
    for name, cell in cells.items():
        assert bool(re.fullmatch(r"\d+", cell)) == is_count(name), (name, cell)
        assert bool(re.fullmatch(r"-?\d+\.\d{3}", cell)) == is_rate(name), (name, cell)
    assert report.REPORT_COLUMNS == tuple(c for c in HEADLINE if c not in ("IDs", "GT_IDs"))
    assert (display("CLR_FP"), display("CLR_FN"), display("IDSW")) == ("FP", "FN", "IDSW")
    assert set(views.RATE_COLUMNS) == {c for c in views.TABLE_COLUMNS if FIELDS[c].kind == "rate"}
    assert set(views.RATE_COLUMNS) | set(views.COUNT_COLUMNS) == set(views.TABLE_COLUMNS)


def test_the_parity_helper_compares_exactly_the_registry_counts() -> None:
    """tests/core/core_cases.py keeps its own list (the parity tests do not trust the code they test);
    it must name exactly the registry's counts, which are exact in every parity test."""
    from core_cases import INT_FIELDS

    assert INT_FIELDS == frozenset(names(kinds=("count",)))
