"""`ml-lifecycle approve FILE --by NAME`: a second person approves a document.

The command sets, in the document's `lifecycle:` block, the status to
approved, `approved_by`, `last_reviewed` (today) and a fingerprint of the
body (front matter excluded) and of the evidence artefacts it cites.
`check` then fails when the body or a cited artefact changes, so an
approval always covers the text that is published. It refuses, without
touching the file, when NAME is the owner, a prompt is still unfilled or a
required section has no answer.

Only the lines of the fields it sets are rewritten: comments, other keys and
the body stay as they are.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from ml_lifecycle.documents import (
    FRONT_MATTER,
    Document,
    body_fingerprint,
    read_text,
    split_front_matter,
    strip_code,
)
from ml_lifecycle.evidence import cited_digests, examine_body
from ml_lifecycle.project import Loader, is_inside, load_project
from ml_lifecycle.rules import check_project, check_required_sections, same_person
from ml_lifecycle.vocabulary import APPROVED, APPROVED_BY, FINGERPRINT, MARKER

BLOCK_START = re.compile(r"^lifecycle[ \t]*:[ \t]*(#.*)?$")


class ApprovalError(Exception):
    """Why a document cannot be approved, as one line."""


def yaml_quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def approver_name(by: str) -> str:
    name = " ".join(by.split())
    if not name or any(ord(c) < 32 for c in by.replace("\t", " ")):
        raise ApprovalError("--by needs the approver's name, on one line")
    return name


def locate(root: Path, file: Path) -> tuple[Path, str]:
    """The document's path, and its path relative to the project."""
    path = file if file.is_absolute() or file.exists() else root / file
    if not path.is_file():
        raise ApprovalError(f"{file}: no such file")
    if not is_inside(path, root):
        raise ApprovalError(f"{file}: not inside the project {root}")
    return path, path.resolve().relative_to(root.resolve()).as_posix()


def checked_document(root: Path, rel: str, today: date) -> Document:
    """The checker's record of the document (owner, prompts left...)."""
    report = check_project(root, today)
    doc = next((d for d in report.documents if d.path == rel), None)
    if doc is None:
        raise ApprovalError(f"{rel}: not a lifecycle document (no `lifecycle:` front matter)")
    return doc


def refuse_unready(doc: Document, name: str, block: dict, body: str, first: int, front: str):
    """Every reason an approval would be wrong, in one line."""
    reasons = []
    if not doc.owner:
        reasons.append("it has no owner; name the owner first")
    elif same_person(name, doc.owner):
        reasons.append(f"{name} is its owner; approval needs a second person")
    if doc.unfilled:
        prompts = "prompt is" if doc.unfilled == 1 else "prompts are"
        reasons.append(f"{doc.unfilled} {prompts} still unfilled ({MARKER})")
    if "required_sections" in block:
        trial = Document(path=doc.path, status=APPROVED)
        check_required_sections(trial, block["required_sections"], strip_code(body), first, front)
        reasons += [problem.message.removeprefix(f"{APPROVED} but ") for problem in trial.problems]
    if reasons:
        raise ApprovalError(f"{doc.path}: cannot approve: {'; '.join(reasons)}")


def set_block_fields(front: str, values: dict[str, str]) -> str:
    """The front matter with these `lifecycle:` fields set (YAML text values),
    each replacing its old line (and continuation lines) or added at the end."""
    lines = front.split("\n")
    start = next((i for i, line in enumerate(lines) if BLOCK_START.match(line)), None)
    if start is None:
        raise ApprovalError("its `lifecycle:` block must list one field per line")
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in " \t"):
        end += 1
    children = [line for line in lines[start + 1 : end] if line.strip()]
    indent = re.match(r"[ \t]*", children[0]).group(0) if children else "  "
    for key, value in values.items():
        line = f"{indent}{key}: {value}"
        at = next(
            (i for i in range(start + 1, end) if re.match(rf"{indent}{key}[ \t]*:", lines[i])),
            None,
        )
        if at is None:
            last = max((i for i in range(start, end) if lines[i].strip()), default=start)
            lines.insert(last + 1, line)
            end += 1
            continue
        stop = at + 1
        while (
            stop < end
            and lines[stop].strip()
            and len(lines[stop]) - len(lines[stop].lstrip()) > len(indent)
        ):
            stop += 1
        lines[at:stop] = [line]
        end -= stop - at - 1
    return "\n".join(lines)


def approve(root: Path, file: Path, by: str, today: date) -> tuple[str, str]:
    """Approve the document; (its path in the project, the fingerprint)."""
    name = approver_name(by)
    path, rel = locate(root, file)
    doc = checked_document(root, rel, today)
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ApprovalError(f"{rel}: cannot be read: {exc}") from None
    parts = split_front_matter(text)
    meta = yaml.load(parts[0], Loader=Loader) if parts else None
    block = meta.get("lifecycle") if isinstance(meta, dict) else None
    if not isinstance(block, dict):
        raise ApprovalError(f"{rel}: not a lifecycle document (no `lifecycle:` front matter)")
    front, body, first = parts
    refuse_unready(doc, name, block, body, first, front)
    project, _ = load_project(root)
    stale = [f for f in examine_body(project, body, first) if f.problem]
    if stale:
        raise ApprovalError(
            f"{rel}:{stale[0].citation.line}: {stale[0].problem}; "
            "its cited values must match their evidence before approval"
        )
    fingerprint = body_fingerprint(body, cited_digests(project, body))
    values = {
        "status": APPROVED,
        APPROVED_BY: yaml_quoted(name),
        "last_reviewed": today.isoformat(),
        FINGERPRINT: fingerprint,
    }
    try:
        new_front = set_block_fields(front, values)
    except ApprovalError as exc:
        raise ApprovalError(f"{rel}: {exc}") from None
    confirm(rel, new_front, name, today, fingerprint)
    match = FRONT_MATTER.match(text)
    path.write_text(text[: match.start(1)] + new_front + text[match.end(1) :], encoding="utf-8")
    return rel, fingerprint


def confirm(rel: str, front: str, name: str, today: date, fingerprint: str) -> None:
    """Parse the edited front matter before writing it: a file the edit would
    break is left as it was."""
    try:
        block = (yaml.load(front, Loader=Loader) or {}).get("lifecycle") or {}
    except (yaml.YAMLError, AttributeError):
        block = {}
    wanted = {
        "status": APPROVED,
        APPROVED_BY: name,
        "last_reviewed": today.isoformat(),
        FINGERPRINT: fingerprint,
    }
    if any(str(block.get(key)) != value for key, value in wanted.items()):
        raise ApprovalError(f"{rel}: its front matter could not be updated safely; edit it by hand")
