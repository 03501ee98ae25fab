"""Folders typed in the dashboard stay inside the data roots given at start, and a failed open (a
folder outside the roots, bad data) shows a clear error while the data already shown stays.

Confinement is checked on ``tracklens.dashboard.data_access`` directly (``../``, symbolic links, absolute
paths, prefix look-alikes), then the sidebar "Open data" form is driven through Streamlit's AppTest.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tracklens.errors import InputError
from tracklens.dashboard.data_access import confine, data_roots, open_folders
from tracklens.dashboard.loading import SAMPLE
from hostile.corpus import GOOD, make_dataset, write

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
OUTSIDE = "outside the data folders"


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """root/ (the data root) with data/ inside; secret/ beside it, outside the root."""
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "gt").mkdir()
    (tmp_path / "root2").mkdir()  # a prefix look-alike of root: /…/root2 is not inside /…/root
    return {"root": root, "data": root / "data", "secret": tmp_path / "secret", "lookalike": tmp_path / "root2"}


# ------------------------------------------------------------------------------------ confine()


def test_path_inside_a_root_is_allowed(tree) -> None:
    assert confine(str(tree["data"]), [str(tree["root"])]) == os.path.realpath(tree["data"])
    assert confine(str(tree["root"]), [str(tree["root"])]) == os.path.realpath(tree["root"])


def test_relative_path_is_taken_inside_the_root(tree) -> None:
    assert confine("data", [str(tree["root"])]) == os.path.realpath(tree["data"])


@pytest.mark.parametrize("typed", ["{root}/../secret", "{root}/data/../../secret/gt", "../secret", "data/../../secret"])
def test_dotdot_escape_is_refused(tree, typed: str) -> None:
    with pytest.raises(InputError) as info:
        confine(typed.format(root=tree["root"]), [str(tree["root"])])
    assert OUTSIDE in info.value.reason and "--data-root" in info.value.fix


def test_absolute_path_outside_is_refused(tree) -> None:
    for typed in (str(tree["secret"]), "/etc", "/", str(tree["lookalike"])):
        with pytest.raises(InputError, match=OUTSIDE):
            confine(typed, [str(tree["root"])])


def test_symlink_escape_is_refused(tree) -> None:
    link = tree["data"] / "escape"
    os.symlink(tree["secret"], link)
    with pytest.raises(InputError, match=OUTSIDE):
        confine(str(link), [str(tree["root"])])
    with pytest.raises(InputError, match=OUTSIDE):
        confine(str(link / "gt"), [str(tree["root"])])
    with pytest.raises(InputError, match=OUTSIDE):
        confine("data/escape", [str(tree["root"])])


def test_symlink_inside_the_root_is_allowed(tree) -> None:
    (tree["root"] / "other").mkdir()
    os.symlink(tree["root"] / "other", tree["data"] / "inside")
    assert confine(str(tree["data"] / "inside"), [str(tree["root"])]) == os.path.realpath(tree["root"] / "other")


def test_root_given_through_a_symlink(tree, tmp_path: Path) -> None:
    os.symlink(tree["root"], tmp_path / "root_link")
    assert confine(str(tree["data"]), [str(tmp_path / "root_link")]) == os.path.realpath(tree["data"])


@pytest.mark.parametrize("typed,words", [("", "no folder given"), ("   ", "no folder given"),
                                         ("a\x00b", "not a usable path")])
def test_unusable_input(tree, typed: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        confine(typed, [str(tree["root"])])


def test_no_roots_refuses_everything(tree) -> None:
    with pytest.raises(InputError, match="without any data folder"):
        confine(str(tree["data"]), [])


def test_data_roots_from_the_app_arguments(tree, tmp_path: Path) -> None:
    roots = data_roots(["--data-root", str(tree["root"]), "--data-root", str(tmp_path / "missing"),
                        "--gt-folder", str(tree["secret"] / "gt"), "--trackers-folder", str(tree["data"])])
    assert roots == (os.path.realpath(tree["root"]), os.path.realpath(tree["secret"] / "gt"),
                     os.path.realpath(tree["data"]), os.path.realpath(SAMPLE))
    assert data_roots([]) == (os.path.realpath(SAMPLE),)


def test_a_file_linked_out_of_the_root_is_refused(tree) -> None:
    """The typed folders are inside, but a tracker file in them links to a file outside."""
    ds = make_dataset(tree["data"])
    write(tree["secret"] / "stolen.txt", GOOD)
    ds.tracker_file("B").unlink()
    os.symlink(tree["secret"] / "stolen.txt", ds.tracker_file("B"))
    with pytest.raises(InputError) as info:
        open_folders(str(ds.gt), str(ds.trackers), None, "MOT15", [str(tree["root"])])
    assert info.value.path == str(ds.tracker_file("B")) and "link to a place outside" in info.value.reason


def test_open_folders_gives_a_source_with_resolved_paths(tree) -> None:
    ds = make_dataset(tree["data"])
    source = open_folders("data/gt", "data/trackers", "", " MOT15 ", [str(tree["root"])])
    assert source.gt_folder == os.path.realpath(ds.gt) and source.trackers_folder == os.path.realpath(ds.trackers)
    assert source.video_folder is None and source.benchmark == "MOT15"


# --------------------------------------------------------------------------- the app's Open-data form


def run_app(*app_args: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    argv = sys.argv
    sys.argv = [APP, *app_args]
    try:
        at.run()
        if page:
            at.switch_page(f"app_pages/{page}.py").run()
    finally:
        sys.argv = argv
    return at


def submit(at: AppTest, gt: str, trackers: str, benchmark: str = "MOT15", video: str = "") -> AppTest:
    at.text_input(key="open_gt").input(gt)
    at.text_input(key="open_trackers").input(trackers)
    at.text_input(key="open_video").input(video)
    at.text_input(key="open_benchmark").input(benchmark)
    argv = sys.argv
    sys.argv = [APP, *getattr(at, "_app_args", ())]
    try:
        at.button(key="open_submit").click().run()
    finally:
        sys.argv = argv
    return at


def shown(at: AppTest) -> tuple[str, list[str]]:
    """The data label in the sidebar (as the reader sees it: its Markdown escapes undone) and the sequences offered."""
    label = re.sub(r"\\(.)", r"\1", at.sidebar.caption[0].value)
    return label, list(at.sidebar.selectbox(key="seq").options)


@pytest.fixture
def app_on_sample(tree) -> AppTest:
    at = run_app("--data-root", str(tree["root"]))
    at._app_args = ("--data-root", str(tree["root"]))
    assert not at.exception and not at.error
    assert shown(at)[1] == ["TUD-Campus", "TUD-Stadtmitte"]
    return at


def test_form_refuses_a_folder_outside_the_roots_and_keeps_the_data(app_on_sample, tree) -> None:
    before = shown(app_on_sample)
    at = submit(app_on_sample, str(tree["root"] / ".." / "secret"), str(tree["data"]))
    assert not at.exception
    assert len(at.error) == 1 and OUTSIDE in shown_text(at.error[0].value) and "unchanged" in shown_text(at.error[0].value)
    assert shown(at) == before


def test_form_reports_bad_data_and_keeps_the_data(app_on_sample, tree) -> None:
    ds = make_dataset(tree["data"])
    write(ds.tracker_file("A"), GOOD + "2,1,10,10,20\n")
    before = shown(app_on_sample)
    at = submit(app_on_sample, str(ds.gt), str(ds.trackers))
    assert not at.exception
    assert len(at.error) == 1 and f"{ds.tracker_file('A')}:2:" in shown_text(at.error[0].value)
    assert shown(at) == before
    assert at.dataframe, "the overview of the old data is still drawn"


def test_form_opens_a_good_folder(app_on_sample, tree) -> None:
    ds = make_dataset(tree["data"])
    at = submit(app_on_sample, "data/gt", "data/trackers")
    assert not at.exception and not at.error
    label, seqs = shown(at)
    assert seqs == ["A", "B"] and os.path.realpath(ds.gt) in label
    assert at.sidebar.selectbox(key="tracker").value == "t1"
    at.run()  # a later rerun keeps the opened data
    assert shown(at)[1] == ["A", "B"] and not at.exception


def test_bad_start_data_can_be_replaced_from_the_form(tree) -> None:
    ds = make_dataset(tree["data"])
    write(ds.seqinfo("B"), "[Sequence]\nseqLength=inf\n")
    args = ("--gt-folder", str(ds.gt), "--trackers-folder", str(ds.trackers), "--benchmark", "MOT15",
            "--data-root", str(tree["root"]))
    at = run_app(*args)
    at._app_args = args
    assert not at.exception and "seqLength='inf' is not a number" in shown_text(at.error[0].value)
    write(ds.seqinfo("B"), "[Sequence]\nseqLength=10\n")
    good = make_dataset(tree["root"] / "fixed")
    at = submit(at, str(good.gt), str(good.trackers))
    assert not at.exception and not at.error
    assert shown(at)[1] == ["A", "B"]


def test_corrupt_video_shows_a_note_not_a_traceback(tree) -> None:
    ds = make_dataset(tree["data"])
    videos = tree["data"] / "videos"
    write(videos / "A.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    at = run_app("--gt-folder", str(ds.gt), "--trackers-folder", str(ds.trackers), "--video-folder", str(videos),
                 "--benchmark", "MOT15", page="inspector")
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error
    assert any("Cannot show the footage" in i.value and "A.mp4" in i.value for i in at.info)


@pytest.mark.parametrize("benchmark", ["../../secret", "MOT17/../..", "a b", ".hidden"])
def test_benchmark_cannot_steer_the_folder(tree, benchmark: str) -> None:
    """The benchmark name becomes part of a folder name (<gt>/<BENCH>-<split>): only plain names."""
    make_dataset(tree["data"])
    with pytest.raises(InputError, match="not a benchmark name"):
        open_folders("data/gt", "data/trackers", None, benchmark, [str(tree["root"])])


def shown_text(markdown: str) -> str:
    """An error's Markdown source as it reads on screen: names from files are escaped (``text.plain``)."""
    return re.sub(r"\\(.)", r"\1", markdown)
