"""Approval by a second person and change control: `ml-lifecycle approve`
on baked projects, and the rules `check` applies to approved documents."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import BakedProject, filled, front_matter

MODEL_CARD = "docs/04-building/model-card.md"
VALIDATION = "docs/05-validation/validation-report.md"
TODAY = "2026-06-01"
OWNER = "Head of support"
HIGH = {"risk_level": "high"}


@pytest.fixture
def copy_of(baked, tmp_path):
    """A private copy of a shared bake, safe to edit."""

    def _copy(**answers) -> BakedProject:
        target = tmp_path / "project"
        shutil.copytree(baked(**answers).path, target)
        return BakedProject(target, baked(**answers).answers)

    return _copy


def approve(project: BakedProject, document: str, by: str, today: str = TODAY):
    return project.tool("approve", document, "--by", by, "--today", today)


def check(project: BakedProject, *args: str) -> subprocess.CompletedProcess:
    return project.tool("check", "--today", TODAY, *args)


def problems(result: subprocess.CompletedProcess) -> list[str]:
    lines = result.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.endswith(("problem:", "problems:"))))
    return lines[start + 1 :]


def ready(project: BakedProject, document: str = MODEL_CARD, answer: str = "Done.") -> None:
    """Answer every prompt and name an owner."""
    path = project.path / document
    text = filled(path.read_text(encoding="utf-8"), answer)
    path.write_text(text.replace("  owner: ''", f"  owner: '{OWNER}'", 1), encoding="utf-8")


def lifecycle(project: BakedProject, document: str = MODEL_CARD) -> dict:
    return front_matter(project.read(document))["lifecycle"]


def edit(project: BakedProject, old: str, new: str, document: str = MODEL_CARD) -> None:
    project.replace(document, old, new)


def line_of(project: BakedProject, start: str, document: str = MODEL_CARD) -> int:
    return next(
        number
        for number, line in enumerate(project.read(document).splitlines(), 1)
        if line.startswith(start)
    )


# --- the command -------------------------------------------------------------------


def test_approve_sets_status_approver_date_and_fingerprint(copy_of):
    project = copy_of()
    ready(project)
    before = project.read(MODEL_CARD)
    result = approve(project, MODEL_CARD, "QA lead")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Approved {MODEL_CARD} by QA lead on {TODAY} (sha256:")
    block = lifecycle(project)
    assert block["status"] == "approved" and block["approved_by"] == "QA lead"
    assert str(block["last_reviewed"]) == TODAY
    assert block["approval_fingerprint"].startswith("sha256:")
    assert len(block["approval_fingerprint"]) == len("sha256:") + 64
    # Only the lifecycle fields changed: Hub metadata, comments and body are kept.
    after = project.read(MODEL_CARD)
    assert after.split("\nlifecycle:", 1)[0] == before.split("\nlifecycle:", 1)[0]
    assert after.split("\n---\n", 1)[1] == before.split("\n---\n", 1)[1]
    result = check(project)
    assert result.returncode == 0, result.stdout
    report = json.loads(check(project, "--json").stdout)
    card = next(doc for doc in report["documents"] if doc["path"] == MODEL_CARD)
    assert card["approved_by"] == "QA lead" and card["approval"] == "current"


@pytest.mark.parametrize("by", [OWNER, "  head   OF support "])
def test_approve_refuses_the_owner(copy_of, by):
    project = copy_of()
    ready(project)
    before = project.read(MODEL_CARD)
    result = approve(project, MODEL_CARD, by)
    assert result.returncode == 1
    name = " ".join(by.split())
    assert result.stderr == (
        f"error: {MODEL_CARD}: cannot approve: {name} is its owner; "
        "approval needs a second person\n"
    )
    assert result.stdout == "" and project.read(MODEL_CARD) == before


def test_approve_refuses_while_prompts_remain(copy_of):
    project = copy_of()
    edit(project, "  owner: ''", f"  owner: '{OWNER}'")
    unfilled = project.read(MODEL_CARD).count("==TODO==")
    before = project.read(MODEL_CARD)
    result = approve(project, MODEL_CARD, "QA lead")
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {MODEL_CARD}: cannot approve: {unfilled} prompts are still unfilled (==TODO==)\n"
    )
    assert project.read(MODEL_CARD) == before


def test_approve_refuses_an_empty_required_section(copy_of):
    project = copy_of(**HIGH)
    ready(project, answer="N/A")
    result = approve(project, MODEL_CARD, "QA lead")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {MODEL_CARD}: cannot approve: required section ")
    assert result.stderr.endswith("has no answer (empty, or only N/A)\n")
    assert len(result.stderr.splitlines()) == 1
    assert lifecycle(project)["status"] == "draft"


def test_approve_gives_every_reason_at_once(copy_of):
    """A fresh card: no owner and every prompt open, both in one line."""
    project = copy_of()
    unfilled = project.read(MODEL_CARD).count("==TODO==")
    result = approve(project, MODEL_CARD, "QA lead")
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {MODEL_CARD}: cannot approve: it has no owner; name the owner first; "
        f"{unfilled} prompts are still unfilled (==TODO==)\n"
    )


def test_commands_outside_a_project_say_so(default_project):
    """Run from docs/ (or anywhere without lifecycle.yml), every command says
    where it looked and what to do, instead of reporting an empty project."""
    docs = default_project.path / "docs"
    for command in (
        ["check"],
        ["approve", "04-building/model-card.md", "--by", "QA lead"],
        ["hub-card"],
        ["evidence"],
        ["dossier"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "ml_lifecycle", *command],
            cwd=docs,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr == (
            f"error: {docs} is not a lifecycle project (it has no lifecycle.yml): "
            "run this in the project's folder, or pass --root DIR\n"
        ), command
        assert result.stdout == ""


def test_approve_refuses_a_document_without_owner(copy_of):
    project = copy_of()
    path = project.path / MODEL_CARD
    path.write_text(filled(path.read_text(encoding="utf-8"), "Done."), "utf-8")
    result = approve(project, MODEL_CARD, "QA lead")
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {MODEL_CARD}: cannot approve: it has no owner; name the owner first\n"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("docs/04-building/nothing.md", "docs/04-building/nothing.md: no such file"),
        ("docs/iteration-log.md", "docs/iteration-log.md: not a lifecycle document"),
    ],
)
def test_approve_refuses_what_is_not_a_document(copy_of, target, message):
    result = approve(copy_of(), target, "QA lead")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_approve_needs_a_name(copy_of):
    project = copy_of()
    ready(project)
    result = approve(project, MODEL_CARD, "   ")
    assert result.returncode == 1
    assert result.stderr == "error: --by needs the approver's name, on one line\n"
    assert project.tool("approve", MODEL_CARD).returncode == 2  # --by is required


# --- the rules check applies ----------------------------------------------------------


def approved(copy_of) -> BakedProject:
    project = copy_of()
    ready(project)
    assert approve(project, MODEL_CARD, "QA lead").returncode == 0
    return project


def test_a_changed_body_fails_naming_the_approval_date(copy_of):
    project = approved(copy_of)
    edit(project, "Done.", "Done, and then edited after the approval.")
    result = check(project)
    assert result.returncode == 1
    line = line_of(project, "  approval_fingerprint:")
    assert problems(result) == [
        f"{MODEL_CARD}:{line}: changed since its approval on {TODAY}: "
        "review it and approve it again"
    ]
    card = json.loads(check(project, "--json").stdout)["documents"]
    assert next(d for d in card if d["path"] == MODEL_CARD)["approval"] == "changed"
    # A second approval covers the new text.
    assert approve(project, MODEL_CARD, "QA lead", today="2026-06-01").returncode == 0
    assert check(project).returncode == 0


def test_front_matter_edits_and_tidying_are_no_change(copy_of):
    project = approved(copy_of)
    edit(project, "  review_interval_days: 180", "  review_interval_days: 90")
    path = project.path / MODEL_CARD
    tidied = path.read_text(encoding="utf-8").replace("\n", "  \r\n") + "\n\n"
    path.write_bytes(tidied.encode("utf-8"))
    assert check(project).returncode == 0


def test_self_approval_fails(copy_of):
    project = approved(copy_of)
    edit(project, "  approved_by: 'QA lead'", f"  approved_by: '{OWNER.upper()}'")
    result = check(project)
    assert result.returncode == 1
    line = line_of(project, "  approved_by:")
    assert problems(result) == [
        f"{MODEL_CARD}:{line}: approved by its own owner ({OWNER.upper()}): "
        "approval needs a second person"
    ]


def test_a_missing_approver_fails(copy_of):
    project = approved(copy_of)
    edit(project, "  approved_by: 'QA lead'", "  approved_by: ''")
    result = check(project)
    assert result.returncode == 1
    line = line_of(project, "  approved_by:")
    assert problems(result) == [
        f"{MODEL_CARD}:{line}: approved but has no approved_by: a second person "
        "approves it with `ml-lifecycle approve FILE --by NAME`"
    ]


def test_an_approval_typed_by_hand_is_reported(copy_of):
    project = copy_of()
    ready(project)
    edit(project, "  status: draft", "  status: approved")
    edit(project, "  last_reviewed: null", f"  last_reviewed: {TODAY}")
    edit(project, "  approved_by: ''", "  approved_by: 'QA lead'")
    result = check(project)
    assert result.returncode == 1
    line = line_of(project, "  status:")
    assert problems(result) == [
        f"{MODEL_CARD}:{line}: approved by hand: no approval_fingerprint; "
        "record the approval with `ml-lifecycle approve FILE --by NAME`"
    ]
    card = json.loads(check(project, "--json").stdout)["documents"]
    assert next(d for d in card if d["path"] == MODEL_CARD)["approval"] == "missing"


def test_json_names_who_last_changed_the_body_in_a_git_repository(copy_of):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    project = approved(copy_of)
    report = json.loads(check(project, "--json").stdout)
    assert all("last_change" not in doc for doc in report["documents"]), "not a repository"
    env = {
        "GIT_AUTHOR_NAME": "Ada Writer",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ada Writer",
        "GIT_COMMITTER_EMAIL": "ada@example.org",
        "GIT_AUTHOR_DATE": "2026-05-20T10:00:00+00:00",
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "record"]):
        assert project.run("git", *command, **env).returncode == 0
    report = json.loads(check(project, "--json").stdout)
    card = next(doc for doc in report["documents"] if doc["path"] == MODEL_CARD)
    assert card["last_change"]["author"] == "Ada Writer"
    assert card["last_change"]["date"].startswith("2026-05-20")
    assert len(card["last_change"]["commit"]) >= 7
    assert card["last_change"]["uncommitted"] is False
    edit(project, "Done.", "Done again.")
    report = json.loads(check(project, "--json").stdout)
    card = next(doc for doc in report["documents"] if doc["path"] == MODEL_CARD)
    assert card["last_change"]["uncommitted"] is True


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_approve_runs_the_command(copy_of):
    project = copy_of()
    ready(project)
    result = project.make_with_tools("approve", f"FILE={MODEL_CARD}", "BY=QA lead")
    assert result.returncode == 0, result.stdout + result.stderr
    assert lifecycle(project)["approved_by"] == "QA lead"


def test_the_readme_explains_approval_with_a_command_that_works(default_project):
    """The baked README's example names a real document, the Makefile's
    variables and the fields the command sets."""
    from ml_lifecycle.vocabulary import APPROVED_BY, FINGERPRINT

    readme = default_project.read("README.md")
    section = readme.split("## Approving a document\n", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"make approve FILE=(\S+) BY=\"[^\"]+\"", section)
    assert example, section
    assert default_project.has_file(example.group(1))
    approve = default_project.read("Makefile").split("\napprove:", 1)[1].split("\n\n", 1)[0]
    assert '"$(FILE)"' in approve and '--by "$(BY)"' in approve
    for field in (APPROVED_BY, FINGERPRINT, "last_reviewed", "owner"):
        assert f"`{field}`" in section, field


def test_the_guide_teaches_the_approve_command_and_every_field(copy_of):
    """The baked guide's field table lists exactly the fields `check` knows;
    those the command writes say so; the command it shows without make
    approves a document that `check` then accepts."""
    from ml_lifecycle.vocabulary import APPROVED_BY, FINGERPRINT, KNOWN_FIELDS

    project = copy_of()
    guide = project.read("docs/guide.md")
    table = guide.split("## Front matter\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z_]+)` \|.*\| ([^|]+) \|$", table, re.MULTILINE))
    assert sorted(rows) == sorted(KNOWN_FIELDS)
    for field in (APPROVED_BY, FINGERPRINT, "last_reviewed"):
        assert "make approve" in rows[field], (field, rows[field])
    shown = re.search(r"`ml-lifecycle (approve) docs/\.\.\. (--by) \"Name\"`", guide)
    assert shown, "the guide shows no approve command without make"
    ready(project)
    result = project.tool(shown[1], MODEL_CARD, shown[2], "QA lead", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert check(project).returncode == 0


@pytest.mark.parametrize("where", ["README.md", "docs/guide.md", "template README"])
def test_the_docs_say_what_an_approval_proves_and_what_it_does_not(default_project, where):
    """Who recorded it and over which text and evidence, yes; a signature,
    no: the forge's review required through CODEOWNERS ties it to a person."""
    from conftest import TEMPLATE

    if where == "template README":
        text = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    else:
        text = default_project.read(where)
    prose = " ".join(text.split())
    assert "not a signature" in prose, where
    assert "over which text and evidence" in prose, where
    assert "CODEOWNERS" in prose, where
