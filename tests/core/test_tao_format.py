"""TAO (COCO-video JSON, boxes) vs TrackEval 1.3.0's ``TAO`` dataset class, files to numbers:
generated splits are written in TrackEval's TAO layout, TrackEval's ``Evaluator`` runs on them and
``tracklens`` resolves, reads, preprocesses and evaluates the same folders. Every HOTA / CLEAR /
Identity / Count field agrees (floats to 1e-9, counts exactly) per class x video, per class combined
and for the two class combinations.

The generated data covers what TAO's loading and preprocessing act on: images without ground
truth (their results are not evaluated, frames follow ``frame_index``), merged categories,
``neg_category_ids`` and ``not_exhaustive_category_ids``, frames without ground truth of a class,
track ids shared across videos, results without ``video_id``, wrong-class results.
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

from tracklens.dashboard.cli import main  # noqa: E402
from tracklens.errors import InputError  # noqa: E402
from tracklens.evaluate import COMBINED, evaluate  # noqa: E402
from tracklens.formats.layouts import resolve_dataset  # noqa: E402
from tracklens.formats.tao import MAX_DETECTIONS, read_tao_gt  # noqa: E402

SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EVAL_CONFIG = {
    "USE_PARALLEL": False, "BREAK_ON_ERROR": True, "RETURN_ON_ERROR": False, "LOG_ON_ERROR": None,
    "PRINT_RESULTS": False, "PRINT_ONLY_COMBINED": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False,
    "DISPLAY_LESS_PROGRESS": True, "OUTPUT_SUMMARY": False, "OUTPUT_EMPTY_CLASSES": False,
    "OUTPUT_DETAILED": False, "PLOT_CURVES": False,
}
CLASS_COMBINED = ("cls_comb_cls_av", "cls_comb_det_av")
# category 4 is merged into 1 (TAO's 'merged' tag)
CATEGORIES = [{"id": 1, "name": "person", "merged": [{"id": 4}]}, {"id": 2, "name": "car"},
              {"id": 3, "name": "dog"}, {"id": 4, "name": "human"}]


def trackeval_tao(gt: Path, trackers: Path) -> dict:
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
               trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
    with contextlib.redirect_stdout(io.StringIO()):
        ds = trackeval.datasets.TAO({"GT_FOLDER": str(gt), "TRACKERS_FOLDER": str(trackers), "OUTPUT_FOLDER": None,
                                     "PRINT_CONFIG": False})
        output, _ = trackeval.Evaluator(EVAL_CONFIG).evaluate([ds], metrics)
    res = output[ds.get_name()]
    flat = {}
    for tr, by_seq in res.items():
        flat[tr] = {seq: {c: {k: v for m in by_metric.values() for k, v in m.items()} for c, by_metric in by_cls.items()}
                    for seq, by_cls in by_seq.items()}
    return flat


def assert_parity(gt: Path, trackers: Path, ref: dict) -> int:
    run = evaluate(resolve_dataset("tao", str(gt), str(trackers)))
    compared, bad = 0, []
    for tr, by_seq in ref.items():
        for seq, by_cls in by_seq.items():
            for cls, fields in by_cls.items():
                ours = run.combined[tr][cls] if seq == COMBINED and cls in CLASS_COMBINED else run.metrics[tr][cls][seq]
                compared += 1
                bad += [f"{tr}/{seq}/{cls} {m}" for m in field_mismatches(ours, fields)]
        assert set(run.metrics[tr]) == {c for c in ref[tr][COMBINED] if c not in CLASS_COMBINED}
    assert not bad, "\n".join(bad[:20])
    return compared


def write_split(root: Path, gt: dict, results: dict[str, list]) -> tuple[Path, Path]:
    gt_dir, tr_dir = root / "gt", root / "trackers"
    gt_dir.mkdir(parents=True)
    (gt_dir / "tao_val.json").write_text(json.dumps(gt))
    for name, anns in results.items():
        (tr_dir / name / "data").mkdir(parents=True)
        (tr_dir / name / "data" / "results.json").write_text(json.dumps(anns))
    return gt_dir, tr_dir


@st.composite
def tao_split(draw):
    """A small TAO split: videos, images (some without ground truth, listed out of frame order),
    ground-truth tracks and two trackers' results."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    videos, images, anns, results = [], [], [], {"A": [], "B": []}
    image_id = 100
    for v in range(1, draw(st.integers(1, 3)) + 1):
        cats = [1, 2, 3]
        videos.append({"id": v, "name": f"src/video{v}", "width": 320, "height": 240,
                       "neg_category_ids": draw(st.lists(st.sampled_from(cats), max_size=2, unique=True)),
                       "not_exhaustive_category_ids": draw(st.lists(st.sampled_from(cats), max_size=1))})
        n = draw(st.integers(1, 6))
        frames = list(range(n))
        order = draw(st.permutations(frames))
        ids = {}
        for f in order:
            ids[f] = image_id
            images.append({"id": image_id, "video_id": v, "frame_index": f * 30, "file_name": f"v{v}/{f}.jpg"})
            image_id += 1
        objects = []
        for k in range(draw(st.integers(0, 3))):
            cat = draw(st.sampled_from([1, 2, 3, 4]))
            start = draw(st.integers(0, n - 1))
            length = draw(st.integers(1, n - start))
            x, y = draw(st.integers(0, 20)) * 10.0, draw(st.integers(0, 15)) * 10.0
            w, h = draw(st.integers(2, 6)) * 10.0, draw(st.integers(2, 8)) * 10.0
            boxes = {f: [x + 7.0 * (f - start), y, w, h] for f in range(start, start + length)
                     if draw(st.integers(0, 4)) > 0}
            tid = draw(st.integers(0, 6))  # track ids may repeat across videos
            if any(o[0] == tid for o in objects):
                tid += 50 + k
            objects.append((tid, cat, boxes))
            for f, box in boxes.items():
                anns.append({"id": len(anns) + 1, "image_id": ids[f], "video_id": v, "track_id": tid,
                             "category_id": cat, "bbox": box})
        for name, res in results.items():
            for k, (tid, cat, boxes) in enumerate(objects):
                switch = draw(st.integers(0, n))
                tcat = cat if draw(st.integers(0, 4)) else draw(st.sampled_from([1, 2, 3]))
                jitter = draw(st.sampled_from((0.0, 3.0, 12.0)))
                for f, box in boxes.items():
                    if draw(st.integers(0, 5)) == 0:
                        continue
                    d = rng.uniform(-jitter, jitter, 4).round(2)
                    ann = {"image_id": ids[f], "category_id": tcat, "track_id": (k if f < switch else 20 + k),
                           "bbox": np.add(box, d).tolist(), "score": round(float(rng.uniform(0.1, 1)), 3)}
                    if draw(st.booleans()):
                        ann["video_id"] = v
                    res.append(ann)
            for j in range(draw(st.integers(0, 4))):  # false positives, some on frames without ground truth
                f = draw(st.sampled_from(frames))
                x, y = draw(st.integers(0, 20)) * 10.0, draw(st.integers(0, 15)) * 10.0
                res.append({"image_id": ids[f], "video_id": v, "category_id": draw(st.sampled_from([1, 2, 3, 4])),
                            "track_id": 40 + j, "bbox": [x, y, 30.0, 30.0], "score": 0.5})
    if not anns:  # TrackEval needs a class with ground truth
        anns.append({"id": 1, "image_id": images[0]["id"], "video_id": images[0]["video_id"], "track_id": 0,
                     "category_id": 2, "bbox": [5.0, 5.0, 40.0, 40.0]})
    gt = {"videos": videos, "images": images, "annotations": anns, "categories": CATEGORIES, "tracks": []}
    return gt, results


