"""Safe, streaming XML parsing for the TCX and GPX readers (and the format sniffer).

Documents go through expat (:mod:`xml.parsers.expat`) in 1 MiB chunks; no element tree is
built. A reader gets the elements as events (:class:`XmlHandler`) and keeps only what it needs.

Policy, enforced inside the parser (so it holds whatever the encoding: expat itself detects
UTF-8, UTF-16LE/BE with or without a byte-order mark, and the declared encoding):

* **No DTD.** A ``<!DOCTYPE ...>`` (and with it any ``<!ENTITY ...>``, internal or external)
  raises :class:`~lactlog.errors.UnsupportedFormatError` as soon as expat reads it; parameter
  entities are never parsed, external entities never loaded. Without a DTD, a reference to
  anything but the five predefined entities is a well-formedness error, so entity expansion
  ("billion laughs") cannot happen. Real TCX and GPX exports never have a DOCTYPE.
* **Bounded depth:** elements nested deeper than :data:`MAX_DEPTH` levels raise
  :class:`~lactlog.errors.CorruptFileError` (TCX nests 9 levels, GPX 6).
* **Bounded tokens:** a single tag, comment or processing instruction still unfinished
  :data:`MAX_TOKEN_BYTES` after its start (checked after every chunk, so any token longer than
  ``MAX_TOKEN_BYTES + CHUNK_BYTES``) raises :class:`~lactlog.errors.CorruptFileError` (expat 2.5
  rescans an unfinished token at every chunk, so an unbounded token would cost quadratic time).
* **Bounded text:** at most :data:`MAX_TEXT_CHARS` characters of an element's text are kept.

Memory used by the parse itself is therefore a constant (one chunk, one token, the element
stack), independent of the document's size; readers state what they keep per element.
"""

from __future__ import annotations

import re
from typing import Protocol
from xml.parsers import expat

from lactlog.errors import CorruptFileError, LactlogError, UnsupportedFormatError
from lactlog.io.raw import RawInput

#: Deepest element nesting accepted [levels].
MAX_DEPTH = 256
#: Longest single markup token (a tag with its attributes, a comment, a processing
#: instruction) [bytes].
MAX_TOKEN_BYTES = 4 * 2**20
#: Longest element text handed to a reader [characters]; the rest is dropped.
MAX_TEXT_CHARS = 1024
#: Bytes given to expat per call.
CHUNK_BYTES = 2**20
#: Why documents with a DTD are refused (shared by every XML reader).
ENTITIES_REFUSED = (
    "lactlog refuses those (real exports never have one, and entities can expand without bound)"
)

_LEADING = re.compile(rb"[\xef\xbb\xbf \t\r\n]*")


class XmlHandler(Protocol):
    """What :func:`stream_xml` calls, with *local* tag names (any ``prefix:`` removed)."""

    def start(self, name: str, attributes: dict[str, str], depth: int) -> bool:
        """An element starts (the root has depth 1); return True to receive its text."""

    def text(self, text: str) -> None:
        """The text of the last started element that asked for it: the characters before its
        first child or its end (as ElementTree's ``.text``); called once, possibly with ``""``."""

    def end(self, name: str, depth: int) -> None:
        """An element ends."""


class _RootReached(Exception):
    """Raised by :func:`xml_root_name`'s handler to stop at the root element."""


def xml_root_name(data: bytes, format_name: str = "XML") -> str | None:
    """The local name of the document's root element, parsing only up to it; None when the
    data ends before any element.

    The parse applies the policy above (a DOCTYPE raises :class:`UnsupportedFormatError`), so
    a name that only appears in a comment or a processing instruction is never taken for the
    root. Malformed XML before the root raises :class:`CorruptFileError`.
    """
    found: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        found.append(name.rpartition(":")[2])
        raise _RootReached

    parser = _new_parser(format_name)
    parser.StartElementHandler = start
    try:
        _feed(parser, data, format_name)
    except _RootReached:
        return found[0]
    except CorruptFileError:
        if found:
            return found[0]
        raise
    return None


