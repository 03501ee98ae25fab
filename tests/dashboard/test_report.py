"""The self-contained HTML report (dashboard/report.py, ``tracklens report``), built from the
bundled sample: every section is there, plotly.js is inlined exactly once, the thumbnails are
real JPEGs of the annotated frames, nothing points outside the file, and the worst tracks are
the ones that cost the most association. (tests/browser/test_report_browser.py opens it.)"""
from __future__ import annotations

import base64
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import cv2
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tracklens.dashboard.cli import main
from tracklens.evaluate import COMBINED
from tracklens.workspace import Workspace
from tracklens.dashboard.frames import open_frames
from tracklens.dashboard.overlay import annotate
from tracklens.dashboard.report import THUMB_WIDTH, _crop, build_report, jpeg_data_uri, thumbnail, worst_tracks
from tracklens.dashboard.report_reeval import WHATIF_LEFT_OUT
from tracklens.dashboard.views import alpha_index, overlay_boxes

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
SECTIONS = {"summary": "Summary", "alpha": "Scores against α", "tradeoff": "Detection x association",
            "tracks": "Worst tracks", "breakdowns": "Breakdowns and causes of identity errors", "whatif": "What-if gains",
            "sweep": "Score sweep", "uncertainty": "Uncertainty", "diff": "Run diff",
            "provenance": "How these numbers were made"}
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "poster", "data", "srcset", "background", "xlink:href",
                  "manifest", "icon", "cite"}


@pytest.fixture(scope="module")
def ws(sample_dir):
    return Workspace.from_folders(str(sample_dir / "gt"), str(sample_dir / "trackers"), benchmark="MOT15",
                                  video_folder=str(sample_dir / "videos"))


@pytest.fixture(scope="module")
def report(ws) -> str:
    return build_report(ws, alpha=0.5, whatif=True)


