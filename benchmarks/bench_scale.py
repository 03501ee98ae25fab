"""Scale: a synthetic recording of N minutes at 30 fps with 50 objects per frame (one hour = 108,000
frames, 5.4M boxes per side), evaluated (HOTA + CLEAR + Identity), analysed (the dashboard's tables)
and saved, each size in a fresh process: wall time, peak memory, and how both grow with N (the
log-log slope; 1.0 = linear). Then, in another fresh process, what the dashboard does on the saved
run: open it, step frames, jump to errors, draw the error strip and a timeline window, with that
process's own peak memory (the dashboard never holds the whole box table).

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

# Peak resident memory of this process image: VmHWM starts afresh at exec, unlike ru_maxrss, which keeps
# the parent's high-water mark (the generator's ~1 GB of text) across fork + exec.
PEAK = """
def peak_mb():
    with open("/proc/self/status") as fp:
        return next(int(line.split()[1]) for line in fp if line.startswith("VmHWM")) / 1024
"""

CHILD = PEAK + textwrap.dedent("""
    import json, sys, time
    from tracklens.evaluate import load_sequence
    from tracklens.layout import resolve
    from tracklens.prepare import prepare
    from tracklens.sequence_eval import evaluate_sequence
    from tracklens.analysis.record import analyse
    t0 = time.perf_counter()
    files = resolve(sys.argv[1], sys.argv[2], "MOT17", "train").sequences[0]
    inputs = load_sequence(files)
    t1 = time.perf_counter()
    tr = inputs.trackers["synthetic"]
    ev = evaluate_sequence(prepare(files.name, inputs.gt, tr, preprocess=False))
    t2 = time.perf_counter()
    an = analyse(ev, inputs.gt, tr, "synthetic")
    t3 = time.perf_counter()
    an.save(sys.argv[3])
    t4 = time.perf_counter()
    print(json.dumps({"read": t1 - t0, "evaluate": t2 - t1, "analyse": t3 - t2, "save": t4 - t3,
                      "peak_mb": peak_mb(),
                      "HOTA": float(ev.hota["HOTA"].mean()), "boxes": len(an.boxes)}))
""")

VIEW = PEAK + textwrap.dedent("""
    import json, statistics, sys, time
    import numpy as np
    from tracklens.analysis.record import SequenceAnalysis
    from tracklens.analysis.timeline import binned_errors, error_frames
    from tracklens.analysis.tracks import coverage_segments
    from tracklens.dashboard.figures import error_strip
    from tracklens.dashboard.track_chart import GT_SIDE, coverage_chart
    from tracklens.dashboard.views import overlay_boxes
    ms = lambda t: 1000 * (time.perf_counter() - t)
    out = {}
    t = time.perf_counter(); an = SequenceAnalysis.load(sys.argv[1]); out["open_ms"] = ms(t)
    n = an.num_frames
    t = time.perf_counter(); error_strip(binned_errors(an.frames, 9, 400), 1); out["strip_ms"] = ms(t)
    steps = []
    for k in np.random.default_rng(0).integers(1, n + 1, 40):  # random frames: mostly cold row groups
        t = time.perf_counter(); overlay_boxes(an.frame_boxes(int(k)), 9); steps.append(ms(t))
    out["frame_cold_ms"] = statistics.median(steps)
    steps = []
    for k in range(n // 2, n // 2 + 40):  # stepping forward: warm groups
        t = time.perf_counter(); overlay_boxes(an.frame_boxes(k), 9); steps.append(ms(t))
    out["frame_step_ms"] = statistics.median(steps)
    for kind in ("switch", "fn", "fn_burst"):
        t = time.perf_counter(); frames = error_frames(an, kind, 9); out[f"jump_{kind}_ms"] = ms(t)
    t = time.perf_counter()
    window = an.box_window(n // 2, n // 2 + 2999)
    seg = coverage_segments(window, 9, "gt")
    ident = an.identity_events
    sw = ident[(ident["frame"] >= n // 2) & (ident["frame"] < n // 2 + 3000) & (ident["type"] == "SWITCH")]
    coverage_chart(seg, sw[["frame", "gt_id"]].rename(columns={"gt_id": "id"}), seg["id"].unique()[:50], GT_SIDE,
                   (n // 2, n // 2 + 2999))
    out["timeline_window_ms"] = ms(t)
    out["whole_box_table_loaded"] = an.stored_boxes.loaded
    out["view_peak_mb"] = peak_mb()
    print(json.dumps(out))
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


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return json.loads(out.stdout.strip().splitlines()[-1])


def slope(x: list[float], y: list[float]) -> float:
    lx, ly = np.log(x), np.log(y)
    return float(np.polyfit(lx, ly, 1)[0]) if len(x) > 1 else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--json", help="also write every measurement to this file")
    args = parser.parse_args()
    rows = []
    for minutes in args.minutes:
        with tempfile.TemporaryDirectory() as root:
            gt, trackers = write_sequence(root, minutes)
            saved = os.path.join(root, "saved")
            result = _child(CHILD, gt, trackers, saved)
            result.update(_child(VIEW, saved))
            result["minutes"] = minutes
            rows.append(result)
            print(f"{minutes:6.1f} min  {int(minutes * 60 * FPS * OBJECTS):>9,} gt boxes  read {result['read']:6.2f} s  "
                  f"evaluate {result['evaluate']:6.2f} s  analyse {result['analyse']:6.2f} s  "
                  f"save {result['save']:6.2f} s  peak {result['peak_mb']:7.0f} MB  HOTA {result['HOTA']:.3f}", flush=True)
            print("         dashboard on the saved run: " + "  ".join(
                f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items()
                if k.endswith(("_ms", "_mb")) and not k.startswith("peak") or k == "whole_box_table_loaded"),
                flush=True)
    minutes = [r["minutes"] for r in rows]
    total = [r["read"] + r["evaluate"] + r["analyse"] for r in rows]
    if args.json:
        with open(args.json, "w") as fp:
            json.dump(rows, fp, indent=1)
    print(f"log-log slope: time {slope(minutes, total):.2f}, peak memory {slope(minutes, [r['peak_mb'] for r in rows]):.2f} "
          "(1.0 = linear; memory includes the ~150 MB interpreter, so its slope reads low at small sizes)")


if __name__ == "__main__":
    main()
