"""Every git call the package makes runs nothing a repository's config names
(repository.py). A repository plants each program-running setting in
`.git/config`, each program leaving a mark; the package's git work (the
dossier's source revision, `check --json`'s last changes) must leave none.
A control run of plain git proves the planted settings are live."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from ml_lifecycle import history, repository
from ml_lifecycle.rules import check_project

from .tiny_projects import doc_path, make_project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
TODAY = date(2026, 6, 1)
IDENTITY = ("-c", "user.name=Team", "-c", "user.email=team@example.org")


def program(marks: Path, name: str, then: str = "") -> str:
    """A shell command that leaves the mark `name` (and then does `then`)."""
    return f"touch '{marks / name}'; {then}".strip()


def plain_git(root: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, **kwargs)


def signer(tmp_path: Path) -> Path:
    """A stand-in for gpg that signs anything, so that the history holds a
    signed commit (log.showSignature then runs gpg.program on it)."""
    script = tmp_path / "signer"
    script.write_text(
        "#!/bin/sh\ncat >/dev/null\nprintf '\\n[GNUPG:] SIG_CREATED \\n' >&2\n"
        "printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nx\\n-----END PGP SIGNATURE-----\\n'\n"
    )
    script.chmod(0o755)
    return script


def planted(marks: Path, hooks: Path) -> str:
    """Every setting of .git/config that makes git run a program."""
    return f"""
[core]
\tfsmonitor = "{program(marks, "fsmonitor", "false")}"
\thooksPath = {hooks}
\tpager = "{program(marks, "pager", "cat")}"
\tsshCommand = "{program(marks, "ssh")}"
\taskPass = "{program(marks, "askpass")}"
\tgitProxy = "{program(marks, "proxy")}"
\talternateRefsCommand = "{program(marks, "alternate-refs")}"
\tuntrackedCache = true
[diff]
\texternal = "{program(marks, "external-diff")}"
[diff "evil"]
\ttextconv = "{program(marks, "textconv", "cat")}"
\tcommand = "{program(marks, "diff-command")}"
[filter "evil"]
\tclean = "{program(marks, "clean", "cat")}"
\tsmudge = "{program(marks, "smudge", "cat")}"
\tprocess = "{program(marks, "process")}"
[log]
\tshowSignature = true
[gpg]
\tprogram = "{marks.parent / "gpg"}"
[gpg "ssh"]
\tprogram = "{program(marks, "gpg-ssh")}"
[pager]
\tlog = "{program(marks, "pager-log", "cat")}"
\tstatus = "{program(marks, "pager-status", "cat")}"
[credential]
\thelper = "!{program(marks, "credential")}"
[protocol "ext"]
\tallow = always
[remote "origin"]
\turl = "ext::sh -c touch% {marks / "lazy-fetch"}"
\tpromisor = true
\tuploadpack = "{program(marks, "upload-pack")}"
[extensions]
\tpartialClone = origin
"""


@pytest.fixture
def hostile_repository(tmp_path) -> tuple[Path, Path]:
    """A project in git: a signed commit, a blob missing as in a partial
    clone, an uncommitted edit, a filter on every file, and the planted
    config. Returns (project, marks folder)."""
    root = make_project(tmp_path / "project")
    marks, hooks = tmp_path / "marks", tmp_path / "hooks"
    marks.mkdir()
    hooks.mkdir()
    for hook in ("post-index-change", "pre-auto-gc", "reference-transaction", "post-checkout"):
        (hooks / hook).write_text(f"#!/bin/sh\n{program(marks, 'hook-' + hook)}\n")
        (hooks / hook).chmod(0o755)
    gpg = tmp_path / "gpg"
    gpg.write_text(f"#!/bin/sh\n{program(marks, 'gpg')}\nexit 1\n")
    gpg.chmod(0o755)
    document = root / doc_path("requirements")
    assert plain_git(root, "init", "-q").returncode == 0
    (root / ".gitattributes").write_text("* filter=evil diff=evil\n")
    plain_git(root, "add", "-A")
    plain_git(root, *IDENTITY, "commit", "-qm", "first")
    first_blob = plain_git(root, "rev-parse", f"HEAD:{doc_path('requirements')}").stdout.strip()
    document.write_text(document.read_text() + "\nSecond.\n")
    signed = ("-c", f"gpg.program={signer(tmp_path)}", "commit", "-qS", "-am", "signed")
    assert plain_git(root, *IDENTITY, *signed).returncode == 0
    loose = root / ".git/objects" / first_blob[:2].decode() / first_blob[2:].decode()
    loose.unlink()  # as a partial clone would lack it
    document.write_text(document.read_text() + "\nUncommitted.\n")
    plain_git(root, "config", "core.repositoryformatversion", "1")
    with (root / ".git/config").open("a") as config:
        config.write(planted(marks, hooks))
    return root, marks


def test_the_package_s_git_runs_nothing_the_repository_names(hostile_repository):
    root, marks = hostile_repository
    assert repository.revision(root, "docs").endswith(" (with uncommitted changes)")
    report = check_project(root, TODAY)
    history.add_last_changes(report)
    changes = [doc.last_change for doc in report.documents]
    assert all(change and change["commit"] for change in changes)
    assert repository.changed_since(root, "HEAD", "docs") is True
    assert sorted(os.listdir(marks)) == []


def test_the_planted_settings_are_live(hostile_repository):
    """The control: plain git runs them (so the test above can fail)."""
    root, marks = hostile_repository
    unchanged = root / doc_path("validation")
    os.utime(unchanged, (1, 1))  # same size, another time: git must read it, through the filter
    plain_git(root, "status", "--porcelain")
    plain_git(root, "log", "-n2", "--format=%H", "--", doc_path("requirements"))
    plain_git(root, "cat-file", "--batch", input=b"HEAD~1:" + doc_path("requirements").encode())
    ran = set(os.listdir(marks))
    assert {"fsmonitor", "process", "gpg", "lazy-fetch"} <= ran, ran
