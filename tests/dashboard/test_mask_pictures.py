"""Every picture of a mask run's boxes draws its masks as the frame inspector does (translucent fill and
outline in the state's colour, ``overlay.annotate(masks=...)``): clips, the report's thumbnails, the
inspector's crop and filmstrip, and the Error patches. Pixel checks on ``mask_data``'s walkers (a blank
canvas, so the colours are known): inside the masks, away from their edges and the box outlines, a pixel
takes the fills of the masks there; inside a box but off every mask it does not. Box runs draw as before."""
from __future__ import annotations

import base64
import cv2
import numpy as np
import pandas as pd
import pytest
from mask_data import SEQUENCE, write_mots_dataset
from pycocotools import mask as mask_utils

from tracklens.analysis.breakdown import box_bins
from tracklens.analysis.causes import identity_causes
from tracklens.dashboard import clips, crop, report
from tracklens.dashboard.breakdown_loading import patch_jpeg, patch_mask, sequence_patches
from tracklens.dashboard.breakdown_views import PATCH_SIZE, crop_patch, patch_table
from tracklens.dashboard.cli import main
from tracklens.dashboard.clips import clip_frame
from tracklens.dashboard.crop import crop_picture, involved, region_around
from tracklens.dashboard.crop_views import CROP_WIDTH, crop_jpeg, filmstrip_jpeg
from tracklens.dashboard.filmstrip import filmstrip
from tracklens.dashboard.frames import BLANK_GREY, BlankFrames, open_frames
from tracklens.dashboard.loading import Source, View
from tracklens.dashboard.mask_overlay import FILL_ALPHA, cut_masks
from tracklens.dashboard.overlay import annotate, state_color
from tracklens.dashboard.palette import FN_COLOR, FP_COLOR
from tracklens.dashboard.report import THUMB_WIDTH, _crop, build_report, jpeg_data_uri, thumbnail
from tracklens.dashboard.views import alpha_index, overlay_boxes, overlay_masks
from tracklens.workspace import Workspace

TRACKER = "swapper"  # frame 7: gt 2003 missed (FN); frame 14: ids swapped, a box-shaped mask, FP id 99
EDGE = 3  # pixels kept clear of mask edges (outlines, nearest-pixel scaling)
OUTLINE = 4  # pixels kept clear of box outlines (glow, thick highlight)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("mots_pictures")
    gt, trs = write_mots_dataset(root / "data")
    assert main(["eval", "--format", "mots", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                 "--save", str(root / "run"), "--quiet"]) == 0
    return str(root / "run")


@pytest.fixture(scope="module")
def ws(run_dir):
    return Workspace.load(run_dir).for_class("pedestrian")


def rows_of(ws, frame: int):
    an = ws.analysis(TRACKER, SEQUENCE)
    return overlay_boxes(an.frame_boxes(frame), alpha_index(0.5), 0.5, an.frame_identity_events(frame))


def fill(color) -> np.ndarray:
    """A mask pixel over the blank canvas (``mask_overlay.FILL_ALPHA``)."""
    return np.rint(BLANK_GREY * (1 - FILL_ALPHA) + np.asarray(color, float) * FILL_ALPHA)


