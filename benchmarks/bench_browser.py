"""Dashboard speed as people feel it: headless Chromium, from the user's action to content on screen.

Starts ``tracklens dashboard`` (loopback only) on the bundled sample and on a saved MOT17-train run,
drives Debian's chromium with Playwright and times each action until the new image or chart is in
the DOM, loaded and painted (two animation frames after it is). Rows:

  first chart, new session      a fresh browser context opens the saved run -> first plotly chart drawn
  page switch                   sidebar link -> the page's heading and its content settled
  Tracks on MOT17-04            page switch to Tracks with MOT17-04 selected
  Metrics compared              page switch to Metrics compared (first time, then again)
  copied link                   a fresh context opens an inspector URL with frame= -> that frame shown
  frame step (click / key)      ▶ (or the right-arrow key) -> the next frame's image painted; median, p95
  Play                          distinct frames painted per second while Play is on
  N sessions stepping           N contexts stepping frames for a fixed time: p50/p95 step, errors

and the server's peak resident memory. ``--rev REV`` runs the same measurements on another git
revision (checked out in a temporary ``git worktree``) and prints both side by side with ratios.

Usage: python benchmarks/bench_browser.py [--quick] [--steps-only] [--rev REV] [--run-dir DIR] [--json OUT]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "mot_challenge"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data/mot_challenge")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1440, "height": 900}
SAMPLE_QUERY = "seq=TUD-Stadtmitte&tracker=motmetrics_test&alpha=0.5"
MOT_TRACKER = "MPNTrack"
MOT_SEQ = "MOT17-04-FRCNN"  # 1,050 frames of 1920x1080, 40+ people per frame
OTHER_SEQ = "MOT17-02-FRCNN"  # Metrics compared on a sequence not opened before
BUDGETS = {  # seconds (fps for Play), from issue 12
    "first chart, new session (MOT17)": 1.5, "page switch (MOT17)": 1.0, "Tracks on MOT17-04": 1.5,
    "Metrics compared (MOT17, first)": 2.0, "Metrics compared (MOT17, again)": 2.0,
    "Metrics compared (MOT17, another sequence)": 2.0,
    "first chart, folders cold (MOT17)": 5.0, "first chart, folders warm (MOT17)": 1.5,
    "25 sessions errors": 0,
    "frame step click median (MOT17-04)": 0.15, "frame step click p95 (MOT17-04)": 0.30,
    "frame step key median (MOT17-04)": 0.15, "frame step key p95 (MOT17-04)": 0.30,
    "Play fps (MOT17-04)": 10.0, "10 sessions p95 step": 1.0, "25 sessions p95 step": 3.0,
    "report MOT17 (s)": 10.0, "report MOT17 (MB)": 3.0,
}

# Script finished, nothing greyed out or still loading, every image decoded.
SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  for (const img of document.images) { if (!img.complete) return false; }
  return true;
}"""
# The main image shows frame k: its caption says so and the picture itself is decoded.
FRAME_SHOWN = """([k, old]) => {
  for (const el of document.querySelectorAll('[data-testid="stImage"]')) {
    const img = el.querySelector('img');
    if (!img || !img.complete || img.naturalWidth === 0 || img.src === old) continue;
    if (el.innerText.includes('frame ' + k + ' /')) return true;
  }
  return false;
}"""
MAIN_IMAGE_SRC = """() => { const i = document.querySelector('[data-testid="stImage"] img'); return i ? i.src : ''; }"""
SHOWN_FRAME = """() => { for (const el of document.querySelectorAll('[data-testid="stImage"]')) {
  const m = el.innerText.match(/frame (\\d+) \\//); if (m) return parseInt(m[1]); } return 0; }"""
