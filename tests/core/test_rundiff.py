"""Run diff invariants: the boxes and events that differ account exactly for the change in every
reported count (ΔFN = introduced − fixed, ΔFP likewise, ΔIDSW / ΔFrag = appeared − vanished) under
CLEAR at the threshold and HOTA at α; the per-track changes add up to the same deltas; the FNs
listed agree with the analyses' own MISS events; diff(B, A) is diff(A, B) reversed.

On the bundled sample, on real data (MOT17 DPM: MPNTrack vs BoTSORT; PETS09: two MASA variants) and
on generated cases (a tracker and an edited copy of it, and one tracker at two CLEAR thresholds).
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracklens.analysis.diff import ADDED, REMOVED, SequenceDiff, diff_sequence, reported
from tracklens.analysis.record import SequenceAnalysis, analyse
from tracklens.errors import InputError
from tracklens.evaluate import COMBINED as COMBINED_SEQ
from tracklens.formats.motchallenge import read_mot_file
from tracklens.prepare import prepare
from tracklens.rundiff import RunDiff, alpha_index, diff_runs
from tracklens.sequence_eval import evaluate_sequence
from tracklens.workspace import Workspace
from strategies import TrackingCase, _first_per_frame_and_id, tracking_cases

FIELDS = {("CLEAR", "FN"): "CLR_FN", ("CLEAR", "FP"): "CLR_FP", ("CLEAR", "IDSW"): "IDSW",
          ("CLEAR", "Frag"): "Frag", ("HOTA", "FN"): "HOTA_FN", ("HOTA", "FP"): "HOTA_FP"}
TRACK_SUMS = {("CLEAR", "FN"): "CLEAR FN", ("CLEAR", "IDSW"): "IDSW", ("CLEAR", "Frag"): "Frag",
              ("HOTA", "FN"): "HOTA FN"}
CI_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def family(matching: str) -> str:
    return matching.split(" ")[0]


def check_sequence(sd: SequenceDiff, a: SequenceAnalysis, b: SequenceAnalysis, k: int) -> None:
    """Every invariant of one sequence's diff."""
    counts = sd.counts
    assert len(counts) == len(FIELDS)
    for row in counts.itertuples():
        fam = family(row.matching)
        field = FIELDS[(fam, row.measure)]
        # A and B are the reported numbers, and the listed changes explain their difference exactly
        assert (row.A, row.B) == (reported(a.metrics, field, k), reported(b.metrics, field, k))
        assert row.delta == row.B - row.A == row.added - row.removed, row
        # the per-track changes add up to the same delta (ground-truth side counts)
        if (fam, row.measure) in TRACK_SUMS:
            assert int(sd.tracks[f"Δ {TRACK_SUMS[(fam, row.measure)]}"].sum()) == row.delta, row
    # association: sum over tracks of matched x (1 - AssA) is TP - TP x AssA at alpha
    tp_a, tp_b = (float(m["HOTA_TP"][k]) for m in (a.metrics, b.metrics))
    lost_a, lost_b = (tp - tp * float(m["AssA"][k]) for tp, m in ((tp_a, a.metrics), (tp_b, b.metrics)))
    assert abs(sd.tracks["Δ HOTA assoc"].sum() - (lost_b - lost_a)) <= 1e-9 * max(1.0, tp_a, tp_b)
    # CLEAR FNs fixed / introduced are exactly the MISS events present in one run only
    misses = []
    for an in (a, b):
        e = an.events[(an.events["type"] == "MISS").to_numpy()]
        misses.append(set(zip(e["frame"].tolist(), e["gt_id"].tolist())))
    clear_fn = sd.gt_boxes[(sd.gt_boxes["matching"].str.startswith("CLEAR")).to_numpy()]
    fixed = clear_fn[clear_fn["change"] == "FN fixed"]
    introduced = clear_fn[clear_fn["change"] == "FN introduced"]
    assert set(zip(fixed["frame"], fixed["gt_id"])) == misses[0] - misses[1]
    assert set(zip(introduced["frame"], introduced["gt_id"])) == misses[1] - misses[0]
    # a verdict agrees with its changes
    deltas = sd.tracks[[c for c in sd.tracks if c.startswith("Δ ")]].to_numpy()
    better = (deltas <= 0).all(axis=1) & (deltas < 0).any(axis=1)
    worse = (deltas >= 0).all(axis=1) & (deltas > 0).any(axis=1)
    assert np.array_equal(sd.tracks["verdict"] == "better", better)
    assert np.array_equal(sd.tracks["verdict"] == "worse", worse)
    assert (deltas != 0).any(axis=1).all()


