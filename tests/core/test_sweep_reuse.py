"""The score sweep's reuse across kept sets (``sweep_reuse.TrackerSweep``) gives exactly what the plain
evaluation of each filtered tracker file gives: ``evaluate_sequence(prepare(gt, tracker rows with
confidence >= t))``, every field identical (same type, same bits, NaN where NaN), at every cutoff.

Real data: MOT17 BoTSORT (scores 0.10 .. 0.97) on the 0:0.95:0.05 grid through ``sweep_files``, with
MOT17 preprocessing, without it, and as MOT15 (no distractor matching), CLEAR at two thresholds.
Generated: hypothesis cases with distractor ground truth, zero-marked rows, crowded frames (contested
CLEAR frames whose continuation changes between kept sets) and scores tied with the cutoffs.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklens import assignment
from tracklens.evaluate import load_sequence
from tracklens.formats.motchallenge import read_mot_file
from tracklens.layout import resolve
from tracklens.prepare import prepare
from tracklens.sequence_eval import evaluate_sequence
from tracklens.sweep import parse_cutoffs, sweep_files
from tracklens.sweep_reuse import TrackerSweep
from strategies import TrackingCase, tracking_cases
from test_parity_hypothesis import CI_SETTINGS
from test_sweep_parity import write_mot17
from test_unique_optimum import _frames

GRID = parse_cutoffs("0:0.95:0.05")
SEQUENCES = ("MOT17-02-DPM", "MOT17-04-FRCNN", "MOT17-10-SDP", "MOT17-13-DPM")


def plain(name: str, gt, tr, cutoff: float, benchmark: str, preprocess: bool, threshold: float) -> dict:
    """The definition: the tracker's rows with confidence >= cutoff evaluated from scratch."""
    kept = tr.take(np.flatnonzero(tr.conf >= cutoff))
    return evaluate_sequence(prepare(name, gt, kept, benchmark=benchmark, preprocess=preprocess), threshold).metrics()


def assert_identical(ours: dict, ref: dict, what: str) -> None:
    assert list(ours) == list(ref), what
    for field, want in ref.items():
        got = ours[field]
        assert type(got) is type(want), f"{what} {field}: {type(got)} != {type(want)}"
        if isinstance(want, np.ndarray):
            assert got.dtype == want.dtype and got.shape == want.shape, f"{what} {field}"
        assert np.array_equal(got, want, equal_nan=True), f"{what} {field}: {got!r} != {want!r}"


@pytest.mark.shared
@pytest.mark.parametrize(("benchmark", "preprocess", "threshold"),
                         [("MOT17", True, 0.5), ("MOT17", False, 0.5), ("MOT15", True, 0.75)])
def test_mot17_sweep_equals_plain_evaluation_at_every_cutoff(shared_data: Path, tmp_path: Path, benchmark: str,
                                                             preprocess: bool, threshold: float) -> None:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path / "seqmap.txt"
    seqmap.write_text("name\n" + "".join(f"{s}\n" for s in SEQUENCES))
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     str(seqmap), ["BoTSORT"])
    for files in layout.sequences:
        loaded = load_sequence(files)
        gt, tr = loaded.gt, loaded.trackers["BoTSORT"]
        assert np.unique(tr.conf).size > 20
        done = sweep_files(files, GRID, benchmark, preprocess, threshold).metrics["BoTSORT"]
        for k, cutoff in enumerate(GRID):
            ref = plain(files.name, gt, tr, cutoff, benchmark, preprocess, threshold)
            assert_identical(done[k], ref, f"{files.name} at {cutoff}")


@settings(max_examples=60, **CI_SETTINGS)
@given(tracking_cases(max_frames=16, max_objects=8), st.integers(0, 2**31),
       st.sampled_from([("MOT17", True), ("MOT17", False), ("MOT15", True)]), st.sampled_from([0.5, 0.3, 0.8]),
       st.lists(st.sampled_from((0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.9, 0.95, 1.0, 1.5)), min_size=1, max_size=8))
