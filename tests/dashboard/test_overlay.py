"""The frame overlay: golden images of a fixed synthetic scene, plus the drawing rules.

Text is the one thing OpenCV builds draw differently (4.x Hershey strokes, 5.x a Unicode font, each
anti-aliased its own way), so the goldens are drawn with a stand-in text engine: ``cv2.getTextSize``
and ``cv2.putText`` are replaced by fixed metrics and one solid bar per character, and every text
call (string, position, scale, colour) is kept in ``<name>.labels.json``. Boxes, tags, badges and
colours are then compared pixel for pixel on any build, and the labels exactly; the mutation tests
below show that a moved box, a changed colour or a missing label fails. Regenerate after a
deliberate visual change with ``UPDATE_GOLDEN=1 pytest ...`` and look at tests/golden/*.png.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from tracklens.dashboard.overlay import BOX_COLUMNS, _rows, _tag_text, annotate, legend_items
from tracklens.dashboard.palette import EVENT_COLOR, FN_COLOR, FP_COLOR, SHADOW_COLOR, id_color

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
NAN = float("nan")

# One of everything: matched pairs, a switch, a transfer, a fragmentation, an ascend on a box cut
# by the frame's edge, a plain FN, a plain FP and a localisation miss (an FN and an FP that
# overlap below the threshold).
SCENE = pd.DataFrame([
    ("gt", 1, 40, 120, 60, 150, "TP", 1, 0.86, "", False),
    ("tr", 1, 46, 112, 58, 156, "TP", 1, 0.86, "", False),
    ("gt", 2, 140, 110, 64, 170, "TP", 2, 0.71, "SWITCH", False),
    ("tr", 2, 130, 118, 70, 150, "TP", 2, 0.71, "", False),
    ("gt", 3, 250, 140, 50, 120, "TP", 3, 0.93, "", False),
    ("tr", 3, 252, 142, 49, 117, "TP", 3, 0.93, "TRANSFER", False),
    ("gt", 4, 330, 150, 45, 110, "FN", -1, NAN, "", False),
    ("gt", 5, 400, 170, 50, 130, "FN", -1, 0.38, "", True),
    ("tr", 9, 425, 190, 55, 125, "FP", -1, 0.38, "", True),
    ("tr", 7, 520, 230, 70, 80, "FP", -1, NAN, "", False),
    ("gt", 6, 560, 60, 40, 100, "TP", 11, 0.66, "FRAG", False),
    ("tr", 11, 555, 66, 44, 106, "TP", 6, 0.66, "", False),
    ("gt", 8, -10, 2, 50, 90, "TP", 5, 0.77, "ASCEND", False),
    ("tr", 5, -6, 0, 48, 96, "TP", 8, 0.77, "", False),
], columns=list(BOX_COLUMNS))


def scene_frame(width: int = 640, height: int = 360) -> np.ndarray:
    """A fixed street-like picture: sky gradient, pavement, a dark building with a lit window."""
    y = np.linspace(0, 1, height)[:, None]
    x = np.linspace(0, 1, width)[None, :]
    channels = np.broadcast_arrays(90 + 60 * y + 20 * x, 110 + 50 * y, 140 - 40 * y + 30 * x)
    image = np.stack(channels, axis=2).astype(np.uint8)
    image[int(height * 0.62):] = (120, 118, 110)
    image[int(height * 0.62):int(height * 0.64)] = (200, 200, 190)
    image[40:200, 420:560] = (70, 60, 55)
    image[60:100, 440:480] = (230, 220, 160)
    return image


def one_box(side: str, box_id: int, x: float, y: float, w: float, h: float, state: str,
            partner: int = -1, iou: float = NAN, event: str = "", loc_miss: bool = False
            ) -> tuple:
    return (side, box_id, x, y, w, h, state, partner, iou, event, loc_miss)


def table(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(BOX_COLUMNS))


def grey_frame(width: int = 320, height: int = 240, level: int = 128) -> np.ndarray:
    return np.full((height, width, 3), level, np.uint8)


class StandInText:
    """Build-independent text: fixed metrics, one solid bar per character, every call recorded."""

    CHAR_W, CHAR_H, BASELINE = 20, 22, 6  # pixels at scale 1 (about Hershey simplex's size)

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def get_text_size(self, text, font, scale, thickness):
        return (round(len(text) * self.CHAR_W * scale), round(self.CHAR_H * scale)), round(self.BASELINE * scale)

    def put_text(self, img, text, org, font, scale, color, thickness=1, line_type=None, *args):
        color = tuple(int(c) for c in color)
        self.calls.append({"text": text, "org": [int(org[0]), int(org[1])],
                           "scale": round(float(scale), 4), "color": list(color), "thickness": int(thickness)})
        width, height = self.CHAR_W * scale, self.CHAR_H * scale
        for i, char in enumerate(text):
            if char != " ":
                x = round(org[0] + i * width)
                cv2.rectangle(img, (x + 1, round(org[1] - height)), (round(x + 0.7 * width), int(org[1])), color, -1)
        return img


def render(monkeypatch: pytest.MonkeyPatch, frame: np.ndarray, boxes: pd.DataFrame, **options
           ) -> tuple[np.ndarray, list[dict]]:
    """``annotate`` with the stand-in text engine: the image and the text calls, in drawing order."""
    text = StandInText()
    with monkeypatch.context() as patch:
        patch.setattr(cv2, "getTextSize", text.get_text_size)
        patch.setattr(cv2, "putText", text.put_text)
        image = annotate(frame, boxes, **options)
    return image, text.calls


def matches_golden(image: np.ndarray, labels: list[dict], name: str) -> None:
    """Compare with tests/golden/<name>.png and <name>.labels.json; UPDATE_GOLDEN=1 rewrites them.

    The labels must be equal. Pixels: at most 0.1 % may differ by more than 8 levels (the
    anti-aliased circle edges of badges), and the mean difference must stay under 0.5 levels.
    """
    path, labels_path = GOLDEN_DIR / f"{name}.png", GOLDEN_DIR / f"{name}.labels.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        labels_path.write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"no golden {path.name}: run with UPDATE_GOLDEN=1 and look at the result")
    assert labels == json.loads(labels_path.read_text(encoding="utf-8")), f"{name}: labels differ"
    golden = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    assert golden.shape == image.shape
    diff = np.abs(golden.astype(int) - image.astype(int)).max(axis=2)
    assert float(np.mean(diff > 8)) <= 0.001, f"{name}: {np.mean(diff > 8):.2%} pixels differ"
    assert float(diff.mean()) < 0.5, f"{name}: mean difference {diff.mean():.2f}"


GOLDEN_SCENES = [
    ("overlay_both", {}),
    ("overlay_highlight", {"highlight": ("tr", 2)}),
    ("overlay_gt_only", {"show": "gt", "alpha": 0.5}),
    ("overlay_tr_only_no_labels", {"show": "tr", "label": False}),
]


@pytest.mark.parametrize("name, options", GOLDEN_SCENES)
def test_golden_scene(monkeypatch: pytest.MonkeyPatch, name: str, options: dict) -> None:
    matches_golden(*render(monkeypatch, scene_frame(), SCENE, **options), name)


def test_golden_fails_on_a_moved_box(monkeypatch: pytest.MonkeyPatch) -> None:
    moved = SCENE.copy()
    moved.loc[(moved.side == "tr") & (moved.id == 7), "x"] += 6  # the plain FP, 6 px to the right
    with pytest.raises(AssertionError):
        matches_golden(*render(monkeypatch, scene_frame(), moved), "overlay_both")


def test_golden_fails_on_a_changed_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    import tracklens.dashboard.overlay as overlay

    r, g, b = overlay.FP_COLOR
    monkeypatch.setattr(overlay, "FP_COLOR", (r, max(g - 24, 0), b))  # a slightly different orange
    with pytest.raises(AssertionError):
        matches_golden(*render(monkeypatch, scene_frame(), SCENE), "overlay_both")


def test_golden_fails_on_a_missing_label(monkeypatch: pytest.MonkeyPatch) -> None:
    import tracklens.dashboard.overlay as overlay

    real = overlay._tag_text
    monkeypatch.setattr(overlay, "_tag_text", lambda box, show, alpha: "" if box.id == 9 else real(box, show, alpha))
    with pytest.raises(AssertionError, match="labels differ"):
        matches_golden(*render(monkeypatch, scene_frame(), SCENE), "overlay_both")


def test_real_text_engine_draws_every_label(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in only replaces glyphs: with this build's real font the same texts are drawn,
    and each puts ink where it is written."""
    _, stand_in = render(monkeypatch, scene_frame(), SCENE)
    real_put_text, real_calls = cv2.putText, []

    def recording_put_text(img, text, org, *args):
        real_calls.append((text, org))
        return real_put_text(img, text, org, *args)

    with monkeypatch.context() as patch:
        patch.setattr(cv2, "putText", recording_put_text)
        image = annotate(scene_frame(), SCENE)
        patch.setattr(cv2, "putText", lambda img, *args, **kwargs: img)
        no_text = annotate(scene_frame(), SCENE)
    assert [text for text, _ in real_calls] == [call["text"] for call in stand_in] and len(real_calls) >= 8
    inked = np.any(image != no_text, axis=2)
    for text, (x, y) in real_calls:
        assert inked[max(y - 14, 0):y + 3, max(x - 2, 0):x + 14].any(), text


