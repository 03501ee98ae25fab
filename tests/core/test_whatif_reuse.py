"""The what-if re-evaluates each edited output without computing an IoU again (every edited box is an
unedited tracker box or a copy of a ground-truth box, ``whatif._edited_pairs``). Every fixed score must
stay the HOTA of a plain re-evaluation of the edited output (``prepare`` from scratch + the ordinary
pipeline), bit for bit: on generated sequences and on real MOT17 sequences (with distractor removal)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import tracking_cases

from tracklens.analysis import whatif
from tracklens.analysis.whatif import FIXES, edit_tracker, what_if_result
from tracklens.evaluate import evaluate_sequence, load_sequence
from tracklens.formats.motchallenge import read_mot_file
from tracklens.layout import resolve
from tracklens.prepare import prepare


def assert_plain_reevaluation(gt, tr, name: str, benchmark: str) -> None:
    result = what_if_result(gt, tr, name, benchmark=benchmark)
    plain = evaluate_sequence(prepare(name, gt, tr, benchmark=benchmark)).hota
    assert _same(result.baseline.hota, plain), "baseline"
    for fix in FIXES:
        edited = edit_tracker(gt, tr, fix, name, benchmark=benchmark)
        plain = evaluate_sequence(prepare(name, gt, edited, benchmark=benchmark)).hota
        assert _same(result[fix].hota, plain), fix
        assert result[fix].HOTA == float(np.mean(plain["HOTA"])), fix


def _same(a: dict, b: dict) -> bool:
    return list(a) == list(b) and all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a)


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tracking_cases(max_frames=12, max_objects=6))
def test_generated_sequences(case):
    with tempfile.TemporaryDirectory() as tmp:
        case.write_mot(Path(tmp) / "gt.txt", Path(tmp) / "tr.txt")
        gt = read_mot_file(str(Path(tmp) / "gt.txt"), case.num_frames, is_gt=True)
        tr = read_mot_file(str(Path(tmp) / "tr.txt"), case.num_frames, is_gt=False)
    assert_plain_reevaluation(gt, tr, "generated", "MOT15")


@pytest.mark.shared
@pytest.mark.parametrize("sequence", ["MOT17-09-FRCNN", "MOT17-04-SDP"])
def test_mot17_every_fix_equals_a_plain_reevaluation(shared_data, sequence, monkeypatch):
    root = shared_data / "mot_challenge"
    layout = resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17", "train")
    loaded = load_sequence(next(f for f in layout.sequences if f.name == sequence))
    computed = []  # the IoUs the what-if computes: gt x tracker and gt x gt, never an edited output's
    real = whatif.box_pairs
    monkeypatch.setattr(whatif, "box_pairs", lambda *a: computed.append(a[2] is a[0]) or real(*a))
    for tracker, tr in loaded.trackers.items():
        computed.clear()
        what_if_result(loaded.gt, tr, sequence, benchmark="MOT17")
        assert sorted(computed) == [False, True], tracker
        assert_plain_reevaluation(loaded.gt, tr, sequence, "MOT17")
