"""TAO results without ``track_id`` (a detector's COCO-style results): refused with a pointer to
``--link iou``; with it, each video's ids come from tracklens' linker and every number equals the
reference's (TrackEval's ``TAO`` for HOTA / CLEAR / Identity, the vendored TETA reference) on the
same results with those linked ids written in as ``track_id`` (floats to 1e-9, counts exactly), on
the real TAO sample and on generated splits. The tracker is labelled ``linked_name`` everywhere.
"""
from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pytest
from core_cases import field_mismatches
from hypothesis import given, settings
from test_tao_format import SAMPLE, SETTINGS, _sample_results, tao_split, trackeval_tao, write_split
from test_teta_parity import mismatches, reference_teta

from tracklens.dashboard.cli import main
from tracklens.errors import InputError
from tracklens.evaluate import COMBINED, evaluate
from tracklens.formats.tao import MAX_DETECTIONS, read_tao_gt, read_tao_results
from tracklens.linker import LINK_LABEL, linked_name
from tracklens.run import RunInputs, resolve_inputs
from tracklens.teta_tao import teta_tao

CLASS_COMBINED = ("cls_comb_cls_av", "cls_comb_det_av")


def _without_ids(anns: list) -> list:
    return [{k: v for k, v in a.items() if k != "track_id"} for a in anns]


