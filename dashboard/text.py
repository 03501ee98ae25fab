"""Names from the data (trackers, sequences, notes) shown as plain text in Markdown-rendering
elements: a folder named ``![b](http://host)`` must print as those characters, not fetch an image."""
from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def plain(text: object) -> str:
    """``text`` with every Markdown, HTML-entity and Streamlit directive character escaped, and
    control characters (newlines, ANSI escapes) shown as ``?``."""
    s = "".join(c if c.isprintable() else "?" for c in str(text))
    return _MARKDOWN.sub(r"\\\1", s)


def chart_text(text: object) -> str:
    """``text`` (a tracker or sequence name) for a plotly label, legend, axis or hover: plotly draws a subset of
    HTML there (``<b>``, ``<a href>``, entities) and fills ``%{...}`` in hover templates, so ``& < >`` become
    entities and ``%{`` is broken up; control characters show as ``?``."""
    s = "".join(c if c.isprintable() else "?" for c in str(text))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("%{", "%&#123;")
