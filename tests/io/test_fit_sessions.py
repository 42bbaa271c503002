"""FIT files with very many sessions (issue 14 class 4: one flipped byte in a triathlon file
gave 16,098 sessions, and each session scanned every message of the file).

The files come from :func:`lactlog.testing.fitsessions.many_sessions`: session *i* starts at
``FIRST_START + 60 i`` s and holds one record of ``120 + i % 40`` bpm. Reading stays linear in
the number of sessions (``bench/sessions.py`` prints the ratios); here the counts, the
ownership of each record and the cap's warning are checked.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from lactlog.analysis.options import AnalysisOptions
from lactlog.batch import analyse_file
from lactlog.io import read, read_bytes
from lactlog.io.fit.activity import MAX_SESSIONS
from lactlog.settings import Settings
from lactlog.testing.fitsessions import FIRST_START, many_sessions

N = MAX_SESSIONS + 200  # 1,200 sessions: 200 beyond the default cap


@pytest.fixture(scope="module")
def crowded() -> bytes:
    return many_sessions(N)


def test_default_cap_keeps_the_first_sessions_and_says_so_once(crowded):
    activities = read_bytes(crowded, "crowded.fit")
    assert len(activities) == MAX_SESSIONS == 1000
    assert [a.meta.session_index for a in activities] == list(range(MAX_SESSIONS))
    assert activities[-1].meta.start == FIRST_START + timedelta(seconds=60 * (MAX_SESSIONS - 1))
    capped = [w for a in activities for w in a.meta.warnings if "sessions, more than" in w]
    assert capped == [(
        "crowded.fit holds 1,200 sessions, more than the 1,000 lactlog reads from one file "
        "(setting max_sessions_per_file): the first 1,000 are read, the other 200 and their "
        "records dropped — is the file damaged?"
    )]
    assert capped[0] in activities[0].meta.warnings
    # the dropped sessions' records are not merged into the last kept session
    assert len(activities[-1].samples) == 1


def test_every_record_goes_to_its_own_session(crowded):
    activities = read_bytes(crowded, "crowded.fit", max_sessions=N)
    assert len(activities) == N
    assert not any("sessions, more than" in w for a in activities for w in a.meta.warnings)
    for i, activity in enumerate(activities):
        assert activity.samples.index.tolist() == [FIRST_START + timedelta(seconds=60 * i)]
        assert activity.samples["heart_rate_bpm"].tolist() == [120 + i % 40]
        assert len(activity.laps) == 1
        assert activity.device_summary.elapsed_s == 1


def test_a_small_cap_from_the_settings_reaches_the_batch(tmp_path):
    path = tmp_path / "three_hundred.fit"
    path.write_bytes(many_sessions(300))
    options = AnalysisOptions(settings=replace(Settings(), max_sessions_per_file=40))
    outcome = analyse_file(path, "lactlog", options)
    assert outcome.error is None
    assert len(outcome.sessions) == 40
    assert sum("the other 260" in w for s in outcome.sessions for w in s.warnings) == 1
    assert len(read(path)) == 300  # the library default (1,000) is above 300


def test_a_file_under_the_cap_has_no_cap_warning(tmp_path):
    activities = read_bytes(many_sessions(5), "five.fit")
    assert len(activities) == 5
    assert not any("sessions, more than" in w for a in activities for w in a.meta.warnings)
