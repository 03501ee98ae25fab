"""The report's run-diff section: the counts of ``diff_runs`` with the changes that explain them, both
matchings named, names from the data escaped, and a note for a run with one tracker."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tracklens.dashboard.diff_views import summary_view
from tracklens.dashboard.report_diff import diff_section
from tracklens.rundiff import diff_runs
from tracklens.workspace import Workspace


@pytest.fixture(scope="module")
def sample_ws(sample_dir: Path) -> Workspace:
    return Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")


def test_section_lists_the_counts_and_their_changes(sample_ws: Workspace) -> None:
    first, other = sample_ws.trackers
    html = diff_section(sample_ws, 0.5)
    assert html.startswith('<section id="diff"><h2>Run diff</h2>')
    assert f"B = {other} against A = {first}" in html
    d = diff_runs(sample_ws, first, sample_ws, other, 0.5)
    for row in summary_view(d).itertuples():
        assert (f'<td class="num">{row.A}</td><td class="num">{row.B}</td><td>{row._5}</td>'
                f"<td>{row._6}</td>") in html
    assert "CLEAR IoU≥0.5" in html and "HOTA α=0.50" in html
    assert "Identity switches that appeared or vanished" in html and "Tracks most worsened" in html  # masa (A) is near perfect


def test_one_tracker_gives_a_note_and_names_are_escaped(sample_ws: Workspace) -> None:
    one = replace(sample_ws, trackers=["<b>x</b>"])
    html = diff_section(one, 0.5)
    assert "nothing to compare" in html and "<b>x</b>" not in html