CHART_DRAWN = """() => !!document.querySelector('[data-testid="stPlotlyChart"] svg.main-svg')"""
# The page's tables (its CA-HOTA chart is drawn only for trackers that give class probabilities).
METRICS_SHOWN = '[data-testid="stDataFrame"]'
METRICS_TIMEOUT_S = 150  # the Metrics compared page took 25-56 s a sequence when issue 12 was filed
POLL_MS = 20  # how often a wait checks the page (ms)
PAINTED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
# In every page, before Streamlit's own code: when the websocket opens and first speaks, when the first
# table and the first chart are on screen (checked every animation frame), and each change of the
# script state (running / notRunning), all in ms since navigation start.
PROBE = """(() => {
  const tl = window.__tl = {wsOpen: null, wsFirst: null, firstTable: null, firstChart: null, states: [], msgs: []};
  const Native = window.WebSocket;
  function Probed(...args) {
    const ws = new Native(...args);
    ws.addEventListener('open', () => { if (tl.wsOpen === null) tl.wsOpen = performance.now(); });
    ws.addEventListener('message', (e) => {
      const now = performance.now();
      if (tl.wsFirst === null) tl.wsFirst = now;
      tl.msgs.push([now, e.data.byteLength || e.data.size || e.data.length || 0]);
      if (tl.msgs.length > 500) tl.msgs.splice(0, 250);
    });
    return ws;
  }
  Probed.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Probed[k] = Native[k];
  window.WebSocket = Probed;
  let observed = null;
  const tick = () => {
    if (tl.firstTable === null && document.querySelector('[data-testid="stDataFrame"], [data-testid="stTable"]'))
      tl.firstTable = performance.now();
    if (tl.firstChart === null && document.querySelector('[data-testid="stPlotlyChart"] svg.main-svg'))
      tl.firstChart = performance.now();
    const app = document.querySelector('[data-testid="stApp"]');
    if (app && app !== observed) {
      observed = app;
      new MutationObserver(() => tl.states.push([performance.now(), app.getAttribute('data-test-script-state')]))
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""
# Where a new session's time went (ms since navigation start): the page's own scripts, the lazily
# loaded chunks (plotly's among them) after the websocket opened, and the probe's marks.
LOAD_PARTS = """() => {
  const tl = window.__tl, nav = performance.getEntriesByType('navigation')[0];
  const js = performance.getEntriesByType('resource').filter(r => r.name.split('?')[0].endsWith('.js'));
  const early = js.filter(r => tl.wsOpen === null || r.startTime < tl.wsOpen);
  const late = js.filter(r => tl.wsOpen !== null && r.startTime >= tl.wsOpen);
  const end = rs => rs.length ? Math.max(...rs.map(r => r.responseEnd)) : null;
  const bytes = rs => rs.reduce((a, r) => a + (r.decodedBodySize || 0), 0);
  return {dcl: nav.domContentLoadedEventEnd, boot_js_end: end(early), boot_js_mb: bytes(early) / 1e6,
          ws_open: tl.wsOpen, ws_first: tl.wsFirst, lazy_js_start: late.length ? Math.min(...late.map(r => r.startTime)) : null,
          lazy_js_end: end(late), lazy_js_mb: bytes(late) / 1e6, table: tl.firstTable, chart: tl.firstChart};
}"""


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, timeout_s: float = 90) -> bool:
    """Whether the Streamlit server at ``url`` answers its health check within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return True
        except OSError:
            time.sleep(0.25)
    return False


class Server:
    """``tracklens dashboard`` on 127.0.0.1, started from ``tree`` (this checkout or a revision's)."""

    def __init__(self, tree: Path, env: dict, *app_args: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="bench-browser-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tracklens.dashboard.cli", "dashboard", *app_args, "--port", str(self.port)],
            cwd=tree, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        if not healthy(self.url):
            self.stop()
            raise RuntimeError(f"dashboard did not start: {Path(self.log.name).read_text()[-2000:]}")

    def peak_mb(self) -> float:
        """Peak resident memory (VmHWM) of the server: the process group's largest member."""
        peak = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.getpgid(int(pid)) != self.proc.pid:
                    continue
                status = Path(f"/proc/{pid}/status").read_text()
            except (OSError, ProcessLookupError):
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        return peak / 1024

    def cpu_s(self) -> float:
        """CPU time (user + system) the server's processes have used so far."""
        ticks = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.getpgid(int(pid)) != self.proc.pid:
                    continue
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, ProcessLookupError, IndexError):
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def revision_tree(rev: str, scratch: Path) -> tuple[Path, dict]:
    """A checkout of ``rev`` and an environment whose ``tracklens`` imports come from it: a package
    folder of links mapping tracklens -> core/, tracklens.dashboard -> dashboard/, tracklens.assets ->
    assets/ (the package-dir of pyproject.toml), placed first on PYTHONPATH."""
    checkout = scratch / "checkout"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(checkout), rev], check=True,
                   capture_output=True)
    package = scratch / "path" / "tracklens"
    package.mkdir(parents=True)
    for entry in (checkout / "core").iterdir():
        (package / entry.name).symlink_to(entry)
    for name in ("dashboard", "assets"):
        (package / name).symlink_to(checkout / name)
    env = dict(os.environ, PYTHONPATH=str(scratch / "path"))
    return checkout, env


