"""A ``Workspace``: the results of one evaluation (metrics + per sequence x tracker analyses + where
the frames are), built from folders or loaded from a saved run directory.

Saved run layout (``tracklens eval ... --save RUN_DIR``)::

    RUN_DIR/manifest.json                 versions, inputs, sequences (frames, size, video), trackers
    RUN_DIR/metrics.json                  metrics[tracker][sequence | COMBINED_SEQ][field]
    RUN_DIR/<tracker>/<sequence>/*.parquet + analysis.json   (SequenceAnalysis tables)
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import saved_run
from .atomic import write_json
from .analysis.record import SequenceAnalysis, analyse
from .errors import InputError
from .evaluate import COMBINED, evaluate, load_sequence
from .formats.motchallenge import read_seqinfo
from .layout import Layout, SequenceFiles, resolve
from .prepare import prepare
from .sequence_eval import evaluate_sequence

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class SequenceMeta:
    """What the viewer needs to show a sequence's frames."""

    name: str
    num_frames: int
    width: int | None
    height: int | None
    fps: float | None
    video: str | None
    image_dir: str | None


@dataclass
class Workspace:
    trackers: list[str]
    sequences: list[SequenceMeta]
    metrics: dict[str, dict[str, dict]]
    manifest: dict
    root: str | None = None
    layout: Layout | None = None
    _analyses: dict[tuple[str, str], SequenceAnalysis] = field(default_factory=dict)

    def analysis(self, tracker: str, sequence: str) -> SequenceAnalysis:
        """The analysis tables of one sequence x tracker: read from disk on first use for a saved run,
        computed on first use (one evaluation pass of that sequence) for a run from folders."""
        key = (tracker, sequence)
        if key not in self._analyses:
            if self.root is not None:
                self._analyses[key] = _load_analysis(self.root, tracker, sequence, self.manifest.get("files"))
            elif self.layout is not None:
                self._analyses[key] = self._analyse(tracker, sequence)
            else:
                raise KeyError(f"no analysis for {tracker} / {sequence}")
        return self._analyses[key]

    def _analyse(self, tracker: str, sequence: str) -> SequenceAnalysis:
        files = next(f for f in self.layout.sequences if f.name == sequence)
        one = SequenceFiles(files.name, files.gt, files.seqinfo, {tracker: files.trackers[tracker]})
        inputs = load_sequence(one)
        tr = inputs.trackers[tracker]
        opts = self.manifest["inputs"]
        data = prepare(sequence, inputs.gt, tr, benchmark=self.layout.benchmark, preprocess=opts["preprocess"])
        return analyse(evaluate_sequence(data, opts["threshold"]), inputs.gt, tr, tracker)

    def sequence(self, name: str) -> SequenceMeta:
        return next(s for s in self.sequences if s.name == name)

    @classmethod
    def from_folders(cls, gt_folder: str, trackers_folder: str, *, benchmark: str = "MOT17", split: str = "train",
                     seqmap: str | None = None, trackers: list[str] | None = None, video_folder: str | None = None,
                     preprocess: bool = True, threshold: float = 0.5, workers: int = 1,
                     analyse_now: bool = True, dask: str | None = None, metrics_cache: str | None = None,
                     progress: Callable[[int, int, str], None] | None = None) -> "Workspace":
        """Evaluate every tracker on every sequence. With ``analyse_now`` the analysis tables come from
        the same pass (needed to save a run); without, only the metrics are computed now and each
        sequence x tracker is analysed when first asked for (what the dashboard wants: first chart fast).

        ``metrics_cache`` (a folder) keeps the metrics of inputs already evaluated, keyed by the files'
        paths, sizes and modification times and the options: reopening the same data skips the
        evaluation (only with ``analyse_now=False``)."""
        layout = resolve(gt_folder, trackers_folder, benchmark, split, seqmap, trackers, video_folder)
        inputs = {"gt_folder": os.path.abspath(gt_folder), "trackers_folder": os.path.abspath(trackers_folder),
                  "benchmark": benchmark, "split": split, "seqmap": seqmap, "video_folder": video_folder,
                  "preprocess": preprocess, "threshold": threshold}
        cache_file = _cache_file(metrics_cache, layout, inputs) if metrics_cache and not analyse_now else None
        if cache_file and os.path.isfile(cache_file):
            try:
                with open(cache_file) as fp:
                    cached = json.load(fp)
                return cls(list(layout.trackers), [SequenceMeta(**m) for m in cached["manifest"]["sequences"]],
                           _from_json(cached["metrics"]), cached["manifest"], layout=layout)
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                pass  # a damaged cache entry is only a miss: evaluate again and rewrite it
        run = evaluate(layout, preprocess=preprocess, threshold=threshold, workers=workers,
                       analyse_matches=analyse_now, progress=progress, dask=dask)
        metas = _sequence_metas(layout)
        ws = cls(list(layout.trackers), metas, run.metrics, _manifest(layout, metas, inputs, run.notes), layout=layout)
        if cache_file:
            try:
                os.makedirs(os.path.dirname(cache_file), exist_ok=True)
                write_json(cache_file, {"manifest": ws.manifest, "metrics": _jsonable(ws.metrics)})
            except OSError:
                pass  # a read-only or full cache folder: the run is fine without it (the app says so once)
        for tr, seqs in (run.analyses or {}).items():
            for s, an in seqs.items():
                ws._analyses[(tr, s)] = an
        return ws

    def save(self, run_dir: str) -> None:
        """Write the run (every sequence x tracker analysis, computing the missing ones) atomically:
        it replaces ``run_dir`` whole, manifest with checksums last (``saved_run.write_run``)."""
        def fill(folder: str) -> None:
            for tr in self.trackers:
                for meta in self.sequences:
                    self.analysis(tr, meta.name).save(os.path.join(folder, tr, meta.name))

        manifest = {k: v for k, v in self.manifest.items() if k != "files"}
        saved_run.write_run(run_dir, fill, manifest, _jsonable(self.metrics))

    @classmethod
    def load(cls, run_dir: str, frame_roots: tuple[str, ...] = ()) -> "Workspace":
        """Open a saved run after checking it (``saved_run``): its frames are shown only from inside
        the run or ``frame_roots``."""
        path = os.path.join(run_dir, MANIFEST)
        if not os.path.lexists(path):
            raise InputError(run_dir, "not a saved tracklens run (no manifest.json).",
                             "Create one with 'tracklens eval ... --save RUN_DIR'.")
        manifest = saved_run.check_manifest(path, saved_run.read_json(path, "manifest"), FORMAT_VERSION)
        names = [s["name"] for s in manifest["sequences"]]
        metrics_path = os.path.join(run_dir, saved_run.METRICS)
        if manifest.get("files") is not None:
            saved_run.check_file(metrics_path, manifest["files"].get(saved_run.METRICS))
        raw = saved_run.read_json(metrics_path, "metrics")
        metrics = _from_json(saved_run.check_metrics(metrics_path, raw, manifest["trackers"], names,
                                                     manifest.get("combined_key", COMBINED)))
        shown, notes = saved_run.confine_frames(manifest["sequences"], (run_dir, *frame_roots))
        manifest = {**manifest, "notes": [*(manifest.get("notes") or []), *notes]}
        sequences = [SequenceMeta(**{k: s[k] for k in SequenceMeta.__dataclass_fields__}) for s in shown]
        return cls(list(manifest["trackers"]), sequences, metrics, manifest, root=run_dir)


