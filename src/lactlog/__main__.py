"""``python -m lactlog``."""

from lactlog.cli import main

main()
