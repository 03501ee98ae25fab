"""A small MOTS Challenge dataset written to disk (TrackEval's ``MOTSChallenge`` layout), for saving,
explaining and drawing mask runs: pedestrians as ellipses walking past each other (the nearer one
hides part of the farther one, so mask IoU and the IoU of the masks' bounding boxes differ), an
ignore region (class 10), a tracker that follows them with ragged masks and one that swaps two
identities, misses a pedestrian for a while, adds false positives (one inside the ignore region) and
gives one pedestrian a box-shaped mask (a high box IoU, a low mask IoU). ``mots_sequence``: generated
MOTS text (tiny H x W masks from random label maps) for hypothesis."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import strategies as st
from pycocotools import mask as mask_utils

FRAMES = 16
HEIGHT, WIDTH = 360, 640
SEQUENCE = "MOTS20-90"
TRACKERS = ("follower", "swapper")
IGNORE = (slice(0, 80), slice(520, 640))  # rows, columns of the ground truth's ignore region
H, W = 6, 8  # the generated cases' mask size


def rle(mask: np.ndarray) -> str:
    return mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))["counts"].decode("ascii")


def rows_of(labels: np.ndarray, frame: int, ident: dict[int, int], cls: dict[int, int]) -> list[str]:
    """One row per label > 0 of a frame's label map: its mask, id ``ident[label]``, class ``cls[label]``."""
    return [f"{frame} {ident[lab]} {cls[lab]} {H} {W} {rle(labels == lab)}" for lab in np.unique(labels) if lab > 0]


