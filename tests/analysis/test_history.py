"""History thresholds (analysis/history.py) and their precedence and stale checks
(analysis/thresholds.py), against hand-computed values."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from lactlog.analysis.history import (
    DatedBests,
    HistoryRules,
    HistoryThresholds,
    group_history,
    history_by_session,
    history_rules,
    latest_by_group,
    robust_max_hr_bpm,
)
from lactlog.analysis.thresholds import resolve_thresholds, stale_reason, threshold_rules
from lactlog.model import DeviceSummary
from lactlog.profile import Profile, set_value, sport_group
from lactlog.settings import Settings
from lactlog.summaries import SessionBests, SessionRef, Window

DAY = date(2026, 6, 30)
#: The mechanisms on their own: two sessions to stand alone, no population max HR.
RULES = HistoryRules(min_sessions=2, assumed_max_hr_bpm=0.0)
_MINUTES = itertools.count()  # every session its own start (copies share one)

THRESHOLD_RULES = threshold_rules(Settings())  # the default settings' threshold rules


def bests(
    name: str, group: str = "bike", *, power: dict[int, float] | None = None,
    hr_30: tuple[float, float] | None = None, hr_20: float | None = None,
    peak: float | None = None, day: date = DAY, strength: bool = False,
) -> DatedBests:
    """One session's bests: ``power`` {window [s]: mean W}, ``hr_30`` (30-min mean, last-20-min
    mean) [bpm], best 20-min HR and 5-s peak [bpm]."""
    sport = {"bike": "cycling", "run": "running", "swim": "swimming", "other": "rowing"}[group]
    start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=next(_MINUTES))
    ref = SessionRef(name, 0, start, 0, sport)

    def window(seconds: float, mean: float) -> Window:
        return Window(ref, start, seconds, mean)

    return DatedBests(day, SessionBests(
        session=ref, group=group, strength=strength,
        power_w={d: window(d, p) for d, p in (power or {}).items()},
        heart_rate_30_min=window(1800, hr_30[0]) if hr_30 else None,
        heart_rate_30_min_tail=window(1200, hr_30[1]) if hr_30 else None,
        heart_rate_20_min=window(1200, hr_20) if hr_20 else None,
        heart_rate_peak_5_s=window(5, peak) if peak else None,
    ))


def cp_curve(cp_w: float, w_prime_j: float) -> dict[int, float]:
    """Mean-maximal power of the 2-parameter model P(t) = CP + W'/t at 3, 5, 12 and 20 min."""
    return {t: cp_w + w_prime_j / t for t in (180, 300, 720, 1200)}


def test_swim_is_its_own_sport_group() -> None:
    assert [sport_group(s) for s in ("swimming", "running", "cycling", "rowing")] == [
        "swim", "run", "bike", "other"]


def test_robust_max_hr_is_the_second_highest_session_peak() -> None:
    assert robust_max_hr_bpm([171, 188, 183]) == 183  # one high session peak is not enough
    assert robust_max_hr_bpm([175]) == 175
    assert robust_max_hr_bpm([]) is None


def test_cp_fit_recovers_a_known_cp_and_w_prime() -> None:
    # P(t) = 250 + 20000/t: 361.1, 316.7, 277.8, 266.7 W; the work–time line is exact.
    history = group_history("bike", [bests("a", power=cp_curve(250, 20000)).bests], RULES)
    assert history.cp_w.value == pytest.approx(250, abs=0.05)
    assert history.w_prime_j.value == pytest.approx(20000, abs=1)
    assert history.ftp_w.value == pytest.approx(250, abs=0.05)  # maximal fit: FTP = CP
    assert history.ftp_w.source == "history 90 d: CP fit of 3–20-min bests, W' 20.0 kJ (1 session)"
    assert history.best_20_min_power_w == pytest.approx(250 + 20000 / 1200)


