"""Frames to draw on: from a video, an image folder, or a blank canvas when there is no footage.

Frames are numbered from 1, as in MOTChallenge files. A frame the footage does not have (the
video is shorter than the ground truth, a missing image) comes back as a dark canvas that says
"no video frame", so browsing never stops on an exception; ``note`` says why in words.
Returned arrays are RGB ``uint8`` and read-only (they may be shared through the cache): copy
before drawing on one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np

BLANK_GREY = 38
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
# Reading forward decodes every frame in between; beyond this gap a seek is cheaper.
MAX_FORWARD_READ = 30
MAX_PIXELS = 8192 * 8192  # a frame image or video larger than this is not decoded (192 MiB as RGB)
CACHE_BYTES = 512 * 1024**2  # decoded frames kept, all sources of the process together


class _SharedCache:
    """One LRU of decoded frames for every source in the process, bounded in bytes: a served app
    shows many sequences to many sessions, and a count limit alone lets large frames add up."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int]) -> np.ndarray | None:
        with self._lock:
            image = self._items.get(key)
            if image is not None:
                self._items.move_to_end(key)
            return image

    def put(self, key: tuple[int, int], image: np.ndarray) -> None:
        if image.nbytes > self.budget:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.used -= old.nbytes if old is not None else 0
            self._items[key] = image
            self.used += image.nbytes
            while self.used > self.budget:
                _, dropped = self._items.popitem(last=False)
                self.used -= dropped.nbytes

    def drop(self, owner: int) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == owner]:
                self.used -= self._items.pop(key).nbytes


FRAME_CACHE = _SharedCache(CACHE_BYTES)


def check_pixels(width: int, height: int, what: str) -> None:
    """``ValueError`` for footage whose frames would take more than ``MAX_PIXELS`` to decode."""
    if width * height > MAX_PIXELS:
        raise ValueError(f"{what} is {width}x{height} pixels, above the {MAX_PIXELS / 1e6:,.0f} megapixel limit "
                         "for a frame: it is not decoded")


def image_size(path: str | Path) -> tuple[int, int] | None:
    """(width, height) from an image file's header, without decoding it; None when unreadable."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.size
    except Image.DecompressionBombError:  # Pillow's own limit (~179 MP) is above ours: too large either way
        raise ValueError(f"image {path} is above the {MAX_PIXELS / 1e6:,.0f} megapixel limit for a frame: "
                         "it is not decoded") from None
    except (OSError, ValueError):
        return None


def blank_frame(size: tuple[int, int], message: str = "") -> np.ndarray:
    """A dark-grey RGB canvas of ``size`` (w, h), with ``message`` centred when given."""
    width, height = size
    check_pixels(width, height, "the canvas")
    canvas = np.full((height, width, 3), BLANK_GREY, np.uint8)
    if message:
        scale = max(0.5, min(width, height) / 600)
        thickness = max(1, round(scale * 1.5))
        (text_w, _), _ = cv2.getTextSize(message, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        scale *= min(1.0, 0.9 * width / text_w)  # shrink to fit narrow frames
        (text_w, text_h), _ = cv2.getTextSize(message, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        origin = ((width - text_w) // 2, (height + text_h) // 2)
        cv2.putText(canvas, message, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (150, 150, 150),
                    thickness, cv2.LINE_AA)
    canvas.flags.writeable = False
    return canvas


def _missing_frame(size: tuple[int, int], k: int) -> np.ndarray:
    return blank_frame(size, f"no video frame {k}")


def _shortfall_note(kind: str, available: int, expected: int | None) -> str:
    if expected is None or available >= expected:
        return ""
    return (f"The {kind} has {available} frames but the ground truth has {expected}: "
            f"frames {available + 1}-{expected} are shown on a blank canvas.")


class FrameSource:
    """Frame k (1-based) as an RGB array, with the available frame count, size and a user note.

    Subclasses implement ``_load(k)`` (return ``None`` when the footage has no frame k); this
    class adds the 1-based checks, the blank stand-in for missing frames and an LRU cache.
    """

    def __init__(self, size: tuple[int, int], num_frames: int, note: str = "",
                 cache_size: int = 16) -> None:
        self.size = size
        self.num_frames = num_frames
        self.note = note
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` (1-based); a "no video frame" canvas when the footage does not have it."""
        if k < 1:
            raise ValueError(f"frames are numbered from 1, got {k}")
        with self._lock:
            cached = FRAME_CACHE.get((id(self), k)) if self._cache_size else None
            if cached is not None:
                return cached
            image = self._load(k) if k <= self.num_frames else None
            if image is None:
                return _missing_frame(self.size, k)
            self._keep(k, image)
            return image

    def _keep(self, k: int, image: np.ndarray) -> None:
        image.flags.writeable = False
        if self._cache_size:
            FRAME_CACHE.put((id(self), k), image)

    def close(self) -> None:
        """Release the underlying file handle, if any."""

    def __del__(self) -> None:
        FRAME_CACHE.drop(id(self))

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _load(self, k: int) -> np.ndarray | None:
        raise NotImplementedError

    def _fit(self, image: np.ndarray) -> np.ndarray:
        """Resize to ``size`` when the footage's resolution differs from the annotations'."""
        if (image.shape[1], image.shape[0]) != self.size:
            image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
        return image


