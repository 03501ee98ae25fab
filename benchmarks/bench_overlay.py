"""How long ``annotate`` takes on a 1920x1080 frame with 100 boxes (target: under ~20 ms).

    python benchmarks/bench_overlay.py [--boxes 100] [--repeat 50]

Prints wall-clock median, 90th percentile and minimum per configuration, and the median CPU time
of this process (less disturbed when other jobs share the machine). The input frame is a noisy
synthetic image (content does not change the drawing cost).
"""

from __future__ import annotations

import argparse
import statistics
import time

import cv2
import numpy as np
import pandas as pd


from tracklens.dashboard.overlay import annotate  # noqa: E402

WIDTH, HEIGHT = 1920, 1080
EVENTS = ["", "", "", "", "", "", "SWITCH", "TRANSFER", "FRAG", ""]


def boxes_table(count: int, rng: np.random.Generator) -> pd.DataFrame:
    """``count`` boxes: pairs of matched gt/tracker boxes plus some FN and FP, some with events."""
    rows = []
    for i in range(count):
        w, h = rng.uniform(30, 160), rng.uniform(60, 360)
        x, y = rng.uniform(0, WIDTH - w), rng.uniform(0, HEIGHT - h)
        kind = i % 5
        if kind < 3:  # a matched pair counts as two boxes
            iou = rng.uniform(0.5, 0.95)
            rows.append(("gt", i, x, y, w, h, "TP", i, iou, EVENTS[i % 10], False))
            rows.append(("tr", i, x + 4, y - 3, w, h, "TP", i, iou, "", False))
        elif kind == 3:
            rows.append(("gt", i, x, y, w, h, "FN", -1, np.nan, "", bool(i % 2)))
        else:
            rows.append(("tr", i, x, y, w, h, "FP", -1, np.nan, "", bool(i % 2)))
    columns = ["side", "id", "x", "y", "w", "h", "state", "partner", "iou", "event", "loc_miss"]
    return pd.DataFrame(rows[:count], columns=columns)


def measure(run, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of ``repeat`` calls of ``run`` (after one warm-up)."""
    run()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boxes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    boxes = boxes_table(args.boxes, rng)
    print(f"OpenCV {cv2.__version__}, {cv2.getNumThreads()} threads, "
          f"{WIDTH}x{HEIGHT}, {len(boxes)} boxes, {args.repeat} runs")
    highlight = ("tr", int(boxes.loc[boxes["side"] == "tr", "id"].iloc[0]))
    configs = {
        "labels": lambda: annotate(frame, boxes),
        "no labels": lambda: annotate(frame, boxes, label=False),
        "highlight": lambda: annotate(frame, boxes, highlight=highlight),
        "copy only (floor)": frame.copy,
    }
    for name, run in configs.items():
        wall, cpu = measure(run, args.repeat)
        print(f"{name:>18}: median {statistics.median(wall):6.2f} ms   "
              f"p90 {statistics.quantiles(wall, n=10)[-1]:6.2f} ms   min {min(wall):6.2f} ms   "
              f"cpu median {statistics.median(cpu):6.2f} ms")


if __name__ == "__main__":
    main()
