"""YouTube-VIS / OVIS JSON scored on **boxes** (``--format youtube_vis``), loaded as TrackEval 1.3.0's
``YouTubeVIS`` class loads it (``trackeval/datasets/youtube_vis.py``), with box IoU in place of its
mask IoU (TrackEval's ``YouTubeVIS`` scores masks only; masks are the other reader's business).

Ground truth, one JSON file::

    {"videos": [{"id": 1, "file_names": ["0043f083b5/00000.jpg", ...]}],
     "annotations": [{"id": 7, "video_id": 1, "category_id": 6,
                      "bboxes": [[x, y, w, h] or null, ...one per frame]}],
     "categories": [{"id": 6, "name": "sedan"}]}

Results, one JSON list of tracks: ``{"video_id", "category_id", "score", "bboxes": [...]}``.

As TrackEval: a video's name is the folder of its first file name, its length the number of file
names; every category is a class; a track is in frame t when its entry t is present (not null,
not empty); boxes of a frame keep the file's track order; ground-truth ids are the annotation ids,
result tracks are numbered in file order; nothing is removed (no preprocessing).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..detections import Detections
from ..errors import InputError
from ..prepare import EvalSequence, build
from ..similarity import box_pairs
from .motchallenge import MAX_COORD
from .tao import _field, _int, _list, _load_json, _score, _stat_key

_GT_HINT = ("a YouTube-VIS ground-truth file is one JSON object with 'videos' (id, file_names), 'annotations' "
            "(id, video_id, category_id, bboxes: one [x, y, w, h] or null per frame) and 'categories' (id, name); "
            "see docs/formats.md.")
_RESULT_HINT = ("a YouTube-VIS result file is one JSON list of tracks {'video_id', 'category_id', 'score', "
                "'bboxes': one [x, y, w, h] or null per frame}; see docs/formats.md.")


@dataclass(frozen=True)
class VisGroundTruth:
    path: str
    video_names: tuple[str, ...]
    video_ids: dict  # name -> id
    lengths: dict  # video id -> frames
    classes: tuple[str, ...]
    class_ids: dict  # name -> id
    videos: dict  # video id -> Detections


@dataclass(frozen=True)
class VisVideo:
    dets: Detections
    class_ids: dict


def read_vis_gt(path: str) -> VisGroundTruth:
    import os
    return _read_vis_gt(_stat_key(os.path.abspath(path)))


def read_vis_results(path: str, gt: VisGroundTruth) -> dict:
    import os
    return _read_vis_results(_stat_key(os.path.abspath(path)), _stat_key(gt.path))


@lru_cache(maxsize=2)
def _read_vis_gt(key: tuple) -> VisGroundTruth:
    path = key[0]
    data = _load_json(path, _GT_HINT)
    if not isinstance(data, dict):
        raise InputError(path, "the top level is not a JSON object.", _GT_HINT)
    class_ids, names, ids, lengths = read_vis_header(path, data, _GT_HINT)
    tracks = _list(path, data, "annotations", _GT_HINT)
    videos = _per_video(path, tracks, lengths, is_gt=True)
    return VisGroundTruth(path, tuple(names), ids, lengths, tuple(class_ids), class_ids, videos)


def read_vis_header(path: str, data: dict, hint: str) -> tuple[dict, list, dict, dict]:
    """Categories (name -> id) and videos (names in file order, name -> id, id -> frames) of a
    YouTube-VIS ground-truth object, as TrackEval names and sizes them (boxes and masks alike)."""
    class_ids: dict = {}
    for k, c in enumerate(_list(path, data, "categories", hint)):
        where = f"category {k + 1}"
        cid = _int(path, _field(path, c, "id", where, hint), where, "id")
        name = _field(path, c, "name", where, hint)
        if not isinstance(name, str) or name in class_ids:
            raise InputError(path, f"{where}: name {json.dumps(name)[:40]} is not text or appears twice.", hint)
        class_ids[name] = cid
    if not class_ids:
        raise InputError(path, "the file lists no category.", hint)
    names, ids, lengths = [], {}, {}
    for k, v in enumerate(_list(path, data, "videos", hint)):
        where = f"video {k + 1}"
        vid = _int(path, _field(path, v, "id", where, hint), where, "id")
        files = _field(path, v, "file_names", where, hint)
        if not isinstance(files, list) or not files or not isinstance(files[0], str):
            raise InputError(path, f"{where}: file_names is not a non-empty list of file names.", hint)
        name = files[0].split("/")[0]
        if name in ids or vid in lengths:
            raise InputError(path, f"{where}: video {name!r} (id {vid}) appears twice.",
                             "Give every video its own id and folder.")
        names.append(name)
        ids[name] = vid
        lengths[vid] = len(files)
    return class_ids, names, ids, lengths


@lru_cache(maxsize=4)
def _read_vis_results(key: tuple, gt_key: tuple) -> dict:
    path = key[0]
    gt = _read_vis_gt(gt_key)
    data = _load_json(path, _RESULT_HINT)
    if not isinstance(data, list):
        raise InputError(path, "the top level is not a JSON list of tracks.", _RESULT_HINT)
    return _per_video(path, data, gt.lengths, is_gt=False)


def track_header(path: str, tr, k: int, lengths: dict, hint: str, *, is_gt: bool) -> tuple[str, int, int, int, float]:
    """Track ``k`` of a file (0-based): where it is (for messages), its video, category, id (the ground
    truth's ``id``; a result's position, as TrackEval numbers them) and score (1 for the ground truth).
    ``hint``: the file kind's description, for the errors."""
    where = f"{'annotation' if is_gt else 'track'} {k + 1}"
    vid = _int(path, _field(path, tr, "video_id", where, hint), where, "video_id")
    if vid not in lengths:
        raise InputError(path, f"{where}: video_id {vid} is not a video of the ground truth.",
                         "Use the video ids of the ground-truth file's 'videos'.")
    cid = _int(path, _field(path, tr, "category_id", where, hint), where, "category_id")
    tid = _int(path, _field(path, tr, "id", where, hint), where, "id") if is_gt else k
    if tid < 0:
        raise InputError(path, f"{where}: negative id {tid}.", "Renumber the annotations with ids >= 0.")
    score = 1.0 if is_gt else _score(path, tr, where, hint, "Give every track a numeric 'score'.")
    return where, vid, cid, tid, score