@settings(max_examples=40, **SETTINGS)
@given(tao_split())
def test_tao_matches_trackeval(split):
    gt, results = split
    with tempfile.TemporaryDirectory() as tmp:
        g, t = write_split(Path(tmp), gt, results)
        assert assert_parity(g, t, trackeval_tao(g, t)) > 0


def _small_split():
    images = [{"id": 10 + f, "video_id": 1, "frame_index": f} for f in range(3)]
    gt = {"videos": [{"id": 1, "name": "a/b", "neg_category_ids": [], "not_exhaustive_category_ids": []}],
          "images": images, "categories": CATEGORIES, "tracks": [],
          "annotations": [{"id": 1, "image_id": 10, "video_id": 1, "track_id": 1, "category_id": 1,
                           "bbox": [0.0, 0.0, 20.0, 40.0]},
                          {"id": 2, "image_id": 11, "video_id": 1, "track_id": 1, "category_id": 4,
                           "bbox": [2.0, 0.0, 20.0, 40.0]}]}
    return gt


def test_more_than_max_detections_per_image_keeps_the_best_scored(tmp_path):
    gt = _small_split()
    crowd = [{"image_id": 10, "category_id": 1, "track_id": 1000 + k, "bbox": [100.0 + k, 0.0, 5.0, 5.0],
              "score": 0.2} for k in range(MAX_DETECTIONS)]
    good = {"image_id": 10, "category_id": 1, "track_id": 1, "bbox": [0.0, 0.0, 20.0, 40.0], "score": 0.9}
    results = {"T": [*crowd, good, {**good, "image_id": 11}]}  # the match is the 301st box of its image
    g, t = write_split(tmp_path, gt, results)
    ref = trackeval_tao(g, t)
    assert assert_parity(g, t, ref) > 0
    assert ref["T"][COMBINED]["person"]["CLR_TP"] == 2  # the low-scored extra box, not the match, was cut


