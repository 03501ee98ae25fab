"""Multi-class MOTChallenge data (``tracklens eval --classes``): every class id of column 8 on its
own (ids never linked across classes), combined over sequences per class, then over classes both
ways TrackEval does it (``cls_comb_cls_av``, ``cls_comb_det_av``; see ``evaluate.combine_classes``).
The evaluation itself is the one pipeline of ``evaluate.evaluate`` with ``Layout.classes`` set."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from .evaluate import CLASS_AVERAGED, DET_AVERAGED, combine_classes, evaluate
from .layout import Layout, classes_in
from .run import Run

__all__ = ["CLASS_AVERAGED", "DET_AVERAGED", "classes_in", "combine_classes", "evaluate_classes"]


def evaluate_classes(layout: Layout, classes: Sequence[int | str], *, threshold: float = 0.5, workers: int = 1,
                     ignore_empty: bool = False, progress: Callable[[int, int, str], None] | None = None) -> Run:
    """Evaluate each class (column 8) separately, without MOTChallenge preprocessing:
    ``run.metrics[tracker][str(class)][sequence | COMBINED_SEQ]`` and ``run.combined[tracker][...]``."""
    layout = replace(layout, classes=tuple(str(int(c)) for c in classes))
    return evaluate(layout, preprocess=False, threshold=threshold, workers=workers, progress=progress,
                    ignore_empty=ignore_empty)
