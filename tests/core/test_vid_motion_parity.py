"""ImageNet VID slow / medium / fast mAP vs FGFA's own evaluation code (`vid_eval_motion` of
msracver/Flow-Guided-Feature-Aggregation f01243e, vendored test-only in tests/reference_vid, see its
PROVENANCE.md): per class and mean over classes, for the unstratified list and the three motion
bins, to 1e-9, on generated cases and worked ones. No real VID sample is shipped (none found in a
public repository, see docs/detection_metrics.md §3).

Both sides read the same files: the ground truth is written as ILSVRC2015 snippet folders (one
Pascal-VOC XML per frame, integer corners), which tracklens reads with its VID reader and FGFA with
its own `parse_vid_rec` (so its +1-pixel box sides and small-object thresholds come from the XML
as on real data). Detections go to FGFA's text format as VOC corners (x, y, x + w, y + h), the
convention of the reader; motion IoUs to its MATLAB file from `motion_iou_by_definition` (FGFA's
paper: the mean IoU with the same instance in frames t-10..t+10; FGFA ships the values, not the
code that computed them), -1 for a box without neighbour (NaN in tracklens: in no speed bin), and
the unstratified list is evaluated over [-1, 1] instead of FGFA's [0, 1] so that those boxes count.

FGFA's code is compared with `speed_map(..., fgfa_compat=True)`: its closed bin edges, its
out-of-bin tie share, and its matching (+1-pixel IoU, threshold min(0.5, wh / ((w + 10)(h + 10)))
per ground truth, the first ground truth on equal IoUs). The generator covers all three (small
boxes, exact IoU ties between two free ground truths whose choice changes the result; touching and
zero-width boxes in a worked case); breaking any one of them in tracklens makes the test fail.
"""
from __future__ import annotations

import contextlib
import io
import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io as sio
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from reference_vid.fgfa.imagenet_vid_eval_motion import vid_eval_motion

from tracklens.detections import Detections
from tracklens.formats.imagenet_vid import SYNSETS, read_vid_snippet
from tracklens.metrics.detection import coco_iou, fgfa_iou, fgfa_thresholds, motion_iou, speed_map

SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TOL = 1e-9
BINS = ("all", "fast", "medium", "slow")
FGFA_RANGES = {"all": [-1.0, 1.0], "fast": [0.0, 0.7], "medium": [0.7, 0.9], "slow": [0.9, 1.0]}


def detections(rows: list[tuple], num_frames: int) -> Detections:
    """Detections from (frame, id, x, y, w, h, conf, cls) rows, kept in the given order."""
    if not rows:
        return Detections.empty(num_frames)
    a = np.array(rows, dtype=float)
    n = a.shape[0]
    return Detections(frame=a[:, 0].astype(np.int64), id=a[:, 1].astype(np.int64), box=a[:, 2:6].copy(),
                      conf=a[:, 6].copy(), cls=a[:, 7].astype(np.int64), vis=np.full(n, np.nan),
                      line=np.arange(1, n + 1), num_frames=num_frames)


def box_iou(a, b) -> float:
    """Plain IoU of two xywh boxes (area = w * h)."""
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def motion_iou_by_definition(gt: Detections, window: int = 10) -> list[float]:
    """FGFA's definition, one loop per box: the mean IoU with the boxes of the same id in the other
    frames t-window..t+window; NaN when there is none."""
    out = []
    for i in range(len(gt)):
        v = [box_iou(gt.box[i], gt.box[j]) for j in range(len(gt))
             if j != i and gt.id[j] == gt.id[i] and gt.frame[j] != gt.frame[i]
             and abs(int(gt.frame[j]) - int(gt.frame[i])) <= window]
        out.append(float(np.mean(v)) if v else float("nan"))
    return out


