"""Requirement traceability: from each requirement to its verification and to
the monitoring signals that watch it.

- A requirement is defined where its ID (the prefix, `REQ-` unless
  `lifecycle.yml` sets `requirement_prefix`, then digits) is the first cell of
  a table row in a requirements document.
- It is verified by a table row of the V&V report whose first cell names it
  and another cell holds a result: pass, fail or waived, in any case. Several
  rows for one requirement count as the worst of their results.
- A row that cites evidence and states a threshold for it
  (`[0.87](evidence:eval#test.accuracy) ≥ 0.85`) has its stated pass
  checked against the evidence.
- A monitoring signal cites it when its ID is in a table row of the
  monitoring plan.

The findings (not verified, failed, unknown IDs) fail `check` only once the
V&V report claims to be complete (in review or approved), or under
`--require-traced`: while it is a draft they are listed as work to do.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

from ml_lifecycle import evidence
from ml_lifecycle.documents import Document, read_text, split_front_matter, strip_code
from ml_lifecycle.project import Problem, Project, is_inside
from ml_lifecycle.vocabulary import (
    FINISHED,
    MONITORING_DOCUMENT,
    REQUIREMENTS_DOCUMENT,
    RESULTS,
    VALIDATION_DOCUMENT,
)

TABLE_RULE = re.compile(r"[ \t]*:?-+:?[ \t]*")
CELL_SPLIT = re.compile(r"(?<!\\)\|")
RESULT = re.compile(rf"({'|'.join(RESULTS)})\b", re.IGNORECASE)
# A cited value and the threshold the row states for it.
THRESHOLD = re.compile(
    rf"(?P<cited>{evidence.CITATION.pattern})\s*(?P<op>≥|>=|>|≤|<=|<|=)"
    r"\s*(?P<limit>[-+]?\d[\d,]*(?:\.\d+)?)"
)
COMPARE = {
    "≥": operator.ge,
    ">=": operator.ge,
    ">": operator.gt,
    "≤": operator.le,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
}
# Worst first: the result a requirement gets from several rows.
SEVERITY = ("fail", "", "waived", "pass")


@dataclass
class Row:
    path: str
    line: int
    header: list[str]
    cells: list[str]
    raw: list[str] = field(default_factory=list)  # the cells as written

    def column(self, word: str) -> str:
        """The cell under the first header that contains `word`."""
        for index, title in enumerate(self.header):
            if word in title.casefold() and index < len(self.cells):
                return self.cells[index]
        return ""

    def where(self) -> dict:
        return {"path": self.path, "line": self.line}


@dataclass
class Requirement:
    id: str
    path: str
    line: int
    text: str = ""
    verified_in: list[dict] = field(default_factory=list)
    monitored_in: list[dict] = field(default_factory=list)

    @property
    def result(self) -> str:
        """pass, fail or waived; empty when no row gives a result."""
        results = [v["result"] for v in self.verified_in]
        return min(results, key=SEVERITY.index) if results else ""

    @property
    def method(self) -> str:
        return "; ".join(dict.fromkeys(v["method"] for v in self.verified_in if v["method"]))

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "path": self.path,
            "line": self.line,
            "text": self.text,
            "method": self.method,
            "result": self.result or None,
            "verified_in": self.verified_in,
            "monitored_in": self.monitored_in,
        }


@dataclass
class Traceability:
    requirements: list[Requirement] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)
    enforced: bool = False
    validation_status: str = ""

    def count(self, result: str) -> int:
        return sum(1 for r in self.requirements if r.result == result)

    def as_dict(self) -> dict:
        return {
            "enforced": self.enforced,
            "validation_status": self.validation_status or None,
            "requirements": [r.as_dict() for r in self.requirements],
            "problems": [p.as_dict() for p in self.findings],
        }


# --- reading tables ------------------------------------------------------------------


def plain(cell: str) -> str:
    """A cell's text without emphasis marks and spare spaces."""
    return " ".join(cell.replace("*", "").replace("_", " ").split())


def split_row(line: str) -> list[str]:
    return [plain(c) for c in CELL_SPLIT.split(line.strip().strip("|"))]


def table_rows(root: Path, doc: Document) -> list[Row]:
    """The body rows (not header, not rule) of every table in a document."""
    path = root / doc.path
    if not is_inside(path, root):
        return []
    try:
        parts = split_front_matter(read_text(path))
    except (OSError, UnicodeDecodeError):
        return []
    if parts is None:
        return []
    _, body, first = parts
    lines = strip_code(body).split("\n")
    rows, header = [], []
    for index, line in enumerate(lines):
        if not line.strip().startswith("|"):
            header = []
            continue
        cells = line.strip().strip("|").split("|")
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if all(TABLE_RULE.fullmatch(c) for c in cells):
            continue
        if following.strip().startswith("|") and all(
            TABLE_RULE.fullmatch(c) for c in following.strip().strip("|").split("|")
        ):
            header = [c.casefold() for c in split_row(line)]
            continue
        raw = [c.strip() for c in CELL_SPLIT.split(line.strip().strip("|"))]
        rows.append(Row(doc.path, first + index, header, split_row(line), raw))
    return rows


