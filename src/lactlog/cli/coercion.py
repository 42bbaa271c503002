"""Command-line values converted without pydantic when they are plain (issue 13: start-up).

Typer (0.2x) converts every parameter through a pydantic ``TypeAdapter``, built on first use:
importing pydantic and building one adapter per option of the command costs about 100–180 ms
of every ``lactlog`` run, a cache hit included — even for options left at their default, whose
adapter is built before the value is looked at (``typer.core._TyperParameter.process_value``).

:func:`install` gives each parameter of lactlog's plain types (``str``, ``int``, ``float``,
``Path``, an ``Enum``, ``list[...]`` of these) a converter that handles the values whose outcome
is certain — a default, a decimal number within the option's ``min``/``max``, a non-empty path,
one of the choices — itself, exactly as typer's adapter would (the same value and type), and
hands every other value (``--jobs abc``, ``--jobs 0``, ``1e3``, an unknown choice) to typer's
own adapter, which then converts it or gives its usual error message. So validation, help
texts and errors are typer's; only the common, valid case skips pydantic.

Typer's converter is a private hook (``_runtime_param`` of its parameters): with a Typer that
no longer has it, :func:`install` changes nothing and every value goes through typer as before
(slower, never different); ``tests/test_cli_coercion.py`` then fails, which is the signal to
look again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:  # typer's private conversion layer (see the module docstring)
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
except ImportError:  # pragma: no cover - another typer: everything stays typer's
    RuntimeParam = None  # type: ignore[assignment,misc]

#: Decimal numbers whose conversion pydantic and Python agree on (no exponent, sign only "-",
#: no spaces or underscores, no leading zeros; at most 15 digits, so every int is exact).
#: Compiled on first use (``re.match``'s cache): most runs convert no number from text.
_INT = r"-?(?:0|[1-9][0-9]{0,14})\Z"
_FLOAT = r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?\Z"


class _Fallback(Exception):
    """This value is not certainly plain: typer's own adapter converts it (or says why not)."""


def _number(kind: type, pattern: str, info: Any) -> Any:
    low, high = info.min, info.max
    if info.clamp:
        return None

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is kind:  # a default
            number = value
        elif type(value) is str and re.match(pattern, value):
            number = kind(value)
        else:
            raise _Fallback
        if (low is not None and not number >= low) or (high is not None and not number <= high):
            raise _Fallback  # typer's error message
        return number

    return convert


def _exactly(kind: type) -> Any:
    """A converter that passes values of exactly ``kind`` and leaves any other to typer."""

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is not kind:
            raise _Fallback
        return value

    return convert


def _leaf(annotation: Any, info: Any) -> Any:
    """A converter for one value of ``annotation``, None when lactlog has none for it."""
    if info.parser is not None:
        return None
    if annotation is int:
        return _number(int, _INT, info)
    if annotation is float:
        return _number(float, _FLOAT, info)
    if annotation is bool or annotation is str:  # typer converts a flag only when not a bool
        return _exactly(annotation)
    if annotation is Path:

        def path(value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is str and value and "\0" not in value:
                value = Path(value)  # as pydantic's Path validator (lax mode) makes it
            elif not isinstance(value, Path):
                raise _Fallback
            return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)

        return path
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices, case_sensitive = list(annotation), info.case_sensitive

        def choice(value: Any, param: Any, ctx: Any) -> Any:
            try:
                return coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive,
                                         ctx=ctx)
            except ValueError:
                raise _Fallback from None

        return choice
    return None


def converter(annotation: Any, info: Any) -> Any:
    """The converter of a parameter annotated ``annotation`` (Optional already removed by
    typer), None when it is not one of lactlog's plain types."""
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        leaf = _leaf(item, info)
        if leaf is None:
            return None

        def many(value: Any, param: Any, ctx: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                raise _Fallback
            return [leaf(v, param, ctx) for v in value]

        return many
    return _leaf(annotation, info)


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):  # type: ignore[misc,valid-type]
        """Typer's conversion contract: plain values here, every other one by typer's own."""

        convert: Any
        descriptor: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.convert(value, param, ctx)
            except _Fallback:
                pass
            typer_param = self.__dict__.get("_typer")
            if typer_param is None:
                typer_param = build_runtime_param(self.descriptor)
                object.__setattr__(self, "_typer", typer_param)
            return typer_param._coerce_value(value, param=param, ctx=ctx)


def install_one(parameter: Any) -> bool:
    """A plain converter for one typer parameter (unless it has a converter already, or is not
    of a plain type); whether it got one."""
    if RuntimeParam is None:  # pragma: no cover - another typer
        return False
    descriptor = getattr(parameter, "type_descriptor", None)
    if descriptor is None or getattr(parameter, "_runtime_param", 0) is not None:
        return False
    if descriptor.file_annotation is not None:
        return False
    convert = converter(descriptor.annotation, descriptor.parameter_info)
    if convert is None:
        return False
    parameter._runtime_param = PlainRuntimeParam(
        parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
        convert=convert, descriptor=descriptor)
    return True


def install(command: Any) -> int:
    """Plain converters for the parameters of ``command`` and every command below it; returns
    how many parameters got one (0 with a Typer whose conversion hook is not there). The help
    options, which click makes when a command is run, get theirs from :func:`install_help`."""
    count = sum(install_one(parameter) for parameter in command.params)
    for sub in getattr(command, "commands", {}).values():
        count += install(sub)
    return count


def install_help(command: Any, ctx: Any) -> None:
    """A plain converter for the ``--help`` option of ``command``, about to run below the
    context ``ctx`` (click makes the option on first use, from the context's help option names,
    which a command inherits unless its own context settings name others)."""
    if "help_option_names" in (getattr(command, "context_settings", None) or {}):
        return
    option = command.get_help_option(ctx)
    if option is not None:
        install_one(option)
