"""The hostile-input corpus (tests/hostile/corpus.py) through the CLI and through the readers.

Every rejected input must give exactly one line ``tracklens: error: PATH[:LINE]: REASON Fix: FIX``
on stderr, exit code 2 and no traceback; the readers must raise ``InputError`` with the same path,
line and fix. Accepted inputs must evaluate, with their note where they have one. Footage that is
short or broken is handled by the frame sources (dashboard.frames) without stopping anything.
"""
from __future__ import annotations

import builtins
import errno
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from tracklens.dashboard import cli
from tracklens.errors import InputError, printable
from tracklens.formats import motchallenge
from tracklens.formats.motchallenge import read_mot_file, read_seqinfo, read_seqmap
from tracklens.layout import resolve
from tracklens.similarity import box_iou
from tracklens.dashboard.frames import BlankFrames, VideoFrames, open_frames
from hostile.corpus import GOOD, SEQ_LENGTH, Case, Setup, cases, make_dataset, write

REJECTED = cases(accepted=False)
ACCEPTED = cases(accepted=True)


def test_the_corpus_is_large_enough() -> None:
    assert len(REJECTED) >= 40
    assert len({c.id for c in cases()}) == len(cases()), "case ids are unique"


def _build(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    setup = case.build(make_dataset(tmp_path))
    if case.deny_read:
        # chmod 000 does not stop root: make open() of that one file fail as it would for a user.
        real_open = builtins.open

        def denying_open(file, *args, **kwargs):
            if os.fspath(file) == setup.path:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), setup.path)
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(motchallenge, "open", denying_open, raising=False)
    return setup


def _direct(case: Case, setup: Setup):
    """The reader (or layout resolution) the case is about, called directly."""
    if case.kind == "mot":
        return read_mot_file(setup.path, SEQ_LENGTH, is_gt=case.is_gt)
    if case.kind == "seqinfo":
        return read_seqinfo(setup.path)
    if case.kind == "seqmap":
        return read_seqmap(setup.path)
    return resolve(setup.gt_folder, setup.trackers_folder, setup.benchmark, "train", setup.seqmap)


def _check_error(err: InputError, case: Case, setup: Setup) -> None:
    assert err.path == setup.path
    assert err.line == case.line, (err.line, str(err))
    assert case.reason in err.reason, err.reason
    assert err.fix and case.fix in err.fix, err.fix
    assert "\n" not in str(err) and "\r" not in str(err)


