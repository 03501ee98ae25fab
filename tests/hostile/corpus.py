"""A corpus of malformed and hostile inputs, written into a temporary folder at test time.

Every case starts from a small valid dataset (plain layout, two sequences A and B of 10 frames,
one tracker ``t1``, benchmark MOT15) and breaks one thing: a file's bytes, a link, a folder, the
layout. Nothing large is committed or even written: the "huge file" is sparse (``truncate``), so it
takes no disk and no time, and the reader refuses it from its size alone.

A case says what must happen:

* ``reason`` set: an ``InputError`` whose path is ``Setup.path``, with ``line`` (or no line), whose
  reason contains ``reason`` and whose fix contains ``fix``;
* ``reason`` None: the input is accepted (``note`` is then a text the run's notes must contain).

``kind`` says which reader the direct check calls: ``mot`` (``read_mot_file``), ``seqinfo``,
``seqmap`` or ``layout`` (``tracklens.layout.resolve``); the CLI check always runs ``tracklens eval``.
"""
from __future__ import annotations

import gzip
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

SEQ_LENGTH = 10
BENCHMARK = "MOT15"
GOOD = "1,1,10,10,20,40,1,-1,-1,-1\n"  # one valid tracker row (frame 1, id 1)
HUGE_FILE_BYTES = 3 * 1024**3  # sparse: above the reader's 2 GiB default limit


@dataclass
class Dataset:
    root: Path

    @property
    def gt(self) -> Path:
        return self.root / "gt"

    @property
    def trackers(self) -> Path:
        return self.root / "trackers"

    def gt_file(self, seq: str = "A") -> Path:
        return self.gt / seq / "gt" / "gt.txt"

    def seqinfo(self, seq: str = "A") -> Path:
        return self.gt / seq / "seqinfo.ini"

    def tracker_file(self, seq: str = "A", tracker: str = "t1") -> Path:
        return self.trackers / tracker / f"{seq}.txt"


@dataclass
class Setup:
    """What a case built: the path the message must name, and how to call the CLI / resolve."""

    path: str
    gt_folder: str
    trackers_folder: str
    benchmark: str = BENCHMARK
    seqmap: str | None = None

    def cli_args(self) -> list[str]:
        args = ["eval", "--gt-folder", self.gt_folder, "--trackers-folder", self.trackers_folder,
                "--benchmark", self.benchmark, "--quiet"]
        return args + (["--seqmap", self.seqmap] if self.seqmap else [])


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Dataset], Setup]
    kind: str = "mot"  # mot | seqinfo | seqmap | layout
    reason: str | None = None  # None: accepted
    line: int | None = None
    fix: str = ""
    is_gt: bool = False
    note: str | None = None  # accepted cases: a text the notes must contain
    deny_read: bool = False  # the test makes open() of Setup.path fail with EACCES
    tags: tuple[str, ...] = field(default=())


def make_dataset(root: Path) -> Dataset:
    """The valid starting point: gt/{A,B}/{gt/gt.txt, seqinfo.ini}, trackers/t1/{A,B}.txt."""
    ds = Dataset(root)
    for seq in ("A", "B"):
        rows = "".join(f"{f},{i},{10 + 90 * i},10,20,40,1,1,1\n" for f in range(1, SEQ_LENGTH + 1) for i in (1, 2))
        write(ds.gt_file(seq), rows)
        write(ds.seqinfo(seq), f"[Sequence]\nname={seq}\nseqLength={SEQ_LENGTH}\nimWidth=640\nimHeight=480\n")
        trows = "".join(f"{f},{i},{11 + 90 * i},10,20,40,0.9,-1,-1,-1\n" for f in range(1, SEQ_LENGTH + 1)
                        for i in (1, 2))
        write(ds.tracker_file(seq), trows)
    return ds


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _setup(ds: Dataset, path: Path | str, **kw) -> Setup:
    return Setup(str(path), kw.pop("gt_folder", str(ds.gt)), kw.pop("trackers_folder", str(ds.trackers)), **kw)


