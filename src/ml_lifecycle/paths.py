"""Paths as a person reads them in the command's messages."""

from __future__ import annotations

import os
from pathlib import Path


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder if
    inside it, as written (a link in it is not followed: it may lead to a
    place the message has no business naming)."""
    here = Path.cwd()
    for candidate in (Path(os.path.abspath(path)), Path(os.path.abspath(path)).resolve()):
        if candidate.is_relative_to(here):
            return candidate.relative_to(here).as_posix()
    return str(path)
