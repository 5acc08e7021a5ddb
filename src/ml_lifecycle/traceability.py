"""Requirement traceability: from each requirement to its verification and to
the monitoring signals that watch it.

- A requirement is defined in a requirements document wherever the stub
  teaches it: an ID (the prefix, `REQ-` unless `lifecycle.yml` sets
  `requirement_prefix`, then digits) as the first cell of a table row, at
  the start of a list item, or opening a line followed by a colon
  ("REQ-040: ..."). Its text keeps its inline code.
- It is verified by a table row of the V&V report whose first cell names it
  and another cell holds a result: pass, fail or waived, in any case. Several
  rows for one requirement count as the worst of their results.
- A row that cites evidence and states a threshold for it
  (`[0.87](evidence:eval#test.accuracy) ≥ 0.85`) has its stated pass
  checked against the evidence; one the evidence contradicts counts as
  "contradicted", never as passed.
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

from ml_lifecycle.documents import Document
from ml_lifecycle.evidence.findings import examine
from ml_lifecycle.evidence.values import number_of, shown_value
from ml_lifecycle.markdown_model import Part, Row, plain
from ml_lifecycle.problem import Problem
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import (
    FINISHED,
    MONITORING_DOCUMENT,
    REQUIREMENTS_DOCUMENT,
    RESULTS,
    VALIDATION_DOCUMENT,
)

RESULT = re.compile(rf"({'|'.join(RESULTS)})\b", re.IGNORECASE)
# The threshold a row states after a cited value, in its plain text: "≥ 0.85".
THRESHOLD = re.compile(r"\s*(?P<op>≥|>=|>|≤|<=|<|=)\s*(?P<limit>[-+]?\d[\d,]*(?:\.\d+)?)")
COMPARE = {
    "≥": operator.ge,
    ">=": operator.ge,
    ">": operator.gt,
    "≤": operator.le,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
}
# What may follow an ID that opens a list item; a line needs the colon.
ITEM_SEPARATORS = (":", "\N{EM DASH}", "\N{EN DASH}", "-", ".", " ")
# A stated pass that the cited evidence contradicts counts as this, never as
# a pass (its problem says why).
CONTRADICTED = "contradicted"
# Worst first: the result a requirement gets from several rows.
SEVERITY = ("fail", CONTRADICTED, "", "waived", "pass")


@dataclass
class TracedRow:
    """A table row of a document, with its cells as plain text."""

    path: str
    row: Row
    citations: list = field(default_factory=list)  # those on its line

    @property
    def line(self) -> int:
        return self.row.line

    @property
    def cells(self) -> list[str]:
        return self.row.texts

    def column(self, word: str) -> str:
        """The cell under the first header that contains `word`."""
        for index, title in enumerate(self.row.header):
            if word in title and index < len(self.cells):
                return self.cells[index]
        return ""

    def where(self) -> dict:
        return {"path": self.path, "line": self.line}


@dataclass
class Requirement:
    id: str
    path: str
    line: int
    parts: tuple[Part, ...] = ()  # its text, inline code kept
    verified_in: list[dict] = field(default_factory=list)
    monitored_in: list[dict] = field(default_factory=list)

    @property
    def result(self) -> str:
        """pass, fail or waived; empty when no row gives a result."""
        results = [v["result"] for v in self.verified_in]
        return min(results, key=SEVERITY.index) if results else ""

    @property
    def text(self) -> str:
        return plain(self.parts)

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


def table_rows(doc: Document) -> list[TracedRow]:
    """The body rows (not header, not rule) of every table in a document."""
    if doc.page is None:
        return []
    by_line: dict[int, list] = {}
    for citation in doc.page.citations:
        by_line.setdefault(citation.line, []).append(citation)
    return [
        TracedRow(doc.path, row, by_line.get(row.line, []))
        for table in doc.page.tables
        for row in table.rows
    ]


def id_pattern(prefix: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(prefix)}\d+(?!\d)")


def without_lead(parts: tuple[Part, ...], length: int) -> tuple[Part, ...]:
    """Inline parts without their first `length` characters, and the
    separator and spaces after them."""
    out, skip = [], length
    for part in parts:
        if skip >= len(part.text):
            skip -= len(part.text)
            continue
        out.append(Part(part.kind, part.text[skip:]))
        skip = 0
    if out and out[0].kind == "text":
        first = out[0].text.lstrip().lstrip(":\N{EM DASH}\N{EN DASH}-.").lstrip()
        out[0] = Part("text", first)
    return tuple(part for part in out if part.text)


def result_of(row: TracedRow) -> str:
    for cell in row.cells[1:]:
        match = RESULT.match(cell)
        if match:
            return match.group(1).lower()
    return ""


# --- the trace -----------------------------------------------------------------------


def documents_of(documents: list[Document], kind: str) -> list[Document]:
    return [doc for doc in documents if doc.document == kind]


def definitions(doc: Document, ids: re.Pattern) -> list[tuple[str, int, tuple[Part, ...]]]:
    """(ID, file line, text) of each requirement a document defines, in
    file order: table rows, list items and "REQ-040: ..." lines."""
    found = []
    for row in table_rows(doc):
        cells = row.row.cells
        if cells and ids.fullmatch(plain(cells[0])):
            found.append((plain(cells[0]), row.line, cells[1] if len(cells) > 1 else ()))
    for statement in doc.page.statements if doc.page else []:
        if ids.search(statement.raw) is None:
            continue  # most lines: no need to read their inline markup
        text = "".join(part.text for part in statement.parts).lstrip(" *_")
        match = ids.match(text)
        if match is None:
            continue
        rest = text[match.end() :].lstrip("*_")
        separators = ITEM_SEPARATORS if statement.in_list else (":",)
        if (rest == "" and statement.in_list) or rest.startswith(separators):
            lead = len("".join(p.text for p in statement.parts)) - len(rest)
            found.append((match.group(0), statement.line, without_lead(statement.parts, lead)))
    return sorted(found, key=lambda item: item[1])


def define(
    documents: list[Document], ids: re.Pattern
) -> tuple[dict[str, Requirement], list[Problem]]:
    """Requirements by ID, from every requirements document."""
    defined: dict[str, Requirement] = {}
    problems = []
    for doc in documents:
        for key, line, parts in definitions(doc, ids):
            if key in defined:
                first = defined[key]
                message = f"{key} is defined twice (first in {first.path}:{first.line})"
                problems.append(Problem(doc.path, line, message))
                continue
            defined[key] = Requirement(key, doc.path, line, parts)
    return defined, problems


def threshold_problems(project: Project, row: TracedRow, result: str) -> list[Problem]:
    """A row that cites evidence and states a threshold for it
    (`[0.87](evidence:eval#test.accuracy) ≥ 0.85`) is checked against the
    source's value (the cited one when the source cannot be read): a stated
    pass against a value that misses its threshold is reported."""
    if result != "pass":
        return []
    problems = []
    for citation in row.citations:
        stated = stated_threshold(row.cells, citation.text)
        if stated is None:
            continue
        op, limit_text = stated
        finding = examine(project, citation)
        value = finding.value if finding.value is not None else citation.text
        number, limit = number_of(value), number_of(limit_text)
        if number is None or limit is None or COMPARE[op](number, limit):
            continue
        key = row.cells[0] if row.cells else "the row"
        message = (
            f"{key} states pass, but {citation.target} is {shown_value(value)}, "
            f"not {op} {limit_text}"
        )
        problems.append(Problem(row.path, row.line, message))
    return problems


def stated_threshold(cells: list[str], value: str) -> tuple[str, str] | None:
    """(operator, limit) written right after a cited value in a cell."""
    for cell in cells:
        at = cell.find(value.strip())
        if at >= 0 and (match := THRESHOLD.match(cell, at + len(value.strip()))):
            return match["op"], match["limit"]
    return None


def verify(
    rows: list[TracedRow], ids: re.Pattern, defined: dict[str, Requirement], project: Project
) -> list[Problem]:
    """Record each V&V row against the requirements its first cell names;
    report IDs anywhere in the rows that no requirement defines, and stated
    passes that cited evidence contradicts."""
    problems = []
    for row in rows:
        contradicted = threshold_problems(project, row, result_of(row))
        problems += contradicted
        for key in dict.fromkeys(k for cell in row.cells for k in ids.findall(cell)):
            if key not in defined:
                message = f"{key} is not a requirement: no requirements document defines it"
                problems.append(Problem(row.path, row.line, message))
        if not row.cells:
            continue
        result = CONTRADICTED if contradicted else result_of(row)
        for key in dict.fromkeys(ids.findall(row.cells[0])):
            if key in defined:
                method = row.column("method")
                defined[key].verified_in.append({**row.where(), "method": method, "result": result})
    return problems


def monitor(rows: list[TracedRow], ids: re.Pattern, defined: dict[str, Requirement]) -> None:
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
        return None  # a contradicted pass: its row's problem says why
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

    def rows(kind: str) -> list[TracedRow]:
        return [row for doc in documents_of(documents, kind) for row in table_rows(doc)]

    defined, findings = define(documents_of(documents, REQUIREMENTS_DOCUMENT), ids)
    findings += verify(rows(VALIDATION_DOCUMENT), ids, defined, project)
    monitor(rows(MONITORING_DOCUMENT), ids, defined)
    validation = documents_of(documents, VALIDATION_DOCUMENT)
    findings += [p for r in defined.values() if (p := unmet(r, validation)) is not None]
    findings.sort(key=lambda p: (p.path, p.line or 0))
    status = next((d.status for d in validation if d.status in FINISHED), "")
    status = status or (validation[0].status if validation else "")
    enforced = require_traced or status in FINISHED
    return Traceability(list(defined.values()), findings, enforced, status)