def saved_run(scratch: Path) -> Path:
    """MOT17-train x every tracker there, saved with ``tracklens eval --save`` (once; reused)."""
    run = Path(tempfile.gettempdir()) / "tracklens-bench-browser-mot17"
    if not (run / "manifest.json").is_file():
        subprocess.run([sys.executable, "-m", "tracklens.dashboard.cli", "eval", "--gt-folder",
                        str(SHARED / "gt" / "mot_challenge"), "--trackers-folder",
                        str(SHARED / "trackers" / "mot_challenge"), "--benchmark", "MOT17", "--save", str(run),
                        "--quiet"], check=True, cwd=ROOT)
    return run


# --------------------------------------------------------------------------- browser actions


async def settle(page, timeout_s: float = 120) -> None:
    await page.wait_for_timeout(50)
    await page.wait_for_function(SETTLED, timeout=timeout_s * 1000, polling=POLL_MS)


async def new_page(browser):
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(PROBE)
    page = await context.new_page()
    page.set_default_timeout(120_000)
    return context, page


async def first_chart(browser, url: str, parts: list | None = None, timeout_s: float = 120) -> float:
    """A new session: navigation start -> the first plotly chart drawn (``parts``: where the time went)."""
    context, page = await new_page(browser)
    t0 = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded")
    await page.wait_for_function(CHART_DRAWN, timeout=timeout_s * 1000, polling=POLL_MS)
    await page.evaluate(PAINTED)
    elapsed = time.perf_counter() - t0
    if parts is not None:
        parts.append(await page.evaluate(LOAD_PARTS))
    await context.close()
    return elapsed


async def first_chart_same_browser(browser, url: str, repeats: int) -> float:
    """A new session in a new tab of a browser that has opened the dashboard before: Streamlit's scripts
    (plotly's 4.7 MB among them) come from the browser's cache, as for anyone returning to it."""
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(PROBE)
    try:
        page = await context.new_page()
        await page.goto(url, wait_until="domcontentloaded")
        await page.wait_for_function(CHART_DRAWN, timeout=120_000, polling=POLL_MS)
        await page.close()
        times = []
        for _ in range(repeats):
            page = await context.new_page()
            t0 = time.perf_counter()
            await page.goto(url, wait_until="domcontentloaded")
            await page.wait_for_function(CHART_DRAWN, timeout=120_000, polling=POLL_MS)
            await page.evaluate(PAINTED)
            times.append(time.perf_counter() - t0)
            await page.close()
        return statistics.median(times)
    finally:
        await context.close()


def load_rows(parts: list[dict], label: str) -> dict[str, float]:
    """The medians of a new session's parts, in seconds since navigation start."""
    rows = {}
    for key, name in (("dcl", "page HTML + boot JS parsed (DOMContentLoaded)"), ("boot_js_mb", "boot JS (MB)"),
                      ("ws_open", "websocket open"), ("ws_first", "first message from the server"),
                      ("table", "first table on screen"), ("lazy_js_start", "lazy JS chunks requested"),
                      ("lazy_js_end", "lazy JS chunks received (plotly's among them)"),
                      ("lazy_js_mb", "lazy JS chunks (MB)"), ("chart", "first chart on screen")):
        values = [p[key] for p in parts if p.get(key) is not None]
        if values:
            value = statistics.median(values)
            rows[f"  {label}: {name}"] = value if key.endswith("_mb") else value / 1000
    return rows


async def switch_page(page, title: str, heading: str, needs: str | None, timeout_s: float = 120) -> float:
    """Sidebar link ``title`` -> a heading starting with ``heading`` and the page settled (plus a chart or
    image when ``needs`` names one)."""
    t0 = time.perf_counter()
    await page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    await page.get_by_role("heading", name=heading).first.wait_for(timeout=timeout_s * 1000)
    if needs:
        await page.wait_for_selector(needs, timeout=timeout_s * 1000)
    await settle(page, timeout_s)
    await page.evaluate(PAINTED)
    return time.perf_counter() - t0


