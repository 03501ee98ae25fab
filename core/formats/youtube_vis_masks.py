"""YouTube-VIS / OVIS JSON scored on **masks** (``--format youtube_vis_masks``): TrackEval 1.3.0's
``YouTubeVIS`` class as it is (``trackeval/datasets/youtube_vis.py``): the same loading as the box
reader (``youtube_vis.py``), nothing removed, similarity the pycocotools mask IoU of its
``_calculate_mask_ious`` (bit-identical: ``mask.mask_pairs`` calls it the same way).

Ground truth: annotations carry ``segmentations`` (one RLE or null per frame) and ``height``/
``width``; results: tracks ``{"video_id", "category_id", "score", "segmentations"}``. An RLE is
``{"size": [height, width], "counts": ...}`` with ``counts`` a list of run lengths (uncompressed,
as YouTube-VIS ground truth) or a pycocotools string (compressed, as results); both are read on
both sides (TrackEval reads only the first in ground truth and the second in results, and gives
the same masks). A falsy entry is no mask in that frame, as TrackEval. Refused with an InputError:
an RLE whose size is not its video's (the video's ``height``/``width``, else its first annotation's),
run lengths that do not cover exactly height x width pixels, polygons (not YouTube-VIS's form).
``Detections.box`` is each mask's bounding box (pycocotools ``toBbox``), for drawing only.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..detections import Detections
from ..errors import InputError
from ..prepare import EvalSequence, build
from .mots import mask_pairs, valid_rles
from .tao import _list, _load_json, _stat_key
from .youtube_vis import per_frame, read_vis_header, track_header

_GT_HINT = ("a YouTube-VIS ground-truth file is one JSON object with 'videos' (id, file_names, height, width), "
            "'annotations' (id, video_id, category_id, height, width, segmentations: one RLE or null per frame) "
            "and 'categories' (id, name); see docs/formats.md.")
_RESULT_HINT = ("a YouTube-VIS result file is one JSON list of tracks {'video_id', 'category_id', 'score', "
                "'segmentations': one RLE or null per frame}; see docs/formats.md.")
_RLE_FIX = ("Write each frame's mask as pycocotools RLE {'size': [height, width], 'counts': ...} at the video's "
            "size (pycocotools.mask.encode), or null where the object is absent.")


@dataclass(frozen=True)
class VisMaskGroundTruth:
    path: str
    video_names: tuple[str, ...]
    video_ids: dict  # name -> id
    lengths: dict  # video id -> frames
    sizes: dict  # video id -> (height, width) or None (no size given and no annotation)
    classes: tuple[str, ...]
    class_ids: dict  # name -> id
    videos: dict  # video id -> VisMaskVideo


@dataclass(frozen=True)
class VisMaskVideo:
    """One side of one video: ``dets`` (boxes = mask bounding boxes) and, row-aligned, ``rles``
    (pycocotools dicts, compressed); ``class_ids`` name -> category id."""

    dets: Detections
    rles: list[dict]
    class_ids: dict


def read_vis_masks_gt(path: str) -> VisMaskGroundTruth:
    return _read_gt(_stat_key(os.path.abspath(path)))


def read_vis_masks_results(path: str, gt: VisMaskGroundTruth) -> dict:
    return _read_results(_stat_key(os.path.abspath(path)), _stat_key(gt.path))


def vis_mask_size(gt_path: str, name: str) -> tuple[int | None, int | None]:
    """(height, width) of one video of a ground-truth file: the frame size the dashboard draws on."""
    gt = read_vis_masks_gt(gt_path)
    return gt.sizes.get(gt.video_ids[name]) or (None, None)


@lru_cache(maxsize=2)
def _read_gt(key: tuple) -> VisMaskGroundTruth:
    path = key[0]
    data = _load_json(path, _GT_HINT)
    if not isinstance(data, dict):
        raise InputError(path, "the top level is not a JSON object.", _GT_HINT)
    class_ids, names, ids, lengths = read_vis_header(path, data, _GT_HINT)
    tracks = _list(path, data, "annotations", _GT_HINT)
    sizes = _video_sizes(path, data["videos"], tracks, lengths)
    videos = _per_video(path, tracks, lengths, sizes, class_ids, is_gt=True)
    return VisMaskGroundTruth(path, tuple(names), ids, lengths, sizes, tuple(class_ids), class_ids, videos)


@lru_cache(maxsize=4)
def _read_results(key: tuple, gt_key: tuple) -> dict:
    path = key[0]
    gt = _read_gt(gt_key)
    data = _load_json(path, _RESULT_HINT)
    if not isinstance(data, list):
        raise InputError(path, "the top level is not a JSON list of tracks.", _RESULT_HINT)
    return _per_video(path, data, gt.lengths, gt.sizes, gt.class_ids, is_gt=False)


def _size_of(path: str, obj: dict, where: str) -> tuple[int, int] | None:
    h, w = obj.get("height"), obj.get("width")
    if h is None and w is None:
        return None
    ok = all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (h, w))
    if not ok:
        raise InputError(path, f"{where}: height {json.dumps(h)[:20]} / width {json.dumps(w)[:20]} are not "
                         "whole numbers > 0.", "Give the frame size in pixels.")
    return h, w


def _video_sizes(path: str, videos: list, tracks: list, lengths: dict) -> dict:
    """Each video's (height, width): its own, else its first annotation's; every annotation must agree."""
    sizes = {v["id"]: _size_of(path, v, f"video {k + 1}") for k, v in enumerate(videos)}
    for k, tr in enumerate(tracks):
        where = f"annotation {k + 1}"
        if not isinstance(tr, dict) or not isinstance(tr.get("video_id"), int) or tr["video_id"] not in lengths:
            continue  # reported by _per_video with the file's other checks
        size = _size_of(path, tr, where)
        vid = tr["video_id"]
        if size is None:
            continue
        if sizes[vid] is None:
            sizes[vid] = size
        elif size != sizes[vid]:
            raise InputError(path, f"{where}: height x width {size[0]} x {size[1]} is not video {vid}'s "
                             f"{sizes[vid][0]} x {sizes[vid][1]}.", "Give every annotation its video's frame size.")
    return sizes


def _rle(path: str, seg, size: tuple[int, int] | None, where: str) -> dict:
    """One present segmentation as a compressed pycocotools RLE, checked against the video's size."""
    from pycocotools import mask as mask_utils
    if isinstance(seg, list):
        raise InputError(path, f"{where}: the segmentation is a polygon (a list); only RLE is read.", _RLE_FIX)
    if not isinstance(seg, dict) or "size" not in seg or "counts" not in seg:
        raise InputError(path, f"{where}: segmentation {json.dumps(seg)[:60]} is not an RLE "
                         "{'size', 'counts'}.", _RLE_FIX)
    got = seg["size"]
    if not (isinstance(got, list) and len(got) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in got)):
        raise InputError(path, f"{where}: RLE size {json.dumps(got)[:40]} is not [height, width].", _RLE_FIX)
    h, w = got
    if size is not None and (h, w) != size:
        raise InputError(path, f"{where}: RLE size {h} x {w} is not the video's {size[0]} x {size[1]} "
                         "(height x width).", _RLE_FIX)
    counts = seg["counts"]
    if isinstance(counts, list):
        ok = all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts)
        if not ok or sum(counts) != h * w:
            raise InputError(path, f"{where}: RLE counts are not run lengths >= 0 summing to {h} x {w} = {h * w} "
                             "pixels.", _RLE_FIX)
        return mask_utils.frPyObjects({"size": [h, w], "counts": counts}, h, w)
    if isinstance(counts, str):
        raw = counts.encode("ascii", "replace")
        if not valid_rles([raw], np.array([h]), np.array([w]))[0]:
            raise InputError(path, f"{where}: RLE counts {counts[:30]!r} is not a pycocotools string of a "
                             f"{h} x {w} mask.", _RLE_FIX)
        return {"size": [h, w], "counts": raw}
    raise InputError(path, f"{where}: RLE counts is neither a list of run lengths nor a string.", _RLE_FIX)


