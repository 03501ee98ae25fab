"""The frame step in each of the inspector's frame views, in Chromium: whole frame, crop (to a selected
track, with trails) and zoom & pan (plotly image with hover records), from the → key to the next frame's
picture on screen. Issue 12's budget: a step <= 150 ms median on a 1920x1080 frame with 50+ boxes.

Usage: start the dashboard on the data (e.g. MOT17-04-DPM, blank 1920x1080 canvas), then
    python benchmarks/bench_inspector_views.py URL [--steps 15] [--track 5]
where URL is the inspector's (``http://127.0.0.1:PORT/inspector?seq=...&tracker=...&frame=...``).
Each step is a new frame (a cache miss the first time any session shows it)."""
from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

PICTURE = """() => { const i = document.querySelector('.st-key-frame_area img');
  if (i) return i.complete ? i.src : null;
  const p = document.querySelector('.st-key-frame_area .js-plotly-plot');
  const im = p && p.querySelector('.layer-below image, image');
  return im ? im.getAttribute('href') : null; }"""
CAPTION = r"""() => { const m = document.body.innerText.match(/frame (\d+) \/ \d+ · α/); return m ? +m[1] : null; }"""


def measure(page, steps: int) -> list[float]:
    times = []
    for _ in range(steps):
        k = page.evaluate(CAPTION)
        old = page.evaluate(PICTURE)
        t0 = time.perf_counter()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({CAPTION})() === {k + 1} && ({PICTURE})() && ({PICTURE})() !== {old!r}",
                               timeout=60_000, polling="raf")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        times.append(time.perf_counter() - t0)
        page.wait_for_timeout(300)
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--track", type=int, default=5)
    a = ap.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        for view in ("whole", "medium", "zoom"):
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{a.url}&view={view}&track={a.track}")
            page.wait_for_function(PICTURE, timeout=600_000)
            page.wait_for_timeout(1500)
            page.locator("h1").first.click()
            times = measure(page, a.steps)
            ms = sorted(t * 1000 for t in times)
            print(f"{view:7s} step: median {statistics.median(ms):6.0f} ms  p90 {ms[int(0.9 * (len(ms) - 1))]:6.0f} ms"
                  f"  (n={len(ms)})", flush=True)
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
