"""The register's site: its pages (pages.py), its data files, a stylesheet
and a script, and an mkdocs.yml with the theme settings of a baked project's
site (palette, logo, system fonts, navigation), built strictly by MkDocs.

Nothing in it loads from the internet: the theme's fonts are off, search is
MkDocs' own, and the table's sorting and filtering is a small script of
ours (assets/register.js); without it, the table is whole and the grouped
pages stand in for the filters. System pages are not in the navigation (a
thousand entries would be rendered into every page); the table links them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import yaml

from ml_lifecycle.portfolio.pages import (
    SYSTEMS,
    overview_pages,
    page_title,
    system_page,
    system_path,
)
from ml_lifecycle.vocabulary import EXTENSION_CONFIGS, MARKDOWN_EXTENSIONS

ASSETS = ("register.css", "register.js")
CONFIG = "mkdocs.yml"
BUILD_TIMEOUT = 3600  # seconds: a safety net, a thousand systems build in well under a minute
PALETTE = [
    {
        "media": "(prefers-color-scheme: light)",
        "scheme": "default",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
    },
    {
        "media": "(prefers-color-scheme: dark)",
        "scheme": "slate",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
    },
]
NAV = [
    {"Register": "index.md"},
    {"Needs attention": "attention.md"},
    {"Registration data": "registration.md"},
    {"Grouped": ["by-risk.md", "by-status.md", "by-owner.md"]},
    {"About this register": "about.md"},
]


def config(title: str) -> dict:
    extensions = [
        {name: EXTENSION_CONFIGS[name]} if name in EXTENSION_CONFIGS else name
        for name in MARKDOWN_EXTENSIONS
    ]
    return {
        "site_name": page_title(title, "ML systems register"),
        "docs_dir": "docs",
        "theme": {
            "name": "material",
            "font": False,
            "icon": {"logo": "material/chart-timeline-variant"},
            "palette": PALETTE,
            "features": ["navigation.sections", "navigation.top", "navigation.footer"],
        },
        "plugins": ["search"],
        "extra_css": [f"assets/{ASSETS[0]}"],
        "extra_javascript": [f"assets/{ASSETS[1]}"],
        "markdown_extensions": extensions,
        "validation": {
            "omitted_files": "warn",
            "absolute_links": "warn",
            "unrecognized_links": "warn",
            "anchors": "warn",
        },
        "nav": NAV,
        "not_in_nav": "/systems/*\n",
    }


def prepare(folder: Path, entries: list[dict], today: str, title: str) -> Path:
    """The MkDocs project of the site, but for the systems' pages; its
    docs folder."""
    docs = folder / "docs"
    (docs / SYSTEMS).mkdir(parents=True)
    (docs / "assets").mkdir()
    for relative, markdown in overview_pages(entries, today, title).items():
        (docs / relative).write_text(markdown, encoding="utf-8")
    for name in ASSETS:
        asset = resources.files("ml_lifecycle.portfolio").joinpath("assets", name)
        (docs / "assets" / name).write_bytes(asset.read_bytes())
    settings = yaml.safe_dump(config(title), sort_keys=False, allow_unicode=True)
    (folder / CONFIG).write_text(settings, encoding="utf-8")
    return docs


def add_system(docs: Path, row: dict) -> None:
    (docs / system_path(row)).write_text(system_page(row), encoding="utf-8")


def add_downloads(docs: Path, files: list[Path]) -> None:
    """The register's data files, offered by the site too."""
    for path in files:
        shutil.copyfile(path, docs / path.name)


def build(folder: Path) -> Path:
    """The site built from `folder` (prepared above) into folder/site;
    RuntimeError when MkDocs fails."""
    site = folder / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
    command += ["--config-file", str(folder / CONFIG), "--site-dir", str(site)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError("the register's site did not build in time") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        detail = lines[-1].strip() if lines else f"mkdocs exited with status {done.returncode}"
        raise RuntimeError(f"the register's site did not build: {detail}")
    return site
