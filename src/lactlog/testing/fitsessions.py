"""FIT files with very many sessions (issue 14 class 4, "session explosion").

One flipped byte in a multisport file can turn thousands of records into ``session`` messages.
:func:`many_sessions` writes the clean form of that: ``n_sessions`` short sessions one after
the other, each with its own records (and a lap), as :class:`~lactlog.testing.ProfileEncoder`
messages, so the reader's per-session cost can be measured and the session cap tested.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lactlog.testing.fitprofile import ProfileEncoder

FIRST_START = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


def many_sessions(
    n_sessions: int, records_per_session: int = 1, spacing_s: int = 60,
    sport: str = "running", start: datetime = FIRST_START,
) -> bytes:
    """FIT bytes of ``n_sessions`` sessions ``spacing_s`` apart, each of
    ``records_per_session`` 1-Hz records (heart rate 120–159 bpm, speed 3 m/s) and one lap;
    session *i* starts at ``start + i × spacing_s`` and lasts ``records_per_session`` s."""
    if records_per_session * 1 > spacing_s:
        raise ValueError("sessions would overlap: records_per_session > spacing_s")
    enc = ProfileEncoder()
    enc.message("file_id", {"type": "activity", "manufacturer": "garmin", "product": 1,
                            "serial_number": 4242, "time_created": start})
    for index in range(n_sessions):
        begin = start + timedelta(seconds=index * spacing_s)
        end = begin + timedelta(seconds=records_per_session)
        for second in range(records_per_session):
            enc.message("record", {"timestamp": begin + timedelta(seconds=second),
                                   "heart_rate": 120 + (index + second) % 40, "speed": 3.0})
        totals = {"start_time": begin, "total_elapsed_time": records_per_session,
                  "total_timer_time": records_per_session}
        enc.message("lap", {"timestamp": end, "message_index": index, **totals})
        enc.message("session", {"timestamp": end, "message_index": index, **totals,
                                "sport": sport, "sub_sport": "generic", "first_lap_index": index,
                                "num_laps": 1})
    end = start + timedelta(seconds=n_sessions * spacing_s)
    enc.message("activity", {"timestamp": end, "num_sessions": n_sessions,
                             "total_timer_time": n_sessions * records_per_session})
    return enc.to_bytes()
