"""The MOTChallenge reader, seqinfo/seqmap/layout resolution and the CLI: what good files give, and
that every bad input stops with an ``InputError`` naming the file, the line and a fix."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tracklens.dashboard import cli
from tracklens.errors import InputError
from tracklens.evaluate import evaluate
from tracklens.formats.motchallenge import read_mot_file, read_seqinfo, read_seqmap
from tracklens.layout import resolve
from tracklens.metrics.hota import ALPHAS
from tracklens.prepare import prepare
from tracklens.fields import is_per_alpha
from tracklens.results import ALPHA_LABELS

ROW = "1,1,10,20,30,40,1,1,1"


def write(tmp_path: Path, text: str | bytes, name: str = "f.txt") -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    return str(path)


def read(tmp_path: Path, text: str | bytes, num_frames: int = 10, is_gt: bool = False, name: str = "f.txt"):
    return read_mot_file(write(tmp_path, text, name), num_frames, is_gt=is_gt)


def error_of(tmp_path: Path, text: str | bytes, num_frames: int = 10, is_gt: bool = False) -> InputError:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_mot_file(path, num_frames, is_gt=is_gt)
    err = info.value
    assert err.path == path
    assert err.fix, "every error carries a fix hint"
    assert str(err).startswith(f"{path}:{err.line}: " if err.line is not None else f"{path}: ")
    assert "\n" not in str(err)
    return err


# ------------------------------------------------------------------------------------ good files


def test_basic_columns_and_order(tmp_path: Path) -> None:
    d = read(tmp_path, "2,7,1.5,2.5,3,4,0.9,-1,-1,-1\n1,3,5,6,7,8,0.8,-1,-1,-1\n2,3,9,9,9,9,0.7,-1,-1,-1\n")
    assert d.frame.tolist() == [1, 2, 2]  # frame-sorted, file order kept inside a frame
    assert d.id.tolist() == [3, 7, 3]
    assert d.line.tolist() == [2, 1, 3]
    assert d.box.tolist() == [[5, 6, 7, 8], [1.5, 2.5, 3, 4], [9, 9, 9, 9]]
    assert d.conf.tolist() == [0.8, 0.9, 0.7]
    assert d.offsets.tolist() == [0, 1, 3] + [3] * 8
    assert d.frame.dtype == np.int64 and d.id.dtype == np.int64
    assert d.ignored == ()


@pytest.mark.parametrize("text", [
    "1,1,10,20,30,40,1,1,1\r\n2,1,11,21,31,41,1,1,1\r\n",  # CRLF
    "\ufeff1,1,10,20,30,40,1,1,1\n2,1,11,21,31,41,1,1,1\n",  # UTF-8 BOM
    "\ufeff1,1,10,20,30,40,1,1,1\r\n2,1,11,21,31,41,1,1,1",  # both, no final newline
    "1 1 10 20 30 40 1 1 1\n2\t1\t11  21 31 41 1 1 1\n",  # whitespace-separated
    "1,1,10,20,30,40,1,1,1,\n2,1,11,21,31,41,1,1,1,\n",  # trailing commas
    "1,1,10,20,30,40,1,1,1\n2,1,11,21,31,41,1,1,1,\n",  # a trailing comma on some rows only
    " 1 , 1 , 10 , 20 , 30 , 40 , 1 , 1 , 1\n2, 1, 11, 21, 31, 41, 1, 1, 1\n",  # spaces around commas
    "1.000,1.000,10,20,30,40,1,1,1\n2.0,1.0,11,21,31,41,1,1,1\n",  # float-formatted frames and ids
    "1,1,1.0e1,2e1,30.0,40,1,1,1\n2,1,11,21,31,41,1,1,1\n",  # exponent notation
], ids=["crlf", "bom", "bom+crlf", "whitespace", "trailing-commas", "some-trailing", "spaces", "float-ids", "exp"])
def test_accepted_variants(tmp_path: Path, text: str) -> None:
    d = read(tmp_path, text, is_gt=True)
    assert d.frame.tolist() == [1, 2] and d.id.tolist() == [1, 1]
    assert d.box.tolist() == [[10, 20, 30, 40], [11, 21, 31, 41]]
    assert d.cls.tolist() == [1, 1] and d.conf.tolist() == [1, 1]


@pytest.mark.parametrize("ncols", [6, 7, 8, 9, 10])
@pytest.mark.parametrize("is_gt", [True, False])
def test_column_counts(tmp_path: Path, ncols: int, is_gt: bool) -> None:
    full = [3, 5, 1.5, 2.5, 10, 20, 0.5, 7, 0.25, -1]
    d = read(tmp_path, ",".join(str(v) for v in full[:ncols]) + "\n", is_gt=is_gt)
    assert (d.frame[0], d.id[0]) == (3, 5)
    assert d.box.tolist() == [[1.5, 2.5, 10, 20]]
    assert d.conf[0] == (0.5 if ncols > 6 else 1.0)
    assert d.cls[0] == (7 if ncols > 7 else (-1 if is_gt else 1))
    if ncols > 8:
        assert d.vis[0] == 0.25
    else:
        assert math.isnan(d.vis[0])


@pytest.mark.parametrize("text", ["", "\n", "\n\n  \n", "\r\n"])
def test_empty_file_is_empty_detections(tmp_path: Path, text: str) -> None:
    d = read(tmp_path, text, num_frames=5)
    assert len(d) == 0 and d.num_frames == 5
    assert d.offsets.tolist() == [0] * 6


@pytest.mark.parametrize("text,blank", [
    (f"{ROW}\n\n2,1,1,1,1,1,1,1,1\n\n", 2),
    (f"\n{ROW}\n2,1,1,1,1,1,1,1,1\n", 1),  # leading blank line
    (f"\n\n{ROW}\n\n\n2,1,1,1,1,1,1,1,1\n\n", 5),
    ("1 1 1 1 1 1\n   \n2 1 1 1 1 1\n", 1),  # whitespace-only line in a whitespace-separated file
])
def test_blank_lines_are_counted(tmp_path: Path, text: str, blank: int) -> None:
    d = read(tmp_path, text)
    assert d.frame.tolist() == [1, 2]
    assert len(d.ignored) == 1 and d.ignored[0].count == blank and "blank" in d.ignored[0].reason
    # Line numbers still refer to the file.
    lines = text.split("\n")
    for frame, line in zip(d.frame, d.line):
        assert lines[line - 1].strip().startswith(str(frame))


def test_line_numbers_survive_blank_lines(tmp_path: Path) -> None:
    err = error_of(tmp_path, f"\n{ROW}\n\n1,2,1,1,1,1\n\n1,2,1,1,1,1\n")
    assert err.line == 6


# ------------------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("text,line,words", [
    (f"{ROW}\n2,1,1,2,3\n", 2, "fewer than 6 values"),  # short row among full ones
    ("1,1,1,2,3\n2,1,1,2,3,4,1,1,1\n", 1, "fewer than 6 values"),  # first row short
    ("1,1,1,2,3\n2,1,1,2,3\n", 1, "at least 6"),  # every row short
    (f"{ROW}\n2,1,,2,3,4\n", 2, "empty value"),
    (f"{ROW}\n2,1,abc,2,3,4\n", 2, "'abc' is not a number"),
    ("1 1 1 2 3 4\n2 1 1 x 3 4\n", 2, "'x' is not a number"),
    ("frame,id,x,y,w,h\n1,1,1,2,3,4\n", 1, "'frame' is not a number"),  # a header line
    (f"{ROW}\n2,1,nan,2,3,4\n", 2, "NaN or infinite"),
    (f"{ROW}\n2,1,1,inf,3,4\n", 2, "NaN or infinite"),
    (f"{ROW}\n2,1,1,2,-inf,4\n", 2, "NaN or infinite"),
    (f"{ROW}\n2,1.5,1,2,3,4\n", 2, "id 1.5 is not a whole number"),
    (f"{ROW}\n2.5,1,1,2,3,4\n", 2, "frame 2.5 is not a whole number"),
    (f"{ROW}\n2,-1,1,2,3,4\n", 2, "negative id -1"),
    (f"{ROW}\n2,100000000000000000000,1,2,3,4\n", 2, "too large"),  # would wrap around in int64
    (f"{ROW}\n0,1,1,2,3,4\n", 2, "frame 0 is outside 1..10"),
    (f"{ROW}\n11,1,1,2,3,4\n", 2, "frame 11 is outside 1..10"),
    (f"{ROW}\n-3,1,1,2,3,4\n", 2, "frame -3 is outside"),
], ids=["short-row", "short-first", "all-short", "empty-cell", "non-numeric", "non-numeric-ws", "header",
        "nan", "inf", "-inf", "fractional-id", "fractional-frame", "negative-id", "huge-id", "frame-0",
        "frame-beyond", "negative-frame"])
def test_bad_rows(tmp_path: Path, text: str, line: int, words: str) -> None:
    err = error_of(tmp_path, text)
    assert err.line == line
    assert words in err.reason, err.reason


@pytest.mark.parametrize("is_gt,who", [(True, "ground truth"), (False, "tracker")])
def test_duplicate_id_names_both_lines(tmp_path: Path, is_gt: bool, who: str) -> None:
    err = error_of(tmp_path, f"{ROW}\n2,1,1,1,1,1,1,1,1\n1,2,1,1,1,1,1,1,1\n1,1,5,5,5,5,1,1,1\n", is_gt=is_gt)
    assert err.line == 4
    assert f"{who} id 1 appears 2 times in frame 1" in err.reason
    assert "lines 1, 4" in err.reason


def test_duplicate_check_has_no_overflow(tmp_path: Path) -> None:
    """Ids below 2**53 are valid: (frame 2049, id 0) and (frame 1, id 2048) are different boxes, though
    frame * (max_id + 1) + id wraps around to the same int64 for both."""
    big = 2**53 - 1
    rows = f"1,2048,1,1,1,1\n1,{big},1,1,1,1\n2049,0,1,1,1,1\n"
    d = read(tmp_path, rows, num_frames=2049)
    assert d.frame.tolist() == [1, 1, 2049] and d.id.tolist() == [2048, big, 0]
    err = error_of(tmp_path, rows + f"2049,{big},2,2,2,2\n1,{big},3,3,3,3\n", num_frames=2049)
    assert f"id {big} appears 2 times in frame 1 (lines 2, 5)" in err.reason


@pytest.mark.parametrize("data", [b"\x00\x01\x02garbage\x00", b"PK\x03\x04" + bytes(100)])
def test_binary_file(tmp_path: Path, data: bytes) -> None:
    err = error_of(tmp_path, data)
    assert "binary" in err.reason


def test_non_utf8_text(tmp_path: Path) -> None:
    err = error_of(tmp_path, bytes(range(128, 256)) * 3)
    assert err.line == 1 and "not a number" in err.reason


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_mot_file(str(tmp_path / "nope.txt"), 3, is_gt=True)
    assert "not found" in info.value.reason and info.value.fix


# --------------------------------------------------------------------------- seqinfo, seqmap, layout


def test_seqinfo_good(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff[Sequence]\r\nname=S\r\nimDir=img1\r\nframeRate=25\r\nseqLength=71\r\n"
                           "imWidth=640\r\nimHeight=480\r\nimExt=.jpg\r\n", "S/seqinfo.ini")
    info = read_seqinfo(path)
    assert (info.name, info.length, info.width, info.height, info.fps, info.im_dir, info.im_ext) == \
        ("S", 71, 640, 480, 25.0, "img1", ".jpg")


@pytest.mark.parametrize("text,words", [
    ("[Sequence]\nname=S\n", "seqLength is missing"),
    ("[Sequence]\nseqLength=-4\n", "seqLength is missing or negative"),
    ("[Sequence]\nseqLength=abc\n", "not a number"),
    ("seqLength=10\n", "[Sequence] section"),
    ("[Other]\nseqLength=10\n", "[Sequence] section"),
])
def test_seqinfo_bad(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path, text, "S/seqinfo.ini")
    with pytest.raises(InputError) as info:
        read_seqinfo(path)
    assert info.value.path == path and words in info.value.reason and info.value.fix
    assert "\n" not in str(info.value)


def test_seqinfo_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_seqinfo(str(tmp_path / "S" / "seqinfo.ini"))
    assert "not found" in info.value.reason and "seqLength" in info.value.fix


def test_seqmap(tmp_path: Path) -> None:
    assert read_seqmap(write(tmp_path, "name\nA\n\nB,extra\n", "map.txt")) == ["A", "B"]
    with pytest.raises(InputError, match="lists no sequence"):
        read_seqmap(write(tmp_path, "name\n\n", "empty.txt"))
    with pytest.raises(InputError, match="seqmap file not found"):
        read_seqmap(str(tmp_path / "missing.txt"))


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    """Plain layout: gt/<seq>/{gt/gt.txt, seqinfo.ini}, trackers/<name>/<seq>.txt (t1 complete, t2 not)."""
    for seq in ("A", "B"):
        write(tmp_path, f"{ROW}\n", f"gt/{seq}/gt/gt.txt")
        write(tmp_path, "[Sequence]\nseqLength=3\n", f"gt/{seq}/seqinfo.ini")
        write(tmp_path, "1,1,10,20,30,40,1,-1,-1,-1\n", f"trackers/t1/{seq}.txt")
    write(tmp_path, "", "trackers/t2/data/A.txt")  # empty: a valid result
    return tmp_path


def test_resolve_plain_layout(plain: Path) -> None:
    layout = resolve(str(plain / "gt"), str(plain / "trackers"), "MOT15", trackers=["t1"])
    assert [s.name for s in layout.sequences] == ["A", "B"]
    assert layout.trackers == ("t1",)
    run = evaluate(layout)
    assert run.metrics["t1"]["A"]["CLR_TP"] == 1


@pytest.mark.parametrize("kind", ["tracker-file", "tracker", "gt-folder", "trackers-folder", "seqmap",
                                  "seqmap-sequence"])
def test_resolve_missing(plain: Path, kind: str) -> None:
    gt, trackers = str(plain / "gt"), str(plain / "trackers")
    args: dict = {"benchmark": "MOT15"}
    expected_path = {
        "tracker-file": plain / "trackers" / "t2" / "data" / "B.txt",
        "tracker": plain / "trackers" / "t3",
        "gt-folder": plain / "nogt",
        "trackers-folder": plain / "notrackers",
        "seqmap": plain / "nomap.txt",
        "seqmap-sequence": plain / "gt" / "C" / "gt" / "gt.txt",
    }[kind]
    if kind == "tracker-file":
        args["trackers"] = ["t1", "t2"]
    elif kind == "tracker":
        args["trackers"] = ["t3"]
    elif kind == "gt-folder":
        gt = str(expected_path)
    elif kind == "trackers-folder":
        trackers = str(expected_path)
    elif kind == "seqmap":
        args["seqmap"] = str(expected_path)
    else:
        args["seqmap"] = write(plain, "name\nA\nC\n", "map.txt")
        args["trackers"] = ["t1"]
    with pytest.raises(InputError) as info:
        resolve(gt, trackers, **args)
    assert info.value.path == str(expected_path)
    assert info.value.fix


# ----------------------------------------------------------------------------- class checks (prepare)


def test_tracker_class_above_one(tmp_path: Path) -> None:
    gt = read(tmp_path, f"{ROW}\n", is_gt=True, name="gt.txt")
    tr = read(tmp_path, "1,1,10,20,30,40,1,-1,-1\n1,2,10,20,30,40,1,2,-1\n", name="tr.txt")
    for benchmark in ("MOT17", "MOT15"):  # TrackEval checks tracker classes for every benchmark
        with pytest.raises(InputError) as info:
            prepare("S", gt, tr, benchmark=benchmark)
        assert info.value.path == tr.source and info.value.line == 2
        assert "class 2" in info.value.reason and info.value.fix


def test_gt_class_14(tmp_path: Path) -> None:
    gt = read(tmp_path, f"{ROW}\n1,2,1,1,5,5,1,14,1\n", is_gt=True, name="gt.txt")
    tr = read(tmp_path, "1,1,10,20,30,40,1,-1,-1\n", name="tr.txt")
    with pytest.raises(InputError) as info:
        prepare("S", gt, tr, benchmark="MOT17")
    assert info.value.path == gt.source and info.value.line == 2
    assert "class 14" in info.value.reason and "MOT15" in info.value.fix
    prepare("S", gt, tr, benchmark="MOT15")  # no classes in MOT15
    prepare("S", gt, tr, benchmark="MOT17", preprocess=False)


# ----------------------------------------------------------------------------------------------- CLI


def sample_args(sample_dir: Path) -> list[str]:
    return ["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
            "--benchmark", "MOT15"]


def test_cli_bad_file_is_one_line_error(plain: Path, capsys) -> None:
    bad = plain / "trackers" / "t1" / "B.txt"
    bad.write_text("1,1,10,20,30,40\n1,1,11,21,31,41\n")
    rc = cli.main(["eval", "--gt-folder", str(plain / "gt"), "--trackers-folder", str(plain / "trackers"),
                   "--benchmark", "MOT15", "--trackers", "t1", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith(f"tracklens: error: {bad}:2: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "Fix:" in err


def test_cli_missing_file_is_one_line_error(plain: Path, capsys) -> None:
    rc = cli.main(["eval", "--gt-folder", str(plain / "gt"), "--trackers-folder", str(plain / "trackers"),
                   "--benchmark", "MOT15", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith(f"tracklens: error: {plain / 'trackers' / 't2' / 'data' / 'B.txt'}: ")
    assert err.count("\n") == 1


def test_cli_json_and_csv_on_sample(sample_dir: Path, tmp_path: Path, capsys) -> None:
    out_json, out_csv = tmp_path / "out.json", tmp_path / "out.csv"
    rc = cli.main(sample_args(sample_dir) + ["--json", str(out_json), "--csv", str(out_csv)])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "COMBINED" in printed and "TUD-Campus" in printed

    run = evaluate(resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15"))
    out = json.loads(out_json.read_text())
    assert sorted(out) == ["masa", "motmetrics_test"]
    for tracker, seqs in out.items():
        assert list(seqs) == ["TUD-Campus", "TUD-Stadtmitte", "COMBINED"]
        for seq, fields in seqs.items():
            ours = run.metrics[tracker]["COMBINED_SEQ" if seq == "COMBINED" else seq]
            for key, value in ours.items():
                if is_per_alpha(key):
                    assert len(fields[f"{key}_alpha"]) == 19
                    assert fields[f"{key}_alpha"] == [float(v) for v in value]
                    assert fields[key] == float(np.mean(value))
                else:
                    assert fields[key] == value, key
            for key in ("HOTA_TP", "HOTA_FN", "HOTA_FP"):
                assert f"{key}_alpha" in fields
    assert out["motmetrics_test"]["TUD-Campus"]["IDSW"] == 7

    table = pd.read_csv(out_csv)
    hota_cols = [f"HOTA___{a}" for a in ALPHA_LABELS]
    assert ALPHA_LABELS == list(range(5, 100, 5))
    assert all(c in table.columns for c in hota_cols + ["HOTA___AUC", "HOTA_TP___5", "HOTA_TP___95", "MOTA", "IDF1"])
    assert list(table["seq"]) == ["TUD-Campus", "TUD-Stadtmitte", "COMBINED"] * 2
    row = table[(table["tracker"] == "masa") & (table["seq"] == "COMBINED")].iloc[0]
    hota = run.metrics["masa"]["COMBINED_SEQ"]["HOTA"]
    assert np.allclose(row[hota_cols].to_numpy(float), hota, rtol=0, atol=1e-15)
    assert row["HOTA___AUC"] == pytest.approx(float(np.mean(hota)), abs=1e-15)
    assert len(ALPHAS) == 19


def test_cli_workers_same_json(sample_dir: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "1.json", tmp_path / "2.json"
    assert cli.main(sample_args(sample_dir) + ["--quiet", "--json", str(one)]) == 0
    assert cli.main(sample_args(sample_dir) + ["--quiet", "--workers", "2", "--json", str(two)]) == 0
    assert one.read_text() == two.read_text()


# ----------------------------------------------------------------------------- exact float parsing


def _text_cells(path: str) -> np.ndarray:
    """Columns 1-6 of every non-blank line, each cell through Python's float()."""
    with open(path, encoding="utf-8-sig") as fp:
        rows = [line.split(",")[:6] for line in fp if line.strip()]
    return np.array([[float(c) for c in r] for r in rows])


