#!/usr/bin/env python
"""Speed benchmark: tracklens vs TrackEval 1.3.0, motrics and py-motmetrics 1.4.0 at every size.

Datasets (benchmarks/eval_datasets.py, each in TrackEval's layout so every tool reads the same files):
the bundled sample (TUD, 2 sequences, tracker masa, MOT15 rules), MOT17 FRCNN (7 sequences),
MOT17-train (21) and the MOT17 half-val split (ByteTrack's val_half: the FRCNN sequences' second
halves), tracker MPNTrack on the MOT17 sets. Every tool evaluates HOTA + CLEAR + Identity (py-motmetrics
CLEAR + Identity) in a fresh process; the tools run round-robin (the starting tool rotates each
round) so that a busy machine slows them alike, and each time is the median over the rounds.

Per tool and dataset:

* whole process: wall time of a fresh ``python`` subprocess, interpreter start to results written;
  its CPU time comes from ``wait4`` on that child, its peak memory from GNU time (``%M``);
* evaluation only: after the imports, from the file list to the results (tracklens:
  ``evaluate(resolve(...))`` in this process; the others: timed inside their subprocess).

``--before TREE`` adds an older tracklens (a ``git archive`` of it) as two more columns, for a
before/after table from one run. Parity: each tool's COMBINED numbers are compared with TrackEval's
from the same run; tracklens must match to 1e-9 on every common field or this script exits with 1.
On MOT17-train, ``benchmarks/fixed_cost.py`` splits ``tracklens eval --workers 1`` into python start,
imports, read, match, metrics, write and exit. A last table covers the bundled sample against
``python -c "import numpy"`` (``--small-only`` runs just that table, no MOT17 data needed).

    python benchmarks/bench_eval.py                                   # everything (make bench)
    python benchmarks/bench_eval.py --datasets sample,halfval --repeats 1 --skip-motmetrics
    git archive REV core dashboard assets | tar -x -C /tmp/before
    python benchmarks/bench_eval.py --before /tmp/before --before-label REV

The Markdown goes to stdout and to benchmarks/results/bench_eval.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata as md
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import shutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

from eval_datasets import Dataset, build  # noqa: E402
from tracklens.evaluate import evaluate  # noqa: E402
from tracklens.layout import resolve  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("TRACKLENS_BENCH_DATA", REPO.parent / "shared" / "data" / "mot_challenge"))
PARITY_FIELDS = ("HOTA", "DetA", "AssA", "LocA", "MOTA", "IDF1")
COUNT_FIELDS = ("Dets", "GT_Dets", "IDs", "GT_IDs")
EXACT = 1e-9
SUBPROCESS_TIMEOUT_S = 1800


class ToolError(Exception):
    """A tool could not be run; the message says why (shown in the output instead of numbers)."""


@dataclass
class Sample:
    whole_s: float | None          # wall time, interpreter start to results
    eval_s: float | None           # wall time, evaluation only
    combined: dict
    whole_cpu: float | None = None  # user+sys CPU of the subprocess (and its children)
    eval_cpu: float | None = None   # user+sys CPU of the evaluation (pool workers included)
    idle_before: float | None = None  # fraction of all CPUs idle in the second before the sample
    peak_mb: float | None = None  # peak resident memory of the subprocess (ru_maxrss, its children included)


@dataclass
class Case:
    key: str
    run: Callable[[], Sample]
    repeats: int
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None


# --------------------------------------------------------------------------------------- helpers

def flat_fields(metrics: dict) -> dict:
    """tracklens' flat field dict -> floats, HOTA arrays as their mean (+ ``_alpha`` lists)."""
    out = {}
    for key, value in metrics.items():
        arr = np.asarray(value)
        if arr.ndim == 1:
            out[key] = float(arr.mean())
            out[f"{key}_alpha"] = [float(v) for v in arr]
        elif arr.ndim == 0 and np.issubdtype(arr.dtype, np.number):
            out[key] = float(arr)
    return out


