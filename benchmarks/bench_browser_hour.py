"""Issue 12's budgets on the saved hour-long sequence, in a real browser.

``bench_scale.py``'s synthetic recording (50 objects at 30 fps; 60 minutes = 108,000 frames, 5.4M boxes
per side) is written, evaluated and saved with ``tracklens eval --save`` (once: ``--run-dir`` keeps it),
then ``tracklens dashboard`` opens the saved run and headless Chromium measures, as
``bench_browser.py`` does (its waits, probe and percentiles): a new session's first chart, page
switches, the Tracks page, the frame inspector's step by click and by key on a frame in the middle of
the hour, the jump to the next identity switch, and the server's peak memory.

    python benchmarks/bench_browser_hour.py [--minutes 60] [--run-dir DIR] [--repeats 3] [--steps 15]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_browser import (BUDGETS, CHROMIUM, CHROMIUM_ARGS, FRAME_SHOWN, PAINTED, POLL_MS, ROOT, SHOWN_FRAME, Server,
                           _pct, first_chart, new_page, settle, steps, tracks_and_switches)
from bench_scale import write_sequence

NAME = "synthetic"  # the sequence's and the tracker's name in bench_scale's recording


def saved_hour(run: Path, minutes: float) -> dict[str, float]:
    """The recording written and saved into ``run`` unless it holds a saved run already; the seconds each
    part took."""
    if (run / "manifest.json").is_file():
        return {}
    with tempfile.TemporaryDirectory(prefix="bench-hour-") as scratch:
        t0 = time.perf_counter()
        gt, trackers = write_sequence(scratch, minutes)
        t1 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tracklens.dashboard.cli", "eval", "--gt-folder", gt, "--trackers-folder",
                        trackers, "--benchmark", "MOT17", "--save", str(run), "--no-compared", "--quiet"],
                       check=True, cwd=ROOT)
        return {"  write the recording (s)": t1 - t0, "  eval --save --no-compared (s)": time.perf_counter() - t1}


async def jump_to_switch(page) -> float:
    """"next ▶" with the error kind on identity switches -> the next such frame painted."""
    k = await page.evaluate(SHOWN_FRAME)
    t0 = time.perf_counter()
    await page.locator("button:visible").filter(has_text=re.compile(r"^\s*next ▶")).first.click()
    await page.wait_for_function(f"() => ({SHOWN_FRAME})() !== {k}", timeout=60_000, polling=POLL_MS)
    await page.evaluate(PAINTED)
    elapsed = time.perf_counter() - t0
    await settle(page)
    return elapsed


async def measure(run: Path, frames: int, repeats: int, n_steps: int) -> dict[str, float]:
    from playwright.async_api import async_playwright

    rows: dict[str, float] = {"load average (1 min) at start": os.getloadavg()[0]}
    server = Server(ROOT, dict(os.environ), str(run))
    home = f"{server.url}/?seq={NAME}&tracker={NAME}"
    middle = frames // 2
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            rows["first chart, cold server (hour)"] = await first_chart(browser, home)
            rows["first chart, new session (hour)"] = statistics.median(
                [await first_chart(browser, home) for _ in range(repeats)])
            context, page = await new_page(browser)
            await page.goto(home)
            await settle(page)
            rows["Tracks (hour), first visit"], rows["Tracks (hour)"], rows["page switch (hour)"] = \
                await tracks_and_switches(page, repeats)
            await context.close()

            context, page = await new_page(browser)
            t0 = time.perf_counter()
            await page.goto(f"{server.url}/inspector?seq={NAME}&tracker={NAME}&frame={middle}&jump=switch",
                            wait_until="domcontentloaded")
            await page.wait_for_function(FRAME_SHOWN, arg=[middle, ""], timeout=120_000, polling=POLL_MS)
            await page.evaluate(PAINTED)
            rows["copied link to the inspector, middle of the hour"] = time.perf_counter() - t0
            await settle(page)
            clicks = await steps(page, "click", n_steps)
            rows["frame step click median (hour)"] = statistics.median(clicks)
            rows["frame step click p95 (hour)"] = _pct(clicks, 95)
            await page.evaluate("() => document.activeElement && document.activeElement.blur()")
            keys = await steps(page, "key", n_steps)
            rows["frame step key median (hour)"] = statistics.median(keys)
            rows["frame step key p95 (hour)"] = _pct(keys, 95)
            jumps = [await jump_to_switch(page) for _ in range(repeats)]
            rows["next identity switch (hour)"] = statistics.median(jumps)
            await context.close()
            await browser.close()
        rows["server peak MB (hour)"] = server.peak_mb()
    finally:
        server.stop()
    rows["load average (1 min) at end"] = os.getloadavg()[0]
    return rows


BUDGET_OF = {"first chart, new session (hour)": "first chart, new session (MOT17)",
             "page switch (hour)": "page switch (MOT17)", "Tracks (hour)": "Tracks on MOT17-04",
             "frame step click median (hour)": "frame step click median (MOT17-04)",
             "frame step click p95 (hour)": "frame step click p95 (MOT17-04)",
             "frame step key median (hour)": "frame step key median (MOT17-04)",
             "frame step key p95 (hour)": "frame step key p95 (MOT17-04)"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--run-dir", help="where the saved run is kept (default: a folder in the temp dir, reused)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    run = Path(args.run_dir or Path(tempfile.gettempdir()) / f"tracklens-bench-hour-{args.minutes:g}min")
    rows = saved_hour(run, args.minutes)
    rows.update(asyncio.run(measure(run, int(args.minutes * 60 * 30), args.repeats, args.steps)))
    print("| action | s | budget |\n|---|---:|---:|")
    for name, value in rows.items():
        budget = BUDGETS.get(BUDGET_OF.get(name, ""))
        print(f"| {name} | {value:.3f} | {'' if budget is None else budget} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
