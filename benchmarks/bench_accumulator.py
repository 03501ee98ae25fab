#!/usr/bin/env python
"""The accumulator API as a training loop uses it: a 600-frame sequence with 50 objects, fed frame by
frame (``update``) and evaluated (``compute``: HOTA, CLEAR, Identity), timed in a fresh process right
after ``import tracklens`` (the first sequence: lazy imports included) and then again (warm).

Also the per-frame cost of ``update`` alone, and of the numpy work every caller does anyway (the
arrays it passes), so the overhead of the API itself is the difference.

    python benchmarks/bench_accumulator.py [--frames 600] [--objects 50] [--repeats 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

t_start = time.perf_counter()
import tracklens  # noqa: E402

t_import = time.perf_counter()

import numpy as np  # noqa: E402  (tracklens imports lazily: numpy is not loaded before this line)


def make_frames(num_frames: int, objects: int, seed: int = 0) -> list[tuple]:
    """Boxes walking across a 1920 x 1080 frame; the tracker sees them with jitter, misses 5 % of
    them, adds a false box now and then and swaps two ids every 100 frames."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform([0, 0], [1800, 900], (objects, 2))
    vel = rng.normal(0, 2, (objects, 2))
    size = rng.uniform([30, 60], [80, 200], (objects, 2))
    tr_ids = np.arange(objects) + 1000
    frames = []
    for f in range(num_frames):
        pos = pos + vel
        gt_boxes = np.column_stack([pos, size])
        if f and f % 100 == 0:
            a, b = rng.choice(objects, 2, replace=False)
            tr_ids[[a, b]] = tr_ids[[b, a]]
        seen = rng.random(objects) > 0.05
        tr_boxes = gt_boxes[seen] + rng.normal(0, 3, (int(seen.sum()), 4))
        ids = tr_ids[seen]
        if rng.random() < 0.2:
            tr_boxes = np.vstack([tr_boxes, [rng.uniform(0, 1800), rng.uniform(0, 900), 50, 120]])
            ids = np.append(ids, 5000 + f)
        frames.append((np.arange(objects), gt_boxes, ids, tr_boxes))
    return frames


def one_sequence(frames: list[tuple], clock=time.perf_counter) -> tuple[float, float, float]:
    """(update s for all frames, compute s, HOTA) on ``clock``."""
    acc = tracklens.Accumulator()
    t0 = clock()
    for gi, gb, ti, tb in frames:
        acc.update(gi, gb, ti, tb)
    t1 = clock()
    metrics = acc.compute()
    t2 = clock()
    return t1 - t0, t2 - t1, float(np.mean(metrics.to_dict()["HOTA"]))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, default=600)
    p.add_argument("--objects", type=int, default=50)
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args()
    frames = make_frames(args.frames, args.objects)
    cold = one_sequence(frames)
    warm = [one_sequence(frames) for _ in range(args.repeats)]
    upd = statistics.median(w[0] for w in warm)
    comp = statistics.median(w[1] for w in warm)
    boxes = sum(len(f[0]) + len(f[2]) for f in frames)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Accumulator, {args.frames} frames x {args.objects} objects ({boxes:,} boxes, both sides), "
          f"load average {load}")
    print(f"  import tracklens:                {1e3 * (t_import - t_start):7.1f} ms")
    print(f"  first sequence after import:     {1e3 * (cold[0] + cold[1]):7.1f} ms "
          f"(updates {1e3 * cold[0]:.1f} ms + compute {1e3 * cold[1]:.1f} ms; HOTA {cold[2]:.4f})")
    print(f"  warm, median of {args.repeats}:             {1e3 * (upd + comp):7.1f} ms "
          f"(updates {1e3 * upd:.1f} ms + compute {1e3 * comp:.1f} ms)")
    print(f"  update per frame:                {1e6 * upd / args.frames:7.1f} µs")
    cpu = [one_sequence(frames, time.process_time) for _ in range(args.repeats)]
    upd_c = statistics.median(w[0] for w in cpu)
    comp_c = statistics.median(w[1] for w in cpu)
    print(f"  CPU time (process_time), warm:   {1e3 * (upd_c + comp_c):7.1f} ms "
          f"(updates {1e3 * upd_c:.1f} ms = {1e6 * upd_c / args.frames:.1f} µs per frame + compute {1e3 * comp_c:.1f} ms)")
    return 0 if cold[1] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
