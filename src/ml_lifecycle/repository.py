"""The one way the package runs git on a project: never required (outside a
repository, or without git, the answer is None), bounded in time, and with
the repository's own config unable to run a program (core.fsmonitor, hooks)."""

from __future__ import annotations

import subprocess
from pathlib import Path

TIMEOUT = 30  # seconds
SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null")


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """git's output, or None when git is missing, fails or takes too long."""
    try:
        done = subprocess.run(
            ["git", *SAFE, *args], cwd=root, input=stdin, capture_output=True, timeout=TIMEOUT
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_text(root: Path, *args: str) -> str | None:
    out = git(root, *args)
    return None if out is None else out.decode("utf-8", "replace")
