"""Mutators and generators for fuzzing the TCX and GPX readers (shared by ``bench/fuzz.py`` and
``tests/io/test_fuzz_xml.py``).

Seeds are corpus TCX/GPX files (shrunk to their first track points by
:func:`fuzzkit.shrink_text`), TCX files written by :func:`lactlog.testing.write_tcx` from random
tracks, random GPX files, and the small hostile documents of :mod:`lactlog.testing.hostile_xml`.
:func:`mutate_xml` applies 1–3 steps: the byte-level damage of :func:`fuzzkit.mutate_text`, or a
structure-aware step (an element duplicated many times, deleted, moved, renamed or wrapped in
deep nesting; extreme numbers and times as element text; entity and character references;
a DOCTYPE, comments, CDATA, processing instructions; another encoding declaration, UTF-16
re-encoding with or without BOM; a track point spliced from another seed; a tag left open).
Every step is a pure function of the ``random.Random`` it is given.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import numpy as np
import pandas as pd

import fuzzkit
from lactlog.testing import LapSpec, write_tcx
from lactlog.testing.hostile_xml import WORST_CASES

#: Largest mutant [bytes] (a repeated element is repeated fewer times to stay below).
MAX_BYTES = 4 * 2**20

_ELEMENT = re.compile(rb"<(\w+:)?(\w+)\b[^<>]*?(?:/>|>[^<]*</\1?\2>)")
_TAG = re.compile(rb"<[^<>]{1,200}>")
_TEXT = re.compile(rb">([^<>]{1,80})<")
_POINT = re.compile(
    rb"<(?:\w+:)?(?:Trackpoint|trkpt)\b.*?</(?:\w+:)?(?:Trackpoint|trkpt)>", re.DOTALL
)

INTERESTING_TEXT = (
    b"", b" ", b"NaN", b"nan", b"inf", b"-inf", b"1e308", b"-1e309", b"1e-320", b"0", b"-0",
    b"-1", b"65535", b"4294967296", b"99999999999999999999", b"1_000", b"0x10", b"\xc2\xa0",
    b"1677-09-21T00:12:43Z", b"2262-04-11T23:47:16Z", b"1677-01-01T00:00:00Z",
    b"2263-01-01T00:00:00Z", b"0001-01-01T00:00:00Z", b"9999-12-31T23:59:59Z",
    b"2024-02-30T00:00:00Z", b"2024-01-01T00:00:00+99:99", b"2024-01-01T00:00:00-18:00",
    b"2024-01-01T00:00:00+14:00", b"2024-01-01T25:61:61Z", b"2024-01-01", b"2024",
    b"2024-01-01T00:00:00.123456789123Z", b"T", b"Z", b"Running", b"Biking", b"Other", b"9",
)
_REFERENCES = (
    b"&amp;", b"&lt;", b"&#0;", b"&#x110000;", b"&#xD800;", b"&#65;", b"&#x1F600;", b"&undefined;",
    b"&", b"&#;", b"&#x;", b"&amp",
)
_MARKUP = (
    b"<!-- comment -->", b"<!-- <TrainingCenterDatabase> <gpx> -->", b"<![CDATA[1<2]]>",
    b"<?pi data?>", b"<!DOCTYPE x>", b'<!DOCTYPE x [<!ENTITY e "e">]>', b"<x/>", b"</x>",
    b"<Trackpoint>", b"</trkpt>", b"<Time>", b"<trk>", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
)
_DECLARATIONS = (
    b'<?xml version="1.0" encoding="UTF-16"?>', b'<?xml version="1.0" encoding="latin-1"?>',
    b'<?xml version="1.0" encoding="cp037"?>', b'<?xml version="1.0" encoding="bogus"?>',
    b'<?xml version="1.1"?>', b'<?xml version="1.0" standalone="yes"?>', b"<?xml?>",
)


def _some(pattern: re.Pattern[bytes], data: bytes, rng: random.Random, k: int = 64) -> list:
    """Up to ``k`` matches from a random position on (from the start when there are none), so
    a 4 MB mutant never holds a million match objects."""
    start = rng.randrange(len(data) + 1)
    found = [m for _, m in zip(range(k), pattern.finditer(data, start))]
    return found or [m for _, m in zip(range(k), pattern.finditer(data))]


_END_TAG = re.compile(rb"</[\w:]+>")


def _element(data: bytes, rng: random.Random) -> re.Match[bytes] | None:
    matches = _some(_ELEMENT, data, rng, 50)
    return rng.choice(matches) if matches else None


def repeat_element(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """An element (a track point, preferably) repeated 2 to 2,000 times in place."""
    points = _some(_POINT, data, rng)
    match = rng.choice(points) if points and rng.random() < 0.6 else _element(data, rng)
    if match is None:
        return data
    times = min(rng.choice((2, 10, 100, 2000)), MAX_BYTES // max(1, len(match.group())))
    return data[: match.start()] + match.group() * times + data[match.end() :]


def delete_element(data: bytes, rng: random.Random, other: bytes) -> bytes:
    match = _element(data, rng)
    return data if match is None else data[: match.start()] + data[match.end() :]


def move_element(data: bytes, rng: random.Random, other: bytes) -> bytes:
    match = _element(data, rng)
    if match is None:
        return data
    rest = data[: match.start()] + data[match.end() :]
    tags = _some(_TAG, rest, rng)
    at = rng.choice(tags).end() if tags else 0
    return rest[:at] + match.group() + rest[at:]


def rename_tag(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """A start or end tag's name replaced by another of the document's names (or a prefix)."""
    tags = _some(_TAG, data, rng)
    if not tags:
        return data
    tag = rng.choice(tags)
    names = re.findall(rb"</?([\w:]+)", data[:20000]) or [b"x"]
    name = rng.choice(names)
    if rng.random() < 0.2:
        name = rng.choice((b"ns3:", b"x:", b"")) + name.rpartition(b":")[2]
    new = re.sub(rb"^<(/?)[\w:]+", lambda m: b"<" + m.group(1) + name, tag.group(), count=1)
    return data[: tag.start()] + new + data[tag.end() :]


def wrap_deep(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """A stretch of the document wrapped in 10 to 5,000 levels of nesting."""
    tags = _some(_TAG, data, rng)
    if len(tags) < 2:
        return data
    first, last = sorted(rng.sample(range(len(tags)), 2))
    depth = rng.choice((10, 250, 260, 5000))
    name = rng.choice((b"a", b"Trackpoint", b"Value", b"trkpt", b"extensions"))
    start, end = tags[first].start(), tags[last].end()
    return data[:start] + b"<%s>" % name * depth + data[start:end] + b"</%s>" % name * depth + (
        data[end:]
    )


def replace_text(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """An element's text replaced by an extreme number, time or reference."""
    texts = _some(_TEXT, data, rng)
    if not texts:
        return data
    match = rng.choice(texts)
    roll = rng.random()
    if roll < 0.7:
        value = rng.choice(INTERESTING_TEXT)
    elif roll < 0.9:
        value = rng.choice(_REFERENCES) * rng.choice((1, 1, 3))
    else:
        value = bytes(rng.randrange(32, 127) for _ in range(rng.randint(1, 3000)))
        value = value.replace(b"<", b"x").replace(b"&", b"x")
    return data[: match.start(1)] + value + data[match.end(1) :]


