"""TETA on TAO files vs its reference code (SysCV/tet a62a9c0, vendored test-only in
tests/reference_teta, see its PROVENANCE.md): every field (TETA, LocA, AssocA, ClsA, LocRe/LocPr,
AssocRe/AssocPr, ClsRe/ClsPr per alpha, and the six counts) per class combined over videos and for
the class average, to 1e-9 (counts exactly), on the real TAO sample with derived results and on
generated TAO-like splits; the reference's own Evaluator's printed summary agrees too.

Per-video values are compared through their counts only: the reference adds to a video's Cls_FP
the FPs other classes give it after computing that video's ClsA/ClsPr/TETA, so those per-video
fields are stale there (its combined numbers recompute them from the counts).
"""
from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_teta.teta import eval as ref_eval
from reference_teta.teta.datasets import TAO
from reference_teta.teta.metrics import TETA
from test_tao_format import _sample_results, write_split

from tracklens.errors import InputError
from tracklens.formats.tao import read_tao_gt
from tracklens.metrics.teta import COUNT_FIELDS, FIELDS, TetaResult
from tracklens.teta_tao import teta_tao

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "tao_mmtracking" / "gt" / "ann.json"
SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TOL = 1e-9
# OUTPUT_SUMMARY False makes the reference's Evaluator fail ('t' unbound in evaluate_tracker)
EVAL_CONFIG = {"USE_PARALLEL": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False, "OUTPUT_SUMMARY": True,
               "OUTPUT_TEM_RAW_DATA": False, "LOG_ON_ERROR": None, "BREAK_ON_ERROR": True}


def _dataset(gt_dir: Path, tr_dir: Path, tracker: str, classes: list[str] | None = None) -> TAO:
    with contextlib.redirect_stdout(io.StringIO()):
        return TAO({"GT_FOLDER": str(gt_dir), "TRACKERS_FOLDER": str(tr_dir), "TRACKERS_TO_EVAL": [tracker],
                    "PRINT_CONFIG": False, "OUTPUT_FOLDER": str(tr_dir.parent / "out"), "CLASSES_TO_EVAL": classes})


def reference_teta(gt_dir: Path, tr_dir: Path, tracker: str,
                   classes: list[str] | None = None) -> tuple[dict, dict, dict]:
    """Per class (combined over videos), the class average, and each video's raw results, with the
    reference's own functions in the order its Evaluator (not parallel) calls them."""
    ds = _dataset(gt_dir, tr_dir, tracker, classes)
    metric = TETA(exhaustive=False)
    per_seq = {s: ref_eval.eval_sequence(s, ds, tracker, ds.class_list, [metric], ["TETA"])
               for s in sorted(ds.seq_list)}
    per_class = {c: metric.combine_sequences({s: r[c]["TETA"] for s, r in per_seq.items()})
                 for c in ds.class_list}
    average = metric.combine_classes_class_averaged(per_class, ignore_empty=True)[50]
    return {c: r[50] for c, r in per_class.items()}, average, per_seq


def reference_summary(gt_dir: Path, tr_dir: Path, tracker: str) -> list[str]:
    """What the reference's Evaluator reports: the class average's fields, '{:1.5g}' of 100 x mean."""
    ds = _dataset(gt_dir, tr_dir, tracker)
    with contextlib.redirect_stdout(io.StringIO()):
        out, msg = ref_eval.Evaluator(dict(EVAL_CONFIG)).evaluate([ds], [TETA(exhaustive=False)])
    assert msg["TAO"][tracker] == "Success"
    return out["TAO"]["TETA"]


def mismatches(ours: TetaResult, ref: dict, where: str) -> list[str]:
    bad = []
    for f in FIELDS:
        a, b = np.asarray(getattr(ours, f), float), np.asarray(ref[f], float)
        if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=TOL, equal_nan=True):
            bad.append(f"{where} {f}: {a} vs {b}")
    for f in COUNT_FIELDS:
        if not np.array_equal(ours.counts[f], ref[f]):
            bad.append(f"{where} {f}: {ours.counts[f]} vs {ref[f]}")
    return bad


def largest_difference(ours: TetaResult, ref: dict) -> float:
    return max(float(np.max(np.abs(np.asarray(getattr(ours, f), float) - np.asarray(ref[f], float))))
               for f in FIELDS)


