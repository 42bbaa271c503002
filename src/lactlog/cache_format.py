"""The result cache's row format: lactlog's result dataclasses as JSON, validated on load.

A row is one JSON document::

    {"format": 1, "type": "SessionSummary", "items": [{"source": "ride.fit", ...}, ...]}

``type`` names a class of the allow-list :data:`ROOTS` (the two things the batch caches: a
file's session summaries, and its sessions' best efforts). Everything below it is typed by the
dataclasses' own annotations, never by the data: a row cannot name a class, a module or a
function, so loading one imports nothing and runs nothing. Loading checks every field name
(exactly the dataclass's fields) and every value's type (``int`` vs ``float`` vs ``bool``,
``None`` only where the annotation allows it, ``tuple[X, ...]``, ``dict[str, X]``,
``dict[int, X]``, ``date``, ``datetime``, ``pandas.Timestamp``); anything else makes the row
:class:`RowError`, which the cache treats as a miss (the file is analysed again and the row
replaced).

Values come back exactly as they were stored: an ``int`` in a ``float`` field stays an ``int``,
a ``pandas.Timestamp`` in a ``datetime`` field stays a Timestamp (same unit), floats round-trip
bit for bit (NaN and ±inf included). A value the format cannot reproduce exactly (a numpy scalar,
a named time zone) makes the row unstorable (:class:`RowError` from :func:`encode`), so the
result is not cached rather than cached altered.

Size: a row is at most :data:`MAX_ROW_BYTES` of JSON and :data:`MAX_ROW_ITEMS` items; larger
rows are neither stored nor parsed (a crafted row of 200k summaries would otherwise take
minutes to load).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Any

#: Version of the row layout; a row of another version is a miss.
FORMAT_VERSION = 1
#: Largest row stored or loaded [bytes of JSON].
MAX_ROW_BYTES = 16 * 2**20
#: Most items (sessions) in one row.
MAX_ROW_ITEMS = 5_000

_Codec = tuple[Callable[[Any], Any], Callable[[Any], Any], frozenset[type] | None]


#: One row is decoded at a time (the row memo is shared).
_decoding = threading.Lock()


class RowError(ValueError):
    """A row that does not hold allow-listed dataclasses with values of their declared types."""


@cache
def roots() -> dict[str, type]:
    """The allow-list: row type name -> root dataclass (imported here, never from data)."""
    from lactlog.summaries import DatedBests, SessionSummary

    return {"SessionSummary": SessionSummary, "DatedBests": DatedBests}


def encode(items: tuple[Any, ...] | list[Any]) -> bytes:
    """The row of ``items`` (instances of one class of :func:`roots`); :class:`RowError` when
    they are not, when a value is not of its field's type, or the row is too large."""
    items = list(items)
    if len(items) > MAX_ROW_ITEMS:
        raise RowError(f"{len(items):,} items (at most {MAX_ROW_ITEMS:,} are cached)")
    kind = type(items[0]) if items else roots()["SessionSummary"]
    name = next((n for n, cls in roots().items() if cls is kind), None)
    if name is None:
        raise RowError(f"{kind.__module__}.{kind.__qualname__} is not a cached result type")
    encode_item = _class_codec(kind)[0]
    document = {"format": FORMAT_VERSION, "type": name, "items": [encode_item(i) for i in items]}
    try:  # UnicodeEncodeError (a ValueError): text with a lone surrogate
        blob = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise RowError(str(exc)) from None
    if len(blob) > MAX_ROW_BYTES:
        raise RowError(f"{len(blob):,} bytes (rows of at most {MAX_ROW_BYTES:,} are cached)")
    return blob


