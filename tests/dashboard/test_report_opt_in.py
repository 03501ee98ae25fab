"""``tracklens report``'s default contents are built from the saved run; the sections that evaluate the
input files again come only with their flag (``--what-if``, ``--score-thresholds SPEC``) or, for the
sweep, from a run saved with one, and a section left out says which flag adds it. The per-sequence
pieces (``report_pieces``), in this process or in workers, give the sections the old way gives, on the
bundled sample and on two MOT17 sequences x three trackers."""
from __future__ import annotations

import html
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklens.analysis import diff as diff_module
from tracklens.dashboard import report_pieces, report_reeval
from tracklens.dashboard.cli import main
from tracklens.dashboard.figures import tracker_colors
from tracklens.dashboard.report import _Figures, build_report, never_matched, worst_tracks
from tracklens.dashboard.report_breakdowns import breakdown_section
from tracklens.dashboard.report_diff import MAX_PAIRS, diff_section
from tracklens.dashboard.report_pieces import PIECE_COLUMNS, ReportPieces
from tracklens.dashboard.report_reeval import SWEEP_LEFT_OUT, WHATIF_LEFT_OUT
from tracklens.dashboard.views import alpha_index
from tracklens.workspace import Workspace

MOT17_SEQUENCES = ("MOT17-05-DPM", "MOT17-09-DPM")
SPEC = "0:0.9:0.3"


def _sections(text: str) -> dict[str, str]:
    """Each ``<section>`` by id, the report's build time blanked (the only thing that varies)."""
    text = re.sub(r"<tr><th>report built</th><td>[^<]*</td></tr>", "", text)
    return dict(re.findall(r'<section id="([^"]+)">(.*?)</section>', text, flags=re.S))


def _no_reevaluation(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the input files were evaluated again")
    monkeypatch.setattr(report_reeval, "reevaluate_sequence", refuse)


@pytest.fixture(scope="module")
def sample_run(sample_dir: Path, tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("sample") / "run"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--video-folder", str(sample_dir / "videos"), "--save", str(run),
                 "--no-compared", "--quiet"]) == 0
    return run


@pytest.fixture(scope="module")
def mot17_run(shared_data: Path, tmp_path_factory) -> Path:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.mktemp("seqmap") / "two.txt"
    seqmap.write_text("name\n" + "".join(f"{s}\n" for s in MOT17_SEQUENCES))
    ws = Workspace.from_folders(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"),
                                benchmark="MOT17", seqmap=str(seqmap))
    run = tmp_path_factory.mktemp("mot17") / "run"
    ws.save(str(run), compared=False)
    return run


# -- what is in the report by default, and the flags -----------------------------------------------------------
def test_default_report_names_the_flags_and_evaluates_nothing(sample_run: Path, monkeypatch) -> None:
    _no_reevaluation(monkeypatch)
    text = build_report(Workspace.load(str(sample_run)), max_tracks=1)
    sections = _sections(text)
    assert list(sections) == ["summary", "alpha", "tradeoff", "tracks", "breakdowns", "whatif", "sweep",
                              "uncertainty", "diff", "provenance"]
    assert sections["whatif"] == f'<h2>What-if gains</h2><p class="note">{html.escape(WHATIF_LEFT_OUT)}</p>'
    assert sections["sweep"] == f'<h2>Score sweep</h2><p class="note">{html.escape(SWEEP_LEFT_OUT)}</p>'
    assert "tracklens report --what-if" in WHATIF_LEFT_OUT
    assert "tracklens report --score-thresholds SPEC" in SWEEP_LEFT_OUT and "--save" in SWEEP_LEFT_OUT
    assert 'id="fig-whatif"' not in text and 'id="fig-sweep"' not in text
    assert '<article class="track">' in text and 'id="fig-breakdown-height"' in text  # the rest is there


