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

RECORD_FILE = ".ml-lifecycle.json"
MAX_RECORD_BYTES = 1024 * 1024


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
    """The record of the repository at `root`. Raises FileNotFoundError
    when there is none, RecordError when it cannot be used."""
    path = Path(root) / RECORD_FILE
    try:
        data = json.loads(limits.read_text(path, root, MAX_RECORD_BYTES))
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, limits.Refused) as error:
        raise RecordError(f"{RECORD_FILE} cannot be read: {error}") from None
    if not isinstance(data, dict):
        raise RecordError(f"{RECORD_FILE} must hold a JSON object")
    context = data.get("context")
    answers = context.get("cookiecutter") if isinstance(context, dict) else None
    files = data.get("files")
    texts = [data.get(key, "") for key in ("template", "commit", "version", "docs", "site")]
    plain_files = isinstance(files, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    )
    plain = plain_files and all(isinstance(text, str) for text in texts)
    if not isinstance(answers, dict) or not plain:
        raise RecordError(
            f"{RECORD_FILE} is not an adoption record (template, commit, docs, site, files, "
            "context.cookiecutter)"
        )
    return Record(*texts, files=files, answers=answers)


def recorded_answers(root: Path) -> dict:
    """The answers an adoption recorded (questions only, no private keys);
    empty when the repository has no usable record."""
    try:
        answers = read_record(root).answers
    except (FileNotFoundError, RecordError):
        return {}
    return {key: value for key, value in answers.items() if not str(key).startswith("_")}
