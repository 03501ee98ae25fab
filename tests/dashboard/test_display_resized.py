"""display.resized: a read-only frame's display-size copy is remembered (the blank canvas of a sequence
without footage is resized once), and what it returns is exactly OpenCV's resize of that frame; the
picture as a data: URL."""
from __future__ import annotations

import cv2
import numpy as np

from tracklens.dashboard import display
from tracklens.dashboard.frames import BlankFrames


def test_the_blank_canvas_is_resized_once_and_equals_a_fresh_resize():
    frames = BlankFrames((1920, 1080), num_frames=5)
    first = display.resized(frames.frame(1), (1024, 576))
    again = display.resized(frames.frame(2), (1024, 576))
    assert again is first and not first.flags.writeable
    assert np.array_equal(first, cv2.resize(frames.frame(1), (1024, 576), interpolation=cv2.INTER_AREA))


def test_a_writable_frame_or_another_array_is_resized_anew():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
    writable = display.resized(a, (1024, 576))
    assert np.array_equal(writable, cv2.resize(a, (1024, 576), interpolation=cv2.INTER_AREA))
    assert display.resized(a, (1024, 576)) is not writable
    a.flags.writeable = False
    b = np.ascontiguousarray(a[::-1])  # other pixels
    b.flags.writeable = False
    small_a, small_b = display.resized(a, (1024, 576)), display.resized(b, (1024, 576))
    assert np.array_equal(small_b, cv2.resize(b, (1024, 576), interpolation=cv2.INTER_AREA))
    assert not np.array_equal(small_a, small_b)


def test_at_most_a_few_frames_are_remembered():
    kept = []
    for k in range(display.RESIZED_KEEP + 3):
        frame = np.full((1080, 1920, 3), k, np.uint8)
        frame.flags.writeable = False
        kept.append(frame)
        assert display.resized(frame, (1024, 576))[0, 0, 0] == k
    assert len(display._resized) <= display.RESIZED_KEEP


def test_data_url_carries_the_jpeg_bytes():
    import base64

    jpeg = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))[1].tobytes()
    url = display.data_url(jpeg)
    assert url.startswith("data:image/jpeg;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == jpeg
