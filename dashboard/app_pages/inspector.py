"""Frame inspector: the real frame with every box drawn by its state at α, the frame's events
beside it, stepping by frame or by the next error of a chosen kind."""
from __future__ import annotations

import streamlit as st

from tracklens.analysis.timeline import ERROR_KINDS, error_frames
from tracklens.analysis.tracks import pair_table
from tracklens.dashboard import state
from tracklens.dashboard.crop_views import TRAIL_FRAMES, crop_jpeg, filmstrip_jpeg, zoom_spec
from tracklens.dashboard.display import data_url
from tracklens.dashboard.figures import frame_marker_html, from_spec, timeline_point
from tracklens.dashboard.loading import error_strip_spec, frame_boxes, frame_picture, frame_source
from tracklens.dashboard.overlay import legend_items
from tracklens.dashboard.text import plain
from tracklens.dashboard.views import (KEY_COLUMNS, alpha_index, association_scores, clear_threshold, disagreements,
                                       event_lines, frame_counts, frame_table, legend_html, neighbour,
                                       selected_box_text, selected_gt)

STRIP_BINS = 400  # bars in the whole-sequence error strip, however long the sequence
PLAY_FPS = 10
FRAME_VIEWS = {"whole": "whole frame", "zoom": "zoom & pan", "tight": "crop: close", "medium": "crop: medium",
               "wide": "crop: wide"}
CROPS = ("tight", "medium", "wide")
FILMSTRIP_HALF = 3  # the filmstrip shows frames k-3..k+3
# The page's top padding, title and the frame's height made to fit a 1280x720 window with the step
# controls: the frame is at most as tall as the window less what stands above and below it.
FRAME_CSS = """<style>
[data-testid="stMainBlockContainer"] {padding-top: 3.8rem;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.55rem; padding: 0 0 0.2rem 0;}
.st-key-frame_area img {max-height: calc(100vh - 290px); width: auto !important; max-width: 100%;
                        margin: 0 auto; display: block;}
</style>"""
COUNTS_HTML = ("<div style='display:flex;gap:1.5rem;font-size:1.5rem;line-height:1.3;margin-bottom:0.3rem'>"
               "<span><small>TP</small> {TP}</span><span><small>FN</small> {FN}</span><span><small>FP</small> {FP}</span>"
               "</div>")  # one element for the three counts (three st.metric in columns were seven)
FRAME_TABLE_COLUMNS = {
    "box": st.column_config.TextColumn(width=52),
    "state": st.column_config.TextColumn(width=46),
    "event (CLEAR)": st.column_config.TextColumn(width=240),
    "why (HOTA at α)": st.column_config.TextColumn(width=300),
    "best IoU": st.column_config.NumberColumn(width=64, format="%.2f",
                                              help="highest IoU with any box of the other side (0: none)"),
    "A(c)": st.column_config.TextColumn(width=48, help="association score of this match at α: TPA/(TPA+FNA+FPA)")}

ws = st.session_state["workspace"]
view = st.session_state["view"]
seq_name, tracker = st.session_state["seq"], st.session_state["tracker"]
alpha = st.session_state["alpha"]
a_idx = alpha_index(alpha)
threshold = clear_threshold(ws.manifest)
meta = ws.sequence(seq_name)
analysis = ws.analysis(tracker, seq_name)
n = meta.num_frames
st.session_state["frame"] = min(max(1, int(st.session_state.get("frame", 1))), n)


def _go(frame: int | None) -> None:
    if frame is not None:
        st.session_state["frame"] = min(max(1, int(frame)), n)


def crop_subject(track: int | None, highlight) -> str:
    return f"ground-truth track {track}" if highlight is not None else "this frame's identity events"


def _from_slider() -> None:
    st.session_state["frame"] = st.session_state["frame_slider"]


