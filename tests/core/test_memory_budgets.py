"""Memory-bounded tests: each hostile input of issue 13 is opened in a fresh subprocess, which must
refuse it with its one-line reason while its peak memory (VmHWM) stays under ``LIMIT_MB``.

Peaks measured on the development machine (a bare interpreter is ~45 MB; with numpy + pandas ~100 MB;
with the app's modules ~190 MB), every input refused with its one-line reason:

=====================================================  ===========  ===========================  =======
input                                                  before       refused by                   peak
=====================================================  ===========  ===========================  =======
0.45 MB gt.txt, one line of 200,000 commas             ~16 GB       line-length limit (64 KiB)   102 MB
2 MB single line of 1 M columns                        1.25 GB      line-length limit            105 MB
5 MB: 400 k short rows + one row of 1,000 values       ~3.2 GB      cell budget (4 per byte)     138 MB
0.3 MB zip of 300 MB of zeros                          unpacked     ratio limit (50x)            191 MB
7 KB zip, seqinfo.ini 40000x30000 / 100000x100000      3.8 / 28 GB  canvas limit (67 MP)         191 MB
blank canvas of 40000x30000 asked of the frame cache   3.6 GB       falls back to 1280x720       194 MB
PNG header 30000x30000 / 10000x10000 in img1/          5.5 GB       pixel limit, from the header  45 MB
6 MB Parquet of 150 M constant rows in a run           4.5 GB       row bound from the footer    153 MB
3 GiB sparse KITTI file                                read whole   size limit, before reading   101 MB
=====================================================  ===========  ===========================  =======

(``pytest -s`` prints each peak; the bound asserted is LIMIT_MB.)
"""
from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
LIMIT_MB = 450  # interpreter + numpy + pandas + pyarrow/OpenCV imports are ~100-250 MB of it


