"""A ``Workspace``: the results of one evaluation (metrics + per sequence x tracker analyses + where
the frames are), built from folders or loaded from a saved run directory.

Saved run layout (``tracklens eval ... --save RUN_DIR``), the same for every format::

    RUN_DIR/manifest.json                 versions, inputs (one ``RunInputs`` record), sequences
                                          (frames, size, video), trackers, classes
    RUN_DIR/metrics.json                  metrics[tracker][sequence | COMBINED_SEQ][field], or with classes
                                          metrics[tracker][class][sequence | COMBINED_SEQ][field]
    RUN_DIR/<tracker>/<sequence>/*.parquet + analysis.json   (SequenceAnalysis tables; without classes)
    RUN_DIR/classes/<class>/<tracker>/<sequence>/...         (the same tables, one folder per class)
    RUN_DIR/class_combined.json           combined[tracker][cls_comb_cls_av | ... | super-category] (classes)
    RUN_DIR/compared.json                 the Metrics compared tables (MOTChallenge without classes; ``compared``)

A run with classes is shown one class at a time: ``Workspace.for_class`` gives that class's view
(``metrics[tracker][sequence]`` and its tables), so every page, report and export reads one shape.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from . import saved_run
from .atomic import write_json
from .analysis.record import SequenceAnalysis
from .errors import InputError
from .evaluate import COMBINED, analyse_one, evaluate
from .formats.motchallenge import read_seqinfo
from .formats.mots import mask_size
from .jsonable import plain_tree
from .layout import Layout
from .run import Run, RunInputs, RunOptions, relocate, resolve_inputs

MANIFEST = "manifest.json"
CLASS_COMBINED = "class_combined.json"
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
    classes: list[str] = field(default_factory=list)  # the run's classes; empty without classes
    class_name: str | None = None  # the class this view shows
    class_metrics: dict[str, dict[str, dict[str, dict]]] = field(default_factory=dict)  # [class][tracker][seq]
    combined: dict[str, dict[str, dict]] = field(default_factory=dict)  # [tracker][class combination]
    _views: dict[str, "Workspace"] = field(default_factory=dict)
    compared: dict | None = None  # a saved run's Metrics compared tables (``compared.compute``), checked
    analyser: Callable[[str, str], SequenceAnalysis] | None = None  # ``Run.analyser`` of an evaluated run

    @property
    def inputs(self) -> RunInputs:
        """Where this run's data is (found again relative to a moved run directory)."""
        return RunInputs.from_manifest(self.manifest["inputs"], self.root)

    def for_class(self, name: str) -> "Workspace":
        """The view of one class of a run with classes (every page reads ``metrics[tracker][seq]``)."""
        if name == self.class_name:
            return self
        if name not in self.classes:
            raise KeyError(f"class {name!r} is not in this run ({', '.join(self.classes) or 'no classes'})")
        if name not in self._views:
            self._views[name] = replace(self, metrics=self.class_metrics[name], class_name=name, _analyses={})
        return self._views[name]

    def class_views(self) -> list["Workspace"]:
        """One view per class, or this workspace alone without classes."""
        return [self.for_class(c) for c in self.classes] or [self]

    def _tables(self, base: str, tracker: str, sequence: str) -> str:
        parts = ("classes", self.class_name) if self.class_name is not None else ()
        return os.path.join(base, *parts, tracker, sequence)

    def analysis(self, tracker: str, sequence: str) -> SequenceAnalysis:
        """The analysis tables of one sequence x tracker: read from disk on first use for a saved run,
        computed on first use (one evaluation pass of that sequence) for a run from folders."""
        key = (tracker, sequence)
        if key not in self._analyses:
            if self.root is not None:
                self._analyses[key] = _load_analysis(self.root, self._tables(self.root, tracker, sequence),
                                                     self.manifest.get("files"))
            elif self.layout is not None:
                self._analyses[key] = self._analyse(tracker, sequence)
            else:
                raise KeyError(f"no analysis for {tracker} / {sequence}")
        return self._analyses[key]

    def _analyse(self, tracker: str, sequence: str) -> SequenceAnalysis:
        if self.analyser is not None:  # scored by a protocol's own matching: its boxes, as its numbers
            return self.analyser(tracker, sequence)
        return analyse_one(self.layout, RunOptions.of(self.inputs, self.layout), tracker, sequence, self.class_name)

    def sequence(self, name: str) -> SequenceMeta:
        return next(s for s in self.sequences if s.name == name)

    @classmethod
    def from_folders(cls, gt_folder: str, trackers_folder: str, *, benchmark: str = "MOT17", split: str = "train",
                     seqmap: str | None = None, trackers: list[str] | None = None, video_folder: str | None = None,
                     preprocess: bool = True, threshold: float = 0.5, **kwargs) -> "Workspace":
        """A MOTChallenge workspace from folders (``from_inputs`` for every format)."""
        inputs = RunInputs(gt_folder, trackers_folder, "mot", benchmark, split, seqmap,
                           tuple(trackers) if trackers else None, None, video_folder, preprocess, threshold)
        return cls.from_inputs(inputs, **kwargs)

    @classmethod
    def from_inputs(cls, inputs: RunInputs, *, workers: int = 1, analyse_now: bool = True, dask: str | None = None,
                    metrics_cache: str | None = None,
                    progress: Callable[[int, int, str], None] | None = None) -> "Workspace":
        """Evaluate every tracker on every sequence (and class). With ``analyse_now`` the analysis tables
        come from the same pass (needed to save a run); without, only the metrics are computed now and each
        sequence x tracker is analysed when first asked for (what the dashboard wants: first chart fast).

        ``metrics_cache`` (a folder) keeps the metrics of inputs already evaluated, keyed by the files'
        paths, sizes and modification times and the options: reopening the same data skips the
        evaluation (only with ``analyse_now=False``)."""
        inputs = inputs.absolute()
        layout = resolve_inputs(inputs)
        inputs = replace(inputs, classes=layout.classes or None)
        record = inputs.to_manifest()
        cache_file = _cache_file(metrics_cache, layout, record) if metrics_cache and not analyse_now else None
        if cache_file and os.path.isfile(cache_file):
            try:
                with open(cache_file) as fp:
                    cached = json.load(fp)
                return cls._assemble(cached["manifest"], _from_json(cached["metrics"], layout.classes),
                                     _from_json(cached.get("combined") or {}), layout=layout)
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                pass  # a damaged cache entry is only a miss: evaluate again and rewrite it
        run = evaluate(layout, preprocess=inputs.preprocess, threshold=inputs.threshold, workers=workers,
                       analyse_matches=analyse_now, progress=progress, dask=dask, targets=inputs.targets or ())
        ws = cls.from_run(inputs, run)
        if cache_file:
            try:
                os.makedirs(os.path.dirname(cache_file), exist_ok=True)
                write_json(cache_file, {"manifest": ws.manifest, "metrics": plain_tree(run.metrics),
                                        "combined": plain_tree(run.combined)})
            except OSError:
                pass  # a read-only or full cache folder: the run is fine without it (the app says so once)
        return ws

    @classmethod
    def from_run(cls, inputs: RunInputs, run: Run) -> "Workspace":
        """The workspace of an evaluated ``run`` of ``inputs`` (its analyses, when kept, included)."""
        metas = _sequence_metas(run)
        manifest = _manifest(run.layout, metas, replace(inputs, classes=run.classes or None).to_manifest(), run.notes)
        ws = cls._assemble(manifest, run.metrics, run.combined, layout=run.layout)
        ws.analyser = run.analyser
        for tr, kept in (run.analyses or {}).items():
            for c, seqs in (kept.items() if run.classes else [(None, kept)]):
                (ws if c is None else ws.for_class(c))._analyses.update({(tr, s): an for s, an in seqs.items()})
        return ws

    @classmethod
    def _assemble(cls, manifest: dict, metrics: dict, combined: dict, *, root: str | None = None,
                  layout: Layout | None = None) -> "Workspace":
        """One workspace from a manifest and ``metrics`` in the run's shape (one level deeper with classes)."""
        classes = [str(c) for c in manifest.get("classes") or []]
        sequences = [SequenceMeta(**{k: s[k] for k in SequenceMeta.__dataclass_fields__}) for s in manifest["sequences"]]
        if not classes:
            return cls(manifest["trackers"], sequences, metrics, manifest, root=root, layout=layout)
        per_class = {c: {tr: by_class[c] for tr, by_class in metrics.items()} for c in classes}
        ws = cls(manifest["trackers"], sequences, per_class[classes[0]], manifest, root=root, layout=layout,
                 classes=classes, class_name=classes[0], class_metrics=per_class, combined=combined)
        ws._views[classes[0]] = ws  # the first class's view is the workspace itself
        return ws

    def save(self, run_dir: str, workers: int = 1, compared: bool = True) -> None:
        """Write the run (every sequence x tracker (x class) analysis, computing the missing ones, and,
        with ``compared``, the Metrics compared tables where they apply, ``workers`` sequences at a time)
        atomically: it replaces ``run_dir`` whole, manifest with checksums last (``saved_run.write_run``)."""
        from . import compared as tables_compared

        def fill(folder: str) -> None:
            for view in self.class_views():
                for tr in self.trackers:
                    for meta in self.sequences:
                        view.analysis(tr, meta.name).save(view._tables(folder, tr, meta.name))
            if self.classes:
                write_json(os.path.join(folder, CLASS_COMBINED), plain_tree(self.combined))
            if compared and tables_compared.applies(self.inputs):
                tables = self.compared or tables_compared.compute(self.inputs, self.trackers,
                                                                  [m.name for m in self.sequences], workers)
                write_json(tables_compared.saved_path(folder), tables)

        metrics = self.metrics if not self.classes else {
            tr: {c: self.class_metrics[c][tr] for c in self.classes} for tr in self.trackers}
        manifest = {k: v for k, v in self.manifest.items() if k != "files"}
        manifest["inputs"] = self.inputs.to_manifest(run_dir)
        saved_run.write_run(run_dir, fill, manifest, plain_tree(metrics))

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
        classes = tuple(str(c) for c in manifest.get("classes") or ())
        files = manifest.get("files")
        metrics_path = os.path.join(run_dir, saved_run.METRICS)
        if files is not None:
            saved_run.check_file(metrics_path, files.get(saved_run.METRICS))
        raw = saved_run.read_json(metrics_path, "metrics")
        combined_key = manifest.get("combined_key", COMBINED)
        if classes:
            saved_run.check_class_metrics(metrics_path, raw, manifest["trackers"], classes, names, combined_key)
        else:
            saved_run.check_metrics(metrics_path, raw, manifest["trackers"], names, combined_key)
        metrics = _from_json(raw, classes)
        combined = {}
        if classes:
            combined_path = os.path.join(run_dir, CLASS_COMBINED)
            if files is not None:
                saved_run.check_file(combined_path, files.get(CLASS_COMBINED))
            combined = _from_json(saved_run.check_combined(combined_path, saved_run.read_json(
                combined_path, "class combinations"), manifest["trackers"]))
        saved_at = (manifest.get("inputs") or {}).get("run_dir")
        moved = []
        for seq in manifest["sequences"]:  # footage recorded next to a run that has moved with it
            seq = dict(seq)
            for key in ("video", "image_dir"):
                seq[key] = relocate(seq.get(key), saved_at, os.path.abspath(run_dir))
            moved.append(seq)
        shown, notes = saved_run.confine_frames(moved, (run_dir, *frame_roots))
        manifest = {**manifest, "sequences": shown, "notes": [*(manifest.get("notes") or []), *notes]}
        ws = cls._assemble(manifest, metrics, combined, root=run_dir)
        ws.compared = _load_compared(run_dir, files, manifest["trackers"], names)
        return ws


