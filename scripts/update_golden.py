#!/usr/bin/env python3
"""Rewrite tests/golden/*.json from the current code (see lactlog.testing.golden).

Run after an intended change of the sample data's analysis, then review ``git diff tests/golden``
before committing: every changed number should be one the change meant to change.

    python scripts/update_golden.py
"""

from __future__ import annotations

from pathlib import Path

from lactlog.testing.golden import dumps, golden_dir, golden_outputs

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DIR = golden_dir(REPO_ROOT)


def main() -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name, document in golden_outputs(REPO_ROOT).items():
        path = GOLDEN_DIR / name
        text = dumps(document)
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        print(f"{'updated' if changed else 'unchanged'}: {path.relative_to(GOLDEN_DIR.parents[1])}")


if __name__ == "__main__":
    main()
