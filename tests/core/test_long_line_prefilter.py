"""The reader's long-line prefilter (``_may_have_long_line``) says True exactly when some run of bytes
without a newline is longer than ``MAX_LINE_BYTES``: it never lets an over-long line past the exact
check."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tracklens.formats import motchallenge as mc


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"x", b"\n", b"\r", b"xxxxx"]), max_size=60), st.integers(1, 12))
def test_true_exactly_when_a_run_is_too_long(parts, limit: int) -> None:
    raw = b"".join(parts)
    saved = mc.MAX_LINE_BYTES
    mc.MAX_LINE_BYTES = limit
    try:
        got = mc._may_have_long_line(raw)
    finally:
        mc.MAX_LINE_BYTES = saved
    assert got == any(len(run) > limit for run in raw.split(b"\n"))
    if not got:  # then the exact check would have found nothing either
        assert not re.search(rb"^[^\r\n]{%d}" % (limit + 1), raw, re.M)
