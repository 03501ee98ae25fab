"""Uploading in a real browser, on a server started with a 1 MB upload limit
(``--server.maxUploadSize 1``): a gt.txt + tracker file pair opens and its metrics are shown; a file
over the limit is refused by Streamlit itself (its size error in the uploader) and the data already
shown stays. Screenshots: tests/screenshots/upload_*.png."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tracklens.workspace import Workspace
from tracklens.dashboard.loading import SAMPLE
from conftest import no_exception, upload_tab  # tests/browser/conftest.py

LIMIT_MB = 1


@pytest.fixture
def small_limit_server(app_server_factory) -> str:
    return app_server_factory(server_args=("--server.maxUploadSize", str(LIMIT_MB)))


def choose(sidebar, index: int, *paths) -> None:
    uploader = sidebar.locator('[data-testid="stFileUploader"]').nth(index)
    uploader.locator('input[type="file"]').set_input_files([str(p) for p in paths])


def test_upload_opens_the_files_and_the_size_limit_is_enforced(small_limit_server, browser_page, open_app,
                                                                wait_idle, screenshot, tmp_path, page_errors):
    page = browser_page
    gt = tmp_path / "gt.txt"
    masa = tmp_path / "masa.txt"
    shutil.copy(SAMPLE / "gt" / "TUD-Stadtmitte" / "gt" / "gt.txt", gt)
    shutil.copy(SAMPLE / "trackers" / "masa" / "TUD-Stadtmitte.txt", masa)
    open_app(page, small_limit_server)
    no_exception(page)
    sidebar = upload_tab(page, wait_idle)
    expect(sidebar.get_by_text(f"{LIMIT_MB}MB per file • TXT, ZIP")).to_be_visible()  # Streamlit's own note
    expect(sidebar.get_by_text(f"Up to {LIMIT_MB} MB per file (server.maxUploadSize)")).to_be_visible()

    choose(sidebar, 0, gt)
    choose(sidebar, 1, masa)
    expect(sidebar.get_by_text("gt.txt", exact=True)).to_be_visible()
    expect(sidebar.get_by_text("masa.txt", exact=True)).to_be_visible()
    sidebar.get_by_role("textbox", name="Sequence name (optional)").fill("Stadtmitte-upload")
    screenshot(page, "upload_chosen")
    sidebar.get_by_role("button", name="Open uploaded files").click()
    wait_idle(page)
    no_exception(page)

    # The uploaded data is shown: its label, its one sequence and tracker, and its metrics.
    expect(sidebar.get_by_text("uploaded: gt.txt + masa.txt")).to_be_visible()
    expect(sidebar.get_by_role("combobox", name="Sequence")).to_have_value("Stadtmitte-upload")
    expect(sidebar.get_by_role("combobox", name="Tracker")).to_have_value("masa")
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0, page.inner_text("body")[:2000]
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="Overview")).to_be_visible()
    expect(main.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()
    # The α curves (their legend gives each tracker's mean HOTA): masa only, with its HOTA on TUD-Stadtmitte.
    expected = Workspace.from_folders(str(SAMPLE / "gt"), str(SAMPLE / "trackers"), benchmark="MOT15",
                                      trackers=["masa"], analyse_now=False)
    hota = 100 * expected.metrics["masa"]["TUD-Stadtmitte"]["HOTA"].mean()
    curves = main.locator('[data-testid="stPlotlyChart"]').first
    expect(curves).to_contain_text(re.compile(rf"masa\s*HOTA {hota:.1f}"))
    assert "motmetrics_test" not in curves.inner_text()
    sidebar.get_by_text("uploaded: gt.txt + masa.txt").scroll_into_view_if_needed()
    screenshot(page, "upload_opened")

    # A file over the limit: Streamlit refuses it in the browser; the uploaded data stays.
    big = tmp_path / "big.txt"
    big.write_text("1,1,10,10,20,40,1,-1,-1,-1\n" * (LIMIT_MB * 1024**2 // 26 + 2000))
    assert big.stat().st_size > LIMIT_MB * 1024**2
    sidebar = page.locator('[data-testid="stSidebar"]')
    if not sidebar.get_by_role("tab", name="Upload").is_visible():
        sidebar = upload_tab(page, wait_idle)
    sidebar.get_by_role("tab", name="Upload").click()
    choose(sidebar, 0, big)
    # Streamlit marks the file invalid, says why to screen readers, and in a tooltip on hover.
    chip = sidebar.locator('[data-testid="stFileChip"][aria-invalid="true"]')
    expect(chip).to_contain_text("big.txt")
    expect(chip.get_by_role("alert")).to_have_text(f"Error: File must be {LIMIT_MB}.0MB or smaller.")
    wait_idle(page)
    chip.scroll_into_view_if_needed()
    chip.hover()
    expect(page.get_by_text(f"File must be {LIMIT_MB}.0MB or smaller.", exact=True)).to_be_visible()
    page.wait_for_timeout(300)
    screenshot(page, "upload_too_large")
    expect(sidebar.get_by_text("uploaded: gt.txt + masa.txt")).to_be_visible()
    expect(curves).to_contain_text(re.compile(rf"masa\s*HOTA {hota:.1f}"))
    # Submitting now sends only what the server accepted (the big file never reached it): same data.
    sidebar.get_by_role("button", name="Open uploaded files").click()
    wait_idle(page)
    no_exception(page)
    expect(sidebar.get_by_text("uploaded: gt.txt + masa.txt")).to_be_visible()
    expect(curves).to_contain_text(re.compile(rf"masa\s*HOTA {hota:.1f}"))
    assert "big.txt" not in sidebar.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    assert not [e for e in page_errors if "pageerror" in e], page_errors
