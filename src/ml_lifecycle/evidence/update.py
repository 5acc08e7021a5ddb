"""`ml-lifecycle evidence [--update]`: every page's citations compared with
their sources, and stale values rewritten in place, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ml_lifecycle import limits
from ml_lifecycle.evidence.findings import Finding, examine_page
from ml_lifecycle.evidence.values import restated
from ml_lifecycle.markdown_model import Citation, parse
from ml_lifecycle.problem import Problem
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import EVIDENCE_SCHEME


@dataclass
class PageEvidence:
    path: str  # relative to the project
    findings: list[Finding]
    updated: list[tuple[Citation, str]]  # (citation, its new text)


def update_text(text: str, findings: list[Finding]) -> tuple[str, list]:
    """The text with each stale cited value rewritten, and what was rewritten;
    nothing else changes. A citation the model could not place is reported,
    not rewritten."""
    updated = []
    stale = [f for f in findings if f.stale and f.citation.start is not None]
    for finding in sorted(stale, key=lambda f: f.citation.start, reverse=True):
        citation = finding.citation
        new = restated(citation.text, finding.value)
        text = text[: citation.start] + new + text[citation.end :]
        updated.append((citation, new))
    return text, updated[::-1]


def survey(project: Project, paths: list[Path], update: bool) -> tuple[list[PageEvidence], list]:
    """Every page's citations compared with their sources (and, with
    `update`, stale values rewritten in place), and the pages that could not
    be read, as Problems."""
    pages, unreadable = [], []
    for path in paths:
        rel = path.relative_to(project.root).as_posix()
        try:
            raw = limits.read_bytes(path, project.root)
            text = raw.decode("utf-8")
            if EVIDENCE_SCHEME not in text:
                continue
            page = parse(text.replace("\r\n", "\n"))
        except (limits.Refused, OSError, UnicodeDecodeError) as exc:
            unreadable.append(Problem(rel, None, f"not read: {exc}"))
            continue
        findings = examine_page(project, page)
        updated: list = []
        if update and any(f.stale for f in findings):
            new, updated = update_text(page.text, findings)
            crlf = "\r\n" in text
            data = (new.replace("\n", "\r\n") if crlf else new).encode("utf-8")
            limits.replace_file(path, data, raw)
        pages.append(PageEvidence(rel, findings, updated))
    return pages, unreadable
