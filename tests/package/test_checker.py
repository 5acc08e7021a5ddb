"""The checker in-process (rules.check_project) on tiny projects."""

from __future__ import annotations

from datetime import date

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
