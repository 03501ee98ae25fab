"""Pictures drawn ahead: while the browser shows frame k, one background thread draws k+1, k+2, ...
so the next step (a click, a key, a Play tick) finds its picture ready instead of decoding a
1920x1080 frame, drawing and encoding it in the step itself. OpenCV releases the GIL while it decodes,
resizes and encodes, so the drawing runs beside the script thread. Bounded: at most ``keep`` pictures
waiting and ``queue`` jobs pending (more requests are dropped, not queued), no Streamlit here."""
from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Hashable


class Ahead:
    def __init__(self, keep: int = 64, queue: int = 8) -> None:
        self._ready: OrderedDict[Hashable, bytes] = OrderedDict()
        self._pending: set[Hashable] = set()
        self._lock = threading.Lock()
        self._keep, self._queue = keep, queue
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracklens-ahead")

    def take(self, key: Hashable) -> bytes | None:
        """The picture drawn ahead for ``key`` (removed: the caller's cache keeps it now), or None."""
        with self._lock:
            return self._ready.pop(key, None)

    def draw(self, key: Hashable, make: Callable[[], bytes]) -> bool:
        """Draw ``make()`` in the background for ``key``; False when it is there already, pending, or the
        queue is full."""
        with self._lock:
            if key in self._ready or key in self._pending or len(self._pending) >= self._queue:
                return False
            self._pending.add(key)
        self._pool.submit(self._run, key, make)
        return True

    def _run(self, key: Hashable, make: Callable[[], bytes]) -> None:
        try:
            picture = make()
        except Exception:  # noqa: BLE001 - a frame that cannot be drawn ahead is drawn (and reported) when asked
            picture = None
        with self._lock:
            self._pending.discard(key)
            if picture is not None:
                self._ready[key] = picture
                while len(self._ready) > self._keep:
                    self._ready.popitem(last=False)
