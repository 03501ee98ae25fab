"""A tracker's breakdowns by condition and causes of identity errors over a run's sequences: what
``tracklens eval --breakdowns FILE`` writes, and what the report and the dashboard show (docs/breakdowns.md)."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .analysis.breakdown import add_counts, breakdown_table, sequence_counts, to_jsonable
from .analysis.causes import (
    BASELINE_CAUSES, CAUSES, KINDS, baseline_counts, cause_counts, empty_causes, identity_causes,
)
from .analysis.conditions import box_conditions
from .analysis.record import SequenceAnalysis
from .metrics.hota import ALPHAS

EXAMPLES = 5  # examples kept per kind and cause in the JSON


def matching_names(alpha_index: int, threshold: float) -> dict[str, str]:
    """Which matching each kind of identity error comes from."""
    clear = f"CLEAR matching at IoU ≥ {threshold:g}"
    return {"switch": clear, "frag": clear, "fn_burst": f"HOTA matching at α = {ALPHAS[alpha_index]:.2f}"}


def conditions(an: SequenceAnalysis) -> pd.DataFrame:
    """``box_conditions`` of an analysis, computed once (kept on its memo)."""
    if "conditions" not in an.memo:
        an.memo["conditions"] = box_conditions(an.boxes)
    return an.memo["conditions"]


def tracker_causes(analyses: Iterable[tuple[str, SequenceAnalysis]], alpha_index: int) -> pd.DataFrame:
    """Every switch, fragmentation and FN burst of a tracker's sequences with its evidence (``sequence`` column)."""
    parts = [identity_causes(an.boxes, an.identity_events, an.fn_bursts, alpha_index, conditions(an))
             .assign(sequence=seq) for seq, an in analyses]
    return pd.concat(parts, ignore_index=True) if parts else empty_causes().assign(sequence=[])


def baseline(analyses: Iterable[tuple[str, SequenceAnalysis]]) -> dict[str, float | int]:
    """How common each cause's evidence is among all evaluated ground-truth boxes (``causes.baseline_counts``
    summed over the sequences): the share a cause would have if errors happened at random boxes."""
    return pooled_baseline([baseline_counts(an.boxes, conditions(an)) for _, an in analyses])


def pooled_baseline(parts: list[dict[str, int]]) -> dict[str, float | int]:
    """``baseline`` from each sequence's ``causes.baseline_counts`` (in sequence order)."""
    total = {k: sum(p[k] for p in parts) for k in ("boxes", "boxes_with_visibility", *BASELINE_CAUSES)}
    shares = {}
    for c in BASELINE_CAUSES:
        known = total["boxes_with_visibility"] if c == "occluded_before" else total["boxes"]
        shares[c] = total[c] / known if known else None
    return {**total, "share": shares}


def tracker_counts(analyses: Iterable[tuple[str, SequenceAnalysis]]) -> tuple[dict, dict[str, dict]]:
    """Bin counts pooled over the sequences, and per sequence."""
    per_seq = {seq: sequence_counts(an.boxes, conditions(an)) for seq, an in analyses}
    return add_counts(list(per_seq.values())), per_seq


def tracker_breakdowns(analyses: list[tuple[str, SequenceAnalysis]], alpha_index: int, threshold: float) -> dict:
    """JSON of one tracker: ``breakdowns`` (combined over sequences and per sequence) and ``causes``
    (counts per kind and cause, with up to EXAMPLES examples each, and the matching each kind comes from)."""
    combined, per_seq = tracker_counts(analyses)
    causes = tracker_causes(analyses, alpha_index)
    counts = cause_counts(causes)
    examples: dict[str, dict[str, list]] = {}
    for kind in KINDS:
        part = causes[(causes["kind"] == kind).to_numpy()]
        examples[kind] = {}
        for cause in (*CAUSES, "no_evidence"):
            hit = ~part[list(CAUSES)].to_numpy(bool).any(1) if cause == "no_evidence" else part[cause].to_numpy(bool)
            rows = part[hit].head(EXAMPLES)
            examples[kind][cause] = [{"sequence": r.sequence, "frame": int(r.frame), "gt_id": int(r.gt_id),
                                      "tr_id": int(r.tr_id)} for r in rows.itertuples()]
    return {
        "breakdowns": {"combined": to_jsonable(combined), "sequences": {s: to_jsonable(c) for s, c in per_seq.items()}},
        "causes": {
            "matching": matching_names(alpha_index, threshold),
            "counts": [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
                       for r in counts.to_dict("records")],
            "examples": examples,
            "baseline": baseline(analyses),
        },
    }


def combined_table(analyses: list[tuple[str, SequenceAnalysis]]) -> pd.DataFrame:
    """The breakdown table of a tracker over its sequences (``breakdown.breakdown_table``)."""
    return breakdown_table(tracker_counts(analyses)[0])
