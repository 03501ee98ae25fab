"""Saved MOTS runs (``mask_data``'s walkers, and the real MOTS20-09 ground truth with trackers derived
from it) in a real browser: the frame inspector draws each mask
(translucent fill and outline in its state's colour) under its box, the canvas around them left
blank; screenshots at 1280x720 and 1440x900 (tests/screenshots/masks_*.png)."""
from __future__ import annotations

import base64
import cv2
import numpy as np
import pytest
from mask_data import REAL_SEQUENCE, SEQUENCE, write_mots_dataset, write_real_mots
from playwright.sync_api import expect
from pycocotools import mask as mask_utils

from tracklens.dashboard.cli import main
from tracklens.dashboard.frames import BLANK_GREY
from tracklens.dashboard.views import overlay_boxes
from tracklens.workspace import Workspace
from conftest import no_exception  # tests/browser/conftest.py

SIZES = ({"width": 1280, "height": 720}, {"width": 1440, "height": 900})


CASES = {"walkers": (write_mots_dataset, SEQUENCE, "swapper", 14),  # swapped ids, a box-shaped mask, an FP
         "mots20": (write_real_mots, REAL_SEQUENCE, "swapped", 2)}  # real masks, 1920 x 1080 shown 1024 wide


@pytest.fixture(scope="module")
def mask_runs(tmp_path_factory) -> dict[str, str]:
    out = {}
    for case, (write, *_) in CASES.items():
        root = tmp_path_factory.mktemp(case)
        gt, trs = write(root / "data")
        assert main(["eval", "--format", "mots", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                     "--save", str(root / "run"), "--quiet"]) == 0
        out[case] = str(root / "run")
    return out


def picture(page) -> np.ndarray:
    """The inspector's frame as the browser received it (RGB)."""
    image = page.locator(".st-key-frame_area img").first
    expect(image).to_be_visible()
    src = image.get_attribute("src")
    if src.startswith("data:"):  # the inspector sends its picture inside the element (display.data_url)
        body = base64.b64decode(src.split(",", 1)[1])
    else:
        body = page.request.get(src).body()
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize("case", list(CASES))
def test_masks_drawn_in_the_inspector(case, mask_runs, app_server_factory, browser_page, open_app, screenshot,
                                      page_errors):
    page = browser_page
    _, sequence, tracker, frame = CASES[case]
    url = app_server_factory(mask_runs[case])
    an = Workspace.load(mask_runs[case]).for_class("pedestrian").analysis(tracker, sequence)
    rows = overlay_boxes(an.frame_boxes(frame), 9)
    height, width = int(rows["mask_h"].iat[0]), int(rows["mask_w"].iat[0])
    for size in SIZES:
        page.set_viewport_size(size)
        open_app(page, f"{url}/inspector?cls=pedestrian&seq={sequence}&tracker={tracker}&alpha=0.5&frame={frame}")
        no_exception(page)
        expect(page.get_by_role("heading", name=f"Frame inspector · {sequence} · {tracker} · class pedestrian")
               ).to_be_visible()
        expect(page.get_by_text(f"frame {frame} / {an.num_frames}")).to_be_visible()
        image = picture(page)
        scale = image.shape[1] / width
        assert image.shape[0] == round(height * scale)
        # inside every mask, away from its outline and box: the canvas is tinted, not blank grey
        for row in rows.itertuples():
            m = mask_utils.decode({"size": [height, width], "counts": row.mask.encode()})
            m = cv2.resize(m, image.shape[1::-1], interpolation=cv2.INTER_NEAREST)
            inner = cv2.erode(m, np.ones((7, 7), np.uint8)).astype(bool)
            assert inner.any(), row
            tinted = np.abs(image[inner].astype(int) - BLANK_GREY).max(axis=1) > 12
            assert tinted.mean() > 0.8, (row.side, row.id, tinted.mean())
        outside = np.ones(image.shape[:2], bool)
        for row in rows.itertuples():
            x, y, w, h = (int(v * scale) for v in (row.x, row.y, row.w, row.h))
            outside[max(0, y - 12):y + h + 12, max(0, x - 12):x + w + 12] = False
        assert np.median(np.abs(image[outside].astype(int) - BLANK_GREY).max(axis=1)) <= 12
        screenshot(page, f"masks_{case}_inspector_{size['width']}x{size['height']}")
    assert not [e for e in page_errors if "pageerror" in e], page_errors