# ------------------------------------------------------------------------------------ builders


def tracker_text(data: str | bytes) -> Callable[[Dataset], Setup]:
    """Replace trackers/t1/A.txt with ``data``."""
    return lambda ds: _setup(ds, write(ds.tracker_file(), data))


def gt_text(data: str | bytes) -> Callable[[Dataset], Setup]:
    """Replace gt/A/gt/gt.txt with ``data``."""
    return lambda ds: _setup(ds, write(ds.gt_file(), data))


def seqinfo_text(data: str | bytes) -> Callable[[Dataset], Setup]:
    return lambda ds: _setup(ds, write(ds.seqinfo(), data))


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("A.txt", GOOD * 3)
    return buf.getvalue()


def _folder_instead_of_file(which: str) -> Callable[[Dataset], Setup]:
    def build(ds: Dataset) -> Setup:
        path = ds.tracker_file() if which == "tracker" else ds.gt_file()
        path.unlink()
        path.mkdir()
        return _setup(ds, path)
    return build


def _symlink_loop(which: str) -> Callable[[Dataset], Setup]:
    def build(ds: Dataset) -> Setup:
        path = ds.tracker_file() if which == "tracker" else ds.gt_file()
        path.unlink()
        other = path.with_name(path.name + ".loop")
        os.symlink(other.name, path)  # path -> other -> path
        os.symlink(path.name, other)
        return _setup(ds, path)
    return build


def _broken_symlink(ds: Dataset) -> Setup:
    path = ds.tracker_file()
    path.unlink()
    os.symlink(ds.root / "does-not-exist.txt", path)
    return _setup(ds, path)


def _unreadable(ds: Dataset) -> Setup:
    path = ds.tracker_file()
    path.chmod(0)  # enough for a normal user; under root the test also denies open() itself
    return _setup(ds, path)


def _huge_sparse(ds: Dataset) -> Setup:
    path = ds.tracker_file()
    with open(path, "r+b") as fp:
        fp.truncate(HUGE_FILE_BYTES)  # sparse: no disk used, and the reader never reads it
    return _setup(ds, path)


def _no_seqinfo(ds: Dataset) -> Setup:
    ds.seqinfo().unlink()
    return _setup(ds, ds.seqinfo())


def _seqmap(text: str | bytes, expect: str) -> Callable[[Dataset], Setup]:
    def build(ds: Dataset) -> Setup:
        path = write(ds.root / "seqmap.txt", text)
        expected = {"seqmap": path, "gt-C": ds.gt / "C" / "gt" / "gt.txt"}[expect]
        return _setup(ds, expected, seqmap=str(path))
    return build


def _fifo(which: str) -> Callable[[Dataset], Setup]:
    """A named pipe in place of a file: reading it would block forever; it must be refused unread."""
    def build(ds: Dataset) -> Setup:
        path = {"tracker": ds.tracker_file(), "seqinfo": ds.seqinfo()}[which]
        path.unlink()
        os.mkfifo(path)
        return _setup(ds, path)
    return build


def _ansi_sequence_name(ds: Dataset) -> Setup:
    """A sequence folder whose name holds a newline and an ANSI escape, and a broken tracker file in it:
    the error names the folder, and must still be one printable line."""
    name = "A\n\x1b[31mred"
    (ds.gt / "A").rename(ds.gt / name)
    (ds.trackers / "t1" / "A.txt").rename(ds.trackers / "t1" / f"{name}.txt")
    path = write(ds.trackers / "t1" / f"{name}.txt", GOOD + "2,1,10\n")
    return _setup(ds, path)


def _tracker_missing_sequence(ds: Dataset) -> Setup:
    ds.tracker_file("B").unlink()
    return _setup(ds, ds.trackers / "t1" / "data" / "B.txt")


