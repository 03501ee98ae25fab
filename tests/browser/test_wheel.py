"""The package as a user installs it: a wheel built from this tree, in a clean venv, run from
another folder. It holds only ``tracklens/``; ``import tracklens`` works and ``import core`` does
not; ``tracklens dashboard`` with no arguments opens the bundled sample (package data) in a real
browser. A metrics-only install (numpy, scipy, pandas, pyarrow; no Streamlit, plotly or OpenCV)
evaluates and says clearly what the app commands need.

The clean venvs install the exact locked versions (requirements/app.lock, with hashes) from pip's
cache or the registry, so this is the same environment a user's ``pip install tracklens`` makes.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import _free_port, _healthy, open_app, screenshot  # tests/browser/conftest.py

REPO = Path(__file__).resolve().parents[2]
CORE_ONLY = ("numpy", "scipy", "pandas", "pyarrow", "python-dateutil", "six", "tzdata")


def run(*cmd, cwd: Path, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def locked(names: tuple[str, ...] | None, out: Path) -> Path:
    """requirements/app.lock, or only the named packages of it (pins and hashes kept)."""
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (REPO / "requirements" / "app.lock").read_text())
    keep = [b for b in blocks if "==" in b.split("\n")[0]
            and (names is None or b.split("==")[0].strip().lower() in names)]
    out.write_text("\n".join(re.sub(r"\n\s*#.*", "", b) for b in keep) + "\n")
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the tree (so no build files land in the checkout)."""
    src = tmp_path_factory.mktemp("src") / "tracklens"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv*", "tests", "benchmarks", "*.egg-info",
                                                             "build", "dist", "__pycache__", ".pytest_cache"))
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", dist, src, cwd=dist)
    (path,) = dist.glob("tracklens-*.whl")
    return path


def make_venv(root: Path, requirements: Path, wheel: Path) -> Path:
    run(sys.executable, "-m", "venv", root, cwd=root.parent)
    python = root / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", "--require-hashes", "--no-deps", "-r", requirements, cwd=root.parent)
    run(python, "-m", "pip", "install", "-q", "--no-deps", wheel, cwd=root.parent)
    return root / "bin"


def test_wheel_holds_only_the_tracklens_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert all(n.startswith(("tracklens/", "tracklens-")) for n in names), sorted(
        {n.split("/")[0] for n in names})
    assert "tracklens/dashboard/app.py" in names and "tracklens/cli.py" in names
    assert "tracklens/assets/sample/gt/TUD-Campus/gt/gt.txt" in names
    assert "tracklens/assets/sample/videos/TUD-Campus.mp4" in names


def test_installed_wheel_opens_the_sample_in_a_browser(wheel, tmp_path, _chromium):
    bin_dir = make_venv(tmp_path / "venv", locked(None, tmp_path / "app.txt"), wheel)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "core").mkdir(parents=True)  # a user's own core/ folder must not matter
    (elsewhere / "core" / "__init__.py").write_text("raise ImportError('the user s own core package')\n")
    probe = run(bin_dir / "python", "-c", "import tracklens, tracklens.dashboard.cli, tracklens.assets; "
                "print(tracklens.__file__); print(tracklens.assets.SAMPLE.is_dir())", cwd=tmp_path)
    where, sample_found = probe.stdout.split()
    assert str(tmp_path / "venv") in where and sample_found == "True"
    assert run(bin_dir / "python", "-c", "import core", cwd=tmp_path, check=False).returncode != 0
    port = _free_port()
    server = subprocess.Popen([bin_dir / "tracklens", "dashboard", "--port", str(port)], cwd=elsewhere,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                              env={**os.environ, "TRACKLENS_CACHE": "off"})
    try:
        deadline = time.monotonic() + 90
        while not _healthy(f"http://127.0.0.1:{port}"):
            assert server.poll() is None, server.stdout.read().decode(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the installed dashboard did not start"
            time.sleep(0.3)
        page = _chromium.new_page(viewport={"width": 1280, "height": 720})
        try:
            open_app(page, f"http://127.0.0.1:{port}/")
            page.get_by_text("TUD-Campus").first.wait_for(timeout=30_000)
            assert page.get_by_text("masa").count() > 0
            screenshot(page, "wheel_installed_dashboard_1280")
        finally:
            page.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def test_metrics_only_install_evaluates_and_says_what_the_app_needs(wheel, tmp_path):
    bin_dir = make_venv(tmp_path / "venv", locked(CORE_ONLY, tmp_path / "core.txt"), wheel)
    for missing in ("streamlit", "plotly", "cv2"):
        assert run(bin_dir / "python", "-c", f"import {missing}", cwd=tmp_path, check=False).returncode != 0
    sample = run(bin_dir / "python", "-c", "import tracklens.assets; print(tracklens.assets.SAMPLE)",
                 cwd=tmp_path).stdout.strip()
    out = run(bin_dir / "tracklens", "eval", "--gt-folder", f"{sample}/gt", "--trackers-folder",
              f"{sample}/trackers", "--benchmark", "MOT15", "--json", tmp_path / "m.json", cwd=tmp_path)
    assert "HOTA" in out.stdout and (tmp_path / "m.json").stat().st_size > 0
    for command in (["dashboard"], ["report", "nothing"]):
        proc = run(bin_dir / "tracklens", *command, cwd=tmp_path, check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert "needs" in proc.stderr and "pip install tracklens" in proc.stderr