def per_frame(path: str, tr, field: str, where: str, vid: int, lengths: dict, hint: str, fix: str) -> list:
    """A track's ``field`` (``bboxes`` or ``segmentations``): one entry per frame of its video."""
    entries = _field(path, tr, field, where, hint)
    if not isinstance(entries, list) or len(entries) != lengths[vid]:
        got = f"{len(entries)} entries" if isinstance(entries, list) else json.dumps(entries)[:40]
        raise InputError(path, f"{where}: {field} has {got}, video {vid} has {lengths[vid]} frames.", fix)
    return entries


def _per_video(path: str, tracks: list, lengths: dict, *, is_gt: bool) -> dict:
    """Rows per video: frame-sorted, the file's track order inside a frame."""
    hint = _GT_HINT if is_gt else _RESULT_HINT
    rows: dict = {v: [] for v in lengths}
    for k, tr in enumerate(tracks):
        where, vid, cid, tid, score = track_header(path, tr, k, lengths, hint, is_gt=is_gt)
        boxes = per_frame(path, tr, "bboxes", where, vid, lengths, hint,
                          "Write one [x, y, w, h] or null per frame of the video.")
        for t, box in enumerate(boxes):
            if not box:  # TrackEval: a falsy entry is no box in that frame
                continue
            rows[vid].append((t, tid, _box(path, box, f"{where}, frame {t + 1}"), score, cid, k + 1))
    out = {}
    for vid, rs in rows.items():
        rs.sort(key=lambda r: r[0])  # stable: the file's track order inside a frame
        n = len(rs)
        out[vid] = Detections(
            frame=np.array([r[0] + 1 for r in rs], np.int64), id=np.array([r[1] for r in rs], np.int64),
            box=np.array([r[2] for r in rs], float).reshape(-1, 4), conf=np.array([r[3] for r in rs], float),
            cls=np.array([r[4] for r in rs], np.int64), vis=np.full(n, np.nan),
            line=np.array([r[5] for r in rs], np.int64), num_frames=lengths[vid], source=path)
    return out


def _box(path: str, box, where: str) -> list[float]:
    ok = isinstance(box, list) and len(box) == 4 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v)) for v in box)
    if not ok:
        raise InputError(path, f"{where}: box {json.dumps(box)[:80]} is not 4 finite numbers [x, y, w, h].",
                         "Write each frame's box as [x, y, width, height], or null where the object is absent.")
    out = [float(v) for v in box]
    if any(abs(v) > MAX_COORD for v in out):
        raise InputError(path, f"{where}: box {json.dumps(box)[:80]} has a value beyond ±{MAX_COORD:g} pixels.",
                         "Boxes are [x, y, width, height] in pixels: check the units.")
    return out


def load_vis_sequence(gt_path: str, name: str, tracker_paths: dict) -> tuple[VisVideo, dict]:
    gt = read_vis_gt(gt_path)
    vid = gt.video_ids[name]
    return (VisVideo(gt.videos[vid], gt.class_ids),
            {t: VisVideo(read_vis_results(p, gt)[vid], gt.class_ids) for t, p in tracker_paths.items()})


def prepare_vis(name: str, gt: VisVideo, tr: VisVideo, classes: tuple[str, ...]) -> dict[str, EvalSequence]:
    """Each class on its own, nothing removed (TrackEval's YouTubeVIS preprocessing)."""
    g, t = gt.dets, tr.dets
    pairs = box_pairs(g.box, g.offsets, t.box, t.offsets)
    none = np.zeros(0, np.int64)
    from ..preprocess_kitti import check_unique_ids
    out = {}
    for c in classes:
        out[c] = build(name, g, t, pairs, g.cls == gt.class_ids[c], t.cls == gt.class_ids[c], none)
        check_unique_ids(out[c], g, t, c)
    return out


__all__ = ["load_vis_sequence", "prepare_vis", "read_vis_gt", "read_vis_results"]