def test_results_on_images_without_ground_truth_are_counted_in_a_note(tmp_path):
    gt = _small_split()  # image 12 has no ground truth
    results = {"T": [{"image_id": 12, "category_id": 1, "track_id": 3, "bbox": [0.0, 0.0, 9.0, 9.0], "score": 1.0}]}
    g, t = write_split(tmp_path, gt, results)
    run = evaluate(resolve_dataset("tao", str(g), str(t)))
    assert any("ignored 1 row(s): results on images of video 1 without ground truth" in n for n in run.notes)
    assert run.metrics["T"]["person"]["a-b"]["CLR_FP"] == 0


def test_cli_eval_tao(tmp_path, capsys):
    gt = _small_split()
    results = {"T": [{"image_id": 10, "category_id": 1, "track_id": 3, "bbox": [0.0, 0.0, 20.0, 40.0], "score": 1.0}]}
    g, t = write_split(tmp_path, gt, results)
    out, run_dir, report = tmp_path / "m.json", tmp_path / "run", tmp_path / "r.html"
    assert main(["eval", "--format", "tao", "--gt-folder", str(g), "--trackers-folder", str(t),
                 "--json", str(out), "--save", str(run_dir), "--quiet"]) == 0
    data = json.loads(out.read_text())
    assert data["T"]["person"]["a-b"]["CLR_TP"] == 1
    assert data["T"]["person"]["a-b"]["CLR_FN"] == 1
    assert main(["report", str(run_dir), "-o", str(report)]) == 0  # a saved TAO run opens like any other
    html = report.read_text(encoding="utf-8")
    assert "TAO (COCO-video JSON boxes)" in html and "TrackEval&#x27;s TAO preprocessing" in html


# ------------------------------------------------------------------------------------------------
# Bad input: file, place, what is wrong, how to fix


def _error(tmp_path, gt, results) -> InputError:
    g, t = write_split(tmp_path, gt, results)
    with pytest.raises(InputError) as info:
        evaluate(resolve_dataset("tao", str(g), str(t)))
    return info.value


@pytest.mark.parametrize("mutate, where, what", [
    (lambda gt, r: gt["annotations"][1].update(bbox=[1.0, 2.0, "x", 4.0]), "tao_val.json",
     "annotation 2: bbox [1.0, 2.0, \"x\", 4.0] is not 4 finite numbers"),
    (lambda gt, r: gt["annotations"][0].update(track_id=1.5), "tao_val.json", "annotation 1: track_id 1.5 is not an integer"),
    (lambda gt, r: gt["annotations"][0].pop("category_id"), "tao_val.json", "annotation 1 has no 'category_id'"),
    (lambda gt, r: gt["annotations"][0].update(image_id=99), "tao_val.json",
     "annotation 1: image_id 99 is not an image of the ground truth"),
    (lambda gt, r: gt["images"][0].update(video_id=7), "tao_val.json", "image 1: video_id 7 is not a listed video"),
    (lambda gt, r: gt.pop("images"), "tao_val.json", "'images' is missing or not a list"),
    (lambda gt, r: r["T"][0].update(score=None), "results.json", "annotation 1: score null is not a finite number"),
    (lambda gt, r: r["T"][0].update(score=10 ** 400), "results.json", "annotation 1: score 1000"),
    (lambda gt, r: r["T"][0].update(video_id=2), "results.json", "annotation 1: video_id 2 but image 10 belongs to video 1"),
    (lambda gt, r: r["T"][0].update(track_id=-1), "results.json", "annotation 1: negative track_id -1"),
])
def test_bad_input_names_file_place_and_fix(tmp_path, mutate, where, what):
    gt = _small_split()
    results = {"T": [{"image_id": 10, "category_id": 1, "track_id": 3, "bbox": [0.0, 0.0, 20.0, 40.0], "score": 1.0}]}
    mutate(gt, results)
    err = _error(tmp_path, gt, results)
    assert err.path.endswith(where)
    assert what in err.reason
    assert err.fix


