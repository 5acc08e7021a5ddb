"""The checker in-process (rules.check_project) on tiny projects."""

from __future__ import annotations

from datetime import date

import pytest

from ml_lifecycle import limits
from ml_lifecycle.rules import check_project

from .tiny_projects import doc_path, document, make_project

TODAY = date(2026, 6, 1)
MONITORING = """\
# Monitoring plan

| Signal | Metric | Threshold |
| --- | --- | --- |
| Model quality | ==TODO== | |
| Input drift | | |
| Prediction drift | | |
"""


def test_rows_left_empty_are_unfilled_and_fail_a_document_in_review(tmp_path):
    text = document("monitoring", MONITORING.replace("==TODO==", "Macro-F1"), status="in-review")
    root = make_project(tmp_path, {"monitoring": text})
    report = check_project(root, TODAY)
    doc = next(d for d in report.documents if d.phase == "monitoring")
    assert doc.unfilled == 2
    first = text.split("\n").index("| Input drift | | |") + 1
    message = f"{doc_path('monitoring')}:{first}: in-review but 2 prompts are still unfilled"
    assert [str(p) for p in report.problems] == [f"{message} (==TODO==)"]


def test_the_template_example_row_counts_until_replaced(tmp_path):
    log = "# Iteration log\n\n| Date | Why |\n| --- | --- |\n| *2026-04-20 (example)* | *x* |\n"
    root = make_project(tmp_path, **{"docs/iteration-log.md": log})
    assert check_project(root, TODAY).pages == {"docs/iteration-log.md": 1}
    replaced = log.replace("*2026-04-20 (example)* | *x*", "2026-05-02 | retrained")
    (root / "docs/iteration-log.md").write_text(replaced, encoding="utf-8")
    assert check_project(root, TODAY).pages == {}


def test_a_command_reads_each_file_once(tmp_path, monkeypatch):
    from ml_lifecycle import limits

    root = make_project(tmp_path)
    reads: list[str] = []
    original = limits.read_bytes
    monkeypatch.setattr(
        limits,
        "read_bytes",
        lambda path, *a, **k: reads.append(path.name) or original(path, *a, **k),
    )
    report = check_project(root, TODAY)
    assert sorted(reads) == sorted(
        ["lifecycle.yml", *(d.path.split("/")[-1] for d in report.documents)]
    )
    assert all(doc.page is not None for doc in report.documents)


def test_thousands_of_required_sections_are_checked_in_one_pass(tmp_path):
    sections = [f"S{n}" for n in range(2_400)]  # 9,600 lines: under the limit
    body = "# Big\n\n" + "".join(f"## {s}\n\nN/A\n\n" for s in sections)
    listed = "[" + ", ".join(sections) + "]"
    text = document("monitoring", body, status="in-review", required_sections=listed)
    root = make_project(tmp_path, {"monitoring": text})
    report = check_project(root, TODAY)
    doc = next(d for d in report.documents if d.phase == "monitoring")
    assert sum("has no answer" in p.message for p in doc.problems) == len(sections)


def test_forty_thousand_sections_are_refused_in_one_line(tmp_path):
    body = "# Big\n\n" + "".join(f"## S{n}\n\nN/A\n\n" for n in range(40_000))
    root = make_project(tmp_path, {"monitoring": document("monitoring", body)})
    problems = check_project(root, TODAY).problems
    assert [p.message for p in problems] == [
        f"has 160,013 lines, over the {limits.MAX_MARKDOWN_LINES:,}-line limit: not read"
    ]
    assert problems[0].refused


CONFLICT = "<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n"


def test_conflict_markers_in_lifecycle_yml_are_named_not_parsed(tmp_path):
    from .tiny_projects import LIFECYCLE_YML

    root = make_project(tmp_path)
    ours = "  deployment: Deployment\n"
    merged = LIFECYCLE_YML.replace(ours, CONFLICT.format(ours=ours, theirs="  deployment: Run\n"))
    (root / "lifecycle.yml").write_text(merged, encoding="utf-8")
    line = merged.splitlines().index("<<<<<<< ours") + 1
    problems = [str(p) for p in check_project(root, TODAY).problems]
    assert f"lifecycle.yml:{line}: merge-conflict markers" in "\n".join(problems)
    assert not any("not valid YAML" in problem for problem in problems)


def test_conflict_markers_that_yaml_reads_as_text_are_still_reported(tmp_path):
    root = make_project(tmp_path)
    text = (root / "lifecycle.yml").read_text(encoding="utf-8")
    # Inside a quoted string the markers are text to YAML, and the file parses.
    marked = text.replace(
        "stages:\n",
        'notes: "a\n' + CONFLICT.format(ours="b\n", theirs="c\n") + '"\nstages:\n',
    )
    (root / "lifecycle.yml").write_text(marked, encoding="utf-8")
    problems = [str(p) for p in check_project(root, TODAY).problems]
    assert any(p.startswith("lifecycle.yml:") and "merge-conflict" in p for p in problems)


def test_conflict_markers_in_mkdocs_yml_are_reported_and_missing_files_are_not(tmp_path):
    root = make_project(tmp_path)
    assert check_project(root, TODAY).problems == []  # no mkdocs.yml, no LICENSE.md
    mkdocs = "site_name: X\n" + CONFLICT.format(ours="theme: a\n", theirs="theme: b\n")
    (root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
    assert [str(p) for p in check_project(root, TODAY).problems] == [
        "mkdocs.yml:2: merge-conflict markers (<<<<<<<, =======, >>>>>>>) are left in the file: "
        "keep the right text, delete the markers"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "requirements-lifecycle.txt",
        "requirements-docs.txt",
        ".github/workflows/pages.yml",
        ".gitlab-ci.yml",
        ".lifecycle-template.yml",
    ],
)
def test_conflict_markers_in_every_file_an_update_merges_are_reported(tmp_path, name):
    conflict = CONFLICT.format(ours="a\n", theirs="b\n")
    root = make_project(tmp_path, **{name: "# merged\n" + conflict})
    problems = [str(p) for p in check_project(root, TODAY).problems]
    assert f"{name}:2: merge-conflict markers" in "\n".join(problems)


def test_markers_shown_in_a_markdown_file_beside_docs_are_not_a_conflict(tmp_path):
    shown = "# Licence\n\n```text\n" + CONFLICT.format(ours="a\n", theirs="b\n") + "```\n"
    root = make_project(tmp_path, **{"LICENSE.md": shown})
    assert check_project(root, TODAY).problems == []


def test_a_section_the_template_gave_is_missed_once(tmp_path):
    """.lifecycle-template.yml lists each document's sections: one lost in an
    update is reported (case and spacing aside); one the document requires
    is reported by the required-section rule only."""
    sections = "sections:\n  {path}:\n    - Scope\n    - Intended  USE\n    - Risks\n"
    body = "# Monitoring\n\n## Scope\n\nText.\n\n## intended use\n\nText.\n"
    text = document("monitoring", body, required_sections="[Risks]")
    root = make_project(
        tmp_path,
        {"monitoring": text},
        **{".lifecycle-template.yml": sections.format(path=doc_path("monitoring"))},
    )
    messages = [p.message for p in check_project(root, TODAY).problems]
    assert len(messages) == 1 and messages[0].startswith("required section 'Risks' is missing")
    (root / doc_path("monitoring")).write_text(text.replace("## Scope", "## Aims"), "utf-8")
    messages = [p.message for p in check_project(root, TODAY).problems]
    assert any(m.startswith("lacks 1 section the template gives it ('Scope')") for m in messages)
