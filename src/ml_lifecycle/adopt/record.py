"""The adoption record, `.ml-lifecycle.json` at the top of a repository that
`ml-lifecycle adopt` added the lifecycle to. It holds what a later
`ml-lifecycle update` needs, and nothing a person edits:

    {
      "template": "https://github.com/acme/ml-lifecycle.git",  # where it came from
      "commit": "<40 hex>",                # the template commit rendered
      "version": "0.1.0",                  # of the package that adopted
      "docs": "docs/docs/lifecycle",       # where the documents are
      "site": "docs/mkdocs.yml",           # the site that shows them
      "files": {"docs/index.md": "docs/docs/lifecycle/index.md", ...},
      "context": {"cookiecutter": {...}}   # the answers, as cruft keeps them
    }

`files` maps each template path (as a bake writes it) to the path the
adoption gave it; a file the adoption skipped is not in it. The answers
are data: read with the json module, never rendered as a template by this
package (an update renders the template with them, in its sandbox).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ml_lifecycle import limits
from ml_lifecycle.adopt import plan as planning

RECORD_FILE = ".ml-lifecycle.json"
MAX_RECORD_BYTES = 1024 * 1024
TEXTS = ("template", "commit", "version", "docs", "site")
COMMIT_LENGTHS = (40, 64)  # a SHA-1 or a SHA-256 commit id, as git prints it


class RecordError(Exception):
    """The record cannot be used; str() is one line."""


@dataclass
class Record:
    template: str = ""
    commit: str = ""
    version: str = ""
    docs: str = "docs"
    site: str = "mkdocs.yml"
    files: dict[str, str] = field(default_factory=dict)
    answers: dict = field(default_factory=dict)
    original: bytes = field(default=b"", repr=False)  # the file as read, to write over

    def as_json(self) -> str:
        data = {
            "template": self.template,
            "commit": self.commit,
            "version": self.version,
            "docs": self.docs,
            "site": self.site,
            "files": dict(sorted(self.files.items())),
            "context": {"cookiecutter": self.answers},
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_record(root: Path) -> Record:
    """The record of the repository at `root`, holding the bytes it was read
    from (`original`). Raises FileNotFoundError when there is none,
    RecordError when it cannot be used."""
    path = Path(root) / RECORD_FILE
    try:
        raw = limits.read_bytes(path, root, MAX_RECORD_BYTES)
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, limits.Refused) as error:
        raise RecordError(f"{RECORD_FILE} cannot be read: {error}") from None
    record = record_of(data)
    record.original = raw
    return record


def record_of(data: object) -> Record:
    """The record a parsed JSON value holds. The file is committed, so
    untrusted: every path in it must stay inside the repository, and the
    commit must be a commit id (git takes it as an argument)."""
    record = typed(data)
    for what, path in (("docs", record.docs), ("site", record.site)):
        inside(path, what)
    for path in (*record.files, *record.files.values()):
        inside(path, "files")
    if record.commit and not is_commit_id(record.commit):
        raise RecordError(f"{RECORD_FILE}: commit {limits.brief(record.commit)} is not a commit id")
    return record


def typed(data: object) -> Record:
    """The record, when each of its fields has the type it must have."""
    if isinstance(data, dict):
        context = data.get("context")
        answers = context.get("cookiecutter") if isinstance(context, dict) else None
        files = data.get("files")
        texts = [data.get(key, "") for key in TEXTS]
        plain_files = isinstance(files, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()
        )
        if isinstance(answers, dict) and plain_files and all(isinstance(t, str) for t in texts):
            return Record(*texts, files=files, answers=answers)
    raise RecordError(
        f"{RECORD_FILE} is not an adoption record (template, commit, docs, site, files, "
        "context.cookiecutter)"
    )


def is_commit_id(text: str) -> bool:
    return len(text) in COMMIT_LENGTHS and set(text) <= set("0123456789abcdef")


def inside(path: str, what: str) -> None:
    """RecordError unless `path` is a relative POSIX path inside the
    repository, written as the adoption writes one (no `..`, `.`, `//`, `\\`)."""
    try:
        plain = planning.plain_folder(path, what)
    except planning.PlanError:
        plain = None
    if plain != path:
        raise RecordError(
            f"{RECORD_FILE}: {what} {limits.brief(path)} is not a path inside the repository"
        )


def recorded_answers(root: Path) -> dict:
    """The answers an adoption recorded (questions only, no private keys);
    empty when the repository has no usable record."""
    try:
        answers = read_record(root).answers
    except (FileNotFoundError, RecordError):
        return {}
    return {key: value for key, value in answers.items() if not str(key).startswith("_")}