def children_cpu() -> float:
    """user+sys CPU seconds of every waited-for child process (and their children) so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


# GNU time reports the peak memory of the command alone: ru_maxrss from this process's own wait4 would
# include the pages of this process at fork time (Linux keeps the pre-exec high-water mark).
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


@dataclass
class Finished:
    """A subprocess that ran to its end: its output, exit status and peak memory."""
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float


def timed_run(cmd: list[str], env: dict | None = None) -> tuple[float, float, Finished]:
    """Run ``cmd`` from the repository root: (wall s, CPU s, finished process). CPU and peak memory
    come from ``wait4`` on this very child (its waited-for children included)."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    peak_file = tempfile.NamedTemporaryFile(suffix=".peak", delete=False)
    peak_file.close()
    if GNU_TIME:  # the child forked from this (large) process would count its pages as its own peak
        cmd = [GNU_TIME, "-f", "%M", "-o", peak_file.name, *cmd]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err, env=env)
    deadline = t0 + SUBPROCESS_TIMEOUT_S
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise ToolError(f"timed out after {SUBPROCESS_TIMEOUT_S} s: {' '.join(cmd)}")
        time.sleep(0.002)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    out.seek(0)
    err.seek(0)
    with open(peak_file.name) as fp:
        text = fp.read().split()
    os.unlink(peak_file.name)
    peak_kb = float(text[-1]) if text and text[-1].isdigit() else math.nan
    done = Finished(proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                    peak_kb / 1024)
    out.close()
    err.close()
    return wall, ru.ru_utime + ru.ru_stime, done


def run_json(cmd: list[str]) -> tuple[float, float, dict]:
    """Run ``cmd``; return its wall time, CPU time and the JSON object on the last line of its stdout
    (with the child's peak memory as ``_peak_mb``)."""
    wall, cpu, proc = timed_run(cmd)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-6:])
        raise ToolError(f"exit status {proc.returncode}: {tail}")
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.startswith("{")]
    if not lines:
        raise ToolError(f"no JSON on stdout; stderr: {proc.stderr.strip()[-400:]}")
    return wall, cpu, {**json.loads(lines[-1]), "_peak_mb": proc.peak_mb}


def missing_module(*names: str) -> str | None:
    import importlib.util
    for name in names:
        if importlib.util.find_spec(name) is None:
            return name
    return None


def dist_version(name: str) -> str:
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fp:
            for line in fp:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def cpu_idle_fraction(interval: float = 1.0) -> float | None:
    """Fraction of the machine's CPU time spent idle over ``interval`` seconds (from /proc/stat)."""
    def read() -> tuple[int, int]:
        with open("/proc/stat") as fp:
            vals = [int(v) for v in fp.readline().split()[1:9]]
        return vals[3] + vals[4], sum(vals)
    try:
        i0, t0 = read()
        time.sleep(interval)
        i1, t1 = read()
    except (OSError, ValueError, IndexError):
        return None
    return (i1 - i0) / max(1, t1 - t0)


def wait_for_idle(max_wait_s: float, threshold: float) -> float | None:
    """Wait (at most ``max_wait_s``) until ``threshold`` of the CPU time is idle; return the last idle fraction."""
    deadline = time.monotonic() + max_wait_s
    while True:
        idle = cpu_idle_fraction()
        if idle is None or idle >= threshold or time.monotonic() >= deadline:
            return idle


