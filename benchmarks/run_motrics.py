#!/usr/bin/env python
"""Run motrics (Rust, PyPI ``motrics``) through its TrackEval-compatible layer and print JSON.

``motrics.compat.trackeval`` mirrors TrackEval's ``Evaluator`` + ``MotChallenge2DBox`` +
``HOTA``/``CLEAR``/``Identity``; its dataset class preprocesses like TrackEval
(``motrics.preprocess_motchallenge``: pedestrian class only, "do not consider" ground-truth rows
dropped, tracker boxes matched to distractor classes 2/7/8/12 (+6 on MOT20) removed).

Prints one JSON object, same layout as ``run_trackeval.py``: ``eval_s`` is timed from after the
imports to the results; ``combined`` holds COMBINED_SEQ's fields (HOTA arrays as their mean).
"""
from __future__ import annotations

import sys

import motrics
import motrics.compat.trackeval as te
from trackeval_api import main

if __name__ == "__main__":
    sys.exit(main(te, "motrics", motrics.__version__, __doc__.splitlines()[0]))
