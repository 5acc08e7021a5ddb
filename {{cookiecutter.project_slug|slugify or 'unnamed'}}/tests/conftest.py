"""Helpers for the project's tests: the checker module and a small sample project."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 1)
SAMPLE_PHASES = """\
phases:
  - number: 1
    id: problem-definition
    folder: 01-problem-definition
    title: Problem definition
    documents:
      - id: problem-definition
        title: Problem definition
  - number: 2
    id: requirements
    folder: 02-requirements
    title: Requirements
    documents:
      - id: requirements
        title: Requirements specification
"""
SAMPLE_BODY = """
# {title}

## Purpose

> **Why does the system exist?**
> *Example:* To route support tickets.

{answer}
"""


def load_checker():
    """tools/lifecycle.py, imported by path as the site's hook does."""
    spec = importlib.util.spec_from_file_location(
        "lifecycle_checker", ROOT / "tools" / "lifecycle.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


checker = load_checker()


class SampleProject:
    """Two phases with one document each, written fresh for every test."""

    def __init__(self, root: Path):
        self.root = root
        (root / "lifecycle.yml").write_text(SAMPLE_PHASES, encoding="utf-8")
        self.write("docs/01-problem-definition/problem-definition.md", phase="problem-definition")
        self.write("docs/02-requirements/requirements.md", phase="requirements")

    def write(self, relative: str, answer: str = "==TODO==", **fields) -> Path:
        """A document whose `lifecycle:` block has `fields` over draft defaults."""
        stem = Path(relative).stem
        values = {
            "phase": "problem-definition",
            "document": stem,
            "status": "draft",
            "owner": "''",
            "performed_by": "in-house",
            "provider": "''",
            "last_reviewed": "null",
            "review_interval_days": 180,
            **fields,
        }
        block = "".join(f"  {key}: {value}\n" for key, value in values.items())
        text = f"---\ntitle: {stem}\nlifecycle:\n{block}---\n" + SAMPLE_BODY.format(
            title=stem, answer=answer
        )
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def approve(self, relative: str, **fields) -> Path:
        """A filled, approved document reviewed a month before TODAY."""
        phase = "requirements" if "02-requirements" in relative else "problem-definition"
        values = {
            "phase": phase,
            "status": "approved",
            "owner": "Head of support",
            "last_reviewed": "2026-05-01",
            **fields,
        }
        return self.write(relative, answer="Tickets wait nine hours for routing.", **values)

    def check(self, require_approved=()):
        return checker.check_project(self.root, TODAY, list(require_approved))


@pytest.fixture
def sample(tmp_path) -> SampleProject:
    return SampleProject(tmp_path)
