"""`approve` in-process: a round-trip edit of the front matter, read once,
written atomically."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

import pytest

from ml_lifecycle import approval, limits, writing

from .tiny_projects import doc_path, make_project

TODAY = date(2026, 6, 1)
UNUSUAL = """\
---
# The team's own notes stay.
title: "Requirements: \\"v2\\""
lifecycle:   # the block
  phase: requirements   # phase id
  document: requirements
  status: "draft"
  owner: >-
    Head of
    support
  performed_by: in-house
  approved_by: ''   # set by approve
  tags: [a, 'b']
  required_sections:
    - Scope
hub_key: ~
---

# Requirements

## Scope

Answered.
"""


def approve(root: Path, by: str = "QA lead") -> str:
    return approval.approve(root, Path(doc_path("requirements")), by, TODAY)[1]


def test_approval_changes_only_the_fields_it_sets(tmp_path):
    root = make_project(tmp_path, {"requirements": UNUSUAL})
    fingerprint = approve(root)
    after = (root / doc_path("requirements")).read_text(encoding="utf-8")
    diff = list(difflib.unified_diff(UNUSUAL.splitlines(), after.splitlines(), lineterm="", n=0))
    removed = [line for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff if line.startswith("+") and not line.startswith("+++")]
    assert removed == ['-  status: "draft"', "-  approved_by: ''   # set by approve"]
    assert added == [
        "+  status: approved",
        "+  approved_by: 'QA lead'   # set by approve",
        "+  last_reviewed: 2026-06-01",
        f"+  approval_fingerprint: {fingerprint}",
    ]


def test_approval_keeps_windows_line_ends(tmp_path):
    root = make_project(tmp_path, {"requirements": UNUSUAL})
    path = root / doc_path("requirements")
    path.write_bytes(UNUSUAL.replace("\n", "\r\n").encode("utf-8"))
    approve(root)
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and b"status: approved\r\n" in data


def test_approve_reads_lifecycle_yml_and_the_document_once(tmp_path, monkeypatch):
    root = make_project(tmp_path, {"requirements": UNUSUAL})
    reads: list[str] = []
    original = limits.read_bytes

    def counting(path, *args, **kwargs):
        reads.append(Path(path).name)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(limits, "read_bytes", counting)
    approve(root)
    # The check that no edit was saved meanwhile, just before the file is
    # replaced, reads through writing.py's folder descriptors.
    assert reads == ["lifecycle.yml", "requirements.md"]


@pytest.mark.parametrize(
    "front, message",
    [
        ("deep: " + "[" * 200 + "]" * 200, "nested more than 50 levels deep"),
        ("when: !!timestamp 99999-01-01", "cannot be read"),
    ],
)
def test_hostile_front_matter_is_one_line(tmp_path, front, message):
    text = UNUSUAL.replace("hub_key: ~", front)
    root = make_project(tmp_path, {"requirements": text})
    with pytest.raises(approval.ApprovalError, match=message) as error:
        approve(root)
    assert "\n" not in str(error.value)
    assert (root / doc_path("requirements")).read_text(encoding="utf-8") == text


def test_an_edit_saved_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    root = make_project(tmp_path, {"requirements": UNUSUAL})
    path = root / doc_path("requirements")
    original = writing.replace_edited

    def edited_meanwhile(target, project, data, before):
        path.write_text(UNUSUAL + "\nA late edit.\n", encoding="utf-8")
        return original(target, project, data, before)

    monkeypatch.setattr(writing, "replace_edited", edited_meanwhile)
    with pytest.raises(approval.ApprovalError, match="changed while this command ran"):
        approve(root)
    assert path.read_text(encoding="utf-8").endswith("A late edit.\n")


def test_the_owner_cannot_approve(tmp_path):
    root = make_project(tmp_path, {"requirements": UNUSUAL})
    with pytest.raises(approval.ApprovalError, match="is its owner"):
        approve(root, by="head of  SUPPORT")
