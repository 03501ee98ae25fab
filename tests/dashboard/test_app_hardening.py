"""The app against crafted links, hostile names, hostile uploads and an unusable cache (issue 13,
items 1, 2, 6 and 9), through Streamlit's AppTest."""
from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tracklens.dashboard import uploads
from tracklens.dashboard.text import plain
from tracklens.dashboard.uploads import extract_zip, within_quota
from tracklens.errors import InputError
from hostile.corpus import make_dataset

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture(autouse=True)
def app_argv(monkeypatch) -> list[str]:
    """What ``streamlit run app.py -- ARGS`` gives the app (it reads argv only when argv[0] is app.py), for
    every rerun of the test."""
    argv = [APP]
    monkeypatch.setattr(sys, "argv", argv)
    return argv


def app(*argv: str, **params: str) -> AppTest:
    sys.argv[1:] = argv
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


# ------------------------------------------------------------------------------------ crafted links


@pytest.mark.parametrize("params", [{"track": "²"}, {"track": "9" * 5000}, {"frame": "9" * 5000},
                                    {"frame": "٣"}, {"alpha": "nan"}, {"alpha": "1" * 5000},
                                    {"seq": "../../etc"}, {"tracker": "<img src=x>"}],
                         ids=["superscript-track", "5000-digit-track", "5000-digit-frame", "arabic-frame", "nan-alpha",
                              "long-alpha", "seq-path", "tracker-html"])
def test_crafted_links_do_not_break_any_page(params: dict) -> None:
    at = app(**params)
    assert not at.exception, [e.message for e in at.exception]
    for page in ("inspector", "tracks"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, [e.message for e in at.exception])
    assert at.session_state["track"] is None or isinstance(at.session_state["track"], int)
    assert 1 <= at.session_state["frame"] < 10**13


# ------------------------------------------------------------------------------------ names as text


def test_plain_escapes_markdown_and_directives() -> None:
    assert plain("![b](http://host/x.png)") == r"\!\[b\]\(http\://host/x\.png\)"
    assert plain(":red[x] <script>") == r"\:red\[x\] \<script\>"
    assert plain("a\nb\x1b[31m") == r"a?b?\[31m"


@pytest.fixture
def hostile_names(tmp_path: Path) -> Path:
    """A dataset whose tracker and sequence names are Markdown that would fetch from a host."""
    ds = make_dataset(tmp_path / "data")
    seq, tracker = "![s](http:seq-host)", "![b](http:tracker-host)"
    (ds.gt / "A").rename(ds.gt / seq)
    (ds.trackers / "t1" / "A.txt").rename(ds.trackers / "t1" / f"{seq}.txt")
    (ds.trackers / "t1").rename(ds.trackers / tracker)
    return ds.root


@pytest.mark.parametrize("page", ["inspector", "tracks", "whatif", "metrics"])
def test_names_are_shown_as_plain_text(hostile_names: Path, page: str) -> None:
    at = app("--gt-folder", str(hostile_names / "gt"), "--trackers-folder", str(hostile_names / "trackers"),
             "--benchmark", "MOT15", seq="![s](http:seq-host)")
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    title = at.title[0].value
    if page == "whatif":  # its title names the tracker; the sequence is one of its two scopes
        title += " " + " ".join(at.radio(key="whatif_scope").options)
    assert "![s](" not in title and plain("![s](http:seq-host)") in title
    if page != "metrics":
        assert "![b](" not in title and plain("![b](http:tracker-host)") in title


# ------------------------------------------------------------------------------------ uploads


