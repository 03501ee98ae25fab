"""The assignment solver breaks ties exactly as SciPy's ``linear_sum_assignment`` (TrackEval's solve):
CLEAR's switch counts move with the solver, so any change of solver (a faster loader, a
reimplementation) must give SciPy's answer on tie-heavy matrices, not just an equally optimal one."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment as scipy_lsa

from tracklens import assignment


def _tie_heavy(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """Integer or coarse-grid costs (few distinct values, whole blocks equal), as the negated score
    matrices of crowded frames are."""
    kind = rng.integers(0, 5)
    if kind == 0:
        return rng.integers(0, 3, (rows, cols)).astype(float)  # three values
    if kind == 1:
        return -np.round(rng.random((rows, cols)) * 4) / 4  # 0, -.25, .., -1 (TrackEval's negated scores)
    if kind == 2:
        m = np.zeros((rows, cols))  # mostly zeros off a few candidates: the dense frame matrix
        m[rng.random((rows, cols)) < 0.3] = -1.0
        return m
    if kind == 3:
        return np.full((rows, cols), float(rng.integers(-2, 3)))  # all tied
    return rng.integers(-5, 6, (rows, cols)).astype(float)


@pytest.mark.parametrize("seed", range(20))
def test_solver_equals_scipy_on_tied_matrices(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(200):
        rows, cols = (int(x) for x in rng.integers(0, 9, 2))
        cost = _tie_heavy(rng, rows, cols)
        want = scipy_lsa(cost)
        got = assignment.linear_sum_assignment(cost)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]), cost
        for maximize in (False, True):  # the keyword SciPy offers gives SciPy's answer too
            want = scipy_lsa(cost, maximize=maximize)
            got = assignment.linear_sum_assignment(cost, maximize=maximize)
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]), cost


@pytest.mark.parametrize("seed", range(5))
def test_solve_block_picks_scipys_candidates(seed: int) -> None:
    """The frame solve (candidate-index map over the dense matrix) keeps exactly SciPy's pairs."""
    rng = np.random.default_rng(100 + seed)
    for _ in range(100):
        rows, cols = (int(x) for x in rng.integers(1, 8, 2))
        cost = _tie_heavy(rng, rows, cols)
        index = np.where(cost != 0, np.arange(cost.size).reshape(cost.shape), -1)
        r, c = scipy_lsa(cost)
        want = index[r, c]
        assert np.array_equal(assignment.solve_block(cost, index), want[want >= 0])


@pytest.mark.parametrize("order", ["tracklens first", "scipy first"])
def test_one_solver_whichever_loads_first(order: str) -> None:
    """The solver loaded without ``scipy.optimize`` is the very function ``scipy.optimize`` exports,
    whichever of the two is imported first (one compiled module, not two copies)."""
    first, second = ("tracklens.assignment", "scipy.optimize") if order == "tracklens first" else \
        ("scipy.optimize", "tracklens.assignment")
    code = (f"import sys, {first}, {second}\n"
            "import tracklens.assignment as a, scipy.optimize as o\n"
            "print(a.linear_sum_assignment is o.linear_sum_assignment)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True", out.stderr


def test_eval_loads_neither_scipy_optimize_nor_the_analysis(tmp_path) -> None:
    """``tracklens eval`` (no --save/--csv) imports only what evaluating needs."""
    code = ("import sys\n"
            "from tracklens.dashboard import cli\n"
            "from tracklens import assets\n"
            "s = assets.SAMPLE\n"
            "rc = cli.main(['eval', '--gt-folder', str(s / 'gt'), '--trackers-folder', str(s / 'trackers'),\n"
            "               '--benchmark', 'MOT15', '--quiet', '--json', sys.argv[1]])\n"
            "loaded = sorted(m for m in sys.modules if m == 'scipy.optimize' or m.startswith(\n"
            "    ('tracklens.analysis', 'tracklens.workspace', 'tracklens.saved_run', 'streamlit', 'plotly')))\n"
            "print(rc, loaded)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m.json")], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "0 []", out.stderr
    assert (tmp_path / "m.json").stat().st_size > 0


def test_program_flushes_before_ending_without_teardown(tmp_path) -> None:
    """The program path ends the process itself: the summary and the files are all there, and the
    exit code is the command's."""
    from tracklens import assets

    s = assets.SAMPLE
    out = subprocess.run([sys.executable, "-m", "tracklens.dashboard.cli", "eval", "--gt-folder", str(s / "gt"),
                          "--trackers-folder", str(s / "trackers"), "--benchmark", "MOT15",
                          "--json", str(tmp_path / "m.json")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.rstrip().splitlines()[-1].startswith("COMBINED")
    assert '"COMBINED"' in (tmp_path / "m.json").read_text()
    bad = subprocess.run([sys.executable, "-m", "tracklens.dashboard.cli", "eval", "--gt-folder", str(tmp_path / "x"),
                          "--trackers-folder", str(tmp_path / "y")], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("tracklens: error:"), bad.stderr
