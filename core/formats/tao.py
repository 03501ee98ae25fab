"""COCO-video JSON with boxes (TAO's flavour) into per-video ``Detections``, and TrackEval 1.3.0's
``TAO`` preprocessing (``trackeval/datasets/tao.py``) into per-class ``EvalSequence``.

Ground truth is ONE JSON file for the whole split::

    {"videos": [{"id": 1, "name": "ArgoVerse/abc", "neg_category_ids": [..],
                 "not_exhaustive_category_ids": [..]}],
     "images": [{"id": 10, "video_id": 1, "frame_index": 0}, ...],
     "annotations": [{"id": 5, "image_id": 10, "video_id": 1, "track_id": 3, "category_id": 7,
                      "bbox": [x, y, w, h]}, ...],
     "categories": [{"id": 7, "name": "person", "merged": [{"id": 8}]}, ...], "tracks": [...]}

A tracker's results are ONE JSON list of annotations with a ``score`` (``video_id`` optional).

Loading, as TrackEval: a video's frames are its images that carry ground truth, in
``frame_index`` order (the number of frames is the count of the video's images); tracker boxes on
any other image are not evaluated (counted in a note). Tracker files keep the 300 best-scored
boxes per image (``MAX_DETECTIONS``); a track id used in several videos gets a new id per video;
categories listed under a category's ``merged`` become that category. Only categories with ground
truth are evaluated.

Preprocessing per class: ground truth and tracker boxes of the class are matched (Hungarian, IoU
>= 0.5); an unmatched tracker box is removed when its frame has no ground truth of the class and
the class is not one of the video's ``neg_category_ids``, and always when the class is one of its
``not_exhaustive_category_ids``. No ground truth is removed.

Differences on purpose (TrackEval crashes or silently misreads): missing ``neg_category_ids`` /
``not_exhaustive_category_ids`` / ``tracks`` are read as empty; negative, fractional or non-numeric
ids, non-finite boxes or scores, an annotation whose ``video_id`` disagrees with its image's, and
results on images the ground truth does not list are errors naming the annotation.

Results without ``track_id`` are detections without identities: an error naming ``--link iou``;
with it, ``track_id`` is not read and each video's ids come from ``linker.link_iou`` on its frames
as read here (after the 300-per-image limit; TETA links every box).
"""
from __future__ import annotations

import itertools
import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..detections import Detections
from ..errors import Ignored, InputError
from ..prepare import EvalSequence, build
from ..preprocess_kitti import check_unique_ids, preprocess_matches
from ..similarity import box_pairs
from .motchallenge import MAX_COORD, MAX_FILE_BYTES, _read_bytes

MAX_DETECTIONS = 300  # TrackEval's TAO default: boxes kept per image, best scores first
_MAX_ID = 2**53
_GT_HINT = ("a TAO ground-truth file is one JSON object with 'videos' (id, name), 'images' (id, video_id, "
            "frame_index), 'annotations' (image_id, track_id, category_id, bbox [x, y, w, h]) and 'categories' "
            "(id, name); see docs/formats.md.")
_RESULT_HINT = ("a TAO result file is one JSON list of annotations {'image_id', 'category_id', 'track_id', "
                "'bbox': [x, y, w, h], 'score'} ('video_id' optional); see docs/formats.md.")


@dataclass(frozen=True)
class TaoVideo:
    """One video of a TAO file: its boxes (``dets.cls`` holds the merged category id) and the
    per-video category lists its preprocessing needs."""

    dets: Detections
    neg_category_ids: frozenset
    not_exhaustive_category_ids: frozenset
    class_ids: dict  # evaluated category name -> id


@dataclass(frozen=True)
class TaoGroundTruth:
    path: str
    video_names: tuple[str, ...]  # TrackEval's sequence names ('/' -> '-'), in the file's order
    video_ids: dict  # name -> id
    lengths: dict  # video id -> number of images
    timestep: dict  # image id -> (video id, 0-based frame)
    image_video: dict  # image id -> video id (every listed image)
    classes: tuple[str, ...]  # categories with ground truth, in the file's order
    class_ids: dict  # name -> id
    merge: dict  # merged category id -> its category id
    neg: dict  # video id -> frozenset
    not_exhaustive: dict  # video id -> frozenset
    videos: dict  # video id -> Detections


