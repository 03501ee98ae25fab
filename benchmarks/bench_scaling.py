#!/usr/bin/env python
"""Scaling benchmark: evaluation time of tracklens vs TrackEval 1.3.0 on synthetic sequences of growing length.

Each sequence has ``--objects`` objects on screen at all times (default 30) moving as random
walks on a 1920x1080 canvas; an object leaves after a random lifetime (mean ``--lifetime`` frames)
and a new identity takes its place. The synthetic tracker sees every object with pixel noise,
misses some boxes, switches identities now and then (fresh id, or two tracks swapping ids) and has
short false-positive tracks. Files are written as MOTChallenge text (TrackEval's MOT17 layout) into
a temporary folder, then both tools evaluate HOTA + CLEAR + Identity with MOT17 preprocessing,
in this process, round-robin over ``--repeats`` (medians reported, wall and CPU time).

The log-log slope of time against frames (1.0 = linear) is reported for each tool, along with the
parity of tracklens against TrackEval on every COMBINED field.

    python benchmarks/bench_scaling.py                       # 1k, 4k, 16k frames
    python benchmarks/bench_scaling.py --frames 500 1000 --repeats 1   # quick
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

from tracklens.evaluate import evaluate  # noqa: E402
from tracklens.layout import resolve  # noqa: E402

from bench_eval import cpu_idle_fraction, cpu_model, dist_version, flat_fields, full_parity, loadavg  # noqa: E402

BENCHMARK, SPLIT, TRACKER = "MOT17", "train", "synthetic"
W, H = 1920, 1080


def make_sequence(n_frames: int, n_objects: int, lifetime: float, rng: np.random.Generator,
                  miss: float, switch: float, swap: float, fp_spawn: float) -> tuple[np.ndarray, np.ndarray]:
    """Ground-truth and tracker rows (MOTChallenge columns) of one synthetic sequence."""
    pos = np.column_stack([rng.uniform(0, W - 100, n_objects), rng.uniform(0, H - 250, n_objects)])
    size = np.column_stack([rng.uniform(30, 90, n_objects), rng.uniform(80, 240, n_objects)])
    vel = rng.normal(0, 3, (n_objects, 2))
    gt_id = np.arange(1, n_objects + 1)
    tr_id = np.arange(1, n_objects + 1)
    death = rng.exponential(lifetime, n_objects).astype(int) + 1 if lifetime > 0 else np.full(n_objects, n_frames + 1)
    next_gt, next_tr = n_objects + 1, n_objects + 1
    fp_tracks: list[list] = []  # [id, x, y, w, h, frames left]
    gt_rows, tr_rows = [], []
    for t in range(1, n_frames + 1):
        # births (replace objects that left)
        gone = np.flatnonzero(death < t)
        for k in gone:
            pos[k] = (rng.uniform(0, W - 100), rng.uniform(0, H - 250))
            size[k] = (rng.uniform(30, 90), rng.uniform(80, 240))
            vel[k] = rng.normal(0, 3, 2)
            gt_id[k], tr_id[k] = next_gt, next_tr
            next_gt, next_tr = next_gt + 1, next_tr + 1
            death[k] = t + (int(rng.exponential(lifetime)) + 1 if lifetime > 0 else n_frames + 1)
        # random walk, bounced off the borders
        vel += rng.normal(0, 0.5, vel.shape)
        np.clip(vel, -8, 8, out=vel)
        pos += vel
        limit = np.column_stack([W - size[:, 0], H - size[:, 1]])
        low, high = pos < 0, pos > limit
        vel[low | high] *= -1
        pos = np.clip(pos, 0, limit)
        size *= rng.normal(1, 0.005, size.shape)
        np.clip(size, 20, 300, out=size)
        gt_rows.append(np.column_stack([np.full(n_objects, t), gt_id, pos, size, np.ones((n_objects, 3))]))
        # tracker: identity switches, misses, noisy boxes
        fresh = rng.random(n_objects) < switch
        for k in np.flatnonzero(fresh):
            tr_id[k], next_tr = next_tr, next_tr + 1
        if rng.random() < swap * n_objects:
            a, b = rng.choice(n_objects, 2, replace=False)
            tr_id[a], tr_id[b] = tr_id[b], tr_id[a]
        seen = rng.random(n_objects) >= miss
        noisy = np.column_stack([pos + rng.normal(0, 2, pos.shape), size * rng.normal(1, 0.03, size.shape)])[seen]
        n = int(seen.sum())
        tr_rows.append(np.column_stack([np.full(n, t), tr_id[seen], noisy, rng.uniform(0.3, 1, n),
                                        -np.ones((n, 3))]))
        # short false-positive tracks
        if rng.random() < fp_spawn:
            fp_tracks.append([next_tr, rng.uniform(0, W - 80), rng.uniform(0, H - 200), rng.uniform(30, 80),
                              rng.uniform(80, 200), int(rng.integers(5, 30))])
            next_tr += 1
        for fp in fp_tracks:
            fp[1] += rng.normal(0, 3)
            fp[2] += rng.normal(0, 2)
            fp[5] -= 1
        if fp_tracks:
            tr_rows.append(np.array([[t, fp[0], fp[1], fp[2], fp[3], fp[4], 0.3, -1, -1, -1] for fp in fp_tracks]))
        fp_tracks = [fp for fp in fp_tracks if fp[5] > 0]
    return np.concatenate(gt_rows), np.concatenate(tr_rows)


def write_layout(root: Path, name: str, n_frames: int, gt: np.ndarray, tr: np.ndarray) -> str:
    """TrackEval's MOT17 layout under ``root``; returns the seqmap path."""
    seq_dir = root / "gt" / f"{BENCHMARK}-{SPLIT}" / name
    (seq_dir / "gt").mkdir(parents=True, exist_ok=True)
    np.savetxt(seq_dir / "gt" / "gt.txt", gt, fmt="%d,%d,%.2f,%.2f,%.2f,%.2f,%d,%d,%.1f")
    (seq_dir / "seqinfo.ini").write_text(
        f"[Sequence]\nname={name}\nimDir=img1\nframeRate=30\nseqLength={n_frames}\n"
        f"imWidth={W}\nimHeight={H}\nimExt=.jpg\n")
    tr_dir = root / "trackers" / f"{BENCHMARK}-{SPLIT}" / TRACKER / "data"
    tr_dir.mkdir(parents=True, exist_ok=True)
    np.savetxt(tr_dir / f"{name}.txt", tr, fmt="%d,%d,%.2f,%.2f,%.2f,%.2f,%.3f,%d,%d,%d")
    seqmap = root / "seqmaps" / f"{name}.txt"
    seqmap.parent.mkdir(parents=True, exist_ok=True)
    seqmap.write_text(f"name\n{name}\n")
    return str(seqmap)


