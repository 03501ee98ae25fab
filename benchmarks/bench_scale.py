"""Scale: a synthetic recording of N minutes at 30 fps with 50 objects per frame (one hour = 108,000
frames, 5.4M boxes per side), evaluated (HOTA + CLEAR + Identity) and analysed (the dashboard's
tables), each size in a fresh process: wall time, peak memory, and how both grow with N (the
log-log slope; 1.0 = linear).

    python benchmarks/bench_scale.py                    # 1, 2, 4, 8 minutes
    python benchmarks/bench_scale.py --minutes 1 15 60  # up to the full hour (needs ~15 GB of RAM)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np

FPS, OBJECTS = 30, 50

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from core.evaluate import load_sequence
    from core.layout import resolve
    from core.prepare import prepare
    from core.sequence_eval import evaluate_sequence
    from core.analysis.record import analyse
    t0 = time.perf_counter()
    files = resolve(sys.argv[1], sys.argv[2], "MOT17", "train").sequences[0]
    inputs = load_sequence(files)
    t1 = time.perf_counter()
    tr = inputs.trackers["synthetic"]
    ev = evaluate_sequence(prepare(files.name, inputs.gt, tr, preprocess=False))
    t2 = time.perf_counter()
    an = analyse(ev, inputs.gt, tr, "synthetic")
    t3 = time.perf_counter()
    print(json.dumps({"read": t1 - t0, "evaluate": t2 - t1, "analyse": t3 - t2,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "HOTA": float(ev.hota["HOTA"].mean()), "boxes": len(an.boxes)}))
""")


def write_sequence(root: str, minutes: float, seed: int = 0) -> tuple[str, str]:
    """A random-walk crowd and a tracker that follows it with noise, misses, switches and false positives."""
    rng = np.random.default_rng(seed)
    frames = int(minutes * 60 * FPS)
    gt_dir = os.path.join(root, "gt", "synthetic")
    os.makedirs(os.path.join(gt_dir, "gt"), exist_ok=True)
    os.makedirs(os.path.join(root, "trackers", "synthetic"), exist_ok=True)
    with open(os.path.join(gt_dir, "seqinfo.ini"), "w") as fp:
        fp.write(f"[Sequence]\nname=synthetic\nseqLength={frames}\nimWidth=1920\nimHeight=1080\nframeRate={FPS}\n")
    pos = rng.random((OBJECTS, 2)) * [1800, 900]
    ids = np.arange(OBJECTS)
    next_id = OBJECTS
    tr_ids = ids.copy() + 10_000
    next_tr = 20_000
    gt_lines, tr_lines = [], []
    for f in range(1, frames + 1):
        pos = np.clip(pos + rng.normal(0, 2.0, pos.shape), 0, [1800, 900])
        leave = rng.random(OBJECTS) < 1 / 600  # an object lives ~20 s, then a new identity appears
        ids[leave] = np.arange(next_id, next_id + leave.sum())
        next_id += int(leave.sum())
        switch = leave | (rng.random(OBJECTS) < 1 / 3000)
        tr_ids[switch] = np.arange(next_tr, next_tr + switch.sum())
        next_tr += int(switch.sum())
        noise = rng.normal(0, 3.0, pos.shape)
        seen = rng.random(OBJECTS) > 0.05
        for k in range(OBJECTS):
            gt_lines.append(f"{f},{ids[k]},{pos[k, 0]:.2f},{pos[k, 1]:.2f},60,150,1,1,1\n")
            if seen[k]:
                x, y = pos[k] + noise[k]
                tr_lines.append(f"{f},{tr_ids[k]},{x:.2f},{y:.2f},60,150,0.9,-1,-1\n")
        if rng.random() < 0.2:
            x, y = rng.random(2) * [1800, 900]
            tr_lines.append(f"{f},{next_tr},{x:.2f},{y:.2f},60,150,0.4,-1,-1\n")
            next_tr += 1
    with open(os.path.join(gt_dir, "gt", "gt.txt"), "w") as fp:
        fp.writelines(gt_lines)
    with open(os.path.join(root, "trackers", "synthetic", "synthetic.txt"), "w") as fp:
        fp.writelines(tr_lines)
    return os.path.join(root, "gt"), os.path.join(root, "trackers")


def slope(x: list[float], y: list[float]) -> float:
    lx, ly = np.log(x), np.log(y)
    return float(np.polyfit(lx, ly, 1)[0]) if len(x) > 1 else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 2, 4, 8])
    args = parser.parse_args()
    rows = []
    for minutes in args.minutes:
        with tempfile.TemporaryDirectory() as root:
            gt, trackers = write_sequence(root, minutes)
            out = subprocess.run([sys.executable, "-c", CHILD, gt, trackers], capture_output=True, text=True,
                                 check=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result["minutes"] = minutes
            rows.append(result)
            print(f"{minutes:6.1f} min  {int(minutes * 60 * FPS * OBJECTS):>9,} gt boxes  read {result['read']:6.2f} s  "
                  f"evaluate {result['evaluate']:6.2f} s  analyse {result['analyse']:6.2f} s  "
                  f"peak {result['peak_mb']:7.0f} MB  HOTA {result['HOTA']:.3f}", flush=True)
    minutes = [r["minutes"] for r in rows]
    total = [r["read"] + r["evaluate"] + r["analyse"] for r in rows]
    print(f"log-log slope: time {slope(minutes, total):.2f}, peak memory {slope(minutes, [r['peak_mb'] for r in rows]):.2f} "
          "(1.0 = linear; memory includes the ~150 MB interpreter, so its slope reads low at small sizes)")


if __name__ == "__main__":
    main()
