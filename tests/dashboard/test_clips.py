"""Annotated failure clips (dashboard/clips.py, ``tracklens clip``): written as MP4 and GIF with the
right number of frames and size, each frame the inspector's annotated frame (track highlighted)
with the caption band under it."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tracklens.dashboard.cli import main
from tracklens.workspace import Workspace
from tracklens.dashboard.clips import (clip_bytes, clip_frame, clip_size, parse_frames, read_clip, track_window,
                             write_clip)
from tracklens.dashboard.frames import open_frames
from tracklens.dashboard.overlay import annotate
from tracklens.dashboard.palette import EVENT_COLOR
from tracklens.dashboard.views import alpha_index, overlay_boxes

TRACKER, SEQ = "motmetrics_test", "TUD-Campus"
APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def ws(sample_dir):
    return Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                  video_folder=str(sample_dir / "videos"))


@pytest.fixture(scope="module")
def switch(ws):
    """(gt id, frame) of the first identity switch of the tracker on the sequence."""
    ev = ws.analysis(TRACKER, SEQ).events
    first = ev[ev["type"] == "SWITCH"].sort_values("frame").iloc[0]
    return int(first["gt_id"]), int(first["frame"])


def annotated(ws, k, track, alpha=0.5):
    """What the frame inspector shows for frame k with the track selected."""
    meta = ws.sequence(SEQ)
    boxes = overlay_boxes(ws.analysis(TRACKER, SEQ).frame_boxes(k), alpha_index(alpha))
    with open_frames(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames) as source:
        return annotate(source.frame(k), boxes, highlight=("gt", track), alpha=alpha)


def test_clip_frame_is_the_annotated_frame_plus_caption(ws, switch):
    track, k = switch
    frame = clip_frame(ws, TRACKER, SEQ, k, track=track)
    meta = ws.sequence(SEQ)
    assert (frame.shape[1], frame.shape[0]) == clip_size(meta.width, meta.height)
    np.testing.assert_array_equal(frame[:meta.height], annotated(ws, k, track))
    band = frame[meta.height:]
    assert band.shape[0] >= 26 and np.median(band) < 40  # a dark caption band with light text
    # The switch frame flags the event in magenta; a frame without one does not.
    assert (band.reshape(-1, 3) == EVENT_COLOR).all(axis=1).sum() > 100
    quiet = clip_frame(ws, TRACKER, SEQ, k - 3, track=track)[meta.height:]
    assert (quiet.reshape(-1, 3) == EVENT_COLOR).all(axis=1).sum() == 0


@pytest.mark.parametrize("suffix,tolerance", [(".mp4", 6.0), (".gif", 6.0), (".avi", 6.0)])
def test_write_clip(ws, switch, tmp_path, suffix, tolerance):
    track, k = switch
    frames = range(k - 4, k + 8)
    path = write_clip(ws, TRACKER, SEQ, frames, tmp_path / f"clip{suffix}", track=track, alpha=0.5)
    assert path.is_file() and path.stat().st_size > 1000
    decoded = read_clip(path)
    meta = ws.sequence(SEQ)
    width, height = clip_size(meta.width, meta.height)
    assert len(decoded) == len(frames)
    assert all(f.shape == (height, width, 3) for f in decoded)
    if suffix != ".gif":
        cap = cv2.VideoCapture(str(path))
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(frames)
        assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(meta.fps)
        cap.release()
    for i in (0, frames.index(k)):
        expected = clip_frame(ws, TRACKER, SEQ, frames[i], track=track, alpha=0.5)
        diff = np.abs(decoded[i].astype(int) - expected.astype(int)).mean()
        assert diff < tolerance, (i, diff)
    # ... and not any other frame of the clip (the order is right).
    other = clip_frame(ws, TRACKER, SEQ, frames[-1], track=track)
    assert np.abs(decoded[0].astype(int) - other.astype(int)).mean() > \
        np.abs(decoded[0].astype(int) - clip_frame(ws, TRACKER, SEQ, frames[0], track=track).astype(int)).mean()


def test_max_width_and_fps(ws, tmp_path):
    path = write_clip(ws, TRACKER, SEQ, range(1, 6), tmp_path / "small.mp4", fps=5, max_width=321)
    decoded = read_clip(path)
    assert len(decoded) == 5
    w, h = clip_size(640, 480, 321)
    assert decoded[0].shape == (h, w, 3) and w % 2 == 0 and h % 2 == 0 and w == 322
    cap = cv2.VideoCapture(str(path))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(5)
    cap.release()


def test_clip_bytes(ws):
    data = clip_bytes(ws, TRACKER, SEQ, range(10, 13), "gif", track=1)
    assert data[:6] in (b"GIF89a", b"GIF87a")


def test_parse_frames():
    assert parse_frames("30:40", 71) == range(30, 41)
    assert parse_frames("30:", 71) == range(30, 72)
    assert parse_frames(":5", 71) == range(1, 6)
    assert parse_frames(" 7 ", 71) == range(7, 8)
    for bad, message in (("40:30", "first frame"), ("0:5", "outside"), ("60:99", "outside"), ("a:b", "A:B")):
        with pytest.raises(ValueError, match=message):
            parse_frames(bad, 71)


def test_track_window(ws, switch):
    track, k = switch
    window = track_window(ws, TRACKER, SEQ, track)
    assert k in window and len(window) > 10
    facts = ws.analysis(TRACKER, SEQ).gt_tracks.set_index("gt_id").loc[track]
    assert window.start >= facts["first_frame"] and window.stop - 1 <= facts["last_frame"]
    with pytest.raises(ValueError, match="not in"):
        track_window(ws, TRACKER, SEQ, 9999)


def test_bad_requests(ws, tmp_path):
    with pytest.raises(ValueError, match=".mp4"):
        write_clip(ws, TRACKER, SEQ, range(1, 3), tmp_path / "x.webm")
    with pytest.raises(ValueError, match="unknown tracker"):
        write_clip(ws, "nope", SEQ, range(1, 3), tmp_path / "x.mp4")
    with pytest.raises(ValueError, match="outside"):
        write_clip(ws, TRACKER, SEQ, range(60, 80), tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, sample_dir):
    out = tmp_path_factory.mktemp("run") / "run"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--video-folder", str(sample_dir / "videos"), "--save", str(out),
                 "--quiet"]) == 0
    return out


def test_cli_clip(run_dir, switch, tmp_path, capsys):
    track, k = switch
    out = tmp_path / "cli.mp4"
    assert main(["clip", str(run_dir), "--tracker", TRACKER, "--sequence", SEQ, "--frames", f"{k - 2}:{k + 2}",
                 "--track", str(track), "-o", str(out)]) == 0
    assert "5 frames" in capsys.readouterr().err
    assert len(read_clip(out)) == 5
    # Without --frames, a window around the track's first switch.
    out = tmp_path / "window.gif"
    assert main(["clip", str(run_dir), "--tracker", TRACKER, "--sequence", SEQ, "--track", str(track),
                 "-o", str(out)]) == 0
    assert len(read_clip(out)) == len(track_window(Workspace.load(str(run_dir)), TRACKER, SEQ, track))


def test_cli_clip_errors(run_dir, tmp_path, capsys):
    base = ["clip", str(run_dir), "-o", str(tmp_path / "x.mp4")]
    assert main(base + ["--sequence", SEQ, "--frames", "1:5"]) == 2
    assert "--tracker is needed" in capsys.readouterr().err
    assert main(base + ["--tracker", TRACKER, "--sequence", SEQ, "--frames", "50:10"]) == 2
    assert "first frame" in capsys.readouterr().err
    assert main(base + ["--tracker", TRACKER, "--sequence", SEQ]) == 2
    assert "--frames" in capsys.readouterr().err


def test_inspector_offers_the_clip():
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"seq": SEQ, "tracker": TRACKER, "frame": "33", "track": "3"}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/inspector.py").run()
    assert not at.exception, [e.message for e in at.exception]
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download MP4"]
    assert buttons[0].proto.deferred_file_id  # written only when clicked


def test_caption_spells_alpha_because_the_frame_font_has_no_greek():
    """OpenCV's Hershey fonts draw "α" as "?": the burned-in caption must stay ASCII."""
    from tracklens.dashboard.clips import _caption

    left, right = _caption(SEQ, TRACKER, 7, 71, 0.5, 3, ["SWITCH"])
    assert "alpha=0.50" in left
    assert (left + right).isascii()
