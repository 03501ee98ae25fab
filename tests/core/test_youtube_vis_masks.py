"""YouTube-VIS / OVIS JSON on masks (``--format youtube_vis_masks``) vs TrackEval 1.3.0's ``YouTubeVIS``
class, unmodified (its loading, no preprocessing, pycocotools mask IoU). Every HOTA / CLEAR /
Identity / Count field must agree (floats to 1e-9, counts exactly) per class x video, per class
combined and for both class combinations.

TrackEval reads ground-truth RLEs only uncompressed (``counts`` a list, as YouTube-VIS ships them)
and result RLEs only compressed (``counts`` a pycocotools string); tracklens reads both forms on
both sides, so our copy of each case writes every mask in a randomly drawn form and TrackEval's
copy the same mask in the form it reads. No YouTube-VIS ground-truth sample is in the repository
or in /work/shared/data: the real-data case is derived (MOT17-05's real ground truth and tracker
boxes rasterised as rectangle masks).
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
from pycocotools import mask as mask_utils
from reference import install_numpy_shim

install_numpy_shim()
import trackeval  # noqa: E402
from trackeval.datasets.youtube_vis import YouTubeVIS  # noqa: E402

from tracklens.errors import InputError  # noqa: E402
from tracklens.evaluate import COMBINED, evaluate  # noqa: E402
from tracklens.formats.layouts import resolve_dataset  # noqa: E402
from tracklens.dashboard.cli import main  # noqa: E402
from tracklens.dashboard.views import overlay_boxes, overlay_masks  # noqa: E402
from tracklens.workspace import Workspace  # noqa: E402

EVAL_CONFIG = {
    "USE_PARALLEL": False, "BREAK_ON_ERROR": True, "RETURN_ON_ERROR": False, "LOG_ON_ERROR": None,
    "PRINT_RESULTS": False, "PRINT_ONLY_COMBINED": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False,
    "DISPLAY_LESS_PROGRESS": True, "OUTPUT_SUMMARY": False, "OUTPUT_EMPTY_CLASSES": False,
    "OUTPUT_DETAILED": False, "PLOT_CURVES": False,
}
CATEGORIES = [{"id": 1, "name": "person"}, {"id": 6, "name": "sedan"}, {"id": 17, "name": "train"}]
COMBOS = ("cls_comb_cls_av", "cls_comb_det_av")
H, W = 12, 16


def uncompressed(mask: np.ndarray) -> dict:
    """COCO's uncompressed RLE: run lengths over the column-major pixels, starting with zeros."""
    flat = mask.flatten(order="F").astype(np.int8)
    change = np.flatnonzero(np.diff(flat)) + 1
    edges = np.r_[0, change, flat.size]
    runs = np.diff(edges).tolist()
    if flat[0] == 1:
        runs = [0] + runs
    return {"size": list(mask.shape), "counts": runs}


def compressed(mask: np.ndarray) -> dict:
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": list(mask.shape), "counts": rle["counts"].decode()}


def trackeval_vis(root: Path) -> dict:
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
               trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
    with contextlib.redirect_stdout(io.StringIO()):
        ds = YouTubeVIS({"GT_FOLDER": f"{root}/gt/", "TRACKERS_FOLDER": f"{root}/te/", "SPLIT_TO_EVAL": "x",
                         "OUTPUT_FOLDER": None, "PRINT_CONFIG": False})
        output, _ = trackeval.Evaluator(EVAL_CONFIG).evaluate([ds], metrics)
    res = output[ds.get_name()]
    return {tr: {seq: {c: {k: v for m in bm.values() for k, v in m.items()} for c, bm in by_cls.items()}
                 for seq, by_cls in by_seq.items()} for tr, by_seq in res.items()}


def write_split(root: Path, gt: dict, results: dict[str, list], forms=None) -> tuple[Path, Path]:
    """Masks are numpy arrays (or None) in ``gt``/``results``: ours under gt/ and tr/ in the form
    ``forms`` draws per mask (uncompressed when None), TrackEval's under te/ (and the same gt/ file's
    twin) in the forms it reads."""
    pick = forms or (lambda: uncompressed)

    def ours(m):
        return pick()(m) if isinstance(m, np.ndarray) else m

    def theirs(m, form):
        return form(m) if isinstance(m, np.ndarray) else m

    g = root / "gt" / "youtube_vis_x"
    g.mkdir(parents=True)
    (g / "train.json").write_text(json.dumps({**gt, "annotations": [
        {**a, "segmentations": [theirs(m, uncompressed) for m in a["segmentations"]]} for a in gt["annotations"]]}))
    ours_gt = root / "ours_gt" / "youtube_vis_x"
    ours_gt.mkdir(parents=True)
    (ours_gt / "train.json").write_text(json.dumps({**gt, "annotations": [
        {**a, "segmentations": [ours(m) for m in a["segmentations"]]} for a in gt["annotations"]]}))
    for name, tracks in results.items():
        for side, form in (("tr", None), ("te", compressed)):
            d = root / side / "youtube_vis_x" / name / "data"
            d.mkdir(parents=True)
            entries = [{**t, "segmentations": [ours(m) if form is None else theirs(m, form)
                                               for m in t["segmentations"]]} for t in tracks]
            (d / "results.json").write_text(json.dumps(entries))
    return ours_gt, root / "tr" / "youtube_vis_x"


