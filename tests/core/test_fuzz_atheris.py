"""Coverage-guided fuzzing of the readers (atheris, tests/fuzz/fuzz_readers.py), bounded for CI.

The harness runs in a subprocess (libFuzzer owns the process and exits on the first crash), seeded
with tests/hostile's corpus and the bundled sample, with a fixed seed and a fixed number of runs
(TRACKLENS_ATHERIS_RUNS, default 10000: about 10-20 s here). A crash fails the test with the
failure and the input that caused it; the number of executions is printed (``pytest -s``).

A longer run by hand (see the harness docstring)::

    python tests/fuzz/fuzz_readers.py --write-seeds /tmp/corpus
    python tests/fuzz/fuzz_readers.py /tmp/corpus -dict=tests/fuzz/readers.dict -max_total_time=300 -max_len=4096

Missing atheris skips locally and fails under CI=true (as tests/conftest.py's skip_or_fail).
"""
from __future__ import annotations

import importlib.util
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HARNESS = REPO_ROOT / "tests" / "fuzz" / "fuzz_readers.py"
RUNS = int(os.environ.get("TRACKLENS_ATHERIS_RUNS", "10000"))
SEED = 1


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_atheris_fuzz_readers(tmp_path: Path) -> None:
    if importlib.util.find_spec("atheris") is None:
        _skip_or_fail("atheris is not installed (pip install -e '.[test]')")
    env = {k: v for k, v in os.environ.items() if k != "TRACKLENS_FUZZ_TRIAGE"}
    env["TRACKLENS_FUZZ_SCRATCH"] = str(tmp_path / "scratch")
    corpus = tmp_path / "corpus"
    seeded = subprocess.run([sys.executable, str(HARNESS), "--write-seeds", str(corpus)], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    start, cpu_start = time.monotonic(), _children_cpu()
    run = subprocess.run(
        [sys.executable, str(HARNESS), str(corpus), f"-seed={SEED}", f"-atheris_runs={RUNS}", "-max_len=4096",
         f"-dict={HARNESS.parent / 'readers.dict'}", "-timeout=30", "-rss_limit_mb=4096", "-print_final_stats=1",
         f"-artifact_prefix={artifacts}/"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    wall, cpu = time.monotonic() - start, _children_cpu() - cpu_start
    output = run.stdout + run.stderr
    # atheris ends a -atheris_runs run with "Done N in S second(s)"; libFuzzer's own with "Done N runs in ...".
    found = re.search(r"^Done (\d+) (?:runs )?in", output, re.M)
    execs = int(found.group(1)) if found else None
    rate = f"{execs / wall:.0f}/s wall, {execs / max(cpu, 1e-9):.0f}/s of CPU" if execs else "?"
    print(f"\natheris: {execs} executions of the readers in {wall:.1f} s wall, {cpu:.1f} s CPU ({rate}), "
          f"seed {SEED}, {len(list(corpus.iterdir()))} corpus inputs at the end")
    crashes = sorted(artifacts.iterdir())
    if run.returncode != 0 or crashes:
        shown = "\n".join(f"{c}\n  {c.read_bytes()[:400]!r}" for c in crashes[:3])
        at = output.find("=== Uncaught Python exception")
        report = output[at: at + 4000] if at >= 0 else output[-4000:]
        pytest.fail(f"the fuzzer found a failing input (exit {run.returncode}); replay it with "
                    f"'python {HARNESS.relative_to(REPO_ROOT)} <file>':\n{shown}\n{report}", pytrace=False)
    assert execs is not None and execs >= RUNS, f"the fuzzer ran {execs} inputs, fewer than {RUNS}:\n{output[-2000:]}"