def test_flat_power_curve_is_not_maximal_and_gives_0_95_of_20_min() -> None:
    # A steady ride: 205, 203, 201, 200 W -> W' ≈ 0.8 kJ < 5 kJ; FTP = 0.95 × 200 = 190 W.
    flat = {180: 205.0, 300: 203.0, 720: 201.0, 1200: 200.0}
    history = group_history("bike", [bests("a", power=flat).bests], RULES)
    assert history.ftp_w.value == pytest.approx(190.0)
    assert history.ftp_w.source == "history 90 d: 0.95 × best 20-min 200 W (1 session)"
    assert history.cp_w.value is None and history.w_prime_j.value is None


def test_window_holds_the_last_90_days_up_to_the_session() -> None:
    sessions = [
        bests("old", power={1200: 400.0}, day=DAY - timedelta(days=90)),   # outside
        bests("edge", power={1200: 300.0}, day=DAY - timedelta(days=89)),  # first day inside
        bests("now", power={1200: 200.0}, day=DAY),
        bests("later", power={1200: 500.0}, day=DAY + timedelta(days=1)),  # after: not history
    ]
    result = history_by_session(sessions, RULES)
    assert result[("now", 0)].best_20_min_power_w == 300.0
    assert result[("now", 0)].ftp_w.value == pytest.approx(285.0)  # 0.95 × 300
    assert result[("old", 0)].best_20_min_power_w == 400.0
    assert result[("later", 0)].best_20_min_power_w == 500.0
    assert result[("edge", 0)].n_power_sessions == 2  # old (day −90 from edge's view) + edge
    narrow = history_by_session(sessions, HistoryRules(window_days=1))
    assert narrow[("now", 0)].best_20_min_power_w == 200.0


def test_copies_of_one_activity_count_once() -> None:
    first = bests("ride.fit", power={1200: 250.0})
    ref = replace(first.bests.session, source="ride.gpx")
    copy = DatedBests(DAY, replace(first.bests, session=ref))
    result = history_by_session([first, copy], RULES)
    assert result[("ride.fit", 0)].n_power_sessions == 1
    assert set(result) == {("ride.fit", 0), ("ride.gpx", 0)}


def test_lthr_only_from_a_plausibly_hard_effort() -> None:
    peaks = [bests("a", "run", peak=190), bests("b", "run", peak=186)]  # max HR = 186
    easy = bests("easy", "run", hr_30=(150, 152), peak=160)  # 150 < 0.85 × 186 = 158.1
    history = group_history("run", [b.bests for b in (*peaks, easy)], RULES)
    assert history.lthr_bpm.value is None
    assert "not hard enough" in history.notes[0]
    assert history.best_hr_tail_bpm == 152  # still evidence for the stale check
    hard = bests("hard", "run", hr_30=(168, 171), peak=180)  # 168 ≥ 158.1
    history = group_history("run", [b.bests for b in (*peaks, hard)], RULES)
    assert history.lthr_bpm.value == 171
    assert history.lthr_bpm.source == "history 90 d: best 30-min HR effort, last 20 min 171 bpm"
    assert history.max_hr_bpm.value == 186
    assert history.max_hr_bpm.source == "history 90 d: 2nd-highest 5-s peak of 3 sessions"


def test_lthr_falls_back_to_0_95_of_best_20_min_heart_rate() -> None:
    sessions = [bests("a", "run", hr_20=170, peak=185), bests("b", "run", peak=182)]
    history = group_history("run", [b.bests for b in sessions], RULES)
    assert history.lthr_bpm.value == pytest.approx(161.5)  # 0.95 × 170; 170 ≥ 0.85 × 182