def stream_xml(raw: RawInput, format_name: str, root_name: str, handler: XmlHandler) -> None:
    """Parse ``raw`` as XML whose root element is ``<root_name>``, calling ``handler``.

    Raises
    ------
    UnsupportedFormatError
        The document has a DOCTYPE, or its root is not ``<root_name>``.
    CorruptFileError
        Malformed XML (line and column as counted in the file), nesting deeper than
        :data:`MAX_DEPTH`, or a token longer than :data:`MAX_TOKEN_BYTES`.
    """
    parser = _new_parser(format_name)
    local_names: dict[str, str] = {}
    parts: list[str] = []
    depth = 0
    collecting = False
    kept = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, collecting, kept
        if collecting:  # the parent's text ends where its first child starts
            collecting = False
            handler.text("".join(parts))
            parts.clear()
        depth += 1
        if depth > MAX_DEPTH:
            raise CorruptFileError(
                f"{_label(format_name)} nested deeper than {MAX_DEPTH} levels (exports nest about "
                "10); refusing to read it"
            )
        local = local_names.get(name)
        if local is None:
            local = local_names[name] = name.rpartition(":")[2]
            if depth == 1 and local != root_name:
                raise UnsupportedFormatError(
                    f"XML root is <{local[:40]}>, not a {format_name} <{root_name}>"
                )
        kept = 0
        collecting = handler.start(local, attributes, depth)

    def characters(text: str) -> None:
        nonlocal kept
        if collecting and kept < MAX_TEXT_CHARS:
            parts.append(text)
            kept += len(text)

    def end(name: str) -> None:
        nonlocal depth, collecting
        if collecting:
            collecting = False
            handler.text("".join(parts)[:MAX_TEXT_CHARS])
            parts.clear()
        handler.end(local_names[name], depth)
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    _feed(parser, raw.data, format_name, final=True)


def _new_parser(format_name: str) -> expat.XMLParserType:
    """An expat parser that refuses any DTD (see the module docstring)."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = 65536

    def refuse(*_: object) -> int:
        raise UnsupportedFormatError(
            f"{format_name} file with a DOCTYPE/ENTITY declaration; {ENTITIES_REFUSED}"
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # never reached without a DTD; refused all the same
    return parser


def _feed(parser: expat.XMLParserType, data: bytes, format_name: str, final: bool = False) -> None:
    """Give ``data`` (after any leading UTF-8 BOM and whitespace) to ``parser`` chunk by chunk,
    enforcing :data:`MAX_TOKEN_BYTES`; expat and decoding errors become CorruptFileError."""
    skip = _LEADING.match(data).end()  # type: ignore[union-attr]  # always matches
    view = memoryview(data)
    try:
        for begin in range(skip, len(data), CHUNK_BYTES):
            parser.Parse(view[begin : begin + CHUNK_BYTES], False)
            pending = min(begin + CHUNK_BYTES, len(data)) - skip - parser.CurrentByteIndex
            if pending > MAX_TOKEN_BYTES:
                raise CorruptFileError(
                    f"{_label(format_name)} with a tag or comment longer than "
                    f"{MAX_TOKEN_BYTES // 2**20} MiB at byte {skip + parser.CurrentByteIndex:,}; "
                    "refusing to read it"
                )
        if final:
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise CorruptFileError(_position_message(exc, data, skip, format_name)) from None
    except LactlogError:
        raise
    except (ValueError, LookupError, UnicodeError) as exc:  # e.g. an unknown encoding
        raise CorruptFileError(f"unreadable {_label(format_name)} ({exc})") from None


def _position_message(exc: expat.ExpatError, data: bytes, skip: int, format_name: str) -> str:
    """"malformed ... at line L, column C (reason)", counted in the file (skipped bytes too)."""
    skipped = data[:skip]
    line, column = exc.lineno, exc.offset
    if line == 1:
        column += len(skipped) - (skipped.rfind(b"\n") + 1)
    line += skipped.count(b"\n")
    reason = expat.ErrorString(exc.code)
    return f"malformed {_label(format_name)} at line {line}, column {column + 1} ({reason})"


def _label(format_name: str) -> str:
    """"TCX XML", "GPX XML"; plain "XML" while sniffing."""
    return "XML" if format_name == "XML" else f"{format_name} XML"
