"""Invariants tying the analysis tables (``tracklens.analysis``) to the metric numbers of the same pass:
event counts vs CLEAR, box states vs HOTA_TP, per-track association vs the sequence AssA/AssRe/AssPr,
identity hits vs IDTP, and the Parquet round trip; on real data, random cases and the hand vectors."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from tracklens.analysis.boxes import states
from tracklens.analysis.events import event_table
from tracklens.analysis.record import TABLES, SequenceAnalysis, analyse
from tracklens.analysis.timeline import FN_BURST_FRAMES, error_frames, tp_column
from tracklens.analysis.tracks import coverage_segments, gt_track_table, tracker_track_table
from tracklens.detections import Detections
from tracklens.evaluate import Run, evaluate
from tracklens.formats.motchallenge import read_mot_file
from tracklens.layout import resolve
from tracklens.metrics.hota import NUM_ALPHAS
from tracklens.prepare import EvalSequence, prepare
from tracklens.sequence_eval import SequenceEvaluation, evaluate_sequence
from core_cases import eval_sequence_from_matrices
from strategies import SimilarityCase, TrackingCase, similarity_cases, tracking_cases
from vectors import VECTORS

TOL = 1e-9
CI_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MOT17_SEQUENCES = ("MOT17-05-SDP", "MOT17-09-FRCNN")


ALL_ALPHAS = tuple(range(NUM_ALPHAS))
SOME_ALPHAS = (0, 6, 12, 18)  # random cases: 0.05, 0.35, 0.65, 0.95 (the per-alpha tables cost a few ms each)


def check_invariants(an: SequenceAnalysis, alphas: tuple[int, ...] = ALL_ALPHAS) -> None:
    m = an.metrics
    what = f"{an.tracker}/{an.sequence}"
    counts = an.events["type"].value_counts()
    n = {t: int(counts.get(t, 0)) for t in ("SWITCH", "FRAG", "MISS", "FP", "MATCH", "ASCEND")}
    assert n["SWITCH"] == m["IDSW"], what
    assert n["FRAG"] == m["Frag"], what
    assert n["MISS"] == m["CLR_FN"], what
    assert n["FP"] == m["CLR_FP"], what
    assert n["MATCH"] + n["SWITCH"] == m["CLR_TP"], what
    assert n["ASCEND"] <= n["SWITCH"], what

    boxes = an.boxes
    gt_side = (boxes["side"] == "gt").to_numpy()
    assert int((gt_side & boxes["evaluated"]).sum()) == m["GT_Dets"], what
    assert int((~gt_side & boxes["evaluated"]).sum()) == m["Dets"], what
    assert int((gt_side & boxes["idtp"]).sum()) == m["IDTP"], what
    assert int((~gt_side & boxes["idtp"]).sum()) == m["IDTP"], what
    assert int(an.gt_tracks["idtp"].sum()) == m["IDTP"], what
    assert int(an.gt_tracks["switches"].sum()) == m["IDSW"], what
    assert int(an.gt_tracks["fragments"].sum()) == m["Frag"], what
    assert int(an.gt_tracks["clear_matched"].sum()) == m["CLR_TP"], what
    assert int(an.frames["switches"].sum()) == m["IDSW"], what
    for a in alphas:  # the derived tables the dashboard browses by (core.analysis.timeline)
        assert int(an.frames[tp_column(a)].sum()) == m["HOTA_TP"][a], (what, a)
        runs = coverage_segments(boxes, a, "gt")
        bursts = np.unique(runs.loc[(runs["partner"] < 0) & (runs["frames"] >= FN_BURST_FRAMES), "start"])
        assert np.array_equal(error_frames(an, "fn_burst", a), bursts), (what, a)
    cov = an.gt_tracks["coverage"].value_counts()
    assert (int(cov.get("MT", 0)), int(cov.get("PT", 0)), int(cov.get("ML", 0))) == (m["MT"], m["PT"], m["ML"]), what

    for a in alphas:
        s = states(boxes, a)
        tp = m["HOTA_TP"][a]
        assert int((s[gt_side] == "TP").sum()) == tp, (what, a)
        assert int((s[~gt_side] == "TP").sum()) == tp, (what, a)
        assert int((s[gt_side] == "FN").sum()) == m["HOTA_FN"][a], (what, a)
        assert int((s[~gt_side] == "FP").sum()) == m["HOTA_FP"][a], (what, a)
        assert int((s == "IGN").sum()) == len(boxes) - m["GT_Dets"] - m["Dets"], (what, a)

        weight = max(1.0, tp)
        g = gt_track_table(an.gt_tracks, an.pairs, a)
        assert int(g["matched"].sum()) == tp, (what, a)
        for field in ("AssA", "AssRe", "AssPr"):
            got = float((g["matched"] * g[field]).sum()) / weight
            assert abs(got - m[field][a]) <= TOL, (what, a, field, got, m[field][a])
        t = tracker_track_table(an.tr_tracks, an.pairs, a)
        assert int(t["matched"].sum()) == tp, (what, a)
        for field in ("AssA", "AssPr"):
            got = float((t["matched"] * t[field]).sum()) / weight
            assert abs(got - m[field][a]) <= TOL, (what, a, field, got, m[field][a])
        assert int(t["fp_frames"].sum()) == m["Dets"] - tp, (what, a)


def assert_round_trip(an: SequenceAnalysis, folder: Path) -> None:
    an.save(str(folder))
    back = SequenceAnalysis.load(str(folder))
    assert (back.sequence, back.tracker, back.num_frames) == (an.sequence, an.tracker, an.num_frames)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(an, name), check_exact=True, obj=name)
    assert list(back.metrics) == list(an.metrics)
    for key, value in an.metrics.items():
        assert np.array_equal(np.asarray(back.metrics[key], float), np.asarray(value, float)), key
    for frame in (1, an.num_frames // 2 + 1, an.num_frames):
        pd.testing.assert_frame_equal(back.frame_boxes(frame), an.frame_boxes(frame))


# ------------------------------------------------------------------------------------------ real data


def _all_analyses(run: Run) -> list[SequenceAnalysis]:
    assert run.analyses is not None
    return [an for seqs in run.analyses.values() for an in seqs.values()]


@pytest.fixture(scope="module")
def sample_run(sample_dir: Path) -> Run:
    return evaluate(resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15"), analyse_matches=True)


@pytest.fixture(scope="module")
def mot17_run(shared_data: Path, tmp_path_factory) -> Run:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.mktemp("seqmap") / "two.txt"
    seqmap.write_text("name\n" + "".join(f"{s}\n" for s in MOT17_SEQUENCES))
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     seqmap=str(seqmap))
    return evaluate(layout, analyse_matches=True, workers=2)


def test_sample_invariants(sample_run: Run) -> None:
    analyses = _all_analyses(sample_run)
    assert len(analyses) == 4
    for an in analyses:
        assert an.metrics is not None
        for key, value in an.metrics.items():  # the analysis carries the very numbers of the run
            assert np.array_equal(np.asarray(value), np.asarray(sample_run.metrics[an.tracker][an.sequence][key]))
        check_invariants(an)


def test_sample_round_trip(sample_run: Run, tmp_path: Path) -> None:
    for k, an in enumerate(_all_analyses(sample_run)):
        assert_round_trip(an, tmp_path / str(k))


@pytest.mark.shared
def test_tud_invariants(shared_data: Path, tmp_path: Path) -> None:
    from reference import make_trackeval_layout

    spec = {}
    for seq in ("TUD-Campus", "TUD-Stadtmitte"):
        folder = shared_data / "MOT15-TUD" / seq
        spec[seq] = (folder / "gt" / "gt.txt", folder / "seqinfo.ini",
                     {p.stem: p for p in sorted((folder / "trackers").glob("*.txt"))})
    gt, trackers = make_trackeval_layout(tmp_path, spec, benchmark="MOT15")
    run = evaluate(resolve(str(gt), str(trackers), "MOT15", "train"), analyse_matches=True)
    analyses = _all_analyses(run)
    assert len(analyses) == 6
    for an in analyses:
        check_invariants(an)
    motm = run.analyses["motmetrics_test"]["TUD-Campus"]
    assert int((motm.events["type"] == "SWITCH").sum()) == 7


@pytest.mark.shared
def test_mot17_invariants(mot17_run: Run) -> None:
    analyses = _all_analyses(mot17_run)
    assert len(analyses) == 3 * len(MOT17_SEQUENCES)
    for an in analyses:
        check_invariants(an)
    # Preprocessing set some tracker boxes aside (matched to distractors): in the table, as IGN.
    ignored = sum(int(((an.boxes["side"] == "tr") & ~an.boxes["evaluated"]).sum()) for an in analyses)
    assert ignored > 0


@pytest.mark.shared
def test_mot17_round_trip(mot17_run: Run, tmp_path: Path) -> None:
    an = mot17_run.analyses["MPNTrack"][MOT17_SEQUENCES[0]]
    assert_round_trip(an, tmp_path / "an")


# ------------------------------------------------------------------------------------ random cases


def stand_in_detections(seq: EvalSequence, side: str) -> Detections:
    """Detections matching an ``EvalSequence`` built from matrices (one row per position, no boxes)."""
    offsets = seq.gt_offsets if side == "gt" else seq.tr_offsets
    ids = seq.gt_ids[seq.gt_idx] if side == "gt" else seq.tr_ids[seq.tr_idx]
    n = ids.size
    return Detections(
        frame=np.repeat(np.arange(1, seq.num_frames + 1), np.diff(offsets)), id=ids.astype(np.int64),
        box=np.zeros((n, 4)), conf=np.ones(n), cls=np.ones(n, np.int64), vis=np.full(n, np.nan),
        line=np.arange(1, n + 1), num_frames=seq.num_frames,
    )


def analyse_matrices(case: SimilarityCase) -> SequenceAnalysis:
    seq = eval_sequence_from_matrices(*case.per_frame())
    ev = evaluate_sequence(seq)
    return analyse(ev, stand_in_detections(seq, "gt"), stand_in_detections(seq, "tr"), "t")


def analyse_boxes(case: TrackingCase) -> SequenceAnalysis:
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        case.write_mot(gt_path, tr_path)
        gt = read_mot_file(str(gt_path), case.num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), case.num_frames, is_gt=False)
    ev = evaluate_sequence(prepare("case", gt, tr, benchmark="MOT15"))
    return analyse(ev, gt, tr, "t")


@settings(max_examples=100, **CI_SETTINGS)
@given(tracking_cases())
def test_box_case_invariants(case: TrackingCase) -> None:
    check_invariants(analyse_boxes(case), SOME_ALPHAS)


@settings(max_examples=120, **CI_SETTINGS)
@given(similarity_cases())
def test_similarity_case_invariants(case: SimilarityCase) -> None:
    check_invariants(analyse_matrices(case), SOME_ALPHAS)


@settings(max_examples=25, **CI_SETTINGS)
@given(tracking_cases(max_frames=12))
def test_box_case_round_trip(case: TrackingCase) -> None:
    an = analyse_boxes(case)
    with tempfile.TemporaryDirectory() as tmp:
        assert_round_trip(an, Path(tmp) / "an")


# -------------------------------------------------------------------------------------- hand vectors


def vector_evaluation(name: str) -> SequenceEvaluation:
    case, _ = VECTORS[name]
    return evaluate_sequence(eval_sequence_from_matrices(*case.per_frame(), name=name))


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_vector_invariants(name: str) -> None:
    check_invariants(analyse_matrices(VECTORS[name][0]))


def _events(name: str, kind: str) -> pd.DataFrame:
    ev = event_table(vector_evaluation(name))
    return ev[ev["type"] == kind]


def test_idsw_vector_events() -> None:
    switches = _events("idsw", "SWITCH")
    assert switches["frame"].tolist() == [3]
    assert (switches["gt_id"].tolist(), switches["tr_id"].tolist(), switches["prev_tr_id"].tolist()) == ([0], [1], [0])
    assert _events("idsw", "ASCEND")["frame"].tolist() == [3]  # tracker id 1 was never matched before
    assert _events("idsw", "FRAG").empty and _events("idsw", "MISS").empty and _events("idsw", "FP").empty


def test_switchback_vector_events() -> None:
    switches = _events("switchback", "SWITCH")
    assert switches["frame"].tolist() == [3, 5]
    assert switches["tr_id"].tolist() == [1, 0]
    assert _events("switchback", "ASCEND")["frame"].tolist() == [3]  # the switch back is to a known id


def test_gap_vectors_events() -> None:
    assert _events("gap", "FRAG").empty  # the tracker had no box at all in frames 4-5
    assert _events("gap", "MISS")["frame"].tolist() == [4, 5]
    frag = _events("gap+fp", "FRAG")
    assert frag["frame"].tolist() == [6] and frag["tr_id"].tolist() == [0]
    assert _events("gap+fp", "FP")["frame"].tolist() == [4, 5]
    assert _events("gt-absent-gap", "FRAG")["frame"].tolist() == [6]


def test_idtransfer_vector_events() -> None:
    transfer = _events("idtransfer", "TRANSFER")
    assert transfer["frame"].tolist() == [2] and transfer["prev_gt_id"].tolist() == [0]
    assert _events("idtransfer", "MIGRATE")["frame"].tolist() == [2]
    assert _events("idtransfer", "SWITCH").empty