def median(xs: list[float | None]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ------------------------------------------------------------------------------------ the tools

class Bench:
    def __init__(self, args: argparse.Namespace, ds: Dataset):
        self.args = args
        self.ds = ds
        self.gt = str(ds.data / "gt" / "mot_challenge")
        self.tr = str(ds.data / "trackers" / "mot_challenge")
        self.seqmap = str(ds.seqmap)
        self.n_seq = ds.sequences
        self.tracker = ds.tracker
        self.tmp = tempfile.mkdtemp(prefix="tracklens-bench-")
        self.common = ["--gt-folder", self.gt, "--trackers-folder", self.tr, "--benchmark", ds.benchmark,
                       "--split", ds.split, "--seqmap", self.seqmap]

    # tracklens ---------------------------------------------------------------------------
    def tracklens_cli(self, workers: int, source: Path | None = None) -> Callable[[], Sample]:
        """``tracklens eval`` in a fresh process; ``source``: an older checkout's tree (``git archive``),
        run instead of this one (its core/, dashboard/ and assets/ as the ``tracklens`` package)."""
        env = None
        if source is not None:
            shim = Path(self.tmp) / f"before-{source.name}"
            if not shim.exists():
                pkg = shim / "tracklens"
                shutil.copytree(source / "core", pkg, symlinks=True)
                os.symlink(source / "dashboard", pkg / "dashboard")
                os.symlink(source / "assets", pkg / "assets")
            env = {**os.environ, "PYTHONPATH": str(shim)}

        def run() -> Sample:
            out = os.path.join(self.tmp, f"tracklens-w{workers}-{'before' if source else 'now'}.json")
            cmd = [sys.executable, "-m", "tracklens.dashboard.cli", "eval", *self.common, "--trackers", self.tracker,
                   "--workers", str(workers), "--json", out, "--quiet"]
            wall, cpu, proc = timed_run(cmd, env)
            if proc.returncode != 0:
                raise ToolError(f"exit status {proc.returncode}: {proc.stderr.strip()[-600:]}")
            with open(out) as fp:
                data = json.load(fp)[self.tracker]["COMBINED"]
            return Sample(wall, None, {k: v for k, v in data.items() if isinstance(v, (int, float, list))},
                          whole_cpu=cpu, peak_mb=proc.peak_mb)
        return run

    def tracklens_inprocess(self, workers: int) -> Callable[[], Sample]:
        def run() -> Sample:
            c0, k0, t0 = time.process_time(), children_cpu(), time.perf_counter()
            result = evaluate(resolve(self.gt, self.tr, self.ds.benchmark, self.ds.split, seqmap=self.seqmap,
                                      trackers=[self.tracker]), workers=workers)
            elapsed = time.perf_counter() - t0
            cpu = time.process_time() - c0 + children_cpu() - k0
            return Sample(None, elapsed, flat_fields(result.metrics[self.tracker]["COMBINED_SEQ"]),
                          eval_cpu=cpu)
        return run

    # the others (each a subprocess printing JSON) ------------------------------------------
    def script(self, name: str, modules: tuple[str, ...], pip: str) -> Callable[[], Sample]:
        def run() -> Sample:
            missing = missing_module(*modules)
            if missing:
                raise ToolError(f"python module '{missing}' is not installed in {sys.executable} "
                                f"(pip install '{pip}', or `make bench`)")
            wall, cpu, data = run_json([sys.executable, str(HERE / name), *self.common,
                                        "--tracker", self.tracker])
            if data.get("sequences") != self.n_seq:
                raise ToolError(f"evaluated {data.get('sequences')} sequences, expected {self.n_seq}")
            sample = Sample(wall, data["eval_s"], data["combined"], whole_cpu=cpu, eval_cpu=data.get("eval_cpu_s"),
                            peak_mb=data["_peak_mb"])
            sample.combined["_shims"] = data.get("shims", [])
            return sample
        return run


# ------------------------------------------------------------------------------------- parity

def parity(tool: dict, ref: dict) -> dict:
    """Max |delta| over the headline fields present in both, and the IDSW difference."""
    deltas = {f: abs(tool[f] - ref[f]) for f in PARITY_FIELDS if f in tool and f in ref}
    out = {"max": max(deltas.values()) if deltas else None, "fields": deltas,
           "compared": [f for f in PARITY_FIELDS if f in deltas]}
    if "IDSW" in tool and "IDSW" in ref:
        d = int(round(tool["IDSW"] - ref["IDSW"]))
        out["idsw"] = d
        out["idsw_pct"] = 100.0 * d / ref["IDSW"] if ref["IDSW"] else math.nan
    return out


def full_parity(tool: dict, ref: dict) -> tuple[int, float, str | None, str]:
    """Every common numeric field (alpha arrays element-wise).

    Returns (fields compared, worst scaled delta, its field, "largest absolute delta (field)"). The scaled delta
    is |Δ| / max(1, |reference|): absolute for rates and small counts, relative for large sums
    such as MOTP_sum (a sum over ~10^5 IoUs, where summation order alone moves the last bits).
    """
    worst, worst_field, worst_abs, abs_field, n = 0.0, None, 0.0, None, 0
    for key, ref_v in ref.items():
        if key.startswith("_") or key not in tool:
            continue
        a, b = np.asarray(tool[key], float), np.asarray(ref_v, float)
        if a.shape != b.shape:
            return n, math.inf, key, f"shape mismatch ({key})"
        both_nan = np.isnan(a) & np.isnan(b)
        diff = np.where(both_nan, 0.0, np.abs(a - b))
        diff = np.where(np.isnan(diff), np.inf, diff)  # NaN on one side only
        scaled = diff / np.maximum(1.0, np.abs(np.nan_to_num(b)))
        n += 1
        if diff.size:
            if float(diff.max()) > worst_abs:
                worst_abs, abs_field = float(diff.max()), key
            if float(scaled.max()) > worst:
                worst, worst_field = float(scaled.max()), key
    return n, worst, worst_field, f"{worst_abs:.3g}" + (f" ({abs_field})" if abs_field else "")


# ------------------------------------------------------------------------------------- output

def fmt_s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def fmt_delta(x: float | None) -> str:
    if x is None:
        return "—"
    return "0 (exact)" if x == 0 else f"{x:.2e}"


def render(bench: Bench, cases: dict[str, Case], notes: list[str], started: str, load_start: str,
           load_end: str, total_s: float) -> tuple[str, bool]:
    args = bench.args
    te = cases["trackeval"]
    te_ok = bool(te.samples) and te.error is None
    ref = te.samples[0].combined if te_ok else None
    te_whole = median([s.whole_s for s in te.samples]) if te_ok else None
    te_cpu = median([s.whole_cpu for s in te.samples]) if te_ok else None

    rows = [
        (f"tracklens {dist_version('tracklens')}, --workers 1", "tl_cli_1", "tl_eval_1"),
        (f"tracklens {dist_version('tracklens')}, --workers 2", "tl_cli_2", "tl_eval_2"),
        (f"tracklens before ({args.before_label}), --workers 1", "tlb_cli_1", None),
        (f"tracklens before ({args.before_label}), --workers 2", "tlb_cli_2", None),
        (f"TrackEval {dist_version('trackeval')}", "trackeval", "trackeval"),
        (f"motrics {dist_version('motrics')} (compat.trackeval)", "motrics", "motrics"),
        (f"py-motmetrics {dist_version('motmetrics')} (CLEAR+Identity only)", "motmetrics", "motmetrics"),
    ]
    ok = True
    lines = [
        f"## {bench.ds.title}: {bench.ds.benchmark}-{bench.ds.split}, {bench.n_seq} sequence(s), tracker {bench.tracker}",
        "",
        f"HOTA + CLEAR + Identity; median of {args.repeats} round-robin run(s) "
        f"(py-motmetrics: {args.motmetrics_repeats}). Ratio = TrackEval whole-process time / the tool's "
        "whole-process time (higher is faster). Parity = max |Δ| vs TrackEval's COMBINED "
        f"{', '.join(PARITY_FIELDS)} (fractions, not %), and the IDSW difference. CPU = user+sys seconds "
        "(subprocess and its children; less sensitive than wall time to other load on the machine).",
        "",
        "| tool | whole process (s) | evaluation only (s) | ratio vs TrackEval whole process "
        "| parity (max \\|Δ\\|) | IDSW Δ | CPU s, whole / eval (CPU ratio) | peak MB (whole process, GNU time) |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    details = []
    for label, whole_key, eval_key in rows:
        wc, ec = cases.get(whole_key), cases.get(eval_key)
        if wc is None:
            continue
        errs = [c.error for c in {id(wc): wc, id(ec): ec}.values() if c is not None and c.error]
        if wc.error == "skipped":
            lines.append(f"| {label} | skipped (--skip-motmetrics) | | | | | | |")
            continue
        if errs and not (wc.samples or ec.samples):
            lines.append(f"| {label} | not run: {errs[0].strip().splitlines()[-1].replace('|', '/')} | | | | | | |")
            ok = ok and not label.startswith("tracklens")
            continue
        whole = median([s.whole_s for s in wc.samples])
        ev = median([s.eval_s for s in ec.samples]) if ec else None
        ratio = f"{te_whole / whole:.2f}x" if (te_whole and whole) else "—"
        wcpu = median([s.whole_cpu for s in wc.samples])
        ecpu = median([s.eval_cpu for s in ec.samples]) if ec else None
        cpu_txt = f"{fmt_s(wcpu)} / {fmt_s(ecpu)}" + (f" ({te_cpu / wcpu:.2f}x)" if (te_cpu and wcpu) else "")
        par_txt, idsw_txt = "—", "—"
        if ref is not None and whole_key != "trackeval":
            sample_sets = [c.samples[0].combined for c in (wc, ec) if c is not None and c.samples]
            pars = [parity(s, ref) for s in sample_sets]
            worst = max((p["max"] for p in pars if p["max"] is not None), default=None)
            compared = pars[0]["compared"]
            par_txt = fmt_delta(worst)
            if len(compared) < len(PARITY_FIELDS):
                par_txt += f" ({'/'.join(compared)} only)"
            if "idsw" in pars[0]:
                idsw_txt = f"{pars[0]['idsw']:+d} ({pars[0]['idsw_pct']:+.1f} %)"
            if label.startswith("tracklens"):
                for c in (wc, ec):
                    for s in (c.samples if c is not None else ()):
                        n, d, f, _ = full_parity(s.combined, ref)
                        if not (d <= EXACT) or n < 50:
                            ok = False
                            details.append(f"- **PARITY FAILURE** {label} ({c.key}): field {f} differs by {d:.3g} "
                                           f"({n} fields compared).")
                n, d, f, d_abs = full_parity(wc.samples[0].combined, ref)
                absent = sorted(k for k in ref if not k.startswith("_") and k not in wc.samples[0].combined)
                details.append(f"- {label}: all {n} common COMBINED fields (HOTA alpha arrays element-wise): "
                               f"max |Δ|/max(1,|TrackEval|) = {d:.3g} (field {f}; "
                               f"largest absolute |Δ| {d_abs}) "
                               f"→ {'exact' if d <= EXACT else 'NOT exact'} (limit {EXACT:g})"
                               + (f"; TrackEval fields absent from tracklens: {', '.join(absent)}."
                                  if absent else "."))
            elif pars[0]["fields"]:
                fields = ", ".join(f"{k} {v:.2e}" for k, v in pars[0]["fields"].items())
                details.append(f"- {label}: |Δ| per field: {fields}.")
        elif whole_key == "trackeval":
            par_txt, idsw_txt = "reference", "reference"
        peak = median([s.peak_mb for s in wc.samples])
        lines.append(f"| {label} | {fmt_s(whole)} | {fmt_s(ev)} | {ratio} | {par_txt} | {idsw_txt} | {cpu_txt} "
                     f"| {'—' if peak is None else f'{peak:.0f}'} |")
        for c in (wc, ec):
            if c is not None and c.error and c.samples:
                details.append(f"- {label} ({c.key}): some runs failed: {c.error}")

    # preprocessing check: Count fields after preprocessing vs TrackEval's
    if ref is not None:
        lines += ["", "### Preprocessing check (COMBINED counts after preprocessing; TrackEval = reference)", "",
                  "| tool | " + " | ".join(COUNT_FIELDS) + " | same as TrackEval |",
                  "|---|" + "---:|" * len(COUNT_FIELDS) + "---|"]
        for label, key in (("TrackEval", "trackeval"), ("tracklens", "tl_eval_1"), ("motrics", "motrics"),
                           ("py-motmetrics", "motmetrics")):
            c = cases.get(key)
            if c is None or not c.samples:
                continue
            comb = c.samples[0].combined
            vals = [comb.get(f) for f in COUNT_FIELDS]
            same = all(v is None or v == ref.get(f) for f, v in zip(COUNT_FIELDS, vals))
            lines.append(f"| {label} | " + " | ".join("n/a" if v is None else f"{int(v)}" for v in vals)
                         + f" | {'yes' if same else 'NO'} |")
        lines.append("")
        lines.append("motrics preprocesses like TrackEval (`preprocess_motchallenge`: pedestrians only, "
                     "zero-marked ground truth dropped, tracker boxes matched to distractor classes removed); "
                     "py-motmetrics' eval_motchallenge does not remove distractor-matched tracker boxes "
                     "(only ground-truth rows with consider flag 0 are dropped), so its counts can differ.")

    lines += ["", "### Headline values (COMBINED)", "",
              "| tool | HOTA | DetA | AssA | LocA | MOTA | IDF1 | IDSW |", "|---|" + "---:|" * 7]
    for label, key in (("TrackEval", "trackeval"), ("tracklens", "tl_eval_1"), ("motrics", "motrics"),
                       ("py-motmetrics", "motmetrics")):
        c = cases.get(key)
        if c is None or not c.samples:
            continue
        comb = c.samples[0].combined
        cells = [f"{100 * comb[f]:.3f}" if f in comb else "n/a" for f in PARITY_FIELDS]
        cells.append(f"{int(comb['IDSW'])}" if "IDSW" in comb else "n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines += ["", "### Notes", ""] + details + [f"- {n}" for n in notes]
    lines += ["", "### All samples (s, in run order; CPU = user+sys)", "",
              "| case | whole process | evaluation only | CPU whole | CPU eval | CPU idle before (%) |",
              "|---|---|---|---|---|---|"]
    for c in cases.values():
        if c.samples:
            cols = [", ".join(fmt_s(getattr(s, a)) for s in c.samples)
                    for a in ("whole_s", "eval_s", "whole_cpu", "eval_cpu")]
            idle = ", ".join("n/a" if s.idle_before is None else f"{100 * s.idle_before:.0f}" for s in c.samples)
            lines.append(f"| {c.key} | " + " | ".join(cols) + f" | {idle} |")
        elif c.error:
            lines.append(f"| {c.key} | {c.error.splitlines()[0][:120].replace('|', '/')} | | | | |")

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines += ["", "### Machine", "",
              f"- date: {started}; bench wall time {total_s:.0f} s",
              f"- nproc: {affinity} (os.cpu_count {os.cpu_count()}); CPU: {cpu_model()}",
              f"- load average (1/5/15 min) at start: {load_start}; at end: {load_end}",
              f"- Python {platform.python_version()} ({platform.python_implementation()}), numpy {np.__version__}, "
              f"scipy {dist_version('scipy')}, {platform.system()} {platform.release()}",
              f"- data: {args.data}",
              f"- command: `{' '.join([Path(sys.executable).name, *sys.argv])}`"]
    return "\n".join(lines) + "\n", ok


# ------------------------------------------------------------------------------- small inputs

SAMPLE = REPO / "assets" / "sample"


def small_input_table(repeats: int) -> str:
    """The bundled sample, whole process, beside Python's own start and ``import numpy``; the cases
    alternate in every round and each figure is the median over the rounds."""
    with tempfile.TemporaryDirectory(prefix="tracklens-small-") as tmp:
        eval_args = ["--gt-folder", str(SAMPLE / "gt"), "--trackers-folder", str(SAMPLE / "trackers"),
                     "--benchmark", "MOT15"]
        cmds = {
            "python -c pass": [sys.executable, "-c", "pass"],
            'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
            "tracklens eval (sample, --quiet --json)": [sys.executable, "-m", "tracklens.dashboard.cli", "eval",
                                                         *eval_args, "--quiet", "--json", os.path.join(tmp, "m.json")],
        }
        probe = [sys.executable, str(HERE / "fixed_cost.py"), *eval_args[1::2], os.path.join(tmp, "p.json")]
        walls: dict[str, list[float]] = {k: [] for k in cmds}
        phases: list[dict] = []
        for r in range(repeats):
            for key in list(cmds)[r % len(cmds):] + list(cmds)[:r % len(cmds)]:
                wall, _, proc = timed_run(cmds[key])
                if proc.returncode != 0:
                    raise ToolError(f"{key}: exit status {proc.returncode}: {proc.stderr.strip()[-400:]}")
                walls[key].append(wall)
            phases.append(run_json(probe)[2])
    med = {k: statistics.median(v) for k, v in walls.items()}
    numpy_s, eval_s = med['python -c "import numpy"'], med["tracklens eval (sample, --quiet --json)"]
    parts = {"python start": med["python -c pass"],
             **{k: statistics.median(p[k] for p in phases) for k in ("imports", "read", "match", "metrics", "write")}}
    parts["exit and the rest"] = eval_s - sum(parts.values())
    lines = ["## Small input: bundled sample (TUD-Campus + TUD-Stadtmitte, 2 trackers), whole process", "",
             f"Median of {repeats} alternating runs; ratio = the time / `python -c \"import numpy\"`.", "",
             "| command | whole process (s) | ratio vs import numpy |", "|---|---:|---:|"]
    lines += [f"| {k} | {v:.3f} | {v / numpy_s:.2f}x |" for k, v in med.items()]
    lines += ["", "Fixed-cost breakdown of `tracklens eval` on the sample (python start = `python -c pass`; "
              "imports .. write timed inside benchmarks/fixed_cost.py; exit and the rest = whole process "
              "minus the parts, measured in other processes, so it can come out slightly negative):", "", "| part | s |", "|---|---:|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in parts.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------- main

def run_cases(cases: dict[str, Case], args: argparse.Namespace, title: str) -> float:
    """Round-robin over the cases (the first case rotates each round); returns the wall time."""
    t_start = time.perf_counter()
    order = list(cases)
    rounds = max(c.repeats for c in cases.values())
    for r in range(rounds):
        rotated = order[r % len(order):] + order[: r % len(order)]
        for key in rotated:
            case = cases[key]
            if case.error and not case.samples:
                continue  # skipped, or failed before: do not retry every round
            if len(case.samples) >= case.repeats:
                continue
            idle = wait_for_idle(args.wait_idle, args.idle_threshold) if args.wait_idle else cpu_idle_fraction(0.5)
            t0 = time.perf_counter()
            try:
                sample = case.run()
                sample.idle_before = idle
                case.samples.append(sample)
                status = "ok"
            except ToolError as exc:
                case.error = str(exc)
                status = f"FAILED: {exc}"
            except Exception as exc:  # noqa: BLE001 - report any tool failure as such
                case.error = f"{type(exc).__name__}: {exc}"
                status = f"FAILED: {case.error}\n{traceback.format_exc()}"
            idle_txt = "n/a" if idle is None else f"{100 * idle:.0f}%"
            print(f"[{title} {r + 1}/{rounds}] {key:<11} {time.perf_counter() - t0:7.2f} s  "
                  f"idle before {idle_txt}  load {loadavg()}  {status}", file=sys.stderr, flush=True)
    return time.perf_counter() - t_start


def dataset_cases(bench: Bench, args: argparse.Namespace, big: bool) -> dict[str, Case]:
    """Every tool on one dataset; py-motmetrics 1.4.0 (tens of seconds per MOT17 run) gets
    ``--motmetrics-repeats`` rounds on the MOT17 sets, all rounds on the sample."""
    mm_repeats = 0 if args.skip_motmetrics else (args.motmetrics_repeats if big else args.repeats)
    cases = {
        "tl_cli_1": Case("tl_cli_1", bench.tracklens_cli(1), args.repeats),
        "tl_cli_2": Case("tl_cli_2", bench.tracklens_cli(2), args.repeats),
        "tl_eval_1": Case("tl_eval_1", bench.tracklens_inprocess(1), args.repeats),
        "tl_eval_2": Case("tl_eval_2", bench.tracklens_inprocess(2), args.repeats),
        "trackeval": Case("trackeval", bench.script("run_trackeval.py", ("trackeval",), "trackeval==1.3.0"),
                          args.repeats),
        "motrics": Case("motrics", bench.script("run_motrics.py", ("motrics",), "motrics"), args.repeats),
        "motmetrics": Case("motmetrics", bench.script("run_motmetrics.py", ("motmetrics",), "motmetrics==1.4.0"),
                           mm_repeats),
    }
    if args.before:
        cases["tlb_cli_1"] = Case("tlb_cli_1", bench.tracklens_cli(1, args.before), args.repeats)
        cases["tlb_cli_2"] = Case("tlb_cli_2", bench.tracklens_cli(2, args.before), args.repeats)
    if args.skip_motmetrics:
        cases["motmetrics"].error = "skipped"
    return cases


SUMMARY_TOOLS = (("TrackEval 1.3.0", "trackeval"), ("motrics", "motrics"), ("py-motmetrics 1.4.0", "motmetrics"),
                 ("tracklens before, w1", "tlb_cli_1"), ("tracklens before, w2", "tlb_cli_2"),
                 ("tracklens --workers 1", "tl_cli_1"), ("tracklens --workers 2", "tl_cli_2"))


def summary_tables(results: list[tuple[Dataset, dict[str, Case]]], repeats: int, load: str) -> str:
    """One row per dataset: every tool's whole-process median (and its speed-up over TrackEval from the
    same run); then evaluation alone and peak memory."""
    present = [(label, key) for label, key in SUMMARY_TOOLS if any(key in c for _, c in results)]
    head = "| dataset | " + " | ".join(label for label, _ in present) + " |"
    rule = "|---|" + "---:|" * len(present)
    whole = [f"### Whole process, median of {repeats} alternating runs (s; × = TrackEval's time / the tool's)", "",
             f"Load average at the end: {load}.", "", head, rule]
    alone = ["", "### Evaluation alone (s, after imports) and peak memory (MB, whole process: GNU time's maximum resident set)", "",
             head, rule]
    for ds, cases in results:
        te = median([s.whole_s for s in cases["trackeval"].samples]) if "trackeval" in cases else None
        cw, ca = [], []
        for _, key in present:
            c = cases.get(key)
            w = median([s.whole_s for s in c.samples]) if c and c.samples else None
            if w is None:
                cw.append("—" if not (c and c.error) else ("skipped" if c.error == "skipped" else "failed"))
            else:
                cw.append(f"{w:.2f}" + (f" ({te / w:.1f}×)" if te and key != "trackeval" else ""))
            e_key = {"tl_cli_1": "tl_eval_1", "tl_cli_2": "tl_eval_2"}.get(key, key)
            e = cases.get(e_key)
            ev = median([s.eval_s for s in e.samples]) if e and e.samples else None
            pk = median([s.peak_mb for s in c.samples]) if c and c.samples else None
            ca.append(("—" if ev is None else f"{ev:.2f} s") + " / " + ("—" if pk is None else f"{pk:.0f} MB"))
        whole.append(f"| {ds.title} | " + " | ".join(cw) + " |")
        alone.append(f"| {ds.title} | " + " | ".join(ca) + " |")
    return "\n".join(whole + alone) + "\n"


def mot17_breakdown(ds: Dataset, whole_w1: float | None, repeats: int) -> str:
    """The fixed-cost parts of ``tracklens eval --workers 1`` on one dataset (benchmarks/fixed_cost.py)."""
    with tempfile.TemporaryDirectory(prefix="tracklens-parts-") as tmp:
        probe = [sys.executable, str(HERE / "fixed_cost.py"), str(ds.data / "gt" / "mot_challenge"),
                 str(ds.data / "trackers" / "mot_challenge"), ds.benchmark, os.path.join(tmp, "p.json"),
                 str(ds.seqmap), ds.tracker]
        starts, phases = [], []
        for _ in range(repeats):
            starts.append(timed_run([sys.executable, "-c", "pass"])[0])
            phases.append(run_json(probe)[2])
    parts = {"python start": statistics.median(starts),
             **{k: statistics.median(p[k] for p in phases) for k in ("imports", "read", "match", "metrics", "write")}}
    lines = [f"### Where `tracklens eval --workers 1` spends its time: {ds.title} (median of {repeats})", "",
             "| part | s |", "|---|---:|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in parts.items()]
    if whole_w1 is not None:
        lines.append(f"| exit and the rest (whole process {whole_w1:.2f} s minus the parts) | "
                     f"{whole_w1 - sum(parts.values()):.3f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA,
                   help="folder with gt/mot_challenge and trackers/mot_challenge (default %(default)s; "
                        "env TRACKLENS_BENCH_DATA)")
    p.add_argument("--tracker", default="MPNTrack", help="tracker folder name (default %(default)s)")
    p.add_argument("--datasets", default="sample,frcnn,train,halfval",
                   help="comma-separated, of sample, frcnn, train, halfval (benchmarks/eval_datasets.py)")
    p.add_argument("--repeats", type=int, default=5, help="round-robin rounds; medians reported (default 5)")
    p.add_argument("--skip-motmetrics", action="store_true", help="do not run py-motmetrics (slow)")
    p.add_argument("--motmetrics-repeats", type=int, default=1,
                   help="py-motmetrics rounds on the MOT17 sets (default 1; the sample gets --repeats)")
    p.add_argument("--before", type=Path, metavar="TREE",
                   help="also run an older tracklens: a source tree (git archive REV | tar -x -C TREE)")
    p.add_argument("--before-label", default="before", help="its name in the tables (e.g. the commit)")
    p.add_argument("--wait-idle", type=float, default=0, metavar="S",
                   help="before each sample wait up to S seconds for the machine to be mostly idle "
                        "(>= --idle-threshold of CPU time idle over 1 s); 0 = measure idleness only (default)")
    p.add_argument("--idle-threshold", type=float, default=0.8, help="idle fraction to wait for (default 0.8)")
    p.add_argument("--output", type=Path, default=HERE / "results" / "bench_eval.md")
    p.add_argument("--small-repeats", type=int, default=5, help="rounds of the small-input table (default 5)")
    p.add_argument("--small-only", action="store_true", help="only the small-input table (bundled sample)")
    args = p.parse_args(argv)
    if args.small_only:
        text = small_input_table(args.small_repeats)
        print(text)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.with_name("bench_eval_small.md").write_text(text)
        return 0

    keys = [k.strip() for k in args.datasets.split(",") if k.strip()]
    if any(k != "sample" for k in keys) and not (args.data / "gt" / "mot_challenge" / "seqmaps").is_dir():
        print(f"bench_eval: data not found under {args.data} (pass --data or set TRACKLENS_BENCH_DATA)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="tracklens-datasets-"))
    started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    load_start = loadavg()
    results, sections, ok = [], [], True
    notes = [
        "Whole process = wall time of a fresh interpreter (CPU from `wait4` on the child, peak memory from "
        "`/usr/bin/time -f %M`): "
        "tracklens `tracklens eval ... --quiet --json OUT`; TrackEval/motrics/py-motmetrics: "
        "benchmarks/run_<tool>.py (imports, evaluation, JSON on stdout). Evaluation only = after imports "
        "(tracklens in this process, the others inside their subprocess).",
        "TrackEval 1.3.0 runs on numpy 2 with the alias shim `np.float=float; np.int=int` (np.bool not aliased).",
        "motrics runs through `motrics.compat.trackeval` (Evaluator + MotChallenge2DBox + HOTA/CLEAR/Identity), "
        "single process, as its only MOTChallenge adapter with TrackEval's preprocessing.",
        "py-motmetrics 1.4.0 (with lapx) needs `np.asfarray` (removed in numpy 2.0); run_motmetrics.py restores "
        "it. It runs like `motmetrics.apps.eval_motchallenge` (no HOTA, no distractor removal). Its fast path "
        "(PR #215) is not released, so it is not in the table.",
    ]
    for ds in build(keys, args.data, tmp, args.tracker):
        bench = Bench(args, ds)
        cases = dataset_cases(bench, args, big=ds.key != "sample")
        total_s = run_cases(cases, args, ds.key)
        text, good = render(bench, cases, [], started, load_start, loadavg(), total_s)
        ok = ok and good
        results.append((ds, cases))
        sections.append(text)
        shutil.rmtree(bench.tmp, ignore_errors=True)
        if ds.key == "train":
            whole = median([s.whole_s for s in cases["tl_cli_1"].samples])
            sections.append(mot17_breakdown(ds, whole, args.repeats))
    header = ["# tracklens eval benchmark", "",
              f"Started {started}; load average (1/5/15 min) at start {load_start}, at the end {loadavg()}; "
              f"tracker {args.tracker} on the MOT17 sets. Datasets: benchmarks/eval_datasets.py (half-val: the "
              "7 FRCNN sequences, frames N//2+2..N renumbered from 1, as ByteTrack's val_half).", ""]
    text = "\n".join(header) + "\n" + summary_tables(results, args.repeats, loadavg()) + "\n" + \
        "\n".join(f"- {n}" for n in notes) + "\n\n" + "\n".join(sections)
    if "sample" in keys:
        text += "\n" + small_input_table(args.small_repeats)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"written to {args.output}", file=sys.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    if not ok:
        print("bench_eval: tracklens did not match TrackEval exactly (or did not run); see Notes.",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
