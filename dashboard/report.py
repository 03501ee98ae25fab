"""One self-contained HTML report of a run, to present to a team (``tracklens report``).

``build_report(ws)`` returns a single HTML string that opens offline: plotly.js is inlined once
(with the first figure, gzip-compressed and unpacked by the browser), frame thumbnails are base64
JPEG data URIs, the CSS is inline, and nothing is fetched from the network. Sections:

* a header with the run's provenance (when, what, which versions) and one card per tracker;
* the summary table (TrackEval's combined numbers) and the per-sequence table;
* the scores against alpha, and DetA x AssA (HOTA contours) with the Pareto front;
* the worst ground-truth tracks of each tracker: the tracks that cost the most association
  (``matched * (1 - AssA)``: its share of the combined AssA at alpha, since
  ``AssA = sum_g TP_g AssA_g / TP``) and those with the most identity switches, each with
  thumbnails of the frames where it fails (annotated by the overlay, the track highlighted);
* the what-if gains (``tracklens.analysis.whatif``) and a score sweep: only when asked for
  (``whatif``, ``score_thresholds``: they evaluate the input files again) or, for the sweep, carried
  by the run; otherwise one sentence naming the flag that adds them (``report_reeval``);
* how the numbers were made: versions, inputs, preprocessing, sequences, input notes.
"""
from __future__ import annotations

import base64
import datetime as _dt
import gzip
import html
import os
from dataclasses import dataclass, field

import cv2
import numpy as np
import pandas as pd
import plotly
import plotly.graph_objects as go

from tracklens.analysis.tracks import coverage_segments, gt_track_table
from tracklens.evaluate import COMBINED
from tracklens.fields import HEADLINE, better, display, is_rate
from tracklens.metrics.hota import ALPHAS

from .figures import TEMPLATE, alpha_curves, sequence_difficulty, tracker_colors, tradeoff_scatter
from .frames import BlankFrames, FrameSource, open_frames
from .overlay import annotate
from .report_diff import diff_section
from .report_decide import decide_sections
from .views import (alpha_index, class_table, overlay_boxes, overlay_masks, per_alpha_table, sequence_table,
                    summary_table)

IDENTITY_TYPES = ("SWITCH", "ASCEND", "TRANSFER", "MIGRATE")
SWITCH_TYPES = ("SWITCH", "ASCEND")
# The summary's columns: the headline fields that have a better direction (every field is in
# ``tracklens export``); headers are the fields' display names (CLEAR's FP/FN short).
REPORT_COLUMNS = tuple(c for c in HEADLINE if better(c))
THUMB_WIDTH = 360
THUMB_QUALITY = 62  # with optimised Huffman tables: labels stay legible at ~11 KB a thumbnail
MAX_MOMENTS = 3
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "toImageButtonOptions": {"format": "png", "scale": 2}}
FIX_LABELS = {
    "fix_localisation": "localisation", "fix_false_negatives": "false negatives",
    "fix_false_positives": "false positives", "fix_splits": "splits (id switches)",
    "fix_merges": "merges", "fix_all": "everything",
}


# ------------------------------------------------------------------------------------------------
# Worst tracks


@dataclass(frozen=True)
class Moment:
    """A frame where a track fails, and what happens there."""

    frame: int
    kind: str  # "switch", "transfer", "wrong id", "missed", "fragment"
    text: str


@dataclass
class WorstTrack:
    tracker: str
    sequence: str
    gt_id: int
    facts: dict
    cost: float  # points of combined AssA at alpha this track costs
    moments: list[Moment] = field(default_factory=list)

    @property
    def worst(self) -> Moment | None:
        return self.moments[0] if self.moments else None


def _moments(events: pd.DataFrame, segments: pd.DataFrame, gt_id: int, alpha: float) -> list[Moment]:
    """Where ground-truth track ``gt_id`` fails, worst first: identity switches, then the longest
    spans covered by another id than its main one, then the longest misses, then fragmentations."""
    found: list[tuple[int, float, Moment]] = []  # (priority, order within it, moment)
    ev = events[events["gt_id"] == gt_id]
    for _, e in ev[ev["type"].isin(SWITCH_TYPES)].drop_duplicates("frame").iterrows():
        was = int(e["prev_tr_id"])
        text = (f"identity switch: id {was} → {int(e['tr_id'])}" if was >= 0
                else f"identity switch to id {int(e['tr_id'])}")
        found.append((0, float(e["frame"]), Moment(int(e["frame"]), "switch", text)))
    for _, e in ev[ev["type"].isin(("TRANSFER", "MIGRATE"))].drop_duplicates("frame").iterrows():
        text = f"id {int(e['tr_id'])} jumps here from gt {int(e['prev_gt_id'])}"
        found.append((1, float(e["frame"]), Moment(int(e["frame"]), "transfer", text)))
    mine = segments[segments["id"] == gt_id]
    covered = mine[mine["partner"] >= 0]
    main = int(covered.groupby("partner")["frames"].sum().idxmax()) if len(covered) else -1
    for _, s in mine.iterrows():
        span = (f"frame {int(s['start'])}" if s["start"] == s["end"]
                else f"frames {int(s['start'])}–{int(s['end'])}")
        if s["partner"] < 0:
            text = f"missed in {span} (no tracker box matched at α = {alpha:.2f})"
            found.append((3, -float(s["frames"]), Moment(int(s["start"]), "missed", text)))
        elif s["partner"] != main:
            text = f"covered by id {int(s['partner'])}, not its main id {main}, in {span}"
            found.append((2, -float(s["frames"]), Moment(int(s["start"]), "wrong id", text)))
    for _, e in ev[ev["type"] == "FRAG"].iterrows():
        found.append((4, float(e["frame"]), Moment(int(e["frame"]), "fragment", "track resumes after a gap")))
    found.sort(key=lambda t: (t[0], t[1]))  # events in time order, spans longest first
    out: list[Moment] = []
    for _, _, m in found:
        if all(abs(m.frame - o.frame) > 2 for o in out):
            out.append(m)
    return out


def _track_table(ws, tracker: str, sequence: str, a_idx: int, pieces=None) -> pd.DataFrame:
    """``gt_track_table`` of one sequence at α number ``a_idx`` (from the report's ``ReportPieces``
    when given: the same table)."""
    if pieces is not None:
        return pieces.get(sequence).track_tables[tracker]
    an = ws.analysis(tracker, sequence)
    return gt_track_table(an.gt_tracks, an.pairs, a_idx)


