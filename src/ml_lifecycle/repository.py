"""The one way the package runs git on a project: never required (outside a
repository, or without git, the answer is None), bounded in time, and with
the repository's own config unable to run a program.

A repository's `.git/config` (from an archive, a shared folder, a copied
checkout) can name programs that git runs on its own: an fsmonitor, hooks,
a pager, a signature verifier (`log.showSignature` with `gpg.program`), an
external diff or textconv, clean and smudge filters, and, through a
partial clone's lazy fetch, an ssh command, a proxy or a credential helper.
So:

- every call carries SAFE, which switches each of those off for that call
  (command-line settings win over every config file), and an environment
  with no pager, no prompt, no optional locks and no lazy fetch;
- only commands that never convert files of the working tree run: no
  `git status` or `git diff`, whose clean filters are named by the
  repository (`filter.<any name>.clean`) and cannot all be switched off.
  Whether the working tree differs from a commit is worked out here, from
  the blob ids `git ls-tree` prints (`changed_since`).

A repository named by URL (the template `ml-lifecycle update` fetches, a
portfolio's members) is cloned in two steps, with the settings below:

1. the clone (CLONE_SAFE, clone_environment) fetches with the operator's
   settings, which a private repository needs for its credentials, and
   `--template=`, `--no-checkout`: no hook, no transport helper that runs
   a command (`ext::`, `fd::`), no submodule, no password prompt;
2. everything after it in the clone, the checkout included, runs with SAFE
   and without system or global config (offline_environment): a filter
   driver (an LFS smudge), which the cloned files' `.gitattributes` may
   name, is a program only config can define, so none runs.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from pathlib import Path

TIMEOUT = 30  # seconds
CHUNK = 1024 * 1024
MAX_NORMALISED = 20 * 1024 * 1024  # a file compared again with LF line ends
NOTHING = "/dev/null"  # git reads it as "no hooks" on every system, Windows included
# Each transport git ships, refused by name: a repository's own
# `protocol.ext.allow=always` would otherwise win over protocol.allow.
TRANSPORTS = ("ext", "fd", "file", "git", "ssh", "http", "https", "ftp", "ftps")
SAFE = (
    "--no-pager",
    "-c", "core.fsmonitor=false",
    "-c", f"core.hooksPath={NOTHING}",
    "-c", "core.untrackedCache=false",
    "-c", "core.pager=cat",
    "-c", "core.sshCommand=",
    "-c", "core.gitProxy=",
    "-c", "core.askPass=",
    "-c", "core.alternateRefsCommand=",
    "-c", "credential.helper=",
    "-c", "diff.external=",
    "-c", "log.showSignature=false",
    "-c", "protocol.allow=never",
    *(arg for name in TRANSPORTS for arg in ("-c", f"protocol.{name}.allow=never")),
    "-c", "submodule.recurse=false",
    "-c", "gc.auto=0",
    "-c", "maintenance.auto=false",
)  # fmt: skip
# Variables that would run a program, or change which one runs.
UNSET = ("GIT_EXTERNAL_DIFF", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", "GIT_PROXY_COMMAND")
QUIET = {
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_NO_LAZY_FETCH": "1",  # git 2.44 and later; the protocols are refused for older ones
    "GIT_PROTOCOL_FROM_USER": "0",
    "GIT_NO_REPLACE_OBJECTS": "1",
}


# The clone's fetch: the operator's config, with nothing in it or in the
# remote able to run a program on this machine.
CLONE_SAFE = (
    "-c", f"core.hooksPath={NOTHING}",
    "-c", "core.fsmonitor=false",
    "-c", "protocol.ext.allow=never",
    "-c", "protocol.fd.allow=never",
    "-c", "submodule.recurse=false",
)  # fmt: skip
CLONE_QUIET = {
    "GIT_TERMINAL_PROMPT": "0",  # never wait for a password
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GCM_INTERACTIVE": "never",
    "GIT_LFS_SKIP_SMUDGE": "1",
    "GIT_ALLOW_PROTOCOL": "https:http:ssh:git:file",
}
# After the fetch: no system or global config, so no filter driver is defined.
NO_CONFIG = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    return {**env, **QUIET}


def clone_environment() -> dict[str, str]:
    """For the clone's fetch (CLONE_SAFE): the operator's settings, no prompt."""
    return {**os.environ, **CLONE_QUIET}


def offline_environment() -> dict[str, str]:
    """For git's work in a fresh clone or on loose files (with SAFE): no
    system or global config either."""
    return {**environment(), **NO_CONFIG}


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """git's output, or None when git is missing, fails or takes too long."""
    try:
        done = subprocess.run(
            ["git", *SAFE, *args],
            cwd=root,
            input=stdin,
            capture_output=True,
            timeout=TIMEOUT,
            env=environment(),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_text(root: Path, *args: str) -> str | None:
    out = git(root, *args)
    return None if out is None else out.decode("utf-8", "replace")


# --- is the working tree as committed? ----------------------------------------------


def revision(root: Path, folder: str) -> str:
    """The commit HEAD names, short, marked when the files under `folder`
    differ from it; "" outside a repository."""
    commit = (git_text(root, "rev-parse", "--short", "HEAD") or "").strip()
    if commit and changed_since(root, "HEAD", folder):
        commit += " (with uncommitted changes)"
    return commit


def changed_since(root: Path, commit: str, folder: str) -> bool | None:
    """Whether the files under `folder` (relative to `root`) differ from
    `commit`: changed, deleted or new (and not ignored). None when git
    cannot say. Read from blob ids, so that no filter of the repository runs;
    a file whose only change is CRLF line ends (core.autocrlf) is unchanged."""
    listed = git(root, "ls-tree", "-r", "-z", commit, "--", folder)
    others = git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", folder)
    kind = (git_text(root, "rev-parse", "--show-object-format") or "sha1").strip()
    if listed is None or others is None or kind not in ("sha1", "sha256"):
        return None
    if others.strip(b"\0"):
        return True
    committed = tree_entries(listed)
    for path, (mode, blob) in committed.items():
        if mode != "160000" and not same_blob(root / path, mode, blob, kind):
            return True
    return False


def tree_entries(listing: bytes) -> dict[str, tuple[str, str]]:
    """`ls-tree -z` lines as {path: (mode, object id)}."""
    entries = {}
    for line in listing.split(b"\0"):
        head, _, path = line.partition(b"\t")
        fields = head.split()
        if len(fields) == 3:
            entries[path.decode("utf-8", "surrogateescape")] = (
                fields[0].decode(),
                fields[2].decode(),
            )
    return entries


def same_blob(path: Path, mode: str, blob: str, kind: str) -> bool:
    """Whether the file at `path` is the committed blob."""
    try:
        info = os.lstat(path)
        if mode == "120000":
            target = os.fsencode(os.readlink(path))
            return stat.S_ISLNK(info.st_mode) and blob_id([target], len(target), kind) == blob
        if not stat.S_ISREG(info.st_mode):
            return False
        with open(path, "rb") as file:
            if blob_id(iter(lambda: file.read(CHUNK), b""), info.st_size, kind) == blob:
                return True
            if info.st_size > MAX_NORMALISED:
                return False
            file.seek(0)
            data = file.read().replace(b"\r\n", b"\n")
    except OSError:
        return False
    return blob_id([data], len(data), kind) == blob


def blob_id(chunks, size: int, kind: str) -> str:
    """The id git gives a blob of `size` bytes, read in chunks."""
    digest = hashlib.new(kind, b"blob %d\0" % size)
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()
