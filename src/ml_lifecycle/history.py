"""Who last changed each document's body, and when, from git (for
`check --json`). Git is never required: outside a repository, or without
git, nothing is added.

Only the body counts: the commit that records an approval changes the front
matter alone, so the answer is the last commit whose body differs from the
one before it.
"""

from __future__ import annotations

from pathlib import Path

from ml_lifecycle import limits
from ml_lifecycle.documents import Document, body_fingerprint, read_text
from ml_lifecycle.markdown_model import split_front_matter
from ml_lifecycle.report import Report
from ml_lifecycle.repository import git, git_text

# Commits looked at per document: enough for the last change of the body.
DEPTH = 50


def fingerprint_of(text: str) -> str:
    """The body's fingerprint; empty for a version no tool would read."""
    try:
        limits.check_markdown_lines(text)
    except limits.Refused:
        return ""
    parts = split_front_matter(text.replace("\r\n", "\n"))
    return body_fingerprint(parts[1] if parts else text)


def blobs(root: Path, names: list[str]) -> list[str]:
    """The texts of `commit:path` names: their sizes first (`cat-file
    --batch-check`), then, in one `git cat-file --batch` run, those within
    the size a tool reads (a larger version reads as empty)."""
    checked = git(
        root, "cat-file", "--batch-check", stdin="".join(f"{n}\n" for n in names).encode()
    )
    if checked is None:
        return [""] * len(names)
    wanted = []
    for line in checked.decode("utf-8", "replace").splitlines()[: len(names)]:
        fields = line.split()
        small = len(fields) == 3 and fields[1] == "blob" and fields[2].isdigit()
        wanted.append(fields[0] if small and int(fields[2]) <= limits.MAX_FILE_BYTES else None)
    found = [name for name in wanted if name]
    out = git(root, "cat-file", "--batch", stdin="".join(f"{n}\n" for n in found).encode())
    texts = {}
    for name in found:
        header, _, out = (out or b"").partition(b"\n")
        if not header or header.endswith(b" missing"):
            continue
        size = int(header.rsplit(b" ", 1)[1])
        texts[name] = out[:size].decode("utf-8", "replace")
        out = out[size + 1 :]
    return [texts.get(name, "") if name else "" for name in wanted] + [""] * (
        len(names) - len(wanted)
    )


def last_change(root: Path, prefix: str, doc: Document) -> dict | None:
    log = git_text(
        root,
        "log",
        "--no-show-signature",
        "--no-ext-diff",
        "--no-textconv",
        f"-n{DEPTH}",
        "--format=%H%x00%an%x00%aI",
        "--",
        doc.path,
    )
    commits = [line.split("\0") for line in (log or "").splitlines() if line.count("\0") == 2]
    if not commits:
        return None
    prints = [
        fingerprint_of(t) for t in blobs(root, [f"{c[0]}:{prefix}{doc.path}" for c in commits])
    ]
    newest = next(
        (i for i in range(len(commits) - 1) if prints[i] != prints[i + 1]), len(commits) - 1
    )
    commit, author, when = commits[newest]
    if doc.page is not None:
        current = fingerprint_of(doc.page.text)
    else:
        try:
            current = fingerprint_of(read_text(root / doc.path, root))
        except (limits.Refused, OSError, UnicodeDecodeError):
            current = prints[0]
    return {"commit": commit, "author": author, "date": when, "uncommitted": current != prints[0]}


def add_last_changes(report: Report) -> None:
    """Set `last_change` on each document, when the project is in git."""
    root = report.project.root
    prefix = git_text(root, "rev-parse", "--show-prefix")
    if prefix is None:
        return
    prefix = prefix.strip()
    for doc in report.documents:
        doc.last_change = last_change(root, prefix, doc)
