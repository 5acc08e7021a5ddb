"""Where this template came from: the pin of the ml-lifecycle package.

A baked project gets its tools (the `ml-lifecycle` command and the site's
`lifecycle` plugin) from the package in this repository. No public index is
assumed to hold it, so a bake pins the repository it was baked from, at the
exact commit of the bake:

    ml-lifecycle @ git+https://github.com/acme/ml-lifecycle.git@<40-hex sha>

This Jinja extension gives the template `template_source(cookiecutter)`, which
works that out from what cookiecutter and cruft record while baking:

- cookiecutter: `_repo_dir`, the template's folder (its own clone for
  `gh:owner/repo` or a URL); its `origin` remote and `HEAD`;
- cruft (`create`, `update`, `diff`): `_template`, the URL it cloned, and
  `_commit`, the commit it rendered, so `cruft update` moves the pin.

A team that publishes the package to an index opts in with
`_package_index` in cookiecutter.json; the pin is then a version with the
hashes of its files. A template folder with no reachable source (no git, no
remote, a commit not pushed) still gets a pin that works on the machine that
baked it, and a `warning` that the project carries into its next steps and
README. Git runs with the repository's config unable to run any program, and
every value written into the project is checked to be a plain URL or hash.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jinja2.ext import Extension

PACKAGE = "ml-lifecycle"
SHA = re.compile(r"[0-9a-f]{40}")
SHA256 = re.compile(r"sha256:[0-9a-f]{64}")
VERSION = re.compile(r"[0-9]+(\.[0-9]+)*([.-]?(a|b|rc|post|dev)[0-9]*)*")
# What pip can install from, and nothing that would break a requirement line
# (spaces, '#', ';', quotes) or hide a credential.
PIP_URL = re.compile(r"(https|http|ssh|git|file)://[A-Za-z0-9._~:/%+@-]+")
# `git@host:owner/repo.git`, git's short form of an ssh URL.
SCP_LIKE = re.compile(r"(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*)")
# Hosts where anyone can clone a public repository over https without a key,
# as CI does: their ssh remotes are pinned as https.
PUBLIC_FORGES = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"}
ABBREVIATIONS = {
    "gh": "https://github.com/{}.git",
    "gl": "https://gitlab.com/{}.git",
    "bb": "https://bitbucket.org/{}",
}
# Git reads no system or global config, and the repository's own config can
# start no program: no fsmonitor, no hooks, no pager.
GIT_SAFETY = ["-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"]
GIT_TIMEOUT = 10
# How a warning ends: what follows, and what to do.
LOCAL_ONLY = ", so the tools install on this machine only"
PIN = (
    "set the last line of requirements-lifecycle.txt to "
    "ml-lifecycle @ git+<the template's URL>@<commit>"
)
PUSH_AND_PIN = f". To fix: push the template to a forge, then {PIN}"
# What cookiecutter and cruft record, and the opt-in index: all a pin depends on.
ANSWERS_READ = ("_template", "_repo_dir", "_commit", "_package_index")


def git(folder: str, *args: str) -> str | None:
    """Git's output in `folder`, or None when git is missing or fails."""
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_PAGER": "cat",
    }
    try:
        result = subprocess.run(
            ["git", *GIT_SAFETY, "-C", folder, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.removesuffix("\n") if result.returncode == 0 else None


def printable(path: Path) -> str:
    """A folder's name for a one-line message in a comment or a code block:
    control characters and backticks shown as '?'."""
    return "".join(
        "?" if c == "`" or unicodedata.category(c).startswith("C") else c for c in str(path)
    )


def without_credentials(url: str) -> str:
    """The URL without a password or token in it (`https://user:token@host`)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    user, _, host = parts.netloc.rpartition("@")
    keep = user.split(":")[0] if parts.scheme == "ssh" else ""
    netloc = f"{keep}@{host}" if keep else host
    return urlunsplit(parts._replace(netloc=netloc))


def pip_url(remote: str, base: Path) -> str | None:
    """A git remote as a URL pip can clone, or None when it is not one.
    Relative and absolute folder paths become file:// URLs."""
    remote = remote.strip()
    if "::" in remote:  # git's `<transport>::<address>`: a remote helper, a program
        return None
    for prefix, pattern in ABBREVIATIONS.items():
        if remote.startswith(prefix + ":") and "//" not in remote:
            remote = pattern.format(remote[len(prefix) + 1 :].strip("/"))
    scp = SCP_LIKE.fullmatch(remote)
    if scp and "://" not in remote:
        path = scp["path"].lstrip("/")
        if scp["host"] in PUBLIC_FORGES:
            remote = f"https://{scp['host']}/{path}"
        else:
            remote = f"ssh://{scp['user']}@{scp['host']}/{path}"
    elif "://" not in remote:
        folder = (base / remote).resolve() if not Path(remote).is_absolute() else Path(remote)
        remote = folder.as_uri()
    if remote.startswith("ssh://"):
        host = urlsplit(remote).hostname or ""
        if host in PUBLIC_FORGES:
            remote = urlunsplit(urlsplit(remote)._replace(scheme="https", netloc=host))
    remote = without_credentials(remote)
    return remote if PIP_URL.fullmatch(remote) else None


def index_pin(index: dict) -> dict | None:
    """The opt-in pin from a package index, when cookiecutter.json sets one."""
    version = str(index.get("version") or "")
    if not version:
        return None
    hashes = [str(h) for h in index.get("hashes") or []]
    url = str(index.get("index_url") or "")
    if not VERSION.fullmatch(version) or not hashes:
        raise ValueError("_package_index needs a version and the sha256 hash of each file")
    if not all(SHA256.fullmatch(h) for h in hashes) or (url and not PIP_URL.fullmatch(url)):
        raise ValueError("_package_index has a hash or an index_url that is not plain")
    lines = [f"--index-url {url}"] if url else []
    lines.append(" \\\n    ".join([f"{PACKAGE}=={version}", *(f"--hash={h}" for h in hashes)]))
    return {
        "kind": "index",
        "requirement": "\n".join(lines),
        "url": "",
        "commit": "",
        "version": version,
        "warning": "",
    }


def git_pin(url: str, commit: str, fragment: str = "", warning: str = "") -> dict:
    """The pin of a git repository at a commit."""
    return {
        "kind": "git",
        "requirement": f"{PACKAGE} @ git+{url}@{commit}{fragment}",
        "url": url,
        "commit": commit,
        "version": "",
        "warning": warning,
    }


def git_source(folder: Path, commit: str | None = None, remote: str | None = None) -> dict:
    """The pin for a template that is a git repository (or is not one)."""
    # One call for the repository's top, the template's folder within it and
    # (unless cruft named it) the commit checked out.
    found = git(str(folder), "rev-parse", "--show-toplevel", "--show-prefix", commit or "HEAD")
    if found is None:
        why = (
            "has no commit yet"
            if git(str(folder), "rev-parse") == ""
            else "is not a git repository"
        )
        return folder_source(folder, why)
    top, prefix, head = found.split("\n")
    commit = commit or head
    fragment = f"#subdirectory={prefix.rstrip('/')}" if prefix else ""
    remote = remote or (git(str(folder), "config", "--get", "remote.origin.url") or "").strip()
    url = pip_url(remote, Path(top)) if remote else None
    shown = printable(folder)
    warning = ""
    if url is None:
        url = Path(top).as_uri()
        warning = f"{shown} has no git remote that pip can clone{LOCAL_ONLY}{PUSH_AND_PIN}"
    elif not git(str(folder), "for-each-ref", "--count=1", "--contains", commit, "refs/remotes"):
        warning = (
            f"Commit {commit[:12]} is on no remote branch of {shown} yet, so CI cannot "
            f"install the tools. To fix: push it (git -C {shown} push)"
        )
    elif git(str(folder), "status", "--porcelain", "--untracked-files=no", "--", "."):
        warning = (
            f"{shown} had uncommitted changes, which the pinned commit {commit[:12]} "
            "does not hold. To fix: commit and push them, then bake again or run cruft update"
        )
    return git_pin(url, commit, fragment, warning)


def folder_source(folder: Path, why: str) -> dict:
    """The pin for a template folder that git cannot name: the folder itself."""
    return {
        "kind": "folder",
        "requirement": f"{PACKAGE} @ {folder.resolve().as_uri()}",
        "url": "",
        "commit": "",
        "version": "",
        "warning": f"{printable(folder)} {why}{LOCAL_ONLY}{PUSH_AND_PIN}",
    }


def unknown_source(why: str, commit: str = "") -> dict:
    """No pin can be written: the requirement line is a comment saying what
    to put there, and the warning says why."""
    at = f"@{commit}" if commit else "@<commit>"
    return {
        "kind": "unknown",
        "requirement": f"# {PACKAGE} @ git+<the template repository's URL>{at}",
        "url": "",
        "commit": commit,
        "version": "",
        "warning": f"{why}, so no pin could be written. To fix: {PIN}",
    }


def locate(template: str, repo_dir: str, commit: str) -> dict:
    """The source, from what cookiecutter or cruft recorded; `repo_dir` is
    absolute."""
    if SHA.fullmatch(commit):  # cruft: the URL it cloned, the commit it rendered
        local = Path(template).expanduser()
        if local.is_absolute() and local.is_dir():
            if git(str(local), "rev-parse", "--is-bare-repository") == "true":
                return git_pin(local.as_uri(), commit)
            return git_source(local, commit)
        url = pip_url(template, Path("/"))
        if url is None or url.startswith("file:"):
            return unknown_source(
                f"The template came from {template!r}, not a URL pip can clone", commit
            )
        return git_pin(url, commit)
    if template.lower().endswith(".zip"):
        return unknown_source("The template came from a zip archive, which is gone after the bake")
    if not repo_dir:
        return unknown_source("Cookiecutter did not say where the template is")
    return git_source(Path(repo_dir))


def template_source(answers: Any, base: str = ".") -> dict:
    """Where this bake's ml-lifecycle comes from: `kind` (git, index, folder
    or unknown), the `requirement` line(s) for requirements-lifecycle.txt, the
    git `url` and `commit`, the index `version`, and a `warning` (empty when
    the pin works on any machine). A relative `_repo_dir` is relative to
    `base`, the folder cookiecutter was started in."""
    pinned = index_pin(dict(answers.get("_package_index") or {}))
    if pinned:
        return pinned
    repo_dir = str(answers.get("_repo_dir") or "")
    return locate(
        str(answers.get("_template") or ""),
        str((Path(base) / repo_dir).resolve()) if repo_dir else "",
        str(answers.get("_commit") or ""),
    )


class TemplateSource(Extension):
    """Adds `template_source(cookiecutter)` to the template's globals,
    worked out once per environment (one environment renders a bake's files)."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        # Cookiecutter creates the environment that renders the files before
        # it changes into the template's folder: this is where it started.
        base = os.getcwd()
        found: dict[str, dict] = {}

        def source(answers: Any) -> dict:
            key = repr([answers.get(k) for k in ANSWERS_READ])
            if key not in found:
                found[key] = template_source(answers, base)
            return found[key]

        environment.globals["template_source"] = source
