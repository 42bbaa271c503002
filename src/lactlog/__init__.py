"""lactlog: how much high-lactate / metabolic-stress stimulus did this training give?

Public API (heavy modules are imported on first use, so ``import lactlog`` stays cheap):

- :func:`read` — one file into a list of :class:`lactlog.model.Activity` (one per session).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lactlog.model import Activity

__version__ = "0.1.0"


def read(path: str | Path, decoder: str = "lactlog") -> list[Activity]:
    """Read a FIT (also .fit.gz), TCX, GPX or CSV file into its sessions.

    See :func:`lactlog.io.read`.
    """
    from lactlog.io import read as read_file

    return read_file(path, decoder=decoder)
