"""tracklens check: hand-made broken copies of real sequences are each found with the right fix, and
the score after that fix is the clean score (exactly where the fix is exact in floating point: all
but corners on MOT17's decimal boxes); generated cases (hypothesis) broken and fixed evaluate as the
clean data bit for bit; no findings on the clean real data; --fix is explicit, printed and recorded;
--strict is fatal."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from strategies import TrackingCase, tracking_cases

from tracklens.check import detect
from tracklens.check.checker import check_layout
from tracklens.check.findings import findings_from
from tracklens.check.fixes import Fix, apply_fixes, parse_fix, parse_fixes
from tracklens.check.rows import Rows
from tracklens.dashboard.cli import main
from tracklens.errors import InputError
from tracklens.evaluate import evaluate, evaluate_files
from tracklens.layout import SequenceFiles
from tracklens.run import RunInputs, RunOptions, resolve_inputs

SAMPLE_SEQS = ("TUD-Campus", "TUD-Stadtmitte")
MOT17_SEQ = "MOT17-05-FRCNN"
MOT17 = ("mot_challenge", "gt", "mot_challenge", "MOT17-train")
MOT17_TRACKERS = ("mot_challenge", "trackers", "mot_challenge", "MOT17-train")


def shifted(k):
    def fn(t):
        t[:, 0] += k
        return t
    return fn


def as_corners(t):
    t[:, 4] += t[:, 2]
    t[:, 5] += t[:, 3]
    return t


def halved(t):
    t[:, 2:6] *= 0.5
    return t


def with_class(c):
    def fn(t):
        t[:, 7] = c
        return t
    return fn


BREAKS = {  # name: (how the copy is broken, the fix expected, the finding's kind)
    "plus1": (shifted(1), "plus1:offset=-1", "frame-offset"),
    "zerob": (shifted(-1), "zerob:zero-based", "zero-based"),
    "corners": (as_corners, "corners:corners", "corners"),
    "half": (halved, "half:scale=2", "scale"),
}


def write_copy(root: Path, gt_dirs: dict[str, Path], tracker_files: dict[str, Path], breaks: dict) -> None:
    """gt/<seq> copied; trackers/<name>/<seq>.txt = the tracker file broken by ``breaks[name]``."""
    for seq, src in gt_dirs.items():
        (root / "gt" / seq / "gt").mkdir(parents=True)
        shutil.copy(src / "gt" / "gt.txt", root / "gt" / seq / "gt" / "gt.txt")
        shutil.copy(src / "seqinfo.ini", root / "gt" / seq / "seqinfo.ini")
    for name, fn in breaks.items():
        (root / "trackers" / name).mkdir(parents=True)
        for seq, path in tracker_files.items():
            rows = np.loadtxt(path, delimiter=",", ndmin=2)
            np.savetxt(root / "trackers" / name / f"{seq}.txt", fn(rows.copy()), delimiter=",", fmt="%.17g")


def layout_of(root: Path, benchmark: str, trackers=None, fixes=(), classes=None):
    inputs = RunInputs(str(root / "gt"), str(root / "trackers"), "mot", benchmark,
                       trackers=tuple(trackers) if trackers else None, classes=classes,
                       preprocess=classes is None, fixes=tuple(fixes))
    return resolve_inputs(inputs), inputs


def options(layout, inputs) -> RunOptions:
    return RunOptions("mot", layout.classes, layout.benchmark, inputs.preprocess, inputs.threshold)


def same_metrics(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert np.array_equal(np.asarray(a[key]), np.asarray(b[key])), key


def assert_found_and_fixed(root: Path, benchmark: str, name: str, fix: str, kind: str, classes=None) -> None:
    """The broken tracker gets one finding with a fix, of ``kind`` with ``fix``; its score after the fix
    and an evaluation with ``--fix`` both equal the clean tracker's, exactly."""
    layout, inputs = layout_of(root, benchmark, [name, "clean"], classes=classes)
    report = check_layout(layout, options(layout, inputs))
    with_fix = [f for f in report.findings if f.fixes]
    assert [(f.kind, f.tracker, f.fix_args) for f in with_fix] == [(kind, name, f"--fix {fix}")], report.to_dict()
    clean_layout, _ = layout_of(root, benchmark, ["clean"], classes=classes)
    clean_run = evaluate(clean_layout, preprocess=inputs.preprocess, threshold=inputs.threshold)
    clean = clean_run.class_metrics(layout.classes[0] if layout.classes else None)["clean"]
    flat = {k: float(np.mean(clean["COMBINED_SEQ"][k])) for k in ("HOTA", "MOTA", "IDF1")}
    assert with_fix[0].after == flat
    assert flat["HOTA"] > 0.5
    if with_fix[0].now is not None:  # some breaks cannot be evaluated at all (frames outside the sequence)
        assert with_fix[0].now["HOTA"] < flat["HOTA"]
    fixed_layout, fixed_inputs = layout_of(root, benchmark, [name], fixes=[fix], classes=classes)
    fixed = evaluate(fixed_layout, preprocess=fixed_inputs.preprocess, threshold=fixed_inputs.threshold)
    cls = fixed_layout.classes[0] if fixed_layout.classes else None
    for seq in [*(f.name for f in layout.sequences), "COMBINED_SEQ"]:
        same_metrics(fixed.class_metrics(cls)[name][seq], clean_run.class_metrics(cls)["clean"][seq])


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory, sample_dir) -> Path:
    root = tmp_path_factory.mktemp("broken_sample")
    write_copy(root, {s: sample_dir / "gt" / s for s in SAMPLE_SEQS},
               {s: sample_dir / "trackers" / "masa" / f"{s}.txt" for s in SAMPLE_SEQS},
               {"clean": lambda t: t, **{k: v[0] for k, v in BREAKS.items()},
                "moved": lambda t: np.column_stack([t[:, :2], t[:, 2] + 120, t[:, 3] - 40, t[:, 4:]])})
    return root


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_broken_sample_is_found_with_the_fix_that_restores_the_clean_score(sample_copy, name):
    _, fix, kind = BREAKS[name]
    assert_found_and_fixed(sample_copy, "MOT15", name, fix, kind)