class _Parsed(HTMLParser):
    """Tags, their attributes, section ids/headings and the text of <style> blocks."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h2", "style"):
            self._in = tag
            if tag == "h2":
                self.headings.append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            self.headings[-1] += data
        elif self._in == "style":
            self.styles.append(data)


def test_sections(report):
    page = _Parsed(report)
    assert report.startswith("<!DOCTYPE html>")
    ids = [a.get("id") for t, a in page.tags if t == "section"]
    assert ids == list(SECTIONS)
    assert page.headings == list(SECTIONS.values())
    # the summary table: one row per tracker, the published columns
    assert report.count('<table class="metrics">') >= 3
    for column in ("HOTA", "DetA", "AssA", "MOTA", "IDF1", "IDSW"):
        assert f">{column}</th>" in report
    # what-if: computed (the sample's inputs are reachable), one row per tracker x sequence
    assert "What-if gains are not available" not in report
    assert report.count("<td class=num>") >= 4
    # provenance: versions, inputs and the command that reproduces the numbers
    for text in ("numpy", "pandas", "plotly", "MOT15", "MOTChallenge preprocessing for MOT15",
                 "tracklens eval --gt-folder", "TUD-Stadtmitte.mp4"):
        assert text in report, text


def test_plotly_inlined_once(report):
    page = _Parsed(report)
    figures = [a for t, a in page.tags if t == "div" and a.get("class") == "figure"]
    assert len(figures) >= 4  # alpha curves, DetA x AssA, sequence difficulty, what-if
    assert report.count("* plotly.js v") == 1  # the bundle's banner
    assert report.count("window.PlotlyConfig") == 1
    assert report.count("Plotly.newPlot(") == len(figures)
    scripts = [a for t, a in page.tags if t == "script"]
    assert all("src" not in a for a in scripts)


def test_no_external_urls(report):
    page = _Parsed(report)
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name in URL_ATTRIBUTES and value:
                assert not re.match(r"\s*(https?:)?//", value), (tag, name, value[:80])
                assert value.startswith(("#", "data:image/")), (tag, name, value[:80])
        assert not (tag == "link" and "stylesheet" in (attrs.get("rel") or "")), attrs
    css = "".join(page.styles)
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_thumbnails_are_jpegs(report, ws):
    uris = re.findall(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', report)
    cards = report.count('<article class="track">')
    assert cards >= len(ws.trackers) and len(uris) >= cards
    for data in uris:
        image = cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape[1] == THUMB_WIDTH and image.shape[0] > 100
        assert image.std() > 10  # a real frame, not a blank canvas


def test_thumbnail_is_the_highlighted_annotated_frame(ws):
    tracker, seq = "motmetrics_test", "TUD-Campus"
    worst = next(t for t in worst_tracks(ws, tracker) if t.sequence == seq)
    frame, gt = worst.worst.frame, worst.gt_id
    meta = ws.sequence(seq)
    with open_frames(meta.video, meta.image_dir, meta.width, meta.height, meta.num_frames) as source:
        uri = thumbnail(ws, tracker, seq, frame, gt, 0.5, source)
        boxes = overlay_boxes(ws.analysis(tracker, seq).frame_boxes(frame), alpha_index(0.5))
        mine = boxes[(boxes["side"] == "gt") & (boxes["id"] == gt)]
        drawn = annotate(source.frame(frame), boxes, highlight=("gt", gt), alpha=0.5)
    expected = jpeg_data_uri(_crop(drawn, tuple(mine[["x", "y", "w", "h"]].iloc[0].astype(float))))
    assert uri == expected
    crop = _crop(drawn, tuple(mine[["x", "y", "w", "h"]].iloc[0].astype(float)))
    assert crop.shape[1] / crop.shape[0] == pytest.approx(4 / 3, abs=0.02)


def test_worst_tracks_cost_the_most_association(ws):
    for tracker in ws.trackers:
        everything = worst_tracks(ws, tracker, 0.5, n=10_000, by_switches=0)
        # A track's cost is its share of the combined AssA loss at alpha: they add up to 1 - AssA.
        assa = float(np.asarray(ws.metrics[tracker][COMBINED]["AssA"])[alpha_index(0.5)])
        assert sum(t.cost for t in everything) == pytest.approx(100 * (1 - assa), abs=1e-9)
        top = worst_tracks(ws, tracker, 0.5, n=3, by_switches=2)
        costs = [t.cost for t in everything]
        assert [t.cost for t in top[:3]] == sorted(costs, reverse=True)[:3]
        for t in top:
            ev = ws.analysis(tracker, t.sequence).events
            switches = ev[(ev["gt_id"] == t.gt_id) & ev["type"].isin(["SWITCH", "ASCEND"])]
            if len(switches):  # the worst moment of a track that switches is its first switch
                assert t.worst.kind == "switch" and t.worst.frame == int(switches["frame"].min())
            assert t.moments, t


def test_whatif_without_the_inputs(ws, tmp_path):
    run = tmp_path / "run"
    ws.save(str(run))
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["inputs"]["gt_folder"] = str(tmp_path / "moved" / "gt")
    manifest["inputs"].pop("relative")  # gone from both places the run records
    (run / "manifest.json").write_text(json.dumps(manifest))
    text = build_report(Workspace.load(str(run)), whatif=True, max_tracks=1)
    assert "What-if gains are not available" in text and "not reachable" in text
    assert str(tmp_path / "moved" / "gt") in text
    assert '<section id="tracks">' in text  # the rest of the report is still there
    skipped = build_report(Workspace.load(str(run)), max_tracks=1)  # not asked for: the flag is named instead
    assert html.escape(WHATIF_LEFT_OUT) in skipped and "tracklens report --what-if" in WHATIF_LEFT_OUT


def test_cli_report(sample_dir, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["eval", "--gt-folder", str(sample_dir / "gt"), "--trackers-folder", str(sample_dir / "trackers"),
                 "--benchmark", "MOT15", "--video-folder", str(sample_dir / "videos"), "--save", str(run),
                 "--quiet"]) == 0
    out = tmp_path / "out" / "report.html"
    assert main(["report", str(run), "-o", str(out), "--alpha", "0.3", "--max-tracks", "2", "--no-whatif"]) == 0
    assert "report written" in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "α = 0.30" in text
    assert text.count('<article class="track">') <= 2 * (2 + 2)
    assert main(["report", str(tmp_path / "missing"), "-o", str(out)]) == 2


def test_overview_and_tracks_pages_offer_downloads():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["seq"], at.query_params["tracker"] = "TUD-Campus", "motmetrics_test"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert [b.proto.label for b in at.get("download_button")] == ["Download the HTML report"]
    at.switch_page("app_pages/tracks.py").run()
    assert not at.exception, [e.message for e in at.exception]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Ground-truth tracks (CSV)", "Tracker tracks (CSV)", "Id pairs: TPA, FNA, FPA, A (CSV)"]
