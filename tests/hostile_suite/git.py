"""Class `git`: a repository whose .git/config names a program, setting by
setting, and the package's git work on it (the dossier's source revision,
`check --json`'s last changes). Each program leaves a mark when it runs;
none may run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from hostile_suite.kit import DATA, DOC, Case, Failure, dossier, project, succeeded, tool

IDENTITY = ("-c", "user.name=Team", "-c", "user.email=team@example.org")


def mark(marks: Path, name: str, then: str = "") -> str:
    return f"touch '{marks / name}'; {then}".strip()


def settings(marks: Path, work: Path) -> dict[str, list[tuple[str, str]]]:
    """Each setting that runs a program, as (key, value) pairs."""
    return {
        "fsmonitor": [("core.fsmonitor", mark(marks, "fsmonitor", "false"))],
        "hooks-path": [("core.hooksPath", str(work / "hooks"))],
        "pager": [("core.pager", mark(marks, "pager", "cat"))],
        "pager-log": [("pager.log", mark(marks, "pager-log", "cat"))],
        "pager-status": [("pager.status", mark(marks, "pager-status", "cat"))],
        "ssh-command": [("core.sshCommand", mark(marks, "ssh"))],
        "ask-pass": [("core.askPass", mark(marks, "askpass"))],
        "git-proxy": [("core.gitProxy", mark(marks, "proxy"))],
        "alternate-refs": [("core.alternateRefsCommand", mark(marks, "alternate"))],
        "external-diff": [("diff.external", mark(marks, "external-diff"))],
        "textconv": [("diff.evil.textconv", mark(marks, "textconv", "cat"))],
        "diff-command": [("diff.evil.command", mark(marks, "diff-command"))],
        "clean-filter": [("filter.evil.clean", mark(marks, "clean", "cat"))],
        "smudge-filter": [("filter.evil.smudge", mark(marks, "smudge", "cat"))],
        "process-filter": [("filter.evil.process", mark(marks, "process"))],
        "signatures": [("log.showSignature", "true"), ("gpg.program", str(work / "gpg"))],
        "ssh-signatures": [
            ("log.showSignature", "true"),
            ("gpg.format", "ssh"),
            ("gpg.ssh.program", mark(marks, "gpg-ssh")),
        ],
        "credential-helper": [("credential.helper", "!" + mark(marks, "credential"))],
        "lazy-fetch-ext": [
            ("extensions.partialClone", "origin"),
            ("remote.origin.url", f"ext::sh -c touch% {marks / 'lazy-fetch'}"),
            ("remote.origin.promisor", "true"),
            ("protocol.ext.allow", "always"),
        ],
        "upload-pack": [
            ("extensions.partialClone", "origin"),
            ("remote.origin.url", str(work / "nowhere")),
            ("remote.origin.uploadpack", mark(marks, "upload-pack")),
            ("protocol.file.allow", "always"),
        ],
        "editor": [("core.editor", mark(marks, "editor"))],
        "include-of-another-file": [("include.path", str(work / "more.config"))],
    }


def git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True)


def repository(work: Path) -> tuple[Path, Path]:
    """A project in git with a signed commit, a blob missing as in a partial
    clone, a filter on every file and an uncommitted edit."""
    root = project(work)
    marks = work / "marks"
    marks.mkdir()
    hooks = work / "hooks"
    hooks.mkdir()
    for hook in ("post-index-change", "reference-transaction", "pre-auto-gc", "post-checkout"):
        (hooks / hook).write_text(f"#!/bin/sh\n{mark(marks, 'hook-' + hook)}\n")
        (hooks / hook).chmod(0o755)
    (work / "gpg").write_text(f"#!/bin/sh\n{mark(marks, 'gpg')}\nexit 1\n")
    (work / "gpg").chmod(0o755)
    signer = work / "signer"
    signer.write_text(
        "#!/bin/sh\ncat >/dev/null\nprintf '\\n[GNUPG:] SIG_CREATED \\n' >&2\n"
        "printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nx\\n-----END PGP SIGNATURE-----\\n'\n"
    )
    signer.chmod(0o755)
    (work / "more.config").write_text(f'[core]\n\tfsmonitor = "{mark(marks, "included")}"\n')
    git(root, "init", "-q")
    (root / ".gitattributes").write_text("* filter=evil diff=evil\n")
    git(root, "add", "-A")
    git(root, *IDENTITY, "commit", "-qm", "first")
    blob = git(root, "rev-parse", f"HEAD:{DOC}").stdout.decode().strip()
    path = root / DOC
    path.write_text(path.read_text() + "\nSecond.\n")
    git(root, *IDENTITY, "-c", f"gpg.program={signer}", "commit", "-qS", "-am", "signed")
    (root / ".git/objects" / blob[:2] / blob[2:]).unlink()
    path.write_text(path.read_text() + "\nUncommitted.\n")
    git(root, "config", "core.repositoryformatversion", "1")
    return root, marks


def git_case(setting: str, command: str) -> Case:
    def run(work: Path) -> str:
        root, marks = repository(work)
        for key, value in settings(marks, work)[setting]:
            if git(root, "config", "--add", key, value).returncode:
                raise Failure(f"could not plant {key}")
        if command == "dossier":
            succeeded(dossier(root))
            if "with uncommitted changes" not in (root / "dossier/dossier.html").read_text():
                raise Failure("the dossier missed the uncommitted edit")
        else:
            result = tool(root, "check", "--json", "--today", "2026-06-01")
            if '"last_change"' not in result.out:
                raise Failure("check --json found no last change")
        ran = sorted(os.listdir(marks))
        if ran:
            raise Failure(f"git ran {ran}")
        return DATA

    return Case("git", f"{setting}/{command}", run)


def cases() -> list[Case]:
    if shutil.which("git") is None:
        return []
    names = settings(Path("/m"), Path("/w"))
    return [git_case(name, command) for name in names for command in ("dossier", "check")]
