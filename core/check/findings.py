"""From detectors' evidence to findings: one per (kind, tracker) over the sequences it concerns,
with a sentence saying what is probably wrong, the ``--fix`` that corrects it and the scores now and
after that fix (the same engine as ``eval``, on those sequences)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .detect import Evidence, offset_from_curve
from .fixes import Fix

SCORES = ("HOTA", "MOTA", "IDF1")
KIND_ORDER = ("zero-based", "frame-offset", "frames-outside", "corners", "scale", "translation", "class-filter",
              "outside-image", "duplicate-ids", "gt-filter", "gt-id-jump")


@dataclass
class Finding:
    """One probable input mistake. ``tracker`` None: the ground truth. ``fixes`` (possibly empty) is what
    ``--fix`` would correct it with; ``now`` / ``after`` are HOTA, MOTA, IDF1 over ``sequences``
    (``now`` None when the data cannot be evaluated as it is: ``now_error`` says why)."""

    kind: str
    tracker: str | None
    sequences: tuple[str, ...]
    message: str
    evidence: dict
    fixes: tuple[Fix, ...] = ()
    now: dict | None = None
    after: dict | None = None
    now_error: str | None = None
    scored: bool = False

    @property
    def fix_args(self) -> str:
        """The ``--fix`` arguments, ready to paste."""
        return " ".join(f"--fix {f}" for f in self.fixes)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "tracker": self.tracker, "sequences": list(self.sequences),
                "message": self.message, "evidence": self.evidence, "fixes": [str(f) for f in self.fixes],
                "now": self.now, "after": self.after, "now_error": self.now_error}

    def score_text(self) -> str:
        if not self.scored or self.after is None:
            return ""
        before = "not evaluable" if self.now is None else ", ".join(
            f"{k} {100 * self.now[k]:.2f}" for k in SCORES)
        after = ", ".join(f"{k} {100 * self.after[k]:.2f}" for k in SCORES)
        return f"{before} -> {after} with {self.fix_args}"


@dataclass
class CheckReport:
    """Every finding of one check, and what was looked at."""

    findings: list[Finding]
    sequences: int
    trackers: int
    seconds: float = 0.0
    fixes_given: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {"findings": [f.to_dict() for f in self.findings], "sequences": self.sequences,
                "trackers": self.trackers, "seconds": self.seconds, "fixes_given": list(self.fixes_given)}


def _who(tracker: str | None) -> str:
    return f"tracker {tracker}" if tracker is not None else "ground truth"


def _seqs(names) -> str:
    names = list(names)
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


@dataclass(frozen=True)
class _Said:
    """What a finding's sentence is made of: who, where, the first sequence's facts, and sums over all."""

    who: str
    where: str
    items: list[Evidence]

    @property
    def first(self) -> dict:
        return self.items[0].facts

    def total(self, key: str) -> int:
        return sum(int(e.facts.get(key, 0)) for e in self.items)


def _off_by(kind: str, c: _Said) -> str:
    fitted = "; ".join(f.describe().split(", for ")[0] for f in c.items[0].fixes)
    return (f"{c.who}: boxes are off by a constant {kind} ({fitted} fits the ground truth; mean best IoU "
            f"{c.first['mean_best_iou']:.2f} as written, {c.first['mean_best_iou_fixed']:.2f} after) {c.where}")


# One plain sentence per kind: who, what, how sure (the strongest figures), where.
_SENTENCES = {
    "zero-based": lambda c: (f"{c.who}: frames are counted from 0 ({c.total('rows_at_frame_0')} rows at frame 0, "
                             f"first on line {c.first['first_line']} of {c.items[0].sequence}) {c.where}"),
    "frames-outside": lambda c: (f"{c.who}: {c.total('rows')} rows have frames outside the sequence (first on line "
                                 f"{c.first['first_line']}) {c.where}"),
    "corners": lambda c: (f"{c.who}: columns 5-6 hold x2, y2 (corner format) where width, height are expected "
                          f"({100 * c.first['share_w_gt_x_and_h_gt_y']:.0f}% of 'widths' exceed x; mean best IoU with "
                          f"the ground truth {c.first['mean_best_iou']:.2f} as written, "
                          f"{c.first['mean_best_iou_as_corners']:.2f} read as corners) {c.where}"),
    "scale": lambda c: _off_by("scale", c),
    "translation": lambda c: _off_by("translation", c),
    "class-filter": lambda c: (f"{c.who}: the class filter (--classes {' '.join(c.first['classes_kept'])}) removes "
                               f"{c.total('removed_rows')} of its rows ({100 * c.first['share']:.0f}% in "
                               f"{c.items[0].sequence}); its column 8 holds "
                               f"{', '.join(map(str, c.first['tracker_classes']))} {c.where}"),
    "outside-image": lambda c: (f"{c.who}: {c.total('rows')} boxes lie entirely outside the {c.first['image']} image "
                                f"(first on line {c.first['first_line']}) {c.where}"),
    "duplicate-ids": lambda c: (f"{c.who}: {c.total('duplicates')} duplicate ids within a frame "
                                f"(first: {c.first['first']}) {c.where}"),
    "gt-filter": lambda c: (f"ground truth: {c.first['rule']} removes {c.total('removed_rows')} rows "
                            f"({100 * c.first['share']:.0f}% in {c.items[0].sequence}) {c.where}"),
    "gt-id-jump": lambda c: (f"ground truth: {c.total('jumps')} jumps of an id by more than 2 box heights between "
                             f"consecutive frames, likely one id reused for two people (first: {c.first['first']}) "
                             f"{c.where}"),
}


def _message(kind: str, tracker: str | None, items: list[Evidence]) -> str:
    """The sentence of ``kind`` (``_SENTENCES``) for ``tracker``'s evidence."""
    return _SENTENCES[kind](_Said(_who(tracker), f"in {_seqs(e.sequence for e in items)}", items))


