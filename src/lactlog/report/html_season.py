"""The season charts of the HTML report: performance management, weekly stimulus, intensity
distribution, threshold history and the lactate curve.

Each draws records of the JSON documents (``week --json`` weeks, the daily ``days`` records,
``show --json`` sessions, the ``lactate-test --json`` document) as they are; only pixel
positions and the grouping of threshold sources into colours are worked out here.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from lactlog.formatting import number_text, pace_text
from lactlog.report import svg
from lactlog.report.html_session import THRESHOLD_LABELS, threshold_value

WIDTH = 920
HEIGHT = 260


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def _date_ticks(first: date, n_days: int, count: int = 8) -> list[tuple[float, str]]:
    """Ticks on Mondays (day index, ``2026-11-16``), about ``count`` of them."""
    weeks = max(1, round(n_days / 7 / count))
    ticks = []
    for i in range(n_days):
        day = date.fromordinal(first.toordinal() + i)
        if day.weekday() == 0 and ((day.toordinal() - first.toordinal()) // 7) % weeks == 0:
            ticks.append((i + 0.5, day.isoformat()))
    return ticks


def pmc_chart(days: list[dict[str, Any]], sessions: list[dict[str, Any]]) -> str:
    """Daily load bars (right axis), CTL, ATL and TSB lines (left axis), a red mark above each
    day with a HIGH session."""
    if not days:
        return "<p>No sessions with a date in the chosen weeks.</p>"
    first = date.fromisoformat(days[0]["date"])
    n = len(days)
    ctl, atl, tsb = ([d[k] for d in days] for k in ("ctl", "atl", "tsb"))
    low, high = svg.padded_range([*ctl, *atl, *tsb], (0.0,))
    f = svg.frame(WIDTH, HEIGHT, (0, n), (low, high), (48, 48, 22, 24))
    max_load = max((d["load"] for d in days), default=0) or 1
    load_y = svg.Scale(0, max_load * 1.1, f.bottom, f.top)
    parts = [svg.open_svg(WIDTH, HEIGHT, "performance management chart: daily load, CTL, ATL, "
                          "TSB"),
             svg.axes(f, _date_ticks(first, n), svg.number_ticks(low, high, 5), "CTL/ATL/TSB")]
    bar_w = min(max((f.right - f.left) / n * 0.8, 0.5), 24)
    for i, d in enumerate(days):
        if d["load"] > 0:
            x = f.x(i + 0.5) - bar_w / 2
            parts.append(svg.rect(x, load_y(d["load"]), bar_w, f.bottom - load_y(d["load"]),
                                  "load", f"{d['date']}: load {d['load']:.0f}"))
    for value, text in svg.number_ticks(0, max_load * 1.1, 4):
        parts.append(f'<text class="tick" x="{svg.num(f.right + 4)}" '
                     f'y="{svg.num(load_y(value))}" dy="0.35em">{escape(text)}</text>')
    if low < 0 < high:
        parts.append(svg.hline(f, 0, "grid"))
    centres = [i + 0.5 for i in range(n)]
    parts += [svg.line(f, centres, tsb, "tsb", "TSB"), svg.line(f, centres, atl, "atl", "ATL"),
              svg.line(f, centres, ctl, "ctl", "CTL")]
    index = {d["date"]: i for i, d in enumerate(days)}
    high_days: dict[str, list[str]] = {}
    for number, s in enumerate(sessions, start=1):
        day = (s.get("start_local") or s.get("start") or "")[:10]
        if s.get("stimulus") == "high" and day in index:
            high_days.setdefault(day, []).append(f"#{number} {s.get('sport')}")
    for day, names in high_days.items():
        parts.append(svg.marker(f.x(index[day] + 0.5), f.top - 2, "mark-high",
                                f"{day}: HIGH {', '.join(names)}", 4))
    parts.append("</svg>")
    return "".join(parts) + svg.legend([
        ("load", "daily load (TSS, else normalised TRIMP; right axis)"),
        ("ctl", "CTL (42-day fitness)"), ("atl", "ATL (7-day fatigue)"),
        ("tsb", "TSB (form: CTL − ATL at the day's end, as in the weeks)"), ("mark-high", "day with a HIGH session"),
    ])


def _week_frame(n: int, low: float, high: float, height: int = 200) -> svg.Frame:
    return svg.frame(WIDTH, height, (0, n), (low, high), (48, 48, 14, 24))


def _week_ticks(weeks: list[dict[str, Any]], count: int = 10) -> list[tuple[float, str]]:
    every = max(1, round(len(weeks) / count))
    return [(i + 0.5, w["week"]) for i, w in enumerate(weeks) if i % every == 0]


def weekly_chart(weeks: list[dict[str, Any]]) -> str:
    """Minutes at or above threshold per week (bars), with H/M/L in each bar's tooltip."""
    if not weeks:
        return "<p>No weeks.</p>"
    minutes = [w["time_above_lt_s"] / 60 for w in weeks]
    high = max(minutes, default=0) * 1.1 or 1
    f = _week_frame(len(weeks), 0, high)
    parts = [svg.open_svg(WIDTH, 200, "minutes at or above threshold per week"),
             svg.axes(f, _week_ticks(weeks), svg.number_ticks(0, high, 4), "min ≥ threshold")]
    width = min((f.right - f.left) / len(weeks) * 0.7, 48)
    for i, (w, m) in enumerate(zip(weeks, minutes, strict=True)):
        tip = (f"{w['week']}: {m:.0f} min at or above threshold; HIGH {w['high_sessions']}, "
               f"MODERATE {w['moderate_sessions']}, LOW {w['low_sessions']}")
        parts.append(svg.rect(f.x(i + 0.5) - width / 2, f.y(m), width, f.bottom - f.y(m),
                              "stim", tip))
    return "".join(parts) + "</svg>"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def weekly_table(weeks: list[dict[str, Any]]) -> str:
    """The weeks as ``week --json`` has them: sessions, timer, ≥LT, H/M/L, hard efforts,
    metabolic-stress sets, load, CTL/ATL/TSB, 48-h window coverage, Seiler shares and PI."""
    rows = []
    for w in weeks:
        shares = w.get("seiler_fractions")
        seiler = " / ".join(f"{x:.0%}" for x in shares) if shares else "–"
        pi = w.get("polarization_index")
        pi_text = f"{pi:.2f}" if pi is not None else "–"
        note = w.get("polarization_index_note") or ""
        rows.append(
            f"<tr><td>{escape(w['week'])}</td><td class=\"num\">{w['sessions']}</td>"
            f"<td class=\"num\">{w['timer_s'] / 3600:.1f} h</td>"
            f"<td class=\"num\">{w['time_above_lt_s'] / 60:.0f}′</td>"
            f"<td class=\"num\">{w['high_sessions']}/{w['moderate_sessions']}/"
            f"{w['low_sessions']}</td><td class=\"num\">{w['hard_intervals']}</td>"
            f"<td class=\"num\">{w['metabolic_stress_sets']}</td>"
            f"<td class=\"num\">{w['load']:.0f}</td>"
            f"<td class=\"num\">{w['ctl']:.0f}/{w['atl']:.0f}/{w['tsb']:+.0f}</td>"
            f"<td class=\"num\">{_percent(w.get('window_48h_coverage'))}</td>"
            f"<td class=\"num\">{seiler}</td>"
            f"<td class=\"num\" title=\"{escape(note)}\">{pi_text}</td></tr>")
    return (
        '<table class="weeks"><thead><tr><th>Week</th><th>Sessions</th><th>Timer</th>'
        "<th>≥LT</th><th>H/M/L</th><th>Hard efforts</th><th>MS sets</th><th>Load</th>"
        "<th>CTL/ATL/TSB</th><th>48-h window*</th><th>Seiler Z1/Z2/Z3</th><th>PI</th></tr>"
        "</thead><tbody>" + "".join(rows) + "</tbody></table>"
        '<p class="note">≥LT: minutes at or above threshold; H/M/L: sessions rated HIGH, '
        "MODERATE, LOW; MS sets: metabolic-stress sets of strength sessions; *48-h window: the "
        "share of the week's hours within 48 h after the end of a HIGH session — a heuristic "
        "(post-exercise insulin sensitivity is reported to stay raised for up to ~48 h), not a "
        "measurement; PI: polarisation index (Treff et al. 2019), only where Z1 &gt; Z3 &gt; Z2 "
        "(hover for the reason where there is none).</p>"
    )


