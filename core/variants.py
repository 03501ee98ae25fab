"""Entry point of the HOTA variants for one sequence x tracker (for the CLI and a dashboard page).

``evaluate_variants(gt, tr, name, probabilities)`` prepares the sequence, runs the requested
variants (core/metrics/hota_variants.py, core/metrics/hota_paper.py) and returns one table row per
variant: its headline number (mean over the 19 alphas) and its components. Definitions and choices:
docs/hota_variants.md; probability inputs: docs/classes.md.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .detections import Detections
from .formats.probabilities import ClassProbabilities, hard_probabilities
from .metrics import hota_paper
from .metrics.hota_paper import PAPER, TRACKEVAL
from .metrics.hota_variants import (ClassLabels, HotaWeights, ca2_hota, ca_hota, fa_hota, fed_hota, o_hota,
                                    variant_matches, w_hota)
from .prepare import EvalSequence, build, prepare
from .similarity import box_pairs

VARIANTS = ("HOTA", "HOTA (paper)", "CA-HOTA", "CA2-HOTA", "Fed-HOTA", "FA-HOTA", "W-HOTA", "OHOTA")
DEFAULT_VARIANTS = ("HOTA", "HOTA (paper)", "CA-HOTA", "CA2-HOTA", "FA-HOTA", "OHOTA")
COLUMNS = ("variant", "matching", "score", "DetA", "AssA", "LocA", "HOTA", "ClaA", "CA-AssA", "FragA",
           "W-DetA", "W-AssA", "O-AssA", "classes")


def prepare_multiclass(name: str, gt: Detections, tr: Detections) -> EvalSequence:
    """Class-agnostic sequence: every gt box with a non-zero consider flag (any class) and every
    tracker box; no MOTChallenge distractor removal."""
    pairs = box_pairs(gt.box, gt.offsets, tr.box, tr.offsets)
    return build(name, gt, tr, pairs, np.trunc(gt.conf) != 0, np.ones(len(tr), bool), np.zeros(0, np.int64))


def class_labels(seq: EvalSequence, gt: Detections, tr: Detections, probabilities: ClassProbabilities | None = None,
                 *, classes: Sequence[int] | None = None, use_confidence: bool = True) -> ClassLabels:
    """Per-position classes of ``seq``: gt classes from column 8, tracker probabilities from
    ``probabilities`` (rows of ``tr``) or, when None, from the hard class and confidence. A tracker
    class of -1 (MOTChallenge's 'not given') is the ground truth's class when it has only one
    (pedestrian after MOTChallenge preprocessing), else no class."""
    gt_class = gt.cls[seq.gt_rows]
    if probabilities is None:
        only = np.unique(gt_class)
        probabilities = hard_probabilities(tr, classes, use_confidence=use_confidence,
                                           unknown_class=int(only[0]) if only.size == 1 else None)
    if probabilities.probs.shape[0] != len(tr):
        raise ValueError(f"probabilities have {probabilities.probs.shape[0]} rows, the tracker has {len(tr)}")
    return ClassLabels(probabilities.classes, gt_class, probabilities.probs[seq.tr_rows])


def _mean(x) -> float:
    return float(np.mean(x))


def evaluate_variants(gt: Detections, tr: Detections, name: str, probabilities: ClassProbabilities | None = None, *,
                      variants: Sequence[str] = DEFAULT_VARIANTS, matching: str = TRACKEVAL,
                      weights: HotaWeights | None = None, verified: Mapping[int, Iterable[int]] | None = None,
                      classes: Sequence[int] | None = None, use_confidence: bool = True,
                      preprocess: bool = False, benchmark: str = "MOT17") -> pd.DataFrame:
    """One row per variant (index: variant name) with ``score`` (its headline, mean over alphas) and
    its components (NaN where a component does not apply).

    ``matching`` is used by FA-HOTA, W-HOTA and OHOTA ("trackeval" or "paper"); HOTA rows use
    their own, the class variants the paper's classification-aware matching (Eq. 39). Without
    ``probabilities`` the hard class and confidence define C(c). ``preprocess`` applies the
    MOTChallenge preprocessing (pedestrians only); by default every class is kept and matched
    class-agnostically. ``W-HOTA`` needs ``weights`` (all 1 reduces to HOTA); ``Fed-HOTA`` uses
    ``verified`` (frame -> verified class ids) plus the classes annotated in each frame."""
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variant(s) {unknown}; choose from {VARIANTS}")
    seq = prepare(name, gt, tr, benchmark=benchmark) if preprocess else prepare_multiclass(name, gt, tr)
    needs_labels = any(v in variants for v in ("CA-HOTA", "CA2-HOTA", "Fed-HOTA"))
    labels = class_labels(seq, gt, tr, probabilities, classes=classes, use_confidence=use_confidence) \
        if needs_labels else None
    cache: dict[str, object] = {}

    def matches(kind: str):
        if kind not in cache:
            cache[kind] = variant_matches(seq, kind, labels)
        return cache[kind]

    rows = []
    for v in variants:
        row: dict = {"variant": v}
        if v in ("HOTA", "HOTA (paper)"):
            kind = TRACKEVAL if v == "HOTA" else PAPER
            res = hota_paper.evaluate_matches(seq, matches(kind))
            row.update(matching=kind, score=_mean(res["HOTA"]), DetA=_mean(res["DetA"]), AssA=_mean(res["AssA"]),
                       LocA=_mean(res["LocA"]), HOTA=_mean(res["HOTA"]))
        elif v == "CA-HOTA":
            r = ca_hota(seq, labels, matches=matches("paper-ca"))
            m = r.means()
            row.update(matching="paper-ca", score=r.score, DetA=m["DetA"], AssA=m["AssA"], LocA=m["LocA"],
                       HOTA=m["HOTA"], ClaA=m["ClaA"], **{"CA-AssA": m["CA-AssA"]})
        elif v in ("CA2-HOTA", "Fed-HOTA"):
            if v == "CA2-HOTA":
                r = ca2_hota(seq, labels, matches=matches("paper-ca"), classes=classes)
            else:
                r = fed_hota(seq, labels, verified, matches=matches("paper-ca"), classes=classes)
            row.update(matching="paper-ca", score=r.score, classes=", ".join(str(c) for c in r.classes))
        elif v == "FA-HOTA":
            r = fa_hota(seq, matches=matches(matching))
            m = r.means()
            row.update(matching=matching, score=r.score, DetA=m["DetA"], AssA=m["AssA"], HOTA=m["HOTA"],
                       FragA=m["FragA"])
        elif v == "W-HOTA":
            r = w_hota(seq, weights or HotaWeights(), matches=matches(matching))
            m = r.means()
            row.update(matching=matching, score=r.score, HOTA=m["HOTA"], **{"W-DetA": m["W-DetA"],
                                                                           "W-AssA": m["W-AssA"]})
        elif v == "OHOTA":
            r = o_hota(seq, matches=matches(matching))
            m = r.means()
            row.update(matching=matching, score=r.score, DetA=m["DetA"], AssA=m["AssA"], HOTA=m["HOTA"],
                       **{"O-AssA": m["O-AssA"]})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(COLUMNS)).set_index("variant")
    return frame


__all__ = ["VARIANTS", "DEFAULT_VARIANTS", "evaluate_variants", "prepare_multiclass", "class_labels"]