def check_reversed(ab: SequenceDiff, ba: SequenceDiff) -> None:
    """diff(B, A) lists the same boxes and events with their change flipped."""
    flip = {**{v: REMOVED[k] for k, v in ADDED.items()}, **{v: ADDED[k] for k, v in REMOVED.items()}}
    assert np.array_equal(ab.counts[["added", "removed"]].to_numpy(), ba.counts[["removed", "added"]].to_numpy())
    for name, key in (("gt_boxes", ["matching", "frame", "gt_id"]), ("events", ["frame", "gt_id", "type"]),
                      ("tr_boxes", ["matching", "frame", "x", "y", "w", "h"])):
        x = getattr(ab, name).sort_values(key, kind="stable").reset_index(drop=True)
        y = getattr(ba, name).sort_values(key, kind="stable").reset_index(drop=True)
        assert x[key].equals(y[key]), name
        assert (x["change"].map(flip) == y["change"]).all(), name


def check_run(d: RunDiff, ws_a: Workspace, tr_a: str, ws_b: Workspace, tr_b: str) -> None:
    """The RunDiff's combined rows are the runs' combined counts, and per sequence all invariants hold."""
    k = alpha_index(d.alpha)
    combined = d.summary()
    for row in combined.itertuples():
        field = FIELDS[(family(row.matching), row.measure)]
        assert row.A == reported(ws_a.metrics[tr_a][COMBINED_SEQ], field, k)
        assert row.B == reported(ws_b.metrics[tr_b][COMBINED_SEQ], field, k)
        assert row.delta == row.added - row.removed
    for seq in d.sequences:
        a, b = ws_a.analysis(tr_a, seq), ws_b.analysis(tr_b, seq)
        sd = diff_sequence(a, b, k, ws_a.inputs.threshold, ws_b.inputs.threshold)
        check_sequence(sd, a, b, k)
        mine = d.counts[d.counts["sequence"] == seq].drop(columns="sequence").reset_index(drop=True)
        assert mine.equals(sd.counts)
    json.dumps(d.to_dict(), allow_nan=False)  # JSON-ready, every table as records
    assert set(d.to_pandas()) == {"counts", "events", "gt_boxes", "tr_boxes", "tracks"}


# ------------------------------------------------------------------------------------------ sample


@pytest.fixture(scope="module")
def sample_ws(sample_dir: Path) -> Workspace:
    return Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")


@pytest.mark.parametrize("alpha", [0.5, 0.05, 0.95])
def test_sample_diff_accounts_for_every_count(sample_ws: Workspace, alpha: float) -> None:
    d = diff_runs(sample_ws, "motmetrics_test", sample_ws, "masa", alpha)
    check_run(d, sample_ws, "motmetrics_test", sample_ws, "masa")
    assert d.matchings == {"CLEAR": "CLEAR IoU≥0.5", "HOTA": f"HOTA α={d.alpha:.2f}"}
    summary = d.summary().set_index(["matching", "measure"])
    # the published TUD numbers of motmetrics_test (SOURCES.md): FN 150+452, FP 13+45, IDSW 7+7
    clear = d.matchings["CLEAR"]
    assert summary.loc[(clear, "FN"), "A"] == 602 and summary.loc[(clear, "FP"), "A"] == 58
    assert summary.loc[(clear, "IDSW"), "A"] == 14
    assert summary.loc[(clear, "IDSW"), "removed"] > 0 and len(d.events) > 0
    for seq in d.sequences:
        check_reversed(diff_sequence(sample_ws.analysis("motmetrics_test", seq), sample_ws.analysis("masa", seq),
                                     alpha_index(alpha)),
                       diff_sequence(sample_ws.analysis("masa", seq), sample_ws.analysis("motmetrics_test", seq),
                                     alpha_index(alpha)))


def test_same_run_has_no_changes(sample_ws: Workspace) -> None:
    d = diff_runs(sample_ws, "masa", sample_ws, "masa")
    assert (d.counts[["delta", "added", "removed"]].to_numpy() == 0).all()
    assert d.events.empty and d.gt_boxes.empty and d.tr_boxes.empty and d.tracks.empty
    assert d.verdicts() == {"better": 0, "worse": 0, "mixed": 0, "same": d.unchanged_tracks}
    assert d.unchanged_tracks == sum(len(sample_ws.analysis("masa", s).gt_tracks) for s in d.sequences)


def test_different_ground_truth_is_refused(sample_ws: Workspace) -> None:
    a = sample_ws.analysis("masa", "TUD-Campus")
    b = sample_ws.analysis("masa", "TUD-Stadtmitte")
    with pytest.raises(InputError, match="different ground truth"):
        diff_sequence(a, b, 9)
    with pytest.raises(InputError, match="no tracker"):
        diff_runs(sample_ws, "masa", sample_ws, "nope")


# ---------------------------------------------------------------------------------------- real data