def run_reference(root: Path, gt_by_seq: dict, pr_by_seq: dict, classes: list[int]) -> dict:
    """FGFA's per-class AP (-1 for a class without ground truth in the bin) per bin. Its
    ``parse_vid_rec`` reads the snippet XML under ``root/VID`` (written by ``write_snippets``) into
    its annotation cache; detections are written as VOC corners (x, y, x + w, y + h) in FGFA's text
    format; motion IoUs from ``motion_iou_by_definition`` in its MATLAB cell layout."""
    label = {c: k + 1 for k, c in enumerate(classes)}
    imageset, mats, det_lines = [], [], []
    for name in sorted(gt_by_seq):
        gt, pr = gt_by_seq[name], pr_by_seq[name]
        motion = np.nan_to_num(np.array(motion_iou_by_definition(gt)), nan=-1.0)
        for f in range(1, gt.num_frames + 1):
            img = len(imageset)
            imageset.append(f"{name}/{f - 1:06d} {img}")
            g = motion[gt.frame == f]  # a frame without ground truth: one empty entry, as in FGFA's .mat
            mats.append(g.reshape(-1, 1) if g.size else np.zeros((1, 0)))
            for k in np.flatnonzero(pr.frame == f):
                x, y, w, h = (float(v) for v in pr.box[k])
                det_lines.append(f"{img} {label.get(int(pr.cls[k]), len(classes) + 1)} {float(pr.conf[k])!r} "
                                 f"{x!r} {y!r} {x + w!r} {y + h!r}\n")
    cell = np.empty((len(mats), 1), dtype=object)
    for i, m in enumerate(mats):
        cell[i, 0] = m
    names = ["__background__"] + [SYNSETS[c - 1] for c in classes] + ["no_gt"]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "imageset.txt").write_text("\n".join(imageset) + "\n")
        (t / "dets.txt").write_text("".join(det_lines))
        sio.savemat(t / "motion_iou.mat", {"motion_iou": cell})
        with contextlib.redirect_stdout(io.StringIO()):
            ap = vid_eval_motion(False, str(t / "dets.txt"), str(root / "{}.xml"), str(t / "imageset.txt"), names,
                                 str(t / "annocache.pkl"), str(t / "motion_iou.mat"),
                                 [FGFA_RANGES[b] for b in BINS], [[0, 1e5 * 1e5]], ovthresh=0.5)
    return {b: ap[i][0] for i, b in enumerate(BINS)}


def reference_map(per_class: np.ndarray) -> float:
    """FGFA's printed 'Mean AP@0.5': the mean over classes with AP >= 0."""
    v = [x for x in per_class if x >= 0]
    return float(np.mean(v)) if v else float("nan")


def assert_parity(gt_by_seq: dict, pr_by_seq: dict) -> dict:
    """The ground truth written as snippet XML; FGFA reads the files, tracklens reads them with its
    VID reader; both evaluate the same predictions."""
    classes = sorted({int(c) for g in gt_by_seq.values() for c in g.cls})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        gt_by_seq = through_vid_reader(gt_by_seq, root / "VID")
        ref = run_reference(root, gt_by_seq, pr_by_seq, classes)
    ours = speed_map(gt_by_seq, pr_by_seq, fgfa_compat=True)
    for b in BINS:
        want = {c: ref[b][k] for k, c in enumerate(classes) if ref[b][k] >= 0}
        got = ours.per_class[b]
        assert set(got) == set(want), (b, got, want)
        for c in want:
            assert abs(got[c] - want[c]) <= TOL, (b, c, got[c], want[c])
        m = reference_map(ref[b])
        assert (np.isnan(m) and np.isnan(ours.map[b])) or abs(ours.map[b] - m) <= TOL, (b, ours.map[b], m)
    return ours.map


# ----------------------------------------------------------------------------------------------
# generated cases
# ----------------------------------------------------------------------------------------------

