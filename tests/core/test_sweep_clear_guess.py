"""The score sweep's CLEAR shortcut (``sweep_reuse.TrackerSweep._clear_chosen``: the frames whose matrix
can differ from the previous kept set's guessed at once, in rounds, and only the frames whose input
moved solved one by one) and ``ContestedFrames.solve`` (the frames left to the solver, answers mapped
back once per chunk) give exactly the plain evaluation: every field of every kept set identical to
``evaluate_sequence(prepare(...))`` on the filtered rows, whatever the number of guessing rounds.

Generated: chained frames, where each ground-truth box is covered by boxes of tracks that persist
over frames, so that CLEAR's continuation bonus decides most frames and a changed answer in one frame
changes the next frame's matrix; the cutoffs are every score present (each kept set one score level
smaller). Real data: MOT17 BoTSORT sequences the reuse test does not take, at every cutoff.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklens import assignment, sweep_reuse
from tracklens.evaluate import load_sequence
from tracklens.formats.motchallenge import read_mot_file
from tracklens.layout import resolve
from tracklens.sweep import sweep_files
from tracklens.sweep_reuse import TrackerSweep
from test_parity_hypothesis import CI_SETTINGS
from test_sweep_reuse import GRID, assert_identical, plain
from test_unique_optimum import _frames

SEQUENCES = ("MOT17-05-FRCNN", "MOT17-11-SDP")  # not in test_sweep_reuse.SEQUENCES


@pytest.mark.parametrize("chunk", [1, 7, assignment.BLOCK_CHUNK])
@pytest.mark.parametrize("seed", range(30))
def test_solve_equals_solving_each_frame(seed: int, chunk: int, monkeypatch) -> None:
    """``solve`` on any subset of the contested frames: the candidates ``solve_block`` picks on each
    frame's dense matrix from ``iter_blocks`` (TrackEval's matrix), chunked or not."""
    rng = np.random.default_rng(seed)
    g, t, score, gt_off, tr_off, _ = _frames(rng, int(rng.integers(1, 30)))
    monkeypatch.setattr(assignment, "BLOCK_CHUNK", chunk)
    frames = assignment.ContestedFrames(g, t, gt_off, tr_off)
    want = {k: assignment.solve_block(cost, index) for k, cost, index in frames.iter_blocks(score, negate=True)}
    for blocks in (np.arange(frames.frames.size), np.flatnonzero(rng.random(frames.frames.size) < 0.5)):
        expected = np.concatenate([want[k] for k in blocks.tolist()] + [np.zeros(0, np.int64)])
        got = frames.solve(score, blocks)
        assert np.array_equal(np.sort(got), np.sort(expected)), blocks


def chained_case(seed: int) -> tuple[int, str, str]:
    """(frames, gt text, tracker text) in MOT17 format: a few side-by-side objects over many frames,
    each covered (IoU >= 0.5) by up to three tracks of its own that come and go, with scores drawn per
    box from a few levels; a neighbour's track sometimes covers it too. Some ground truth is a
    distractor or zero-marked."""
    rng = np.random.default_rng(seed)
    num_frames = int(rng.integers(3, 61))
    objects = int(rng.integers(1, 4))
    levels = np.round(np.linspace(0.1, 0.9, int(rng.integers(2, 7))), 2)
    presence = rng.random((objects, 3)) * 0.6 + 0.3  # each track's chance to be in a frame
    gt_lines, tr_lines = [], []
    for f in range(1, num_frames + 1):
        for o in range(objects):
            x = 25.0 * o
            cls = 1 if rng.random() > 0.1 else int(rng.choice([2, 7, 8, 12]))
            gt_lines.append(f"{f},{o + 1},{x!r},10.0,20.0,40.0,{int(rng.random() > 0.03)},{cls},1\n")
            for k in range(3):
                if rng.random() < presence[o, k]:
                    dx = float(rng.integers(-4, 5)) + (13.0 if rng.random() < 0.05 else 0.0)  # over the neighbour
                    score = float(rng.choice(levels))
                    tr_lines.append(f"{f},{10 * o + k + 1},{x + dx!r},{10.0 + float(rng.integers(-3, 4))!r},"
                                    f"20.0,40.0,{score},-1,-1,-1\n")
    return num_frames, "".join(gt_lines), "".join(tr_lines)


def check_case(seed: int, preprocess: bool, threshold: float, rounds: int) -> None:
    num_frames, gt_text, tr_text = chained_case(seed)
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        gt_path.write_text(gt_text)
        tr_path.write_text(tr_text)
        gt = read_mot_file(str(gt_path), num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), num_frames, is_gt=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sweep_reuse, "GUESS_ROUNDS", rounds)
        ts = TrackerSweep("SEQ", gt, tr, "MOT17", preprocess, threshold)
        for cutoff in np.unique(np.concatenate([[0.0], tr.conf, [1.0]])).tolist():  # one score level at a time
            ours = ts.evaluate(np.flatnonzero(tr.conf >= cutoff))
            assert_identical(ours, plain("SEQ", gt, tr, cutoff, "MOT17", preprocess, threshold), f"cutoff {cutoff}")


@settings(max_examples=300, **CI_SETTINGS)
@given(st.integers(0, 2**31), st.booleans(), st.sampled_from([0.5, 0.6]), st.sampled_from([1, 2, 3, 5]))
def test_chained_frames_sweep_equals_plain_evaluation(seed: int, preprocess: bool, threshold: float,
                                                      rounds: int) -> None:
    check_case(seed, preprocess, threshold, rounds)


@pytest.mark.parametrize("rounds", [2, 3, 5])
@pytest.mark.parametrize(("seed", "threshold"), [(13, 0.5), (101, 0.5), (300, 0.5), (323, 0.5), (373, 0.6)])
@pytest.mark.parametrize("preprocess", [True, False])
def test_oscillating_frames_sweep_equals_plain_evaluation(seed: int, threshold: float, rounds: int,
                                                          preprocess: bool) -> None:
    """Cases (found by search) where a frame's guess goes back to an earlier round's answer: a frame
    keeps its guess only when its previous frame's final answer is the very snapshot its bonus was
    read off (checking it against another round's or the previous kept set's answer breaks these)."""
    check_case(seed, preprocess, threshold, rounds)


@pytest.mark.shared
@pytest.mark.parametrize("rounds", [1, 2])
def test_mot17_sweep_clear_guess_equals_plain_evaluation(shared_data: Path, tmp_path: Path, rounds: int,
                                                         monkeypatch) -> None:
    monkeypatch.setattr(sweep_reuse, "GUESS_ROUNDS", rounds)
    root = shared_data / "mot_challenge"
    seqmap = tmp_path / "seqmap.txt"
    seqmap.write_text("name\n" + "".join(f"{s}\n" for s in SEQUENCES))
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     str(seqmap), ["BoTSORT"])
    for files in layout.sequences:
        loaded = load_sequence(files)
        gt, tr = loaded.gt, loaded.trackers["BoTSORT"]
        done = sweep_files(files, GRID, "MOT17", True, 0.5).metrics["BoTSORT"]
        for k, cutoff in enumerate(GRID):
            ref = plain(files.name, gt, tr, cutoff, "MOT17", True, 0.5)
            assert_identical(done[k], ref, f"{files.name} at {cutoff}")