def rgb(data: bytes | str) -> np.ndarray:
    if isinstance(data, str):  # a data URI
        data = base64.b64decode(data.split(",", 1)[1])
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def areas(rows, window: tuple[int, int, int, int], size: tuple[int, int], outline: int = OUTLINE):
    """Where to look in a picture showing ``window`` (x0, y0, x1, y1 of the frame) at ``size`` (w, h):
    each row's mask there, the pixels away from every mask's edge and every box outline ("clear"), and
    the pixels inside some box but away from every mask and outline ("bare")."""
    x0, y0, x1, y1 = window
    sx, sy = size[0] / (x1 - x0), size[1] / (y1 - y0)
    masks, boxes = [], np.zeros(size[::-1], bool)
    outlines, edges = np.zeros(size[::-1], np.uint8), np.zeros(size[::-1], np.uint8)
    for r in rows.itertuples():
        full = mask_utils.decode({"size": [int(r.mask_h), int(r.mask_w)], "counts": r.mask.encode()})
        part = np.zeros((y1 - y0, x1 - x0), np.uint8)
        fy0, fx0, fy1, fx1 = max(y0, 0), max(x0, 0), min(y1, full.shape[0]), min(x1, full.shape[1])
        part[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0] = full[fy0:fy1, fx0:fx1]
        m = cv2.resize(part, size, interpolation=cv2.INTER_NEAREST)
        masks.append(m.astype(bool))
        contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)  # draw_masks' outline
        cv2.drawContours(edges, contours, -1, 1, 2 * EDGE + 1)
        corners = np.rint([(r.x - x0) * sx, (r.y - y0) * sy, (r.x + r.w - x0) * sx, (r.y + r.h - y0) * sy]).astype(int)
        cv2.rectangle(outlines, tuple(corners[:2]), tuple(corners[2:]), 1, 2 * outline + 1)
        boxes[max(corners[1], 0):max(corners[3], 0), max(corners[0], 0):max(corners[2], 0)] = True
    clear = ~edges.astype(bool) & ~outlines.astype(bool)
    anywhere = np.logical_or.reduce(masks) if masks else np.zeros(size[::-1], bool)
    return masks, clear, boxes & clear & ~anywhere


def alone(rows, window, size, side: str, box_id: int) -> np.ndarray:
    """The clear pixels (``areas``) of one row's mask that no other mask covers."""
    masks, clear, _ = areas(rows, window, size)
    k = next(i for i, r in enumerate(rows.itertuples()) if (r.side, r.id) == (side, box_id))
    others = [m for j, m in enumerate(masks) if j != k]
    return masks[k] & clear & ~(np.logical_or.reduce(others) if others else False)


def blended(rows, masks, shape) -> np.ndarray:
    """The blank canvas with every mask's fill, in ``draw_masks``' order (ground truth, then tracker)."""
    out = np.full((*shape[:2], 3), BLANK_GREY, float)
    for side in ("gt", "tr"):
        for r, m in zip(rows.itertuples(), masks):
            if r.side == side:
                color = np.asarray(state_color(r.side, r.state, r.id), float)
                out[m] = np.rint(out[m] * (1 - FILL_ALPHA) + color * FILL_ALPHA)
    return out


def assert_filled(picture, rows, window, *, bare=None, min_rows: int = 2) -> int:
    """Each mask's pixels (away from edges and box outlines) take the fills of the masks there: exactly
    (the blank canvas blended as ``draw_masks`` does) or, given ``bare`` (the same picture drawn without
    masks: dimmed, JPEG), visibly tinted; box pixels off every mask are left as they were. Returns how
    many masks were checked."""
    masks, clear, off = areas(rows, window, picture.shape[1::-1])
    expected = blended(rows, masks, picture.shape) if bare is None else None
    checked = 0
    for r, m in zip(rows.itertuples(), masks):
        look = m & clear
        if look.sum() < 40:
            continue
        got = picture[look].astype(float)
        if expected is not None:
            share = (np.abs(got - expected[look]).max(axis=1) <= 1).mean()
        else:
            share = (np.abs(got - bare[look]).max(axis=1) > 12).mean()
        assert share > 0.9, (r.side, r.id, r.state, share)
        checked += 1
    assert checked >= min_rows and off.sum() > 20
    reference, noise = (np.full_like(picture, BLANK_GREY), 1) if bare is None else (bare, 10)  # JPEG's
    assert (np.abs(picture[off].astype(int) - reference[off]).max(axis=1) <= noise).mean() > 0.95
    return checked


def test_clip_frames_draw_the_masks(ws):
    for frame in (7, 14):
        rows = rows_of(ws, frame)
        picture = clip_frame(ws, TRACKER, SEQUENCE, frame)[:360]
        np.testing.assert_array_equal(picture, annotate(np.full((360, 640, 3), BLANK_GREY, np.uint8), rows,
                                                        alpha=0.5, masks=overlay_masks(rows)))
        assert_filled(picture, rows, (0, 0, 640, 360), min_rows=3)


