#!/usr/bin/env python
"""Run TrackEval 1.3.0 (HOTA + CLEAR + Identity, MotChallenge2DBox) on one tracker and print JSON.

Used by ``bench_eval.py`` as TrackEval's "whole process" (this script is the process: interpreter
start, imports, evaluation, results) and to time TrackEval's evaluation alone (``eval_s``: from
after the imports to the results, measured here). Single process, nothing written, nothing printed
except one JSON object on stdout::

    {"tool": "trackeval", "version": ..., "eval_s": ..., "sequences": N,
     "combined": {field: value, ...}}      # COMBINED_SEQ, HOTA arrays as their mean over alphas

``combined`` holds every HOTA/CLEAR/Identity/Count field (HOTA arrays as the mean, plus
``<field>_alpha`` with the 19 values) so callers can check parity field by field.

``bench_scaling.py`` imports ``evaluate_trackeval`` from here.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time

import numpy as np

# TrackEval 1.3.0 predates numpy 2: restore only the removed scalar aliases it may touch.
# np.bool is deliberately NOT aliased (numpy 2 has np.bool again; aliasing it to the Python bool
# breaks numpy.ma).
for _name, _alias in (("float", float), ("int", int)):
    if _name not in np.__dict__:
        setattr(np, _name, _alias)

import trackeval  # noqa: E402  (after the shim)

CLASS = "pedestrian"


def evaluate_trackeval(gt_folder: str, trackers_folder: str, benchmark: str, split: str,
                       seqmap: str | None, tracker: str) -> dict:
    """TrackEval's per-sequence and COMBINED_SEQ results of one tracker: ``{seq: {metric: {field: v}}}``."""
    eval_config = {
        "USE_PARALLEL": False,
        "BREAK_ON_ERROR": True,
        "RETURN_ON_ERROR": False,
        "LOG_ON_ERROR": None,
        "PRINT_RESULTS": False,
        "PRINT_ONLY_COMBINED": False,
        "PRINT_CONFIG": False,
        "TIME_PROGRESS": False,
        "DISPLAY_LESS_PROGRESS": True,
        "OUTPUT_SUMMARY": False,
        "OUTPUT_EMPTY_CLASSES": False,
        "OUTPUT_DETAILED": False,
        "PLOT_CURVES": False,
    }
    dataset_config = {
        "GT_FOLDER": gt_folder,
        "TRACKERS_FOLDER": trackers_folder,
        "OUTPUT_FOLDER": None,
        "TRACKERS_TO_EVAL": [tracker],
        "CLASSES_TO_EVAL": [CLASS],
        "BENCHMARK": benchmark,
        "SPLIT_TO_EVAL": split,
        "PRINT_CONFIG": False,
        "DO_PREPROC": True,
        "SEQMAP_FILE": seqmap,
    }
    # The Evaluator prints "Evaluating ..." unconditionally: swallow it.
    with contextlib.redirect_stdout(io.StringIO()):
        evaluator = trackeval.Evaluator(eval_config)
        dataset = trackeval.datasets.MotChallenge2DBox(dataset_config)
        metrics = [trackeval.metrics.HOTA(), trackeval.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
                   trackeval.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
        output, messages = evaluator.evaluate([dataset], metrics)
    res = output[dataset.get_name()][tracker]
    if res is None:
        raise RuntimeError(f"TrackEval failed: {messages[dataset.get_name()][tracker]}")
    return {seq: by_cls[CLASS] for seq, by_cls in res.items()}


def flat_fields(per_metric: dict) -> dict:
    """``{metric: {field: v}}`` -> ``{field: float}`` with HOTA arrays as their mean (+ ``_alpha`` lists)."""
    out = {}
    for fields in per_metric.values():
        for key, value in fields.items():
            arr = np.asarray(value)
            if arr.ndim == 1:
                out[key] = float(arr.mean())
                out[f"{key}_alpha"] = [float(v) for v in arr]
            else:
                out[key] = float(arr)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gt-folder", required=True)
    p.add_argument("--trackers-folder", required=True)
    p.add_argument("--benchmark", default="MOT17")
    p.add_argument("--split", default="train")
    p.add_argument("--seqmap")
    p.add_argument("--tracker", required=True)
    args = p.parse_args(argv)

    t0, c0 = time.perf_counter(), time.process_time()
    res = evaluate_trackeval(args.gt_folder, args.trackers_folder, args.benchmark, args.split, args.seqmap,
                             args.tracker)
    eval_s, eval_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    json.dump({"tool": "trackeval", "version": getattr(trackeval, "__version__", "1.3.0"), "eval_s": eval_s,
               "eval_cpu_s": eval_cpu_s, "sequences": len(res) - 1,
               "combined": flat_fields(res["COMBINED_SEQ"])}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
