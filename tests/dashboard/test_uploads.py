"""Uploads in the sidebar "Open data" form: ``tracklens.dashboard.uploads`` turns uploaded bytes into a folder
core reads (a gt.txt + tracker files, or one zip), and refuses zip-slip, absolute paths, zip bombs,
empty uploads and binary garbage with a message; then the form itself, through Streamlit's AppTest
(its ``file_uploader`` element stages files in memory, so no browser is needed here; the size limit
that the browser enforces is tested in tests/browser/test_upload.py).
"""
from __future__ import annotations

import gc
import io
import os
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tracklens.errors import InputError
from tracklens.formats.motchallenge import MAX_FRAMES
from tracklens.workspace import Workspace
from tracklens.dashboard.data_access import UPLOAD_DIR
from tracklens.dashboard.loading import SAMPLE
from tracklens.dashboard.uploads import Owned, extract_zip, max_frame, write_upload

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
GT = (SAMPLE / "gt" / "TUD-Campus" / "gt" / "gt.txt").read_bytes()
MASA = (SAMPLE / "trackers" / "masa" / "TUD-Campus.txt").read_bytes()
MOTMETRICS = (SAMPLE / "trackers" / "motmetrics_test" / "TUD-Campus.txt").read_bytes()
BAD_LINE = MASA.count(b"\n") + 1  # a 5-column row appended to MASA
SEQINFO = (SAMPLE / "gt" / "TUD-Campus" / "seqinfo.ini").read_bytes()


