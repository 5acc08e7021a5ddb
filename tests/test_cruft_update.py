"""A project baked with cruft takes later template changes and keeps its
filled-in documents (the update path in docs/updating.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GIT_ENV, NOT_TEMPLATE, TEMPLATE

pytestmark = pytest.mark.slow

TPL = "{{cookiecutter.project_slug|slugify or 'unnamed'}}"
CRUFT = str(Path(sys.executable).with_name("cruft"))
COOKIECUTTER = str(Path(sys.executable).with_name("cookiecutter"))
# Git as the tests run it: a fixed identity and the user's HOME.
GIT_RUN_ENV = {**os.environ, **GIT_ENV, "HOME": os.environ.get("HOME", "/tmp")}
FILLED = "Agents route 4,000 tickets a week by hand; this costs two full-time posts."
ADDED_LINE = "A note added by a later version of the template."


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, cwd=cwd, env=GIT_RUN_ENV, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result


def commit_all(repo: Path, message: str) -> None:
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-q", "-m", message, cwd=repo)


@pytest.fixture
def template_repo(tmp_path) -> Path:
    """A git copy of the template, as a team would clone it."""
    repo = tmp_path / "template"
    shutil.copytree(TEMPLATE, repo, ignore=NOT_TEMPLATE)
    run("git", "init", "-q", cwd=repo)
    commit_all(repo, "Template v1")
    return repo


def change_template(repo: Path) -> None:
    """A later template version: a new line in one stub, a renamed heading in another."""
    stubs = repo / TPL / "docs"
    log = stubs / "iteration-log.md"
    log.write_text(log.read_text(encoding="utf-8") + f"\n{ADDED_LINE}\n", encoding="utf-8")
    problem = stubs / "01-problem-definition" / "problem-definition.md"
    text = problem.read_text(encoding="utf-8")
    assert "\n## Scope\n" in text
    problem.write_text(text.replace("\n## Scope\n", "\n## Scope and setting\n"), encoding="utf-8")
    commit_all(repo, "Template v2")


def fill_first_prompt(project: Path) -> Path:
    doc = project / "docs" / "01-problem-definition" / "problem-definition.md"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("==TODO==", FILLED, 1), encoding="utf-8")
    return doc


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CRUFT, *args], cwd=cwd, env=GIT_RUN_ENV, capture_output=True, text=True, timeout=300
    )


def test_update_brings_template_changes_and_keeps_edits(template_repo, tmp_path):
    out = tmp_path / "projects"
    created = run(
        CRUFT, "create", "--no-input", "--output-dir", str(out), str(template_repo), cwd=tmp_path
    )
    assert created.stdout.count("Next steps:") == 1, "a first bake says what to do next"
    project = out / "my-ml-system"
    assert json.loads((project / ".cruft.json").read_text())["template"] == str(template_repo)
    run("git", "init", "-q", cwd=project)
    commit_all(project, "Bake")
    assert cruft("check", cwd=project).returncode == 0

    doc = fill_first_prompt(project)
    commit_all(project, "Fill in the business background")
    change_template(template_repo)
    assert cruft("check", cwd=project).returncode == 1, "check did not see the new template"

    diff = run(CRUFT, "diff", cwd=project)
    assert "Next steps" not in diff.stdout + diff.stderr, "cruft diff is not a first bake"
    updated = run(CRUFT, "update", "--skip-apply-ask", "--allow-untracked-files", cwd=project)
    assert "Next steps" not in updated.stdout + updated.stderr, "cruft update is not a first bake"

    text = doc.read_text(encoding="utf-8")
    assert FILLED in text, "the team's answer was lost"
    assert "\n## Scope and setting\n" in text, "the template change did not arrive"
    assert ADDED_LINE in (project / "docs" / "iteration-log.md").read_text(encoding="utf-8")
    assert not list(project.rglob("*.rej")), "a change could not be applied"
    assert cruft("check", cwd=project).returncode == 0


def test_link_a_project_baked_with_plain_cookiecutter(template_repo, tmp_path):
    """`cruft link` adopts a project baked without cruft, keeping its answers."""
    baked_from = run("git", "rev-parse", "HEAD", cwd=template_repo).stdout.strip()
    out = tmp_path / "projects"
    run(
        COOKIECUTTER,
        "--no-input",
        "--output-dir",
        str(out),
        str(template_repo),
        "project_name=Ticket Router",
        "risk_level=high",
        cwd=tmp_path,
    )
    project = out / "ticket-router"
    run("git", "init", "-q", cwd=project)
    commit_all(project, "Bake")
    doc = fill_first_prompt(project)
    commit_all(project, "Fill in")
    change_template(template_repo)

    run(
        CRUFT,
        "link",
        "--no-input",
        "--config-file",
        ".cookiecutter-answers.yaml",
        "--checkout",
        baked_from,
        str(template_repo),
        cwd=project,
    )
    context = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert context["project_name"] == "Ticket Router" and context["risk_level"] == "high"
    commit_all(project, "Link to the template with cruft")
    run(CRUFT, "update", "--skip-apply-ask", cwd=project)

    text = doc.read_text(encoding="utf-8")
    assert FILLED in text and "\n## Scope and setting\n" in text
    assert (project / "docs" / "07-operation" / "human-oversight-plan.md").is_file()
    assert cruft("check", cwd=project).returncode == 0


# --- Moving from the layout with copied tools (docs/updating.md) ------------------

LAST_COPIED_TOOLS = "0df0ae6"  # the last template commit that copied tools/ into projects


def answer_every_prompt(text: str) -> str:
    """A document as a team fills it in: every marker replaced by an answer."""
    return text.replace("==TODO==", FILLED)


@pytest.fixture
def two_layouts(tmp_path) -> tuple[Path, str, str]:
    """One git repository of the template with two commits: the tree of
    LAST_COPIED_TOOLS, then this checkout's tree."""
    repo = tmp_path / "template"
    repo.mkdir()
    archive = subprocess.run(
        ["git", "archive", LAST_COPIED_TOOLS], cwd=TEMPLATE, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive.stdout, check=True)
    run("git", "init", "-q", cwd=repo)
    commit_all(repo, "Copied tools")
    old = run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()
    for entry in repo.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(TEMPLATE, repo, ignore=NOT_TEMPLATE, dirs_exist_ok=True)
    commit_all(repo, "The package layout")
    new = run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()
    return repo, old, new


