"""Pictures drawn ahead (dashboard/ahead.py): taken once, bounded in count and queue, and a drawing
that fails is simply not there (the frame is then drawn when asked for)."""
from __future__ import annotations

import threading
import time

from tracklens.dashboard.ahead import Ahead


def _taken(ahead: Ahead, key, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = ahead.take(key)
        if got is not None:
            return got
        time.sleep(0.01)
    return None


def test_a_picture_drawn_ahead_is_taken_once() -> None:
    ahead = Ahead()
    assert ahead.draw("k", lambda: b"jpeg")
    assert _taken(ahead, "k") == b"jpeg"
    assert ahead.take("k") is None


def test_the_queue_is_bounded_and_a_key_is_drawn_once() -> None:
    gate = threading.Event()
    ahead = Ahead(keep=64, queue=2)
    assert ahead.draw(1, lambda: gate.wait() and b"one")
    assert not ahead.draw(1, lambda: b"again"), "pending already"
    assert ahead.draw(2, lambda: b"two")
    assert not ahead.draw(3, lambda: b"three"), "queue full: dropped"
    gate.set()
    assert _taken(ahead, 1) == b"one" and _taken(ahead, 2) == b"two"
    assert ahead.take(3) is None


def test_only_the_newest_pictures_are_kept_and_failures_are_dropped() -> None:
    ahead = Ahead(keep=2, queue=8)
    for k in range(3):
        ahead.draw(k, lambda k=k: bytes([k]))
    assert _taken(ahead, 2) == b"\x02"
    assert ahead.take(0) is None and ahead.take(1) == b"\x01"

    def broken() -> bytes:
        raise OSError("unreadable frame")
    ahead.draw("bad", broken)
    ahead.draw("after", lambda: b"ok")
    assert _taken(ahead, "after") == b"ok" and ahead.take("bad") is None


def test_a_frame_drawn_ahead_is_the_frame_drawn_when_asked() -> None:
    """The inspector's next frame comes from the background drawing, byte for byte what drawing it
    then would give."""
    from tracklens.dashboard import loading
    from tracklens.dashboard.display import frame_jpeg
    from tracklens.dashboard.views import ALPHA_CHOICES

    source = loading.parse_source([])  # the bundled sample
    view = loading.View(source)
    ws = loading.load_workspace(source)
    seq, tracker = ws.sequences[0].name, ws.trackers[0]
    loading.frame_picture(view, tracker, seq, 9, 10, "both", None)
    ahead = _taken(loading._AHEAD, (view, tracker, seq, 9, "both", None, 11))
    meta = ws.sequence(seq)
    frames = loading.frame_source(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames)
    direct = frame_jpeg(frames.frame(11), loading.frame_boxes(view, tracker, seq, 9, 11), alpha=ALPHA_CHOICES[9])
    assert ahead == direct
