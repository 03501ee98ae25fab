"""``tracklens speed-map``: the numbers it prints and writes are ``speed_map``'s on the files read
by the VID readers, in both modes; bad input is a clear error."""
from __future__ import annotations

import json

import numpy as np
import pytest

from tracklens.dashboard.cli import main
from tracklens.formats.imagenet_vid import SYNSETS, read_vid_snippet
from tracklens.formats.motchallenge import read_mot_file
from tracklens.metrics.detection import speed_map

# snippet "a": airplane (class 1) A 3 x 3 at xmin 0 in frames 1-2, B (xmin = xmax = 50) in frame 1;
# frame 3 has no object. Detections: one touching A (xmin 3), one exactly on B, a stray in frame 3.
OBJECTS = {0: [(1, 0, 0, 3, 3), (2, 50, 0, 50, 3)], 1: [(1, 0, 0, 3, 3)], 2: []}
RESULT = "1,-1,3,0,3,3,0.9,1\n1,-1,50,0,0,3,0.8,1\n3,-1,200,200,5,5,0.7,1\n"


def write_layout(root):
    snippet = root / "gt" / "a"
    snippet.mkdir(parents=True)
    for f, objs in OBJECTS.items():
        body = "".join(f"<object><trackid>{i}</trackid><name>{SYNSETS[0]}</name><bndbox><xmin>{x0}</xmin>"
                       f"<ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>"
                       for i, x0, y0, x1, y1 in objs)
        (snippet / f"{f:06d}.xml").write_text(f"<annotation><folder>a</folder>{body}</annotation>")
    det = root / "trackers" / "det" / "data"
    det.mkdir(parents=True)
    (det / "a.txt").write_text(RESULT)
    return root / "gt", root / "trackers"


@pytest.mark.parametrize("fgfa", [False, True])
def test_speed_map_command_equals_speed_map(tmp_path, capsys, fgfa) -> None:
    gt_folder, trackers = write_layout(tmp_path)
    out = tmp_path / "speed.json"
    argv = ["speed-map", "--gt-folder", str(gt_folder), "--trackers-folder", str(trackers), "--json", str(out)]
    assert main(argv + (["--fgfa"] if fgfa else [])) == 0
    gt = read_vid_snippet(str(gt_folder / "a"))
    pr = read_mot_file(str(trackers / "det" / "data" / "a.txt"), gt.num_frames, is_gt=False, ids_optional=True)
    want = speed_map({"a": gt}, {"a": pr}, fgfa_compat=fgfa)
    got = json.loads(out.read_text())["det"]
    assert got["fgfa_compat"] is fgfa and got["num_gt"] == want.num_gt
    for b, v in want.map.items():
        assert (got["map"][b] is None) if np.isnan(v) else got["map"][b] == v
    assert got["per_class"]["all"] == {"airplane": want.per_class["all"][1]}
    # FGFA's matching takes both (touching 3 x 3 box, one-pixel-wide box): 2 of 3; tracklens' none
    assert got["map"]["all"] == pytest.approx(2 / 3 if fgfa else 0.0, abs=1e-12)
    printed = capsys.readouterr().out
    assert ("FGFA's vid_eval_motion (--fgfa)" in printed) is fgfa
    assert f"{want.map['all']:.4f}" in printed and "ground truth per bin: all 3" in printed


def test_speed_map_command_refuses_results_without_class(tmp_path, capsys) -> None:
    gt_folder, trackers = write_layout(tmp_path)
    (trackers / "det" / "data" / "a.txt").write_text("1,-1,3,0,3,3,0.9\n")
    code = main(["speed-map", "--gt-folder", str(gt_folder), "--trackers-folder", str(trackers)])
    err = capsys.readouterr().err
    assert code != 0 and "class in column 8" in err and "a.txt" in err
