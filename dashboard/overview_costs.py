"""The Overview's "what costs each tracker most": a sentence per tracker and its links (the what-if gains, the
worst sequence's tracks, each costliest track in the inspector). A link is a button whose callback sets the
view (sequence, tracker, track, frame) before the run that switches page: the sidebar's widgets own those
keys, so they can only be set before the widgets are drawn."""
from __future__ import annotations

import numpy as np
import streamlit as st

from tracklens.evaluate import COMBINED
from tracklens.run import reevaluation_refused

from .loading import View
from .overview_story import Costs, costliest, largest_gain, sentence, worst_sequence
from .text import plain
from .tracks_data import track_tables
from .views import alpha_index
from .whatif_data import every_combined_what_if, run_is_small

GO_TO = "_overview_go_to"


def follow_link() -> None:
    """Switch to the page a link of this section asked for (call before drawing anything)."""
    target = st.session_state.pop(GO_TO, None)
    if target:
        st.switch_page(target)


def _link(page: str, **view) -> None:
    st.session_state.update(view)
    st.session_state[GO_TO] = page


def _whatif_tables(ws):
    """Every tracker's combined what-if table, when it may be computed now; else (None, why not)."""
    if ws.inputs.format != "mot" or ws.classes:
        return None, "The what-if fixes are defined for MOTChallenge single-class runs only."
    if reevaluation_refused(ws.inputs):
        return None, "Its what-if gains are not computed for this run (see the note above)."
    if not (run_is_small(ws) or st.session_state.get("whatif_all_allowed")):
        return None, "Its what-if gains over all sequences are not computed yet (What-if page)."
    try:
        return every_combined_what_if(ws), ""
    except Exception as exc:  # noqa: BLE001 - a saved run whose input files moved: the rest still reads
        return None, f"What-if gains need the original files ({plain(exc)})."


def costs_section(ws, view: View, alpha: float) -> None:
    """One sentence per tracker, best combined HOTA first, with its links."""
    st.subheader("What costs each tracker most")
    refused = reevaluation_refused(ws.inputs)
    if refused:  # scored under rules the what-if re-evaluation would not reproduce
        st.info(plain(refused))
    tables, note = _whatif_tables(ws)
    if tables is None and not st.session_state.get("whatif_all_allowed") and ws.inputs.format == "mot" \
            and not ws.classes and not refused:  # large runs: the re-evaluation (minutes on MOT17-train) on request
        st.button("Compute the what-if gains over all sequences", key="overview_whatif_go",
                  icon=":material/play_arrow:", help="every tracker x sequence evaluated again once per kind of "
                  "fix; done once, then shared with every session and the What-if page",
                  on_click=lambda: st.session_state.__setitem__("whatif_all_allowed", True))
    a_idx = alpha_index(alpha)
    order = sorted(ws.trackers, key=lambda t: -float(np.mean(ws.metrics[t][COMBINED]["HOTA"])))
    for tracker in order:
        worst = worst_sequence(ws.metrics, tracker)
        where = worst[0] if worst else ws.sequences[0].name
        gt_tracks, _ = track_tables(view, tracker, where, a_idx)
        costs = Costs(tracker, 100 * float(np.mean(ws.metrics[tracker][COMBINED]["HOTA"])),
                      *(largest_gain(tables[tracker]) if tables else (None, None)),
                      *(worst if worst else (None, None)), costliest(gt_tracks))
        st.markdown(sentence(costs, note))
        links = st.columns([1.1, 2.2] + [0.9] * len(costs.tracks) + [2.5])
        links[0].button("What-if →", key=f"go_whatif_{tracker}", type="tertiary", on_click=_link,
                        args=("app_pages/whatif.py",), kwargs={"tracker": tracker})
        if worst:
            links[1].button(f"{plain(worst[0])} tracks →", key=f"go_seq_{tracker}", type="tertiary", on_click=_link,
                            args=("app_pages/tracks.py",), kwargs={"tracker": tracker, "seq": worst[0]})
        for k, (gt, _, first) in enumerate(costs.tracks):
            links[2 + k].button(f"gt {gt} →", key=f"go_track_{tracker}_{gt}", type="tertiary", on_click=_link,
                                args=("app_pages/inspector.py",),
                                kwargs={"tracker": tracker, "seq": where, "track": gt, "frame": first},
                                help=f"gt {gt} of {plain(where)} in the frame inspector")
    st.caption(f"At α = {alpha:.2f}, a track's frames lost are 1 per missed box plus 1 − A per matched box (the "
               "Tracks page orders tracks by it).")
