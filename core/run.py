"""The one run type of every format (MOTChallenge family, KITTI, BDD100K, ``--classes``) and the one
record of where a run's inputs are.

``RunInputs`` is what a user asked to evaluate; it is stored once, in a saved run's manifest, with
every path both as given (absolute) and relative to the run directory, so a run moved together with
its data still finds it. ``resolve_inputs`` is the only place that turns it back into a ``Layout``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Callable

from .errors import InputError
from .layout import Layout

if TYPE_CHECKING:  # the analysis (and pandas) load only for runs that keep their matches
    from .analysis.record import SequenceAnalysis

FORMATS = ("mot", "kitti", "bdd100k", "mots", "kitti_mots", "tao", "youtube_vis", "imagenet_vid",
           "youtube_vis_masks")
PATH_FIELDS = ("gt_folder", "trackers_folder", "seqmap", "video_folder")


@dataclass(frozen=True)
class RunInputs:
    """The data and options of one evaluation. ``classes`` is None for the MOTChallenge
    single-class evaluation; after resolving it lists the classes evaluated."""

    gt_folder: str
    trackers_folder: str
    format: str = "mot"
    benchmark: str = "MOT17"
    split: str = "train"
    seqmap: str | None = None
    trackers: tuple[str, ...] | None = None
    classes: tuple[str, ...] | None = None
    video_folder: str | None = None
    preprocess: bool = True
    threshold: float = 0.5
    fixes: tuple[str, ...] = ()  # explicit --fix corrections of tracker rows (check/fixes.py), never implied
    link: str | None = None  # --link: ids linked by tracklens (core/linker.py), never the files' own
    targets: tuple[int, ...] | None = None  # ground-truth classes evaluated (protocol classes=…); None: pedestrian
    protocol: str | None = None  # the --protocol scored under (core/protocols.py); None: TrackEval's default rules

    def absolute(self) -> "RunInputs":
        return replace(self, **{k: os.path.abspath(getattr(self, k)) for k in PATH_FIELDS if getattr(self, k)})

    def to_manifest(self, run_dir: str | None = None) -> dict:
        """The manifest's ``inputs`` record: absolute paths, plus (when saved to ``run_dir``) the
        same paths relative to it and where the run was saved."""
        out = {f.name: getattr(self.absolute(), f.name) for f in fields(self)}
        for key in ("trackers", "classes", "targets"):
            out[key] = list(out[key]) if out[key] is not None else None
        out["fixes"] = list(self.fixes)
        if run_dir is not None:
            base = os.path.abspath(run_dir)
            out["run_dir"] = base
            out["relative"] = {k: os.path.relpath(out[k], base) for k in PATH_FIELDS if out[k]}
        return out

    @classmethod
    def from_manifest(cls, record: dict, run_dir: str | None = None) -> "RunInputs":
        """The inputs of a saved run now at ``run_dir``: each path relative to the run where that
        exists (run and data moved together), else as first given. Older manifests lack
        format/trackers/classes and read as MOTChallenge; those without ``protocol`` as TrackEval's rules."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in record.items() if k in known}
        for key in ("trackers", "classes"):
            if values.get(key) is not None:
                values[key] = tuple(str(v) for v in values[key])
        values["fixes"] = tuple(str(v) for v in values.get("fixes") or ())
        if values.get("targets") is not None:
            values["targets"] = _class_ids(values["targets"])
        if not isinstance(values.get("protocol"), (str, type(None))):
            raise InputError("manifest.json", "inputs.protocol must be a protocol name, not "
                             f"{repr(values['protocol'])[:60]}.",
                             "Save the run again with tracklens eval --save.")
        relative = record.get("relative") or {}
        for key in PATH_FIELDS:
            values[key] = locate(values.get(key), relative.get(key), run_dir)
        return cls(**values)


OWN_MATCHING = frozenset({"motmetrics"})  # protocols whose CLEAR matching is not TrackEval's (core/protocols.py)
TRACKEVAL_RULES = frozenset({"trackeval", "no-preproc", "mot20"})  # protocols whose options all are in RunInputs


