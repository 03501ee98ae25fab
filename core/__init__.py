"""tracklens: TrackEval-exact tracking metrics (HOTA, CLEAR, Identity, Count) with the matches kept
for error analysis.

    import tracklens
    results = tracklens.evaluate("gt", "trackers", benchmark="MOT17")     # folders
    results = tracklens.evaluate_frames(gt_df, {"mine": tracker_df})      # DataFrames in MOT columns
    acc = tracklens.Accumulator(); acc.update(gt_ids, gt_boxes, ids, boxes); acc.compute()  # a training loop

Names are exported lazily, so ``import tracklens`` loads neither numpy, pandas nor scipy until one
is used.
"""
from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

__all__ = ["Accumulator", "COMBINED", "FIELDS", "Metrics", "Results", "assets", "combine", "detection_report",
           "evaluate", "evaluate_frames"]


def __getattr__(name: str):
    """The lazy exports."""
    if name == "Accumulator":
        from .accumulator import Accumulator
        return Accumulator
    if name in ("COMBINED", "Metrics", "Results", "combine", "evaluate_frames"):
        from .api import COMBINED, Metrics, Results, combine, evaluate_frames
        return {"COMBINED": COMBINED, "Metrics": Metrics, "Results": Results, "combine": combine,
                "evaluate_frames": evaluate_frames}[name]
    if name == "FIELDS":
        from .fields import FIELDS
        return FIELDS
    if name == "assets":  # the bundled sample (tracklens.assets.SAMPLE); a subpackage, loaded on first use
        return importlib.import_module("tracklens.assets")
    if name == "detection_report":
        from .metrics.detection import detection_report
        return detection_report
    raise AttributeError(f"module 'tracklens' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``tracklens.evaluate`` is the API function, although ``tracklens/evaluate.py`` (the pipeline)
    is also a submodule: importing a submodule sets it as the package's attribute, which would
    replace the function. This property keeps the function; the module stays reachable as always
    through ``from tracklens.evaluate import ...`` (and ``sys.modules``)."""

    @property
    def evaluate(self):
        from .api import evaluate
        return evaluate

    @evaluate.setter
    def evaluate(self, module) -> None:
        pass  # the import system recording the submodule; sys.modules keeps it


sys.modules[__name__].__class__ = _Package
