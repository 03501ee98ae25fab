"""The HOTA paper's extensions (Luiten et al., IJCV 2021, section 8), on one prepared sequence.

* CA-HOTA and ClaA (Eq. 38-40): each TP weighted by ``A(c) * C(c)``, ``C(c)`` = probability the
  predicted box gives to the ground truth's class; matched with the paper's classification-aware
  matching (Eq. 39: #TP, then ``C + Amax``, then S, per alpha) or TrackEval's.
* CA2-HOTA (Eq. 41, class-averaged) and Fed-HOTA (Eq. 42, federated: a prediction's class mass
  counts as FP only where the class is verified).
* FA-HOTA and FragA: TP weighted by ``sqrt(A(c) * F(c))``, ``F(c)`` = share of the pair's
  TPA+FNA+FPA that lies in c's fragment.
* W-HOTA: FN, FP, FNA and FPA weighted.
* OHOTA: online association, ``A(c)`` from frames up to c's frame.

Every function is pure: an ``EvalSequence`` (+ ``ClassLabels`` for the class variants), a matching
(``"trackeval"``: TrackEval's shared matching, ``"paper"``: the paper's per-alpha matching) or
precomputed ``AlphaMatches``, and a typed result with 19-value arrays and ``to_pandas()``.

Headline numbers are computed as ``sqrt(DetA' * AssA')`` with TrackEval's operations and guards
(the paper's ``sqrt(sum / (TP+FN+FP))`` rewritten), so that where a variant reduces to HOTA (all
probabilities 1 on the right class, all weights 1, no fragmentation, one class) it is bit-identical
to ``tracklens.metrics.hota`` (TrackEval matching) or ``tracklens.metrics.hota_paper`` (paper matching).
See docs/hota_variants.md for the definitions and every choice taken.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar, Iterable, Mapping

import numpy as np
import pandas as pd

from ..prepare import EvalSequence
from . import hota, hota_paper
from .hota import NUM_ALPHAS
from .hota_paper import PAPER, PAPER_CA, TRACKEVAL, AlphaMatches

MATCHINGS = (TRACKEVAL, PAPER)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class ClassLabels:
    """Classes of one prepared sequence's boxes, indexed like ``EvalSequence`` positions.

    ``classes`` (K class ids) names the columns of ``tr_probs`` (num_tr_dets x K): the probability
    each tracker box gives to each class. Rows sum to 1 for real probabilities; with only a hard class
    and a confidence (``hard``), a row holds the confidence at the predicted class and 0 elsewhere
    (the rest of the mass is on no class). ``gt_class`` is the class id of each ground-truth box; a
    class missing from ``classes`` gets probability 0 from every prediction.
    """

    classes: np.ndarray
    gt_class: np.ndarray
    tr_probs: np.ndarray

    def __post_init__(self) -> None:
        probs = np.asarray(self.tr_probs, float)
        if probs.ndim != 2 or probs.shape[1] != np.asarray(self.classes).size:
            raise ValueError(f"tr_probs must be (num_tr_dets, {np.asarray(self.classes).size}), got {probs.shape}")

    @classmethod
    def hard(cls, gt_class: np.ndarray, tr_class: np.ndarray, tr_conf: np.ndarray | None = None) -> "ClassLabels":
        """C(c) = confidence if the predicted class equals the gt class, else 0 (confidence 1 when absent)."""
        gt_class = np.asarray(gt_class, np.int64)
        tr_class = np.asarray(tr_class, np.int64)
        classes = np.union1d(gt_class, tr_class)
        probs = np.zeros((tr_class.size, classes.size))
        conf = np.ones(tr_class.size) if tr_conf is None else np.asarray(tr_conf, float)
        probs[np.arange(tr_class.size), np.searchsorted(classes, tr_class)] = conf
        return cls(classes, gt_class, probs)

    def gt_column(self) -> np.ndarray:
        """Column of ``tr_probs`` holding each gt box's class (-1 when the class has no column)."""
        classes = np.asarray(self.classes, np.int64)
        gt_class = np.asarray(self.gt_class, np.int64)
        if classes.size == 0:
            return np.full(gt_class.size, -1, np.int64)
        order = np.argsort(classes, kind="stable")
        pos = np.minimum(np.searchsorted(classes[order], gt_class), classes.size - 1)
        return np.where(classes[order][pos] == gt_class, order[pos], -1)

    def pair_probability(self, seq: EvalSequence) -> np.ndarray:
        """C(i, j) for every pair of ``seq.pairs``: the probability tracker box j gives to gt box i's class."""
        col = self.gt_column()[seq.pairs.gt]
        probs = np.asarray(self.tr_probs, float)
        out = np.zeros(col.size)
        ok = col >= 0
        out[ok] = probs[seq.pairs.tr[ok], col[ok]]
        return out


