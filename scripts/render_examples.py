"""Render the overlay on a real frame and every figure builder to PNG, to look at them.

    python scripts/render_examples.py [--out out/examples]

The overlay uses the bundled TUD-Campus video with its real ground truth and a made-up tracker
state per box. Figures use made-up scores; they are written only when kaleido is installed
(it is not a dependency of tracklens), otherwise that part is skipped with a message.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tracklens.dashboard import figures  # noqa: E402
from tracklens.dashboard.frames import open_frames  # noqa: E402
from tracklens.dashboard.track_chart import GT_SIDE, coverage_chart, with_selection  # noqa: E402
from tracklens.dashboard.overlay import annotate  # noqa: E402

SAMPLE = REPO / "assets" / "sample"
TRACKERS = ("MPNTrack", "BoTSORT", "MoTT")
ALPHAS = np.round(np.arange(0.05, 0.951, 0.05), 2)


def tud_campus_boxes(frame: int) -> pd.DataFrame:
    """Frame ``frame``'s real ground truth, with tracker boxes and states made up around it."""
    gt = pd.read_csv(SAMPLE / "gt" / "TUD-Campus" / "gt" / "gt.txt", header=None,
                     usecols=range(6), names=["frame", "id", "x", "y", "w", "h"])
    gt = gt[gt["frame"] == frame].reset_index(drop=True)
    rng = np.random.default_rng(7)
    rows = []
    for i, (gt_id, x, y, w, h) in enumerate(gt[["id", "x", "y", "w", "h"]].itertuples(index=False)):
        if i == 1:  # missed entirely
            rows.append(("gt", gt_id, x, y, w, h, "FN", -1, np.nan, "", False))
            continue
        if i == 3:  # a localisation miss: a tracker box that overlaps too little
            rows.append(("gt", gt_id, x, y, w, h, "FN", -1, 0.41, "", True))
            rows.append(("tr", 40, x + 0.35 * w, y + 0.2 * h, w, h, "FP", -1, 0.41, "", True))
            continue
        tr_id = 20 + i
        jitter = rng.normal(0, 0.04, 4) * np.array([w, h, w, h])
        iou = float(np.clip(0.93 - np.abs(jitter).sum() / (w + h), 0.5, 0.99))
        event = "SWITCH" if i == 2 else ""
        rows.append(("gt", gt_id, x, y, w, h, "TP", tr_id, iou, event, False))
        rows.append(("tr", tr_id, x + jitter[0], y + jitter[1], w + jitter[2], h + jitter[3],
                     "TP", gt_id, iou, "", False))
    rows.append(("tr", 41, 560.0, 260.0, 50.0, 120.0, "FP", -1, np.nan, "", False))
    columns = ["side", "id", "x", "y", "w", "h", "state", "partner", "iou", "event", "loc_miss"]
    return pd.DataFrame(rows, columns=columns)


def render_overlays(out: Path) -> list[Path]:
    frames = open_frames(video=SAMPLE / "videos" / "TUD-Campus.mp4", width=640, height=480,
                         num_frames=71)
    image, boxes = frames.frame(30), tud_campus_boxes(30)
    highlight = ("tr", int(boxes.loc[boxes["side"] == "tr", "id"].iloc[0]))
    written = []
    for name, kwargs in [("overlay_tud_campus", {"alpha": 0.5}),
                         ("overlay_tud_campus_highlight", {"highlight": highlight})]:
        path = out / f"{name}.png"
        cv2.imwrite(str(path), cv2.cvtColor(annotate(image, boxes, **kwargs), cv2.COLOR_RGB2BGR))
        written.append(path)
    return written


