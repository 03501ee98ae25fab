"""The reference of the ``motmetrics`` protocol: py-motmetrics 1.4.0 run in-process as its
``apps/eval_motchallenge.py`` does (ground truth loaded with ``min_confidence=1``, tracker rows as they
are, ``compare_to_groundtruth(..., 'iou', distth=1 - threshold)``), with its scipy solver."""
from __future__ import annotations

import numpy as np

if not hasattr(np, "asfarray"):  # removed in numpy 2; py-motmetrics 1.4.0's iou_matrix still calls it
    np.asfarray = lambda a, dtype=float: np.asarray(a, dtype=dtype)

import motmetrics as mm  # noqa: E402  (after the shim)

FIELDS = ("num_matches", "num_switches", "num_false_positives", "num_misses", "num_objects", "mota")


def motmetrics_sequences(files: dict[str, tuple[str, str]], threshold: float = 0.5) -> dict[str, dict]:
    """``{sequence | 'OVERALL': {field: value}}`` for ``files[sequence] = (gt.txt, tracker.txt)``."""
    with mm.lap.set_default_solver("scipy"):
        accs = []
        for gt_path, tr_path in files.values():
            gt = mm.io.loadtxt(str(gt_path), fmt="mot15-2D", min_confidence=1)
            ts = mm.io.loadtxt(str(tr_path), fmt="mot15-2D")
            accs.append(mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=1 - threshold))
        summary = mm.metrics.create().compute_many(accs, names=list(files), metrics=list(FIELDS),
                                                   generate_overall=True)
    return {name: {f: row[f] for f in FIELDS} for name, row in summary.iterrows()}
