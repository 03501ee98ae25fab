"""Bootstrap confidence intervals over sequences, and the paired bootstrap between two trackers.

A resample draws the sequences with replacement and combines their per-sequence metric dicts with
the same combiner ``evaluate`` uses (TrackEval's ``combine_sequences``: sums and TP-weighted means),
so each resample costs one combination and no evaluation. Every tracker is combined on the same
draws, which makes the comparison paired. The draws come from ``numpy.random.default_rng(seed)``:
same seed, same numbers. What this resampling means: docs/uncertainty.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .evaluate import COMBINED, combine
from .fields import FIELDS, display, is_rate
from .sweep import summary_value

# The fields given an interval (mean over α for HOTA's).
HEADLINE = ("HOTA", "DetA", "AssA", "DetRe", "DetPr", "AssRe", "AssPr", "LocA", "MOTA", "MOTP", "IDF1", "IDR", "IDP")
CONFIDENCE = 0.95
SUMMARY_FIELDS = ("HOTA", "DetA", "AssA", "MOTA", "IDF1")  # printed and in the report, with intervals
DEFAULT_RESAMPLES = 1000  # where no --bootstrap was given (dashboard, report)
DEFAULT_SEED = 0


@dataclass(frozen=True)
class Interval:
    """A percentile bootstrap interval around the full-data ``estimate``."""

    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Difference:
    """B minus A on one field: the full-data difference, its percentile interval, and the share of
    resamples in which B is better than A (higher, or lower for a lower-is-better field)."""

    a: str
    b: str
    field: str
    estimate: float
    low: float
    high: float
    share_b_better: float
    share_a_better: float


@dataclass(frozen=True)
class Bootstrap:
    """``values[tracker]``: (resamples x fields) combined values; ``estimates[tracker]``: (fields,)."""

    resamples: int
    seed: int
    confidence: float
    sequences: tuple[str, ...]
    fields: tuple[str, ...]
    estimates: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    resampling: str = "sequences"  # or "tracks": ground-truth tracks within sequences (core/track_bootstrap.py)

    @property
    def trackers(self) -> tuple[str, ...]:
        return tuple(self.estimates)

    def _bounds(self, samples: np.ndarray) -> tuple[float, float]:
        tail = 100 * (1 - self.confidence) / 2
        low, high = np.percentile(samples, [tail, 100 - tail])
        return float(low), float(high)

    def interval(self, tracker: str, field: str) -> Interval:
        j = self.fields.index(field)
        return Interval(float(self.estimates[tracker][j]), *self._bounds(self.values[tracker][:, j]))

    def difference(self, a: str, b: str, field: str) -> Difference:
        j = self.fields.index(field)
        diff = self.values[b][:, j] - self.values[a][:, j]
        sign = -1.0 if FIELDS[field].better == "lower" else 1.0
        return Difference(a, b, field, float(self.estimates[b][j] - self.estimates[a][j]), *self._bounds(diff),
                          float(np.mean(sign * diff > 0)), float(np.mean(sign * diff < 0)))


def saved_settings(manifest: dict) -> tuple[int, int]:
    """(resamples, seed) a saved run recorded (``--bootstrap N --seed S``), else the defaults; the
    manifest is untrusted, so anything but sensible integers gives the defaults."""
    saved = manifest.get("bootstrap")
    if isinstance(saved, dict):
        n, seed = saved.get("resamples"), saved.get("seed")
        if type(n) is int and type(seed) is int and 1 <= n <= 100_000:
            return n, seed
    return DEFAULT_RESAMPLES, DEFAULT_SEED


def resample_sequences(num_sequences: int, resamples: int, seed: int) -> np.ndarray:
    """(resamples x num_sequences) sequence positions drawn with replacement."""
    return np.random.default_rng(seed).integers(0, num_sequences, size=(resamples, num_sequences))


def bootstrap(per_sequence: dict[str, list[dict]], sequences: tuple[str, ...], resamples: int, seed: int, *,
              confidence: float = CONFIDENCE, fields: tuple[str, ...] = HEADLINE,
              combiner: Callable[[list[dict]], dict] = combine) -> Bootstrap:
    """Intervals for ``per_sequence[tracker]`` (metric dicts in ``sequences`` order, the same sequences
    for every tracker), all trackers on the same draws."""
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    draws = resample_sequences(len(sequences), resamples, seed)
    estimates, values = {}, {}
    for tr, seqs in per_sequence.items():
        if len(seqs) != len(sequences):
            raise ValueError(f"{tr}: {len(seqs)} sequences, expected {len(sequences)}")
        estimates[tr] = _headline(combiner(seqs), fields)
        values[tr] = np.array([_headline(combiner([seqs[i] for i in row]), fields) for row in draws.tolist()])
    return Bootstrap(resamples, seed, confidence, tuple(sequences), tuple(fields), estimates, values)


def bootstrap_run(metrics: dict[str, dict[str, dict]], sequences: tuple[str, ...], resamples: int, seed: int,
                  confidence: float = CONFIDENCE) -> Bootstrap:
    """``bootstrap`` of a run's ``metrics[tracker][sequence]`` (the COMBINED entry is not used)."""
    per_sequence = {tr: [seqs[s] for s in sequences if s != COMBINED] for tr, seqs in metrics.items()}
    return bootstrap(per_sequence, tuple(s for s in sequences if s != COMBINED), resamples, seed,
                     confidence=confidence)


