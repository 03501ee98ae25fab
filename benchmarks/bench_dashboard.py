"""Dashboard quality bar, measured (not asserted):

1. Frame step: decode one 1920x1080 video frame + select its boxes at alpha + draw 100 boxes.
2. Opening MOT17-train (21 sequences x 3 trackers): from a saved run to the first chart's data and
   figure, and loading one sequence's analysis per tracker.

Usage: python benchmarks/bench_dashboard.py [--shared ../shared/data] [--run-dir DIR]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def frame_step(repeats: int = 60) -> dict:
    """Median ms of decode + box selection + overlay on a 1920x1080 video with 100 boxes per frame."""
    from tracklens.analysis.boxes import GT, TRACKER
    from tracklens.dashboard.frames import open_frames
    from tracklens.dashboard.overlay import annotate
    from tracklens.dashboard.views import overlay_boxes
    import pandas as pd

    rng = np.random.default_rng(0)
    frames, per_frame = repeats + 5, 50
    tmp = tempfile.mkdtemp()
    video = os.path.join(tmp, "synthetic.mp4")
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*"mp4v"), 30, (1920, 1080))
    base = (rng.random((1080, 1920, 3)) * 255).astype(np.uint8)
    for k in range(frames):
        writer.write(np.roll(base, 8 * k, axis=1))
    writer.release()
    rows = []
    for f in range(1, frames + 1):
        for side in (GT, TRACKER):
            xy = rng.random((per_frame, 2)) * [1800, 900]
            rows.append(pd.DataFrame({
                "frame": f, "side": side, "id": np.arange(per_frame), "x": xy[:, 0], "y": xy[:, 1], "w": 60.0,
                "h": 150.0, "evaluated": True, "partner": np.arange(per_frame), "iou": 0.7,
                "level": rng.integers(0, 20, per_frame).astype(np.int8), "best_iou": 0.7, "event": "",
            }))
    boxes = pd.concat(rows, ignore_index=True)
    boxes["side"] = pd.Categorical(boxes["side"], categories=[GT, TRACKER])
    offsets = np.searchsorted(boxes["frame"].to_numpy(), np.arange(1, frames + 2))
    source = open_frames(video=video, width=1920, height=1080, num_frames=frames)
    times = []
    for k in range(1, repeats + 1):
        t0 = time.perf_counter()
        image = source.frame(k)
        sel = overlay_boxes(boxes.iloc[offsets[k - 1]: offsets[k]], 9)
        annotate(image, sel, alpha=0.5)
        times.append(1000 * (time.perf_counter() - t0))
    return {"frame step median ms (1920x1080, 100 boxes, sequential)": statistics.median(times),
            "frame step p90 ms": sorted(times)[int(0.9 * len(times))]}


def open_run(shared: Path, run_dir: str | None) -> dict:
    from tracklens.workspace import Workspace
    from tracklens.dashboard.figures import alpha_curves
    from tracklens.dashboard.views import per_alpha_table, summary_table

    out = {}
    if run_dir is None:
        run_dir = tempfile.mkdtemp()
        gt = shared / "mot_challenge/gt/mot_challenge"
        trackers = shared / "mot_challenge/trackers/mot_challenge"
        t0 = time.perf_counter()
        ws = Workspace.from_folders(str(gt), str(trackers), workers=2)
        out["evaluate + analyse MOT17-train, 3 trackers, 2 workers (s)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        ws.save(run_dir)
        out["save run (s)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ws = Workspace.load(run_dir)
    fig = alpha_curves(per_alpha_table(ws.metrics))
    summary_table(ws.metrics)
    fig.to_json()
    out["saved run -> first chart (s)"] = time.perf_counter() - t0
    for tracker in ws.trackers:
        t0 = time.perf_counter()
        ws.analysis(tracker, "MOT17-04-SDP")
        out[f"load MOT17-04-SDP analysis, {tracker} (s)"] = time.perf_counter() - t0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--run-dir", help="an existing saved MOT17-train run (else one is made)")
    args = parser.parse_args()
    results = frame_step()
    results.update(open_run(Path(args.shared), args.run_dir))
    for key, value in results.items():
        print(f"{key:<70} {value:8.3f}")


if __name__ == "__main__":
    main()