def test_flags_add_the_sections(sample_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(sample_run), "-o", str(out), "--max-tracks", "1", "--what-if",
                 "--score-thresholds", SPEC, "--workers", "1"]) == 0
    sections = _sections(out.read_text(encoding="utf-8"))
    assert 'id="fig-whatif"' in sections["whatif"] and 'class="metrics whatif"' in sections["whatif"]
    assert 'id="fig-sweep"' in sections["sweep"] and f"computed from the input files at cutoffs {SPEC}" in sections["sweep"]
    for said in (WHATIF_LEFT_OUT, SWEEP_LEFT_OUT):
        assert html.escape(said) not in out.read_text(encoding="utf-8")
    # --no-whatif still works (the default now), and cannot be given with --what-if
    assert main(["report", str(sample_run), "-o", str(out), "--max-tracks", "1", "--no-whatif"]) == 0
    assert html.escape(WHATIF_LEFT_OUT) in out.read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["report", str(sample_run), "-o", str(out), "--what-if", "--no-whatif"])
    assert stop.value.code == 2


def test_a_carried_sweep_is_shown_without_the_flag(sample_dir: Path, tmp_path: Path, monkeypatch) -> None:
    run = tmp_path / "run"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--score-thresholds", SPEC, "--save", str(run), "--no-compared",
                 "--quiet"]) == 0
    with monkeypatch.context() as m:
        _no_reevaluation(m)
        carried = _sections(build_report(Workspace.load(str(run)), max_tracks=0))["sweep"]
        assert "Sweep carried by the saved run." in carried and 'id="fig-sweep"' in carried
        same = _sections(build_report(Workspace.load(str(run)), max_tracks=0, score_thresholds=SPEC))["sweep"]
        assert same == carried  # asked at the cutoffs the run carries: shown, not computed again
    other = _sections(build_report(Workspace.load(str(run)), max_tracks=0, score_thresholds="0.2,0.6"))["sweep"]
    assert "computed from the input files at cutoffs 0.2,0.6" in other
    bare = Workspace.load(str(run))  # the same run without its sweep, asked for at the same cutoffs
    bare.manifest.pop("score_sweep")
    computed = _sections(build_report(bare, max_tracks=0, score_thresholds=SPEC))["sweep"]
    assert computed == carried.replace("Sweep carried by the saved run.",
                                       f"Sweep computed from the input files at cutoffs {SPEC}.")


