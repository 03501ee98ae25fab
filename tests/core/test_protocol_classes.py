"""The ``classes=…`` protocol (other ground-truth classes as targets) against TrackEval 1.3.0.

The reference is TrackEval's standard MOTChallenge pipeline on a copy of the ground truth in which the
chosen classes are rewritten to class 1 (pedestrian) and, when pedestrian is not chosen, the
pedestrian rows are marked consider 0 (TrackEval matches every ground-truth box against the tracker
for the distractor step whatever its consider flag, and keeps only class 1 with a non-zero flag, so
such a row is neither a target nor a distractor: what an unchosen pedestrian is under the protocol).
Every field is compared to 1e-9 and counts exactly, on MOT17 (shared data) and on generated MOT17
cases. Between ``trackeval`` and ``classes=1,7`` the diff's boxes and events account for every count.
The bundled TUD sample is MOT15 (column 8 holds no class): the protocol is refused there.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklens.dashboard.cli import main
from tracklens.errors import InputError
from tracklens.protocols import PRESETS, evaluate_protocol, protocol, protocol_run
from tracklens.run import RunInputs
from tracklens.rundiff import diff_runs
from reference import make_trackeval_layout, trackeval_folders
from strategies import TrackingCase, tracking_cases
from test_parity_hypothesis import CI_SETTINGS
from test_parity_real import assert_run_matches
from test_rundiff import check_run

MOT17 = "MOT17-train"
REAL_SEQUENCES = ("MOT17-02-DPM", "MOT17-05-DPM", "MOT17-09-DPM")


def rewrite_classes(src: Path, dst: Path, targets: tuple[int, ...]) -> int:
    """The reference's ground truth: rows of ``targets`` become class 1; pedestrian rows, when 1 is not
    a target, get consider flag 0. Other text kept as is. Returns the rows rewritten."""
    out, changed = [], 0
    for line in src.read_text().splitlines():
        if not line.strip():
            continue
        cols = line.split(",")
        cls = int(float(cols[7]))
        if cls in targets and cls != 1:
            cols[7], changed = "1", changed + 1
        elif cls == 1 and 1 not in targets:
            cols[6], changed = "0", changed + 1
        out.append(",".join(cols) + "\n")
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("".join(out))
    return changed


def reference_layout(tmp: Path, gt_root: Path, tracker_files: dict[str, dict[str, Path]],
                     targets: tuple[int, ...], benchmark: str = "MOT17") -> tuple[Path, Path, int]:
    """TrackEval's folders with the rewritten ground truth (``tracker_files[seq][tracker]``)."""
    spec, changed = {}, 0
    for seq, trackers in tracker_files.items():
        rewritten = tmp / "rewritten" / seq / "gt.txt"
        changed += rewrite_classes(gt_root / seq / "gt" / "gt.txt", rewritten, targets)
        spec[seq] = (rewritten, gt_root / seq / "seqinfo.ini", trackers)
    gt, trackers_folder = make_trackeval_layout(tmp / "reference", spec, benchmark=benchmark)
    return gt, trackers_folder, changed


# ------------------------------------------------------------------------------------------- parsing


def test_classes_protocol_parses_ids_and_names() -> None:
    by_ids, by_names = protocol("classes=7,1"), protocol("classes=pedestrian, Static_Person")
    assert by_ids == by_names and by_ids.name == "classes=1,7" and by_ids.targets == (1, 7)
    assert "pedestrian (1) and static_person (7)" in by_ids.rule
    assert "other distractor classes (person_on_vehicle (2), distractor (8), reflection (12)" in by_ids.rule
    assert protocol("classes=2,8,12,7,6").rule.count("non_mot_vehicle") == 1  # a target, not also a distractor
    assert PRESETS == ("classes=1,7",) and protocol(PRESETS[0]).name == PRESETS[0]
    assert protocol("classes=1,7").inputs(RunInputs("g", "t")).targets == (1, 7)
    assert protocol("trackeval").inputs(RunInputs("g", "t", targets=(1, 7))).targets is None


