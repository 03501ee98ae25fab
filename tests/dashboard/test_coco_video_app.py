"""Saved runs of the COCO-video / VID formats and of ``--link iou`` open in the dashboard: every page
renders, the class selector lists the file's classes, and a linked tracker is shown under its
"ids linked by tracklens" name."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tracklens.dashboard.cli import main
from tracklens.dashboard.loading import Source

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ["inspector", "tracks", "compare", "whatif", "metrics"]


def _tao_run(root: Path) -> str:
    gt = root / "gt"
    gt.mkdir(parents=True)
    images = [{"id": 10 + f, "video_id": 1, "frame_index": f} for f in range(4)]
    anns = [{"id": f + 1, "image_id": 10 + f, "video_id": 1, "track_id": 1, "category_id": 1,
             "bbox": [10.0 + 5 * f, 20.0, 40.0, 80.0]} for f in range(4)]
    (gt / "val.json").write_text(json.dumps({
        "videos": [{"id": 1, "name": "src/clip", "neg_category_ids": [], "not_exhaustive_category_ids": []}],
        "images": images, "annotations": anns, "categories": [{"id": 1, "name": "person"}, {"id": 2, "name": "dog"}]}))
    res = root / "trackers" / "T" / "data"
    res.mkdir(parents=True)
    (res / "r.json").write_text(json.dumps([{"image_id": 10 + f, "category_id": 1, "track_id": 1 if f < 2 else 2,
                                             "bbox": [12.0 + 5 * f, 20.0, 40.0, 80.0], "score": 0.9}
                                            for f in range(4)]))
    assert main(["eval", "--format", "tao", "--gt-folder", str(gt), "--trackers-folder", str(root / "trackers"),
                 "--save", str(root / "run"), "--quiet"]) == 0
    return str(root / "run")


def test_saved_tao_run_every_page(tmp_path):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["_opened_source"] = Source(run_dir=_tao_run(tmp_path))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.selectbox(key="cls").options == ["person"]  # only categories with ground truth
    assert at.dataframe[0].value.set_index("tracker").loc["T", "IDSW"] == 1
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception and not at.error, (page, [e.message for e in at.exception])
        if page in ("whatif", "metrics"):
            assert "this run is TAO, evaluated per class (person)" in at.info[0].value


def test_saved_linked_run_shows_the_label(tmp_path):
    seq = tmp_path / "gt" / "S1"
    (seq / "gt").mkdir(parents=True)
    (seq / "seqinfo.ini").write_text("[Sequence]\nname=S1\nseqLength=4\n")
    (seq / "gt" / "gt.txt").write_text("".join(f"{f},1,{10 + 4 * f},50,40,80,1,1,1\n" for f in range(1, 5)))
    det = tmp_path / "trackers" / "det" / "data"
    det.mkdir(parents=True)
    (det / "S1.txt").write_text("".join(f"{f},-1,{11 + 4 * f},50,40,80,0.9\n" for f in range(1, 5)))
    run = tmp_path / "run"
    assert main(["eval", "--gt-folder", str(tmp_path / "gt"), "--trackers-folder", str(tmp_path / "trackers"),
                 "--link", "iou", "--save", str(run), "--quiet"]) == 0
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["_opened_source"] = Source(run_dir=str(run))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.selectbox(key="tracker").value == "det (ids linked by tracklens)"
    for page in PAGES:  # what-if and metrics compared evaluate again: through the same linker
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception and not at.error, (page, [e.message for e in at.exception], [e.value for e in at.error])