def test_input_frame_is_left_untouched() -> None:
    frame = scene_frame()
    before = frame.copy()
    out = annotate(frame, SCENE)
    assert np.array_equal(frame, before)
    assert out.shape == frame.shape and out.dtype == np.uint8 and not np.array_equal(out, frame)


def test_read_only_frames_are_accepted() -> None:
    frame = scene_frame()
    frame.flags.writeable = False
    annotate(frame, SCENE, highlight=("gt", 4))


def test_no_boxes_gives_an_unchanged_copy() -> None:
    frame = scene_frame()
    out = annotate(frame, SCENE.iloc[:0])
    assert np.array_equal(out, frame) and out is not frame


def test_matched_tracker_box_is_solid_in_its_id_colour_on_any_frame() -> None:
    for x in (50, 150):  # two frames, the box elsewhere: same id, same colour
        out = annotate(grey_frame(), table(one_box("tr", 7, x, 60, 60, 100, "TP", 3, 0.8)),
                       label=False)
        edge = out[60, x + 5: x + 55]
        assert np.all(edge == id_color(7))


def test_false_positive_is_solid_orange() -> None:
    out = annotate(grey_frame(), table(one_box("tr", 4, 100, 60, 60, 100, "FP")), label=False)
    assert np.all(out[160, 105:155] == FP_COLOR)


