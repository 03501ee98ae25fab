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

import sys

import numpy as np

# TrackEval 1.3.0 predates numpy 2: restore only the removed scalar aliases it may touch.
# np.bool is deliberately NOT aliased (numpy 2 has np.bool again; aliasing it to the Python bool
# breaks numpy.ma).
for _name, _alias in (("float", float), ("int", int)):
    if _name not in np.__dict__:
        setattr(np, _name, _alias)

import trackeval  # noqa: E402  (after the shim)
from trackeval_api import evaluate_api, flat_fields  # noqa: E402

__all__ = ["evaluate_trackeval", "flat_fields"]


def evaluate_trackeval(gt_folder: str, trackers_folder: str, benchmark: str, split: str,
                       seqmap: str | None, tracker: str) -> dict:
    """TrackEval's per-sequence and COMBINED_SEQ results of one tracker: ``{seq: {metric: {field: v}}}``."""
    return evaluate_api(trackeval, gt_folder, trackers_folder, benchmark, split, seqmap, tracker)


if __name__ == "__main__":
    from trackeval_api import main
    sys.exit(main(trackeval, "trackeval", getattr(trackeval, "__version__", "1.3.0"), __doc__.splitlines()[0]))
