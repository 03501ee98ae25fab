"""BDD100K box-tracking JSON (one file per video) into ``BoxFile``, and TrackEval's BDD100K
preprocessing (``trackeval/datasets/bdd100k.py``) into per-class ``EvalSequence``.

A file is a list of frames (an object ``{"frames": [...]}`` is accepted too)::

    [{"name": "...", "videoName": "...", "index": 0,
      "labels": [{"id": "17", "category": "car", "score": 0.9,
                  "attributes": {"Crowd": false, "Occluded": false, "Truncated": false},
                  "box2d": {"x1": 10.0, "y1": 20.0, "x2": 50.0, "y2": 60.0}}, ...]}, ...]

Loading, as TrackEval: frames are sorted by ``index`` (stable) and numbered by position; a
tracker file must have as many frames as the ground truth, and its t-th frame (after sorting) is
compared with the ground truth's t-th frame. Ids are integers (numeric strings accepted).
Ground-truth labels of a distractor category ('other person', 'trailer', 'other vehicle') or with
the crowd attribute are ignore regions, not boxes. TrackEval reads the attribute as ``Crowd``
(BDD100K's 2020 labels) and fails on labels whose attributes lack it; the current lower-case
``crowd`` is accepted here too.

Preprocessing per class (one of ``CLASSES``, each evaluated on its own): ground truth of the class
and tracker boxes of the class are matched (Hungarian, IoU >= 0.5); unmatched tracker boxes with
IoA > 0.5 in any ignore region of the frame are removed. Nothing else is removed.

Differences on purpose (TrackEval crashes, or silently does something odd): a missing
``labels`` key or ``null`` is an empty frame; negative ids are rejected (TrackEval's relabelling
would merge them with another id); only ``*.json`` files are sequences (see ``tracklens.formats.layouts``).
"""
from __future__ import annotations

import json
import math
import os
import re

import numpy as np

from ..detections import Detections
from ..errors import InputError
from ..prepare import EvalSequence, build
from ..preprocess_kitti import check_unique_ids, corner_pairs, in_regions, preprocess_matches
from .kitti import BoxFile, IgnoreRegions
from .motchallenge import MAX_COORD, MAX_FILE_BYTES, _read_bytes

CLASS_IDS = {"pedestrian": 1, "rider": 2, "other person": 3, "car": 4, "bus": 5, "truck": 6, "train": 7,
             "trailer": 8, "other vehicle": 9, "motorcycle": 10, "bicycle": 11}
CLASS_NAMES = {v: k for k, v in CLASS_IDS.items()}
CLASSES = ("pedestrian", "rider", "car", "bus", "truck", "train", "motorcycle", "bicycle")
DISTRACTORS = ("other person", "trailer", "other vehicle")
SUPER_CATEGORIES = {"HUMAN": ("pedestrian", "rider"), "VEHICLE": ("car", "truck", "bus", "train"),
                    "BIKE": ("motorcycle", "bicycle")}
_MAX_ID = 2**53
_FORMAT_HINT = ("a BDD100K box-tracking file is a JSON list of frames {'index', 'labels': [{'id', 'category', "
                "'box2d': {'x1','y1','x2','y2'}, 'attributes': {'Crowd'}}]}.")