@pytest.mark.parametrize("bad, what", [
    ("classes=", "names no class"), ("classes= , ", "names no class"), ("classes=1,99", "'99'"),
    ("classes=0", "'0'"), ("classes=walker", "'walker'"), ("classes=1.5", "'1.5'"), ("classes=-1", "'-1'"), ("classes=²", "'²'"),
])
def test_bad_class_lists_are_explained(bad: str, what: str) -> None:
    with pytest.raises(InputError) as info:
        protocol(bad)
    assert info.value.path == "--protocol" and what in info.value.reason
    assert "classes=1,7" in info.value.fix and "7 static_person" in info.value.fix


def test_sample_has_no_classes_so_the_protocol_is_refused(sample_dir: Path, capsys) -> None:
    """The bundled TUD sample is MOT15: its column 8 is -1 everywhere, no class to choose."""
    gt_rows = np.loadtxt(sample_dir / "gt" / "TUD-Campus" / "gt" / "gt.txt", delimiter=",")
    assert set(gt_rows[:, 7]) == {-1}
    inputs = RunInputs(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")
    with pytest.raises(InputError, match="MOT15 ground truth has none"):
        protocol_run(inputs, "classes=1,7", analyse=False)
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--protocol", "classes=1,7"]) == 2
    assert "MOT15 ground truth has none" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ real data


@pytest.fixture(scope="module")
def mot17(shared_data: Path, tmp_path_factory) -> tuple[Path, Path, Path]:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path_factory.mktemp("seqmap") / "three.txt"
    seqmap.write_text("name\n" + "".join(f"{s}\n" for s in REAL_SEQUENCES))
    return root / "gt" / "mot_challenge", root / "trackers" / "mot_challenge", seqmap


@pytest.mark.shared
@pytest.mark.parametrize("name, targets", [
    ("classes=1,7", (1, 7)),
    ("classes=pedestrian,person_on_vehicle,static_person,distractor,reflection", (1, 2, 7, 8, 12)),
    ("classes=2,7", (2, 7)),
])
def test_classes_protocol_matches_trackeval_on_mot17(name: str, targets: tuple[int, ...], mot17,
                                                     tmp_path: Path) -> None:
    gt, trackers, seqmap = mot17
    chosen = ("BoTSORT", "MoTT")  # MPNTrack has no box on a static person here
    inputs = RunInputs(str(gt), str(trackers), seqmap=str(seqmap), trackers=chosen)
    evaluated, run = protocol_run(inputs, name, analyse=False)
    assert evaluated.targets == targets and run.notes[-1].startswith(f"protocol {protocol(name).name}: ")
    files = {s: {t: trackers / MOT17 / t / "data" / f"{s}.txt" for t in chosen} for s in REAL_SEQUENCES}
    ref_gt, ref_trackers, changed = reference_layout(tmp_path, gt / MOT17, files, targets)
    assert changed > 0  # the reference really differs from the original ground truth
    ref = trackeval_folders(ref_gt, ref_trackers, "MOT17", "train", list(chosen))
    base = trackeval_folders(gt, trackers, "MOT17", "train", list(chosen), seqmap)
    for tracker in chosen:
        assert_run_matches(run.metrics[tracker], ref[tracker], f"{name} {tracker}")
        # and the protocol scores differently from TrackEval's default here (distractors no longer removed)
        assert run.metrics[tracker]["COMBINED_SEQ"]["CLR_FP"] != base[tracker]["COMBINED_SEQ"]["CLR_FP"]


@pytest.mark.shared
def test_classes_protocol_matches_trackeval_on_mot20_layout(mot17, tmp_path: Path) -> None:
    """On MOT20 (non_mot_vehicle is a distractor there too), the chosen classes still leave the list."""
    gt, trackers, _ = mot17
    files = {s: {"MPNTrack": trackers / MOT17 / "MPNTrack" / "data" / f"{s}.txt"} for s in REAL_SEQUENCES[:2]}
    originals = {s: (gt / MOT17 / s / "gt" / "gt.txt", gt / MOT17 / s / "seqinfo.ini", files[s])
                 for s in files}
    mot20_gt, mot20_trackers = make_trackeval_layout(tmp_path / "mot20", originals, benchmark="MOT20")
    _, run = protocol_run(RunInputs(str(mot20_gt), str(mot20_trackers), benchmark="MOT20"), "classes=1,6,7",
                          analyse=False)
    ref_gt, ref_trackers, _ = reference_layout(tmp_path, gt / MOT17, files, (1, 6, 7), benchmark="MOT20")
    ref = trackeval_folders(ref_gt, ref_trackers, "MOT20", "train", ["MPNTrack"])
    assert_run_matches(run.metrics["MPNTrack"], ref["MPNTrack"], "classes=1,6,7 on MOT20")


@pytest.mark.shared
def test_diff_trackeval_against_classes_accounts_for_every_count(mot17) -> None:
    gt, trackers, seqmap = mot17
    inputs = RunInputs(str(gt), str(trackers), seqmap=str(seqmap), trackers=("BoTSORT",))
    a, b = evaluate_protocol(inputs, "trackeval"), evaluate_protocol(inputs, "classes=1,7")
    d = diff_runs(a, "BoTSORT", b, "BoTSORT", 0.5)
    check_run(d, a, "BoTSORT", b, "BoTSORT")
    # tracker boxes on static persons were removed under trackeval; now they are scored: FPs introduced
    clear_fp = d.summary().set_index(["matching", "measure"]).loc[(d.matchings["CLEAR"], "FP")]
    assert clear_fp["added"] > 0 and clear_fp["delta"] == clear_fp["added"] - clear_fp["removed"]
    assert b.inputs.targets == (1, 7) and any("protocol classes=1,7" in n for n in b.manifest["notes"])


@pytest.mark.shared
def test_cli_eval_and_diff_with_classes(mot17, tmp_path: Path, capsys) -> None:
    gt, trackers, seqmap = mot17
    out = tmp_path / "classes.json"
    assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trackers), "--seqmap", str(seqmap),
                 "--trackers", "BoTSORT", "--quiet", "--protocol", "classes=1,7", "--json", str(out)]) == 0
    assert "protocol classes=1,7: TrackEval 1.3.0 MOTChallenge with the targets" in capsys.readouterr().err
    _, run = protocol_run(RunInputs(str(gt), str(trackers), seqmap=str(seqmap), trackers=("BoTSORT",)),
                          "classes=1,7", analyse=False)
    written = json.loads(out.read_text())["BoTSORT"]["COMBINED"]
    assert written["CLR_FP"] == run.metrics["BoTSORT"]["COMBINED_SEQ"]["CLR_FP"]
    assert main(["diff", str(trackers / MOT17 / "BoTSORT"), "--gt-folder", str(gt), "--seqmap", str(seqmap),
                 "--protocols", "trackeval,classes=static_person,pedestrian"]) == 0
    assert "B = BoTSORT under classes=1,7: TrackEval 1.3.0 MOTChallenge with the targets" in capsys.readouterr().out
    assert main(["diff", str(trackers / MOT17 / "BoTSORT"), "--gt-folder", str(gt),
                 "--protocols", "trackeval,classes=1,walker"]) == 2
    assert "'walker' in 'classes=1,walker' is not a MOTChallenge class" in capsys.readouterr().err


