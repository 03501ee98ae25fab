"""One evaluation pass over one prepared sequence: the three matchings and every metric family.

The matches are kept (not thrown away as in TrackEval) so the analysis reads exactly the pairs the
reported numbers came from.
"""
from __future__ import annotations

from dataclasses import dataclass

from .metrics import clear, count, hota, identity
from .prepare import EvalSequence


@dataclass(frozen=True)
class SequenceEvaluation:
    """Everything one pass over one sequence x tracker produces: the metric-ready data, the three
    matchings and the TrackEval result dicts."""

    data: EvalSequence
    hota: dict
    clear: dict
    identity: dict
    count: dict
    hota_matches: hota.HotaMatches | None
    clear_matches: clear.ClearMatches | None
    identity_matches: identity.IdentityMatches | None

    def metrics(self) -> dict:
        """All fields under their TrackEval names (HOTA array fields are 19-value arrays)."""
        return {**self.hota, **self.clear, **self.identity, **self.count}


def evaluate_sequence(data: EvalSequence, threshold: float = 0.5) -> SequenceEvaluation:
    """Run the three matchings and all metric families on one prepared sequence."""
    h, hm = hota.evaluate(data)
    c, cm = clear.evaluate(data, threshold)
    i, im = identity.evaluate(data, threshold)
    return SequenceEvaluation(data, h, c, i, count.evaluate(data), hm, cm, im)
