"""Pages and report of a run saved under a protocol (AppTest). A ``motmetrics`` run (bundled sample) and a
``classes=1,7`` run (MOT17) cannot be evaluated again with TrackEval's pipeline: the What-if page, the
Overview's what-if gains and input check, the Score sweep and Metrics compared say why
(``reevaluation_refused``) instead of showing numbers under other rules, and the report leaves those
sections out with the same sentence. Runs under iou=0.6, no-preproc and mot20 keep every page."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_pages import open_page

from tracklens.dashboard.cli import main
from tracklens.dashboard.loading import Source
from tracklens.dashboard.report import build_report
from tracklens.dashboard.text import plain
from tracklens.run import reevaluation_refused
from tracklens.workspace import Workspace
from reference import make_trackeval_layout

MOT17_SEQ = "MOT17-09-DPM"
GATED = ("whatif", "sweep", "metrics")


def save(run_dir: Path, gt: Path, trackers: Path, benchmark: str, name: str, *extra: str) -> Path:
    assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trackers), "--benchmark", benchmark,
                 "--quiet", "--protocol", name, "--save", str(run_dir), *extra]) == 0
    return run_dir


def open_run(run_dir: Path, page: str, seq: str, tracker: str) -> AppTest:
    at = open_page(page, source=Source(run_dir=str(run_dir)), timeout=300, seq=seq, tracker=tracker, frame="1")
    assert not at.error, [e.value for e in at.error]
    return at


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def assert_refused_everywhere(run_dir: Path, seq: str, tracker: str) -> str:
    """Every re-evaluating page and report section shows the refusal; returns the sentence."""
    ws = Workspace.load(str(run_dir))
    refused = reevaluation_refused(ws.inputs)
    assert refused
    for page in GATED:
        at = open_run(run_dir, page, seq, tracker)
        assert plain(refused) in infos(at), (page, infos(at))
        assert not at.get("plotly_chart") and not at.dataframe, page  # no numbers under other rules
    at = open_run(run_dir, "overview", seq, tracker)
    assert plain(refused) in infos(at)  # the what-if gains of "What costs each tracker most"
    assert "Input check not run: " + plain(refused) in infos(at)
    assert not [b for b in at.button if b.label.startswith("Compute the what-if gains")]
    assert any(f"Scored under protocol {plain(ws.inputs.protocol)}" in c.value for c in at.caption)
    html = build_report(ws, whatif=True, max_tracks=1)
    escaped = refused.replace("'", "&#x27;")
    assert f"What-if gains are not shown: {escaped}" in html
    assert f"No score sweep: {escaped}" in html
    assert f"input check</th><td>not run ({escaped})" in html
    assert f"<th>protocol</th><td>{ws.inputs.protocol}: " in html and f"--protocol {ws.inputs.protocol}" in html
    return refused


@pytest.fixture(scope="module")
def sample_runs(sample_dir: Path, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("protocol_runs")
    return {name: save(root / name.replace("=", "_"), sample_dir / "gt", sample_dir / "trackers", "MOT15", name)
            for name in ("motmetrics", "iou=0.6", "no-preproc")}


def test_motmetrics_run_refuses_every_reevaluation(sample_runs) -> None:
    refused = assert_refused_everywhere(sample_runs["motmetrics"], "TUD-Campus", "motmetrics_test")
    assert "py-motmetrics 1.4.0" in refused


@pytest.mark.parametrize("name", ["iou=0.6", "no-preproc"])
def test_protocols_in_the_inputs_keep_the_pages(name: str, sample_runs) -> None:
    run_dir = sample_runs[name]
    at = open_run(run_dir, "whatif", "TUD-Campus", "motmetrics_test")
    assert not infos(at) or not any("scored under protocol" in i for i in infos(at))
    assert at.get("plotly_chart") and at.dataframe  # the what-if waterfall and table
    sweep = open_run(run_dir, "sweep", "TUD-Campus", "motmetrics_test")
    assert [b for b in sweep.button if b.label.startswith("Run the sweep")]
    metrics = open_run(run_dir, "metrics", "TUD-Campus", "motmetrics_test")
    assert metrics.dataframe  # read from the run (Metrics compared was saved)
    overview = open_run(run_dir, "overview", "TUD-Campus", "motmetrics_test")
    assert any(f"at IoU {Workspace.load(str(run_dir)).inputs.threshold:g}" in c.value for c in overview.caption)
    assert any("largest what-if gain" in m.value for m in overview.markdown)
    html = build_report(Workspace.load(str(run_dir)), whatif=True, max_tracks=1, score_thresholds="0:0.9:0.3")
    assert "What-if gains are not" not in html and 'class="metrics whatif"' in html
    assert "No score sweep" not in html and f"--protocol {name}" in html
    assert f"CLEAR and Identity use IoU ≥ {Workspace.load(str(run_dir)).inputs.threshold:g}." in html


# ------------------------------------------------------------------------------------------------ MOT17


@pytest.fixture(scope="module")
def mot17(shared_data: Path, tmp_path_factory) -> tuple[Path, Path, Path, Path]:
    root = shared_data / "mot_challenge"
    tmp = tmp_path_factory.mktemp("mot17")
    seqmap = tmp / "one.txt"
    seqmap.write_text(f"name\n{MOT17_SEQ}\n")
    return root / "gt" / "mot_challenge", root / "trackers" / "mot_challenge", seqmap, tmp


@pytest.mark.shared
def test_classes_run_refuses_every_reevaluation(mot17) -> None:
    gt, trackers, seqmap, tmp = mot17
    run_dir = save(tmp / "classes", gt, trackers, "MOT17", "classes=1,7", "--seqmap", str(seqmap),
                   "--trackers", "BoTSORT")
    assert Workspace.load(str(run_dir)).inputs.targets == (1, 7)
    refused = assert_refused_everywhere(run_dir, MOT17_SEQ, "BoTSORT")
    assert "classes=1,7 (ground-truth classes 1, 7 as targets)" in refused


@pytest.mark.shared
def test_mot20_run_keeps_the_pages(mot17) -> None:
    gt, trackers, _, tmp = mot17
    folder = gt / "MOT17-train" / MOT17_SEQ
    spec = {MOT17_SEQ: (folder / "gt" / "gt.txt", folder / "seqinfo.ini",
                        {"BoTSORT": trackers / "MOT17-train" / "BoTSORT" / "data" / f"{MOT17_SEQ}.txt"})}
    mot20_gt, mot20_trackers = make_trackeval_layout(tmp / "mot20_layout", spec, benchmark="MOT20")
    run_dir = save(tmp / "mot20", mot20_gt, mot20_trackers, "MOT20", "mot20")
    assert reevaluation_refused(Workspace.load(str(run_dir)).inputs) is None
    at = open_run(run_dir, "whatif", MOT17_SEQ, "BoTSORT")
    assert at.get("plotly_chart") and at.dataframe
    overview = open_run(run_dir, "overview", MOT17_SEQ, "BoTSORT")
    assert any("Scored under protocol mot20" in c.value.replace("\\", "") for c in overview.caption)
