"""The inputs of ``bench_eval.py``, each in TrackEval's folder layout so every tool reads it the same way.

* ``sample``: the bundled sample (TUD-Campus, TUD-Stadtmitte; tracker ``masa``), MOT15 rules, copied
  into a temporary TrackEval layout.
* ``frcnn``: MOT17-train, the 7 ``-FRCNN`` sequences (seqmap written to a temporary folder).
* ``train``: MOT17-train, all 21 sequences.
* ``halfval``: the MOT17 "half-val" split of ByteTrack (``tools/convert_mot17_to_coco.py``), which
  py-motmetrics PR #215 timed: the 7 ``-FRCNN`` sequences, and of a sequence of N frames only frames
  ``N // 2 + 2 .. N`` (0-based images ``N // 2 + 1 .. N - 1``), renumbered from 1 (frame - (N // 2 + 1));
  ``seqLength`` becomes ``N - N // 2 - 1``. Ground truth and tracker rows of those frames are kept as
  they are (here the tracker is MPNTrack's MOT17-train result cut the same way: the timing needs a
  realistic tracker output, not a model trained on the first half).
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "assets" / "sample"


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    data: Path          # holds gt/mot_challenge and trackers/mot_challenge
    benchmark: str
    split: str
    seqmap: Path
    tracker: str
    sequences: int


def _seqmap(path: Path, names: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("name\n" + "\n".join(names) + "\n")
    return path


def mot17_names(data: Path) -> list[str]:
    src = data / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train.txt"
    return [ln.strip().split(",")[0] for ln in src.read_text().splitlines()[1:] if ln.strip()]


def sample(tmp: Path) -> Dataset:
    root = tmp / "sample"
    names = sorted(p.name for p in (SAMPLE / "gt").iterdir() if p.is_dir())
    for name in names:
        dst = root / "gt" / "mot_challenge" / "MOT15-train" / name
        (dst / "gt").mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / "gt" / name / "gt" / "gt.txt", dst / "gt" / "gt.txt")
        shutil.copy(SAMPLE / "gt" / name / "seqinfo.ini", dst / "seqinfo.ini")
        out = root / "trackers" / "mot_challenge" / "MOT15-train" / "masa" / "data"
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / "trackers" / "masa" / f"{name}.txt", out / f"{name}.txt")
    seqmap = _seqmap(root / "gt" / "mot_challenge" / "seqmaps" / "MOT15-train.txt", names)
    return Dataset("sample", "bundled sample (TUD, 2 seqs, MOT15 rules)", root, "MOT15", "train", seqmap, "masa",
                   len(names))


def frcnn(data: Path, tmp: Path, tracker: str) -> Dataset:
    names = [n for n in mot17_names(data) if n.endswith("-FRCNN")]
    return Dataset("frcnn", "MOT17 FRCNN, 7 seqs", data, "MOT17", "train",
                   _seqmap(tmp / "frcnn" / "MOT17-train.txt", names), tracker, len(names))


def train(data: Path, tracker: str) -> Dataset:
    names = mot17_names(data)
    return Dataset("train", "MOT17-train, 21 seqs", data, "MOT17", "train",
                   data / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train.txt", tracker, len(names))


def _second_half(src: Path, dst: Path, first: int) -> None:
    """Rows of frames > ``first``, frame renumbered ``frame - first`` (text kept as written otherwise)."""
    out = []
    for line in src.read_text().splitlines():
        cells = line.split(",")
        if not line.strip():
            continue
        frame = int(float(cells[0]))
        if frame > first:
            cells[0] = str(frame - first)
            out.append(",".join(cells))
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("\n".join(out) + "\n")


def halfval(data: Path, tmp: Path, tracker: str) -> Dataset:
    root = tmp / "halfval"
    names = [n for n in mot17_names(data) if n.endswith("-FRCNN")]
    gt_src = data / "gt" / "mot_challenge" / "MOT17-train"
    tr_src = data / "trackers" / "mot_challenge" / "MOT17-train" / tracker / "data"
    for name in names:
        ini = (gt_src / name / "seqinfo.ini").read_text()
        length = int(next(ln.split("=")[1] for ln in ini.splitlines() if ln.strip().startswith("seqLength")))
        first = length // 2 + 1  # ByteTrack's val_half starts at image index N // 2 + 1 (frame N // 2 + 2)
        dst = root / "gt" / "mot_challenge" / "MOT17-train" / name
        dst.mkdir(parents=True, exist_ok=True)
        (dst / "seqinfo.ini").write_text("\n".join(
            f"seqLength={length - first}" if ln.strip().startswith("seqLength") else ln for ln in ini.splitlines()) + "\n")
        _second_half(gt_src / name / "gt" / "gt.txt", dst / "gt" / "gt.txt", first)
        _second_half(tr_src / f"{name}.txt",
                     root / "trackers" / "mot_challenge" / "MOT17-train" / tracker / "data" / f"{name}.txt", first)
    seqmap = _seqmap(root / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train.txt", names)
    return Dataset("halfval", "MOT17 half-val (FRCNN, 2nd half of frames)", root, "MOT17", "train", seqmap, tracker,
                   len(names))


def build(keys: list[str], data: Path, tmp: Path, tracker: str) -> list[Dataset]:
    makers = {"sample": lambda: sample(tmp), "frcnn": lambda: frcnn(data, tmp, tracker),
              "train": lambda: train(data, tracker), "halfval": lambda: halfval(data, tmp, tracker)}
    os.makedirs(tmp, exist_ok=True)
    return [makers[k]() for k in keys]
