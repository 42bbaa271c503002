"""The week table: runs of empty weeks are one line unless --all-weeks; JSON keeps every week."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from rich.console import Console

from lactlog.analysis.session import SessionSummary
from lactlog.analysis.week import weekly_summaries
from lactlog.report.week import week_document, week_table

BASE = SessionSummary(
    source="a.fit", session_index=0, sha256="0" * 64, format="fit", sport="running",
    sub_sport=None, start=datetime(2026, 1, 5, 7, 0, tzinfo=UTC), utc_offset_s=None,
    manufacturer="garmin", product="fr265", duration_s=3600.0, timer_s=3600.0,
    avg_heart_rate_bpm=None, max_heart_rate_bpm=None, avg_power_w=None, distance_m=None,
    n_samples=3600, n_sets=0, warnings=(),
)


def _weeks():
    # Mondays 2026-01-05 (W02), 2026-01-12 (W03), 2026-03-30 (W14): W04..W13 are 10 empty
    # weeks, one run; nothing between W02 and W03
    starts = [datetime(2026, 1, 5, 7, tzinfo=UTC), datetime(2026, 1, 12, 7, tzinfo=UTC),
              datetime(2026, 3, 30, 7, tzinfo=UTC)]
    sessions = [replace(BASE, source=f"s{i}.fit", sha256=f"{i:064x}", start=start)
                for i, start in enumerate(starts)]
    return weekly_summaries(sessions, "UTC")[0]


def _text(renderable) -> str:
    console = Console(width=80, color_system=None)
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def test_a_run_of_empty_weeks_is_one_line() -> None:
    weeks = _weeks()
    assert len(weeks) == 13  # W02 to W14
    text = _text(week_table(weeks))
    assert "… 10 weeks without sessions (2026-W04 to 2026-W13) …" in text
    shown = [line.split()[0] for line in text.splitlines() if line.startswith("2026-W")]
    assert shown == ["2026-W02", "2026-W03", "2026-W14"]


def test_all_weeks_shows_every_week() -> None:
    text = _text(week_table(_weeks(), all_weeks=True))
    assert "without sessions" not in text
    assert sum(line.startswith("2026-W") for line in text.splitlines()) == 13


def test_json_keeps_every_week() -> None:
    document = week_document(_weeks(), [], [])
    assert len(document["weeks"]) == 13 and document["left_out"] == []
    assert [w["sessions"] for w in document["weeks"]].count(0) == 10