def test_swim_without_own_values_gets_run_values_minus_12_bpm() -> None:
    run = [bests("r1", "run", hr_30=(168, 170), peak=188), bests("r2", "run", peak=184)]
    swim = bests("s", "swim", peak=150)
    result = history_by_session([*run, swim], RULES)
    history = result[("s", 0)]
    assert history.lthr_bpm.value == 158  # 170 − 12 (DiCarlo et al. 1991)
    assert "run LTHR 170 bpm − 12 bpm swim offset" in history.lthr_bpm.source
    assert history.max_hr_bpm.value == 172  # max(150 own peak, 184 − 12)
    assert history.n_heart_rate_sessions == 3  # the swim and the two runs it borrows from
    t = resolve_thresholds("swim", DAY, {}, Profile(), DeviceSummary(), THRESHOLD_RULES, history)
    assert (t.lthr_bpm.value, t.lthr_bpm.source) == (158, history.lthr_bpm.source)
    # runs never get swim values, rides never get run values
    assert result[("r1", 0)].lthr_bpm.value == 170
    ride = history_by_session([*run, bests("b", "bike", peak=150)], RULES)[("b", 0)]
    assert ride.lthr_bpm.value is None and ride.max_hr_bpm.value == 150


def test_latest_by_group_is_what_the_latest_session_gets() -> None:
    sessions = [bests("r1", "run", peak=180, day=DAY - timedelta(days=10)),
                bests("r2", "run", peak=176, day=DAY),
                bests("b1", "bike", power={1200: 260.0}, day=DAY - timedelta(days=3))]
    latest = latest_by_group(sessions, RULES)
    assert list(latest) == ["run", "bike"]
    assert latest["run"] == history_by_session(sessions, RULES)[("r2", 0)]


def test_history_rules_come_from_the_settings() -> None:
    rules = history_rules(Settings(history_window_days=42, swim_hr_offset_bpm=7.0))
    assert (rules.window_days, rules.swim_hr_offset_bpm, rules.min_sessions) == (42, 7.0, 1)
    assert rules.assumed_max_hr_bpm == 180.0


# --- precedence and stale thresholds ---------------------------------------------------------

def two_hour_ride_history() -> object:
    """The issue's ride: 2 h 19 min at NP 267 W; best 20-min 281 W, steady (not a CP test)."""
    power = {180: 290.0, 300: 287.0, 720: 284.0, 1200: 281.0}
    return group_history("bike", [bests("ride", power=power).bests], RULES)


def test_stale_device_ftp_is_replaced_by_history() -> None:
    history = two_hour_ride_history()
    t = resolve_thresholds("bike", DAY, {}, Profile(), DeviceSummary(threshold_power_w=200),
                           THRESHOLD_RULES, history)
    assert t.ftp_w.value == pytest.approx(0.95 * 281, abs=0.1)  # 266.95 W, stored to 0.1 W
    assert t.ftp_w.source == "history 90 d: 0.95 × best 20-min 281 W (1 session)"
    assert t.ftp_w.stale == ("device FTP 200 W contradicted by history (best 20-min 281 W ≥ "
                             "1.05 × FTP 200 W); using history 267 W")


def test_stale_profile_and_flag_values_stay_in_force_with_the_evidence() -> None:
    history = two_hour_ride_history()
    profile = Profile()
    set_value(profile, "bike.ftp_w", "200", date(2026, 1, 1))
    t = resolve_thresholds("bike", DAY, {}, profile, DeviceSummary(), THRESHOLD_RULES, history)
    assert (t.ftp_w.value, t.ftp_w.source) == (200, "profile 2026-01-01")
    assert t.ftp_w.stale == "best 20-min 281 W ≥ 1.05 × FTP 200 W (history 90 d)"
    flagged = resolve_thresholds("bike", DAY, {"ftp_w": 275}, profile, DeviceSummary(),
                                 THRESHOLD_RULES, history)
    assert (flagged.ftp_w.value, flagged.ftp_w.stale) == (275, None)  # 281 < 1.05 × 275


def test_device_value_the_history_agrees_with_is_kept() -> None:
    history = two_hour_ride_history()
    t = resolve_thresholds("bike", DAY, {}, Profile(), DeviceSummary(threshold_power_w=270),
                           THRESHOLD_RULES, history)
    assert (t.ftp_w.value, t.ftp_w.source, t.ftp_w.stale) == (270, "device", None)


