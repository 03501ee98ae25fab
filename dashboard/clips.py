"""Short annotated clips of a failure: the frames of one sequence x tracker with every box drawn by
its state at one alpha (the frame inspector's overlay), the chosen ground-truth track highlighted,
and a caption band burned in under each frame (sequence, tracker, frame, alpha, track, events).

MP4 (and .mov/.m4v) are written with OpenCV's ``VideoWriter`` and the ``mp4v`` codec, .avi with
MJPG; both always work with opencv-python-headless. GIF is written with Pillow (a declared
dependency, which Streamlit needs too). ``mp4v`` plays in VLC, QuickTime, PowerPoint and most players, but
not inside web browsers (they want H.264, which the OpenCV wheels do not ship); use GIF there.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from tracklens.atomic import atomic_path, check_output_file, make_parent

from .frames import FrameSource, open_frames
from .overlay import CV_ALPHA, annotate
from .palette import EVENT_COLOR
from .views import alpha_index, overlay_boxes, overlay_masks

VIDEO_CODECS = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG"}
CLIP_SUFFIXES = (*VIDEO_CODECS, ".gif")
CAPTION_BG = (24, 24, 28)
CAPTION_FG = (235, 235, 235)
CAPTION_ACCENT = EVENT_COLOR  # the overlay's identity-event colour
DEFAULT_FPS = 25.0
FONT = cv2.FONT_HERSHEY_SIMPLEX


def parse_frames(text: str, num_frames: int) -> range:
    """``"A:B"`` (both inclusive, 1-based as in MOTChallenge files), ``"A:"``, ``":B"`` or ``"A"``
    as a range of frames, checked against the sequence length."""
    text = str(text).strip()
    try:
        if ":" in text:
            a, b = text.split(":", 1)
            start = int(a) if a.strip() else 1
            stop = int(b) if b.strip() else num_frames
        else:
            start = stop = int(text)
    except ValueError:
        raise ValueError(f"frames {text!r}: expected A:B (inclusive frame numbers, e.g. 30:90)") from None
    return check_frames(range(start, stop + 1), num_frames)


def check_frames(frames: range, num_frames: int) -> range:
    if len(frames) == 0:
        raise ValueError(f"no frames in {frames.start}:{frames.stop - 1}: the first frame must not be after the last")
    if frames.step != 1:
        frames = range(frames.start, frames.stop)
    if frames.start < 1 or frames.stop - 1 > num_frames:
        raise ValueError(f"frames {frames.start}:{frames.stop - 1} are outside the sequence (frames 1:{num_frames})")
    return frames


def track_window(ws, tracker: str, sequence: str, track: int, around: int | None = None,
                 half: int = 25) -> range:
    """Frames to show for a ground-truth track: ``half`` frames either side of ``around`` (default:
    the track's first identity event, else its first frame), kept inside the track's span."""
    an = ws.analysis(tracker, sequence)
    rows = an.gt_tracks[an.gt_tracks["gt_id"] == track]
    if rows.empty:
        raise ValueError(f"ground-truth track {track} is not in {sequence} (evaluated ids: "
                         f"{', '.join(map(str, an.gt_tracks['gt_id'].head(20)))}...)")
    first, last = int(rows["first_frame"].iloc[0]), int(rows["last_frame"].iloc[0])
    if around is None:
        ev = an.identity_events
        mine = ev[ev["gt_id"] == track]
        around = int(mine["frame"].min()) if len(mine) else first
    start = max(first, around - half)
    stop = min(last, max(around + half, start + 2 * half))
    return range(start, stop + 1)


def _layout(width: int, height: int, max_width: int | None) -> tuple[int, int, int]:
    """Clip width, frame height and caption band height: the width even, frame + band even."""
    scale = min(1.0, max_width / width) if max_width else 1.0
    w, h = max(2, round(width * scale)), max(2, round(height * scale))
    w += w % 2
    band = max(26, round(min(w, h) * 0.055))
    return w, h, band + (h + band) % 2


def clip_size(width: int, height: int, max_width: int | None = None) -> tuple[int, int]:
    """(width, height) of the clip's frames for a sequence of ``width`` x ``height``: the frame
    (scaled down to ``max_width``) plus the caption band under it, both even (codecs want that)."""
    w, h, band = _layout(width, height, max_width)
    return w, h + band


def _caption(sequence: str, tracker: str, k: int, n: int, alpha: float, track: int | None,
             events: list[str]) -> tuple[str, str]:
    left = f"{sequence} | {tracker} | frame {k}/{n} | {CV_ALPHA}={alpha:.2f}"
    right = "" if track is None else f"gt track {track}"
    if events:
        right += ("  " if right else "") + " ".join(events)
    return left, right


def _burn_caption(image: np.ndarray, max_width: int | None, left: str, right: str,
                  alert: bool) -> np.ndarray:
    """The frame resized to the clip size, with the caption band under it."""
    width, h, band = _layout(image.shape[1], image.shape[0], max_width)
    total = h + band
    frame = image if image.shape[:2] == (h, width) else cv2.resize(image, (width, h), interpolation=cv2.INTER_AREA)
    out = np.empty((total, width, 3), np.uint8)
    out[:h] = frame
    out[h:] = CAPTION_BG
    scale = max(0.4, band / 42)
    thickness = 1 if band < 40 else 2
    needed = sum(cv2.getTextSize(t, FONT, scale, thickness)[0][0] for t in (left, right) if t) + 40
    scale *= max(0.55, min(1.0, width / needed))  # shrink long captions to fit the width
    (_, text_h), _ = cv2.getTextSize("Ag", FONT, scale, thickness)
    y = h + (band + text_h) // 2
    cv2.putText(out, left, (8, y), FONT, scale, CAPTION_FG, thickness, cv2.LINE_AA)
    if right:
        (rw, _), _ = cv2.getTextSize(right, FONT, scale, thickness)
        x = max(8, width - rw - 10)
        if alert:
            cv2.rectangle(out, (x - 6, h + 3), (width - 4, total - 4), CAPTION_ACCENT, -1)
        cv2.putText(out, right, (x, y), FONT, scale, (255, 255, 255), thickness, cv2.LINE_AA)
    return out


def _open(ws, sequence: str) -> FrameSource:
    meta = ws.sequence(sequence)
    return open_frames(video=meta.video, image_dir=meta.image_dir, width=meta.width or 1280,
                       height=meta.height or 720, num_frames=meta.num_frames)


def clip_frame(ws, tracker: str, sequence: str, k: int, *, track: int | None = None, alpha: float = 0.5,
               show: str = "both", max_width: int | None = None, source: FrameSource | None = None) -> np.ndarray:
    """Frame ``k`` as it appears in a clip: annotated (``track`` highlighted when it is in the
    frame) with the caption band burned in. RGB ``uint8``."""
    own = source is None
    source = _open(ws, sequence) if own else source
    try:
        return _clip_frame(ws, tracker, sequence, k, track, alpha, show, max_width, source)
    finally:
        if own:
            source.close()


def _clip_frame(ws, tracker, sequence, k, track, alpha, show, max_width, source) -> np.ndarray:
    meta = ws.sequence(sequence)
    an = ws.analysis(tracker, sequence)
    boxes = overlay_boxes(an.frame_boxes(k), alpha_index(alpha))
    present = track is not None and bool(((boxes["side"] == "gt") & (boxes["id"] == track)).any())
    image = annotate(source.frame(k), boxes, show=show, highlight=("gt", int(track)) if present else None,
                     alpha=alpha, masks=overlay_masks(boxes))
    events: list[str] = []
    if track is not None:
        ev = an.frame_identity_events(k)
        mine = ev[ev["gt_id"] == track]
        described: dict[str, list[str]] = {}  # SWITCH and ASCEND of one change share a line
        for _, e in mine.iterrows():
            was = int(e["prev_tr_id"]) if e["type"] in ("SWITCH", "ASCEND") else -1
            change = f"id {was}->{int(e['tr_id'])}" if was >= 0 else f"id {int(e['tr_id'])}"
            described.setdefault(change, []).append(str(e["type"]))
        events += [f"{'/'.join(types)} {change}" for change, types in described.items()]
        if not present:
            events.append("(not in frame)")
    left, right = _caption(sequence, tracker, k, meta.num_frames, alpha, track, events)
    alert = any(not e.startswith("(") for e in events)
    return _burn_caption(image, max_width, left, right, alert)


def write_clip(ws, tracker: str, sequence: str, frames: range, path: str | os.PathLike,
               track: int | None = None, alpha: float = 0.5, fps: float | None = None, *,
               show: str = "both", max_width: int | None = None) -> Path:
    """Write frames ``frames`` (1-based, e.g. ``range(30, 61)``) of one sequence x tracker as an
    annotated clip: MP4/MOV/M4V (mp4v) or AVI (MJPG) with OpenCV, or GIF (Pillow).
    ``fps`` defaults to the sequence's frame rate. Returns the path written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CLIP_SUFFIXES:
        raise ValueError(f"cannot write a clip as {path.name!r}: use one of {', '.join(CLIP_SUFFIXES)}")
    if tracker not in ws.trackers:
        raise ValueError(f"unknown tracker {tracker!r}; this run has {', '.join(ws.trackers)}")
    if sequence not in [s.name for s in ws.sequences]:
        raise ValueError(f"unknown sequence {sequence!r}; this run has {', '.join(s.name for s in ws.sequences)}")
    meta = ws.sequence(sequence)
    frames = check_frames(frames, meta.num_frames)
    fps = float(fps or meta.fps or DEFAULT_FPS)
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    make_parent(str(path), "the clip")
    check_output_file(str(path), "the clip")  # a read-only folder is said as such, not as a codec failure
    with _open(ws, sequence) as source, atomic_path(str(path), suffix) as tmp:
        images = (_clip_frame(ws, tracker, sequence, k, track, alpha, show, max_width, source) for k in frames)
        if suffix == ".gif":
            _write_gif(images, Path(tmp), fps)
        else:
            _write_video(images, Path(tmp), fps, VIDEO_CODECS[suffix])
    return path


def _write_video(images, path: Path, fps: float, codec: str) -> None:
    writer = None
    try:
        for rgb in images:
            if writer is None:
                size = (rgb.shape[1], rgb.shape[0])
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, size)
                if not writer.isOpened():
                    raise RuntimeError(f"OpenCV cannot open a {codec} video writer for {path} "
                                       f"(cv2 {cv2.__version__}); write a .gif instead")
            writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    finally:
        if writer is not None:
            writer.release()
    if not path.is_file() or path.stat().st_size == 0:
        path.unlink(missing_ok=True)
        raise RuntimeError(f"OpenCV wrote no video to {path} (codec {codec})")


