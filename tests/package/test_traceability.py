"""Requirement traceability in-process: where requirements are defined, and
what the derived page shows of them."""

from __future__ import annotations

from datetime import date

from ml_lifecycle import derived
from ml_lifecycle.rules import check_project

from .tiny_projects import doc_path, document, make_project

TODAY = date(2026, 6, 1)
REQUIREMENTS = """\
# Requirements

| ID | requirement | priority |
| --- | --- | --- |
| REQ-001 | Route each email within `60 s` | must |

REQ-040: Answers cite `kb/` articles.
REQ-041: Flags urgent emails.

- REQ-050 — Explains each suggestion
- **REQ-051**: Logs every override

> **Which requirements?**
> *Example:* REQ-099: never counted, it is the prompt's example.

A sentence that mentions REQ-060 in passing defines nothing.
"""
VALIDATION = """\
# V&V report

| Requirement | Method | Result |
| --- | --- | --- |
| REQ-001 | Test | pass |
| REQ-040 | Review | waived |
| REQ-041 | Test | fail |
| REQ-050 | Test | pass |
| REQ-051 | Test | pass |
"""


def traced(tmp_path):
    documents = {
        "requirements": document("requirements", REQUIREMENTS),
        "validation": document("validation", VALIDATION),
    }
    return check_project(make_project(tmp_path, documents), TODAY)


def test_requirements_are_defined_in_rows_definition_lines_and_list_items(tmp_path):
    trace = traced(tmp_path).traceability
    by_id = {r.id: r for r in trace.requirements}
    assert list(by_id) == ["REQ-001", "REQ-040", "REQ-041", "REQ-050", "REQ-051"]
    assert by_id["REQ-040"].text == "Answers cite kb/ articles."
    assert by_id["REQ-050"].text == "Explains each suggestion"
    assert by_id["REQ-051"].text == "Logs every override"
    assert [r.result for r in by_id.values()] == ["pass", "waived", "fail", "pass", "pass"]
    text = document("requirements", REQUIREMENTS)
    assert by_id["REQ-041"].line == text.split("\n").index("REQ-041: Flags urgent emails.") + 1
    messages = [f.message for f in trace.findings]
    assert messages == ["REQ-041 failed verification"]


def test_inline_code_survives_into_the_derived_table(tmp_path):
    report = traced(tmp_path)
    page = derived.traceability_page(report, "traceability.md")
    row = next(line for line in page.splitlines() if line.startswith("| [REQ-001]"))
    assert "Route each email within `60 s`" in row
    row = next(line for line in page.splitlines() if line.startswith("| [REQ-040]"))
    assert "Answers cite `kb/` articles." in row


def test_a_requirement_defined_twice_is_reported_at_its_second_place(tmp_path):
    twice = REQUIREMENTS + "\n- REQ-001: again\n"
    documents = {"requirements": document("requirements", twice)}
    report = check_project(make_project(tmp_path, documents), TODAY)
    finding = next(f for f in report.traceability.findings if "defined twice" in f.message)
    assert finding.path == doc_path("requirements")
    assert finding.message.startswith("REQ-001 is defined twice (first in ")
