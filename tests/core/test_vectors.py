"""The hand-made vectors of metrics.md §2.6 / §3.2 / §3.4 (tests/vectors.py) through our core:
every field equal to TrackEval 1.3.0's (1e-9, counts exact), and the table numbers of the spec."""
from __future__ import annotations

import numpy as np
import pytest

from tracklens.evaluate import combine
from tracklens.metrics import clear, count, hota, identity
from tracklens.sequence_eval import evaluate_sequence
from core_cases import eval_sequence_from_matrices, field_mismatches
from reference import (
    METRIC_NAMES,
    flatten,
    trackeval_combine,
    trackeval_combine_classes_class_averaged,
    trackeval_sequence,
)
from vectors import COMBINED_PREFIX, VECTORS, mismatches

NAMES = sorted(VECTORS)


def ours(name: str) -> dict:
    case, _ = VECTORS[name]
    return evaluate_sequence(eval_sequence_from_matrices(*case.per_frame(), name=name)).metrics()


@pytest.mark.parametrize("name", NAMES)
def test_vector_matches_trackeval_every_field(name: str) -> None:
    case, _ = VECTORS[name]
    ref = flatten(trackeval_sequence(*case.per_frame()))
    got = ours(name)
    assert set(got) == set(ref)
    bad = field_mismatches(got, ref)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("name", NAMES)
def test_vector_combined_matches_trackeval(name: str) -> None:
    """Combining the single sequence (what a one-sequence run reports as COMBINED)."""
    case, _ = VECTORS[name]
    per_metric = trackeval_sequence(*case.per_frame())
    got = combine([ours(name)])
    for metric in METRIC_NAMES:
        bad = field_mismatches(got, trackeval_combine(metric, {name: per_metric[metric]}))
        assert not bad, f"{metric}:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", NAMES)
def test_vector_expected_numbers(name: str) -> None:
    _, expected = VECTORS[name]
    per_seq = ours(name)
    combined = combine([per_seq]) if any(k.startswith(COMBINED_PREFIX) for k in expected) else None
    bad = mismatches(expected, per_seq, combined)
    assert not bad, "\n".join(bad)


def test_all_vectors_combined_together_match_trackeval() -> None:
    """All vectors as the sequences of one run: sequence and class combiners of every family."""
    refs = {n: trackeval_sequence(*VECTORS[n][0].per_frame()) for n in NAMES}
    got = [ours(n) for n in NAMES]
    combined = combine(got)
    families = {"HOTA": hota, "CLEAR": clear, "Identity": identity, "Count": count}
    for metric in METRIC_NAMES:
        by_name = {n: refs[n][metric] for n in NAMES}
        assert not field_mismatches(combined, trackeval_combine(metric, by_name)), metric
        if metric == "Count":
            continue
        for ignore_empty in (False, True):
            ref = trackeval_combine_classes_class_averaged(metric, by_name, ignore_empty_classes=ignore_empty)
            bad = field_mismatches(families[metric].combine_class_averaged(got, ignore_empty=ignore_empty), ref)
            assert not bad, f"{metric} ignore_empty={ignore_empty}:\n" + "\n".join(bad)


def test_hota_block_tp_per_alpha() -> None:
    """The shared matching picks the S = 0.3 pair in frame 10 and drops it above alpha 0.30."""
    got = ours("hota-block")["HOTA_TP"]
    assert np.array_equal(got, [10.0] * 6 + [9.0] * 13)
