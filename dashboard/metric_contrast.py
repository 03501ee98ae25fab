"""The Metrics compared page's "CA-HOTA and TETA" table: the two classification-aware tracking scores
side by side, row by row, so a reader sees why they can rank trackers differently."""
from __future__ import annotations

import pandas as pd

ROWS = (
    ("Source", "HOTA paper (Luiten et al., IJCV 2021), Eq. 38-40; docs/hota_variants.md",
     "Li et al., ECCV 2022; reference code SysCV/tet a62a9c0; docs/teta.md"),
    ("Thresholds α", "0.05 … 0.95 (19), mean of the per-α scores",
     "0.00 … 0.95 (20) for LocA and AssocA; 0.50 … 0.95 (10) for ClsA, averaged first"),
    ("Matching", "per α, classification-aware (most TPs, then C + Amax, then IoU)",
     "one Hungarian on GA × IoU per frame, shared by every α (as TrackEval's HOTA)"),
    ("Which predictions count as FP", "every unmatched prediction",
     "only unmatched predictions in the class's local cluster (IoU ≥ 0.5 with its ground truth, "
     "any predicted class)"),
    ("Classification", "each TP weighted by the probability C(c) given to the right class",
     "ClsA: on matched boxes only, the predicted label right (TP) or wrong (FN of the true class, "
     "FP of the predicted one)"),
    ("Combination", "√(DetA × CA-AssA): geometric, so a zero term zeroes the score",
     "(LocA + AssocA + ClsA) / 3: arithmetic, a weak term is averaged away"),
    ("Needs", "class probabilities (column 8 a class, column 7 its probability)",
     "TAO / COCO-video JSON with category ids (tracklens eval --format tao --teta)"),
)


def ca_hota_vs_teta() -> pd.DataFrame:
    """One row per aspect, one column per metric."""
    return pd.DataFrame([{"aspect": a, "CA-HOTA": c, "TETA": t} for a, c, t in ROWS]).set_index("aspect")
