"""One lifecycle document: what the checker knows of it (`Document`), and
its front matter read into data with the file line of each field
(`FrontMatter`). The Markdown itself is read by markdown_model.py; no rules
here: see rules.py."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ml_lifecycle import limits
from ml_lifecycle.markdown_model import Page
from ml_lifecycle.problem import Problem
from ml_lifecycle.vocabulary import DEFAULT_REVIEW_INTERVAL, FINGERPRINT_ALGORITHM

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
BLOCK_KEY = "lifecycle"
FRONT_LINE = 2  # the front matter's first line in the file


@dataclass
class FrontMatter:
    """A document's front matter, parsed once through the bounded reader."""

    meta: object
    node: yaml.Node | None = None

    @classmethod
    def read(cls, text: str) -> FrontMatter:
        """Raises limits.Refused or yaml.YAMLError."""
        if not text.strip():
            return cls({})
        return cls(*limits.load_yaml_node(text))

    @property
    def block(self) -> dict | None:
        block = self.meta.get(BLOCK_KEY) if isinstance(self.meta, dict) else None
        return block if isinstance(block, dict) else None

    def field_line(self, key: str) -> int:
        """File line of `key:` in the lifecycle block; the block's own line
        when the key is absent, the front matter's first line without a block."""
        line = limits.key_line(self.node, BLOCK_KEY, str(key))
        if line is None:
            line = limits.key_line(self.node, BLOCK_KEY)
        return FRONT_LINE + (line or 0)


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
    # The commit that recorded the approval ({commit, author, email}, or
    # {unknown: why}), when the project is a git repository.
    recorded_by: dict | None = None
    problems: list[Problem] = field(default_factory=list)
    # The document as read, once per command: every later reader uses it.
    page: Page | None = field(default=None, repr=False, compare=False)
    front: FrontMatter | None = field(default=None, repr=False, compare=False)
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
            **({"recorded_by": self.recorded_by} if self.recorded_by is not None else {}),
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


def mentions_block(front: str) -> bool:
    """Whether front matter that cannot be parsed has a top-level
    `lifecycle:` key: then it was meant to be a lifecycle document."""
    return any(
        line.split(":", 1)[0].rstrip(" \t") == BLOCK_KEY and ":" in line
        for line in front.split("\n")
    )
