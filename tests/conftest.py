"""Fixtures shared by the whole suite.

Missing optional inputs (the real data in ../shared/data, a browser) make a test skip locally,
but fail under CI=true: CI must never go green by skipping what it is meant to check.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
# The dashboard caches metrics in the user's cache folder; tests (and the servers they start)
# evaluate afresh and leave no files behind. tests/core/test_workspace_cache.py tests the cache.
os.environ.setdefault("TRACKLENS_CACHE", "off")


def in_ci() -> bool:
    """True when running under CI (env var CI=true, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def skip_or_fail(reason: str) -> None:
    """Skip the current test locally; fail it under CI=true."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of <repo>/../shared/data (real MOT17 / MOT15 / PETS09 data, see its SOURCES.md)."""
    if not SHARED_DATA.is_dir():
        skip_or_fail(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample (assets/sample): TUD-Campus and TUD-Stadtmitte, two real trackers."""
    return REPO_ROOT / "assets" / "sample"
