"""Frame sources: real footage (../shared/data) and small synthetic files written on the fly."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tracklens.dashboard.frames import BLANK_GREY, MAX_FORWARD_READ, open_frames

# Requests that exercise the cache, forward reads, backward seeks and long forward seeks.
ACCESS_ORDER = [1, 2, 5, 5, 3, 4 + MAX_FORWARD_READ + 2, 20, 60, 61, 71, 1, 35]


def decode_all(path: Path) -> list[np.ndarray]:
    """Every frame of a video read strictly in order (the reference), as RGB."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    return frames


def is_blank(image: np.ndarray) -> bool:
    """Mostly the blank grey (the "no video frame" text covers a small part)."""
    return float(np.mean(image == BLANK_GREY)) > 0.9


@pytest.fixture
def numbered_video(tmp_path: Path) -> Path:
    """A 60-frame MJPG video whose frame k is filled with grey level 4*k."""
    path = tmp_path / "numbered.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, (64, 48))
    for k in range(1, 61):
        writer.write(np.full((48, 64, 3), 4 * k, np.uint8))
    writer.release()
    return path


def test_synthetic_video_random_access_returns_the_right_frame(numbered_video: Path) -> None:
    frames = open_frames(video=numbered_video, num_frames=60)
    assert frames.num_frames == 60
    assert frames.size == (64, 48)
    assert frames.note == ""
    for k in [1, 2, 10, 9, 45, 46, 60, 3, 33, 34, 12]:
        assert abs(float(frames.frame(k).mean()) - 4 * k) < 2, k


def test_frame_past_the_end_is_a_labelled_blank_canvas(numbered_video: Path) -> None:
    frames = open_frames(video=numbered_video, num_frames=80)
    past = frames.frame(75)
    assert past.shape == (48, 64, 3) and past.dtype == np.uint8
    assert "60 frames" in frames.note and "80" in frames.note
    assert float(np.mean(past == BLANK_GREY)) > 0.5


def test_returned_frames_are_read_only(numbered_video: Path) -> None:
    image = open_frames(video=numbered_video).frame(3)
    with pytest.raises(ValueError):
        image[0, 0, 0] = 1


def test_frames_are_numbered_from_one(numbered_video: Path) -> None:
    with pytest.raises(ValueError, match="from 1"):
        open_frames(video=numbered_video).frame(0)


@pytest.mark.parametrize("content", [b"", b"not a video at all" * 100, bytes(range(256)) * 64])
def test_unreadable_video_raises_value_error_naming_the_file(tmp_path: Path,
                                                              content: bytes) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="broken.mp4"):
        open_frames(video=path)


def test_missing_video_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere.mp4"):
        open_frames(video=tmp_path / "nowhere.mp4")


def test_image_folder_with_a_gap(tmp_path: Path) -> None:
    for k in (1, 2, 4):
        cv2.imwrite(str(tmp_path / f"{k:06d}.png"), np.full((120, 160, 3), 50 * k, np.uint8))
    frames = open_frames(image_dir=tmp_path, num_frames=5)
    assert frames.num_frames == 4 and frames.size == (160, 120)
    assert "1 frame images" in frames.note and "5" in frames.note
    assert frames.frame(2).mean() == 100
    assert is_blank(frames.frame(3)) and is_blank(frames.frame(5))


def test_empty_image_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=str(tmp_path.name)):
        open_frames(image_dir=tmp_path)


def test_blank_canvas_when_there_is_no_footage() -> None:
    frames = open_frames(width=320, height=240, num_frames=10)
    assert frames.size == (320, 240) and frames.num_frames == 10
    assert "blank" in frames.note
    assert np.all(frames.frame(1) == BLANK_GREY) and np.all(frames.frame(500) == BLANK_GREY)


def test_no_source_and_no_size_is_an_error() -> None:
    with pytest.raises(ValueError, match="width and height"):
        open_frames()


@pytest.mark.shared
def test_tud_campus_mp4_matches_sequential_decoding(shared_data: Path) -> None:
    path = shared_data / "MOT15-TUD" / "TUD-Campus" / "TUD-Campus.mp4"
    reference = decode_all(path)
    frames = open_frames(video=path, width=640, height=480, num_frames=71)
    assert (frames.num_frames, frames.size, frames.note) == (71, (640, 480), "")
    for k in ACCESS_ORDER:
        image = frames.frame(k)
        assert image.shape == (480, 640, 3) and image.dtype == np.uint8
        assert np.array_equal(image, reference[k - 1]), k
    assert is_blank(frames.frame(72))


@pytest.mark.shared
def test_video_of_another_size_is_resized_to_the_annotations(shared_data: Path) -> None:
    path = shared_data / "MOT15-TUD" / "TUD-Campus" / "TUD-Campus.mp4"
    frames = open_frames(video=path, width=320, height=240)
    assert frames.frame(10).shape == (240, 320, 3)
    assert "640x480" in frames.note and "320x240" in frames.note


@pytest.mark.shared
def test_pets_image_folder_shorter_than_the_ground_truth(shared_data: Path) -> None:
    folder = shared_data / "PETS09-S2L1" / "img1"
    frames = open_frames(image_dir=folder, width=768, height=576, num_frames=795)
    assert frames.num_frames == 100 and frames.size == (768, 576)
    assert "100 frames" in frames.note and "795" in frames.note
    expected = cv2.cvtColor(cv2.imread(str(folder / "000100.jpg")), cv2.COLOR_BGR2RGB)
    assert np.array_equal(frames.frame(100), expected)
    assert is_blank(frames.frame(101)) and is_blank(frames.frame(795))


@pytest.mark.shared
def test_pets_avi_long_seek_matches_sequential_decoding(shared_data: Path) -> None:
    path = shared_data / "PETS09-S2L1" / "vtest.avi"
    frames = open_frames(video=path, num_frames=795)
    assert (frames.num_frames, frames.size, frames.note) == (795, (768, 576), "")
    capture = cv2.VideoCapture(str(path))
    for _ in range(399):
        capture.grab()
    ok, bgr = capture.read()
    capture.release()
    assert ok
    for k in (795, 400, 12, 400):
        image = frames.frame(k)
        assert image.shape == (576, 768, 3)
    assert np.array_equal(frames.frame(400), cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
