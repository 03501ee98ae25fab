#!/usr/bin/env python
"""Cost of the score sweep and of the bootstrap on MOT17-train (issue 14).

Sweep: ``sweep(layout, 0:0.95:0.05)`` (20 cutoffs, parsed once, similarities once, each kept set
reusing what it shares with the previous one: ``sweep_reuse.TrackerSweep``) against one
``evaluate(layout)`` and against 20 separate evaluations of the filtered files (estimated as 20 x one
evaluation of the unfiltered files, an upper bound of the same order: filtered files hold fewer
boxes). Per tracker (BoTSORT: the tracker whose scores vary) and for the
three trackers together. Bootstrap: ``bootstrap_run`` with 1,000 resamples over the 21 sequences of
the 3 trackers (the evaluation itself excluded), and ``track_bootstrap_layout`` with 1,000 resamples of
the ground-truth tracks within the sequences (``--resample tracks``: the sequences evaluated again to
sum the matches per track, then the resamples). Each time is the median of ``--repeats`` rounds,
run round-robin so a busy machine slows them alike; the load average is printed beside them.

    python benchmarks/bench_sweep.py [--repeats 3] [--trackers BoTSORT]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from tracklens.bootstrap import bootstrap_run
from tracklens.evaluate import COMBINED
from tracklens.evaluate import evaluate
from tracklens.layout import resolve
from tracklens.sweep import parse_cutoffs, sweep
from tracklens.track_bootstrap import track_bootstrap_layout

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mot_challenge"


def timed(fn) -> tuple[float, float, object]:
    """(wall s, CPU s of this process, result): on a shared machine the CPU time is the steadier one."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--trackers", nargs="+", default=None, help="default: BoTSORT alone, then all three")
    ap.add_argument("--resamples", type=int, default=1000)
    args = ap.parse_args()
    gt, trackers = str(DATA / "gt" / "mot_challenge"), str(DATA / "trackers" / "mot_challenge")
    cutoffs = parse_cutoffs("0:0.95:0.05")
    groups = [args.trackers] if args.trackers else [["BoTSORT"], None]
    print(f"load average before: {os.getloadavg()}")
    print("| trackers | one evaluation: wall / CPU (s) | sweep, 20 cutoffs: wall / CPU (s) | sweep / one (wall, CPU) "
          "| sweep / 20 evaluations (CPU) |")
    print("|---|---|---|---|---|")
    run_all = None
    for chosen in groups:
        layout = resolve(gt, trackers, "MOT17", "train", None, chosen)
        ones, sweeps = [], []
        for _ in range(args.repeats):
            *t_one, run = timed(lambda: evaluate(layout))
            *t_sweep, _ = timed(lambda: sweep(layout, cutoffs))
            ones.append(t_one)
            sweeps.append(t_sweep)
            if chosen is None:
                run_all = run
        (one, one_cpu), (swp, swp_cpu) = ([statistics.median(c) for c in zip(*t)] for t in (ones, sweeps))
        print(f"| {', '.join(layout.trackers)} | {one:.2f} / {one_cpu:.2f} | {swp:.2f} / {swp_cpu:.2f} | "
              f"{swp / one:.2f}, {swp_cpu / one_cpu:.2f} | {swp_cpu / (20 * one_cpu):.2f} |")
    if run_all is not None:
        order = tuple(f.name for f in run_all.layout.sequences)
        times = [timed(lambda: bootstrap_run(run_all.metrics, order, args.resamples, seed=0))[:2]
                 for _ in range(args.repeats)]
        wall, cpu = (statistics.median(c) for c in zip(*times))
        print(f"\nbootstrap: {args.resamples} resamples x {len(run_all.layout.trackers)} trackers x {len(order)} "
              f"sequences: {wall:.2f} s wall, {cpu:.2f} s CPU (median of {args.repeats})")
        combined = {tr: m[COMBINED] for tr, m in run_all.metrics.items()}
        times = [timed(lambda: track_bootstrap_layout(run_all.layout, run_all.options, args.resamples, 0,
                                                      combined=combined))[:2] for _ in range(args.repeats)]
        wall, cpu = (statistics.median(c) for c in zip(*times))
        print(f"bootstrap over ground-truth tracks: {args.resamples} resamples x {len(run_all.layout.trackers)} "
              f"trackers, the sequences evaluated again included: {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"(median of {args.repeats})")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
