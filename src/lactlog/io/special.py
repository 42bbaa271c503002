"""What a path is, decided by ``stat`` before anything opens or reads it (issue 14, class 7).

lactlog reads regular files and pipes. A regular file larger than the size limit is refused by
its size, unread (a sparse 2 GB file is not hashed for 20 s first). A pipe — a named FIFO, or
``analyze <(cat ride.fit)``, which passes ``/dev/fd/63`` — is read once, into memory, within
the same limit, and never waited for forever: it is opened without blocking, and when nothing
arrives for :data:`PIPE_WAIT_S` (no writer, or a writer that stalls) it is refused. Devices
(a symlink to ``/dev/zero``), sockets and folders are refused by their type, unopened.
"""

from __future__ import annotations

import os
import select
import stat
from pathlib import Path

from lactlog.errors import InputError, InputTooLargeError

#: A pipe is given up when nothing arrives on it for this long (no writer, or a stalled one) [s].
PIPE_WAIT_S = 10.0

_KINDS = (
    (stat.S_ISCHR, "a character device (such as /dev/zero)"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def input_error(exc: OSError) -> InputError:
    """The one-line error for an operating-system error met opening or reading an input."""
    if isinstance(exc, IsADirectoryError):
        return InputError("is a folder, not a file")
    if isinstance(exc, FileNotFoundError):
        return InputError("no such file")
    if isinstance(exc, PermissionError):
        return InputError("permission denied")
    return InputError(f"cannot read the file ({exc.strerror or exc})")


def check_input(path: str | Path, max_file_bytes: int) -> os.stat_result:
    """``stat`` of ``path`` (symlinks followed) when it is a regular file of at most
    ``max_file_bytes`` or a pipe; :class:`~lactlog.errors.InputError` otherwise."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise input_error(exc) from None
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > max_file_bytes:
            raise InputTooLargeError(too_large(info.st_size, max_file_bytes))
        return info
    if stat.S_ISFIFO(mode):
        return info
    if stat.S_ISDIR(mode):
        raise InputError("is a folder, not a file")
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise InputError(f"is {kind}, not a file; lactlog reads files and pipes")


def is_regular_file(path: str | Path) -> bool:
    """Whether ``path`` is a regular file (symlinks followed), by ``stat`` alone."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_pipe(path: str | Path) -> bool:
    """Whether ``path`` is a pipe (a FIFO, or ``/dev/fd/N`` of a pipe), by ``stat`` alone."""
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_pipe(path: str | Path, max_bytes: int, wait_s: float | None = None) -> bytes:
    """Everything written to the pipe at ``path`` until its writer closes it, at most
    ``max_bytes`` (beyond: :class:`~lactlog.errors.InputTooLargeError`); InputError when nothing
    arrives for ``wait_s`` (default :data:`PIPE_WAIT_S`) seconds."""
    wait_s = PIPE_WAIT_S if wait_s is None else wait_s
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # returns at once, writer or not
    except OSError as exc:
        raise InputError(f"cannot read the pipe ({exc.strerror or exc})") from None
    parts: list[bytes] = []
    total = 0
    try:
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            raise InputError("changed while being opened (no longer a pipe)")
        while True:
            # Linux reports a FIFO readable only once a writer has written or closed it
            ready, _, _ = select.select([fd], [], [], wait_s)
            if not ready:
                what = "nothing more was" if total else "nothing was"
                raise InputError(f"a pipe: {what} written to it for {wait_s:g} s; gave up")
            try:
                chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            except BlockingIOError:
                continue
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise InputTooLargeError(too_large(total, max_bytes, pipe=True))
    except OSError as exc:
        raise InputError(f"cannot read the pipe ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def too_large(size: int, limit: int, pipe: bool = False) -> str:
    """The refusal message of :func:`lactlog.io.load`'s size limit (for a pipe: what came)."""
    from lactlog.io import _too_large, megabytes

    if not pipe:
        return _too_large(size, limit)
    return (f"more than {megabytes(limit)} came through the pipe; refusing to read it (if it "
            "is genuine: lactlog config set settings.max_file_mb N)")
