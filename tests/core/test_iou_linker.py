"""``--link iou``: detections without identities linked frame to frame, and labelled "ids linked by
tracklens" wherever the scores appear (tracker name in the summary, JSON and saved run; the run's
notes; the recorded inputs)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklens.dashboard.cli import main
from tracklens.detections import Detections
from tracklens.errors import InputError
from tracklens.linker import LINK_LABEL, link_iou, linked_name


def _dets(rows: list[tuple[int, int, float, float, float, float]], num_frames: int) -> Detections:
    rows = sorted(rows, key=lambda r: r[0])  # frame-sorted, file order kept inside a frame
    a = np.asarray(rows, float).reshape(-1, 6)
    n = a.shape[0]
    return Detections(frame=a[:, 0].astype(np.int64), id=a[:, 1].astype(np.int64), box=a[:, 2:6].copy(),
                      conf=np.ones(n), cls=np.ones(n, np.int64), vis=np.full(n, np.nan),
                      line=np.arange(1, n + 1), num_frames=num_frames)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal up to renaming the ids: one-to-one in both directions."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@st.composite
def straight_tracks(draw):
    """Objects moving on straight lines (a few pixels a frame), far enough apart never to overlap,
    each alive over one interval of frames."""
    num_frames = draw(st.integers(2, 30))
    rows = []
    for k in range(draw(st.integers(1, 8))):
        start = draw(st.integers(1, num_frames))
        end = draw(st.integers(start, num_frames))
        vx, vy = draw(st.integers(-5, 5)), draw(st.integers(-5, 5))
        w, h = draw(st.integers(20, 60)), draw(st.integers(40, 90))
        x0, y0 = 1000.0 * k, 500.0 * (k % 3)  # lanes 1000 px apart: 30 frames x 5 px never reach the next
        for f in range(start, end + 1):
            rows.append((f, 100 + k, x0 + vx * (f - start), y0 + vy * (f - start), float(w), float(h)))
    order = draw(st.permutations(range(len(rows))))
    return [rows[i] for i in order], num_frames


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(straight_tracks())
def test_linker_recovers_straight_line_tracks(case):
    rows, num_frames = case
    truth = _dets(rows, num_frames)
    unlabelled = Detections(truth.frame, np.full(len(truth), -1), truth.box, truth.conf, truth.cls, truth.vis,
                            truth.line, num_frames)
    linked = link_iou(unlabelled)
    assert _same_partition(linked.id, truth.id)
    assert linked.id.min() == 1 and len(set(linked.id.tolist())) == len(set(truth.id.tolist()))


def test_linker_picks_the_best_overlap_and_breaks_on_a_gap():
    rows = [(1, 0, 0.0, 0.0, 10.0, 10.0), (1, 0, 4.0, 0.0, 10.0, 10.0),
            (2, 0, 3.0, 0.0, 10.0, 10.0),  # IoU 0.54 with the first box, 0.82 with the second
            (4, 0, 3.0, 0.0, 10.0, 10.0)]  # frame 3 is empty: a new track
    linked = link_iou(_dets(rows, 4))
    assert linked.id.tolist() == [1, 2, 2, 3]


def test_linker_keeps_classes_apart():
    d = _dets([(1, 0, 0.0, 0.0, 10.0, 10.0), (2, 0, 0.0, 0.0, 10.0, 10.0)], 2)
    d = Detections(d.frame, d.id, d.box, d.conf, np.array([1, 2]), d.vis, d.line, 2)
    assert link_iou(d).id.tolist() == [1, 2]


# ------------------------------------------------------------------------------------------------
# The command: identities are needed without --link; with it, every output says who linked the ids


def _write_dataset(root: Path) -> tuple[Path, Path]:
    gt = root / "gt" / "S1"
    (gt / "gt").mkdir(parents=True)
    (gt / "seqinfo.ini").write_text("[Sequence]\nname=S1\nseqLength=5\n")
    gt_rows, det_rows = [], []
    for f in range(1, 6):
        for k, x in enumerate((10.0, 300.0)):
            gt_rows.append(f"{f},{k + 1},{x + 3 * f},50,40,80,1,1,1")
            det_rows.append(f"{f},-1,{x + 3 * f + 1},50,40,80,0.9")
    (gt / "gt" / "gt.txt").write_text("\n".join(gt_rows) + "\n")
    trs = root / "trackers" / "det" / "data"
    trs.mkdir(parents=True)
    (trs / "S1.txt").write_text("\n".join(det_rows) + "\n")
    return root / "gt", root / "trackers"


def test_detections_without_ids_say_identities_are_needed(tmp_path, capsys):
    gt, trs = _write_dataset(tmp_path)
    assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trs), "--no-check", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "S1.txt:1: every id is -1: these are detections without identities" in err
    assert "HOTA, CLEAR and Identity (CA-HOTA too)" in err and "--link iou" in err


def test_link_iou_scores_and_labels_everywhere(tmp_path, capsys):
    gt, trs = _write_dataset(tmp_path)
    out, run_dir = tmp_path / "m.json", tmp_path / "run"
    assert main(["eval", "--gt-folder", str(gt), "--trackers-folder", str(trs), "--link", "iou",
                 "--json", str(out), "--save", str(run_dir)]) == 0
    printed = capsys.readouterr()
    name = linked_name("det")
    assert name == f"det ({LINK_LABEL})" and LINK_LABEL == "ids linked by tracklens"
    assert name in printed.out  # the summary table
    assert f"note: S1: {LINK_LABEL} (--link iou" in printed.err
    data = json.loads(out.read_text())
    assert list(data) == [name]
    assert data[name]["COMBINED"]["IDSW"] == 0 and data[name]["COMBINED"]["CLR_TP"] == 10
    assert data[name]["COMBINED"]["HOTA"] > 0.5
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["inputs"]["link"] == "iou"
    assert name in json.dumps(manifest["trackers"] if "trackers" in manifest else manifest)
    report = tmp_path / "report.html"
    assert main(["report", str(run_dir), "-o", str(report)]) == 0
    html = report.read_text(encoding="utf-8")
    assert name in html  # the report's tables name the linked tracker
    assert "ids linked by tracklens (--link iou: frame-to-frame Hungarian" in html and "--link iou" in html


def test_link_is_refused_where_it_does_not_apply(tmp_path):
    gt, trs = _write_dataset(tmp_path)
    with pytest.raises(InputError, match="--link works with --format mot, imagenet_vid or tao"):
        from tracklens.run import RunInputs, resolve_inputs
        resolve_inputs(RunInputs(str(gt), str(trs), "kitti", link="iou"))