async def step(page, how: str, timeout_s: float = 60, parts: list | None = None) -> float:
    """One frame forward by ``how`` ("click" on ▶ or "key" ArrowRight) -> the next frame painted.
    ``parts`` gets (action -> server run starts, the server run, run start -> picture painted, action -> first
    websocket message, first -> last message before the picture, last message -> picture painted) in seconds,
    and the count and kilobytes of the step's messages."""
    k = await page.evaluate(SHOWN_FRAME)
    old = await page.evaluate(MAIN_IMAGE_SRC)
    button = page.locator("button:visible").filter(has_text=re.compile(r"^\s*▶")).first
    if parts is not None:
        await button.hover()
    t_mark = await page.evaluate(
        "() => { if (window.__tl) { window.__tl.states = []; window.__tl.msgs = []; } return performance.now(); }") \
        if parts is not None else None
    t0 = time.perf_counter()
    if how == "click":
        await button.click()
    else:
        await page.keyboard.press("ArrowRight")
    await page.wait_for_function(FRAME_SHOWN, arg=[k + 1, old], timeout=timeout_s * 1000, polling=POLL_MS)
    await page.evaluate(PAINTED)
    elapsed = time.perf_counter() - t0
    if parts is not None:
        await settle(page)
        painted_at = t_mark + 1000 * elapsed
        states = await page.evaluate("() => window.__tl ? window.__tl.states : []")
        msgs = await page.evaluate("() => window.__tl ? window.__tl.msgs : []")
        runs = [t for t, v in states if v == "running"]
        ends = [t for t, v in states if v == "notRunning"]
        before_paint = [t for t, _ in msgs if t <= painted_at]
        if runs and ends and before_paint:
            parts.append(((runs[0] - t_mark) / 1000, (ends[-1] - runs[0]) / 1000, (painted_at - runs[0]) / 1000,
                          (before_paint[0] - t_mark) / 1000, (before_paint[-1] - before_paint[0]) / 1000,
                          (painted_at - before_paint[-1]) / 1000, len(msgs), sum(b for _, b in msgs) / 1000))
    return elapsed


async def browser_cpu(cdp) -> dict[str, float]:
    """Chromium's main-thread time so far (s): all tasks, JavaScript, style + layout."""
    got = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    return {"main thread busy": got.get("TaskDuration", 0.0), "JavaScript": got.get("ScriptDuration", 0.0),
            "style + layout": got.get("RecalcStyleDuration", 0.0) + got.get("LayoutDuration", 0.0)}


async def steps(page, how: str, count: int, parts: list | None = None) -> list[float]:
    times = []
    for _ in range(count):
        times.append(await step(page, how, parts=parts))
        await settle(page)
    return times


async def has_key_shortcut(page) -> bool:
    """Whether ArrowRight steps a frame (it does once the inspector binds the key)."""
    k = await page.evaluate(SHOWN_FRAME)
    await page.evaluate("() => document.activeElement && document.activeElement.blur()")
    await page.keyboard.press("ArrowRight")
    try:
        await page.wait_for_function(f"() => ({SHOWN_FRAME})() === {k + 1}", timeout=5000)
    except Exception:  # noqa: BLE001 - playwright's timeout: the key does nothing
        return False
    await settle(page)
    return True


async def play_fps(page, seconds: float) -> tuple[float, int]:
    """Distinct frames painted per second while Play is on, and how many."""
    await page.get_by_text("Play", exact=True).click()
    seen, t0 = set(), time.perf_counter()
    await page.wait_for_timeout(500)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        seen.add(await page.evaluate(SHOWN_FRAME))
        await page.evaluate(PAINTED)
    elapsed = time.perf_counter() - t0
    await page.get_by_text("Play", exact=True).click()
    await settle(page)
    return (len(seen) - 1) / elapsed, len(seen) - 1


async def copied_link(browser, url: str, frame: int) -> float:
    context, page = await new_page(browser)
    t0 = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded")
    await page.wait_for_function(FRAME_SHOWN, arg=[frame, ""], timeout=120_000, polling=POLL_MS)
    await page.evaluate(PAINTED)
    elapsed = time.perf_counter() - t0
    await context.close()
    return elapsed