st.html(FRAME_CSS)
st.title(f"Frame inspector · {plain(seq_name)} · {plain(tracker)}" + (f" · class {plain(ws.class_name)}" if ws.classes else ""))
for key, choices in (("error_kind", list(ERROR_KINDS)), ("show_sides", ["both", "gt", "tr"]),
                     ("frame_view", list(FRAME_VIEWS)), ("filmstrip", (True, False))):
    state.choice(key, choices)  # a link's view choices
if st.session_state.pop("_crop_frame", False):  # a box was picked in the frame table (set before the selectbox)
    st.session_state["frame_view"] = "medium"
options = st.columns([2.4, 2.2, 1.7, 0.9])
kind = options[0].selectbox("Jump to", list(ERROR_KINDS), format_func=ERROR_KINDS.get, key="error_kind",
                            label_visibility="collapsed")
show = options[1].radio("Show", ["both", "gt", "tr"], horizontal=True, key="show_sides",
                        format_func={"both": "both", "gt": "gt", "tr": "tracker"}.get,
                        label_visibility="collapsed", help="which boxes to draw: both sides, ground truth (gt) or tracker")
zoom = options[2].selectbox("View", list(FRAME_VIEWS), format_func=FRAME_VIEWS.get, key="frame_view",
                            label_visibility="collapsed",
                            help="crop: the selected track (pick a row of the frame table), else this frame's "
                                 "identity events, at full resolution with every box labelled and trails of "
                                 f"the last {TRAIL_FRAMES} frames; zoom & pan: wheel to zoom, drag to pan, hover a box")
playing = options[3].toggle("Play", key="playing", help=f"advance {PLAY_FPS} frames per second")
frames_of_kind = error_frames(analysis, kind, a_idx)


def frame_details(k: int, boxes, track: int | None) -> bool:
    """Beside the picture, when paused: the frame's counts, identity events, where the matchings disagree,
    the filmstrip toggle (returned) and the selected track."""
    st.markdown(COUNTS_HTML.format(**frame_counts(boxes)), unsafe_allow_html=True)
    this = analysis.frame_identity_events(k)
    if len(this):
        st.markdown("**Identity events (CLEAR)**")
        for line in event_lines(this, boxes, alpha, threshold):
            st.text(line)
    differ = disagreements(boxes, alpha, threshold)
    if differ:
        with st.expander(f"HOTA at α and CLEAR disagree on {len(differ)} box(es)", expanded=not len(this)):
            for line in differ:
                st.text(line)
    film = st.toggle(f"Filmstrip k−{FILMSTRIP_HALF}…k+{FILMSTRIP_HALF}", key="filmstrip",
                     help="the frames around this one, cropped to the selected track or this frame's events")
    picked_text = st.session_state.pop("picked_text", None)
    if picked_text:
        st.text(picked_text)
    if track is not None:
        st.caption(f"Selected ground-truth track: {track}")
        st.page_link("app_pages/tracks.py", label="Why does this track score what it scores? →")
    return film


def box_table(boxes) -> None:
    """The frame's boxes as a table; picking a row selects its ground-truth track (and crops to it)."""
    table = frame_table(boxes, association_scores(boxes, pair_table(analysis.pairs, a_idx)), alpha, threshold)
    picks = st.session_state.get("table_picks", 0)  # the same table from frame to frame: updated, not rebuilt
    picked = st.dataframe(table.drop(columns=list(KEY_COLUMNS)), hide_index=True, on_select="rerun",
                          selection_mode="single-row", key=f"frame_table_{picks}", height=300, width="stretch",
                          column_config=FRAME_TABLE_COLUMNS)
    rows = picked.selection.rows if picked else []
    if rows:
        row = table.iloc[rows[0]]
        st.session_state["picked_text"] = selected_box_text(boxes, row["side"], int(row["id"]), alpha, threshold)
        gt_id = selected_gt(boxes, row["side"], int(row["id"]))
        st.session_state["table_picks"] = picks + 1  # a fresh table: a pick is acted on once, never on another frame
        if gt_id >= 0:
            st.session_state["track"] = gt_id
            if st.session_state.get("frame_view") in (None, "whole"):
                st.session_state["_crop_frame"] = True  # one click: the frame crops to the picked box's track
        st.rerun()