# ------------------------------------------------------------------------------------- generated cases

GT_CLASSES = (1, 1, 1, 2, 3, 7, 7, 8, 12)
TARGET_SETS = ((1, 7), (7,), (2, 8), (1, 2, 7, 8, 12), (3, 12), (1,))


def write_case(case: TrackingCase, folder: Path, rng: np.random.Generator) -> tuple[Path, Path]:
    """The case as MOT17 files: each gt id gets a class, each row a consider flag (mostly 1)."""
    gt_path, tr_path = folder / "gt" / "gt.txt", folder / "tr.txt"
    gt_path.parent.mkdir(parents=True)
    ids = np.unique(case.gt[:, 1]).astype(int)
    cls = dict(zip(ids.tolist(), rng.choice(GT_CLASSES, ids.size).tolist()))
    gt_path.write_text("".join(f"{int(f)},{int(i)},{x!r},{y!r},{w!r},{h!r},{int(rng.random() > 0.15)},"
                               f"{cls[int(i)]},1\n" for f, i, x, y, w, h in case.gt.tolist()))
    tr_path.write_text("".join(f"{int(f)},{int(i)},{x!r},{y!r},{w!r},{h!r},1,-1,-1,-1\n"
                               for f, i, x, y, w, h in case.tracker.tolist()))
    return gt_path, tr_path


