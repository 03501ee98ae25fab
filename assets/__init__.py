"""The bundled real sample (``sample/``: TUD-Campus and TUD-Stadtmitte, two trackers; see its
CREDITS.md), shipped as package data so an installed ``tracklens dashboard`` opens on it."""
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "sample"
