"""Every detector on one sequence: what ``tracklens check`` runs on files read leniently and what
``eval`` runs, cheaply, on the data it has already loaded, for its summary."""
from __future__ import annotations

import dataclasses

import numpy as np

from ..formats.motchallenge import read_seqinfo
from ..layout import SequenceFiles
from ..prepare import PEDESTRIAN
from ..run import RunOptions
from . import detect
from .detect import Evidence
from .fixes import apply_fixes
from .rows import Sample, overlap


def gt_kept(gt, opts: RunOptions) -> tuple[np.ndarray, str]:
    """The ground-truth rows the evaluation keeps (as ``prepare``), and the rule in words."""
    cls = np.where(np.isnan(gt.cls.astype(float)), -1, gt.cls)
    consider = np.trunc(gt.conf) != 0
    if opts.classes:
        return consider & np.isin(cls, [int(c) for c in opts.classes]), \
            f"the consider flag (column 7) and --classes {' '.join(opts.classes)} (column 8)"
    if opts.preprocess and opts.benchmark.upper() != "MOT15":
        return consider & (cls == PEDESTRIAN), "the consider flag (column 7) and the pedestrian class (column 8)"
    return consider, "the consider flag (column 7)"


def sequence_evidence(name: str, gt, trackers: dict, opts: RunOptions, length: int,
                      width: int | None = None, height: int | None = None,
                      max_offset: int = detect.MAX_OFFSET, frames: int = detect.SAMPLE_FRAMES,
                      validated: bool = False) -> list[Evidence]:
    """Every detector on one sequence: ``gt`` and each tracker as row tables (``Rows`` or
    ``Detections``; ``validated``: read by the strict reader, so no frame is outside the sequence and
    no id is duplicated). Geometric tests and the shift curve run on the tracker's frames inside the
    sequence, after any zero-based correction found; the curve on the geometrically corrected boxes."""
    out = [] if validated else detect.duplicate_ids(name, None, gt)
    keep, rule = gt_kept(gt, opts)
    out += detect.gt_filter(name, gt, keep, rule)
    kept = gt.take(keep)
    out += detect.gt_id_jumps(name, kept)
    sample = Sample.of(kept, length, frames)
    for tracker, tr in trackers.items():
        found = [] if validated else detect.frame_range(name, tracker, tr, length)
        out += found if validated else found + detect.duplicate_ids(name, tracker, tr)
        out += detect.tracker_class_filter(name, tracker, tr, opts.classes)
        out += detect.outside_image(name, tracker, tr, width, height)
        if any(e.kind == "zero-based" for e in found):
            tr = dataclasses.replace(tr, frame=tr.frame + 1)
        inside = (tr.frame >= 1) & (tr.frame <= length)
        if not inside.all():
            tr = tr.take(inside)
        geometry = []
        at_zero = overlap(kept, tr, sample)
        if detect.geometry_possible(at_zero):
            geometry = detect.corners(name, tracker, kept, tr, sample) or \
                detect.scale_translation(name, tracker, kept, tr, sample)
        if geometry:  # the shift curve is read on the corrected boxes
            tr = dataclasses.replace(tr, box=corrected_boxes(tr, geometry[0].fixes))
        out += geometry
        zero = None if geometry else at_zero.iou_sum
        out.append(Evidence("shift-curve", name, tracker, {}, curve=detect.shift_curve(kept, tr, sample, max_offset, zero)))
    return out


def corrected_boxes(rows, fixes) -> np.ndarray:
    """``rows``' boxes with geometric fixes applied (the same code as ``--fix``)."""
    n = len(rows)
    table = np.column_stack([rows.frame, rows.id, rows.box, np.ones(n), np.ones(n), np.arange(n)]).astype(float)
    return apply_fixes(table, fixes)[:, 2:6]


def loaded_evidence(files: SequenceFiles, gt, trackers: dict, opts: RunOptions, info=None) -> list[Evidence]:
    """``sequence_evidence`` on what ``eval`` loaded (validated ``Detections``), for its summary
    (``info``: the sequence's ``SequenceInfo`` when already read)."""
    info = read_seqinfo(files.seqinfo) if info is None else info
    return sequence_evidence(files.name, gt, trackers, opts, info.length, info.width, info.height,
                             detect.EVAL_MAX_OFFSET, detect.EVAL_SAMPLE_FRAMES, validated=True)
