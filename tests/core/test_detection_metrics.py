"""Video-detection metrics (core/metrics/detection.py, core/metrics/track_map.py).

* Hand-made cases with the answer worked out by hand in the comments (AP: VOC all-point, VOC07,
  COCO 101-point; the three mAP aggregations; speed-stratified mAP; Average Delay; Track-mAP).
* pycocotools parity (test dependency): our dataset-level COCO mAP must equal pycocotools'
  AP@[.5:.95] to 1e-9 on generated cases and on the real TUD sequences; the sequence- and
  frame-averaged numbers must equal pycocotools run on each sequence / frame alone.
* TrackEval parity: our Track-mAP vs ``trackeval.metrics.TrackMAP`` fed the same track dicts
  (built here independently, row by row, the way TrackEval's TAO loader builds them).

Real-data tests use the ``shared_data`` fixture (skip locally without ../shared/data, fail under
CI=true).
"""
from __future__ import annotations

import contextlib
import io
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest

for _name, _alias in (("float", float), ("int", int)):  # TrackEval 1.3.0 needs none; older ones these two
    if _name not in np.__dict__:
        setattr(np, _name, _alias)

from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402
from trackeval.metrics import TrackMAP  # noqa: E402

import tracklens  # noqa: E402
from tracklens.detections import Detections  # noqa: E402
from tracklens.formats.motchallenge import read_mot_file  # noqa: E402
from tracklens.metrics.detection import (  # noqa: E402
    average_delay, coco_ap, detection_map, detection_report, motion_iou, speed_bin_mask, speed_map,
    voc07_ap, voc_ap,
)
from tracklens.metrics.track_map import LABELS, track_map  # noqa: E402

TOL = 1e-12
TUD = (("TUD-Campus", 71), ("TUD-Stadtmitte", 179))


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------

def dets(rows, num_frames: int | None = None) -> Detections:
    """Detections from (frame, id, x, y, w, h, conf[, cls]) rows, frame-sorted (stable)."""
    rows = [tuple(r) + ((1,) if len(r) == 7 else ()) for r in rows]
    if not rows:
        return Detections.empty(num_frames or 1)
    a = np.array(rows, dtype=float)
    o = np.argsort(a[:, 0], kind="stable")
    a = a[o]
    n = a.shape[0]
    return Detections(
        frame=a[:, 0].astype(np.int64), id=a[:, 1].astype(np.int64), box=a[:, 2:6].copy(), conf=a[:, 6].copy(),
        cls=a[:, 7].astype(np.int64), vis=np.full(n, np.nan), line=(o + 1).astype(np.int64),
        num_frames=int(num_frames or a[:, 0].max()),
    )


def close(a, b) -> bool:
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=TOL))


def with_scores(d: Detections, conf: np.ndarray) -> Detections:
    return Detections(d.frame, d.id, d.box, np.asarray(conf, float), d.cls, d.vis, d.line, d.num_frames,
                      d.source)


def box(x: float, y: float = 0.0, w: float = 10.0, h: float = 10.0) -> tuple:
    return (x, y, w, h)


def coco_objects(gt_by_seq: dict, pr_by_seq: dict, agnostic: bool):
    """pycocotools' COCO ground truth and results for the same data: one image per frame (ids in
    sorted-sequence, frame order), annotations and results in row order, ids from 1."""
    images, anns, results, image_of = [], [], [], {}
    for name in sorted(gt_by_seq):
        gt, pr = gt_by_seq[name], pr_by_seq[name]
        for f in range(1, max(gt.num_frames, pr.num_frames) + 1):
            images.append({"id": len(images) + 1})
            image_of[name, f] = len(images)
        cat = (lambda c: 1) if agnostic else (lambda c: int(c) + 100)
        for r in range(len(gt)):
            b = [float(v) for v in gt.box[r]]
            anns.append({"id": len(anns) + 1, "image_id": image_of[name, int(gt.frame[r])],
                         "category_id": cat(gt.cls[r]), "bbox": b, "area": b[2] * b[3], "iscrowd": 0})
        for r in range(len(pr)):
            results.append({"image_id": image_of[name, int(pr.frame[r])], "category_id": cat(pr.cls[r]),
                            "bbox": [float(v) for v in pr.box[r]], "score": float(pr.conf[r])})
    cats = sorted({a["category_id"] for a in anns})
    with contextlib.redirect_stdout(io.StringIO()):
        cg = COCO()
        cg.dataset = {"images": images, "annotations": anns, "categories": [{"id": c} for c in cats]}
        cg.createIndex()
        cd = cg.loadRes(results)
    return cg, cd, image_of


