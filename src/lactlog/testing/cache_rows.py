"""Mutated result-cache rows, for the cache loader's "never crash" fuzzing.

A row (:mod:`lactlog.cache_format`) is mutated structurally — a value anywhere in the JSON tree
replaced by one of another type or an extreme one, a key dropped, added or renamed, the row's
``type`` or ``format`` changed, items duplicated or emptied — or byte-wise (bit flips,
truncation, a splice from another row). :func:`check_row` states the loader's contract: a row
either loads as allow-listed dataclasses whose every value is of its declared type (they encode
again without error), or it is refused with :class:`~lactlog.cache_format.RowError`; nothing else.

Used by ``tests/test_cache_fuzz.py`` (short, in CI) and ``bench/fuzz.py --cache-rows N`` (long).
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

from lactlog.cache_format import RowError, decode, encode

#: Replacement values: other types, extremes, look-alikes of the values rows hold.
PALETTE: tuple[Any, ...] = (
    None, True, False, 0, -1, 1, 2**63, -(2**64), 10**400 // 10**300, 0.5, -0.0, 1e308,
    float("nan"), float("inf"), "", "x", "now", "1e9", "2026-13-45", "2026-03-01T07:30:00+99:00",
    "/etc/shadow", "SessionSummary", "DatedBests", "lactlog.__main__", "[/b]", "\x00", "\ud800",
    "a" * 5000, [], [1], ["Timestamp", "now", "ns"], ["Timestamp", "2026-03-01T07:30:00Z", "ps"],
    ["Timestamp", "2026-03-01T07:30:00Z"], {}, {"0": 1}, {"a": None}, [[[[[]]]]],
)


def mutate(row: bytes, other: bytes, rng: random.Random) -> bytes:
    """One to three mutations of ``row`` (``other``: a second row for splices)."""
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        row = (_mutate_bytes if rng.random() < 0.25 else _mutate_tree)(row, other, rng)
    return row


def check_row(blob: bytes) -> str:
    """``loaded`` or ``refused`` (a :class:`RowError`); any other exception propagates, as
    does a loaded row that does not encode again (a value of the wrong type got through)."""
    try:
        items = decode(blob)
    except RowError:
        return "refused"
    encode(items)  # every value is of its declared type, or this raises
    return "loaded"


def _mutate_tree(row: bytes, other: bytes, rng: random.Random) -> bytes:
    try:
        document = json.loads(row)
    except ValueError:
        return _mutate_bytes(row, other, rng)
    choice = rng.random()
    if choice < 0.08 and isinstance(document, dict):
        document["type"] = rng.choice(["SessionSummary", "DatedBests", "Activity", "", 1])
    elif choice < 0.12 and isinstance(document, dict):
        document["format"] = rng.choice([0, 2, "1", 1.0, True, None])
    elif choice < 0.2 and isinstance(document, dict) and isinstance(document.get("items"), list):
        items = document["items"]
        document["items"] = rng.choice([[], items * rng.randint(2, 4), items[:1], [items]])
    else:
        nodes = list(_nodes(document))
        if nodes:
            parent, key = rng.choice(nodes)
            _edit(parent, key, rng)
    return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _edit(parent: Any, key: Any, rng: random.Random) -> None:
    action = rng.random()
    if isinstance(parent, dict) and action < 0.15:
        del parent[key]
    elif isinstance(parent, dict) and action < 0.25:
        parent[rng.choice(["extra", "__class__", str(key) + "_", "0"])] = rng.choice(PALETTE)
    elif isinstance(parent, dict) and action < 0.3:
        parent[str(key).upper()] = parent.pop(key)
    elif isinstance(parent, list) and action < 0.2:
        parent.insert(rng.randrange(len(parent) + 1), rng.choice(PALETTE))
    else:
        value = parent[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and rng.random() < 0.4:
            parent[key] = rng.choice(_near(value))
        else:
            parent[key] = rng.choice(PALETTE)


def _near(value: float) -> list[Any]:
    """Numbers like ``value``: off by one, negated, huge, the other numeric type."""
    near: list[Any] = [value + 1, -value]
    if math.isfinite(value):
        near += [value * 1e300, int(value)]
    if isinstance(value, int) and abs(value) < 2**1000:
        near.append(float(value))
    return near


def _nodes(value: Any):
    """(container, key) of every value in the tree."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield value, key
            yield from _nodes(child)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield value, index
            yield from _nodes(child)


def _mutate_bytes(row: bytes, other: bytes, rng: random.Random) -> bytes:
    if not row:
        return other[: rng.randrange(len(other) + 1)]
    position = rng.randrange(len(row))
    action = rng.random()
    if action < 0.3:
        return row[:position]
    if action < 0.6:
        flipped = row[position] ^ (1 << rng.randrange(8))
        return row[:position] + bytes([flipped]) + row[position + 1 :]
    if action < 0.8 and other:
        start = rng.randrange(len(other))
        return row[:position] + other[start : start + rng.randint(1, 200)] + row[position:]
    return row[:position] + row[position + rng.randint(1, 50) :]