@pytest.mark.shared
def test_float_parsing_is_exact_on_mot17(shared_data: Path) -> None:
    """For every MOT17 gt and tracker file, our parsed frames, ids and boxes equal float() of the text
    cells bit for bit (so IoUs are TrackEval's to the last bit)."""
    gt_root = shared_data / "mot_challenge" / "gt" / "mot_challenge" / "MOT17-train"
    tr_root = shared_data / "mot_challenge" / "trackers" / "mot_challenge" / "MOT17-train"
    checked = 0
    for seq in sorted(os.listdir(gt_root)):
        length = read_seqinfo(str(gt_root / seq / "seqinfo.ini")).length
        files = [(str(gt_root / seq / "gt" / "gt.txt"), True)]
        files += [(str(tr_root / t / "data" / f"{seq}.txt"), False) for t in sorted(os.listdir(tr_root))]
        for path, is_gt in files:
            d = read_mot_file(path, length, is_gt=is_gt)
            ref = _text_cells(path)
            assert len(d) == len(ref), path
            assert not d.ignored
            rows = ref[d.line - 1]
            assert np.array_equal(d.frame, rows[:, 0].astype(np.int64)), path
            assert np.array_equal(d.id, rows[:, 1].astype(np.int64)), path
            assert d.box.tobytes() == np.ascontiguousarray(rows[:, 2:6]).tobytes(), path
            checked += 1
    assert checked == 21 * 4
