"""What every metric field is, declared once: its family, whether it is a count, a rate or another
value, whether it has one value per α, which way is better, and its display name.

The metrics take their field groups from here (TrackEval's order, checked against TrackEval 1.3.0 by
tests/core/test_fields.py), and so do the CLI summary, the JSON and CSV writers, the report and the
dashboard. Nothing here imports numpy or pandas: ``import tracklens.fields`` is free.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["count", "rate", "value"]
Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class Field:
    """One metric field under its TrackEval name.

    ``kind``: ``count`` (boxes, ids, frames: integers, or per-α float arrays of them), ``rate`` (a
    fraction, shown x100 as a percentage; MOTA and friends may go below 0) or ``value`` (a float that is
    neither, e.g. ``FP_per_frame``). ``per_alpha``: TrackEval stores 19 values (α = 0.05 .. 0.95) and
    reports their mean. ``better``: None when a larger value is neither better nor worse (sizes).
    ``combined``: present after combining sequences (TrackEval drops Count's ``Frames`` there).
    """

    name: str
    family: str
    kind: Kind
    per_alpha: bool = False
    better: Better | None = "higher"
    label: str = ""
    combined: bool = True

    @property
    def display(self) -> str:
        return self.label or self.name


def _fields() -> dict[str, Field]:
    hota = [Field(n, "HOTA", "rate", per_alpha=True)
            for n in ("HOTA", "DetA", "AssA", "DetRe", "DetPr", "AssRe", "AssPr", "LocA", "OWTA")]
    hota += [Field("HOTA_TP", "HOTA", "count", per_alpha=True),
             Field("HOTA_FN", "HOTA", "count", per_alpha=True, better="lower"),
             Field("HOTA_FP", "HOTA", "count", per_alpha=True, better="lower")]
    hota += [Field(n, "HOTA", "rate") for n in ("HOTA(0)", "LocA(0)", "HOTALocA(0)")]
    clear = [Field("CLR_TP", "CLEAR", "count"), Field("CLR_FN", "CLEAR", "count", better="lower", label="FN"),
             Field("CLR_FP", "CLEAR", "count", better="lower", label="FP"), Field("IDSW", "CLEAR", "count", better="lower"),
             Field("MT", "CLEAR", "count"), Field("PT", "CLEAR", "count", better=None),
             Field("ML", "CLEAR", "count", better="lower"), Field("Frag", "CLEAR", "count", better="lower"),
             Field("CLR_Frames", "CLEAR", "count", better=None)]
    clear += [Field(n, "CLEAR", "rate") for n in ("MOTA", "MOTP", "MODA", "CLR_Re", "CLR_Pr", "MTR")]
    clear += [Field("PTR", "CLEAR", "rate", better=None), Field("MLR", "CLEAR", "rate", better="lower"),
              Field("sMOTA", "CLEAR", "rate"), Field("CLR_F1", "CLEAR", "rate"),
              Field("FP_per_frame", "CLEAR", "value", better="lower"), Field("MOTAL", "CLEAR", "rate"),
              Field("MOTP_sum", "CLEAR", "value", better=None)]
    identity = [Field("IDTP", "Identity", "count"), Field("IDFN", "Identity", "count", better="lower"),
                Field("IDFP", "Identity", "count", better="lower")]
    identity += [Field(n, "Identity", "rate") for n in ("IDF1", "IDR", "IDP")]
    count = [Field(n, "Count", "count", better=None) for n in ("Dets", "GT_Dets", "IDs", "GT_IDs")]
    count.append(Field("Frames", "Count", "count", better=None, combined=False))
    return {f.name: f for f in (*hota, *clear, *identity, *count)}


FIELDS: dict[str, Field] = _fields()
FAMILIES = ("HOTA", "CLEAR", "Identity", "Count")
# The headline columns of the CLI summary (and, without the sizes, of the report).
HEADLINE = ("HOTA", "DetA", "AssA", "LocA", "DetRe", "DetPr", "AssRe", "AssPr", "MOTA", "MOTP",
            "IDF1", "IDSW", "Frag", "MT", "ML", "CLR_FP", "CLR_FN", "IDs", "GT_IDs")


def names(family: str | None = None, *, kinds: tuple[Kind, ...] = ("count", "rate", "value"),
          per_alpha: bool | None = None, combined: bool | None = None) -> tuple[str, ...]:
    """Field names in TrackEval's order, filtered by family, kind, per-α and presence when combined."""
    return tuple(f.name for f in FIELDS.values()
                 if (family is None or f.family == family) and f.kind in kinds
                 and (per_alpha is None or f.per_alpha == per_alpha) and (combined is None or f.combined == combined))


PER_ALPHA = names(per_alpha=True)


def is_per_alpha(name: str) -> bool:
    field = FIELDS.get(name)
    return field is not None and field.per_alpha


def is_rate(name: str) -> bool:
    field = FIELDS.get(name)
    return field is not None and field.kind == "rate"


def is_count(name: str) -> bool:
    field = FIELDS.get(name)
    return field is not None and field.kind == "count"


def better(name: str) -> Better | None:
    """Which way is better (None for sizes and for names that are not metric fields)."""
    field = FIELDS.get(name)
    return field.better if field is not None else None


def display(name: str) -> str:
    field = FIELDS.get(name)
    return field.display if field is not None else name
