"""Real-browser test harness: a live Streamlit server and Debian's chromium driven by Playwright.

Fixtures
--------
app_server          base URL of `streamlit run dashboard/app.py` with no app arguments
                    (the dashboard then opens on the bundled sample). Session scoped.
                    Parametrise it indirectly to pass app arguments (what follows `--`):
                        @pytest.mark.parametrize("app_server", [["RUN_DIR"]], indirect=True)
app_server_factory  callable(*app_args, script="dashboard/app.py", server_args=()) -> base URL; one
                    server per distinct (script, args, server_args), reused for the session, all
                    stopped at the end. server_args are Streamlit options placed before `--`,
                    e.g. ("--server.maxUploadSize", "1").
browser_page        a fresh Playwright page (viewport 1600x1000) in chromium; closed afterwards.
                    Console errors and uncaught page errors are collected in `page_errors`.
page_errors         list of strings: console errors / page errors seen by `browser_page`.
screenshot          the helper `screenshot(page, name)` -> tests/screenshots/<name>.png.
open_app            helper `open_app(page, url)`: navigate and wait until the page has settled.
wait_idle           helper `wait_idle(page)`: wait for the rerun after a widget interaction.

Plain helpers the test modules import (``from conftest import ...``): ``no_exception(page)`` and
``upload_tab(page, wait_idle)``.

Playwright uses /usr/bin/chromium (Debian package `chromium`); nothing is downloaded.
Without chromium or the playwright package the tests skip locally and fail under CI=true.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "tests" / "screenshots"
APP_SCRIPT = "dashboard/app.py"  # relative to the repo root (the server's working directory)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1600, "height": 1000}
HEALTH_TIMEOUT_S = 60.0


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _skip_or_fail(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False


class _Server:
    def __init__(self, script: str, app_args: tuple[str, ...], server_args: tuple[str, ...] = ()):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(
            prefix=f"streamlit-{self.port}-", suffix=".log", delete=False
        )
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            *server_args,
        ]
        if app_args:
            cmd += ["--", *app_args]
        self.cmd = cmd
        self.proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop() takes its children too
        )

    def log_tail(self, n: int = 4000) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-n:]

    def wait_healthy(self, timeout: float = HEALTH_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = (
                    f"streamlit exited with code {self.proc.returncode}: {' '.join(self.cmd)}\n"
                    f"{self.log_tail()}"
                )
                self.stop()
                raise RuntimeError(msg)
            if _healthy(self.url):
                return
            time.sleep(0.25)
        msg = (
            f"streamlit not healthy after {timeout:.0f} s at {self.url}: {' '.join(self.cmd)}\n"
            f"{self.log_tail()}"
        )
        self.stop()
        raise RuntimeError(msg)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def app_server_factory() -> Callable[..., str]:
    servers: dict[tuple[str, tuple[str, ...], tuple[str, ...]], _Server] = {}

    def start(*app_args: str | os.PathLike, script: str | os.PathLike | None = None,
              server_args: tuple[str, ...] = ()) -> str:
        script = APP_SCRIPT if script is None else script
        key = (str(script), tuple(str(a) for a in app_args), tuple(str(a) for a in server_args))
        server = servers.get(key)
        if server is not None and server.proc.poll() is None:
            return server.url
        if not (REPO_ROOT / script).is_file():
            pytest.fail(f"Streamlit script not found: {REPO_ROOT / script}", pytrace=False)
        server = _Server(*key)
        try:
            server.wait_healthy()
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
        servers[key] = server
        return server.url

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def app_server(request, app_server_factory) -> str:
    """Base URL of the dashboard. Indirect parametrisation passes app arguments (after `--`)."""
    args = getattr(request, "param", ()) or ()
    if isinstance(args, (str, os.PathLike)):
        args = (args,)
    return app_server_factory(*args)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def _chromium():
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _skip_or_fail(f"playwright Python package not importable: {exc}")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - report any launch failure the same way
        pw.stop()
        _skip_or_fail(f"chromium failed to launch via Playwright: {exc}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture
def page_errors() -> list[str]:
    return []


@pytest.fixture
def browser_page(_chromium, page_errors):
    context = _chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on(
        "console",
        lambda msg: page_errors.append(f"console.{msg.type}: {msg.text}")
        if msg.type == "error"
        else None,
    )
    page.on("pageerror", lambda exc: page_errors.append(f"pageerror: {exc}"))
    yield page
    context.close()


# --------------------------------------------------------------------------- helpers


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG of the page to tests/screenshots/<name>.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def open_app(page, url: str, *, timeout_ms: int = 60_000) -> None:
    """Navigate to a Streamlit URL and wait until the script run has finished."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    wait_idle(page, timeout_ms=timeout_ms)
    page.wait_for_load_state("networkidle", timeout=timeout_ms)


_SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  for (const img of document.images) { if (!img.complete) return false; }
  return true;
}"""


def wait_idle(page, *, timeout_ms: int = 60_000, settle_ms: int = 300) -> None:
    """Wait until Streamlit has finished the script run and drawn its lazy elements.

    Settled = script state "notRunning", no loading skeletons, no stale (greyed) elements, every
    <img> loaded, and still so `settle_ms` later (charts and images mount after the run ends).
    Call it after page loads and after every widget interaction.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms, state="attached")
    # An interaction's rerun may start a moment later; give it a beat before looking.
    page.wait_for_timeout(200)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        remaining = max(1, int((deadline - time.monotonic()) * 1000))
        page.wait_for_function(_SETTLED_JS, timeout=remaining)
        page.wait_for_timeout(settle_ms)
        if page.evaluate(_SETTLED_JS):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"Streamlit page did not settle within {timeout_ms} ms")


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]


def upload_tab(page, wait_idle):
    """The "Open data" expander opened on its "Upload" tab; returns the sidebar."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Open data").click()
    sidebar.get_by_role("tab", name="Upload").click()
    wait_idle(page)
    return sidebar


@pytest.fixture(name="screenshot")
def screenshot_fixture():
    return screenshot


@pytest.fixture(name="open_app")
def open_app_fixture():
    return open_app


@pytest.fixture(name="wait_idle")
def wait_idle_fixture():
    return wait_idle


def pets09_layout(shared_data: Path, root: Path) -> Path:
    """PETS09-S2L1 from ../shared/data copied into ``root`` as a MOT15 layout, with its img1/ frames (the
    first 100) and the trackers masa and masa-hung-kf."""
    source = shared_data / "PETS09-S2L1"
    seq = root / "gt" / "PETS09-S2L1"
    (seq / "gt").mkdir(parents=True)
    shutil.copy(source / "gt" / "gt.txt", seq / "gt" / "gt.txt")
    shutil.copy(source / "seqinfo.ini", seq / "seqinfo.ini")
    shutil.copytree(source / "img1", seq / "img1")
    for tracker in ("masa", "masa-hung-kf"):
        (root / "trackers" / tracker).mkdir(parents=True)
        shutil.copy(source / "trackers" / f"{tracker}.txt", root / "trackers" / tracker / "PETS09-S2L1.txt")
    return root