def test_a_translation_is_found_with_its_vector(sample_copy):
    assert_found_and_fixed(sample_copy, "MOT15", "moved", "moved:translate=-120,40", "translation")


def test_no_findings_on_the_clean_sample(sample_dir):
    inputs = RunInputs(str(sample_dir / "gt"), str(sample_dir / "trackers"), "mot", "MOT15")
    layout = resolve_inputs(inputs)
    assert check_layout(layout, options(layout, inputs), score=False).findings == []
    assert findings_from(evaluate(layout, check=True).evidence) == []


@pytest.fixture(scope="module")
def mot17_copy(tmp_path_factory, shared_data) -> Path:
    root = tmp_path_factory.mktemp("broken_mot17")
    write_copy(root, {MOT17_SEQ: shared_data.joinpath(*MOT17, MOT17_SEQ)},
               {MOT17_SEQ: shared_data.joinpath(*MOT17_TRACKERS, "MoTT", "data", f"{MOT17_SEQ}.txt")},
               {"clean": with_class(1), "wrongclass": with_class(0),
                **{k: (lambda fn: lambda t: with_class(1)(fn(t)))(v[0]) for k, v in BREAKS.items()}})
    return root


@pytest.mark.shared
@pytest.mark.parametrize("name", ["plus1", "zerob", "half"])
def test_broken_mot17_sequence_is_found_with_the_fix_that_restores_the_clean_score(mot17_copy, name):
    _, fix, kind = BREAKS[name]
    assert_found_and_fixed(mot17_copy, "MOT17", name, fix, kind)


@pytest.mark.shared
def test_corner_boxes_in_a_mot17_sequence_are_found(mot17_copy):
    """MoTT's boxes have 13-digit decimals: x + w, then x2 - x, is not always w again in floating point,
    so the score after the fix is the clean one up to that rounding (the sample's test is exact)."""
    layout, inputs = layout_of(mot17_copy, "MOT17", ["corners", "clean"])
    [finding] = [f for f in check_layout(layout, options(layout, inputs)).findings if f.fixes]
    assert (finding.kind, finding.fix_args) == ("corners", "--fix corners:corners")
    clean_layout, _ = layout_of(mot17_copy, "MOT17", ["clean"])
    clean = evaluate(clean_layout).metrics["clean"]["COMBINED_SEQ"]
    for key in ("HOTA", "MOTA", "IDF1"):
        assert finding.after[key] == pytest.approx(float(np.mean(clean[key])), abs=1e-9)
    assert finding.now["HOTA"] + 0.3 < finding.after["HOTA"]


