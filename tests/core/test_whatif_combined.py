"""What-if over all sequences: each fix's combined HOTA is the combined HOTA of the edited sequences, as
TrackEval itself combines them (its Evaluator's COMBINED_SEQ on the edited tracker files), and as our own
pipeline combines them; the gain is against the combined baseline."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracklens.analysis.whatif import BASELINE, FIXES, edit_tracker, what_if_result
from tracklens.analysis.whatif_combined import combine_what_if
from tracklens.evaluate import combine, evaluate_sequence, load_sequence
from tracklens.layout import resolve
from tracklens.prepare import prepare


def _write_mot(path: Path, d) -> None:
    """A MOTChallenge tracker file with every value written exactly (repr of the floats)."""
    with open(path, "w") as fp:
        for f, i, b, c in zip(d.frame.tolist(), d.id.tolist(), d.box.tolist(), d.conf.tolist()):
            fp.write(f"{f},{i},{b[0]!r},{b[1]!r},{b[2]!r},{b[3]!r},{c!r},-1,-1,-1\n")


def _sample(sample_dir: Path):
    layout = resolve(str(sample_dir / "gt"), str(sample_dir / "trackers"), "MOT15")
    return layout, {files.name: load_sequence(files) for files in layout.sequences}


@pytest.mark.parametrize("tracker", ["motmetrics_test", "masa"])
def test_combined_gain_is_the_combined_hota_of_the_edited_sequences(sample_dir: Path, tracker: str) -> None:
    _, loaded = _sample(sample_dir)
    results = [what_if_result(s.gt, s.trackers[tracker], name, benchmark="MOT15") for name, s in loaded.items()]
    table = combine_what_if(results).set_index("fix")
    assert list(table.index) == [BASELINE, *FIXES]
    for fix in (BASELINE, *FIXES):
        per_seq = []
        for name, s in loaded.items():
            tr = edit_tracker(s.gt, s.trackers[tracker], fix, name, benchmark="MOT15")
            per_seq.append(evaluate_sequence(prepare(name, s.gt, tr, benchmark="MOT15")).metrics())
        combined = combine(per_seq)
        for col in ("HOTA", "DetA", "AssA", "LocA"):
            assert table.loc[fix, col] == pytest.approx(float(np.mean(combined[col])), rel=0, abs=1e-12), (fix, col)
        assert table.loc[fix, "delta_HOTA"] == pytest.approx(table.loc[fix, "HOTA"] - table.loc[BASELINE, "HOTA"],
                                                             abs=1e-15)
        assert table.loc[fix, "edits"] == sum(r[fix].edits for r in results)
    # not the mean of the per-sequence gains (sequences of different sizes weigh differently)
    means = np.mean([r.gain("fix_all") for r in results])
    assert abs(table.loc["fix_all", "delta_HOTA"] - means) > 1e-6


def test_combined_what_if_equals_trackeval_on_the_edited_files(sample_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("trackeval")
    from reference import make_trackeval_layout, trackeval_folders

    layout, loaded = _sample(sample_dir)
    tracker = "motmetrics_test"
    results = [what_if_result(s.gt, s.trackers[tracker], name, benchmark="MOT15") for name, s in loaded.items()]
    table = combine_what_if(results).set_index("fix")
    sequences = {}
    for files in layout.sequences:
        s = loaded[files.name]
        edited = {}
        for fix in FIXES:
            edited[fix] = tmp_path / "edited" / files.name / f"{fix}.txt"
            edited[fix].parent.mkdir(parents=True, exist_ok=True)
            _write_mot(edited[fix], edit_tracker(s.gt, s.trackers[tracker], fix, files.name, benchmark="MOT15"))
        gt_dir = sample_dir / "gt" / files.name
        sequences[files.name] = (gt_dir / "gt" / "gt.txt", gt_dir / "seqinfo.ini", edited)
    gt_folder, trackers_folder = make_trackeval_layout(tmp_path / "te", sequences, benchmark="MOT15")
    ref = trackeval_folders(gt_folder, trackers_folder, "MOT15", "train")
    for fix in FIXES:
        res = ref[fix]["COMBINED_SEQ"]
        for col in ("HOTA", "DetA", "AssA", "LocA"):
            assert table.loc[fix, col] == pytest.approx(float(np.mean(res[col])), rel=0, abs=1e-12), (fix, col)


def test_no_sequence_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one sequence"):
        combine_what_if([])
