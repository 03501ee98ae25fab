"""A saved MOTS run (``mask_data``'s sequence) in a real browser: the frame inspector draws each mask
(translucent fill and outline in its state's colour) under its box, the canvas around them left
blank; screenshots at 1280x720 and 1440x900 (tests/screenshots/masks_*.png)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from mask_data import FRAMES, SEQUENCE, write_mots_dataset
from playwright.sync_api import expect
from pycocotools import mask as mask_utils

from tracklens.dashboard.cli import main
from tracklens.dashboard.frames import BLANK_GREY
from tracklens.dashboard.views import overlay_boxes
from tracklens.workspace import Workspace
from conftest import no_exception  # tests/browser/conftest.py

SIZES = ({"width": 1280, "height": 720}, {"width": 1440, "height": 900})
FRAME = 14  # the swapper: identities swapped, a box-shaped mask, a false positive


@pytest.fixture(scope="module")
def mask_run(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("mots")
    gt, trs = write_mots_dataset(root / "data")
    assert main(["eval", "--format", "mots", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                 "--save", str(root / "run"), "--quiet"]) == 0
    return str(root / "run")


def picture(page) -> np.ndarray:
    """The inspector's frame as the browser received it (RGB)."""
    image = page.locator(".st-key-frame_area img").first
    expect(image).to_be_visible()
    body = page.request.get(image.get_attribute("src")).body()
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def test_masks_drawn_in_the_inspector(mask_run, app_server_factory, browser_page, open_app, screenshot,
                                      page_errors):
    page = browser_page
    url = app_server_factory(mask_run)
    an = Workspace.load(mask_run).for_class("pedestrian").analysis("swapper", SEQUENCE)
    rows = overlay_boxes(an.frame_boxes(FRAME), 9)
    for size in SIZES:
        page.set_viewport_size(size)
        open_app(page, f"{url}/inspector?cls=pedestrian&seq={SEQUENCE}&tracker=swapper&alpha=0.5&frame={FRAME}")
        no_exception(page)
        expect(page.get_by_role("heading", name=f"Frame inspector · {SEQUENCE} · swapper · class pedestrian")
               ).to_be_visible()
        expect(page.get_by_text(f"frame {FRAME} / {FRAMES}")).to_be_visible()
        image = picture(page)
        assert image.shape[:2] == (an.frame_boxes(FRAME)["mask_h"].iat[0], an.frame_boxes(FRAME)["mask_w"].iat[0])
        # inside every mask, away from its outline and box: the canvas is tinted, not blank grey
        for row in rows.itertuples():
            m = mask_utils.decode({"size": [int(row.mask_h), int(row.mask_w)], "counts": row.mask.encode()})
            inner = cv2.erode(m, np.ones((9, 9), np.uint8)).astype(bool)
            assert inner.any(), row
            tinted = np.abs(image[inner].astype(int) - BLANK_GREY).max(axis=1) > 12
            assert tinted.mean() > 0.8, (row.side, row.id, tinted.mean())
        outside = np.ones(image.shape[:2], bool)
        for row in rows.itertuples():
            x, y, w, h = (int(v) for v in (row.x, row.y, row.w, row.h))
            outside[max(0, y - 12):y + h + 12, max(0, x - 12):x + w + 12] = False
        assert np.median(np.abs(image[outside].astype(int) - BLANK_GREY).max(axis=1)) <= 12
        screenshot(page, f"masks_inspector_{size['width']}x{size['height']}")
    assert not [e for e in page_errors if "pageerror" in e], page_errors
