"""Issue 13 in a real browser, against ``tracklens dashboard`` started as a user starts it (so behind
its Host/Origin guard): a DNS-rebinding page is refused, crafted links and Markdown names do nothing,
an escaping zip and a zip bomb are refused in one line while the server keeps serving, and the
per-session upload quota holds. Screenshots: tests/screenshots/hardening_*.png (1280x720, 1440x900).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hostile.corpus import make_dataset
from conftest import _healthy, no_exception, upload_tab  # tests/browser/conftest.py

REPO = Path(__file__).resolve().parents[2]
SIZES = {"1280x720": {"width": 1280, "height": 720}, "1440x900": {"width": 1440, "height": 900}}
TRACKER = "![b](http:beacon.invalid)"
QUOTA_MB = 1


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """``tracklens dashboard`` on a dataset whose tracker name is Markdown fetching from a host,
    with a 1 MB session upload quota; yields (base URL, port, outside dataset)."""
    root = tmp_path_factory.mktemp("hardening")
    ds = make_dataset(root / "data")
    (ds.trackers / "t1").rename(ds.trackers / TRACKER)
    outside = make_dataset(root / "outside").gt / "A"
    port = _port()
    env = {**os.environ, "TRACKLENS_SESSION_QUOTA_MB": str(QUOTA_MB), "TRACKLENS_CACHE": "off"}
    proc = subprocess.Popen([sys.executable, "-m", "tracklens.dashboard.cli", "dashboard", "--port", str(port),
                             "--gt-folder", str(ds.gt), "--trackers-folder", str(ds.trackers), "--benchmark", "MOT15"],
                            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while not _healthy(base):
        assert proc.poll() is None and time.monotonic() < deadline, "tracklens dashboard did not start"
        time.sleep(0.3)
    yield base, port, outside
    proc.terminate()
    proc.wait(timeout=30)


def shots(page, name: str, screenshot) -> None:
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(400)
        screenshot(page, f"hardening_{name}_{size}")


def test_dns_rebinding_page_is_refused(_chromium, guarded, screenshot) -> None:
    """evil.example resolves to 127.0.0.1 (as after a DNS rebinding): its page gets 403, and a
    websocket it opens to the dashboard is refused; the dashboard's own address works."""
    base, port, _ = guarded
    browser = _chromium.browser_type.launch(executable_path="/usr/bin/chromium", headless=True,
                                            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                                  "--host-resolver-rules=MAP evil.example 127.0.0.1"])
    try:
        page = browser.new_page(viewport=SIZES["1280x720"])
        response = page.goto(f"http://evil.example:{port}/")
        assert response.status == 403 and "Host header refused" in page.inner_text("body")
        opened = page.evaluate("""url => new Promise(done => {
            const ws = new WebSocket(url);
            ws.onopen = () => done("open");
            ws.onerror = () => done("refused");
        })""", f"ws://evil.example:{port}/_stcore/stream")
        assert opened == "refused"
        shots(page, "rebinding_refused", screenshot)
        assert page.goto(f"{base}/").status == 200
        page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
    finally:
        browser.close()


def test_markdown_names_fetch_nothing_and_show_as_text(browser_page, guarded, open_app, wait_idle,
                                                       screenshot) -> None:
    base = guarded[0]
    requests: list[str] = []
    browser_page.on("request", lambda r: requests.append(r.url))
    open_app(browser_page, f"{base}/inspector?seq=A")
    no_exception(browser_page)
    expect(browser_page.get_by_role("heading", level=1)).to_contain_text(f"Frame inspector · A · {TRACKER}")
    shots(browser_page, "markdown_name", screenshot)
    assert not [u for u in requests if "beacon" in u], "the name made the browser fetch"


@pytest.mark.parametrize("query", ["?track=%C2%B2", "?track=" + "9" * 5000, "?frame=" + "9" * 5000,
                                   "?alpha=nan&frame=-3"], ids=["superscript", "5000-digits", "huge-frame", "nan"])
def test_crafted_links_open_the_page(browser_page, guarded, open_app, screenshot, query: str, request) -> None:
    base = guarded[0]
    open_app(browser_page, f"{base}/inspector{query}")
    no_exception(browser_page)
    expect(browser_page.get_by_role("heading", level=1)).to_contain_text("Frame inspector")
    if request.node.callspec.id == "superscript":
        shots(browser_page, "crafted_link", screenshot)


def _zip(entries: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


def test_escaping_zip_and_zip_bomb_are_refused(browser_page, guarded, open_app, wait_idle, screenshot,
                                               tmp_path: Path) -> None:
    base, _, outside = guarded
    page = browser_page
    evil = _zip({"gt/seqmaps/MOT15-train.txt": f"name\n{outside}\n".encode(), "gt/MOT15-train/README": b"x",
                 "trackers/t/data/README": b"x"}, tmp_path / "evil.zip")
    open_app(page, base)
    sidebar = upload_tab(page, wait_idle)
    sidebar.locator('[data-testid="stFileUploader"]').nth(0).locator('input[type="file"]').set_input_files(str(evil))
    expect(sidebar.get_by_text("evil.zip", exact=True)).to_be_visible()
    sidebar.get_by_role("button", name="Open uploaded files").click()
    wait_idle(page)
    no_exception(page)
    error = sidebar.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("is not a plain folder name")
    expect(error).to_contain_text("the data shown is unchanged")
    error.scroll_into_view_if_needed()
    shots(page, "upload_escape", screenshot)
    assert not (outside / "seqinfo.ini.tmp").exists() and sorted(p.name for p in outside.iterdir()) == ["gt", "seqinfo.ini"]

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z, z.open("gt/A/gt/gt.txt", "w") as fp:
        for _ in range(100):
            fp.write(b"0" * (1 << 20))
    assert bomb.stat().st_size < QUOTA_MB * 1024**2
    sidebar.get_by_role("tab", name="Upload").click()  # the form reran: back to its first tab
    uploader = sidebar.locator('[data-testid="stFileUploader"]').nth(0)
    uploader.locator('input[type="file"]').set_input_files(str(bomb))
    expect(sidebar.get_by_text("bomb.zip", exact=True)).to_be_visible()
    wait_idle(page)
    sidebar.get_by_role("button", name="Open uploaded files").click()
    wait_idle(page)
    no_exception(page)
    expect(sidebar.locator('[data-testid="stAlertContentError"]')).to_contain_text("more than 50 times its size")
    sidebar.locator('[data-testid="stAlertContentError"]').scroll_into_view_if_needed()
    shots(page, "zip_bomb", screenshot)
    assert _healthy(base), "the server keeps serving"


def test_session_upload_quota(browser_page, guarded, open_app, wait_idle, screenshot, tmp_path: Path) -> None:
    base = guarded[0]
    page = browser_page
    files = []
    for name in ("a.txt", "b.txt"):
        path = tmp_path / name
        path.write_text("1,1,10,10,20,40,1,-1,-1,-1\n" * 25_000)  # 0.65 MB each: two are above the 1 MB quota
        files.append(path)
    open_app(page, base)
    sidebar = upload_tab(page, wait_idle)
    sidebar.locator('[data-testid="stFileUploader"]').nth(1).locator('input[type="file"]').set_input_files(
        [str(p) for p in files])
    wait_idle(page)
    invalid = sidebar.locator('[data-testid="stFileChip"][aria-invalid="true"]')
    expect(invalid).to_have_count(1)
    invalid.scroll_into_view_if_needed()
    shots(page, "upload_quota", screenshot)
    assert _healthy(base)
