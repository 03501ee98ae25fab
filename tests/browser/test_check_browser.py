"""The Overview's input-check banner in a real browser: a broken copy of the sample (a tracker at half
scale) and of a MOT17 sequence (MoTT at half scale) each show the finding and its fix in plain text;
screenshots at 1280x720 and 1440x900 (tests/screenshots/check_*.png)."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from conftest import no_exception  # tests/browser/conftest.py

SIZES = ({"width": 1280, "height": 720}, {"width": 1440, "height": 900})
MOT17_SEQ = "MOT17-05-FRCNN"


def halved(root: Path, gt_dirs: dict[str, Path], tracker_files: dict[str, Path], clean: str) -> Path:
    """gt copied; trackers ``clean`` (as is) and ``half`` (every coordinate x 0.5)."""
    for seq, src in gt_dirs.items():
        (root / "gt" / seq / "gt").mkdir(parents=True)
        shutil.copy(src / "gt" / "gt.txt", root / "gt" / seq / "gt" / "gt.txt")
        shutil.copy(src / "seqinfo.ini", root / "gt" / seq / "seqinfo.ini")
    for name in (clean, "half"):
        (root / "trackers" / name).mkdir(parents=True)
        for seq, path in tracker_files.items():
            rows = np.loadtxt(path, delimiter=",", ndmin=2)
            if name == "half":
                rows[:, 2:6] *= 0.5
            np.savetxt(root / "trackers" / name / f"{seq}.txt", rows, delimiter=",", fmt="%.17g")
    return root


@pytest.fixture(scope="module")
def datasets(tmp_path_factory, sample_dir, shared_data) -> dict[str, tuple[Path, str, str]]:
    seqs = ("TUD-Campus", "TUD-Stadtmitte")
    sample = halved(tmp_path_factory.mktemp("check_sample"), {s: sample_dir / "gt" / s for s in seqs},
                    {s: sample_dir / "trackers" / "masa" / f"{s}.txt" for s in seqs}, "masa")
    mot = shared_data / "mot_challenge"
    mot17 = halved(tmp_path_factory.mktemp("check_mot17"),
                   {MOT17_SEQ: mot / "gt" / "mot_challenge" / "MOT17-train" / MOT17_SEQ},
                   {MOT17_SEQ: mot / "trackers" / "mot_challenge" / "MOT17-train" / "MoTT" / "data" / f"{MOT17_SEQ}.txt"},
                   "MoTT")
    return {"sample": (sample, "MOT15", "TUD-Campus"), "mot17": (mot17, "MOT17", MOT17_SEQ)}


@pytest.mark.parametrize("name", ["sample", "mot17"])
def test_overview_banner_names_the_finding(name, datasets, app_server_factory, browser_page, open_app, screenshot,
                                           page_errors):
    root, benchmark, seq = datasets[name]
    url = app_server_factory("--gt-folder", root / "gt", "--trackers-folder", root / "trackers",
                             "--benchmark", benchmark)
    page = browser_page
    for size in SIZES:
        page.set_viewport_size(size)
        open_app(page, f"{url}/?seq={seq}&tracker=half")
        no_exception(page)
        banner = page.locator('[data-testid="stAlert"]').filter(has_text="Input check: 1 finding(s).")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("tracker half: boxes are off by a constant scale")
        expect(banner).to_contain_text("(fix: --fix half:scale=2)")
        screenshot(page, f"check_{name}_overview_{size['width']}x{size['height']}")
    assert not [e for e in page_errors if "pageerror" in e], page_errors
