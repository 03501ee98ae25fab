"""Listing a trackers folder, shared by every layout (MOTChallenge-style, KITTI, BDD100K, TAO, ImageNet VID)."""
from __future__ import annotations

import os

from ..errors import InputError


def tracker_folders(trackers_folder: str | None, trackers, what: str) -> list[str]:
    """The trackers to read: ``trackers`` when given, else every sub-folder of ``trackers_folder`` (none
    without a folder); ``what`` names the files each sub-folder holds, for the error."""
    if trackers_folder is None:
        return []
    if not os.path.isdir(trackers_folder):
        raise InputError(trackers_folder, "trackers folder not found.",
                         "Pass --trackers-folder with a folder holding one sub-folder per tracker.")
    names = list(trackers) if trackers else sorted(
        d for d in os.listdir(trackers_folder) if os.path.isdir(os.path.join(trackers_folder, d)))
    if not names:
        raise InputError(trackers_folder, "no tracker folders found.",
                         f"Put each tracker's {what} in its own sub-folder (<tracker>/data/).")
    return names