@pytest.mark.shared
def test_mot17_two_trackers(shared_data: Path) -> None:
    root = shared_data / "mot_challenge"
    ws = Workspace.from_folders(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"),
                                seqmap=str(root / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train-DPM.txt"),
                                trackers=["MPNTrack", "BoTSORT"])
    d = diff_runs(ws, "MPNTrack", ws, "BoTSORT", 0.5)
    check_run(d, ws, "MPNTrack", ws, "BoTSORT")
    assert len(d.sequences) == 7
    assert d.verdicts()["better"] > 0 and d.verdicts()["worse"] > 0
    summary = d.summary()
    assert (summary["added"] > 0).all() and (summary["removed"] > 0).all()  # real changes both ways


@pytest.mark.shared
def test_pets09_two_runs_of_one_tracker(shared_data: Path, tmp_path: Path) -> None:
    from reference import make_trackeval_layout

    folder = shared_data / "PETS09-S2L1"
    runs = {"masa": folder / "trackers" / "masa.txt", "masa-hung": folder / "trackers" / "masa-hung.txt"}
    gt, trackers = make_trackeval_layout(tmp_path, {"PETS09-S2L1": (folder / "gt" / "gt.txt",
                                                                    folder / "seqinfo.ini", runs)})
    ws = Workspace.from_folders(str(gt), str(trackers), benchmark="MOT15")
    for alpha in (0.3, 0.5, 0.8):
        d = diff_runs(ws, "masa", ws, "masa-hung", alpha)
        check_run(d, ws, "masa", ws, "masa-hung")
        assert not d.counts["delta"].eq(0).all()


# ------------------------------------------------------------------------------------ random cases


def analysed(case: TrackingCase, tracker: np.ndarray, threshold: float = 0.5) -> SequenceAnalysis:
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        TrackingCase(case.num_frames, case.gt, tracker).write_mot(gt_path, tr_path)
        gt = read_mot_file(str(gt_path), case.num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), case.num_frames, is_gt=False)
    return analyse(evaluate_sequence(prepare("case", gt, tr, benchmark="MOT15"), threshold), gt, tr, "t")


@st.composite
def edited(draw: st.DrawFn, case: TrackingCase) -> np.ndarray:
    """The tracker of ``case`` after a change: rows dropped, ids swapped from a frame on, boxes moved,
    ground-truth boxes added under some id (FNs fixed, FPs and switches made or removed)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows = case.tracker.copy()
    if len(rows):
        rows = rows[rng.random(len(rows)) >= draw(st.sampled_from((0.0, 0.1, 0.4)))]
    if len(rows) and draw(st.booleans()):
        ids = np.unique(rows[:, 1])
        x, y = rng.choice(ids, 2)
        late = rows[:, 0] >= draw(st.integers(1, case.num_frames))
        was_x, was_y = rows[:, 1] == x, rows[:, 1] == y
        rows[late & was_x, 1], rows[late & was_y, 1] = y, x
    if len(rows) and draw(st.booleans()):
        moved = rng.random(len(rows)) < 0.3
        rows[moved, 2:4] += rng.choice([-1.0, 1.0, 5.0], (int(moved.sum()), 2))
    if len(case.gt) and draw(st.booleans()):
        added = case.gt[rng.random(len(case.gt)) < 0.3].copy()
        added[:, 1] = rng.integers(0, 70, len(added))
        rows = np.concatenate([rows, added]) if len(rows) else added
    rows = rows.reshape(-1, 6)
    return rows[_first_per_frame_and_id(rows)]


@settings(max_examples=80, **CI_SETTINGS)
@given(st.data(), tracking_cases(max_frames=20), st.integers(0, 18))
def test_generated_edits(data: st.DataObject, case: TrackingCase, k: int) -> None:
    a = analysed(case, case.tracker)
    b = analysed(case, data.draw(edited(case)))
    ab, ba = diff_sequence(a, b, k), diff_sequence(b, a, k)
    check_sequence(ab, a, b, k)
    check_sequence(ba, b, a, k)
    check_reversed(ab, ba)


@settings(max_examples=40, **CI_SETTINGS)
@given(tracking_cases(max_frames=20), st.sampled_from((0.3, 0.75, float(np.nextafter(0.5, 1.0)))))
def test_generated_thresholds(case: TrackingCase, threshold: float) -> None:
    """One tracker evaluated at two CLEAR thresholds: the CLEAR changes explain the CLEAR deltas."""
    a, b = analysed(case, case.tracker), analysed(case, case.tracker, threshold)
    sd = diff_sequence(a, b, 9, 0.5, threshold)
    check_sequence(sd, a, b, 9)
    assert sd.counts["matching"].iloc[0] == f"CLEAR IoU≥0.5 (A) / ≥{threshold!r} (B)"
    hota = sd.counts[sd.counts["matching"].str.startswith("HOTA")]
    assert (hota["delta"] == 0).all() and (hota["added"] == 0).all()  # HOTA does not depend on the threshold