def test_bad_json_gives_its_line(tmp_path):
    g = tmp_path / "gt"
    g.mkdir()
    (g / "x.json").write_text('{"videos": [\n  {"id": 1,,}]}')
    with pytest.raises(InputError) as info:
        resolve_dataset("tao", str(g), None)
    assert info.value.line == 2 and "not valid JSON" in info.value.reason and info.value.fix


def test_two_ground_truth_files_are_refused(tmp_path):
    g = tmp_path / "gt"
    g.mkdir()
    for name in ("a.json", "b.json"):
        (g / name).write_text("{}")
    with pytest.raises(InputError, match="exactly one .json file; found 2"):
        resolve_dataset("tao", str(g), None)


def test_duplicate_track_in_one_frame_is_an_error(tmp_path):
    gt = _small_split()
    box = {"image_id": 10, "category_id": 1, "track_id": 3, "bbox": [0.0, 0.0, 20.0, 40.0], "score": 1.0}
    err = _error(tmp_path, gt, {"T": [box, {**box, "bbox": [1.0, 0.0, 20.0, 40.0]}]})
    assert "appears 2 times" in err.reason


def test_unknown_class_lists_the_valid_ones(tmp_path):
    g, _ = write_split(tmp_path, _small_split(), {})
    with pytest.raises(InputError) as info:
        resolve_dataset("tao", str(g), None, classes=["car"])
    assert "car has no ground truth" in info.value.reason and "person" in info.value.fix
    assert read_tao_gt(str(g / "tao_val.json")).classes == ("person",)


# ------------------------------------------------------------------------------------------------
# Real sample: TAO annotations from open-mmlab/mmtracking (tests/data/tao_mmtracking/PROVENANCE.md)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "tao_mmtracking" / "gt"


def _sample_results() -> dict[str, list]:
    anns = json.loads((SAMPLE / "ann.json").read_text())["annotations"]
    exact = [{"image_id": a["image_id"], "category_id": a["category_id"], "track_id": a["track_id"],
              "bbox": a["bbox"], "score": 0.9} for a in anns]
    moved = []
    for k, a in enumerate(anns):
        x, y, w, h = a["bbox"]
        moved.append({"image_id": a["image_id"], "video_id": a["video_id"], "category_id": a["category_id"],
                      "track_id": a["track_id"] + 10 * a["image_id"], "bbox": [x + 0.15 * w, y, w, h],
                      "score": 0.5 + 0.1 * k})
    moved.append({"image_id": 1, "category_id": 805, "track_id": 77, "bbox": [500.0, 10.0, 60.0, 90.0], "score": 0.3})
    return {"exact": exact, "moved": moved}


def test_real_tao_sample_matches_trackeval(tmp_path):
    gt_dir = tmp_path / "gt"
    gt_dir.mkdir()
    (gt_dir / "ann.json").write_bytes((SAMPLE / "ann.json").read_bytes())
    trs = tmp_path / "trackers"
    for name, anns in _sample_results().items():
        (trs / name / "data").mkdir(parents=True)
        (trs / name / "data" / "results.json").write_text(json.dumps(anns))
    ref = trackeval_tao(gt_dir, trs)
    assert assert_parity(gt_dir, trs, ref) == 2 * 4  # 2 trackers x (video, COMBINED, 2 class combinations)
    seq = "train-YFCC100M-v_f69ebe5b731d3e87c1a3992ee39c3b7e"
    assert ref["exact"][seq]["baby"]["HOTA(0)"] == 1.0
    # 'baby' is not exhaustively labelled there: the unmatched false positive is removed, not counted
    assert ref["moved"][seq]["baby"]["CLR_FP"] == 0 and ref["moved"][seq]["baby"]["IDSW"] == 1