def zipped(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The upload folder, with a sibling that nothing may be written to."""
    (tmp_path / "upload").mkdir()
    return tmp_path / "upload"


def opened(source) -> Workspace:
    return Workspace.from_folders(source.gt_folder, source.trackers_folder, benchmark=source.benchmark,
                                  split=source.split, analyse_now=False)


def everything_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


# ------------------------------------------------------------------------------------ valid uploads


def test_gt_and_trackers_give_a_layout_core_reads(folder) -> None:
    source = write_upload(("gt.txt", GT), [("masa.txt", MASA), ("motmetrics_test.txt", MOTMETRICS)],
                          str(folder), "MOT15", sequence="TUD-Campus")
    assert source.upload == "gt.txt + masa.txt + motmetrics_test.txt" and source.benchmark == "MOT15"
    ws = opened(source)
    assert ws.trackers == ["masa", "motmetrics_test"] and [s.name for s in ws.sequences] == ["TUD-Campus"]
    # No seqinfo: the length is the largest frame in the files (71, what the sample's seqinfo.ini says).
    assert "seqLength=71" in (folder / "gt" / "TUD-Campus" / "seqinfo.ini").read_text()
    reference = Workspace.from_folders(str(SAMPLE / "gt"), str(SAMPLE / "trackers"), benchmark="MOT15",
                                       analyse_now=False)
    for tracker in ws.trackers:  # the same numbers as the sample's folders give
        np.testing.assert_array_equal(ws.metrics[tracker]["TUD-Campus"]["HOTA"],
                                      reference.metrics[tracker]["TUD-Campus"]["HOTA"])


def test_given_length_and_default_sequence_name(folder) -> None:
    source = write_upload(("gt.txt", GT), [("masa.txt", MASA)], str(folder), "MOT15", length=80)
    assert "seqLength=80" in (folder / "gt" / "upload" / "seqinfo.ini").read_text()
    assert [s.name for s in opened(source).sequences] == ["upload"]


def test_tracker_names_are_sanitised_and_stay_in_the_folder(folder) -> None:
    source = write_upload(("../../gt.txt", GT), [("../../evil name$.txt", MASA), ("C:\\x\\b.txt", MASA)],
                          str(folder), "MOT15", sequence="../seq")
    assert opened(source).trackers == ["b", "evil_name_"]
    assert [p.name for p in folder.parent.iterdir()] == ["upload"], "nothing is written beside the folder"
    assert everything_under(folder / "gt") == ["seq", "seq/gt", "seq/gt/gt.txt", "seq/seqinfo.ini"]


@pytest.mark.parametrize("top", ["", "data/", "my upload/TrackEval/"])
def test_zip_in_trackeval_layout(folder, top: str) -> None:
    data = zipped({f"{top}gt/MOT15-train/TUD-Campus/gt/gt.txt": GT,
                   f"{top}gt/MOT15-train/TUD-Campus/seqinfo.ini": SEQINFO.replace(b"71", b"75"),
                   f"{top}trackers/MOT15-train/masa/data/TUD-Campus.txt": MASA,
                   "__MACOSX/._gt.txt": b"\x00\x05\x16\x07"})
    source = write_upload(("run.zip", data), [], str(folder), "MOT17")
    assert (source.benchmark, source.split, source.upload) == ("MOT15", "train", "run.zip")  # from the folder name
    ws = opened(source)
    assert ws.trackers == ["masa"] and ws.sequences[0].num_frames == 75  # its own seqinfo.ini is kept


def test_zip_in_plain_layout_without_seqinfo(folder) -> None:
    data = zipped({"gt/TUD-Campus/gt/gt.txt": GT, "trackers/masa/TUD-Campus.txt": MASA,
                   "trackers/motmetrics_test/TUD-Campus.txt": MOTMETRICS})
    ws = opened(extract_zip("plain.zip", data, str(folder), "MOT15"))
    assert ws.trackers == ["masa", "motmetrics_test"] and ws.sequences[0].num_frames == 71


def test_core_validation_errors_name_the_file_and_line(folder) -> None:
    source = write_upload(("gt.txt", GT), [("masa.txt", MASA + b"5,1,10,10,20\n")], str(folder), "MOT15")
    with pytest.raises(InputError) as info:
        opened(source)
    assert info.value.path.endswith(os.path.join("trackers", "masa", "upload.txt"))
    assert info.value.line == BAD_LINE and info.value.fix


# ------------------------------------------------------------------------------------ refused uploads


@pytest.mark.parametrize("entry", ["../evil.txt", "gt/../../evil.txt", "gt\\..\\..\\evil.txt", "a/b/../../../evil.txt"])
def test_zip_slip_is_refused(folder, entry: str) -> None:
    with pytest.raises(InputError, match=r"'\.\.'") as info:
        extract_zip("slip.zip", zipped({"gt/A/gt/gt.txt": GT, entry: b"pwned"}), str(folder))
    assert "slip.zip" in info.value.path and "evil.txt" in info.value.path
    assert everything_under(folder.parent) == ["upload"], "nothing is written, inside or out"


@pytest.mark.parametrize("entry", ["/tmp/evil.txt", "\\evil.txt", "C:/evil.txt", "c:evil.txt"])
def test_absolute_zip_entries_are_refused(folder, entry: str) -> None:
    with pytest.raises(InputError, match="absolute path"):
        extract_zip("abs.zip", zipped({"gt/A/gt/gt.txt": GT, entry: b"pwned"}), str(folder))
    assert everything_under(folder.parent) == ["upload"]


def test_zip_bomb_is_refused_before_unpacking(folder) -> None:
    bomb = zipped({"gt/A/gt/gt.txt": b"0" * (3 * 1024**2)})
    assert len(bomb) < 20_000
    with pytest.raises(InputError, match=r"unpacks to 3 MiB, above the 1 MiB limit") as info:
        extract_zip("bomb.zip", bomb, str(folder), max_bytes=1024**2)
    assert info.value.fix and everything_under(folder) == []


def test_zip_whose_directory_lies_about_sizes_is_stopped_while_unpacking(folder) -> None:
    """A zip declaring 10 bytes for a 3 MiB entry passes the declared-size check, but no more than
    the declared bytes are unpacked (then its CRC fails): a clear error, nothing big written."""
    data = bytearray(zipped({"gt/A/gt/gt.txt": b"0" * (3 * 1024**2)}))
    size = (3 * 1024**2).to_bytes(4, "little")
    data[:] = data.replace(size, (10).to_bytes(4, "little"))  # local header and central directory
    with pytest.raises(InputError) as info:
        extract_zip("liar.zip", bytes(data), str(folder), max_bytes=1024**2)
    assert "liar.zip" in info.value.path and "cannot unpack" in info.value.reason
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) <= 1024**2


@pytest.mark.parametrize("gt,trackers,words", [
    (None, [("masa.txt", MASA)], "no ground-truth file uploaded"),
    (("gt.txt", GT), [], "no tracker result uploaded"),
    (("gt.txt", b""), [("masa.txt", MASA)], "the ground-truth file is empty"),
    (("gt.txt", b" \n\n"), [("masa.txt", MASA)], "the ground-truth file is empty"),
    (("empty.zip", b""), [], "not a zip archive"),
    (("empty.zip", zipped({})), [], "the zip holds no files"),
    (("dirs.zip", zipped({"gt/": b"", "trackers/": b""})), [], "the zip holds no files"),
    (("run.zip", zipped({"gt/A/gt/gt.txt": GT})), [], "no folder in the zip holds both gt/ and trackers/"),
    (("run.zip", zipped({"gt/A/gt/gt.txt": GT})), [("masa.txt", MASA)], "tracker files were uploaded too"),
    (("gt.txt", GT), [("masa.txt", MASA), ("masa", MASA)], "the same name"),
    (("gt.txt", GT), [("...txt", MASA)], "cannot make a tracker name"),
    (("gt.txt", GT), [("masa.txt", b"")], None),  # an empty result is valid: no boxes
])
def test_empty_or_incomplete_uploads(folder, gt, trackers, words) -> None:
    if words is None:
        assert opened(write_upload(gt, trackers, str(folder), "MOT15")).trackers == ["masa"]
        return
    with pytest.raises(InputError, match=words) as info:
        write_upload(gt, trackers, str(folder), "MOT15")
    assert info.value.fix


GARBAGE = bytes(range(128, 256)) * 4


@pytest.mark.parametrize("which", ["gt", "tracker"])
def test_non_utf8_garbage_is_refused(folder, which: str) -> None:
    gt = ("gt.txt", GARBAGE if which == "gt" else GT)
    trackers = [("masa.txt", GARBAGE if which == "tracker" else MASA)]
    with pytest.raises(InputError, match="not UTF-8 text") as info:
        write_upload(gt, trackers, str(folder), "MOT15")
    assert info.value.path == ("gt.txt" if which == "gt" else "masa.txt") and "MOTChallenge" in info.value.fix


def test_garbage_in_a_zip_is_refused_when_inferring_the_length(folder) -> None:
    with pytest.raises(InputError, match="not UTF-8 text") as info:
        extract_zip("z.zip", zipped({"gt/A/gt/gt.txt": GARBAGE, "trackers/t/A.txt": MASA}), str(folder))
    assert info.value.path == os.path.join("z.zip", "gt", "A", "gt", "gt.txt")
    with pytest.raises(InputError, match="not a zip archive"):
        extract_zip("z.zip", GARBAGE, str(folder))


def test_max_frame() -> None:
    assert max_frame("f", b"1,1,1,1,1,1\n  12.0 2 1 1 1 1\r\n3,1,1,1,1,1\nx,1\n") == 12
    assert max_frame("f", b"") == 0
    assert max_frame("f", "\ufeff7,1,1,1,1,1\n".encode()) == 7
    assert max_frame("f", b"9" * 400 + b",1,1,1,1,1\n") == MAX_FRAMES + 1  # no overflow


def test_a_frame_beyond_the_limit_is_refused(folder) -> None:
    with pytest.raises(InputError, match=f"above {MAX_FRAMES}"):
        write_upload(("gt.txt", GT + b"99999999999,1,1,1,1,1\n"), [("masa.txt", MASA)], str(folder), "MOT15")


# ------------------------------------------------------------------------------------ the app's form


def run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    argv, sys.argv = sys.argv, [APP]
    try:
        at.run()
    finally:
        sys.argv = argv
    assert not at.exception and not at.error
    return at


def upload(at: AppTest, gt: tuple[str, bytes] | None, trackers: list[tuple[str, bytes]], **fields) -> AppTest:
    uploader = at.file_uploader(key="upload_gt")
    uploader.set_value((gt[0], gt[1], "text/plain") if gt else None)
    at.file_uploader(key="upload_trackers").set_value([(n, d, "text/plain") for n, d in trackers] or None)
    at.text_input(key="upload_benchmark").input(fields.get("benchmark", "MOT15"))
    at.text_input(key="upload_sequence").input(fields.get("sequence", ""))
    return at.button(key="upload_submit").click().run()


def shown(at: AppTest) -> tuple[str, list[str], list[str]]:
    """The sidebar's data label as a reader sees it (Markdown escapes undone), sequences, trackers."""
    return (re.sub(r"\\(.)", r"\1", at.sidebar.caption[0].value), list(at.sidebar.selectbox(key="seq").options),
            list(at.sidebar.selectbox(key="tracker").options))


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch) -> Path:
    """Upload folders go to tmp_path/tmp (tempfile's folder), where the test can count them."""
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path / "tmp"