@pytest.mark.parametrize("case", REJECTED, ids=lambda c: c.id)
def test_cli_gives_one_clear_line(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    setup = _build(case, tmp_path, monkeypatch)
    rc = cli.main(setup.cli_args())
    out, err = capsys.readouterr()
    assert rc == 2, err
    where = f"{setup.path}:{case.line}: " if case.line is not None else f"{setup.path}: "
    assert err.startswith(f"tracklens: error: {printable(where)}"), err  # control characters shown as '?'
    assert err[:-1].isprintable(), "nothing raw (newline, ANSI escape) reaches the terminal"
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert case.reason in err and " Fix: " in err and case.fix in err.split(" Fix: ", 1)[1], err
    assert "Traceback" not in err and not out


@pytest.mark.parametrize("case", REJECTED, ids=lambda c: c.id)
def test_reader_raises_input_error(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = _build(case, tmp_path, monkeypatch)
    with pytest.raises(InputError) as info:
        _direct(case, setup)
    _check_error(info.value, case, setup)


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.id)
def test_accepted_inputs_evaluate(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    setup = _build(case, tmp_path, monkeypatch)
    result = _direct(case, setup)
    if case.note:
        assert any(case.note in str(i) for i in result.ignored), result.ignored
    rc = cli.main(setup.cli_args())
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "error" not in err
    if case.note:
        assert f"tracklens: note: {setup.path}: {case.note}" in err


# ------------------------------------------------------------------------------ limits and details


def test_size_limit_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1 GiB (sparse) file against a 512 MiB limit: refused from its size, no byte is read."""
    path = tmp_path / "big.txt"
    with open(path, "wb") as fp:
        fp.truncate(1024**3)
    monkeypatch.setattr(motchallenge, "open", lambda *a, **k: pytest.fail("the file was opened"), raising=False)
    with pytest.raises(InputError) as info:
        read_mot_file(str(path), 10, is_gt=False, max_bytes=512 * 1024**2)
    assert "1,024 MiB, above the 512 MiB limit" in info.value.reason and "max_bytes" in info.value.fix


def test_size_limit_boundary(tmp_path: Path) -> None:
    path = write(tmp_path / "t.txt", GOOD)
    assert len(read_mot_file(str(path), 10, is_gt=False, max_bytes=len(GOOD))) == 1
    with pytest.raises(InputError, match="limit"):
        read_mot_file(str(path), 10, is_gt=False, max_bytes=len(GOOD) - 1)


def test_parallel_workers_report_the_same_line(tmp_path: Path, capsys) -> None:
    """The error crosses the process pool intact (path, line and fix)."""
    ds = make_dataset(tmp_path)
    write(ds.tracker_file("B"), GOOD + "2,1,10,10,20\n")
    rc = cli.main(["eval", "--gt-folder", str(ds.gt), "--trackers-folder", str(ds.trackers), "--benchmark", "MOT15",
                   "--quiet", "--workers", "2"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith(f"tracklens: error: {ds.tracker_file('B')}:2: ") and err.count("\n") == 1


def test_negative_sizes_overlap_nothing() -> None:
    """Negative width/height is kept (TrackEval parity) and its IoU with anything is 0."""
    box = np.array([[10.0, 10.0, 20.0, 40.0]])
    for bad in ([30.0, 50.0, -20.0, -40.0], [10.0, 10.0, -20.0, 40.0], [10.0, 10.0, 20.0, -40.0]):
        assert box_iou(box, np.array([bad]))[0] == 0.0
        assert box_iou(np.array([bad]), box)[0] == 0.0


def test_blank_lines_beyond_the_first_64_kib(tmp_path: Path) -> None:
    """The separator sniffing looks at the first 64 KiB; a file whose data starts later still reads."""
    path = write(tmp_path / "t.txt", "\n" * 70_000 + GOOD)
    d = read_mot_file(str(path), 10, is_gt=False)
    assert len(d) == 1 and d.line.tolist() == [70_001]


# ----------------------------------------------------------------------------------- footage


def _video(path: Path, frames: int, size=(64, 48)) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    assert writer.isOpened()
    for k in range(frames):
        writer.write(np.full((size[1], size[0], 3), 20 * k, np.uint8))
    writer.release()
    return path


def test_video_shorter_than_the_ground_truth(tmp_path: Path) -> None:
    with open_frames(video=_video(tmp_path / "A.avi", 3), width=64, height=48, num_frames=10) as src:
        assert src.num_frames == 3
        assert "has 3 frames but the ground truth has 10" in src.note
        beyond = src.frame(8)  # a frame the video does not have: a labelled blank canvas
        assert beyond.shape == (48, 64, 3) and not beyond.flags.writeable
        assert src.frame(500).shape == (48, 64, 3)  # frames beyond the video and the sequence
        assert src.frame(2).shape == (48, 64, 3)


@pytest.mark.parametrize("data", [b"", b"not a video at all\n" * 50, bytes(range(256)) * 64,
                                  b"\x00\x00\x00\x18ftypmp42" + bytes(2000)],
                         ids=["empty", "text", "random", "truncated-mp4-header"])
def test_corrupt_video_raises_value_error_naming_the_file(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path / "A.mp4", data)
    with pytest.raises(ValueError) as info:
        VideoFrames(path, expected_frames=10)
    assert str(path) in str(info.value)


def test_corrupt_video_in_the_dashboard_falls_back_to_a_blank_canvas(tmp_path: Path) -> None:
    from tracklens.dashboard.loading import frame_source

    path = write(tmp_path / "A.mp4", b"garbage" * 100)
    src = frame_source(str(path), None, 64, 48, 10)
    assert isinstance(src, BlankFrames)
    assert "Cannot show the footage" in src.note and str(path) in src.note
    assert src.frame(3).shape == (48, 64, 3)