def reevaluation_refused(inputs: RunInputs) -> str | None:
    """Why evaluating a run's files again with TrackEval's pipeline (what-if, score sweep, input check,
    Metrics compared) would not reproduce its saved numbers; None when it would. The options of
    ``trackeval``, ``no-preproc``, ``mot20`` and ``iou=T`` are in the inputs themselves; py-motmetrics'
    matching and other target classes (``classes=…``) are not honoured by those paths."""
    name = inputs.protocol
    if name in OWN_MATCHING:
        return (f"This run was scored under protocol {name} (py-motmetrics 1.4.0's loading and CLEAR matching); "
                "evaluating its files again here would use TrackEval's rules instead, so this is not computed for "
                "it (its saved numbers and boxes are shown on the other pages).")
    if name is not None and name not in TRACKEVAL_RULES and not name.startswith(("iou=", "classes=")):
        return (f"This run was scored under protocol {name!r}, which this version of tracklens does not know, "
                "so its files are not evaluated again here.")
    if inputs.targets:
        named = name or "classes=" + ",".join(map(str, inputs.targets))
        return (f"This run was scored under protocol {named} (ground-truth classes "
                f"{', '.join(map(str, inputs.targets))} as targets); evaluating its files again here would score "
                "pedestrians only, so this is not computed for it (its saved numbers and boxes are shown on the "
                "other pages).")
    return None


def locate(path: str | None, relative: str | None, run_dir: str | None) -> str | None:
    """``relative`` joined to ``run_dir`` when that exists, else ``path`` (which may be missing)."""
    if relative is not None and run_dir is not None:
        moved = os.path.normpath(os.path.join(run_dir, relative))
        if os.path.exists(moved):
            return moved
    return path


def relocate(path: str | None, saved_run_dir: str | None, run_dir: str | None) -> str | None:
    """A path recorded when the run was saved at ``saved_run_dir``, found again after the run moved to
    ``run_dir`` (same place relative to the run), else as recorded."""
    if not path or not saved_run_dir or not run_dir or os.path.exists(path):
        return path
    return locate(path, os.path.relpath(path, saved_run_dir), run_dir)


def missing_inputs(inputs: RunInputs) -> list[str]:
    """The recorded input folders and files that are not there."""
    return [p for p in (inputs.gt_folder, inputs.trackers_folder, inputs.seqmap)
            if p and not os.path.exists(p)]


def resolve_inputs(inputs: RunInputs, trackers: list[str] | None = None, *, saved: bool = False) -> Layout:
    """The ``Layout`` of ``inputs`` (optionally only ``trackers``): the one way back from a run's
    record to its files. Raises ``InputError`` naming what is missing; ``saved`` (the record of an
    evaluated run) says first which recorded inputs are gone."""
    missing = missing_inputs(inputs) if saved else []
    if missing:
        raise InputError(missing[0], f"an input of this run is missing ({len(missing)} of its recorded inputs: "
                         f"{', '.join(missing)}).",
                         "Put the data back there, or next to the run as it was when saved, and reopen.")
    chosen = list(trackers) if trackers else (list(inputs.trackers) if inputs.trackers else None)
    if inputs.link:
        from .linker import link_layout, unlinked_name
        if inputs.format not in ("mot", "imagenet_vid", "tao") or inputs.fixes:
            raise InputError("--link", "--link works with --format mot, imagenet_vid or tao, and without --fix.",
                             "Leave out --link, or --fix / --format.")
        unlinked = replace(inputs, link=None, trackers=tuple(unlinked_name(t) for t in inputs.trackers)
                           if inputs.trackers else None)
        return link_layout(resolve_inputs(unlinked, [unlinked_name(t) for t in chosen] if chosen else None),
                           inputs.link)
    if inputs.format == "mot":
        from .layout import classes_in, resolve

        layout = resolve(inputs.gt_folder, inputs.trackers_folder, inputs.benchmark, inputs.split, inputs.seqmap,
                         chosen, inputs.video_folder)
        if inputs.fixes:
            from .check.fixes import parse_fixes
            fixes = parse_fixes(inputs.fixes)
            layout = replace(layout, sequences=tuple(replace(f, fixes=fixes) for f in layout.sequences))
        if not inputs.classes:
            return layout
        wanted = classes_in(layout) if list(inputs.classes) == ["all"] else [_class_id(c) for c in inputs.classes]
        return replace(layout, classes=tuple(str(c) for c in wanted))
    if inputs.format not in FORMATS:
        raise InputError("--format", f"unknown format {inputs.format!r}.", f"Use one of {', '.join(FORMATS)}.")
    if inputs.fixes:
        raise InputError("--fix", f"--fix is not supported with --format {inputs.format}.",
                         "Leave out --fix (it works with --format mot).")
    from .formats.layouts import resolve_dataset

    return resolve_dataset(inputs.format, inputs.gt_folder, inputs.trackers_folder, split=inputs.split,
                           seqmap=inputs.seqmap, trackers=chosen,
                           classes=list(inputs.classes) if inputs.classes else None)


