"""Crops, labels, trails and filmstrips (dashboard/crop.py, dashboard/filmstrip.py) on the sample's real
frames: TUD-Stadtmitte frame 53, where CLEAR switches gt 4 from id 3 to id 1."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from tracklens.dashboard.crop import (MAX_UPSCALE, MIN_SIDE, Region, box_label, crop_picture, involved,
                                      place_labels, region_around, trail_points)
from tracklens.dashboard.filmstrip import GAP, filmstrip
from tracklens.dashboard.frames import open_frames
from tracklens.dashboard.palette import EVENT_COLOR, FN_COLOR, FP_COLOR, id_color
from tracklens.dashboard.views import alpha_index, overlay_boxes
from tracklens.workspace import Workspace

TRACKER, SEQ, K = "motmetrics_test", "TUD-Stadtmitte", 53


@pytest.fixture(scope="module")
def ws(sample_dir):
    return Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                  video_folder=str(sample_dir / "videos"))


@pytest.fixture(scope="module")
def frames(ws):
    meta = ws.sequence(SEQ)
    with open_frames(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames) as source:
        yield source


def rows(ws, k):
    an = ws.analysis(TRACKER, SEQ)
    return overlay_boxes(an.frame_boxes(k), alpha_index(0.5), 0.5, an.frame_identity_events(k))


def test_the_switch_involves_both_ids_and_the_previous_one(ws):
    events = ws.analysis(TRACKER, SEQ).frame_identity_events(K)
    keys = involved(rows(ws, K), None, events)
    assert {("gt", 4), ("tr", 1), ("tr", 3)} <= keys
    # a selected track: the track and every tracker id a matching pairs it with on this frame
    assert involved(rows(ws, K), 4, events) == {("gt", 4), ("tr", 1), ("tr", 3)}
    assert involved(rows(ws, K), 999, events.iloc[:0]) == set()


def test_region_holds_the_boxes_with_their_context_inside_the_frame(ws):
    boxes = rows(ws, K)
    keys = {("gt", 4), ("tr", 1)}
    region = region_around(boxes, keys, (640, 480), context=0.5)
    mine = boxes[[(s, i) in keys for s, i in zip(boxes["side"], boxes["id"])]]
    assert region.x0 <= mine["x"].min() and region.x1 >= (mine["x"] + mine["w"]).max() - 1
    assert region.y0 <= mine["y"].min() + 1 and region.y1 >= min((mine["y"] + mine["h"]).max() - 1, 480)
    assert 0 <= region.x0 < region.x1 <= 640 and 0 <= region.y0 < region.y1 <= 480
    assert region_around(boxes, {("gt", 999)}, (640, 480)) is None
    wide = region_around(boxes, keys, (640, 480), context=1.5, aspect=4 / 3)
    assert wide.width >= region.width and abs(wide.width / wide.height - 4 / 3) < 0.05 or wide.width == 640


def test_a_tiny_box_is_never_zoomed_past_the_minimum_side():
    one = pd.DataFrame({"side": ["gt"], "id": [1], "x": [100.0], "y": [100.0], "w": [4.0], "h": [6.0]})
    region = region_around(one, {("gt", 1)}, (1920, 1080), context=0.0)
    assert region.width == MIN_SIDE and region.height == MIN_SIDE


def test_crop_is_full_resolution_pixels_scaled_with_the_involved_boxes_labelled(ws, frames):
    boxes = rows(ws, K)
    keys = {("gt", 4), ("tr", 1), ("tr", 3)}
    region = region_around(boxes, keys, (640, 480), context=0.5)
    picture = crop_picture(frames.frame(K), boxes, region, keys, width=900, alpha=0.5)
    scale = min(900 / region.width, MAX_UPSCALE)
    assert picture.shape[:2] == (round(region.height * scale), round(region.width * scale))
    # filled labels: FP id 1 and FP id 3 in amber, FN gt 4 in crimson, and the matched id 5 (= gt 2) beside
    # them in its id colour
    for color, least in ((FP_COLOR, 2 * 300), (FN_COLOR, 300), (id_color(5), 300)):
        assert (picture.reshape(-1, 3) == color).all(axis=1).sum() > least, color
    # a corner far from every box is the frame's own pixels, scaled (dimmed: a box is highlighted)
    frame = frames.frame(K)
    assert picture.mean() > 10 and frame[region.y0:region.y1, region.x0:region.x1].mean() > 10


def test_labels_name_the_ground_truth_of_matched_tracker_boxes_and_the_event():
    assert box_label({"side": "tr", "id": 1, "partner": 4, "state": "TP", "event": "SWITCH"}) == "id 1 = gt 4 · switch"
    assert box_label({"side": "gt", "id": 4, "partner": -1, "state": "FN", "event": ""}) == "FN gt 4"
    assert box_label({"side": "tr", "id": 3, "partner": -1, "state": "FP", "event": ""}) == "FP id 3"
    assert box_label({"side": "gt", "id": 4, "partner": 1, "state": "TP", "event": ""}) == ""
    assert box_label({"side": "gt", "id": 4, "partner": 1, "state": "TP", "event": ""}, show="gt") == "gt 4 = id 1"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 300), st.integers(5, 80), st.integers(5, 120)),
                min_size=1, max_size=25))
def test_placed_labels_stay_inside_and_do_not_overlap_when_there_is_room(boxes):
    sizes = [(60, 16)] * len(boxes)
    corners = place_labels([tuple(map(float, b)) for b in boxes], sizes, (640, 480))
    rects = [(x, y, x + 60, y + 16) for x, y in corners]
    for x0, y0, x1, y1 in rects:
        assert 0 <= x0 and x1 <= 640 and 0 <= y0 and y1 <= 480
    # each label overlaps none placed before it unless all of its candidate places were taken
    for i, a in enumerate(rects):
        clash = [b for b in rects[:i] if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
        if clash:
            x, y, w, h = boxes[i]
            assert a[1] == int(min(max(y - 16, 0), 480 - 16))  # the fallback spot


def test_trails_follow_the_box_over_the_frames_before(ws, frames):
    window = pd.concat([rows(ws, k) for k in range(K - 10, K + 1)], ignore_index=True)
    trails = trail_points(window, {("gt", 4), ("tr", 999)})
    assert list(trails) == [("gt", 4)]
    gt4 = window[(window["side"] == "gt") & (window["id"] == 4)].sort_values("frame")
    np.testing.assert_allclose(trails[("gt", 4)][-1], [gt4["x"].iloc[-1] + gt4["w"].iloc[-1] / 2,
                                                        gt4["y"].iloc[-1] + gt4["h"].iloc[-1]])
    boxes = rows(ws, K)
    region = region_around(boxes, {("gt", 4)}, (640, 480))
    plain = crop_picture(frames.frame(K), boxes, region, {("gt", 4)}, width=600)
    trailed = crop_picture(frames.frame(K), boxes, region, {("gt", 4)}, width=600, trails=trails)
    assert (plain != trailed).any(axis=2).sum() > 50  # the trail is drawn


def test_filmstrip_tiles_the_frames_around_the_event_on_one_region(ws, frames):
    keys = {("gt", 4), ("tr", 1), ("tr", 3)}
    around = list(range(K - 2, K + 3))
    sheet = filmstrip(around, K, frames.frame, lambda k: rows(ws, k), keys, tile_width=200, per_row=5, alpha=0.5)
    assert sheet is not None and sheet.shape[1] == 5 * 200 + 4 * GAP
    tiles = [sheet[:, i * (200 + GAP):i * (200 + GAP) + 200] for i in range(5)]
    ring = [(t.reshape(-1, 3) == EVENT_COLOR).all(axis=1).sum() for t in tiles]
    assert ring[2] > 400 and ring[2] == max(ring)  # the current frame is framed in the event colour
    assert not all(np.array_equal(tiles[0], t) for t in tiles[1:])  # frames differ
    two_rows = filmstrip(around, K, frames.frame, lambda k: rows(ws, k), keys, tile_width=200, per_row=3)
    assert two_rows.shape[1] == 3 * 200 + 2 * GAP and two_rows.shape[0] > sheet.shape[0]
    assert filmstrip(around, K, frames.frame, lambda k: rows(ws, k), {("gt", 999)}) is None


def test_region_type_reports_its_size():
    assert (Region(10, 20, 110, 70).width, Region(10, 20, 110, 70).height) == (100, 50)


def test_by_identity_colours_a_tracker_box_by_its_person_on_both_trackers(ws, frames):
    """Compare's pictures: the same ground-truth person has the same colour whichever id a tracker gave it."""
    k = 60
    pictures, labels = {}, {}
    for tracker in ("motmetrics_test", "masa"):
        an = ws.analysis(tracker, SEQ)
        boxes = overlay_boxes(an.frame_boxes(k), alpha_index(0.5), 0.5, an.frame_identity_events(k))
        matched = boxes[(boxes["side"] == "tr") & (boxes["state"] == "TP")]
        labels[tracker] = dict(zip(matched["partner"].astype(int), matched["id"].astype(int)))
        whole = Region(0, 0, 640, 480)
        pictures[tracker] = crop_picture(frames.frame(k), boxes, whole, set(), width=640, by_identity=True)
    shared = sorted(set(labels["motmetrics_test"]) & set(labels["masa"]))
    assert shared, labels
    for person in shared:
        for tracker, picture in pictures.items():
            # the label fill of this person's tracker box is the person's colour, not the tracker id's
            assert (picture.reshape(-1, 3) == id_color(person)).all(axis=1).sum() > 150, (tracker, person)
    ids_differ = [p for p in shared if labels["motmetrics_test"][p] != labels["masa"][p]]
    assert ids_differ, "the two trackers name some person differently"


def test_track_disagreement_frames_are_where_one_tracker_matches_and_the_other_misses(ws):
    from tracklens.dashboard.views import track_disagreement_frames

    a, b = ws.analysis("motmetrics_test", SEQ), ws.analysis("masa", SEQ)
    frames = track_disagreement_frames(a, b, alpha_index(0.5), 4)
    assert frames.size and np.all(np.diff(frames) > 0)
    for k in frames[:5]:
        states = [overlay_boxes(x.frame_boxes(int(k)), alpha_index(0.5)).query("side == 'gt' and id == 4")["state"].item()
                  for x in (a, b)]
        assert (states[0] == "TP") != (states[1] == "TP"), (k, states)
