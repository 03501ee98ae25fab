"""``SequenceAnalysis``: everything the dashboard and reports need about one sequence x tracker,
as plain tables that save to Parquet and load back without recomputing.

The two big tables (boxes and events: one row per box) are ``FrameTable``s: a saved run reads them a
window of frames at a time, so an hour-long sequence opens without loading ~10M rows. What the
dashboard needs over the whole sequence comes from small tables derived with them (``DERIVED``)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..assignment import frame_of_rows
from ..detections import Detections
from ..jsonable import plain
from ..sequence_eval import SequenceEvaluation
from .boxes import box_table
from .events import BOX_EVENTS, EVENT_TYPES, clear_match_table, event_table
from .frame_table import FrameTable, restore_categories
from .timeline import IDENTITY_EVENTS, fn_bursts, frame_counts
from .tracks import pair_frame

TABLES = ("boxes", "events", "pairs", "gt_tracks", "tr_tracks", "frames", "identity_events", "fn_bursts")
FRAME_TABLES = ("boxes", "events")  # frame-sorted, one row per box: read by window
COVERAGE = ["MT", "PT", "ML"]
# Categorical columns keep their full category list through Parquet (lost when a table is empty).
CATEGORIES = {("boxes", "side"): ["gt", "tr"], ("boxes", "event"): BOX_EVENTS, ("events", "type"): list(EVENT_TYPES),
              ("identity_events", "type"): list(EVENT_TYPES), ("gt_tracks", "coverage"): COVERAGE}


def _categories(table: str) -> dict[str, list[str]]:
    return {column: cats for (t, column), cats in CATEGORIES.items() if t == table}


@dataclass
class SequenceAnalysis:
    """Tables of one sequence x tracker (see ``analyse``) and its TrackEval metric dict.

    Derived from boxes and events (``DERIVED``): ``frames``, one row per frame with box counts, TPs at
    each alpha and switches; ``identity_events``, the events rows of IDENTITY_EVENTS types; ``fn_bursts``,
    where ground-truth tracks start being missed for a while, at every alpha (``timeline``)."""

    sequence: str
    tracker: str
    num_frames: int
    metrics: dict
    stored_boxes: FrameTable
    stored_events: FrameTable
    pairs: pd.DataFrame
    gt_tracks: pd.DataFrame
    tr_tracks: pd.DataFrame
    frames: pd.DataFrame
    identity_events: pd.DataFrame
    fn_bursts: pd.DataFrame
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # answers derived from the tables

    @property
    def boxes(self) -> pd.DataFrame:
        """Every box (the whole table: read on first use for a saved run)."""
        return self.stored_boxes.whole()

    @property
    def events(self) -> pd.DataFrame:
        """Every event (the whole table: read on first use for a saved run)."""
        return self.stored_events.whole()

    def frame_boxes(self, frame: int) -> pd.DataFrame:
        """Boxes of one frame."""
        return self.stored_boxes.window(frame, frame)

    def box_window(self, first: int, last: int) -> pd.DataFrame:
        """Boxes of frames ``first``..``last`` (inclusive)."""
        return self.stored_boxes.window(first, last)

    def frame_identity_events(self, frame: int) -> pd.DataFrame:
        """The identity events of one frame."""
        return self.identity_event_window(frame, frame)

    def identity_event_window(self, first: int, last: int) -> pd.DataFrame:
        """The identity events of frames ``first``..``last`` (inclusive)."""
        f = self.identity_events["frame"].to_numpy()
        lo, hi = np.searchsorted(f, [first, last + 1])
        return self.identity_events.iloc[lo:hi]

    def save(self, folder: str) -> None:
        os.makedirs(folder, exist_ok=True)
        for name in TABLES:
            path = os.path.join(folder, f"{name}.parquet")
            if name in FRAME_TABLES:
                getattr(self, f"stored_{name}").save(path)
            else:
                getattr(self, name).to_parquet(path, index=False)
        meta = {"sequence": self.sequence, "tracker": self.tracker, "num_frames": self.num_frames,
                "metrics": {k: plain(v) for k, v in self.metrics.items()}}
        with open(os.path.join(folder, "analysis.json"), "w") as fp:
            json.dump(meta, fp)

    @classmethod
    def load(cls, folder: str) -> "SequenceAnalysis":
        """Open a saved analysis: the small tables are read now, boxes and events on demand."""
        with open(os.path.join(folder, "analysis.json")) as fp:
            meta = json.load(fp)
        metrics = {k: (np.asarray(v, float) if isinstance(v, list) else v) for k, v in meta["metrics"].items()}
        stored = {f"stored_{name}": FrameTable.from_parquet(os.path.join(folder, f"{name}.parquet"), _categories(name))
                  for name in FRAME_TABLES}
        small = {}
        for name in TABLES:
            path = os.path.join(folder, f"{name}.parquet")
            if name in FRAME_TABLES or (name in DERIVED and not os.path.isfile(path)):
                continue
            small[name] = restore_categories(pd.read_parquet(path), _categories(name))
        missing = [name for name in DERIVED if name not in small]
        if missing:  # saved by an older version: derive them once from the whole tables
            boxes, events = stored["stored_boxes"].whole(), stored["stored_events"].whole()
            for name in missing:
                small[name] = DERIVED[name](boxes, events, meta["num_frames"])
        return cls(meta["sequence"], meta["tracker"], meta["num_frames"], metrics, **stored, **small)


def analyse(ev: SequenceEvaluation, gt: Detections, tr: Detections, tracker: str,
            gt_extras: dict[str, np.ndarray] | None = None,
            masks: tuple[list[dict], list[dict]] | None = None) -> SequenceAnalysis:
    """Build all tables from one evaluation pass (the same matches the metrics came from). ``gt_extras``:
    KITTI's per-row columns of ``gt`` (``BoxFile.extras``), carried into the box table; ``masks``: the
    RLEs of a mask format (``box_table``)."""
    d = ev.data
    matches = clear_match_table(ev)
    boxes, events = box_table(ev, gt, tr, matches, gt_extras, masks), event_table(ev, matches)
    return SequenceAnalysis(
        sequence=d.name, tracker=tracker, num_frames=d.num_frames, metrics=ev.metrics(),
        stored_boxes=FrameTable(boxes, categories=_categories("boxes")),
        stored_events=FrameTable(events, categories=_categories("events")), pairs=pair_frame(ev),
        gt_tracks=_gt_track_facts(ev), tr_tracks=_tr_track_facts(ev),
        **{name: derive(boxes, events, d.num_frames) for name, derive in DERIVED.items()},
    )


def _identity_events(events: pd.DataFrame) -> pd.DataFrame:
    return events[events["type"].isin(IDENTITY_EVENTS).to_numpy()].reset_index(drop=True)


# Small tables derived from (boxes, events, num_frames): what the dashboard reads over a whole sequence.
DERIVED = {
    "frames": frame_counts,
    "identity_events": lambda boxes, events, n: _identity_events(events),
    "fn_bursts": lambda boxes, events, n: fn_bursts(boxes),
}


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