def id_pattern(prefix: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(prefix)}\d+(?!\d)")


def result_of(row: Row) -> str:
    for cell in row.cells[1:]:
        match = RESULT.match(cell)
        if match:
            return match.group(1).lower()
    return ""


# --- the trace -----------------------------------------------------------------------


def documents_of(documents: list[Document], kind: str) -> list[Document]:
    return [doc for doc in documents if doc.document == kind]


def define(rows: list[Row], ids: re.Pattern) -> tuple[dict[str, Requirement], list[Problem]]:
    """Requirements by ID, from rows whose first cell is an ID."""
    defined: dict[str, Requirement] = {}
    problems = []
    for row in rows:
        if not row.cells or not ids.fullmatch(row.cells[0]):
            continue
        key = row.cells[0]
        if key in defined:
            first = defined[key]
            message = f"{key} is defined twice (first in {first.path}:{first.line})"
            problems.append(Problem(row.path, row.line, message))
            continue
        text = row.cells[1] if len(row.cells) > 1 else ""
        defined[key] = Requirement(key, row.path, row.line, text)
    return defined, problems


def threshold_problems(project: Project, row: Row, result: str) -> list[Problem]:
    """A row that cites evidence and states a threshold
    (`[0.87](evidence:eval#test.accuracy) ≥ 0.85`) is checked against the
    source's value (the cited one when the source cannot be read): a stated
    pass against a value that misses its threshold is reported."""
    if result != "pass":
        return []
    problems = []
    for cell in row.raw:
        for match in THRESHOLD.finditer(cell):
            citation = evidence.citations(match["cited"])[0]
            finding = evidence.examine(project, citation)
            value = finding.value if finding.value is not None else citation.text
            number = evidence.number_of(value)
            limit = evidence.number_of(match["limit"])
            if number is None or limit is None or COMPARE[match["op"]](number, limit):
                continue
            key = row.cells[0] if row.cells else "the row"
            message = (
                f"{key} states pass, but {citation.target} is {evidence.shown_value(value)}, "
                f"not {match['op']} {match['limit']}"
            )
            problems.append(Problem(row.path, row.line, message))
    return problems


def verify(
    rows: list[Row], ids: re.Pattern, defined: dict[str, Requirement], project: Project
) -> list[Problem]:
    """Record each V&V row against the requirements its first cell names;
    report IDs anywhere in the rows that no requirement defines, and stated
    passes that cited evidence contradicts."""
    problems = []
    for row in rows:
        problems += threshold_problems(project, row, result_of(row))
        for key in dict.fromkeys(k for cell in row.cells for k in ids.findall(cell)):
            if key not in defined:
                message = f"{key} is not a requirement: no requirements table row starts with it"
                problems.append(Problem(row.path, row.line, message))
        if not row.cells:
            continue
        result = result_of(row)
        for key in dict.fromkeys(ids.findall(row.cells[0])):
            if key in defined:
                method = row.column("method")
                defined[key].verified_in.append({**row.where(), "method": method, "result": result})
    return problems


def monitor(rows: list[Row], ids: re.Pattern, defined: dict[str, Requirement]) -> None:
    for row in rows:
        signal = " — ".join(cell for cell in row.cells[:2] if cell)
        for key in dict.fromkeys(k for cell in row.cells for k in ids.findall(cell)):
            if key in defined:
                defined[key].monitored_in.append({**row.where(), "signal": signal})


def unmet(requirement: Requirement, validation: list[Document]) -> Problem | None:
    """Why a requirement is not traced to a passing (or waived) verification."""
    if requirement.result == "fail":
        row = next(v for v in requirement.verified_in if v["result"] == "fail")
        return Problem(row["path"], row["line"], f"{requirement.id} failed verification")
    if requirement.result:
        return None
    if requirement.verified_in:
        row = requirement.verified_in[0]
        message = f"{requirement.id} has no result: write pass, fail or waived in its row"
        return Problem(row["path"], row["line"], message)
    where = validation[0].path if validation else "a V&V report (none found)"
    message = f"{requirement.id} is not verified: no table row of {where} names it with a result"
    return Problem(requirement.path, requirement.line, message)


def trace_requirements(
    project: Project, documents: list[Document], require_traced: bool = False
) -> Traceability:
    ids = id_pattern(project.requirement_prefix)
    root = project.root

    def rows(kind: str) -> list[Row]:
        return [row for doc in documents_of(documents, kind) for row in table_rows(root, doc)]

    defined, findings = define(rows(REQUIREMENTS_DOCUMENT), ids)
    findings += verify(rows(VALIDATION_DOCUMENT), ids, defined, project)
    monitor(rows(MONITORING_DOCUMENT), ids, defined)
    validation = documents_of(documents, VALIDATION_DOCUMENT)
    findings += [p for r in defined.values() if (p := unmet(r, validation)) is not None]
    findings.sort(key=lambda p: (p.path, p.line or 0))
    status = next((d.status for d in validation if d.status in FINISHED), "")
    status = status or (validation[0].status if validation else "")
    enforced = require_traced or status in FINISHED
    return Traceability(list(defined.values()), findings, enforced, status)
