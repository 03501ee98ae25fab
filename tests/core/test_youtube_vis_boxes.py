"""YouTube-VIS / OVIS JSON on boxes (``--format youtube_vis``) vs TrackEval 1.3.0's ``YouTubeVIS``.

TrackEval's ``YouTubeVIS`` scores masks only, so the reference here is that class with its mask
steps replaced by box steps and nothing else: ``BoxYouTubeVIS`` below reads each track's per-frame
boxes where the class reads masks, computes TrackEval's own box IoU (``_calculate_box_ious``) in
place of mask IoU, and skips the mask areas (Track-mAP only). Its loading (sequence names and
lengths from ``file_names``, every category a class, per-frame presence, track order, tracker ids
from a global counter) and its preprocessing (none) are TrackEval's. Every HOTA / CLEAR /
Identity / Count field must agree (floats to 1e-9, counts exactly) per class x video, per class
combined and for both class combinations.
"""
from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from core_cases import field_mismatches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import install_numpy_shim

install_numpy_shim()
import trackeval  # noqa: E402
from trackeval.datasets.youtube_vis import YouTubeVIS  # noqa: E402

from tracklens.errors import InputError  # noqa: E402
from tracklens.evaluate import COMBINED, evaluate  # noqa: E402
from tracklens.formats.layouts import resolve_dataset  # noqa: E402

EVAL_CONFIG = {
    "USE_PARALLEL": False, "BREAK_ON_ERROR": True, "RETURN_ON_ERROR": False, "LOG_ON_ERROR": None,
    "PRINT_RESULTS": False, "PRINT_ONLY_COMBINED": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False,
    "DISPLAY_LESS_PROGRESS": True, "OUTPUT_SUMMARY": False, "OUTPUT_EMPTY_CLASSES": False,
    "OUTPUT_DETAILED": False, "PLOT_CURVES": False,
}
CATEGORIES = [{"id": 1, "name": "person"}, {"id": 6, "name": "sedan"}, {"id": 17, "name": "train"}]
COMBOS = ("cls_comb_cls_av", "cls_comb_det_av")


class BoxYouTubeVIS(YouTubeVIS):
    """TrackEval's YouTubeVIS with boxes where it has masks (see the module docstring)."""

    def _prepare_gt_annotations(self):
        for track in self.gt_data["annotations"]:
            track["area"] = 0

    def _get_tracker_seq_tracks(self, tracker, seq_id):
        tracks = [ann for ann in self.tracker_data[tracker] if ann["video_id"] == seq_id]
        for track in tracks:
            track["area"] = 0
            track["id"] = self.global_tid_counter
            self.global_tid_counter += 1
        return tracks

    def _calculate_similarities(self, gt_dets_t, tracker_dets_t):
        return self._calculate_box_ious(np.asarray(gt_dets_t, float).reshape(-1, 4),
                                        np.asarray(tracker_dets_t, float).reshape(-1, 4))


def trackeval_vis(root: Path) -> dict:
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
               trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
    with contextlib.redirect_stdout(io.StringIO()):
        ds = BoxYouTubeVIS({"GT_FOLDER": f"{root}/gt/", "TRACKERS_FOLDER": f"{root}/te/", "SPLIT_TO_EVAL": "x",
                            "OUTPUT_FOLDER": None, "PRINT_CONFIG": False})
        output, _ = trackeval.Evaluator(EVAL_CONFIG).evaluate([ds], metrics)
    res = output[ds.get_name()]
    return {tr: {seq: {c: {k: v for m in bm.values() for k, v in m.items()} for c, bm in by_cls.items()}
                 for seq, by_cls in by_seq.items()} for tr, by_seq in res.items()}


def write_split(root: Path, gt: dict, results: dict[str, list]) -> tuple[Path, Path]:
    """Ours (``bboxes``) under gt/youtube_vis_x and tr/youtube_vis_x; TrackEval's copy (boxes where it reads
    ``segmentations``) under te/youtube_vis_x."""
    g = root / "gt" / "youtube_vis_x"
    g.mkdir(parents=True)
    # one file for both: tracklens reads 'bboxes', TrackEval's class reads 'segmentations'
    (g / "train.json").write_text(json.dumps({**gt, "annotations": [{**a, "segmentations": a["bboxes"]}
                                                                    for a in gt["annotations"]]}))
    for name, tracks in results.items():
        for side, entries in (("tr", tracks), ("te", [{**t, "segmentations": t["bboxes"]} for t in tracks])):
            d = root / side / "youtube_vis_x" / name / "data"
            d.mkdir(parents=True)
            (d / "results.json").write_text(json.dumps(entries))
    return g, root / "tr" / "youtube_vis_x"


