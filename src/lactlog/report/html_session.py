"""The session parts of the HTML report: the session list and one section per session.

Each section draws one ``show --json`` document (:func:`lactlog.report.show.show_document`):
heart rate and power over time against the threshold with the hard efforts shaded, W' balance,
zone bars and DFA-α1 when the session has beat-to-beat data. Nothing is computed here beyond
pixel positions.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import PurePath
from typing import Any

from lactlog.formatting import duration_text, number_text, pace_text
from lactlog.report import svg

CHART_WIDTH = 720
CHART_HEIGHT = 170
LEVEL_CLASS = {"high": "high", "moderate": "moderate", "low": "low"}

#: Session threshold field -> (label, unit, digits).
THRESHOLD_LABELS: dict[str, tuple[str, str, int]] = {
    "lthr_bpm": ("LTHR", "bpm", 0),
    "max_hr_bpm": ("max HR", "bpm", 0),
    "rest_hr_bpm": ("rest HR", "bpm", 0),
    "ftp_w": ("FTP", "W", 0),
    "cp_w": ("CP", "W", 0),
    "w_prime_j": ("W′", "J", 0),
    "threshold_speed_mps": ("threshold pace", "", 0),
    "lt1_hr_bpm": ("LT1 HR", "bpm", 0),
    "lt1_power_w": ("LT1 power", "W", 0),
}


def threshold_value(field: str, value: float) -> str:
    """A threshold as text with its unit (pace for the speed threshold)."""
    if field == "threshold_speed_mps":
        return pace_text(value)
    _, unit, digits = THRESHOLD_LABELS.get(field, (field, "", 0))
    return number_text(value, digits, unit, space=True)


def level_badge(level: str | None) -> str:
    """The verdict as a coloured badge (``–`` without one)."""
    if not level:
        return '<span class="badge none">–</span>'
    return f'<span class="badge {LEVEL_CLASS.get(level, "none")}">{escape(level.upper())}</span>'


def session_label(session: dict[str, Any]) -> str:
    """``2026-11-16 07:00 running`` — local start and sport."""
    start = session.get("start_local") or session.get("start") or ""
    return f"{start[:10]} {start[11:16]} {session.get('sport') or ''}".strip()


def session_list(documents: list[dict[str, Any]]) -> str:
    """The table of every session: local start, sport, file, timer, ≥LT, load, verdict and
    reasons, each row linking to its section."""
    rows = []
    for number, doc in enumerate(documents, start=1):
        s = doc["session"]
        above = s.get("time_above_lt_s")
        load = s.get("tss") if s.get("tss") is not None else s.get("trimp_normalized")
        reasons = "; ".join(s.get("stimulus_reasons") or [])
        rows.append(
            f'<tr><td><a href="#s{number}">{escape(session_label(s))}</a></td>'
            f"<td>{escape(PurePath(s['source']).name)}</td>"
            f'<td class="num">{duration_text(s.get("timer_s"))}</td>'
            f'<td class="num">{"–" if above is None else f"{above / 60:.0f}′"}</td>'
            f'<td class="num">{"–" if load is None else f"{load:.0f}"}</td>'
            f"<td>{level_badge(s.get('stimulus'))}</td><td>{escape(reasons)}</td></tr>"
        )
    return ('<table class="list"><thead><tr><th>Start (local)</th><th>File</th><th>Timer</th>'
            "<th>≥LT</th><th>Load</th><th>Stimulus</th><th>Why</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _seconds_between(start: str | None, later: str | None) -> float | None:
    if not start or not later:
        return None
    return (datetime.fromisoformat(later) - datetime.fromisoformat(start)).total_seconds()


def time_chart(series: dict[str, Any], key: str, label: str, unit: str,
               threshold: float | None, threshold_label: str,
               intervals: list[dict[str, Any]], css_class: str) -> str:
    """One channel of the series over time [min] with the threshold line and the hard efforts
    shaded; "" when the channel has no value."""
    values = series.get(key)
    if not values or all(v is None for v in values):
        return ""
    minutes = [t / 60 for t in series["time_s"]]
    end = (series["time_s"][-1] + series["bucket_s"]) / 60 if minutes else 1
    include = [threshold] if threshold is not None else []
    low, high = svg.padded_range(values, include)
    f = svg.frame(CHART_WIDTH, CHART_HEIGHT, (0, end), (low, high), (48, 84, 14, 24))
    parts = [svg.open_svg(CHART_WIDTH, CHART_HEIGHT, f"{label} over time"),
             svg.axes(f, svg.number_ticks(0, end, 8), svg.number_ticks(low, high, 4),
                      f"{label} [{unit}]")]
    for number, interval in enumerate(intervals, start=1):
        offset = _seconds_between(series.get("start"), interval.get("start"))
        if offset is None:
            continue
        tip = f"hard effort {number}: {duration_text(interval['duration_s'])}"
        parts.append(svg.x_band(f, offset / 60, (offset + interval["duration_s"]) / 60,
                                "effort", tip))
    if threshold is not None:
        parts.append(svg.hline(f, threshold, "threshold",
                               f"{threshold_label} {threshold:.0f}"))
    parts.append(svg.line(f, minutes, values, css_class))
    parts.append(f'<text class="tick" x="{svg.num(f.right)}" y="{CHART_HEIGHT - 2}" '
                 'text-anchor="end">min</text></svg>')
    return "".join(parts)


def zone_bars(zones: dict[str, Any]) -> str:
    """One zone system as horizontal bars: name and bounds, a bar proportional to its time,
    minutes and share."""
    seconds = zones["seconds"]
    total = sum(seconds)
    longest = max(seconds, default=0) or 1
    bounds = zones["upper_bounds"]
    row_h, width, label_w = 18, CHART_WIDTH, 150
    height = row_h * len(seconds) + 6
    bars, texts = [], []
    for i, (name, secs) in enumerate(zip(zones["names"], seconds, strict=True)):
        if i == 0:
            span = f"< {bounds[0]:.0f}"
        elif i == len(bounds):
            span = f"≥ {bounds[-1]:.0f}"
        else:
            span = f"{bounds[i - 1]:.0f}–{bounds[i]:.0f}"
        y = 3 + i * row_h
        bar = (width - label_w - 110) * secs / longest
        share = f"{secs / total:.0%}" if total else "–"
        if bar > 0:
            bars.append(svg.rect(label_w, y + 2, bar, row_h - 5, f"z{min(i, 6)}"))
        texts.append(f'<text y="{y + 12}">{escape(name)} {escape(span)}</text>'
                     f'<text x="{svg.num(label_w + bar + 4)}" y="{y + 12}">'
                     f"{secs / 60:.1f} min · {share}</text>")
    return (svg.open_svg(width, height, f"time in zones: {zones['system']}", "chart zones")
            + "".join(bars) + '<g class="tick">' + "".join(texts) + "</g></svg>")


def dfa_chart(dfa: dict[str, Any]) -> str:
    """DFA-α1 over time with the HRVT1 (0.75) and HRVT2 (0.5) lines."""
    series = dfa.get("series") or {}
    alpha = series.get("alpha1") or []
    if not any(a is not None for a in alpha):
        return ""
    minutes = [t / 60 for t in series["time_s"]]
    low, high = svg.padded_range(alpha, (0.4, 1.2))
    f = svg.frame(CHART_WIDTH, CHART_HEIGHT, (0, max(minutes[-1], 1)), (low, high),
                  (48, 84, 14, 24))
    return "".join([
        svg.open_svg(CHART_WIDTH, CHART_HEIGHT, "DFA alpha1 over time"),
        svg.axes(f, svg.number_ticks(0, max(minutes[-1], 1), 8),
                 svg.number_ticks(low, high, 4, 2), "DFA-α1"),
        svg.hline(f, 0.75, "threshold", "0.75"), svg.hline(f, 0.5, "threshold", "0.5"),
        svg.line(f, minutes, alpha, "dfa"), "</svg>",
    ])


def thresholds_list(session: dict[str, Any]) -> str:
    """Every known threshold with its source (and stale evidence)."""
    items = []
    for field, threshold in (session.get("thresholds") or {}).items():
        if threshold.get("value") is None:
            continue
        label = THRESHOLD_LABELS.get(field, (field, "", 0))[0]
        stale = f"; stale: {threshold['stale']}" if threshold.get("stale") else ""
        items.append(f"<li>{escape(label)} {escape(threshold_value(field, threshold['value']))} "
                     f"<span class=\"source\">({escape(str(threshold.get('source')))}"
                     f"{escape(stale)})</span></li>")
    return f'<ul class="thresholds">{"".join(items)}</ul>' if items else "<p>No thresholds known.</p>"


def _figures(s: dict[str, Any]) -> str:
    above = s.get("time_above_lt_s")
    w_min = s.get("min_w_prime_balance_j")
    cells = [
        ("Timer", duration_text(s.get("timer_s"))),
        ("≥ threshold", "–" if above is None else f"{above / 60:.1f} min"),
        ("Hard efforts", str(len(s.get("intervals") or []))),
        ("NP", number_text(s.get("normalized_power_w"), 0, " W")),
        ("IF", number_text(s.get("intensity_factor"), 2)),
        ("TSS", number_text(s.get("tss"))),
        ("TRIMP (normalised)", number_text(s.get("trimp_normalized"))),
        ("lowest W′ balance", number_text(w_min, 0, " J")),
    ]
    return ('<dl class="figures">' + "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>"
                                            for k, v in cells) + "</dl>")


def session_section(doc: dict[str, Any], number: int) -> str:
    """One session's section (anchor ``s{number}``)."""
    s = doc["session"]
    series = doc.get("series")
    intervals = s.get("intervals") or []
    thresholds = s.get("thresholds") or {}
    parts = [(f'<section class="session" id="s{number}"><h3>{escape(session_label(s))} · '
              f"{escape(PurePath(s['source']).name)} {level_badge(s.get('stimulus'))}</h3>")]
    device = " ".join(v for v in (s.get("manufacturer"), s.get("product")) if v)
    if device:
        parts.append(f'<p class="device">{escape(device)}</p>')
    reasons = s.get("stimulus_reasons") or []
    if reasons:
        parts.append('<ul class="reasons">' + "".join(f"<li>{escape(r)}</li>" for r in reasons)
                     + "</ul>")
    parts += [_figures(s), thresholds_list(s)]
    if series:
        ftp = (thresholds.get("ftp_w") or {}).get("value")
        cp = (thresholds.get("cp_w") or {}).get("value")
        power_limit, power_label = (ftp, "FTP") if ftp is not None else (cp, "CP")
        parts.append(time_chart(series, "heart_rate_bpm", "Heart rate", "bpm",
                                s.get("lthr_bpm"), "LTHR", intervals, "hr"))
        parts.append(time_chart(series, "power_w", "Power", "W", power_limit, power_label,
                                intervals, "power"))
        w_prime = (thresholds.get("w_prime_j") or {}).get("value")
        parts.append(time_chart(series, "w_prime_balance_j", "W′ balance", "J", w_prime, "W′",
                                intervals, "wbal"))
    else:
        parts.append("<p>No time series: the file could not be read again for the charts.</p>")
    if s.get("strength"):
        parts.append(strength_table(s["strength"]))
    for zones in s.get("zones") or []:
        parts.append(f"<h4>{escape(zones['system'])}</h4>{zone_bars(zones)}")
    dfa = doc.get("dfa")
    if dfa:
        chart = dfa_chart(dfa)
        notes = "; ".join(dfa.get("notes") or [])
        parts.append(f"<h4>DFA-α1</h4>{chart}<p>{escape(notes)}</p>")
    parts.append('<p><a href="#sessions">back to the session list</a></p></section>')
    return "".join(parts)


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "")