@settings(max_examples=40, **CI_SETTINGS)
@given(st.lists(tracking_cases(max_frames=12, max_objects=6), min_size=1, max_size=3), st.sampled_from(TARGET_SETS),
       st.integers(0, 2**31))
def test_classes_protocol_matches_trackeval_on_generated_cases(cases: list[TrackingCase], targets: tuple[int, ...],
                                                               seed: int) -> None:
    rng = np.random.default_rng(seed)
    name = "classes=" + ",".join(map(str, targets))
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        spec, files = {}, {}
        for k, case in enumerate(cases):
            seq = f"SEQ-{k:02d}"
            gt_path, tr_path = write_case(case, tmp / "src" / seq, rng)
            (tmp / "src" / seq / "seqinfo.ini").write_text(f"[Sequence]\nname={seq}\nseqLength={case.num_frames}\n")
            spec[seq] = (gt_path, case.num_frames, {"T": tr_path})
            files[seq] = {"T": tr_path}
        gt, trackers = make_trackeval_layout(tmp / "ours", spec, benchmark="MOT17")
        inputs = RunInputs(str(gt), str(trackers))
        ws_a, ws_b = evaluate_protocol(inputs, "trackeval"), evaluate_protocol(inputs, name)
        ref_gt, ref_trackers, _ = reference_layout(tmp, tmp / "src", files, targets)
        ref = trackeval_folders(ref_gt, ref_trackers, "MOT17", "train", ["T"])
        assert_run_matches(ws_b.metrics["T"], ref["T"], name)
        check_run(diff_runs(ws_a, "T", ws_b, "T", 0.5), ws_a, "T", ws_b, "T")


# ------------------------------------------------------------------------------------- the run's record


@pytest.mark.shared
def test_saved_classes_run_keeps_its_targets(mot17, tmp_path: Path) -> None:
    """The targets are part of the run's inputs: saved in the manifest and read back, and a workspace of
    those inputs, analysed when asked (the dashboard's way), has the saved run's boxes exactly."""
    from dataclasses import replace

    from tracklens.analysis.diff import diff_sequence
    from tracklens.workspace import Workspace

    gt, trackers, _ = mot17
    seq = "MOT17-02-DPM"
    seqmap = tmp_path / "one.txt"
    seqmap.write_text(f"name\n{seq}\n")
    run_dir = tmp_path / "run"
    assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trackers), "--seqmap", str(seqmap),
                 "--trackers", "BoTSORT", "--quiet", "--protocol", "classes=7,1", "--save", str(run_dir),
                 "--no-compared"]) == 0
    saved = Workspace.load(str(run_dir))
    assert saved.inputs.targets == (1, 7)
    lazy = Workspace.from_inputs(saved.inputs, analyse_now=False)
    default = Workspace.from_inputs(replace(saved.inputs, targets=None), analyse_now=False)
    assert_run_matches(lazy.metrics["BoTSORT"], saved.metrics["BoTSORT"], "read back")
    assert lazy.metrics["BoTSORT"][seq]["CLR_FP"] != default.metrics["BoTSORT"][seq]["CLR_FP"]
    same = diff_sequence(saved.analysis("BoTSORT", seq), lazy.analysis("BoTSORT", seq), 9)
    assert (same.counts[["delta", "added", "removed"]] == 0).all().all() and same.gt_boxes.empty and same.tr_boxes.empty
    other = diff_sequence(saved.analysis("BoTSORT", seq), default.analysis("BoTSORT", seq), 9)
    assert not other.tr_boxes.empty


def test_manifest_targets_are_checked() -> None:
    record = RunInputs("g", "t", targets=(1, 7)).to_manifest()
    assert record["targets"] == [1, 7] and RunInputs.from_manifest(record).targets == (1, 7)
    with pytest.raises(InputError, match="inputs.targets must be a list of class ids"):
        RunInputs.from_manifest({**record, "targets": ["1; rm"]})