def coco_eval(cg, cd) -> COCOeval:
    """pycocotools with its defaults: ``stats[0]`` is AP@[.5:.95] (area all, maxDets 100)."""
    with contextlib.redirect_stdout(io.StringIO()):
        ev = COCOeval(cg, cd, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev


def coco_map_of_images(cg, cd, img_ids) -> float:
    """pycocotools' AP@[.5:.95] on some images only. Only the area range 'all' and maxDets 100 are
    evaluated (what ``stats[0]`` reads), and ``stats[0]``'s formula is applied to the result."""
    with contextlib.redirect_stdout(io.StringIO()):
        ev = COCOeval(cg, cd, "bbox")
        ev.params.imgIds = sorted(img_ids)
        ev.params.areaRng, ev.params.areaRngLbl, ev.params.maxDets = [[0 ** 2, 1e5 ** 2]], ["all"], [100]
        ev.evaluate()
        ev.accumulate()
    p = ev.eval["precision"]
    return float(np.mean(p[p > -1])) if np.any(p > -1) else -1.0


def assert_coco_parity(gt_by_seq: dict, pr_by_seq: dict, *, agnostic: bool, levels: bool = True,
                       max_dets: int | None = None) -> None:
    """Dataset-level (and, with ``levels``, sequence- and frame-averaged) COCO mAP vs pycocotools."""
    ours = detection_map(gt_by_seq, pr_by_seq, class_agnostic=agnostic, max_dets_per_frame=max_dets)
    cg, cd, image_of = coco_objects(gt_by_seq, pr_by_seq, agnostic)
    ev = coco_eval(cg, cd)
    assert abs(ours.dataset_level.coco - ev.stats[0]) < 1e-9
    assert abs(ours.dataset_level.coco_50 - ev.stats[1]) < 1e-9
    assert abs(ours.dataset_level.coco_75 - ev.stats[2]) < 1e-9
    prec = ev.eval["precision"][:, :, :, 0, 2]  # area all, maxDets 100
    for t in range(prec.shape[0]):
        p = prec[t]
        assert abs(ours.dataset_level.coco_per_iou[t] - p[p > -1].mean()) < 1e-9
    if not levels:
        return
    seq_vals = []
    for name in sorted(gt_by_seq):
        imgs = [i for (s, _), i in image_of.items() if s == name]
        if len(gt_by_seq[name]):
            v = coco_map_of_images(cg, cd, imgs)
            seq_vals.append(v)
            assert abs(ours.per_sequence[name].coco - v) < 1e-9
    assert abs(ours.sequence_averaged.coco - np.mean(seq_vals)) < 1e-9
    frame_vals = []
    for (name, f), img in image_of.items():
        if np.any(gt_by_seq[name].frame == f):
            frame_vals.append(coco_map_of_images(cg, cd, [img]))
    assert abs(ours.frame_averaged.coco - np.mean(frame_vals)) < 1e-9


def read_tud(shared: Path, seq: str, n: int, tracker: str) -> tuple[Detections, Detections]:
    folder = shared / "MOT15-TUD" / seq
    gt = read_mot_file(str(folder / "gt" / "gt.txt"), n, is_gt=True)
    pr = read_mot_file(str(folder / "trackers" / f"{tracker}.txt"), n, is_gt=False)
    return gt, pr


# ----------------------------------------------------------------------------------------------
# AP formulas on one curve, by hand
# ----------------------------------------------------------------------------------------------

def test_ap_formulas_by_hand() -> None:
    # 5 detections by score: TP FP TP FP FP, 3 ground truths.
    # cumTP 1 1 2 2 2, cumFP 0 1 1 2 3 -> rec 1/3 1/3 2/3 2/3 2/3, prec 1 1/2 2/3 1/2 2/5
    # precision envelope (max to the right): 1 2/3 2/3 1/2 2/5
    rec = np.array([1, 1, 2, 2, 2]) / 3
    prec = np.array([1, 1 / 2, 2 / 3, 1 / 2, 2 / 5])
    # VOC all-point: recall steps 1/3 (at env 1) and 1/3 (at env 2/3): 1/3 + 2/9 = 5/9
    assert abs(voc_ap(rec, prec) - 5 / 9) < TOL
    # VOC07: r = 0, .1, .2, .3 -> 1 (4 points); r = .4, .5, .6 -> 2/3 (3 points); r >= .7 -> 0
    # (4 + 3 * 2/3) / 11 = 6/11
    assert abs(voc07_ap(rec, prec) - 6 / 11) < TOL
    # COCO: r = 0.00..0.33 (34 points) -> 1; r = 0.34..0.66 (33) -> 2/3; r = 0.67..1.00 (34) -> 0
    # (34 + 33 * 2/3) / 101 = 56/101
    assert abs(coco_ap(rec, prec) - 56 / 101) < TOL
    assert coco_ap(np.zeros(0), np.zeros(0)) == 0.0


def five_detections_case() -> tuple[dict, dict]:
    """One frame, 3 ground truths G1..G3; detections by score: 0.9 on G1 (TP), 0.8 far away (FP),
    0.7 on G2 (TP), 0.6 on G1 again (FP: G1 taken), 0.5 far away (FP); G3 is missed."""
    gt = dets([(1, 1, *box(0), 1), (1, 2, *box(100), 1), (1, 3, *box(200), 1)])
    pr = dets([(1, 10, *box(0), 0.9), (1, 11, *box(500), 0.8), (1, 12, *box(100), 0.7),
               (1, 13, *box(0), 0.6), (1, 14, *box(700), 0.5)])
    return {"s": gt}, {"s": pr}


def test_detection_map_five_detections_by_hand() -> None:
    gt, pr = five_detections_case()
    r = detection_map(gt, pr)
    # same curve as test_ap_formulas_by_hand; every IoU is 1 or 0, so all 10 thresholds agree
    for level in (r.dataset_level, r.sequence_averaged, r.frame_averaged):
        assert abs(level.voc - 5 / 9) < TOL
        assert abs(level.voc07 - 6 / 11) < TOL
        assert abs(level.coco - 56 / 101) < TOL
        assert abs(level.coco_50 - 56 / 101) < TOL and abs(level.coco_75 - 56 / 101) < TOL
    assert r.num_gt == 3 and r.num_detections == 5
    assert_coco_parity(gt, pr, agnostic=False)


def test_iou_threshold_dependence_by_hand() -> None:
    # gt (0,0,10,10), detection (0,0,10,7.8): IoU = 78/100 = 0.78 -> TP at 0.50..0.75 (6 of the 10
    # thresholds), FP at 0.80..0.95 -> AP 1 six times, 0 four times -> mAP@[.5:.95] = 6/10
    gt = {"s": dets([(1, 1, 0, 0, 10, 10, 1)])}
    pr = {"s": dets([(1, 1, 0, 0, 10, 7.8, 0.9)])}
    r = detection_map(gt, pr)
    assert abs(r.dataset_level.coco - 0.6) < TOL
    # (precision is TP / (TP + FP + spacing(1)) as in pycocotools: 1 - 2e-16 for a perfect list)
    assert close(r.dataset_level.coco_per_iou, [1.0] * 6 + [0.0] * 4)
    assert close(r.dataset_level.coco_50, 1.0) and close(r.dataset_level.coco_75, 1.0)
    assert_coco_parity(gt, pr, agnostic=False)


def test_greedy_takes_best_free_gt_by_hand() -> None:
    # boxes are 10 high at y=0; x-extents: g1 [0,10], g2 [4,14]; d1 (0.9) [0,10], d2 (0.8) [1,11].
    # IoU(d1,g1)=1, IoU(d2,g1)=9/11=.818, IoU(d2,g2)=7/13=.538. COCO: d1 takes g1, d2 takes the best
    # FREE gt with IoU >= t: g2 at t=0.50 (TP), nothing at t>=0.55 (FP). (VOC's rule would make d2 a
    # duplicate FP at every threshold.)
    # t=0.50: 2 TP / 2 gt -> AP 1. t>=0.55: TP then FP -> rec 1/2 1/2, prec 1 1/2 -> COCO: r=0..0.50
    # (51 points) -> 1, rest 0 -> 51/101. mAP = (1 + 9 * 51/101) / 10 = 56/101
    gt = {"s": dets([(1, 1, 0, 0, 10, 10, 1), (1, 2, 4, 0, 10, 10, 1)])}
    pr = {"s": dets([(1, 1, 0, 0, 10, 10, 0.9), (1, 2, 1, 0, 10, 10, 0.8)])}
    r = detection_map(gt, pr)
    assert close(r.dataset_level.coco_50, 1.0)
    assert abs(r.dataset_level.coco_per_iou[1] - 51 / 101) < TOL
    assert abs(r.dataset_level.coco - 56 / 101) < TOL
    assert_coco_parity(gt, pr, agnostic=False)


def aggregation_case() -> tuple[dict, dict]:
    """Sequence A: frame 1 gt a1 + det 0.9 on it; frame 2 gt a2 + det 0.4 far away + det 0.3 on a2.
    Sequence B: frame 1 gt b1 + det 0.6 far away + det 0.5 on b1; frame 2 gt b2, no detection."""
    a = dets([(1, 1, *box(0), 1), (2, 1, *box(0), 1)])
    a_pr = dets([(1, 1, *box(0), 0.9), (2, 2, *box(300), 0.4), (2, 1, *box(0), 0.3)])
    b = dets([(1, 1, *box(0), 1), (2, 1, *box(0), 1)])
    b_pr = dets([(1, 2, *box(300), 0.6), (1, 1, *box(0), 0.5)], num_frames=2)
    return {"A": a, "B": b}, {"A": a_pr, "B": b_pr}


def test_three_aggregations_by_hand() -> None:
    gt, pr = aggregation_case()
    r = detection_map(gt, pr)
    # Dataset level, one list: 0.9 TP, 0.6 FP, 0.5 TP, 0.4 FP, 0.3 TP; 4 gt.
    #   rec 1/4 1/4 1/2 1/2 3/4; prec 1 1/2 2/3 1/2 3/5; envelope 1 2/3 2/3 3/5 3/5
    #   VOC = 1/4 (1 + 2/3 + 3/5) = 17/30
    #   VOC07: r=0,.1,.2 -> 1; r=.3,.4,.5 -> 2/3; r=.6,.7 -> 3/5; r>=.8 -> 0: (3 + 2 + 6/5)/11 = 31/55
    #   COCO: r=0..0.25 (26 points) -> 1; 0.26..0.50 (25) -> 2/3; 0.51..0.75 (25) -> 3/5; rest 0
    #         (26 + 50/3 + 15) / 101 = 173/303
    assert abs(r.dataset_level.voc - 17 / 30) < TOL
    assert abs(r.dataset_level.voc07 - 31 / 55) < TOL
    assert abs(r.dataset_level.coco - 173 / 303) < TOL
    # Sequence A: 0.9 TP, 0.4 FP, 0.3 TP; 2 gt: rec 1/2 1/2 1; prec 1 1/2 2/3; env 1 2/3 2/3
    #   VOC = 1/2 + 1/2 * 2/3 = 5/6; COCO = (51 + 50 * 2/3) / 101 = 253/303
    # Sequence B: 0.6 FP, 0.5 TP; 2 gt: rec 0 1/2; prec 0 1/2; env 1/2 1/2
    #   VOC = 1/2 * 1/2 = 1/4; COCO: r=0..0.50 (51 points) -> 1/2 -> 51/202
    assert abs(r.per_sequence["A"].voc - 5 / 6) < TOL and abs(r.per_sequence["A"].coco - 253 / 303) < TOL
    assert abs(r.per_sequence["B"].voc - 1 / 4) < TOL and abs(r.per_sequence["B"].coco - 51 / 202) < TOL
    # sequence-averaged: VOC (5/6 + 1/4)/2 = 13/24; COCO (253/303 + 51/202)/2 = 659/1212
    assert abs(r.sequence_averaged.voc - 13 / 24) < TOL
    assert abs(r.sequence_averaged.coco - 659 / 1212) < TOL
    # frames: A1 (TP) 1; A2 (FP then TP, 1 gt) 1/2; B1 (FP then TP) 1/2; B2 (missed) 0 -> mean 1/2
    assert abs(r.frame_averaged.voc - 1 / 2) < TOL and abs(r.frame_averaged.coco - 1 / 2) < TOL
    assert (r.dataset_level.units, r.sequence_averaged.units, r.frame_averaged.units) == (1, 2, 4)
    table = r.to_pandas()
    assert list(table.index) == ["dataset_level", "sequence_averaged", "frame_averaged"]
    assert abs(table.loc["sequence_averaged", "mAP_coco"] - 659 / 1212) < TOL
    assert list(r.per_sequence_to_pandas().index) == ["A", "B"]
    assert_coco_parity(gt, pr, agnostic=False)


def test_frames_without_gt_are_invisible_to_frame_average() -> None:
    gt, pr = aggregation_case()
    extra = dict(pr)
    a = pr["A"]
    # one more false positive at the top score in a frame of A without ground truth (frame 3)
    extra["A"] = dets([(int(f), int(i), *b, c) for f, i, b, c in zip(a.frame, a.id, a.box, a.conf)]
                      + [(3, 9, *box(0), 0.99)], num_frames=3)
    gt3 = dict(gt)
    gt3["A"] = Detections(gt["A"].frame, gt["A"].id, gt["A"].box, gt["A"].conf, gt["A"].cls, gt["A"].vis,
                          gt["A"].line, 3)
    base, more = detection_map(gt3, pr), detection_map(gt3, extra)
    assert more.frame_averaged == base.frame_averaged  # the FP is in no frame's ranking
    assert more.dataset_level.coco < base.dataset_level.coco
    assert more.sequence_averaged.coco < base.sequence_averaged.coco
    assert_coco_parity(gt3, extra, agnostic=False)


def test_score_ties_keep_sequence_and_frame_order() -> None:
    # equal scores: one FP in sequence "a", one TP in sequence "b" (one gt in each); the pooled list
    # keeps sorted sequence order whatever the dict order: FP first -> rec 0 1/2, prec 0 1/2 ->
    # VOC 1/2 * 1/2 = 1/4 (TP first would give rec 1/2 1/2, prec 1 1/2 -> 1/2)
    gt = {"b": dets([(1, 1, *box(0), 1)]), "a": dets([(1, 1, *box(0), 1)])}
    pr = {"b": dets([(1, 1, *box(0), 0.5)]), "a": dets([(1, 1, *box(300), 0.5)])}
    r = detection_map(gt, pr)
    assert abs(r.dataset_level.voc - 1 / 4) < TOL
    assert_coco_parity(gt, pr, agnostic=False)


def test_classes_and_empty_inputs() -> None:
    # class 2 has no ground truth: its predictions are not evaluated (COCO); class 1 perfect.
    gt = {"s": dets([(1, 1, *box(0), 1, 1), (1, 2, *box(100), 1, 3)])}
    pr = {"s": dets([(1, 1, *box(0), 0.9, 1), (1, 2, *box(300), 0.95, 2), (1, 3, *box(100), 0.8, 3)])}
    r = detection_map(gt, pr)
    assert r.classes == (1, 3) and close(r.dataset_level.coco, 1.0)
    # class-agnostic: the class-2 box becomes a top-scored FP: rec 0 1/2 1; prec 0 1/2 2/3;
    # envelope 2/3 2/3 2/3 -> VOC = 1/2 * 2/3 + 1/2 * 2/3 = 2/3
    ra = detection_map(gt, pr, class_agnostic=True)
    assert abs(ra.dataset_level.voc - 2 / 3) < TOL
    assert_coco_parity(gt, pr, agnostic=False)
    assert_coco_parity(gt, pr, agnostic=True)
    # no predictions: AP 0; no ground truth at all: NaN
    assert detection_map(gt, {}).dataset_level.coco == 0.0
    empty = detection_map({"s": Detections.empty(3)}, {"s": pr["s"]})
    assert np.isnan(empty.dataset_level.coco) and np.isnan(empty.frame_averaged.coco)
    with pytest.raises(ValueError):
        detection_map(gt, {"other": pr["s"]})


# ----------------------------------------------------------------------------------------------
# pycocotools parity on generated data
# ----------------------------------------------------------------------------------------------

def random_case(seed: int, num_seqs: int = 3, frames: int = 6, classes: tuple = (1, 2), per_frame: int = 6):
    rng = np.random.default_rng(seed)
    gts, prs = {}, {}
    for s in range(num_seqs):
        g_rows, p_rows = [], []
        for f in range(1, frames + 1):
            n = rng.integers(0, per_frame + 1)
            centres = rng.uniform(0, 60, size=(n, 2))  # crowded: many overlaps and contested matches
            for i in range(n):
                w, h = rng.uniform(5, 25, size=2).round(1)
                c = int(rng.choice(classes))
                g_rows.append((f, i + 1, *centres[i].round(1), w, h, 1, c))
                for _ in range(rng.integers(0, 3)):
                    jit = rng.normal(0, 3, size=4).round(1)
                    p_rows.append((f, len(p_rows) + 1, centres[i][0] + jit[0], centres[i][1] + jit[1],
                                   max(w + jit[2], 1), max(h + jit[3], 1), float(rng.integers(0, 10)) / 10,
                                   c if rng.uniform() < 0.9 else int(rng.choice(classes))))
            for _ in range(rng.integers(0, 3)):  # clutter
                p_rows.append((f, len(p_rows) + 1, *rng.uniform(0, 80, 2).round(1), *rng.uniform(5, 25, 2).round(1),
                               float(rng.integers(0, 10)) / 10, int(rng.choice(classes))))
        gts[f"seq{s}"] = dets(g_rows, frames)
        prs[f"seq{s}"] = dets(p_rows, frames)
    return gts, prs


@pytest.mark.parametrize("seed", range(6))
def test_pycocotools_parity_generated(seed: int) -> None:
    gts, prs = random_case(seed)
    assert_coco_parity(gts, prs, agnostic=False)
    assert_coco_parity(gts, prs, agnostic=True, levels=False)


def test_pycocotools_parity_max_dets() -> None:
    # 130 detections in one frame: pycocotools keeps the top 100 (maxDets); so does max_dets_per_frame=100
    rng = np.random.default_rng(7)
    g_rows = [(1, i + 1, 30.0 * i, 0, 10, 10, 1) for i in range(60)]
    p_rows = [(1, i + 1, 30.0 * (i % 60) + rng.normal(0, 2), 0, 10, 10, float(rng.uniform())) for i in range(130)]
    gt, pr = {"s": dets(g_rows)}, {"s": dets(p_rows)}
    assert_coco_parity(gt, pr, agnostic=True, max_dets=100)
    capped = detection_map(gt, pr, max_dets_per_frame=100)
    uncapped = detection_map(gt, pr)
    assert capped.num_detections == 100 and uncapped.num_detections == 130


@pytest.mark.shared
@pytest.mark.parametrize("tracker", ["masa", "masa-hung-kf-OcclusionAware", "motmetrics_test"])
def test_pycocotools_parity_tud(shared_data: Path, tracker: str) -> None:
    rng = np.random.default_rng(11)
    gts, prs = {}, {}
    for seq, n in TUD:
        gt, pr = read_tud(shared_data, seq, n, tracker)
        gts[seq], prs[seq] = gt, pr
        # one sequence: the file's scores (all tied), a random score with ties, the box height
        for k, conf in enumerate((pr.conf, np.round(rng.uniform(size=len(pr)), 2), pr.box[:, 3])):
            assert_coco_parity({seq: gt}, {seq: with_scores(pr, conf)}, agnostic=True, levels=k == 1)
    # both sequences at once (pooled over sequences; sequence- and frame-averaged)
    prs = {k: with_scores(v, np.round(rng.uniform(size=len(v)), 2)) for k, v in prs.items()}
    assert_coco_parity(gts, prs, agnostic=True)


# ----------------------------------------------------------------------------------------------
# speed-stratified mAP
# ----------------------------------------------------------------------------------------------

def test_motion_iou_by_hand() -> None:
    # moving object: x = 0, 5, 10 (10x10 boxes): IoU(f1,f2) = IoU(f2,f3) = 50/150 = 1/3, IoU(f1,f3) = 0
    # window 10: f1 mean(1/3, 0) = 1/6, f2 mean(1/3, 1/3) = 1/3, f3 = 1/6; window 1: 1/3 each
    # static object: 1.0; one-frame object: NaN; object at frames 1 and 3 only: window 10 -> 1/3
    # each (the missing frame 2 is skipped, not counted as 0), window 1 -> NaN (no neighbour)
    gt = dets([(1, 1, *box(0), 1), (2, 1, *box(5), 1), (3, 1, *box(10), 1),
               (1, 2, *box(100), 1), (2, 2, *box(100), 1), (3, 2, *box(100), 1),
               (2, 3, *box(200), 1),
               (1, 4, *box(300), 1), (3, 4, *box(305), 1)])
    m = motion_iou(gt)
    got = {(int(f), int(i)): v for f, i, v in zip(gt.frame, gt.id, m)}
    assert abs(got[1, 1] - 1 / 6) < TOL and abs(got[2, 1] - 1 / 3) < TOL and abs(got[3, 1] - 1 / 6) < TOL
    assert got[1, 2] == got[2, 2] == got[3, 2] == 1.0
    assert np.isnan(got[2, 3])
    assert abs(got[1, 4] - 1 / 3) < TOL and abs(got[3, 4] - 1 / 3) < TOL
    m1 = {(int(f), int(i)): v for f, i, v in zip(gt.frame, gt.id, motion_iou(gt, window=1))}
    assert abs(m1[1, 1] - 1 / 3) < TOL and abs(m1[3, 1] - 1 / 3) < TOL and np.isnan(m1[1, 4])


def test_speed_bin_edges() -> None:
    m = np.array([0.69, 0.7, 0.9, 0.91, np.nan, 0.0, 1.0])
    assert speed_bin_mask(m, "fast").tolist() == [True, False, False, False, False, True, False]
    assert speed_bin_mask(m, "medium").tolist() == [False, True, True, False, False, False, False]
    assert speed_bin_mask(m, "slow").tolist() == [False, False, False, True, False, False, True]
    # FGFA's code: closed on both ends, 0.7 and 0.9 fall in two bins
    assert speed_bin_mask(m, "fast", True).tolist() == [True, True, False, False, False, True, False]
    assert speed_bin_mask(m, "medium", True).tolist() == [False, True, True, False, False, False, False]
    assert speed_bin_mask(m, "slow", True).tolist() == [False, False, True, True, False, False, True]


def speed_case() -> tuple[dict, dict]:
    """Frames 1-3. Slow: S (static, frames 1-3) and X (static, frames 2-3); fast: F (x = 0, 5, 10,
    motion 1/6, 1/3, 1/6). Detections: 0.9 on S1 | 0.85 far away in frame 2 | 0.8 on F1 |
    0.75 in frame 3 next to F3 (IoU 0.25 with F3, 0 with the rest) | 0.7 on S2."""
    gt = dets([(1, 1, *box(100, 100), 1), (2, 1, *box(100, 100), 1), (3, 1, *box(100, 100), 1),
               (2, 3, *box(200, 200), 1), (3, 3, *box(200, 200), 1),
               (1, 2, *box(0), 1), (2, 2, *box(5), 1), (3, 2, *box(10), 1)])
    pr = dets([(1, 1, *box(100, 100), 0.9), (2, 2, *box(400, 400), 0.85), (1, 3, *box(0), 0.8),
               (3, 4, *box(16), 0.75), (2, 5, *box(100, 100), 0.7)])
    return {"s": gt}, {"s": pr}


def test_speed_map_by_hand() -> None:
    gt, pr = speed_case()
    r = speed_map(gt, pr)
    assert r.num_gt == {"all": 8, "slow": 5, "medium": 0, "fast": 3}
    # all: TP FP TP FP TP over 8 gt: rec 1/8 1/8 2/8 2/8 3/8; prec 1 1/2 2/3 1/2 3/5
    #   VOC = 1/8 (1 + 2/3 + 3/5) = 17/60 (= the dataset-level VOC AP50 of detection_map)
    assert abs(r.map["all"] - 17 / 60) < TOL
    assert abs(detection_map(gt, pr).dataset_level.voc - 17 / 60) < TOL
    # slow (5 gt): 0.9 TP | 0.85: frame 2 holds S2, X2 (slow) and F2 (fast), best IoU 0 with both ->
    #   tie -> FP = in-bin share 2/3 | 0.8 matched to F1 (out of bin): neither | 0.75: IoU 0.25 with
    #   out-of-bin F3 > 0 with S3, X3 -> FP 0 | 0.7 TP.
    #   cumTP 1 1 1 1 2, cumFP 0 2/3 2/3 2/3 2/3 -> rec 1/5 .. 2/5, prec 1 3/5 3/5 3/5 3/4
    #   VOC = 1/5 * 1 + 1/5 * 3/4 = 7/20
    assert abs(r.map["slow"] - 7 / 20) < TOL
    # fast (3 gt): 0.9 matched to S1: neither | 0.85 tie -> FP 1/3 | 0.8 TP | 0.75 closer to F3 (in
    #   bin) -> FP 1 | 0.7 neither. cumTP 0 0 1 1 1, cumFP 0 1/3 1/3 4/3 4/3 -> at the TP:
    #   rec 1/3, prec 1/(4/3) = 3/4 -> VOC = 1/3 * 3/4 = 1/4
    assert abs(r.map["fast"] - 1 / 4) < TOL
    assert np.isnan(r.map["medium"])
    # FGFA's tie rule charges the share OUT of the bin: slow 1/3 -> prec 2/(2 + 1/3) = 6/7 ->
    # 1/5 + 1/5 * 6/7 = 13/35. FGFA's matching on top: the 10 x 10 boxes are 11 x 11 pixels, their
    # IoU threshold 121/441 (small object), and 0.75 meets F3 at IoU 5*11 / (121 + 121 - 55) = 55/187
    # >= 121/441: a TP in fast (a match out of the bin in slow: neither, as before). fast: 0.85 tie
    # -> FP 2/3 | 0.8 TP | 0.75 TP: rec 1/3, 2/3, prec 3/5, 3/4 -> 1/3 * 3/4 + 1/3 * 3/4 = 1/2
    f = speed_map(gt, pr, fgfa_compat=True)
    assert abs(f.map["slow"] - 13 / 35) < TOL and abs(f.map["fast"] - 1 / 2) < TOL
    table = r.to_pandas()
    assert list(table.index) == ["all", "slow", "medium", "fast"] and table.loc["slow", "num_gt"] == 5


def test_speed_map_empty_frame_weight() -> None:
    # frames 1-2: static S (slow) and moving M (x = 0, 5: motion 1/3, fast); frame 3 has no gt.
    # slow (2 gt): 0.95 in empty frame 3 -> FP = share of ALL gt in the bin = 2/4; 0.9 on S1 TP.
    # cumTP 0 1, cumFP 1/2 1/2 -> rec 0 1/2, prec 0 2/3 -> VOC = 1/2 * 2/3 = 1/3
    gt = {"s": dets([(1, 1, *box(100), 1), (2, 1, *box(100), 1), (1, 2, *box(0), 1), (2, 2, *box(5), 1)], 3)}
    pr = {"s": dets([(3, 1, *box(500), 0.95), (1, 2, *box(100), 0.9)], 3)}
    assert abs(speed_map(gt, pr).map["slow"] - 1 / 3) < TOL
    # FGFA's motion table adds a motion IoU 0 (fast) for the empty frame: share 2/5 -> prec 1/(7/5)
    # -> VOC = 1/2 * 5/7 = 5/14
    assert abs(speed_map(gt, pr, fgfa_compat=True).map["slow"] - 5 / 14) < TOL


# ----------------------------------------------------------------------------------------------
# Average Delay
# ----------------------------------------------------------------------------------------------

def delay_case() -> tuple[dict, dict]:
    """Frames 1-10, 20 gt boxes: A frames 1-10, B frames 3-10, C frames 5-6.
    Detections (all exact boxes): A at 0.9 in frames 2-10; B at 0.4 in frames 3-6 and at 0.8 in
    frames 7-10; C never. False positives far away: 3 at 0.95, 2 at 0.6, 4 at 0.3."""
    g = [(f, 1, *box(0), 1) for f in range(1, 11)] + [(f, 2, *box(100), 1) for f in range(3, 11)] + \
        [(f, 3, *box(200), 1) for f in (5, 6)]
    p = [(f, 1, *box(0), 0.9) for f in range(2, 11)] + [(f, 2, *box(100), 0.4) for f in range(3, 7)] + \
        [(f, 2, *box(100), 0.8) for f in range(7, 11)]
    p += [(1, 90 + k, *box(500 + 20 * k), c) for k, c in enumerate([0.95] * 3 + [0.6] * 2 + [0.3] * 4)]
    return {"s": dets(g)}, {"s": dets(p)}


def test_average_delay_by_hand() -> None:
    gt, pr = delay_case()
    r = average_delay(gt, pr)
    # FP ratio = cumulative FP / 20. Ranked: 3 FP (0.95) -> 0.15, first > 0.1 at the 2nd... no: after
    # the 3rd FP it is 0.15 > 0.1 (after the 2nd 0.10, not > 0.1) -> tau(0.1) = 0.95. Then 9 TP (0.9),
    # 4 TP (0.8), 2 FP (0.6): ratio 0.25 > 0.2 at the 5th FP -> tau(0.2) = 0.6. 4 TP (0.4), 4 FP (0.3):
    # ratio 0.45 > 0.4 at the 9th FP -> tau(0.4) = 0.3. 9 FP never exceed 0.8*20 = 16 -> -inf.
    assert r.score_thresholds == (0.95, 0.6, 0.3, -np.inf, -np.inf, -np.inf)
    # tau 0.95: no true detection kept -> A never: 10-1 = 9, B: 10-3 = 7, C: 6-5 = 1 -> mean 17/3
    # tau 0.6: A first at 2 -> 1, B first at 7 -> 4, C 1 -> mean 2
    # tau <= 0.3: A 1, B 0, C 1 -> mean 2/3
    expect = [F(17, 3), F(2), F(2, 3), F(2, 3), F(2, 3), F(2, 3)]
    assert np.allclose(r.mean_delays, [float(x) for x in expect], atol=TOL)
    # AD = 1 / mean(1/(D+1)) - 1 = 1 / ((3/20 + 1/3 + 4 * 3/5) / 6) - 1 = 360/173 - 1 = 187/173
    ad = 1 / (sum(1 / (x + 1) for x in expect) / 6) - 1
    assert ad == F(187, 173)
    assert abs(r.average_delay - 187 / 173) < TOL
    assert r.detected == (0, 2, 2, 2, 2, 2) and r.num_tracks == 3
    assert r.track_delays[0].tolist() == [9, 7, 1] and r.track_delays[1].tolist() == [1, 4, 1]
    assert list(r.to_pandas()["mean_delay"].round(9)) == [round(float(x), 9) for x in expect]
    assert r.tracks_to_pandas().shape == (3, 5 + 6)


def test_average_delay_last_frame_off_by_one() -> None:
    # VMetrics scans range(max frame): frame 10 is never looked at. A is then frames 1-9 (never
    # detected: 8), B 3-9 (6), C 1 -> tau 0.95: 15/3 = 5; the other operating points as before.
    # AD = 1 / ((1/6 + 1/3 + 4 * 3/5) / 6) - 1 = 60/29 - 1 = 31/29
    gt, pr = delay_case()
    r = average_delay(gt, pr, skip_last_frame=True)
    assert abs(r.mean_delays[0] - 5) < TOL and abs(r.mean_delays[1] - 2) < TOL
    assert abs(r.average_delay - 31 / 29) < TOL


def test_average_delay_clip_and_strict_iou() -> None:
    # an object over frames 1-50, never detected: delay 49, clipped to 30 -> AD 30
    gt = {"s": dets([(f, 1, *box(0), 1) for f in range(1, 51)])}
    r = average_delay(gt, {})
    assert r.track_delays[:, 0].tolist() == [49] * 6 and r.average_delay == 30.0
    # IoU exactly 0.5 (box (0,0,10,5) on (0,0,10,10)) does not count as detected (IoU > 0.5), the
    # full box in frame 2 does -> delay 1 at every operating point -> AD 1
    gt = {"s": dets([(f, 1, *box(0), 1) for f in (1, 2, 3)])}
    pr = {"s": dets([(1, 1, 0, 0, 10, 5, 0.9), (2, 1, *box(0), 0.8)])}
    r = average_delay(gt, pr)
    assert r.mean_delays == (1.0,) * 6 and r.average_delay == 1.0
    # the FP-ratio matching is VOC's: a second box on an already matched gt is a false positive
    pr = {"s": dets([(1, 1, *box(0), 0.9), (1, 2, *box(0), 0.8)])}
    gt = {"s": dets([(1, 1, *box(0), 1), (2, 1, *box(0), 1)])}
    r = average_delay(gt, pr, fp_ratios=(0.4,))  # 1 FP / 2 gt = 0.5 > 0.4 at the duplicate
    assert r.score_thresholds == (0.8,)


# ----------------------------------------------------------------------------------------------
# Track-mAP
# ----------------------------------------------------------------------------------------------

def te_track_data(gt: Detections, pr: Detections, gt_cls, pr_cls, c) -> dict:
    """TrackEval's TrackMAP input for one sequence and class, built as TrackEval's TAO loader does:
    tracks in order of first appearance, boxes keyed by frame, area = mean w*h (Python sum),
    length = number of boxes, score = np.mean of the box scores, predicted tracks sorted by score."""
    def tracks(d: Detections, cls_col):
        order, rows = [], {}
        for r in range(len(d)):
            if cls_col[r] != c:
                continue
            i = int(d.id[r])
            if i not in rows:
                rows[i] = []
                order.append(i)
            rows[i].append(r)
        boxes = [{int(d.frame[r]) - 1: np.atleast_1d(d.box[r].astype(float)) for r in rows[i]} for i in order]
        areas = [sum(float(d.box[r][2] * d.box[r][3]) for r in rows[i]) / len(rows[i]) for i in order]
        lengths = [len(rows[i]) for i in order]
        scores = [np.mean([float(d.conf[r]) for r in rows[i]]) for i in order]
        return order, boxes, areas, lengths, scores
    gi, gb, ga, gl, _ = tracks(gt, gt_cls)
    di, db, da, dl, ds = tracks(pr, pr_cls)
    idx = np.argsort([-s for s in ds], kind="mergesort")
    return {"gt_track_ids": gi, "gt_tracks": gb, "gt_track_areas": ga, "gt_track_lengths": gl,
            "dt_track_ids": [di[i] for i in idx], "dt_tracks": [db[i] for i in idx],
            "dt_track_areas": [da[i] for i in idx], "dt_track_lengths": [dl[i] for i in idx],
            "dt_track_scores": [ds[i] for i in idx], "iou_type": "bbox", "not_exhaustively_labeled": False}


def trackeval_track_map(gt_by_seq: dict, pr_by_seq: dict, agnostic: bool) -> dict:
    metric = TrackMAP({"PRINT_CONFIG": False})
    cls = (lambda d: np.zeros(len(d), np.int64)) if agnostic else (lambda d: d.cls)
    classes = sorted({int(c) for d in list(gt_by_seq.values()) + list(pr_by_seq.values()) for c in cls(d)})
    per_class = {}
    for c in classes:
        res = {}
        for seq in sorted(gt_by_seq):
            g = gt_by_seq[seq]
            p = pr_by_seq.get(seq, Detections.empty(g.num_frames))
            res[seq] = metric.eval_sequence(te_track_data(g, p, cls(g), cls(p), c))
        per_class[c] = metric.combine_sequences(res)
    return metric.combine_classes_class_averaged(per_class)


def assert_track_map_parity(gt_by_seq: dict, pr_by_seq: dict, agnostic: bool) -> None:
    ref = trackeval_track_map(gt_by_seq, pr_by_seq, agnostic)
    ours = track_map(gt_by_seq, pr_by_seq, class_agnostic=agnostic).fields()
    for key, value in ours.items():
        np.testing.assert_allclose(value, ref[key], rtol=0, atol=1e-12, err_msg=key)


def test_track_map_by_hand() -> None:
    # gt track (10x10 boxes) over frames 1-10; predicted track = the same boxes over frames 1-9:
    # track IoU = 900 / 1000 = 0.9 exactly. Thresholds are np.arange(0.5, 0.96, 0.05): 0.50 ... 0.85
    # pass; 0.9000000000000004 - eps > 0.9 fails (TrackEval's float drift) and so does 0.95
    # -> AP 1 at 8 thresholds, 0 at 2 -> Track-mAP 0.8
    gt = {"s": dets([(f, 1, *box(0), 1) for f in range(1, 11)])}
    pr = {"s": dets([(f, 3, *box(0), 0.7) for f in range(1, 10)])}
    r = track_map(gt, pr)
    assert close(r.ap["all"], [1.0] * 8 + [0.0] * 2) and abs(r.track_map - 0.8) < TOL
    assert close(r.ap_at(0.5), 1.0) and r.ap_at(0.9) == 0.0
    # mean area 100 <= 32^2 -> area_s only; gt length 10 is in time_m [3, 10] and time_l [10, 1e5]
    assert r.ap["area_s"].tolist() == r.ap["all"].tolist()
    assert r.ap["area_m"].tolist() == [-1.0] * 10 and r.ap["time_s"].tolist() == [-1.0] * 10
    assert r.ap["time_m"].tolist() == r.ap["time_l"].tolist() == r.ap["all"].tolist()
    assert np.isnan(r.to_pandas().loc["area_l", "AP"])
    assert_track_map_parity(gt, pr, agnostic=False)
    # track IoU over the union of frames: prediction = frames 2-5 (frame 5 after the gt ends) on a
    # gt over frames 1-4: intersection 3 * 100, union 100 (gt only) + 300 + 100 (pred only) -> 0.6,
    # which passes 0.6000000000000001 - eps: TP at 0.50, 0.55, 0.60 -> Track-mAP 0.3
    gt = {"s": dets([(f, 1, *box(0), 1) for f in range(1, 5)])}
    pr = {"s": dets([(f, 1, *box(0), 0.5) for f in range(2, 6)], 5)}
    assert close(track_map(gt, pr).ap["all"], [1.0] * 3 + [0.0] * 7)
    assert_track_map_parity(gt, pr, agnostic=False)


def test_track_map_id0_quirk() -> None:
    # gt tracks g1, g2; predicted: id 0 (0.9) = g1, id 7 (0.8) = g1 again, id 8 (0.7) = g2.
    # TrackEval marks g1 with the predicted id 0 and tests "> 0": g1 still looks free, so id 7 is a
    # TP too: 3 TP / 2 gt -> AP 1, AR 1.5. Without the quirk id 7 is a FP: rec 1/2 1/2 1,
    # prec 1 1/2 2/3, env 1 2/3 2/3 -> COCO (51 + 50 * 2/3) / 101 = 253/303, AR 1.
    gt = {"s": dets([(f, 1, *box(0), 1) for f in (1, 2, 3)] + [(f, 2, *box(100), 1) for f in (1, 2, 3)])}
    pr = {"s": dets([(f, 0, *box(0), 0.9) for f in (1, 2, 3)] + [(f, 7, *box(0), 0.8) for f in (1, 2, 3)]
                    + [(f, 8, *box(100), 0.7) for f in (1, 2, 3)])}
    q = track_map(gt, pr)
    assert close(q.ap["all"], [1.0] * 10) and q.ar["all"].tolist() == [1.5] * 10
    fixed = track_map(gt, pr, id0_quirk=False)
    assert np.allclose(fixed.ap["all"], 253 / 303, atol=TOL, rtol=0) and fixed.ar["all"].tolist() == [1.0] * 10
    assert_track_map_parity(gt, pr, agnostic=False)


@pytest.mark.parametrize("seed", range(4))
def test_track_map_parity_generated(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    gts, prs = {}, {}
    for s in range(3):
        frames = 12
        g_rows, p_rows = [], []
        for tid in range(1, rng.integers(2, 6)):
            c = int(rng.choice([1, 2]))
            start, end = sorted(rng.integers(1, frames + 1, size=2))
            x, y, w, h = rng.uniform(0, 200), rng.uniform(0, 100), rng.uniform(10, 120), rng.uniform(10, 120)
            vx = rng.normal(0, 3)
            for f in range(start, end + 1):
                g_rows.append((f, tid, x + vx * f, y, w, h, 1, c))
            # predictions: fragments of the gt track (ids may be 0), jittered, with per-box scores
            for k in range(rng.integers(0, 3)):
                pid = int(rng.integers(0, 15))
                a, b = sorted(rng.integers(start, end + 1, size=2))
                for f in range(a, b + 1):
                    if any(r[0] == f and r[1] == pid for r in p_rows):
                        continue
                    j = rng.normal(0, 4, size=4)
                    p_rows.append((f, pid, x + vx * f + j[0], y + j[1], max(w + j[2], 1), max(h + j[3], 1),
                                   float(rng.integers(0, 5)) / 4, c))
        gts[f"seq{s}"] = dets(g_rows, frames)
        prs[f"seq{s}"] = dets(p_rows, frames)
    assert_track_map_parity(gts, prs, agnostic=False)
    assert_track_map_parity(gts, prs, agnostic=True)


@pytest.mark.shared
@pytest.mark.parametrize("tracker", ["masa", "masa-hung-kf-OcclusionAware", "motmetrics_test"])
def test_track_map_parity_tud(shared_data: Path, tracker: str) -> None:
    rng = np.random.default_rng(3)
    gts, prs = {}, {}
    for seq, n in TUD:
        gt, pr = read_tud(shared_data, seq, n, tracker)
        gts[seq] = gt
        prs[seq] = with_scores(pr, np.round(rng.uniform(size=len(pr)), 1))
        assert_track_map_parity({seq: gt}, {seq: pr}, agnostic=True)  # the file's scores
    assert_track_map_parity(gts, prs, agnostic=True)


# ----------------------------------------------------------------------------------------------
# the comparison table
# ----------------------------------------------------------------------------------------------

def test_detection_report() -> None:
    gt, pr = aggregation_case()
    table = tracklens.detection_report(gt, pr)
    assert tracklens.detection_report is detection_report
    assert list(table.columns) == ["metric", "value", "better", "ignores"]
    assert table.shape[0] == 11 and table["ignores"].str.len().min() > 10
    v = dict(zip(table["metric"], table["value"]))
    assert abs(v["mAP@[.5:.95] dataset-level (COCO 101-pt)"] - 173 / 303) < TOL
    assert abs(v["mAP@[.5:.95] sequence-averaged"] - 659 / 1212) < TOL
    assert abs(v["mAP@[.5:.95] frame-averaged"] - 1 / 2) < TOL
    assert "identities entirely" in table.loc[2, "ignores"]
    assert set(table["better"]) == {"higher", "lower"}


@pytest.mark.shared
def test_tud_campus_numbers(shared_data: Path) -> None:
    """The TUD-Campus numbers quoted in docs/detection_metrics.md (motmetrics_test, box height as
    the score), and the pooled != sequence-averaged effect with TUD-Stadtmitte added."""
    gts, prs = {}, {}
    for seq, n in TUD:
        gt, pr = read_tud(shared_data, seq, n, "motmetrics_test")
        gts[seq], prs[seq] = gt, with_scores(pr, pr.box[:, 3])
    campus = ({"TUD-Campus": gts["TUD-Campus"]}, {"TUD-Campus": prs["TUD-Campus"]})
    r = detection_map(*campus, class_agnostic=True)
    assert r.dataset_level.coco == pytest.approx(0.24518424354396307, abs=1e-9)
    assert r.sequence_averaged.coco == r.dataset_level.coco  # one sequence: the same list
    assert r.frame_averaged.coco == pytest.approx(0.2747338818388881, abs=1e-9)
    both = detection_map(gts, prs, class_agnostic=True)
    assert (round(both.dataset_level.coco, 4), round(both.sequence_averaged.coco, 4),
            round(both.frame_averaged.coco, 4)) == (0.1905, 0.2095, 0.2161)
    report = detection_report(*campus).set_index("metric")["value"]
    assert np.isnan(report["mAP50 slow motion (motion IoU > 0.9)"])  # every Campus object moves fast
    assert report["Average Delay (frames)"] == pytest.approx(4.125)
    assert report["Track-mAP@[.5:.95] (TrackEval)"] == pytest.approx(
        track_map(*campus, class_agnostic=True).track_map)
    assert set(LABELS) == set(track_map(*campus, class_agnostic=True).to_pandas().index)
