"""Builders of the Breakdowns and Error patches pages (dashboard/breakdown_views.py)."""
from __future__ import annotations

import numpy as np

from tracklens.analysis.breakdown import breakdown_table, sequence_counts
from tracklens.analysis.causes import identity_causes
from tracklens.analysis.breakdown import box_bins
from tracklens.dashboard.breakdown_views import (
    breakdown_chart, chart_fields, crop_patch, filter_patches, patch_table, picked_bin,
)
from tracklens.dashboard.palette import EVENT_COLOR, FN_COLOR
from tracklens.evaluate import evaluate
from tracklens.layout import resolve


def sample_analysis(sample_dir):
    run = evaluate(resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15"), analyse_matches=True)
    return run.analyses["motmetrics_test"]["TUD-Campus"]


def test_chart_has_a_bar_per_field_and_bin_and_a_click_names_the_bin(sample_dir):
    an = sample_analysis(sample_dir)
    table = breakdown_table(sequence_counts(an.boxes))
    fig = breakdown_chart(table, "height", "t")
    assert [t.name for t in fig.data] == list(chart_fields("height")) == ["HOTA", "DetA", "AssA", "MOTA", "IDF1"]
    shown = table[(table["condition"] == "height") & (table["GT"] > 0)]
    assert list(fig.data[0].x) == list(shown["bin"])
    assert np.allclose(fig.data[0].y, shown["HOTA"] * 100)
    assert chart_fields("visibility") == ("DetRe", "AssA", "OWTA", "CLR_Re", "IDR")
    event = {"selection": {"points": [{"x": "100–200", "y": 38.1, "curve_number": 0, "point_index": 0}]}}
    assert picked_bin(event, "height") == 2
    assert picked_bin({"selection": {"points": []}}, "height") is None and picked_bin(None, "height") is None


def test_patch_table_has_every_fn_fp_and_switch(sample_dir):
    an = sample_analysis(sample_dir)
    binned = box_bins(an.boxes)
    causes = identity_causes(an.boxes, an.identity_events, an.fn_bursts, 9)
    patches = patch_table(binned, causes, 9, "TUD-Campus")
    frames = an.frames
    assert (patches["state"] == "FN").sum() == (frames["gt"] - frames["tp_9"]).sum()
    assert (patches["state"] == "FP").sum() == (frames["tr"] - frames["tp_9"]).sum()
    assert (patches["state"] == "switch").sum() == an.metrics["IDSW"] == 7
    switches = patches[patches["state"] == "switch"]
    assert (switches["causes"] != "").all()  # every switch on the sample has some evidence
    only = filter_patches(patches, ["switch"], ["after_gap"], [], [])
    assert len(only) == int(((causes["kind"] == "switch") & causes["after_gap"]).sum())
    assert len(filter_patches(patches, [], [], [], [])) == len(patches)
    fp = filter_patches(patches, ["FP"], [], [], [])
    assert set(fp["visibility"]) == {"tracker box (no value)"}


def test_crop_fits_the_tile_and_outlines_the_box():
    frame = np.zeros((100, 200, 3), np.uint8)
    frame[40:60, 90:110] = 255
    tile = crop_patch(frame, (90, 40, 20, 20), "FN", size=(60, 80))
    assert tile.shape == (80, 60, 3)
    assert (tile == FN_COLOR).all(axis=2).any()
    assert (tile == 255).all(axis=2).any()  # the box's pixels are in the crop
    edge = crop_patch(frame, (190, 90, 30, 30), "switch", size=(60, 80))  # partly outside the frame
    assert edge.shape == (80, 60, 3) and (edge == EVENT_COLOR).all(axis=2).any()