def decode(blob: bytes | str) -> tuple[Any, ...]:
    """The items of a row; :class:`RowError` for anything that is not a valid row."""
    if not isinstance(blob, (bytes, str)) or len(blob) > MAX_ROW_BYTES:
        raise RowError("not a row, or too large")
    try:  # strict UTF-8 (json.loads would let lone surrogates through)
        document = json.loads(blob.decode("utf-8") if isinstance(blob, bytes) else blob)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise RowError(f"not JSON ({exc})") from None
    if type(document) is not dict or set(document) != {"format", "type", "items"}:
        raise RowError("not a row document")
    if document["format"] != FORMAT_VERSION or type(document["format"]) is not int:
        raise RowError(f"row format {document['format']!r}, not {FORMAT_VERSION}")
    kind = roots().get(document["type"]) if type(document["type"]) is str else None
    items = document["items"]
    if kind is None or type(items) is not list or len(items) > MAX_ROW_ITEMS:
        raise RowError("unknown row type, or items not a list")
    decode_item = _class_codec(kind)[1]
    with _decoding:
        _row_memo.clear()
        try:
            return tuple(decode_item(item) for item in items)
        except (TypeError, ValueError, OverflowError, KeyError, AttributeError) as exc:
            raise RowError(str(exc)) from None
        finally:
            _row_memo.clear()


# -- codecs by annotation ---------------------------------------------------------------------
#
# A codec is (encode, decode, plain): ``plain`` is the set of types a value stored as itself may
# have (str, int, float, bool, None), so the dataclass decoder checks such fields inline, with no
# call per value (the warm path loads every summary of a batch); None for everything else.


def _bad(what: str, value: Any) -> RowError:
    return RowError(f"expected {what}, got {type(value).__name__}")


def _check_text(value: str) -> None:
    """Text must be valid Unicode: a ``\\ud800`` escape loads as a lone surrogate, which no
    console or file can print (UnicodeEncodeError is a ValueError)."""
    if not value.isascii():
        value.encode("utf-8")


@cache
def _class_codec(cls: type) -> _Codec:
    """Encoder and decoder of one dataclass, built once from its annotations.

    Decoding checks the plain fields inline (no call per value) and decodes the others in
    place in the freshly parsed dict, which then becomes the instance's ``__dict__`` (as pickle
    restores a dataclass; only for classes without ``__post_init__`` or slots). Instances of a
    class without container fields that repeat within one row (the session a best-effort window
    belongs to) are decoded once and shared, as they were when computed.
    """
    hints = typing.get_type_hints(cls)
    if any(not f.init for f in dataclasses.fields(cls)):
        raise TypeError(f"cache format: {cls.__qualname__} has fields that are not arguments")
    fields = [(f.name, *_codec(hints[f.name])) for f in dataclasses.fields(cls)]
    names = frozenset(name for name, *_ in fields)
    plain_fields = tuple((name, plain) for name, _, _, plain in fields if plain is not None)
    nested_fields = tuple((name, _optional_inner(hints[name]), decode)
                          for name, _, decode, plain in fields if plain is None)
    shareable = all(_is_leaf(hints[name]) for name in names)
    label = cls.__qualname__
    direct = not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")
    new = object.__new__

    def encode_one(value: Any) -> dict[str, Any]:
        if type(value) is not cls:
            raise _bad(label, value)
        out = {}
        for name, encode_field, _, plain in fields:
            field_value = getattr(value, name)
            if plain is None:
                out[name] = encode_field(field_value)
            elif type(field_value) in plain:
                out[name] = field_value
            else:
                raise _bad(f"{label}.{name} of type {'/'.join(sorted(map(_name, plain)))}",
                           field_value)
        return out

    def decode_one(value: Any) -> Any:
        if type(value) is not dict or value.keys() != names:
            raise RowError(f"not the fields of {label}")
        if shareable:  # types in the key: True == 1 for a dict, not for a row
            values = tuple(value.values())
            key = (cls, tuple(value), values, tuple(map(type, values)))
            seen = _row_memo.get(key)
            if seen is not None:
                return seen
        for name, plain in plain_fields:
            field_value = value[name]
            kind = type(field_value)
            if kind not in plain:
                raise _bad(f"{label}.{name}", field_value)
            if kind is str and not field_value.isascii():
                field_value.encode("utf-8")  # a lone surrogate: UnicodeEncodeError
        for name, decode_inner, decode_field in nested_fields:
            field_value = value[name]
            if decode_inner is not None:  # X | None
                if field_value is not None:
                    value[name] = decode_inner(field_value)
            else:
                value[name] = decode_field(field_value)
        made: Any
        if direct:
            made = new(cls)
            made.__dict__.update(value)
        else:
            made = cls(**value)
        if shareable:
            _row_memo[key] = made
        return made

    return encode_one, decode_one, None


