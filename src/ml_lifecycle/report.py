"""The checker's result and its two renderings: a text table for people and
JSON for programs. The site's tables (plugin.py) reuse the cell texts."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ml_lifecycle.documents import Document
from ml_lifecycle.markdown_model import Page
from ml_lifecycle.problem import Problem
from ml_lifecycle.project import Phase, Project
from ml_lifecycle.traceability import CONTRADICTED, Traceability
from ml_lifecycle.vocabulary import IN_HOUSE, STATUSES


@dataclass
class Report:
    today: date
    project: Project
    documents: list[Document]
    problems: list[Problem]
    require_approved: list[int] = field(default_factory=list)
    # Other pages under docs/ (overview, responsibilities, supplier register...)
    # with unfilled prompts: path -> count. Reported, never a problem.
    pages: dict[str, int] = field(default_factory=dict)
    # Their titles (front matter `title`, else the first H1), for link text.
    page_titles: dict[str, str] = field(default_factory=dict)
    traceability: Traceability = field(default_factory=Traceability)
    # Every page the check read, by project path, in the Markdown model:
    # the exports and the site use these instead of reading again.
    read: dict[str, Page] = field(default_factory=dict, repr=False)

    @property
    def phases(self) -> list[Phase]:
        return self.project.phases

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "ok": self.ok,
            "require_approved": self.require_approved,
            "phases": [
                {"number": p.number, "id": p.id, "folder": p.folder, "title": p.title}
                for p in self.phases
            ],
            "documents": [d.as_dict() for d in self.documents],
            "pages": [{"path": path, "unfilled": n} for path, n in self.pages.items()],
            "traceability": self.traceability.as_dict(),
            "problems": [p.as_dict() for p in self.problems],
        }


def performer(doc: Document, show: Callable[[str], str] = str) -> str:
    """Who performs a document's activity, with the provider when not in-house;
    `show` turns each value into the text wanted (escaped, say)."""
    if doc.performed_by in ("", IN_HOUSE) or not doc.provider:
        return show(doc.performed_by)
    return f"{show(doc.performed_by)} ({show(doc.provider)})"


def next_review_text(doc: Document) -> str:
    if doc.next_review is None:
        return "-"
    return f"{doc.next_review} (overdue)" if doc.overdue else str(doc.next_review)


def table_rows(report: Report) -> list[list[str]]:
    rows = [["Phase", "Document", "Status", "Owner", "Performed by", "Unfilled", "Next review"]]
    for doc in report.documents:
        phase = f"{doc.phase_number} {doc.phase}" if doc.phase_number else doc.phase or "?"
        rows.append(
            [
                phase,
                doc.document or doc.path,
                doc.status or "?",
                doc.owner or "-",
                performer(doc) or "?",
                str(doc.unfilled),
                next_review_text(doc),
            ]
        )
    return rows


def summary_line(report: Report) -> str:
    """How far the record is, in one line: "No problems." alone would read
    as done while drafts still hold their markers."""
    counts = Counter(doc.status or "no status" for doc in report.documents)
    order = [status for status in STATUSES if counts[status]]
    order += sorted(status for status in counts if status not in STATUSES)
    statuses = ", ".join(f"{counts[status]} {status}" for status in order) or "no documents"
    unfilled = sum(doc.unfilled for doc in report.documents) + sum(report.pages.values())
    prompts = "prompt is" if unfilled == 1 else "prompts are"
    return f"Summary: {statuses}; {unfilled} {prompts} still unfilled."


def render_text(report: Report) -> str:
    rows = table_rows(report)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"Lifecycle status on {report.today} ({len(report.documents)} documents)", ""]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.append("")
    if report.pages:
        lines.append("Other pages with unfilled prompts:")
        lines += [f"  {path}: {n}" for path, n in report.pages.items()]
        lines.append("")
    lines += evidence_lines(report.documents)
    lines += traceability_lines(report.traceability)
    if report.require_approved:
        gate = ",".join(str(n) for n in report.require_approved)
        lines.append(f"Release gate: phases {gate} must be approved.")
    lines.append(summary_line(report))
    if report.ok:
        lines.append("No problems.")
    else:
        count = len(report.problems)
        lines.append(f"{count} problem{'s' if count != 1 else ''}:")
        lines += [str(problem) for problem in report.problems]
    return "\n".join(lines)


def traceability_lines(trace: Traceability) -> list[str]:
    """A summary of the requirement trace and, while it does not fail the
    check, its findings as work to do."""
    if not trace.requirements and not trace.findings:
        return []
    counts = [
        f"{trace.count(r)} {label}"
        for r, label in TRACE_LABELS
        if r != CONTRADICTED or trace.count(r)  # said only when it happens
    ]
    unverified = sum(1 for r in trace.requirements if not r.result)
    total = len(trace.requirements)
    lines = [f"Requirements: {total}, {', '.join(counts)}, {unverified} without a result."]
    if trace.findings and not trace.enforced:
        status = trace.validation_status or "missing"
        lines.append(
            f"Not failing yet (the V&V report is {status}; --require-traced enforces these):"
        )
        lines += [f"  {finding}" for finding in trace.findings]
    return [*lines, ""]


def evidence_lines(documents: list[Document]) -> list[str]:
    """Cited values that do not match their evidence, in drafts: work to do."""
    findings = [finding for doc in documents for finding in doc.evidence]
    if not findings:
        return []
    lines = ["Evidence not matching its source in drafts (failing once in review or approved):"]
    return [*lines, *(f"  {finding}" for finding in findings), ""]


TRACE_LABELS = (
    ("pass", "passed"),
    ("waived", "waived"),
    ("fail", "failed"),
    (CONTRADICTED, "contradicted by evidence"),
)


def markdown_cell(text: str) -> str:
    """Text as GitHub-flavoured Markdown that shows it as typed, on one line
    (backslash escapes, which a raw file still reads well with)."""
    text = " ".join(text.split()).replace("&", "&amp;")
    return re.sub(r"([\\`*_\[\]<>|#~=$])", r"\\\1", text) or "-"


def render_markdown(report: Report) -> str:
    """The report for a CI job's summary or a merge request's artefact: the
    status table, the summary line and each problem, in Markdown."""
    rows = table_rows(report)
    lines = [f"### Lifecycle status on {report.today}", ""]
    lines.append("| " + " | ".join(rows[0]) + " |")
    lines.append("|" + " --- |" * len(rows[0]))
    lines += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows[1:]]
    lines += ["", markdown_cell(summary_line(report)), ""]
    if report.ok:
        lines.append("No problems.")
    else:
        count = len(report.problems)
        lines.append(f"{count} problem{'s' if count != 1 else ''}:")
        lines.append("")
        lines += [f"- {markdown_cell(str(problem))}" for problem in report.problems]
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)