def _load_json(path: str, hint: str):
    if not os.path.exists(path):
        raise InputError(path, "file not found.", "Check the folder layout (see docs/formats.md).")
    raw = _read_bytes(path, MAX_FILE_BYTES)
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc.msg}).", hint, line=exc.lineno) from None
    except UnicodeDecodeError:
        raise InputError(path, "not a UTF-8 text file.", hint) from None
    except (RecursionError, ValueError):
        raise InputError(path, "cannot read it as JSON (nested too deeply, or an integer of thousands of digits).",
                         hint) from None


def _stat_key(path: str) -> tuple:
    try:
        st = os.stat(path)
    except OSError:
        return (path, None, None)
    return (path, st.st_mtime_ns, st.st_size)


def read_tao_gt(path: str) -> TaoGroundTruth:
    """The whole ground-truth file, parsed once per process (keyed by path, size and mtime)."""
    return _read_tao_gt(_stat_key(os.path.abspath(path)))


def read_tao_results(path: str, gt: TaoGroundTruth, max_detections: int = MAX_DETECTIONS,
                     link: str | None = None) -> dict:
    """A tracker's result file as ``{video id: Detections}`` (with ``Ignored`` notes attached);
    ``max_detections`` boxes kept per image (0: all, as TETA's reference reads them). ``link``
    (``--link iou``): ``track_id`` is not read, each video's ids are tracklens' linker's."""
    return _read_tao_results(_stat_key(os.path.abspath(path)), _stat_key(gt.path), max_detections, link)


def _int(path: str, value, where: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not (math.isfinite(value) and value == int(value))):
        raise InputError(path, f"{where}: {what} {json.dumps(value)[:40]} is not an integer.",
                         f"Write {what} as a JSON integer.")
    out = int(value)
    if abs(out) > _MAX_ID:
        raise InputError(path, f"{where}: {what} {out} is too large (above 2**53).", f"Renumber {what} smaller.")
    return out


def _field(path: str, obj, key: str, where: str, hint: str):
    if not isinstance(obj, dict):
        raise InputError(path, f"{where} is not a JSON object.", hint)
    if key not in obj:
        raise InputError(path, f"{where} has no '{key}'.", hint)
    return obj[key]


def _score(path: str, obj: dict, where: str, hint: str, fix: str) -> float:
    """``obj['score']`` as a finite float, else an error naming the file, the entry and ``fix``."""
    s = _field(path, obj, "score", where, hint)
    try:
        ok = not isinstance(s, bool) and isinstance(s, (int, float)) and math.isfinite(float(s))
    except OverflowError:  # an integer of hundreds of digits
        ok = False
    if not ok:
        raise InputError(path, f"{where}: score {json.dumps(s)[:40]} is not a finite number.", fix)
    return float(s)


def _list(path: str, data: dict, key: str, hint: str, required: bool = True) -> list:
    value = data.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise InputError(path, f"'{key}' is missing or not a list.", hint)
    return value


def _bbox(path: str, ann: dict, where: str, hint: str) -> list[float]:
    box = _field(path, ann, "bbox", where, hint)
    ok = isinstance(box, list) and len(box) == 4 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in box)
    if ok:
        try:
            out = [float(v) for v in box]
        except OverflowError:
            ok = False
        else:
            ok = all(math.isfinite(v) for v in out)
    if not ok:
        raise InputError(path, f"{where}: bbox {json.dumps(box)[:80]} is not 4 finite numbers [x, y, w, h].", hint)
    if any(abs(v) > MAX_COORD for v in out):
        raise InputError(path, f"{where}: bbox {json.dumps(box)[:80]} has a value beyond ±{MAX_COORD:g} pixels.",
                         "bbox is [x, y, width, height] in pixels: check the units.")
    return out


