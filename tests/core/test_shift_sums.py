"""The check's frame-shift curve from one IoU pass (``rows.shifted_sums``) equals one ``overlap`` per
shift, bit for bit, whatever the frames (shifted rows falling outside the sequence, empty frames,
repeated boxes)."""
from __future__ import annotations

import numpy as np
import pytest

from tracklens.check.rows import Rows, Sample, overlap, shifted_sums


def _rows(rng, n: int, length: int) -> Rows:
    frame = np.sort(rng.integers(-2, length + 3, n))
    box = np.column_stack([rng.integers(0, 60, n), rng.integers(0, 60, n), rng.integers(-1, 25, n),
                           rng.integers(0, 25, n)]).astype(float) + rng.random((n, 4)).round(2)
    return Rows(frame, rng.integers(0, 9, n), box, np.ones(n), np.full(n, np.nan), np.arange(1, n + 1))


@pytest.mark.parametrize("seed", range(12))
def test_one_pass_equals_one_overlap_per_shift(seed: int) -> None:
    rng = np.random.default_rng(seed)
    length = int(rng.integers(1, 40))
    gt, tr = _rows(rng, int(rng.integers(0, 120)), length), _rows(rng, int(rng.integers(0, 120)), length)
    gt = gt.take((gt.frame >= 1) & (gt.frame <= length))  # the ground truth the check samples is inside
    sample = Sample.of(gt, length, int(rng.integers(1, 12)))
    shifts = [s for s in range(-5, 6) if s != 0 or seed % 2]
    assert shifted_sums(gt, tr, sample, shifts) == [overlap(gt, tr, sample, s).iou_sum for s in shifts]