def test_stale_lthr_and_max_hr() -> None:
    run = [bests("a", "run", hr_30=(170, 172), peak=191), bests("b", "run", peak=189)]
    history = group_history("run", [b.bests for b in run], RULES)
    settings = Settings()
    assert stale_reason("lthr_bpm", 167, history, threshold_rules(settings)) == (
        "last 20 min of the best 30-min HR effort 172 bpm ≥ LTHR 167 + 5 bpm (history 90 d)")
    rules = threshold_rules(settings)
    assert stale_reason("lthr_bpm", 168, history, rules) is None  # 172 < 168 + 5
    assert stale_reason("max_hr_bpm", 185, history, threshold_rules(settings)) == (
        "peak HR 189 bpm > max HR 185 bpm (history 90 d)")
    assert stale_reason("max_hr_bpm", 189, history, threshold_rules(settings)) is None
    device = DeviceSummary(threshold_heart_rate_bpm=160, max_heart_rate_setting_bpm=180)
    t = resolve_thresholds("run", DAY, {}, Profile(), device, threshold_rules(settings), history)
    assert (t.lthr_bpm.value, t.max_hr_bpm.value) == (172, 189)
    assert t.lthr_bpm.stale.startswith("device LTHR 160 bpm contradicted by history")


def test_history_alone_needs_two_sessions() -> None:
    one = group_history("bike", [bests("a", power={1200: 250.0}).bests], RULES)
    t = resolve_thresholds("bike", DAY, {}, Profile(), DeviceSummary(), THRESHOLD_RULES, one)
    assert t.ftp_w.value is None  # one session is no yardstick for itself
    two = group_history("bike", [bests("a", power={1200: 250.0}).bests,
                                 bests("b", power={1200: 240.0}).bests], RULES)
    t = resolve_thresholds("bike", DAY, {}, Profile(), DeviceSummary(), THRESHOLD_RULES, two)
    assert (t.ftp_w.value, t.ftp_w.source) == (
        pytest.approx(237.5), "history 90 d: 0.95 × best 20-min 250 W (2 sessions)")


def test_estimate_names_a_history_max_hr() -> None:
    run = [bests("a", "run", peak=190), bests("b", "run", peak=186)]
    history = group_history("run", [b.bests for b in run], RULES)
    t = resolve_thresholds("run", DAY, {}, Profile(), DeviceSummary(), THRESHOLD_RULES, history)
    assert t.lthr_bpm.value == pytest.approx(60 + 0.85 * (186 - 60))  # 167.1
    assert t.lthr_bpm.source == ("estimate (85 % of HR reserve; max HR 186 bpm, history 90 d: "
                                 "2nd-highest 5-s peak of 2 sessions)")


def test_history_lthr_from_an_easy_effort_gives_way_to_a_stored_max_hr() -> None:
    # Two easy runs: 30-min mean 150 bpm, peaks 165/162 -> history max 162, and 150 ≥ 0.85 × 162
    # makes the effort "hard" against the history's own (low) maximum...
    run = [bests("a", "run", hr_30=(150, 152), peak=165), bests("b", "run", peak=162)]
    history = group_history("run", [b.bests for b in run], RULES)
    assert (history.lthr_bpm.value, history.lthr_effort_mean_bpm) == (152, 150)
    t = resolve_thresholds("run", DAY, {}, Profile(), DeviceSummary(), THRESHOLD_RULES, history)
    assert t.lthr_bpm.value == 152
    # ...but not against the device's max HR 195: 150 < 0.85 × 195 = 165.75 -> the estimate.
    device = DeviceSummary(max_heart_rate_setting_bpm=195)
    t = resolve_thresholds("run", DAY, {}, Profile(), device, THRESHOLD_RULES, history)
    assert t.lthr_bpm.value == pytest.approx(60 + 0.85 * (195 - 60), abs=0.1)  # 174.75, to 0.1
    assert t.lthr_bpm.source == "estimate (85 % of HR reserve)"


