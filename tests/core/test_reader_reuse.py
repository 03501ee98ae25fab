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


def test_ground_truth_reused_between_tracker_files(tmp_path, monkeypatch) -> None:
    """MOT17's order: each copy of the ground truth is read after another detector's tracker file; it is
    parsed once all the same, and a tracker file is never answered from the ground truth's read (nor
    kept: tracker files are not copies of each other)."""
    from tracklens.formats import motchallenge as mc

    rows = "1,1,10,20,30,40,1\n2,1,12,20,30,40,-1\n"  # 7 columns: the class defaults by side
    paths = {}
    for name in ("gt_a", "gt_b", "tr_a", "tr_b"):
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text(rows)
    parsed = []
    parse = mc._parse_table
    monkeypatch.setattr(mc, "_parse_table", lambda path, raw: parsed.append(path) or parse(path, raw))
    mc.forget_reads()
    gt_a = read_mot_file(str(paths["gt_a"]), 3, is_gt=True)
    tr_a = read_mot_file(str(paths["tr_a"]), 3, is_gt=False)
    gt_b = read_mot_file(str(paths["gt_b"]), 3, is_gt=True)
    tr_b = read_mot_file(str(paths["tr_b"]), 3, is_gt=False)
    assert parsed == [str(paths["gt_a"]), str(paths["tr_a"]), str(paths["tr_b"])]
    assert gt_a.cls.tolist() == gt_b.cls.tolist() == [-1, -1] and tr_a.cls.tolist() == tr_b.cls.tolist() == [1, 1]
    assert gt_b.source == str(paths["gt_b"]) and tr_b.source == str(paths["tr_b"])
    assert gt_b.box is not gt_a.box and np.array_equal(gt_b.box, gt_a.box)


def test_reused_notes_name_their_own_file(tmp_path) -> None:
    from tracklens.formats import motchallenge as mc

    rows = "1,1,10,20,-30,40,1\n2,1,12,20,30,40,1\n"  # a negative width: kept and flagged
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(rows)
    b.write_text(rows)
    mc.forget_reads()
    first = read_mot_file(str(a), 2, is_gt=True)
    second = read_mot_file(str(b), 2, is_gt=True)
    assert [(type(i), i.path, i.count) for i in first.ignored] == [(type(first.ignored[0]), str(a), 1)]
    assert [(type(i), i.path, i.count, i.reason) for i in second.ignored] == \
        [(type(i), str(b), i.count, i.reason) for i in first.ignored]
