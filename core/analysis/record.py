"""``SequenceAnalysis``: everything the dashboard and reports need about one sequence x tracker,
as plain tables that save to Parquet and load back without recomputing."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..assignment import frame_of_rows
from ..detections import Detections
from ..sequence_eval import SequenceEvaluation
from .boxes import box_table
from .events import BOX_EVENTS, EVENT_TYPES, clear_match_table, event_table
from .tracks import pair_frame

TABLES = ("boxes", "events", "pairs", "gt_tracks", "tr_tracks")
COVERAGE = ["MT", "PT", "ML"]
# Categorical columns keep their full category list through Parquet (lost when a table is empty).
CATEGORIES = {("boxes", "side"): ["gt", "tr"], ("boxes", "event"): BOX_EVENTS, ("events", "type"): list(EVENT_TYPES),
              ("gt_tracks", "coverage"): COVERAGE}


@dataclass
class SequenceAnalysis:
    """Tables of one sequence x tracker (see ``analyse``) and its TrackEval metric dict."""

    sequence: str
    tracker: str
    num_frames: int
    metrics: dict
    boxes: pd.DataFrame
    events: pd.DataFrame
    pairs: pd.DataFrame
    gt_tracks: pd.DataFrame
    tr_tracks: pd.DataFrame

    def frame_boxes(self, frame: int) -> pd.DataFrame:
        """Rows of one frame (boxes are frame-sorted, so this is a binary search)."""
        f = self.boxes["frame"].to_numpy()
        lo, hi = np.searchsorted(f, [frame, frame + 1])
        return self.boxes.iloc[lo:hi]

    def save(self, folder: str) -> None:
        os.makedirs(folder, exist_ok=True)
        for name in TABLES:
            getattr(self, name).to_parquet(os.path.join(folder, f"{name}.parquet"), index=False)
        meta = {"sequence": self.sequence, "tracker": self.tracker, "num_frames": self.num_frames,
                "metrics": {k: (np.asarray(v).tolist() if isinstance(v, np.ndarray) else _py(v))
                            for k, v in self.metrics.items()}}
        with open(os.path.join(folder, "analysis.json"), "w") as fp:
            json.dump(meta, fp)

    @classmethod
    def load(cls, folder: str) -> "SequenceAnalysis":
        with open(os.path.join(folder, "analysis.json")) as fp:
            meta = json.load(fp)
        metrics = {k: (np.asarray(v, float) if isinstance(v, list) else v) for k, v in meta["metrics"].items()}
        tables = {name: pd.read_parquet(os.path.join(folder, f"{name}.parquet")) for name in TABLES}
        for (table, column), categories in CATEGORIES.items():
            tables[table][column] = pd.Categorical(tables[table][column].astype(object), categories=categories)
        return cls(meta["sequence"], meta["tracker"], meta["num_frames"], metrics, **tables)


def _py(v):
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def analyse(ev: SequenceEvaluation, gt: Detections, tr: Detections, tracker: str) -> SequenceAnalysis:
    """Build all tables from one evaluation pass (the same matches the metrics came from)."""
    d = ev.data
    matches = clear_match_table(ev)
    return SequenceAnalysis(
        sequence=d.name, tracker=tracker, num_frames=d.num_frames, metrics=ev.metrics(),
        boxes=box_table(ev, gt, tr, matches), events=event_table(ev, matches), pairs=pair_frame(ev),
        gt_tracks=_gt_track_facts(ev), tr_tracks=_tr_track_facts(ev),
    )


def _gt_track_facts(ev: SequenceEvaluation) -> pd.DataFrame:
    """Alpha-free facts per evaluated gt id: span, frames, CLEAR coverage, switches, fragments, IDF1 partner."""
    d, cm, im = ev.data, ev.clear_matches, ev.identity_matches
    size = d.num_gt_ids
    n_g = np.bincount(d.gt_idx, minlength=size)
    frame = frame_of_rows(d.gt_offsets, np.arange(d.num_gt_dets)) + 1
    first = np.full(size, np.iinfo(np.int64).max)
    last = np.zeros(size, np.int64)
    np.minimum.at(first, d.gt_idx, frame)
    np.maximum.at(last, d.gt_idx, frame)
    matched = switches = frags = np.zeros(size, np.int64)
    if cm is not None:
        g = d.gt_idx[d.pairs.gt[cm.pair_index]]
        matched = np.bincount(g, minlength=size)
        switches = np.bincount(g[cm.is_switch], minlength=size)
        frags = np.maximum(np.bincount(g[cm.starts_fragment], minlength=size) - 1, 0)
    ratio = matched / np.maximum(1, n_g)
    partner = np.full(size, -1, np.int64)
    idtp = np.zeros(size, np.int64)
    if im is not None:
        partner = np.where(im.gt_partner >= 0, d.tr_ids[np.maximum(im.gt_partner, 0)], -1)
        idtp = im.overlap
    return pd.DataFrame({
        "gt_id": d.gt_ids, "first_frame": first, "last_frame": last, "frames": n_g,
        "clear_matched": matched,
        "coverage": pd.Categorical.from_codes(np.where(ratio > 0.8, 0, np.where(ratio >= 0.2, 1, 2)),
                                              categories=COVERAGE),
        "switches": switches, "fragments": frags, "idf1_partner": partner, "idtp": idtp,
    })


def _tr_track_facts(ev: SequenceEvaluation) -> pd.DataFrame:
    d = ev.data
    frame = frame_of_rows(d.tr_offsets, np.arange(d.num_tr_dets)) + 1
    first = np.full(d.num_tr_ids, np.iinfo(np.int64).max)
    last = np.zeros(d.num_tr_ids, np.int64)
    np.minimum.at(first, d.tr_idx, frame)
    np.maximum.at(last, d.tr_idx, frame)
    return pd.DataFrame({"tr_id": d.tr_ids, "first_frame": first, "last_frame": last,
                         "frames": np.bincount(d.tr_idx, minlength=d.num_tr_ids)})
