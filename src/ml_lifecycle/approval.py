"""`ml-lifecycle approve FILE --by NAME`: a second person approves a document.

The command sets, in the document's `lifecycle:` block, the status to
approved, `approved_by`, `last_reviewed` (today) and a fingerprint of the
body (front matter excluded) and of the evidence artefacts it cites.
`check` then fails when the body or a cited artefact changes, so an
approval always covers the text that is published. It refuses, without
touching the file, when NAME is the owner, a prompt is still unfilled or a
required section has no answer.

It reads lifecycle.yml and the document once each, and edits the front
matter in place: each value it sets replaces the old value's own text,
found through the YAML parser's node marks, and a field it adds goes on a
new line after the block's last one. Comments, the other keys, their order
and quoting, the body, the encoding and each line's end stay byte for
byte; the file is replaced through writing.py (atomically, never through a
link, and not at all when it changed while the command ran).

Who approves is compared with the owner as a reader sees the names
(identity.py), and a name with characters no reader sees is refused.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

import yaml

from ml_lifecycle import identity, limits, writing
from ml_lifecycle.documents import BLOCK_KEY, Document, FrontMatter, body_fingerprint
from ml_lifecycle.evidence.findings import cited_values, examine_page
from ml_lifecycle.markdown_model import parse
from ml_lifecycle.project import Project, load_project
from ml_lifecycle.rules import check_required_sections, read_document
from ml_lifecycle.vocabulary import APPROVED, APPROVED_BY, FINGERPRINT, MARKER


class ApprovalError(Exception):
    """Why a document cannot be approved, as one line."""


def yaml_quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


MAX_NAME = 200  # characters of an approver's name


def approver_name(by: str) -> str:
    """The name as it is recorded: refused when it holds characters no
    reader sees (controls, zero-width or bidirectional marks)."""
    hidden = identity.hidden_characters(by)
    if hidden:
        raise ApprovalError(
            f"--by holds characters a reader cannot see ({', '.join(hidden[:3])}): "
            "type the approver's name as plain text, on one line"
        )
    name = " ".join(by.split())
    if not name:
        raise ApprovalError("--by needs the approver's name, on one line")
    if len(name) > MAX_NAME:
        raise ApprovalError(f"--by is over {MAX_NAME} characters: give the approver's name")
    return name


def locate(root: Path, file: Path) -> tuple[Path, str]:
    """The document's path, and its path relative to the project."""
    path = file if file.is_absolute() or file.exists() else root / file
    if not path.is_file():
        raise ApprovalError(f"{file}: no such file")
    if not limits.is_inside(path, root):
        raise ApprovalError(f"{file}: not inside the project {root}")
    return path, path.resolve().relative_to(root.resolve()).as_posix()


def checked_document(project: Project, path: Path, text: str, today: date) -> Document:
    """The checker's record of the one document (owner, prompts left...),
    from the text already read."""
    rel = path.resolve().relative_to(project.root.resolve()).as_posix()
    try:
        page = parse(text)
    except limits.Refused as exc:
        raise ApprovalError(f"{rel} {exc}: not approved") from None
    inside = project.in_docs(rel)
    parts = Path(inside).parts if inside is not None else ()
    folder = parts[0] if len(parts) > 1 else None
    phase = next((p for p in project.phases if p.folder == folder), None)
    phase_ids = {p.id: p for p in project.phases}
    doc = read_document(project, project.root / rel, phase_ids, phase, today, page)
    if doc is None or doc.front is None:
        refused = next((p for p in doc.problems if p.refused), None) if doc else None
        if refused is not None:
            raise ApprovalError(str(refused))
        raise ApprovalError(f"{rel}: not a lifecycle document (no `lifecycle:` front matter)")
    return doc


def listed_approver(project: Project, name: str) -> str:
    """The approver's name as `people:` in lifecycle.yml lists it, when the
    project lists its people: --by may give their name, email or handle."""
    if not project.people:
        return name
    named = identity.people_named(name, project.people)
    if not named:
        raise ApprovalError(
            f"--by {limits.brief(name)} is none of the people in lifecycle.yml: "
            "give their name, email or handle as listed there, or add them under `people:`"
        )
    if len(named) > 1:
        listed = ", ".join(person.name for person in named[:3])
        raise ApprovalError(f"--by {limits.brief(name)} names several people ({listed})")
    return named[0].name


def refuse_unready(doc: Document, name: str, people: list | None = None) -> None:
    """Every reason an approval would be wrong, in one line."""
    reasons = []
    if not doc.owner:
        reasons.append("it has no owner; name the owner first")
    elif identity.same_one(name, doc.owner, people or []):
        reasons.append(f"{name} is its owner; approval needs a second person")
    if doc.unfilled:
        prompts = "prompt is" if doc.unfilled == 1 else "prompts are"
        reasons.append(f"{doc.unfilled} {prompts} still unfilled ({MARKER})")
    if "required_sections" in doc.front.block:
        trial = Document(path=doc.path, status=APPROVED)
        check_required_sections(trial, doc.front.block["required_sections"], doc.page, doc.front)
        reasons += [problem.message.removeprefix(f"{APPROVED} but ") for problem in trial.problems]
    if reasons:
        raise ApprovalError(f"{doc.path}: cannot approve: {'; '.join(reasons)}")


