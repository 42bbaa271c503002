"""The offline HTML report: one self-contained file drawn from lactlog's JSON documents.

:func:`season_html` draws the document of :func:`lactlog.season.season_document` (``week
--json``, the daily load and CTL/ATL/TSB, a ``show --json`` document per session, optionally a
``lactate-test --json`` document); :func:`session_html` draws one ``show --json`` document (``lactlog
show FILE --html``). The renderer computes no metric: it places the documents' numbers on
hand-written inline SVG (:mod:`lactlog.report.svg`). No script, font, image or style is loaded
from anywhere: the file makes no network request. Every text from the data is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from lactlog.report import svg
from lactlog.report.html_season import (
    distribution_chart,
    lactate_section,
    pmc_chart,
    threshold_history,
    weekly_chart,
    weekly_table,
)
from lactlog.report.html_session import session_list, session_section

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:980px;padding:0 16px 48px;color:#1d232a;background:#fff}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid #ccd}
h3{font-size:15px;margin:22px 0 4px}h4{font-size:13px;margin:10px 0 2px;color:#445}
p.note,p.device,.source{color:#556;font-size:12px}
table{border-collapse:collapse;font-size:12px;margin:6px 0}
th,td{padding:2px 6px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}table.changes td:first-child,table.list td:first-child{white-space:nowrap}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:11px;font-weight:600;color:#fff}
.badge.high{background:#c0392b}.badge.moderate{background:#d68910}.badge.low{background:#2e86c1}
.badge.none{background:#99a}
svg.chart{display:block;max-width:100%;height:auto;margin:4px 0}
svg .plot{fill:#fafbfc;stroke:#c8ccd2}svg path.grid,svg .grid{stroke:#e6e8eb;stroke-width:1}
svg .tick,svg .label,svg .axis-title{font-size:10px;fill:#556}
svg path{fill:none;stroke-width:1.4}
svg .ctl{stroke:#1f618d;stroke-width:2}svg .atl{stroke:#c0392b}svg .tsb{stroke:#d4ac0d}
svg .hr{stroke:#c0392b}svg .power{stroke:#6c3483}svg .wbal{stroke:#117a65}svg .dfa{stroke:#1f618d}
svg .lactate{stroke:#1d232a;stroke-width:2}
svg .load{fill:#aab7c4}svg .stim{fill:#c0392b}
svg .threshold{stroke:#1d232a;stroke-dasharray:4 3}
svg .method{stroke:#99a;stroke-dasharray:2 3}svg .method.lt{stroke:#c0392b;stroke-dasharray:none}
svg .effort{fill:#f5b7b1;opacity:.55}
svg .mark-high{fill:#c0392b}svg .step{fill:#1d232a}
svg .z0{fill:#aed6f1}svg .z1{fill:#5dade2}svg .z2{fill:#58d68d}svg .z3{fill:#f4d03f}
svg .z4{fill:#eb984e}svg .z5{fill:#e74c3c}svg .z6{fill:#922b21}
svg .s1{fill:#5dade2}svg .s2{fill:#f4d03f}svg .s3{fill:#e74c3c}
svg .src-profile{fill:#1f618d}svg .src-device{fill:#7d8a97}svg .src-history{fill:#d68910}
svg .src-test{fill:#c0392b}svg .src-estimate{fill:#c8ccd2}svg .src-other{fill:#6c3483}
svg .sport0{stroke:#1f618d}svg .sport1{stroke:#117a65}svg .sport2{stroke:#6c3483}
svg .sport3{stroke:#7d8a97}
.legend{font-size:11px;color:#445;margin:2px 0}.key{margin-right:12px;white-space:nowrap}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px;
background:#999}
.swatch.ctl{background:#1f618d}.swatch.atl{background:#c0392b}.swatch.tsb{background:#d4ac0d}
.swatch.load{background:#aab7c4}.swatch.mark-high{background:#c0392b}
.swatch.s1{background:#5dade2}.swatch.s2{background:#f4d03f}.swatch.s3{background:#e74c3c}
.swatch.src-profile{background:#1f618d}.swatch.src-device{background:#7d8a97}
.swatch.src-history{background:#d68910}.swatch.src-test{background:#c0392b}
.swatch.src-estimate{background:#c8ccd2}.swatch.src-other{background:#6c3483}
.swatch.hr{background:#c0392b}.swatch.power{background:#6c3483}.swatch.effort{background:#f5b7b1}
dl.figures{display:flex;flex-wrap:wrap;gap:4px 18px;margin:6px 0}dl.figures dt{font-size:11px;color:#667}
dl.figures dd{margin:0;font-weight:600}ul.thresholds,ul.reasons{margin:4px 0;padding-left:18px}
section.session{border-top:1px solid #e3e6ea;content-visibility:auto;
contain-intrinsic-size:auto 1200px}
"""


