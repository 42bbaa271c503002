"""``lactlog cache``: where the result cache is, what it holds, and clearing it."""

from __future__ import annotations

import typer

from lactlog.cli.app import PlainGroup, app
from lactlog.cli.common import JsonOption, consoles, emit, output_format, say

cache_app = typer.Typer(
    help="The result cache: unchanged files are not decoded again. Safe to clear at any time.",
    no_args_is_help=True,
    cls=PlainGroup,
)
app.add_typer(cache_app, name="cache")


@cache_app.command("path")
def cache_path() -> None:
    """Print the cache file's path ($LACTLOG_CACHE_DIR or your user cache folder)."""
    from lactlog.cache import default_path

    typer.echo(str(default_path()))


@cache_app.command("info")
def cache_info(json_output: JsonOption = False) -> None:
    """Show the cache's path, number of entries, size and the versions it holds (creates
    nothing: a cache that does not exist yet is reported as empty)."""
    from lactlog.cache import read_info
    from lactlog.report.cache import cache_info_text

    info, warnings = read_info()
    _warn(warnings)
    if json_output:
        emit(output_format(True, False, False), info, [], [])
        return
    consoles()[0].print(cache_info_text(info), highlight=False, soft_wrap=True)


@cache_app.command("clear")
def cache_clear(
    stale_only: bool = typer.Option(
        False, "--stale-only", help="Remove only entries of other lactlog versions."
    ),
) -> None:
    """Remove cached results (all, or only stale ones)."""
    from lactlog.cache import ResultCache

    with ResultCache.open() as cache:
        removed = cache.clear(stale_only=stale_only)
        _warn(cache.warnings)
    consoles()[1].print(f"removed {removed:,} cached result(s)", highlight=False)


def _warn(warnings: list[str]) -> None:
    err = consoles()[1]
    for warning in warnings:
        say(err, "warning", warning)