def findings_from(evidence: list[Evidence]) -> list[Finding]:
    """Group evidence by (kind, tracker); frame offsets are decided on the tracker's shift curve pooled
    over its sequences (a file-writing offset is the same everywhere, a tracker's lag is not)."""
    groups: dict[tuple[str, str | None], list[Evidence]] = defaultdict(list)
    curves: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    curve_seqs: dict[str, list[str]] = defaultdict(list)
    for e in evidence:
        if e.kind == "shift-curve":
            for s, v in e.curve.items():
                curves[e.tracker][s] += v
            curve_seqs[e.tracker].append(e.sequence)
        else:
            groups[(e.kind, e.tracker)].append(e)
    out = []
    for tracker, curve in curves.items():
        found = offset_from_curve(dict(curve))
        if found is None or (found[0] == 1 and ("zero-based", tracker) in groups):
            continue
        k, vertex = found
        gain = curve[k] / curve[0] - 1 if curve[0] > 0 else float("inf")
        out.append(Finding("frame-offset", tracker, tuple(curve_seqs[tracker]),
                           f"{_who(tracker)}: boxes fit the ground truth best with frame numbers {k:+d} (peak of the "
                           f"overlap at shift {vertex:+.2f}; summed best IoU {100 * gain:+.1f}% there) in "
                           f"{_seqs(curve_seqs[tracker])}",
                           {"overlap_by_shift": {str(s): round(v, 3) for s, v in sorted(curve.items())},
                            "peak": round(vertex, 3)}, (Fix("offset", (float(k),), tracker),)))
    for (kind, tracker), items in groups.items():
        fixes = items[0].fixes
        if kind in ("scale", "translation"):  # the same correction in every sequence, else one per sequence
            by_fix = defaultdict(list)
            for e in items:
                by_fix[e.fixes].append(e)
            for fx, its in by_fix.items():
                out.append(Finding(kind, tracker, tuple(e.sequence for e in its), _message(kind, tracker, its),
                                   {e.sequence: e.facts for e in its}, fx))
            continue
        out.append(Finding(kind, tracker, tuple(e.sequence for e in items), _message(kind, tracker, items),
                           {e.sequence: e.facts for e in items}, fixes))
    out.sort(key=lambda f: (KIND_ORDER.index(f.kind), f.tracker or ""))
    return out
