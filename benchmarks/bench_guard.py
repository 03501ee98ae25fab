#!/usr/bin/env python
"""Cost of the served dashboard's Host/Origin guard (``tracklens.dashboard.serve.HostGuard``) per
request: the same ASGI app called bare and behind the guard, 20,000 requests each, in one run.

    python benchmarks/bench_guard.py
"""
from __future__ import annotations

import asyncio
import time

from tracklens.dashboard.serve import HostGuard

REQUESTS = 20_000
SCOPE = {"type": "http", "method": "GET", "path": "/", "headers": [(b"host", b"127.0.0.1:8501")]}


async def bare(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})


async def receive():
    return {}


async def send(message):
    pass


async def many(app) -> None:
    for _ in range(REQUESTS):
        await app(SCOPE, receive, send)


def main() -> None:
    guarded = HostGuard(bare, {"localhost"}, session_quota=1000)
    times = {}
    for name, app in (("bare", bare), ("guarded", guarded)):
        start = time.perf_counter()
        asyncio.run(many(app))
        times[name] = (time.perf_counter() - start) / REQUESTS * 1e6
        print(f"{name}: {times[name]:.1f} us per request")
    print(f"guard: {times['guarded'] - times['bare']:.1f} us per request")


if __name__ == "__main__":
    main()