def test_window_of_zero_days_switches_history_off() -> None:
    sessions = [bests("a", power={1200: 250.0}), bests("b", power={1200: 240.0})]
    assert history_by_session(sessions, HistoryRules(window_days=0)) == {}
    assert latest_by_group(sessions, HistoryRules(window_days=0)) == {}


# --- defaults that keep a thin or easy history from overrating sessions ----------------------

DEFAULT = HistoryRules()


def test_easy_history_gives_no_lthr_and_the_assumed_max_hr() -> None:
    # Six easy runs: 30-min mean 145, tail 147, peaks ≤ 153 bpm. Against their own peak (153)
    # 145 ≥ 0.85 × 153 would pass as "hard"; against the assumed 180 bpm it does not
    # (145 < 153) -> no LTHR; max HR 180; the estimate is 60 + 0.85 × (180 − 60) = 162 bpm.
    runs = [bests(f"e{i}", "run", hr_30=(145, 147), peak=150 + i / 2) for i in range(6)]
    history = group_history("run", [b.bests for b in runs], DEFAULT)
    assert history.lthr_bpm.value is None
    assert history.max_hr_bpm.value == 180.0
    assert history.max_hr_bpm.source.startswith("assumed 180 bpm: the history 90 d peak 152 bpm")
    assert history.peak_hr_bpm == 152.0  # the evidence itself is kept for the stale checks
    t = resolve_thresholds("run", DAY, {}, Profile(), DeviceSummary(), THRESHOLD_RULES, history)
    assert t.lthr_bpm.value == pytest.approx(162.0)
    # a genuinely hard 30 min (mean 165 ≥ 153) still gives its LTHR
    hard = bests("h", "run", hr_30=(165, 168), peak=176)
    history = group_history("run", [b.bests for b in (*runs, hard)], DEFAULT)
    assert history.lthr_bpm.value == 168 and history.max_hr_bpm.value == 180.0


def test_swim_assumed_max_is_lower_by_the_swim_offset() -> None:
    swim = bests("s", "swim", peak=140)
    history = history_by_session([swim], DEFAULT)[("s", 0)]
    assert history.max_hr_bpm.value == 168.0  # 180 − 12


def test_one_session_is_its_own_history_by_default() -> None:
    one = group_history("bike", [bests("a", power={1200: 250.0}).bests], DEFAULT)
    t = resolve_thresholds("bike", DAY, {}, Profile(), DeviceSummary(), THRESHOLD_RULES, one)
    assert (t.ftp_w.value, t.ftp_w.source) == (
        pytest.approx(237.5), "history 90 d: 0.95 × best 20-min 250 W (1 session)")


def test_best_20_min_at_an_easy_heart_rate_gives_no_ftp() -> None:
    # 0.85 × 180 = 153 bpm: a best 20 minutes ridden at 130 bpm was not a threshold effort
    easy = replace(bests("a", power={1200: 180.0}, peak=150).bests,
                   heart_rate_during_best_20_min_power_bpm=130.0)
    history = group_history("bike", [easy], DEFAULT)
    assert history.ftp_w.value is None and history.best_20_min_power_w == 180.0
    hard = replace(easy, heart_rate_during_best_20_min_power_bpm=160.0)
    assert group_history("bike", [hard], DEFAULT).ftp_w.value == pytest.approx(171.0)


def test_history_cp_and_w_prime_are_never_used_alone() -> None:
    # the session's own bests fit CP 250 W / W' 20 kJ; used alone, that W' would always read
    # as depleted in the very session it came from
    history = group_history("bike", [bests("a", power=cp_curve(250, 20000)).bests], DEFAULT)
    assert history.cp_w.value == pytest.approx(250)
    t = resolve_thresholds("bike", DAY, {}, Profile(), DeviceSummary(), THRESHOLD_RULES, history)
    assert t.cp_w.value is None and t.w_prime_j.value is None
    assert t.ftp_w.value == pytest.approx(250)  # FTP = CP of a maximal fit (eFTP-like)