def blob(rng, cy: float, cx: float, ry: float, rx: float) -> np.ndarray:
    yy, xx = np.mgrid[:H, :W]
    inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1.0
    noise = rng.uniform(size=(H, W)) < 0.08
    return (inside ^ (noise & inside)).astype(np.uint8)


@st.composite
def vis_split(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    videos, anns, results = [], [], {"A": [], "B": []}
    for v in range(1, draw(st.integers(1, 3)) + 1):
        n = draw(st.integers(1, 5))
        videos.append({"id": v, "width": W, "height": H, "length": n,
                       "file_names": [f"vid{v:04d}/{5 * t:05d}.jpg" for t in range(n)]})
        objects = []
        for _ in range(draw(st.integers(0, 3))):  # objects may overlap: the centres share a small frame
            cat = draw(st.sampled_from([1, 6, 17]))
            cy, cx = draw(st.integers(2, H - 3)), draw(st.integers(2, W - 3))
            ry, rx = draw(st.integers(2, 5)), draw(st.integers(2, 6))
            masks = [blob(rng, cy, cx + t, ry, rx) if draw(st.integers(0, 4)) else None for t in range(n)]
            masks = [m if m is None or m.any() else None for m in masks]
            objects.append((cat, masks, (cy, cx, ry, rx)))
            anns.append({"id": len(anns) + 1, "video_id": v, "category_id": cat, "iscrowd": 0, "height": H,
                         "width": W, "segmentations": masks,
                         "areas": [int(m.sum()) if m is not None else None for m in masks]})
        for res in results.values():
            for cat, masks, (cy, cx, ry, rx) in objects:
                tcat = cat if draw(st.integers(0, 4)) else draw(st.sampled_from([1, 6, 17]))
                split_at = draw(st.integers(0, n))
                parts = [(0, split_at), (split_at, n)] if draw(st.booleans()) else [(0, n)]
                for a, b in parts:
                    track = []
                    for t in range(n):
                        if a <= t < b and masks[t] is not None and draw(st.integers(0, 5)):
                            d = rng.integers(-1, 2, 2)
                            track.append(blob(rng, cy + d[0], cx + t + d[1], ry, rx))
                        else:
                            track.append(None)
                    res.append({"video_id": v, "category_id": tcat, "score": round(float(rng.uniform()), 3),
                                "segmentations": track})
            for _ in range(draw(st.integers(0, 2))):  # false-positive tracks
                t0 = draw(st.integers(0, n - 1))
                cy, cx = draw(st.integers(2, H - 3)), draw(st.integers(2, W - 3))
                res.append({"video_id": v, "category_id": draw(st.sampled_from([1, 6, 17])), "score": 0.2,
                            "segmentations": [blob(rng, cy, cx, 3, 3) if t >= t0 else None for t in range(n)]})
    forms = iter(draw(st.lists(st.sampled_from([uncompressed, compressed]), min_size=400, max_size=400)))
    return {"videos": videos, "annotations": anns, "categories": CATEGORIES}, results, lambda: next(forms)


def assert_parity(root: Path, gt_dir: Path, tr_dir: Path) -> int:
    ref = trackeval_vis(root)
    run = evaluate(resolve_dataset("youtube_vis_masks", str(gt_dir), str(tr_dir)))
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
def test_youtube_vis_masks_match_trackeval(split):
    gt, results, forms = split
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        g, t = write_split(root, gt, results, forms)
        assert assert_parity(root, g, t) > 0


def one_video(tmp_path, gt_segs, tr_segs):
    gt = {"videos": [{"id": 1, "file_names": [f"v/{t}.jpg" for t in range(len(gt_segs))], "height": H, "width": W}],
          "categories": CATEGORIES,
          "annotations": [{"id": 1, "video_id": 1, "category_id": 6, "iscrowd": 0, "height": H, "width": W,
                           "segmentations": gt_segs, "areas": [None] * len(gt_segs)}]}
    results = {"T": [{"video_id": 1, "category_id": 6, "score": 0.5, "segmentations": tr_segs}]}
    return gt, results


def test_masks_not_boxes_decide_the_match(tmp_path):
    """Two L-shaped masks with the same bounding box barely overlap: box IoU would match them, mask IoU must not."""
    a = np.zeros((H, W), np.uint8)
    a[0:10, 0:2] = 1
    a[8:10, 0:10] = 1
    b = np.zeros((H, W), np.uint8)
    b[0:2, 0:10] = 1
    b[0:10, 8:10] = 1
    gt, results = one_video(tmp_path, [a], [b])
    g, t = write_split(tmp_path, gt, results)
    assert assert_parity(tmp_path, g, t) > 0
    fields = evaluate(resolve_dataset("youtube_vis_masks", str(g), str(t))).metrics["T"]["sedan"]["v"]
    assert (fields["CLR_TP"], fields["CLR_FN"], fields["CLR_FP"]) == (0, 1, 1)


def test_saved_run_keeps_the_masks_and_frame_size(tmp_path):
    """``eval --save`` keeps each box's mask (what the inspector draws) and the video's frame size."""
    m = np.zeros((H, W), np.uint8)
    m[2:6, 3:9] = 1
    gt, results = one_video(tmp_path, [m, None], [None, m])
    g, t = write_split(tmp_path, gt, results)
    assert main(["eval", "--format", "youtube_vis_masks", "--gt-folder", str(g), "--trackers-folder", str(t),
                 "--save", str(tmp_path / "run"), "--quiet"]) == 0
    ws = Workspace.load(str(tmp_path / "run")).for_class("sedan")
    boxes = ws.analysis("T", "v").boxes
    drawn = boxes[boxes["mask"].notna()]
    assert len(drawn) == 2 and set(drawn["mask_h"]) == {H} and set(drawn["mask_w"]) == {W}
    for rle in drawn["mask"]:
        assert (mask_utils.decode({"size": [H, W], "counts": str(rle).encode()}) == m).all()
    assert (ws.sequence("v").height, ws.sequence("v").width) == (H, W)
    for frame in (1, 2):  # what the inspector paints: the file's mask in each frame
        masks = overlay_masks(overlay_boxes(ws.analysis("T", "v").frame_boxes(frame), 9))
        assert len(masks) == 1 and (mask_utils.decode(masks[0]) == m).all()


def _ok_mask():
    m = np.zeros((H, W), np.uint8)
    m[1:4, 1:4] = 1
    return m


@pytest.mark.parametrize("mutate, what", [
    (lambda gt, r: gt["annotations"][0]["segmentations"].__setitem__(0, {"size": [H, W + 1], "counts": [H * (W + 1)]}),
     f"annotation 1, frame 1: RLE size {H} x {W + 1} is not the video's {H} x {W}"),
    (lambda gt, r: gt["annotations"][0]["segmentations"].__setitem__(0, {"size": [H, W], "counts": [3, 4]}),
     f"annotation 1, frame 1: RLE counts are not run lengths >= 0 summing to {H} x {W}"),
    (lambda gt, r: gt["annotations"][0]["segmentations"].__setitem__(0, [[0, 0, 5, 0, 5, 5]]),
     "annotation 1, frame 1: the segmentation is a polygon"),
    (lambda gt, r: r["T"][0]["segmentations"].__setitem__(0, {"size": [H, W], "counts": "0<"}),
     "track 1, frame 1: RLE counts '0<' is not a pycocotools string"),
    (lambda gt, r: r["T"][0]["segmentations"].__setitem__(0, {"size": [H, W], "counts": "~~~"}),
     "track 1, frame 1: RLE counts '~~~' is not a pycocotools string"),
    (lambda gt, r: r["T"][0]["segmentations"].__setitem__(0, {"counts": "0<"}),
     "track 1, frame 1: segmentation"),
    (lambda gt, r: r["T"][0].update(segmentations=[]), "track 1: segmentations has 0 entries, video 1 has 1 frames"),
    (lambda gt, r: gt["annotations"][0].update(width=W + 2), f"annotation 1: height x width {H} x {W + 2}"),
    (lambda gt, r: [gt["videos"][0].pop("height"), gt["videos"][0].pop("width"), gt["annotations"][0].pop("height"),
                    gt["annotations"][0].pop("width")],
     "annotation 1: neither the annotation nor video 1 gives height"),
    (lambda gt, r: gt["annotations"][0]["segmentations"].__setitem__(0, {"size": [H, W], "counts": 7}),
     "annotation 1, frame 1: RLE counts is neither a list of run lengths nor a string"),
])
def test_bad_masks_name_file_place_and_fix(tmp_path, mutate, what):
    gt, results = one_video(tmp_path, [_ok_mask()], [_ok_mask()])
    write_split(tmp_path, gt, results, lambda: compressed)
    ours = json.loads((tmp_path / "ours_gt" / "youtube_vis_x" / "train.json").read_text())
    tr_file = tmp_path / "tr" / "youtube_vis_x" / "T" / "data" / "results.json"
    res = {"T": json.loads(tr_file.read_text())}
    mutate(ours, res)
    (tmp_path / "ours_gt" / "youtube_vis_x" / "train.json").write_text(json.dumps(ours))
    tr_file.write_text(json.dumps(res["T"]))
    with pytest.raises(InputError) as info:
        evaluate(resolve_dataset("youtube_vis_masks", str(tmp_path / "ours_gt" / "youtube_vis_x"),
                                 str(tmp_path / "tr" / "youtube_vis_x")))
    assert what in info.value.reason, info.value.reason
    assert info.value.fix and info.value.path.endswith(".json")


def rectangle_masks(path: Path, frames: int, height: int, width: int, gt: bool) -> dict[int, list]:
    """Per track id, one uncompressed RLE (or None) per frame: each MOT box rasterised by pycocotools
    (``frPyObjects`` of the box); ground truth keeps the pedestrians marked for evaluation."""
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    rows = rows[rows[:, 0] <= frames]
    if gt:
        rows = rows[(rows[:, 6] == 1) & (rows[:, 7] == 1)]
    tracks: dict[int, list] = {}
    rles = mask_utils.frPyObjects(np.ascontiguousarray(rows[:, 2:6], float), height, width) if len(rows) else []
    for (f, tid), rle in zip(rows[:, :2], rles):
        mask = mask_utils.decode(rle)
        tracks.setdefault(int(tid), [None] * frames)[int(f) - 1] = uncompressed(mask) if mask.any() else None
    return tracks


@pytest.mark.shared
def test_mot17_boxes_as_masks_match_trackeval(shared_data: Path, tmp_path: Path):
    """Real tracks, derived masks: MOT17-05's ground truth and two trackers' boxes over the first 120 frames,
    rasterised as rectangles (no real YouTube-VIS ground truth is available). A rectangle's mask IoU is the
    box IoU of its pixel bounding box, so this case checks real-scale loading and matching, not masks against
    boxes: the generated cases and the L-shaped masks do that."""
    seq, frames, height, width = "MOT17-05-FRCNN", 120, 480, 640
    root = shared_data / "mot_challenge"
    gt_tracks = rectangle_masks(root / "gt/mot_challenge/MOT17-train" / seq / "gt/gt.txt", frames, height, width, True)
    gt = {"videos": [{"id": 1, "height": height, "width": width,
                      "file_names": [f"{seq}/{t:06d}.jpg" for t in range(1, frames + 1)]}],
          "categories": [{"id": 1, "name": "pedestrian"}],
          "annotations": [{"id": tid, "video_id": 1, "category_id": 1, "iscrowd": 0, "height": height, "width": width,
                           "segmentations": segs, "areas": [None] * frames} for tid, segs in gt_tracks.items()]}
    g = tmp_path / "gt" / "youtube_vis_x"
    g.mkdir(parents=True)
    (g / "train.json").write_text(json.dumps(gt))
    for name in ("BoTSORT", "MPNTrack"):
        tracks = rectangle_masks(root / "trackers/mot_challenge/MOT17-train" / name / "data" / f"{seq}.txt",
                                 frames, height, width, False)
        ours = [{"video_id": 1, "category_id": 1, "score": 0.9, "segmentations": segs} for segs in tracks.values()]
        theirs = [{**t, "segmentations": [s and compressed(mask_utils.decode(mask_utils.frPyObjects(s, height, width)))
                                          for s in t["segmentations"]]} for t in ours]
        for side, entries in (("tr", ours), ("te", theirs)):
            d = tmp_path / side / "youtube_vis_x" / name / "data"
            d.mkdir(parents=True)
            (d / "results.json").write_text(json.dumps(entries))
    assert assert_parity(tmp_path, g, tmp_path / "tr" / "youtube_vis_x") > 0
    run = evaluate(resolve_dataset("youtube_vis_masks", str(g), str(tmp_path / "tr" / "youtube_vis_x")))
    assert run.metrics["BoTSORT"]["pedestrian"][seq]["CLR_TP"] > 500  # a real case: most boxes matched
