"""``codes.unique_inverse`` gives exactly ``np.unique(code, return_inverse=True)``, through its table
(small code range) and through the sort (large range)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tracklens import codes


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(size=st.integers(1, 3 * codes.DENSE_MIN), n=st.integers(0, 300), seed=st.integers(0, 2**32 - 1))
def test_same_arrays_as_np_unique(size: int, n: int, seed: int) -> None:
    code = np.random.default_rng(seed).integers(0, size, n).astype(np.int64)
    uniq, inv = codes.unique_inverse(code, size)
    want_uniq, want_inv = np.unique(code, return_inverse=True)
    assert uniq.dtype == want_uniq.dtype and inv.dtype == want_inv.dtype
    assert np.array_equal(uniq, want_uniq) and np.array_equal(inv, want_inv.reshape(-1))
    assert np.array_equal(uniq[inv], code)


def test_both_routes_are_taken() -> None:
    code = np.array([5, 3, 5, 0], np.int64)
    for size in (6, codes.DENSE_PER_CODE * code.size + codes.DENSE_MIN + 1):
        uniq, inv = codes.unique_inverse(code, size)
        assert uniq.tolist() == [0, 3, 5] and inv.tolist() == [2, 1, 2, 0]
