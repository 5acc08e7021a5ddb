"""What a portfolio run reads: each member is a project folder, or a git URL
to clone first. Members come from the command line, from a list file (one
folder or URL a line) and from a folder of clones (each subfolder one).

A git URL is https, http, ssh, git or file, or `user@host:path`: transport
helpers (`ext::`, `fd::`, anything with `::`) would run a command, and are
refused, as is anything that git could read as an option. Credentials in a
URL are never shown: rows and messages name it without them.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ml_lifecycle import limits

SCHEMES = ("https", "http", "ssh", "git", "file")
SCHEME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "+.-")
HOST_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._-")
MAX_LIST_BYTES = 1024 * 1024
MAX_MEMBERS = 100_000


class MemberError(Exception):
    """A source that cannot be listed (a usage error: exit status 2)."""


@dataclass
class Member:
    """One project to read: a folder, or a git URL cloned into `path`."""

    source: str  # as given, without credentials
    path: Path | None = None
    url: str = ""  # a git URL, with its credentials, for git alone
    error: str = ""  # why it cannot be read, found before reading

    @property
    def key(self) -> str:
        return self.url or str(self.path.resolve() if self.path else self.source)


def scheme_of(text: str) -> str:
    """The scheme of `scheme://...`, lowercase; empty for anything else."""
    scheme, separator, rest = text.partition("://")
    valid = scheme[:1].isalpha() and set(scheme) <= SCHEME_CHARACTERS
    return scheme.lower() if separator and valid and rest and " " not in text else ""


def is_scp_like(text: str) -> bool:
    """`user@host:path`, as git and ssh write a repository."""
    user, at, rest = text.partition("@")
    host, colon, path = rest.partition(":")
    return bool(
        at
        and colon
        and user
        and host
        and path
        and not path.startswith(":")
        and set(user) <= HOST_CHARACTERS
        and set(host) <= HOST_CHARACTERS
        and not any(c.isspace() for c in path)
    )


def is_git_url(text: str) -> bool:
    """Whether an entry names a repository to clone rather than a folder."""
    return bool(scheme_of(text)) or is_scp_like(text) or "::" in text


def url_problem(url: str) -> str:
    """Why git must not be given this URL; empty when it may."""
    if url.startswith("-") or any(ord(c) < 32 or c.isspace() for c in url):
        return "is not a URL git may be given"
    if "::" in url:
        return "names a git transport helper, which runs a command: not cloned"
    scheme = scheme_of(url)
    if scheme and scheme not in SCHEMES:
        return f"uses {scheme}://: only {', '.join(SCHEMES)} URLs are cloned"
    host = urlsplit(url).netloc.rsplit("@", 1)[-1] if scheme else url.partition("@")[2]
    if host.startswith("-"):
        return "names a host that git or ssh could read as an option: not cloned"
    return ""


def shown_url(url: str) -> str:
    """A URL without the user name and password it may carry."""
    if not scheme_of(url):
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def member(entry: str, base: Path | None = None) -> Member:
    """A member from one entry: a git URL, or a folder (relative to `base`)."""
    if is_git_url(entry):
        shown = shown_url(entry)
        return Member(shown, url=entry, error=url_problem(entry))
    path = Path(entry)
    if base is not None and not path.is_absolute():
        path = base / path
    return Member(entry, path=path)


def listed(list_file: Path) -> list[Member]:
    """The members a list file names: one folder or git URL a line; blank
    lines and lines starting with # are skipped; folders are relative to
    the list file's own folder."""
    try:
        text = limits.read_text(list_file, None, MAX_LIST_BYTES)
    except limits.Refused as exc:
        raise MemberError(f"{list_file}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MemberError(f"cannot read the list {list_file}: {exc}") from None
    entries = [line.strip() for line in text.split("\n")]
    entries = [entry for entry in entries if entry and not entry.startswith("#")]
    return [member(entry, list_file.parent) for entry in entries]


def clones(folder: Path) -> list[Member]:
    """Each subfolder of a folder of clones (hidden ones left out), by name."""
    if not folder.is_dir():
        raise MemberError(f"{folder} is not a folder of clones")
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name[:1] != ".")
    except OSError as exc:
        raise MemberError(f"cannot list {folder}: {exc.strerror or exc}") from None
    return [Member(str(folder / name), path=folder / name) for name in names]


def gather(
    sources: list[str], list_file: Path | None = None, clone_folder: Path | None = None
) -> list[Member]:
    """Every member, each once, in the order given."""
    found = [member(source) for source in sources]
    if list_file is not None:
        found += listed(list_file)
    if clone_folder is not None:
        found += clones(clone_folder)
    if not found:
        raise MemberError("no projects: name folders or git URLs, or use --list or --clones")
    if len(found) > MAX_MEMBERS:
        raise MemberError(f"{len(found):,} projects, over the {MAX_MEMBERS:,} a register reads")
    unique: dict[str, Member] = {}
    for item in found:
        unique.setdefault(item.key, item)
    return list(unique.values())