async def sessions(browser, url: str, count: int, seconds: float) -> dict:
    """``count`` contexts, each stepping frames for ``seconds`` (after all have opened)."""
    opened = await asyncio.gather(*(new_page(browser) for _ in range(count)))
    for _, page in opened:
        await page.goto(url, wait_until="domcontentloaded")
    await asyncio.gather(*(page.wait_for_function(FRAME_SHOWN, arg=[1, ""], timeout=180_000)
                           for _, page in opened))
    times, errors = [], 0
    stop_at = time.perf_counter() + seconds

    async def user(page) -> None:
        nonlocal errors
        while time.perf_counter() < stop_at:
            try:
                times.append(await step(page, "click", timeout_s=30))
                await page.wait_for_function(SETTLED, timeout=30_000)
            except Exception:  # noqa: BLE001 - a timeout or a lost connection counts as an error
                errors += 1
        errors += await page.locator('[data-testid="stException"]').count()

    await asyncio.gather(*(user(page) for _, page in opened))
    for context, _ in opened:
        await context.close()
    return {"p50": _pct(times, 50), "p95": _pct(times, 95), "steps": len(times), "errors": errors}


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- one revision


async def measure(tree: Path, env: dict, run_dir: Path, quick: bool, steps_only: bool = False) -> dict[str, float]:
    """Every row; ``steps_only``: the frame step, Play and 10 sessions rows alone."""
    from playwright.async_api import async_playwright

    repeats = 3 if quick else 5
    n_steps = 15 if quick else 40
    rows: dict[str, float] = {"load average (1 min) at start": os.getloadavg()[0]}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        server = Server(tree, env, str(run_dir))
        try:
            base = server.url
            home = f"{base}/?seq={MOT_SEQ}&tracker={MOT_TRACKER}"
            if steps_only:
                context, page = await new_page(browser)
                await page.goto(f"{base}/inspector?seq={MOT_SEQ}&tracker={MOT_TRACKER}")
                await settle(page)
            else:
                context, page = await first_rows(browser, base, home, repeats, rows)
            step_parts: list[tuple] = []
            cdp = await page.context.new_cdp_session(page)
            await cdp.send("Performance.enable")
            before, server_before = await browser_cpu(cdp), server.cpu_s()
            clicks = await steps(page, "click", n_steps, step_parts)
            after = await browser_cpu(cdp)
            rows["  frame step: server CPU per step"] = (server.cpu_s() - server_before) / n_steps
            for name in before:  # the browser's main thread, per step (settling included)
                rows[f"  frame step: browser {name} per step"] = (after[name] - before[name]) / n_steps
            rows["frame step click median (MOT17-04)"] = statistics.median(clicks)
            rows["frame step click p95 (MOT17-04)"] = _pct(clicks, 95)
            for i, name in enumerate(("click -> server run starts", "server run (fragment)",
                                      "server run starts -> picture painted", "click -> first message",
                                      "first -> last message before the picture (server streaming)",
                                      "last message -> picture painted (browser render)",
                                      "messages per step (count)", "messages per step (kB)")):
                if step_parts:
                    rows[f"  frame step: {name}"] = statistics.median(p[i] for p in step_parts)
            if await has_key_shortcut(page):
                keys = await steps(page, "key", n_steps)
                rows["frame step key median (MOT17-04)"] = statistics.median(keys)
                rows["frame step key p95 (MOT17-04)"] = _pct(keys, 95)
            before, server_before = await browser_cpu(cdp), server.cpu_s()
            rows["Play fps (MOT17-04)"], shown = await play_fps(page, 4 if quick else 8)
            after = await browser_cpu(cdp)
            rows["  Play: server CPU per frame shown"] = (server.cpu_s() - server_before) / max(shown, 1)
            rows["  Play: browser main thread busy per frame shown"] = (
                after["main thread busy"] - before["main thread busy"]) / max(shown, 1)
            rows["Play: URL follows the frame"] = float(f"frame={await page.evaluate(SHOWN_FRAME)}" in page.url)
            await context.close()
            if not steps_only:
                rows["copied link (MOT17 inspector)"] = statistics.median(
                    [await copied_link(browser, f"{base}/inspector?seq={MOT_SEQ}&tracker={MOT_TRACKER}&frame=500", 500)
                     for _ in range(repeats)])
            rows["server peak MB (MOT17)"] = server.peak_mb()
        finally:
            server.stop()

        if not steps_only:
            rows.update(await from_folders(browser, tree, env))

        server = Server(tree, env)  # the bundled sample
        try:
            url = f"{server.url}/inspector?{SAMPLE_QUERY}&frame=1"
            context, page = await new_page(browser)
            await page.goto(url)
            await settle(page)
            sample = await steps(page, "click", n_steps)
            rows["frame step click median (sample)"] = statistics.median(sample)
            await context.close()
            for count in (10,) if steps_only else (10, 25):
                got = await sessions(browser, url, count, 15 if quick else 40)
                rows[f"{count} sessions p50 step"] = got["p50"]
                rows[f"{count} sessions p95 step"] = got["p95"]
                rows[f"{count} sessions steps"] = got["steps"]
                rows[f"{count} sessions errors"] = got["errors"]
            rows[f"server peak MB (sample, {count} sessions)"] = server.peak_mb()
        finally:
            server.stop()
        await browser.close()
    if not steps_only:
        rows.update(report(tree, env, run_dir))
    rows["load average (1 min) at end"] = os.getloadavg()[0]
    return rows


