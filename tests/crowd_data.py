"""A generated crowd of many short ground-truth tracks (1,000 by default) in the plain MOTChallenge folder
layout, for the Tracks page at benchmark scale: every track on its own spot of a 1920x1080 frame, a
tracker that follows them with misses, identity switches, loose boxes and false positives."""
from __future__ import annotations

from pathlib import Path

import numpy as np

SEQUENCE, TRACKER = "crowd", "crowd_tracker"
COLUMNS, ROWS = 40, 25  # the frame is a grid of 1,000 spots of 48 x 43 px


def write_crowd(root: Path, tracks: int = 1000, frames: int = 400, life: int = 40, seed: int = 0) -> tuple[Path, Path]:
    """``root/gt/crowd`` (seqinfo.ini, gt/gt.txt) and ``root/trackers/crowd_tracker/crowd.txt``; returns the
    two folders to pass as ``--gt-folder`` / ``--trackers-folder``."""
    rng = np.random.default_rng(seed)
    gt_dir, tr_dir = root / "gt" / SEQUENCE, root / "trackers" / TRACKER
    (gt_dir / "gt").mkdir(parents=True)
    tr_dir.mkdir(parents=True)
    (gt_dir / "seqinfo.ini").write_text(f"[Sequence]\nname={SEQUENCE}\nseqLength={frames}\nimWidth=1920\n"
                                        "imHeight=1080\nframeRate=30\n")
    gt_lines, tr_lines = [], []
    next_tr = 10_000 + tracks
    for k in range(tracks):
        start = int(rng.integers(1, frames - life + 2))
        x0, y0 = 48.0 * (k % COLUMNS) + 4, 43.0 * (k // COLUMNS % ROWS) + 2
        own = 10_000 + k
        switch_at = start + int(rng.integers(5, life - 5)) if rng.random() < 0.3 else None
        loose = rng.random() < 0.05  # a tracker box far enough off to miss at every alpha above 0.3
        for f in range(start, start + life):
            x = x0 + 2 * np.sin(f / 7)
            gt_lines.append(f"{f},{k + 1},{x:.2f},{y0:.2f},38,38,1,1,1\n")
            if f == switch_at:
                own, next_tr = next_tr, next_tr + 1
            if rng.random() < 0.05:
                continue  # missed
            shift = 14.0 if loose else float(rng.normal(0, 1.0))
            tr_lines.append(f"{f},{own},{x + shift:.2f},{y0:.2f},38,38,0.9,-1,-1\n")
    for f in range(1, frames + 1):
        if rng.random() < 0.3:
            x, y = rng.random(2) * [1880, 1040]
            tr_lines.append(f"{f},{next_tr},{x:.2f},{y:.2f},38,38,0.4,-1,-1\n")
            next_tr += 1
    (gt_dir / "gt" / "gt.txt").write_text("".join(sorted(gt_lines, key=lambda s: int(s.split(",", 1)[0]))))
    (tr_dir / f"{SEQUENCE}.txt").write_text("".join(sorted(tr_lines, key=lambda s: int(s.split(",", 1)[0]))))
    return root / "gt", root / "trackers"
