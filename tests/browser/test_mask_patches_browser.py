"""The Error patches page of saved MOTS runs (``mask_data``'s walkers, and the real MOTS20-09 ground truth
with trackers derived from it) in a real browser: each FN/FP/switch crop shows its box's mask (translucent
fill and outline in the patch's colour) as well as the box; screenshots at 1280x720 and 1440x900
(tests/screenshots/masks_*_patches_*.png)."""
from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from mask_data import REAL_SEQUENCE, SEQUENCE, write_mots_dataset, write_real_mots
from playwright.sync_api import expect

from tracklens.dashboard.breakdown_loading import patch_jpeg, patch_mask, sequence_patches
from tracklens.dashboard.breakdown_views import crop_patch
from tracklens.dashboard.cli import main
from tracklens.dashboard.loading import Source, View
from tracklens.dashboard.views import overlay_masks
from tracklens.dashboard.frames import open_frames
from tracklens.workspace import Workspace
from conftest import no_exception  # tests/browser/conftest.py

SIZES = ({"width": 1280, "height": 720}, {"width": 1440, "height": 900})
CASES = {"walkers": (write_mots_dataset, SEQUENCE, "swapper"),  # an FN run, FPs, swapped ids
         "mots20": (write_real_mots, REAL_SEQUENCE, "swapped")}  # real masks, 1920 x 1080


@pytest.fixture(scope="module")
def mask_runs(tmp_path_factory) -> dict[str, str]:
    out = {}
    for case, (write, *_) in CASES.items():
        root = tmp_path_factory.mktemp(f"{case}_patches")
        gt, trs = write(root / "data")
        assert main(["eval", "--format", "mots", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                     "--save", str(root / "run"), "--quiet"]) == 0
        out[case] = str(root / "run")
    return out


def received(page, image) -> np.ndarray:
    """An image of the page as the browser received it (RGB)."""
    body = page.request.get(image.get_attribute("src")).body()
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize("case", list(CASES))
def test_error_patches_show_the_masks(case, mask_runs, app_server_factory, browser_page, open_app, screenshot,
                                      page_errors):
    page = browser_page
    _, sequence, tracker = CASES[case]
    url = app_server_factory(mask_runs[case])
    view = View(Source(run_dir=mask_runs[case]), "pedestrian")
    patches = sequence_patches(view, tracker, sequence, 9)
    assert {"FN", "FP"} <= set(patches["state"]) and "mask" in patches.columns
    meta = Workspace.load(mask_runs[case]).for_class("pedestrian").sequence(sequence)
    for size in SIZES:
        page.set_viewport_size(size)
        open_app(page, f"{url}/patches?cls=pedestrian&seq={sequence}&tracker={tracker}&alpha=0.5")
        no_exception(page)
        expect(page.get_by_role("heading", name=f"Error patches · {tracker} · class pedestrian")).to_be_visible()
        screenshot(page, f"masks_{case}_patches_causes_{size['width']}x{size['height']}")
        images = page.locator('[data-testid="stImage"] img')
        expect(images.first).to_be_visible()
        captions = [t for t in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
                    if re.match(r"(FN|FP|switch) · ", t)]
        assert images.count() == len(captions) == min(24, len(patches))
        checked = 0
        with open_frames(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames) as frames:
            for k, caption in enumerate(captions[:6]):
                state, frame, box_id = re.match(r"(FN|FP|switch) · .* · f (\d+) · id (\d+)", caption).groups()
                row = next(patches[(patches["state"] == state) & (patches["frame"] == int(frame))
                                   & (patches["id"] == int(box_id))].itertuples())
                box = (row.x, row.y, row.w, row.h)
                shown = received(page, images.nth(k))
                # what the page sent is the patch drawn with its mask (patch_jpeg), not the box alone
                assert np.abs(shown.astype(int) - np.asarray(
                    cv2.imdecode(np.frombuffer(patch_jpeg(view, sequence, int(frame), box, state, patch_mask(row)),
                                               np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1], int)).mean() < 1
                rle = overlay_masks(patches.iloc[[row.Index]])[0]
                with_mask = crop_patch(frames.frame(int(frame)), box, state, mask=rle)
                bare = crop_patch(frames.frame(int(frame)), box, state)
                tinted = np.abs(with_mask.astype(int) - bare).max(axis=2) > 12  # the mask's fill and outline
                assert tinted.sum() > 100, caption
                assert (np.abs(shown[tinted].astype(int) - bare[tinted]).max(axis=1) > 6).mean() > 0.9, caption
                checked += 1
        assert checked >= 3
        images.first.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        screenshot(page, f"masks_{case}_patches_grid_{size['width']}x{size['height']}")
    assert not [e for e in page_errors if "pageerror" in e], page_errors
