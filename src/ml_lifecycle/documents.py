"""Reading one lifecycle document: its front matter, its body, its headings
and the prompts it leaves unfilled. No rules here: see rules.py."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ml_lifecycle import limits
from ml_lifecycle.project import Problem
from ml_lifecycle.vocabulary import DEFAULT_REVIEW_INTERVAL, FINGERPRINT_ALGORITHM, MARKER

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)??(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
# An ATX heading; its text (group 2) still has any closing #s and {attrs}:
# see heading(). One greedy group, so matching is linear in the line.
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*)$")
LIFECYCLE_KEY = re.compile(r"^lifecycle[ \t]*:", re.M)


@dataclass
class Document:
    """What the checker knows of one lifecycle document."""

    path: str  # relative to the project, e.g. docs/04-building/model-card.md
    phase: str = ""
    phase_number: int | None = None
    document: str = ""
    title: str = ""
    status: str = ""
    owner: str = ""
    performed_by: str = ""
    provider: str = ""
    last_reviewed: date | None = None
    review_interval_days: int = DEFAULT_REVIEW_INTERVAL
    next_review: date | None = None
    unfilled: int = 0
    overdue: bool = False
    approved_by: str = ""
    # For an approved document: "current", "changed" (body edited since) or
    # "missing" (no fingerprint: approved by hand); empty otherwise.
    approval: str = ""
    # Who last changed the body, and when, when the project is a git
    # repository and the report was asked for it (check --json).
    last_change: dict | None = None
    problems: list[Problem] = field(default_factory=list)
    # Cited evidence values that do not match their source while the document
    # is a draft: reported, not failing (in review or approved, they are
    # problems). Also every citation's count, for the report.
    evidence: list[Problem] = field(default_factory=list)
    citations: int = 0

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "phase": self.phase,
            "phase_number": self.phase_number,
            "document": self.document,
            "title": self.title,
            "status": self.status,
            "owner": self.owner,
            "performed_by": self.performed_by,
            "provider": self.provider,
            "unfilled": self.unfilled,
            "last_reviewed": iso(self.last_reviewed),
            "review_interval_days": self.review_interval_days,
            "next_review": iso(self.next_review),
            "overdue": self.overdue,
            "approved_by": self.approved_by,
            "approval": self.approval or None,
            **({"last_change": self.last_change} if self.last_change is not None else {}),
            **({"citations": self.citations} if self.citations else {}),
            **({"evidence": [p.as_dict() for p in self.evidence]} if self.evidence else {}),
            "problems": [p.as_dict() for p in self.problems],
        }


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def read_text(path: Path, root: Path | None = None) -> str:
    """A Markdown file with Unix line ends, read within limits.MAX_FILE_BYTES and,
    when `root` is given, only inside it. Raises limits.Refused, OSError or
    UnicodeDecodeError."""
    return limits.read_text(path, root)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, file line where the body starts), or None when the
    text does not start with a closed front-matter block."""
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    front = match.group(1) or ""
    return front, text[match.end() :], front.count("\n") + 3


def body_fingerprint(body: str, cited: dict[str, str] | None = None) -> str:
    """A hash of a document's body that ignores line ends, trailing spaces and
    blank lines at either end, so that an editor's tidying is no change.

    `cited` maps each evidence source the body cites to its artefact's hash:
    the approval then covers the artefacts too. Without citations the hash is
    the body's alone, as it was before evidence existed."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    normal = "\n".join(lines).strip("\n")
    if cited:
        normal += "\0evidence\0" + "\n".join(f"{k} {v}" for k, v in sorted(cited.items()))
    digest = hashlib.new(FINGERPRINT_ALGORITHM, normal.encode("utf-8")).hexdigest()
    return f"{FINGERPRINT_ALGORITHM}:{digest}"


def has_lifecycle_key(front: str) -> bool:
    return LIFECYCLE_KEY.search(front) is not None


def field_line(front: str, key: str) -> int:
    """File line of `key:` in the front matter's lifecycle block (the front
    matter starts on line 2); the block's own line when the key is absent."""
    block = LIFECYCLE_KEY.search(front)
    if block is None:
        return 2
    if len(key) > 200:  # no real field; a pattern that long is slow to compile
        return front.count("\n", 0, block.start()) + 2
    found = re.compile(rf"^[ \t]+{re.escape(key)}[ \t]*:", re.M).search(front, block.end())
    return front.count("\n", 0, (found or block).start()) + 2


def strip_code(body: str) -> str:
    """The body with fenced code blocks and code spans blanked out (lines kept),
    so that a marker or heading quoted as code does not count."""
    if "```" in body or "~~~" in body:
        body = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    return CODE_SPAN.sub("", body) if "`" in body else body


def heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line, without its closing #s and its
    {attributes}; None for another line. Linear in the line's length."""
    if not line.lstrip(" ").startswith("#"):
        return None
    match = HEADING.match(line)
    if match is None:
        return None
    text = match.group(2).rstrip(" \t")
    closing = text.rstrip("#")
    if closing != text and (not closing or closing[-1] in " \t"):
        text = closing.rstrip(" \t")
    if text.endswith("}"):  # the first { after the last } but the closing one
        opening = text.find("{", text.rfind("}", 0, len(text) - 1) + 1)
        if 0 <= opening < len(text) - 1:
            text = text[:opening]
    return len(match.group(1)), text.strip()


def headings(body: str) -> list[tuple[int, int, str]]:
    """(line index in body, level, text) of each ATX heading."""
    found = []
    for index, line in enumerate(body.split("\n")):
        parsed = heading(line)
        if parsed:
            found.append((index, *parsed))
    return found


def count_unfilled(path: Path) -> int:
    """Markers outside code in a page that is not a lifecycle document."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError, limits.Refused):
        return 0
    parts = split_front_matter(text)
    return strip_code(parts[1] if parts else text).count(MARKER)


def as_text(value: object) -> str:
    """A free-text field as one line; null is empty."""
    return "" if value is None else " ".join(str(value).split())


def parse_date(value: object) -> date | None:
    """A YYYY-MM-DD date (text or date); None when empty; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    text = str(value).strip()
    try:
        if ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(text)
