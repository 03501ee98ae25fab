"""Saved runs are untrusted input and are written atomically (issue 13, items 3, 4 and 5).

A run opened with ``Workspace.load`` (and so by ``report``, ``clip``, ``export`` and the dashboard)
is checked before use: manifest and metrics shape and types, names that become paths, regular files
of the recorded size and checksum, Parquet row counts from the footer. Every refusal is one line on
stderr, exit 2, no traceback; nothing is written outside ``-o``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tracklens import saved_run
from tracklens.dashboard import cli
from tracklens.errors import InputError
from tracklens.workspace import Workspace
from hostile.corpus import BENCHMARK, make_dataset


@pytest.fixture
def run(tmp_path: Path) -> Path:
    ds = make_dataset(tmp_path / "data")
    out = tmp_path / "run"
    Workspace.from_folders(str(ds.gt), str(ds.trackers), benchmark=BENCHMARK).save(str(out))
    return out


def manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text())


def rewrite_manifest(run: Path, change) -> None:
    m = manifest(run)
    change(m)
    (run / "manifest.json").write_text(json.dumps(m))


def one_line_error(argv: list[str], capsys) -> str:
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    assert rc == 2, err
    assert err.startswith("tracklens: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and not out
    return err


# ------------------------------------------------------------------------------------ a good run


def test_manifest_records_every_file_with_its_checksum(run: Path) -> None:
    files = manifest(run)["files"]
    on_disk = sorted(str(p.relative_to(run)) for p in run.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert sorted(files) == on_disk and "metrics.json" in files
    assert all(len(v["sha256"]) == 64 and v["size"] == (run / k).stat().st_size for k, v in files.items())
    ws = Workspace.load(str(run))
    for tr in ws.trackers:
        for seq in ws.sequences:
            assert ws.analysis(tr, seq.name).metrics["HOTA"].shape == (19,)
    assert not [p for p in run.parent.iterdir() if p.name.startswith(".run.")], "no temporary folder is left"


def test_resaving_replaces_the_run_whole(run: Path, tmp_path: Path) -> None:
    (run / "stray.txt").write_text("from the old run")
    ds_gt, ds_tr = tmp_path / "data" / "gt", tmp_path / "data" / "trackers"
    Workspace.from_folders(str(ds_gt), str(ds_tr), benchmark=BENCHMARK, threshold=0.4).save(str(run))
    assert not (run / "stray.txt").exists(), "a re-save is a new folder, not files written over the old ones"
    assert manifest(run)["inputs"]["threshold"] == 0.4


def test_a_run_saved_before_checksums_still_opens(run: Path) -> None:
    rewrite_manifest(run, lambda m: m.pop("files"))
    ws = Workspace.load(str(run))
    assert ws.analysis(ws.trackers[0], ws.sequences[0].name).num_frames == 10


# ------------------------------------------------------------------------------------ broken runs

BROKEN = {
    "manifest-garbage": lambda r: (r / "manifest.json").write_bytes(b"\x00\xffnot json"),
    "manifest-half-written": lambda r: (r / "manifest.json").write_text((r / "manifest.json").read_text()[:200]),
    "manifest-a-list": lambda r: (r / "manifest.json").write_text("[1, 2]"),
    "manifest-no-trackers": lambda r: rewrite_manifest(r, lambda m: m.pop("trackers")),
    "manifest-trackers-not-names": lambda r: rewrite_manifest(r, lambda m: m.update(trackers=[1, 2])),
    "manifest-num-frames-text": lambda r: rewrite_manifest(r, lambda m: m["sequences"][0].update(num_frames="10")),
    "manifest-huge-canvas": lambda r: rewrite_manifest(r, lambda m: m["sequences"][0].update(width=40000, height=30000)),
    "manifest-sequence-missing-key": lambda r: rewrite_manifest(r, lambda m: m["sequences"][0].pop("fps")),
    "manifest-tracker-path": lambda r: rewrite_manifest(r, lambda m: m.update(trackers=["../../evil"])),
    "manifest-sequence-path": lambda r: rewrite_manifest(r, lambda m: m["sequences"][0].update(name="/etc")),
    "manifest-bad-files": lambda r: rewrite_manifest(r, lambda m: m.update(files=["a"])),
    "metrics-garbage": lambda r: (r / "metrics.json").write_text("{"),
    "metrics-missing-tracker": lambda r: (r / "metrics.json").write_text("{}"),
    "metrics-missing": lambda r: (r / "metrics.json").unlink(),
    "metrics-fifo": lambda r: ((r / "metrics.json").unlink(), os.mkfifo(r / "metrics.json")),
    "parquet-garbage": lambda r: (r / "t1" / "A" / "boxes.parquet").write_bytes(b"PAR1 garbage"),
    "parquet-truncated": lambda r: (r / "t1" / "A" / "pairs.parquet").write_bytes(
        (r / "t1" / "A" / "pairs.parquet").read_bytes()[:100]),
    "parquet-fifo": lambda r: ((r / "t1" / "A" / "events.parquet").unlink(), os.mkfifo(r / "t1" / "A" / "events.parquet")),
    "parquet-symlink": lambda r: ((r / "t1" / "A" / "frames.parquet").unlink(),
                                  os.symlink("/etc/hostname", r / "t1" / "A" / "frames.parquet")),
    "analysis-json-missing": lambda r: (r / "t1" / "A" / "analysis.json").unlink(),
    "analysis-folder-missing": lambda r: __import__("shutil").rmtree(r / "t1" / "B"),
}


def _without_checksums(break_run):
    def apply(r: Path) -> None:
        break_run(r)
        if (r / "manifest.json").is_file():
            try:
                rewrite_manifest(r, lambda m: m.pop("files", None) if isinstance(m, dict) else None)
            except (ValueError, AttributeError):
                pass
    return apply


@pytest.mark.parametrize("name,checksums", [(n, True) for n in sorted(BROKEN)]
                         + [(n, False) for n in sorted(BROKEN) if n != "manifest-bad-files"])
def test_a_broken_run_is_one_line_error(run: Path, tmp_path: Path, capsys, name: str, checksums: bool) -> None:
    """export reads every table: each broken run is refused in one line, nothing is written to -o; a
    run saved before checksums (legacy) is checked for everything but the checksums."""
    (BROKEN[name] if checksums else _without_checksums(BROKEN[name]))(run)
    out = tmp_path / "export"
    err = one_line_error(["export", str(run), "-o", str(out)], capsys)
    assert str(run) in err or "--" in err
    assert not out.exists()


def test_a_fifo_does_not_hang_report(run: Path, tmp_path: Path) -> None:
    """In a subprocess with a timeout, as a user would run it: a FIFO would block a plain open()."""
    BROKEN["parquet-fifo"](run)
    proc = subprocess.run([sys.executable, "-m", "tracklens.dashboard.cli", "report", str(run), "-o",
                           str(tmp_path / "r.html"), "--no-whatif"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr and "Traceback" not in proc.stderr


def test_checksum_mismatch_is_named(run: Path) -> None:
    (run / "t1" / "A" / "gt_tracks.parquet").write_bytes((run / "t1" / "A" / "pairs.parquet").read_bytes())
    ws = Workspace.load(str(run))
    with pytest.raises(InputError, match="does not match the checksum") as info:
        ws.analysis("t1", "A")
    assert info.value.path.endswith("gt_tracks.parquet")
    assert ws.analysis("t1", "B").num_frames == 10, "the intact analysis still opens"


def test_names_from_the_manifest_never_become_paths_outside(run: Path, tmp_path: Path, capsys) -> None:
    """The issue's case: a tracker named '../../x' made export write outside -o."""
    (run / "t1").rename(run / "x")
    rewrite_manifest(run, lambda m: m.update(trackers=["../../x"]))
    before = sorted(p for p in tmp_path.rglob("*"))
    one_line_error(["export", str(run), "-o", str(tmp_path / "out" / "deep")], capsys)
    assert sorted(p for p in tmp_path.rglob("*")) == before


