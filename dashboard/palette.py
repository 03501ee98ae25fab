"""Colours shared by the frame overlay and the plotly figures.

A tracker id gets the same colour on the video and on the timeline, so a person can follow one
track between views. Red, orange, magenta and white are kept out of the id palette: they mean
FN, FP, identity event and ground truth.
"""

from __future__ import annotations

RGB = tuple[int, int, int]

# Bright, saturated hues that stay visible on typical street footage and a projector, ordered so
# that consecutive ids (trackers usually number tracks 1, 2, 3, ...) look different.
ID_PALETTE: tuple[RGB, ...] = (
    (0, 190, 255),  # sky blue
    (80, 220, 60),  # green
    (255, 220, 0),  # yellow
    (150, 110, 255),  # violet
    (0, 225, 200),  # turquoise
    (190, 240, 70),  # lime
    (60, 120, 255),  # royal blue
    (0, 160, 100),  # emerald
    (200, 170, 255),  # lavender
    (225, 190, 90),  # sand
    (110, 255, 180),  # mint
    (0, 125, 175),  # steel blue
    (140, 190, 110),  # sage
    (120, 200, 255),  # light blue
    (190, 200, 0),  # olive yellow
    (105, 85, 220),  # indigo
    (0, 200, 140),  # jade
    (170, 220, 210),  # pale teal
)

GT_COLOR: RGB = (255, 255, 255)
FN_COLOR: RGB = (240, 40, 40)
FP_COLOR: RGB = (255, 140, 0)
EVENT_COLOR: RGB = (255, 0, 200)
UNMATCHED_COLOR: RGB = (255, 160, 160)
SHADOW_COLOR: RGB = (15, 15, 15)


def id_color(track_id: int) -> RGB:
    """Colour of a tracker id: stable across frames, runs and views (a pure function of the id)."""
    return ID_PALETTE[int(track_id) % len(ID_PALETTE)]


def to_hex(rgb: RGB) -> str:
    """``(r, g, b)`` as ``#rrggbb`` (plotly and HTML)."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)
