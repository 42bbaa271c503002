"""JSON documents for ``--json`` output: SI units, unit-suffixed keys, ``null`` never NaN."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lactlog.jsonsafe import clean, field_names
from lactlog.localtime import session_start_local
from lactlog.results import BatchResult
from lactlog.summaries import CHANNELS, EnduranceAnalysis, SessionSummary, SessionThresholds

#: Version of the JSON output layout; bumped on incompatible changes.
SCHEMA_VERSION = "1.0"


def local_start(summary: SessionSummary) -> datetime | None:
    """Session start in the athlete's local time (:func:`lactlog.localtime.session_start_local`:
    the profile's time zone, else the file's UTC offset, else this computer's zone)."""
    return session_start_local(summary)


def session_dict(summary: SessionSummary) -> dict[str, Any]:
    """One session for JSON: basic figures plus the endurance analysis, flattened."""
    data = {name: getattr(summary, name) for name in field_names(SessionSummary)
            if name != "endurance"}
    data["dfa"] = _dfa_dict(summary)
    data["start_local"] = local_start(summary)
    data.update(endurance_dict(summary.endurance))
    if summary.strength is not None:  # a strength session's verdict is its set-log verdict
        data["stimulus"] = summary.strength.verdict.level
        data["stimulus_reasons"] = list(summary.strength.verdict.reasons)
    return clean(data)


def _dfa_dict(summary: SessionSummary) -> dict[str, Any] | None:
    """The session's DFA-α1 for JSON; None without beat-to-beat data (the DFA renderer and its
    numpy are imported only for a session that has some)."""
    if summary.dfa is None:
        return None
    from lactlog.report.dfa import dfa_dict

    return dfa_dict(summary.dfa)


def endurance_dict(analysis: EnduranceAnalysis | None) -> dict[str, Any]:
    """The endurance analysis keys of a session; all present, ``None`` when not computable."""
    if analysis is None:
        analysis = EnduranceAnalysis(thresholds=SessionThresholds(), recorded_s=0.0,
                                     primary_channel=None, time_above_lt_s=None)
    t = analysis.thresholds
    primary = analysis.primary_channel
    used = t.used(CHANNELS[primary][1]) if primary is not None else None
    w = analysis.w_prime
    recorded = analysis.recorded_s
    return {
        "lthr_bpm": t.lthr_bpm.value,
        "ftp_w": t.ftp_w.value,
        "threshold_source": used.source if used else None,
        "threshold_stale": used.stale if used else None,
        "thresholds": {name: getattr(t, name) for name in field_names(type(t))},
        "primary_channel": primary,
        "recorded_s": recorded,
        "time_above_lt_s": analysis.time_above_lt_s,
        "time_above_lt_fraction": analysis.time_above_lt_fraction,
        "time_above_lt_in_efforts_s": analysis.time_above_lt_in_efforts_s,
        "time_above_by_channel_s": dict(analysis.time_above_by_channel_s),
        "zones": list(analysis.zones),
        "zone_notes": list(analysis.zone_notes),
        "normalized_power_w": analysis.normalized_power_w,
        "intensity_factor": analysis.intensity_factor,
        "tss": analysis.tss,
        "trimp": analysis.trimp,
        "trimp_normalized": analysis.trimp_normalized,
        "min_w_prime_balance_j": w.min_balance_j if w else None,
        "min_w_prime_balance_integral_j": analysis.min_w_prime_balance_integral_j,
        "w_prime_expended_j": w.expended_j if w else None,
        "w_prime_efforts": w.n_efforts if w else None,
        "intervals": list(analysis.intervals),
        "stimulus": analysis.verdict.level,
        "stimulus_reasons": list(analysis.verdict.reasons),
    }


def analyze_document(result: BatchResult) -> dict[str, Any]:
    """The ``lactlog analyze --json`` document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "sessions": [session_dict(s) for s in result.sessions],
        "errors": [{"source": e.source, "error": e.error} for e in result.errors],
        "merged": [{"watch": watch, "app": app} for watch, app in result.merged],
    }
