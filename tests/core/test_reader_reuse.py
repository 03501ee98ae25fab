"""A file with the same bytes as the one read before (MOT17's ground truth, once per detector) is
parsed once: the second read gives the same rows, its own path in errors and notes, and arrays of
its own."""
from __future__ import annotations

import numpy as np
import pytest

from tracklens.errors import InputError
from tracklens.formats.motchallenge import read_mot_file

ROWS = "1,1,10,20,30,40,1,1,1\n1,2,50,20,30,40,1,1,0.5\n2,1,12,20,30,40,1,1,1\n\n"


def test_same_bytes_twice(tmp_path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(ROWS)
    b.write_text(ROWS)
    first = read_mot_file(str(a), 3, is_gt=True)
    second = read_mot_file(str(b), 3, is_gt=True)
    for name in ("frame", "id", "box", "conf", "cls", "vis", "line"):
        assert np.array_equal(getattr(first, name), getattr(second, name), equal_nan=True), name
    assert first.source == str(a) and second.source == str(b)
    assert [i.path for i in second.ignored] == [str(b)]  # the blank line, noted for this file
    second.box[0, 0] = -1.0
    second.vis[0] = -1.0
    third = read_mot_file(str(a), 3, is_gt=True)
    assert third.box[0, 0] == 10.0 and third.vis[0] == 1.0  # no array shared with an earlier result


def test_same_bytes_checked_against_each_length(tmp_path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(ROWS)
    b.write_text(ROWS)
    read_mot_file(str(a), 3, is_gt=True)
    with pytest.raises(InputError) as err:
        read_mot_file(str(b), 1, is_gt=True)  # frame 2 is outside this sequence
    assert err.value.path == str(b) and err.value.line == 3
