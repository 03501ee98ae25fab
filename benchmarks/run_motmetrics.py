#!/usr/bin/env python
"""Run py-motmetrics (CLEAR + Identity; it has no TrackEval-compatible HOTA) the way its
``motmetrics.apps.eval_motchallenge`` app does, on the sequences of a seqmap, and print JSON.

Same steps as the app: ``mm.io.loadtxt(gt, fmt="mot15-2D", min_confidence=1)`` for the ground
truth, ``mm.io.loadtxt(result, fmt="mot15-2D")`` for the tracker, ``compare_to_groundtruth(...,
"iou", distth=0.5)`` per sequence, ``compute_many(..., metrics=motchallenge_metrics,
generate_overall=True)``. The only difference is the sequence list (read from the seqmap instead
of globbing every folder) and that the summary is returned as JSON instead of rendered.

Preprocessing is NOT TrackEval's: motmetrics only drops ground-truth rows whose consider flag is 0
(min_confidence=1). It does not remove tracker boxes that match distractor classes
(person_on_vehicle, static_person, distractor, reflection), so its FP/MOTA/IDF1 are not
comparable to TrackEval's; ``num_predictions`` (kept tracker boxes) shows the difference.

Compatibility shim: motmetrics 1.4.0 calls ``np.asfarray``, removed in numpy 2.0; it is restored as
``np.asarray(a, dtype=float64)`` (what it did) when missing.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

SHIMS = []
if "asfarray" not in np.__dict__:
    np.asfarray = lambda a, dtype=np.float64: np.asarray(a, dtype=dtype)  # noqa: E731
    SHIMS.append("np.asfarray")

import motmetrics as mm  # noqa: E402

EXTRA = ["num_objects", "num_predictions", "num_unique_objects", "num_matches"]


def read_seqmap(path: str) -> list[str]:
    with open(path) as fp:
        rows = [line.strip().split(",")[0] for line in fp]
    return [r for r in rows[1:] if r]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gt-folder", required=True)
    p.add_argument("--trackers-folder", required=True)
    p.add_argument("--benchmark", default="MOT17")
    p.add_argument("--split", default="train")
    p.add_argument("--seqmap", required=True)
    p.add_argument("--tracker", required=True)
    args = p.parse_args(argv)

    t0, c0 = time.perf_counter(), time.process_time()
    split = f"{args.benchmark}-{args.split}"
    seqs = read_seqmap(args.seqmap)
    gt_root = os.path.join(args.gt_folder, split)
    tr_root = os.path.join(args.trackers_folder, split, args.tracker, "data")
    gt = {s: mm.io.loadtxt(os.path.join(gt_root, s, "gt", "gt.txt"), fmt="mot15-2D", min_confidence=1)
          for s in seqs}
    ts = {s: mm.io.loadtxt(os.path.join(tr_root, f"{s}.txt"), fmt="mot15-2D") for s in seqs}
    mh = mm.metrics.create()
    accs = [mm.utils.compare_to_groundtruth(gt[s], ts[s], "iou", distth=0.5) for s in seqs]
    metrics = list(mm.metrics.motchallenge_metrics) + EXTRA
    summary = mh.compute_many(accs, names=seqs, metrics=metrics, generate_overall=True)
    eval_s, eval_cpu_s = time.perf_counter() - t0, time.process_time() - c0

    overall = summary.loc["OVERALL"]
    combined = {
        "MOTA": float(overall["mota"]),
        "IDF1": float(overall["idf1"]),
        "IDSW": float(overall["num_switches"]),
        "CLR_FP": float(overall["num_false_positives"]),
        "CLR_FN": float(overall["num_misses"]),
        "CLR_TP": float(overall["num_matches"]),
        "GT_Dets": float(overall["num_objects"]),
        "Dets": float(overall["num_predictions"]),
        "GT_IDs": float(overall["num_unique_objects"]),
    }
    json.dump({"tool": "motmetrics", "version": mm.__version__, "eval_s": eval_s, "eval_cpu_s": eval_cpu_s,
               "sequences": len(seqs), "shims": SHIMS, "combined": combined}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
