"""Real data through our ``evaluate`` vs TrackEval 1.3.0 run on the same files (loading and
MOTChallenge preprocessing included): every field of every sequence and of the combination,
1e-9 for floats and exact for counts. Plus the published numbers: the MOTChallenge devkit's TUD
results quoted by py-motmetrics and the TrackEval CSVs published beside the MOT17 tracker files.

Needs ../shared/data (``shared_data``: skips locally without it, fails under CI=true).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracklens.evaluate import COMBINED, Run, combine, evaluate
from tracklens.layout import resolve
from tracklens.results import detailed_frame
from core_cases import field_mismatches
from reference import make_trackeval_layout, trackeval_folders

pytestmark = pytest.mark.shared

MOT17_TRACKERS = ("MPNTrack", "BoTSORT", "MoTT")
TUD_SEQUENCES = ("TUD-Campus", "TUD-Stadtmitte")
# MOTChallenge devkit results of py-motmetrics' test tracker (SOURCES.md): MOTA, IDF1 in %.
TUD_DEVKIT = {
    "TUD-Campus": {"MOTA": 52.6, "IDF1": 55.8, "CLR_FP": 13, "CLR_FN": 150, "IDSW": 7},
    "TUD-Stadtmitte": {"MOTA": 56.4, "IDF1": 64.5, "CLR_FP": 45, "CLR_FN": 452, "IDSW": 7},
}
# Published TrackEval outputs: (tracker, file prefix); DPM7 = the 7 DPM sequences only.
REFERENCE_FILES = (("MPNTrack", "MPNTrack_DPM7"), ("BoTSORT", "BoTSORT_DPM7"), ("MoTT", "MoTT_all21"))


def mot17_folders(shared: Path) -> tuple[str, str]:
    root = shared / "mot_challenge"
    return str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge")


def assert_run_matches(ours: dict[str, dict], ref: dict[str, dict], what: str) -> None:
    """Same sequences (and COMBINED_SEQ), same fields, every value equal (1e-9 / exact)."""
    assert list(ours) == list(ref), f"{what}: sequences differ"
    problems = []
    for seq, ref_fields in ref.items():
        ours_fields = ours[seq]
        extra = set(ours_fields) - set(ref_fields)
        if extra:
            problems.append(f"{seq}: fields TrackEval lacks: {sorted(extra)}")
        problems += [f"{seq}: {m}" for m in field_mismatches(ours_fields, ref_fields)]
    assert not problems, f"{what}:\n" + "\n".join(problems[:40])


def assert_identical(a: dict, b: dict, where: str = "") -> None:
    """Bit-for-bit equality of nested metric dicts."""
    assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, dict):
            assert_identical(x, y, f"{where}/{key}")
        else:
            assert type(x) is type(y), f"{where}/{key}: {type(x)} != {type(y)}"
            assert np.array_equal(np.asarray(x), np.asarray(y)), f"{where}/{key}: {x!r} != {y!r}"


# --------------------------------------------------------------------------------------- MOT17


@pytest.fixture(scope="session")
def mot17_run(shared_data: Path) -> Run:
    gt, trackers = mot17_folders(shared_data)
    return evaluate(resolve(gt, trackers, "MOT17", "train"), workers=1)


@pytest.fixture(scope="session")
def mot17_trackeval(shared_data: Path):
    """TrackEval's results per tracker, computed once per session (about 30 s per tracker)."""
    gt, trackers = mot17_folders(shared_data)
    cache: dict[str, dict] = {}

    def get(tracker: str) -> dict[str, dict]:
        if tracker not in cache:
            cache[tracker] = trackeval_folders(gt, trackers, "MOT17", "train", trackers=[tracker])[tracker]
        return cache[tracker]

    return get


def test_mot17_layout(mot17_run: Run) -> None:
    assert mot17_run.layout.trackers == tuple(sorted(MOT17_TRACKERS))
    assert len(mot17_run.layout.sequences) == 21
    for tracker in MOT17_TRACKERS:
        assert len(mot17_run.metrics[tracker]) == 22


@pytest.mark.parametrize("tracker", MOT17_TRACKERS)
def test_mot17_matches_trackeval(tracker: str, mot17_run: Run, mot17_trackeval) -> None:
    assert_run_matches(mot17_run.metrics[tracker], mot17_trackeval(tracker), f"MOT17 {tracker}")


def test_mot17_two_workers_identical(shared_data: Path, mot17_run: Run) -> None:
    gt, trackers = mot17_folders(shared_data)
    parallel = evaluate(resolve(gt, trackers, "MOT17", "train"), workers=2)
    assert_identical(parallel.metrics, mot17_run.metrics)
    assert parallel.notes == mot17_run.notes


def _published(shared: Path, prefix: str) -> tuple[pd.DataFrame, dict[str, str]]:
    folder = shared / "mot_challenge" / "reference"
    detailed = pd.read_csv(folder / f"{prefix}_pedestrian_detailed.csv").set_index("seq")
    lines = (folder / f"{prefix}_pedestrian_summary.txt").read_text().split("\n")
    summary = dict(zip(lines[0].split(), lines[1].split()))
    return detailed, summary


def _ours_over(run: Run, tracker: str, sequences: list[str]) -> dict[str, dict]:
    per_seq = {s: run.metrics[tracker][s] for s in sequences}
    return {**per_seq, COMBINED: combine(per_seq[s] for s in sequences)}


# Older TrackEval names OWTA "RHOTA" (same formula, sqrt(DetRe * AssA)); VACE (STDA, ATA, FDA, SFDA,
# ...) was run for one of the published files and is not a tracklens metric.
RENAMED = {"RHOTA": "OWTA"}
NOT_OURS = ("STDA", "ATA", "FDA", "SFDA", "VACE_IDs", "VACE_GT_IDs", "num_non_empty_timesteps")