@st.composite
def vid_case(draw):
    """1-2 snippets of 2-14 frames; objects of two classes, 3-60 pixels wide and tall (many under
    FGFA's small-object size), at integer corners as VID XML has them, moving by a few pixels per
    frame (every speed bin occurs), with gaps and one-frame objects; some with a same-class twin
    shifted by 2 or 4 pixels (moving along, or a new one-frame object each frame) and a prediction
    half-way between (an exact IoU tie between two free ground truths), sometimes followed by one on
    the first (it gets what the tie left); predictions: jittered copies of ground truth (some relabelled, some dropped)
    and stray boxes, scores from a small set (ties)."""
    gt_by_seq, pr_by_seq = {}, {}
    for s in range(draw(st.integers(1, 2))):
        n = draw(st.sampled_from([2, 3, 5, 8, 12, 14]))  # longer than the +-10 window too
        gt_rows, pr_rows = [], []
        for tid in range(1, draw(st.integers(1, 4)) + 1):
            cls = draw(st.integers(1, 2))
            x, y = draw(st.integers(0, 60)), draw(st.integers(0, 60))
            w, h = draw(st.sampled_from([3, 5, 8, 12, 20, 30, 45, 60])), draw(st.integers(3, 50))
            dx, dy = draw(st.sampled_from([0, 0, 1, -1, 2, -3, 5])), draw(st.sampled_from([0, 0, 1, -2]))
            twin = draw(st.sampled_from([0, 0, 0, 2, 4]))
            twin_moves = draw(st.booleans())  # else a new one-frame twin per frame: no motion IoU
            first = draw(st.integers(1, n))
            last = draw(st.integers(first, n))
            for f in range(first, last + 1):
                if draw(st.integers(0, 7)) == 0:
                    continue  # not annotated in this frame
                b = (x + dx * (f - first), y + dy * (f - first), w + draw(st.sampled_from([0, 0, 0, 1, -1])), h)
                gt_rows.append((f, tid, *b, 1.0, cls))
                if twin:
                    gt_rows.append((f, tid + 10 if twin_moves else 100 + 20 * tid + f, b[0] + twin, *b[1:], 1.0, cls))
                if twin and draw(st.integers(0, 2)):
                    pr_rows.append((f, 0, b[0] + twin // 2, *b[1:], 0.9, cls))
                    if draw(st.booleans()):  # a second, lower one on the first: takes what the tie left
                        pr_rows.append((f, 0, *b, draw(st.sampled_from([0.5, 0.9])), cls))
                elif draw(st.integers(0, 3)):
                    j = [draw(st.integers(-3, 3)) for _ in range(2)]
                    c = cls if draw(st.integers(0, 4)) else 3 - cls
                    pr_rows.append((f, 0, b[0] + j[0], b[1] + j[1], b[2], b[3],
                                    draw(st.sampled_from([0.3, 0.5, 0.5, 0.7, 0.9])), c))
        for _ in range(draw(st.integers(0, 4))):  # strays, some far from everything (FP ties)
            far = draw(st.sampled_from([0, 0, 400]))
            pr_rows.append((draw(st.integers(1, n)), 0, far + draw(st.integers(0, 90)), draw(st.integers(0, 90)),
                            draw(st.integers(3, 40)), draw(st.integers(3, 40)),
                            draw(st.sampled_from([0.2, 0.5, 0.7])), draw(st.integers(1, 3))))
        gt_rows.sort(key=lambda r: r[0])
        pr_rows.sort(key=lambda r: r[0])
        gt_by_seq[f"ILSVRC2015_val_{s:08d}"] = detections(gt_rows, n)
        pr_by_seq[f"ILSVRC2015_val_{s:08d}"] = detections(pr_rows, n)
    return gt_by_seq, pr_by_seq


def through_vid_reader(gt_by_seq: dict, root: Path) -> dict:
    """The ground truth written as ILSVRC2015 snippet folders (one Pascal-VOC XML per frame, with
    trackid and synset; xmax = x + w as the reader reads it) and read back with tracklens' reader."""
    out = {}
    for name, gt in gt_by_seq.items():
        folder = root / name
        folder.mkdir(parents=True)
        for f in range(1, gt.num_frames + 1):
            objects = "".join(
                f"<object><trackid>{i}</trackid><name>{SYNSETS[c - 1]}</name><bndbox><xmin>{x:g}</xmin>"
                f"<ymin>{y:g}</ymin><xmax>{x + w:g}</xmax><ymax>{y + h:g}</ymax></bndbox><occluded>0</occluded>"
                f"<generated>0</generated></object>"
                for i, (x, y, w, h), c in zip(gt.id[gt.frame == f], gt.box[gt.frame == f], gt.cls[gt.frame == f]))
            (folder / f"{f - 1:06d}.xml").write_text(
                f"<annotation><folder>{name}</folder><filename>{f - 1:06d}</filename><size><width>1280</width>"
                f"<height>720</height></size>{objects}</annotation>")
        read = read_vid_snippet(str(folder))
        assert read.num_frames == gt.num_frames
        for field in ("frame", "id", "box", "cls"):
            np.testing.assert_array_equal(getattr(read, field), getattr(gt, field))
        out[name] = read
    return out


def fgfa_decisions(gt_by_seq: dict, pr_by_seq: dict) -> set[str]:
    """Which of FGFA's own matching rules the case exercises: a prediction with two same-class
    ground truths of equal IoU over their thresholds, or a small object whose threshold (< 0.5)
    decides a pair, or a pair whose match needs FGFA's +1-pixel IoU."""
    out = set()
    for name, gt in gt_by_seq.items():
        pr = pr_by_seq[name]
        thr = fgfa_thresholds(gt.box)
        for k in range(len(pr)):
            g = np.flatnonzero((gt.frame == pr.frame[k]) & (gt.cls == pr.cls[k]))
            box = np.repeat(pr.box[k:k + 1], g.size, axis=0)
            v = fgfa_iou(box, gt.box[g])
            ok = v >= thr[g]
            if np.unique(v[ok]).size < ok.sum():
                out.add("IoU tie")
            if np.any(ok & (v < 0.5)):
                out.add("small-object threshold")
            if np.any(ok != (coco_iou(box, gt.box[g]) >= 0.5)):
                out.add("+1 pixel")
    return out


@settings(max_examples=150, **SETTINGS)
@given(vid_case())
def test_speed_map_matches_fgfa_generated(case) -> None:
    gt_by_seq, pr_by_seq = case
    assume(sum(len(p) for p in pr_by_seq.values()) > 0)  # the reference indexes the first detection
    assume(sum(len(g) for g in gt_by_seq.values()) > 0)  # and divides by the number of ground truths
    for d in sorted(fgfa_decisions(gt_by_seq, pr_by_seq)):
        event(d)
    got = assert_parity(gt_by_seq, pr_by_seq)
    event("defined bins: " + " ".join(b for b in BINS if not np.isnan(got[b])))


@settings(max_examples=60, **SETTINGS)
@given(vid_case())
def test_motion_iou_matches_definition_generated(case) -> None:
    for gt in case[0].values():
        np.testing.assert_allclose(motion_iou(gt), motion_iou_by_definition(gt), rtol=0, atol=1e-12)


def test_fgfa_edges_and_tie_share_by_hand() -> None:
    """A motion IoU of exactly 0.9 (in medium and in slow in FGFA's code) and a stray detection in a
    frame whose ground truth is in two bins (FGFA charges the share out of the bin): the reference
    and tracklens agree on the values worked out here, and the default mode differs as documented."""
    # A, C static (motion 1, slow); B moves 1 px at width 19: IoU 18*10 / (190 + 190 - 180) = 0.9
    gt = detections([(1, 1, 0, 0, 10, 10, 1, 1), (1, 2, 50, 0, 19, 10, 1, 1), (1, 3, 100, 0, 10, 10, 1, 1),
                     (2, 1, 0, 0, 10, 10, 1, 1), (2, 2, 51, 0, 19, 10, 1, 1), (2, 3, 100, 0, 10, 10, 1, 1)], 3)
    # 0.9 on A1 | 0.8 stray in frame 2 | 0.7 on B2 | 0.6 stray in frame 3 (no ground truth)
    pr = detections([(1, 0, 0, 0, 10, 10, 0.9, 1), (2, 0, 200, 200, 10, 10, 0.8, 1),
                     (2, 0, 51, 0, 19, 10, 0.7, 1), (3, 0, 300, 300, 10, 10, 0.6, 1)], 3)
    assert motion_iou(gt)[1] == 0.9
    got = assert_parity({"s": gt}, {"s": pr})
    # all 6 gt: TP FP TP FP -> 1/6 * 1 + 1/6 * 2/3 = 5/18; FGFA: B is slow too, so slow = all.
    # medium (B1, B2): 0.8 ties at IoU 0 -> share out of the bin in frame 2 = 2/3; 0.6 in the empty
    # frame -> share of all gt in the bin = 2/6: cumTP 0 0 1 1, cumFP 0 2/3 2/3 1 -> 1/2 * 3/5 = 3/10
    assert got["all"] == pytest.approx(5 / 18, abs=TOL) and got["slow"] == pytest.approx(5 / 18, abs=TOL)
    assert got["medium"] == pytest.approx(3 / 10, abs=TOL) and np.isnan(got["fast"])
    # default: B is medium only, ties charge the in-bin share: medium 0.8 -> 1/3 -> 1/2 * 3/4 = 3/8;
    # slow (A, C): 0.9 TP, 0.8 -> 2/3, 0.7 on B2 neither, 0.6 -> 4/6: 1/4 * 1 = 1/4
    default = speed_map({"s": gt}, {"s": pr}).map
    assert default["medium"] == pytest.approx(3 / 8, abs=TOL) and default["slow"] == pytest.approx(1 / 4, abs=TOL)


def test_fgfa_small_touching_boxes_by_hand() -> None:
    """Boxes that only touch (xmin of one = xmax of the other in the XML) share a pixel column for
    FGFA, and a box with xmin = xmax is one pixel wide. A (3 x 3: xmin 0, xmax 3, 4 x 4 pixels) has
    the threshold 16 / 196; a prediction at xmin 3 meets it at IoU 1 * 4 / (16 + 16 - 4) = 1/7,
    above it: a TP. B (xmin = xmax = 50, one frame, no motion IoU) is hit exactly: IoU 1, a TP.
    FGFA: all = 2/3 (2 of 3 ground truths), slow (A's two boxes; the match to B counts neither)
    = 1/2; the default mode (continuous IoU, 0.5) matches nothing: all = 0."""
    gt = detections([(1, 1, 0, 0, 3, 3, 1, 1), (1, 2, 50, 0, 0, 3, 1, 1), (2, 1, 0, 0, 3, 3, 1, 1)], 2)
    pr = detections([(1, 0, 3, 0, 3, 3, 0.9, 1), (1, 0, 50, 0, 0, 3, 0.8, 1)], 2)
    assert fgfa_iou(pr.box, gt.box[:2]).tolist() == pytest.approx([1 / 7, 1.0], abs=1e-15)
    assert fgfa_thresholds(gt.box[:2]).tolist() == pytest.approx([16 / 196, 4 / 154], abs=1e-15)
    got = assert_parity({"s": gt}, {"s": pr})
    assert got["all"] == pytest.approx(2 / 3, abs=TOL) and got["slow"] == pytest.approx(1 / 2, abs=TOL)
    assert speed_map({"s": gt}, {"s": pr}).map["all"] == 0.0
