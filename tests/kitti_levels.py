"""KITTI ground truth with occlusion and truncation levels that change along each track, for the
breakdowns by KITTI occlusion / truncation (docs/breakdowns.md). Every level written is one TrackEval's
preprocessing evaluates (occlusion 0-2, truncation below 1), so the metrics stay those of the files
without levels."""
from __future__ import annotations

from pathlib import Path

TRUNCATIONS = ("0", "0.1", "0.25", "0.4", "0.7")


def level_cells(frame: int, tid: int) -> tuple[str, str]:
    """(truncated, occluded) written for object ``tid`` at 0-based ``frame``."""
    return TRUNCATIONS[(frame // 5 + tid) % len(TRUNCATIONS)], str((frame // 6 + tid) % 3)


def write_levels(gt_folder: Path) -> None:
    """Rewrite columns 4-5 of every ground-truth row of ``gt_folder/label_02`` (DontCare rows kept)."""
    for path in sorted((gt_folder / "label_02").glob("*.txt")):
        rows = []
        for line in path.read_text().splitlines():
            cells = line.split()
            if cells[2].lower() != "dontcare":
                cells[3], cells[4] = level_cells(int(cells[0]), int(cells[1]))
            rows.append(" ".join(cells) + "\n")
        path.write_text("".join(rows))