# A step, a slider move, a strip click or a Play tick reruns this fragment only: the sidebar, the page
# and the clip export stay as they are, and the frame's picture, boxes and strip come from caches
# shared by every session (dashboard/loading.py).
@st.fragment(run_every=1 / PLAY_FPS if playing else None)
def frame_region() -> None:
    # The toggle's state, not this run's `playing`: a tick that reaches the server after Stop must not step
    # the frame (its picture would never be drawn, and the URL would name a frame nobody saw).
    live = bool(st.session_state.get("playing"))
    if live:
        st.session_state["frame"] = st.session_state["frame"] % n + 1
    k = st.session_state["frame"]
    controls = st.columns([0.9, 0.9, 5, 1.9, 1.9])
    controls[0].button("◀", help="previous frame (← key)", on_click=_go, args=(k - 1,), width="stretch",
                       shortcut="Left")
    controls[1].button("▶", help="next frame (→ key)", on_click=_go, args=(k + 1,), width="stretch", shortcut="Right")
    st.session_state["frame_slider"] = k
    controls[2].slider("Frame", 1, max(n, 2), key="frame_slider", on_change=_from_slider,
                       label_visibility="collapsed")
    before, after = neighbour(frames_of_kind, k, False), neighbour(frames_of_kind, k, True)
    controls[3].button("◀ prev", on_click=_go, args=(before,), disabled=before is None, width="stretch",
                       help=f"previous frame · {ERROR_KINDS[kind]} (Shift+← keys)", shortcut="Shift+Left")
    controls[4].button("next ▶", on_click=_go, args=(after,), disabled=after is None, width="stretch",
                       help=f"next frame · {ERROR_KINDS[kind]} (Shift+→ keys)", shortcut="Shift+Right")

    boxes = frame_boxes(view, tracker, seq_name, a_idx, k)
    track = st.session_state.get("track")
    highlight = ("gt", int(track)) if track is not None and ((boxes.side == "gt") & (boxes.id == track)).any() else None
    left, right = st.columns([3, 1.25])
    caption = f"frame {k} / {n} · α = {alpha:.2f}"
    cropped = crop_jpeg(view, tracker, seq_name, a_idx, k, show, track, zoom) if zoom in CROPS else None
    with left.container(key="frame_area"):  # FRAME_CSS keeps it within the window's height
        if cropped is not None:
            st.image(data_url(cropped), caption=f"{caption} · cropped to {crop_subject(track, highlight)}", width="stretch")
        elif zoom == "zoom":
            st.plotly_chart(from_spec(zoom_spec(view, tracker, seq_name, a_idx, k, show, highlight, threshold)),
                            key="zoom_frame", width="stretch", config={"scrollZoom": True, "displaylogo": False})
            st.caption(f"{caption} · wheel to zoom, drag to pan, double-click to see it whole; hover a box for its record")
        else:
            st.image(data_url(frame_picture(view, tracker, seq_name, a_idx, k, show, highlight)), caption=caption,
                     width="stretch")
    if zoom in CROPS and cropped is None:
        left.caption("Nothing to crop to on this frame: pick a box in the frame table, or step to an identity event.")
    if live:  # a Play tick draws the picture, the slider, the strip and its marker only: ~10 elements, not ~35
        right.caption("Playing: this frame's counts, identity events and box table are shown when paused.")
        if "filmstrip" in st.session_state:  # its toggle is not drawn: keep the choice for the pause
            st.session_state["filmstrip"] = st.session_state["filmstrip"]
        film = False
    else:
        with right:
            film = frame_details(k, boxes, track)
    if film:
        sheet = filmstrip_jpeg(view, tracker, seq_name, a_idx, k, show, track, FILMSTRIP_HALF)
        if sheet is None:
            st.caption("No filmstrip: pick a box in the frame table, or step to an identity event.")
        else:
            st.image(sheet, caption=f"frames {max(1, k - FILMSTRIP_HALF)}…{min(n, k + FILMSTRIP_HALF)} around frame {k}, "
                     f"cropped to {crop_subject(track, highlight)}", width="stretch")
    with left:
        note = frame_source(meta.video, meta.image_dir, meta.width, meta.height, n).note
        if note:
            st.info(note)
        st.markdown(legend_html(legend_items()), unsafe_allow_html=True)
    st.caption(f"Box states: HOTA's matching at α = {alpha:.2f}. Events: CLEAR's matching (IoU ≥ {threshold:.2f}). "
               "HOTA pairs boxes once for all α, weighing IoU by how well the whole tracks agree, then drops "
               "pairs below α; CLEAR pairs only boxes with IoU ≥ its threshold, keeping last frame's pairs first."
               + (" Every IoU here is mask IoU, as both matchings used it, not the drawn boxes' IoU."
                  if "mask" in boxes.columns else ""))
    if not live:
        box_table(boxes)

    st.caption(f"{frames_of_kind.size} frames with: {ERROR_KINDS[kind]}. Click the strip to go to a frame.")
    clicks = st.session_state.get("strip_clicks", 0)
    strip_spec = error_strip_spec(view, tracker, seq_name, a_idx, STRIP_BINS)
    strip = st.plotly_chart(from_spec(strip_spec), on_select="rerun", selection_mode="points",
                            key=f"error_strip_{clicks}", width="stretch", config={"displayModeBar": False})
    st.markdown(frame_marker_html(strip_spec, k), unsafe_allow_html=True)  # the strip itself is not redrawn
    clicked = timeline_point(strip)
    if clicked is not None:
        st.session_state["strip_clicks"] = clicks + 1  # a fresh chart: the click is acted on once, no bar stays selected
        _go(clicked[0])
        st.rerun(scope="fragment")
    state.sync_url()  # a fragment rerun skips the app's own sync: the URL follows steps and Play


