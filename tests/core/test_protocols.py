"""Protocols side by side. Each protocol equals its reference implementation: ``motmetrics`` equals
py-motmetrics 1.4.0 (its eval_motchallenge loading and CLEAR matching: TP, FN, FP, IDSW exact, MOTA to
1e-9) on TUD, PETS09, MOT17 (DPM) and generated cases with boxes on a grid (IoU exactly 0.5, ties);
``no-preproc``, ``mot20`` and ``iou=T`` equal TrackEval 1.3.0 with DO_PREPROC=False, BENCHMARK=MOT20
and CLEAR/Identity THRESHOLD=T (every field). Between two protocols, the diff lists the boxes and
events that differ and they account exactly for the change in the counts."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracklens.dashboard.cli import main
from tracklens.errors import InputError
from tracklens.evaluate import COMBINED
from tracklens.formats.motchallenge import read_mot_file
from tracklens.protocols import PROTOCOLS, evaluate_motmetrics, evaluate_protocol, motmetrics_prepare, protocol
from tracklens.run import RunInputs
from tracklens.rundiff import diff_runs
from tracklens.similarity import box_pairs
from reference import make_trackeval_layout, trackeval_folders
from reference_motmetrics import motmetrics_sequences
from strategies import TrackingCase, tracking_cases
from test_parity_real import assert_run_matches
from test_rundiff import check_run

CI_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
TUD = ("TUD-Campus", "TUD-Stadtmitte")


def assert_motmetrics_equal(ours: dict, ref: dict, what: str) -> None:
    """Our fields under the motmetrics protocol against py-motmetrics' summary row."""
    got = (ours["CLR_TP"], ours["CLR_FN"], ours["CLR_FP"], ours["IDSW"], ours["CLR_TP"] + ours["CLR_FN"])
    want = (ref["num_matches"] + ref["num_switches"], ref["num_misses"], ref["num_false_positives"],
            ref["num_switches"], ref["num_objects"])
    assert got == tuple(int(v) for v in want), f"{what}: (TP, FN, FP, IDSW, objects) {got} != {want}"
    if ref["num_objects"]:
        assert abs(ours["MOTA"] - ref["mota"]) <= 1e-9, f"{what}: MOTA {ours['MOTA']} != {ref['mota']}"


def check_motmetrics_run(gt_folder: Path, trackers_folder: Path, benchmark: str, files: dict, **kw) -> None:
    """Every tracker of the layout under the motmetrics protocol against py-motmetrics, per sequence and overall."""
    inputs = RunInputs(str(gt_folder), str(trackers_folder), benchmark=benchmark, **kw)
    ws = evaluate_protocol(inputs, "motmetrics")
    for tracker, by_seq in files.items():
        ref = motmetrics_sequences(by_seq)
        for seq in by_seq:
            assert_motmetrics_equal(ws.metrics[tracker][seq], ref[seq], f"{tracker}/{seq}")
        assert_motmetrics_equal(ws.metrics[tracker][COMBINED], ref["OVERALL"], f"{tracker}/overall")
    return ws


# ---------------------------------------------------------------------------------- motmetrics, real data


@pytest.fixture(scope="module")
def tud(shared_data: Path, tmp_path_factory) -> tuple[Path, Path, dict]:
    spec, files = {}, {}
    for seq in TUD:
        folder = shared_data / "MOT15-TUD" / seq
        trackers = {p.stem: p for p in sorted((folder / "trackers").glob("*.txt"))}
        spec[seq] = (folder / "gt" / "gt.txt", folder / "seqinfo.ini", trackers)
        for name, path in trackers.items():
            files.setdefault(name, {})[seq] = (folder / "gt" / "gt.txt", path)
    gt, trackers = make_trackeval_layout(tmp_path_factory.mktemp("tud"), spec, benchmark="MOT15")
    return gt, trackers, files


@pytest.mark.shared
def test_motmetrics_on_tud(tud) -> None:
    gt, trackers, files = tud
    ws = check_motmetrics_run(gt, trackers, "MOT15", files)
    # the numbers py-motmetrics quotes from the MOTChallenge devkit for its test tracker (SOURCES.md)
    assert [ws.metrics["motmetrics_test"][s]["IDSW"] for s in TUD] == [7, 7]


