"""Every dashboard page through AppTest on a saved MOTS run (``mask_data``): renders without an
exception or error; the inspector and the pages that re-evaluate work on masks."""
from __future__ import annotations

from pathlib import Path

import pytest
from mask_data import SEQUENCE, write_mots_dataset
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ["inspector", "tracks", "compare", "whatif", "metrics", "breakdowns", "patches", "sweep"]


@pytest.fixture(scope="module")
def mask_run(tmp_path_factory) -> str:
    from tracklens.dashboard.cli import main

    root = tmp_path_factory.mktemp("mots")
    gt, trs = write_mots_dataset(root / "data")
    assert main(["eval", "--format", "mots", "--gt-folder", str(gt), "--trackers-folder", str(trs),
                 "--save", str(root / "run"), "--quiet"]) == 0
    return str(root / "run")


def test_saved_mask_run_every_page(mask_run):
    from tracklens.dashboard.loading import Source
    from tracklens.workspace import Workspace

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["_opened_source"] = Source(run_dir=mask_run)
    for key, value in {"cls": "pedestrian", "seq": SEQUENCE, "tracker": "swapper", "frame": "14"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Overview · class pedestrian"
    saved = Workspace.load(mask_run).for_class("pedestrian").metrics["swapper"][SEQUENCE]
    shown = at.dataframe[0].value.set_index("tracker").loc["swapper"]
    assert shown["IDSW"] == saved["IDSW"] > 0 and shown["CLR_FP"] == saved["CLR_FP"] > 0
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception and not at.error, (page, [e.message for e in at.exception], [e.value for e in at.error])
    at.switch_page("app_pages/inspector.py").run()
    assert at.title[0].value.replace("\\", "") == f"Frame inspector · {SEQUENCE} · swapper · class pedestrian"
    assert any("Every IoU here is mask IoU" in c.value for c in at.caption)