def test_missed_ground_truth_is_dashed_red() -> None:
    out = annotate(grey_frame(), table(one_box("gt", 4, 100, 60, 100, 100, "FN")), label=False)
    edge = out[60, 100:200]
    red = np.all(edge == FN_COLOR, axis=1)
    dark = np.all(edge == SHADOW_COLOR, axis=1)
    assert red.sum() > 40 and dark.sum() > 20 and np.all(red | dark)


def test_show_filters_sides() -> None:
    boxes = table(one_box("tr", 7, 50, 60, 60, 100, "FP"))
    frame = grey_frame()
    assert np.array_equal(annotate(frame, boxes, show="gt"), frame)
    assert not np.array_equal(annotate(frame, boxes, show="tr"), frame)


def pixels_of(image: np.ndarray, color: tuple[int, int, int]) -> int:
    return int(np.all(image == color, axis=2).sum())


def test_identity_events_get_a_magenta_outline_and_fragmentation_only_a_badge() -> None:
    frame = grey_frame()
    plain = annotate(frame, table(one_box("gt", 1, 100, 60, 60, 100, "FN")), label=False)
    switch = annotate(frame, table(one_box("gt", 1, 100, 60, 60, 100, "FN", event="SWITCH")),
                      label=False)
    frag = annotate(frame, table(one_box("gt", 1, 100, 60, 60, 100, "FN", event="FRAG")),
                    label=False)
    assert pixels_of(plain, EVENT_COLOR) == 0
    assert pixels_of(switch, EVENT_COLOR) > 4 * pixels_of(frag, EVENT_COLOR) > 0


def test_event_of_a_hidden_side_moves_to_the_partner() -> None:
    boxes = table(one_box("gt", 1, 100, 60, 60, 100, "TP", 5, 0.8, event="SWITCH"),
                  one_box("tr", 5, 102, 62, 60, 100, "TP", 1, 0.8))
    assert pixels_of(annotate(grey_frame(), boxes, show="tr"), EVENT_COLOR) > 0