def _tracker_names_mismatch(ds: Dataset) -> Setup:
    for seq in ("A", "B"):  # the tracker wrote "<seq>-result.txt"
        ds.tracker_file(seq).rename(ds.trackers / "t1" / f"{seq}-result.txt")
    return _setup(ds, ds.trackers / "t1" / "data" / "A.txt")


def _tracker_names_case(ds: Dataset) -> Setup:
    for seq in ("A", "B"):  # lower case on a case-sensitive file system
        ds.tracker_file(seq).rename(ds.trackers / "t1" / f"{seq.lower()}.txt")
    return _setup(ds, ds.trackers / "t1" / "data" / "A.txt")


def _trackers_folder_is_one_tracker(ds: Dataset) -> Setup:
    folder = ds.trackers / "t1"
    return _setup(ds, folder, trackers_folder=str(folder))


def _gt_folder_is_one_sequence(ds: Dataset) -> Setup:
    folder = ds.gt / "A"
    return _setup(ds, folder, gt_folder=str(folder))


def _wrong_benchmark(ds: Dataset) -> Setup:
    # TrackEval layout for MOT20-train, run with the default MOT15 benchmark.
    target = ds.root / "te_gt"
    (target / "MOT20-train").mkdir(parents=True)
    for seq in ("A", "B"):
        (ds.gt / seq).rename(target / "MOT20-train" / seq)
    return _setup(ds, target, gt_folder=str(target))


def _gt_folder_missing(ds: Dataset) -> Setup:
    return _setup(ds, ds.root / "nowhere", gt_folder=str(ds.root / "nowhere"))


def _gt_folder_is_a_file(ds: Dataset) -> Setup:
    return _setup(ds, ds.gt_file(), gt_folder=str(ds.gt_file()))


def _trackers_folder_empty(ds: Dataset) -> Setup:
    empty = ds.root / "no_trackers"
    empty.mkdir()
    return _setup(ds, empty, trackers_folder=str(empty))


def _gt_folder_empty(ds: Dataset) -> Setup:
    empty = ds.root / "no_gt"
    empty.mkdir()
    return _setup(ds, empty, gt_folder=str(empty))


def _extra_tracker_sequence(ds: Dataset) -> Setup:
    write(ds.trackers / "t1" / "C.txt", GOOD)  # a sequence the ground truth does not have
    return _setup(ds, ds.tracker_file())


def _loose_rows(n: int) -> str:
    return "".join(f"{f},1,10,10,20,40,1,-1,-1,-1\n" for f in range(1, n + 1))