def assert_parity(gt_dir: Path, tr_dir: Path, tracker: str, summary: bool = False,
                  classes: list[str] | None = None) -> float:
    per_class, average, per_seq = reference_teta(gt_dir, tr_dir, tracker, classes)
    gt_file = next(gt_dir.glob("*.json"))
    run = teta_tao(str(gt_file), str(next((tr_dir / tracker / "data").glob("*.json"))), classes)
    assert list(run.per_class) == list(per_class)
    bad = []
    for c, ref in per_class.items():
        bad += mismatches(run.per_class[c], ref, c)
    bad += mismatches(run.average, average, "average")
    assert list(run.per_video) == list(per_seq)
    for s, by_cls in per_seq.items():
        for c, counts in run.per_video[s].items():
            ref = by_cls[c]["TETA"][50]
            for ours, name in ((counts.loc_tp, "Loc_TP"), (counts.loc_fn, "Loc_FN"), (counts.loc_fp, "Loc_FP"),
                               (counts.cls_tp, "Cls_TP"), (counts.cls_fn, "Cls_FN"), (counts.cls_fp, "Cls_FP")):
                if not np.array_equal(ours, ref[name]):
                    bad.append(f"{s}/{c} {name}: {ours} vs {ref[name]}")
            for ours, name in ((counts.assoc_a, "AssocA"), (counts.assoc_re, "AssocRe"), (counts.assoc_pr, "AssocPr")):
                if not np.allclose(ours, ref[name], rtol=0, atol=TOL):
                    bad.append(f"{s}/{c} {name}: {ours} vs {ref[name]}")
    assert not bad, "\n".join(bad[:20])
    if summary:
        shown = ["{0:1.5g}".format(100 * v) for v in run.average.summary().values()]
        assert shown == reference_summary(gt_dir, tr_dir, tracker)
    return max([largest_difference(run.per_class[c], r) for c, r in per_class.items()]
               + [largest_difference(run.average, average)])


# ------------------------------------------------------------------------------------------------
# Real sample: TAO annotations from open-mmlab/mmtracking, results derived as test_tao_format does


@pytest.mark.parametrize("tracker", ["exact", "moved"])
def test_real_tao_sample_matches_reference(tmp_path, tracker):
    gt_dir = tmp_path / "gt"
    gt_dir.mkdir()
    (gt_dir / "ann.json").write_bytes(SAMPLE.read_bytes())
    results = _sample_results()
    trs = tmp_path / "trackers"
    (trs / tracker / "data").mkdir(parents=True)
    (trs / tracker / "data" / "results.json").write_text(json.dumps(results[tracker]))
    assert assert_parity(gt_dir, trs, tracker, summary=True) <= TOL
    run = teta_tao(str(gt_dir / "ann.json"), str(trs / tracker / "data" / "results.json"))
    assert list(run.per_class) == ["baby"]  # category 95 has ground truth but is not listed: not evaluated
    if tracker == "exact":
        assert run.average.summary()["TETA"] == 1.0


# ------------------------------------------------------------------------------------------------
# Generated TAO-like splits


CATEGORIES = [{"id": 1, "name": "person", "merged": [{"id": 5}]}, {"id": 2, "name": "car"},
              {"id": 3, "name": "dog"}, {"id": 4, "name": "bike"}, {"id": 5, "name": "human"},
              {"id": 6, "name": "cat"}]  # 6 never has ground truth: predicted, never evaluated