@pytest.mark.shared
def test_a_class_filter_removing_the_tracker_is_found_with_the_class_fix(mot17_copy):
    assert_found_and_fixed(mot17_copy, "MOT17", "wrongclass", "wrongclass:class=1", "class-filter", classes=("1",))


def mot15_copy(root: Path, shared_data: Path, seq_dir: Path) -> Path:
    """The TrackEval-free plain layout of one MOT15-style sequence whose trackers sit beside its gt."""
    seq = seq_dir.name
    (root / "gt" / seq / "gt").mkdir(parents=True)
    shutil.copy(seq_dir / "gt" / "gt.txt", root / "gt" / seq / "gt" / "gt.txt")
    shutil.copy(seq_dir / "seqinfo.ini", root / "gt" / seq / "seqinfo.ini")
    for path in sorted((seq_dir / "trackers").glob("*.txt")):
        (root / "trackers" / path.stem).mkdir(parents=True)
        shutil.copy(path, root / "trackers" / path.stem / f"{seq}.txt")
    return root


@pytest.mark.shared
@pytest.mark.parametrize("seq", ["MOT15-TUD/TUD-Campus", "MOT15-TUD/TUD-Stadtmitte", "PETS09-S2L1"])
def test_no_false_alarm_on_real_mot15_data(tmp_path, shared_data, seq):
    root = mot15_copy(tmp_path, shared_data, shared_data / seq)
    layout, inputs = layout_of(root, "MOT15")
    assert check_layout(layout, options(layout, inputs), score=False).findings == []
    assert findings_from(evaluate(layout, check=True).evidence) == []


@pytest.mark.shared
def test_no_false_alarm_on_mot17_train(shared_data):
    inputs = RunInputs(str(shared_data.joinpath(*MOT17[:3])), str(shared_data.joinpath(*MOT17_TRACKERS[:3])))
    layout = resolve_inputs(inputs)
    assert len(layout.sequences) == 21 and len(layout.trackers) == 3
    assert check_layout(layout, options(layout, inputs), score=False).findings == []
    assert findings_from(evaluate(layout, check=True).evidence) == []


# --- the detectors that need no matching, on small made-up tables


def rows(data) -> Rows:
    table = np.asarray(data, float)
    return Rows.from_table(np.column_stack([table, np.arange(1, len(table) + 1)]))


def test_duplicate_ids_are_counted_with_their_lines():
    found = detect.duplicate_ids("S", "t", rows([[1, 1, 0, 0, 5, 5, 1, 1], [1, 2, 9, 9, 5, 5, 1, 1],
                                                 [1, 1, 3, 3, 5, 5, 1, 1], [2, 1, 0, 0, 5, 5, 1, 1]]))
    assert [(e.kind, e.facts["duplicates"], e.facts["first"]) for e in found] == [
        ("duplicate-ids", 1, "id 1 in frame 1 (lines 1, 3)")]


def test_a_ground_truth_id_jumping_across_the_image_is_flagged_and_a_walk_is_not():
    walk = [[f, 1, 100 + 2 * f, 100, 20, 50, 1, 1] for f in range(1, 6)]
    assert detect.gt_id_jumps("S", rows(walk)) == []
    jump = walk + [[6, 1, 400, 100, 20, 50, 1, 1]]
    [e] = detect.gt_id_jumps("S", rows(jump))
    assert e.facts["jumps"] == 1 and e.facts["first"].startswith("id 1 from frame 5 to 6")


def test_boxes_outside_the_image_are_flagged_above_the_threshold_only():
    inside = [[f, 1, 10, 10, 20, 50, 1, 1] for f in range(1, 101)]
    away = [[f, 2, 700, 10, 20, 50, 1, 1] for f in range(1, 11)]
    assert detect.outside_image("S", "t", rows(inside + away[:1]), 640, 480) == []
    [e] = detect.outside_image("S", "t", rows(inside + away), 640, 480)
    assert e.facts["rows"] == 10 and e.facts["first_line"] == 101


def test_a_ground_truth_filter_keeping_almost_nothing_is_flagged():
    gt = rows([[1, k, 0, 0, 5, 5, 0, 1] for k in range(20)])
    [e] = detect.gt_filter("S", gt, np.zeros(20, bool), "the consider flag (column 7)")
    assert e.facts["share"] == 1.0