def test_a_clip_of_a_track_keeps_its_mask_bright(ws, monkeypatch):
    """With gt 2003 highlighted (dimmed rest), its own mask still shows its exact fill (the spotlight)."""
    rows = rows_of(ws, 7)
    picture = clip_frame(ws, TRACKER, SEQUENCE, 7, track=2003)[:360]
    own = alone(rows, (0, 0, 640, 360), (640, 360), "gt", 2003)
    assert own.sum() > 200
    assert (np.abs(picture[own] - fill(FN_COLOR)).max(axis=1) <= 1).mean() > 0.9
    monkeypatch.setattr(clips, "overlay_masks", lambda rows: None)
    bare = clip_frame(ws, TRACKER, SEQUENCE, 7, track=2003)[:360]
    assert_filled(picture, rows, (0, 0, 640, 360), bare=bare)


def window_of(frame_size: tuple[int, int], box) -> tuple[int, int, int, int]:
    """The frame window ``report._crop`` keeps around ``box`` (crop a picture of coordinates)."""
    width, height = frame_size
    coords = np.stack(np.mgrid[:height, :width], axis=-1)
    part = _crop(coords, box)
    (y0, x0), (y1, x1) = part[0, 0], part[-1, -1]
    return int(x0), int(y0), int(x1) + 1, int(y1) + 1


def test_report_thumbnails_draw_the_masks(ws, monkeypatch):
    source = BlankFrames((640, 360), 16)
    rows = rows_of(ws, 7)
    box = tuple(rows[(rows["side"] == "gt") & (rows["id"] == 2003)][["x", "y", "w", "h"]].iloc[0].astype(float))
    window = window_of((640, 360), box)
    drawn = rgb(thumbnail(ws, TRACKER, SEQUENCE, 7, 2003, 0.5, source))
    assert drawn.shape[1] == THUMB_WIDTH
    monkeypatch.setattr(report, "overlay_masks", lambda rows: None)
    bare = rgb(thumbnail(ws, TRACKER, SEQUENCE, 7, 2003, 0.5, source))
    inside = rows[(rows["x"] < window[2]) & (rows["x"] + rows["w"] > window[0])]
    assert_filled(drawn, inside, window, bare=bare)
    # the highlighted track's own mask (in the spotlight) is its fill, up to JPEG's loss
    own = alone(inside, window, drawn.shape[1::-1], "gt", 2003)
    assert own.sum() > 200 and np.abs(drawn[own].astype(float) - fill(FN_COLOR)).mean() < 6


def test_the_report_of_a_mask_run_keeps_its_size(ws):
    html = build_report(ws, 0.5, max_tracks=2)
    assert html.count("data:image/jpeg;base64,") >= 3
    assert len(html.encode()) <= 3_000_000


def crop_setup(ws, frame: int, track: int):
    rows = rows_of(ws, frame)
    keys = involved(rows, track, ws.analysis(TRACKER, SEQUENCE).frame_identity_events(frame))
    return rows, keys, region_around(rows, keys, (640, 360), 0.4, aspect=4 / 3)


def test_crops_draw_the_masks(ws, monkeypatch):
    frame_rgb = np.full((360, 640, 3), BLANK_GREY, np.uint8)
    for frame, track, by_identity in ((7, 2003, False), (14, 2002, False), (14, 2002, True)):
        rows, keys, region = crop_setup(ws, frame, track)
        window = (region.x0, region.y0, region.x1, region.y1)
        drawn = crop_picture(frame_rgb, rows, region, keys, width=CROP_WIDTH, alpha=0.5, by_identity=by_identity)
        with monkeypatch.context() as m:
            m.setattr(crop, "overlay_masks", lambda rows: None)
            bare = crop_picture(frame_rgb, rows, region, keys, width=CROP_WIDTH, alpha=0.5, by_identity=by_identity)
        inside = rows[(rows["x"] < region.x1) & (rows["x"] + rows["w"] > region.x0)]
        if by_identity:  # a matched tracker box (and its mask) takes its person's colour
            matched = (inside["side"] == "tr") & (inside["state"] == "TP")
            inside = inside.assign(id=inside["id"].where(~matched, inside["partner"]))
        assert_filled(drawn, inside, window, bare=bare)