async def first_rows(browser, base: str, home: str, repeats: int, rows: dict):
    """The rows before the inspector's (new sessions, page switches, Tracks, Metrics compared); returns the
    context and page, left on the inspector."""
    rows["first chart, cold server (MOT17)"] = await first_chart(browser, home)
    parts: list[dict] = []
    rows["first chart, new session (MOT17)"] = statistics.median(
        [await first_chart(browser, home, parts) for _ in range(repeats)])
    rows.update(load_rows(parts, "new session"))
    rows["first chart, new tab of a browser that opened it before (MOT17)"] = await first_chart_same_browser(
        browser, home, repeats)
    context, page = await new_page(browser)
    await page.goto(home)
    await settle(page)
    rows["Tracks on MOT17-04, first visit"], rows["Tracks on MOT17-04"], rows["page switch (MOT17)"] = \
        await tracks_and_switches(page, repeats)
    for visit in ("first", "again"):
        try:
            rows[f"Metrics compared (MOT17, {visit})"] = await switch_page(
                page, "Metrics compared", "Metrics compared", METRICS_SHOWN, METRICS_TIMEOUT_S)
        except PlaywrightTimeout:
            rows[f"Metrics compared (MOT17, {visit})"] = float("inf")  # printed as "> timeout"
            await page.goto(home)
        await switch_page(page, "Overview", "Overview", None)
    rows["Metrics compared (MOT17, another sequence)"] = await metrics_by_link(
        browser, f"{base}/metrics?seq={OTHER_SEQ}&tracker={MOT_TRACKER}")
    await switch_page(page, "Frame inspector", "Frame inspector", '[data-testid="stImage"] img')
    return context, page


async def tracks_and_switches(page, repeats: int) -> tuple[float, float, float]:
    """From the Overview: the Tracks page's first visit (it reads the sequence's tables), its median
    visit after that, and the median page switch between Overview and Compare."""
    tracks = []
    for _ in range(repeats + 1):
        tracks.append(await switch_page(page, "Tracks", "Tracks", '[data-testid="stPlotlyChart"] svg.main-svg'))
        await switch_page(page, "Overview", "Overview", None)
    switches = []
    for _ in range(repeats):
        switches.append(await switch_page(page, "Overview", "Overview", '[data-testid="stPlotlyChart"]'))
        switches.append(await switch_page(page, "Compare", "Compare", None))
    return tracks[0], statistics.median(tracks[1:]), statistics.median(switches)


async def metrics_by_link(browser, url: str) -> float:
    """A copied link to Metrics compared on a sequence not opened before -> its chart drawn."""
    context, page = await new_page(browser)
    t0 = time.perf_counter()
    try:
        await page.goto(url, wait_until="domcontentloaded")
        await page.get_by_role("heading", name="Metrics compared").first.wait_for(timeout=METRICS_TIMEOUT_S * 1000)
        await page.wait_for_selector(METRICS_SHOWN, timeout=METRICS_TIMEOUT_S * 1000)
        await settle(page, METRICS_TIMEOUT_S)
        return time.perf_counter() - t0
    except PlaywrightTimeout:
        return float("inf")
    finally:
        await context.close()


