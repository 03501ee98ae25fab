"""The Overview's banner of tracklens check: the finding named in plain text, the fixes a run was
evaluated with, nothing on clean data."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tracklens.dashboard.cli import main
from tracklens.dashboard.input_check import banner_lines
from tracklens.dashboard.text import plain

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
SEQS = ("TUD-Campus", "TUD-Stadtmitte")


@pytest.fixture(scope="module")
def halved_copy(tmp_path_factory, sample_dir) -> Path:
    """The sample's gt and its masa tracker written at half scale (as if run on resized images)."""
    root = tmp_path_factory.mktemp("halved")
    shutil.copytree(sample_dir / "gt", root / "gt")
    (root / "trackers" / "half").mkdir(parents=True)
    for seq in SEQS:
        rows = np.loadtxt(sample_dir / "trackers" / "masa" / f"{seq}.txt", delimiter=",")
        rows[:, 2:6] *= 0.5
        np.savetxt(root / "trackers" / "half" / f"{seq}.txt", rows, delimiter=",", fmt="%.17g")
    return root


def run_app(*argv) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    saved = sys.argv
    sys.argv = [APP, *map(str, argv)]
    try:
        at.run()
    finally:
        sys.argv = saved
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_banner_names_the_finding_and_its_fix(halved_copy):
    at = run_app("--gt-folder", halved_copy / "gt", "--trackers-folder", halved_copy / "trackers", "--benchmark", "MOT15")
    [warning] = at.warning
    assert warning.value.startswith("Input check: 1 finding(s). " + plain("tracker half: boxes are off by a constant scale"))
    assert plain("(fix: --fix half:scale=2)") in warning.value
    assert not at.info


def test_no_banner_on_the_clean_sample():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert not [w for w in at.warning if w.value.startswith("Input check")]


def test_a_saved_run_shows_the_fixes_it_was_evaluated_with(halved_copy, tmp_path):
    run_dir = tmp_path / "run"
    assert main(["eval", "--gt-folder", str(halved_copy / "gt"), "--trackers-folder", str(halved_copy / "trackers"),
                 "--benchmark", "MOT15", "--fix", "half:scale=2", "--save", str(run_dir), "--quiet"]) == 0
    at = run_app(run_dir)
    assert not [w for w in at.warning if w.value.startswith("Input check")]  # the fix is applied: nothing left
    [info] = [i for i in at.info if i.value.startswith("Evaluated with explicit fixes")]
    assert info.value.endswith(plain("--fix half:scale=2"))
    from tracklens.dashboard.report import build_report
    from tracklens.workspace import Workspace
    html = build_report(Workspace.load(str(run_dir)), whatif=False, max_tracks=0)
    assert "<th>explicit fixes</th><td>--fix half:scale=2: applied to the tracker files before the evaluation</td>" in html
    assert "--benchmark MOT15 --fix half:scale=2</pre>" in html
    assert "<th>input check</th><td>no findings (tracklens check)</td>" in html


def test_the_report_names_the_findings(halved_copy, tmp_path):
    run_dir = tmp_path / "run"
    assert main(["eval", "--gt-folder", str(halved_copy / "gt"), "--trackers-folder", str(halved_copy / "trackers"),
                 "--benchmark", "MOT15", "--save", str(run_dir), "--quiet"]) == 0
    from tracklens.dashboard.report import build_report
    from tracklens.workspace import Workspace
    html = build_report(Workspace.load(str(run_dir)), whatif=False, max_tracks=0)
    assert "<th>input check</th><td>tracker half: boxes are off by a constant scale" in html
    assert "(fix: --fix half:scale=2)</td>" in html


def test_banner_text_is_plain():
    warning, note = banner_lines([{"message": "tracker *x*: [a](http://h)", "fixes": ["*x*:offset=1"]}], ("k:corners",))
    assert plain("tracker *x*: [a](http://h) (fix: --fix *x*:offset=1)") in warning
    assert "*x*" not in warning and "[a]" not in warning
    assert note.endswith(plain("--fix k:corners"))
    assert banner_lines([], ()) == (None, None)