def test_form_opens_uploaded_files(private_tmp) -> None:
    at = upload(run_app(), ("gt.txt", GT), [("masa.txt", MASA)], sequence="TUD-Campus")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert shown(at) == ("uploaded: gt.txt + masa.txt", ["TUD-Campus"], ["masa"])
    assert at.dataframe, "the overview of the uploaded data is drawn"
    folders = list(private_tmp.iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("tracklens-upload-")
    assert at.session_state[UPLOAD_DIR].path == str(folders[0])
    help_text = at.file_uploader(key="upload_gt").help
    assert "200 MB" in help_text and "gt/<seq>/gt/gt.txt" in help_text

    # A second upload replaces the first: the first folder goes.
    at = upload(at, ("gt.txt", GT), [("motmetrics_test.txt", MOTMETRICS)], sequence="Campus")
    assert shown(at) == ("uploaded: gt.txt + motmetrics_test.txt", ["Campus"], ["motmetrics_test"])
    assert [p.name for p in private_tmp.iterdir()] == [os.path.basename(at.session_state[UPLOAD_DIR].path)]
    assert folders[0].name not in [p.name for p in private_tmp.iterdir()]

    # Folders typed in the form replace it too; then no upload folder is left.
    at.text_input(key="open_gt").input(str(SAMPLE / "gt"))
    at.text_input(key="open_trackers").input(str(SAMPLE / "trackers"))
    at.text_input(key="open_benchmark").input("MOT15")
    at.button(key="open_submit").click().run()
    assert not at.error and shown(at)[1] == ["TUD-Campus", "TUD-Stadtmitte"]
    assert list(private_tmp.iterdir()) == [] and at.session_state[UPLOAD_DIR] is None


def test_an_upload_folder_goes_with_its_session(tmp_path) -> None:
    folder = tmp_path / "tracklens-upload-x"
    folder.mkdir()
    owned = Owned(str(folder))
    del owned  # the session's state dropped
    gc.collect()
    assert not folder.exists()


@pytest.mark.parametrize("gt,trackers,words", [
    (("gt.txt", GT), [("masa.txt", MASA + b"5,1,10,10,20\n")],
     f"upload/trackers/masa/upload.txt:{BAD_LINE}: row has fewer than 6 values"),
    (("run.zip", zipped({"../evil.txt": b"x", "gt/A/gt/gt.txt": GT})), [], "'..'"),
    (("gt.txt", GARBAGE), [("masa.txt", MASA)], "gt.txt: this is not UTF-8 text"),
    (None, [("masa.txt", MASA)], "no ground-truth file uploaded"),
])
def test_form_reports_a_bad_upload_and_keeps_the_data(private_tmp, gt, trackers, words) -> None:
    at = run_app()
    before = shown(at)
    at = upload(at, gt, trackers)
    assert not at.exception
    assert len(at.error) == 1 and words in shown_text(at.error[0].value), shown_text(at.error[0].value)
    assert "the data shown is unchanged" in shown_text(at.error[0].value) and str(private_tmp) not in shown_text(at.error[0].value)
    assert shown(at) == before and at.dataframe
    assert list(private_tmp.iterdir()) == [], "the failed upload's folder is deleted"


def shown_text(markdown: str) -> str:
    """An error's Markdown source as it reads on screen: names from files are escaped (``text.plain``)."""
    return re.sub(r"\\(.)", r"\1", markdown)