def test_offset_curve_needs_a_whole_frame_peak():
    assert detect.offset_from_curve({-2: 8.0, -1: 9.0, 0: 10.0, 1: 9.0, 2: 8.0}) is None
    assert detect.offset_from_curve({-2: 8.0, -1: 9.99, 0: 10.0, 1: 9.0, 2: 8.0}) is None  # a lag, not an offset
    k, vertex = detect.offset_from_curve({-2: 9.0, -1: 10.0, 0: 11.0, 1: 12.0, 2: 11.0})
    assert k == 1 and vertex == pytest.approx(1.0)


# --- fixes: parsing, applying, recording


def test_fixes_parse_and_print_canonically():
    assert str(parse_fix("t1:offset=1")) == "t1:offset=1"
    assert parse_fix("scale=0.5,0.5") == Fix("scale", (0.5, 0.5))
    assert str(parse_fix("Zero_Based")) == "zero-based"
    for bad in ("shift=1", "offset", "offset=1.5", "scale=0", "scale=nan", "corners=2", "a/b:corners"):
        with pytest.raises(InputError):
            parse_fix(bad)
    with pytest.raises(InputError):
        parse_fixes(["offset=1", "offset=2"])


def test_fixes_apply_in_one_order_to_raw_rows():
    table = np.array([[3.0, 1, 10, 20, 30, 60, 1, -1, -1, 7]])
    out = apply_fixes(table, [Fix("translate", (1, 2)), Fix("scale", (2,)), Fix("corners"), Fix("offset", (-1,))])
    assert out.tolist() == [[2.0, 1, 21, 42, 40, 80, 1, -1, -1, 7]]
    no_class_column = table[:, [0, 1, 2, 3, 4, 5, 9]]  # 6 values and the line number
    np.testing.assert_array_equal(apply_fixes(no_class_column, [Fix("class", (1,))]),
                                  [[3.0, 1, 10, 20, 30, 60, np.nan, 1, 7]])


def test_fixes_round_trip_through_the_manifest():
    inputs = RunInputs("/g", "/t", fixes=("t:offset=1", "scale=2"))
    assert RunInputs.from_manifest(inputs.to_manifest()).fixes == inputs.fixes
    assert RunInputs.from_manifest({k: v for k, v in inputs.to_manifest().items() if k != "fixes"}).fixes == ()


# --- the command line


def cli(*args) -> int:
    return main([str(a) for a in args])