def read_bdd_file(path: str, *, is_gt: bool, num_frames: int | None = None) -> BoxFile:
    """Read one video's JSON. A tracker file must have ``num_frames`` frames (the ground truth's
    count) when it is given.

    ``Detections.line`` holds the label's 1-based position in the file (JSON has no useful line
    numbers); errors name the frame (its ``index``) and the label.
    """
    if not os.path.exists(path):
        raise InputError(path, "file not found.", "Check the folder layout (see docs/formats.md).")
    raw = _read_bytes(path, MAX_FILE_BYTES)  # a folder, a FIFO or a file above the limit: refused before reading
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc.msg}).", _FORMAT_HINT, line=exc.lineno) from None
    except UnicodeDecodeError:
        raise InputError(path, "not a UTF-8 text file.", _FORMAT_HINT) from None
    except (RecursionError, ValueError) as exc:  # nested too deeply; an integer of more than 4300 digits
        raise InputError(path, f"cannot read it as JSON ({_json_limit(exc)}).", _FORMAT_HINT) from None
    if isinstance(data, dict) and isinstance(data.get("frames"), list):
        data = data["frames"]
    if not isinstance(data, list) or not all(isinstance(f, dict) for f in data):
        raise InputError(path, "the top level is not a list of frame objects.", _FORMAT_HINT)
    for k, f in enumerate(data):
        if _number(f.get("index")) is None:
            raise InputError(path, f"frame {k + 1} of the file (name {str(f.get('name'))[:60]!r}) has no numeric "
                             "'index'.",
                             "Give every frame its 0-based 'index' in the video.")
    frames = sorted(data, key=lambda f: f["index"])  # stable, as TrackEval's sorted()
    if not is_gt and num_frames is not None and len(frames) != num_frames:
        raise InputError(path, f"the tracker file has {len(frames)} frames, the ground truth {num_frames} (TrackEval "
                         "pairs frames by position after sorting by 'index', so the counts must match).",
                         "Write one frame object per ground-truth frame (with an empty 'labels' list where "
                         "there is nothing).")

    rows_frame, rows_id, rows_box, rows_conf, rows_cls, rows_line = [], [], [], [], [], []
    reg_frame, reg_box, reg_line = [], [], []
    label_no = 0
    for t, f in enumerate(frames, start=1):
        labels = f.get("labels")
        if labels is None:
            labels = []
        if not isinstance(labels, list):
            raise InputError(path, f"'labels' of the frame with index {f['index']} is not a list.", _FORMAT_HINT)
        for j, ann in enumerate(labels):
            label_no += 1
            where = f"label {j + 1} of the frame with index {f['index']}"
            if not isinstance(ann, dict):
                raise InputError(path, f"{where} is not an object.", _FORMAT_HINT)
            category = ann.get("category")
            attributes = ann.get("attributes")
            crowd = False
            if isinstance(attributes, dict):
                crowd = attributes.get("Crowd", attributes.get("crowd", False))
                if not isinstance(crowd, bool):  # bool("false") is True: a string must not make an ignore region
                    raise InputError(path, f"{where}: attribute Crowd is {json.dumps(crowd)[:40]}, not true or false.",
                                     'Write "Crowd": true or "Crowd": false (JSON booleans, no quotes).')
            box = _box(path, ann, where)
            if is_gt and (category in DISTRACTORS or crowd):
                reg_frame.append(t)
                reg_box.append(box)
                reg_line.append(label_no)
                continue
            if not isinstance(category, str) or category not in CLASS_IDS:
                raise InputError(path, f"{where}: category {str(category)[:40]!r} is not a BDD100K tracking class "
                                 f"({', '.join(CLASS_IDS)}).", "Map the category to one of these names.")
            rows_frame.append(t)
            rows_id.append(_id(path, ann.get("id"), where))
            rows_box.append(box)
            rows_cls.append(CLASS_IDS[category])
            score = ann.get("score")
            conf = _number(score)
            if conf is None and isinstance(score, (int, float)) and not isinstance(score, bool):
                raise InputError(path, f"{where}: score {str(score)[:40]} is not a finite number.",
                                 "Write the score as a finite number (or leave it out: 1 is used).")
            rows_conf.append(1.0 if conf is None else conf)
            rows_line.append(label_no)

    n_frames = len(frames)
    corners = np.asarray(rows_box, float).reshape(-1, 4)
    ids = np.asarray(rows_id, np.int64)
    negative = ids < 0
    if negative.any():
        k = int(np.argmax(negative))
        raise InputError(path, f"negative id {int(ids[k])} (label {rows_line[k]} of the file); ids must be >= 0 "
                         "(TrackEval would silently merge it with another id).",
                         "Renumber the ids so that all are non-negative.")
    n = corners.shape[0]
    dets = Detections(
        frame=np.asarray(rows_frame, np.int64), id=ids,
        box=np.column_stack([corners[:, 0], corners[:, 1], corners[:, 2] - corners[:, 0],
                             corners[:, 3] - corners[:, 1]]).reshape(-1, 4),
        conf=np.asarray(rows_conf, float), cls=np.asarray(rows_cls, np.int64), vis=np.full(n, np.nan),
        line=np.asarray(rows_line, np.int64), num_frames=n_frames, source=path, ignored=(),
    )
    regions = IgnoreRegions(np.asarray(reg_frame, np.int64), np.asarray(reg_box, float).reshape(-1, 4),
                            np.asarray(reg_line, np.int64), n_frames) if is_gt else None
    return BoxFile(dets, corners, {}, regions)


