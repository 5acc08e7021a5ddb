"""A default bake: the exact files, fully rendered, with valid front matter."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import (
    COOKIECUTTER_JSON,
    PHASES,
    TEMPLATE,
    TODO_MARKER,
    UNRENDERED,
    option_defaults,
    phase_documents,
)

# Files every bake has besides the lifecycle documents.
COMMON_FILES = {
    ".cookiecutter-answers.yaml",
    ".gitignore",
    "LICENSE.md",
    "Makefile",
    "README.md",
    "mkdocs.yml",
    "requirements-docs.txt",
    "docs/index.md",
    "docs/guide.md",
    "docs/iteration-log.md",
    "docs/responsibilities.md",
    "docs/assets/lifecycle.css",
    "docs/assets/lifecycle.svg",
    "lifecycle.yml",
    "pyproject.toml",
    "requirements-dev.txt",
    "tools/lifecycle.py",
    "tools/mkdocs_hooks.py",
    "tools/hub_card.py",
    "tools/dossier.py",
    "tests/conftest.py",
    "tests/test_lifecycle.py",
}
STATUSES = {"draft", "in-review", "approved", "retired"}
PERFORMERS = {"in-house", "third-party", "automated"}


def test_default_bake_has_exactly_the_expected_files(default_project):
    assert default_project.files() == COMMON_FILES | set(phase_documents())


def test_every_phase_has_a_numbered_folder_with_a_document(default_project):
    for number, phase in enumerate(PHASES, start=1):
        folder = default_project.path / "docs" / phase["folder"]
        assert phase["folder"].startswith(f"{number:02d}-")
        assert any(folder.glob("*.md")), f"no document in {phase['folder']}"


def test_no_unrendered_jinja_is_left(default_project):
    leftovers = [f for f in default_project.files() if UNRENDERED.search(default_project.read(f))]
    assert leftovers == []


@pytest.mark.parametrize("document", phase_documents())
def test_document_front_matter_is_valid(default_project, document):
    meta = default_project.front_matter(document)
    lifecycle = meta["lifecycle"]
    phase = next(p for p in PHASES if document.startswith(f"docs/{p['folder']}/"))
    assert lifecycle["phase"] == phase["id"]
    assert lifecycle["document"] == document.rsplit("/", 1)[1].removesuffix(".md")
    assert lifecycle["status"] == "draft"
    assert lifecycle["status"] in STATUSES
    assert lifecycle["performed_by"] in PERFORMERS
    assert lifecycle["owner"] == option_defaults()["owner_name"]
    assert lifecycle["last_reviewed"] is None
    assert isinstance(lifecycle["review_interval_days"], int)
    assert meta["title"] == next(
        d["title"] for d in phase["documents"] if d["id"] == lifecycle["document"]
    )


@pytest.mark.parametrize("document", phase_documents())
def test_document_has_sections_with_prompts_and_markers(default_project, document):
    text = default_project.read(document)
    body = text.split("\n---\n", 1)[1]
    assert body.count("\n# ") == 1, "exactly one H1"
    sections = [line for line in body.splitlines() if line.startswith("## ")]
    assert len(sections) >= 4, sections
    assert body.count(TODO_MARKER) >= len(sections) - 1
    assert "> *Example:*" in body


def test_navigation_lists_every_document_in_lifecycle_order(default_project):
    config = yaml.safe_load(default_project.read("mkdocs.yml"))
    listed = []

    def walk(items):
        for item in items:
            for value in item.values():
                if isinstance(value, list):
                    walk(value)
                else:
                    listed.append(value)

    walk(config["nav"])
    lifecycle_docs = [path.removeprefix("docs/") for path in phase_documents()]
    assert [p for p in listed if p in lifecycle_docs] == lifecycle_docs
    assert listed[0] == "index.md"


def test_site_config_is_offline_and_has_the_features(default_project):
    config = yaml.safe_load(default_project.read("mkdocs.yml"))
    theme = config["theme"]
    assert theme["name"] == "material"
    assert theme["font"] is False
    assert {"content.code.copy", "search.highlight"} <= set(theme["features"])
    assert len(theme["palette"]) == 2  # light/dark toggle
    extensions = {e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]}
    assert {"admonition", "tables", "pymdownx.tabbed", "pymdownx.mark"} <= extensions
    assert "repo_url" not in config  # unknown by default: no edit links
    assert config["plugins"] == ["search"]


def test_edit_links_appear_when_a_repository_is_known(bake):
    project = bake(repo_url="https://github.com/acme/triage")
    config = yaml.safe_load(project.read("mkdocs.yml"))
    assert config["repo_url"] == "https://github.com/acme/triage"
    assert config["edit_uri"] == "edit/main/docs/"
    assert "content.action.edit" in config["theme"]["features"]


def test_gitlab_repository_gets_gitlab_edit_links(bake):
    project = bake(repo_url="https://gitlab.com/acme/triage")
    assert yaml.safe_load(project.read("mkdocs.yml"))["edit_uri"] == "-/edit/main/docs/"


def test_answers_file_records_every_prompt(default_project):
    recorded = yaml.safe_load(default_project.read(".cookiecutter-answers.yaml"))
    defaults = option_defaults()
    defaults["project_slug"] = "my-ml-system"
    assert recorded["default_context"] == defaults


def test_overview_links_every_document_and_shows_the_figure(default_project):
    index = default_project.read("docs/index.md")
    for path in phase_documents():
        assert f"]({path.removeprefix('docs/')})" in index
    assert "](assets/lifecycle.svg)" in index


def test_figure_names_every_phase_and_is_accessible(default_project):
    svg = default_project.read("docs/assets/lifecycle.svg")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    for phase in PHASES:
        assert phase["title"].replace("&", "&amp;") in svg


def test_readme_explains_folders_and_commands(default_project):
    readme = default_project.read("README.md")
    for phase in PHASES:
        assert f"`docs/{phase['folder']}/`" in readme
    assert "make docs" in readme and "make serve" in readme


def test_cookiecutter_json_labels_every_prompt():
    prompts = COOKIECUTTER_JSON["__prompts__"]
    for key in option_defaults():
        assert key in prompts, f"{key} has no __prompts__ label"
        if isinstance(COOKIECUTTER_JSON[key], list):
            assert set(prompts[key]) - {"__prompt__"} == set(COOKIECUTTER_JSON[key])


@pytest.mark.parametrize(
    ("source", "recorded"),
    [
        ("gh:org/ml-lifecycle", "gh:org/ml-lifecycle"),
        ("https://github.com/org/ml-lifecycle.git", "https://github.com/org/ml-lifecycle.git"),
        ("/home/someone/ml-lifecycle", "<template>"),  # a local path stays private
    ],
)
def test_answers_file_names_a_remote_template_for_cruft_link(tmp_path, source, recorded):
    """cookiecutter puts the template's address in `_template`; a remote one
    is written into the answers file's re-bake and `cruft link` commands."""
    from cookiecutter.generate import generate_context, generate_files
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(
        str(TEMPLATE / "cookiecutter.json"), extra_context={"project_slug": "triage"}
    )
    context["cookiecutter"] = {**prompt_for_config(context, no_input=True), "_template": source}
    project = Path(generate_files(str(TEMPLATE), context, str(tmp_path), accept_hooks=False))
    text = (project / ".cookiecutter-answers.yaml").read_text(encoding="utf-8")
    assert f"--config-file .cookiecutter-answers.yaml {recorded}\n" in text
    assert f"--checkout <commit-or-tag> {recorded}\n" in text
    assert yaml.safe_load(text)["default_context"]["project_slug"] == "triage"
