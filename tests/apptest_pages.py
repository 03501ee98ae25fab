"""Opening a dashboard page in Streamlit's AppTest, as every page test does: the app with its query
parameters (and, optionally, a data source already opened), switched to the page, run without an
exception."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def open_page(page: str, *, source=None, timeout: int = 180, **params: str) -> AppTest:
    """``page`` (an ``app_pages/<page>.py`` name, or "overview") opened with ``params`` in the URL."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if source is not None:
        at.session_state["_opened_source"] = source
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at
