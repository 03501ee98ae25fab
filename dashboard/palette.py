"""Colours shared by the frame overlay and the plotly figures.

A tracker id gets the same colour on the video and on the timeline, so a person can follow one
track between views. Crimson, amber, violet and white are kept out of the id palette: they mean
FN, FP, identity event and ground truth.
"""

from __future__ import annotations

RGB = tuple[int, int, int]

# Twelve id colours, blue to green, light enough for dark footage (CIELAB L* >= 50), chosen so that ids
# k, k+1 and k+2 stay apart (CIE76 ΔE >= 19.9) and every id colour stays away from the state colours
# (ΔE >= 26), for normal vision and simulated protanopia, deuteranopia and tritanopia (Machado et al.
# 2009); tests/dashboard/test_palette.py checks it. Ids are also written on the boxes: colour is a hint.
ID_PALETTE: tuple[RGB, ...] = (
    (84, 153, 143),  # slate teal
    (0, 255, 153),  # spring green
    (161, 140, 255),  # periwinkle
    (0, 172, 191),  # cyan
    (177, 255, 140),  # pale lime
    (105, 118, 191),  # dusty blue
    (92, 204, 230),  # sky
    (159, 230, 126),  # light green
    (84, 129, 153),  # steel
    (92, 230, 163),  # mint
    (140, 196, 255),  # light blue
    (128, 126, 230),  # lavender blue
)

# States: far apart in lightness and on the blue-yellow axis, which every colour-vision deficiency keeps
# (ΔE >= 46 between any two, under each simulation).
GT_COLOR: RGB = (255, 255, 255)
FN_COLOR: RGB = (220, 20, 60)  # crimson
FP_COLOR: RGB = (255, 170, 0)  # amber
EVENT_COLOR: RGB = (170, 0, 255)  # violet
UNMATCHED_COLOR: RGB = (150, 150, 150)  # grey: a tracker id matched to nobody (timelines)
SHADOW_COLOR: RGB = (15, 15, 15)
# The app's accent (widgets, score bars): slate blue, none of the state colours, so red keeps meaning "missed".
ACCENT_COLOR = "#3d5a80"


def id_color(track_id: int) -> RGB:
    """Colour of a tracker id: stable across frames, runs and views (a pure function of the id)."""
    return ID_PALETTE[int(track_id) % len(ID_PALETTE)]


def to_hex(rgb: RGB) -> str:
    """``(r, g, b)`` as ``#rrggbb`` (plotly and HTML)."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)