@lru_cache(maxsize=2)
def _read_tao_gt(key: tuple) -> TaoGroundTruth:
    path = key[0]
    data = _load_json(path, _GT_HINT)
    if not isinstance(data, dict):
        raise InputError(path, "the top level is not a JSON object.", _GT_HINT)
    categories = _list(path, data, "categories", _GT_HINT)
    merge, names, cat_ids = {}, {}, []
    for k, c in enumerate(categories):
        where = f"category {k + 1}"
        cid = _int(path, _field(path, c, "id", where, _GT_HINT), where, "id")
        name = _field(path, c, "name", where, _GT_HINT)
        if not isinstance(name, str):
            raise InputError(path, f"{where}: name {json.dumps(name)[:40]} is not text.", _GT_HINT)
        names.setdefault(name, cid)
        cat_ids.append((name, cid))
        for m in c.get("merged") or []:
            merge[_int(path, _field(path, m, "id", f"{where} (merged)", _GT_HINT), where, "merged id")] = cid
    videos = _list(path, data, "videos", _GT_HINT)
    video_names, video_ids, neg, not_ex = [], {}, {}, {}
    for k, v in enumerate(videos):
        where = f"video {k + 1}"
        vid = _int(path, _field(path, v, "id", where, _GT_HINT), where, "id")
        name = _field(path, v, "name", where, _GT_HINT)
        if not isinstance(name, str) or not name:
            raise InputError(path, f"{where}: name {json.dumps(name)[:40]} is not a non-empty text.", _GT_HINT)
        seq = name.replace("/", "-")
        if seq in video_ids or vid in neg:
            raise InputError(path, f"{where}: video name {name!r} or id {vid} appears twice.",
                             "Give every video its own id and name.")
        video_names.append(seq)
        video_ids[seq] = vid
        neg[vid] = frozenset(_int(path, c, where, "neg_category_ids entry") for c in v.get("neg_category_ids") or [])
        not_ex[vid] = frozenset(_int(path, c, where, "not_exhaustive_category_ids entry")
                                for c in v.get("not_exhaustive_category_ids") or [])
    if not video_names:
        raise InputError(path, "the file lists no video.", _GT_HINT)
    images = _list(path, data, "images", _GT_HINT)
    image_video, frame_index = {}, {}
    lengths = {vid: 0 for vid in neg}
    for k, im in enumerate(images):
        where = f"image {k + 1}"
        iid = _int(path, _field(path, im, "id", where, _GT_HINT), where, "id")
        vid = _int(path, _field(path, im, "video_id", where, _GT_HINT), where, "video_id")
        fi = _field(path, im, "frame_index", where, _GT_HINT)
        if isinstance(fi, bool) or not isinstance(fi, (int, float)) or not math.isfinite(fi):
            raise InputError(path, f"{where}: frame_index {json.dumps(fi)[:40]} is not a number.", _GT_HINT)
        if vid not in lengths:
            raise InputError(path, f"{where}: video_id {vid} is not a listed video.", "List the video in 'videos'.")
        if iid in image_video:
            raise InputError(path, f"{where}: image id {iid} appears twice.", "Give every image its own id.")
        image_video[iid] = vid
        frame_index[iid] = fi
        lengths[vid] += 1
    anns = _list(path, data, "annotations", _GT_HINT)
    rows = _annotation_rows(path, anns, image_video, merge, is_gt=True, hint=_GT_HINT)
    # a video's frames: its images carrying ground truth, in frame_index order (TrackEval's timesteps)
    first_seen: dict = {}
    for img in rows["image"]:
        first_seen.setdefault(image_video[img], {}).setdefault(img, None)
    timestep = {}
    for vid, imgs in first_seen.items():
        for t, img in enumerate(sorted(imgs, key=lambda i: frame_index[i])):
            timestep[img] = (vid, t)
    with_gt = {c for c in rows["cls"]}
    classes = tuple(dict.fromkeys(n for n, c in cat_ids if c in with_gt))
    by_video = _per_video(path, rows, timestep, lengths)
    return TaoGroundTruth(path, tuple(video_names), video_ids, lengths, timestep, image_video, classes,
                          {n: names[n] for n in classes}, merge, neg, not_ex, by_video)


def _annotation_rows(path: str, anns: list, image_video: dict, merge: dict, *, is_gt: bool, hint: str,
                     ids_optional: bool = False) -> dict:
    """``ids_optional`` (results read for ``--link``): ``track_id`` not read, a placeholder per row."""
    out = {k: [] for k in ("image", "video", "id", "cls", "box", "score", "line")}
    for k, ann in enumerate(anns):
        where = f"annotation {k + 1}"
        img = _int(path, _field(path, ann, "image_id", where, hint), where, "image_id")
        if img not in image_video:
            raise InputError(path, f"{where}: image_id {img} is not an image of the ground truth.",
                             "Use the image ids of the ground-truth file's 'images'.")
        vid = ann.get("video_id", image_video[img]) if isinstance(ann, dict) else None
        vid = _int(path, vid, where, "video_id")
        if vid != image_video[img]:
            raise InputError(path, f"{where}: video_id {vid} but image {img} belongs to video {image_video[img]}.",
                             "Write the video_id of the annotation's image (or leave it out in results).")
        tid = k if ids_optional else _int(path, _field(path, ann, "track_id", where, hint), where, "track_id")
        if tid < 0:
            raise InputError(path, f"{where}: negative track_id {tid}.", "Renumber the tracks with ids >= 0.")
        cid = _int(path, _field(path, ann, "category_id", where, hint), where, "category_id")
        score = 1.0 if is_gt else _score(path, ann, where, hint, "Give every result a numeric 'score'.")
        out["box"].append(_bbox(path, ann, where, hint))
        out["image"].append(img)
        out["video"].append(vid)
        out["id"].append(tid)
        out["cls"].append(merge.get(cid, cid))
        out["score"].append(score)
        out["line"].append(k + 1)
    return out


