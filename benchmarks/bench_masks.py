#!/usr/bin/env python
"""Mask evaluation (KITTI-MOTS text, RLE) against TrackEval 1.3.0's ``KittiMOTS``: the same files, HOTA +
CLEAR + Identity, both single process; wall time of each and their ratio, and a check that every
field agrees (floats to 1e-9, counts exactly).

The data is synthetic at KITTI's image size (375 x 1242): cars and pedestrians as non-overlapping
ellipses walking across the image, a ground-truth ignore region (class 10), a tracker that sees each
mask slightly shifted, misses some, adds false masks and swaps ids now and then. No real KITTI-MOTS
sample was found in a public repository that commits one (see the issue 16 notes).

    python benchmarks/bench_masks.py [--frames 100] [--objects 12] [--sequences 2] [--repeats 3]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time

import numpy as np
from pycocotools import mask as mask_utils

HEIGHT, WIDTH = 375, 1242


def _rle(mask: np.ndarray) -> str:
    return mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))["counts"].decode("ascii")


def _label_map(centres: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """Each pixel to the first ellipse covering it (0: none), so masks never overlap."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    out = np.zeros((HEIGHT, WIDTH), np.int64)
    for k, ((cx, cy), (ax, ay)) in enumerate(zip(centres, axes), start=1):
        x0, x1 = int(max(cx - ax, 0)), int(min(cx + ax + 1, WIDTH))
        y0, y1 = int(max(cy - ay, 0)), int(min(cy + ay + 1, HEIGHT))
        if x0 >= x1 or y0 >= y1:
            continue
        sub = out[y0:y1, x0:x1]
        inside = ((xx[y0:y1, x0:x1] - cx) / ax) ** 2 + ((yy[y0:y1, x0:x1] - cy) / ay) ** 2 <= 1
        sub[inside & (sub == 0)] = k
    return out


