"""The Tracks page in a real browser: page switch to Tracks -> its timeline drawn and the page settled, on
MOT17-04 (saved MOT17-train run), on a generated 1,000-track sequence and, with ``--scale-minutes``, on
bench_scale.py's synthetic recording (an hour = 108,000 frames; the timeline shows a window of it).
Median of ``--repeats`` visits (the first visit, which reads the sequence's tables, is reported apart).
``--rev REV`` measures another git revision the same way, in the same run, side by side.

Usage: python benchmarks/bench_tracks.py [--run-dir MOT17_RUN] [--scale-minutes 60] [--rev HEAD~3]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # crowd_data, shared with the tests
from bench_browser import (CHROMIUM, CHROMIUM_ARGS, MOT_SEQ, MOT_TRACKER, ROOT, Server, new_page,  # noqa: E402
                           revision_tree, saved_run, settle, switch_page)
from crowd_data import SEQUENCE, TRACKER, write_crowd  # noqa: E402

TIMELINE = '[data-testid="stPlotlyChart"] svg.main-svg'


def save(gt: Path, trackers: Path, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "tracklens.dashboard.cli", "eval", "--gt-folder", str(gt),
                    "--trackers-folder", str(trackers), "--benchmark", "MOT17", "--save", str(out), "--quiet"],
                   check=True, cwd=ROOT)
    return out


async def tracks_visits(browser, tree: Path, env: dict, run: Path, seq: str, tracker: str, repeats: int) -> list[float]:
    """Seconds per switch Overview -> Tracks, the first (cold) visit first."""
    server = Server(tree, env, str(run))
    try:
        context, page = await new_page(browser)
        await page.goto(f"{server.url}/?seq={seq}&tracker={tracker}")
        await settle(page, 600)
        times = []
        for _ in range(repeats + 1):
            times.append(await switch_page(page, "Tracks", "Tracks", TIMELINE, 600))
            await switch_page(page, "Overview", "Overview", None, 600)
        await context.close()
        return times
    finally:
        server.stop()


async def measure(tree: Path, env: dict, cases: dict[str, tuple[Path, str, str]], repeats: int) -> dict[str, float]:
    from playwright.async_api import async_playwright

    rows = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for name, (run, seq, tracker) in cases.items():
            times = await tracks_visits(browser, tree, env, run, seq, tracker, repeats)
            rows[f"Tracks on {name}, first visit"] = times[0]
            rows[f"Tracks on {name}"] = statistics.median(times[1:])
        await browser.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", help="a saved MOT17-train run (default: saved once into the temp folder)")
    parser.add_argument("--scale-minutes", type=float, help="also the synthetic recording of this many minutes")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rev", help="also measure this git revision and print it beside this checkout")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-tracks-"))
    try:
        cases = {"MOT17-04": (Path(args.run_dir) if args.run_dir else saved_run(scratch), MOT_SEQ, MOT_TRACKER)}
        cases["1,000 tracks"] = (save(*write_crowd(scratch / "crowd"), scratch / "crowd_run"), SEQUENCE, TRACKER)
        if args.scale_minutes:
            from bench_scale import write_sequence

            gt, trackers = write_sequence(str(scratch / "scale"), args.scale_minutes)
            cases[f"{args.scale_minutes:g} min recording"] = (
                save(Path(gt), Path(trackers), scratch / "scale_run"), "synthetic", "synthetic")
            shutil.rmtree(scratch / "scale")  # the text files: the saved run is what the dashboard reads
        results = {"current": asyncio.run(measure(ROOT, dict(os.environ), cases, args.repeats))}
        if args.rev:
            tree, env = revision_tree(args.rev, scratch)
            results[args.rev] = asyncio.run(measure(tree, env, cases, args.repeats))
        load = os.getloadavg()
        head = ["measure (s)", "this checkout"] + ([args.rev, "ratio"] if args.rev else [])
        print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
        for name, value in results["current"].items():
            cells = [name, f"{value:.2f}"]
            if args.rev:
                old = results[args.rev][name]
                cells += [f"{old:.2f}", f"{value / old:.2f}"]
            print("| " + " | ".join(cells) + " |")
        print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)")
    finally:
        if (scratch / "checkout").exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(scratch / "checkout")],
                           capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
