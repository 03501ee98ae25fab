"""ImageNet VID (``--format imagenet_vid``): snippet XML ground truth, MOT-text results with a class
column. TrackEval 1.3.0 has no ImageNet VID class; VID has no preprocessing, so each class is the
MOTChallenge evaluation without preprocessing of that class's boxes alone. Parity: every class of
every generated snippet is written as MOTChallenge files and scored by TrackEval's
``MotChallenge2DBox`` with ``DO_PREPROC=False``; every HOTA / CLEAR / Identity / Count field agrees
(floats to 1e-9, counts exactly) per class x snippet and per class combined. Plus the hardened XML
reader's refusals and the bad-input standard."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from core_cases import field_mismatches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import install_numpy_shim, make_trackeval_layout, trackeval_folders

install_numpy_shim()

from tracklens.dashboard.cli import main  # noqa: E402
from tracklens.errors import InputError  # noqa: E402
from tracklens.evaluate import COMBINED, evaluate  # noqa: E402
from tracklens.formats.imagenet_vid import CLASSES, SYNSETS, read_vid_snippet  # noqa: E402
from tracklens.formats.layouts import resolve_dataset  # noqa: E402


def frame_xml(objects) -> str:
    body = "".join(
        f"<object><trackid>{tid}</trackid><name>{syn}</name><bndbox><xmax>{x1!r}</xmax><xmin>{x0!r}</xmin>"
        f"<ymax>{y1!r}</ymax><ymin>{y0!r}</ymin></bndbox><occluded>0</occluded><generated>0</generated></object>"
        for tid, syn, (x0, y0, x1, y1) in objects)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<annotation><folder>snip</folder><size><width>1280</width>'
            f"<height>720</height></size>{body}</annotation>\n")


@st.composite
def vid_snippet(draw):
    """Frames of XML objects (3 classes) and one tracker's rows ``(frame, id, x, y, w, h, score, class)``."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 6))
    frames = [[] for _ in range(n)]
    rows = []
    for k in range(draw(st.integers(0, 4))):
        cls = draw(st.sampled_from((1, 7, 30)))
        start = draw(st.integers(0, n - 1))
        x, y = draw(st.integers(0, 30)) * 10.0, draw(st.integers(0, 20)) * 10.0
        w, h = draw(st.integers(2, 8)) * 10.0, draw(st.integers(2, 8)) * 10.0
        switch = draw(st.integers(0, n))
        tcls = cls if draw(st.integers(0, 4)) else draw(st.sampled_from((1, 7, 30)))
        for f in range(start, n):
            if draw(st.integers(0, 5)) == 0:
                continue
            box = (x + 6.0 * (f - start), y, x + 6.0 * (f - start) + w, y + h)
            frames[f].append((k, SYNSETS[cls - 1], box))
            if draw(st.integers(0, 4)):
                d = rng.uniform(-8, 8, 4).round(1)
                bx, by = float(box[0] + d[0]), float(box[1] + d[1])
                rows.append((f + 1, k if f < switch else 10 + k, bx, by, float(w + d[2]), float(h + d[3]), 0.8, tcls))
    for j in range(draw(st.integers(0, 3))):
        f = draw(st.integers(1, n))
        rows.append((f, 20 + j, draw(st.integers(0, 30)) * 10.0, 50.0, 30.0, 30.0, 0.4, draw(st.sampled_from((1, 7)))))
    return frames, sorted(rows, key=lambda r: r[0])


def write_vid(root: Path, snippets: dict) -> tuple[Path, Path]:
    gt, trs = root / "gt", root / "trackers"
    for name, (frames, rows) in snippets.items():
        (gt / name).mkdir(parents=True)
        for t, objects in enumerate(frames):
            (gt / name / f"{t:06d}.xml").write_text(frame_xml(objects))
        (trs / "T" / "data").mkdir(parents=True, exist_ok=True)
        (trs / "T" / "data" / f"{name}.txt").write_text(
            "".join(f"{f},{i},{x!r},{y!r},{w!r},{h!r},{s},{c},-1,-1\n" for f, i, x, y, w, h, s, c in rows))
    return gt, trs


