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


def answer_each_prompt(project: Path) -> dict[str, list[str]]:
    """Fill every marker of every document with an answer of its own (its
    file and its number); the answers of each document, by path."""
    answers = {}
    for doc in sorted((project / "docs").glob("0*/*.md")):
        rel = doc.relative_to(project).as_posix()
        parts = doc.read_text(encoding="utf-8").split("==TODO==")
        mine = [f"Answer {n} of {doc.stem}." for n in range(1, len(parts))]
        text = parts[0] + "".join(a + rest for a, rest in zip(mine, parts[1:], strict=True))
        doc.write_text(text, encoding="utf-8")
        answers[rel] = mine
    return answers


def headings(text: str) -> list[str]:
    from ml_lifecycle.markdown_model import parse

    return [h.text for h in parse(text).headings if h.level == 2]


def status(project: Path) -> dict[str, str]:
    lines = run("git", "status", "--porcelain", cwd=project).stdout.splitlines()
    return {line[3:]: line[:2] for line in lines}


def tool(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ml_lifecycle", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def follow_the_guide(project: Path) -> dict[str, str]:
    """docs/updating.md, steps 2 and 3 (and step 2 of moving from the copied
    tools): update, then sort the result by `git status`. What the test
    cannot do by hand, it does as the guide says: a conflict in a file of
    the template's own takes the template's version; a `.rej` file's
    questions are added from the new stub. Returns git's status after the
    update."""
    updated = cruft("update", "--skip-apply-ask", cwd=project)
    assert updated.returncode == 0, updated.stdout[-2000:] + updated.stderr[-2000:]
    after = status(project)
    for path, state in after.items():
        if state == "UU":
            assert not path.startswith("docs/0"), f"{path}: a document did not merge"
            run("git", "checkout", "--theirs", "--", path, cwd=project)
            run("git", "add", "--", path, cwd=project)
    return after


@pytest.fixture(scope="module")
def two_layouts(tmp_path_factory) -> tuple[Path, str, str]:
    """One git repository of the template with two commits: the tree of
    LAST_COPIED_TOOLS, then this checkout's tree."""
    repo = tmp_path_factory.mktemp("layouts") / "template"
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


def bake_old(repo: Path, old: str, out: Path) -> Path:
    out.mkdir()
    created = cruft("create", "--no-input", "--checkout", old, str(repo), cwd=out)
    assert created.returncode == 0, created.stderr[-2000:]
    project = next(out.iterdir())
    assert (project / "tools" / "lifecycle.py").is_file(), "not the layout with copied tools"
    run("git", "init", "-q", cwd=project)
    return project


def list_a_document_of_our_own(project: Path) -> None:
    """What the old layout asked of a team adding a document: list it in
    lifecycle.yml and in mkdocs.yml's nav; and a filled-in responsibilities
    table. The new template rewrote all three."""
    listed = "      - id: requirements\n        title: 'Requirements specification'\n"
    config = project / "lifecycle.yml"
    text = config.read_text(encoding="utf-8")
    assert listed in text
    glossary = "      - id: glossary\n        title: Glossary\n"
    config.write_text(text.replace(listed, listed + glossary), encoding="utf-8")
    nav = "          - 'Requirements specification': 02-requirements/requirements.md\n"
    site = project / "mkdocs.yml"
    text = site.read_text(encoding="utf-8")
    assert nav in text
    site.write_text(text.replace(nav, nav + "          - Glossary: 02-requirements/glossary.md\n"))
    requirements = project / "docs" / "02-requirements" / "requirements.md"
    front = requirements.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    front = front.replace("document: requirements", "document: glossary")
    front = front.replace("Requirements specification", "Glossary")
    (requirements.parent / "glossary.md").write_text(front + "\n---\n\n# Glossary\n\nTerms.\n")
    table = project / "docs" / "responsibilities.md"
    table.write_text(table.read_text(encoding="utf-8").replace("==TODO==", "Dana Weber"))


def keeps_every_answer_and_section(project: Path, answers: dict, new_stubs: Path) -> None:
    """Every answer written before the update is in its document, and every
    section of the new template's stub is there too."""
    for rel, mine in answers.items():
        text = (project / rel).read_text(encoding="utf-8")
        lost = [answer for answer in mine if answer not in text]
        assert lost == [], f"{rel} lost {len(lost)} answers, e.g. {lost[:2]}"
        stub = new_stubs / rel
        if stub.is_file():
            missing = set(headings(stub.read_text(encoding="utf-8"))) - set(headings(text))
            assert missing == set(), f"{rel} lacks the new sections {sorted(missing)}"


@pytest.fixture(scope="module")
def new_stubs(two_layouts, tmp_path_factory) -> Path:
    """The current template's stubs, baked with the default answers."""
    repo, _, new = two_layouts
    out = tmp_path_factory.mktemp("new-stubs")
    created = cruft("create", "--no-input", "--checkout", new, str(repo), cwd=out)
    assert created.returncode == 0, created.stderr[-2000:]
    return next(out.iterdir())


def test_from_0df0ae6_the_guide_keeps_every_answer_and_every_new_section(
    two_layouts, new_stubs, tmp_path
):
    """The bake committed before it was filled in: every document merges
    cleanly, and the three files whose hand-kept lists the team extended
    conflict (UU), as cruft 2.16 does; no .rej file. Following the guide
    keeps every answer, brings every new section, and the site builds."""
    repo, old, _ = two_layouts
    project = bake_old(repo, old, tmp_path / "out")
    commit_all(project, "Bake")
    answers = answer_each_prompt(project)
    list_a_document_of_our_own(project)
    commit_all(project, "Our documents")

    after = follow_the_guide(project)
    conflicts = sorted(path for path, state in after.items() if state == "UU")
    assert conflicts == ["docs/responsibilities.md", "lifecycle.yml", "mkdocs.yml"], after
    assert all(after.get(rel) == "M " for rel in answers), after
    assert list(project.rglob("*.rej")) == []
    keeps_every_answer_and_section(project, answers, new_stubs)
    for gone in ("tools", "tests", "pyproject.toml", "requirements-dev.txt"):
        assert not (project / gone).exists(), f"{gone} is still there"
    check = tool(project, "check")
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "glossary" in check.stdout, "the team's own document is checked"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]

    # The step the guide no longer has: checking the documents out from HEAD
    # reverts the merge, and check says so.
    run("git", "checkout", "HEAD", "--", "docs/01-problem-definition", cwd=project)
    check = tool(project, "check")
    assert check.returncode == 1
    assert "problem-definition.md: lacks 1 section the template gives it" in check.stdout