def _optional_inner(hint: Any) -> Callable[[Any], Any] | None:
    """For ``X | None`` with a non-plain X: X's decoder (None is handled inline); else None."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        inner = _codec(next(a for a in args if a is not type(None)))
        return inner[1] if inner[2] is None else None
    return None


def _is_leaf(hint: Any) -> bool:
    """Whether a field's JSON is a scalar a row memo key can hold exactly: text, integers,
    booleans, dates (not floats: -0.0 == 0.0 for a dict)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return all(_is_leaf(a) for a in args if a is not type(None))
    return hint in (str, int, bool, date, datetime)


#: Instances decoded so far in the row being decoded (see :func:`_class_codec`); one row is
#: decoded at a time per thread.
_row_memo: dict[tuple, Any] = {}


def _name(kind: type) -> str:
    return "None" if kind is type(None) else kind.__name__


def _codec(hint: Any) -> _Codec:
    """Codec for a value annotated ``hint``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if len(args) != 2 or type(None) not in args:
            raise TypeError(f"cache format: unsupported union {hint}")
        return _optional(_codec(next(a for a in args if a is not type(None))))
    if origin is tuple:
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"cache format: only tuple[X, ...] is supported, not {hint}")
        return _sequence(_codec(args[0]))
    if origin is dict:
        return _mapping(args[0], _codec(args[1]))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _class_codec(hint)
    plain = _PLAIN.get(hint)
    if plain is not None:
        return _plain_codec(plain)
    special = _timestamp_codec if _is_timestamp(hint) else _special().get(hint)
    if special is None:
        raise TypeError(f"cache format: unsupported field type {hint}")
    return special()


#: Types stored as themselves, by annotation (JSON keeps int and float apart, so an int in a
#: float field comes back an int).
_PLAIN: dict[Any, frozenset[type]] = {
    str: frozenset({str}), int: frozenset({int}), bool: frozenset({bool}),
    float: frozenset({float, int}),
}


@cache
def _plain_codec(plain: frozenset[type]) -> _Codec:
    label = "/".join(sorted(map(_name, plain)))

    def check(value: Any) -> Any:
        kind = type(value)
        if kind not in plain:
            raise _bad(label, value)
        if kind is str:
            _check_text(value)
        return value

    return check, check, plain


def _optional(inner: _Codec) -> _Codec:
    encode_inner, decode_inner, plain = inner
    if plain is not None:
        return _plain_codec(plain | {type(None)})
    return (lambda v: None if v is None else encode_inner(v),
            lambda v: None if v is None else decode_inner(v), None)


def _sequence(inner: _Codec) -> _Codec:
    encode_inner, decode_inner, plain = inner

    def encode_seq(value: Any) -> list[Any]:
        if type(value) is not tuple:
            raise _bad("tuple", value)
        return [encode_inner(v) for v in value]

    def decode_seq(value: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            raise _bad("list", value)
        return tuple(decode_inner(v) for v in value)

    known = plain or frozenset()  # decode_plain_seq serves only a plain inner codec

    def decode_plain_seq(value: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            raise _bad("list", value)
        if not known.issuperset(map(type, value)):
            raise RowError("a value of another type in a list")
        if str in known:
            for v in value:
                if type(v) is str:
                    _check_text(v)
        return tuple(value)

    return encode_seq, decode_seq if plain is None else decode_plain_seq, None


def _mapping(key_type: Any, inner: _Codec) -> _Codec:
    if key_type not in (str, int):
        raise TypeError(f"cache format: unsupported dict key type {key_type}")
    encode_inner, decode_inner, _ = inner

    def encode_map(value: Any) -> dict[str, Any]:
        if type(value) is not dict or any(type(k) is not key_type for k in value):
            raise _bad(f"dict[{key_type.__name__}, …]", value)
        return {str(k): encode_inner(v) for k, v in value.items()}

    def int_key(key: str) -> int:
        number = int(key)
        if str(number) != key:
            raise RowError(f"not an integer key: {key!r}")
        return number

    def text_key(key: str) -> str:
        _check_text(key)
        return key

    def decode_map(value: Any) -> dict[Any, Any]:
        if type(value) is not dict:
            raise _bad("object", value)
        make_key = int_key if key_type is int else text_key
        return {make_key(k): decode_inner(v) for k, v in value.items()}

    return encode_map, decode_map, None


def _date_codec() -> _Codec:
    def encode_date(value: Any) -> str:
        if type(value) is not date:
            raise _bad("date", value)
        return value.isoformat()

    def decode_date(value: Any) -> date:
        if type(value) is not str:
            raise _bad("ISO date", value)
        return date.fromisoformat(value)

    return encode_date, decode_date, None


#: pandas' resolution codes (``NPY_DATETIMEUNIT``) of the Timestamp units.
_RESOLUTIONS = {"s": 7, "ms": 8, "us": 9, "ns": 10}
_NS_PER = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def _is_timestamp(kind: Any) -> bool:
    """Whether ``kind`` is ``pandas.Timestamp``, without importing pandas (a row of plain
    datetimes loads without it)."""
    return getattr(kind, "__module__", "").startswith("pandas") and \
        getattr(kind, "__name__", "") == "Timestamp"


@cache
def _unpickle_timestamp() -> Callable[..., Any] | None:
    """pandas' own Timestamp constructor of pickle: exact, and 3-5x faster than the public
    ones (None in a pandas without it). Imports pandas: only for a row that holds a Timestamp."""
    try:
        from pandas._libs.tslibs.timestamps import _unpickle_timestamp as unpickle
    except ImportError:  # pragma: no cover - another pandas
        return None
    return unpickle  # type: ignore[no-any-return]


def _datetime_codec() -> _Codec:
    """``datetime`` as its ISO text; ``pandas.Timestamp`` (also found in ``datetime`` fields) as
    ``["Timestamp", value in its unit, unit, UTC offset [s] or None]``. Only fixed offsets (or
    none): a named zone would come back as an offset. pandas is imported only for a Timestamp."""

    def encode_datetime(value: Any) -> Any:
        kind = type(value)
        if kind is not datetime and not _is_timestamp(kind):
            raise _bad("datetime", value)
        zone = value.tzinfo
        if zone is not None and type(zone) is not timezone:
            raise RowError(f"time zone {zone!r} is not a fixed offset")
        if kind is datetime:
            return value.isoformat()
        offset = None if zone is None else int(zone.utcoffset(None).total_seconds())
        unit = value.unit
        return ["Timestamp", value.asm8.view("int64").item(), unit, offset]

    def decode_datetime(value: Any) -> Any:
        if type(value) is str:
            return datetime.fromisoformat(value)
        if type(value) is not list or len(value) != 4 or value[0] != "Timestamp":
            raise _bad("ISO datetime or Timestamp", value)
        _, number, unit, offset = value
        if type(number) is not int or unit not in _RESOLUTIONS:
            raise RowError("not a Timestamp")
        if not -(2**63) < number * _NS_PER[unit] < 2**63:  # pandas' ns range, NaT excluded
            raise RowError("a Timestamp out of range")
        if offset is None:
            zone = None
        elif type(offset) is int and -86400 < offset < 86400:
            zone = timezone(timedelta(seconds=offset))
        else:
            raise RowError("not a UTC offset")
        unpickle = _unpickle_timestamp()
        if unpickle is not None:
            return unpickle(number, None, zone, _RESOLUTIONS[unit])
        import pandas as pd  # pragma: no cover - another pandas

        return pd.Timestamp(number, unit=unit, tz=zone).as_unit(unit)  # pragma: no cover

    return encode_datetime, decode_datetime, None


def _timestamp_codec() -> _Codec:
    encode_any, decode_any, _ = _datetime_codec()

    def decode_timestamp(value: Any) -> Any:
        decoded = decode_any(value)
        if not _is_timestamp(type(decoded)):
            raise _bad("Timestamp", value)
        return decoded

    def encode_timestamp(value: Any) -> Any:
        if not _is_timestamp(type(value)):
            raise _bad("Timestamp", value)
        return encode_any(value)

    return encode_timestamp, decode_timestamp, None


@cache
def _special() -> dict[Any, Callable[[], _Codec]]:
    return {date: _date_codec, datetime: _datetime_codec}