@pytest.mark.parametrize("tracker,prefix", REFERENCE_FILES)
def test_mot17_published_detailed_csv(tracker: str, prefix: str, shared_data: Path, mot17_run: Run) -> None:
    published, _ = _published(shared_data, prefix)
    sequences = [s for s in published.index if s != "COMBINED"]
    ours = detailed_frame({tracker: _ours_over(mot17_run, tracker, sequences)}).set_index("seq")
    columns = {}
    for col in published.columns:
        base, _, suffix = col.partition("___")
        if base in NOT_OURS:
            continue
        columns[col] = RENAMED.get(base, base) + (f"___{suffix}" if suffix else "")
    assert sorted(published.index) == sorted(ours.index)
    problems = []
    for col, our_col in columns.items():
        want = published[col].astype(float)
        got = ours.loc[published.index, our_col].astype(float)
        if np.issubdtype(published[col].dtype, np.integer):
            ok = np.array_equal(got.to_numpy(), want.to_numpy())
        else:
            ok = np.allclose(got, want, rtol=1e-9, atol=1e-9)
        if not ok:
            problems.append(f"{col}: max |diff| {np.max(np.abs(got - want))}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tracker,prefix", REFERENCE_FILES)
def test_mot17_published_summary(tracker: str, prefix: str, shared_data: Path, mot17_run: Run) -> None:
    """The printed summary (TrackEval's '{:1.5g}' of 100 x value, integers as is) to the digit."""
    published, summary = _published(shared_data, prefix)
    sequences = [s for s in published.index if s != "COMBINED"]
    combined = _ours_over(mot17_run, tracker, sequences)[COMBINED]
    problems = []
    for name, text in summary.items():
        name = RENAMED.get(name, name)
        if name in NOT_OURS:
            continue
        value = combined[name]
        if isinstance(value, (int, np.integer)) or name in ("CLR_TP", "IDTP", "Dets", "GT_Dets", "IDs", "GT_IDs"):
            printed = f"{int(value):d}"
        else:
            printed = f"{100 * float(np.mean(value)):1.5g}"
        if printed != text:
            problems.append(f"{name}: ours {printed}, published {text}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------ MOT15: TUD, PETS


def _mot15_layout(tmp: Path, sequences: dict[str, Path]) -> tuple[Path, Path]:
    """TrackEval layout of ``{seq: folder with gt/gt.txt, seqinfo.ini, trackers/<name>.txt}``."""
    spec = {}
    for seq, folder in sequences.items():
        trackers = {os.path.splitext(f)[0]: folder / "trackers" / f
                    for f in sorted(os.listdir(folder / "trackers")) if f.endswith(".txt")}
        spec[seq] = (folder / "gt" / "gt.txt", folder / "seqinfo.ini", trackers)
    return make_trackeval_layout(tmp, spec, benchmark="MOT15")


class Mot15:
    """Our run and TrackEval's on one MOT15 layout."""

    def __init__(self, tmp: Path, sequences: dict[str, Path]):
        gt, trackers = _mot15_layout(tmp, sequences)
        self.ours = evaluate(resolve(str(gt), str(trackers), "MOT15", "train"))
        self.ref = trackeval_folders(gt, trackers, "MOT15", "train")


@pytest.fixture(scope="session")
def tud(shared_data: Path, tmp_path_factory) -> Mot15:
    return Mot15(tmp_path_factory.mktemp("tud"), {s: shared_data / "MOT15-TUD" / s for s in TUD_SEQUENCES})


@pytest.fixture(scope="session")
def pets(shared_data: Path, tmp_path_factory) -> Mot15:
    return Mot15(tmp_path_factory.mktemp("pets"), {"PETS09-S2L1": shared_data / "PETS09-S2L1"})


def test_tud_matches_trackeval(tud: Mot15) -> None:
    assert set(tud.ref) == {"masa", "masa-hung-kf-OcclusionAware", "motmetrics_test"}
    assert set(tud.ours.metrics) == set(tud.ref)
    for tracker, ref in tud.ref.items():
        assert_run_matches(tud.ours.metrics[tracker], ref, f"TUD {tracker}")


@pytest.mark.parametrize("seq", TUD_SEQUENCES)
def test_tud_devkit_numbers(seq: str, tud: Mot15) -> None:
    got = tud.ours.metrics["motmetrics_test"][seq]
    want = TUD_DEVKIT[seq]
    assert round(100 * got["MOTA"], 1) == want["MOTA"]
    assert round(100 * got["IDF1"], 1) == want["IDF1"]
    assert (got["CLR_FP"], got["CLR_FN"], got["IDSW"]) == (want["CLR_FP"], want["CLR_FN"], want["IDSW"])


def test_pets_matches_trackeval(pets: Mot15) -> None:
    assert set(pets.ref) == {"masa", "masa-hung", "masa-hung-kf", "masa-hung-kf-OcclusionAware"}
    assert set(pets.ours.metrics) == set(pets.ref)
    for tracker, ref in pets.ref.items():
        assert_run_matches(pets.ours.metrics[tracker], ref, f"PETS09-S2L1 {tracker}")


def test_pets_zero_flag_rows_are_not_evaluated(pets: Mot15, shared_data: Path) -> None:
    """174 ground-truth rows carry consider flag 0: they are not counted (MOT15 keeps every class)."""
    rows = np.loadtxt(shared_data / "PETS09-S2L1" / "gt" / "gt.txt", delimiter=",")
    assert int((rows[:, 6] == 0).sum()) == 174
    for tracker in pets.ref:
        assert pets.ours.metrics[tracker]["PETS09-S2L1"]["GT_Dets"] == len(rows) - 174
