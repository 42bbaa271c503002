"""A hypothesis strategy that damages a valid file, for "never crash" property tests.

Needs hypothesis (the ``test`` extra), so :mod:`lactlog.testing` does not import it; use
``from lactlog.testing.damage import damaged``.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: Characters that keep XML well-formed but damage the numbers and times in it.
VALUE_CHARACTERS = b"0123456789-+:.eETZnaif "


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` truncated, or with a few bytes replaced (by anything, or by number/time
    characters so the XML often stays well-formed), inserted or deleted."""
    kind = draw(st.sampled_from(["truncate", "replace", "retype", "insert", "delete"]))
    position = draw(st.integers(0, len(data) - 1))
    if kind == "truncate":
        return data[:position]
    if kind == "delete":
        return data[:position] + data[position + draw(st.integers(1, 40)) :]
    if kind == "retype":
        chunk = bytes(draw(st.lists(st.sampled_from(VALUE_CHARACTERS), min_size=1, max_size=6)))
    else:
        chunk = draw(st.binary(min_size=1, max_size=8))
    if kind == "insert":
        return data[:position] + chunk + data[position:]
    return data[:position] + chunk + data[position + len(chunk) :]
