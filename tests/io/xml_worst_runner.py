"""Read each hostile XML document of :mod:`lactlog.testing.hostile_xml` in a forked child under
an address-space limit; print one JSON line per case.

Usage: ``python tests/io/xml_worst_runner.py SIZE_BYTES LIMIT_BYTES [CASE ...]``. The parent
imports lactlog once and builds each document; a forked child sets ``RLIMIT_AS`` to what it has
mapped plus ``LIMIT_BYTES`` and reads the document with :func:`lactlog.io.read_bytes`. Reported:
outcome (``ok N sessions`` or the LactlogError's class and message), read time [s], decoded size
[bytes] and the read's peak RSS above the RSS at the fork [bytes] (the child's ``ru_maxrss``
from ``wait4``, which starts at the RSS it was forked with).
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import resource
import sys
import time


def _status_bytes(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _malloc_trim() -> None:
    """Give freed heap memory back to the system (glibc), so the child's RSS grows with what
    the read allocates instead of reusing resident free memory."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _child(name: str, data: bytes, limit: int, out: int) -> None:
    from lactlog.errors import LactlogError
    from lactlog.io import read_bytes

    address_space = _status_bytes("VmSize") + limit
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    started = time.perf_counter()
    warnings: list[str] = []
    try:
        activities = read_bytes(data, name)
        outcome = f"ok {len(activities)} sessions"
        warnings = [w for a in activities[:1] for w in a.meta.warnings]
    except LactlogError as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    except MemoryError:
        outcome = "MemoryError"
    except Exception as exc:  # noqa: BLE001 - reported; the test fails on it
        outcome = f"crash {type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started
    report = {"outcome": outcome, "seconds": round(elapsed, 3), "warnings": warnings}
    os.write(out, json.dumps(report).encode())
    os._exit(0)


def main(argv: list[str]) -> int:
    import lactlog.io.gpx
    import lactlog.io.tcx  # imported once, shared by the children

    assert lactlog.io.gpx and lactlog.io.tcx
    from lactlog.testing.hostile_xml import WORST_CASES

    size, limit = int(argv[0]), int(argv[1])
    for case in argv[2:] or list(WORST_CASES):
        name, data = WORST_CASES[case](size)
        gc.collect()
        _malloc_trim()
        rss_at_fork = _status_bytes("VmRSS")
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            _child(name, data, limit, write_end)
        os.close(write_end)
        _, status, usage = os.wait4(pid, 0)
        text = os.read(read_end, 1 << 20)
        os.close(read_end)
        report = {"case": case, "decoded_bytes": len(data)}
        report.update(json.loads(text) if text else {"outcome": f"died (status {status})"})
        report["read_peak_rss_bytes"] = max(0, usage.ru_maxrss * 1024 - rss_at_fork)
        report["rss_at_fork_bytes"] = rss_at_fork
        print(json.dumps(report), flush=True)
        del data
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