def page(title: str, body: str, schema_version: str, lactlog_version: str) -> str:
    """A whole HTML5 document around ``body`` with the inline style sheet; the generator and
    schema version in ``<meta>`` tags (and in the footer)."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="lactlog {escape(lactlog_version)}">'
        f'<meta name="lactlog-schema-version" content="{escape(schema_version)}">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"{body}"
        f'<footer><p class="note">lactlog {escape(lactlog_version)} · JSON schema '
        f"{escape(schema_version)} · estimates from heart rate, power, pace and set logs, not "
        "blood lactate measurements.</p></footer></body></html>\n"
    )


def _header(title: str, subtitle: str) -> str:
    return (f"<header><h1>{escape(title)}</h1><p class=\"note\">{escape(subtitle)}</p>"
            "</header>")


def season_html(document: dict[str, Any]) -> str:
    """The season report of a :func:`lactlog.season.season_document`."""
    week = document["week"]
    weeks = week["weeks"]
    sessions = document["sessions"]
    days = document.get("days") or []
    span = f"{weeks[0]['week']} to {weeks[-1]['week']}" if weeks else "no weeks"
    parts = [_header("lactlog season report",
                     f"{len(sessions)} sessions, {span}. Lactate stimulus is estimated from "
                     "heart rate, power, pace and set logs; it is not measured.")]
    parts.append('<nav><p><a href="#pmc">Fitness and fatigue</a> · <a href="#weekly">Weekly '
                 'stimulus</a> · <a href="#distribution">Intensity distribution</a> · '
                 '<a href="#thresholds">Thresholds</a> · <a href="#sessions">Sessions</a>'
                 + (' · <a href="#lactate">Lactate test</a>' if document.get("lactate_test")
                    else "") + "</p></nav>")
    parts.append('<section id="pmc"><h2>Fitness and fatigue</h2>'
                 + pmc_chart(days, [d["session"] for d in sessions]) + "</section>")
    parts.append('<section id="weekly"><h2>Weekly stimulus</h2>' + weekly_chart(weeks)
                 + weekly_table(weeks) + "</section>")
    parts.append('<section id="distribution"><h2>Intensity distribution</h2>'
                 + distribution_chart(weeks) + "</section>")
    parts.append('<section id="thresholds"><h2>Thresholds</h2>'
                 + threshold_history([d["session"] for d in sessions]) + "</section>")
    if document.get("lactate_test"):
        parts.append('<section id="lactate"><h2>Lactate test</h2>'
                     + lactate_section(document["lactate_test"]) + "</section>")
    parts.append(_problems(week))
    parts.append('<section id="sessions"><h2>Sessions</h2>' + session_list(sessions)
                 + "</section>")
    parts += [session_section(doc, number) for number, doc in enumerate(sessions, start=1)]
    return page("lactlog season report", "".join(parts), document["schema_version"],
                document["lactlog_version"])


def _problems(week: dict[str, Any]) -> str:
    """Files that failed, sessions left out and duplicates, as ``week --json`` lists them."""
    items = [f"error: {e['source']}: {e['error']}" for e in week.get("errors") or []]
    items += [f"left out: {e['source']}: {e['reason']}" for e in week.get("left_out") or []]
    items += [f"duplicate: {d.get('duplicate')} is {d.get('kept')} ({d.get('reason')}); "
              "counted once" for d in week.get("duplicates") or []]
    if not items:
        return ""
    return ('<section id="problems"><h2>Files not counted</h2><ul>'
            + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul></section>")


def session_html(document: dict[str, Any], lactlog_version: str) -> str:
    """One session (``lactlog show FILE --html``): the ``show --json`` document's section."""
    s = document["session"]
    body = (_header("lactlog session", f"{s['source']}. Lactate stimulus is estimated, not "
                    "measured.")
            + '<div id="sessions"></div>' + session_section(document, 1))
    return page(f"lactlog: {s['source']}", body, document["schema_version"], lactlog_version)


__all__ = ["page", "season_html", "session_html", "svg"]