def peak_of(code: str) -> tuple[str, int]:
    """Run ``code`` in a fresh interpreter; (its stdout + stderr, its peak resident memory in MB)."""
    wrapped = code + textwrap.dedent("""
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                print("PEAK_KB", line.split()[1])
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", wrapped], capture_output=True, text=True, timeout=300, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    peak = int(out.split("PEAK_KB ")[1].split()[0]) // 1024
    print(f"peak {peak} MB")
    return out, peak


REFUSE = """
from tracklens.errors import InputError
try:
    {call}
    print("ACCEPTED")
except InputError as exc:
    print("REFUSED", exc)
"""


def refused(call: str, words: str) -> int:
    out, peak = peak_of(REFUSE.format(call="\n    ".join(call.strip().splitlines())))
    assert "REFUSED" in out and words in out, out[-2000:]
    assert peak < LIMIT_MB, f"peak {peak} MB"
    return peak


def test_one_line_of_200k_commas(tmp_path: Path) -> None:
    path = tmp_path / "gt.txt"
    path.write_text("1,1,10,10,20,40" + "," * 200_000 + "\n" + "2,1,10,10,20,40,1,1,1\n" * 10_000)
    assert 0.4e6 < path.stat().st_size < 0.7e6
    refused(f"from tracklens.formats.motchallenge import read_mot_file; read_mot_file({str(path)!r}, 10, is_gt=True)",
            "longer than 64 KiB")


def test_one_line_of_a_million_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(",".join(["1"] * 1_000_000) + "\n")
    refused(f"from tracklens.formats.motchallenge import read_mot_file; read_mot_file({str(path)!r}, 10, is_gt=False)",
            "longer than 64 KiB")


def test_one_wide_row_among_many_short_rows(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("1,1,1,1,1,1\n" * 400_000 + ",".join(["1"] * 1000) + "\n")
    refused(f"from tracklens.formats.motchallenge import read_mot_file; read_mot_file({str(path)!r}, 10, is_gt=False)",
            "this line has 1,000 values")


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z, z.open("gt/A/gt/gt.txt", "w") as fp:
        block = b"0" * (1 << 20)
        for _ in range(300):
            fp.write(block)
    assert bomb.stat().st_size < 1_000_000
    (tmp_path / "up").mkdir()
    refused("from tracklens.dashboard.uploads import extract_zip; "
            f"extract_zip('bomb.zip', open({str(bomb)!r}, 'rb').read(), {str(tmp_path / 'up')!r})",
            "more than 50 times its size")
    assert not any((tmp_path / "up").iterdir())


def _seqinfo_zip(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("gt/A/gt/gt.txt", "1,1,10,10,20,40,1,1,1\n")
        z.writestr("gt/A/seqinfo.ini", f"[Sequence]\nname=A\nseqLength=10\nimWidth={width}\nimHeight={height}\n")
        z.writestr("trackers/t/A.txt", "1,1,10,10,20,40,1,-1,-1,-1\n")
    return buf.getvalue()


@pytest.mark.parametrize("size", [(40000, 30000), (100000, 100000)])
def test_huge_canvas_from_seqinfo(tmp_path: Path, size: tuple[int, int]) -> None:
    data = tmp_path / "canvas.zip"
    data.write_bytes(_seqinfo_zip(*size))
    assert data.stat().st_size < 10_000
    (tmp_path / "up").mkdir()
    refused(f"""
from tracklens.dashboard.uploads import extract_zip
from tracklens.workspace import Workspace
s = extract_zip('canvas.zip', open({str(data)!r}, 'rb').read(), {str(tmp_path / 'up')!r}, 'MOT15')
Workspace.from_folders(s.gt_folder, s.trackers_folder, benchmark='MOT15', analyse_now=False)""",
            "megapixel limit")


def test_blank_canvas_of_a_huge_size_is_never_drawn() -> None:
    """A run or cache could still carry a huge size: the app's frame source falls back to 1280x720."""
    out, peak = peak_of("""
from tracklens.dashboard.loading import frame_source
src = frame_source.__wrapped__(None, None, 40000, 30000, 10)
print("SIZE", src.frame(1).shape)
""")
    assert "SIZE (720, 1280, 3)" in out and peak < LIMIT_MB


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = zlib.compress(b"\x00" * (1 + 3 * width) * 300, 9)  # a few rows: enough for a decoder to start
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


@pytest.mark.parametrize("side", [30000, 10000])  # above Pillow's own bomb limit, and between it and ours
def test_png_with_huge_dimensions_is_not_decoded(tmp_path: Path, side: int) -> None:
    img1 = tmp_path / "img1"
    img1.mkdir()
    (img1 / "000001.png").write_bytes(_png_header(side, side))
    out, peak = peak_of(f"""
from tracklens.dashboard.frames import ImageFolderFrames
try:
    ImageFolderFrames({str(img1)!r}, 10, (640, 480))
    print("ACCEPTED")
except ValueError as exc:
    print("REFUSED", exc)
""")
    assert "REFUSED" in out and "above the 67 megapixel limit" in out, out
    assert peak < LIMIT_MB


def test_parquet_of_150m_constant_rows_in_a_run(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from hostile.corpus import BENCHMARK, make_dataset
    from tracklens.saved_run import _sha256
    from tracklens.workspace import Workspace

    ds = make_dataset(tmp_path / "data")
    run = tmp_path / "run"
    Workspace.from_folders(str(ds.gt), str(ds.trackers), benchmark=BENCHMARK).save(str(run))
    path = run / "t1" / "A" / "pairs.parquet"
    chunk = pa.table({"gt_id": pa.array([0] * 10_000_000, pa.int64())})
    with pq.ParquetWriter(path, chunk.schema, compression="zstd") as w:
        for _ in range(15):
            w.write_table(chunk, row_group_size=10_000_000)
    assert path.stat().st_size < 7_000_000
    manifest = json.loads((run / "manifest.json").read_text())  # a forger updates the checksums too
    manifest["files"]["t1/A/pairs.parquet"] = {"size": path.stat().st_size, "sha256": _sha256(str(path))}
    (run / "manifest.json").write_text(json.dumps(manifest))
    refused(f"from tracklens.workspace import Workspace; Workspace.load({str(run)!r}).analysis('t1', 'A')",
            "claims 150,000,000 rows")


def test_kitti_sparse_3gib_is_refused_from_its_size(tmp_path: Path) -> None:
    path = tmp_path / "0000.txt"
    with open(path, "wb") as fp:
        fp.truncate(3 * 1024**3)
    refused(f"from tracklens.formats.kitti import read_kitti_file; read_kitti_file({str(path)!r}, None, is_gt=True)",
            "above the 2,048 MiB limit")