def test_from_0df0ae6_filled_before_the_first_commit_leaves_rej_files(
    two_layouts, new_stubs, tmp_path
):
    """Filled in before the bake was committed, the documents cannot be
    merged three ways: cruft applies what it can and leaves .rej files.
    Following the guide keeps every answer; check names each document whose
    new sections are still in a .rej file, until they are added."""
    repo, old, _ = two_layouts
    project = bake_old(repo, old, tmp_path / "out")
    answers = answer_each_prompt(project)
    commit_all(project, "Our documents")

    follow_the_guide(project)
    rejected = sorted(p.relative_to(project).as_posix() for p in project.glob("docs/0*/*.rej"))
    assert rejected, "cruft should leave what it could not apply"
    for rel, mine in answers.items():
        text = (project / rel).read_text(encoding="utf-8")
        assert all(answer in text for answer in mine), f"{rel} lost an answer"
    check = tool(project, "check")
    flagged = {line.split(":")[0] for line in check.stdout.splitlines() if "lacks" in line}
    lacking = {
        rel
        for rel in answers
        if set(headings((new_stubs / rel).read_text(encoding="utf-8")))
        - set(headings((project / rel).read_text(encoding="utf-8")))
    }
    assert lacking and flagged == lacking, (flagged, lacking)
    # By hand, as the guide says: each new section from the new stub, then
    # the .rej files deleted.
    for rel in lacking:
        text = (project / rel).read_text(encoding="utf-8")
        stub = (new_stubs / rel).read_text(encoding="utf-8")
        for heading in set(headings(stub)) - set(headings(text)):
            text += f"\n## {heading}\n\nNot applicable: added after the update.\n"
        (project / rel).write_text(text, encoding="utf-8")
    for rel in rejected:
        (project / rel).unlink()
    check = tool(project, "check")
    assert "lacks" not in check.stdout, check.stdout[-2000:]


def test_a_current_bake_updates_through_a_conflict_without_losing_answers(template_repo, tmp_path):
    """From a current bake: the team renamed a heading that the template
    renames too (UU in the document); resolving by the guide (the template's
    heading, the team's answer beneath it) keeps every answer."""
    out = tmp_path / "projects"
    run(CRUFT, "create", "--no-input", "--output-dir", str(out), str(template_repo), cwd=tmp_path)
    project = out / "my-ml-system"
    run("git", "init", "-q", cwd=project)
    commit_all(project, "Bake")
    answers = answer_each_prompt(project)
    doc = project / "docs" / "01-problem-definition" / "problem-definition.md"
    doc.write_text(doc.read_text().replace("\n## Scope\n", "\n## Scope of our service\n"))
    commit_all(project, "Our documents")
    change_template(template_repo)

    updated = cruft("update", "--skip-apply-ask", cwd=project)
    assert updated.returncode == 0, updated.stderr[-2000:]
    rel = doc.relative_to(project).as_posix()
    assert status(project)[rel] == "UU"
    check = tool(project, "check")
    assert check.returncode == 1 and f"{rel}:" in check.stdout and "merge-conflict" in check.stdout
    text = doc.read_text(encoding="utf-8")
    ours, theirs = (
        text.split("<<<<<<< ours\n", 1)[1].split(">>>>>>> theirs\n", 1)[0].split("=======\n")
    )
    assert ours == "## Scope of our service\n" and theirs == "## Scope and setting\n"
    block = f"<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n"
    doc.write_text(text.replace(block, theirs), encoding="utf-8")
    run("git", "add", rel, cwd=project)
    for path, mine in answers.items():
        body = (project / path).read_text(encoding="utf-8")
        assert all(answer in body for answer in mine), f"{path} lost an answer"
    assert tool(project, "check").returncode == 0
