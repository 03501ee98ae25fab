"""A run saved under a protocol records its name (``RunInputs.protocol``), and every path that evaluates its
files again asks ``reevaluation_refused`` first: ``motmetrics`` (py-motmetrics' matching) and other target
classes are refused with a sentence, the protocols whose options live in the inputs (iou=T, no-preproc,
mot20) are not. A lazy analysis of a motmetrics run uses the protocol's own matching."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tracklens.dashboard.cli import main
from tracklens.errors import InputError
from tracklens.evaluate import COMBINED, load_sequence
from tracklens.protocols import PROTOCOLS, TRACKEVAL, analyse_under, protocol_run
from tracklens.run import OWN_MATCHING, TRACKEVAL_RULES, RunInputs, reevaluation_refused
from tracklens.workspace import Workspace


def save_sample(sample_dir: Path, run_dir: Path, name: str | None) -> Workspace:
    """The bundled sample saved by ``tracklens eval --save`` (under ``--protocol name`` when given)."""
    args = ["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
            "--benchmark", "MOT15", "--quiet", "--no-check", "--save", str(run_dir)]
    assert main(args + (["--protocol", name] if name else [])) == 0
    return Workspace.load(str(run_dir))


@pytest.fixture(scope="module")
def motmetrics_run(sample_dir: Path, tmp_path_factory) -> tuple[Path, Workspace]:
    run_dir = tmp_path_factory.mktemp("runs") / "motmetrics"
    return run_dir, save_sample(sample_dir, run_dir, "motmetrics")


def test_manifest_records_the_protocol(motmetrics_run) -> None:
    run_dir, ws = motmetrics_run
    assert json.loads((run_dir / "manifest.json").read_text())["inputs"]["protocol"] == "motmetrics"
    inputs = ws.inputs
    assert inputs.protocol == "motmetrics" and not inputs.preprocess
    assert RunInputs.from_manifest(inputs.to_manifest(str(run_dir)), str(run_dir)) == inputs
    refused = reevaluation_refused(inputs)
    assert refused.startswith("This run was scored under protocol motmetrics (py-motmetrics 1.4.0's")
    assert ws.compared is None  # Metrics compared would re-evaluate it with TrackEval's rules: not saved


def test_save_under_a_protocol_analyses_every_sequence(motmetrics_run, sample_dir: Path) -> None:
    """``eval --save`` analyses every sequence at save time: the saved boxes are the protocol's own."""
    run_dir, ws = motmetrics_run
    inputs = RunInputs(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15")
    _, run = protocol_run(inputs, "motmetrics")
    for tracker in ws.trackers:
        for meta in ws.sequences:
            assert (run_dir / tracker / meta.name).is_dir()
            saved, fresh = ws.analysis(tracker, meta.name), run.analyses[tracker][meta.name]
            pd.testing.assert_frame_equal(saved.boxes.reset_index(drop=True), fresh.boxes.reset_index(drop=True))
            assert saved.metrics["IDSW"] == ws.metrics[tracker][meta.name]["IDSW"]


def lazy_matches_the_protocol(inputs: RunInputs, benchmark: str) -> int:
    """Every lazy analysis of a motmetrics run (metrics only at first) equals the protocol's own; returns how
    many differ from TrackEval's matching on the same data (``no-preproc``: what the lazy path did before)."""
    lazy = Workspace.from_run(*protocol_run(inputs, "motmetrics", analyse=False))
    trackeval = Workspace.from_run(*protocol_run(inputs, "no-preproc", analyse=False))
    differ = 0
    for tracker in lazy.trackers:
        for meta in lazy.sequences:
            loaded = load_sequence(next(f for f in lazy.layout.sequences if f.name == meta.name))
            want = analyse_under("motmetrics", meta.name, loaded.gt, loaded.trackers[tracker], tracker, benchmark)
            got = lazy.analysis(tracker, meta.name)
            pd.testing.assert_frame_equal(got.boxes, want.boxes)
            for field in ("CLR_TP", "CLR_FN", "CLR_FP", "IDSW", "Frag"):
                assert got.metrics[field] == lazy.metrics[tracker][meta.name][field]
            differ += not got.boxes.equals(trackeval.analysis(tracker, meta.name).boxes)
    return differ


def test_lazy_analysis_of_a_motmetrics_run_uses_its_matching(sample_dir: Path) -> None:
    lazy_matches_the_protocol(RunInputs(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15"),
                              "MOT15")


@pytest.mark.shared
def test_lazy_analysis_of_a_motmetrics_run_on_mot17(shared_data: Path, tmp_path: Path) -> None:
    """MOT17-09-DPM: py-motmetrics' matching keeps other pairs than TrackEval's (same counts, other boxes)."""
    root = shared_data / "mot_challenge"
    seqmap = tmp_path / "one.txt"
    seqmap.write_text("name\nMOT17-09-DPM\n")
    inputs = RunInputs(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"),
                       seqmap=str(seqmap), trackers=("MPNTrack",))
    assert lazy_matches_the_protocol(inputs, "MOT17") == 1


def test_old_manifest_without_protocol_opens(sample_dir: Path, tmp_path: Path) -> None:
    ws = save_sample(sample_dir, tmp_path / "run", None)
    assert ws.inputs.protocol is None and reevaluation_refused(ws.inputs) is None
    path = tmp_path / "run" / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["inputs"]["protocol"]  # as written before the field existed
    path.write_text(json.dumps(manifest))
    old = Workspace.load(str(tmp_path / "run"))
    assert old.inputs.protocol is None and old.inputs == ws.inputs
    assert old.metrics["masa"][COMBINED]["IDSW"] == ws.metrics["masa"][COMBINED]["IDSW"]
    manifest["inputs"]["protocol"] = ["motmetrics"]
    path.write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="inputs.protocol must be a protocol name"):
        Workspace.load(str(tmp_path / "run")).inputs


@pytest.mark.parametrize("name, preprocess, threshold", [("iou=0.6", True, 0.6), ("no-preproc", False, 0.5),
                                                         ("trackeval", True, 0.5)])
def test_protocols_in_the_inputs_are_not_refused(name: str, preprocess: bool, threshold: float,
                                                 sample_dir: Path, tmp_path: Path) -> None:
    ws = save_sample(sample_dir, tmp_path / "run", name)
    assert (ws.inputs.protocol, ws.inputs.preprocess, ws.inputs.threshold) == (name, preprocess, threshold)
    assert reevaluation_refused(ws.inputs) is None
    assert ws.compared is not None  # Metrics compared applies, and was saved


def test_refusal_sentences() -> None:
    assert OWN_MATCHING == {n for n, p in PROTOCOLS.items() if p.matching != TRACKEVAL}  # run.py's names agree
    assert TRACKEVAL_RULES == {n for n, p in PROTOCOLS.items() if p.matching == TRACKEVAL}
    base = RunInputs("g", "t")
    assert reevaluation_refused(base) is None
    assert reevaluation_refused(RunInputs("g", "t", protocol="mot20", benchmark="MOT20")) is None
    targets = reevaluation_refused(RunInputs("g", "t", targets=(1, 7), protocol="classes=1,7"))
    assert targets.startswith("This run was scored under protocol classes=1,7 (ground-truth classes 1, 7 as targets)")
    assert "classes=1,7" in reevaluation_refused(RunInputs("g", "t", targets=(1, 7)))  # recorded before `protocol`
    assert "does not know" in reevaluation_refused(RunInputs("g", "t", protocol="someday"))