@st.composite
def vis_split(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    videos, anns, results = [], [], {"A": [], "B": []}
    for v in range(1, draw(st.integers(1, 3)) + 1):
        n = draw(st.integers(1, 6))
        videos.append({"id": v, "width": 640, "height": 480, "length": n,
                       "file_names": [f"vid{v:04d}/{5 * t:05d}.jpg" for t in range(n)]})
        objects = []
        for k in range(draw(st.integers(0, 3))):
            cat = draw(st.sampled_from([1, 6, 17]))
            x, y = draw(st.integers(0, 30)) * 10.0, draw(st.integers(0, 20)) * 10.0
            w, h = draw(st.integers(2, 8)) * 10.0, draw(st.integers(2, 8)) * 10.0
            boxes = [[x + 6.0 * t, y, w, h] if draw(st.integers(0, 4)) else None for t in range(n)]
            objects.append((cat, boxes))
            anns.append({"id": len(anns) + 1, "video_id": v, "category_id": cat, "iscrowd": 0, "height": 480,
                         "width": 640, "bboxes": boxes, "areas": [b[2] * b[3] if b else None for b in boxes]})
        for name, res in results.items():
            for cat, boxes in objects:
                tcat = cat if draw(st.integers(0, 4)) else draw(st.sampled_from([1, 6, 17]))
                split_at = draw(st.integers(0, n))
                parts = [(0, split_at), (split_at, n)] if draw(st.booleans()) else [(0, n)]
                for a, b in parts:
                    track = []
                    for t in range(n):
                        box = boxes[t] if a <= t < b else None
                        if box is not None and draw(st.integers(0, 5)):
                            d = rng.uniform(-8, 8, 4).round(1)
                            track.append([float(box[0] + d[0]), float(box[1] + d[1]), float(box[2] + d[2]),
                                          float(box[3] + d[3])])
                        else:
                            track.append(None)
                    res.append({"video_id": v, "category_id": tcat, "score": round(float(rng.uniform()), 3),
                                "bboxes": track})
            for j in range(draw(st.integers(0, 2))):  # false-positive tracks
                t0 = draw(st.integers(0, n - 1))
                res.append({"video_id": v, "category_id": draw(st.sampled_from([1, 6, 17])), "score": 0.2,
                            "bboxes": [[50.0 * j, 300.0, 30.0, 30.0] if t >= t0 else None for t in range(n)]})
    return {"videos": videos, "annotations": anns, "categories": CATEGORIES}, results


def assert_parity(root: Path, gt_dir: Path, tr_dir: Path) -> int:
    ref = trackeval_vis(root)
    run = evaluate(resolve_dataset("youtube_vis", str(gt_dir), str(tr_dir)))
    compared, bad = 0, []
    for tr, by_seq in ref.items():
        for seq, by_cls in by_seq.items():
            for cls, fields in by_cls.items():
                ours = run.combined[tr][cls] if seq == COMBINED and cls in COMBOS else run.metrics[tr][cls][seq]
                compared += 1
                bad += [f"{tr}/{seq}/{cls} {m}" for m in field_mismatches(ours, fields)]
    assert not bad, "\n".join(bad[:20])
    return compared


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(vis_split())
def test_youtube_vis_boxes_match_trackeval(split):
    gt, results = split
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        g, t = write_split(root, gt, results)
        assert assert_parity(root, g, t) > 0


@pytest.mark.parametrize("mutate, what", [
    (lambda gt, r: gt["annotations"][0].update(bboxes=[[1, 2, 3]]), "annotation 1, frame 1: box [1, 2, 3] is not 4"),
    (lambda gt, r: gt["annotations"][0].update(bboxes=[]), "annotation 1: bboxes has 0 entries, video 1 has 1 frames"),
    (lambda gt, r: gt["annotations"][0].update(video_id=5), "annotation 1: video_id 5 is not a video"),
    (lambda gt, r: gt["videos"][0].update(file_names=[]), "video 1: file_names is not a non-empty list"),
    (lambda gt, r: r["T"][0].pop("score"), "track 1 has no 'score'"),
    (lambda gt, r: r["T"][0].update(score=10 ** 400), "track 1: score 1000"),
    (lambda gt, r: r["T"][0].update(score="high"), "track 1: score \"high\" is not a finite number"),
    (lambda gt, r: r["T"][0].update(bboxes=[[0, 0, float("inf"), 1]]), "track 1, frame 1: box"),
])
def test_bad_input_names_file_place_and_fix(tmp_path, mutate, what):
    gt = {"videos": [{"id": 1, "file_names": ["v/0.jpg"]}], "categories": CATEGORIES,
          "annotations": [{"id": 1, "video_id": 1, "category_id": 1, "bboxes": [[0, 0, 10, 10]]}]}
    results = {"T": [{"video_id": 1, "category_id": 1, "score": 0.5, "bboxes": [[0, 0, 10, 10]]}]}
    mutate(gt, results)
    g, t = write_split(tmp_path, gt, results)
    with pytest.raises(InputError) as info:
        evaluate(resolve_dataset("youtube_vis", str(g), str(t)))
    assert what in info.value.reason, info.value.reason
    assert info.value.fix and info.value.path.endswith(".json")


def test_an_empty_or_null_entry_is_no_box(tmp_path):
    gt = {"videos": [{"id": 1, "file_names": ["v/0.jpg", "v/1.jpg", "v/2.jpg"]}], "categories": CATEGORIES,
          "annotations": [{"id": 4, "video_id": 1, "category_id": 6, "iscrowd": 0,
                           "bboxes": [[0, 0, 10, 10], [], None]}]}
    results = {"T": [{"video_id": 1, "category_id": 6, "score": 0.5, "bboxes": [None, [0, 0, 10, 10], []]}]}
    g, t = write_split(tmp_path, gt, results)
    assert assert_parity(tmp_path, g, t) > 0
    run = evaluate(resolve_dataset("youtube_vis", str(g), str(t)))
    assert run.metrics["T"]["sedan"]["v"]["CLR_FN"] == 1 and run.metrics["T"]["sedan"]["v"]["CLR_FP"] == 1