async def from_folders(browser, tree: Path, env: dict) -> dict[str, float]:
    """MOT17-train x every tracker opened from its folders: the first session on a new server with an
    empty metrics cache (cold: the evaluation runs), another session on it, and a new server on the
    same cache (warm)."""
    rows = {}
    cache = Path(tempfile.mkdtemp(prefix="bench-browser-cache-"))
    env = dict(env, TRACKLENS_CACHE=str(cache))
    folders = ("--gt-folder", str(SHARED / "gt" / "mot_challenge"), "--trackers-folder",
               str(SHARED / "trackers" / "mot_challenge"), "--benchmark", "MOT17")
    try:
        for label in ("cold", "warm"):
            server = Server(tree, env, *folders)
            try:
                home = f"{server.url}/?seq={MOT_SEQ}&tracker={MOT_TRACKER}"
                parts: list[dict] = []
                rows[f"first chart, folders {label} (MOT17)"] = await first_chart(browser, home, parts, 600)
                rows.update(load_rows(parts, f"folders {label}"))
                if label == "cold":
                    rows["first chart, folders, new session on that server"] = await first_chart(browser, home)
            finally:
                server.stop()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return rows


def report(tree: Path, env: dict, run_dir: Path) -> dict[str, float]:
    """``tracklens report`` on the saved run (what-if included): seconds and megabytes, and its parts:
    the time without the what-if, and the bytes of plotly.js and of the thumbnails."""
    rows = {}
    for label, extra in (("", ()), (" --no-whatif", ("--no-whatif",))):
        out = Path(tempfile.mkdtemp(prefix="bench-report-")) / "report.html"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tracklens.dashboard.cli", "report", str(run_dir), "-o", str(out), *extra],
                       cwd=tree, env=env, check=True, capture_output=True, timeout=900)
        rows[f"report MOT17{label} (s)"] = time.perf_counter() - t0
        if not label:
            text = out.read_text(encoding="utf-8")
            rows["report MOT17 (MB)"] = out.stat().st_size / 1e6
            thumbs = re.findall(r'src="(data:image/jpeg;base64,[^"]*)"', text)
            rows["  report: thumbnails (MB)"] = sum(map(len, thumbs)) / 1e6
            rows["  report: thumbnails (count)"] = len(thumbs)
            scripts = re.findall(r"<script[^>]*>(.*?)</script>", text, flags=re.S)
            rows["  report: largest script, plotly.js (MB)"] = max(map(len, scripts), default=0) / 1e6
        shutil.rmtree(out.parent)
    return rows


def _cell(value) -> str:
    if isinstance(value, float):
        return f"> {METRICS_TIMEOUT_S} s (timeout)" if math.isinf(value) else f"{value:.3f}"
    return str(value)


def table(current: dict[str, float], previous: dict[str, float] | None, rev: str | None) -> str:
    head = f"| measure | this checkout | {rev} | ratio | budget |" if previous else "| measure | this checkout | budget |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, value in current.items():
        budget = BUDGETS.get(name)
        if budget is None:
            mark = ""
        else:
            met = value >= budget if "fps" in name else value <= budget
            mark = f"{budget:g} {'met' if met else 'MISSED'}"
        cells = [name, _cell(value)]
        if previous:
            old = previous.get(name)
            cells.append("n/a" if old is None else _cell(old))
            finite = old and isinstance(old, (int, float)) and math.isfinite(old) and math.isfinite(value)
            cells.append(f"{value / old:.2f}" if finite else "")
        cells.append(mark)
        lines.append("| " + " | ".join(cells) + " |")
    if previous:
        for name, old in previous.items():
            if name not in current:
                lines.append(f"| {name} | n/a | {_cell(old)} | | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and shorter loads (about 4 min)")
    parser.add_argument("--rev", help="also measure this git revision (e.g. HEAD~1) and compare")
    parser.add_argument("--rev-only", action="store_true", help="measure --rev alone (not this checkout)")
    parser.add_argument("--steps-only", action="store_true",
                        help="only the frame step, Play and 10 sessions rows (about 3 min a revision)")
    parser.add_argument("--run-dir", help="a saved MOT17-train run (default: saved once into the temp folder)")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found (apt-get install chromium)", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    try:
        run_dir = Path(args.run_dir) if args.run_dir else saved_run(scratch)
        results = {}
        if args.rev:
            tree, env = revision_tree(args.rev, scratch)
            results[args.rev] = asyncio.run(measure(tree, env, run_dir, args.quick, args.steps_only))
        if args.rev_only:
            print(table(results[args.rev], None, None))
        else:
            results["current"] = asyncio.run(measure(ROOT, dict(os.environ), run_dir, args.quick, args.steps_only))
            print(table(results["current"], results.get(args.rev), args.rev))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
    finally:
        if (scratch / "checkout").exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(scratch / "checkout")],
                           capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