def run_tracklens(root: Path, seqmap: str) -> dict:
    run = evaluate(resolve(str(root / "gt"), str(root / "trackers"), BENCHMARK, SPLIT, seqmap=seqmap,
                           trackers=[TRACKER]), workers=1)
    return flat_fields(run.metrics[TRACKER]["COMBINED_SEQ"])


def run_trackeval(root: Path, seqmap: str) -> dict:
    from run_trackeval import evaluate_trackeval
    from run_trackeval import flat_fields as te_flat
    res = evaluate_trackeval(str(root / "gt"), str(root / "trackers"), BENCHMARK, SPLIT, seqmap, TRACKER)
    return te_flat(res["COMBINED_SEQ"])


def timed(fn, *args) -> tuple[float, float, dict]:
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0, out


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    lx, ly = np.log(xs), np.log(ys)
    return float(np.polyfit(lx, ly, 1)[0]) if len(xs) > 1 else math.nan


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frames", type=int, nargs="+", default=[1000, 4000, 16000])
    p.add_argument("--objects", type=int, default=30, help="objects on screen in every frame (default 30)")
    p.add_argument("--lifetime", type=float, default=500,
                   help="mean frames an identity stays before a new one replaces it; 0 = whole sequence "
                        "(default %(default)s)")
    p.add_argument("--miss", type=float, default=0.05, help="fraction of boxes the tracker misses")
    p.add_argument("--switch", type=float, default=0.002, help="per object-frame chance of a fresh tracker id")
    p.add_argument("--swap", type=float, default=0.0005, help="per object-frame chance of two tracks swapping ids")
    p.add_argument("--fp-spawn", type=float, default=0.05, help="per-frame chance a false-positive track starts")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--tracklens-only", action="store_true", help="skip TrackEval (no speed-up, no parity)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--keep", action="store_true", help="keep the generated files (path printed)")
    p.add_argument("--output", type=Path, default=HERE / "results" / "bench_scaling.md")
    args = p.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="tracklens-scaling-"))
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    load_start = loadavg()
    rng = np.random.default_rng(args.seed)
    seqs = []
    for n in args.frames:
        gt, tr = make_sequence(n, args.objects, args.lifetime, rng, args.miss, args.switch, args.swap, args.fp_spawn)
        name = f"SYN-{n:06d}"
        seqmap = write_layout(root, name, n, gt, tr)
        seqs.append({"frames": n, "seqmap": seqmap, "gt_rows": len(gt), "tr_rows": len(tr),
                     "gt_ids": len(np.unique(gt[:, 1])), "tr_ids": len(np.unique(tr[:, 1])),
                     "tracklens": [], "trackeval": []})
        print(f"generated {name}: {len(gt)} gt rows, {len(tr)} tracker rows", file=sys.stderr)

    tools = {"tracklens": run_tracklens} if args.tracklens_only else {"tracklens": run_tracklens,
                                                                       "trackeval": run_trackeval}
    results: dict[tuple[int, str], dict] = {}
    for r in range(args.repeats):
        for i, seq in enumerate(seqs):
            order = list(tools) if (r + i) % 2 == 0 else list(tools)[::-1]  # alternate who goes first
            for tool in order:
                idle = cpu_idle_fraction(0.5)
                wall, cpu, out = timed(tools[tool], root, seq["seqmap"])
                seq[tool].append((wall, cpu, idle))
                results[(seq["frames"], tool)] = out
                print(f"[round {r + 1}/{args.repeats}] {seq['frames']:>6} frames {tool:<9} {wall:7.2f} s wall "
                      f"{cpu:7.2f} s CPU  idle before {100 * (idle or 0):.0f}%", file=sys.stderr, flush=True)

    lines = [f"## tracklens scaling benchmark — synthetic sequences, {args.objects} objects per frame", "",
             f"HOTA + CLEAR + Identity with MOT17 preprocessing, evaluation only (in-process, after imports), "
             f"one sequence per row, median of {args.repeats} alternating run(s). "
             + (f"Identity lifetime mean {args.lifetime:g} frames" if args.lifetime > 0 else
                "Identities never leave (fixed set)")
             + f"; tracker: {100 * args.miss:g} % misses, fresh-id chance {args.switch:g} and "
             f"swap chance {args.swap:g} per object-frame, false-positive tracks spawned with chance "
             f"{args.fp_spawn:g} per frame.", "",
             "| frames | GT rows | tracker rows | GT IDs | tracker IDs | tracklens (s) | TrackEval (s) "
             "| tracklens ms / 1k frames | TrackEval ms / 1k frames | speed-up | CPU s tracklens / TrackEval "
             "| parity (all fields, max \\|Δ\\|/max(1,\\|TrackEval\\|)) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    ok = True
    series: dict[str, list[float]] = {}
    for seq in seqs:
        med = {t: statistics.median(w for w, _, _ in seq[t]) for t in tools}
        cpu = {t: statistics.median(c for _, c, _ in seq[t]) for t in tools}
        for t in tools:
            series.setdefault(t, []).append(med[t])
            series.setdefault(f"{t}_cpu", []).append(cpu[t])
        k = seq["frames"] / 1000
        te = "trackeval" in tools
        if te:
            n, d, worst, d_abs = full_parity(results[(seq["frames"], "tracklens")],
                                             results[(seq["frames"], "trackeval")])
            exact = d <= 1e-9 and n >= 50
            ok = ok and exact
            par = (f"{d:.2g} over {n} fields (worst {worst}; largest absolute {d_abs}): "
                   f"{'exact' if exact else 'NOT exact'}")
        cells = [seq["frames"], seq["gt_rows"], seq["tr_rows"], seq["gt_ids"], seq["tr_ids"],
                 f"{med['tracklens']:.2f}", f"{med['trackeval']:.2f}" if te else "—",
                 f"{1000 * med['tracklens'] / k:.0f}", f"{1000 * med['trackeval'] / k:.0f}" if te else "—",
                 f"{med['trackeval'] / med['tracklens']:.2f}x" if te else "—",
                 f"{cpu['tracklens']:.2f} / " + (f"{cpu['trackeval']:.2f}" if te else "—"),
                 par if te else "not checked (--tracklens-only)"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    frames = [s["frames"] for s in seqs]
    growth = {k: slope(frames, v) for k, v in series.items()}
    lines += ["", "Growth, log-log slope of time vs frames (1.00 = linear), fitted over all lengths and, in "
              "brackets, step by step (wall time, then CPU time):"]
    for label, key in (("tracklens", "tracklens"), ("TrackEval", "trackeval"),
                       ("tracklens CPU", "tracklens_cpu"), ("TrackEval CPU", "trackeval_cpu")):
        if key not in series:
            continue
        steps = ", ".join(f"{frames[i]}→{frames[i + 1]}: {slope(frames[i:i + 2], series[key][i:i + 2]):.2f}"
                          for i in range(len(frames) - 1))
        lines.append(f"- {label}: {growth[key]:.2f} ({steps})")
    if args.lifetime > 0 or args.switch > 0 or args.fp_spawn > 0:
        lines += ["", "Identities grow with the sequence here (objects leave and new ones enter, tracker id "
                  "switches and false-positive tracks add ids), and the Identity and HOTA association steps "
                  "work on GT-IDs x tracker-IDs matrices; run with `--lifetime 0 --switch 0 --fp-spawn 0` for "
                  "a fixed set of identities (per-frame work only)."]
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines += ["", "### Machine", "",
              f"- date: {started}; nproc {affinity}; CPU: {cpu_model()}",
              f"- load average at start: {load_start}; at end: {loadavg()}",
              f"- Python {platform.python_version()}, numpy {np.__version__}, scipy {dist_version('scipy')}, "
              f"TrackEval {dist_version('trackeval')} (numpy alias shim np.float/np.int)",
              f"- command: `{' '.join([Path(sys.executable).name, *sys.argv])}`"]
    text = "\n".join(lines) + "\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"written to {args.output}", file=sys.stderr)
    if args.keep:
        print(f"synthetic data kept in {root}", file=sys.stderr)
    else:
        shutil.rmtree(root, ignore_errors=True)
    if not ok:
        print("bench_scaling: tracklens did not match TrackEval exactly.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