def _headline(fields: dict, names: tuple[str, ...]) -> np.ndarray:
    return np.array([summary_value(fields, n) for n in names])


def _scaled(field: str, value: float) -> float:
    return 100 * value if is_rate(field) else value


def sentence(diff: Difference, confidence: float) -> str:
    """The comparison in words: "B is better on HOTA: +1.2 [0.4, 2.0], in 99 % of resamples" (rates
    in percentage points; the interval is the ``confidence`` percentile interval of B - A, turned to
    the winner's side)."""
    label = display(diff.field)
    if diff.share_a_better == 0 and diff.share_b_better == 0:
        return f"{diff.a} and {diff.b} do not differ on {label} in any resample."
    b_wins = diff.share_b_better >= diff.share_a_better
    winner, loser = (diff.b, diff.a) if b_wins else (diff.a, diff.b)
    flip = 1.0 if b_wins else -1.0
    est, low, high = (_scaled(diff.field, flip * v) for v in (diff.estimate, diff.low, diff.high))
    low, high = min(low, high), max(low, high)
    share = 100 * (diff.share_b_better if b_wins else diff.share_a_better)
    unit = " pt" if is_rate(diff.field) else ""
    return (f"{winner} is better than {loser} on {label}: {est:+.2f}{unit} [{low:+.2f}, {high:+.2f}] "
            f"({100 * confidence:g} % interval), in {share:.0f} % of resamples.")


def table_rows(boot: Bootstrap) -> list[dict]:
    """One row per tracker x field (``versus`` empty) and per ordered pair of trackers x field
    (``tracker`` minus ``versus``): estimate, interval, share of resamples in which ``tracker`` is better."""
    rows = []
    for tr in boot.trackers:
        for field in boot.fields:
            iv = boot.interval(tr, field)
            rows.append({"tracker": tr, "versus": "", "field": field, "estimate": iv.estimate, "low": iv.low,
                         "high": iv.high, "share_better": np.nan})
    for i, a in enumerate(boot.trackers):
        for b in boot.trackers[i + 1:]:
            for field in boot.fields:
                d = boot.difference(a, b, field)
                rows.append({"tracker": b, "versus": a, "field": field, "estimate": d.estimate, "low": d.low,
                             "high": d.high, "share_better": d.share_b_better})
    return rows


def to_document(boot: Bootstrap) -> dict:
    """The JSON record: settings, then the rows of ``table_rows`` (NaN as null)."""
    rows = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()} for r in table_rows(boot)]
    return {"resampling": boot.resampling, "resamples": boot.resamples, "seed": boot.seed,
            "confidence": boot.confidence, "interval": "percentile", "sequences": list(boot.sequences),
            "rows": rows}
