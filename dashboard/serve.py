"""Streamlit's server with a guard in front: ``python -m tracklens.dashboard.serve [--allow-host NAME]...
run app.py [streamlit options]`` is ``streamlit run`` whose every HTTP request and websocket
upgrade first passes ``HostGuard``.

Why: Streamlit accepts any ``Host`` header by default and counts a websocket as same-origin when its
``Origin`` equals its ``Host``. A DNS-rebinding page (``evil.example`` re-pointed at 127.0.0.1) has
both equal to ``evil.example``, so it could drive a dashboard bound to localhost, and read its
pages and XSRF cookie over plain HTTP. The guard answers 403 unless the host named by ``Host`` (and
by ``Origin`` when sent) is an IP address (a rebinding page can never produce one), ``localhost``,
this machine's name, or a name given with ``--allow-host``. It also keeps a per-session upload quota
(the upload endpoint otherwise takes any number of ``server.maxUploadSize`` files from one session).

The guard wraps the app Streamlit builds (``create_starlette_app``); if a Streamlit version no longer
has that hook, the server refuses to start rather than run unguarded.
"""
from __future__ import annotations

import ipaddress
import socket
import sys
from urllib.parse import urlsplit

UPLOAD_PREFIX = "/_stcore/upload_file/"
SESSION_QUOTA_ENV = "TRACKLENS_SESSION_QUOTA_MB"


def host_name(value: str) -> str | None:
    """The host part of a ``Host`` header or an ``Origin`` URL's authority, lower-case, without the port."""
    try:
        parts = urlsplit(f"//{value}")
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.username is not None or parts.path or not parts.hostname:
        return None
    return parts.hostname.lower().rstrip(".")


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


def machine_names() -> set[str]:
    """Names this machine answers to by itself (not from DNS a page could control)."""
    names = {"localhost"}
    for name in (socket.gethostname(), socket.getfqdn()):
        if name:
            names.add(name.lower().rstrip("."))
    return names


class HostGuard:
    """ASGI middleware: 403 for a request or websocket whose Host/Origin names another host; 413 for
    an upload above the session's quota. Everything else goes to ``app`` unchanged."""

    def __init__(self, app, allowed: set[str], session_quota: int) -> None:
        self.app = app
        self.allowed = {a.lower().rstrip(".") for a in allowed}
        self.session_quota = session_quota
        self.uploads: dict[str, dict[str, int]] = {}  # session id -> file id -> bytes
        self._seen: dict[tuple[str, str | None], tuple[int, str] | None] = {}

    def host_ok(self, name: str | None) -> bool:
        return name is not None and (is_ip(name) or name in self.allowed)

    def check(self, scope) -> tuple[int, str] | None:
        """(status, reason) to refuse ``scope`` with, or None to let it through."""
        headers = {k.lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        key = (headers.get(b"host", ""), headers.get(b"origin"))
        refused = self._seen.get(key, False)
        if refused is False:  # a browser sends the same two headers every time: decide once
            refused = self._decide(*key)
            if len(self._seen) < 4096:
                self._seen[key] = refused
        if refused is None and scope["type"] == "http" and scope["path"].startswith(UPLOAD_PREFIX):
            return self.count_upload(scope["method"], scope["path"][len(UPLOAD_PREFIX):], headers)
        return refused

    def _decide(self, host: str, origin: str | None) -> tuple[int, str] | None:
        if not self.host_ok(host_name(host)):
            return 403, "this dashboard only answers to its own address (Host header refused)"
        if origin is not None and not self.host_ok(host_name(urlsplit(origin).netloc)):
            return 403, "this dashboard only answers to pages of its own address (Origin header refused)"
        return None

    def count_upload(self, method: str, rest: str, headers: dict[bytes, str]) -> tuple[int, str] | None:
        session, _, file_id = rest.partition("/")
        files = self.uploads.setdefault(session, {})
        if method == "DELETE":
            files.pop(file_id, None)
        elif method == "PUT":
            try:
                size = int(headers.get(b"content-length", ""))
            except ValueError:
                return 411, "an upload must say its length"
            if sum(files.values()) - files.get(file_id, 0) + size > self.session_quota:
                return 413, (f"this session has uploaded {sum(files.values()) / 1024**2:,.0f} MiB; the quota is "
                             f"{self.session_quota / 1024**2:,.0f} MiB (remove files from the upload form first)")
            files[file_id] = size
        return None

    async def __call__(self, scope, receive, send) -> None:
        refused = self.check(scope) if scope["type"] in ("http", "websocket") else None
        if refused is None:
            await self.app(scope, receive, send)
            return
        status, reason = refused
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: the server answers 403
            return
        fix = (" Open it by its IP address, localhost or this machine's name, or restart it with "
               "'tracklens dashboard --allow-host NAME'." if status == 403 else "")
        body = f"tracklens: {reason}.{fix}\n".encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def install(allowed: set[str], session_quota: int) -> None:
    """Make Streamlit's server wrap its app in ``HostGuard``; refuse to go on without the hook."""
    try:
        from streamlit.web.server.starlette import starlette_server
        build = starlette_server.create_starlette_app
    except (ImportError, AttributeError) as exc:
        raise SystemExit(f"tracklens: error: this Streamlit version has no hook for the Host check ({exc}); "
                         "install the Streamlit version tracklens is tested with.") from None

    def guarded(runtime):
        return HostGuard(build(runtime), allowed, session_quota)

    starlette_server.create_starlette_app = guarded


def main(argv: list[str]) -> None:
    import os

    from .uploads import SESSION_QUOTA_MB

    allowed = machine_names()
    while argv[:1] == ["--allow-host"] and len(argv) > 1:
        allowed.add(argv[1])
        argv = argv[2:]
    quota_mb = int(os.environ.get(SESSION_QUOTA_ENV) or SESSION_QUOTA_MB)
    install(allowed, quota_mb * 1024**2)
    from streamlit.web import cli as streamlit_cli

    sys.argv = ["streamlit", *argv]
    streamlit_cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