def test_filmstrip_tiles_draw_the_masks(ws, monkeypatch):
    rows, keys, _ = crop_setup(ws, 14, 2002)
    region = region_around(pd.concat([rows, rows_of(ws, 15)]), keys, (640, 360), 0.5, aspect=3 / 4)  # filmstrip's
    with open_frames(None, None, 640, 360, 16) as source:
        sheet = filmstrip([14, 15], 15, source.frame, lambda k: rows_of(ws, k), keys, tile_width=240, alpha=0.5)
        monkeypatch.setattr(crop, "overlay_masks", lambda rows: None)
        bare = filmstrip([14, 15], 15, source.frame, lambda k: rows_of(ws, k), keys, tile_width=240, alpha=0.5)
    tile = (slice(0, sheet.shape[0]), slice(0, 240))  # frame 14's tile (not the event's: no frame around it)
    inside = rows[(rows["x"] < region.x1) & (rows["x"] + rows["w"] > region.x0)]
    assert_filled(sheet[tile], inside, (region.x0, region.y0, region.x1, region.y1), bare=bare[tile])


def test_the_inspectors_crop_and_filmstrip_draw_the_masks(run_dir, monkeypatch):
    view = View(Source(run_dir=run_dir), "pedestrian")
    pictures = (lambda: crop_jpeg(view, TRACKER, SEQUENCE, alpha_index(0.5), 14, "both", 2002, "medium"),
                lambda: filmstrip_jpeg(view, TRACKER, SEQUENCE, alpha_index(0.5), 14, "both", 2002, 2))
    drawn = [rgb(p()) for p in pictures]
    crop_jpeg.clear()
    filmstrip_jpeg.clear()
    monkeypatch.setattr(crop, "overlay_masks", lambda rows: None)
    try:
        bare = [rgb(p()) for p in pictures]
    finally:
        crop_jpeg.clear()
        filmstrip_jpeg.clear()
    for d, b in zip(drawn, bare):
        assert d.shape == b.shape
        assert (np.abs(d.astype(int) - b).max(axis=2) > 20).mean() > 0.05  # the masks' fills