def worst_tracks(ws, tracker: str, alpha: float = 0.5, n: int = 6, by_switches: int = 2,
                 pieces=None) -> list[WorstTrack]:
    """The ``n`` ground-truth tracks (over every sequence) that cost ``tracker`` the most
    association at ``alpha`` (``matched * (1 - AssA)`` over the combined TP, in AssA points),
    plus up to ``by_switches`` more with the most identity switches; worst first. ``pieces``: the
    report's ``report_pieces.ReportPieces`` at that α, which hold the track tables."""
    a_idx = alpha_index(alpha)
    tables = []
    for meta in ws.sequences:
        t = _track_table(ws, tracker, meta.name, a_idx, pieces).copy()
        t.insert(0, "sequence", meta.name)
        tables.append(t)
    table = pd.concat(tables, ignore_index=True)
    total_tp = max(1.0, float(table["matched"].sum()))
    table["cost"] = 100 * table["matched"] * (1 - table["AssA"]) / total_tp
    hit = table[table["matched"] > 0]
    chosen = hit[hit["cost"] > 0].sort_values(["cost", "switches"], ascending=False, kind="stable").head(n)
    extra = hit[(hit["switches"] > 0) & ~hit.index.isin(chosen.index)]
    extra = extra.sort_values(["switches", "cost"], ascending=False, kind="stable").head(by_switches)
    out = []
    for _, row in pd.concat([chosen, extra]).iterrows():
        an = ws.analysis(tracker, row["sequence"])
        if pieces is not None:  # every id's spans, computed with the pieces (_moments keeps this id's)
            segments = pieces.get(row["sequence"]).segments[tracker]
        else:
            span = an.gt_tracks.loc[an.gt_tracks["gt_id"] == row["gt_id"]].iloc[0]
            boxes = an.box_window(int(span["first_frame"]), int(span["last_frame"]))  # not the whole sequence
            segments = coverage_segments(boxes[boxes["id"] == row["gt_id"]], a_idx, "gt")
        out.append(WorstTrack(tracker, row["sequence"], int(row["gt_id"]), row.to_dict(), float(row["cost"]),
                              _moments(an.identity_events, segments, int(row["gt_id"]), alpha)))
    return out


def never_matched(ws, tracker: str, alpha: float = 0.5, pieces=None) -> dict[str, list[int]]:
    """Per sequence, the ground-truth tracks no tracker box ever matched at ``alpha``."""
    a_idx = alpha_index(alpha)
    out = {}
    for meta in ws.sequences:
        t = _track_table(ws, tracker, meta.name, a_idx, pieces)
        ids = t.loc[t["matched"] == 0, "gt_id"].astype(int).tolist()
        if ids:
            out[meta.name] = ids
    return out


# ------------------------------------------------------------------------------------------------
# Thumbnails


def _crop(image: np.ndarray, box: tuple[float, float, float, float] | None) -> np.ndarray:
    """A 4:3 window around ``box`` (x, y, w, h) with room for its neighbours; the whole frame
    when there is no box."""
    height, width = image.shape[:2]
    if box is None:
        return image
    x, y, w, h = box
    ch = max(2.0 * h, 3.0 * w * 3 / 4, 0.45 * height, 120)
    cw = ch * 4 / 3
    if ch > height:
        ch, cw = height, min(width, height * 4 / 3)
    cw = min(cw, width)
    cx = min(max(x + w / 2, cw / 2), width - cw / 2)
    cy = min(max(y + h / 2, ch / 2), height - ch / 2)
    x1, y1 = int(round(cx - cw / 2)), int(round(cy - ch / 2))
    return image[max(y1, 0):max(y1, 0) + int(round(ch)), max(x1, 0):max(x1, 0) + int(round(cw))]


def jpeg_data_uri(rgb: np.ndarray, width: int = THUMB_WIDTH, quality: int = THUMB_QUALITY) -> str:
    """An RGB image scaled to ``width`` as a ``data:image/jpeg;base64,...`` URI."""
    if rgb.shape[1] != width:
        height = max(1, round(rgb.shape[0] * width / rgb.shape[1]))
        interp = cv2.INTER_AREA if rgb.shape[1] > width else cv2.INTER_CUBIC
        rgb = cv2.resize(rgb, (width, height), interpolation=interp)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [  # optimised, progressive: smaller,
        cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1, cv2.IMWRITE_JPEG_PROGRESSIVE, 1])  # same pixels
    if not ok:
        raise RuntimeError("OpenCV could not encode a JPEG thumbnail")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def thumbnail(ws, tracker: str, sequence: str, frame: int, gt_id: int, alpha: float,
              source: FrameSource) -> str:
    """Frame ``frame`` annotated at ``alpha`` with ground-truth track ``gt_id`` highlighted,
    cropped around it, as a JPEG data URI."""
    an = ws.analysis(tracker, sequence)
    boxes = overlay_boxes(an.frame_boxes(frame), alpha_index(alpha))
    mine = boxes[(boxes["side"] == "gt") & (boxes["id"] == gt_id)]
    highlight = ("gt", int(gt_id)) if len(mine) else None
    image = annotate(source.frame(frame), boxes, highlight=highlight, alpha=alpha, masks=overlay_masks(boxes))
    box = tuple(mine[["x", "y", "w", "h"]].iloc[0].astype(float)) if len(mine) else None
    return jpeg_data_uri(_crop(image, box))


def _open_source(meta) -> FrameSource:
    """The sequence's footage; a blank canvas when it is gone (a run moved without its videos)."""
    try:
        return open_frames(video=meta.video, image_dir=meta.image_dir, width=meta.width or 1280,
                           height=meta.height or 720, num_frames=meta.num_frames)
    except (OSError, ValueError):
        return BlankFrames((meta.width or 1280, meta.height or 720), meta.num_frames)


# ------------------------------------------------------------------------------------------------
# What-if


@dataclass
class _WhatIfResult:
    """A what-if worker's result: every tracker's table on one sequence."""

    name: str
    tables: list[pd.DataFrame]


def _whatif_sequence(files, trackers: list[str], benchmark: str, preprocess: bool) -> _WhatIfResult:
    """Worker: the what-if tables of every tracker on one sequence (ground truth read once)."""
    from tracklens.evaluate import load_sequence

    return _WhatIfResult(files.name, whatif_loaded(load_sequence(files), trackers, benchmark, preprocess))


def whatif_loaded(loaded, trackers: list[str], benchmark: str, preprocess: bool) -> list[pd.DataFrame]:
    """The what-if tables of every tracker on one sequence already read (``evaluate.load_sequence``)."""
    from tracklens.analysis.whatif import what_if

    name = loaded.files.name
    tables = []
    for tracker in trackers:
        table = what_if(loaded.gt, loaded.trackers[tracker], name, benchmark=benchmark, preprocess=preprocess)
        table.insert(0, "sequence", name)
        table.insert(0, "tracker", tracker)
        tables.append(table)
    return tables


