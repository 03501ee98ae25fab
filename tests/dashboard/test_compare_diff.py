"""The run diff on the Compare page (AppTest, bundled sample) and its table builders: the page shows
the same changes as ``diff_runs``, names both matchings, and steps to the frame of a change."""
from __future__ import annotations

from pathlib import Path

import pytest

from tracklens.dashboard.diff_views import change_frames, event_view, summary_view, track_view
from tracklens.rundiff import diff_runs
from tracklens.workspace import Workspace
from test_app import open_page

A, B, SEQ = "motmetrics_test", "masa", "TUD-Campus"


@pytest.fixture(scope="module")
def sample_diff(sample_dir: Path):
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")
    return diff_runs(ws, A, ws, B, 0.5, sequences=[SEQ])


def test_summary_view_explains_each_delta(sample_diff) -> None:
    table = summary_view(sample_diff, SEQ)
    assert list(table["matching"].unique()) == ["CLEAR IoU≥0.5", "HOTA α=0.50"]
    idsw = table[table["measure"] == "IDSW"].iloc[0]
    c = sample_diff.counts
    row = c[(c["sequence"] == SEQ) & (c["measure"] == "IDSW")].iloc[0]
    assert (idsw["A"], idsw["B"], idsw["B − A"]) == (7, row.B, f"{row.B - 7:+d}")  # 7: the devkit's IDSW on TUD-Campus
    assert idsw["explained by"] == f"+{row.added} appeared − {row.removed} vanished"
    assert summary_view(sample_diff).equals(table)  # one sequence: COMBINED is that sequence


def test_change_frames_list_every_clear_change(sample_diff) -> None:
    frames = change_frames(sample_diff, SEQ)
    listed = sum(int(part.split(" ")[0]) for text in frames["changes"] for part in text.split(", "))
    clear = sample_diff.matchings["CLEAR"]
    expected = sum(int((getattr(sample_diff, t)["matching"] == clear).sum()) for t in ("events", "gt_boxes", "tr_boxes"))
    assert listed == expected and frames["frame"].is_monotonic_increasing and frames["frame"].is_unique
    assert len(event_view(sample_diff, SEQ)) == len(sample_diff.events)
    worse, better = track_view(sample_diff, 5, worse=True), track_view(sample_diff, 5, worse=False)
    assert (better["Δ HOTA loss"] < 0).all() and (worse["Δ HOTA loss"] > 0).all() and len(better) == 5


def test_compare_page_shows_the_run_diff_and_steps_to_a_change(sample_diff) -> None:
    at = open_page("compare", frame="1", tracker2=B)
    assert any(s.value.startswith("Run diff on TUD") for s in at.subheader)
    shown = next(t.value for t in at.table if "explained by" in t.value.columns)
    assert shown.equals(summary_view(sample_diff, SEQ))
    caption = " ".join(c.value for c in at.caption)
    assert "CLEAR IoU≥0.5" in caption and "HOTA α=0.50" in caption
    change = at.selectbox(key="diff_frame")
    frames = change_frames(sample_diff, SEQ)
    assert change.options[0].startswith(f"frame {int(frames['frame'].iloc[0])}:")
    target = int(frames["frame"].iloc[len(frames) // 2])
    change.set_value(target).run()
    next(b for b in at.button if b.key == "diff_go").click().run()
    assert not at.exception
    assert at.session_state["frame"] == target


def test_compare_page_puts_two_protocols_side_by_side(sample_dir) -> None:
    from tracklens.protocols import analyse_under
    from tracklens.analysis.diff import diff_sequence
    from tracklens.evaluate import load_sequence
    from tracklens.layout import resolve
    from tracklens.rundiff import gather

    at = open_page("compare", frame="1", tracker2=B)
    assert any(s.value.startswith("Protocols side by side: motmetrics") for s in at.subheader)
    at.selectbox(key="protocol_b").set_value("no-preproc").run()
    at.selectbox(key="protocol_a").set_value("trackeval").run()
    assert not at.exception
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15")
    loaded = load_sequence(next(f for f in layout.sequences if f.name == SEQ))
    gt, tr = loaded.gt, loaded.trackers[A]
    part = diff_sequence(analyse_under("trackeval", SEQ, gt, tr, A, "MOT15"),
                         analyse_under("no-preproc", SEQ, gt, tr, A, "MOT15"), 9)
    want = summary_view(gather([part], "a", "b", 0.5, 0.5, 0.5), SEQ)
    tables = [t.value for t in at.table if "explained by" in t.value.columns]
    assert tables[-1].equals(want)
    at.selectbox(key="protocol_b").set_value("mot20").run()  # MOT20's classes on MOT15 files: a warning
    assert not at.exception and any("Cannot score this run under both protocols" in w.value for w in at.warning)