def _load_compared(run_dir: str, files: dict | None, trackers: list[str], sequences: list[str]) -> dict | None:
    """The run's Metrics compared tables, checked; None when the run has none (saved before them, or
    not MOTChallenge without classes)."""
    from . import compared

    path = compared.saved_path(run_dir)
    if files is not None and compared.COMPARED not in files:
        return None
    if files is None and not os.path.lexists(path):
        return None
    saved_run.check_file(path, None if files is None else files[compared.COMPARED])
    return compared.check(path, saved_run.read_json(path, "metrics compared"), trackers, sequences)


def _load_analysis(root: str, folder: str, files: dict | None) -> SequenceAnalysis:
    """One saved analysis, its files checked first; a damaged one is an ``InputError``, not a traceback."""
    saved_run.check_files(root, folder, files)
    try:
        return SequenceAnalysis.load(folder)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow / json / pandas errors of a damaged folder
        raise InputError(folder, f"cannot read this saved analysis ({type(exc).__name__}: "
                         f"{' '.join(str(exc).split())[:160]}).", "Save the run again.") from None


def _from_json(raw: dict, classes: tuple[str, ...] = ()) -> dict:
    """Metrics read back from JSON: lists become the HOTA arrays again (one level deeper with classes)."""
    def fields(m: dict) -> dict:
        return {k: (np.asarray(v, float) if isinstance(v, list) else v) for k, v in m.items()}
    if classes:
        return {tr: {c: {s: fields(m) for s, m in seqs.items()} for c, seqs in by_class.items()}
                for tr, by_class in raw.items()}
    return {tr: {s: fields(m) for s, m in seqs.items()} for tr, seqs in raw.items()}


