"""The score sweep against TrackEval 1.3.0 run on filtered files: at each cutoff t, TrackEval gets
tracker files holding only the rows with confidence >= t (written from the original text lines), and
every field of every sequence and of the combination must match (1e-9, counts exact).

Real data: MOT17 BoTSORT (the one tracker of the shared data whose scores vary, 0.10 .. 0.97), with
MOT17 preprocessing. Generated: hypothesis cases written as MOT17 files with distractor ground truth
(class 7, 8, 2 or 12) and zero-marked rows, and tracker scores on a coarse grid (ties at the cutoffs).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklens.evaluate import COMBINED
from tracklens.layout import resolve
from tracklens.sweep import parse_cutoffs, sweep
from core_cases import field_mismatches
from reference import make_trackeval_layout, trackeval_folders
from strategies import TrackingCase, tracking_cases
from test_parity_hypothesis import CI_SETTINGS

SEQUENCES = ("MOT17-02-DPM", "MOT17-05-FRCNN", "MOT17-09-SDP", "MOT17-11-FRCNN")
REAL_CUTOFFS = (0.3, 0.65, 0.85, 0.93, 0.97)


def filtered_copy(src: Path, dst: Path, cutoff: float) -> int:
    """``src`` with only the lines whose 7th column is >= ``cutoff`` (text kept as is); rows kept."""
    kept = [line for line in src.read_text().splitlines(keepends=True)
            if line.strip() and float(line.split(",")[6]) >= cutoff]
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("".join(kept))
    return len(kept)


def trackeval_at(tmp: Path, gt_root: Path, tracker_files: dict[str, Path], cutoff: float, benchmark: str,
                 lengths: dict[str, int | Path]) -> dict[str, dict]:
    """TrackEval on the files filtered at ``cutoff``: {sequence | COMBINED_SEQ: fields}."""
    folder = tmp / f"cut{cutoff}"
    spec = {}
    for seq, src in tracker_files.items():
        dst = folder / "filtered" / f"{seq}.txt"
        filtered_copy(src, dst, cutoff)
        spec[seq] = (gt_root / seq / "gt" / "gt.txt", lengths[seq], {"T": dst})
    gt, trackers = make_trackeval_layout(folder, spec, benchmark=benchmark)
    return trackeval_folders(gt, trackers, benchmark, "train")["T"]


def assert_point_matches(ours: dict[str, dict], ref: dict[str, dict], what: str) -> None:
    assert set(ours) == set(ref), f"{what}: {sorted(ours)} != {sorted(ref)}"
    problems = [f"{seq}: {m}" for seq in ref for m in field_mismatches(ours[seq], ref[seq])]
    assert not problems, f"{what}:\n" + "\n".join(problems[:30])


@pytest.mark.shared
def test_mot17_botsort_sweep_matches_trackeval_on_filtered_files(shared_data: Path, tmp_path: Path) -> None:
    root = shared_data / "mot_challenge"
    gt_root = root / "gt" / "mot_challenge" / "MOT17-train"
    src = root / "trackers" / "mot_challenge" / "MOT17-train" / "BoTSORT" / "data"
    seqmap = tmp_path / "seqmap.txt"
    seqmap.write_text("name\n" + "".join(f"{s}\n" for s in SEQUENCES))
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train",
                     str(seqmap), ["BoTSORT"])
    result = sweep(layout, REAL_CUTOFFS)
    scores = np.concatenate([np.loadtxt(src / f"{s}.txt", delimiter=",", usecols=6) for s in SEQUENCES])
    assert np.unique(scores).size > 20  # the cutoffs really remove boxes
    for k, cutoff in enumerate(REAL_CUTOFFS):
        assert 0 < np.mean(scores >= cutoff) < 1
        ref = trackeval_at(tmp_path, gt_root, {s: src / f"{s}.txt" for s in SEQUENCES}, cutoff, "MOT17",
                           {s: gt_root / s / "seqinfo.ini" for s in SEQUENCES})
        assert_point_matches(result.metrics["BoTSORT"][k], ref, f"BoTSORT at {cutoff}")


SCORES = (0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
GT_CLASSES = (1, 1, 1, 1, 7, 8, 2, 12)  # pedestrians, and distractors whose matched tracker boxes go


def write_mot17(case: TrackingCase, folder: Path, rng: np.random.Generator) -> tuple[Path, Path]:
    """The case as MOT17 files: each gt id gets a class (some distractors) and some rows a zero
    consider flag; each tracker row a score from ``SCORES``."""
    gt_path, tr_path = folder / "gt.txt", folder / "tr.txt"
    ids = np.unique(case.gt[:, 1]).astype(int)
    cls = dict(zip(ids.tolist(), rng.choice(GT_CLASSES, ids.size).tolist()))
    gt_lines = [f"{int(f)},{int(i)},{x!r},{y!r},{w!r},{h!r},{int(rng.random() > 0.1)},{cls[int(i)]},1\n"
                for f, i, x, y, w, h in case.gt.tolist()]
    tr_lines = [f"{int(f)},{int(i)},{x!r},{y!r},{w!r},{h!r},{rng.choice(SCORES)},-1,-1,-1\n"
                for f, i, x, y, w, h in case.tracker.tolist()]
    gt_path.write_text("".join(gt_lines))
    tr_path.write_text("".join(tr_lines))
    return gt_path, tr_path


@settings(max_examples=40, **CI_SETTINGS)
@given(st.lists(tracking_cases(max_frames=12, max_objects=6), min_size=1, max_size=3), st.integers(0, 2**31))
def test_generated_sweep_matches_trackeval_on_filtered_files(cases: list[TrackingCase], seed: int) -> None:
    import tempfile

    rng = np.random.default_rng(seed)
    cutoffs = parse_cutoffs("0.1,0.5,0.7,0.95")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        spec, sources, lengths = {}, {}, {}
        for k, case in enumerate(cases):
            seq = f"SEQ-{k:02d}"
            folder = tmp / "src" / seq
            folder.mkdir(parents=True)
            gt_path, tr_path = write_mot17(case, folder, rng)
            spec[seq] = (gt_path, case.num_frames, {"T": tr_path})
            sources[seq], lengths[seq] = tr_path, case.num_frames
        gt, trackers = make_trackeval_layout(tmp / "full", spec, benchmark="MOT17")
        result = sweep(resolve(str(gt), str(trackers), "MOT17", "train"), cutoffs)
        gt_root = gt / "MOT17-train"
        for k, cutoff in enumerate(cutoffs):
            ref = trackeval_at(tmp, gt_root, sources, cutoff, "MOT17", lengths)
            assert_point_matches(result.metrics["T"][k], ref, f"cutoff {cutoff}")
            assert COMBINED in ref


def test_parse_cutoffs_grid_and_list() -> None:
    grid = parse_cutoffs("0:0.95:0.05")
    assert len(grid) == 20 and grid[0] == 0.0 and grid[-1] == 0.95
    assert 0.15 in grid and 0.6 in grid  # rounded to the grid, not 0.15000000000000002
    assert parse_cutoffs("0.7, 0.3,0.5,0.3") == (0.3, 0.5, 0.7)
    assert parse_cutoffs("0.2:0.2:0.1") == (0.2,)


@pytest.mark.parametrize("text", ["", "a,b", "0:1", "1:0:0.1", "0:1:0", "nan", "0:1:0.0001"])
def test_parse_cutoffs_rejects_bad_text(text: str) -> None:
    from tracklens.errors import InputError

    with pytest.raises(InputError, match="--score-thresholds"):
        parse_cutoffs(text)