def zipped(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def escape_zip(target: str) -> bytes:
    """The issue's zip: a TrackEval seqmap naming ``target`` (absolute or ../), and placeholder folders."""
    return zipped({"gt/seqmaps/MOT15-train.txt": f"name\n{target}\n".encode(), "gt/MOT15-train/README": b"x",
                   "trackers/t/data/README": b"x"})


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A readable dataset outside every root: what the escaping zip pointed at."""
    ds = make_dataset(tmp_path / "outside")
    return ds.gt / "A"


@pytest.mark.parametrize("how", ["absolute", "relative", "missing"])
def test_upload_cannot_escape_the_upload_folder(tmp_path: Path, outside: Path, how: str) -> None:
    folder = tmp_path / "up" / "tracklens-upload-x"
    folder.mkdir(parents=True)
    target = {"absolute": str(outside), "relative": "../../../../outside/gt/A", "missing": "/nonexistent/X"}[how]
    with pytest.raises(InputError) as info:
        extract_zip("evil.zip", escape_zip(target), str(folder))
    message = str(info.value)
    assert "not a plain folder name" in message
    assert str(tmp_path) not in message.replace(target, "NAME"), "it echoes the name sent, nothing of the server"
    assert not (outside / "seqinfo.ini.bak").exists()
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert all(w.startswith(("up/", "outside/")) for w in written)
    assert not any("X" in w for w in written), "no X/seqinfo.ini anywhere"


def test_refusal_does_not_say_which_paths_exist(tmp_path: Path, outside: Path) -> None:
    """The same message (but for the name itself) whether the target exists or not."""
    messages = []
    for target in (str(outside), "/nonexistent/A"):
        folder = Path(tempfile.mkdtemp(dir=tmp_path, prefix="tracklens-upload-"))
        with pytest.raises(InputError) as info:
            extract_zip("evil.zip", escape_zip(target), str(folder))
        messages.append(info.value.reason.replace(repr(target), "NAME"))
    assert messages[0] == messages[1]


def test_session_quota() -> None:
    within_quota([("a", b"x" * 1024)], quota_mb=1)
    with pytest.raises(InputError, match="above the 1 MiB one session may upload at once"):
        within_quota([("a", b"x" * 600_000), ("b", b"x" * 600_000)], quota_mb=1)


def test_upload_form_refuses_the_escape_and_keeps_serving(tmp_path: Path, monkeypatch, outside: Path) -> None:
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    at = app()
    before = list(at.sidebar.selectbox(key="seq").options)
    at.file_uploader(key="upload_gt").set_value(("evil.zip", escape_zip(str(outside)), "application/zip"))
    at.button(key="upload_submit").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "not a plain folder name" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value.replace(str(outside), "NAME"), "nothing but the name sent"
    assert list(at.sidebar.selectbox(key="seq").options) == before, "the data shown is unchanged"
    assert list((tmp_path / "tmp").iterdir()) == [], "the refused upload's folder is deleted"


def test_upload_form_applies_the_session_quota(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(uploads, "SESSION_QUOTA_MB", 1)
    monkeypatch.setattr(uploads.within_quota, "__defaults__", (1,))
    at = app()
    at.file_uploader(key="upload_gt").set_value(("gt.txt", b"1,1,1,1,1,1\n" * 60_000, "text/plain"))
    at.file_uploader(key="upload_trackers").set_value([("t.txt", b"1,1,1,1,1,1\n" * 60_000, "text/plain")])
    at.button(key="upload_submit").click().run()
    assert not at.exception and len(at.error) == 1 and "one session may upload at once" in at.error[0].value


# ------------------------------------------------------------------------------------ cache


def test_unwritable_cache_is_said_once(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("TRACKLENS_CACHE", str(blocker / "cache"))
    at = app()
    assert not at.exception and not at.error, "the app opens the data without the cache"
    assert len(at.toast) == 1 and "cannot be written" in at.toast[0].value
    at.run()
    assert len(at.toast) == 0, "said once per session"
    assert not list(tmp_path.rglob("*.tmp"))


# ------------------------------------------------------------------------------------ saved runs


def test_a_damaged_saved_run_is_one_line_in_the_page(tmp_path: Path) -> None:
    from tracklens.workspace import Workspace

    ds = make_dataset(tmp_path / "data")
    run = tmp_path / "run"
    Workspace.from_folders(str(ds.gt), str(ds.trackers), benchmark="MOT15").save(str(run))
    (run / "t1" / "A" / "boxes.parquet").write_bytes(b"PAR1 not really")
    at = app(str(run), seq="A")
    at.switch_page("app_pages/inspector.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.error) == 1 and "does not match the checksum" in at.error[0].value
