"""The sequence bootstrap: deterministic for a seed, every resample combined by the run's own
combiner, intervals around the estimate, identical trackers differing by exactly zero, and the
coverage of the interval near its nominal level on synthetic sequences from a known population."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracklens.bootstrap import HEADLINE, bootstrap, bootstrap_run, resample_sequences, sentence, table_rows
from tracklens.evaluate import COMBINED, combine, evaluate
from tracklens.layout import resolve
from tracklens.metrics import clear
from tracklens.sweep import summary_value


def clear_sequence(n: int, fn: int, fp: int, idsw: int = 0) -> dict:
    """CLEAR's per-sequence counts (what ``clear.combine`` sums) for ``n`` ground-truth boxes."""
    return {"CLR_TP": n - fn, "CLR_FN": fn, "CLR_FP": fp, "IDSW": idsw, "MT": 0, "PT": 0, "ML": 0, "Frag": 0,
            "CLR_Frames": 100, "MOTP_sum": 0.8 * (n - fn)}


def population_sample(rng: np.random.Generator, k: int) -> list[dict]:
    """``k`` sequences: sizes 200..2000, miss rate ~ Beta(2, 8) (mean 0.2), false-positive rate
    ~ Beta(1, 9) (mean 0.1), drawn independently: the population MOTA is 1 - 0.2 - 0.1 = 0.7."""
    n = rng.integers(200, 2001, k)
    return [clear_sequence(int(m), int(rng.binomial(m, rng.beta(2, 8))), int(rng.binomial(m, rng.beta(1, 9))))
            for m in n]


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    seqs = population_sample(np.random.default_rng(1), 12)
    names = tuple(f"s{i}" for i in range(12))
    one = bootstrap({"A": seqs}, names, 200, seed=7, fields=("MOTA",), combiner=clear.combine)
    two = bootstrap({"A": seqs}, names, 200, seed=7, fields=("MOTA",), combiner=clear.combine)
    other = bootstrap({"A": seqs}, names, 200, seed=8, fields=("MOTA",), combiner=clear.combine)
    assert np.array_equal(one.values["A"], two.values["A"])
    assert not np.array_equal(one.values["A"], other.values["A"])
    assert np.array_equal(resample_sequences(5, 3, 7), resample_sequences(5, 3, 7))


def test_each_resample_is_the_combination_of_its_draw() -> None:
    seqs = population_sample(np.random.default_rng(2), 6)
    names = tuple(f"s{i}" for i in range(6))
    boot = bootstrap({"A": seqs}, names, 20, seed=3, fields=("MOTA", "CLR_Re"), combiner=clear.combine)
    for row, draw in zip(boot.values["A"], resample_sequences(6, 20, 3)):
        again = clear.combine([seqs[i] for i in draw])
        assert row.tolist() == [float(again["MOTA"]), float(again["CLR_Re"])]
    assert boot.estimates["A"][0] == clear.combine(seqs)["MOTA"]


def test_identical_trackers_differ_by_zero() -> None:
    seqs = population_sample(np.random.default_rng(3), 10)
    names = tuple(f"s{i}" for i in range(10))
    boot = bootstrap({"A": seqs, "B": list(seqs)}, names, 300, seed=0, fields=("MOTA",), combiner=clear.combine)
    d = boot.difference("A", "B", "MOTA")
    assert (d.estimate, d.low, d.high, d.share_b_better, d.share_a_better) == (0.0, 0.0, 0.0, 0.0, 0.0)
    assert sentence(d, boot.confidence) == "A and B do not differ on MOTA in any resample."


def test_a_tracker_better_on_every_sequence_wins_every_resample() -> None:
    rng = np.random.default_rng(4)
    a = population_sample(rng, 8)
    b = [{**s, "CLR_FN": s["CLR_FN"] - 5, "CLR_TP": s["CLR_TP"] + 5} for s in a]  # 5 fewer misses each
    boot = bootstrap({"A": a, "B": b}, tuple("abcdefgh"), 400, seed=1, fields=("MOTA", "CLR_FN"),
                     combiner=clear.combine)
    up = boot.difference("A", "B", "MOTA")
    assert up.share_b_better == 1.0 and up.low > 0 and up.low <= up.estimate <= up.high
    fewer = boot.difference("A", "B", "CLR_FN")  # lower is better: B still wins
    assert fewer.estimate == -40 and fewer.share_b_better == 1.0
    text = sentence(up, boot.confidence)
    assert text.startswith("B is better than A on MOTA: +") and text.endswith("in 100 % of resamples.")


def test_coverage_near_nominal_on_a_known_population() -> None:
    """300 data sets of 25 sequences from a population with MOTA 0.7; the 90 % interval (500
    resamples each) should hold 0.7 about 90 % of the time. Percentile intervals of a ratio with 25
    sequences run slightly narrow; the bounds are nominal +- about 3.5 binomial standard errors."""
    rng = np.random.default_rng(2026)
    names = tuple(f"s{i}" for i in range(25))
    hits = []
    for rep in range(300):
        boot = bootstrap({"A": population_sample(rng, 25)}, names, 500, seed=rep, confidence=0.90,
                         fields=("MOTA",), combiner=clear.combine)
        iv = boot.interval("A", "MOTA")
        hits.append(iv.low <= 0.7 <= iv.high)
    coverage = float(np.mean(hits))
    assert 0.84 <= coverage <= 0.96, coverage


def test_table_rows_cover_every_tracker_and_pair() -> None:
    seqs = population_sample(np.random.default_rng(5), 5)
    boot = bootstrap({"A": seqs, "B": seqs, "C": seqs}, tuple("abcde"), 10, seed=0, fields=("MOTA",),
                     combiner=clear.combine)
    rows = table_rows(boot)
    assert [(r["tracker"], r["versus"]) for r in rows] == [("A", ""), ("B", ""), ("C", ""), ("B", "A"), ("C", "A"),
                                                           ("C", "B")]


@pytest.mark.shared
def test_mot17_intervals_contain_the_estimate(shared_data: Path) -> None:
    root = shared_data / "mot_challenge"
    run = evaluate(resolve(str(root / "gt" / "mot_challenge"), str(root / "trackers" / "mot_challenge"), "MOT17",
                           "train"))
    sequences = tuple(s for s in run.metrics["MPNTrack"] if s != COMBINED)
    boot = bootstrap_run(run.metrics, sequences, 300, seed=11)
    assert boot.trackers == ("BoTSORT", "MPNTrack", "MoTT")
    for tr in boot.trackers:
        full = combine([run.metrics[tr][s] for s in sequences])
        for field in HEADLINE:
            iv = boot.interval(tr, field)
            assert iv.estimate == summary_value(run.metrics[tr][COMBINED], field) == summary_value(full, field)
            assert iv.low <= iv.estimate <= iv.high, (tr, field, iv)
            assert iv.low < iv.high  # 21 different sequences: the resamples do vary
    d = boot.difference("MPNTrack", "BoTSORT", "HOTA")
    assert d.share_b_better + d.share_a_better == 1.0
