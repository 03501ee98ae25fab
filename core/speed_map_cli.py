"""``tracklens speed-map``: ImageNet VID mAP by object speed (FGFA's slow / medium / fast), in
tracklens' definition or, with ``--fgfa``, reproducing FGFA's ``vid_eval_motion`` (its +1-pixel
IoU, small-object thresholds, tie and bin rules; docs/detection_metrics.md §3)."""
from __future__ import annotations

import json
import math

from .atomic import check_output_file, write_text
from .errors import printable

BINS = ("all", "slow", "medium", "fast")


def add_speed_map_command(sub) -> None:
    p = sub.add_parser("speed-map", help="ImageNet VID mAP50 by object speed (FGFA's slow / medium / fast motion "
                                         "IoU bins); --fgfa reproduces FGFA's own evaluation code")
    p.add_argument("--gt-folder", required=True,
                   help="ILSVRC2015 Annotations/VID/<split> folder (one sub-folder of <frame>.xml per snippet)")
    p.add_argument("--trackers-folder", required=True,
                   help="one sub-folder per detector or tracker of <snippet>.txt files (frame, id, x, y, w, h, "
                        "score, class 1..30; ids may be -1); layout as for eval --format imagenet_vid")
    p.add_argument("--trackers", nargs="+", help="only these (default: every sub-folder)")
    p.add_argument("--fgfa", action="store_true",
                   help="FGFA's vid_eval_motion exactly: +1-pixel IoU on the XML corners, IoU threshold "
                        "min(0.5, wh/((w+10)(h+10))) per object, first object on equal IoUs, closed bin edges "
                        "and its false-positive shares (default: tracklens' definition, pycocotools' matching)")
    p.add_argument("--json", metavar="FILE", help="write mAP, per-class AP and ground-truth counts per bin here")


def run_speed_map(args) -> int:
    if args.json:
        check_output_file(args.json, "--json")
    from .formats.imagenet_vid import CLASSES, read_vid_snippet
    from .formats.motchallenge import read_mot_file
    from .formats.vid_dataset import require_class_column, resolve_vid
    from .metrics.detection import speed_map

    layout = resolve_vid(args.gt_folder, args.trackers_folder, trackers=args.trackers, classes=["all"])
    gt, pred = {}, {t: {} for t in layout.trackers}
    for seq in layout.sequences:
        gt[seq.name] = read_vid_snippet(seq.gt)
        for t, path in seq.trackers.items():
            pred[t][seq.name] = read_mot_file(path, gt[seq.name].num_frames, is_gt=False, ids_optional=True)
            require_class_column(path)
    mode = "FGFA's vid_eval_motion (--fgfa)" if args.fgfa else "tracklens' definition"
    print(f"speed-stratified mAP50 (VOC all-point), {mode}; {len(layout.sequences)} snippets")
    print(f"{'tracker':<24}" + "".join(f"{b:>10}" for b in BINS))
    out = {}
    for t in layout.trackers:
        r = speed_map(gt, pred[t], fgfa_compat=args.fgfa)
        print(f"{printable(t)[:24]:<24}" + "".join(f"{r.map[b]:>10.4f}" for b in BINS))
        out[t] = {"fgfa_compat": args.fgfa, "map": {b: _number(r.map[b]) for b in BINS},
                  "per_class": {b: {CLASSES[c - 1]: _number(v) for c, v in r.per_class[b].items()} for b in BINS},
                  "num_gt": r.num_gt, "num_gt_without_motion": r.num_gt_without_motion}
    print("ground truth per bin: " + ", ".join(f"{b} {r.num_gt[b]}" for b in BINS)
          + f", without motion IoU (in no speed bin) {r.num_gt_without_motion}")
    if args.json:
        write_text(args.json, json.dumps(out, indent=1, allow_nan=False) + "\n")
    return 0


def _number(v: float) -> float | None:
    """JSON has no NaN: a bin without ground truth is null."""
    return None if math.isnan(v) else float(v)