def test_a_project_with_copied_tools_moves_to_the_package(two_layouts, tmp_path):
    """The steps of docs/updating.md: bake from the old layout, fill in
    documents, `cruft update`, keep the filled-in documents as they are, and
    the new site builds strict with the package's plugin."""
    repo, old, new = two_layouts
    out = tmp_path / "out"
    out.mkdir()
    created = cruft("create", "--no-input", "--checkout", old, str(repo), cwd=out)
    assert created.returncode == 0, created.stderr[-2000:]
    project = next(out.iterdir())
    assert (project / "tools" / "lifecycle.py").is_file(), "not the layout with copied tools"
    run("git", "init", "-q", cwd=project)
    filled = {}
    for doc in sorted((project / "docs").glob("0*/*.md")):
        doc.write_text(answer_every_prompt(doc.read_text(encoding="utf-8")), encoding="utf-8")
        filled[doc.relative_to(project).as_posix()] = doc.read_bytes()
    commit_all(project, "Our documents")

    updated = cruft("update", "--skip-apply-ask", "--checkout", new, cwd=project)
    assert updated.returncode == 0, updated.stdout[-2000:] + updated.stderr[-2000:]
    # Step 2 of the guide: keep the filled-in documents, drop cruft's .rej files.
    rejected = sorted(project.glob("docs/0*/*.rej"))
    assert rejected, "the stubs changed since: cruft should leave what it could not apply"
    run("git", "checkout", "HEAD", "--", "docs/0*", cwd=project)
    for path in rejected:
        path.unlink()

    for path, content in filled.items():
        assert (project / path).read_bytes() == content, f"{path} changed"
    assert list(project.rglob("*.rej")) == []
    for gone in ("tools", "tests", "pyproject.toml", "requirements-dev.txt"):
        assert not (project / gone).exists(), f"{gone} is still there"
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "lifecycle" in config and "hooks:" not in config
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    check = subprocess.run(
        [sys.executable, "-m", "ml_lifecycle", "check"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
