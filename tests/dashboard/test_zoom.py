"""The zoomable frame (dashboard/zoom.py): the annotated frame as a plotly image with one hover area per
box carrying its full record, on the sample's TUD-Stadtmitte frame 53 (CLEAR's switch of gt 4)."""
from __future__ import annotations

import base64

import pytest

from tracklens.dashboard.display import frame_jpeg
from tracklens.dashboard.frames import open_frames
from tracklens.dashboard.views import alpha_index, overlay_boxes
from tracklens.dashboard.zoom import box_record, zoom_figure
from tracklens.workspace import Workspace

TRACKER, SEQ, K = "motmetrics_test", "TUD-Stadtmitte", 53


@pytest.fixture(scope="module")
def scene(sample_dir):
    ws = Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                video_folder=str(sample_dir / "videos"))
    an = ws.analysis(TRACKER, SEQ)
    boxes = overlay_boxes(an.frame_boxes(K), alpha_index(0.5), 0.5, an.frame_identity_events(K))
    meta = ws.sequence(SEQ)
    with open_frames(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames) as source:
        frame = source.frame(K)
    return frame, boxes


def test_every_box_has_a_hover_area_with_both_matchings_statements(scene):
    frame, boxes = scene
    jpeg = frame_jpeg(frame, boxes, width=frame.shape[1], alpha=0.5)
    fig = zoom_figure(jpeg, (frame.shape[1], frame.shape[0]), boxes, 0.5, 0.5)
    assert len(fig.data) == len(boxes)
    assert fig.layout.images[0].source == "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
    assert (fig.layout.images[0].sizex, fig.layout.images[0].sizey) == (640, 480)
    assert list(fig.layout.yaxis.range) == [480, 0] and fig.layout.dragmode == "pan"
    gt4 = next(t for t in fig.data if t.name == "gt 4")
    row = boxes[(boxes["side"] == "gt") & (boxes["id"] == 4)].iloc[0]
    assert list(gt4.x) == [row.x, row.x + row.w, row.x + row.w, row.x, row.x]
    assert gt4.hoveron == "fills"
    assert "gt 4</b> · FN at α 0.50 (HOTA)" in gt4.text
    assert "best overlap: id 1 (IoU 0.53)" in gt4.text
    assert "HOTA pairs gt 4 with id 3 (IoU 0.38 < α 0.50)" in gt4.text
    assert "CLEAR pairs gt 4 with id 1" in gt4.text


def test_record_of_a_box_with_no_overlap_says_none():
    row = {"side": "tr", "id": 9, "state": "FP", "best": -1, "best_iou": 0.0, "hota_state": "FP",
           "hota_reason": "no_candidate", "hota_partner": -1, "hota_iou": float("nan"), "clear_state": "FP",
           "clear_reason": "no_candidate", "clear_partner": -1, "clear_iou": float("nan"), "event": "",
           "hota_holder": -1, "hota_holder_iou": float("nan"), "clear_holder": -1, "clear_holder_iou": float("nan")}
    text = box_record(row, 0.5, 0.5)
    assert text.startswith("<b>id 9</b> · FP at α 0.50 (HOTA)") and "best overlap: none" in text
    assert "gt -1" not in text and text.count("nothing overlaps it (best IoU 0)") == 2, text
