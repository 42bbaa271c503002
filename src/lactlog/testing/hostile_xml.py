"""Hostile TCX and GPX documents: the worst cases the XML readers must survive.

Each builder takes a target size [bytes] (the document is about that long; the small ones
ignore it) and returns ``(name, data)``: the file name (its extension is the format hint) and
the bytes. :data:`WORST_CASES` lists them all; ``tests/io/test_xml_limits.py`` reads each under
an address-space limit and ``bench/fuzz.py`` mixes them into the XML seeds.
"""

from __future__ import annotations

from collections.abc import Callable

_TCX_OPEN = b'<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase>'
_TCX_CLOSE = b"</TrainingCenterDatabase>"
_GPX_OPEN = b'<?xml version="1.0"?>\n<gpx version="1.1" creator="x">'
_LAP = (
    b"<Lap><Track><Trackpoint><Time>2024-01-01T00:00:00Z</Time>"
    b"<HeartRateBpm><Value>140</Value></HeartRateBpm></Trackpoint></Track></Lap>"
)
_ACTIVITY = b"<Activity Sport='Running'>" + _LAP + b"</Activity>"
_ONE_POINT = b"<Activities>" + _ACTIVITY + b"</Activities>"


def _repeat(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


def deep_tcx(size: int) -> tuple[str, bytes]:
    """``<a>`` nested as deep as the size allows (issue 14: 102 kB gzipped reached 4.4 GB)."""
    return "deep.tcx", _TCX_OPEN + _repeat(b"<a>", size)


def deep_gpx(size: int) -> tuple[str, bytes]:
    """Nesting inside a track point, closed properly: deep but well-formed."""
    depth = max(1, size // 7)
    return "deep.gpx", (
        _GPX_OPEN + b"<trk><trkseg><trkpt>" + b"<e>" * depth + b"</e>" * depth
        + b"</trkpt></trkseg></trk></gpx>"
    )


def flat_elements_tcx(size: int) -> tuple[str, bytes]:
    """Millions of empty sibling elements (four bytes each)."""
    return "flat.tcx", _TCX_OPEN + _ONE_POINT + _repeat(b"<a/>", size) + _TCX_CLOSE


def tiny_points_tcx(size: int) -> tuple[str, bytes]:
    """The smallest trackpoints that carry a time, one second apart."""
    n = max(1, size // 60)
    points = b"".join(
        b"<Trackpoint><Time>%d-01-01T%02d:%02d:%02dZ</Time></Trackpoint>"
        % (2000 + i // 86400, i // 3600 % 24, i // 60 % 60, i % 60)
        for i in range(n)
    )
    return "points.tcx", (
        _TCX_OPEN + b"<Activities><Activity><Lap><Track>" + points
        + b"</Track></Lap></Activity></Activities>" + _TCX_CLOSE
    )


def tiny_points_gpx(size: int) -> tuple[str, bytes]:
    """Minimal timed track points, all at the same instant (merged into one sample)."""
    point = b'<trkpt lat="1" lon="2"><time>2024-01-01T00:00:00Z</time></trkpt>'
    return "points.gpx", (
        _GPX_OPEN + b"<trk><trkseg>" + _repeat(point, size) + b"</trkseg></trk></gpx>"
    )


def untimed_points_gpx(size: int) -> tuple[str, bytes]:
    """Track points without a time (only counted) and one with."""
    return "untimed.gpx", (
        _GPX_OPEN + b"<trk><trkseg>" + _repeat(b"<trkpt/>", size)
        + b"<trkpt><time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>"
    )


def many_laps_tcx(size: int) -> tuple[str, bytes]:
    """An activity of one trackpoint and millions of empty laps."""
    return "laps.tcx", (
        _TCX_OPEN + b"<Activities><Activity>" + _LAP + _repeat(b"<Lap/>", size)
        + b"</Activity></Activities>" + _TCX_CLOSE
    )


def many_activities_tcx(size: int) -> tuple[str, bytes]:
    """Thousands of one-point activities (at most MAX_SESSIONS are read)."""
    n = max(1, min(size // len(_ACTIVITY), 5000))
    return "activities.tcx", _TCX_OPEN + b"<Activities>" + _ACTIVITY * n + b"</Activities>" + (
        _TCX_CLOSE
    )


def huge_attribute_gpx(size: int) -> tuple[str, bytes]:
    """One attribute value longer than MAX_TOKEN_BYTES (refused)."""
    return "attribute.gpx", b'<gpx creator="' + _repeat(b"x", size) + b'"></gpx>'


def huge_text_tcx(size: int) -> tuple[str, bytes]:
    """A trackpoint time of many megabytes (only MAX_TEXT_CHARS are kept)."""
    return "text.tcx", (
        _TCX_OPEN + b"<Activities><Activity><Lap><Track><Trackpoint><Time>2024-01-01T00:00:00Z"
        + _repeat(b"0", size) + b"</Time></Trackpoint></Track></Lap></Activity></Activities>"
        + _TCX_CLOSE
    )


def many_comments_gpx(size: int) -> tuple[str, bytes]:
    """Comments of 1 MiB each before the root (each under MAX_TOKEN_BYTES)."""
    comment = b"<!--" + b"c" * 2**20 + b"-->"
    return "comments.gpx", (
        b'<?xml version="1.0"?>' + comment * max(1, size // len(comment)) + _GPX_OPEN[21:]
        + b"</gpx>"
    )


_LAUGHS = (
    '<!DOCTYPE {root} [<!ENTITY l0 "lollollollollol">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)


def billion_laughs(root: str = "TrainingCenterDatabase", encoding: str = "utf-8") -> bytes:
    """The classic entity bomb (10^9 expansions of ``lol``), encoded as given (``utf-16-le``
    and ``utf-16-be`` carry no byte-order mark)."""
    declaration = (
        "" if encoding.startswith("utf-16-") else f'<?xml version="1.0" encoding="{encoding}"?>'
    )
    text = declaration + _LAUGHS.format(root=root) + f"<{root}>&l9;</{root}>"
    return text.encode(encoding)


def entity_bomb_tcx(size: int) -> tuple[str, bytes]:
    return "laughs.tcx", billion_laughs()


def entity_bomb_utf16le_tcx(size: int) -> tuple[str, bytes]:
    """Issue 14: a UTF-16LE file without BOM passed the byte regex and was expanded."""
    return "laughs16.tcx", billion_laughs(encoding="utf-16-le")


def entity_bomb_utf16be_gpx(size: int) -> tuple[str, bytes]:
    return "laughs16.gpx", billion_laughs("gpx", encoding="utf-16-be")


def entity_amplification_tcx(size: int) -> tuple[str, bytes]:
    """One 4 kB entity referenced in many trackpoints: amplification within expat's own
    limit (issue 14: 35 kB gzipped reached 3 GB RSS and a 750 MB cache row)."""
    blob = "9" * 4000
    point = "<Trackpoint><Time>2024-01-01T00:00:00Z</Time><Notes>&b;</Notes></Trackpoint>"
    text = (
        f'<?xml version="1.0"?><!DOCTYPE TrainingCenterDatabase [<!ENTITY b "{blob}">]>'
        "<TrainingCenterDatabase><Activities><Activity><Lap><Track>"
        + point * max(1, size // len(point))
        + "</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    )
    return "amplified.tcx", text.encode()


def comment_only_tcx(size: int) -> tuple[str, bytes]:
    """The only "TrainingCenterDatabase" is inside a comment: not a TCX file."""
    return "comment.tcx", b"<?xml version='1.0'?><!-- <TrainingCenterDatabase> --><html></html>"


#: Every builder, by name.
WORST_CASES: dict[str, Callable[[int], tuple[str, bytes]]] = {
    "deep_tcx": deep_tcx,
    "deep_gpx": deep_gpx,
    "flat_elements_tcx": flat_elements_tcx,
    "tiny_points_tcx": tiny_points_tcx,
    "tiny_points_gpx": tiny_points_gpx,
    "untimed_points_gpx": untimed_points_gpx,
    "many_laps_tcx": many_laps_tcx,
    "many_activities_tcx": many_activities_tcx,
    "huge_attribute_gpx": huge_attribute_gpx,
    "huge_text_tcx": huge_text_tcx,
    "many_comments_gpx": many_comments_gpx,
    "entity_bomb_tcx": entity_bomb_tcx,
    "entity_bomb_utf16le_tcx": entity_bomb_utf16le_tcx,
    "entity_bomb_utf16be_gpx": entity_bomb_utf16be_gpx,
    "entity_amplification_tcx": entity_amplification_tcx,
    "comment_only_tcx": comment_only_tcx,
}
