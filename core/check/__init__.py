"""``tracklens check``: what is probably wrong with well-formed input (a frame offset, 0-based frames,
corner boxes, a constant scale or translation, boxes outside the image, a class filter removing most
boxes, duplicate ids, ground-truth ids that jump), each with its evidence, the ``--fix`` that
corrects it and the scores before and after (docs/check.md).

``checker.check_layout`` is the entry point; ``fixes`` the corrections; ``detect`` the detectors;
``evidence`` runs them on one sequence; ``findings`` groups what they saw; ``command`` the terminal side.
"""
