"""Coverage-guided fuzzing of the readers with atheris (libFuzzer for Python).

The contract checked on every input: a reader either returns a valid canonical table or raises
``InputError`` naming the file (``path``), with a non-empty reason and fix, a line (when it gives
one) inside the file, and a one-line message. Any other exception, or a returned table that
breaks what the readers guarantee (frames inside the sequence and sorted, non-negative integer
ids, finite coordinates, aligned columns), is a crash: libFuzzer stops and writes the input to
``<artifact_prefix>crash-<sha1>``.

The first byte of an input picks the reader (``TARGETS``); the other bytes are the file, or, for
the ``*-structured`` targets, drive a generator of BDD100K JSON, probability JSON or Parquet files
(valid structure, odd values: byte mutations rarely produce those). Only the tracklens modules are
instrumented (not numpy/pandas), so coverage guides the search through our own parsing and
validation branches.

Usage (from the repository root)::

    python tests/fuzz/fuzz_readers.py --write-seeds CORPUS   # seed inputs (hostile corpus, sample data)
    python tests/fuzz/fuzz_readers.py CORPUS -dict=tests/fuzz/readers.dict -max_len=4096 -seed=1 -atheris_runs=20000
    python tests/fuzz/fuzz_readers.py CORPUS -dict=tests/fuzz/readers.dict -max_len=4096 -max_total_time=300
    python tests/fuzz/fuzz_readers.py crash-1234...          # replay one input

With ``TRACKLENS_FUZZ_TRIAGE=<folder>`` a run does not stop at the first failure: it keeps one
input per distinct failure in the folder (and a line for each in ``signatures.txt``).
tests/core/test_fuzz_atheris.py runs a bounded, seeded run of this in CI.
"""
from __future__ import annotations

import atexit
import hashlib
import io
import json
import math
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402  (not instrumented: only our code guides the search)
import pandas as pd  # noqa: E402

with atheris.instrument_imports(include=["tracklens"]):
    from tracklens.detections import Detections  # noqa: E402
    from tracklens.errors import InputError  # noqa: E402
    from tracklens.formats import bdd100k, kitti, motchallenge, probabilities  # noqa: E402

NUM_FRAMES = 20  # sequence length given to the readers that take one
MAX_FRAMES = motchallenge.MAX_FRAMES

# The tracker rows a probability side file is matched against (frames 1..3, ids 1 and 2).
_TRACKER_TEXT = "".join(f"{f},{i},{10 * i},10,20,40,0.9,1,-1,-1\n" for f in (1, 2, 3) for i in (1, 2)).encode()

TARGETS = ("mot-gt", "mot-tracker+probability-columns", "seqinfo", "mot-seqmap", "kitti-gt",
           "kitti-tracker-no-length", "kitti-seqmap", "bdd-gt", "bdd-tracker", "probs-json",
           "probs-parquet-structured", "probs-parquet-bytes", "bdd-structured", "probs-json-structured")
_SUFFIX = {"seqinfo": "seqinfo.ini", "mot-seqmap": "seqmap.txt", "kitti-seqmap": "evaluate_tracking.seqmap",
           "bdd-gt": "v.json", "bdd-tracker": "v.json", "probs-json": "s.probs.json",
           "probs-parquet-structured": "s.probs.parquet", "probs-parquet-bytes": "s.probs.parquet",
           "bdd-structured": "v.json", "probs-json-structured": "s.probs.json"}


