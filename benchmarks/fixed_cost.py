#!/usr/bin/env python
"""One fresh process doing what ``tracklens eval --json`` does, timed phase by phase (bench_eval.py
runs it and adds python start and exit from whole-process times).

    python benchmarks/fixed_cost.py GT_FOLDER TRACKERS_FOLDER BENCHMARK OUT_JSON [SEQMAP [TRACKER]]

Prints one JSON line: seconds for imports, read (layout + files), match (preprocessing, similarity and
the three matchings), metrics (fields and combining) and write (JSON file).
"""
from __future__ import annotations

import time

t0 = time.perf_counter()
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

from tracklens.dashboard import cli  # noqa: E402,F401  (what the program imports)
from tracklens.atomic import write_text  # noqa: E402
from tracklens.evaluate import COMBINED, combine, load_sequence  # noqa: E402
from tracklens.layout import resolve  # noqa: E402
from tracklens.metrics import clear, count, hota, identity  # noqa: E402
from tracklens.prepare import prepare  # noqa: E402
from tracklens.results import to_json  # noqa: E402

t_import = time.perf_counter()


def main() -> None:
    gt, trackers, benchmark, out = sys.argv[1:5]
    seqmap = sys.argv[5] if len(sys.argv) > 5 else None
    only = [sys.argv[6]] if len(sys.argv) > 6 else None
    phases = {"imports": t_import - t0, "read": 0.0, "match": 0.0, "metrics": 0.0, "write": 0.0}
    t = time.perf_counter()
    layout = resolve(os.path.abspath(gt), os.path.abspath(trackers), benchmark, "train", seqmap, only)
    loaded = [load_sequence(f) for f in layout.sequences]
    phases["read"] = time.perf_counter() - t
    metrics: dict = {tr: {} for tr in layout.trackers}
    for seq in loaded:
        for name, dets in seq.trackers.items():
            t = time.perf_counter()
            data = prepare(seq.files.name, seq.gt, dets, benchmark=layout.benchmark, preprocess=True)
            both = data.num_gt_dets and data.num_tr_dets  # else the fields need no matching
            hm, cm, im = (hota.match(data), clear.match(data, 0.5), identity.match(data, 0.5)) if both else (None,) * 3
            t1 = time.perf_counter()
            fields = {**hota.evaluate(data, hm)[0], **clear.evaluate(data, 0.5, cm)[0],
                      **identity.evaluate(data, 0.5, im)[0], **count.evaluate(data)}
            metrics[name][seq.files.name] = fields
            t2 = time.perf_counter()
            phases["match"] += t1 - t
            phases["metrics"] += t2 - t1
    t = time.perf_counter()
    for tr in metrics:
        metrics[tr][COMBINED] = combine(metrics[tr].values())
    phases["metrics"] += time.perf_counter() - t
    t = time.perf_counter()
    write_text(out, to_json(metrics))
    phases["write"] = time.perf_counter() - t
    print(json.dumps(phases), flush=True)


if __name__ == "__main__":
    main()
    os._exit(0)  # as the program ends: no teardown
