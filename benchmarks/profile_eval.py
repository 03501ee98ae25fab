#!/usr/bin/env python
"""Profile tracklens' evaluation (``evaluate(resolve(...))``, workers=1, after imports) with cProfile.

Prints the top functions by own time (tottime) and by cumulative time, and the import time of the
CLI's modules (the part of a whole-process run that is not evaluation). Written to
benchmarks/results/profile_eval.txt; ``--pstats FILE`` also saves the raw profile (snakeviz, pstats).

    python benchmarks/profile_eval.py                 # MPNTrack, all 21 MOT17-train sequences
    python benchmarks/profile_eval.py --sequences 3 --top 25
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

from tracklens.evaluate import evaluate  # noqa: E402
from tracklens.layout import resolve  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("TRACKLENS_BENCH_DATA", REPO.parent / "shared" / "data" / "mot_challenge"))


def import_times(top: int) -> str:
    """``python -X importtime -c 'import tracklens.cli'`` in a fresh process: the slowest imports (cumulative)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import tracklens.cli"], cwd=REPO,
                          capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line[len("import time:"):].split("|")
        rows.append((int(cum_us), int(self_us), name.rstrip()))
    total = next((c for c, _, n in rows if n.strip() == "tracklens.cli"), None)
    rows.sort(reverse=True)
    out = [f"import tracklens.cli in a fresh interpreter: {total / 1e6:.2f} s cumulative" if total else
           "import tracklens.cli: timing not found", "", f"{'cumulative s':>12} {'self s':>8}  module"]
    out += [f"{c / 1e6:12.3f} {s / 1e6:8.3f}  {n}" for c, s, n in rows[:top]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--tracker", default="MPNTrack")
    p.add_argument("--sequences", type=int, help="only the first N sequences of the seqmap")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--pstats", type=Path, help="also save the raw profile here")
    p.add_argument("--output", type=Path, default=HERE / "results" / "profile_eval.txt")
    args = p.parse_args(argv)

    gt = str(args.data / "gt" / "mot_challenge")
    tr = str(args.data / "trackers" / "mot_challenge")
    seqmap = args.data / "gt" / "mot_challenge" / "seqmaps" / "MOT17-train.txt"
    names = [ln.strip() for ln in seqmap.read_text().splitlines()[1:] if ln.strip()]
    if args.sequences:
        names = names[: args.sequences]
        seqmap = Path(tempfile.mkdtemp(prefix="tracklens-prof-")) / "MOT17-train.txt"
        seqmap.write_text("name\n" + "\n".join(names) + "\n")

    # Unprofiled run first: wall time without profiler overhead (and warm file cache).
    t0 = time.perf_counter()
    evaluate(resolve(gt, tr, "MOT17", "train", seqmap=str(seqmap), trackers=[args.tracker]), workers=1)
    plain = time.perf_counter() - t0

    # CPU-time clock: the profile stays meaningful on a machine busy with other work.
    prof = cProfile.Profile(time.process_time)
    t0 = time.perf_counter()
    prof.enable()
    evaluate(resolve(gt, tr, "MOT17", "train", seqmap=str(seqmap), trackers=[args.tracker]), workers=1)
    prof.disable()
    profiled = time.perf_counter() - t0
    if args.pstats:
        prof.dump_stats(str(args.pstats))

    parts = [f"tracklens evaluate(resolve(...)), {len(names)} sequence(s) of MOT17-train, tracker {args.tracker}, "
             f"workers=1: {plain:.2f} s unprofiled, {profiled:.2f} s under cProfile (wall); "
             "profile times are CPU seconds (time.process_time)", ""]
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key)
        stats.print_stats(args.top)
        body = buf.getvalue()
        body = body[body.find("   ncalls"):] if "   ncalls" in body else body
        parts += [f"== top {args.top} by {key} ==", body.rstrip(), ""]
    parts += ["== imports of the CLI (not in the profile above) ==", import_times(args.top)]
    text = "\n".join(parts) + "\n"
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
