"""Explicit corrections of a tracker's rows (``--fix``), applied before the rows are validated.

A fix is never guessed: ``tracklens check`` proposes one, the user passes it, the run records it
(``RunInputs.fixes``) and ``eval`` prints it. Spelling: ``[TRACKER:]KIND[=VALUE]``:

* ``offset=K``: add K to every frame number (a tracker K frames early);
* ``zero-based``: frames counted from 0 (the same as ``offset=1``, named for what it is);
* ``corners``: columns 5-6 hold x2, y2; they become width and height (x2 - x, y2 - y);
* ``scale=F`` or ``scale=FX,FY``: multiply x, w (by FX) and y, h (by FY) (boxes of resized images);
* ``translate=DX,DY``: add DX to x and DY to y;
* ``class=C``: write class C in column 8 (a tracker that wrote -1 or 0 there, read with ``--classes``).

Without ``TRACKER:`` a fix applies to every tracker. Fixes apply in the order above, whatever the
order given.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..detections import Detections
from ..errors import Ignored, InputError
from ..formats.motchallenge import detections_from_rows, is_plain_name, read_mot_rows

KINDS = ("zero-based", "offset", "corners", "scale", "translate", "class")  # also the order they apply in
_VALUES = {"zero-based": 0, "offset": 1, "corners": 0, "scale": (1, 2), "translate": 2, "class": 1}
_HELP = ("Write offset=K, zero-based, corners, scale=F (or FX,FY), translate=DX,DY or class=C, "
         "optionally after 'TRACKER:'.")


@dataclass(frozen=True)
class Fix:
    """One correction: ``kind`` (one of ``KINDS``), its numbers, and the tracker it is for (None: all)."""

    kind: str
    values: tuple[float, ...] = ()
    tracker: str | None = None

    def __str__(self) -> str:
        text = self.kind + ("=" + ",".join(_number(v) for v in self.values) if self.values else "")
        return f"{self.tracker}:{text}" if self.tracker else text

    def applies_to(self, tracker: str) -> bool:
        return self.tracker is None or self.tracker == tracker

    def describe(self) -> str:
        """What the fix does, in words."""
        v = self.values
        what = {"zero-based": "frame numbers +1 (they were counted from 0)",
                "offset": f"frame numbers {v[0]:+g}" if v else "",
                "corners": "columns 5-6 read as x2, y2 (width = x2 - x, height = y2 - y)",
                "scale": f"x, w x {_number(v[0])}; y, h x {_number(v[-1])}" if v else "",
                "translate": f"x {v[0]:+g}, y {v[-1]:+g} pixels" if v else "",
                "class": f"column 8 (class) set to {_number(v[0])}" if v else ""}[self.kind]
        return f"{what}, for {'tracker ' + self.tracker if self.tracker else 'every tracker'}"


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{float(v):.10g}"


def parse_fix(text: str) -> Fix:
    """``[TRACKER:]KIND[=VALUE]`` into a ``Fix``; ``InputError`` (flag ``--fix``) when malformed."""
    tracker, _, spec = text.rpartition(":")
    kind, has_value, value = spec.strip().partition("=")
    kind = kind.strip().lower().replace("_", "-")
    if kind not in KINDS:
        raise InputError("--fix", f"unknown fix {text!r}.", _HELP)
    if tracker and not is_plain_name(tracker):
        raise InputError("--fix", f"{tracker!r} is not a tracker name.", _HELP)
    try:
        values = tuple(float(x) for x in value.split(",")) if has_value else ()
    except ValueError:
        raise InputError("--fix", f"{text!r}: {value!r} is not a number or a pair of numbers.", _HELP) from None
    wanted = _VALUES[kind]
    if len(values) not in (wanted if isinstance(wanted, tuple) else (wanted,)):
        raise InputError("--fix", f"{text!r}: {kind} takes {wanted if wanted else 'no'} value(s).", _HELP)
    if not all(math.isfinite(v) for v in values) or (kind == "scale" and min(values) <= 0):
        raise InputError("--fix", f"{text!r}: the value must be finite (and positive for a scale).", _HELP)
    if kind in ("offset", "class") and not values[0].is_integer():
        raise InputError("--fix", f"{text!r}: {kind} takes a whole number.", _HELP)
    return Fix(kind, values, tracker or None)


def parse_fixes(texts) -> tuple[Fix, ...]:
    """Every ``--fix``; the same kind twice for one tracker is refused (which would win?)."""
    fixes = tuple(parse_fix(t) for t in texts or ())
    seen = set()
    for f in fixes:
        if (f.kind, f.tracker) in seen:
            raise InputError("--fix", f"{f.kind} is given twice{' for ' + f.tracker if f.tracker else ''}.",
                             "Give each fix once.")
        seen.add((f.kind, f.tracker))
    return fixes


def apply_fixes(table: np.ndarray, fixes) -> np.ndarray:
    """A corrected copy of raw rows (``read_mot_rows``' columns); ``fixes`` already chosen for one tracker."""
    out = table.copy()
    for fix in sorted(fixes, key=lambda f: KINDS.index(f.kind)):
        v = fix.values
        if fix.kind == "zero-based":
            out[:, 0] += 1
        elif fix.kind == "offset":
            out[:, 0] += v[0]
        elif fix.kind == "corners":
            out[:, 4] -= out[:, 2]
            out[:, 5] -= out[:, 3]
        elif fix.kind == "scale":
            out[:, [2, 4]] *= v[0]
            out[:, [3, 5]] *= v[-1]
        elif fix.kind == "translate":
            out[:, 2] += v[0]
            out[:, 3] += v[-1]
        elif fix.kind == "class":
            if out.shape[1] < 9:  # no class column yet: NaN-padded up to it, line number kept last
                pad = np.full((out.shape[0], 9 - out.shape[1]), np.nan)
                out = np.concatenate([out[:, :-1], pad, out[:, -1:]], axis=1)
            out[:, 7] = v[0]
    return out


def read_fixed(path: str, num_frames: int, tracker: str, fixes) -> Detections:
    """A tracker file read with the fixes meant for ``tracker``, then validated like any file. Rows an
    offset moves outside 1..num_frames are dropped and counted in an ``Ignored`` note."""
    mine = [f for f in fixes if f.applies_to(tracker)]
    table = apply_fixes(read_mot_rows(path), mine)
    notes = ()
    if any(f.kind in ("offset", "zero-based") for f in mine) and table.shape[0]:
        inside = (table[:, 0] >= 1) & (table[:, 0] <= num_frames)
        if not inside.all():
            notes = (Ignored(path, int((~inside).sum()), f"moved outside frames 1..{num_frames} by "
                             f"--fix {', '.join(str(f) for f in mine if f.kind in ('offset', 'zero-based'))}"),)
            table = table[inside]
    dets = detections_from_rows(table, num_frames, is_gt=False, source=path)
    return dataclasses.replace(dets, ignored=(*notes, *dets.ignored))


def check_fix_trackers(fixes, trackers) -> None:
    """``InputError`` when a fix names a tracker that is not evaluated (a typo would fix nothing)."""
    for f in fixes:
        if f.tracker is not None and f.tracker not in trackers:
            raise InputError("--fix", f"{f} names tracker {f.tracker!r}, which is not evaluated "
                             f"({', '.join(trackers)}).", "Use one of these names before ':'.")