def whatif_inputs(ws):
    """(layout, the run's sequences found in it) for the what-if re-evaluation, or (None, why not)."""
    from tracklens.run import missing_inputs, reevaluation_refused, resolve_inputs

    inputs = ws.inputs
    if inputs.format != "mot" or inputs.classes:
        return None, ("the what-if fixes are defined for the MOTChallenge single-class evaluation; this run is "
                      f"{inputs.format.upper() if inputs.format != 'mot' else 'MOTChallenge --classes'}")
    if refused := reevaluation_refused(inputs):
        return None, refused
    missing = missing_inputs(inputs)
    if missing:
        return None, f"the original inputs are not reachable from here (missing: {', '.join(missing)})"
    try:
        layout = resolve_inputs(inputs, list(ws.trackers), saved=True)
    except Exception as exc:  # noqa: BLE001 - moved or changed inputs: say why, keep the report
        return None, f"the original inputs could not be opened ({exc})"
    wanted = [m.name for m in ws.sequences]
    found = [f.name for f in layout.sequences if f.name in wanted]
    if not found:
        return None, "none of the run's sequences were found in the original inputs"
    return layout, found


def whatif_tables(ws, workers: int = 1) -> tuple[pd.DataFrame | None, str]:
    """Every tracker x sequence what-if table (long form: tracker, sequence, fix, HOTA, ...,
    delta_HOTA), re-evaluated from the run's inputs (``ws.inputs``, sequences in ``workers``
    processes); ``None`` and the reason when they cannot be reached."""
    from tracklens.evaluate import run_tasks

    layout, found = whatif_inputs(ws)
    if layout is None:
        return None, found
    inputs = ws.inputs
    tasks = [(f, list(ws.trackers), inputs.benchmark, inputs.preprocess) for f in layout.sequences if f.name in found]
    done = run_tasks(_whatif_sequence, tasks, workers, None)
    return whatif_combined(ws, {name: done[name].tables for name in done}), ""


