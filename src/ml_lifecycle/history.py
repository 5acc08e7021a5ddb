"""What git knows of each document. Git is never required: outside a
repository, or without git, nothing is added.

- Who last changed a document's body, and when (`check --json`). Only the
  body counts: the commit that records an approval changes the front matter
  alone, so the answer is the last commit whose body differs from the one
  before it.
- Who recorded an approval (`check`): the commit that set the approver and
  the fingerprint the document has now. Its author must be the approver and
  not the owner (names, emails and forge handles compared as identity.py
  does, through `people:` in lifecycle.yml). Git records what its author
  typed as their name and email, so this holds as far as the forge ties
  commits to accounts: a review on the forge (CODEOWNERS) is what enforces
  it. An approval not yet committed, or recorded before the history a
  shallow clone holds, is not judged.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ml_lifecycle import identity, limits
from ml_lifecycle.documents import Document, FrontMatter, as_text, body_fingerprint, read_text
from ml_lifecycle.markdown_model import split_front_matter
from ml_lifecycle.problem import Problem
from ml_lifecycle.report import Report
from ml_lifecycle.repository import git, git_text
from ml_lifecycle.vocabulary import APPROVED, APPROVED_BY, FINGERPRINT

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


# --- who recorded an approval ---------------------------------------------------------


def approval_of(text: str) -> tuple[str, str] | None:
    """(approved_by, approval_fingerprint) of a version of a document; None
    when it has no lifecycle block that can be read."""
    try:
        limits.check_markdown_lines(text)
        parts = split_front_matter(text.replace("\r\n", "\n"))
        block = FrontMatter.read(parts[0]).block if parts else None
    except (limits.Refused, yaml.YAMLError):
        return None
    if block is None:
        return None
    return as_text(block.get(APPROVED_BY)), as_text(block.get(FINGERPRINT))


def recording_commit(root: Path, prefix: str, doc: Document) -> dict | None:
    """The commit that recorded the document's current approval: {commit,
    author, email}; {"unknown": why} when git's history cannot tell; None
    when the approval is not committed (or git cannot be asked)."""
    current = approval_of(doc.page.text) if doc.page is not None else None
    if current is None or not current[1]:
        return None
    log = git_text(
        root,
        "log",
        "--no-show-signature",
        f"-n{DEPTH}",
        "--format=%H%x00%an%x00%ae%x00%P",
        "--",
        doc.path,
    )
    commits = [line.split("\0") for line in (log or "").splitlines() if line.count("\0") == 3]
    if not commits:
        return None
    names = [f"{c[0]}:{prefix}{doc.path}" for c in commits]
    versions = [approval_of(text) for text in blobs(root, names)]
    if versions[0] != current:
        return None  # approved in the working tree, not yet committed
    older = next((i for i, v in enumerate(versions) if v != current), None)
    if older is None:
        last = commits[-1]
        if len(commits) == DEPTH:
            return {"unknown": f"recorded over {DEPTH} changes of the file ago"}
        shallow = (git_text(root, "rev-parse", "--is-shallow-repository") or "").strip()
        if not last[3] and shallow == "true":
            return {"unknown": "the clone is shallow: fetch its whole history"}
        older = len(commits)
    commit, author, email, _ = commits[older - 1]
    return {"commit": commit, "author": author, "email": email}


def recorded_by_problem(doc: Document, record: dict, people: list) -> str:
    """Why git contradicts an approval; empty when it does not."""
    who = f"{record['author']} <{record['email']}>"
    short = record["commit"][:12]

    def is_(name: str) -> bool:
        return any(
            name and entry and identity.same_one(entry, name, people)
            for entry in (record["author"], record["email"])
        )

    if doc.owner and is_(doc.owner):
        return (
            f"approval recorded by its owner: commit {short} by {who} set approved_by "
            f"{limits.brief(doc.approved_by)}; the approver records it"
        )
    if not is_(doc.approved_by):
        return (
            f"approval by {limits.brief(doc.approved_by)} recorded by someone else: "
            f"commit {short} by {who}; the approver records it "
            "(or list their git email or handle under `people:` in lifecycle.yml)"
        )
    return ""


def check_recorded_approvals(report: Report) -> None:
    """Add a problem for each approval git contradicts, and `recorded_by` to
    each approved document whose recording commit is known."""
    root = report.project.root
    prefix = git_text(root, "rev-parse", "--show-prefix")
    if prefix is None:
        return
    for doc in report.documents:
        if doc.status != APPROVED or doc.approval != "current":
            continue
        record = recording_commit(root, prefix.strip(), doc)
        if record is None:
            continue
        doc.recorded_by = record
        if "unknown" in record:
            continue
        message = recorded_by_problem(doc, record, report.project.people)
        if message:
            line = doc.front.field_line(APPROVED_BY) if doc.front else None
            problem = Problem(doc.path, line, message)
            doc.problems.append(problem)
            report.problems.append(problem)
