"""The overlay's colours stay apart for normal vision and under simulated colour-vision deficiencies.

Simulation: Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear sRGB; distance: CIE76
ΔE (Euclidean distance in CIELAB, D65). Measured on this palette (minimum over the four visions):
between state colours (ground truth, FN, FP, identity event, unmatched) ΔE >= 46 with the unmatched grey
the nearest at about 30; between ids k, k+1 and k+2 ΔE >= 19.9; between any id colour and a state colour
ΔE >= 26. Before this palette: FN/FP fell to 24 under deuteranopia and ids 1 and 2 to 10 under protanopia.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from tracklens.dashboard.palette import (EVENT_COLOR, FN_COLOR, FP_COLOR, GT_COLOR, ID_PALETTE, UNMATCHED_COLOR,
                                         id_color)

MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
STATES = {"ground truth": GT_COLOR, "FN": FN_COLOR, "FP": FP_COLOR, "event": EVENT_COLOR}
MIN_STATE, MIN_UNMATCHED, MIN_NEIGHBOUR_IDS, MIN_ID_VS_STATE = 45.0, 25.0, 19.0, 25.0


def linear(rgb) -> np.ndarray:
    c = np.asarray(rgb, float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb, vision: str) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour as seen with ``vision``."""
    lin = np.clip(linear(rgb) @ MACHADO[vision].T, 0, 1)
    xyz = lin @ np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                          [0.0193339, 0.1191920, 0.9503041]]).T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b, vision: str) -> float:
    """CIE76 colour difference."""
    return float(np.linalg.norm(lab(a, vision) - lab(b, vision)))


def worst(pairs) -> tuple[float, str]:
    return min((delta_e(a, b, v), f"{na} / {nb} ({v})") for (na, a), (nb, b) in pairs for v in MACHADO)


def test_simulation_matches_known_values():
    # a pure red and green that protanopes and deuteranopes confuse; sRGB white stays white
    assert delta_e((255, 255, 255), (255, 255, 255), "deuteranopia") == 0
    assert delta_e((255, 0, 0), (0, 255, 0), "normal") > 150
    assert delta_e((200, 60, 60), (110, 110, 40), "deuteranopia") < delta_e((200, 60, 60), (110, 110, 40), "normal") / 3
    assert lab((255, 255, 255), "normal") == pytest.approx([100, 0, 0], abs=0.01)


def test_state_colours_stay_apart_under_every_vision():
    value, where = worst(itertools.combinations(STATES.items(), 2))
    assert value >= MIN_STATE, f"ΔE {value:.1f} between {where}"
    value, where = worst((("unmatched", UNMATCHED_COLOR), s) for s in STATES.items())
    assert value >= MIN_UNMATCHED, f"ΔE {value:.1f} between {where}"


def test_neighbouring_ids_stay_apart_under_every_vision():
    ids = range(2 * len(ID_PALETTE))
    value, where = worst(((f"id {i}", id_color(i)), (f"id {i + d}", id_color(i + d))) for i in ids for d in (1, 2))
    assert value >= MIN_NEIGHBOUR_IDS, f"ΔE {value:.1f} between {where}"


def test_id_colours_never_look_like_a_state():
    value, where = worst(((f"id {i}", c), s) for i, c in enumerate(ID_PALETTE) for s in STATES.items())
    assert value >= MIN_ID_VS_STATE, f"ΔE {value:.1f} between {where}"
