"""Bootstrap over ground-truth tracks within sequences, for the fields that split over them.

A field splits over ground-truth tracks when, with the matchings held fixed, every term of its
numerator and denominator belongs to one ground-truth track: HOTA's DetRe, AssA, AssRe, AssPr and
LocA (each TP's association score and similarity belong to its ground-truth track), CLEAR's CLR_Re
and MOTP, and Identity's IDR. A resample draws, in every sequence, as many ground-truth tracks as it
has, with replacement (the same draws for every tracker, so comparisons are paired), and recomputes
those fields from the drawn tracks' sums, combined over sequences as TrackEval combines them. With
every track drawn once the sums give the evaluated fields (``tests/core/test_track_bootstrap.py``).
False positives, DetA, HOTA, MOTA and IDF1 belong to no single track and are not resampled this way.
What it means: docs/uncertainty.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bootstrap import CONFIDENCE, Bootstrap
from .evaluate import load_sequence, run_tasks
from .layout import Layout, SequenceFiles
from .metrics import hota
from .prepare import prepare
from .run import RunOptions
from .sequence_eval import SequenceEvaluation, evaluate_sequence
from .sweep import summary_value

TRACK_FIELDS = ("DetRe", "AssA", "AssRe", "AssPr", "LocA", "CLR_Re", "MOTP", "IDR")
SUMMARY_FIELDS = ("DetRe", "AssA", "LocA", "CLR_Re", "IDR")  # printed and in the report, with intervals
A = hota.NUM_ALPHAS
# Columns of a track's sums: its boxes; per alpha its HOTA TPs, the three association sums and the
# similarity of its TPs; its CLEAR TPs and their similarity; its Identity TPs.
BOXES, TP, ASS_A, ASS_RE, ASS_PR, LOC = 0, slice(1, 1 + A), slice(1 + A, 1 + 2 * A), slice(1 + 2 * A, 1 + 3 * A), \
    slice(1 + 3 * A, 1 + 4 * A), slice(1 + 4 * A, 1 + 5 * A)
CLR_TP, MOTP_SUM, IDTP = 1 + 5 * A, 2 + 5 * A, 3 + 5 * A
COLUMNS = 4 + 5 * A


def track_sums(ev: SequenceEvaluation) -> np.ndarray:
    """(ground-truth tracks x ``COLUMNS``) sums of one evaluated sequence x tracker, from its matches."""
    seq = ev.data
    out = np.zeros((seq.num_gt_ids, COLUMNS))
    out[:, BOXES] = np.bincount(seq.gt_idx, minlength=seq.num_gt_ids)
    p = seq.pairs
    hm = ev.hota_matches
    if hm is not None and hm.pair_index.size:
        g = seq.gt_idx[p.gt[hm.pair_index]]
        t = seq.tr_idx[p.tr[hm.pair_index]]
        sim, width = p.sim[hm.pair_index], A + 1
        per_level = np.bincount(g * width + hm.levels, minlength=seq.num_gt_ids * width).reshape(-1, width)
        out[:, TP] = hota._above(per_level)
        loc = np.bincount(g * width + hm.levels, weights=sim, minlength=seq.num_gt_ids * width).reshape(-1, width)
        out[:, LOC] = hota._above(loc)
        # TrackEval's association terms per (gt id, tracker id) pair, summed over the gt id's pairs
        pair_code, pair_of = np.unique(g * seq.num_tr_ids + t, return_inverse=True)
        counts = hota._above(np.bincount(pair_of.ravel() * width + hm.levels, minlength=pair_code.size * width)
                             .reshape(-1, width)).astype(float)
        pg, pt = pair_code // seq.num_tr_ids, pair_code % seq.num_tr_ids
        n_g = np.bincount(seq.gt_idx, minlength=seq.num_gt_ids).astype(float)[pg][:, None]
        n_t = np.bincount(seq.tr_idx, minlength=seq.num_tr_ids).astype(float)[pt][:, None]
        for cols, denom in ((ASS_A, np.maximum(1, n_g + n_t - counts)), (ASS_RE, np.maximum(1, n_g)),
                            (ASS_PR, np.maximum(1, n_t))):
            np.add.at(out[:, cols], pg, counts * (counts / denom))
    cm = ev.clear_matches
    if cm is not None and cm.pair_index.size:
        g = seq.gt_idx[p.gt[cm.pair_index]]
        out[:, CLR_TP] = np.bincount(g, minlength=seq.num_gt_ids)
        out[:, MOTP_SUM] = np.bincount(g, weights=p.sim[cm.pair_index], minlength=seq.num_gt_ids)
    im = ev.identity_matches
    if im is not None:
        out[:, IDTP] = im.overlap
    return out


def fields_from_sums(sums: np.ndarray) -> np.ndarray:
    """(..., ``COLUMNS``) summed track sums -> (..., len(TRACK_FIELDS)) field values, each formed as
    TrackEval forms the combined field (HOTA's per-alpha fields as their mean over alpha)."""
    boxes, tp = sums[..., BOXES], sums[..., TP]
    tp_weight = np.maximum(1.0, tp)
    clr_tp = sums[..., CLR_TP]
    values = [
        (tp / np.maximum(1.0, boxes[..., None])).mean(-1),  # DetRe: TP / (TP + FN), FN + TP = gt boxes
        (sums[..., ASS_A] / tp_weight).mean(-1),
        (sums[..., ASS_RE] / tp_weight).mean(-1),
        (sums[..., ASS_PR] / tp_weight).mean(-1),
        (np.maximum(1e-10, sums[..., LOC]) / np.maximum(1e-10, tp)).mean(-1),
        clr_tp / np.maximum(1.0, boxes),
        sums[..., MOTP_SUM] / np.maximum(1.0, clr_tp),
        sums[..., IDTP] / np.maximum(1.0, boxes),
    ]
    return np.stack(values, axis=-1)


@dataclass
class SequenceTrackSums:
    """A worker's result: ``sums[tracker]`` (ground-truth tracks x ``COLUMNS``) of one sequence."""

    name: str
    sums: dict[str, np.ndarray]


def sequence_track_sums(files: SequenceFiles, opts: RunOptions) -> SequenceTrackSums:
    """One sequence evaluated again (matches kept only long enough to sum them per ground-truth track)."""
    loaded = load_sequence(files)
    out = SequenceTrackSums(files.name, {})
    for name, tr in loaded.trackers.items():
        seq = prepare(files.name, loaded.gt, tr, benchmark=opts.benchmark, preprocess=opts.preprocess,
                      targets=opts.targets)
        out.sums[name] = track_sums(evaluate_sequence(seq, opts.threshold))
    return out


def resample_tracks(track_counts: list[int], resamples: int, seed: int) -> list[np.ndarray]:
    """Per sequence, (resamples x its tracks) how many times each ground-truth track is drawn (as many
    draws as it has tracks, with replacement), from one ``default_rng(seed)`` in sequence order."""
    rng = np.random.default_rng(seed)
    out = []
    for n in track_counts:
        draws = rng.integers(0, max(n, 1), size=(resamples, n))
        weights = np.zeros((resamples, n))
        np.add.at(weights, (np.repeat(np.arange(resamples), n), draws.ravel()), 1.0)
        out.append(weights)
    return out


def track_bootstrap(per_sequence: dict[str, list[np.ndarray]], sequences: tuple[str, ...], resamples: int,
                    seed: int, confidence: float = CONFIDENCE, combined: dict[str, dict] | None = None) -> Bootstrap:
    """Intervals of ``TRACK_FIELDS`` for ``per_sequence[tracker]`` (track sums in ``sequences`` order; every
    tracker has the same ground truth, so the same tracks), all trackers on the same draws. The
    estimates are the evaluated values: ``combined[tracker]``'s (the run's combined metric dict) when
    given, else the sums of every track once (the same values, summed in another order)."""
    if resamples < 1:
        raise ValueError("resamples must be at least 1")
    first = next(iter(per_sequence.values()))
    weights = resample_tracks([s.shape[0] for s in first], resamples, seed)
    estimates, values = {}, {}
    for tr, sums in per_sequence.items():
        if [s.shape[0] for s in sums] != [s.shape[0] for s in first]:
            raise ValueError(f"{tr}: its sequences have other ground-truth tracks than {next(iter(per_sequence))}'s")
        estimates[tr] = (np.array([summary_value(combined[tr], f) for f in TRACK_FIELDS]) if combined else
                         fields_from_sums(sum(s.sum(axis=0) for s in sums)))
        values[tr] = fields_from_sums(sum(w @ s for w, s in zip(weights, sums)))
    return Bootstrap(resamples, seed, confidence, tuple(sequences), TRACK_FIELDS, estimates, values,
                     resampling="tracks")


def layout_track_sums(layout: Layout, opts: RunOptions, workers: int = 1, progress=None) -> dict[str, list[np.ndarray]]:
    """``track_sums`` of every tracker of a MOTChallenge ``layout``, per sequence in the layout's order
    (each sequence evaluated again, in ``workers`` processes)."""
    done = run_tasks(sequence_track_sums, [(f, opts) for f in layout.sequences], workers, progress)
    return {tr: [done[f.name].sums[tr] for f in layout.sequences] for tr in layout.trackers}


def track_bootstrap_layout(layout: Layout, opts: RunOptions, resamples: int, seed: int, workers: int = 1,
                           progress=None, combined: dict[str, dict] | None = None) -> Bootstrap:
    """``track_bootstrap`` of every tracker of a MOTChallenge ``layout`` (each sequence evaluated again)."""
    return track_bootstrap(layout_track_sums(layout, opts, workers, progress), tuple(f.name for f in layout.sequences),
                           resamples, seed, combined=combined)