class BlankFrames(FrameSource):
    """No footage: every frame is the same dark canvas, so boxes can still be drawn."""

    def __init__(self, size: tuple[int, int], num_frames: int = 0) -> None:
        note = f"No video or image folder: boxes are drawn on a blank {size[0]}x{size[1]} canvas."
        super().__init__(size, num_frames, note, cache_size=0)
        self._canvas = blank_frame(size)

    def frame(self, k: int) -> np.ndarray:
        if k < 1:
            raise ValueError(f"frames are numbered from 1, got {k}")
        return self._canvas


class VideoFrames(FrameSource):
    """Frames decoded from a video file with one capture kept open.

    Sequential reads are fast and seeks are slow, so a request a little ahead of the decoder's
    position is served by decoding forward, anything else by seeking.
    """

    def __init__(self, path: str | Path, expected_frames: int | None = None,
                 size: tuple[int, int] | None = None, cache_size: int = 16) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"video not found: {self.path}")
        self._capture = cv2.VideoCapture(str(self.path))
        if self._capture.isOpened():
            try:
                check_pixels(int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                             int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)), f"video {self.path}")
            except ValueError:
                self._capture.release()
                raise
        ok, first = self._capture.read() if self._capture.isOpened() else (False, None)
        if not ok:
            self._capture.release()
            raise ValueError(f"cannot decode video {self.path}: not a readable video file")
        native = (first.shape[1], first.shape[0])
        available = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT))
        if available <= 0:  # some containers do not store a count
            available = self._count_frames()
        super().__init__(size or native, available, cache_size=cache_size)
        self._position = 1  # 0-based index of the frame the next read() returns
        self._expected = expected_frames
        self._native = native
        self._update_note()
        self._keep(1, self._fit(cv2.cvtColor(first, cv2.COLOR_BGR2RGB)))

    def close(self) -> None:
        self._capture.release()

    def _count_frames(self) -> int:
        count = 1
        while self._capture.grab():
            count += 1
        self._capture.set(cv2.CAP_PROP_POS_FRAMES, 1)
        return count

    def _update_note(self) -> None:
        notes = [_shortfall_note("video", self.num_frames, self._expected)]
        if self._native != self.size:
            notes.append(f"The video is {self._native[0]}x{self._native[1]}; frames are resized "
                         f"to the annotations' {self.size[0]}x{self.size[1]}.")
        self.note = " ".join(n for n in notes if n)

    def _load(self, k: int) -> np.ndarray | None:
        index = k - 1
        ahead = index - self._position
        if 0 <= ahead <= MAX_FORWARD_READ:
            for _ in range(ahead):
                self._capture.grab()
        else:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = self._capture.read()
        if not ok:
            # The header promised more frames than the stream holds: trust the stream.
            self.num_frames = index
            self._update_note()
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self._position = 0
            return None
        self._position = index + 1
        return self._fit(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


class ImageFolderFrames(FrameSource):
    """Frames from files named by frame number (``000001.jpg``, ``000002.png``, ...)."""

    def __init__(self, folder: str | Path, expected_frames: int | None = None,
                 size: tuple[int, int] | None = None, cache_size: int = 16) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise FileNotFoundError(f"image folder not found: {self.folder}")
        self._paths = {
            int(p.stem): p for p in self.folder.iterdir()
            if p.suffix.lower() in IMAGE_SUFFIXES and p.stem.isdigit()
        }
        if not self._paths:
            raise ValueError(f"no frame images (000001.jpg style) in {self.folder}")
        first_path = self._paths[min(self._paths)]
        first = self._decode(first_path)
        if first is None:
            raise ValueError(f"cannot read image {first_path}")
        native = (first.shape[1], first.shape[0])
        last = max(self._paths)
        gaps = last - len(self._paths)
        notes = [_shortfall_note("image folder", last, expected_frames)]
        if gaps:
            notes.append(f"{gaps} frame images between 1 and {last} are missing.")
        if native != (size or native):
            notes.append(f"The images are {native[0]}x{native[1]}; they are resized to the "
                         f"annotations' {size[0]}x{size[1]}.")
        super().__init__(size or native, last, " ".join(n for n in notes if n), cache_size)

    def _load(self, k: int) -> np.ndarray | None:
        path = self._paths.get(k)
        try:
            bgr = self._decode(path) if path is not None else None
        except ValueError:  # too many pixels: a missing frame, said on the canvas
            return None
        if bgr is None:
            return None
        return self._fit(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))

    @staticmethod
    def _decode(path: Path) -> np.ndarray | None:
        """The image, decoded only after its header says it fits ``MAX_PIXELS``."""
        size = image_size(path)
        if size is None:
            return None
        check_pixels(*size, f"image {path}")
        return cv2.imread(str(path))


def open_frames(video: str | Path | None = None, image_dir: str | Path | None = None,
                width: int | None = None, height: int | None = None,
                num_frames: int | None = None) -> FrameSource:
    """The frame source for one sequence: the video if given, else the image folder, else a canvas.

    ``width``/``height`` are the annotations' frame size (seqinfo.ini): footage of another size is
    resized to it, and the blank canvas needs it. ``num_frames`` is the ground truth's length,
    used to tell the user when the footage is shorter.
    """
    size = (int(width), int(height)) if width and height else None
    if video is not None:
        return VideoFrames(video, num_frames, size)
    if image_dir is not None:
        return ImageFolderFrames(image_dir, num_frames, size)
    if size is None:
        raise ValueError("without a video or image folder, width and height are needed "
                         "for the canvas")
    return BlankFrames(size, num_frames or 0)
