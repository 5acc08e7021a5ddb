"""Paths as a person reads them in the command's messages."""

from __future__ import annotations

import os
from pathlib import Path


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder if
    inside it, as written (a link in it is not followed: it may lead to a
    place the message has no business naming)."""
    here, written = Path.cwd(), Path(os.path.abspath(path))
    if written.is_relative_to(here):
        return written.relative_to(here).as_posix()
    try:
        real = written.resolve()
    except (OSError, RuntimeError):  # a link loop
        return str(path)
    return real.relative_to(here).as_posix() if real.is_relative_to(here) else str(path)