def patch_window(box, size=PATCH_SIZE):
    """``crop_patch``'s frame window around ``box`` and where it lands in the tile (x, y, w, h)."""
    x, y, w, h = box
    mx, my = max(w, 8) * 0.5, max(h, 8) * 0.5
    x0, y0 = int(np.floor(x - mx)), int(np.floor(y - my))
    x1, y1 = int(np.ceil(x + w + mx)), int(np.ceil(y + h + my))
    scale = min(size[0] / (x1 - x0), size[1] / (y1 - y0))
    nw, nh = int((x1 - x0) * scale), int((y1 - y0) * scale)
    return (x0, y0, x1, y1), ((size[0] - nw) // 2, (size[1] - nh) // 2, nw, nh)


def test_error_patches_draw_their_mask(run_dir, ws):
    view = View(Source(run_dir=run_dir), "pedestrian")
    patches = sequence_patches(view, TRACKER, SEQUENCE, alpha_index(0.5))
    frame_rgb = np.full((360, 640, 3), BLANK_GREY, np.uint8)
    for frame, state, box_id, color in ((7, "FN", 2003, FN_COLOR), (14, "FP", 99, FP_COLOR)):
        row = next(patches[(patches["frame"] == frame) & (patches["state"] == state) & (patches["id"] == box_id)]
                   .itertuples())
        box = (row.x, row.y, row.w, row.h)
        rle = overlay_masks(overlay_boxes(ws.analysis(TRACKER, SEQUENCE).frame_boxes(frame), alpha_index(0.5))
                            .query("id == @box_id"))[0]
        assert rle["counts"].decode() == row.mask
        tile = crop_patch(frame_rgb, box, state, size=(240, 320), mask=rle)  # twice the page's size: room to look
        window, (ox, oy, nw, nh) = patch_window(box, (240, 320))
        shown = tile[oy:oy + nh, ox:ox + nw]
        one = overlay_boxes(ws.analysis(TRACKER, SEQUENCE).frame_boxes(frame), alpha_index(0.5)).query("id == @box_id")
        masks, clear, off = areas(one, window, (nw, nh))
        own = masks[0] & clear
        assert own.sum() > 200
        assert (np.abs(shown[own] - fill(color)).max(axis=1) <= 1).mean() > 0.95
        if state == "FN":  # an ellipse: its box's corners are off the mask, left as the frame was
            assert off.sum() > 50 and (shown[off] == BLANK_GREY).all()
        # the page's picture: the same tile as JPEG
        jpeg = rgb(patch_jpeg(view, SEQUENCE, frame, box, state, patch_mask(row)))
        page = crop_patch(frame_rgb, box, state, mask=rle)
        assert np.abs(jpeg.astype(int) - page).mean() < 3
        assert np.abs(jpeg.astype(int) - crop_patch(frame_rgb, box, state)).mean() > 3


def test_box_runs_draw_as_before(sample_dir, monkeypatch):
    """The sample (boxes only): the clip and the thumbnail are what they were before masks (the overlay
    without them), byte for byte; a patch without a mask is the patch as before; no mask columns."""
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                video_folder=str(sample_dir / "videos"))
    tracker, seq, frame, track = "motmetrics_test", "TUD-Stadtmitte", 53, 4
    an = ws.analysis(tracker, seq)
    rows = overlay_boxes(an.frame_boxes(frame), alpha_index(0.5), 0.5, an.frame_identity_events(frame))
    assert overlay_masks(rows) is None
    meta = ws.sequence(seq)
    with open_frames(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames) as source:
        picture = source.frame(frame)
        clip = clip_frame(ws, tracker, seq, frame, track=track, source=source)
        np.testing.assert_array_equal(clip[:meta.height], annotate(picture, rows, highlight=("gt", track), alpha=0.5))
        mine = rows[(rows["side"] == "gt") & (rows["id"] == track)]
        box = tuple(mine[["x", "y", "w", "h"]].iloc[0].astype(float))
        old = jpeg_data_uri(_crop(annotate(picture, rows, highlight=("gt", track), alpha=0.5), box))
        assert thumbnail(ws, tracker, seq, frame, track, 0.5, source) == old
        np.testing.assert_array_equal(crop_patch(picture, box, "FN", mask=None), crop_patch(picture, box, "FN"))
    binned = box_bins(an.boxes)  # the patch table of a box run has no masks to draw
    table = patch_table(binned, identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9), 9, seq)
    assert len(table) and "mask" not in table.columns and patch_mask(next(table.itertuples())) is None


def test_a_cut_reaching_past_the_frame_is_empty_there():
    """``cut_masks``: a window partly outside the frame holds the mask where it overlaps the frame, zeros
    elsewhere; a mask of another size is first scaled to the frame, as ``draw_masks`` scales it."""
    mask = np.zeros((40, 60), np.uint8)
    mask[0:10, 0:20] = 1
    rle = mask_utils.encode(np.asfortranarray(mask))
    (cut,) = cut_masks([rle], (60, 40), (-5, -3, 15, 7))
    assert cut.shape == (10, 20)
    assert not cut[:3].any() and not cut[:, :5].any() and cut[3:, 5:].all()
    (big,) = cut_masks([rle], (120, 80), (0, 0, 120, 80))  # the frame is twice the mask's size
    assert big[:20, :40].all() and not big[20:].any() and not big[:, 40:].any()
    assert cut_masks(None, (60, 40), (0, 0, 1, 1)) is None and cut_masks([None], (60, 40), (0, 0, 1, 1)) == [None]
