"""Class `races`: what changes while a command runs. Between reading and
writing, the target (or its folder) is swapped for a link out of the
project, for a pipe, deleted, created, or edited by the user; at four
points of writing.py. No write may land outside, and no edit may be lost."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from hostile_suite.kit import (
    DATA,
    DOC,
    REFUSED,
    Case,
    Failure,
    approve,
    dossier,
    evidence_update,
    hub_card,
    project,
    ready,
    refused_in_one_line,
    succeeded,
)
from ml_lifecycle import writing

LATE_EDIT = "\nA line the user saved while the command ran.\n"
# Where the change happens: names in writing.py, each called between the
# command's read and its rename.
HOOKS = ("edit_target", "write", "_write_new", "_rename")
COMMANDS = {
    "approve": (DOC, lambda root: approve(root)),
    "evidence": (DOC, evidence_update),
    "hub-card": ("hub/README.md", hub_card),
    "dossier": ("dossier/dossier.html", dossier),
}


def swap(kind: str, target: Path, away: Path) -> None:
    """Change the target (a file) or its folder as `kind` says."""
    if kind == "file-for-link":
        if target.exists() or target.is_symlink():
            target.unlink()
        target.symlink_to(away / "tool")
    elif kind == "folder-for-link":
        moved = away / "moved"
        if target.parent.exists() and not moved.exists():
            shutil.copytree(target.parent, moved, symlinks=True)
            shutil.rmtree(target.parent)
        else:
            moved.mkdir(exist_ok=True)
        target.parent.symlink_to(moved)
    elif kind == "file-for-fifo":
        if target.exists():
            target.unlink()
        os.mkfifo(target)
    elif kind == "deleted":
        if target.exists():
            target.unlink()
    elif kind == "edited":
        with target.open("a", encoding="utf-8") as file:
            file.write(LATE_EDIT)
    ready(away.parent)  # what the swap put outside is the case's own


@contextlib.contextmanager
def changed_at(hook: str, action):
    """writing.<hook> does `action` once, then its own work."""
    original = getattr(writing, hook)
    done = []

    def patched(*args, **kwargs):
        if not done:
            done.append(True)
            action()
        return original(*args, **kwargs)

    setattr(writing, hook, patched)
    try:
        yield
    finally:
        setattr(writing, hook, original)


def race_case(command: str, hook: str, kind: str) -> Case:
    relative, run_command = COMMANDS[command]

    def run(work: Path) -> str:
        stale = '{"acc": 0.9012}' if command == "evidence" else '{"acc": 0.8712}'
        root = project(work, evidence=stale)
        target = root / relative
        away = work / "outside"
        if command in ("hub-card", "dossier") and kind in ("edited", "file-for-fifo", "deleted"):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("the team's notes\n", encoding="utf-8")
        with changed_at(hook, lambda: swap(kind, target, away)):
            result = run_command(root)
        moved = away / "moved" / target.name
        if kind == "edited":
            text = target.read_text(encoding="utf-8")
            if LATE_EDIT.strip() not in text:
                raise Failure("the edit saved while the command ran was lost")
        if kind == "folder-for-link" and moved.exists():
            text = moved.read_text(encoding="utf-8", errors="replace")
            if "approved" in text or "0.90" in text or "<html" in text.lower():
                raise Failure("written through a folder swapped for a link")
        if result.status == 0:
            if kind == "file-for-link" and target.is_symlink():
                raise Failure("the link swapped in survived a successful write")
            return succeeded(result) and DATA
        if command == "evidence":
            if "not rewritten" not in result.err and "cannot write" not in result.err:
                raise Failure(f"evidence --update did not name the refusal: {result.err[:200]}")
            return REFUSED
        return refused_in_one_line(result)

    return Case("races", f"{command}/{hook}/{kind}", run)


def cases() -> list[Case]:
    kinds = ("file-for-link", "folder-for-link", "file-for-fifo", "deleted", "edited")
    return [
        race_case(command, hook, kind)
        for command in COMMANDS
        for hook in HOOKS
        for kind in kinds
        if not (hook == "edit_target" and command in ("hub-card", "dossier"))
    ]
