"""A served dashboard, over real HTTP: an odd Host header is harmless, an upload without the XSRF
token is refused, and the server that ``tracklens dashboard`` starts by default cannot be reached on
this machine's network address (only on 127.0.0.1).

Two servers: ``app_server`` (tests/browser/conftest.py) and one started through the CLI exactly as a
user would (``python -m tracklens.dashboard.cli dashboard --port P``), so the defaults under test are the CLI's.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import _healthy  # tests/browser/conftest.py

REPO_ROOT = Path(__file__).resolve().parents[2]
UPLOAD = "/_stcore/upload_file/not-a-session/not-a-file"
BODY = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.txt\"\r\n\r\n1,1,1,1,1,1\r\n--x--\r\n"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(base: str, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True)
        headers = {"Host": f"{host}:{port}", **(headers or {})}
        if body is not None:
            headers.setdefault("Content-Type", "multipart/form-data; boundary=x")
            headers["Content-Length"] = str(len(body))
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()



@pytest.fixture(scope="module")
def cli_server():
    """`tracklens dashboard --port P` (bundled sample, every other option at its default)."""
    port = _port()
    log = tempfile.NamedTemporaryFile(prefix="tracklens-cli-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "-m", "tracklens.dashboard.cli", "dashboard", "--port", str(port)], cwd=REPO_ROOT,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(base):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"tracklens dashboard did not come up: {Path(log.name).read_text()[-3000:]}", pytrace=False)
            time.sleep(0.25)
        yield base, port, log.name
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _server(request, name: str) -> str:
    value = request.getfixturevalue(name)
    return value if isinstance(value, str) else value[0]


def test_unexpected_host_header_is_harmless(app_server) -> None:
    """Plain ``streamlit run`` (no guard): an odd Host header changes nothing."""
    for host in ("evil.example", "evil.example:80", "", "x" * 300):
        status, _, body = _request(app_server, "GET", "/", headers={"Host": host})
        assert status == 200 and b"<html" in body.lower()
    assert _healthy(app_server), "the server still answers normally"


def test_tracklens_dashboard_refuses_foreign_hosts(cli_server) -> None:
    """``tracklens dashboard`` answers only to its own addresses (DNS rebinding, issue 13 item 7)."""
    base, port = cli_server[0], cli_server[1]
    for host in ("evil.example", "evil.example:80", "", "x" * 300):
        status, _, body = _request(base, "GET", "/", headers={"Host": host})
        assert status == 403 and b"Host header refused" in body
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        status, _, body = _request(base, "GET", "/", headers={"Host": host})
        assert status == 200 and b"<html" in body.lower()
    assert _healthy(base), "the server still answers normally"


@pytest.mark.parametrize("server", ["app_server", "cli_server"])
def test_upload_without_xsrf_token_is_refused(request, server: str) -> None:
    base = _server(request, server)
    status, _, _ = _request(base, "PUT", UPLOAD, BODY)
    assert status == 403, "the upload endpoint must check the XSRF token"
    status, _, _ = _request(base, "POST", UPLOAD, BODY)
    assert status in (403, 405)
    status, _, _ = _request(base, "DELETE", UPLOAD)
    assert status == 403
    # A token in the header that does not match the cookie is refused too.
    status, _, _ = _request(base, "PUT", UPLOAD, BODY, {"X-Xsrftoken": "2|00|00|0", "Cookie": "_streamlit_xsrf=2|11|11|0"})
    assert status == 403


def test_the_refusal_is_the_xsrf_check(cli_server) -> None:
    """With the token the server hands out, the same upload gets past the XSRF check (and only then
    fails on the made-up session): the 403 above was XSRF protection at work."""
    base = cli_server[0]
    _, headers, _ = _request(base, "GET", "/_stcore/health")
    cookie = next((c.split(";")[0] for c in headers.get("set-cookie", "").split(",") if "_streamlit_xsrf=" in c), None)
    assert cookie, f"XSRF protection on: the server sets the _streamlit_xsrf cookie ({headers})"
    token = cookie.split("=", 1)[1]
    status, _, _ = _request(base, "PUT", UPLOAD, BODY, {"X-Xsrftoken": token, "Cookie": cookie})
    assert status == 400  # invalid session id: past the XSRF check


def _non_loopback_addresses() -> list[str]:
    found: set[str] = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            found.add(s.getsockname()[0])
        except OSError:
            pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127.") and a != "0.0.0.0")


def test_default_server_is_not_reachable_from_the_network(cli_server) -> None:
    base, port, _ = cli_server
    assert _healthy(base)
    addresses = _non_loopback_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for address in addresses:
        with socket.socket() as s:
            s.settimeout(3)
            with pytest.raises(OSError):  # refused (nothing listens there), or unreachable
                s.connect((address, port))
