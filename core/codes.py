"""Id-pair codes (``gt index * number of tracker ids + tracker index``) grouped as ``np.unique`` groups
them, through a table over the code range when that range is small: ``np.unique`` sorts the codes
(an argsort for the inverse), which took a third of HOTA's matching on a 600-frame sequence."""
from __future__ import annotations

import numpy as np

DENSE_PER_CODE = 4  # a table of up to this many entries per code (plus DENSE_MIN) is cheaper than a sort
DENSE_MIN = 1 << 16


def unique_inverse(code: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(code, return_inverse=True)`` for integer codes in ``0..size-1``: the same arrays."""
    if size > DENSE_PER_CODE * code.size + DENSE_MIN:
        uniq, inv = np.unique(code, return_inverse=True)
        return uniq, inv.reshape(-1)
    present = np.zeros(size, bool)
    present[code] = True
    uniq = np.flatnonzero(present)
    position = np.empty(size, np.int64)
    position[uniq] = np.arange(uniq.size)
    return uniq, position[code]