@dataclass(frozen=True)
class HotaWeights:
    """W-HOTA weights, each in [0, 1]: detection-level FN and FP, association-level FNA and FPA."""

    fn: float = 1.0
    fp: float = 1.0
    fna: float = 1.0
    fpa: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            w = getattr(self, f.name)
            if not 0.0 <= w <= 1.0:
                raise ValueError(f"weight {f.name}={w!r} must be in [0, 1]")


# --------------------------------------------------------------------------- results


def _alpha_index(extra: str = "mean") -> pd.Index:
    return pd.Index(hota_paper.alpha_labels() + [extra], name="alpha")


@dataclass(frozen=True)
class AlphaResult:
    """Base of the variant results: 19-value arrays (alpha 0.05..0.95) under display names."""

    COLUMNS: ClassVar[dict[str, str]] = {}
    HEADLINE: ClassVar[str] = ""

    def arrays(self) -> dict[str, np.ndarray]:
        """Display name -> 19-value array."""
        return {col: np.asarray(getattr(self, attr), float) for attr, col in self.COLUMNS.items()}

    def means(self) -> dict[str, float]:
        """Display name -> mean over the 19 alphas (the reported number)."""
        return {k: float(np.mean(v)) for k, v in self.arrays().items()}

    @property
    def score(self) -> float:
        """The headline number: its mean over the alphas."""
        return self.means()[self.HEADLINE]

    def to_pandas(self) -> pd.DataFrame:
        """One row per alpha ('0.05'..'0.95') and a last row 'mean'; one column per field."""
        frame = pd.DataFrame({k: v for k, v in self.arrays().items()}, index=_alpha_index()[:-1])
        frame.loc["mean"] = frame.mean(axis=0)
        return frame


@dataclass(frozen=True)
class CaHotaResult(AlphaResult):
    """CA-HOTA (Eq. 38) and ClaA (Eq. 40), with the same matching's DetA/AssA/HOTA beside them.
    ``ca_ass_a`` = mean over TPs of A(c)*C(c), so ``ca_hota = sqrt(det_a * ca_ass_a)``."""

    matching: str
    ca_hota: np.ndarray
    cla_a: np.ndarray
    ca_ass_a: np.ndarray
    det_a: np.ndarray
    ass_a: np.ndarray
    loc_a: np.ndarray
    hota: np.ndarray
    tp: np.ndarray
    fn: np.ndarray
    fp: np.ndarray

    COLUMNS: ClassVar[dict[str, str]] = {
        "ca_hota": "CA-HOTA", "cla_a": "ClaA", "ca_ass_a": "CA-AssA", "det_a": "DetA", "ass_a": "AssA",
        "loc_a": "LocA", "hota": "HOTA", "tp": "TP", "fn": "FN", "fp": "FP"}
    HEADLINE: ClassVar[str] = "CA-HOTA"


@dataclass(frozen=True)
class ClassAveragedResult(AlphaResult):
    """CA2-HOTA (Eq. 41) or Fed-HOTA (Eq. 42): ``value`` is the mean over ``included`` classes of
    ``per_class`` (K x 19); per class also TP, FN, the fractional FP mass, DetA and mean A*C."""

    name: str
    matching: str
    classes: tuple[int, ...]
    value: np.ndarray
    per_class: np.ndarray
    tp: np.ndarray
    fn: np.ndarray
    fp_mass: np.ndarray
    det_a: np.ndarray
    ca_ass_a: np.ndarray
    included: np.ndarray

    @property
    def score(self) -> float:
        return float(np.mean(self.value))

    def arrays(self) -> dict[str, np.ndarray]:
        out = {self.name: np.asarray(self.value, float)}
        for k, c in enumerate(self.classes):
            out[f"{self.name}[{c}]"] = self.per_class[k]
        for k, c in enumerate(self.classes):
            out[f"FP mass[{c}]"] = self.fp_mass[k]
        return out