def test_help_documents_the_flags(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag in ("--what-if", "--no-whatif", "--score-thresholds SPEC", "--workers"):
        assert flag in text, flag
    assert "built from what the run saved" in text and "without the flag the report says which flag adds them" in text


def test_a_bad_spec_fails_before_the_work(sample_run: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("tracklens.dashboard.report.build_report", lambda *a, **k: pytest.fail("built"))
    out = tmp_path / "r.html"
    assert main(["report", str(sample_run), "-o", str(out), "--score-thresholds", "0.5:0.1:0.1"]) == 2
    assert "--score-thresholds" in capsys.readouterr().err and not out.exists()


# -- the pieces give what the sections computed before ------------------------------------------------------------
def _assert_pieces_equal_the_old_way(run_dir: Path) -> int:
    ws = Workspace.load(str(run_dir))
    colors = tracker_colors(ws.trackers)
    old = {"breakdowns": breakdown_section(ws, 0.5, _Figures().html, colors), "diff": diff_section(ws, 0.5),
           "tracks": [(t.sequence, t.gt_id, t.cost, t.facts["tracker_ids"], t.moments)
                      for tr in ws.trackers for t in worst_tracks(ws, tr, 0.5)],
           "missed": [never_matched(ws, tr, 0.5) for tr in ws.trackers]}
    found = 0
    for workers in (1, 2):
        fresh = Workspace.load(str(run_dir))
        pieces = ReportPieces(fresh, alpha_index(0.5), tuple(fresh.trackers[1:1 + MAX_PAIRS]), workers)
        try:
            assert pieces.background == (workers > 1)
            new = {"breakdowns": breakdown_section(fresh, 0.5, _Figures().html, colors, pieces),
                   "diff": diff_section(fresh, 0.5, pieces),
                   "tracks": [(t.sequence, t.gt_id, t.cost, t.facts["tracker_ids"], t.moments)
                              for tr in fresh.trackers for t in worst_tracks(fresh, tr, 0.5, pieces=pieces)],
                   "missed": [never_matched(fresh, tr, 0.5, pieces) for tr in fresh.trackers]}
        finally:
            pieces.close()
        assert new == old
        found += len(new["tracks"])
    return found


def test_sample_pieces_equal_the_old_way(sample_run: Path) -> None:
    assert _assert_pieces_equal_the_old_way(sample_run) > 0


@pytest.mark.shared
def test_mot17_pieces_equal_the_old_way(mot17_run: Path) -> None:
    assert _assert_pieces_equal_the_old_way(mot17_run) > 10
    ws = Workspace.load(str(mot17_run))  # the whole report: the same in this process and in two workers
    one, two = (_sections(build_report(Workspace.load(str(mot17_run)), workers=w)) for w in (1, 2))
    assert one == two and len(ws.trackers) == 3


def _die(*args) -> None:
    os._exit(1)  # a worker killed mid-task (out of memory, a signal)


def test_a_dead_worker_leaves_its_sequences_to_this_process(sample_run: Path, monkeypatch) -> None:
    ws = Workspace.load(str(sample_run))
    expected = ReportPieces(ws, alpha_index(0.5), tuple(ws.trackers[1:]), 1)
    monkeypatch.setattr(report_pieces, "_worker_pieces", _die)  # the workers are forked with it
    monkeypatch.setattr(report_pieces, "_worker_input_check", _die)
    fresh = Workspace.load(str(sample_run))
    pieces = ReportPieces(fresh, alpha_index(0.5), tuple(fresh.trackers[1:]), 2)
    try:
        assert pieces.background
        for meta in ws.sequences:
            got, want = pieces.get(meta.name), expected.get(meta.name)
            assert got.name == want.name and got.baseline == want.baseline
            for tracker in ws.trackers:
                pd.testing.assert_frame_equal(got.causes[tracker], want.causes[tracker], check_exact=True)
                pd.testing.assert_frame_equal(got.segments[tracker], want.segments[tracker], check_exact=True)
        assert pieces.input_check() == expected.input_check()
    finally:
        pieces.close()


def test_columns_read_only_what_is_asked(sample_run: Path) -> None:
    ws = Workspace.load(str(sample_run))
    an = ws.analysis(ws.trackers[0], ws.sequences[0].name)
    part = an.stored_boxes.columns([*PIECE_COLUMNS, "no_such_column"])
    assert not an.stored_boxes.loaded  # read for the caller, not kept
    whole = an.boxes
    kept = [c for c in PIECE_COLUMNS if c in whole.columns]
    assert list(part.columns) == kept and "conf" not in part.columns
    pd.testing.assert_frame_equal(part, whole[kept], check_exact=True)
    pd.testing.assert_frame_equal(an.stored_boxes.columns(["frame", "side"]), whole[["frame", "side"]])


# -- the run diff's key order: that of one lexsort on every column -------------------------------------------------
_VALUES = st.sampled_from([0.0, -0.0, 1.5, 2.0, np.nan, -3.25])


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 3), _VALUES, _VALUES, _VALUES, _VALUES, st.integers(0, 2)), max_size=40))
def test_key_order_is_one_full_lexsort(rows) -> None:
    columns = [np.array([r[k] for r in rows], np.int64 if k in (0, 5) else float) for k in range(6)]
    order, starts = diff_module._key_order(columns)
    expected = np.lexsort(columns[::-1])
    np.testing.assert_array_equal(order, expected)
    same = np.ones(max(0, len(rows) - 1), bool)
    for c in columns:
        v = c[expected]
        same &= (v[1:] == v[:-1]) | (np.isnan(v[1:]) & np.isnan(v[:-1]) if v.dtype.kind == "f" else False)
    np.testing.assert_array_equal(starts, np.r_[np.ones(min(1, len(rows)), bool), ~same])
