"""The floor under the dashboard's browser budgets: the same measurements on a bare Streamlit app.

Issue 12's budgets (first chart <= 1.5 s, frame step <= 150 ms median, 10 sessions stepping p95 <= 1 s)
are measured from the user's action to content on screen, so part of every figure is Streamlit's own
front end and server, whatever the page does. This starts ``streamlit run`` on a page that holds only
what those rows wait for (a title, a five-row table, a three-bar plotly chart, and a fragment with a
▶ button and a captioned picture, PETS09-S2L1's real frames), with the dashboard's server options, and
measures it exactly as ``bench_browser.py`` measures the dashboard (its probe, waits and percentiles).
The dashboard's figure minus this one is what the dashboard itself adds.

    python benchmarks/bench_streamlit_floor.py [--repeats 5] [--steps 20] [--seconds 20] [--json OUT]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_browser import (CHROMIUM, CHROMIUM_ARGS, FRAME_SHOWN, _free_port, _pct, first_chart, first_chart_same_browser,
                           healthy, new_page, sessions, settle, steps)

FRAMES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "PETS09-S2L1" / "img1"
if not FRAMES.is_dir():
    FRAMES = Path("/work/shared/data/PETS09-S2L1/img1")

FLOOR_APP = '''
import pathlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

FRAMES = sorted(pathlib.Path({frames!r}).glob("*.jpg"))[:50]


@st.cache_resource
def picture(k: int) -> bytes:
    return FRAMES[(k - 1) % len(FRAMES)].read_bytes()


st.title("Streamlit floor")
st.dataframe(pd.DataFrame({{"tracker": ["A", "B", "C"], "HOTA": [61.2, 58.4, 55.0]}}))
st.plotly_chart(go.Figure(go.Bar(x=["A", "B", "C"], y=[61.2, 58.4, 55.0])))


@st.fragment
def inspector() -> None:
    k = st.session_state.setdefault("k", 1)
    if st.button("▶ next"):
        k = st.session_state.k = k + 1
    st.image(picture(k), caption=f"frame {{k}} / 1000")


inspector()
'''
# The dashboard's server options (dashboard/cli.py), the upload limit and theme aside.
SERVER_OPTIONS = ("--server.headless", "true", "--browser.gatherUsageStats", "false",
                  "--server.enableXsrfProtection", "true", "--client.toolbarMode", "viewer",
                  "--runner.postScriptGC", "false")


class FloorServer:
    """``streamlit run`` on the floor page, on 127.0.0.1."""

    def __init__(self, app: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", *SERVER_OPTIONS],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        if not healthy(self.url):
            self.stop()
            raise RuntimeError("the floor app did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def measure(app: Path, repeats: int, n_steps: int, seconds: float) -> dict[str, float]:
    from playwright.async_api import async_playwright

    rows: dict[str, float] = {"load average (1 min) at start": os.getloadavg()[0]}
    server = FloorServer(app)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            await first_chart(browser, server.url)  # the server's first session warms its caches
            rows["first chart, new session"] = statistics.median(
                [await first_chart(browser, server.url) for _ in range(repeats)])
            rows["first chart, new tab of a browser that opened it before"] = await first_chart_same_browser(
                browser, server.url, repeats)
            context, page = await new_page(browser)
            await page.goto(server.url)
            await page.wait_for_function(FRAME_SHOWN, arg=[1, ""], timeout=120_000)
            await settle(page)
            clicks = await steps(page, "click", n_steps)
            rows["frame step click median"] = statistics.median(clicks)
            rows["frame step click p95"] = _pct(clicks, 95)
            await context.close()
            got = await sessions(browser, server.url, 10, seconds)
            rows["10 sessions p50 step"], rows["10 sessions p95 step"] = got["p50"], got["p95"]
            rows["10 sessions steps"], rows["10 sessions errors"] = got["steps"], got["errors"]
            await browser.close()
    finally:
        server.stop()
    rows["load average (1 min) at end"] = os.getloadavg()[0]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20, help="how long the 10 sessions step")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    if not FRAMES.is_dir():
        print(f"needs PETS09-S2L1's frames at {FRAMES} (../shared/data)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="streamlit-floor-") as scratch:
        app = Path(scratch) / "floor_app.py"
        app.write_text(FLOOR_APP.format(frames=str(FRAMES)))
        rows = asyncio.run(measure(app, args.repeats, args.steps, args.seconds))
    print("| bare Streamlit page | s |\n|---|---:|")
    for name, value in rows.items():
        print(f"| {name} | {value:.3f} |" if isinstance(value, float) else f"| {name} | {value} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
