"""Multi-class evaluation: each class alone equals TrackEval on that class, and both class
combiners equal TrackEval's (generated cases, written as real MOT files with a class column)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import (flatten, trackeval_combine, trackeval_combine_classes_class_averaged,
                       trackeval_combine_classes_det_averaged, trackeval_sequence)
from strategies import tracking_cases

from tracklens.classes import CLASS_AVERAGED, DET_AVERAGED, evaluate_classes
from tracklens.evaluate import COMBINED
from tracklens.layout import resolve

METRICS = ("HOTA", "CLEAR", "Identity", "Count")


def _write(rows_by_class: dict[int, np.ndarray], path) -> None:
    lines = []
    for cls, rows in rows_by_class.items():
        for f, i, x, y, w, h in rows:
            # ids of different classes must not collide in a file (one id per frame)
            lines.append(f"{int(f)},{int(i) + 1000 * cls},{float(x)!r},{float(y)!r},{float(w)!r},{float(h)!r},1,{cls},1\n")
    path.write_text("".join(lines))


def _assert_same(ours: dict, ref: dict, where: str) -> None:
    for key, value in ref.items():
        if key == "Frames":
            continue
        a, b = np.asarray(ours[key], float), np.asarray(value, float)
        assert np.allclose(a, b, rtol=0, atol=1e-9), f"{where} {key}: {a} != {b}"


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(tracking_cases(max_frames=12, max_objects=5), min_size=2, max_size=2), min_size=1, max_size=2))
def test_per_class_and_class_combiners_match_trackeval(tmp_path_factory, sequences):
    root = tmp_path_factory.mktemp("mc")
    num_frames = {}
    for k, cases in enumerate(sequences):
        name = f"seq{k}"
        seq_dir = root / "gt" / name
        (seq_dir / "gt").mkdir(parents=True)
        length = max(c.num_frames for c in cases)
        num_frames[name] = length
        (seq_dir / "seqinfo.ini").write_text(f"[Sequence]\nname={name}\nseqLength={length}\n")
        _write({c + 1: case.gt for c, case in enumerate(cases)}, seq_dir / "gt" / "gt.txt")
        (root / "tr" / "t").mkdir(parents=True, exist_ok=True)
        _write({c + 1: case.tracker for c, case in enumerate(cases)}, root / "tr" / "t" / f"{name}.txt")
    run = evaluate_classes(resolve(str(root / "gt"), str(root / "tr")), [1, 2])

    per_class_ref = {}
    for cls in (1, 2):
        per_seq = {}
        for k, cases in enumerate(sequences):
            case = replace(cases[cls - 1], num_frames=num_frames[f"seq{k}"])
            ref = trackeval_sequence(*case.per_frame(), metrics=METRICS)
            per_seq[f"seq{k}"] = ref
            _assert_same(run.metrics["t"][str(cls)][f"seq{k}"], flatten(ref), f"class {cls} seq{k}")
        combined = {m: trackeval_combine(m, {s: r[m] for s, r in per_seq.items()}) for m in METRICS}
        _assert_same(run.metrics["t"][str(cls)][COMBINED], flatten(combined), f"class {cls} combined")
        per_class_ref[cls] = combined
    cls_av = {m: trackeval_combine_classes_class_averaged(m, {c: r[m] for c, r in per_class_ref.items()})
              for m in METRICS}
    det_av = {m: trackeval_combine_classes_det_averaged(m, {c: r[m] for c, r in per_class_ref.items()})
              for m in METRICS}
    _assert_same(run.combined["t"][CLASS_AVERAGED], flatten(cls_av), "class-averaged")
    _assert_same(run.combined["t"][DET_AVERAGED], flatten(det_av), "detection-averaged")
