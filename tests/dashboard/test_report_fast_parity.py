"""The report's faster paths give the numbers of the slower ones they replace, on the bundled sample,
on two MOT17 sequences x three trackers (saved and loaded back) and on generated tracker boxes:

- ``report_reeval.Reevaluation`` (each sequence read once for the score sweep and the what-if, inline
  or in background processes) equals ``sweep`` + ``curves_document`` and ``report.whatif_tables``;
- the run diff's tracker-box join (lexicographic sort instead of a pandas merge and groupby) equals
  the merge it replaced (kept below as the reference), table by table, dtypes included;
- the worst tracks read from whole box tables in memory equal those read a row group at a time."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklens.analysis import diff as diff_module
from tracklens.dashboard.report import whatif_tables, worst_tracks
from tracklens.dashboard.report_reeval import Reevaluation
from tracklens.rundiff import diff_runs
from tracklens.run import resolve_inputs
from tracklens.sweep import DEFAULT_CUTOFFS, curves_document, parse_cutoffs, sweep
from tracklens.workspace import Workspace

MOT17_SEQUENCES = ("MOT17-05-DPM", "MOT17-09-DPM")
CI_SETTINGS = dict(deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- the run diff's join as it was (pandas merge and groupby): the reference -------------------------------
def _tracker_side_by_groupby(boxes: pd.DataFrame) -> pd.DataFrame:
    tr = boxes[(boxes["side"] == "tr").to_numpy()].sort_values(["frame", "row"], kind="stable")
    tr = tr.reset_index(drop=True)
    return tr.assign(rank=tr.groupby(diff_module.BOX_COLUMNS, sort=False).cumcount())


def _tr_changes_by_merge(tr_a: pd.DataFrame, tr_b: pd.DataFrame, alpha_index: int | None) -> pd.DataFrame:
    key = [*diff_module.BOX_COLUMNS, "rank"]
    left = tr_a[key].assign(state_a=diff_module._state(tr_a, alpha_index), tr_id_a=tr_a["id"].to_numpy())
    right = tr_b[key].assign(state_b=diff_module._state(tr_b, alpha_index), tr_id_b=tr_b["id"].to_numpy())
    both = left.merge(right, on=key, how="outer", sort=False)
    sa = both["state_a"].fillna(diff_module.ABSENT).to_numpy()
    sb = both["state_b"].fillna(diff_module.ABSENT).to_numpy()
    fixed, introduced = (sa == "FP") & (sb != "FP"), (sb == "FP") & (sa != "FP")
    pick = fixed | introduced
    out = both[pick].drop(columns="rank").assign(
        change=np.where(fixed, "FP fixed", "FP introduced")[pick], state_a=sa[pick], state_b=sb[pick],
        tr_id_a=both["tr_id_a"].fillna(-1).astype(np.int64)[pick],
        tr_id_b=both["tr_id_b"].fillna(-1).astype(np.int64)[pick])
    out = out[["frame", "x", "y", "w", "h", "change", "state_a", "state_b", "tr_id_a", "tr_id_b"]]
    return out.sort_values(["frame", "x", "y"], kind="stable").reset_index(drop=True)


def _diff_the_old_way(monkeypatch, ws: Workspace, a: str, b: str):
    with monkeypatch.context() as m:
        m.setattr(diff_module, "_tracker_side", _tracker_side_by_groupby)
        m.setattr(diff_module, "_tr_changes", _tr_changes_by_merge)
        return diff_runs(ws, a, ws, b, 0.5)


def _assert_same_diffs(monkeypatch, ws: Workspace) -> int:
    compared = 0
    first = ws.trackers[0]
    for other in ws.trackers[1:]:
        new, old = diff_runs(ws, first, ws, other, 0.5), _diff_the_old_way(monkeypatch, ws, first, other)
        for name, table in new.to_pandas().items():
            pd.testing.assert_frame_equal(table, getattr(old, name), check_exact=True)
        assert new.unchanged_tracks == old.unchanged_tracks
        compared += len(new.tr_boxes)
    return compared


# -- the re-evaluations ---------------------------------------------------------------------------------------
def _assert_same_reevaluations(ws: Workspace) -> None:
    layout = resolve_inputs(ws.inputs, list(ws.trackers), saved=True)
    expected_sweep = curves_document(sweep(layout, parse_cutoffs(DEFAULT_CUTOFFS), preprocess=ws.inputs.preprocess,
                                           threshold=ws.inputs.threshold))
    expected_whatif, reason = whatif_tables(ws)
    assert reason == "" and len(expected_whatif) == len(ws.trackers) * len(ws.sequences) * 7
    for workers in (1, 2):
        re = Reevaluation(ws, whatif=True, sweep=True, workers=workers)
        try:
            doc, origin = re.sweep()
            table, why = re.whatif()
        finally:
            re.close()
        assert doc == expected_sweep and origin.startswith("computed from the input files")
        assert why == ""
        pd.testing.assert_frame_equal(table, expected_whatif, check_exact=True)


def _assert_same_worst_tracks(run_dir: Path) -> int:
    lazy, whole = Workspace.load(str(run_dir)), Workspace.load(str(run_dir))
    for tracker in whole.trackers:
        for meta in whole.sequences:
            whole.analysis(tracker, meta.name).boxes  # what the report now does first
    found = 0
    for tracker in lazy.trackers:
        by_window, in_memory = worst_tracks(lazy, tracker), worst_tracks(whole, tracker)
        assert not lazy.analysis(tracker, lazy.sequences[0].name).stored_boxes.loaded
        assert [(t.sequence, t.gt_id, t.cost, t.moments) for t in by_window] == \
               [(t.sequence, t.gt_id, t.cost, t.moments) for t in in_memory]
        found += len(by_window)
    return found


@pytest.fixture(scope="module")
def sample_run(sample_dir: Path, tmp_path_factory) -> Path:
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")
    run = tmp_path_factory.mktemp("sample") / "run"
    ws.save(str(run), compared=False)
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


def test_sample_sections_equal_the_old_way(sample_run: Path, monkeypatch) -> None:
    ws = Workspace.load(str(sample_run))
    _assert_same_reevaluations(ws)
    assert _assert_same_diffs(monkeypatch, ws) > 0
    assert _assert_same_worst_tracks(sample_run) > 0


@pytest.mark.shared
def test_mot17_sections_equal_the_old_way(mot17_run: Path, monkeypatch) -> None:
    ws = Workspace.load(str(mot17_run))
    assert [s.name for s in ws.sequences] == list(MOT17_SEQUENCES) and len(ws.trackers) == 3
    _assert_same_reevaluations(ws)
    assert _assert_same_diffs(monkeypatch, ws) > 100
    assert _assert_same_worst_tracks(mot17_run) > 10


# -- generated tracker boxes: many exact duplicates, so the ranks matter -------------------------------------
_VALUES = st.sampled_from([0.0, 1.5, 2.0, 10.0, -3.25])


@st.composite
def _tracker_boxes(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 25))
    rows = [(draw(st.integers(1, 4)), draw(_VALUES), draw(_VALUES), draw(_VALUES), draw(_VALUES)) for _ in range(n)]
    frame = np.array([r[0] for r in rows], np.int64)
    table = pd.DataFrame({"frame": frame, "side": pd.Categorical(["tr"] * n, categories=["gt", "tr"]),
                          "id": np.array(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)), np.int64),
                          **{c: np.array([r[k + 1] for r in rows], float) for k, c in enumerate("xywh")},
                          "row": np.arange(n, dtype=np.int64),
                          "evaluated": np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool),
                          "clear_partner": np.array(draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n)),
                                                    np.int64),
                          "partner": np.array(draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n)), np.int64),
                          "level": np.array(draw(st.lists(st.integers(0, 19), min_size=n, max_size=n)), np.int8)})
    return table.sort_values("frame", kind="stable").reset_index(drop=True)


@settings(max_examples=150, **CI_SETTINGS)
@given(_tracker_boxes(), _tracker_boxes(), st.sampled_from([None, 0, 9, 18]))
def test_generated_tracker_joins_equal_the_merge(a: pd.DataFrame, b: pd.DataFrame, alpha_index) -> None:
    side_a, side_b = diff_module._tracker_side(a), diff_module._tracker_side(b)
    pd.testing.assert_frame_equal(side_a, _tracker_side_by_groupby(a), check_exact=True)
    pd.testing.assert_frame_equal(side_b, _tracker_side_by_groupby(b), check_exact=True)
    pd.testing.assert_frame_equal(diff_module._tr_changes(side_a, side_b, alpha_index),
                                  _tr_changes_by_merge(side_a, side_b, alpha_index), check_exact=True)