def test_eval_prints_the_fix_and_records_it_in_the_saved_run(sample_copy, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert cli("eval", "--gt-folder", sample_copy / "gt", "--trackers-folder", sample_copy / "trackers",
               "--benchmark", "MOT15", "--trackers", "half", "--fix", "half:scale=2", "--save", run_dir, "--quiet") == 0
    err = capsys.readouterr().err
    assert "tracklens: fix applied: --fix half:scale=2: x, w x 2; y, h x 2, for tracker half" in err
    assert "check: nothing suspicious in 2 sequence(s) x 1 tracker(s)" in err
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["inputs"]["fixes"] == ["half:scale=2"]
    from tracklens.workspace import Workspace
    assert Workspace.load(str(run_dir)).inputs.fixes == ("half:scale=2",)


def test_eval_summary_names_the_finding_and_strict_makes_it_fatal(sample_copy, tmp_path, capsys):
    args = ["eval", "--gt-folder", sample_copy / "gt", "--trackers-folder", sample_copy / "trackers",
            "--benchmark", "MOT15", "--trackers", "half", "--quiet"]
    assert cli(*args) == 0
    err = capsys.readouterr().err
    assert "tracklens: check: tracker half: boxes are off by a constant scale" in err
    assert "(fix: --fix half:scale=2)" in err
    out = tmp_path / "m.json"
    assert cli(*args, "--strict", "--json", out) == 1
    assert "--strict: no results written" in capsys.readouterr().err
    assert not out.exists()
    assert cli(*args, "--no-check") == 0
    assert "check:" not in capsys.readouterr().err
    assert cli(*args, "--no-check", "--strict") == 2
    assert "Leave out one of them." in capsys.readouterr().err


def test_eval_says_what_is_behind_a_reading_error(sample_copy, capsys):
    assert cli("eval", "--gt-folder", sample_copy / "gt", "--trackers-folder", sample_copy / "trackers",
               "--benchmark", "MOT15", "--trackers", "zerob") == 2
    [err] = capsys.readouterr().err.splitlines()  # still one line: the error, the check's fix added to it
    assert err.startswith("tracklens: error: ") and "frame 0 is outside 1..71" in err
    assert err.endswith("tracklens check: tracker zerob: frames are counted from 0 (13 rows at frame 0, first on line 1 "
                        "of TUD-Campus) in TUD-Campus, TUD-Stadtmitte (fix: --fix zerob:zero-based).")


def test_check_command_prints_scores_writes_json_and_is_strict_on_request(sample_copy, tmp_path, capsys):
    out = tmp_path / "findings.json"
    args = ["check", "--gt-folder", sample_copy / "gt", "--trackers-folder", sample_copy / "trackers",
            "--benchmark", "MOT15", "--trackers", "corners", "clean", "--json", out]
    assert cli(*args) == 0
    text = capsys.readouterr().out
    assert "1. [corners] tracker corners: columns 5-6 hold x2, y2" in text
    assert "-> HOTA 97.11, MOTA 99.87, IDF1 95.78 with --fix corners:corners" in text
    [finding] = json.loads(out.read_text())["findings"]
    assert finding["fixes"] == ["corners:corners"] and finding["after"]["HOTA"] > finding["now"]["HOTA"]
    assert cli(*args, "--strict") == 1
    assert cli("check", "--gt-folder", sample_copy / "gt", "--trackers-folder", sample_copy / "trackers",
               "--benchmark", "MOT15", "--trackers", "clean", "--strict") == 0


def test_a_fix_naming_an_unknown_tracker_is_refused(sample_copy, capsys):
    assert cli("eval", "--gt-folder", sample_copy / "gt", "--trackers-folder", sample_copy / "trackers",
               "--benchmark", "MOT15", "--trackers", "clean", "--fix", "nobody:offset=1") == 2
    assert "names tracker 'nobody', which is not evaluated" in capsys.readouterr().err


# --- generated cases: a break undone by its --fix gives the clean evaluation, bit for bit

CI_SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                          HealthCheck.function_scoped_fixture])
EXACT_BREAKS = {  # break (on rows frame, id, x, y, w, h) and the fix that undoes it exactly
    "offset": (lambda r, k: np.column_stack([r[:, 0] + k, r[:, 1:]]), lambda k: f"offset={-k}"),
    "zero-based": (lambda r, k: np.column_stack([r[:, 0] - 1, r[:, 1:]]), lambda k: "zero-based"),
    "scale": (lambda r, k: np.column_stack([r[:, :2], r[:, 2:] / 2**k]), lambda k: f"scale={2**k}"),
    "translate": (lambda r, k: np.column_stack([r[:, :2], r[:, 2] - 8 * k, r[:, 3] + 4 * k, r[:, 4:]]),
                  lambda k: f"translate={8 * k},{-4 * k}"),
}


def sequence_files(folder: Path, case: TrackingCase, tracker_rows: np.ndarray, fixes=()) -> SequenceFiles:
    (folder / "seqinfo.ini").write_text(f"[Sequence]\nseqLength={case.num_frames}\n")
    broken = TrackingCase(case.num_frames, case.gt, tracker_rows)
    broken.write_mot(folder / "gt.txt", folder / "t.txt")
    return SequenceFiles("S", str(folder / "gt.txt"), str(folder / "seqinfo.ini"), {"t": str(folder / "t.txt")},
                         fixes=tuple(parse_fixes(fixes)))


@settings(max_examples=60, **CI_SETTINGS)
@given(tracking_cases(max_frames=15), hst.sampled_from(sorted(EXACT_BREAKS)), hst.integers(1, 3))
def test_an_exact_break_undone_by_its_fix_evaluates_as_the_clean_data(tmp_path_factory, case, kind, k):
    brk, fix = EXACT_BREAKS[kind]
    opts = RunOptions("mot", (), "MOT15")
    clean = evaluate_files(sequence_files(tmp_path_factory.mktemp("clean"), case, case.tracker), opts)
    fixed = evaluate_files(sequence_files(tmp_path_factory.mktemp("fixed"), case, brk(case.tracker, k), [fix(k)]), opts)
    same_metrics(fixed.metrics["t"][None], clean.metrics["t"][None])
