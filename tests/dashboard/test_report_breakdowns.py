"""The report's section on breakdowns and causes of identity errors, on the bundled sample."""
from __future__ import annotations

import html
import re

import pytest

from tracklens.analysis.causes import CAUSES
from tracklens.analysis.conditions import CONDITIONS
from tracklens.breakdowns import tracker_causes
from tracklens.dashboard.report import build_report
from tracklens.workspace import Workspace


@pytest.fixture(scope="module")
def ws(sample_dir):
    return Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")


def test_section_has_a_chart_per_condition_and_the_causes(ws):
    report = build_report(ws, alpha=0.5, whatif=False, max_tracks=1)
    section = report[report.index('<section id="breakdowns">'):]
    section = section[:section.index("</section>")]
    # a chart per condition the sample has values of: not visibility (MOT15's column 9 is a world
    # coordinate) nor KITTI's occlusion and truncation (docs/breakdowns.md, "Shown where the data has it")
    hidden = {"visibility", "kitti_occlusion", "kitti_truncation"}
    for name in CONDITIONS:
        assert (f'id="fig-breakdown-{name}"' in section) == (name not in hidden), name
    # the causes table: a row per tracker and kind, the counts of the core
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>", section)
    assert len(rows) == 2 * 3 + 1  # + how common each evidence is at any ground-truth box
    assert rows[-1][1] == "every ground-truth box (baseline)"
    causes = tracker_causes([(s.name, ws.analysis("motmetrics_test", s.name)) for s in ws.sequences], 9)
    switches = int((causes["kind"] == "switch").sum())
    assert ("motmetrics_test", "identity switch (CLEAR)", str(switches)) in rows
    assert switches == int(ws.metrics["motmetrics_test"]["COMBINED_SEQ"]["IDSW"])
    # the finding names its cause and its count
    top = max(CAUSES, key=lambda c: int(((causes["kind"] == "switch") & causes[c]).sum()))
    n = int(((causes["kind"] == "switch") & causes[top]).sum())
    finding = f"motmetrics_test's identity switches: {round(100 * n / switches)} % show “{CAUSES[top]}” ({n} of {switches})"
    assert html.escape(finding) in section
    assert "CLEAR matching at IoU ≥ 0.5" in section and "HOTA matching at α = 0.50" in section
