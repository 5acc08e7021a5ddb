"""Tiny lifecycle projects for in-process package tests: a lifecycle.yml with
three phases and documents written as the tests need them. No bake, no
subprocess: each test calls the package's functions directly."""

from __future__ import annotations

import textwrap
from pathlib import Path

LIFECYCLE_YML = """\
phases:
  - number: 1
    id: requirements
    folder: 02-requirements
    title: System requirements
    stage: design-development
  - number: 2
    id: validation
    folder: 05-validation
    title: Validation & verification
    stage: design-development
  - number: 3
    id: monitoring
    folder: 08-monitoring
    title: Monitoring
    stage: deployment
stages:
  design-development: Design & development
  deployment: Deployment
"""
TODAY_TEXT = "2026-06-01"
FOLDERS = {"requirements": "02-requirements", "validation": "05-validation"}
FOLDERS["monitoring"] = "08-monitoring"
DOCUMENT_IDS = {
    "requirements": "requirements",
    "validation": "validation-report",
    "monitoring": "monitoring-plan",
}


def front(phase: str, **fields: str) -> str:
    """A front-matter block with a lifecycle block; `fields` are YAML text."""
    values = {
        "phase": phase,
        "document": DOCUMENT_IDS.get(phase, phase),
        "status": "draft",
        "owner": "''",
        "performed_by": "in-house",
        **fields,
    }
    block = "".join(f"  {key}: {value}\n" for key, value in values.items())
    return f"---\ntitle: {phase.capitalize()}\nlifecycle:\n{block}---\n"


def document(phase: str, body: str, **fields: str) -> str:
    return front(phase, **fields) + "\n" + textwrap.dedent(body).lstrip("\n")


def make_project(root: Path, documents: dict[str, str] | None = None, **extra: str) -> Path:
    """A project at `root`: lifecycle.yml and, by phase id, each document's
    text (a phase left out gets a minimal draft). `extra` adds files by path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "lifecycle.yml").write_text(LIFECYCLE_YML, encoding="utf-8")
    documents = documents or {}
    for phase, folder in FOLDERS.items():
        text = documents.get(phase) or document(phase, f"# {phase.capitalize()}\n\nText.\n")
        path = root / "docs" / folder / f"{DOCUMENT_IDS[phase]}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for relative, text in extra.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def doc_path(phase: str) -> str:
    return f"docs/{FOLDERS[phase]}/{DOCUMENT_IDS[phase]}.md"