def test_generated_sweep_equals_plain_evaluation(case: TrackingCase, seed: int, protocol: tuple[str, bool],
                                                 threshold: float, cutoffs: list[float]) -> None:
    benchmark, preprocess = protocol
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = write_mot17(case, Path(tmp), np.random.default_rng(seed))
        gt = read_mot_file(str(gt_path), case.num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), case.num_frames, is_gt=False)
    ts = TrackerSweep("SEQ", gt, tr, benchmark, preprocess, threshold)
    for cutoff in sorted(set(cutoffs)):  # nested kept sets, as the sweep gives them
        ours = ts.evaluate(np.flatnonzero(tr.conf >= cutoff))
        assert_identical(ours, plain("SEQ", gt, tr, cutoff, benchmark, preprocess, threshold), f"cutoff {cutoff}")


@st.composite
def contested_cases(draw: st.DrawFn) -> tuple[int, list[str], list[str]]:
    """Crowded frames as MOT17 text lines (gt, tracker): per frame a few ground-truth boxes side by side,
    each covered by up to three tracker boxes at IoU >= 0.5 (so CLEAR's frames are contested and its
    continuation bonus decides them), a few ids shared by every frame (switches and continuations),
    some ground truth a distractor, and scores on a grid tied with the cutoffs."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    num_frames = draw(st.integers(2, 40))
    objects = draw(st.integers(1, 4))
    gt_lines, tr_lines = [], []
    for f in range(1, num_frames + 1):
        tr_ids = rng.permutation(np.arange(1, 3 * objects + 2))
        used = 0
        for o in range(objects):
            if rng.random() < 0.1:
                continue  # the object is not in this frame
            x = 30.0 * o + float(rng.integers(0, 4))
            cls = int(rng.choice([1, 1, 1, 1, 7, 8]))
            gt_lines.append(f"{f},{o + 1},{x!r},10.0,20.0,40.0,{int(rng.random() > 0.05)},{cls},1\n")
            for _ in range(int(rng.integers(0, 4))):
                dx, dy = (float(v) for v in rng.integers(-3, 4, 2))
                score = float(rng.choice([0.1, 0.3, 0.5, 0.7, 0.9]))
                tr_lines.append(f"{f},{int(tr_ids[used])},{x + dx!r},{10.0 + dy!r},20.0,40.0,{score},-1,-1,-1\n")
                used += 1
    return num_frames, gt_lines, tr_lines


@settings(max_examples=80, **CI_SETTINGS)
@given(contested_cases(), st.sampled_from([("MOT17", True), ("MOT17", False)]), st.sampled_from([0.5, 0.7]))
def test_contested_frames_sweep_equals_plain_evaluation(case, protocol: tuple[str, bool], threshold: float) -> None:
    num_frames, gt_lines, tr_lines = case
    benchmark, preprocess = protocol
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        gt_path.write_text("".join(gt_lines))
        tr_path.write_text("".join(tr_lines))
        gt = read_mot_file(str(gt_path), num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), num_frames, is_gt=False)
    ts = TrackerSweep("SEQ", gt, tr, benchmark, preprocess, threshold)
    for cutoff in (0.0, 0.2, 0.3, 0.5, 0.6, 0.7, 0.9, 1.0):
        ours = ts.evaluate(np.flatnonzero(tr.conf >= cutoff))
        assert_identical(ours, plain("SEQ", gt, tr, cutoff, benchmark, preprocess, threshold), f"cutoff {cutoff}")


@pytest.mark.parametrize("seed", range(40))
def test_unique_optimum_with_tracker_order_given_settles_the_same(seed: int) -> None:
    """The sweep's precomputed tracker-row order replaces unique_optimum's sort with the same answer."""
    rng = np.random.default_rng(seed)
    g, t, score, gt_off, tr_off, _ = _frames(rng, int(rng.integers(1, 30)))
    frames = assignment.ContestedFrames(g, t, gt_off, tr_off)
    by_tracker = np.argsort(t, kind="stable")
    base_pairs, base_settled = frames.unique_optimum(score, g, t)
    pairs, settled = frames.unique_optimum(score, g, t, by_tracker)
    assert np.array_equal(pairs, base_pairs) and np.array_equal(settled, base_settled)
    sub = np.flatnonzero(score > 0)
    g, t, score = g[sub], t[sub], score[sub]
    assert np.array_equal(assignment.assign(g, t, score, gt_off, tr_off, np.argsort(t, kind="stable")),
                          assignment.assign(g, t, score, gt_off, tr_off))