def test_highlight_dims_the_rest_and_keeps_the_box_bright() -> None:
    boxes = table(one_box("tr", 7, 40, 60, 60, 100, "TP", 1, 0.9),
                  one_box("tr", 8, 200, 60, 60, 100, "TP", 2, 0.9))
    frame = grey_frame()
    normal = annotate(frame, boxes, label=False)
    focused = annotate(frame, boxes, label=False, highlight=("tr", 7))
    assert np.all(focused[160, 45:95] == id_color(7))
    assert focused[200:, 150:].mean() < normal[200:, 150:].mean() * 0.8
    assert pixels_of(focused, id_color(8)) == 0  # the other box is faded
    assert np.array_equal(focused[80:150, 60:90], frame[80:150, 60:90])  # spotlight inside


def test_labels_draw_tags_outside_the_box() -> None:
    boxes = table(one_box("tr", 7, 100, 80, 60, 100, "TP", 1, 0.9))
    frame = grey_frame()
    with_tag = annotate(frame, boxes)
    without = annotate(frame, boxes, label=False)
    assert np.array_equal(without[60:78, 100:160], frame[60:78, 100:160])
    assert pixels_of(with_tag[60:80, 100:160], id_color(7)) > 200


def test_boxes_partly_or_fully_outside_the_frame_are_fine() -> None:
    boxes = table(one_box("tr", 1, -50, -40, 100, 100, "TP", 1, 0.5),
                  one_box("gt", 1, -50, -40, 100, 100, "TP", 1, 0.5),
                  one_box("gt", 2, 300, 200, 200, 200, "FN", event="SWITCH"),
                  one_box("tr", 3, 1000, 1000, 10, 10, "FP"))
    out = annotate(grey_frame(), boxes, highlight=("gt", 2))
    assert out.shape == (240, 320, 3)


@pytest.mark.parametrize("row, show, alpha, expected", [
    (one_box("tr", 7, 0, 0, 1, 1, "TP", 3, 0.834), "both", None, "7 | 0.83"),
    (one_box("gt", 3, 0, 0, 1, 1, "TP", 7, 0.834), "both", None, ""),
    (one_box("gt", 3, 0, 0, 1, 1, "TP", 7, 0.834), "gt", None, "gt3 | 0.83"),
    (one_box("gt", 4, 0, 0, 1, 1, "FN"), "both", None, "FN gt4"),
    (one_box("tr", 9, 0, 0, 1, 1, "FP"), "both", None, "FP 9"),
    (one_box("tr", 9, 0, 0, 1, 1, "FP", iou=0.41, loc_miss=True), "both", 0.5,
     "FP 9  IoU 0.41<0.50"),
    (one_box("gt", 4, 0, 0, 1, 1, "FN", loc_miss=True), "both", 0.5, "FN gt4  IoU<0.50"),
])
def test_tag_texts(row: tuple, show: str, alpha: float | None, expected: str) -> None:
    assert _tag_text(_rows(table(row))[0], show, alpha) == expected


def test_loc_miss_without_alpha_names_the_threshold_symbolically() -> None:
    text = _tag_text(_rows(table(one_box("gt", 4, 0, 0, 1, 1, "FN", loc_miss=True)))[0],
                     "both", None)
    assert text.startswith("FN gt4  IoU<") and "0." not in text


def test_bad_arguments_are_reported() -> None:
    with pytest.raises(ValueError, match="show"):
        annotate(grey_frame(), SCENE, show="tracker")
    with pytest.raises(ValueError, match="loc_miss"):
        annotate(grey_frame(), SCENE.drop(columns="loc_miss"))
    with pytest.raises(ValueError, match="RGB"):
        annotate(np.zeros((10, 10), np.uint8), SCENE)


def test_missing_event_and_loc_miss_values_are_tolerated() -> None:
    boxes = SCENE.astype({"event": object, "loc_miss": object})
    boxes.loc[0, "event"] = None
    boxes.loc[1, "loc_miss"] = None
    annotate(scene_frame(), boxes)


def test_legend_describes_every_style() -> None:
    items = legend_items()
    assert {item.style for item in items} == {"solid", "dashed", "outline", "badge", "tag"}
    assert all(item.color.startswith("#") and len(item.color) == 7 for item in items)
    assert any("FN" in item.label for item in items) and any("FP" in item.label for item in items)
