"""Detection and id counts (TrackEval ``Count``): summed by every combiner."""
from __future__ import annotations

from ..fields import names
from ..prepare import EvalSequence

FIELDS = names("Count", combined=True)  # Frames is per sequence only


def evaluate(seq: EvalSequence) -> dict:
    return {"Dets": seq.num_tr_dets, "GT_Dets": seq.num_gt_dets, "IDs": seq.num_tr_ids,
            "GT_IDs": seq.num_gt_ids, "Frames": seq.num_frames}


def combine(results: list[dict]) -> dict:
    return {f: sum(r[f] for r in results) for f in FIELDS}
