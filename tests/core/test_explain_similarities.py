"""Explanations read the matching's own similarities from the box table (``best``, ``best_iou``,
``clear_iou``). For box formats those equal the box IoU recomputed from the boxes, bit for bit, which
is what a box table saved before these columns falls back to: both routes give the same explanation
of every box of the bundled sample."""
from __future__ import annotations

import numpy as np

from tracklens.analysis.explain import explain_columns
from tracklens.analysis.record import analyse
from tracklens.evaluate import load_sequence
from tracklens.layout import resolve
from tracklens.prepare import prepare
from tracklens.sequence_eval import evaluate_sequence


def test_recorded_and_recomputed_similarities_explain_alike(sample_dir):
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15")
    checked = 0
    for files in layout.sequences:
        inputs = load_sequence(files)
        for tracker, tr in inputs.trackers.items():
            ev = evaluate_sequence(prepare(files.name, inputs.gt, tr, benchmark="MOT15"), 0.5)
            boxes = analyse(ev, inputs.gt, tr, tracker).boxes
            old = boxes.drop(columns=["best", "clear_iou"])  # a box table saved before those columns
            for alpha_index in (0, 9, 18):
                alpha = 0.05 * (alpha_index + 1)
                new_facts = explain_columns(boxes, alpha_index, alpha, 0.5)
                old_facts = explain_columns(old, alpha_index, alpha, 0.5)
                assert new_facts.keys() == old_facts.keys()
                for name, values in new_facts.items():
                    assert np.array_equal(values, old_facts[name], equal_nan=values.dtype.kind == "f"), name
                checked += len(new_facts["id"])
            assert (boxes["best"] >= 0).any() and boxes["clear_iou"].notna().any()
    assert checked > 10_000