@dataclass(frozen=True)
class FaHotaResult(AlphaResult):
    """FA-HOTA and FragA (mean over TPs of F(c)); ``fa_ass_a`` = mean over TPs of sqrt(A(c)*F(c))."""

    matching: str
    fa_hota: np.ndarray
    frag_a: np.ndarray
    fa_ass_a: np.ndarray
    det_a: np.ndarray
    ass_a: np.ndarray
    hota: np.ndarray
    tp: np.ndarray
    fn: np.ndarray
    fp: np.ndarray

    COLUMNS: ClassVar[dict[str, str]] = {
        "fa_hota": "FA-HOTA", "frag_a": "FragA", "fa_ass_a": "FA-AssA", "det_a": "DetA", "ass_a": "AssA",
        "hota": "HOTA", "tp": "TP", "fn": "FN", "fp": "FP"}
    HEADLINE: ClassVar[str] = "FA-HOTA"


@dataclass(frozen=True)
class WHotaResult(AlphaResult):
    """W-HOTA with its weighted DetA (``TP / (TP + w_fn FN + w_fp FP)``) and weighted AssA."""

    matching: str
    weights: HotaWeights
    w_hota: np.ndarray
    w_det_a: np.ndarray
    w_ass_a: np.ndarray
    hota: np.ndarray
    tp: np.ndarray
    fn: np.ndarray
    fp: np.ndarray

    COLUMNS: ClassVar[dict[str, str]] = {
        "w_hota": "W-HOTA", "w_det_a": "W-DetA", "w_ass_a": "W-AssA", "hota": "HOTA", "tp": "TP", "fn": "FN",
        "fp": "FP"}
    HEADLINE: ClassVar[str] = "W-HOTA"


@dataclass(frozen=True)
class OHotaResult(AlphaResult):
    """Online HOTA: ``o_ass_a`` = mean over TPs of A(c) counted on frames up to c's frame."""

    matching: str
    o_hota: np.ndarray
    o_ass_a: np.ndarray
    det_a: np.ndarray
    ass_a: np.ndarray
    hota: np.ndarray
    tp: np.ndarray
    fn: np.ndarray
    fp: np.ndarray

    COLUMNS: ClassVar[dict[str, str]] = {
        "o_hota": "OHOTA", "o_ass_a": "O-AssA", "det_a": "DetA", "ass_a": "AssA", "hota": "HOTA", "tp": "TP",
        "fn": "FN", "fp": "FP"}
    HEADLINE: ClassVar[str] = "OHOTA"


# --------------------------------------------------------------------------- shared per-alpha quantities


def variant_matches(seq: EvalSequence, matching: str, labels: ClassLabels | None = None) -> AlphaMatches:
    """``"trackeval"``: TrackEval's shared matching; ``"paper"``: Eq. 15-16; ``"paper-ca"``: Eq. 39
    (needs ``labels``)."""
    if seq.num_gt_dets == 0 or seq.num_tr_dets == 0:
        return AlphaMatches.empty(matching)
    if matching == TRACKEVAL:
        return AlphaMatches.from_hota(hota.match(seq))
    if matching == PAPER:
        return hota_paper.paper_match(seq)
    if matching == PAPER_CA:
        if labels is None:
            raise ValueError("the classification-aware matching needs class labels")
        return hota_paper.paper_match(seq, labels.pair_probability(seq), matching=PAPER_CA)
    raise ValueError(f"unknown matching {matching!r}; use one of {MATCHINGS + (PAPER_CA,)}")