def distribution_chart(weeks: list[dict[str, Any]]) -> str:
    """Seiler's three zones per week as 100 % stacked bars, the polarisation index above the
    bars where it is defined."""
    if not weeks:
        return "<p>No weeks.</p>"
    f = _week_frame(len(weeks), 0, 1, 220)
    f = svg.Frame(f.width, f.height, f.x, svg.Scale(0, 1, f.bottom, f.top + 12))
    parts = [svg.open_svg(WIDTH, 220, "Seiler three-zone distribution per week"),
             svg.axes(f, _week_ticks(weeks), [(v, f"{v:.0%}") for v in (0, 0.25, 0.5, 0.75, 1)],
                      "share of zone time")]
    width = min((f.right - f.left) / len(weeks) * 0.7, 48)
    for i, w in enumerate(weeks):
        shares = w.get("seiler_fractions")
        if not shares:
            continue
        bottom = 0.0
        for zone, share in enumerate(shares, start=1):
            tip = f"{w['week']}: Z{zone} {share:.0%}"
            parts.append(svg.rect(f.x(i + 0.5) - width / 2, f.y(bottom + share), width,
                                  f.y(bottom) - f.y(bottom + share), f"s{zone}", tip))
            bottom += share
        if w.get("polarization_index") is not None:
            parts.append(f'<text class="tick" x="{svg.num(f.x(i + 0.5))}" '
                         f'y="{svg.num(f.top - 3)}" text-anchor="middle">PI '
                         f"{w['polarization_index']:.2f}</text>")
    return "".join(parts) + "</svg>" + svg.legend([
        ("s1", "Z1 below LT1"), ("s2", "Z2 LT1–LT2"), ("s3", "Z3 above LT2"),
    ]) + ('<p class="note">Shares of each week\'s time in Seiler\'s zones; the polarisation '
          "index (PI) is written above a week only where it is defined (Z1 &gt; Z3 &gt; Z2).</p>")