@pytest.mark.shared
def test_motmetrics_on_pets09(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "PETS09-S2L1"
    trackers = {p.stem: p for p in sorted((folder / "trackers").glob("*.txt"))}
    gt, tr = make_trackeval_layout(tmp_path, {"PETS09-S2L1": (folder / "gt" / "gt.txt", folder / "seqinfo.ini",
                                                              trackers)})
    files = {name: {"PETS09-S2L1": (folder / "gt" / "gt.txt", path)} for name, path in trackers.items()}
    check_motmetrics_run(gt, tr, "MOT15", files)


@pytest.fixture(scope="module")
def mot17_dpm(shared_data: Path) -> tuple[Path, Path, Path, list[str]]:
    root = shared_data / "mot_challenge"
    seqmap = root / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train-DPM.txt"
    names = [s.strip() for s in seqmap.read_text().splitlines()[1:] if s.strip()]
    return root / "gt" / "mot_challenge", root / "trackers" / "mot_challenge", seqmap, names


@pytest.mark.shared
def test_motmetrics_on_mot17(mot17_dpm) -> None:
    gt, trackers, seqmap, names = mot17_dpm
    files = {t: {s: (gt / "MOT17-train" / s / "gt" / "gt.txt", trackers / "MOT17-train" / t / "data" / f"{s}.txt")
                 for s in names} for t in ("MPNTrack", "BoTSORT")}
    check_motmetrics_run(gt, trackers, "MOT17", files, seqmap=str(seqmap), trackers=("MPNTrack", "BoTSORT"))


# --------------------------------------------------------------------------- motmetrics, generated cases


@settings(max_examples=60, **CI_SETTINGS)
@given(tracking_cases(max_frames=20), st.sampled_from((0.5, 0.5, 0.3, 0.75)))
def test_motmetrics_on_generated_cases(case: TrackingCase, threshold: float) -> None:
    assume(len(case.gt) and len(case.tracker))  # py-motmetrics cannot read an empty file
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, tr_path = Path(tmp) / "gt.txt", Path(tmp) / "tr.txt"
        case.write_mot(gt_path, tr_path)
        ref = motmetrics_sequences({"case": (gt_path, tr_path)}, threshold)["case"]
        gt = read_mot_file(str(gt_path), case.num_frames, is_gt=True)
        tr = read_mot_file(str(tr_path), case.num_frames, is_gt=False)
    seq = motmetrics_prepare("case", gt, tr, box_pairs(gt.box, gt.offsets, tr.box, tr.offsets))
    assert_motmetrics_equal(evaluate_motmetrics(seq, gt.box, tr.box, threshold).metrics(), ref, "case")


# ------------------------------------------------------------------------------- TrackEval's protocols


@pytest.mark.shared
@pytest.mark.parametrize("name, reference", [
    ("no-preproc", {"do_preproc": False}),
    ("iou=0.6", {"threshold": 0.6}),
    ("iou=0.35", {"threshold": 0.35}),
])
def test_trackeval_protocols(name: str, reference: dict, shared_data: Path, tmp_path: Path) -> None:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path / "two.txt"
    seqmap.write_text("name\nMOT17-05-DPM\nMOT17-09-DPM\n")
    gt, trackers = root / "gt" / "mot_challenge", root / "trackers" / "mot_challenge"
    ws = evaluate_protocol(RunInputs(str(gt), str(trackers), seqmap=str(seqmap), trackers=("MPNTrack",)), name)
    ref = trackeval_folders(gt, trackers, "MOT17", "train", ["MPNTrack"], seqmap, **reference)
    assert_run_matches(ws.metrics["MPNTrack"], ref["MPNTrack"], name)


@pytest.mark.shared
def test_mot20_protocol(shared_data: Path, tmp_path: Path) -> None:
    """MOT20's extra distractor class, on MOT17 files laid out as MOT20 (TrackEval's BENCHMARK=MOT20)."""
    root = shared_data / "mot_challenge"
    spec = {}
    for seq in ("MOT17-05-DPM", "MOT17-09-DPM"):
        folder = root / "gt" / "mot_challenge" / "MOT17-train" / seq
        spec[seq] = (folder / "gt" / "gt.txt", folder / "seqinfo.ini",
                     {"MPNTrack": root / "trackers" / "mot_challenge" / "MOT17-train" / "MPNTrack" / "data" / f"{seq}.txt"})
    gt, trackers = make_trackeval_layout(tmp_path, spec, benchmark="MOT20")
    ws = evaluate_protocol(RunInputs(str(gt), str(trackers), benchmark="MOT17"), "mot20")
    assert ws.inputs.benchmark == "MOT20"
    ref = trackeval_folders(gt, trackers, "MOT20", "train", ["MPNTrack"])
    assert_run_matches(ws.metrics["MPNTrack"], ref["MPNTrack"], "mot20")
    mot17 = evaluate_protocol(RunInputs(str(gt), str(trackers), benchmark="MOT20"), "trackeval")
    assert mot17.inputs.benchmark == "MOT20"  # trackeval keeps the run's benchmark


# -------------------------------------------------------------------------------- between two protocols


@pytest.mark.shared
def test_protocol_diff_accounts_for_every_count(mot17_dpm) -> None:
    gt, trackers, seqmap, names = mot17_dpm
    inputs = RunInputs(str(gt), str(trackers), seqmap=str(seqmap), trackers=("MPNTrack",))
    for first, second in (("trackeval", "motmetrics"), ("trackeval", "no-preproc"), ("iou=0.6", "trackeval")):
        a, b = evaluate_protocol(inputs, first), evaluate_protocol(inputs, second)
        d = diff_runs(a, "MPNTrack", b, "MPNTrack", 0.5)
        check_run(d, a, "MPNTrack", b, "MPNTrack")
        assert len(d.gt_boxes) + len(d.tr_boxes) > 0, (first, second)  # the protocols really differ here


def test_protocol_diff_on_the_sample(sample_dir: Path) -> None:
    inputs = RunInputs(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")
    a, b = evaluate_protocol(inputs, "trackeval"), evaluate_protocol(inputs, "iou=0.7")
    d = diff_runs(a, "motmetrics_test", b, "motmetrics_test", 0.5)
    check_run(d, a, "motmetrics_test", b, "motmetrics_test")
    assert d.matchings["CLEAR"] == "CLEAR IoU≥0.5 (A) / ≥0.7 (B)"
    clear_fn = d.summary().iloc[0]
    # a stricter threshold loses matches, and (through CLEAR's preference for continuing pairs) a few
    # gt boxes missed at 0.5 are matched at 0.7
    assert clear_fn["measure"] == "FN" and clear_fn["added"] > clear_fn["removed"] > 0
    assert any("protocol iou=0.7" in n for n in b.manifest["notes"])


def test_unknown_protocol_is_explained() -> None:
    assert set(PROTOCOLS) == {"trackeval", "no-preproc", "mot20", "motmetrics"}
    assert protocol("iou=0.6").threshold == 0.6
    for bad in ("nope", "iou=1.5", "iou=x", "iou=0"):
        with pytest.raises(InputError, match="unknown protocol"):
            protocol(bad)


def test_cli_eval_and_diff_with_protocols(sample_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "mm.json"
    gt, trackers = str(sample_dir / "gt"), str(sample_dir / "trackers")
    assert main(["eval", "--gt-folder", gt, "--trackers-folder", trackers, "--benchmark", "MOT15", "--quiet",
                 "--protocol", "motmetrics", "--json", str(out)]) == 0
    written = json.loads(out.read_text())
    ref = motmetrics_sequences({s: (sample_dir / "gt" / s / "gt" / "gt.txt",
                                    sample_dir / "trackers" / "motmetrics_test" / f"{s}.txt") for s in TUD})
    for seq in TUD:
        assert_motmetrics_equal(written["motmetrics_test"][seq], ref[seq], seq)
    assert "protocol motmetrics: py-motmetrics 1.4.0" in capsys.readouterr().err
    assert main(["diff", str(sample_dir / "trackers" / "motmetrics_test"), "--gt-folder", gt, "--benchmark", "MOT15",
                 "--protocols", "trackeval,iou=0.7"]) == 0
    text = capsys.readouterr().out
    assert "A = motmetrics_test under trackeval: TrackEval 1.3.0" in text
    assert "B = motmetrics_test under iou=0.7: TrackEval with CLEAR and Identity at IoU ≥ 0.7" in text
    assert main(["diff", trackers + "/masa", "--gt-folder", gt, "--protocols", "trackeval,bogus"]) == 2
    assert "unknown protocol 'bogus'" in capsys.readouterr().err
