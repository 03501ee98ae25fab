"""The Compare page offers the ``classes=1,7`` protocol (AppTest): on MOT17 it shows the same counts as
``diff_sequence`` between ``trackeval`` and ``classes=1,7`` with the rule named; on the bundled MOT15
sample (no classes in column 8) it says why it cannot score, without a traceback."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tracklens.analysis.diff import diff_sequence
from tracklens.dashboard.diff_views import summary_view
from tracklens.evaluate import load_sequence
from tracklens.layout import resolve
from tracklens.protocols import analyse_under, protocol
from tracklens.rundiff import gather
from test_app import APP, open_page

MOT17_SEQ = "MOT17-02-DPM"


def protocol_tables(at: AppTest) -> list:
    return [t.value for t in at.table if "explained by" in t.value.columns]


def test_sample_offers_classes_and_says_why_it_cannot_score() -> None:
    at = open_page("compare", frame="1", tracker2="masa")
    assert "classes=1,7" in at.selectbox(key="protocol_b").options
    at.selectbox(key="protocol_b").set_value("classes=1,7").run()
    assert not at.exception
    assert any(protocol("classes=1,7").rule == c.value for c in at.caption)
    assert any("Cannot score this run under both protocols" in w.value and "MOT15 ground truth has none" in w.value
               for w in at.warning)


@pytest.mark.shared
def test_mot17_trackeval_against_classes_on_the_compare_page(shared_data: Path, tmp_path: Path, monkeypatch) -> None:
    root = shared_data / "mot_challenge"
    seqmap = tmp_path / "one.txt"
    seqmap.write_text(f"name\n{MOT17_SEQ}\n")
    gt, trackers = root / "gt" / "mot_challenge", root / "trackers" / "mot_challenge"
    monkeypatch.setattr(sys, "argv", [APP, "--gt-folder", str(gt), "--trackers-folder", str(trackers),
                                      "--seqmap", str(seqmap), "--trackers", "BoTSORT", "MoTT"])
    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in {"seq": MOT17_SEQ, "tracker": "BoTSORT", "tracker2": "MoTT", "frame": "1"}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/compare.py").run()
    at.selectbox(key="protocol_b").set_value("classes=1,7").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(protocol("classes=1,7").rule == c.value for c in at.caption)
    assert any("--protocols trackeval,classes=1,7" in c.value for c in at.caption)
    layout = resolve(str(gt), str(trackers), "MOT17", "train", str(seqmap), ["BoTSORT"])
    loaded = load_sequence(layout.sequences[0])
    g, tr = loaded.gt, loaded.trackers["BoTSORT"]
    part = diff_sequence(analyse_under("trackeval", MOT17_SEQ, g, tr, "BoTSORT"),
                         analyse_under("classes=1,7", MOT17_SEQ, g, tr, "BoTSORT"), 9)
    want = summary_view(gather([part], "a", "b", 0.5, 0.5, 0.5), MOT17_SEQ)
    shown = protocol_tables(at)[-1]
    assert shown.equals(want)
    fp = shown[(shown["measure"] == "FP") & shown["matching"].str.startswith("CLEAR")].iloc[0]
    assert fp["B − A"].startswith("+")  # tracker boxes on static persons are scored now, not removed
