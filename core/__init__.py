"""tracklens core: TrackEval-exact tracking metrics with the matches kept for error analysis."""
__version__ = "0.1.0"
