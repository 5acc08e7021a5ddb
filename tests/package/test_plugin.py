"""The MkDocs plugin in-process: its conventions, and one build of a tiny
project through MkDocs' own API (no subprocess)."""

from __future__ import annotations

import logging

from mkdocs.commands.build import build
from mkdocs.config import load_config

from ml_lifecycle import plugin
from ml_lifecycle.markdown_model import parse
from ml_lifecycle.plugin import LifecyclePlugin

from .tiny_projects import document, make_project

MKDOCS_YML = """\
site_name: Tiny
theme: mkdocs
plugins: [lifecycle]
markdown_extensions: [admonition, tables, footnotes]
"""
APPROVED_BODY = """\
# Requirements

!!! abstract "What this document is for"
    Instructions.

> **What must it do?**
> *Example:* Route.

Route tickets.
"""


def test_conventions_of_a_mkdocs_plugin():
    assert plugin.log.name == "mkdocs.plugins.lifecycle"
    assert isinstance(plugin.log, logging.Logger)
    assert LifecyclePlugin.on_files.mkdocs_priority < 0  # after other plugins add pages
    assert LifecyclePlugin.on_page_markdown.mkdocs_priority > 0  # on the Markdown as written
    instance = LifecyclePlugin()
    errors, warnings = instance.load_config({})
    assert errors == [] and warnings == [] and instance.config.enabled is True
    errors, _ = instance.load_config({"enabled": "yes please"})
    assert errors


def built_site(tmp_path, enabled: bool = True):
    text = document("requirements", APPROVED_BODY, status="in-review")
    root = make_project(tmp_path / "project", {"requirements": text})
    (root / "docs" / "index.md").write_text("# Overview\n", encoding="utf-8")
    yml = (
        MKDOCS_YML
        if enabled
        else MKDOCS_YML.replace("[lifecycle]", "[{lifecycle: {enabled: false}}]")
    )
    (root / "mkdocs.yml").write_text(yml, encoding="utf-8")
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    build(config)
    return tmp_path / "site", config


def test_the_plugin_derives_the_navigation_and_shows_the_reader_view(tmp_path):
    site, config = built_site(tmp_path)
    assert config.nav[0] == {"Overview": "index.md"}
    stages = [next(iter(entry)) for entry in config.nav[1:]]
    assert stages == ["Design &amp; development", "Deployment"]
    page = (site / "02-requirements" / "requirements" / "index.html").read_text(encoding="utf-8")
    assert "lifecycle-status" in page and "In review" in page
    assert "Route tickets." in page and "Instructions." not in page and "Example:" not in page


def test_a_disabled_plugin_changes_nothing(tmp_path):
    site, _ = built_site(tmp_path, enabled=False)
    page = (site / "02-requirements" / "requirements" / "index.html").read_text(encoding="utf-8")
    assert "lifecycle-status" not in page and "Instructions." in page


def test_the_site_reuses_the_check_s_model_of_each_page(tmp_path, monkeypatch):
    parses = []
    monkeypatch.setattr(plugin, "parse", lambda *a, **k: parses.append(a) or parse(*a, **k))
    text = document("requirements", "# Requirements\n\nRoute [0.87](evidence:eval#x).\n")
    root = make_project(tmp_path / "project", {"requirements": text})
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    build(load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    assert parses == []  # drafts: the page as the check read it


def test_the_site_can_be_built_as_on_another_day(tmp_path, caplog):
    """`today` checks the documents as on that day, so a site built later
    keeps the statuses of its day; a value that is not a date stops the build."""
    text = document("requirements", APPROVED_BODY, status="in-review", last_reviewed="2026-01-10")
    root = make_project(tmp_path / "project", {"requirements": text})
    shown = {}
    for today in ("2025-12-01", "2026-03-01", "soon"):
        yml = MKDOCS_YML.replace("[lifecycle]", f"[{{lifecycle: {{today: {today}}}}}]")
        (root / "mkdocs.yml").write_text(yml, encoding="utf-8")
        site = tmp_path / f"site-{today}"
        try:
            build(load_config(str(root / "mkdocs.yml"), site_dir=str(site)))
        except Exception:  # MkDocs logs the plugin's error and aborts
            shown[today] = caplog.text
            continue
        shown[today] = (site / "02-requirements/requirements/index.html").read_text("utf-8")
    assert "later than today (2025-12-01)" in shown["2025-12-01"]
    assert "later than today" not in shown["2026-03-01"] and "In review" in shown["2026-03-01"]
    assert "is not a date" in shown["soon"]


def test_a_document_without_front_matter_fails_a_strict_build(tmp_path, caplog):
    """check fails on it; the site, which cannot tell its status, warns, so
    that `mkdocs build --strict` (make docs, the CI) fails too. Other pages
    need no front matter."""
    import pytest
    from mkdocs.exceptions import Abort

    root = make_project(tmp_path / "project", {"requirements": "# Requirements\n\nText.\n"})
    (root / "docs" / "index.md").write_text("# Overview\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort):
        build(config)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "lifecycle: docs/02-requirements/requirements.md:1: front matter is missing: "
        "start the file with '---', the lifecycle block, '---'"
    ]
