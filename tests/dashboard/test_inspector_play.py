"""The inspector while Play runs (AppTest): a tick advances the frame and draws the picture, slider and
strip only, saying the rest comes back when paused; pausing brings the counts, events and the box table
back, and the filmstrip choice made before Play is kept."""
from __future__ import annotations


from streamlit.testing.v1 import AppTest

from apptest_pages import open_page



def open_inspector(**params: str) -> AppTest:
    return open_page("inspector", timeout=120,
                     **{"seq": "TUD-Stadtmitte", "tracker": "motmetrics_test", "alpha": "0.5", **params})


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def image_captions(at: AppTest) -> list[str]:
    return [img.caption for element in at.get("image") for img in element.proto.imgs]


def test_a_play_tick_draws_the_picture_and_strip_only_then_pause_brings_the_rest_back():
    at = open_inspector(frame="53", film="1")
    assert at.dataframe and "TP" in " ".join(m.value for m in at.markdown)
    at.toggle(key="playing").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["frame"] == 54  # the tick advanced the frame
    assert "Playing: this frame's counts, identity events and box table are shown when paused." in captions(at)
    assert not at.dataframe  # no box table while playing
    assert image_captions(at) == ["frame 54 / 179 · α = 0.50"]  # the picture, not the filmstrip
    assert at.get("plotly_chart"), "the error strip stays while playing"
    assert str(at.query_params["frame"]).strip("[]'") == "54"  # the URL follows
    at.toggle(key="playing").set_value(False).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["frame"] == 54 and at.session_state["filmstrip"] is True
    assert at.dataframe and "Playing:" not in captions(at)
    assert at.toggle(key="filmstrip").value is True  # the filmstrip is back (frame 54 has nothing to crop to)
    assert "No filmstrip: pick a box in the frame table, or step to an identity event." in captions(at)