def trackeval_per_class(root: Path, snippets: dict, cls: int) -> dict:
    """TrackEval's MotChallenge2DBox, no preprocessing, on the boxes of one class."""
    sequences = {}
    for name, (frames, rows) in snippets.items():
        gt_txt, tr_txt = root / f"{name}-{cls}-gt.txt", root / f"{name}-{cls}-tr.txt"
        gt_lines = []
        for t, objects in enumerate(frames):
            for tid, syn, (x0, y0, x1, y1) in objects:
                if SYNSETS.index(syn) + 1 == cls:
                    gt_lines.append(f"{t + 1},{tid},{x0!r},{y0!r},{x1 - x0!r},{y1 - y0!r},1,1,1\n")
        gt_txt.write_text("".join(gt_lines))
        tr_txt.write_text("".join(f"{f},{i},{x!r},{y!r},{w!r},{h!r},{s},-1,-1,-1\n"
                                  for f, i, x, y, w, h, s, c in rows if c == cls))
        sequences[name] = (gt_txt, len(frames), {"T": tr_txt})
    g, t = make_trackeval_layout(root / f"te{cls}", sequences, benchmark="MOT15")
    return trackeval_folders(g, t, "MOT15", "train", do_preproc=False)["T"]


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(vid_snippet(), min_size=1, max_size=3))
def test_imagenet_vid_matches_trackeval_per_class(snips):
    snippets = {f"ILSVRC2015_val_{k:08d}": s for k, s in enumerate(snips)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        gt, trs = write_vid(root, snippets)
        present = sorted({SYNSETS.index(syn) + 1 for frames, _ in snippets.values() for objs in frames
                          for _, syn, _ in objs})
        if not present:
            with pytest.raises(InputError):
                resolve_dataset("imagenet_vid", str(gt), str(trs))
            return
        run = evaluate(resolve_dataset("imagenet_vid", str(gt), str(trs)))
        assert run.classes == tuple(CLASSES[c - 1] for c in present)
        bad = []
        for c in present:
            ref = trackeval_per_class(root, snippets, c)
            for seq, fields in ref.items():
                ours = run.metrics["T"][CLASSES[c - 1]][seq if seq != "COMBINED_SEQ" else COMBINED]
                bad += [f"{CLASSES[c - 1]}/{seq} {m}" for m in field_mismatches(ours, fields)]
        assert not bad, "\n".join(bad[:20])


def test_detections_without_ids_are_linked_on_request(tmp_path, capsys):
    frames = [[(0, SYNSETS[6], (10.0 + 5 * t, 10.0, 60.0 + 5 * t, 60.0))] for t in range(4)]
    rows = [(t + 1, -1, 11.0 + 5 * t, 10.0, 50.0, 50.0, 0.9, 7) for t in range(4)]
    gt, trs = write_vid(tmp_path, {"snip": (frames, rows)})
    args = ["eval", "--format", "imagenet_vid", "--gt-folder", str(gt), "--trackers-folder", str(trs), "--quiet"]
    assert main(args) == 2
    assert "detections without identities" in capsys.readouterr().err
    out = tmp_path / "m.json"
    assert main([*args, "--link", "iou", "--json", str(out)]) == 0
    import json
    data = json.loads(out.read_text())
    assert data["T (ids linked by tracklens)"]["car"]["snip"]["IDSW"] == 0
    assert data["T (ids linked by tracklens)"]["car"]["snip"]["CLR_TP"] == 4


# ------------------------------------------------------------------------------------------------
# Hardened XML and the bad-input standard


def _snippet(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "snip"
    folder.mkdir()
    (folder / "000000.xml").write_text(text)
    return folder


GOOD_OBJECT = ("<object><trackid>0</trackid><name>n02958343</name><bndbox><xmin>1</xmin><ymin>2</ymin>"
               "<xmax>30</xmax><ymax>40</ymax></bndbox></object>")


def test_reads_a_frame(tmp_path):
    d = read_vid_snippet(str(_snippet(tmp_path, f"<annotation>{GOOD_OBJECT}</annotation>")))
    assert d.num_frames == 1 and d.cls.tolist() == [7] and d.box.tolist() == [[1.0, 2.0, 29.0, 38.0]]


@pytest.mark.parametrize("text, what", [
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
     "<annotation>&lol2;</annotation>", "declares a DOCTYPE or an ENTITY"),
    ('<!DOCTYPE a SYSTEM "file:///etc/passwd"><annotation/>', "declares a DOCTYPE or an ENTITY"),
    ("<annotation><object>", "not well-formed XML"),
    ("<root/>", "the root element is <root>, not <annotation>"),
    (f"<annotation>{GOOD_OBJECT.replace('n02958343', 'n99999999')}</annotation>",
     "object 1: name 'n99999999' is not one of the 30 VID classes"),
    (f"<annotation>{GOOD_OBJECT.replace('<trackid>0</trackid>', '<trackid>-3</trackid>')}</annotation>",
     "object 1: trackid is '-3', not a non-negative integer"),
    (f"<annotation>{GOOD_OBJECT.replace('<xmin>1</xmin>', '<xmin>nan</xmin>')}</annotation>",
     "object 1: xmin is 'nan', not a finite number"),
    (f"<annotation>{GOOD_OBJECT}{GOOD_OBJECT}</annotation>", "object 2: trackid 0 appears twice in this frame"),
    (f"<annotation>{GOOD_OBJECT.split('<bndbox>')[0]}</object></annotation>", "object 1 has no <bndbox>"),
])
def test_bad_xml_names_file_place_and_fix(tmp_path, text, what):
    folder = _snippet(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_vid_snippet(str(folder))
    assert info.value.path.endswith("000000.xml")
    assert what in info.value.reason, info.value.reason
    assert info.value.fix


def test_not_utf8_is_refused(tmp_path):
    folder = tmp_path / "snip"
    folder.mkdir()
    (folder / "000000.xml").write_bytes('<?xml version="1.0" encoding="utf-16"?><annotation/>'.encode("utf-16"))
    with pytest.raises(InputError, match="not a UTF-8 text file"):
        read_vid_snippet(str(folder))


def test_results_without_a_class_column_are_refused(tmp_path):
    frames = [[(0, SYNSETS[6], (10.0, 10.0, 60.0, 60.0))]]
    gt, trs = write_vid(tmp_path, {"snip": (frames, [])})
    (trs / "T" / "data" / "snip.txt").write_text("\n1,3,10,10,50,50,0.9\n")
    with pytest.raises(InputError) as info:
        evaluate(resolve_dataset("imagenet_vid", str(gt), str(trs)))
    assert info.value.line == 2 and "need the class in column 8" in info.value.reason and info.value.fix


def test_layout_errors(tmp_path):
    with pytest.raises(InputError, match="no snippet folders"):
        resolve_dataset("imagenet_vid", str(tmp_path), None)
    _snippet(tmp_path, f"<annotation>{GOOD_OBJECT}</annotation>")
    (tmp_path / "trs" / "T").mkdir(parents=True)
    with pytest.raises(InputError, match="tracker 'T' has no result for snippet 'snip'"):
        resolve_dataset("imagenet_vid", str(tmp_path), str(tmp_path / "trs"))
    with pytest.raises(InputError, match="zebra2 is not an ImageNet VID class"):
        resolve_dataset("imagenet_vid", str(tmp_path), None, classes=["zebra2"])
