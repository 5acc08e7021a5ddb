"""Class `site`: the site build (MkDocs with the lifecycle plugin) on what a
repository commits: a site_dir that a build would empty (the project, a
folder holding it, a folder outside, .git, the docs, each through links
too), and pages and assets that are hard links to files outside."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from hostile_suite.kit import DATA, REFUSED, Case, Failure, project, timed

YML = "site_name: Tiny\ntheme: mkdocs\nplugins: [lifecycle]\n"


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def built(root: Path, **overrides) -> tuple[bool, list[str]]:
    """Build the site; (whether it was built, the error lines logged)."""
    handler = Lines()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        with timed("mkdocs build"):
            build(load_config(str(root / "mkdocs.yml"), **overrides))
        return True, handler.lines
    except Abort:
        return False, handler.lines
    finally:
        logger.removeHandler(handler)


def one_line_about(lines: list[str], *words: str) -> str:
    named = [line for line in lines if all(word in line for word in words)]
    if not named or any("\n" in line for line in named):
        raise Failure(f"no one-line refusal naming {words}: {lines[:2]}")
    return REFUSED


# site_dir as mkdocs.yml writes it (committed), and what to plant first.
COMMITTED = {
    "parent": ("..", None),
    "project": (".", None),
    "docs-parent": ("docs/..", None),
    "grandparent": ("../..", None),
    "outside": ("../outside", None),
    "outside-sub": ("../outside/sub", None),
    "outside-new": ("../outside/new", None),
    "absolute-outside": ("ABS/outside", None),
    "git": (".git", "git"),
    "inside-git": (".git/site", "git"),
    "docs": ("docs", None),
    "docs-phase": ("docs/02-requirements/..", None),
    "link-to-parent": ("site", ("site", "..")),
    "link-to-project": ("site", ("site", ".")),
    "link-to-outside": ("site", ("site", "../outside")),
    "link-to-docs": ("site", ("site", "docs")),
    "link-loop": ("site", ("site", "site")),
    "folder-link-outside": ("out/site", ("out", "../outside")),
    "folder-link-to-parent": ("out/site", ("out", "..")),
    "dangling-link": ("site", ("site", "../outside/none")),
}


def committed_case(name: str) -> Case:
    site_dir, plant = COMMITTED[name]

    def run(work: Path) -> str:
        root = project(work)
        (root / "docs" / "index.md").write_text("# Overview\n", encoding="utf-8")
        value = site_dir.replace("ABS", str(work))
        (root / "mkdocs.yml").write_text(f"{YML}site_dir: '{value}'\n", encoding="utf-8")
        if plant == "git":
            (root / ".git").mkdir()
            (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
        elif plant:
            (root / plant[0]).symlink_to(plant[1])
        done, lines = built(root)
        if done:
            raise Failure(f"built into {value}")
        if not (root / "lifecycle.yml").is_file() or (
            not (root / ".git").exists() and plant == "git"
        ):
            raise Failure("the build emptied the project")
        return one_line_about(lines, "site_dir")

    return Case("site", f"site-dir/{name}", run)


def typed_case(name: str) -> Case:
    """site_dir given on the command line (the user's): a new folder or an
    earlier build outside is fine, a folder of the user's files is not."""

    def run(work: Path) -> str:
        root = project(work)
        (root / "mkdocs.yml").write_text(YML, encoding="utf-8")
        elsewhere = work / "elsewhere"
        elsewhere.mkdir(exist_ok=True)
        if name == "earlier-build":
            (elsewhere / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
        if name == "own-files":
            (elsewhere / "notes.txt").write_text("kept\n", encoding="utf-8")
        done, lines = built(root, site_dir=str(elsewhere))
        if name == "own-files":
            if done or (elsewhere / "notes.txt").read_text(encoding="utf-8") != "kept\n":
                raise Failure("a folder of the user's files was emptied")
            return one_line_about(lines, "site_dir")
        if not done:
            raise Failure(f"refused a typed site_dir: {lines[:1]}")
        return DATA

    return Case("site", f"typed-site-dir/{name}", run)


def hard_link_case(what: str) -> Case:
    """A page or an asset that is a hard link to a file outside: its other
    name may be anywhere; the build stops before publishing it."""

    def run(work: Path) -> str:
        root = project(work)
        (root / "mkdocs.yml").write_text(YML, encoding="utf-8")
        secret = work / "outside" / ("secret.md" if what == "page" else "tool")
        name = "leak.md" if what == "page" else "leak.txt"
        os.link(secret, root / "docs" / name)
        done, lines = built(root)
        if done:
            raise Failure("published a hard link to a file outside")
        return one_line_about(lines, name)

    return Case("site", f"hard-link/{what}", run)


ICONS = ["../../../../etc/passwd", "material/no-such-icon", "[1, 2]", "'\\0'", "''"]


def icon_case(number: int) -> Case:
    """A front-matter icon the theme lacks: one line, not a traceback."""

    def run(work: Path) -> str:
        root = project(work)
        (root / "mkdocs.yml").write_text(YML.replace("mkdocs", "material", 1), encoding="utf-8")
        page = root / "docs" / "index.md"
        page.write_text(f"---\nicon: {ICONS[number]}\n---\n# Overview\n", encoding="utf-8")
        done, lines = built(root)
        if done:
            raise Failure(f"built with icon {ICONS[number]}")
        return one_line_about(lines, "icon")

    return Case("site", f"icon/{number}", run)


def cases() -> list[Case]:
    return (
        [committed_case(name) for name in COMMITTED]
        + [icon_case(number) for number in range(len(ICONS))]
        + [typed_case(name) for name in ("new-folder", "earlier-build", "own-files")]
        + [hard_link_case(what) for what in ("page", "asset")]
    )
