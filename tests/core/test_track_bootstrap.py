"""The bootstrap over ground-truth tracks within sequences (``core/track_bootstrap.py``): each track's
sums add up to the evaluated fields (TrackEval's, on the sample, on MOT17 and on generated cases),
resamples are deterministic for a seed and paired between trackers, identical trackers differ by
zero, the interval covers a known population value near its nominal rate, and the CLI writes it."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklens.dashboard.cli import main
from tracklens.evaluate import COMBINED, evaluate
from tracklens.formats.motchallenge import read_mot_file
from tracklens.layout import resolve
from tracklens.prepare import prepare
from tracklens.sequence_eval import evaluate_sequence
from tracklens.sweep import summary_value
from tracklens.track_bootstrap import (BOXES, COLUMNS, TP, TRACK_FIELDS, fields_from_sums, resample_tracks,
                                       track_bootstrap, track_bootstrap_layout, track_sums)

from strategies import TrackingCase, tracking_cases
from test_parity_hypothesis import CI_SETTINGS
from test_sweep_parity import write_mot17


def assert_sums_give_the_run(layout, run) -> None:
    """Every track drawn once gives every field of every tracker's combined result (to rounding:
    the same terms, summed per track first)."""
    boot = track_bootstrap_layout(layout, run.options, 5, seed=0)
    for tr in layout.trackers:
        expected = np.array([summary_value(run.metrics[tr][COMBINED], f) for f in TRACK_FIELDS])
        np.testing.assert_allclose(boot.estimates[tr], expected, rtol=0, atol=1e-12, err_msg=tr)


def test_track_sums_give_the_sample_run(sample_dir: Path) -> None:
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15", "train")
    assert_sums_give_the_run(layout, evaluate(layout))


@pytest.mark.shared
def test_track_sums_give_the_mot17_run_and_intervals_hold_the_estimate(shared_data: Path) -> None:
    root = shared_data / "mot_challenge"
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train")
    run = evaluate(layout)
    assert_sums_give_the_run(layout, run)
    combined = {tr: m[COMBINED] for tr, m in run.metrics.items()}
    boot = track_bootstrap_layout(layout, run.options, 300, seed=5, combined=combined)
    assert boot.resampling == "tracks" and boot.trackers == ("BoTSORT", "MPNTrack", "MoTT")
    for tr in boot.trackers:
        for f in TRACK_FIELDS:
            iv = boot.interval(tr, f)
            assert iv.estimate == summary_value(run.metrics[tr][COMBINED], f)
            assert iv.low <= iv.estimate <= iv.high, (tr, f, iv)
            assert iv.low < iv.high  # 1,638 ground-truth tracks: the resamples spread
    # BoTSORT associates better than MPNTrack on MOT17-train in every resample (74.3 against 66.2)
    assert boot.difference("MPNTrack", "BoTSORT", "AssA").share_b_better == 1.0


@settings(max_examples=120, **CI_SETTINGS)
@given(tracking_cases(max_frames=20, max_objects=8), st.integers(0, 2**31),
       st.sampled_from([("MOT17", True), ("MOT17", False), ("MOT15", True)]), st.sampled_from([0.5, 0.3]))
def test_generated_track_sums_give_the_sequence_fields(case: TrackingCase, seed: int, protocol, threshold: float):
    benchmark, preprocess = protocol
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = write_mot17(case, Path(tmp), np.random.default_rng(seed))
        gt = read_mot_file(str(gt_path), case.num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), case.num_frames, is_gt=False)
    ev = evaluate_sequence(prepare("SEQ", gt, tr, benchmark=benchmark, preprocess=preprocess), threshold)
    sums = track_sums(ev)
    assert sums.shape == (ev.data.num_gt_ids, COLUMNS)
    fields = ev.metrics()
    expected = np.array([summary_value(fields, f) for f in TRACK_FIELDS])
    np.testing.assert_allclose(fields_from_sums(sums.sum(axis=0)), expected, rtol=0, atol=1e-12)
    assert sums[:, BOXES].sum() == ev.data.num_gt_dets
    np.testing.assert_array_equal(sums[:, TP].sum(axis=0), fields["HOTA_TP"])


def two_track_sums(tp_first: int, tp_second: int, boxes: int = 10) -> np.ndarray:
    """Two ground-truth tracks of ``boxes`` boxes, with the given HOTA TPs at every alpha."""
    sums = np.zeros((2, COLUMNS))
    sums[:, BOXES] = boxes
    sums[0, TP], sums[1, TP] = tp_first, tp_second
    return sums


def test_recall_is_a_ratio_of_drawn_tracks() -> None:
    """A found track (10 of 10) and a missed one (0 of 10): each resample's DetRe is the share of
    found tracks among the two drawn, so only 0, 0.5 and 1 occur, in about 1:2:1."""
    boot = track_bootstrap({"A": [two_track_sums(10, 0)]}, ("s",), 4000, seed=3)
    det_re = boot.values["A"][:, TRACK_FIELDS.index("DetRe")]
    assert set(np.round(det_re, 12).tolist()) == {0.0, 0.5, 1.0}
    assert abs(np.mean(det_re == 0.5) - 0.5) < 0.03
    assert boot.estimates["A"][TRACK_FIELDS.index("DetRe")] == 0.5


def test_deterministic_paired_and_zero_for_identical_trackers() -> None:
    rng = np.random.default_rng(0)
    seqs = [np.column_stack([np.full(n, 50.0), rng.integers(0, 51, (n, COLUMNS - 1)).astype(float)]) for n in (7, 12)]
    one = track_bootstrap({"A": seqs, "B": [s.copy() for s in seqs]}, ("s1", "s2"), 300, seed=9)
    two = track_bootstrap({"A": seqs, "B": seqs}, ("s1", "s2"), 300, seed=9)
    other = track_bootstrap({"A": seqs, "B": seqs}, ("s1", "s2"), 300, seed=10)
    assert np.array_equal(one.values["A"], two.values["A"])
    assert not np.array_equal(one.values["A"], other.values["A"])
    d = one.difference("A", "B", "AssA")
    assert (d.estimate, d.low, d.high, d.share_b_better, d.share_a_better) == (0.0, 0.0, 0.0, 0.0, 0.0)
    draws = resample_tracks([7, 12], 300, 9)
    assert [w.shape for w in draws] == [(300, 7), (300, 12)] and all((w.sum(axis=1) == w.shape[1]).all() for w in draws)


def test_tracks_differ_is_refused() -> None:
    with pytest.raises(ValueError, match="other ground-truth tracks"):
        track_bootstrap({"A": [np.zeros((3, COLUMNS))], "B": [np.zeros((4, COLUMNS))]}, ("s",), 10, seed=0)


def test_coverage_near_nominal_on_a_known_population() -> None:
    """300 data sets of 3 sequences x 20 tracks, track sizes 20..200 and recall ~ Beta(8, 2) drawn
    independently of size: the population DetRe (E[TP] / E[boxes]) is 0.8. The 90 % interval (500
    resamples each) should hold 0.8 about 90 % of the time; bounds as for the sequence bootstrap."""
    rng = np.random.default_rng(2026)
    hits = []
    for rep in range(300):
        seqs = []
        for _ in range(3):
            boxes = rng.integers(20, 201, 20).astype(float)
            sums = np.zeros((20, COLUMNS))
            sums[:, BOXES] = boxes
            sums[:, TP] = rng.binomial(boxes.astype(int), rng.beta(8, 2, 20))[:, None]
            seqs.append(sums)
        boot = track_bootstrap({"A": seqs}, ("a", "b", "c"), 500, seed=rep, confidence=0.90)
        iv = boot.interval("A", "DetRe")
        hits.append(iv.low <= 0.8 <= iv.high)
    coverage = float(np.mean(hits))
    assert 0.84 <= coverage <= 0.96, coverage


def test_cli_json_csv_and_summary(sample_dir: Path, tmp_path: Path, capsys) -> None:
    gt, trs = str(sample_dir / "gt"), str(sample_dir / "trackers")
    args = ["eval", "--gt-folder", gt, "--trackers-folder", trs, "--benchmark", "MOT15", "--bootstrap", "50",
            "--seed", "4", "--resample", "tracks", "--json", str(tmp_path / "r.json"), "--csv", str(tmp_path / "r.csv")]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "bootstrap over ground-truth tracks within sequences (50 resamples, seed 4" in printed
    assert "on AssA:" in printed
    layout = resolve(gt, trs, "MOT15", "train")
    run = evaluate(layout)
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["bootstrap"]["resampling"] == "tracks" and doc["bootstrap"]["seed"] == 4
    own = [r for r in doc["bootstrap"]["rows"] if r["versus"] == ""]
    assert [r["field"] for r in own] == list(TRACK_FIELDS) * 2
    expected = track_bootstrap_layout(layout, run.options, 50, 4,
                                      combined={tr: m[COMBINED] for tr, m in run.metrics.items()})
    first = own[0]
    iv = expected.interval(first["tracker"], first["field"])
    assert (first["estimate"], first["low"], first["high"]) == (iv.estimate, iv.low, iv.high)
    assert first["estimate"] == summary_value(run.metrics[first["tracker"]][COMBINED], first["field"])
    csv = pd.read_csv(tmp_path / "r.bootstrap.csv")
    assert set(csv.field) == set(TRACK_FIELDS) and (csv.resamples == 50).all()


def test_cli_resample_without_bootstrap_is_refused(sample_dir: Path, capsys) -> None:
    args = ["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
            "--benchmark", "MOT15", "--resample", "tracks"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--resample" in err and "--bootstrap" in err and "Traceback" not in err


def test_cli_tracks_under_protocols(sample_dir: Path, tmp_path: Path, capsys) -> None:
    """Under a TrackEval-rules protocol the tracks' sums come from that protocol's run (estimates equal its
    numbers); under py-motmetrics' own matching the option is refused before any evaluation."""
    base = ["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
            "--benchmark", "MOT15", "--bootstrap", "20", "--resample", "tracks"]
    assert main([*base, "--protocol", "iou=0.6", "--json", str(tmp_path / "r.json")]) == 0
    doc = json.loads((tmp_path / "r.json").read_text())
    row = next(r for r in doc["bootstrap"]["rows"] if r["field"] == "CLR_Re" and r["versus"] == "")
    assert row["estimate"] == doc["metrics"][row["tracker"]]["COMBINED"]["CLR_Re"]
    capsys.readouterr()
    assert main([*base, "--protocol", "motmetrics"]) == 2
    err = capsys.readouterr().err
    assert "--resample tracks" in err and "own matching" in err and "Traceback" not in err