def _class_ids(values) -> tuple[int, ...]:
    """A manifest's ``targets``: a list of class ids."""
    if not isinstance(values, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise InputError("manifest.json", f"inputs.targets must be a list of class ids, not {repr(values)[:60]}.",
                         "Save the run again with tracklens eval --save.")
    return tuple(values)


def _class_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError("--classes", f"{text!r} is not a class id.", "Give integers (column 8) or 'all'.") from None


@dataclass(frozen=True)
class RunOptions:
    """How every sequence is evaluated (what a worker needs besides the sequence's files)."""

    format: str = "mot"
    classes: tuple[str, ...] = ()
    benchmark: str = "MOT17"
    preprocess: bool = True
    threshold: float = 0.5
    keep: bool = False  # also build each sequence x tracker x class SequenceAnalysis
    check: bool = False  # also run tracklens check's detectors on the loaded data (``SequenceResult.evidence``)
    targets: tuple[int, ...] = ()  # MOTChallenge ground-truth classes evaluated (protocol classes=…); (): pedestrian

    @classmethod
    def of(cls, inputs: RunInputs, layout: Layout) -> "RunOptions":
        """The options a run of ``inputs`` (resolved as ``layout``) was evaluated with, to evaluate it again."""
        return cls(layout.format, layout.classes, layout.benchmark, inputs.preprocess, inputs.threshold,
                   targets=inputs.targets or ())


@dataclass
class SequenceResult:
    """A worker's result for one sequence: ``metrics[tracker][class]`` (class None without classes),
    the analyses when asked for, the reader's notes and the sequence length."""

    name: str
    num_frames: int
    metrics: dict[str, dict[str | None, dict]]
    analyses: dict[tuple[str, str | None], SequenceAnalysis] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    evidence: list = field(default_factory=list)  # check's detectors (check/detect.py), with ``RunOptions.check``


@dataclass
class Run:
    """Results of evaluating trackers over sequences in any format.

    ``metrics[tracker][sequence | COMBINED_SEQ]`` without classes, ``metrics[tracker][class][sequence |
    COMBINED_SEQ]`` with; ``combined[tracker][cls_comb_cls_av | cls_comb_det_av | super-category]``
    (empty without classes, and for KITTI as in TrackEval); ``analyses`` in the shape of ``metrics``
    when the matches were kept."""

    layout: Layout
    options: RunOptions
    metrics: dict
    combined: dict[str, dict[str, dict]]
    analyses: dict | None
    notes: list[str]
    num_frames: dict[str, int]
    evidence: list = field(default_factory=list)  # what check's detectors saw, when asked (``RunOptions.check``)
    analyser: Callable[[str, str], SequenceAnalysis] | None = None  # (tracker, sequence) analysed again by the
    # rules this run was scored under, when not ``evaluate``'s (a protocol's own matching); None: ``analyse_one``

    @property
    def classes(self) -> tuple[str, ...]:
        return self.layout.classes

    @property
    def preprocess(self) -> bool:
        return self.options.preprocess

    @property
    def threshold(self) -> float:
        return self.options.threshold

    def class_metrics(self, cls: str | None) -> dict[str, dict[str, dict]]:
        """``[tracker][sequence | COMBINED_SEQ]`` of one class (None: the run without classes)."""
        if cls is None:
            return self.metrics
        return {tr: by_class[cls] for tr, by_class in self.metrics.items()}