def insert_markup(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """A comment, CDATA section, PI, DOCTYPE, stray tag, NUL or BOM at a tag boundary."""
    tags = _some(_TAG, data, rng)
    at = rng.choice(tags).end() if tags and rng.random() < 0.8 else 0
    return data[:at] + rng.choice(_MARKUP) + data[at:]


def change_declaration(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """Another XML declaration (or none), or the document re-encoded as UTF-16."""
    body = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data, count=1)
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(_DECLARATIONS) + body
    if roll < 0.6:
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    encoding = rng.choice(("utf-16-le", "utf-16-be", "utf-16"))
    declaration = '<?xml version="1.0" encoding="UTF-16"?>' if rng.random() < 0.5 else ""
    return (declaration + text).encode(encoding)


def splice_point(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """A track point of another seed inserted before one of this seed's (or at a tag)."""
    donors = _some(_POINT, other, rng)
    if not donors:
        return data
    donor = rng.choice(donors).group()
    targets = _some(_POINT, data, rng) or _some(_TAG, data, rng)
    if not targets:
        return data + donor
    at = rng.choice(targets).start()
    return data[:at] + donor + data[at:]


def leave_open(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """An end tag removed (the document ends unbalanced) or the document cut at a tag."""
    ends = _some(_END_TAG, data, rng)
    if not ends:
        return data
    match = rng.choice(ends)
    if rng.random() < 0.5:
        return data[: match.start()] + data[match.end() :]
    return data[: match.start()]


def byte_damage(data: bytes, rng: random.Random, other: bytes) -> bytes:
    return fuzzkit.mutate_text(data, rng)


XML_MUTATORS: dict[str, Callable[[bytes, random.Random, bytes], bytes]] = {
    "byte_damage": byte_damage,
    "repeat_element": repeat_element,
    "delete_element": delete_element,
    "move_element": move_element,
    "rename_tag": rename_tag,
    "wrap_deep": wrap_deep,
    "replace_text": replace_text,
    "insert_markup": insert_markup,
    "change_declaration": change_declaration,
    "splice_point": splice_point,
    "leave_open": leave_open,
}
_MUTATOR_LIST = tuple(XML_MUTATORS.values())


def mutate_xml(seed: bytes, other: bytes, rng: random.Random, max_steps: int = 3) -> bytes:
    """``seed`` with 1..``max_steps`` random steps applied (the output stays under
    :data:`MAX_BYTES`, plus the few bytes of one step)."""
    data = seed
    for _ in range(rng.randint(1, max_steps)):
        data = rng.choice(_MUTATOR_LIST)(data, rng, other)
        if len(data) > MAX_BYTES:
            data = data[:MAX_BYTES]
    return data


def random_tcx(rng: random.Random) -> bytes:
    """A TCX activity written by :func:`lactlog.testing.write_tcx` from a random track:
    1–120 points at 1 Hz (some gaps), a random subset of fields, 1–3 laps."""
    n = rng.randint(1, 120)
    start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**8))
    steps = np.array([rng.choice((1, 1, 1, 2, 30)) for _ in range(n)])
    index = pd.DatetimeIndex(start + pd.to_timedelta(np.cumsum(steps), unit="s"))
    generator = np.random.default_rng(rng.randrange(2**32))
    columns = {
        "heart_rate_bpm": generator.uniform(60, 200, n).round(),
        "speed_mps": generator.uniform(0, 12, n),
        "cadence_rpm": generator.uniform(0, 120, n).round(),
        "altitude_m": generator.uniform(-50, 3000, n),
        "distance_m": np.cumsum(generator.uniform(0, 10, n)),
    }
    chosen = {k: v for k, v in columns.items() if rng.random() < 0.7}
    if rng.random() < 0.7:
        chosen["lat_deg"] = 47 + np.cumsum(generator.normal(0, 1e-4, n))
        chosen["lon_deg"] = 8 + np.cumsum(generator.normal(0, 1e-4, n))
    track = pd.DataFrame(chosen, index=index)
    cuts = sorted(rng.sample(range(1, n + 1), min(n, rng.randint(0, 2))))
    bounds = [index[0], *(index[c - 1] for c in cuts), index[-1] + pd.Timedelta(seconds=1)]
    laps = [LapSpec(a.to_pydatetime(), b.to_pydatetime()) for a, b in pairwise(bounds) if a < b]
    sport = rng.choice(("Running", "Biking", "Other"))
    return write_tcx(track, laps, sport=sport).encode()


def random_gpx(rng: random.Random) -> bytes:
    """A GPX document: 1–3 tracks of 1–2 segments, points with or without time, elevation and
    Garmin TrackPointExtension fields, times in UTC or with an offset."""
    offset = rng.choice(("Z", "Z", "+02:00", "-05:30", ""))
    moment = datetime(2023, 6, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**7))
    tracks = []
    for _ in range(rng.randint(1, 3)):
        segments = []
        for _ in range(rng.randint(1, 2)):
            points = []
            for _ in range(rng.randint(0, 60)):
                moment += timedelta(seconds=rng.choice((1, 1, 2, 0, -1)))
                parts = [f'<trkpt lat="{rng.uniform(-90, 90):.6f}" lon="{rng.uniform(-180, 180):.6f}">']
                if rng.random() < 0.8:
                    parts.append(f"<ele>{rng.uniform(-10, 4000):.1f}</ele>")
                if rng.random() < 0.95:
                    parts.append(f"<time>{moment.strftime('%Y-%m-%dT%H:%M:%S')}{offset}</time>")
                if rng.random() < 0.7:
                    parts.append(
                        "<extensions><gpxtpx:TrackPointExtension>"
                        f"<gpxtpx:hr>{rng.randint(40, 220)}</gpxtpx:hr>"
                        f"<gpxtpx:cad>{rng.randint(0, 130)}</gpxtpx:cad>"
                        "</gpxtpx:TrackPointExtension></extensions>"
                    )
                parts.append("</trkpt>")
                points.append("".join(parts))
            segments.append("<trkseg>" + "\n".join(points) + "</trkseg>")
        name = rng.choice(("Morning Run", "Ride", "", "9"))
        tracks.append(f"<trk><name>{name}</name><type>{name}</type>{''.join(segments)}</trk>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Garmin Connect" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        + "\n".join(tracks) + "\n</gpx>\n"
    ).encode()


def hostile_seeds() -> list[tuple[str, bytes]]:
    """The worst cases of :mod:`lactlog.testing.hostile_xml`, small (4 kB) for fuzzing."""
    return [build(4096) for build in WORST_CASES.values()]
