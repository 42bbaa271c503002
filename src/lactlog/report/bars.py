"""Horizontal bars of block characters, legible without colour."""

from __future__ import annotations

_PARTIAL_BLOCKS = "▏▎▍▌▋▊▉"
_FULL_BLOCK = "█"


def bar(value: float, max_value: float, width: int) -> str:
    """A bar of block characters, ``width`` cells long at ``max_value`` (eighth-cell steps).

    Legible without colour. Empty for 0, negative or NaN values; a positive value too small for
    an eighth still gets one thin block so it is not mistaken for zero; values above
    ``max_value`` are capped at ``width``.
    """
    if not (value > 0 and max_value > 0 and width > 0):
        return ""
    eighths = round(min(value / max_value, 1.0) * width * 8)
    full, rest = divmod(max(eighths, 1), 8)
    return _FULL_BLOCK * full + (_PARTIAL_BLOCKS[rest - 1] if rest else "")
