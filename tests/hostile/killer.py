"""Run the ``tracklens`` program and SIGKILL it at a chosen point of a write (the kill tests).

``python -m hostile.killer WHAT:N tracklens-args...`` kills the process at the N-th call of WHAT:
``fsync`` (a file or folder being flushed), ``replace`` (a temporary file renamed over its target),
``exchange`` (a run or export folder swapped in), ``rmtree`` (the old folder being deleted after the
swap) or ``save`` (an analysis folder being written). Nothing here is part of tracklens itself.
"""
from __future__ import annotations

import os
import shutil
import signal
import sys


def _kill_at(n: int, func):
    calls = [0]

    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return func(*args, **kwargs)
    return wrapper


def main(argv: list[str]) -> int:
    what, n = argv[0].split(":")
    from tracklens import atomic
    from tracklens.analysis.record import SequenceAnalysis
    from tracklens.dashboard import cli

    if what == "fsync":
        os.fsync = _kill_at(int(n), os.fsync)
    elif what == "replace":
        os.replace = _kill_at(int(n), os.replace)
    elif what == "exchange":
        atomic._exchange = _kill_at(int(n), atomic._exchange)
    elif what == "rmtree":
        shutil.rmtree = _kill_at(int(n), shutil.rmtree)
    elif what == "save":
        SequenceAnalysis.save = _kill_at(int(n), SequenceAnalysis.save)
    else:
        raise SystemExit(f"unknown kill point {what}")
    return cli.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