def _per_video(path: str, rows: dict, timestep: dict, lengths: dict) -> dict:
    """Rows grouped per video and frame; inside a frame, the annotations' order in the file."""
    t = np.array([timestep[i][1] if i in timestep else -1 for i in rows["image"]], np.int64)
    vid = np.asarray(rows["video"], np.int64)
    box = np.asarray(rows["box"], float).reshape(-1, 4)
    ids = np.asarray(rows["id"], np.int64)
    cls = np.asarray(rows["cls"], np.int64)
    score = np.asarray(rows["score"], float)
    line = np.asarray(rows["line"], np.int64)
    out = {}
    for v, n in lengths.items():
        sel = np.flatnonzero((vid == v) & (t >= 0))
        sel = sel[np.argsort(t[sel], kind="stable")]
        out[v] = Detections(frame=t[sel] + 1, id=ids[sel], box=box[sel], conf=score[sel], cls=cls[sel],
                            vis=np.full(sel.size, np.nan), line=line[sel], num_frames=n, source=path)
    return out


@lru_cache(maxsize=4)
def _read_tao_results(key: tuple, gt_key: tuple, max_detections: int = MAX_DETECTIONS,
                      link: str | None = None) -> dict:
    path = key[0]
    gt = _read_tao_gt(gt_key)
    data = _load_json(path, _RESULT_HINT)
    if isinstance(data, dict) and isinstance(data.get("annotations"), list):
        data = data["annotations"]
    if not isinstance(data, list):
        raise InputError(path, "the top level is not a JSON list of annotations.", _RESULT_HINT)
    if not link:
        _require_track_ids(path, data)
    rows = _annotation_rows(path, data, gt.image_video, gt.merge, is_gt=False, hint=_RESULT_HINT,
                            ids_optional=bool(link))
    if max_detections:
        rows = _limit_per_image(rows, max_detections)
    if not link:
        rows["id"] = _unique_track_ids(rows["id"], rows["video"])
    by_video = _per_video(path, rows, gt.timestep, gt.lengths)
    if link:  # per video, on its frames as read above (images with ground truth, frame_index order)
        from ..linker import link_iou
        by_video = {vid: link_iou(dets) for vid, dets in by_video.items()}
    off: dict = {}
    for img, vid in zip(rows["image"], rows["video"]):
        if img not in gt.timestep:
            off[vid] = off.get(vid, 0) + 1
    for vid, n in off.items():
        by_video[vid] = _with_note(by_video[vid], Ignored(
            path, n, f"results on images of video {vid} without ground truth (TrackEval evaluates only the "
            "images that carry ground truth)"))
    return by_video


def _require_track_ids(path: str, anns: list) -> None:
    """Results without ``track_id`` are detections without identities: ``--link iou`` is the way to
    score them. If only some lack one, the first of them is named (the file is inconsistent)."""
    missing = [k for k, a in enumerate(anns) if isinstance(a, dict) and "track_id" not in a]
    if not missing:
        return
    if len(missing) == len(anns):
        raise InputError(path, "no result has a 'track_id': these are detections without identities, and HOTA, "
                         "CA-HOTA, CLEAR, Identity and TETA score tracks, so they need track ids.",
                         "Pass --link iou to link them frame to frame (scored and labelled as 'ids linked by "
                         "tracklens'; docs/formats.md), or write the tracker's own track_id on every result.")
    raise InputError(path, f"annotation {missing[0] + 1} has no 'track_id' ({len(missing)} of the {len(anns)} "
                     "results lack one).", "Give every result its tracker's track_id, or pass --link iou to replace "
                     "all of them with ids linked by tracklens (docs/formats.md).")


