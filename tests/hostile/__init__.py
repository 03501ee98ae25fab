"""Malformed and hostile inputs, generated at test time in temporary folders (see corpus.py)."""