@st.composite
def mots_sequence(draw, zero_based: bool):
    """(length, gt text, {tracker: text}); ground-truth label 4 is the ignore region (class 10)."""
    length = draw(st.integers(1, 4))
    gt_cls = {1: draw(st.sampled_from([1, 2])), 2: draw(st.sampled_from([1, 2])), 3: 2, 4: 10}
    gt_id = {1: 1, 2: 2, 3: 7, 4: 10000}
    gt_rows: list[str] = []
    trackers: dict[str, list[str]] = {"A": [], "B": []}
    for t in range(length):
        frame = t if zero_based else t + 1
        if draw(st.booleans()) and length > 1:
            continue  # an empty frame
        cells = np.array(draw(st.lists(st.integers(0, 4), min_size=H * W // 4, max_size=H * W // 4)))
        g = np.kron(cells.reshape(H // 2, W // 2), np.ones((2, 2), np.int64))  # blocks: objects a few pixels big
        gt_rows += rows_of(g, frame, gt_id, gt_cls)
        if draw(st.integers(0, 5)) == 0:  # an empty mask (zero area), which pycocotools gives IoU 0
            gt_rows.append(f"{frame} 99 2 {H} {W} {rle(np.zeros((H, W), bool))}")
        for name in trackers:
            noise = np.array(draw(st.lists(st.integers(0, 4), min_size=H * W, max_size=H * W))).reshape(H, W)
            flip = np.array(draw(st.lists(st.integers(0, 3), min_size=H * W, max_size=H * W))).reshape(H, W) == 0
            tr = np.where(flip, noise, g)
            perm = draw(st.permutations([1, 2, 3, 4]))
            ident = {lab: 20 + perm[lab - 1] for lab in range(1, 5)}
            cls = {lab: draw(st.sampled_from([1, 2, 2, 3])) for lab in range(1, 5)}
            trackers[name] += rows_of(tr, frame, ident, cls)
            if draw(st.integers(0, 5)) == 0:
                trackers[name].append(f"{frame} 98 2 {H} {W} {rle(np.zeros((H, W), bool))}")
    return length, "\n".join(gt_rows) + ("\n" if gt_rows else ""), {k: "\n".join(v) for k, v in trackers.items()}


def _ellipse(cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    yy, xx = np.mgrid[:HEIGHT, :WIDTH]
    return ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1


def _people(frame: int) -> list[tuple[int, np.ndarray]]:
    """(gt id, mask) far to near: a later mask hides the pixels it shares with an earlier one."""
    return [(1, _ellipse(80 + 28 * frame, 190, 32, 84)),
            (2, _ellipse(500 - 24 * frame, 210, 36, 96)),
            (3, _ellipse(300, 240 - 2 * frame, 28, 76))]


def _label_map(objects: list[tuple[int, np.ndarray]]) -> np.ndarray:
    labels = np.zeros((HEIGHT, WIDTH), np.int64)
    for k, (_, mask) in enumerate(objects, start=1):
        labels[mask] = k
    return labels


def _row(frame: int, ident: int, cls: int, mask: np.ndarray) -> str:
    return f"{frame} {ident} {cls} {HEIGHT} {WIDTH} {rle(mask)}\n"


def gt_text() -> str:
    rows = []
    for t in range(FRAMES):
        people = _people(t)
        labels = _label_map(people)
        region = np.zeros((HEIGHT, WIDTH), bool)
        region[IGNORE] = True
        region &= labels == 0
        rows += [_row(t + 1, 2000 + ident, 2, labels == k) for k, (ident, _) in enumerate(people, start=1)
                 if (labels == k).any()]
        rows.append(_row(t + 1, 10000, 10, region))
    return "".join(rows)


def tracker_text(name: str) -> str:
    rng = np.random.default_rng(7 if name == "follower" else 11)
    rows = []
    for t in range(FRAMES):
        people = _people(t)
        objects = []
        for ident, mask in people:
            if name == "swapper" and ident == 3 and 5 <= t < 9:
                continue  # missed for four frames
            if name == "swapper" and ident == 3 and t >= 12:
                ys, xs = np.nonzero(mask)
                box = np.zeros_like(mask)
                box[ys.min():ys.max() + 1, xs.min():xs.max() + 1] = True
                mask = box  # the box, not the person
            shifted = np.roll(mask, int(rng.integers(-6, 7)), axis=1)
            ragged = shifted & (rng.random(mask.shape) > 0.08)
            out = 40 + ident
            if name == "swapper" and ident in (1, 2) and t >= FRAMES // 2:
                out = 43 - ident  # the two walkers swap identities after they cross
            objects.append((out, ragged))
        if name == "swapper" and t % 4 == 1:
            fp = np.zeros((HEIGHT, WIDTH), bool)
            fp[300:350, 40:120] = True
            objects.append((99, fp))
            inside = np.zeros((HEIGHT, WIDTH), bool)
            inside[10:60, 540:600] = True  # in the ignore region: removed by the preprocessing
            objects.append((98, inside))
        labels = _label_map(objects)
        rows += [_row(t + 1, ident, 2, labels == k) for k, (ident, _) in enumerate(objects, start=1)
                 if (labels == k).any()]
    return "".join(rows)


def write_mots(root: Path, seqs: dict, split: str = "train", size: tuple[int, int] | None = None) -> tuple[Path, Path]:
    """TrackEval's MOTS Challenge layout of ``seqs`` ({name: (length, gt text, {tracker: text})}); ``size``
    (height, width) goes into seqinfo.ini."""
    gt, trs = root / "gt", root / "trackers"
    base = gt / f"MOTS-{split}"
    (gt / "seqmaps").mkdir(parents=True)
    (gt / "seqmaps" / f"MOTS-{split}.txt").write_text("name\n" + "".join(f"{s}\n" for s in seqs))
    for name, (length, gt_rows, trackers) in seqs.items():
        (base / name / "gt").mkdir(parents=True)
        (base / name / "gt" / "gt.txt").write_text(gt_rows)
        extra = f"imWidth={size[1]}\nimHeight={size[0]}\n" if size else ""
        (base / name / "seqinfo.ini").write_text(f"[Sequence]\nname={name}\nseqLength={length}\n{extra}")
        for tr, text in trackers.items():
            (trs / f"MOTS-{split}" / tr / "data").mkdir(parents=True, exist_ok=True)
            (trs / f"MOTS-{split}" / tr / "data" / f"{name}.txt").write_text(text)
    return gt, trs


def write_kitti_mots(root: Path, seqs: dict, split: str = "val") -> tuple[Path, Path]:
    """TrackEval's KITTI-MOTS layout of ``seqs`` ({name: (length, gt text, {tracker: text})})."""
    gt, trs = root / "gt", root / "trackers"
    (gt / "label_02").mkdir(parents=True)
    lines = []
    for name, (length, gt_rows, trackers) in seqs.items():
        (gt / "label_02" / f"{name}.txt").write_text(gt_rows)
        lines.append(f"{name} empty 000000 {length - 1:06d}\n")
        for tr, text in trackers.items():
            (trs / tr / "data").mkdir(parents=True, exist_ok=True)
            (trs / tr / "data" / f"{name}.txt").write_text(text)
    # TrackEval sniffs the seqmap's dialect from what follows its first line (a one-line seqmap
    # crashes it), so a first line with fewer than 4 values (skipped by both) leads
    (gt / f"evaluate_mots.seqmap.{split}").write_text("KITTI-MOTS seqmap\n" + "".join(lines))
    return gt, trs


def write_mots_dataset(root: Path) -> tuple[Path, Path]:
    """``root/gt`` (MOTS-train with a seqmap) and ``root/trackers/MOTS-train/<tracker>/data``."""
    seq = (FRAMES, gt_text(), {name: tracker_text(name) for name in TRACKERS})
    return write_mots(root, {SEQUENCE: seq}, size=(HEIGHT, WIDTH))


REAL_GT = Path(__file__).parent / "data" / "mots20" / "MOTS20-09" / "gt.txt"  # real: see its README
REAL_SEQUENCE, REAL_FRAMES, REAL_SIZE = "MOTS20-09", 2, (1080, 1920)


def real_mots_trackers() -> dict[str, str]:
    """Tracker files derived at run time from the real MOTS20-09 ground truth (not tracker output):
    ``shifted`` moves every person 4 px per frame and frays the mask edges; ``swapped`` also swaps the
    first two identities in frame 2, misses the third person there and adds a false positive."""
    rows = [line.split() for line in REAL_GT.read_text().splitlines()]
    out = {}
    for name in ("shifted", "swapped"):
        rng = np.random.default_rng(5)
        lines = []
        for frame in range(1, REAL_FRAMES + 1):
            people = [(int(r[1]), mask_utils.decode({"size": list(REAL_SIZE), "counts": r[5].encode()}).astype(bool))
                      for r in rows if int(r[0]) == frame and r[2] == "2"]
            objects = []
            for k, (ident, mask) in enumerate(people):
                if name == "swapped" and frame == 2 and k == 2:
                    continue
                moved = np.roll(mask, 4 * frame, axis=1) & (rng.random(mask.shape) > 0.05)
                out_id = 100 + k
                if name == "swapped" and frame == 2 and k < 2:
                    out_id = 101 - k
                objects.append((out_id, moved))
            if name == "swapped":
                fp = np.zeros(REAL_SIZE, bool)
                fp[900:1000, 100:160] = True
                objects.append((199, fp))
            labels = np.zeros(REAL_SIZE, np.int64)
            for k, (_, mask) in enumerate(objects, start=1):
                labels[mask] = k
            lines += [f"{frame} {ident} 2 {REAL_SIZE[0]} {REAL_SIZE[1]} {rle(labels == k)}\n"
                      for k, (ident, _) in enumerate(objects, start=1) if (labels == k).any()]
        out[name] = "".join(lines)
    return out


def write_real_mots(root: Path) -> tuple[Path, Path]:
    """The real MOTS20-09 ground truth (2 frames) with ``real_mots_trackers``, in TrackEval's layout."""
    seq = (REAL_FRAMES, REAL_GT.read_text(), real_mots_trackers())
    return write_mots(root, {REAL_SEQUENCE: seq}, size=REAL_SIZE)