def test_zero_power_gives_no_ftp() -> None:
    # a power meter that sent only zeros: best 20-min 0 W is no FTP (and no evidence)
    history = group_history("bike", [bests("z", power={1200: 0.0, 180: 0.0, 300: 0.0,
                                                        720: 0.0}).bests], DEFAULT)
    assert history.ftp_w.value is None and history.best_20_min_power_w is None


def test_strength_sessions_are_evidence_but_get_no_history() -> None:
    # a watch strength session's 5-s HR peak counts for the "other" group's max HR, but it has
    # no history entry of its own: its summary uses no threshold
    lift = bests("lift.fit", "other", peak=190.0, strength=True)
    row = bests("row.fit", "other", peak=170.0)
    found = history_by_session([lift, row], replace(RULES, min_sessions=1))
    assert set(found) == {("row.fit", 0)}
    assert found[("row.fit", 0)].n_heart_rate_sessions == 2
    assert found[("row.fit", 0)].peak_hr_bpm == 170.0  # the 2nd-highest of 190 and 170


def test_of_equal_bests_the_first_of_the_window_counts() -> None:
    # two rides with the same best 20-min power: the earlier one's heart rate during it decides
    # whether it was a threshold effort (max HR 190: 0.85 × 190 = 161.5 bpm)
    def ride(name: str, day: date, during_bpm: float) -> DatedBests:
        found = bests(name, power={1200: 250.0}, peak=190.0, day=day)
        return replace(found, bests=replace(found.bests,
                                            heart_rate_during_best_20_min_power_bpm=during_bpm))

    easy, hard = ride("easy", DAY - timedelta(days=2), 140.0), ride("hard", DAY, 170.0)
    result = history_by_session([hard, easy], RULES)
    assert result[("hard", 0)].ftp_w.value is None  # the easy ride, first of the two, counts
    assert result[("hard", 0)].best_20_min_power_w == 250.0
    later = history_by_session([hard, easy], replace(RULES, window_days=2))
    assert later[("hard", 0)].ftp_w.value == pytest.approx(237.5)  # easy left the window


def test_sliding_windows_give_what_each_window_gives_from_scratch() -> None:
    # history_by_session slides one window over the days (sessions enter and leave it); every
    # session must get group_history of its own window, ties and swims carrying runs included
    sessions = []
    for i in range(60):
        day = DAY + timedelta(days=(i * 7) % 45)
        group = ("run", "bike", "swim")[i % 3]
        found = bests(f"s{i}", group, power={1200: 200.0 + 10 * (i % 4), 300: 260.0 + (i % 3)},
                      hr_30=(150.0 + 5 * (i % 3), 160.0 + i % 7), hr_20=160.0 + (i % 5),
                      peak=180.0 + (i % 4) if i % 5 else None, day=day, strength=i % 11 == 0)
        sessions.append(replace(found, bests=replace(
            found.bests, heart_rate_during_best_20_min_power_bpm=140.0 + i)))
    rules = replace(RULES, window_days=10)
    result = history_by_session(sessions, rules)

    def from_scratch(group: str, day: date) -> HistoryThresholds:
        window = sorted((s for s in sessions if s.bests.group == group
                         and day - timedelta(days=rules.window_days) < s.day <= day),
                        key=lambda s: s.day)
        run = from_scratch("run", day) if group == "swim" else None
        return group_history(group, [s.bests for s in window], rules, run)

    assert len(result) == sum(not s.bests.strength for s in sessions)
    for s in sessions:
        if not s.bests.strength:
            assert result[(s.bests.session.source, 0)] == from_scratch(s.bests.group, s.day)