def _scratch() -> Path:
    """Where the inputs are written as files: TRACKLENS_FUZZ_SCRATCH, else tracklens-fuzz-<pid> in RAM
    (/dev/shm) when there is one. libFuzzer ends -max_total_time runs with C exit(), past Python's
    atexit, so folders of processes that are gone are removed here."""
    if os.environ.get("TRACKLENS_FUZZ_SCRATCH"):
        return Path(os.environ["TRACKLENS_FUZZ_SCRATCH"])
    base = Path("/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir())
    for old in base.glob("tracklens-fuzz-*"):
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(old, ignore_errors=True)
    folder = base / f"tracklens-fuzz-{os.getpid()}"
    atexit.register(shutil.rmtree, folder, True)
    return folder


_SCRATCH = _scratch()
_SCRATCH.mkdir(parents=True, exist_ok=True)
_TRACKER: Detections | None = None


class ContractError(AssertionError):
    """A reader broke its contract (an exception other than InputError is reported as itself)."""


def check(ok: bool, what: str) -> None:
    if not ok:
        raise ContractError(what)


# ----------------------------------------------------------------------------------- the contract


def check_error(err: InputError, path: str, data: bytes, *, file_lines: bool = True) -> None:
    check(err.path == path, f"InputError names {err.path!r}, not the file {path!r}")
    check(bool(err.reason and err.reason.strip()), "InputError without a reason")
    check(bool(err.fix and err.fix.strip()), f"InputError without a fix: {err}")
    check("\n" not in str(err), f"InputError message spans lines: {str(err)!r}")
    if err.line is not None:
        check(isinstance(err.line, int) and err.line >= 1, f"InputError line {err.line!r} is not a 1-based line")
        if file_lines:
            last = data.count(b"\n") + data.count(b"\r") + 1
            check(err.line <= last, f"InputError line {err.line} is beyond the file's {last} line(s)")


def check_detections(d: Detections, data: bytes, *, num_frames: int | None, json_labels: bool = False) -> None:
    n = len(d)
    for name in ("frame", "id", "conf", "cls", "vis", "line"):
        check(getattr(d, name).shape == (n,), f"column {name} has shape {getattr(d, name).shape}, not ({n},)")
    check(d.box.shape == (n, 4), f"box has shape {d.box.shape}")
    check(d.frame.dtype == np.int64 and d.id.dtype == np.int64 and d.cls.dtype == np.int64, "frame/id/cls not int64")
    check(isinstance(d.num_frames, int) and 0 <= d.num_frames <= MAX_FRAMES,
          f"num_frames {d.num_frames!r} outside 0..{MAX_FRAMES}")
    if num_frames is not None:
        check(d.num_frames == num_frames, f"num_frames {d.num_frames} != {num_frames}")
    check(int(d.offsets[-1]) == n, "offsets do not cover the rows")
    if not n:
        return
    check(d.frame.min() >= 1 and d.frame.max() <= d.num_frames, "a frame outside 1..num_frames")
    check(bool((np.diff(d.frame) >= 0).all()), "rows not frame-sorted")
    check(d.id.min() >= 0, "a negative id")
    bad_box = ~np.isfinite(d.box).all(axis=1)
    check(not bad_box.any(), f"a non-finite box {d.box[bad_box][:1]} (line {d.line[bad_box][:1]})")
    check(not np.isnan(d.conf).any(), "a NaN confidence")
    check(d.line.min() >= 1, "a line number below 1")
    if not json_labels:
        check(d.line.max() <= data.count(b"\n") + data.count(b"\r") + 1, "a line number beyond the file")


def check_box_file(b: kitti.BoxFile, data: bytes, *, num_frames: int | None, is_gt: bool, json_labels=False) -> None:
    check_detections(b.dets, data, num_frames=num_frames, json_labels=json_labels)
    n = len(b.dets)
    check(b.corners.shape == (n, 4), f"corners have shape {b.corners.shape}")
    check(bool(np.isfinite(b.corners).all()), "non-finite corners")
    for name, col in b.extras.items():
        check(col.shape == (n,), f"extra {name} has shape {col.shape}")
    check((b.regions is not None) == is_gt, "ignore regions present for a tracker (or missing for ground truth)")
    if b.regions is not None:
        r = b.regions
        m = r.frame.shape[0]
        check(r.corners.shape == (m, 4) and r.line.shape == (m,), "regions columns not aligned")
        check(r.num_frames == b.dets.num_frames, "regions and boxes disagree on the sequence length")
        if m:
            check(r.frame.min() >= 1 and r.frame.max() <= r.num_frames, "a region outside 1..num_frames")
            check(bool((np.diff(r.frame) >= 0).all()), "regions not frame-sorted")
            check(bool(np.isfinite(r.corners).all()), "a non-finite region")


def check_probabilities(p: probabilities.ClassProbabilities, tr: Detections) -> None:
    check(p.probs.shape == (len(tr), p.classes.size), f"probabilities of shape {p.probs.shape}")
    check(p.classes.dtype == np.int64 and np.unique(p.classes).size == p.classes.size, "classes not unique ints")
    if p.probs.size:
        check(bool(np.isfinite(p.probs).all() and (p.probs >= 0).all()), "a probability not finite or negative")
        check(bool((np.abs(p.probs.sum(axis=1) - 1) <= probabilities.SUM_TOL).all()), "probabilities not summing to 1")


# ------------------------------------------------------------------------------------- the targets


def tracker() -> Detections:
    global _TRACKER
    if _TRACKER is None:
        path = _SCRATCH / "tracker.txt"
        path.write_bytes(_TRACKER_TEXT)
        _TRACKER = motchallenge.read_mot_file(str(path), 3, is_gt=False)
    return _TRACKER


def _structured_parquet(payload: bytes) -> bytes:
    """A Parquet file built from the payload: columns frame/id/class/prob (some missing), of
    int, float, text or bool type, holding ordinary and odd values."""
    fdp = atheris.FuzzedDataProvider(payload)
    n = fdp.ConsumeIntInRange(0, 8)
    odd = [math.nan, math.inf, -math.inf, 0.5, -1.0, 2.0**63, 1e300, -0.0]
    columns = {}
    for name in ("frame", "id", "class", "prob"):
        kind = fdp.ConsumeIntInRange(0, 5)
        if kind == 0:
            continue  # missing column
        if kind == 1:
            values = [fdp.ConsumeIntInRange(-3, 5) for _ in range(n)]
        elif kind == 2:
            values = [fdp.ConsumeInt(8) for _ in range(n)]
        elif kind == 3:
            values = [odd[fdp.ConsumeIntInRange(0, len(odd) - 1)] if fdp.ConsumeBool()
                      else fdp.ConsumeIntInRange(0, 4) / 4 for _ in range(n)]
        elif kind == 4:
            values = [fdp.ConsumeUnicodeNoSurrogates(4) for _ in range(n)]
        else:
            values = [fdp.ConsumeBool() for _ in range(n)]
        columns[name] = pd.Series(values, dtype=object if kind == 4 else None)
    buf = io.BytesIO()
    pd.DataFrame(columns, index=range(n)).to_parquet(buf)
    return buf.getvalue()


# JSON values that readers of numbers, ids and names trip over (byte mutations rarely make them).
_ODD = [0, 1, -1, 3, 0.5, -0.0, 1.5, 2**53 + 1, 2**63, 10**30, 10**400, math.nan, math.inf, -math.inf, 1e308,
        -1e308, 1e9, "1", "17", " 3 ", "a7", "", "car", "pedestrian", "trailer", None, True, False, [], {}, [1],
        {"a": 1}, ["car"]]


class _Json:
    """JSON documents built from the payload: the format's structure, with ordinary values and, now and
    then, an odd one (``_ODD``), a missing key, or deep nesting."""

    def __init__(self, payload: bytes):
        self.fdp = atheris.FuzzedDataProvider(payload)

    def pick(self, choices):
        return choices[self.fdp.ConsumeIntInRange(0, len(choices) - 1)]

    def value(self, ordinary):
        return self.pick(_ODD) if self.fdp.ConsumeIntInRange(0, 5) == 0 else ordinary

    def obj(self, fields: dict) -> dict:
        return {k: self.value(v) for k, v in fields.items() if self.fdp.ConsumeIntInRange(0, 15)}  # 1/16 missing

    def small(self, hi=5):
        return self.fdp.ConsumeIntInRange(0, hi)

    def dumps(self, doc) -> bytes:
        text = json.dumps(doc)  # NaN/Infinity as JavaScript writes them (json.load reads them)
        depth = self.small(20) ** 3 if self.fdp.ConsumeIntInRange(0, 30) == 0 else 0
        return ("[" * depth + text + "]" * depth).encode()


def _structured_bdd(payload: bytes) -> bytes:
    j = _Json(payload)
    frames = []
    for t in range(j.small(3)):
        labels = []
        for _ in range(j.small(3)):
            box = j.obj({"x1": j.small(50) * 2.5, "y1": j.small(50), "x2": 60 + j.small(50), "y2": 60.5 + j.small(9)})
            labels.append(j.obj({"id": str(j.small(4)) if j.fdp.ConsumeBool() else j.small(4),
                                 "category": j.pick(list(bdd100k.CLASS_IDS)), "score": j.small(4) / 4,
                                 "attributes": j.obj({"Crowd": j.fdp.ConsumeBool(), "crowd": j.fdp.ConsumeBool()}),
                                 "box2d": box}))
        frames.append(j.obj({"name": f"f{t}", "index": j.small(3), "labels": labels}))
    return j.dumps({"frames": frames} if j.fdp.ConsumeIntInRange(0, 3) == 0 else frames)


def _structured_probs_json(payload: bytes) -> bytes:
    j = _Json(payload)
    dets = [j.obj({"frame": 1 + j.small(3), "id": 1 + j.small(2),
                   "probs": j.obj({str(1 + j.small(2)): j.small(4) / 4 for _ in range(j.small(3))})})
            for _ in range(j.small(7))]
    if j.fdp.ConsumeBool():
        return j.dumps(dets)
    return j.dumps(j.obj({"classes": [j.value(1 + j.small(3)) for _ in range(j.small(3))], "detections": dets}))


def run_target(target: str, payload: bytes) -> None:
    path = _SCRATCH / _SUFFIX.get(target, "file.txt")
    if target == "probs-parquet-structured":
        payload = _structured_parquet(payload)
    elif target == "bdd-structured":
        payload = _structured_bdd(payload)
    elif target == "probs-json-structured":
        payload = _structured_probs_json(payload)
    path.write_bytes(payload)
    p = str(path)
    lines_are_file_lines = not target.startswith("probs-parquet")  # Parquet errors name table rows
    try:
        if target in ("mot-gt", "mot-tracker+probability-columns"):
            is_gt = target == "mot-gt"
            d = motchallenge.read_mot_file(p, NUM_FRAMES, is_gt=is_gt)
            check_detections(d, payload, num_frames=NUM_FRAMES)
            if not is_gt:
                probs = probabilities.read_probability_columns(p, d)
                if probs is not None:
                    check_probabilities(probs, d)
        elif target == "seqinfo":
            info = motchallenge.read_seqinfo(p)
            check(isinstance(info.length, int) and 0 <= info.length <= MAX_FRAMES, f"seqLength {info.length!r}")
            for side in (info.width, info.height):
                check(side is None or 0 < side <= motchallenge.MAX_IMAGE_SIDE, f"image side {side!r}")
        elif target == "mot-seqmap":
            names = motchallenge.read_seqmap(p)
            check(bool(names) and all(isinstance(n, str) and n for n in names), f"seqmap names {names!r}")
        elif target in ("kitti-gt", "kitti-tracker-no-length"):
            is_gt = target == "kitti-gt"
            n = NUM_FRAMES if is_gt else None
            check_box_file(kitti.read_kitti_file(p, n, is_gt=is_gt), payload, num_frames=n, is_gt=is_gt)
        elif target == "kitti-seqmap":
            lengths = kitti.read_seqmap(p)
            check(bool(lengths), "empty seqmap accepted")
            check(all(isinstance(v, int) and 0 <= v <= MAX_FRAMES for v in lengths.values()),
                  f"sequence lengths {lengths!r}")
        elif target in ("bdd-gt", "bdd-tracker", "bdd-structured"):
            is_gt = target == "bdd-gt" or (target == "bdd-structured" and len(payload) % 2 == 0)
            n = None if is_gt or not payload else payload[-1] % 4
            check_box_file(bdd100k.read_bdd_file(p, is_gt=is_gt, num_frames=n), payload, num_frames=n, is_gt=is_gt,
                           json_labels=True)
        elif target.startswith(("probs-json", "probs-parquet")):
            tr = tracker()
            check_probabilities(probabilities.read_probability_file(p, tr), tr)
        else:
            raise AssertionError(target)
    except InputError as err:
        check_error(err, p, payload, file_lines=lines_are_file_lines)


# TRACKLENS_FUZZ_TRIAGE=<folder>: do not stop at a crash; keep the first input of each distinct
# failure (exception type and place) in the folder, and go on (for long runs by hand).
_TRIAGE = os.environ.get("TRACKLENS_FUZZ_TRIAGE")
_SEEN: set[str] = set()


def _signature(exc: BaseException) -> str:
    import traceback  # noqa: PLC0415

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/core/" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "harness"
    what = re.sub(r"\d+", "N", str(exc).split(":")[0][:40]) if isinstance(exc, ContractError) else ""
    return f"{type(exc).__name__} at {where} {what}".strip()


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    if not _TRIAGE:
        run_target(TARGETS[data[0] % len(TARGETS)], data[1:])
        return
    try:
        run_target(TARGETS[data[0] % len(TARGETS)], data[1:])
    except Exception as exc:  # noqa: BLE001  (triage mode: record and go on)
        sig = _signature(exc)
        if sig not in _SEEN:
            _SEEN.add(sig)
            name = hashlib.sha1(sig.encode()).hexdigest()[:10]
            Path(_TRIAGE, f"crash-{name}").write_bytes(data)
            with open(Path(_TRIAGE, "signatures.txt"), "a") as fp:
                fp.write(f"crash-{name}\t{TARGETS[data[0] % len(TARGETS)]}\t{sig}\t{str(exc)[:200]!r}\n")


# ---------------------------------------------------------------------------------- seed corpus


def _kitti_row(frame, tid, typ, x0, y0, x1, y1, score=None) -> str:
    row = f"{frame} {tid} {typ} 0 0 -10 {x0:.6f} {y0:.6f} {x1:.6f} {y1:.6f} -1 -1 -1 -1000 -1000 -1000 -10"
    return row + (f" {score}" if score is not None else "") + "\n"


def seeds() -> dict[str, list[bytes]]:
    """Seed files per target: the hostile corpus (tests/hostile), the bundled sample, and small
    valid KITTI / BDD100K / probability files."""
    out: dict[str, list[bytes]] = {t: [] for t in TARGETS}
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from hostile.corpus import CORPUS, make_dataset  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        for k, case in enumerate(CORPUS):
            if case.kind == "layout" or case.deny_read or "huge" in case.tags:
                continue
            try:
                setup = case.build(make_dataset(Path(tmp) / str(k)))
            except OSError:
                continue
            path = Path(setup.path)
            if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 * 1024:
                continue
            target = {"mot": "mot-gt" if case.is_gt else "mot-tracker+probability-columns",
                      "seqinfo": "seqinfo", "seqmap": "mot-seqmap"}[case.kind]
            out[target].append(path.read_bytes())
    sample = REPO_ROOT / "assets" / "sample"
    for f in sorted(sample.glob("gt/*/gt/gt.txt")):
        out["mot-gt"].append(b"".join(f.read_bytes().splitlines(keepends=True)[:30]))
    for f in sorted(sample.glob("trackers/*/*.txt")):
        out["mot-tracker+probability-columns"].append(b"".join(f.read_bytes().splitlines(keepends=True)[:30]))
    for f in sorted(sample.glob("gt/*/seqinfo.ini")):
        out["seqinfo"].append(f.read_bytes())
    out["mot-seqmap"].append(b"name\nTUD-Campus\nTUD-Stadtmitte\n")
    out["mot-tracker+probability-columns"].append(
        b"1,1,10,10,20,40,0.9,1,-1,-1,0.7,0.2,0.1\n2,1,10,10,20,40,0.9,1,-1,-1,0.1,0.8,0.1\n")

    kitti_rows = (_kitti_row(0, 0, "Car", 0, 0, 50, 40) + _kitti_row(0, -1, "DontCare", 0, 100, 20, 140)
                  + _kitti_row(1, 1, "Pedestrian", 100, 0, 120, 60) + _kitti_row(3, 0, "Van", 5, 0, 55, 40))
    out["kitti-gt"] += [kitti_rows.encode(), kitti_rows.replace(" ", ",").encode()]
    out["kitti-tracker-no-length"] += [
        (_kitti_row(0, 3, "Car", 0, 0, 50, 40, 0.9) + _kitti_row(2, 3, "Cyclist", 0, 0, 50, 40, 0.5)
         + _kitti_row(4, -1, "Car", 0, 0, 5, 5, 0.1)).encode()]
    out["kitti-seqmap"] += [b"0000 empty 000000 000154\n0001 empty 000000 000447\n", b"0000 empty 0\n"]

    def label(i, cat, box, crowd=False, score=None):
        lab = {"id": str(i), "category": cat, "attributes": {"Crowd": crowd, "Occluded": False, "Truncated": False},
               "box2d": dict(zip(("x1", "y1", "x2", "y2"), box))}
        return lab if score is None else {**lab, "score": score}

    frames = [{"name": "b", "videoName": "v", "index": 1, "labels": [label(2, "car", (0, 0, 40.5, 40))]},
              {"name": "a", "videoName": "v", "index": 0, "labels": [
                  label(1, "pedestrian", (0, 0, 40, 40)), label(9, "car", (100, 0, 140, 40), crowd=True),
                  label(8, "trailer", (200, 0, 240, 40))]}]
    out["bdd-gt"] += [json.dumps(frames).encode(), json.dumps({"frames": frames}, indent=1).encode()]
    tr_frames = [{**f, "labels": [label(5, "bus", (1, 2, 3, 4), score=0.5)]} for f in frames]
    out["bdd-tracker"] += [json.dumps(tr_frames).encode(), json.dumps(frames[:1]).encode()]

    dets = [{"frame": f, "id": i, "probs": {"1": 0.75, "2": 0.25}} for f in (1, 2, 3) for i in (1, 2)]
    out["probs-json"] += [json.dumps({"classes": [1, 2], "detections": dets}, indent=1).encode(),
                          json.dumps(dets).encode()]
    out["probs-parquet-structured"] += [bytes(range(64)), b"\x06\x01\x01\x03\x03" + bytes(48)]
    out["bdd-structured"] += [bytes(range(1, 200)), bytes(200), bytes(range(255, 0, -1))]
    out["probs-json-structured"] += [bytes(range(1, 120)), bytes(120), bytes(range(255, 100, -1))]
    table = pd.DataFrame({"frame": [f for f in (1, 2, 3) for _ in (1, 2)], "id": [1, 2] * 3,
                          "class": [1] * 6, "prob": [1.0] * 6})
    buf = io.BytesIO()
    table.to_parquet(buf)
    out["probs-parquet-bytes"].append(buf.getvalue())
    return out


def write_seeds(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for target, files in seeds().items():
        for data in files:
            blob = bytes([TARGETS.index(target)]) + data
            (folder / f"seed-{target}-{hashlib.sha1(blob).hexdigest()[:12]}").write_bytes(blob)
            count += 1
    return count


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[1] == "--write-seeds":
        print(f"wrote {write_seeds(Path(argv[2]))} seed inputs to {argv[2]}")
        return
    atheris.Setup(argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
