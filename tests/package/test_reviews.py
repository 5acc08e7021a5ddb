"""Reviews the forge enforces and git proves, in-process on tiny projects in
real git repositories: the people of lifecycle.yml, approval refusing the
owner under any of their names, `check` against the commit that recorded an
approval, and the CODEOWNERS block checked against GitHub's and GitLab's
documented rules."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from ml_lifecycle import approval, cli, codeowners
from ml_lifecycle.project import load_project
from ml_lifecycle.rules import check_project

from .tiny_projects import LIFECYCLE_YML, doc_path, document, make_project

TODAY = date(2026, 6, 1)
DOC = doc_path("requirements")
PEOPLE = """\
people:
  - name: Dana Weber
    email: dana.weber@acme.example
    handle: dweber
    role: ML lead
  - name: Grace Osei
    email: grace@acme.example
    handle: gosei
  - name: Sam Okafor
    email: sam@acme.example
    handle: sokafor
"""
DANA = ("Dana Weber", "dana.weber@acme.example")
GRACE = ("Grace Osei", "grace@acme.example")
SAM = ("Sam Okafor", "sam@acme.example")


def project(tmp_path: Path, people: str = PEOPLE, **extra: str) -> Path:
    body = "# Requirements\n\nText.\n"
    root = make_project(
        tmp_path / "p", {"requirements": document("requirements", body, owner="'Dana Weber'")}
    )
    (root / "lifecycle.yml").write_text(LIFECYCLE_YML + people, encoding="utf-8")
    for relative, text in extra.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def git(root: Path, *args: str, who: tuple[str, str] = DANA) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(root: Path, message: str, who: tuple[str, str]) -> None:
    git(root, "add", "-A", who=who)
    git(root, "commit", "-q", "-m", message, who=who)


def check(root: Path, capsys) -> tuple[int, str]:
    status = cli.main(["--root", str(root), "check", "--today", TODAY.isoformat()])
    return status, capsys.readouterr().out


# --- people and approval --------------------------------------------------------


def test_people_are_read_and_bad_entries_reported(tmp_path):
    root = project(
        tmp_path,
        PEOPLE
        + "  - name: ''\n  - name: X\n    handle: 'a b'\n  - name: Y\n    phone: '1'\n"
        + "  - name: Z\n    email: not-an-email\n",
    )
    loaded, problems = load_project(root)
    assert [p.handle for p in loaded.people] == ["dweber", "gosei", "sokafor"]
    messages = " | ".join(p.message for p in problems)
    for why in ("needs a name", "'a b' is not a forge user name", "'phone' is not one of"):
        assert why in messages
    assert "email 'not-an-email' is not an email address" in messages
    assert all(p.line for p in problems), "each problem names its line"


@pytest.mark.parametrize(
    "by",
    [
        "dana.weber@acme.example",
        "DANA.WEBER@ACME.EXAMPLE",
        "dweber",
        "@dweber",
        "@DWeber",
        "Dana Weber <dana.weber@acme.example>",
        "123+dweber@users.noreply.github.com",
    ],
)
def test_approval_refuses_the_owner_under_any_listed_identity(tmp_path, by):
    root = project(tmp_path)
    before = (root / DOC).read_bytes()
    with pytest.raises(approval.ApprovalError, match="is its owner"):
        approval.approve(root, Path(DOC), by, TODAY)
    assert (root / DOC).read_bytes() == before


def test_approval_takes_a_listed_person_and_records_their_name(tmp_path):
    root = project(tmp_path)
    with pytest.raises(approval.ApprovalError, match="none of the people in lifecycle"):
        approval.approve(root, Path(DOC), "Somebody Else", TODAY)
    done = approval.approve(root, Path(DOC), "@gosei", TODAY)
    assert done.name == "Grace Osei"
    assert "approved_by: 'Grace Osei'" in (root / DOC).read_text(encoding="utf-8")


def test_without_people_any_second_person_may_approve(tmp_path):
    root = project(tmp_path, people="")
    assert approval.approve(root, Path(DOC), "QA lead", TODAY).name == "QA lead"


# --- git proves who recorded an approval -----------------------------------------


@pytest.mark.parametrize(
    ("recorder", "problem"),
    [
        (GRACE, None),
        (("G. Osei", "123+gosei@users.noreply.github.com"), None),
        (DANA, "approval recorded by its owner: commit"),
        (("Dana W.", "dana.weber@acme.example"), "approval recorded by its owner"),
        (SAM, "recorded by someone else: commit"),
    ],
)
def test_check_reports_an_approval_git_contradicts(tmp_path, capsys, recorder, problem):
    root = project(tmp_path)
    git(root, "init", "-q")
    commit(root, "Draft", DANA)
    approval.approve(root, Path(DOC), "Grace Osei", TODAY)
    status, out = check(root, capsys)
    assert status == 0, "an approval not yet committed is not judged"
    commit(root, "Approve the requirements", recorder)
    status, out = check(root, capsys)
    if problem is None:
        assert status == 0, out
    else:
        assert status == 1 and f"{DOC}:" in out and problem in out, out
        assert recorder[1] in out


def test_a_later_commit_does_not_move_the_recording(tmp_path, capsys):
    """The commit that set the approval counts, not the last one to touch the
    file (a front-matter tidy by the owner)."""
    root = project(tmp_path)
    git(root, "init", "-q")
    commit(root, "Draft", DANA)
    approval.approve(root, Path(DOC), "Grace Osei", TODAY)
    commit(root, "Approve", GRACE)
    path = root / DOC
    path.write_text(path.read_text().replace("title: Requirements", "title: The requirements"))
    commit(root, "Retitle", DANA)
    status, out = check(root, capsys)
    assert status == 0, out


def test_a_shallow_clone_leaves_the_recording_unknown(tmp_path, capsys):
    root = project(tmp_path)
    git(root, "init", "-q")
    commit(root, "Draft", DANA)
    approval.approve(root, Path(DOC), "Grace Osei", TODAY)
    commit(root, "Approve", DANA)
    (root / "other.txt").write_text("later\n")
    commit(root, "Later", SAM)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{root}", str(clone))
    status, out = check(clone, capsys)
    assert status == 0, out
    cli.main(["--root", str(clone), "check", "--json", "--today", TODAY.isoformat()])
    assert '"unknown": "the clone is shallow' in capsys.readouterr().out


# --- CODEOWNERS, by the forges' documented rules --------------------------------
#
# GitHub, "About code owners" (docs.github.com): the file is read from
# .github/, the root or docs/; a pattern follows most gitignore rules, then
# owners as @user, @org/team or an email; `#` starts a comment line, and an
# inline comment is invalid syntax; escaping a leading `#`, `!` negation and
# `[ ]` ranges do not work; paths are case-sensitive; the last matching
# pattern wins. User names: letters, digits and single inner hyphens, at most
# 39. A team member's own pull request counts as the team's review, so
# teams are not used.
# GitLab, "Syntax of CODEOWNERS file" (docs.gitlab.com): the file is read
# from the root, docs/ or .gitlab/; `#` lines are comments, inline comments
# are unsupported (owners in them are parsed); `[Section]` lines open
# sections; spaces in paths are escaped; later rules take precedence.

OWNER = re.compile(r"@[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")


def rules_of(text: str) -> list[tuple[str, list[str]]]:
    """The rules of a CODEOWNERS file as both forges read it, or an
    assertion error naming a line either forge would reject."""
    rules = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        assert "#" not in line, f"line {number}: an inline comment"
        assert not pattern.startswith(("!", "[", "^[")), f"line {number}: {pattern}"
        assert not set(pattern) & set("[]*?\\"), f"line {number}: {pattern} is not literal"
        assert pattern.startswith("/"), f"line {number}: {pattern} is not anchored at the root"
        assert owners, f"line {number}: no owner"
        for owner in owners:
            assert OWNER.fullmatch(owner), f"line {number}: {owner} is not a user name"
        rules.append((pattern, owners))
    return rules


def owners_of(rules: list[tuple[str, list[str]]], path: str) -> list[str]:
    """The owners of a file: the last rule whose (literal, anchored) pattern
    is the file or a folder holding it."""
    found: list[str] = []
    for pattern, owners in rules:
        if path == pattern[1:] or path.startswith(pattern[1:].rstrip("/") + "/"):
            found = owners
    return found


def test_codeowners_makes_every_change_to_an_approved_document_need_another_person(
    tmp_path, capsys
):
    evidence = "evidence:\n  eval: reports/eval.json\n"
    root = project(tmp_path, PEOPLE + evidence, **{"reports/eval.json": '{"a": 0.91}\n'})
    path = root / DOC
    path.write_text(path.read_text().replace("Text.", "Accuracy [0.91](evidence:eval#a)."))
    (root / ".github" / "workflows").mkdir(parents=True)
    own = "# Our own rule stays.\n/docs/ @sokafor\n"
    (root / ".github" / "CODEOWNERS").write_text(own)
    git(root, "init", "-q")
    commit(root, "Draft", DANA)
    approve = ["--root", str(root), "approve", DOC, "--by", "gosei", "--today", TODAY.isoformat()]
    assert cli.main(approve) == 0  # approve keeps the file in step
    text = (root / ".github" / "CODEOWNERS").read_text()
    assert text.startswith(own), "the team's own lines are kept, before the block"
    rules = rules_of(text)
    for file in (DOC, "reports/eval.json"):
        assert sorted(owners_of(rules, file)) == ["@dweber", "@gosei"], file
    for file in ("lifecycle.yml", ".github/CODEOWNERS"):
        assert sorted(owners_of(rules, file)) == ["@dweber", "@gosei", "@sokafor"], file
    assert owners_of(rules, doc_path("validation")) == ["@sokafor"], "drafts: the team's rule"
    for file in (DOC, "reports/eval.json", "lifecycle.yml", ".github/CODEOWNERS"):
        for author in owners_of(rules, file):
            others = [o for o in owners_of(rules, file) if o != author]
            assert others, f"a change to {file} by {author} would need no one else"
    commit(root, "Approve", GRACE)
    assert check(root, capsys)[0] == 0
    # Out of step: an approval the block does not know of.
    block = codeowners.current_block(text)
    (root / ".github" / "CODEOWNERS").write_text(text.replace(block.splitlines()[-2], ""))
    status, out = check(root, capsys)
    assert status == 1 and ".github/CODEOWNERS: not in step with the approvals" in out


def test_codeowners_refuses_without_a_handle_and_writes_nothing(tmp_path, capsys):
    people = PEOPLE.replace("    handle: gosei\n", "")
    root = project(tmp_path, people)
    approval.approve(root, Path(DOC), "Grace Osei", TODAY)
    status = cli.main(["--root", str(root), "codeowners", "--forge", "gitlab"])
    err = capsys.readouterr().err
    assert status == 1 and err.count("\n") == 1 and err.startswith("error: ")
    assert "approver 'Grace Osei' has no forge handle" in err
    assert not (root / ".gitlab").exists()


def test_approve_fails_when_it_cannot_keep_codeowners_in_step(tmp_path, capsys):
    root = project(tmp_path, PEOPLE.replace("    handle: gosei\n", ""))
    (root / ".github").mkdir()
    (root / ".github" / "CODEOWNERS").write_text("/docs/ @sokafor\n")
    approve = ["--root", str(root), "approve", DOC, "--by", "Grace Osei", "--today", "2026-06-01"]
    status = cli.main(approve)
    out, err = capsys.readouterr()
    assert out.startswith("Approved ") and "has no forge handle" in err
    assert status == 1
    assert (root / ".github" / "CODEOWNERS").read_text() == "/docs/ @sokafor\n"


@pytest.mark.parametrize("after", ["", "\n", "\n/later/ @sokafor\n"])
def test_the_block_is_replaced_wherever_the_file_ends(after):
    stale = "\n".join([codeowners.BEGIN, "/old.md @gosei", codeowners.END])
    new = codeowners.Block(["/new.md @dweber @gosei"]).text
    text = codeowners.with_block("/docs/ @sokafor\n" + stale + after, new)
    assert text == "/docs/ @sokafor\n" + new + after.removeprefix("\n")


@pytest.mark.parametrize(
    ("handle", "forge", "fits"),
    [
        ("a-b", "github", True),
        ("a--b", "github", False),
        ("-ab", "github", False),
        ("a_b", "github", False),
        ("a" * 40, "github", False),
        ("a_b.c", "gitlab", True),
        ("ab.", "gitlab", False),
        ("ab.git", "gitlab", False),
        (".ab", "gitlab", False),
    ],
)
def test_handles_fit_the_forges_user_names(handle, forge, fits):
    assert bool(codeowners.HANDLES[forge].fullmatch(handle)) is fits


def test_a_handle_the_forge_cannot_have_is_reported(tmp_path):
    root = project(tmp_path, PEOPLE.replace("handle: gosei", "handle: go_sei"))
    (root / ".github").mkdir()
    (root / ".github" / "CODEOWNERS").write_text("")
    report = check_project(root, TODAY)
    assert any(
        "'go_sei' of Grace Osei is not a github user name" in str(p) for p in report.problems
    )


def test_check_summary_adds_the_table_in_markdown(tmp_path, capsys):
    root = project(tmp_path)
    summary = tmp_path / "summary.md"
    summary.write_text("Earlier step.\n")
    cli.main(["--root", str(root), "check", "--summary", str(summary)])
    text = summary.read_text()
    assert text.startswith("Earlier step.\n"), "the summary is added to, not replaced"
    assert "| Phase | Document | Status | Owner |" in text
    assert "| 1 requirements | requirements | draft | Dana Weber |" in text
    assert "Summary: 3 draft" in text