def _held(gt: dict) -> list:
    """Every ground-truth box, and again on the video's next image moved by a tenth of its width: the
    copies are what the linker links (the sample's own boxes change too much between its two images)."""
    images = sorted(gt["images"], key=lambda im: (im["video_id"], im["frame_index"]))
    following = {a["id"]: b["id"] for a, b in zip(images, images[1:]) if a["video_id"] == b["video_id"]}
    out = []
    for a in gt["annotations"]:
        out.append({"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 0.8})
        if a["image_id"] in following:
            x, y, w, h = a["bbox"]
            out.append({"image_id": following[a["image_id"]], "category_id": a["category_id"],
                        "bbox": [x + 0.1 * w, y, w, h], "score": 0.4})
    return out


def _between(gt: dict, weight: float = 0.3) -> list:
    """Every ground-truth box moved ``weight`` of the way toward its track's box on the next image
    (the last one toward the previous): the person's two boxes then overlap enough to be linked and
    still match their ground truth."""
    frame = {im["id"]: im["frame_index"] for im in gt["images"]}
    tracks: dict = {}
    for a in sorted(gt["annotations"], key=lambda a: frame[a["image_id"]]):
        tracks.setdefault((a["video_id"], a["track_id"]), []).append(a)
    out = []
    for a in gt["annotations"]:
        track = tracks[(a["video_id"], a["track_id"])]
        k = track.index(a)
        other = track[k + 1] if k + 1 < len(track) else track[k - 1] if k else a
        box = [x + weight * (y - x) for x, y in zip(a["bbox"], other["bbox"])]
        out.append({"image_id": a["image_id"], "category_id": a["category_id"], "bbox": box, "score": 0.7})
    return out


def _sample_split(root: Path) -> tuple[Path, Path]:
    """The real TAO sample's ground truth and results derived from it, every ``track_id`` dropped."""
    gt = json.loads((SAMPLE / "ann.json").read_text())
    results = {name: _without_ids(anns) for name, anns in _sample_results().items()}
    return write_split(root, gt, {**results, "held": _held(gt), "between": _between(gt)})


def _result_file(trs: Path, tracker: str) -> Path:
    return trs / tracker / "data" / "results.json"


def _with_linked_ids(gt_dir: Path, trs: Path, out: Path, max_detections: int) -> Path:
    """``trs`` copied to ``out`` with each result's ``track_id`` the one tracklens' linker gave it
    (made unique across videos); results the reader leaves out get ids of their own."""
    gt = read_tao_gt(str(next(gt_dir.glob("*.json"))))
    for tr_dir in sorted(p for p in trs.iterdir() if p.is_dir()):
        path = _result_file(trs, tr_dir.name)
        anns = json.loads(path.read_text())
        linked = read_tao_results(str(path), gt, max_detections, link="iou")
        ids: dict[int, int] = {}
        base = 0
        for vid, dets in linked.items():
            for line, i in zip(dets.line.tolist(), dets.id.tolist()):
                ids[line] = base + i
            base += int(dets.id.max(initial=0)) + 1
        for k, a in enumerate(anns):
            a["track_id"] = ids.get(k + 1, base + k)
        (out / tr_dir.name / "data").mkdir(parents=True)
        _result_file(out, tr_dir.name).write_text(json.dumps(anns))
    return out


def assert_linked_parity(gt_dir: Path, trs: Path, work: Path) -> int:
    """tracklens with ``--link iou`` against TrackEval's TAO on the linked ids written in."""
    run = evaluate(resolve_inputs(RunInputs(str(gt_dir), str(trs), "tao", "TAO", link="iou").absolute()))
    ref = trackeval_tao(gt_dir, _with_linked_ids(gt_dir, trs, work, MAX_DETECTIONS))
    assert set(run.metrics) == {linked_name(t) for t in ref}
    compared, bad = 0, []
    for tr, by_seq in ref.items():
        name = linked_name(tr)
        for seq, by_cls in by_seq.items():
            for cls, fields in by_cls.items():
                ours = run.combined[name][cls] if seq == COMBINED and cls in CLASS_COMBINED \
                    else run.metrics[name][cls][seq]
                compared += 1
                bad += [f"{tr}/{seq}/{cls} {m}" for m in field_mismatches(ours, fields)]
    assert not bad, "\n".join(bad[:20])
    return compared


def assert_linked_teta(gt_dir: Path, trs: Path, work: Path, tracker: str) -> None:
    """TETA with ``--link iou`` against the TETA reference on the linked ids (every box linked)."""
    linked = _with_linked_ids(gt_dir, trs, work, 0)
    per_class, average, _ = reference_teta(gt_dir, linked, tracker)
    gt_file = str(next(gt_dir.glob("*.json")))
    run = teta_tao(gt_file, str(_result_file(trs, tracker)), link="iou")
    assert list(run.per_class) == list(per_class)
    bad = [m for c, r in per_class.items() for m in mismatches(run.per_class[c], r, c)]
    bad += mismatches(run.average, average, "average")
    assert not bad, "\n".join(bad[:20])


def test_results_without_track_id_say_identities_are_needed(tmp_path, capsys):
    gt_dir, trs = _sample_split(tmp_path)
    assert main(["eval", "--format", "tao", "--gt-folder", str(gt_dir), "--trackers-folder", str(trs),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "results.json" in err and "no result has a 'track_id': these are detections without identities" in err
    assert "TETA" in err and "--link iou" in err
    assert main(["eval", "--format", "tao", "--gt-folder", str(gt_dir), "--trackers-folder", str(trs),
                 "--teta", "--quiet"]) == 2
    assert "--link iou" in capsys.readouterr().err


def test_some_results_without_track_id_name_the_first(tmp_path):
    anns = _sample_results()["moved"]
    del anns[2]["track_id"], anns[3]["track_id"]
    gt_dir, trs = write_split(tmp_path, json.loads((SAMPLE / "ann.json").read_text()), {"moved": anns})
    with pytest.raises(InputError, match=r"annotation 3 has no 'track_id' \(2 of the 5 results lack one\)") as info:
        evaluate(resolve_inputs(RunInputs(str(gt_dir), str(trs), "tao", "TAO").absolute()))
    assert info.value.path.endswith("results.json") and "--link iou" in str(info.value)
    # with --link every track_id is replaced, so a partial set is no obstacle
    run = evaluate(resolve_inputs(RunInputs(str(gt_dir), str(trs), "tao", "TAO", link="iou").absolute()))
    assert list(run.metrics) == [linked_name("moved")]


def test_real_tao_sample_linked_matches_trackeval(tmp_path):
    gt_dir, trs = _sample_split(tmp_path / "in")
    assert assert_linked_parity(gt_dir, trs, tmp_path / "linked") == 4 * 4  # 4 trackers x (video, COMBINED, 2 comb.)
    gt = read_tao_gt(str(gt_dir / "tao_val.json"))
    # the person's box grows from frame to frame (IoU 0.27 < 0.5): the linker starts a new track
    dets = read_tao_results(str(_result_file(trs, "exact")), gt, link="iou")[0]
    person = dets.cls == 805
    assert dets.id[person].tolist() == [1, 3] and dets.id[~person].tolist() == [2, 4]
    # each first-frame box is linked to its moved copy, same class only; the frame's own boxes start tracks
    held = read_tao_results(str(_result_file(trs, "held")), gt, link="iou")[0]
    assert held.frame.tolist() == [1, 1, 2, 2, 2, 2]
    assert held.id.tolist() == [1, 2, 1, 2, 3, 4] and held.cls.tolist() == [805, 95, 805, 95, 805, 95]
    # moved toward each other, the person's boxes are one track (the other class's are still apart)
    between = read_tao_results(str(_result_file(trs, "between")), gt, link="iou")[0]
    assert between.id.tolist() == [1, 2, 1, 3] and between.cls.tolist() == [805, 95, 805, 95]


def test_existing_track_ids_are_replaced(tmp_path):
    results = _sample_results()
    gt_dir, trs = write_split(tmp_path, json.loads((SAMPLE / "ann.json").read_text()), {"moved": results["moved"]})
    gt = read_tao_gt(str(gt_dir / "tao_val.json"))
    own = read_tao_results(str(_result_file(trs, "moved")), gt)[0]
    linked = read_tao_results(str(_result_file(trs, "moved")), gt, link="iou")[0]
    assert own.line.tolist() == linked.line.tolist() and own.id.tolist() != linked.id.tolist()
    assert sorted(set(linked.id.tolist())) == list(range(1, len(set(linked.id.tolist())) + 1))


@pytest.mark.parametrize("tracker", ["exact", "moved", "held", "between"])
def test_real_tao_sample_linked_teta_matches_reference(tmp_path, tracker):
    gt_dir, trs = _sample_split(tmp_path / "in")
    assert_linked_teta(gt_dir, trs, tmp_path / "linked", tracker)


def test_cli_labels_linked_ids_everywhere(tmp_path, capsys):
    gt_dir, trs = _sample_split(tmp_path / "in")
    out, table, run_dir = tmp_path / "m.json", tmp_path / "m.csv", tmp_path / "run"
    assert main(["eval", "--format", "tao", "--gt-folder", str(gt_dir), "--trackers-folder", str(trs),
                 "--link", "iou", "--teta", "--json", str(out), "--csv", str(table), "--save", str(run_dir)]) == 0
    printed = capsys.readouterr()
    names = [linked_name(t) for t in ("exact", "moved", "held", "between")]
    assert all(n in printed.out for n in names)  # summary table and TETA lines
    assert f"({LINK_LABEL})" in printed.out.split("TETA (")[1]
    assert f": {LINK_LABEL} (--link iou" in printed.err
    data = json.loads(out.read_text())
    assert sorted(data["metrics"]) == sorted(names) and sorted(data["teta"]["trackers"]) == sorted(names)
    with open(table, newline="") as fh:
        assert {r["tracker"] for r in csv.DictReader(fh)} == set(names)
    with open(tmp_path / "m.teta.csv", newline="") as fh:
        assert {r["tracker"] for r in csv.DictReader(fh)} == set(names)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["inputs"]["link"] == "iou" and sorted(manifest["teta"]["trackers"]) == sorted(names)
    assert any(LINK_LABEL in str(n) for n in manifest.get("notes", []))


@settings(max_examples=25, **SETTINGS)
@given(tao_split())
def test_generated_linked_matches_trackeval_and_teta(split):
    gt, results = split
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        gt_dir, trs = write_split(root / "in", gt, {n: _without_ids(a) for n, a in results.items()})
        assert assert_linked_parity(gt_dir, trs, root / "linked") > 0
        for tracker in results:
            assert_linked_teta(gt_dir, trs, root / f"teta_{tracker}", tracker)
