"""The register's two data files and their documented schema.

- `register.json`: `{"schema", "generated_on", "generator", "systems": [...]}`,
  one object per system as `JSON_SCHEMA` (JSON Schema 2020-12) describes;
  `register.schema.json` is written next to it.
- `register.csv`: one line per system, the columns of `COLUMNS` in that
  order, UTF-8, comma-separated, with a header line. A spreadsheet reads a
  cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
  formula: such a value is written with a `'` in front, so that it shows as
  typed and never runs.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable

SCHEMA_ID = "ml-lifecycle-register/1"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

STRING = {"type": "string"}
DATE = {"type": ["string", "null"], "format": "date"}
COUNT = {"type": "integer", "minimum": 0}


def _text(description: str) -> dict:
    return {**STRING, "description": description}


def _count(description: str) -> dict:
    return {**COUNT, "description": description}


PHASE = {
    "type": "object",
    "properties": {
        "number": {"type": "integer"},
        "id": STRING,
        "title": STRING,
        "status": _text("its documents' least advanced status (see `status`)"),
        "documents": COUNT,
        "unfilled": _count("prompts left unfilled in its documents"),
        "last_reviewed": {**DATE, "description": "the oldest last review of its documents"},
        "next_review": {**DATE, "description": "the earliest review due of its documents"},
        "overdue": {"type": "boolean"},
    },
}
DOCUMENT = {
    "type": "object",
    "description": "a lifecycle document, with the values `ml-lifecycle check --json` gives",
    "properties": {
        "path": STRING,
        "phase": STRING,
        "phase_number": {"type": ["integer", "null"]},
        "document": STRING,
        "title": STRING,
        "status": STRING,
        "owner": STRING,
        "performed_by": STRING,
        "provider": STRING,
        "approved_by": STRING,
        "approval": {"enum": ["current", "changed", "missing", None]},
        "last_reviewed": DATE,
        "review_interval_days": {"type": "integer"},
        "next_review": DATE,
        "overdue": {"type": "boolean"},
        "unfilled": COUNT,
        "citations": COUNT,
        "evidence_out_of_date": _count("cited values that differ from their evidence"),
        "problems": _count("problems `check` finds in it"),
    },
}
APPROVAL = {
    "type": "object",
    "properties": {
        "path": STRING,
        "title": STRING,
        "approved_by": STRING,
        "approved_on": DATE,
        "state": {
            "enum": ["current", "changed", "missing"],
            "description": "current; changed (its text or cited evidence changed since); "
            "missing (approved by hand, with no fingerprint)",
        },
    },
}
ATTENTION = {
    "type": "object",
    "properties": {
        "kind": {"enum": ["overdue", "stale-approval", "evidence", "unreadable"]},
        "path": STRING,
        "detail": STRING,
    },
}
REGISTRATION = {
    "type": "object",
    "description": "a point of the EU AI Act, Annex VIII, Section A (high-risk systems only)",
    "properties": {
        "point": {"type": "integer", "minimum": 1, "maximum": 13},
        "field": _text("its key under `registration:` in lifecycle.yml"),
        "label": STRING,
        "value": STRING,
        "source": STRING,
        "state": {"enum": ["recorded", "not applicable", "missing", ""]},
        "where_applicable": {"type": "boolean"},
    },
}
SYSTEM = {
    "type": "object",
    "required": ["id", "source", "error", "name", "status"],
    "properties": {
        "id": _text("unique in the register; the system's page is systems/<id>/"),
        "source": _text("the folder or git URL read (a URL without credentials)"),
        "error": {
            "type": ["string", "null"],
            "description": "why the project could not be read; the other values are then empty",
        },
        "name": _text("the project_name answer (else the folder's name)"),
        "description": STRING,
        "organisation": STRING,
        "owner": _text("the owner_name answer: the accountable person"),
        "owner_email": STRING,
        "task_kind": STRING,
        "risk_level": STRING,
        "role": _text("the role answer, when the template asks it"),
        "update_mode": STRING,
        "repo_url": STRING,
        "site_url": _text("the published site (mkdocs.yml site_url), when known"),
        "status": _text(
            "the least advanced status of its documents: draft, in-review, approved; "
            "retired when all are; unknown when one has no valid status; error"
        ),
        "ok": {"type": "boolean", "description": "`ml-lifecycle check` finds no problem"},
        "problems": COUNT,
        "phases": {"type": "array", "items": PHASE},
        "documents": {"type": "array", "items": DOCUMENT},
        "approvals": {"type": "array", "items": APPROVAL},
        "stale_approvals": COUNT,
        "overdue_reviews": COUNT,
        "unfilled_prompts": _count("in the documents and the other pages"),
        "evidence_out_of_date": COUNT,
        "untraced_requirements": {
            "type": "array",
            "items": STRING,
            "description": "requirement IDs without a pass or waived verification",
        },
        "last_change": {
            "type": ["object", "null"],
            "description": "the project's last commit, when it is a git repository",
            "properties": {"commit": STRING, "author": STRING, "date": STRING},
        },
        "attention": {"type": "array", "items": ATTENTION},
        "registration": {"type": "array", "items": REGISTRATION},
        "notes": {"type": "array", "items": STRING},
    },
}
JSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ml-lifecycle register",
    "type": "object",
    "required": ["schema", "generated_on", "generator", "systems"],
    "properties": {
        "schema": {"const": SCHEMA_ID},
        "generated_on": {"type": "string", "format": "date"},
        "generator": STRING,
        "systems": {"type": "array", "items": SYSTEM},
    },
}


def _joined(values: list) -> str:
    return "; ".join(str(value) for value in values)


def _phases(row: dict) -> str:
    return _joined(f"{phase['number']} {phase['status'] or 'none'}" for phase in row["phases"])


def _last(key: str) -> Callable[[dict], str]:
    return lambda row: (row["last_change"] or {}).get(key, "")


def _missing_points(row: dict) -> str:
    return ", ".join(str(f["point"]) for f in row["registration"] if f["state"] == "missing")


def _field(key: str) -> Callable[[dict], object]:
    return lambda row: row[key]


# (column, what it holds, how it is read from a row)
COLUMNS: list[tuple[str, str, Callable[[dict], object]]] = [
    ("id", "the system's id in the register", _field("id")),
    ("name", "the system's name", _field("name")),
    ("organisation", "the organisation", _field("organisation")),
    ("owner", "the accountable owner", _field("owner")),
    ("owner_email", "the owner's email", _field("owner_email")),
    ("task_kind", "the kind of ML task", _field("task_kind")),
    ("risk_level", "minimal, limited or high", _field("risk_level")),
    ("role", "the role answer, when asked", _field("role")),
    ("update_mode", "how the system is updated", _field("update_mode")),
    ("status", "the least advanced status of its documents", _field("status")),
    ("phases", "each phase's number and status, e.g. '1 approved; 2 draft'", _phases),
    ("documents", "how many lifecycle documents", lambda row: len(row["documents"])),
    ("approved", "how many of them are approved", lambda row: len(row["approvals"])),
    ("stale_approvals", "approvals that no longer hold", _field("stale_approvals")),
    ("overdue_reviews", "documents whose review is overdue", _field("overdue_reviews")),
    ("unfilled_prompts", "prompts still to fill in", _field("unfilled_prompts")),
    (
        "evidence_out_of_date",
        "cited values that differ from their evidence",
        _field("evidence_out_of_date"),
    ),
    (
        "untraced_requirements",
        "requirements without a pass or waived result",
        lambda row: len(row["untraced_requirements"]),
    ),
    ("problems", "problems `ml-lifecycle check` finds", _field("problems")),
    ("last_change_date", "date of the last commit", _last("date")),
    ("last_change_author", "author of the last commit", _last("author")),
    ("site_url", "the published site", _field("site_url")),
    ("repo_url", "the repository", _field("repo_url")),
    ("registration_missing", "Annex VIII points missing (high risk)", _missing_points),
    ("source", "the folder or git URL read", _field("source")),
    ("error", "why it could not be read", lambda row: row["error"] or ""),
]
COLUMN_NAMES = [name for name, _, _ in COLUMNS]


def safe_cell(value: object) -> str:
    """A value as a spreadsheet shows it, never as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cells(row: dict) -> list[str]:
    """A row's CSV line: every column, never a formula."""
    return [safe_cell(read(row)) for _, _, read in COLUMNS]


def csv_writer(file) -> csv.writer:
    """A CSV writer on a text file (opened with newline=""), its header written."""
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(COLUMN_NAMES)
    return writer


def json_head(generated_on: str, generator: str) -> str:
    """register.json up to its list of systems; each system then follows on
    a line of its own, after a comma but the first, and json_tail() closes
    the file."""
    head = {"schema": SCHEMA_ID, "generated_on": generated_on, "generator": generator}
    return json.dumps(head, ensure_ascii=False)[:-1] + ',\n"systems": [\n'


def json_tail() -> str:
    return "\n]}\n"


def schema_json() -> str:
    return json.dumps(JSON_SCHEMA, indent=2) + "\n"
