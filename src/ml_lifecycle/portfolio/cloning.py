"""Git URLs cloned for reading: shallow, bounded in time, and running nothing.

A clone is two steps, with repository.py's settings for a repository named
by URL: `git clone --depth 1 --no-checkout --template=` fetches the last
commit with the operator's git settings (a private repository needs their
credentials), and `git checkout` writes the files with none but the
clone's own; neither runs a hook, a filter driver or a transport helper
that runs a command.

Each step runs in its own process group, which is killed as a whole when
the time bound passes (git's helpers, such as git-remote-https, die with it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from ml_lifecycle.portfolio.members import Member
from ml_lifecycle.repository import CLONE_SAFE, SAFE, clone_environment, offline_environment

CLONE_TIMEOUT = 120.0  # seconds, for each clone
MAX_SHOWN = 200  # characters of git's message in a row


def run_bounded(command: list[str], env: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """(exit status, last line git wrote on stderr); status None when the
    time bound passed and the process group was killed, or git is missing."""
    group = {"start_new_session": True} if os.name == "posix" else {}
    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            **group,
        )
    except OSError as exc:
        return None, f"git cannot run: {exc.strerror or exc}"
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(process)
        return None, f"timed out after {timeout:g} s"
    lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
    return process.returncode, lines[-1] if lines else ""


def kill(process: subprocess.Popen) -> None:
    """End a process and every process it started in its group."""
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        process.communicate(timeout=10)


def clean(message: str, url: str, shown: str) -> str:
    """git's message on one line, without the URL's credentials."""
    text = message.replace(url, shown)
    text = "".join(c if c.isprintable() else " " for c in text).strip()
    return text[:MAX_SHOWN]


def clone(item: Member, destination: Path, timeout: float = CLONE_TIMEOUT) -> Member:
    """The member with `path` set to its clone, or `error` set."""
    if item.error:
        return item
    fetch = ["git", *CLONE_SAFE, "clone", "--quiet", "--depth", "1", "--single-branch"]
    fetch += ["--no-tags", "--no-checkout", "--template=", "--", item.url, str(destination)]
    status, message = run_bounded(fetch, clone_environment(), timeout)
    if status != 0:
        reason = clean(message, item.url, item.source) or f"git exited with status {status}"
        return Member(item.source, error=f"not cloned: {reason}")
    checkout = ["git", "-C", str(destination), *SAFE, "checkout", "--quiet", "--force"]
    status, message = run_bounded([*checkout, "HEAD"], offline_environment(), timeout)
    if status != 0:
        reason = clean(message, item.url, item.source) or f"git exited with status {status}"
        return Member(item.source, error=f"cloned but not checked out: {reason}")
    return Member(item.source, path=destination)