def source_class(source: str | None) -> str:
    """The colour group of a threshold source: profile (flag or profile), device, history,
    test (a lactate test or HRVT), estimate, other."""
    text = (source or "").lower()
    for prefix, group in (("flag", "profile"), ("profile", "profile"), ("device", "device"),
                          ("history", "history"), ("lactate test", "test"),
                          ("hrvt", "test"), ("estimate", "estimate"), ("assumed", "estimate")):
        if text.startswith(prefix):
            return group
    return "other"


_SOURCE_LEGEND = [("src-profile", "flag or profile"), ("src-device", "device"),
                  ("src-history", "history estimate"), ("src-test", "lactate test / HRVT"),
                  ("src-estimate", "estimate or assumed"), ("src-other", "other")]


def _threshold_points(sessions: list[dict[str, Any]]) -> dict[str, dict[str, list]]:
    """field -> sport -> [(day, value, source)] of every session's thresholds, in order."""
    found: dict[str, dict[str, list]] = {}
    for s in sessions:
        day = _day(s.get("start_local") or s.get("start"))
        if day is None:
            continue
        for field, threshold in (s.get("thresholds") or {}).items():
            if threshold.get("value") is None:
                continue
            by_sport = found.setdefault(field, {})
            by_sport.setdefault(s.get("sport") or "?", []).append(
                (day, threshold["value"], threshold.get("source")))
    return found