def _write_gif(images, path: Path, fps: float) -> None:
    duration = max(20, round(1000 / fps))  # ms per frame; browsers clamp below 20 ms
    from PIL import Image

    # Fast octree palette per frame, no dithering: ~10 ms a frame (Pillow's default
    # median cut takes ~0.5 s) and boxes and text keep clean edges.
    frames = [Image.fromarray(rgb).quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
              for rgb in images]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=duration, loop=0)


def clip_bytes(ws, tracker: str, sequence: str, frames: range, fmt: str = "mp4", **kwargs) -> bytes:
    """The clip file's bytes (for a download button): ``write_clip`` to a temporary file."""
    fd, name = tempfile.mkstemp(suffix=f".{fmt.lstrip('.')}")
    os.close(fd)
    try:
        write_clip(ws, tracker, sequence, frames, name, **kwargs)
        return Path(name).read_bytes()
    finally:
        Path(name).unlink(missing_ok=True)


def read_clip(path: str | os.PathLike) -> list[np.ndarray]:
    """The frames of a written clip as RGB arrays (MP4/AVI via OpenCV, GIF via Pillow)."""
    path = Path(path)
    if path.suffix.lower() == ".gif":
        from PIL import Image, ImageSequence
        with Image.open(path) as im:
            return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]
    cap = cv2.VideoCapture(str(path))
    out = []
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
    return out


__all__ = ["clip_bytes", "clip_frame", "clip_size", "parse_frames", "read_clip", "track_window", "write_clip",
           "CLIP_SUFFIXES"]