@st.composite
def teta_split(draw):
    """Several videos and classes (some classes missing from some videos, images without ground
    truth, frames out of order), predictions with jitter, class swaps, id switches, score ties,
    unmatched boxes near and far from ground truth of other classes, track ids shared by videos."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    videos, images, anns, res = [], [], [], []
    image_id = 1
    for v in range(1, draw(st.integers(1, 3)) + 1):
        videos.append({"id": v, "name": f"src/v{v}", "neg_category_ids": [2], "not_exhaustive_category_ids": [3]})
        n = draw(st.integers(1, 5))
        ids = {}
        for f in draw(st.permutations(list(range(n)))):
            ids[f] = image_id
            images.append({"id": image_id, "video_id": v, "frame_index": 10 * f})
            image_id += 1
        objects = []
        for k in range(draw(st.integers(0, 4))):
            cat = draw(st.sampled_from([1, 1, 2, 3, 4, 5]))
            start = draw(st.integers(0, n - 1))
            x, y = draw(st.integers(0, 8)) * 12.0, draw(st.integers(0, 6)) * 12.0
            w, h = draw(st.integers(2, 5)) * 10.0, draw(st.integers(2, 6)) * 10.0
            boxes = {f: [x + 5.0 * (f - start), y, w, h] for f in range(start, n) if draw(st.integers(0, 5))}
            objects.append((k + 1, cat, boxes))
            if draw(st.integers(0, 2)) == 0:  # a ground truth of another class on top of it
                dx = draw(st.sampled_from((0.0, 2.0, 6.0)))
                objects.append((k + 51, draw(st.sampled_from([c for c in (1, 2, 3, 4) if c != cat])),
                                {f: [b[0] + dx, b[1], b[2], b[3]] for f, b in boxes.items()}))
        for tid, cat, boxes in objects:
            for f, box in boxes.items():
                anns.append({"id": len(anns) + 1, "image_id": ids[f], "video_id": v, "track_id": 100 * v + tid,
                             "category_id": cat, "bbox": box})
        for k, (tid, cat, boxes) in enumerate(objects):
            switch = draw(st.integers(0, n))
            pcat = cat if draw(st.integers(0, 3)) else draw(st.sampled_from([1, 2, 3, 4, 6]))
            jitter = draw(st.sampled_from((0.0, 4.0, 15.0)))
            for f in range(min(boxes, default=n), n):
                if f not in boxes:  # the track goes on where its object is not annotated
                    if draw(st.booleans()):
                        res.append({"image_id": ids[f], "video_id": v, "category_id": pcat, "track_id": tid,
                                    "bbox": [150.0 + 20 * f, 100.0, 30.0, 30.0], "score": 0.5})
                    continue
                box = boxes[f]
                if not draw(st.integers(0, 5)):
                    continue
                d = rng.uniform(-jitter, jitter, 4).round(1)
                if not draw(st.integers(0, 6)):  # lost: far from its object (IoU 0, a TP only at alpha 0)
                    d = [300.0, 0.0, 0.0, 0.0]
                res.append({"image_id": ids[f], "video_id": v, "category_id": pcat,
                            "track_id": tid if f < switch else 100 + tid,
                            "bbox": np.add(box, d).tolist(), "score": draw(st.sampled_from((0.5, 0.9)))})
        for j in range(draw(st.integers(0, 4))):  # extra boxes: duplicates near objects or anywhere
            f = draw(st.integers(0, n - 1))
            near = [b[f] for _, _, b in objects if f in b]
            if near and draw(st.booleans()):
                x, y, w, h = draw(st.sampled_from(near))
                box = [x + draw(st.sampled_from((0.0, 3.0, 8.0))), y, w, h]
            else:
                box = [draw(st.integers(0, 10)) * 10.0, draw(st.integers(0, 8)) * 10.0, 30.0, 30.0]
            res.append({"image_id": ids[f], "category_id": draw(st.sampled_from([1, 2, 3, 4, 5, 6])),
                        "track_id": 200 + j, "bbox": box, "score": 0.5})  # no video_id: ids shared by videos
    if not anns:
        anns.append({"id": 1, "image_id": 1, "video_id": 1, "track_id": 0, "category_id": 2,
                     "bbox": [5.0, 5.0, 40.0, 40.0]})
    gt = {"videos": videos, "images": images, "annotations": anns, "categories": CATEGORIES, "tracks": []}
    return gt, res


@settings(max_examples=150, **SETTINGS)
@given(teta_split())
def test_generated_tao_matches_reference(split):
    gt, res = split
    with tempfile.TemporaryDirectory() as tmp:
        g, t = write_split(Path(tmp), gt, {"T": res})
        assert assert_parity(g, t, "T") <= TOL


@settings(max_examples=40, **SETTINGS)
@given(teta_split(), st.data())
def test_chosen_classes_match_reference(split, data):
    """With some classes chosen (the reference's CLASSES_TO_EVAL), wrong labels of the others give no FP."""
    gt, res = split
    with tempfile.TemporaryDirectory() as tmp:
        g, t = write_split(Path(tmp), gt, {"T": res})
        valid = list(read_tao_gt(str(g / "tao_val.json")).classes)
        chosen = data.draw(st.lists(st.sampled_from(valid), min_size=1, max_size=len(valid), unique=True))
        assert assert_parity(g, t, "T", classes=chosen) <= TOL


def test_more_than_300_boxes_per_image_are_all_kept(tmp_path):
    """TETA's reference reads every result box (its MAX_DETECTIONS default is 0)."""
    gt = {"videos": [{"id": 1, "name": "a", "neg_category_ids": [], "not_exhaustive_category_ids": []}],
          "images": [{"id": 1, "video_id": 1, "frame_index": 0}], "categories": CATEGORIES, "tracks": [],
          "annotations": [{"id": 1, "image_id": 1, "video_id": 1, "track_id": 1, "category_id": 1,
                           "bbox": [0.0, 0.0, 20.0, 40.0]}]}
    crowd = [{"image_id": 1, "category_id": 1, "track_id": 10 + k, "bbox": [0.5, 0.0, 20.0, 40.0], "score": 0.9}
             for k in range(300)]
    low = {"image_id": 1, "category_id": 1, "track_id": 1, "bbox": [0.0, 0.0, 20.0, 40.0], "score": 0.1}
    g, t = write_split(tmp_path, gt, {"T": [*crowd, low]})
    assert assert_parity(g, t, "T") <= TOL
    run = teta_tao(str(g / "tao_val.json"), str(t / "T" / "data" / "results.json"))
    assert run.per_class["person"].counts["Loc_FP"][10] == 300  # all 301 boxes in the cluster, one matched


def test_duplicate_track_id_in_a_frame_is_an_error(tmp_path):
    gt = {"videos": [{"id": 1, "name": "a"}], "images": [{"id": 1, "video_id": 1, "frame_index": 0}],
          "categories": CATEGORIES, "annotations": [{"id": 1, "image_id": 1, "track_id": 1, "category_id": 1,
                                                     "bbox": [0.0, 0.0, 20.0, 40.0]}]}
    box = {"image_id": 1, "category_id": 1, "track_id": 4, "bbox": [0.0, 0.0, 20.0, 40.0], "score": 0.9}
    g, t = write_split(tmp_path, gt, {"T": [box, box]})
    with pytest.raises(InputError) as info:
        teta_tao(str(g / "tao_val.json"), str(t / "T" / "data" / "results.json"))
    assert info.value.path.endswith("results.json") and "[4]" in info.value.reason and info.value.fix


# ------------------------------------------------------------------------------------------------
# tracklens eval --format tao --teta


def test_cli_eval_tao_reports_teta(tmp_path, capsys):
    from tracklens.dashboard.cli import main

    gt_dir = tmp_path / "gt"
    gt_dir.mkdir()
    (gt_dir / "ann.json").write_bytes(SAMPLE.read_bytes())
    trs = tmp_path / "trackers"
    for name, anns in _sample_results().items():
        (trs / name / "data").mkdir(parents=True)
        (trs / name / "data" / "results.json").write_text(json.dumps(anns))
    out, csv, run_dir = tmp_path / "m.json", tmp_path / "m.csv", tmp_path / "run"
    assert main(["eval", "--format", "tao", "--gt-folder", str(gt_dir), "--trackers-folder", str(trs), "--teta",
                 "--json", str(out), "--csv", str(csv), "--save", str(run_dir)]) == 0
    printed = capsys.readouterr().out
    doc = json.loads(out.read_text())
    per_class, average, _ = reference_teta(gt_dir, trs, "moved")
    for name, ref in (("baby", per_class["baby"]), ("average", average)):
        ours = doc["teta"]["trackers"]["moved"][name]
        for f in FIELDS:
            assert abs(ours[f] - float(np.mean(ref[f]))) <= TOL, f
        for f in COUNT_FIELDS:
            assert ours[f] == [int(v) for v in ref[f]], f
    assert doc["teta"]["reference"] == "SysCV/tet a62a9c0" and len(doc["teta"]["alphas"]) == 20
    assert "HOTA" in doc["metrics"]["moved"]["baby"]["COMBINED"]  # the TrackEval metrics stay beside it
    assert doc["teta"]["trackers"]["exact"]["average"]["TETA"] == 1.0
    import pandas as pd
    rows = pd.read_csv(tmp_path / "m.teta.csv")
    assert list(rows.columns) == ["tracker", "class", *FIELDS]
    assert set(zip(rows["tracker"], rows["class"])) == {("exact", "baby"), ("exact", "average"),
                                                         ("moved", "baby"), ("moved", "average")}
    moved = doc["teta"]["trackers"]["moved"]["average"]
    assert f"moved: TETA {100 * moved['TETA']:.3f}; LocA {100 * moved['LocA']:.3f}" in printed
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["teta"] == doc["teta"]


def test_cli_teta_needs_tao(tmp_path, capsys):
    from tracklens.dashboard.cli import main

    assert main(["eval", "--gt-folder", str(tmp_path), "--trackers-folder", str(tmp_path), "--teta"]) != 0
    assert "--teta" in capsys.readouterr().err