FMT = "MOTChallenge format"  # the generic fix names the format
CORPUS: list[Case] = [
    # --- rows of a tracker file -----------------------------------------------------------------
    Case("truncated-last-line", tracker_text(GOOD + "2,1,10,1"), reason="fewer than 6 values", line=2, fix=FMT),
    Case("truncated-mid-file", tracker_text(GOOD + "2,1,10\n3,1,10,10,20,40\n"), reason="fewer than 6 values",
         line=2, fix=FMT),
    Case("too-few-columns-everywhere", tracker_text("1,1,10,10,20\n2,1,10,10,20\n"), reason="at least 6",
         line=1, fix=FMT),
    Case("nan-in-box", tracker_text(GOOD + "2,1,nan,10,20,40\n"), reason="NaN or infinite", line=2, fix=FMT),
    Case("inf-in-box", tracker_text(GOOD + "2,1,10,inf,20,40\n"), reason="NaN or infinite", line=2, fix=FMT),
    Case("minus-inf-size", tracker_text(GOOD + "2,1,10,10,-inf,40\n"), reason="NaN or infinite", line=2, fix=FMT),
    Case("infinity-word", tracker_text(GOOD + "2,1,10,10,20,Infinity\n"), reason="NaN or infinite", line=2,
         fix=FMT),
    Case("overflowing-number", tracker_text(GOOD + "2,1,10,10,1e999,40\n"), reason="NaN or infinite", line=2,
         fix=FMT),
    Case("nan-frame", tracker_text(GOOD + "nan,1,10,10,20,40\n"), reason="NaN or infinite", line=2, fix=FMT),
    Case("huge-x", tracker_text(GOOD + "2,1,1e12,10,20,40\n"), reason="x = 1e+12 is beyond", line=2,
         fix="in pixels"),
    Case("huge-size", tracker_text(GOOD + "2,1,10,10,1e300,1e300\n"), reason="w = 1e+300 is beyond", line=2,
         fix="in pixels"),
    Case("huge-negative-y", tracker_text(GOOD + "2,1,10,-1e308,20,40\n"), reason="y = -1e+308 is beyond", line=2,
         fix="in pixels"),
    Case("duplicate-id-tracker", tracker_text(GOOD + "2,1,10,10,20,40\n1,1,50,50,20,40\n"),
         reason="tracker id 1 appears 2 times in frame 1 (lines 1, 3)", line=3, fix="at most once per frame"),
    Case("duplicate-id-gt", gt_text("1,1,10,10,20,40,1,1,1\n1,1,12,10,20,40,1,1,1\n"), is_gt=True,
         reason="ground truth id 1 appears 2 times in frame 1", line=2, fix="at most once per frame"),
    Case("negative-id", tracker_text(GOOD + "2,-1,10,10,20,40\n"), reason="negative id -1", line=2,
         fix="non-negative"),
    Case("fractional-id", tracker_text(GOOD + "2,1.5,10,10,20,40\n"), reason="id 1.5 is not a whole number",
         line=2, fix="integers"),
    Case("huge-id", tracker_text(GOOD + "2,1e20,10,10,20,40\n"), reason="too large", line=2, fix="smaller"),
    Case("frame-zero", tracker_text(GOOD + "0,1,10,10,20,40\n"), reason="frame 0 is outside 1..10", line=2,
         fix="1-based"),
    Case("frame-beyond-seqlength", tracker_text(GOOD + "11,1,10,10,20,40\n"), reason="frame 11 is outside 1..10",
         line=2, fix="seqLength"),
    Case("negative-frame", tracker_text(GOOD + "-5,1,10,10,20,40\n"), reason="frame -5 is outside", line=2,
         fix="1-based"),
    Case("fractional-frame", tracker_text(GOOD + "2.5,1,10,10,20,40\n"), reason="frame 2.5 is not a whole number",
         line=2, fix="integers"),
    Case("empty-cell", tracker_text(GOOD + "2,1,,10,20,40\n"), reason="empty value", line=2, fix=FMT),
    Case("infinite-class", gt_text("1,1,10,10,20,40,1,1,1\n2,1,10,10,20,40,1,inf,1\n"), is_gt=True,
         reason="column 8 (class) is inf", line=2, fix="class ids as integers"),
    Case("non-numeric-cell", tracker_text(GOOD + "2,1,ten,10,20,40\n"), reason="'ten' is not a number", line=2,
         fix=FMT),
    Case("hex-number", tracker_text(GOOD + "2,1,0x1f,10,20,40\n"), reason="'0x1f' is not a number", line=2,
         fix=FMT),
    Case("fullwidth-digits", tracker_text(GOOD + "２,1,10,10,20,40\n"), reason="'２' is not a number", line=2,
         fix=FMT),
    Case("trailing-junk-column", tracker_text(GOOD + "2,1,10,10,20,40,1,-1,-1,-1,junk\n"),
         reason="'junk' is not a number", line=2, fix=FMT),
    Case("header-line", tracker_text("frame,id,x,y,w,h,conf,cls,vis,z\n" + GOOD),
         reason="'frame' is not a number", line=1, fix="header line"),
    Case("header-line-gt", gt_text("frame id bb_left bb_top bb_width bb_height\n1 1 10 10 20 40\n"), is_gt=True,
         reason="'frame' is not a number", line=1, fix="header line"),
    Case("comment-line", tracker_text("# produced by my tracker\n" + GOOD), reason="'#' is not a number", line=1,
         fix=FMT),
    Case("mixed-separators-lines", tracker_text(GOOD + "2 1 10 10 20 40\n"),
         reason="separates values with spaces or tabs but the first line uses commas", line=2,
         fix="Separate the values"),
    Case("mixed-separators-whitespace-first", tracker_text("1 1 10 10 20 40\n2,1,10,10,20,40\n"),
         reason="separates values with commas but the first line uses spaces or tabs", line=2,
         fix="Separate the values"),
    Case("tab-inside-comma-line", tracker_text("1,1,10\t10\t20\t40\n"),
         reason="separates values with spaces or tabs", line=1, fix="Separate the values"),
    Case("semicolons", tracker_text("1;1;10;10;20;40\n"), reason="separates values with semicolons", line=1,
         fix="Separate the values"),
    Case("nul-byte-late", tracker_text(GOOD * 2000 + "2,1,10,10,20,40\x00\n"), reason="is not a number",
         line=2001, fix=FMT),
    Case("latin1-byte", tracker_text(GOOD.encode() + b"2,1,1\xe9,10,20,40\n"), reason="is not a number", line=2,
         fix=FMT),
    # Found by the atheris fuzzer: form feed, \x1c (and \v, \x85, U+2028...) end a line for str.splitlines but
    # not for the C parser, so the line numbers after them were off.
    Case("line-break-lookalikes", tracker_text(GOOD + "2,1,10,10,20,40\x0c\n3,1,10,10,20,40\x1c\n4,1,ten,10,20,40\n"),
         reason="'ten' is not a number", line=4, fix=FMT),
    # --- whole files that are not MOTChallenge text -----------------------------------------------------
    Case("binary-file", tracker_text(bytes(range(256)) * 8), reason="a binary file, not", fix=FMT),
    Case("utf16-with-bom", tracker_text(("\ufeff" + GOOD * 3).encode("utf-16-le")), reason="UTF-16 text",
         fix="UTF-8"),
    Case("utf16-without-bom", tracker_text((GOOD * 3).encode("utf-16-be")), reason="UTF-16 text", fix="UTF-8"),
    Case("gzip-file", tracker_text(gzip.compress((GOOD * 3).encode(), mtime=0)), reason="gzip-compressed",
         fix="Decompress"),
    Case("zip-file", tracker_text(_zip_bytes()), reason="zip archive", fix="Extract"),
    Case("huge-file-sparse", _huge_sparse, reason="above the 2,048 MiB limit", fix="right file",
         tags=("huge",)),
    Case("folder-instead-of-file", _folder_instead_of_file("tracker"), reason="this is a folder, not a file",
         fix="text file itself"),
    Case("gt-folder-instead-of-file", _folder_instead_of_file("gt"), is_gt=True,
         reason="this is a folder, not a file", fix="text file itself"),
    Case("symlink-loop", _symlink_loop("tracker"), reason="link loop", fix="Make the link point"),
    Case("gt-symlink-loop", _symlink_loop("gt"), is_gt=True, reason="link loop", fix="Make the link point"),
    Case("broken-symlink", _broken_symlink, reason="broken symbolic link", fix="Make the link point"),
    Case("permission-denied", _unreadable, reason="cannot read the file (Permission denied)", fix="permissions",
         deny_read=True),
    # --- seqinfo.ini ------------------------------------------------------------------------------------
    Case("seqinfo-missing", _no_seqinfo, kind="seqinfo", reason="seqinfo.ini not found", fix="seqLength"),
    Case("seqinfo-without-seqlength", seqinfo_text("[Sequence]\nname=A\n"), kind="seqinfo",
         reason="seqLength is missing", fix="seqLength"),
    Case("seqinfo-inf-seqlength", seqinfo_text("[Sequence]\nseqLength=inf\n"), kind="seqinfo",
         reason="seqLength='inf' is not a number", fix="Set seqLength"),
    Case("seqinfo-huge-seqlength", seqinfo_text("[Sequence]\nseqLength=1e30\n"), kind="seqinfo",
         reason="more than 10000000 frames", fix="number of frames"),
    Case("seqinfo-negative-width", seqinfo_text("[Sequence]\nseqLength=10\nimWidth=-640\nimHeight=480\n"),
         kind="seqinfo", reason="imWidth=-640 is outside", fix="frame size"),
    Case("seqinfo-binary", seqinfo_text(b"\xff\xfe\x00[\x00S"), kind="seqinfo", reason="cannot read it as an ini",
         fix="[Sequence]"),
    Case("seqinfo-no-section", seqinfo_text("seqLength=10\n"), kind="seqinfo", reason="[Sequence] section",
         fix="[Sequence]"),
    # --- seqmap -----------------------------------------------------------------------------------------
    Case("seqmap-names-missing-sequence", _seqmap("name\nA\nC\n", "gt-C"), kind="layout",
         reason="ground truth of sequence 'C' not found", fix="listed in the seqmap"),
    Case("seqmap-binary", _seqmap(b"name\n\xff\xfe\xfa\n", "seqmap"), kind="seqmap",
         reason="cannot read the seqmap", fix="one sequence name per line"),
    Case("seqmap-empty", _seqmap("name\n\n", "seqmap"), kind="seqmap", reason="lists no sequence",
         fix="one sequence name"),
    Case("seqmap-parent-path", _seqmap("name\nA\n../../outside\n", "seqmap"), kind="seqmap", line=3,
         reason="'../../outside' is not a plain folder name", fix="folder name only"),
    Case("seqmap-absolute-path", _seqmap("name\n/etc\n", "seqmap"), kind="seqmap", line=2,
         reason="'/etc' is not a plain folder name", fix="folder name only"),
    Case("seqmap-backslash-path", _seqmap("name\n..\\..\\x\n", "seqmap"), kind="seqmap", line=2,
         reason="is not a plain folder name", fix="folder name only"),
    Case("seqmap-dot-dot", _seqmap("name\n..\n", "seqmap"), kind="seqmap", line=2,
         reason="'..' is not a plain folder name", fix="folder name only"),
    Case("seqmap-duplicate", _seqmap("name\nA\nB\nA\n", "seqmap"), kind="seqmap", line=4,
         reason="sequence 'A' is listed twice", fix="once"),
    # --- reader budgets and edge cases (issue 13) --------------------------------------------------------
    Case("one-line-of-200k-commas", gt_text("1,1,10,10,20,40" + "," * 200_000 + "\n"), is_gt=True, line=1,
         reason="longer than 64 KiB", fix=FMT),
    Case("first-row-of-2000-columns", tracker_text(",".join(["1"] * 2000) + "\n"), line=1,
         reason="the first row has 2,000 values, more than 1,034", fix=FMT),
    Case("wide-row-among-many-short-rows", tracker_text(GOOD * 20_000 + ",".join(["1"] * 1000) + "\n"),
         line=20_001, reason="this line has 1,000 values", fix="class probability"),
    Case("id-2-pow-53", tracker_text(GOOD + f"2,{2**53},10,10,20,40\n"), line=2, reason="too large", fix="smaller"),
    Case("id-2-pow-53-plus-1", tracker_text(GOOD + f"2,{2**53 + 1},10,10,20,40\n"), line=2, reason="too large",
         fix="smaller"),
    Case("fifo-tracker-file", _fifo("tracker"), reason="not a regular file (a pipe, socket or device)",
         fix="Point to"),
    Case("fifo-seqinfo", _fifo("seqinfo"), kind="seqinfo", reason="not a regular file (a pipe, socket or device)",
         fix="Point to"),
    Case("seqinfo-huge-canvas", seqinfo_text("[Sequence]\nseqLength=10\nimWidth=40000\nimHeight=30000\n"),
         kind="seqinfo", reason="40000 x 30000 is 1,200 megapixels", fix="imWidth and imHeight"),
    Case("seqinfo-huger-canvas", seqinfo_text("[Sequence]\nseqLength=10\nimWidth=100000\nimHeight=100000\n"),
         kind="seqinfo", reason="above the 67 megapixel limit", fix="imWidth and imHeight"),
    Case("ansi-escape-in-sequence-name", _ansi_sequence_name, line=2, reason="fewer than 6 values", fix=FMT),
    # --- folders and layout -----------------------------------------------------------------------------
    Case("tracker-missing-sequence", _tracker_missing_sequence, kind="layout",
         reason="tracker 't1' has no result for sequence 'B' (it has A;", fix="empty file is a valid result"),
    Case("tracker-sequence-names-mismatch", _tracker_names_mismatch, kind="layout",
         reason="no result for sequence 'A' (it has A-result, B-result;", fix="--seqmap"),
    Case("tracker-sequence-names-case", _tracker_names_case, kind="layout",
         reason="no result for sequence 'A' (it has a, b;", fix="--seqmap"),
    Case("trackers-folder-is-one-tracker", _trackers_folder_is_one_tracker, kind="layout",
         reason="no tracker folders found (it holds <seq>.txt files itself)", fix="folder above it"),
    Case("trackers-folder-empty", _trackers_folder_empty, kind="layout", reason="no tracker folders found.",
         fix="own sub-folder"),
    Case("gt-folder-is-one-sequence", _gt_folder_is_one_sequence, kind="layout",
         reason="one sequence's folder", fix="folder above it"),
    Case("gt-folder-wrong-benchmark", _wrong_benchmark, kind="layout", reason="it has MOT20-train",
         fix="--benchmark MOT20 --split train"),
    Case("gt-folder-missing", _gt_folder_missing, kind="layout", reason="ground-truth folder not found",
         fix="--gt-folder"),
    Case("gt-folder-is-a-file", _gt_folder_is_a_file, kind="layout", reason="ground-truth folder not found",
         fix="--gt-folder"),
    Case("gt-folder-empty", _gt_folder_empty, kind="layout", reason="no sequence folders with gt/gt.txt",
         fix="<gt-folder>/<seq>/gt/gt.txt"),
    # --- accepted: valid variants, and oddities that are kept and reported ------------------------------
    Case("accept-bom", tracker_text("\ufeff" + _loose_rows(3))),
    Case("accept-crlf", tracker_text(_loose_rows(3).replace("\n", "\r\n"))),
    Case("accept-cr-only", tracker_text(_loose_rows(3).replace("\n", "\r"))),
    Case("accept-tabs", tracker_text(_loose_rows(3).replace(",", "\t"))),
    Case("accept-extra-numeric-columns", tracker_text("1,1,10,10,20,40,1,-1,-1,-1,7,8,9\n")),
    Case("accept-empty-file", tracker_text("")),
    Case("accept-blank-lines", tracker_text("\n" + GOOD + "\n\n"), note="ignored 3 row(s): blank lines"),
    Case("accept-negative-size", tracker_text(GOOD + "2,1,10,10,-20,40\n3,1,10,10,20,-1\n"),
         note="2 row(s) kept but flagged: negative width or height (first on line 2)"),
    Case("accept-extra-tracker-sequence", _extra_tracker_sequence),
    Case("accept-nan-confidence", tracker_text(GOOD + "2,1,10,10,20,40,nan,-1,-1,-1\n"),
         note="1 row(s) kept but flagged: column 7 (confidence) is empty or NaN (first on line 2); read as 1"),
    Case("accept-id-below-2-pow-53", tracker_text(GOOD + f"2,{2**53 - 1},10,10,20,40\n")),
    Case("accept-percent-in-seqinfo", seqinfo_text("[Sequence]\nname=A%(x)s\nseqLength=10\n"), kind="seqinfo"),
]


def cases(accepted: bool | None = None) -> list[Case]:
    """The corpus; only the rejected (False) or only the accepted (True) cases when asked."""
    return [c for c in CORPUS if accepted is None or (c.reason is None) == accepted]
