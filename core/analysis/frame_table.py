"""``FrameTable``: a frame-sorted table (boxes, events) that is either whole in memory or read from
Parquet a window of frames at a time.

An hour of 30 fps video with 50 people is ~10M box rows (about 1.5 GB as a DataFrame, seconds to
read). The frame inspector needs only the frames on screen, so a saved run opens its tables lazily:
the Parquet file is written in row groups of ``ROW_GROUP_ROWS`` rows, each row group's min/max frame
(from the file's statistics) says which groups a window needs, and the last few decoded groups are
kept. ``whole()`` still gives the full table to the consumers that need it (reports, exports)."""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import pandas as pd

ROW_GROUP_ROWS = 16_384  # ~160 frames of 100 boxes: a random frame decodes one group in a few ms
CACHED_GROUPS = 16


class FrameTable:
    """Rows sorted by their ``frame`` column; see the module doc."""

    def __init__(self, table: pd.DataFrame | None = None, path: str | None = None,
                 categories: dict[str, list[str]] | None = None):
        if (table is None) == (path is None):
            raise ValueError("give a table or a Parquet path")
        self._table = table
        self._path = path
        self._categories = categories or {}
        self._groups: OrderedDict[int, pd.DataFrame] = OrderedDict()
        self._lock = threading.Lock()  # a cached workspace is shared by every session's thread
        self._group_frames: np.ndarray | None = None  # (groups, 2) min/max frame, for a file

    def __getstate__(self) -> dict:  # analyses travel between worker processes: no lock, no caches
        return {"table": self._table, "path": self._path, "categories": self._categories}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["table"], state["path"], state["categories"])

    @classmethod
    def from_parquet(cls, path: str, categories: dict[str, list[str]] | None = None) -> "FrameTable":
        return cls(path=path, categories=categories)

    def save(self, path: str) -> None:
        self.whole().to_parquet(path, index=False, row_group_size=ROW_GROUP_ROWS)

    @property
    def categories(self) -> dict[str, list[str]]:
        """The categorical columns' full category lists."""
        return self._categories

    @property
    def loaded(self) -> bool:
        """Whether the whole table is in memory."""
        return self._table is not None

    def whole(self) -> pd.DataFrame:
        """The full table (read once, then kept)."""
        with self._lock:
            if self._table is None:
                self._table = restore_categories(self._file().read().to_pandas(), self._categories)
            return self._table

    def columns(self, names: list[str]) -> pd.DataFrame:
        """The full table's columns among ``names`` (those it has): from memory when loaded, else only
        they are read (not kept). What a whole-table consumer that needs a few columns reads."""
        if self._table is not None:
            return self._table[[c for c in names if c in self._table.columns]]
        present = set(self._file().schema_arrow.names)
        table = self._file().read(columns=[c for c in names if c in present])
        return restore_categories(table.to_pandas(), self._categories)

    def window(self, first: int, last: int) -> pd.DataFrame:
        """Rows of frames ``first``..``last`` (inclusive), reading only the row groups that hold them."""
        if self._table is not None:
            f = self._table["frame"].to_numpy()
            lo, hi = np.searchsorted(f, [first, last + 1])
            return self._table.iloc[lo:hi].reset_index(drop=True)
        with self._lock:
            bounds = self._bounds()
            wanted = np.flatnonzero((bounds[:, 1] >= first) & (bounds[:, 0] <= last))
            if wanted.size == 0:
                return restore_categories(self._file().schema_arrow.empty_table().to_pandas(), self._categories)
            parts = [self._group(int(g)) for g in wanted]
        part = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
        f = part["frame"].to_numpy()
        lo, hi = np.searchsorted(f, [first, last + 1])
        return part.iloc[lo:hi].reset_index(drop=True)

    # -- file access ----------------------------------------------------------------------------------------
    def _file(self):
        import pyarrow.parquet as pq

        return pq.ParquetFile(self._path)

    def _bounds(self) -> np.ndarray:
        if self._group_frames is None:
            meta = self._file().metadata
            col = meta.schema.to_arrow_schema().get_field_index("frame")
            bounds = np.zeros((meta.num_row_groups, 2), np.int64)
            for g in range(meta.num_row_groups):
                stats = meta.row_group(g).column(col).statistics
                if stats is None or not stats.has_min_max:  # written by another tool: every group may match
                    bounds[g] = (np.iinfo(np.int64).min, np.iinfo(np.int64).max)
                else:
                    bounds[g] = (stats.min, stats.max)
            self._group_frames = bounds
        return self._group_frames

    def _group(self, g: int) -> pd.DataFrame:
        if g in self._groups:
            self._groups.move_to_end(g)
            return self._groups[g]
        part = restore_categories(self._file().read_row_group(g).to_pandas(), self._categories)
        self._groups[g] = part
        if len(self._groups) > CACHED_GROUPS:
            self._groups.popitem(last=False)
        return part


def restore_categories(df: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """Categorical columns get their full category list back (Parquet keeps only those present)."""
    for column, cats in categories.items():
        if column not in df:
            continue
        if isinstance(df[column].dtype, pd.CategoricalDtype):
            df[column] = df[column].cat.set_categories(cats)
        else:
            df[column] = pd.Categorical(df[column].astype(object), categories=cats)
    return df
