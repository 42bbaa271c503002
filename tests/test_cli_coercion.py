"""Command-line values converted without pydantic (lactlog.cli.coercion, issue 13).

Every parameter of every command gets lactlog's converter; for each of them, plain values and
awkward ones give exactly what typer's own (pydantic) converter gives: the same value of the
same type, or the same usage error. Typical runs (a cache hit, ``--help``, ``--version``) do not
import pydantic at all; a value only typer's converter can judge still gets its message.
"""

from __future__ import annotations

import enum
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.testing import CliRunner

from lactlog.cli import app
from lactlog.cli.coercion import PlainRuntimeParam

SAMPLE = Path(__file__).parent.parent / "sample_data"

#: Values tried on every parameter of a type (typer passes command-line values as text).
VALUES: dict[type, list[object]] = {
    int: ["1", "0", "-3", "7", "42", "007", "1_000", " 5", "5 ", "+5", "1.0", "1e3", "abc", "",
          "99999999999999999999", "１", 3, None],
    float: ["4", "4.5", "-0.0", "0", "0.1", "0.05", "00.5", "4.", ".5", "1e3", "nan", "inf",
            "-inf", " 4", "4_0", "abc", "", "170", "1234567890.123456789", 2.5, 3, None],
    str: ["x", "", "4:10", "ü", "run", None],
    Path: ["a.fit", "", ".", "-", "/nonexistent/x.fit", "sample_data", "a\0b", Path("b"), None],
    bool: [True, False, None, "true", "", "no"],
}
ENUM_VALUES = ["lactlog", "fitparse", "LACTLOG", "x", "", None]


def _parameters(command, path=()):
    for parameter in command.params:
        yield (*path, command.name), parameter
    for sub in getattr(command, "commands", {}).values():
        yield from _parameters(sub, (*path, command.name))


def _root():
    """The command tree as a run builds it (the group's own options, added after it is built,
    get their converters when its parameters are first listed)."""
    root = typer.main.get_command(app)
    root.get_params(Context(root))
    return root


def _outcome(runtime, value, parameter, ctx):
    try:
        result = runtime.coerce(value, param=parameter, ctx=ctx)
    except BadParameter as exc:
        return ("error", exc.message)
    return ("value", repr(result), type(result), [type(v) for v in result]
            if isinstance(result, (list, tuple)) else None)


def test_every_parameter_gets_the_plain_converter() -> None:
    missing = [f"{' '.join(where)} {p.name}" for where, p in _parameters(_root())
               if not isinstance(getattr(p, "_runtime_param", None), PlainRuntimeParam)]
    assert not missing


def _cases():
    for where, parameter in _parameters(_root()):
        annotation = parameter.type_descriptor.annotation
        item = typing_args[0] if (typing_args := getattr(annotation, "__args__", None)) \
            else annotation
        if isinstance(item, type) and issubclass(item, enum.Enum):
            values = [*ENUM_VALUES, next(iter(item))]
        else:
            values = list(VALUES[item])
        if item is not annotation:  # list[X]: lists of those values
            values = [[v] for v in values if v is not None] + [
                [v, w] for v, w in itertools.pairwise(values) if v is not None and w is not None
            ] + [None, [], "a.fit"]
        yield pytest.param(parameter, values, id=f"{' '.join(where)} {parameter.name}")


@pytest.mark.parametrize(("parameter", "values"), list(_cases()))
def test_values_convert_as_typer_converts_them(parameter, values, monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(Path(__file__).parent.parent)
    ctx = Context(_root())
    typer_own = build_runtime_param(parameter.type_descriptor)
    ours = parameter._runtime_param
    for value in values:
        expected = _outcome(typer_own, value, parameter, ctx)
        assert _outcome(ours, value, parameter, ctx) == expected, value


CHILD = """
import atexit, runpy, sys
atexit.register(lambda: print("loaded:" + ",".join(
    m for m in ("pydantic", "numpy", "pandas") if m in sys.modules), file=sys.stderr))
sys.argv = ["lactlog", *sys.argv[1:]]
runpy.run_module("lactlog", run_name="__main__")
"""


def _run(args: list[str], tmp_path: Path) -> tuple[int, str, str]:
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(tmp_path / "cache"),
           "LACTLOG_CONFIG": str(tmp_path / "profile.toml"), "TZ": "UTC", "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    loaded = next(line for line in done.stderr.splitlines() if line.startswith("loaded:"))
    return done.returncode, done.stdout, loaded


RIDE = str(SAMPLE / "2026-11-18-threshold-ride.fit")


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--version"], ["analyze", "--help"], ["week", "-h"],
    ["config", "--help"], ["config", "show", "--help"], ["cache", "path"],
    ["analyze", RIDE, "--json", "--jobs", "1", "--lthr", "170", "--decoder", "lactlog",
     "--since", "2026-01-01", "--sport", "bike", "--threshold-pace", "4:10"],
])
def test_typical_runs_do_not_import_pydantic(args: list[str], tmp_path: Path) -> None:
    code, _, loaded = _run(args, tmp_path)
    assert code == 0
    if args[0] == "analyze" and "--help" not in args:
        code, _, loaded = _run(args, tmp_path)  # now a cache hit
        assert code == 0
    assert "pydantic" not in loaded.removeprefix("loaded:").split(",")


@pytest.mark.parametrize(("args", "message"), [
    (["analyze", RIDE, "--jobs", "0"], "greater than or equal to 1"),
    (["analyze", RIDE, "--jobs", "two"], "valid integer"),
    (["week", RIDE, "--weeks", "1.5"], "valid integer"),
    (["analyze", RIDE, "--decoder", "other"], "'other' is not one of"),
    (["analyze", RIDE, "--lthr", "fast"], "valid number"),
])
def test_values_only_typer_can_judge_get_its_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.replace("│", " ").split())