@dataclass
class _Assoc:
    """Per-alpha quantities of one matching, laid out exactly as ``hota.evaluate`` lays them out."""

    seq: EvalSequence
    matches: AlphaMatches
    empty: bool
    hota: dict = field(default_factory=dict)
    passes: np.ndarray = None  # (M, 19) bool
    inv: np.ndarray = None  # (M,) pair-of-ids index of each match
    uniq: np.ndarray = None  # (U,) id-pair codes
    counts: np.ndarray = None  # (U, 19) TPA per id pair
    denom: np.ndarray = None  # (U, 19) max(1, n_g + n_p - TPA)
    ng: np.ndarray = None  # (U, 1)
    nt: np.ndarray = None  # (U, 1)
    gt_pos: np.ndarray = None  # (M,) gt position of each match
    tr_pos: np.ndarray = None  # (M,) tracker position of each match

    @property
    def tp(self) -> np.ndarray:
        return self.hota["HOTA_TP"]

    @property
    def tp_safe(self) -> np.ndarray:
        return np.maximum(1, self.hota["HOTA_TP"])


def _assoc(seq: EvalSequence, matches: AlphaMatches) -> _Assoc:
    res = hota_paper.evaluate_matches(seq, matches)
    if seq.num_tr_dets == 0 or seq.num_gt_dets == 0:
        return _Assoc(seq, matches, True, res)
    p = seq.pairs
    idx = matches.pair_index
    gt_count, tr_count = hota_paper.id_counts(seq)
    code = seq.gt_idx[p.gt[idx]] * seq.num_tr_ids + seq.tr_idx[p.tr[idx]]
    uniq, inv = np.unique(code, return_inverse=True)
    inv = inv.ravel()
    counts = np.zeros((uniq.size, NUM_ALPHAS))
    np.add.at(counts, inv, matches.active)
    ng = gt_count[uniq // seq.num_tr_ids][:, None]
    nt = tr_count[uniq % seq.num_tr_ids][:, None]
    return _Assoc(seq, matches, False, res, matches.active, inv, uniq, counts, np.maximum(1, ng + nt - counts),
                  ng, nt, p.gt[idx], p.tr[idx])


def _ranks(idx: np.ndarray, n_ids: int) -> np.ndarray:
    """0-based rank of each detection among the (frame-sorted) detections of its id."""
    order = np.argsort(idx, kind="stable")
    start = np.zeros(n_ids + 1, np.int64)
    np.cumsum(np.bincount(idx, minlength=n_ids), out=start[1:])
    rank = np.empty(idx.size, np.int64)
    rank[order] = np.arange(idx.size) - start[idx[order]]
    return rank


def _sorted_active(s: _Assoc, a: int) -> np.ndarray:
    """Matches active at alpha ``a``, grouped by id pair, frame order inside a pair."""
    act = np.flatnonzero(s.passes[:, a])
    return act[np.argsort(s.inv[act], kind="stable")]


def _zeros() -> np.ndarray:
    return np.zeros(NUM_ALPHAS)


def _resolve(matching: str, matches: AlphaMatches | None, seq: EvalSequence,
             labels: ClassLabels | None = None) -> AlphaMatches:
    if matches is not None:
        return matches
    return variant_matches(seq, matching, labels)


# --------------------------------------------------------------------------- CA-HOTA, CA2-HOTA, Fed-HOTA


def _ca_matching(matching: str) -> str:
    """For the class variants ``"paper"`` means the classification-aware Eq. 39."""
    return PAPER_CA if matching in (PAPER, PAPER_CA) else matching


def ca_hota(seq: EvalSequence, labels: ClassLabels, *, matching: str = PAPER,
            matches: AlphaMatches | None = None) -> CaHotaResult:
    """CA-HOTA_alpha = sqrt(sum_TP A(c) C(c) / (TP + FN + FP)) and ClaA_alpha = mean_TP C(c).

    ``matching="paper"`` (default) is Eq. 39 per alpha (#TP, then C + Amax, then S);
    ``"trackeval"`` uses TrackEval's shared matching (classes only weight the score)."""
    matching = _ca_matching(matching)
    matches = _resolve(matching, matches, seq, labels)
    s = _assoc(seq, matches)
    h = s.hota
    if s.empty:
        z = _zeros()
        return CaHotaResult(matching, z, z, z, h["DetA"], h["AssA"], h["LocA"], h["HOTA"], h["HOTA_TP"],
                            h["HOTA_FN"], h["HOTA_FP"])
    c = labels.pair_probability(seq)[matches.pair_index]
    weighted = s.passes * c[:, None]
    csum = np.zeros_like(s.counts)
    np.add.at(csum, s.inv, weighted)
    ca_ass = (csum * (s.counts / s.denom)).sum(axis=0) / s.tp_safe
    cla = weighted.sum(axis=0) / s.tp_safe
    return CaHotaResult(matching, np.sqrt(h["DetA"] * ca_ass), cla, ca_ass, h["DetA"], h["AssA"], h["LocA"],
                        h["HOTA"], h["HOTA_TP"], h["HOTA_FN"], h["HOTA_FP"])


def _class_averaged(seq: EvalSequence, labels: ClassLabels, name: str, matching: str,
                    matches: AlphaMatches | None, classes: Iterable[int] | None,
                    counted: np.ndarray | None, tp_wrong_class_fp: bool) -> ClassAveragedResult:
    matching = _ca_matching(matching)
    matches = _resolve(matching, matches, seq, labels)
    s = _assoc(seq, matches)
    gt_class = np.asarray(labels.gt_class, np.int64)
    cls_list = (np.unique(gt_class) if classes is None else np.asarray(list(classes), np.int64))
    label_cls = np.asarray(labels.classes, np.int64)
    probs = np.asarray(labels.tr_probs, float)
    n_tr = seq.num_tr_dets
    K = cls_list.size
    tp = np.zeros((K, NUM_ALPHAS))
    fn = np.zeros((K, NUM_ALPHAS))
    fpm = np.zeros((K, NUM_ALPHAS))
    num = np.zeros((K, NUM_ALPHAS))
    matched = np.zeros((n_tr, NUM_ALPHAS), bool)
    pair_c = np.zeros(0)
    if not s.empty:
        np.logical_or.at(matched, s.tr_pos, s.passes)  # paper matches: one box, several pairs over alphas
        pair_c = labels.pair_probability(seq)[matches.pair_index]
    for k, cls in enumerate(cls_list.tolist()):
        col = np.flatnonzero(label_cls == cls)
        mass = probs[:, col[0]] if col.size else np.zeros(n_tr)
        if counted is not None:
            mass = mass * counted[:, k]
        n_gt = float(np.count_nonzero(gt_class == cls))
        if not s.empty:
            of_cls = gt_class[s.gt_pos] == cls
            passes = s.passes & of_cls[:, None]
            tp[k] = passes.sum(axis=0).astype(float)
            csum = np.zeros_like(s.counts)
            np.add.at(csum, s.inv, passes * pair_c[:, None])
            num[k] = (csum * (s.counts / s.denom)).sum(axis=0)
            if tp_wrong_class_fp:
                wrong = s.passes & ~of_cls[:, None]
                fpm[k] += (wrong * mass[s.tr_pos][:, None]).sum(axis=0)
        fn[k] = n_gt - tp[k]
        fpm[k] = ((~matched) * mass[:, None]).sum(axis=0) + fpm[k]
    det_a = tp / np.maximum(1, tp + fn + fpm)
    ca_ass = num / np.maximum(1, tp)
    per_class = np.sqrt(det_a * ca_ass)
    included = (tp + fn + fpm) > 0
    n_inc = included.sum(axis=0)
    value = np.where(n_inc > 0, (per_class * included).sum(axis=0) / np.maximum(1, n_inc), 0.0)
    return ClassAveragedResult(name, matching, tuple(int(c) for c in cls_list), value, per_class, tp, fn, fpm,
                               det_a, ca_ass, included)


def ca2_hota(seq: EvalSequence, labels: ClassLabels, *, matching: str = PAPER, matches: AlphaMatches | None = None,
             classes: Iterable[int] | None = None, tp_wrong_class_fp: bool = False) -> ClassAveragedResult:
    """CA2-HOTA (Eq. 41): per class Cls, sqrt(sum_{TP of Cls} A(c) C(c) / (TP_Cls + FN_Cls + sum_{f in FP}
    C(f, Cls))), then the mean over classes (per alpha; the alpha mean last).

    Classes: those of the ground truth in the sequence (default), or ``classes``; a class with
    nothing to score at an alpha (no gt, no FP mass) is left out of that alpha's mean.
    ``tp_wrong_class_fp`` also adds the mass that matched predictions put on other classes to those
    classes' FP term (not the paper's reading; off by default)."""
    return _class_averaged(seq, labels, "CA2-HOTA", matching, matches, classes, None, tp_wrong_class_fp)


def verified_mask(seq: EvalSequence, labels: ClassLabels, classes: np.ndarray,
                  verified: Mapping[int, Iterable[int]] | None, positives_verified: bool = True) -> np.ndarray:
    """I(f, Cls) for every tracker box f and class (num_tr_dets x K): 1 iff Cls is verified in f's frame
    (``verified[frame]``, 1-based frames) or, with ``positives_verified``, Cls has a gt box there."""
    frame = np.searchsorted(seq.tr_offsets, np.arange(seq.num_tr_dets), side="right") - 1
    out = np.zeros((seq.num_tr_dets, classes.size), bool)
    col = {int(c): k for k, c in enumerate(classes.tolist())}
    for t, cls_set in (verified or {}).items():
        sel = frame == int(t) - 1
        for c in cls_set:
            if int(c) in col:
                out[sel, col[int(c)]] = True
    if positives_verified:
        gt_frame = np.searchsorted(seq.gt_offsets, np.arange(seq.num_gt_dets), side="right") - 1
        present = np.zeros((seq.num_frames, classes.size), bool)
        gt_class = np.asarray(labels.gt_class, np.int64)
        for c, k in col.items():
            present[gt_frame[gt_class == c], k] = True
        out |= present[frame]
    return out


def fed_hota(seq: EvalSequence, labels: ClassLabels, verified: Mapping[int, Iterable[int]] | None = None, *,
             positives_verified: bool = True, matching: str = PAPER, matches: AlphaMatches | None = None,
             classes: Iterable[int] | None = None, tp_wrong_class_fp: bool = False) -> ClassAveragedResult:
    """Fed-HOTA (Eq. 42): CA2-HOTA whose FP term only counts ``I(f, Cls) C(f, Cls)``, I = 1 iff Cls is
    verified in f's frame: listed in ``verified[frame]`` (frame -> class ids, e.g. TAO's negative
    labels) or, with ``positives_verified``, annotated there (a gt box of Cls in the frame)."""
    gt_class = np.asarray(labels.gt_class, np.int64)
    cls_list = np.unique(gt_class) if classes is None else np.asarray(list(classes), np.int64)
    counted = verified_mask(seq, labels, cls_list, verified, positives_verified)
    return _class_averaged(seq, labels, "Fed-HOTA", matching, matches, cls_list, counted, tp_wrong_class_fp)


# --------------------------------------------------------------------------- FA-HOTA, W-HOTA, OHOTA


def fa_hota(seq: EvalSequence, *, matching: str = TRACKEVAL, matches: AlphaMatches | None = None) -> FaHotaResult:
    """FA-HOTA_alpha = sqrt(sum_TP sqrt(A(c) F(c)) / (TP+FN+FP)), F(c) = |FrA(c)| / (TPA+FNA+FPA);
    FragA = mean_TP F(c).

    A fragment of ids (g, p) is a maximal run of their TPs, in frame order, with no FNA or FPA
    between: two consecutive TPs of the pair are in one fragment iff neither g nor p has a box in
    a frame between them (frames where both are absent do not break a fragment)."""
    matches = _resolve(matching, matches, seq)
    s = _assoc(seq, matches)
    h = s.hota
    if s.empty:
        z = _zeros()
        return FaHotaResult(matching, z, z, z, h["DetA"], h["AssA"], h["HOTA"], h["HOTA_TP"], h["HOTA_FN"],
                            h["HOTA_FP"])
    g_rank = _ranks(seq.gt_idx, seq.num_gt_ids)[s.gt_pos]
    t_rank = _ranks(seq.tr_idx, seq.num_tr_ids)[s.tr_pos]
    fa = np.zeros_like(s.counts)
    frag = np.zeros_like(s.counts)
    for a in range(NUM_ALPHAS):
        m = _sorted_active(s, a)
        if m.size == 0:
            continue
        u = s.inv[m]
        new = np.ones(m.size, bool)
        new[1:] = (u[1:] != u[:-1]) | (np.diff(g_rank[m]) > 1) | (np.diff(t_rank[m]) > 1)
        run = np.cumsum(new) - 1
        length = np.bincount(run).astype(float)
        run_pair = u[new]
        share = length / s.denom[run_pair, a]
        ass = s.counts[run_pair, a] / s.denom[run_pair, a]
        col = np.zeros(s.counts.shape[0])
        np.add.at(col, run_pair, length * np.sqrt(ass * share))
        fa[:, a] = col
        col = np.zeros(s.counts.shape[0])
        np.add.at(col, run_pair, length * share)
        frag[:, a] = col
    fa_ass = fa.sum(axis=0) / s.tp_safe
    return FaHotaResult(matching, np.sqrt(h["DetA"] * fa_ass), frag.sum(axis=0) / s.tp_safe, fa_ass, h["DetA"],
                        h["AssA"], h["HOTA"], h["HOTA_TP"], h["HOTA_FN"], h["HOTA_FP"])


def w_hota(seq: EvalSequence, weights: HotaWeights = HotaWeights(), *, matching: str = TRACKEVAL,
           matches: AlphaMatches | None = None) -> WHotaResult:
    """W-HOTA_alpha = sqrt(sum_TP A_w(c) / (TP + w_fn FN + w_fp FP)),
    A_w(c) = TPA / (TPA + w_fna FNA + w_fpa FPA)."""
    matches = _resolve(matching, matches, seq)
    s = _assoc(seq, matches)
    h = s.hota
    if s.empty:
        z = _zeros()
        return WHotaResult(matching, weights, z, z, z, h["HOTA"], h["HOTA_TP"], h["HOTA_FN"], h["HOTA_FP"])
    c = s.counts
    a_w = c / np.maximum(1, c + weights.fna * (s.ng - c) + weights.fpa * (s.nt - c))
    w_ass = (c * a_w).sum(axis=0) / s.tp_safe
    tp, fn, fp = h["HOTA_TP"], h["HOTA_FN"], h["HOTA_FP"]
    w_det = tp / np.maximum(1, tp + weights.fn * fn + weights.fp * fp)
    return WHotaResult(matching, weights, np.sqrt(w_det * w_ass), w_det, w_ass, h["HOTA"], tp, fn, fp)


def o_hota(seq: EvalSequence, *, matching: str = TRACKEVAL, matches: AlphaMatches | None = None) -> OHotaResult:
    """Online HOTA: for a TP c of ids (g, p) in frame t, A(c) = TPA_t / (n_g,t + n_p,t - TPA_t) with
    every count over frames <= t (c's own frame included). The matching is the offline one."""
    matches = _resolve(matching, matches, seq)
    s = _assoc(seq, matches)
    h = s.hota
    if s.empty:
        z = _zeros()
        return OHotaResult(matching, z, z, h["DetA"], h["AssA"], h["HOTA"], h["HOTA_TP"], h["HOTA_FN"],
                           h["HOTA_FP"])
    ng_t = (_ranks(seq.gt_idx, seq.num_gt_ids)[s.gt_pos] + 1).astype(float)
    nt_t = (_ranks(seq.tr_idx, seq.num_tr_ids)[s.tr_pos] + 1).astype(float)
    total = np.zeros(NUM_ALPHAS)
    for a in range(NUM_ALPHAS):
        m = _sorted_active(s, a)
        if m.size == 0:
            continue
        u = s.inv[m]
        first = np.ones(m.size, bool)
        first[1:] = u[1:] != u[:-1]
        start = np.maximum.accumulate(np.where(first, np.arange(m.size), 0))
        tpa = (np.arange(m.size) - start + 1).astype(float)
        total[a] = (tpa / (ng_t[m] + nt_t[m] - tpa)).sum()
    o_ass = total / s.tp_safe
    return OHotaResult(matching, np.sqrt(h["DetA"] * o_ass), o_ass, h["DetA"], h["AssA"], h["HOTA"], h["HOTA_TP"],
                       h["HOTA_FN"], h["HOTA_FP"])