def threshold_history(sessions: list[dict[str, Any]]) -> str:
    """Each threshold over time (one line per sport; a point, coloured by its source, where the
    value or the source changes) and a table of those changes with the source text."""
    found = _threshold_points(sessions)
    if not found:
        return "<p>No session had a threshold.</p>"
    days = [d for by_sport in found.values() for pts in by_sport.values() for d, _, _ in pts]
    first, last = min(days).toordinal(), max(days).toordinal() + 1
    parts = [svg.legend(_SOURCE_LEGEND)]
    changes = []
    for field in THRESHOLD_LABELS:
        if field not in found:
            continue
        label = THRESHOLD_LABELS[field][0]
        values = [v for pts in found[field].values() for _, v, _ in pts]
        low, high = svg.padded_range(values, pad=0.15)
        f = svg.frame(WIDTH, 150, (first, last), (low, high), (60, 90, 12, 24))
        x_ticks = [(t, date.fromordinal(round(t)).isoformat())
                   for t in svg.nice_ticks(first, last, 6)]
        y_ticks = ([(v, pace_text(v)) for v in svg.nice_ticks(low, high, 3)]
                   if field == "threshold_speed_mps" else svg.number_ticks(low, high, 3))
        chart = [svg.open_svg(WIDTH, 150, f"{label} over time"),
                 svg.axes(f, x_ticks, y_ticks, label)]
        for n, (sport, points) in enumerate(sorted(found[field].items())):
            xs = [d.toordinal() + 0.5 for d, _, _ in points]
            chart.append(svg.line(f, xs, [v for _, v, _ in points], f"sport{min(n, 3)}", sport))
            chart.append(f'<text class="label" x="{svg.num(f.right + 4)}" '
                         f'y="{svg.num(f.y(points[-1][1]))}" dy="0.35em">{escape(sport)}</text>')
            previous = None
            for (day, value, source), x in zip(points, xs, strict=True):
                if previous == (value, source):
                    continue  # a point where the value or its source changes, not every session
                tip = f"from {day} {sport}: {label} {threshold_value(field, value)} ({source})"
                chart.append(f'<circle class="src-{source_class(source)}" '
                             f'cx="{svg.num(f.x(x))}" cy="{svg.num(f.y(value))}" r="3">'
                             f"<title>{escape(tip)}</title></circle>")
                changes.append((field, sport, day, value, source))
                previous = (value, source)
        parts.append("".join(chart) + "</svg>")
    rows = "".join(
        f"<tr><td>{day}</td><td>{escape(sport)}</td><td>{escape(THRESHOLD_LABELS[field][0])}"
        f"</td><td class=\"num\">{escape(threshold_value(field, value))}</td>"
        f"<td>{escape(str(source))}</td></tr>"
        for field, sport, day, value, source in changes)
    parts.append('<h4>When a threshold or its source changed</h4><table class="changes"><thead>'
                 "<tr><th>From</th><th>Sport</th><th>Threshold</th><th>Value</th><th>Source</th>"
                 f"</tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts)


def lactate_section(test: dict[str, Any]) -> str:
    """The lactate curve: measured steps (points), the fitted curve, a vertical line per
    method's threshold (LT1 and LT2 methods in red), and the table of methods."""
    field = test["intensity_field"]
    unit = {"power_w": "W", "speed_mps": "m/s"}.get(field, field)
    steps = test["steps"]
    curve = test.get("curve") or {}
    xs = [s[field] for s in steps] + list(curve.get(field) or [])
    ys = [s["lactate_mmol"] for s in steps] + list(curve.get("lactate_mmol") or [])
    x_low, x_high = svg.padded_range(xs)
    y_low, y_high = svg.padded_range(ys, (0.0,))
    f = svg.frame(WIDTH, 300, (x_low, x_high), (y_low, y_high), (48, 48, 14, 24))
    marks = {test.get("lt1_method"): "LT1", test.get("lt2_method"): "LT2"}
    parts = [svg.open_svg(WIDTH, 300, "lactate curve with thresholds"),
             svg.axes(f, svg.number_ticks(x_low, x_high, 8, 0 if unit == "W" else 1),
                      svg.number_ticks(y_low, y_high, 5, 1), "lactate [mmol/L]")]
    for t in test["thresholds"]:
        x = t.get(field)
        if x is None:
            continue
        mark = marks.get(t["method"])
        px = svg.num(f.x(x))
        parts.append(f'<line class="method{" lt" if mark else ""}" x1="{px}" x2="{px}" '
                     f'y1="{svg.num(f.top)}" y2="{svg.num(f.bottom)}"><title>'
                     f"{escape(t['method'])}: {x:.1f} {escape(unit)}</title></line>")
        if mark:
            parts.append(f'<text class="label" x="{px}" y="{svg.num(f.top + 10)}" dx="3">'
                         f"{escape(mark)} {escape(t['method'])}</text>")
    if curve.get(field):
        parts.append(svg.line(f, curve[field], curve["lactate_mmol"], "lactate", "fitted curve"))
    for s in steps:
        parts.append(f'<circle class="step" cx="{svg.num(f.x(s[field]))}" '
                     f'cy="{svg.num(f.y(s["lactate_mmol"]))}" r="3.5"><title>step '
                     f"{s['step']}: {s[field]:.1f} {escape(unit)}, {s['lactate_mmol']:.2f} "
                     "mmol/L</title></circle>")
    parts.append(f'<text class="tick" x="{svg.num(f.right)}" y="298" text-anchor="end">'
                 f"{escape(unit)}</text></svg>")
    rows = "".join(_method_row(t, field, marks.get(t["method"])) for t in test["thresholds"])
    day = test.get("test_date") or "no test date"
    return (f'<p class="note">{escape(str(test["source"]))}, {escape(str(day))}</p>'
            + "".join(parts)
            + f'<table class="methods"><thead><tr><th>Method</th><th>{escape(unit)}</th>'
            "<th>mmol/L</th><th>HR [bpm]</th><th>Note</th></tr></thead><tbody>"
            f"{rows}</tbody></table>")


def _method_row(t: dict[str, Any], field: str, mark: str | None) -> str:
    """One method of the lactate test: name (LT1/LT2), intensity, lactate, HR, note."""
    name = t["method"] + (f" ({mark})" if mark else "")
    return (f"<tr><td>{escape(name)}</td><td class=\"num\">{number_text(t.get(field), 1)}</td>"
            f"<td class=\"num\">{number_text(t.get('lactate_mmol'), 2)}</td>"
            f"<td class=\"num\">{number_text(t.get('heart_rate_bpm'), 0)}</td>"
            f"<td>{escape(t.get('note') or '')}</td></tr>")
