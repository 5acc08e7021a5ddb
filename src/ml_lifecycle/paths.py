"""Paths as a person reads them in the command's messages."""

from __future__ import annotations

from pathlib import Path


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder if inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