def _cache_file(folder: str, layout: Layout, inputs: dict) -> str:
    """Where the metrics of these exact inputs are cached: a hash of the options and of every input
    file's path, size and modification time (an edited file gives a new key)."""
    from . import __version__
    files = []
    for seq in layout.sequences:
        for path in (seq.gt, seq.seqinfo, *seq.trackers.values()):
            if path is None:  # KITTI and BDD100K have no seqinfo.ini
                continue
            st = os.stat(path)
            files.append((os.path.abspath(path), st.st_size, st.st_mtime_ns))
    key = json.dumps({"version": __version__, "format": FORMAT_VERSION, "inputs": inputs,
                      "trackers": list(layout.trackers), "files": files}, sort_keys=True)
    return os.path.join(folder, f"metrics-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json")


def _sequence_metas(run: Run) -> list[SequenceMeta]:
    """Frames, size and footage per sequence: from seqinfo.ini for MOTChallenge; KITTI and BDD100K
    give only the length (their boxes are drawn on a blank canvas), mask formats their masks' size."""
    out = []
    masks = run.layout.format in ("mots", "kitti_mots")
    for f in run.layout.sequences:
        if f.seqinfo is None and run.layout.format == "youtube_vis_masks":
            from .formats.youtube_vis_masks import vis_mask_size
            height, width = vis_mask_size(f.gt, f.name)
            out.append(SequenceMeta(f.name, run.num_frames[f.name], width, height, None, None, None))
            continue
        if f.seqinfo is None:
            height, width = mask_size(f.gt) if masks else (None, None)
            out.append(SequenceMeta(f.name, run.num_frames[f.name], width, height, None, None, None))
            continue
        info = read_seqinfo(f.seqinfo)
        if masks and not (info.width and info.height):
            info = replace(info, **dict(zip(("height", "width"), mask_size(f.gt))))
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
        "inputs": inputs, "trackers": list(layout.trackers), "classes": list(layout.classes),
        "sequences": [vars(m) for m in metas], "notes": notes, "combined_key": COMBINED,
    }
