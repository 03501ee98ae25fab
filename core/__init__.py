"""tracklens core: TrackEval-exact tracking metrics with the matches kept for error analysis."""
__version__ = "0.1.0"


def __getattr__(name: str):
    """Lazy exports (keep ``import tracklens`` light): ``tracklens.detection_report``."""
    if name == "detection_report":
        from .metrics.detection import detection_report
        return detection_report
    raise AttributeError(f"module 'tracklens' has no attribute {name!r}")
