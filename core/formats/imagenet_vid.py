"""ImageNet VID ground truth (ILSVRC2015 ``Annotations/VID/<split>/<snippet>/<frame>.xml``, Pascal-VOC
XML with a ``trackid`` per object) into ``Detections``, parsed as untrusted input.

One snippet folder is one sequence; its ``*.xml`` files sorted by name are frames 1..N::

    <annotation><size><width>1280</width><height>720</height></size>
      <object><trackid>0</trackid><name>n01674464</name>
        <bndbox><xmin>271</xmin><ymin>68</ymin><xmax>1050</xmax><ymax>630</ymax></bndbox>
        <occluded>0</occluded><generated>0</generated></object></annotation>

Boxes are ``x = xmin, y = ymin, w = xmax - xmin, h = ymax - ymin``; ``cls`` is the class index 1..30
of ``CLASSES`` (the devkit's order); ``line`` is the object's 1-based position in the snippet.

Hardened: a file must be UTF-8 (or ASCII) and may not declare a DOCTYPE or an ENTITY (no entity
expansion of any kind reaches the parser); files above ``MAX_XML_BYTES`` are refused unread.
"""
from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ET

import numpy as np

from ..detections import Detections
from ..errors import InputError
from .motchallenge import MAX_COORD, _read_bytes

SYNSETS = ("n02691156", "n02419796", "n02131653", "n02834778", "n01503061", "n02924116", "n02958343", "n02402425",
           "n02084071", "n02121808", "n02503517", "n02118333", "n02510455", "n02342885", "n02374451", "n02129165",
           "n01674464", "n02484322", "n03790512", "n02324045", "n02509815", "n02411705", "n01726692", "n02355227",
           "n02129604", "n04468005", "n01662784", "n04530566", "n02062744", "n02391049")
CLASSES = ("airplane", "antelope", "bear", "bicycle", "bird", "bus", "car", "cattle", "dog", "domestic_cat",
           "elephant", "fox", "giant_panda", "hamster", "horse", "lion", "lizard", "monkey", "motorcycle", "rabbit",
           "red_panda", "sheep", "snake", "squirrel", "tiger", "train", "turtle", "watercraft", "whale", "zebra")
CLASS_INDEX = {**{s: k + 1 for k, s in enumerate(SYNSETS)}, **{c: k + 1 for k, c in enumerate(CLASSES)}}
MAX_XML_BYTES = 16 * 1024**2  # one frame's annotation is a few KB
_MAX_ID = 2**53
_HINT = ("an ImageNet VID annotation is Pascal-VOC XML: <annotation><object><trackid>, <name> (a VID synset such "
         "as n02691156), <bndbox><xmin><ymin><xmax><ymax></bndbox></object></annotation>; see docs/formats.md.")
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(path: str) -> ET.Element:
    """The root element of one untrusted XML file (no DTD, no entities)."""
    raw = _read_bytes(path, MAX_XML_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "not a UTF-8 text file.", _HINT) from None
    if _DECLARATION.search(text):
        raise InputError(path, "the file declares a DOCTYPE or an ENTITY, which tracklens does not read (entity "
                         "expansion is a known attack on XML readers).",
                         "Remove the <!DOCTYPE ...> / <!ENTITY ...> declaration; VID annotations need none.")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # the declaration's encoding no longer applies to a str
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(path, f"not well-formed XML ({exc}).", _HINT, line=exc.position[0]) from None


def snippet_frames(folder: str) -> list[str]:
    if not os.path.isdir(folder):
        raise InputError(folder, "snippet folder not found.", "Give the folder holding the snippet's <frame>.xml files.")
    return sorted(f for f in os.listdir(folder) if f.endswith(".xml") and os.path.isfile(os.path.join(folder, f)))


def read_vid_snippet(folder: str) -> Detections:
    """Every object of every frame of one snippet (frames in file-name order, 1-based)."""
    names = snippet_frames(folder)
    if not names:
        raise InputError(folder, "no <frame>.xml files in this snippet folder.",
                         "Point at ILSVRC2015's Annotations/VID/<split>/<snippet> folders.")
    frame, ids, box, cls, line = [], [], [], [], []
    for t, name in enumerate(names, start=1):
        path = os.path.join(folder, name)
        root = parse_xml(path)
        if root.tag != "annotation":
            raise InputError(path, f"the root element is <{root.tag[:40]}>, not <annotation>.", _HINT)
        seen: dict[int, int] = {}
        for k, obj in enumerate(root.findall("object"), start=1):
            where = f"object {k}"
            synset = (obj.findtext("name") or "").strip()
            if synset not in CLASS_INDEX:
                raise InputError(path, f"{where}: name {synset[:40]!r} is not one of the 30 VID classes.",
                                 f"Use a VID synset ({', '.join(SYNSETS[:3])}, ...) or class name (airplane, ...).")
            tid = _integer(path, obj.findtext("trackid"), f"{where}: trackid")
            if tid in seen:
                raise InputError(path, f"{where}: trackid {tid} appears twice in this frame (objects {seen[tid]} and "
                                 f"{k}).", "Give each object of a frame its own trackid.")
            seen[tid] = k
            bb = obj.find("bndbox")
            if bb is None:
                raise InputError(path, f"{where} has no <bndbox>.", _HINT)
            x0, y0, x1, y1 = (_number(path, bb.findtext(tag), f"{where}: {tag}")
                              for tag in ("xmin", "ymin", "xmax", "ymax"))
            frame.append(t)
            ids.append(tid)
            box.append((x0, y0, x1 - x0, y1 - y0))
            cls.append(CLASS_INDEX[synset])
            line.append(len(line) + 1)
    n = len(frame)
    return Detections(frame=np.asarray(frame, np.int64), id=np.asarray(ids, np.int64),
                      box=np.asarray(box, float).reshape(-1, 4), conf=np.ones(n), cls=np.asarray(cls, np.int64),
                      vis=np.full(n, np.nan), line=np.asarray(line, np.int64), num_frames=len(names), source=folder)


def _number(path: str, text: str | None, where: str) -> float:
    try:
        value = float((text or "").strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(path, f"{where} is {str(text)[:40]!r}, not a finite number.", _HINT)
    if abs(value) > MAX_COORD:
        raise InputError(path, f"{where} = {value:g} is beyond ±{MAX_COORD:g} pixels.", "Check the units.")
    return value


def _integer(path: str, text: str | None, where: str) -> int:
    value = (text or "").strip()
    if not re.fullmatch(r"[0-9]+", value) or int(value) > _MAX_ID:
        raise InputError(path, f"{where} is {value[:40]!r}, not a non-negative integer.",
                         "Give every object an integer <trackid> (0, 1, ...).")
    return int(value)


__all__ = ["CLASSES", "CLASS_INDEX", "MAX_XML_BYTES", "SYNSETS", "parse_xml", "read_vid_snippet", "snippet_frames"]
