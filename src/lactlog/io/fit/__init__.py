"""FIT reader: columnar decoding (default) or fitparse, then the shared activity builder."""

from __future__ import annotations

from lactlog.io.common import RawInput
from lactlog.model import Activity


def read_fit(
    raw: RawInput, decoder: str = "lactlog", max_sessions: int | None = None
) -> list[Activity]:
    """Read a FIT file (possibly several chained files) into one activity per session, at
    most ``max_sessions`` (default :data:`lactlog.io.fit.activity.MAX_SESSIONS`).

    ``decoder`` is ``"lactlog"`` (columnar numpy decoder) or ``"fitparse"`` (reference).
    """
    from lactlog.io.fit.activity import MAX_SESSIONS, READ_FIELDS, build_activities

    if decoder == "fitparse":
        from lactlog.io.fit.oracle import decode_with_fitparse

        decoded = decode_with_fitparse(raw.data)
    else:
        from lactlog.io.fit.decode import decode

        decoded = decode(raw.data, tuple(READ_FIELDS), READ_FIELDS)
    return build_activities(raw, decoded, MAX_SESSIONS if max_sessions is None else max_sessions)
