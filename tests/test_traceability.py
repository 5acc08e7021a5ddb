"""Requirement traceability on baked projects: requirements defined in the
requirements tables, verified in the V&V report's rows, cited by the
monitoring plan; what `check` reports and when it fails; the derived page."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import BakedProject, add_setting, filled

REQUIREMENTS = "docs/02-requirements/requirements.md"
VALIDATION = "docs/05-validation/validation-report.md"
MONITORING = "docs/08-monitoring/monitoring-plan.md"
TODAY = "2026-06-01"

REQUIREMENT_ROWS = (
    "| REQ-001 | Route each email within 60 s | must | Charter |\n"
    "| **REQ-002** | Flag urgent emails with the reason (`safety-rule` or `model`) | must "
    "| Incident review |\n"
    "| REQ-003 | Explain each suggestion | should | Agents |\n"
)
VALIDATION_ROWS = (
    "| REQ-001 | Test | Replay | p95 19 s | PASS | `evidence/replay.html` |\n"
    "| REQ-002 | Test | Test set | Recall 0.91 | fail | same as REQ-001 |\n"
    "| REQ-099 | Analysis | Cost model | €640 | Waived | `cost.md` |\n"
)
MONITORING_ROW = "| Model quality | Macro-F1 | < 0.80 (REQ-001) | Weekly | ML lead | Retrain |"


@pytest.fixture
def traced(baked, tmp_path):
    """A default bake whose requirements, V&V report and monitoring plan hold
    rows with requirement IDs."""
    target = tmp_path / "project"
    shutil.copytree(baked().path, target)
    project = BakedProject(target)
    project.replace(
        REQUIREMENTS, "| ==TODO== |             |          |        |\n", REQUIREMENT_ROWS
    )
    project.replace(
        VALIDATION,
        "| ==TODO==    |        |           |        |             |          |\n",
        VALIDATION_ROWS,
    )
    project.replace(
        MONITORING,
        "| Model quality        | ==TODO== |           |         |       |        |",
        MONITORING_ROW,
    )
    return project


def check(project: BakedProject, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "ml_lifecycle", "check", "--today", TODAY, *args]
    return project.run(*command, timeout=120)


def line_of(project: BakedProject, document: str, start: str) -> int:
    lines = project.read(document).splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


def expected_findings(project: BakedProject) -> list[str]:
    return [
        f"{REQUIREMENTS}:{line_of(project, REQUIREMENTS, '| REQ-003')}: REQ-003 is not "
        f"verified: no table row of {VALIDATION} names it with a result",
        f"{VALIDATION}:{line_of(project, VALIDATION, '| REQ-002')}: REQ-002 failed verification",
        f"{VALIDATION}:{line_of(project, VALIDATION, '| REQ-099')}: REQ-099 is not a "
        "requirement: no requirements document defines it",
    ]


def problem_lines(result: subprocess.CompletedProcess) -> list[str]:
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"\d+ problems?:", line))
    return lines[start + 1 :]


def test_a_fresh_bake_has_nothing_to_trace(default_project):
    result = check(default_project)
    assert result.returncode == 0
    assert "Requirements:" not in result.stdout
    trace = json.loads(check(default_project, "--json").stdout)["traceability"]
    assert trace["requirements"] == [] and trace["problems"] == []


def test_findings_are_listed_but_do_not_fail_while_the_report_is_a_draft(traced):
    result = check(traced)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert "Requirements: 3, 1 passed, 0 waived, 1 failed, 1 without a result." in lines
    at = lines.index("Not failing yet (the V&V report is draft; --require-traced enforces these):")
    assert lines[at + 1 : at + 4] == [f"  {line}" for line in expected_findings(traced)]
    assert lines[-1] == "No problems."


def test_require_traced_fails_on_unverified_failed_and_unknown_ids(traced):
    result = check(traced, "--require-traced")
    assert result.returncode == 1
    assert problem_lines(result) == expected_findings(traced)


def test_a_report_in_review_enforces_the_trace(traced):
    path = traced.path / VALIDATION
    text = filled(path.read_text(encoding="utf-8"), "Done.")
    path.write_text(text.replace("  status: draft", "  status: in-review", 1), encoding="utf-8")
    result = check(traced)
    assert result.returncode == 1
    assert problem_lines(result) == expected_findings(traced)


def test_json_has_every_requirement_with_its_method_result_and_signals(traced):
    result = check(traced, "--json")
    assert result.returncode == 0
    trace = json.loads(result.stdout)["traceability"]
    assert trace["enforced"] is False and trace["validation_status"] == "draft"
    by_id = {r["id"]: r for r in trace["requirements"]}
    assert list(by_id) == ["REQ-001", "REQ-002", "REQ-003"]
    first = by_id["REQ-001"]
    assert first["path"] == REQUIREMENTS and first["text"] == "Route each email within 60 s"
    assert first["method"] == "Test" and first["result"] == "pass"
    assert first["verified_in"] == [
        {
            "path": VALIDATION,
            "line": line_of(traced, VALIDATION, "| REQ-001"),
            "method": "Test",
            "result": "pass",
        }
    ]
    assert [m["signal"] for m in first["monitored_in"]] == ["Model quality — Macro-F1"]
    assert by_id["REQ-002"]["result"] == "fail" and by_id["REQ-003"]["result"] is None
    messages = [f"{p['path']}:{p['line']}: {p['message']}" for p in trace["problems"]]
    assert messages == expected_findings(traced)
    enforced = json.loads(check(traced, "--json", "--require-traced").stdout)
    assert enforced["ok"] is False and enforced["traceability"]["enforced"] is True


def test_passing_and_waived_requirements_trace_cleanly(traced):
    traced.replace(VALIDATION, "| Recall 0.91 | fail |", "| Recall 0.91 | waived |")
    traced.replace(VALIDATION, "| REQ-099 |", "| REQ-003 |")
    result = check(traced, "--require-traced")
    assert result.returncode == 0, result.stdout
    assert "Requirements: 3, 1 passed, 2 waived, 0 failed, 0 without a result." in result.stdout


def test_a_row_without_a_result_is_named(traced):
    traced.replace(VALIDATION, "| p95 19 s | PASS |", "| p95 19 s | to do |")
    line = line_of(traced, VALIDATION, "| REQ-001")
    lines = problem_lines(check(traced, "--require-traced"))
    assert (
        f"{VALIDATION}:{line}: REQ-001 has no result: write pass, fail or waived in its row"
        in lines
    )


def test_the_prefix_comes_from_lifecycle_yml(traced):
    add_setting(traced, "requirement_prefix: SR-")
    assert check(traced, "--require-traced").returncode == 0
    trace = json.loads(check(traced, "--json").stdout)["traceability"]
    assert trace["requirements"] == []
    traced.replace(REQUIREMENTS, "| REQ-003 |", "| SR-7 |")
    result = check(traced, "--require-traced")
    line = line_of(traced, REQUIREMENTS, "| SR-7")
    assert problem_lines(result) == [
        f"{REQUIREMENTS}:{line}: SR-7 is not verified: no table row of {VALIDATION} "
        "names it with a result"
    ]


@pytest.mark.slow
def test_the_site_has_a_traceability_page(traced):
    site = traced.build()
    page = (site / "traceability" / "index.html").read_text(encoding="utf-8")
    rows = {
        cells[0]: cells
        for cells in (
            [
                html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<td>(.*?)</td>", row, re.S)
            ]
            for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        )
        if cells
    }
    assert set(rows) == {"REQ-001", "REQ-002", "REQ-003"}
    assert rows["REQ-001"][1:4] == ["Route each email within 60 s", "Test", "pass"]
    assert "Model quality — Macro-F1" in rows["REQ-001"][4]
    assert rows["REQ-002"][3] == "fail" and rows["REQ-003"][3] == "not verified"
    # Inline code in a requirement's text reaches the page as code.
    assert rows["REQ-002"][1] == "Flag urgent emails with the reason (safety-rule or model)"
    assert "(<code>safety-rule</code> or <code>model</code>)" in page
    assert "REQ-099" in page, "the unknown ID is listed among the findings"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="traceability/"' in index, "the page is in the navigation"
