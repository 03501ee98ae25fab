"""The environment the suite runs in: exactly one installed distribution provides ``cv2``.

trackeval asks for ``opencv-python`` while tracklens uses ``opencv-python-headless``; both install the
same ``cv2`` folder, and whichever is installed last silently wins (requirements/overrides.txt).
"""
from importlib import metadata


def test_exactly_one_distribution_provides_cv2():
    owners = sorted({dist.metadata["Name"] for dist in metadata.distributions()
                     if any(str(f).split("/")[0] == "cv2" for f in (dist.files or ()))})
    assert owners == ["opencv-python-headless"], owners