def example_tables() -> dict[str, pd.DataFrame]:
    """Made-up but plausible scores for three trackers and seven sequences."""
    strength = {"MPNTrack": (0.62, 0.55), "BoTSORT": (0.66, 0.50), "MoTT": (0.55, 0.60)}
    per_alpha = []
    for tracker, (det, ass) in strength.items():
        fall = np.clip(1.15 - ALPHAS ** 2.2 * 1.2, 0.02, 1)
        deta, assa = det * fall, ass * np.clip(fall * 1.05, 0, 1)
        per_alpha.append(pd.DataFrame({"tracker": tracker, "alpha": ALPHAS, "DetA": deta,
                                       "AssA": assa, "HOTA": np.sqrt(deta * assa),
                                       "LocA": 0.78 + 0.2 * ALPHAS}))
    per_alpha = pd.concat(per_alpha, ignore_index=True)
    summary = per_alpha.groupby("tracker", as_index=False)[["HOTA", "DetA", "AssA"]].mean()
    summary["DetRe"], summary["DetPr"] = summary["DetA"] + 0.1, summary["DetA"] + 0.2
    summary["AssRe"], summary["AssPr"] = summary["AssA"] + 0.08, summary["AssA"] + 0.15
    first = per_alpha[per_alpha["alpha"] == 0.05].set_index("tracker")
    summary["HOTA(0)"] = summary["tracker"].map(first["HOTA"])
    summary["LocA(0)"] = summary["tracker"].map(first["LocA"])
    sequences = ["MOT17-02", "MOT17-04", "MOT17-05", "MOT17-09", "MOT17-10", "MOT17-11", "MOT17-13"]
    rng = np.random.default_rng(3)
    per_seq = pd.DataFrame([(t, s, float(np.clip(0.25 + 0.06 * i + rng.normal(0, 0.04), 0, 1)))
                            for t in TRACKERS for i, s in enumerate(sequences)],
                           columns=["tracker", "sequence", "HOTA"])
    segments = pd.DataFrame([(1, 3, 1, 40), (1, 8, 41, 71), (2, 4, 1, 25), (2, -1, 26, 33),
                             (2, 4, 34, 71), (3, 5, 10, 60), (4, -1, 1, 12), (4, 6, 13, 71),
                             (5, 7, 1, 71)], columns=["gt_id", "tracker_id", "start", "end"])
    switches = pd.DataFrame({"frame": [41], "gt_id": [1]})
    gains = pd.DataFrame({"fix": ["localisation", "missed boxes", "false positives",
                                  "splits", "merges"],
                          "delta_HOTA": [0.021, 0.083, 0.034, 0.052, 0.018]})
    return {"per_alpha": per_alpha, "summary": summary, "per_seq": per_seq,
            "segments": segments, "switches": switches, "gains": gains}


def render_figures(out: Path) -> list[Path]:
    tables = example_tables()
    built = {
        "alpha_curves": figures.alpha_curves(tables["per_alpha"], alpha=0.5),
        "sequence_difficulty": figures.sequence_difficulty(tables["per_seq"]),
        "track_timeline": with_selection(coverage_chart(
            tables["segments"].rename(columns={"gt_id": "id", "tracker_id": "partner"}),
            tables["switches"].rename(columns={"gt_id": "id"}), [1, 2, 3, 4, 5], GT_SIDE, (1, 71)).to_dict(),
            [1, 2, 3, 4, 5], 30, 2),
        "whatif_waterfall": figures.whatif_waterfall(tables["gains"], 0.452, all_fixed=0.63),
    }
    for plot in figures.TRADEOFF_PLOTS:
        name = f"tradeoff_{plot.y}_vs_{plot.x}".replace("(", "").replace(")", "")
        built[name] = figures.tradeoff_scatter(tables["summary"], plot.x, plot.y, plot.contour)
    written = []
    for name, fig in built.items():
        path = out / f"{name}.png"
        fig.write_image(str(path), width=900, scale=1)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "out" / "examples")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    written = render_overlays(args.out)
    if importlib.util.find_spec("kaleido") is None:
        print("kaleido is not installed: skipping the figure PNGs")
    else:
        written += render_figures(args.out)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
