"""CSV mutators and seeds shared by ``tests/io/test_fuzz_csv.py`` and ``bench/fuzz.py --format
csv|lifting`` (issue 14: fuzz the time-series CSV and lifting-log readers too).

Mutations are line- and cell-aware (the readers sniff the header, the delimiter, the units and
the app from the first lines): cells replaced by extreme values (huge/negative/non-finite
numbers, out-of-range dates, epoch values ±9e9, durations like ``99999h``, Rich markup, quotes,
very long text), header cells renamed to another reader's names or re-cased, lines deleted,
duplicated, swapped or spliced from another seed, delimiters changed, a line cut mid-quote, BOMs
and UTF-16, plus byte damage. Every input is a pure function of the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
from collections.abc import Callable

#: Header names the readers look for, so a renamed cell can switch a reader's path.
KNOWN_HEADERS = (
    "Date", "Workout Name", "Duration", "Exercise Name", "Set Order", "Weight", "Reps",
    "Distance", "Seconds", "Notes", "Workout Notes", "RPE", "Weight Unit", "Distance Unit",
    "weight (lbs)", "Rest Timer", "title", "start_time", "end_time", "exercise_title",
    "set_index", "set_type", "weight_kg", "weight_lbs", "distance_km", "distance_miles",
    "duration_seconds", "rpe", "exercise", "category", "reps", "time", "timestamp", "secs",
    "Minutes", "Watts", "Hrate", "heart_rate", "hr", "power", "cadence", "speed", "km",
    "distance", "altitude", "lat", "lon", "[/x]", "[bold]", "", "Type", "Message",
)
EXTREME_CELLS = (
    "", " ", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e400", "9e9", "-9e9",
    "9223372036854775807", "-1", "0", "1e-320", "0x10", "1,5", "１２", "1677-09-21 00:12:43",
    "2262-04-11 23:47:16", "0000-00-00 00:00:00", "9999-12-31 23:59:59", "2024-02-30 25:61:61",
    "1 Jan 1970, 00:00", "31 Feb 2024, 99:99", "99999h 99999m", "1h 5m 3s", "-5m", "W", "D",
    "F", "Rest Timer", "warmup", "failure", "lbs", "kg", "mi", "km", '"', '""', '"a,b"',
    "[/x]", "[bold red]x", "\x00", "é" * 3, "x" * 5000, "12:34:56.789", "99:99", "-0",
)


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _delimiter(data: bytes) -> bytes:
    head = data.split(b"\n", 1)[0]
    return max((b",", b";", b"\t"), key=head.count)


def replace_cell(data: bytes, other: bytes, rng: random.Random) -> bytes:
    lines, sep = _lines(data), _delimiter(data)
    row = rng.randrange(len(lines))
    cells = lines[row].split(sep)
    cells[rng.randrange(len(cells))] = rng.choice(EXTREME_CELLS).encode("utf-8")
    lines[row] = sep.join(cells)
    return b"\n".join(lines)


def rename_header(data: bytes, other: bytes, rng: random.Random) -> bytes:
    lines, sep = _lines(data), _delimiter(data)
    cells = lines[0].split(sep)
    index = rng.randrange(len(cells))
    choice = rng.random()
    if choice < 0.6:
        cells[index] = rng.choice(KNOWN_HEADERS).encode()
    elif choice < 0.8:
        cells[index] = cells[index].upper() if rng.random() < 0.5 else cells[index].lower()
    else:
        cells.insert(index, cells[rng.randrange(len(cells))])  # duplicated / extra column
    lines[0] = sep.join(cells)
    return b"\n".join(lines)


def shuffle_lines(data: bytes, other: bytes, rng: random.Random) -> bytes:
    lines = _lines(data)
    if len(lines) < 3:
        return data
    a, b = sorted(rng.sample(range(1, len(lines)), 2))
    action = rng.randrange(4)
    if action == 0:
        del lines[a:b]
    elif action == 1:
        lines[a:a] = lines[a:b] * rng.randint(1, 20)
    elif action == 2:
        lines[a], lines[b] = lines[b], lines[a]
    else:
        lines = lines[:a] + list(reversed(lines[a:b])) + lines[b:]
    return b"\n".join(lines)


def splice_lines(data: bytes, other: bytes, rng: random.Random) -> bytes:
    """Lines of another seed (another reader's rows, or its header) inserted."""
    mine, theirs = _lines(data), _lines(other)
    start = rng.randrange(len(theirs))
    piece = theirs[start : start + rng.randint(1, 8)]
    at = rng.randrange(len(mine) + 1)
    return b"\n".join(mine[:at] + piece + mine[at:])


def delimiters(data: bytes, other: bytes, rng: random.Random) -> bytes:
    sep = _delimiter(data)
    new = rng.choice([b";", b"\t", b",", b"|", b" ", b",,"])
    if rng.random() < 0.5:
        return data.replace(sep, new)
    lines = _lines(data)
    row = rng.randrange(len(lines))
    lines[row] = lines[row].replace(sep, new, rng.randint(1, 3))
    return b"\n".join(lines)


def truncate(data: bytes, other: bytes, rng: random.Random) -> bytes:
    """Cut anywhere (mid-line, mid-quote), or open a quote that never closes."""
    if rng.random() < 0.3:
        at = rng.randrange(len(data) + 1)
        return data[:at] + b'"' + data[at:]
    return data[: rng.randrange(len(data) + 1)]


def encodings(data: bytes, other: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    choice = rng.randrange(5)
    if choice == 0:
        return b"\xef\xbb\xbf" + data
    if choice == 1:
        return text.encode("utf-16")
    if choice == 2:
        return text.encode("utf-16-le")
    if choice == 3:
        return data.replace(b"\n", b"\r\n") if rng.random() < 0.5 else data.replace(b"\n", b"\r")
    return text.encode("latin-1", errors="replace")


def long_line(data: bytes, other: bytes, rng: random.Random) -> bytes:
    """A very long line or a very wide header (the single-line CSV of class 5, smaller)."""
    lines, sep = _lines(data), _delimiter(data)
    row = rng.randrange(len(lines))
    lines[row] = lines[row] + sep * rng.randint(100, 5000)
    return b"\n".join(lines)


def bytes_damage(data: bytes, other: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not out:
            break
        position = rng.randrange(len(out))
        out[position] = rng.choice([0, 0xFF, ord(","), ord('"'), ord("\n"), rng.randrange(256)])
    return bytes(out)


MUTATORS: tuple[Callable[[bytes, bytes, random.Random], bytes], ...] = (
    replace_cell, replace_cell, replace_cell, rename_header, shuffle_lines, splice_lines,
    delimiters, truncate, encodings, long_line, bytes_damage,
)


def mutate_csv(seed: bytes, other: bytes, rng: random.Random, max_steps: int = 3) -> bytes:
    """``seed`` with 1–``max_steps`` mutations (``other``: another seed to splice from)."""
    data = seed
    for _ in range(rng.randint(1, max_steps)):
        data = rng.choice(MUTATORS)(data or b"\n", other or b"\n", rng)
    return data


def random_table(rng: random.Random, lifting: bool) -> bytes:
    """A CSV built from scratch: a header of known names, rows of plausible or extreme cells."""
    names = (KNOWN_HEADERS[:31] if lifting else KNOWN_HEADERS[31:])
    header = rng.sample(names, rng.randint(1, min(12, len(names))))
    rows = []
    for index in range(rng.randint(0, 60)):
        row = []
        for _ in header:
            draw = rng.random()
            if draw < 0.5:
                row.append(str(round(rng.uniform(0, 300), rng.randint(0, 3))))
            elif draw < 0.7:
                row.append(f"2024-03-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:"
                           f"{rng.randint(0, 59):02d}:{index % 60:02d}")
            else:
                row.append(rng.choice(EXTREME_CELLS))
        rows.append(",".join(row))
    return ("\n".join([",".join(header), *rows]) + "\n").encode("utf-8")


FITNOTES = b"""Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time,Comment
2024-03-01,Flat Barbell Bench Press,Chest,80.0,5,,,,
2024-03-01,Flat Barbell Bench Press,Chest,80.0,5,,,,felt strong
2024-03-01,Rowing Machine,Cardio,,,2.0,km,0:10:00,
2024-03-03,Squat,Legs,100.0,5,,,,bfr
"""


def lifting_seeds(corpus_strong: bytes | None) -> list[bytes]:
    """Lifting-log seeds: the corpus Strong export (shrunk), generated Strong and Hevy exports
    (:mod:`lactlog.testing.strength_exports`), a FitNotes log."""
    from lactlog.testing.strength_exports import hevy_export, strong_export

    seeds = [strong_export(8, 30, seed).encode() for seed in range(3)]
    seeds += [hevy_export(5, 25, seed).encode() for seed in range(3)]
    seeds.append(FITNOTES)
    if corpus_strong is not None:
        lines = corpus_strong.split(b"\n")
        seeds.append(b"\n".join(lines[:80] + lines[-10:]))
    return seeds


def timeseries_seeds(paths: list) -> list[bytes]:
    """Time-series CSV seeds: the given files (corpus and sample CSVs other than lifting logs)
    cut to their first 120 and last 10 lines, plus two generated 1-Hz tables (ISO times with
    HR/speed/distance, seconds with power/HR)."""
    import fuzzkit

    seeds = [fuzzkit.shrink_text(path.read_bytes()) for path in paths]
    iso = ["timestamp,heart_rate,speed_mps,distance_m"]
    iso += [f"2024-05-01 06:{i // 60:02d}:{i % 60:02d},{120 + i % 40},3.{i % 10},{3.1 * i:.1f}"
            for i in range(90)]
    secs = ["secs,watts,hr,cad"] + [f"{i},{150 + i % 90},{110 + i % 50},{85 + i % 7}"
                                    for i in range(90)]
    return seeds + [("\n".join(rows) + "\n").encode() for rows in (iso, secs)]