frame_region()

# --- Export: an annotated clip of the current frame window (dashboard/clips.py), written on click -------------
from tracklens.dashboard.clips import clip_bytes  # noqa: E402

with st.expander("Export a clip of these frames", icon=":material/movie:"):
    here = st.session_state["frame"]
    clip_track = st.session_state.get("track")
    cols = st.columns([4, 1.4, 2])
    first, last = cols[0].slider("Clip frames (inclusive)", 1, max(n, 2), value=(max(1, here - 25), min(n, here + 25)),
                                 key=f"clip_window_{here}")
    clip_format = cols[1].radio("Format", ["mp4", "gif"], horizontal=True, key="clip_format",
                                help="MP4 (mp4v) plays in VLC, QuickTime and slides; GIF plays anywhere, browsers too")
    first, last = min(first, n), min(max(last, first), n)
    cols[2].caption(f"{last - first + 1} frames at α = {alpha:.2f}, sides: {show}"
                    + (f", ground-truth track {clip_track} highlighted" if clip_track is not None else
                       " (select a track in the frame table to highlight it)")
                    + ". Same as `tracklens clip`.")
    cols[2].download_button(
        f"Download {clip_format.upper()}",
        data=lambda: clip_bytes(ws, tracker, seq_name, range(first, last + 1), clip_format, track=clip_track,
                                alpha=alpha, show=show, max_width=960 if clip_format == "gif" else None),
        file_name=f"{seq_name}_{tracker}_{first}-{last}" + (f"_gt{clip_track}" if clip_track is not None else "")
        + f".{clip_format}", mime="video/mp4" if clip_format == "mp4" else "image/gif",
        icon=":material/download:", on_click="ignore", key="clip_download")
