"""The Overview's banner of ``tracklens check``: what is probably wrong with the inputs, and the
fixes this run was evaluated with, in plain text (names from the files are never Markdown)."""
from __future__ import annotations

import streamlit as st

from tracklens.errors import InputError
from tracklens.run import RunInputs, RunOptions, reevaluation_refused, resolve_inputs

from .text import plain

SHOWN = 3  # findings named in the banner; the rest are counted


@st.cache_data(show_spinner="Checking the inputs (tracklens check)…", max_entries=8)
def input_findings(inputs: RunInputs) -> list[dict] | None:
    """The check's findings on a run's inputs, without scores (``Finding.to_dict()``); None when the
    files are not MOTChallenge files or are not there any more."""
    from tracklens.check.checker import check_layout

    if inputs.format != "mot":
        return None
    try:
        layout = resolve_inputs(inputs, saved=True)
        opts = RunOptions("mot", layout.classes, layout.benchmark, inputs.preprocess, inputs.threshold)
        return [f.to_dict() for f in check_layout(layout, opts, score=False).findings]
    except InputError:
        return None


def banner_lines(findings: list[dict] | None, fixes: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(the warning naming the findings, the note naming the fixes applied), each None when empty;
    escaped for Markdown."""
    warning = None
    if findings:
        named = [f["message"] + (f" (fix: {' '.join('--fix ' + x for x in f['fixes'])})" if f["fixes"] else "")
                 for f in findings[:SHOWN]]
        more = f" … and {len(findings) - SHOWN} more" if len(findings) > SHOWN else ""
        warning = (f"Input check: {len(findings)} finding(s). " + plain(" · ".join(named)) + plain(more)
                   + ". Run `tracklens check` with the same inputs for the evidence and the score after each fix.")
    note = ("Evaluated with explicit fixes (recorded in the run): "
            + plain(", ".join(f"--fix {x}" for x in fixes))) if fixes else None
    return warning, note


def show_banner(inputs: RunInputs) -> None:
    """The banner itself (Overview); a run scored under rules the check's reading would not reproduce
    says so instead."""
    refused = reevaluation_refused(inputs)
    if refused:
        st.info("Input check not run: " + plain(refused), icon=":material/rule:")
    warning, note = banner_lines(None if refused else input_findings(inputs), tuple(inputs.fixes))
    if warning:
        st.warning(warning, icon=":material/rule:")
    if note:
        st.info(note, icon=":material/build:")
