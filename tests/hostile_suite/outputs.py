"""Class `outputs`: what a repository can commit where a command writes.
Links (to a file or a folder outside, to a document inside, dangling, in a
loop, to a device), special files, hard links, a file where a folder
should be, for the Hub card and the dossier and for the documents that
`approve` and `evidence --update` edit."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from hostile_suite.kit import (
    DOC,
    REFUSED,
    Case,
    Failure,
    approve,
    dossier,
    evidence_update,
    hub_card,
    outside,
    project,
    ready,
    refused_in_one_line,
    succeeded,
)

OUTPUTS = {
    "hub-card": ("hub/README.md", hub_card),
    "dossier": ("dossier/dossier.html", dossier),
}


def _link(path: Path, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def _socket(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
    finally:
        server.close()


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir(parents=True)


def _hard_link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.link(target, path)


def _file_for_folder(path: Path) -> None:
    path.parent.parent.mkdir(parents=True, exist_ok=True)
    path.parent.write_text("a file where a folder should be\n", encoding="utf-8")


def _fifo_for_folder(path: Path) -> None:
    os.mkfifo(path.parent)


# What sits at the output's path (or its folder); each refused.
def planted(work: Path, root: Path, out: Path) -> dict:
    away = work / "outside"
    depth = "../" * (len(out.relative_to(root).parts) - 1)
    return {
        "file-link-outside-absolute": lambda: _link(out, str(away / "tool")),
        "file-link-outside-relative": lambda: _link(out, f"{depth}../outside/tool"),
        "file-link-to-a-document": lambda: _link(out, f"{depth}{DOC}"),
        "file-link-to-lifecycle-yml": lambda: _link(out, f"{depth}lifecycle.yml"),
        "file-link-dangling-outside": lambda: _link(out, str(away / "missing")),
        "file-link-loop": lambda: _link(out, out.name),
        "file-link-to-dev-null": lambda: _link(out, "/dev/null"),
        "file-link-to-a-folder-outside": lambda: _link(out, str(away / "sub")),
        "folder-link-outside": lambda: _link(out.parent, str(away)),
        "folder-link-outside-relative": lambda: _link(out.parent, "../outside/sub"),
        "folder-link-to-the-project": lambda: _link(out.parent, "."),
        "folder-link-to-docs": lambda: _link(out.parent, "docs/02-requirements"),
        "folder-link-dangling": lambda: _link(out.parent, str(away / "nowhere")),
        "folder-link-loop": lambda: _link(out.parent, out.parent.name),
        "fifo": lambda: _fifo(out),
        "socket": lambda: _socket(out),
        "folder": lambda: _folder(out),
        "file-where-the-folder-goes": lambda: _file_for_folder(out),
        "fifo-where-the-folder-goes": lambda: _fifo_for_folder(out),
    }


def output_case(export: str, kind: str, typed: bool) -> Case:
    relative, command = OUTPUTS[export]

    def run(work: Path) -> str:
        root = project(work)
        out = root / relative
        planted(work, root, out)[kind]()
        extra = ("--out", str(out)) if typed else ()
        result = command(root, *extra)
        return refused_in_one_line(result, relative)

    spelled = "typed" if typed else "default"
    return Case("outputs", f"{export}/{kind}/{spelled}", run)


def hard_link_case(export: str) -> Case:
    """A hard link to a file outside: the new file replaces the name, the
    outside file is untouched (the suite checks it)."""
    relative, command = OUTPUTS[export]

    def run(work: Path) -> str:
        root = project(work)
        _hard_link(root / relative, outside(work) / "tool")
        succeeded(command(root))
        if (root / relative).stat().st_nlink != 1:
            raise Failure("the output still shares its file with one outside")
        return "data"

    return Case("outputs", f"{export}/hard-link-to-outside", run)


def control_case(export: str, kind: str) -> Case:
    relative, command = OUTPUTS[export]

    def run(work: Path) -> str:
        root = project(work)
        out = root / relative
        if kind == "existing":
            out.parent.mkdir(parents=True)
            out.write_text("old\n", encoding="utf-8")
        elif kind == "nested":
            out = root / "a" / "b" / "c" / out.name
        succeeded(command(root, "--out", str(out)))
        if out.is_symlink() or not out.is_file() or out.read_text(encoding="utf-8") == "old\n":
            raise Failure("the output was not written as a regular file")
        return "data"

    return Case("outputs", f"{export}/{kind}", run)


# --- the documents edits go to ---------------------------------------------------------


def edit_case(command: str, kind: str) -> Case:
    def run(work: Path) -> str:
        root = project(work, evidence='{"acc": 0.9012}')
        path = root / DOC
        away = outside(work)
        if kind == "document-links-outside":
            os.replace(path, away / "copy.md")
            path.symlink_to(away / "copy.md")
        elif kind == "document-links-inside":
            os.replace(path, root / "kept.md")
            path.symlink_to("../../kept.md")
        elif kind == "document-hard-links-outside":
            os.replace(path, away / "copy.md")
            os.link(away / "copy.md", path)
        elif kind == "folder-links-outside":
            folder = path.parent
            os.replace(folder, away / "phase")
            folder.symlink_to(away / "phase")
        ready(work)
        result = approve(root) if command == "approve" else evidence_update(root)
        if kind == "document-links-inside":
            kept = (root / "kept.md").read_text(encoding="utf-8")
            if "approved" in kept or "0.90" in kept:
                raise Failure("the file the link names was edited")
        if command == "approve":
            return refused_in_one_line(result)
        if result.status == 0 and "1 rewritten" in result.out:
            raise Failure(f"evidence --update rewrote a page through {kind}")
        return REFUSED

    return Case("outputs", f"{command}/{kind}", run)


def cases() -> list[Case]:
    found = []
    for export in OUTPUTS:
        kinds = planted(Path("/w"), Path("/w/project"), Path("/w/project/out/file"))
        for kind in kinds:
            for typed in (False, True):
                found.append(output_case(export, kind, typed))
        found.append(hard_link_case(export))
        for kind in ("existing", "nested"):
            found.append(control_case(export, kind))
    for command in ("approve", "evidence"):
        for kind in (
            "document-links-outside",
            "document-links-inside",
            "document-hard-links-outside",
            "folder-links-outside",
        ):
            found.append(edit_case(command, kind))
    return found