def strength_table(strength: dict[str, Any]) -> str:
    """A strength session's totals and its sets as the set log has them: exercise, reps,
    weight, RIR, rest after, mean heart rate, near failure, metabolic stress (``?``: unknown)."""
    totals = (f"{strength.get('n_sets')} sets, {strength.get('n_reps')} reps, volume load "
              f"{number_text(strength.get('volume_load_kg'), 0, ' kg')}, metabolic-stress sets "
              f"{strength.get('metabolic_stress_sets')}, near failure "
              f"{strength.get('near_failure_sets')}")
    rows = "".join(
        f"<tr><td>{escape(str(x.get('exercise') or '–'))}</td>"
        f"<td class=\"num\">{number_text(x.get('reps'))}</td>"
        f"<td class=\"num\">{number_text(x.get('weight_kg'), 1)}</td>"
        f"<td class=\"num\">{number_text(x.get('rir'))}</td>"
        f"<td class=\"num\">{duration_text(x.get('rest_after_s'))}</td>"
        f"<td class=\"num\">{number_text(x.get('avg_heart_rate_bpm'))}</td>"
        f"<td>{_yes_no(x.get('near_failure'))}</td><td>{_yes_no(x.get('metabolic_stress'))}</td>"
        "</tr>"
        for x in strength.get("sets") or [] if not x.get("warmup"))
    return (f"<h4>Sets</h4><p>{escape(totals)}</p><table class=\"sets\"><thead><tr>"
            "<th>Exercise</th><th>Reps</th><th>kg</th><th>RIR</th><th>Rest</th><th>HR</th>"
            "<th>Near failure</th><th>Metabolic stress</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
