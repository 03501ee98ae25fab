"""numpy values as plain Python for JSON: the one converter every writer uses."""
from __future__ import annotations

import numpy as np


def plain(value):
    """A numpy scalar as its Python number (bool, int, float), an array as nested lists; anything
    else unchanged. Floats keep every bit (``json`` writes the shortest round-trip repr)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def plain_tree(tree: dict) -> dict:
    """Nested dicts (any depth) with every numpy leaf as its plain JSON value (``plain``)."""
    return {k: plain_tree(v) if isinstance(v, dict) else plain(v) for k, v in tree.items()}