def _number(value) -> float | None:
    """``value`` as a finite float; None for anything else (text, bool, NaN, inf, an int beyond float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def _json_limit(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "arrays or objects nested too deeply"
    return " ".join(str(exc).split(":")[0].split())  # "Exceeds the limit (4300 digits) for integer string conversion"


def _box(path: str, ann: dict, where: str) -> list[float]:
    box = ann.get("box2d")
    if not isinstance(box, dict):
        raise InputError(path, f"{where} has no 'box2d'.", "Every label needs 'box2d': {'x1','y1','x2','y2'}.")
    out = [_number(box.get(k)) for k in ("x1", "y1", "x2", "y2")]
    if any(v is None for v in out):
        raise InputError(path, f"{where}: box2d {json.dumps(box)[:80]} needs finite numbers x1, y1, x2, y2.",
                         _FORMAT_HINT)
    if any(abs(v) > MAX_COORD for v in out):
        raise InputError(path, f"{where}: box2d {json.dumps(box)[:80]} has a corner beyond ±{MAX_COORD:g} pixels.",
                         "Corners are x1, y1, x2, y2 in pixels: check the units.")
    return out  # type: ignore[return-value]


def _id(path: str, value, where: str) -> int:
    out = None
    if isinstance(value, str):
        if re.fullmatch(r"-?[0-9]+", value.strip()):  # int() also takes Unicode digits ('١٢')
            out = int(value.strip())
    elif isinstance(value, int) and not isinstance(value, bool):
        out = value
    elif isinstance(value, float) and math.isfinite(value) and value == int(value):
        out = int(value)
    if out is None:
        raise InputError(path, f"{where}: id {str(value)[:40]!r} is not an integer.",
                         "Use integer ids (numbers or numeric strings such as \"17\").")
    if abs(out) > _MAX_ID:
        raise InputError(path, f"{where}: id {str(value)[:40]} is too large (above 2**53).",
                         "Renumber the ids with smaller integers.")
    return out


def preprocess_bdd(name: str, gt: BoxFile, tr: BoxFile, cls: str, pairs=None) -> EvalSequence:
    """The metric-ready sequence of one BDD100K class, preprocessed as TrackEval."""
    if cls not in CLASSES:
        raise InputError(cls, f"class {cls!r} cannot be evaluated on BDD100K.", f"Use some of {', '.join(CLASSES)}.")
    if pairs is None:
        pairs = corner_pairs(gt, tr)
    cls_id = CLASS_IDS[cls]
    gt_sel = gt.dets.cls == cls_id
    tr_sel = tr.dets.cls == cls_id
    _, mt = preprocess_matches(gt.dets, tr.dets, pairs, gt_sel, tr_sel)
    unmatched = tr_sel.copy()
    unmatched[mt] = False
    candidates = np.flatnonzero(unmatched)
    removed = candidates[in_regions(tr, candidates, gt.regions)]
    keep_tr = tr_sel.copy()
    keep_tr[removed] = False
    seq = build(name, gt.dets, tr.dets, pairs, gt_sel, keep_tr, removed)
    check_unique_ids(seq, gt.dets, tr.dets, cls)
    return seq


def prepare_bdd(name: str, gt: BoxFile, tr: BoxFile, classes: tuple[str, ...] = CLASSES) -> dict[str, EvalSequence]:
    """Every requested class of one video x tracker (IoU computed once for all classes)."""
    pairs = corner_pairs(gt, tr)
    return {c: preprocess_bdd(name, gt, tr, c, pairs) for c in classes}


__all__ = ["CLASSES", "CLASS_IDS", "DISTRACTORS", "SUPER_CATEGORIES", "prepare_bdd", "preprocess_bdd",
           "read_bdd_file"]