# ------------------------------------------------------------------------------------ frames


def _video_at(run: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not really a video")
    rewrite_manifest(run, lambda m: m["sequences"][0].update(video=str(path)))


def test_frames_outside_the_run_are_dropped_with_a_note(run: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "secret.mp4"
    _video_at(run, outside)
    ws = Workspace.load(str(run))
    assert ws.sequences[0].video is None
    assert any("outside the run" in n and str(outside) in n for n in ws.manifest["notes"])
    allowed = Workspace.load(str(run), frame_roots=(str(outside.parent),))
    assert allowed.sequences[0].video == str(outside)


def test_frames_inside_the_run_are_kept(run: Path) -> None:
    _video_at(run, run / "videos" / "A.mp4")
    assert Workspace.load(str(run)).sequences[0].video == str(run / "videos" / "A.mp4")


def test_a_link_out_of_the_run_counts_as_outside(run: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "A.mp4"
    target.parent.mkdir()
    target.write_bytes(b"x")
    (run / "videos").mkdir()
    os.symlink(target, run / "videos" / "A.mp4")
    rewrite_manifest(run, lambda m: m["sequences"][0].update(video=str(run / "videos" / "A.mp4")))
    assert Workspace.load(str(run)).sequences[0].video is None


def test_report_does_not_embed_frames_from_outside(run: Path, tmp_path: Path) -> None:
    """The report of a run naming an image folder outside it: shown on a blank canvas, with the note."""
    import cv2

    images = tmp_path / "private" / "img1"
    images.mkdir(parents=True)
    for k in range(1, 11):
        cv2.imwrite(str(images / f"{k:06d}.png"), np.full((480, 640, 3), 200, np.uint8))
    rewrite_manifest(run, lambda m: m["sequences"][0].update(image_dir=str(images)))
    out = tmp_path / "r.html"
    assert cli.main(["report", str(run), "-o", str(out), "--no-whatif"]) == 0
    text = out.read_text()
    assert "outside the run and the allowed data folders" in text and str(images) in text


# ------------------------------------------------------------------------------------ Parquet bounds


def test_row_bound_is_read_from_the_footer(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    with pq.ParquetWriter(path, pa.schema([("frame", pa.int8())]), compression="zstd") as w:
        for _ in range(15):
            w.write_table(pa.table({"frame": pa.array(np.zeros(1_000_000, np.int8))}))
    with pytest.raises(InputError, match="claims 15,000,000 rows"):
        saved_run.check_parquet_rows(str(path), path.stat().st_size)
    small = tmp_path / "s.parquet"
    pq.write_table(pa.table({"frame": pa.array(np.arange(1000))}), small)
    assert saved_run.check_parquet_rows(str(small), small.stat().st_size) == 1000