def _load_analysis(root: str, tracker: str, sequence: str, files: dict | None) -> SequenceAnalysis:
    """One saved analysis, its files checked first; a damaged one is an ``InputError``, not a traceback."""
    folder = os.path.join(root, tracker, sequence)
    saved_run.check_files(root, folder, files)
    try:
        return SequenceAnalysis.load(folder)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow / json / pandas errors of a damaged folder
        raise InputError(folder, f"cannot read this saved analysis ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())[:160]}).", "Save the run again.") from None


def _from_json(raw: dict) -> dict:
    """Metrics read back from JSON: lists become the HOTA arrays again."""
    return {tr: {s: {k: (np.asarray(v, float) if isinstance(v, list) else v) for k, v in m.items()}
                 for s, m in seqs.items()} for tr, seqs in raw.items()}


def _cache_file(folder: str, layout: Layout, inputs: dict) -> str:
    """Where the metrics of these exact inputs are cached: a hash of the options and of every input
    file's path, size and modification time (an edited file gives a new key)."""
    from . import __version__
    files = []
    for seq in layout.sequences:
        for path in (seq.gt, seq.seqinfo, *seq.trackers.values()):
            st = os.stat(path)
            files.append((os.path.abspath(path), st.st_size, st.st_mtime_ns))
    key = json.dumps({"version": __version__, "format": FORMAT_VERSION, "inputs": inputs,
                      "trackers": list(layout.trackers), "files": files}, sort_keys=True)
    return os.path.join(folder, f"metrics-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json")


def _sequence_metas(layout: Layout) -> list[SequenceMeta]:
    out = []
    for f in layout.sequences:
        info = read_seqinfo(f.seqinfo)
        out.append(SequenceMeta(f.name, info.length, info.width, info.height, info.fps,
                                os.path.abspath(f.video) if f.video else None,
                                os.path.abspath(f.image_dir) if f.image_dir else None))
    return out


def _manifest(layout: Layout, metas: list[SequenceMeta], inputs: dict, notes: list[str]) -> dict:
    import pandas
    import scipy

    from . import __version__
    return {
        "format": FORMAT_VERSION, "tracklens": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                     "pandas": pandas.__version__},
        "inputs": inputs, "trackers": list(layout.trackers),
        "sequences": [vars(m) for m in metas], "notes": notes, "combined_key": COMBINED,
    }


def _jsonable(metrics: dict) -> dict:
    def conv(v):
        if isinstance(v, np.ndarray):
            return v.tolist()
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, np.floating):
            return float(v)
        return v
    return {tr: {s: {k: conv(v) for k, v in m.items()} for s, m in seqs.items()} for tr, seqs in metrics.items()}
