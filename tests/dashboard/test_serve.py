"""The guard in front of the served dashboard (dashboard/serve.py) and the life of the server process
(issue 13, items 7 and 10).

Unit tests drive ``HostGuard`` as the ASGI server would; the process tests start ``tracklens
dashboard`` exactly as a user does and check over real HTTP that foreign Host/Origin headers get 403
(DNS rebinding), that the session upload quota holds, and that SIGTERM stops the server and deletes
its upload folder.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracklens.dashboard.serve import HostGuard, host_name

REPO = Path(__file__).resolve().parents[2]


def call(guard: HostGuard, scope: dict) -> list[dict]:
    sent: list[dict] = []

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    # A thread of its own: another test's Playwright session may keep an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, guard(scope, receive, send)).result()
    return sent


async def _app(scope, receive, send):
    await send({"type": "reached-the-app"})


def scope(kind: str = "http", host: str = "127.0.0.1:8501", origin: str | None = None, method: str = "GET",
          path: str = "/", length: int | None = None) -> dict:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": kind, "headers": headers, "method": method, "path": path}


GUARD = HostGuard(_app, {"localhost", "my-laptop"}, session_quota=1000)


@pytest.mark.parametrize("host", ["127.0.0.1:8501", "localhost:8501", "[::1]:8501", "192.0.2.7", "MY-LAPTOP:80",
                                  "localhost."])
def test_own_addresses_pass(host: str) -> None:
    for kind in ("http", "websocket"):
        assert call(GUARD, scope(kind, host)) == [{"type": "reached-the-app"}]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8501", "", "x" * 300, "localhost.evil.example",
                                  "user@localhost", "127.0.0.1:notaport", "127.0.0.1.nip.io"])
def test_foreign_host_gets_403(host: str) -> None:
    sent = call(GUARD, scope("http", host))
    assert sent[0]["status"] == 403 and b"Host header refused" in sent[1]["body"]
    assert call(GUARD, scope("websocket", host)) == [{"type": "websocket.close", "code": 1008}]


@pytest.mark.parametrize("origin", ["http://evil.example:8501", "null", "http://127.0.0.1.evil.example"])
def test_foreign_origin_gets_403(origin: str) -> None:
    assert call(GUARD, scope("websocket", origin=origin)) == [{"type": "websocket.close", "code": 1008}]
    assert call(GUARD, scope("http", origin=origin))[0]["status"] == 403


def test_own_origin_passes() -> None:
    assert call(GUARD, scope("websocket", origin="http://localhost:8501")) == [{"type": "reached-the-app"}]


def test_session_upload_quota() -> None:
    guard = HostGuard(_app, set(), session_quota=1000)
    put = lambda file, n, session="s1": call(guard, scope(method="PUT", path=f"/_stcore/upload_file/{session}/{file}",
                                                          length=n))
    assert put("a", 600) == [{"type": "reached-the-app"}]
    refused = put("b", 600)
    assert refused[0]["status"] == 413 and b"quota" in refused[1]["body"]
    assert put("b", 600, session="s2") == [{"type": "reached-the-app"}], "another session has its own quota"
    call(guard, scope(method="DELETE", path="/_stcore/upload_file/s1/a"))
    assert put("b", 600) == [{"type": "reached-the-app"}], "a removed file frees its share"
    assert call(guard, scope(method="PUT", path="/_stcore/upload_file/s1/c"))[0]["status"] == 411


def test_host_name() -> None:
    assert host_name("Example.COM:80") == "example.com" and host_name("[::1]:8501") == "::1"
    assert host_name("a@b") is None and host_name("x:y") is None and host_name("") is None


# ------------------------------------------------------------------------------------ the real server


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, host: str, path: str = "/", headers: dict[str, str] | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True)
        for name, value in {"Host": host, **(headers or {})}.items():
            conn.putheader(name, value)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def _start_dashboard() -> tuple[subprocess.Popen, int]:
    """``tracklens dashboard --port P`` as a user starts it, once it answers its health check."""
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "tracklens.dashboard.cli", "dashboard", "--port", str(port)],
                            cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while True:
        try:
            if _request(port, f"127.0.0.1:{port}", "/_stcore/health") == 200:
                return proc, port
        except OSError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "the dashboard did not start"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def dashboard():
    """``tracklens dashboard --port P`` as a user starts it; yields (process, port)."""
    proc, port = _start_dashboard()
    yield proc, port
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)


WS = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


def test_served_dashboard_refuses_dns_rebinding(dashboard) -> None:
    _, port = dashboard
    assert _request(port, f"127.0.0.1:{port}") == 200
    assert _request(port, f"localhost:{port}") == 200
    assert _request(port, f"evil.example:{port}") == 403
    # The probe: a websocket upgrade from a rebinding page got 101.
    assert _request(port, f"evil.example:{port}", "/_stcore/stream",
                    {**WS, "Origin": f"http://evil.example:{port}"}) == 403
    assert _request(port, f"127.0.0.1:{port}", "/_stcore/stream", {**WS, "Origin": "http://evil.example"}) == 403
    assert _request(port, f"127.0.0.1:{port}", "/_stcore/stream", {**WS, "Origin": f"http://127.0.0.1:{port}"}) == 101
    assert _request(port, f"127.0.0.1:{port}", "/_stcore/health") == 200, "still serving"


def _server_child(proc: subprocess.Popen) -> int:
    out = subprocess.run(["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True, text=True).stdout
    return int(out.split()[0])


def _scratch_of(pid: int) -> Path:
    env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    tmpdir = next(e for e in env if e.startswith(b"TMPDIR=")).split(b"=", 1)[1].decode()
    return Path(tmpdir)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_server_and_removes_uploads(signum) -> None:
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "tracklens.dashboard.cli", "dashboard", "--port", str(port)],
                            cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _request(port, f"127.0.0.1:{port}", "/_stcore/health") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.3)
        server = _server_child(proc)
        scratch = _scratch_of(server)
        assert scratch.name.startswith("tracklens-serve-") and scratch.is_dir()
        (scratch / "tracklens-upload-x").mkdir()  # what an upload leaves there
        (scratch / "tracklens-upload-x" / "gt.txt").write_text("1,1,1,1,1,1\n")
        proc.send_signal(signum)
        assert proc.wait(timeout=60) is not None
        time.sleep(0.5)
        assert not Path(f"/proc/{server}").exists() or "zombie" in Path(f"/proc/{server}/status").read_text(), \
            "the Streamlit server is not left running as an orphan"
        assert not scratch.exists(), "the upload folder is gone"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_server_dies_with_a_killed_cli() -> None:
    """SIGKILL cannot be forwarded: the server asked the kernel for SIGTERM when its parent dies."""
    proc, port = _start_dashboard()
    server = _server_child(proc)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 30
    while Path(f"/proc/{server}").exists() and "zombie" not in Path(f"/proc/{server}/status").read_text():
        assert time.monotonic() < deadline, "the server outlived its killed parent"
        time.sleep(0.2)


def test_scratch_of_a_killed_dashboard_is_removed_at_the_next_start(tmp_path) -> None:
    """SIGKILL leaves the CLI no chance to delete its scratch folder: the next `tracklens dashboard`
    deletes the folders whose owning process is gone, and only those."""
    from tracklens.dashboard.cli import SCRATCH_PREFIX, remove_stale_scratch

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / f"{SCRATCH_PREFIX}{gone.pid}-abc123"
    (dead / "tracklens-upload-x").mkdir(parents=True)
    (dead / "tracklens-upload-x" / "gt.txt").write_text("1,1,1,1,1,1\n")
    alive = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-def456"
    alive.mkdir()
    other = tmp_path / f"someone-else-{gone.pid}"
    other.mkdir()
    assert remove_stale_scratch(str(tmp_path)) == [str(dead)]
    assert not dead.exists() and alive.is_dir() and other.is_dir()


def test_killed_cli_scratch_is_named_by_its_pid() -> None:
    proc, _ = _start_dashboard()
    try:
        scratch = _scratch_of(_server_child(proc))
        assert scratch.name.startswith(f"tracklens-serve-{proc.pid}-")
    finally:
        proc.kill()
        proc.wait()
