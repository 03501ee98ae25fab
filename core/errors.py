"""One exception type for bad input: it always says where, what and how to fix it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InputError(Exception):
    """Bad input data. ``str()`` gives a one-paragraph message fit for a terminal or the app."""

    path: str
    reason: str
    fix: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        text = f"{where}: {self.reason}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return printable(text)


def printable(text: str) -> str:
    """``text`` safe for one terminal line: a newline or an ANSI escape in a file name is shown as
    ``?`` instead of reaching the terminal raw."""
    return text if text.isprintable() else "".join(c if c.isprintable() else "?" for c in text)


@dataclass
class Ignored:
    """Rows a reader skipped on purpose, counted and explained (never dropped silently)."""

    path: str
    count: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: ignored {self.count} row(s): {self.reason}"


@dataclass
class Flagged(Ignored):
    """Rows a reader kept (they are evaluated) but the user should look at; reported like ``Ignored``."""

    def __str__(self) -> str:
        return f"{self.path}: {self.count} row(s) kept but flagged: {self.reason}"
