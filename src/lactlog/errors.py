"""lactlog's exception tree and exit codes.

Library code raises these; the CLI converts them, in one place, into one line on stderr and an
exit code. Messages name the problem and, where possible, what to do about it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the ``lactlog`` command."""

    OK = 0
    INPUT_FAILED = 1
    USAGE = 2
    INTERRUPTED = 130


class LactlogError(Exception):
    """Base class of every error lactlog raises on purpose."""


def internal_error_message(exc: BaseException) -> str:
    """The one-line report of an exception lactlog did not raise on purpose (a bug)."""
    return f"internal error ({type(exc).__name__}: {exc}); please report it"


class InputError(LactlogError):
    """An input file could not be read."""


class CorruptFileError(InputError):
    """The file has the right format but its content is damaged (truncated, bad sizes...)."""


class UnsupportedFormatError(InputError):
    """The file is not in a format lactlog reads (or is a format it only recognises)."""


class InputTooLargeError(InputError):
    """The file (or what it decompresses to) is larger than the configured limit."""


class EmptyFileError(InputError):
    """The file holds no data lactlog can use."""


class ConfigError(LactlogError):
    """The configuration or profile is invalid."""


class NoSuchSessionError(LactlogError):
    """A session number beyond the sessions a file holds (``count``: how many it holds)."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count