def make_sequence(frames: int, objects: int, seed: int) -> tuple[str, str]:
    """(ground-truth text, tracker text) of one sequence, frames 0-based."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform([50, 120], [1190, 330], (objects, 2))
    vel = rng.normal(0, 3, (objects, 2)) * [1, 0.2]
    axes = rng.uniform([15, 20], [60, 45], (objects, 2))
    cls = rng.choice([1, 2], objects)
    tr_ids = np.arange(objects) + 500
    ignore = np.zeros((HEIGHT, WIDTH), bool)
    ignore[0:60, 900:1242] = True
    gt_rows, tr_rows = [], []
    for f in range(frames):
        pos = pos + vel
        if f and f % 40 == 0:
            a, b = rng.choice(objects, 2, replace=False)
            tr_ids[[a, b]] = tr_ids[[b, a]]
        labels = _label_map(pos, axes)
        labels[ignore] = 0
        for k in range(objects):
            m = labels == k + 1
            if m.any():
                gt_rows.append(f"{f} {cls[k] * 1000 + k} {cls[k]} {HEIGHT} {WIDTH} {_rle(m)}")
        gt_rows.append(f"{f} 10000 10 {HEIGHT} {WIDTH} {_rle(ignore)}")
        seen = rng.random(objects) > 0.07
        shifted = _label_map(pos + rng.normal(0, 2, pos.shape), axes * rng.uniform(0.9, 1.1, axes.shape))
        false = objects + 1
        if rng.random() < 0.3:  # a false mask, sometimes inside the ignore region
            c = np.array([[rng.uniform(920, 1200), rng.uniform(10, 50)] if rng.random() < 0.5
                          else rng.uniform([50, 120], [1190, 330])])
            extra = _label_map(c, np.array([[12.0, 10.0]]))
            shifted[(extra == 1) & (shifted == 0)] = false
        for k in range(objects + 1):
            m = shifted == k + 1
            if m.any() and (k == objects or seen[k]):
                tid, c = (9999, 2) if k == objects else (tr_ids[k], cls[k])
                tr_rows.append(f"{f} {tid} {c} {HEIGHT} {WIDTH} {_rle(m)}")
    return "\n".join(gt_rows) + "\n", "\n".join(tr_rows) + "\n"


def write_dataset(root: str, frames: int, objects: int, sequences: int) -> tuple[str, str]:
    gt, trs = os.path.join(root, "gt"), os.path.join(root, "trackers")
    os.makedirs(os.path.join(gt, "label_02"))
    os.makedirs(os.path.join(trs, "bench", "data"))
    lines = ["KITTI-MOTS seqmap"]  # TrackEval sniffs the dialect from what follows the first line
    for s in range(sequences):
        name = f"{s:04d}"
        g, t = make_sequence(frames, objects, seed=s)
        with open(os.path.join(gt, "label_02", name + ".txt"), "w") as fp:
            fp.write(g)
        with open(os.path.join(trs, "bench", "data", name + ".txt"), "w") as fp:
            fp.write(t)
        lines.append(f"{name} empty 000000 {frames - 1:06d}")
    with open(os.path.join(gt, "evaluate_mots.seqmap.val"), "w") as fp:
        fp.write("\n".join(lines) + "\n")
    return gt, trs


def run_trackeval(gt: str, trs: str) -> dict:
    import trackeval

    cfg = {"USE_PARALLEL": False, "PRINT_RESULTS": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False,
           "OUTPUT_SUMMARY": False, "OUTPUT_DETAILED": False, "PLOT_CURVES": False, "OUTPUT_EMPTY_CLASSES": False,
           "DISPLAY_LESS_PROGRESS": True, "BREAK_ON_ERROR": True, "LOG_ON_ERROR": None}
    metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
               trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
    with contextlib.redirect_stdout(io.StringIO()):
        ds = trackeval.datasets.KittiMOTS({"GT_FOLDER": gt, "TRACKERS_FOLDER": trs, "OUTPUT_FOLDER": "",
                                           "PRINT_CONFIG": False})
        out, _ = trackeval.Evaluator(cfg).evaluate([ds], metrics)
    return out["KittiMOTS"]["bench"]


def run_tracklens(gt: str, trs: str):
    from tracklens.evaluate import evaluate
    from tracklens.formats.layouts import resolve_dataset

    return evaluate(resolve_dataset("kitti_mots", gt, trs, split="val"))


def compare(ours, ref: dict) -> int:
    """Number of fields compared; raises on the first disagreement."""
    n = 0
    for seq, by_cls in ref.items():
        for cls, by_metric in by_cls.items():
            for fields in by_metric.values():
                for key, want in fields.items():
                    got = np.asarray(ours.metrics["bench"][cls][seq][key], float)
                    want = np.asarray(want, float)
                    exact = np.issubdtype(np.asarray(fields[key]).dtype, np.integer)
                    ok = np.array_equal(got, want) if exact else np.allclose(got, want, rtol=0, atol=1e-9)
                    if not ok:
                        raise SystemExit(f"MISMATCH {seq}/{cls}/{key}: {got} != {want}")
                    n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--objects", type=int, default=12)
    ap.add_argument("--sequences", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        gt, trs = write_dataset(tmp, args.frames, args.objects, args.sequences)
        rows = sum(1 for _ in open(os.path.join(trs, "bench", "data", "0000.txt"))) * args.sequences
        times = {"tracklens": [], "TrackEval": []}
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            ours = run_tracklens(gt, trs)
            times["tracklens"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ref = run_trackeval(gt, trs)
            times["TrackEval"].append(time.perf_counter() - t0)
        fields = compare(ours, ref)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"KITTI-MOTS synthetic: {args.sequences} sequences x {args.frames} frames, ~{rows} tracker masks, "
          f"{HEIGHT}x{WIDTH}; load average {os.getloadavg()[0]:.1f}")
    for k, v in med.items():
        print(f"  {k:10s} median {v:7.3f} s  (runs: {', '.join(f'{x:.3f}' for x in times[k])})")
    print(f"  ratio TrackEval / tracklens: {med['TrackEval'] / med['tracklens']:.2f}x; {fields} fields equal")
    car = ours.metrics["bench"]["car"]["COMBINED_SEQ"]
    print(f"  car HOTA {np.mean(car['HOTA']):.4f}  MOTA {car['MOTA']:.4f}  IDSW {car['IDSW']}")


if __name__ == "__main__":
    sys.exit(main())