def _with_note(dets: Detections, note: Ignored) -> Detections:
    return Detections(dets.frame, dets.id, dets.box, dets.conf, dets.cls, dets.vis, dets.line, dets.num_frames,
                      dets.source, (note,))


def _limit_per_image(rows: dict, max_detections: int = MAX_DETECTIONS) -> dict:
    """TrackEval's ``_limit_dets_per_image``: rows grouped per image (first appearance); an image
    with more than ``max_detections`` keeps its best-scored ones (stable, highest first)."""
    groups: dict = {}
    for k, img in enumerate(rows["image"]):
        groups.setdefault(img, []).append(k)
    order = []
    for ks in groups.values():
        if len(ks) > max_detections:
            ks = sorted(ks, key=lambda k: rows["score"][k], reverse=True)[:max_detections]
        order.extend(ks)
    return {name: [col[k] for k in order] for name, col in rows.items()}


def _unique_track_ids(ids: list, videos: list) -> list:
    """TrackEval's ``_make_track_ids_unique``: a track id used in several videos gets a new id (above
    every id) per (id, video)."""
    first: dict = {}
    shared = set()
    for t, v in zip(ids, videos):
        if first.setdefault(t, v) != v:
            shared.add(t)
    if not shared:
        return ids
    counter = itertools.count(max(ids) + 1)
    new: dict = {}
    out = []
    for t, v in zip(ids, videos):
        if t in shared:
            if (t, v) not in new:
                new[(t, v)] = next(counter)
            t = new[(t, v)]
        out.append(t)
    return out


def load_tao_sequence(gt_path: str, name: str, tracker_paths: dict,
                      link: str | None = None) -> tuple[TaoVideo, dict]:
    """One video's ground truth and each tracker's boxes (ids linked by tracklens with ``link``)."""
    gt = read_tao_gt(gt_path)
    if name not in gt.video_ids:
        raise InputError(gt_path, f"video '{name}' is not in the ground truth.", "Check --gt-folder.")
    vid = gt.video_ids[name]
    common = dict(neg_category_ids=gt.neg[vid], not_exhaustive_category_ids=gt.not_exhaustive[vid],
                  class_ids=gt.class_ids)
    trackers = {t: TaoVideo(read_tao_results(p, gt, link=link)[vid], **common) for t, p in tracker_paths.items()}
    return TaoVideo(gt.videos[vid], **common), trackers


def preprocess_tao(name: str, gt: TaoVideo, tr: TaoVideo, cls: str, pairs=None) -> EvalSequence:
    """The metric-ready sequence of one TAO class, preprocessed as TrackEval."""
    if cls not in gt.class_ids:
        raise InputError(cls, f"class {cls!r} has no ground truth in this TAO file.",
                         f"Use some of {', '.join(gt.class_ids)}.")
    g, t = gt.dets, tr.dets
    if pairs is None:
        pairs = box_pairs(g.box, g.offsets, t.box, t.offsets)
    cid = gt.class_ids[cls]
    gt_sel = g.cls == cid
    tr_sel = t.cls == cid
    _, matched = preprocess_matches(g, t, pairs, gt_sel, tr_sel)
    unmatched = tr_sel.copy()
    unmatched[matched] = False
    if cid in gt.not_exhaustive_category_ids:
        remove = unmatched
    elif cid in gt.neg_category_ids:
        remove = np.zeros_like(unmatched)
    else:
        gt_in_frame = np.bincount(g.frame[gt_sel], minlength=g.num_frames + 1) > 0
        remove = unmatched & ~gt_in_frame[t.frame]
    removed = np.flatnonzero(remove)
    seq = build(name, g, t, pairs, gt_sel, tr_sel & ~remove, removed)
    check_unique_ids(seq, g, t, cls)
    return seq


def prepare_tao(name: str, gt: TaoVideo, tr: TaoVideo, classes: tuple[str, ...]) -> dict[str, EvalSequence]:
    """Every requested class of one video x tracker (IoU computed once for all classes)."""
    pairs = box_pairs(gt.dets.box, gt.dets.offsets, tr.dets.box, tr.dets.offsets)
    return {c: preprocess_tao(name, gt, tr, c, pairs) for c in classes}


__all__ = ["MAX_DETECTIONS", "TaoGroundTruth", "TaoVideo", "load_tao_sequence", "prepare_tao", "preprocess_tao",
           "read_tao_gt", "read_tao_results"]
