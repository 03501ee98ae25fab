"""The inspector's picture and caches: frames drawn at display size, per-frame draw lists, the error
strip's frame marker added to a figure built once (and never modified)."""
from __future__ import annotations


import cv2
import numpy as np
import pandas as pd
import pytest

from tracklens.dashboard import figures
from tracklens.dashboard.display import DISPLAY_WIDTH, frame_jpeg, index_frames, scaled
from tracklens.dashboard.overlay import annotate

from test_overlay import SCENE, scene_frame  # noqa: E402  (rootdir-relative, as pytest imports tests)


def decode(jpeg: bytes) -> np.ndarray:
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def test_a_full_hd_frame_is_drawn_at_display_width_with_the_boxes_where_they_belong():
    frame = scene_frame(1920, 1080)
    boxes = SCENE.assign(x=SCENE["x"] * 3, y=SCENE["y"] * 3, w=SCENE["w"] * 3, h=SCENE["h"] * 3)
    picture = decode(frame_jpeg(frame, boxes, alpha=0.5))
    assert picture.shape == (576, DISPLAY_WIDTH, 3)
    # the same drawing as annotate() on the frame scaled by hand, up to JPEG's loss
    small = cv2.resize(frame, (DISPLAY_WIDTH, 576), interpolation=cv2.INTER_AREA)
    s = DISPLAY_WIDTH / 1920
    expected = annotate(small, boxes.assign(x=boxes.x * s, y=boxes.y * s, w=boxes.w * s, h=boxes.h * s), alpha=0.5)
    assert np.abs(picture.astype(int) - expected.astype(int)).mean() < 3
    assert np.abs(picture.astype(int) - small.astype(int)).mean() > 1  # boxes were drawn


def test_a_small_frame_keeps_its_size_and_the_boxes_table_is_not_modified():
    frame = scene_frame(640, 360)
    before = SCENE.copy()
    same, boxes = scaled(frame, SCENE, DISPLAY_WIDTH)
    assert same is frame and boxes is SCENE
    _, halved = scaled(frame, SCENE, 320)
    assert np.allclose(halved["x"], SCENE["x"] / 2) and np.allclose(halved["h"], SCENE["h"] / 2)
    pd.testing.assert_frame_equal(SCENE, before)
    assert decode(frame_jpeg(frame, SCENE)).shape == (360, 640, 3)


def test_draw_list_gives_each_frame_its_own_rows():
    rows = pd.DataFrame({"frame": [3, 3, 5, 6, 6, 6], "id": [1, 2, 1, 1, 2, 3]})
    chunk = index_frames(rows, 3, 7)
    assert chunk.frame(3)["id"].tolist() == [1, 2]
    assert chunk.frame(4).empty and chunk.frame(7).empty
    assert chunk.frame(6)["id"].tolist() == [1, 2, 3]
    with pytest.raises(IndexError):
        chunk.frame(8)
    with pytest.raises(ValueError, match="sorted"):
        index_frames(rows.iloc[::-1], 3, 7)


def test_frame_marker_sits_at_the_frame_over_the_strips_plot_area():
    spec = {"layout": {"xaxis": {"range": [0.5, 100.5]}, "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
                       "height": 190}}
    html = figures.frame_marker_html(spec, 50, gap_px=24)
    assert "left:calc(60px + (100% - 80px) * 0.495000)" in html  # (50 - 0.5) / 100 of the plot's width
    assert "top:-174px" in html and "height:110px" in html  # from the plot's top to the x axis
    assert "pointer-events:none" in html  # clicks reach the bars under it
    assert "* 1.000000" in figures.frame_marker_html(spec, 10_000)  # clamped to the plot


def test_error_strip_spec_has_the_range_plotly_would_pick():
    from tracklens.dashboard.loading import View, error_strip_spec, load_workspace, parse_source

    source = parse_source([])  # the bundled sample: fewer frames than bins, one frame a bar
    ws = load_workspace(source)
    seq = ws.sequences[0]
    spec = error_strip_spec(View(source), ws.trackers[0], seq.name, 9, 400)
    assert spec["layout"]["xaxis"]["range"] == [0.5, seq.num_frames + 0.5]
    assert spec["layout"]["margin"]["autoexpand"] is False


def test_cached_draw_lists_match_the_frames_own_boxes():
    from tracklens.dashboard.loading import DRAW_CHUNK, View, frame_boxes, load_workspace, parse_source
    from tracklens.dashboard.views import overlay_boxes

    source = parse_source([])  # the bundled sample
    ws = load_workspace(source)
    seq = ws.sequences[0].name
    tracker = ws.trackers[0]
    analysis = ws.analysis(tracker, seq)
    for k in (1, 30, min(DRAW_CHUNK + 1, ws.sequence(seq).num_frames), ws.sequence(seq).num_frames):
        cached = frame_boxes(View(source), tracker, seq, 9, k)
        own = overlay_boxes(analysis.frame_boxes(k), 9, 0.5, analysis.frame_identity_events(k))
        pd.testing.assert_frame_equal(cached.reset_index(drop=True), own.reset_index(drop=True))
