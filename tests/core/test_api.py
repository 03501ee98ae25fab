"""The public Python API (``import tracklens``) against TrackEval 1.3.0: ``tracklens.evaluate`` on
folders, ``tracklens.evaluate_frames`` on DataFrames and ``tracklens.Accumulator`` fed frame by frame,
on the bundled real sample, on MOT17 (shared data) and on generated cases; every field to 1e-9, counts
exactly. Plus the result objects' ``to_dict``/``to_pandas`` and the light import."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracklens
from tracklens.errors import InputError
from tracklens.formats.motchallenge import read_mot_file, read_seqinfo
from tracklens.results import to_json
from core_cases import field_mismatches
from reference import flatten, make_trackeval_layout, trackeval_combine, trackeval_folders, trackeval_sequence
from strategies import TrackingCase, tracking_cases

CI_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SEQUENCES = ("TUD-Campus", "TUD-Stadtmitte")


def assert_same(ours, ref: dict, what: str) -> None:
    fields = ours.fields if isinstance(ours, tracklens.Metrics) else ours
    bad = field_mismatches(fields, ref)
    assert not bad, f"{what}:\n" + "\n".join(bad[:30])
    assert set(ref) <= set(fields), f"{what}: missing {set(ref) - set(fields)}"


def _frames(path: str, length: int, is_gt: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """A MOT file as per-frame (ids, boxes), rows in file order: what a training loop would hold."""
    det = read_mot_file(path, length, is_gt=is_gt)
    off = det.offsets
    return [(det.id[off[t]:off[t + 1]], det.box[off[t]:off[t + 1]]) for t in range(length)]


@pytest.fixture(scope="module")
def sample_trackeval(sample_dir, tmp_path_factory):
    """TrackEval on the sample, MOT15 (no class preprocessing; the sample's gt has no zero flags)."""
    seqs = {s: (sample_dir / "gt" / s / "gt" / "gt.txt", sample_dir / "gt" / s / "seqinfo.ini",
                {t: sample_dir / "trackers" / t / f"{s}.txt" for t in ("masa", "motmetrics_test")}) for s in SEQUENCES}
    gt, trackers = make_trackeval_layout(tmp_path_factory.mktemp("te"), seqs, benchmark="MOT15")
    return trackeval_folders(gt, trackers, "MOT15", "train")


# --- import tracklens -----------------------------------------------------------------------------

def test_import_is_light_and_names_resolve_lazily() -> None:
    code = ("import sys, tracklens; heavy = lambda: sorted(m for m in ('numpy', 'pandas', 'scipy') if m in sys.modules);"
            "print(heavy()); tracklens.FIELDS; tracklens.assets.SAMPLE; print(heavy());"
            "tracklens.Accumulator; print(heavy())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "[]", out  # the package, the field registry and the sample path: no numpy
    assert "numpy" in out[2] and "pandas" in out[2]


def test_evaluate_stays_the_function_after_the_pipeline_module_loads() -> None:
    import tracklens.evaluate  # noqa: F401  (the submodule: importing it must not replace the function)
    from tracklens.evaluate import COMBINED, evaluate as evaluate_layout

    assert tracklens.evaluate.__module__ == "tracklens.api" and callable(evaluate_layout)
    assert COMBINED == "COMBINED_SEQ"
    from tracklens import evaluate
    assert evaluate is tracklens.evaluate


# --- folders --------------------------------------------------------------------------------------

def test_evaluate_folders_matches_trackeval(sample_dir, sample_trackeval) -> None:
    results = tracklens.evaluate(sample_dir / "gt", sample_dir / "trackers", benchmark="MOT15")
    assert results.trackers == ("masa", "motmetrics_test") and results.sequences == SEQUENCES
    for tracker, seqs in sample_trackeval.items():
        for seq, ref in seqs.items():
            assert_same(results[tracker, seq], ref, f"{tracker}/{seq}")
    # The reported number is TrackEval's: the mean over α for a per-α field, the value otherwise.
    combined = sample_trackeval["motmetrics_test"]["COMBINED_SEQ"]
    ours = results["motmetrics_test"]
    assert ours["HOTA"] == float(np.mean(ours.fields["HOTA"])) == pytest.approx(np.mean(combined["HOTA"]), abs=1e-9)
    assert ours["IDSW"] == combined["IDSW"] == 14 and isinstance(ours["IDSW"], int)
    assert np.allclose(ours.per_alpha("DetA"), combined["DetA"], rtol=0, atol=1e-9)


def test_results_to_dict_is_the_cli_json_and_to_pandas_the_reported_numbers(sample_dir) -> None:
    results = tracklens.evaluate(sample_dir / "gt", sample_dir / "trackers", benchmark="MOT15")
    assert results.to_dict() == json.loads(to_json(results.metrics))
    table = results.to_pandas()
    assert list(table.index) == [(t, s) for t in results.trackers for s in (*SEQUENCES, "COMBINED")]
    assert table.loc[("masa", "TUD-Campus"), "HOTA"] == results["masa", "TUD-Campus"]["HOTA"]
    assert table.loc[("masa", "COMBINED"), "CLR_FN"] == results["masa"]["CLR_FN"]
    alphas = results.to_pandas(per_alpha=True)
    assert len(alphas) == 2 * 3 * 19 and "IDSW" not in alphas.columns
    flat = alphas.reset_index()
    curve = flat[(flat["tracker"] == "masa") & (flat["sequence"] == "COMBINED")]
    assert curve["alpha"].tolist() == [float(a) for a in tracklens.api.ALPHAS]
    assert curve["HOTA"].tolist() == results["masa"].per_alpha("HOTA").tolist()
    one = results["masa", "TUD-Stadtmitte"]
    assert one.to_dict()["HOTA_alpha"] == one.per_alpha("HOTA").tolist()
    assert one.to_pandas()["MOTA"] == one["MOTA"] and one.tracker == "masa"
    assert results.summary().startswith("masa\nsequence")
    with pytest.raises(KeyError, match="no sequence 'nope'"):
        results["masa", "nope"]
    with pytest.raises(KeyError, match="is not a per-α field"):
        one.per_alpha("IDSW")


# --- Accumulator ----------------------------------------------------------------------------------

def test_accumulator_on_the_real_sample_matches_trackeval(sample_dir, sample_trackeval) -> None:
    """Also bit-equal to evaluating the folders (MOT15: no class preprocessing there either)."""
    folders = tracklens.evaluate(sample_dir / "gt", sample_dir / "trackers", benchmark="MOT15")
    for tracker in ("masa", "motmetrics_test"):
        per_seq = []
        for seq in SEQUENCES:
            length = read_seqinfo(str(sample_dir / "gt" / seq / "seqinfo.ini")).length
            gt = _frames(str(sample_dir / "gt" / seq / "gt" / "gt.txt"), length, True)
            tr = _frames(str(sample_dir / "trackers" / tracker / f"{seq}.txt"), length, False)
            acc = tracklens.Accumulator(seq)
            for (gi, gb), (ti, tb) in zip(gt, tr):
                acc.update(gi, gb, ti, tb)
            per_seq.append(acc.compute())
            assert_same(per_seq[-1], sample_trackeval[tracker][seq], f"{tracker}/{seq}")
            assert per_seq[-1].to_dict() == folders[tracker, seq].to_dict()
        combined = tracklens.combine(per_seq)
        assert_same(combined, sample_trackeval[tracker]["COMBINED_SEQ"], f"{tracker}/combined")
        assert combined.to_dict() == folders[tracker].to_dict()


@pytest.mark.shared
def test_accumulator_on_mot17_matches_trackeval(shared_data, tmp_path) -> None:
    """MOT17-04-FRCNN (1,050 frames, ~47k gt boxes) x MPNTrack, TrackEval without preprocessing: the
    ground truth's zero-flagged rows are left out (TrackEval always drops them), everything else is fed."""
    seq = "MOT17-04-FRCNN"
    gt_dir = shared_data / "mot_challenge" / "gt" / "mot_challenge" / "MOT17-train" / seq
    tr_file = shared_data / "mot_challenge" / "trackers" / "mot_challenge" / "MOT17-train" / "MPNTrack" / "data" / f"{seq}.txt"
    length = read_seqinfo(str(gt_dir / "seqinfo.ini")).length
    gt = read_mot_file(str(gt_dir / "gt" / "gt.txt"), length, is_gt=True)
    tr = _frames(str(tr_file), length, False)
    acc = tracklens.Accumulator(seq)
    off = gt.offsets
    for t in range(length):
        rows = np.arange(off[t], off[t + 1])
        rows = rows[gt.conf[rows] != 0]
        acc.update(pd.Series(gt.id[rows]), pd.DataFrame(gt.box[rows], columns=list("xywh")), *tr[t])
    layout = make_trackeval_layout(tmp_path, {seq: (gt_dir / "gt" / "gt.txt", gt_dir / "seqinfo.ini", {"MPNTrack": tr_file})},
                                   benchmark="MOT17")
    ref = trackeval_folders(*layout, "MOT17", "train", do_preproc=False)["MPNTrack"][seq]
    assert_same(acc.compute(), ref, seq)


def _fed(case: TrackingCase, name: str = "case") -> tracklens.Metrics:
    acc = tracklens.Accumulator(name)
    for t in range(1, case.num_frames + 1):
        g, p = case.gt[case.gt[:, 0] == t], case.tracker[case.tracker[:, 0] == t]
        acc.update(g[:, 1].astype(int), g[:, 2:6], p[:, 1].astype(int), p[:, 2:6])
    return acc.compute()


@settings(max_examples=150, **CI_SETTINGS)
@given(tracking_cases())
def test_accumulator_matches_trackeval_on_generated_cases(case: TrackingCase) -> None:
    assert_same(_fed(case), flatten(trackeval_sequence(*case.per_frame())), "per-sequence fields")


@settings(max_examples=60, **CI_SETTINGS)
@given(st.lists(tracking_cases(max_frames=15, max_objects=6), min_size=2, max_size=3))
def test_accumulators_combined_match_trackeval(cases: list[TrackingCase]) -> None:
    ours = tracklens.combine([_fed(c, f"s{k}") for k, c in enumerate(cases)])
    refs = {f"s{k}": trackeval_sequence(*c.per_frame()) for k, c in enumerate(cases)}
    for metric in ("HOTA", "CLEAR", "Identity", "Count"):
        assert_same(ours, trackeval_combine(metric, {k: r[metric] for k, r in refs.items()}), metric)


def test_accumulator_refuses_bad_frames_and_keeps_the_good_ones() -> None:
    acc = tracklens.Accumulator()
    acc.update([1, 2], [[0, 0, 10, 10], [20, 0, 10, 10]], [7], [[0, 0, 10, 10]])
    with pytest.raises(ValueError, match="frame 2: ground truth id 3 appears 2 times"):
        acc.update([3, 3], [[0, 0, 1, 1], [5, 5, 1, 1]], [], [])
    with pytest.raises(ValueError, match="frame 2: 1 tracker ids but 2 boxes"):
        acc.update([], [], [1], [[0, 0, 1, 1], [2, 2, 1, 1]])
    with pytest.raises(ValueError, match=r"frame 2: tracker boxes must be n x 4"):
        acc.update([], [], [1], [[0, 0, 1]])
    with pytest.raises(ValueError, match="frame 2: tracker ids must be integers"):
        acc.update([], [], [1.5], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="NaN or infinite"):
        acc.update([1], [[0, np.nan, 1, 1]], [], [])
    acc.update(np.zeros(0, int), np.zeros((0, 4)), [7], [[0, 0, 10, 10]])  # an empty ground-truth frame
    m = acc.compute()
    assert acc.num_frames == 2
    assert (m["CLR_TP"], m["CLR_FP"], m["CLR_FN"], m["GT_IDs"], m["CLR_Frames"]) == (1, 1, 1, 2, 2)


# --- DataFrames -----------------------------------------------------------------------------------

def _table(rows: np.ndarray, sequence: str | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["frame", "id", "x", "y", "w", "h"]).astype({"frame": int, "id": int})
    return df if sequence is None else df.assign(sequence=sequence)


@settings(max_examples=80, **CI_SETTINGS)
@given(tracking_cases())
def test_dataframes_match_trackeval_on_generated_cases(case: TrackingCase) -> None:
    results = tracklens.evaluate_frames(_table(case.gt), _table(case.tracker), lengths=case.num_frames,
                                        preprocess=False)
    assert_same(results["tracker", "sequence"], flatten(trackeval_sequence(*case.per_frame())), "DataFrame")


def test_dataframes_of_the_sample_equal_the_folders(sample_dir) -> None:
    """The sample's files read with pandas (no header, as most people load them), every sequence in one
    DataFrame with a ``sequence`` column: bit-equal to evaluating the folders, with MOT preprocessing."""
    def load(path, seq):
        return pd.read_csv(path, header=None).iloc[:, :9].assign(sequence=seq)

    gt = pd.concat([load(sample_dir / "gt" / s / "gt" / "gt.txt", s) for s in SEQUENCES], ignore_index=True)
    gt[7] = 1  # TUD has no classes (-1); MOT17 preprocessing needs them: all pedestrians
    trackers = {t: pd.concat([load(sample_dir / "trackers" / t / f"{s}.txt", s) for s in SEQUENCES], ignore_index=True)
                for t in ("masa", "motmetrics_test")}
    lengths = {s: read_seqinfo(str(sample_dir / "gt" / s / "seqinfo.ini")).length for s in SEQUENCES}
    ours = tracklens.evaluate_frames(gt, trackers, lengths=lengths, benchmark="MOT15")
    folders = tracklens.evaluate(sample_dir / "gt", sample_dir / "trackers", benchmark="MOT15")
    assert ours.to_dict() == folders.to_dict()
    with_classes = tracklens.evaluate_frames(gt, trackers, lengths=lengths, benchmark="MOT17")
    assert with_classes.to_dict() == ours.to_dict()  # every gt box a pedestrian, no distractors: the same


def test_dataframe_errors_name_the_row_and_the_fix() -> None:
    gt = pd.DataFrame({"frame": [1, 2], "id": [1, 1], "x": [0, 0], "y": [0, 0], "w": [5, 5], "h": [5, 5]})
    bad = gt.assign(frame=[1, 0])
    with pytest.raises(InputError, match=r"tracker 'mine' DataFrame \(sequence\):2: frame 0 is outside 1..2"):
        tracklens.evaluate_frames(gt, {"mine": bad}, preprocess=False, lengths=2)
    with pytest.raises(InputError, match="no 'class' column.*Add the 'class' column, or pass preprocess=False"):
        tracklens.evaluate_frames(gt, gt)
    with pytest.raises(InputError, match="no column 'h'"):
        tracklens.evaluate_frames(gt.drop(columns="h"), gt, preprocess=False)
    with pytest.raises(InputError, match=r"gt DataFrame:2: a row has no sequence name"):
        tracklens.evaluate_frames(gt.assign(sequence=["a", None]), gt, preprocess=False)
    with pytest.raises(InputError, match="sequence.*b are not in the ground truth"):
        tracklens.evaluate_frames(gt.assign(sequence="a"), gt.assign(sequence="b"), preprocess=False)


def test_dataframe_sequences_keep_the_ground_truths_order_and_a_missing_one_is_empty() -> None:
    box = {"x": 0.0, "y": 0.0, "w": 10.0, "h": 10.0}
    gt = pd.DataFrame([{"sequence": s, "frame": f, "id": 1, **box} for s in ("b", "a") for f in (1, 2, 3)])
    tracker = gt[gt["sequence"] == "b"]
    results = tracklens.evaluate_frames(gt, {"mine": tracker}, preprocess=False)
    assert results.sequences == ("b", "a")
    assert (results["mine", "b"]["CLR_TP"], results["mine", "a"]["CLR_FN"], results["mine", "a"]["Dets"]) == (3, 3, 0)
    assert results["mine"]["CLR_TP"] == 3 and results["mine"]["GT_Dets"] == 6
