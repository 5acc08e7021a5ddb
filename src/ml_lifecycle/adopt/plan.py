"""Where an adoption puts each file of the rendered template, and what it
leaves alone.

A repository with a MkDocs site keeps it: the documents go into a sub-folder
of its docs_dir (`lifecycle/` unless told), its mkdocs.yml is edited in
place (site_config.py), and `lifecycle.yml` at the top of the repository
names the folder (`docs:`). A repository without one gets the site a bake
has: mkdocs.yml, the theme overrides, docs/, and the forge's files for the
publishing chosen (CI, CODEOWNERS, update bot).

Either way, the repository's own files are never the template's: its
README, Makefile, licence, .gitignore and .gitattributes stay as they are,
and a file the template would write where one already is, is skipped.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ml_lifecycle import limits
from ml_lifecycle.adopt.site_config import SiteEdit
from ml_lifecycle.template_sections import SECTIONS_FILE
from ml_lifecycle.vocabulary import DOCS_DIR, PHASES_FILE

SITE_NAMES = ("mkdocs.yml", "mkdocs.yaml", "docs/mkdocs.yml", "docs/mkdocs.yaml")
DEFAULT_FOLDER = "lifecycle"
# Template files that hold the lifecycle record, adopted in every case.
RECORD_FILES = (PHASES_FILE, SECTIONS_FILE, "requirements-lifecycle.txt", "requirements-docs.txt")
# Template files of a site of its own: adopted when the repository has none.
SITE_FILES = ("mkdocs.yml", "overrides/", ".github/", ".gitlab/", ".gitlab-ci.yml", "renovate.json")


class PlanError(Exception):
    """The repository cannot take the lifecycle; str() is one line."""


@dataclass
class Layout:
    """Where things go, relative to the repository (POSIX paths)."""

    site: str  # the mkdocs.yml
    docs: str  # the documents' folder
    new_site: bool
    project: str = ""  # the plugin's `project`: from mkdocs.yml's folder to the top
    sub: str = ""  # the documents' folder inside docs_dir ("lifecycle"; "" for a new site)


@dataclass
class Plan:
    root: Path
    layout: Layout
    add: dict[str, bytes] = field(default_factory=dict)  # repository path -> content
    skipped: list[str] = field(default_factory=list)  # already there
    files: dict[str, str] = field(default_factory=dict)  # template path -> repository path
    site: SiteEdit | None = None


def plain_folder(text: str, what: str) -> str:
    """A relative folder without `..`, as a POSIX path; PlanError if not."""
    parts = PurePosixPath(text.replace("\\", "/")).parts
    if not parts or any(p in ("..", ".", "/") or ":" in p or "\0" in p for p in parts):
        raise PlanError(f"{what} {limits.brief(text)} must be a folder inside the repository")
    return "/".join(parts)


def find_site(root: Path, given: str | None) -> str | None:
    """The repository's mkdocs.yml (relative), None when it has none."""
    if given:
        site = PurePosixPath(plain_folder(given, "--site")).as_posix()
        if not (root / site).is_file():
            raise PlanError(f"--site {site}: no such file in the repository")
        return site
    return next((name for name in SITE_NAMES if (root / name).is_file()), None)


def layout_for(root: Path, site: str | None, docs_dir: str, folder: str | None) -> Layout:
    """Where the documents go: a sub-folder of the site's docs_dir, or, for
    a new site, docs/ itself (as a bake)."""
    if site is None:
        return Layout("mkdocs.yml", DOCS_DIR, True)
    base = PurePosixPath(site).parent
    docs_dir = plain_folder(docs_dir, f"docs_dir of {site}")
    sub = plain_folder(folder or DEFAULT_FOLDER, "--folder")
    docs = (base / docs_dir / sub).as_posix()
    climb = "/".join([".."] * len(base.parts))
    return Layout(site, docs, False, climb, sub)


def destination(template_path: str, layout: Layout) -> str | None:
    """Where a rendered template file goes in the repository; None for the
    files an adoption leaves to the repository."""
    if template_path.startswith(f"{DOCS_DIR}/"):
        return f"{layout.docs}/{template_path[len(DOCS_DIR) + 1 :]}"
    if template_path in RECORD_FILES:
        return template_path
    if layout.new_site and any(
        template_path == name or (name.endswith("/") and template_path.startswith(name))
        for name in SITE_FILES
    ):
        return template_path
    return None


def with_docs_key(text: str, docs: str) -> str:
    """lifecycle.yml naming the documents' folder, when it is not docs/."""
    if docs == DOCS_DIR:
        return text
    note = (
        "# Where the lifecycle documents are: a folder of the repository's site\n"
        "# (ml-lifecycle adopt put them there).\n"
        f"docs: {docs}\n\n"
    )
    return note + text


def with_docs_paths(text: str, docs: str) -> str:
    """.lifecycle-template.yml with each document under the adopted folder:
    its keys are the documents' paths (`  docs/01-…/….md:`)."""
    if docs == DOCS_DIR:
        return text
    key = f"  {DOCS_DIR}/"
    return "\n".join(
        f"  {docs}/{line[len(key) :]}" if line.startswith(key) else line
        for line in text.split("\n")
    )


def placed(template_path: str, data: bytes, layout: Layout) -> bytes:
    """A rendered file as the adoption writes it: the record files name the
    documents' folder."""
    if template_path == PHASES_FILE:
        return with_docs_key(data.decode("utf-8"), layout.docs).encode("utf-8")
    if template_path == SECTIONS_FILE:
        return with_docs_paths(data.decode("utf-8"), layout.docs).encode("utf-8")
    return data


def collide(root: Path, path: str) -> str | None:
    """Why nothing may be written at `path`: None when the way is clear (the
    file does not exist and each folder on the way is a real folder or
    missing); "exists" when something is there; else a refusal."""
    current = root
    parts = path.split("/")
    for index, name in enumerate(parts):
        current = current / name
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return None
        except OSError as error:
            return f"cannot be reached: {error.strerror or error}"
        last = index == len(parts) - 1
        shown = "/".join(parts[: index + 1])
        if stat.S_ISLNK(info.st_mode):
            return "exists" if last else f"{shown} is a link: make it a real folder"
        if not last and not stat.S_ISDIR(info.st_mode):
            return f"{shown} is a file where a folder must be"
        if last:
            return "exists"
    return None


def make_plan(root: Path, layout: Layout, rendered: dict[str, bytes]) -> Plan:
    """Which rendered files go where, and which are skipped. Raises
    PlanError when a folder on the way is a link or a file."""
    plan = Plan(root, layout)
    for template_path, data in rendered.items():
        target = destination(template_path, layout)
        if target is None:
            continue
        data = placed(template_path, data, layout)
        why = collide(root, target)
        if why == "exists":
            plan.skipped.append(target)
        elif why:
            raise PlanError(f"{why}; nothing was written")
        else:
            plan.add[target] = data
            plan.files[template_path] = target
    return plan
