#!/usr/bin/env python
"""Run motrics (Rust, PyPI ``motrics``) through its TrackEval-compatible layer and print JSON.

``motrics.compat.trackeval`` mirrors TrackEval's ``Evaluator`` + ``MotChallenge2DBox`` +
``HOTA``/``CLEAR``/``Identity``; its dataset class preprocesses like TrackEval
(``motrics.preprocess_motchallenge``: pedestrian class only, "do not consider" ground-truth rows
dropped, tracker boxes matched to distractor classes 2/7/8/12 (+6 on MOT20) removed).

Prints one JSON object, same layout as ``run_trackeval.py``: ``eval_s`` is timed from after the
imports to the results; ``combined`` holds COMBINED_SEQ's fields (HOTA arrays as their mean).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time

import numpy as np

import motrics
import motrics.compat.trackeval as te

CLASS = "pedestrian"


def evaluate_motrics(gt_folder: str, trackers_folder: str, benchmark: str, split: str,
                     seqmap: str | None, tracker: str) -> dict:
    eval_config = {**te.Evaluator.get_default_eval_config(), "PRINT_CONFIG": False, "PRINT_RESULTS": False,
                   "TIME_PROGRESS": False, "OUTPUT_SUMMARY": False, "OUTPUT_DETAILED": False,
                   "PLOT_CURVES": False, "LOG_ON_ERROR": None}
    dataset_config = {
        "GT_FOLDER": gt_folder,
        "TRACKERS_FOLDER": trackers_folder,
        "TRACKERS_TO_EVAL": [tracker],
        "CLASSES_TO_EVAL": [CLASS],
        "BENCHMARK": benchmark,
        "SPLIT_TO_EVAL": split,
        "PRINT_CONFIG": False,
        "DO_PREPROC": True,
        "SEQMAP_FILE": seqmap,
    }
    with contextlib.redirect_stdout(io.StringIO()):
        evaluator = te.Evaluator(eval_config)
        dataset = te.datasets.MotChallenge2DBox(dataset_config)
        metrics = [te.metrics.HOTA(), te.metrics.CLEAR({"THRESHOLD": 0.5, "PRINT_CONFIG": False}),
                   te.metrics.Identity({"THRESHOLD": 0.5, "PRINT_CONFIG": False})]
        output, _ = evaluator.evaluate([dataset], metrics)
    res = output[dataset.get_name()][tracker]
    return {seq: by_cls[CLASS] for seq, by_cls in res.items()}


def flat_fields(per_metric: dict) -> dict:
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
    res = evaluate_motrics(args.gt_folder, args.trackers_folder, args.benchmark, args.split, args.seqmap,
                           args.tracker)
    eval_s, eval_cpu_s = time.perf_counter() - t0, time.process_time() - c0
    json.dump({"tool": "motrics", "version": motrics.__version__, "eval_s": eval_s, "eval_cpu_s": eval_cpu_s,
               "sequences": len(res) - 1, "combined": flat_fields(res["COMBINED_SEQ"])}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
