"""The reader's view on baked projects: documents in review or approved show
their answers and the answered questions in the site and the dossier, without
examples, instructions or unused prompts; drafts keep everything; the
`reader_view` setting in lifecycle.yml forces either view; the source stays."""

from __future__ import annotations

import html
import re
import shutil
import sys

import pytest
from conftest import BakedProject, add_setting

PROBLEM = "docs/01-problem-definition/problem-definition.md"
MODEL_CARD = "docs/04-building/model-card.md"
ANSWER = "Answered by the team."
UNUSED = "**What is explicitly out of scope (non-goals)?**"


@pytest.fixture
def project(baked, tmp_path) -> BakedProject:
    """A default bake whose problem definition is answered and in review,
    except one prompt the team left unused; the model card is a draft."""
    target = tmp_path / "project"
    shutil.copytree(baked().path, target)
    project = BakedProject(target)
    path = project.path / PROBLEM
    text = path.read_text(encoding="utf-8").replace("==TODO==", ANSWER)
    text = text.replace("  status: draft", "  status: in-review", 1)
    head, tail = text.split(UNUSED, 1)
    tail = tail.replace(ANSWER, "N/A", 1)
    path.write_text(head + UNUSED + tail, encoding="utf-8")
    return project


def set_reader_view(project: BakedProject, value: str) -> None:
    add_setting(project, f"reader_view: {value}")


def visible(page: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def page_text(site, document: str) -> str:
    page = site / document.removeprefix("docs/").removesuffix(".md") / "index.html"
    return visible(page.read_text(encoding="utf-8"))


def dossier_sections(project: BakedProject) -> dict[str, str]:
    """The visible text of each document's section of the dossier, by path."""
    command = [sys.executable, "-m", "ml_lifecycle", "dossier", "--date", "2026-06-01"]
    result = project.run(*command, timeout=120)
    assert result.returncode == 0, result.stderr
    text = (project.path / "dossier" / "dossier.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section class="document" id="([^"]+)">(.*?)</section>', text, re.S)
    return {anchor: visible(body) for anchor, body in sections}


def is_reader_view(text: str) -> bool:
    """Examples and instructions gone, answers and answered questions kept."""
    full = "Example:" in text or "What this document is for" in text
    assert full or ANSWER in text, "the reader's view must keep the answers"
    return not full


@pytest.mark.slow
def test_review_documents_show_the_reader_view_and_drafts_everything(project):
    source = project.read(PROBLEM)
    site = project.build()
    problem = page_text(site, PROBLEM)
    assert is_reader_view(problem)
    assert "What problem does the organisation have today, and what does it cost?" in problem
    assert "Replace every highlighted TODO" not in problem
    assert "non-goals" not in problem and "N/A" not in problem, "the unused prompt is left out"
    assert "Business background" in problem and "Go / no-go criteria" in problem
    draft = page_text(site, MODEL_CARD)
    assert "Example:" in draft and "What this document is for" in draft and "TODO" in draft
    assert project.read(PROBLEM) == source, "the source file is never changed"

    sections = dossier_sections(project)
    assert is_reader_view(sections["doc-01-problem-definition-problem-definition"])
    assert "non-goals" not in sections["doc-01-problem-definition-problem-definition"]
    assert not is_reader_view(sections["doc-04-building-model-card"])


@pytest.mark.slow
def test_the_setting_never_keeps_everything(project):
    set_reader_view(project, "never")
    site = project.build()
    problem = page_text(site, PROBLEM)
    assert not is_reader_view(problem) and "non-goals" in problem
    sections = dossier_sections(project)
    assert not is_reader_view(sections["doc-01-problem-definition-problem-definition"])


@pytest.mark.slow
def test_the_setting_always_shows_drafts_in_the_reader_view(project):
    set_reader_view(project, "always")
    site = project.build()
    card = page_text(site, MODEL_CARD)
    assert "Example:" not in card and "What this document is for" not in card
    sections = dossier_sections(project)
    assert "Example:" not in sections["doc-04-building-model-card"]


def test_a_bad_setting_is_one_problem_line(project):
    set_reader_view(project, "sometimes")
    command = [sys.executable, "-m", "ml_lifecycle", "check", "--today", "2026-06-01"]
    result = project.run(*command, timeout=120)
    assert result.returncode == 1
    assert (
        "lifecycle.yml: settings: reader_view 'sometimes' is not one of auto, always, never"
        in result.stdout.splitlines()
    )
