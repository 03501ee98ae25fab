"""Small KITTI and BDD100K datasets written to disk (the layouts of docs/formats.md), for saving,
opening and drawing runs of those formats: two sequences, cars and pedestrians moving across the
frame, a tracker that follows them and one that swaps two identities, misses boxes and adds a
false positive."""
from __future__ import annotations

import json
from pathlib import Path

FRAMES = 24


def _tracks(seq: int) -> list[tuple[int, str, float, float, float, float]]:
    """(id, class, x0, y0, w, h) at frame 0 and the per-frame step is x += 6 (+seq)."""
    return [(1, "Car", 40.0, 200.0, 120.0, 70.0), (2, "Car", 420.0 + 30 * seq, 230.0, 110.0, 65.0),
            (3, "Pedestrian", 800.0, 150.0, 40.0, 110.0)]


def _box(x0: float, y0: float, w: float, h: float, frame: int, seq: int, jitter: float = 0.0):
    x = x0 + (6 + seq) * frame + jitter
    return x, y0, x + w, y0 + h


def _boxes(seq: int, tracker: str | None):
    """Rows (frame, id, class, x0, y0, x1, y1, score) of the ground truth (tracker None) or a tracker."""
    rows = []
    for f in range(FRAMES):
        for tid, cls, x0, y0, w, h in _tracks(seq):
            if tracker is None:
                rows.append((f, tid, cls, *_box(x0, y0, w, h, f, seq), None))
                continue
            jitter = 2.0 if tracker == "tracker_a" else 5.0
            out_id = 10 + tid
            if tracker == "tracker_b":
                if tid in (1, 2) and f >= FRAMES // 2:
                    out_id = 13 - tid  # cars 1 and 2 swap identities half-way
                if tid == 3 and 8 <= f < 14:
                    continue  # the pedestrian is missed for six frames
            rows.append((f, out_id, cls, *_box(x0, y0, w, h, f, seq, jitter), 0.9))
        if tracker == "tracker_b" and f % 5 == 0:
            rows.append((f, 99, "Car", 1000.0, 300.0, 1080.0, 360.0, 0.4))  # a false positive
    return rows


def write_kitti(root: Path) -> tuple[Path, Path]:
    """``root/gt`` (label_02 + seqmap) and ``root/trackers/<tracker>/data``."""
    gt, trs = root / "gt", root / "trackers"
    (gt / "label_02").mkdir(parents=True)
    seqmap = []
    for seq in range(2):
        name = f"{seq:04d}"
        seqmap.append(f"{name} empty 000000 {FRAMES:06d}\n")
        (gt / "label_02" / f"{name}.txt").write_text("".join(_kitti_row(r) for r in _boxes(seq, None)))
        for tracker in ("tracker_a", "tracker_b"):
            (trs / tracker / "data").mkdir(parents=True, exist_ok=True)
            (trs / tracker / "data" / f"{name}.txt").write_text("".join(_kitti_row(r) for r in _boxes(seq, tracker)))
    (gt / "evaluate_tracking.seqmap.training").write_text("".join(seqmap))
    return gt, trs


def _kitti_row(row) -> str:
    frame, tid, cls, x0, y0, x1, y1, score = row
    text = (f"{frame} {tid} {cls} 0 0 -10.000000 {x0:.6f} {y0:.6f} {x1:.6f} {y1:.6f} "
            "-1000.000000 -1000.000000 -1000.000000 -10.000000 -1.000000 -1.000000 -1.000000")
    return text + (f" {score:.6f}" if score is not None else "") + "\n"


BDD_CLASS = {"Car": "car", "Pedestrian": "pedestrian"}


def write_bdd(root: Path) -> tuple[Path, Path]:
    """``root/gt/<video>.json`` and ``root/trackers/<tracker>/data/<video>.json``."""
    gt, trs = root / "gt", root / "trackers"
    gt.mkdir(parents=True)
    for seq in range(2):
        name = f"video-{seq}"
        (gt / f"{name}.json").write_text(json.dumps(_bdd_frames(name, _boxes(seq, None), is_gt=True)))
        for tracker in ("tracker_a", "tracker_b"):
            (trs / tracker / "data").mkdir(parents=True, exist_ok=True)
            frames = _bdd_frames(name, _boxes(seq, tracker), is_gt=False)
            (trs / tracker / "data" / f"{name}.json").write_text(json.dumps(frames))
    return gt, trs


def _bdd_frames(name: str, rows, is_gt: bool) -> list[dict]:
    frames = [{"name": f"{name}-{f:07d}.jpg", "videoName": name, "index": f, "labels": []} for f in range(FRAMES)]
    for frame, tid, cls, x0, y0, x1, y1, score in rows:
        label = {"id": str(tid), "category": BDD_CLASS[cls], "box2d": {"x1": x0, "y1": y0, "x2": x1, "y2": y1}}
        if is_gt:
            label["attributes"] = {"Crowd": False, "Occluded": False, "Truncated": False}
        else:
            label["score"] = score
        frames[frame]["labels"].append(label)
    return frames