def whatif_combined(ws, done: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    """The long what-if table from each sequence's tables, in the run's sequence order."""
    return pd.concat([t for m in ws.sequences if m.name in done for t in done[m.name]], ignore_index=True)


def whatif_figure(table: pd.DataFrame) -> go.Figure:
    """Mean HOTA gain per fix over the sequences, one bar per tracker."""
    fixes = [f for f in FIX_LABELS if f in set(table["fix"])]
    gains = table[table["fix"].isin(fixes)].groupby(["tracker", "fix"])["delta_HOTA"].mean() * 100
    colors = tracker_colors(table["tracker"].unique())
    fig = go.Figure()
    for tracker in sorted(table["tracker"].unique()):
        values = [gains.get((tracker, f), np.nan) for f in fixes]
        fig.add_trace(go.Bar(
            y=[FIX_LABELS[f] for f in fixes], x=values, orientation="h", name=str(tracker),
            marker={"color": colors[tracker]}, text=[f"{v:+.1f}" for v in values], textposition="outside",
            cliponaxis=False, hovertemplate=f"{tracker}<br>%{{y}}: %{{x:+.2f}} HOTA<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="HOTA gain (points, mean over sequences)", zeroline=True)
    fig.update_layout(template=TEMPLATE, barmode="group", height=120 + 34 * len(fixes) * max(1, len(colors)) ** 0.6,
                      margin={"t": 30, "l": 150, "r": 40, "b": 50}, legend={"orientation": "h", "y": 1.08},
                      title=None)
    return fig


# ------------------------------------------------------------------------------------------------
# HTML pieces


def _e(value) -> str:
    return html.escape(str(value), quote=True)


class _Figures:
    """Plotly figures as HTML. plotly.js is inlined once, with the first figure: its licence banner as
    text and the bundle gzip-compressed in base 85 (1.8 MB instead of 4.8 MB), which the browser unpacks
    (``DecompressionStream``, no network) before it draws the figures."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, fig: go.Figure, name: str) -> str:
        fig.update_layout(font={"family": "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
                          paper_bgcolor="rgba(0,0,0,0)")
        out = fig.to_html(full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG,
                          div_id=f"fig-{name}", default_width="100%")
        head, script = out.split("<script>", 1)  # one script: draw once plotly.js is unpacked
        out = f"{head}<script>tracklensPlotly.then(function () {{{script.replace('</script>', '});</script>', 1)}"
        if self.count == 0:
            out = _plotly_loader() + out
        self.count += 1
        return f'<div class="figure">{out}</div>'


def _plotly_loader() -> str:
    """plotly.js inlined, compressed: a promise ``tracklensPlotly`` resolved once the bundle runs."""
    from plotly.offline import get_plotlyjs

    bundle = get_plotlyjs()
    banner = bundle[:bundle.index("*/") + 2] if bundle.startswith("/*") else "/* plotly.js */"
    gz = gzip.compress(bundle.encode(), 9, mtime=0)
    return ("<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
            f"<script>{banner}\n/* the bundle above, gzip-compressed, in base 85 (digits: the string A) */\n"
            "window.tracklensPlotly = (async function () {\n"
            f'  const A = "{BASE85}", packed = "{base85(gz)}", size = {len(gz)};\n'
            "  const digit = new Uint8Array(128);\n"
            "  for (let i = 0; i < 85; i++) digit[A.charCodeAt(i)] = i;\n"
            "  const bytes = new Uint8Array(packed.length / 5 * 4);\n"
            "  for (let i = 0, j = 0; i < packed.length; i += 5, j += 4) {\n"
            "    let v = 0;\n"
            "    for (let k = 0; k < 5; k++) v = v * 85 + digit[packed.charCodeAt(i + k)];\n"
            "    bytes[j] = v >>> 24; bytes[j + 1] = (v >>> 16) & 255; bytes[j + 2] = (v >>> 8) & 255; bytes[j + 3] = v & 255;\n"
            "  }\n"
            "  const stream = new Blob([bytes.subarray(0, size)]).stream().pipeThrough(new DecompressionStream('gzip'));\n"
            "  const code = document.createElement('script');\n"
            "  code.textContent = await new Response(stream).text();\n"
            "  document.head.appendChild(code);\n"
            "  return window.Plotly;\n"
            "})();\n"
            "window.tracklensPlotly.catch(function (err) {\n"
            "  document.querySelectorAll('.figure').forEach(function (d) {\n"
            "    d.textContent = 'This browser cannot unpack the embedded plotly.js (' + err + '); open the report '\n"
            "      + 'in a current Chrome, Edge, Firefox or Safari to see the figures.'; });\n"
            "});</script>")


# Base-85 digits that need no escaping in a double-quoted JavaScript string inside <script> (no quote,
# backslash or '<'): 4 bytes in 5 characters, where base64 takes 5.33.
BASE85 = "".join(c for c in map(chr, range(35, 127)) if c not in "\\<")[:85]


def base85(data: bytes) -> str:
    """``data`` (zero-padded to a multiple of 4 bytes) as base-85 text, 5 digits per big-endian 4-byte word."""
    padded = data + bytes(-len(data) % 4)
    words = np.frombuffer(padded, ">u4").astype(np.int64)
    digits = np.stack([(words // 85 ** k) % 85 for k in range(4, -1, -1)], axis=1)
    return np.frombuffer(BASE85.encode("ascii"), np.uint8)[digits].tobytes().decode("ascii")


def _fmt(column: str, value) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if is_rate(column):
        return f"{100 * float(value):.1f}"
    if isinstance(value, (int, np.integer)) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):.2f}"


def _best(table: pd.DataFrame, column: str):
    if better(column) is None or column not in table or len(table) < 2:
        return None
    values = pd.to_numeric(table[column], errors="coerce")
    return values.min() if better(column) == "lower" else values.max()


def _chip(tracker: str, colors: dict[str, str]) -> str:
    return f'<span class="chip"><i style="background:{colors.get(tracker, "#888")}"></i>{_e(tracker)}</span>'


def _metric_table(table: pd.DataFrame, colors: dict[str, str], key_columns: tuple[str, ...]) -> str:
    columns = [c for c in REPORT_COLUMNS if c in table]
    head = "".join(f"<th>{_e(c)}</th>" for c in key_columns)
    head += "".join(f'<th class="num" title="{"lower is better" if better(c) == "lower" else ""}">'
                    f'{_e(display(c))}</th>' for c in columns)
    best = {c: _best(table, c) for c in columns}
    body = []
    for _, row in table.iterrows():
        cells = "".join(f"<td>{_chip(row[k], colors) if k == 'tracker' else _e(row[k])}</td>" for k in key_columns)
        for c in columns:
            cls = "num best" if best[c] is not None and row[c] == best[c] else "num"
            cells += f'<td class="{cls}">{_fmt(c, row[c])}</td>'
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="table-wrap"><table class="metrics"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _cards(summary: pd.DataFrame, colors: dict[str, str]) -> str:
    cards = []
    for _, row in summary.head(8).iterrows():
        small = "".join(f"<span><b>{_fmt(c, row[c])}</b> {c}</span>" for c in ("DetA", "AssA", "IDF1", "MOTA")
                        if c in row)
        cards.append(f'<div class="card" style="border-top-color:{colors[row["tracker"]]}">'
                     f'<div class="card-name">{_e(row["tracker"])}</div>'
                     f'<div class="card-big">{_fmt("HOTA", row["HOTA"])}<small>HOTA</small></div>'
                     f'<div class="card-small">{small}</div></div>')
    return f'<div class="cards">{"".join(cards)}</div>'


def _section(anchor: str, title: str, body: str, lead: str = "") -> str:
    lead_html = f'<p class="lead">{lead}</p>' if lead else ""
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{lead_html}{body}</section>'


def _track_card(t: WorstTrack, alpha: float, thumbs: list[tuple[Moment, str]]) -> str:
    f = t.facts
    covering = ", ".join(map(str, f.get("tracker_ids", []))) or "none"
    badges = [f'<span class="badge bad">AssA {f["AssA"]:.2f}</span>',
              f'<span class="badge">costs {t.cost:.2f} AssA pts</span>']
    if f.get("switches"):
        badges.append(f'<span class="badge warn">{int(f["switches"])} switch{"es" if f["switches"] > 1 else ""}</span>')
    if f.get("fragments"):
        badges.append(f'<span class="badge">{int(f["fragments"])} fragment{"s" if f["fragments"] > 1 else ""}</span>')
    facts = (f'{int(f["frames"])} frames ({int(f["first_frame"])}–{int(f["last_frame"])}), matched in '
             f'{int(f["matched"])} at α = {alpha:.2f}; AssRe {f["AssRe"]:.2f}, AssPr {f["AssPr"]:.2f}; '
             f'covered by tracker ids {_e(covering)}; CLEAR coverage {_e(f.get("coverage", ""))}')
    moments = "".join(f'<li><b>frame {m.frame}</b> <span class="kind k-{m.kind.replace(" ", "-")}">{_e(m.kind)}</span> '
                      f'{_e(m.text)}</li>' for m in t.moments[:5])
    figs = "".join(f'<figure><img src="{uri}" alt="{_e(t.sequence)} frame {m.frame}, gt track {t.gt_id}" '
                   f'loading="eager"><figcaption>frame {m.frame} · {_e(m.kind)}</figcaption></figure>'
                   for m, uri in thumbs)
    worst = t.worst
    worst_txt = f" · worst moment: frame {worst.frame}" if worst else ""
    return (f'<article class="track"><header><h4>{_e(t.sequence)} · ground-truth track {t.gt_id}'
            f'<span class="muted">{worst_txt}</span></h4><div class="badges">{"".join(badges)}</div></header>'
            f'<p class="facts">{facts}</p>'
            f'<div class="thumbs">{figs}</div>'
            f'{f"<ul class=moments>{moments}</ul>" if moments else ""}</article>')


_FORMAT_NAMES = {"mot": "MOTChallenge", "kitti": "KITTI tracking (2D boxes)", "bdd100k": "BDD100K box tracking",
                 "mots": "MOTS Challenge (masks)", "kitti_mots": "KITTI-MOTS (masks)",
                 "tao": "TAO (COCO-video JSON boxes)", "youtube_vis": "YouTube-VIS / OVIS (boxes)",
                 "youtube_vis_masks": "YouTube-VIS / OVIS (masks)",
                 "imagenet_vid": "ImageNet VID (snippet XML)"}


def _preprocessing(i) -> str:
    if i.format == "kitti":
        return ("TrackEval's KITTI preprocessing: per class, tracker boxes matched to distractor classes, occluded or "
                "truncated ground truth, too small or inside DontCare regions are removed")
    if i.format in ("mots", "kitti_mots"):
        return ("TrackEval's MOTS preprocessing: per class, unmatched tracker masks more than half inside the "
                "ground truth's ignore region (class 10) are removed; similarity is mask IoU")
    if i.format == "bdd100k":
        return ("TrackEval's BDD100K preprocessing: per class, tracker boxes matched to crowd or distractor-class "
                "ground truth are removed")
    if i.format == "tao":
        return ("TrackEval's TAO preprocessing: per class, unmatched tracker boxes are removed in frames without "
                "ground truth of the class (unless it is a negative category of the video) and for classes not "
                "exhaustively labelled")
    if i.format == "youtube_vis_masks":
        return "none: each class on its own, similarity mask IoU (TrackEval's YouTubeVIS)"
    if i.format in ("imagenet_vid", "youtube_vis"):
        return "none: each class on its own (as TrackEval's YouTubeVIS; ImageNet VID has no preprocessing)"
    if i.classes:
        return "none: each class id of column 8 on its own (zero-marked ground truth is ignored)"
    if i.preprocess:
        return (f"TrackEval's MOTChallenge preprocessing for {i.benchmark}: tracker boxes matched to distractor "
                "ground truth are removed, only the evaluated ground-truth classes count and zero-marked ground "
                "truth is ignored")
    return "none (--no-preproc): every box counts"


def _input_check(inputs) -> str:
    """tracklens check's findings on the run's inputs, one sentence each (docs/check.md)."""
    from tracklens.check.checker import check_layout
    from tracklens.errors import InputError
    from tracklens.run import RunOptions, resolve_inputs

    if inputs.format != "mot":
        return "not run (it reads MOTChallenge files)"
    if getattr(inputs, "link", None):
        return "not run (ids linked by tracklens: the tracker files carry no ids to check)"
    from tracklens.run import reevaluation_refused
    if refused := reevaluation_refused(inputs):
        return f"not run ({refused})"
    try:
        layout = resolve_inputs(inputs, saved=True)
        opts = RunOptions("mot", layout.classes, layout.benchmark, inputs.preprocess, inputs.threshold)
        findings = check_layout(layout, opts, score=False).findings
    except InputError as exc:
        return f"not run ({exc})"
    if not findings:
        return "no findings (tracklens check)"
    return " · ".join(f.message + (f" (fix: {f.fix_args})" if f.fixes else "") for f in findings)


def _provenance(ws, alpha: float, pieces=None) -> str:
    m = ws.manifest
    versions = dict(m.get("versions") or {})
    rows = [("tracklens", m.get("tracklens", "?")), ("evaluated", m.get("created", "?")),
            ("report built", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")),
            ("versions (evaluation)", ", ".join(f"{k} {v}" for k, v in versions.items())),
            ("versions (report)", f"plotly {plotly.__version__}, opencv {cv2.__version__}")]
    i = ws.inputs
    rows += [("format", _FORMAT_NAMES.get(i.format, i.format)),
             ("ground truth", i.gt_folder), ("trackers folder", i.trackers_folder),
             ("benchmark / split", f"{i.benchmark} / {i.split}"),
             ("seqmap", i.seqmap or "every sequence of the ground-truth folder"),
             ("videos", i.video_folder or "none"),
             ("preprocessing", _preprocessing(i)),
             ("HOTA", "TrackEval-exact, 19 α from 0.05 to 0.95; tables give the mean over α, "
              f"frames and tracks in this report are shown at α = {alpha:.2f}"),
             ("CLEAR / Identity", f"similarity threshold {i.threshold} (IoU)"),
             ("combined", "all sequences combined as TrackEval combines them (sums of counts, not means)")]
    if i.protocol:  # tracklens eval --protocol (core/protocols.py)
        from tracklens.protocols import described
        rows.append(("protocol", described(i.protocol)))
    rows.append(("input check", _input_check(i) if pieces is None else pieces.input_check()))
    if i.fixes:  # tracklens check's explicit corrections (docs/check.md)
        rows.append(("explicit fixes", ", ".join(f"--fix {f}" for f in i.fixes)
                     + ": applied to the tracker files before the evaluation"))
    if getattr(i, "link", None):  # --link: detections without identities (docs/formats.md)
        rows.append(("identities", f"ids linked by tracklens (--link {i.link}: frame-to-frame Hungarian on IoU >= "
                                   "0.5, same class); the tracker files' own ids were not used"))
    if ws.classes:
        rows.append(("classes", f"{', '.join(ws.classes)}, each evaluated on its own; this report shows class "
                                f"{ws.class_name} (tracklens report --class NAME for another)"))
    cmd = ["tracklens eval", f"--gt-folder {i.gt_folder}", f"--trackers-folder {i.trackers_folder}"]
    cmd.append(f"--format {i.format}" if i.format != "mot" else f"--benchmark {i.benchmark}")
    if i.split != "train":
        cmd.append(f"--split {i.split}")
    if i.seqmap:
        cmd.append(f"--seqmap {i.seqmap}")
    if i.classes:
        cmd.append(f"--classes {' '.join(i.classes)}")
    if i.protocol:  # its options replace --no-preproc / --threshold
        cmd.append(f"--protocol {i.protocol}")
    elif not i.preprocess and i.format == "mot" and not i.classes:
        cmd.append("--no-preproc")
    if i.threshold != 0.5 and not i.protocol:
        cmd.append(f"--threshold {i.threshold}")
    cmd += [f"--fix {f}" for f in i.fixes]
    if getattr(i, "link", None):
        cmd.append(f"--link {i.link}")
    kv = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    seq_rows = []
    for s in ws.sequences:
        footage = (f"video {os.path.basename(s.video)}" if s.video else
                   f"images {os.path.basename(s.image_dir)}" if s.image_dir else "none (blank canvas)")
        size = f"{s.width}×{s.height}" if s.width and s.height else "?"
        seq_rows.append(f"<tr><td>{_e(s.name)}</td><td class=num>{s.num_frames}</td><td>{size}</td>"
                        f"<td class=num>{_e(s.fps or '–')}</td><td>{_e(footage)}</td></tr>")
    notes = m.get("notes") or []
    notes_html = ("<h3>Input notes</h3><ul class=notes>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"
                  if notes else '<p class="muted">The reader raised no notes about the inputs.</p>')
    return (f'<table class="kv">{kv}</table>'
            f'<h3>Reproduce</h3><pre>{_e(" ".join(cmd))}</pre>'
            f'<h3>Sequences</h3><div class="table-wrap"><table class="metrics"><thead><tr><th>sequence</th>'
            f'<th class=num>frames</th><th>size</th><th class=num>fps</th><th>footage</th></tr></thead>'
            f'<tbody>{"".join(seq_rows)}</tbody></table></div>{notes_html}')


def _whatif_html(table: pd.DataFrame, colors: dict[str, str]) -> str:
    fixes = [f for f in FIX_LABELS if f in set(table["fix"])]
    head = ("<th>tracker</th><th>sequence</th><th class=num>HOTA</th>"
            + "".join(f"<th class=num>+ {_e(FIX_LABELS[f])}</th>" for f in fixes))
    top = max(1e-9, float(table.loc[table["fix"].isin(fixes), "delta_HOTA"].max()) * 100)
    body = []
    order = {t: k for k, t in enumerate(sorted(table["tracker"].unique()))}
    table = table.sort_values("tracker", key=lambda c: c.map(order), kind="stable")
    for (tracker, seq), part in table.groupby(["tracker", "sequence"], sort=False):
        part = part.set_index("fix")
        cells = f"<td>{_chip(tracker, colors)}</td><td>{_e(seq)}</td><td class=num>{100 * part.loc['baseline', 'HOTA']:.1f}</td>"
        for f in fixes:
            gain = 100 * float(part.loc[f, "delta_HOTA"]) if f in part.index else np.nan
            width = 0 if not np.isfinite(gain) else max(0.0, min(100.0, 100 * gain / top))
            cells += (f'<td class="num bar"><span style="width:{width:.0f}%"></span>'
                      f'<em>{gain:+.1f}</em></td>')
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="table-wrap"><table class="metrics whatif"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


CSS = """
:root{--ink:#1c2430;--muted:#5b6675;--line:#e3e7ee;--soft:#f6f8fb;--accent:#3b5bdb;--bad:#c92a2a;
--warn:#d9480f;--good:#2b8a3e;--magenta:#c2007f}
*{box-sizing:border-box}
html{scroll-behavior:smooth}
body{margin:0;font:15px/1.55 Inter,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:#fff;-webkit-font-smoothing:antialiased}
.hero{background:linear-gradient(135deg,#111827 0%,#1e2a4a 60%,#2b3f77 100%);color:#fff;padding:36px 0 28px}
.wrap{max-width:1200px;margin:0 auto;padding:0 28px}
.hero h1{margin:0 0 6px;font-size:30px;letter-spacing:-.02em;font-weight:700}
.hero h1 span{color:#9fb4ff;font-weight:500}
.hero .sub{color:#c9d3ea;margin:0 0 18px}
.meta{display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0;list-style:none}
.meta li{background:rgba(255,255,255,.09);border:1px solid rgba(255,255,255,.14);border-radius:999px;
padding:3px 12px;font-size:13px;color:#e6ebf7}
.meta b{color:#fff;font-weight:600}
nav.toc{position:sticky;top:0;z-index:10;background:rgba(255,255,255,.94);backdrop-filter:blur(6px);
border-bottom:1px solid var(--line)}
nav.toc .wrap{display:flex;gap:4px;flex-wrap:wrap;padding-top:8px;padding-bottom:8px}
nav.toc a{color:var(--muted);text-decoration:none;font-size:13.5px;padding:4px 10px;border-radius:6px}
nav.toc a:hover{background:var(--soft);color:var(--ink)}
section{padding:30px 0 8px;border-bottom:1px solid var(--line);scroll-margin-top:44px}
section:last-of-type{border-bottom:0}
h2{font-size:22px;margin:0 0 6px;letter-spacing:-.01em}
h3{font-size:16px;margin:22px 0 8px}
h4{font-size:15px;margin:0}
.lead{color:var(--muted);margin:0 0 16px;max-width:880px}
.muted{color:var(--muted);font-weight:400}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:14px;margin:22px 0 0}
.card{background:#fff;color:var(--ink);border-radius:10px;padding:14px 16px;border-top:4px solid #888;
box-shadow:0 1px 2px rgba(0,0,0,.12),0 4px 14px rgba(0,0,0,.10)}
.card-name{font-weight:600;font-size:14px;color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.card-big{font-size:34px;font-weight:700;letter-spacing:-.02em;line-height:1.15}
.card-big small{font-size:13px;font-weight:500;color:var(--muted);margin-left:6px}
.card-small{display:flex;flex-wrap:wrap;gap:4px 12px;font-size:12.5px;color:var(--muted)}
.card-small b{color:var(--ink)}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:10px}
table.metrics{border-collapse:collapse;width:100%;font-size:13.5px;font-variant-numeric:tabular-nums}
table.metrics th{background:var(--soft);text-align:left;font-weight:600;color:var(--muted);font-size:12px;
text-transform:none;padding:8px 10px;border-bottom:1px solid var(--line);white-space:nowrap}
table.metrics td{padding:7px 10px;border-bottom:1px solid var(--line);white-space:nowrap}
table.metrics tbody tr:last-child td{border-bottom:0}
table.metrics tbody tr:hover td{background:#fafbfd}
.num{text-align:right}
td.best{font-weight:700;color:var(--good)}
.chip{display:inline-flex;align-items:center;gap:6px;font-weight:600}
.chip i{width:10px;height:10px;border-radius:50%;display:inline-block}
details{margin:14px 0 4px}
summary{cursor:pointer;color:var(--accent);font-weight:600;font-size:14px}
.figure{border:1px solid var(--line);border-radius:10px;padding:6px;margin:6px 0 18px;background:#fff}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:18px}
@media (max-width:980px){.grid2{grid-template-columns:1fr}}
.tracker-head{display:flex;align-items:center;gap:10px;margin:26px 0 10px}
.tracker-head h3{margin:0}
article.track{border:1px solid var(--line);border-radius:12px;padding:14px 16px;margin:0 0 14px;background:#fff;
break-inside:avoid}
article.track header{display:flex;justify-content:space-between;gap:10px;flex-wrap:wrap;align-items:baseline}
.badges{display:flex;gap:6px;flex-wrap:wrap}
.badge{font-size:12px;padding:2px 9px;border-radius:999px;background:var(--soft);border:1px solid var(--line);
color:var(--muted);font-weight:600}
.badge.bad{background:#fff0f0;border-color:#ffc9c9;color:var(--bad)}
.badge.warn{background:#fff4e6;border-color:#ffd8a8;color:var(--warn)}
.facts{margin:6px 0 10px;color:var(--muted);font-size:13.5px}
.thumbs{display:flex;gap:12px;flex-wrap:wrap}
.thumbs figure{margin:0;width:calc((100% - 24px)/3);min-width:220px;max-width:360px}
.thumbs img{width:100%;height:auto;display:block;border-radius:8px;background:#222}
.thumbs figcaption{font-size:12px;color:var(--muted);margin-top:4px}
ul.moments{margin:10px 0 0;padding-left:18px;font-size:13.5px}
ul.moments li{margin:2px 0}
.kind{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:1px 6px;
border-radius:4px;background:var(--soft);color:var(--muted);margin:0 4px}
.k-switch,.k-transfer{background:#ffe3f6;color:var(--magenta)}
.k-missed{background:#fff0f0;color:var(--bad)}
.k-wrong-id{background:#fff4e6;color:var(--warn)}
.note{background:#f8f9fc;border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:8px;
padding:10px 14px;color:var(--muted);font-size:14px}
table.kv{border-collapse:collapse;font-size:14px;width:100%}
table.kv th{text-align:left;color:var(--muted);font-weight:600;padding:6px 16px 6px 0;vertical-align:top;
white-space:nowrap;width:1%}
table.kv td{padding:6px 0;overflow-wrap:anywhere}
table.kv tr+tr th,table.kv tr+tr td{border-top:1px solid var(--line)}
pre{background:#0f172a;color:#e2e8f0;padding:12px 14px;border-radius:8px;overflow-x:auto;font-size:12.5px;
white-space:pre-wrap;overflow-wrap:anywhere}
td.bar{position:relative;min-width:110px}
td.bar span{position:absolute;left:6px;top:6px;bottom:6px;background:#d3f9d8;border-radius:4px;max-width:calc(100% - 12px)}
td.bar em{position:relative;font-style:normal;font-weight:600}
footer{color:var(--muted);font-size:12.5px;padding:26px 0 40px}
@media print{nav.toc{display:none}.hero{-webkit-print-color-adjust:exact;print-color-adjust:exact}
section{break-inside:auto}.figure{break-inside:avoid}}
"""


# ------------------------------------------------------------------------------------------------
# The report


def build_report(ws, alpha: float = 0.5, *, whatif: bool = False, max_tracks: int = 6,
                 title: str | None = None, workers: int = 1, score_thresholds: str | None = None,
                 resample_tracks: bool = False) -> str:
    """The whole report as one self-contained HTML string (see the module docstring).

    ``alpha`` is the IoU threshold at which tracks and frames are shown (the tables are means over
    the 19 alphas); ``whatif`` adds the what-if re-evaluations and ``score_thresholds`` (a
    ``--score-thresholds`` SPEC) a score sweep computed from the input files (a run saved with a sweep
    shows its own without it); ``max_tracks`` worst tracks per tracker (plus up to two with the most
    switches); ``workers`` processes for each sequence's share of the sections read from the box tables
    and the input check (``report_pieces``) and for the re-evaluations (``report_reeval``), running
    while the other sections are built when above 1 (the report is the same either way);
    ``resample_tracks`` adds intervals over ground-truth tracks (the sequences evaluated again)."""
    alpha = float(ALPHAS[alpha_index(alpha)])
    from tracklens.sweep import DEFAULT_CUTOFFS

    from .report_diff import MAX_PAIRS
    from .report_pieces import ReportPieces
    from .report_reeval import Reevaluation  # sweep and what-if: started first, in the background with workers > 1
    reevaluation = Reevaluation(ws, whatif=whatif, sweep=score_thresholds is not None, workers=workers,
                                score_thresholds=score_thresholds or DEFAULT_CUTOFFS)
    pieces = None
    try:  # each sequence's share of the sections read from the box tables, in workers when above 1
        pieces = ReportPieces(ws, alpha_index(alpha), tuple(ws.trackers[1:1 + MAX_PAIRS]), workers)
        return _build_report(ws, alpha, reevaluation, pieces, whatif=whatif, max_tracks=max_tracks, title=title,
                             tracks=(workers if resample_tracks else 0))
    finally:
        if pieces is not None:
            pieces.close()
        reevaluation.close()


def _build_report(ws, alpha: float, reevaluation, pieces, *, whatif: bool, max_tracks: int,
                  title: str | None, tracks: int = 0) -> str:
    figures = _Figures()
    colors = tracker_colors(ws.trackers)
    summary = summary_table(ws.metrics, COMBINED).sort_values("HOTA", ascending=False).reset_index(drop=True)
    per_seq = sequence_table(ws.metrics)
    m = ws.manifest
    what = ws.inputs.benchmark if ws.inputs.format == "mot" else _FORMAT_NAMES[ws.inputs.format].split(" (")[0]
    title = title or f"tracklens report · {what}" + (f" · class {ws.class_name}" if ws.classes else "")

    sections = []
    # Summary
    body = _metric_table(summary, colors, ("tracker",))
    body += (f"<details><summary>Per sequence ({len(ws.sequences)} sequences x {len(ws.trackers)} trackers)"
             f"</summary>{_metric_table(per_seq, colors, ('tracker', 'sequence'))}</details>")
    class_lead = ""
    if ws.classes:
        every = _metric_table(class_table(ws.class_metrics, ws.combined), colors, ("tracker", "class"))
        body += f"<h3>Every class</h3>{every}"
        class_lead = (f"Class {ws.class_name} (each class is evaluated on its own; the last table gives every class and "
                      "the class combinations). ")
    sections.append(_section(
        "summary", "Summary" + (f" · class {ws.class_name}" if ws.classes else ""),
        body, class_lead + "All sequences combined. Rates are percentages and HOTA-family scores are means over the 19 α, "
              f"as TrackEval reports them; CLEAR and Identity use IoU ≥ {ws.inputs.threshold:g}. The best value per "
              "column is green "
              "(fewest for IDSW, Frag, ML, FP, FN)."))
    # Alpha curves
    sections.append(_section(
        "alpha", "Scores against α",
        figures.html(alpha_curves(per_alpha_table(ws.metrics, COMBINED), alpha=alpha), "alpha"),
        f"HOTA, DetA, AssA and LocA at each localisation threshold α; the legend gives each curve's mean "
        f"(the reported number). The dotted line marks α = {alpha:.2f}, used for the tracks below."))
    # DetA x AssA
    scatter = tradeoff_scatter(summary, "DetA", "AssA", "geometric", "HOTA")
    scatter.update_traces(cliponaxis=False, selector={"mode": "markers+text"})  # labels of points on the edge
    scatter.update_layout(margin={"t": 60, "r": 60, "l": 60})
    trade = figures.html(scatter, "deta-assa")
    extra = ""
    if len(ws.sequences) > 1:
        extra = figures.html(sequence_difficulty(per_seq), "difficulty")
    body = f'<div class="grid2">{trade}{extra}</div>' if extra else trade
    sections.append(_section(
        "tradeoff", "Detection x association",
        body, "Each tracker as a point in DetA x AssA over contours of HOTA = √(DetA·AssA): up means better "
              "identities, right means better detection. The dashed line is the Pareto front."
              + (" Right: sequences by mean HOTA across trackers, hardest first." if extra else "")))
    decide = decide_sections(ws, figures.html, _section, reevaluation, tracks)  # from the metrics: while the pieces come
    # Worst tracks
    sections.append(_section("tracks", "Worst tracks", _worst_tracks_html(ws, alpha, max_tracks, colors, pieces),
                             f"Per tracker, the ground-truth tracks that cost the most association at α = {alpha:.2f}: "
                             "a track's cost is matched frames × (1 − its AssA) over all matched frames, i.e. "
                             "the AssA points it takes from the combined score; then the tracks with the most "
                             "identity switches. Thumbnails show the frames where each track fails, the track "
                             "highlighted (white dashes: ground truth; coloured: tracker ids; magenta ring: "
                             "identity switch; red dashes: missed)."))
    from .report_breakdowns import breakdown_section  # breakdowns by condition, causes of identity errors
    sections.append(_section(*breakdown_section(ws, alpha, figures.html, colors, pieces)))
    # What-if
    from tracklens.run import reevaluation_refused
    refused = reevaluation_refused(ws.inputs) if ws.inputs.format == "mot" and not ws.classes else None
    if refused:  # scored under rules the re-evaluation would not reproduce: no numbers from other rules
        body, lead = f'<p class="note">What-if gains are not shown: {_e(refused)}</p>', ""
    elif whatif or ws.inputs.format != "mot" or ws.classes:  # the fixes do not apply to the run: said either way
        try:
            table, reason = reevaluation.whatif() if whatif else whatif_inputs(ws)
        except Exception as exc:  # noqa: BLE001 - the report must still come out
            table, reason = None, f"the re-evaluation failed ({type(exc).__name__}: {exc})"
        if table is not None:
            body = figures.html(whatif_figure(table), "whatif") + _whatif_html(table, colors)
            lead = ("How much HOTA each kind of error costs: the tracker output is edited to remove one kind of "
                    "error (an oracle fix) and evaluated again with the same pipeline. Gains overlap, so they do "
                    "not add up; “everything” fixes all kinds at once.")
        else:
            body = (f'<p class="note">What-if gains are not available: {_e(reason)}. They re-evaluate edited '
                    "tracker outputs, so they need the original ground truth and tracker files; build the report "
                    "where those are (tracklens report RUN_DIR), or open the What-if page of the dashboard.</p>")
            lead = ""
    else:
        from .report_reeval import WHATIF_LEFT_OUT
        body, lead = f'<p class="note">{_e(WHATIF_LEFT_OUT)}</p>', ""
    sections.append(_section("whatif", "What-if gains", body, lead))
    sections += decide
    sections.append(diff_section(ws, alpha, pieces))  # Run diff (report_diff.py)
    # Provenance
    sections.append(_section("provenance", "How these numbers were made", _provenance(ws, alpha, pieces)))

    chips = [("trackers", len(ws.trackers)), ("sequences", len(ws.sequences)),
             ("frames", sum(s.num_frames for s in ws.sequences)),
             ("benchmark" if ws.inputs.format == "mot" else "format", what),
             *((("class", f"{ws.class_name} of {len(ws.classes)}"),) if ws.classes else ()),
             ("preprocessing", "on" if ws.inputs.preprocess else "off"),
             *((("protocol", ws.inputs.protocol),) if ws.inputs.protocol else ()),
             ("evaluated", str(m.get("created", "?")).replace("T", " ").replace("+00:00", " UTC")),
             ("tracklens", m.get("tracklens", "?"))]
    meta = "".join(f"<li>{_e(k)} <b>{_e(v)}</b></li>" for k, v in chips)
    toc = "".join(f'<a href="#{a}">{_e(t)}</a>' for a, t in (
        ("summary", "Summary"), ("alpha", "Scores vs α"), ("tradeoff", "DetA × AssA"), ("tracks", "Worst tracks"),
        ("whatif", "What-if"), ("diff", "Run diff"), ("provenance", "Provenance")))
    trackers = ", ".join(ws.trackers)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="tracklens {_e(m.get('tracklens', ''))}">
<title>{_e(title)}</title>
<style>{CSS}</style></head>
<body>
<header class="hero"><div class="wrap">
<h1>{_e(title.split(' · ')[0])}{' <span>· ' + _e(' · '.join(title.split(' · ')[1:])) + '</span>' if ' · ' in title else ''}</h1>
<p class="sub">{_e(trackers)} on {_e(', '.join(s.name for s in ws.sequences))}</p>
<ul class="meta">{meta}</ul>
{_cards(summary, colors)}
</div></header>
<nav class="toc"><div class="wrap">{toc}</div></nav>
<main class="wrap">
{''.join(sections)}
</main>
<footer class="wrap">Generated by tracklens {_e(m.get('tracklens', ''))}. A single self-contained file: it opens offline
(plotly.js and every image are embedded).</footer>
</body></html>
"""


def _worst_tracks_html(ws, alpha: float, max_tracks: int, colors: dict[str, str], pieces=None) -> str:
    parts = []
    sources: dict[str, FrameSource] = {}
    try:
        for tracker in ws.trackers:
            tracks = worst_tracks(ws, tracker, alpha, max_tracks, pieces=pieces)
            parts.append(f'<div class="tracker-head">{_chip(tracker, colors)}'
                         f'<span class="muted">{len(tracks)} tracks</span></div>')
            if not tracks:
                parts.append('<p class="note">No ground-truth track loses association at this α.</p>')
            for t in tracks:
                meta = ws.sequence(t.sequence)
                if t.sequence not in sources:
                    sources[t.sequence] = _open_source(meta)
                frames = sorted(t.moments[:MAX_MOMENTS], key=lambda mo: mo.frame)
                if not frames:
                    frames = [Moment(int(t.facts["first_frame"]), "track", "first frame")]
                thumbs = [(mo, thumbnail(ws, tracker, t.sequence, mo.frame, t.gt_id, alpha, sources[t.sequence]))
                          for mo in frames]
                parts.append(_track_card(t, alpha, thumbs))
            missed = never_matched(ws, tracker, alpha, pieces)
            if missed:
                listed = "; ".join(f"{_e(s)}: {', '.join(map(str, ids[:30]))}{' …' if len(ids) > 30 else ''}"
                                   for s, ids in missed.items())
                count = sum(len(v) for v in missed.values())
                parts.append(f'<p class="note">{count} ground-truth track{"s" if count > 1 else ""} never '
                             f"matched at α = {alpha:.2f} (a detection problem, not association): {listed}.</p>")
    finally:
        for source in sources.values():
            source.close()
    return "".join(parts)
