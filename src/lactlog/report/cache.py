"""Rendering of ``lactlog cache info`` for people (``--json`` prints the dict itself)."""

from __future__ import annotations

from typing import Any

from rich.filesize import decimal
from rich.text import Text


def cache_info_text(info: dict[str, Any]) -> Text:
    """What :func:`lactlog.cache.read_info` found, as a few labelled lines."""
    state = "" if info.get("exists", True) else " (not created yet: nothing cached)"
    text = Text(f"Cache file: {info['path']}{state}\n")
    text.append(f"Size: {decimal(info['size_bytes'])}\n")
    text.append(f"Cached results: {info['entries']:,} (of {info['files']:,} files)\n")
    text.append(f"This lactlog: analysis version {info['analysis_version']}, "
                f"lactlog {info['lactlog_version']}, cache schema {info['schema_version']}")
    for held in info["versions"]:
        mark = "current" if held["current"] else "stale: removed by lactlog cache clear --stale-only"
        text.append(f"\n  {held['entries']:,} result(s) of analysis version "
                    f"{held['analysis_version']}, lactlog {held['lactlog_version']} ({mark})")
    return text