def _per_video(path: str, tracks: list, lengths: dict, sizes: dict, class_ids: dict, *, is_gt: bool) -> dict:
    """Masks per video: frame-sorted, the file's track order inside a frame (TrackEval's order)."""
    from pycocotools import mask as mask_utils
    hint = _GT_HINT if is_gt else _RESULT_HINT
    rows: dict = {v: [] for v in lengths}
    for k, tr in enumerate(tracks):
        where, vid, cid, tid, score = track_header(path, tr, k, lengths, hint, is_gt=is_gt)
        segs = per_frame(path, tr, "segmentations", where, vid, lengths, hint,
                         "Write one RLE or null per frame of the video.")
        if is_gt and sizes[vid] is None:
            raise InputError(path, f"{where}: neither the annotation nor video {vid} gives height and width.",
                             "Add 'height' and 'width' to the video (or the annotation).")
        for t, seg in enumerate(segs):
            if not seg:  # TrackEval: a falsy entry is no mask in that frame
                continue
            rle = _rle(path, seg, sizes[vid], f"{where}, frame {t + 1}")
            rows[vid].append((t, tid, rle, score, cid, k + 1))
    out = {}
    for vid, rs in rows.items():
        rs.sort(key=lambda r: r[0])  # stable: the file's track order inside a frame
        rles = [r[2] for r in rs]
        n = len(rs)
        box = np.asarray(mask_utils.toBbox(rles), float).reshape(-1, 4) if rles else np.zeros((0, 4))
        dets = Detections(
            frame=np.array([r[0] + 1 for r in rs], np.int64), id=np.array([r[1] for r in rs], np.int64),
            box=box, conf=np.array([r[3] for r in rs], float), cls=np.array([r[4] for r in rs], np.int64),
            vis=np.full(n, np.nan), line=np.array([r[5] for r in rs], np.int64), num_frames=lengths[vid],
            source=path)
        out[vid] = VisMaskVideo(dets, rles, class_ids)
    return out


def load_vis_masks_sequence(gt_path: str, name: str, tracker_paths: dict) -> tuple[VisMaskVideo, dict]:
    gt = read_vis_masks_gt(gt_path)
    vid = gt.video_ids[name]
    return gt.videos[vid], {t: read_vis_masks_results(p, gt)[vid] for t, p in tracker_paths.items()}


def prepare_vis_masks(name: str, gt: VisMaskVideo, tr: VisMaskVideo,
                      classes: tuple[str, ...]) -> dict[str, EvalSequence]:
    """Each class on its own, nothing removed, similarity mask IoU (TrackEval's YouTubeVIS)."""
    from ..preprocess_kitti import check_unique_ids
    g, t = gt.dets, tr.dets
    pairs = mask_pairs(gt, tr)
    none = np.zeros(0, np.int64)
    out = {}
    for c in classes:
        out[c] = build(name, g, t, pairs, g.cls == gt.class_ids[c], t.cls == gt.class_ids[c], none)
        check_unique_ids(out[c], g, t, c)
    return out


__all__ = ["load_vis_masks_sequence", "prepare_vis_masks", "read_vis_masks_gt", "read_vis_masks_results",
           "vis_mask_size"]
