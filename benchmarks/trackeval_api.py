"""Run a module with TrackEval's API (TrackEval itself, or ``motrics.compat.trackeval``) on a
MOTChallenge folder, and print the one JSON object ``bench_eval.py`` reads from each tool's script."""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from types import ModuleType

import numpy as np

CLASS = "pedestrian"
QUIET = {"USE_PARALLEL": False, "BREAK_ON_ERROR": True, "RETURN_ON_ERROR": False, "LOG_ON_ERROR": None,
         "PRINT_RESULTS": False, "PRINT_ONLY_COMBINED": False, "PRINT_CONFIG": False, "TIME_PROGRESS": False,
         "DISPLAY_LESS_PROGRESS": True, "OUTPUT_SUMMARY": False, "OUTPUT_EMPTY_CLASSES": False,
         "OUTPUT_DETAILED": False, "PLOT_CURVES": False}


def evaluate_api(te: ModuleType, gt_folder: str, trackers_folder: str, benchmark: str, split: str,
                 seqmap: str | None, tracker: str) -> dict:
    """Per-sequence and COMBINED_SEQ results of one tracker: ``{seq: {metric: {field: v}}}``
    (HOTA + CLEAR + Identity, MOTChallenge preprocessing on, one process, nothing written)."""
    eval_config = {**te.Evaluator.get_default_eval_config(), **QUIET}
    dataset_config = {"GT_FOLDER": gt_folder, "TRACKERS_FOLDER": trackers_folder, "OUTPUT_FOLDER": None,
                      "TRACKERS_TO_EVAL": [tracker], "CLASSES_TO_EVAL": [CLASS], "BENCHMARK": benchmark,
                      "SPLIT_TO_EVAL": split, "PRINT_CONFIG": False, "DO_PREPROC": True, "SEQMAP_FILE": seqmap}
    with contextlib.redirect_stdout(io.StringIO()):  # the Evaluator prints "Evaluating ..." regardless
        evaluator = te.Evaluator(eval_config)
        dataset = te.datasets.MotChallenge2DBox(dataset_config)
        metrics = [te.metrics.HOTA(), te.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
                   te.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
        output, messages = evaluator.evaluate([dataset], metrics)
    res = output[dataset.get_name()][tracker]
    if res is None:
        raise RuntimeError(f"evaluation failed: {messages[dataset.get_name()][tracker]}")
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


def main(te: ModuleType, tool: str, version: str, description: str, argv: list[str] | None = None) -> int:
    """Parse the folder arguments, evaluate, print ``{"tool", "version", "eval_s", "eval_cpu_s",
    "sequences", "combined"}`` (``eval_s`` from after the imports to the results)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--gt-folder", required=True)
    p.add_argument("--trackers-folder", required=True)
    p.add_argument("--benchmark", default="MOT17")
    p.add_argument("--split", default="train")
    p.add_argument("--seqmap")
    p.add_argument("--tracker", required=True)
    args = p.parse_args(argv)
    t0, c0 = time.perf_counter(), time.process_time()
    res = evaluate_api(te, args.gt_folder, args.trackers_folder, args.benchmark, args.split, args.seqmap,
                       args.tracker)
    eval_s, eval_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    json.dump({"tool": tool, "version": version, "eval_s": eval_s, "eval_cpu_s": eval_cpu_s,
               "sequences": len(res) - 1, "combined": flat_fields(res["COMBINED_SEQ"])}, sys.stdout)
    print()
    return 0
