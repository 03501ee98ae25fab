"""What-if over a benchmark: each fix's HOTA combined over the sequences exactly as TrackEval combines
sequences (``metrics.hota.combine``: counts summed, association and localisation weighted by true
positives), from each sequence's re-evaluation of the edited output. The gain of a fix on a benchmark is
the combined HOTA of the edited sequences minus the combined baseline, not a mean of per-sequence gains.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..metrics import hota
from .whatif import SCORE_FIELDS, WhatIf


def combine_what_if(results: Sequence[WhatIf]) -> pd.DataFrame:
    """One row per fix of ``results`` (one ``WhatIf`` per sequence of one tracker, baseline first): fix, HOTA,
    DetA, AssA, LocA (means over the 19 α of the combined fields), delta_HOTA (against the combined
    baseline) and edits (summed over sequences)."""
    if not results:
        raise ValueError("combine_what_if needs the what-if of at least one sequence")
    rows = []
    for fix in [r.fix for r in results[0].rows]:
        combined = hota.combine([r[fix].hota for r in results])
        rows.append({"fix": fix, **{f: float(np.mean(combined[f])) for f in SCORE_FIELDS},
                     "edits": sum(r[fix].edits for r in results)})
    table = pd.DataFrame(rows)
    table.insert(len(SCORE_FIELDS) + 1, "delta_HOTA", table["HOTA"] - table["HOTA"].iloc[0])
    return table
