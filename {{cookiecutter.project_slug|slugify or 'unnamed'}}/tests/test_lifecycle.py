"""Tests of the lifecycle checker (tools/lifecycle.py) and of the strict site build.

The rule tests use a small sample project written into a temporary folder, so
they pass whatever state this project's own documents are in. `make check`
checks the real documents.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, TODAY, checker

DOC = "docs/01-problem-definition/problem-definition.md"
REQ = "docs/02-requirements/requirements.md"


def messages(report, path: str | None = None) -> list[str]:
    return [p.message for p in report.problems if path is None or p.path == path]


def run_checker(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ROOT / "tools" / "lifecycle.py"), "check", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


# --- the rules -------------------------------------------------------------


def test_drafts_with_unfilled_prompts_pass(sample):
    report = sample.check()
    assert report.ok, messages(report)
    assert [d.status for d in report.documents] == ["draft", "draft"]
    assert [d.unfilled for d in report.documents] == [1, 1]


@pytest.mark.parametrize("status", ["in-review", "approved"])
def test_unfilled_prompts_fail_once_in_review_or_approved(sample, status):
    sample.write(DOC, status=status, owner="Ops", last_reviewed="2026-05-01")
    assert messages(sample.check(), DOC) == [f"{status} but 1 prompt is still unfilled (==TODO==)"]


def test_filled_approved_document_passes(sample):
    sample.approve(DOC)
    report = sample.check()
    assert report.ok, messages(report)
    assert report.documents[0].next_review.isoformat() == "2026-10-28"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"owner": "''"}, "approved but has no owner"),
        ({"last_reviewed": "null"}, "approved but last_reviewed is not set"),
    ],
)
def test_approved_needs_owner_and_review_date(sample, fields, expected):
    sample.approve(DOC, **fields)
    assert messages(sample.check(), DOC) == [expected]


def test_overdue_review_fails_and_due_today_passes(sample):
    sample.approve(DOC, last_reviewed="2025-12-03")  # + 180 days = 2026-06-01
    assert sample.check().ok
    sample.approve(DOC, last_reviewed="2025-12-02")
    [problem] = messages(sample.check(), DOC)
    assert problem.startswith("review overdue: last reviewed 2025-12-02, due 2026-05-31")


@pytest.mark.parametrize("performer", ["third-party", "automated"])
def test_outside_performer_needs_a_provider(sample, performer):
    sample.write(DOC, performed_by=performer)
    assert messages(sample.check(), DOC) == [
        f"performed_by is {performer} but no provider is named"
    ]
    sample.write(DOC, performed_by=performer, provider="Acme Labelling Ltd")
    assert sample.check().ok


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"status": "done"}, "status 'done' is not one of"),
        ({"phase": "testing"}, "phase 'testing' is not a phase of this project"),
        ({"phase": "requirements"}, "does not match its folder"),
        ({"performed_by": "vendor"}, "performed_by 'vendor' is not one of"),
        ({"last_reviewed": "2026-02-30"}, "last_reviewed '2026-02-30' is not a date"),
        ({"last_reviewed": "last week"}, "is not a date"),
        ({"last_reviewed": "2026-07-01"}, "is later than today"),
        ({"review_interval_days": 0}, "review_interval_days 0 is not a whole number"),
        ({"reviewer": "Sam"}, "unknown field 'reviewer'"),
    ],
)
def test_invalid_values_are_reported(sample, fields, expected):
    sample.write(DOC, **fields)
    found = messages(sample.check(), DOC)
    assert any(expected in message for message in found), found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nlifecycle: [unclosed\n---\n# Title\n", "front matter is not valid YAML"),
        ("# No front matter\n", "front matter is missing"),
        ("---\ntitle: x\n# never closed\n", "front matter is never closed"),
        ("---\ntitle: x\n---\n# Title\n", "front matter has no `lifecycle:` block"),
    ],
)
def test_malformed_front_matter_is_one_clear_line(sample, text, expected):
    (sample.root / DOC).write_text(text, encoding="utf-8")
    report = sample.check()
    [problem] = [p for p in report.problems if p.path == DOC]
    assert expected in problem.message
    assert problem.line is not None
    result = run_checker("--root", str(sample.root))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{DOC}:{problem.line}: {problem.message}" in result.stdout


def test_phase_without_document_fails(sample):
    (sample.root / REQ).unlink()
    found = messages(sample.check())
    assert "phase 2 (requirements) has no document in docs/02-requirements/" in found


def test_listed_document_that_is_missing_fails(sample):
    sample.write("docs/02-requirements/glossary.md", phase="requirements")
    (sample.root / REQ).unlink()
    assert messages(sample.check(), REQ) == ["listed in lifecycle.yml but missing"]


def test_markers_in_code_do_not_count(sample):
    sample.write(DOC, answer="Write `==TODO==` where an answer is missing.")
    assert sample.check().documents[0].unfilled == 0


# --- required sections (high-risk projects) ------------------------------------


def test_missing_required_section_fails_at_any_status(sample):
    sample.write(DOC, required_sections="['Purpose', 'Risks']")
    assert messages(sample.check(), DOC) == [
        "required section 'Risks' is missing: add a '## Risks' heading"
    ]


@pytest.mark.parametrize("answer", ["N/A", "Not applicable.", "", "*n/a*"])
def test_required_section_without_answer_fails_on_approval(sample, answer):
    sample.approve(DOC, required_sections="['Purpose']")
    path = sample.root / DOC
    path.write_text(path.read_text().replace("Tickets wait nine hours for routing.", answer))
    assert messages(sample.check(), DOC) == [
        "approved but required section 'Purpose' has no answer (empty, or only N/A)"
    ]


def test_required_section_with_answer_passes(sample):
    sample.approve(DOC, required_sections="['Purpose']")
    assert sample.check().ok


# --- release gate -------------------------------------------------------------


def test_release_gate_requires_chosen_phases_approved(sample):
    sample.approve(DOC)
    report = sample.check(require_approved=[1, 2])
    assert messages(report) == [
        "release gate: phase 2 must be approved, but this document is draft"
    ]
    assert report.problems[0].path == REQ
    assert sample.check(require_approved=[1]).ok


def test_release_gate_on_the_command_line(sample):
    root = str(sample.root)
    assert run_checker("--root", root, "--require-approved", "1-2").returncode == 1
    bad = run_checker("--root", root, "--require-approved", "1-x")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --require-approved")
    unknown = run_checker("--root", root, "--require-approved", "7")
    assert unknown.returncode == 2 and "no phase 7" in unknown.stderr


# --- command line -------------------------------------------------------------


def test_text_report_lists_every_document(sample):
    result = run_checker("--root", str(sample.root), "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stdout
    assert "No problems." in result.stdout
    assert "problem-definition" in result.stdout and "requirements" in result.stdout


def test_json_report(sample):
    sample.write(DOC, status="approved")
    result = run_checker("--root", str(sample.root), "--json", "--today", TODAY.isoformat())
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["today"] == "2026-06-01"
    first = report["documents"][0]
    assert {k: first[k] for k in ("path", "status", "unfilled", "performed_by")} == {
        "path": DOC,
        "status": "approved",
        "unfilled": 1,
        "performed_by": "in-house",
    }
    assert {p["path"] for p in report["problems"]} == {DOC}


# --- this project -------------------------------------------------------------


def test_the_checker_reads_every_document_of_this_project():
    phases = yaml.safe_load((ROOT / "lifecycle.yml").read_text(encoding="utf-8"))["phases"]
    listed = [
        f"docs/{phase['folder']}/{doc['id']}.md" for phase in phases for doc in phase["documents"]
    ]
    report = checker.check_project(ROOT)
    read = {doc.path: doc for doc in report.documents}
    assert set(listed) <= set(read)
    assert all(read[path].status in checker.STATUSES for path in listed)


def test_site_builds_strict_with_status_table_and_boxes(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr, result.stderr[-3000:]
    overview = (site / "index.html").read_text(encoding="utf-8")
    assert "<!-- lifecycle-status -->" not in overview
    table = overview.split("Status of every document on", 1)[1].split("</table>", 1)[0]
    for doc in checker.check_project(ROOT).documents:
        url = doc.path.removeprefix("docs/").removesuffix(".md")
        assert f'href="{url}/"' in table, f"{doc.path} is not in the status table"
        page = (site / url / "index.html").read_text(encoding="utf-8")
        assert "admonition" in page and "lifecycle-status" in page, f"{url} has no status box"