def block_edits(front: str, values: dict[str, str]) -> list[tuple[int, int, str]]:
    """The edits (start, end, new text; offsets in the front matter) that
    set these `lifecycle:` fields (YAML text values): each old value's text
    replaced, where the parser's node marks put it, or a new line after the
    block's last field."""
    _, node = limits.load_yaml_node(front)
    block = next((v for k, v in getattr(node, "value", []) if k.value == BLOCK_KEY), None)
    if not isinstance(block, yaml.MappingNode) or block.flow_style or not block.value:
        raise ApprovalError("its `lifecycle:` block must list one field per line")
    existing = {key.value: value for key, value in block.value}
    edits: list[tuple[int, int, str]] = []
    added = []
    for key, value in values.items():
        node_ = existing.get(key)
        if node_ is None:
            added.append(f"{key}: {value}")
        elif not isinstance(node_, yaml.ScalarNode):
            raise ApprovalError(f"its `{key}` must be a single value")
        else:
            start, end = node_.start_mark.index, node_.end_mark.index
            space = " " if start == end and front[start - 1 : start] == ":" else ""
            edits.append((start, end, space + value))
    if added:
        # After the line of the block's last character: a list's end mark
        # lies on the line after it.
        last = block.value[-1][1].end_mark.index
        while last > 0 and front[last - 1] in " \t\n":
            last -= 1
        at = front.find("\n", last)
        at = len(front) if at < 0 else at
        indent = " " * block.value[0][0].start_mark.column
        edits.append((at, at, "".join(f"\n{indent}{line}" for line in added)))
    return edits


def set_block_fields(front: str, values: dict[str, str]) -> str:
    """The front matter with these `lifecycle:` fields set (block_edits)."""
    for start, end, text in sorted(block_edits(front, values), reverse=True):
        front = front[:start] + text + front[end:]
    return front


class Approved(NamedTuple):
    path: str  # in the project
    fingerprint: str
    name: str  # the approver, as recorded


def approve(root: Path, file: Path, by: str, today: date) -> Approved:
    """Approve the document."""
    name = approver_name(by)
    path, rel = locate(root, file)
    project, _ = load_project(root)
    try:
        raw = limits.read_bytes(path, root)
        text, form = writing.decode(raw)
    except (limits.Refused, OSError) as exc:
        raise ApprovalError(f"{rel}: cannot be read: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ApprovalError(f"{rel}: is not UTF-8 text (byte {exc.start}): not approved") from None
    name = listed_approver(project, name)
    doc = checked_document(project, path, text, today)
    refuse_unready(doc, name, project.people)
    page = doc.page
    stale = [f for f in examine_page(project, page) if f.problem]
    if stale:
        raise ApprovalError(
            f"{rel}:{stale[0].citation.line}: {stale[0].problem}; "
            "its cited values must match their evidence before approval"
        )
    fingerprint = body_fingerprint(page.body, cited_values(project, page, doc.front.meta))
    values = {
        "status": APPROVED,
        APPROVED_BY: yaml_quoted(name),
        "last_reviewed": today.isoformat(),
        FINGERPRINT: fingerprint,
    }
    try:
        edits = block_edits(page.front.text, values)
    except (ApprovalError, limits.Refused, yaml.YAMLError) as exc:
        raise ApprovalError(f"{rel}: {exc}") from None
    at = page.offset(1)  # the front matter's first line
    data = writing.apply_edits(text, form, [(at + a, at + b, new) for a, b, new in edits])
    confirm(rel, data, page.body, name, today, fingerprint)
    try:
        writing.replace_edited(path, root, data, raw)
    except limits.Refused as exc:
        raise ApprovalError(f"{rel} {exc}") from None
    return Approved(rel, fingerprint, name)


def confirm(rel: str, data: bytes, body: str, name: str, today: date, fingerprint: str) -> None:
    """Read the edited file back before writing it: a file the edit would
    break, or whose body it would change, is left as it was."""
    try:
        page = parse(writing.decode(data)[0])
        block = FrontMatter.read(page.front.text).block or {} if page.front else {}
    except (yaml.YAMLError, limits.Refused, UnicodeDecodeError):
        block, page = {}, None
    wanted = {
        "status": APPROVED,
        APPROVED_BY: name,
        "last_reviewed": today.isoformat(),
        FINGERPRINT: fingerprint,
    }
    changed = page is None or page.body != body
    if changed or any(str(block.get(key)) != value for key, value in wanted.items()):
        raise ApprovalError(f"{rel}: its front matter could not be updated safely; edit it by hand")
