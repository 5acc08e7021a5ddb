"""`ml-lifecycle evidence [--update]`: every page's citations compared with
their sources, and stale values rewritten in place, nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ml_lifecycle import limits, writing
from ml_lifecycle.documents import FrontMatter
from ml_lifecycle.evidence.findings import Finding, examine_page
from ml_lifecycle.evidence.values import restated
from ml_lifecycle.markdown_model import Citation, parse
from ml_lifecycle.problem import Problem
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import APPROVED, EVIDENCE_SCHEME


@dataclass
class PageEvidence:
    path: str  # relative to the project
    findings: list[Finding]
    updated: list[tuple[Citation, str]]  # (citation, its new text)
    approved: bool = False  # its status was approved when it was read


def is_approved(page) -> bool:
    try:
        block = FrontMatter.read(page.front.text).block if page.front else None
    except (limits.Refused, yaml.YAMLError):
        return False
    return bool(block) and block.get("status") == APPROVED


def update_edits(findings: list[Finding]) -> tuple[list[tuple[int, int, str]], list]:
    """The edits that rewrite each stale cited value (offsets in the page's
    text), and what was rewritten; nothing else changes. A citation the
    model could not place is reported, not rewritten."""
    edits, updated = [], []
    stale = [f for f in findings if f.stale and f.citation.start is not None]
    for finding in sorted(stale, key=lambda f: f.citation.start):
        citation = finding.citation
        new = restated(citation.text, finding.value)
        edits.append((citation.start, citation.end, new))
        updated.append((citation, new))
    return edits, updated


def survey(project: Project, paths: list[Path], update: bool) -> tuple[list[PageEvidence], list]:
    """Every page's citations compared with their sources (and, with
    `update`, stale values rewritten in place through writing.py: each line
    end and the encoding kept, never through a link, not at all when the page
    changed meanwhile), and the pages that could not be read or written, as
    Problems."""
    pages, unreadable = [], []
    for path in paths:
        rel = path.relative_to(project.root).as_posix()
        try:
            raw = limits.read_bytes(path, project.root)
            text, form = writing.decode(raw)
            if EVIDENCE_SCHEME not in text:
                continue
            page = parse(text)
        except (limits.Refused, OSError, UnicodeDecodeError) as exc:
            unreadable.append(Problem(rel, None, f"not read: {exc}"))
            continue
        findings = examine_page(project, page)
        updated: list = []
        if update and any(f.stale for f in findings):
            edits, updated = update_edits(findings)
            data = writing.apply_edits(text, form, edits)
            try:
                writing.replace_edited(path, project.root, data, raw)
            except limits.Refused as exc:
                unreadable.append(Problem(rel, None, f"not rewritten: {exc}"))
                updated = []
        pages.append(PageEvidence(rel, findings, updated, is_approved(page)))
    return pages, unreadable
