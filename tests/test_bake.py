"""A default bake: the exact files, fully rendered, with valid front matter,
and nothing of our code: the tooling comes from the ml-lifecycle package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import (
    COOKIECUTTER_JSON,
    PHASES,
    TEMPLATE,
    TODO_MARKER,
    leftover_template_syntax,
    option_defaults,
    phase_documents,
)

from ml_lifecycle import vocabulary
from scripts import prompt_labels

# Files every bake has besides the lifecycle documents.
COMMON_FILES = {
    ".cookiecutter-answers.yaml",
    ".lifecycle-template.yml",
    ".gitignore",
    "LICENSE.md",
    ".gitattributes",
    "Makefile",
    "README.md",
    "mkdocs.yml",
    "requirements-docs.txt",
    "requirements-lifecycle.txt",
    "docs/index.md",
    "docs/guide.md",
    "docs/iteration-log.md",
    "docs/responsibilities.md",
    "docs/assets/lifecycle.css",
    "docs/assets/lifecycle.js",
    "docs/assets/lifecycle.svg",
    "docs/assets/lifecycle-narrow.svg",
    "lifecycle.yml",
    "overrides/404.html",
    "overrides/partials/source.html",
}
STATUSES = set(vocabulary.STATUSES)
PERFORMERS = set(vocabulary.PERFORMERS)


def test_default_bake_has_exactly_the_expected_files(default_project):
    assert default_project.files() == COMMON_FILES | set(phase_documents())


def test_every_phase_has_a_numbered_folder_with_a_document(default_project):
    for number, phase in enumerate(PHASES, start=1):
        folder = default_project.path / "docs" / phase["folder"]
        assert phase["folder"].startswith(f"{number:02d}-")
        assert any(folder.glob("*.md")), f"no document in {phase['folder']}"


def test_no_unrendered_jinja_is_left(default_project):
    leftovers = [
        f
        for f in default_project.files()
        if not f.endswith(".svg") and leftover_template_syntax(f, default_project.read(f))
    ]
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


def test_a_bake_holds_no_code_and_no_tests_of_ours(default_project):
    files = default_project.files()
    assert [f for f in files if f.endswith((".py", ".pyc", ".toml"))] == []
    assert not any(f.startswith(("tools/", "tests/")) for f in files)
    assert "requirements-dev.txt" not in files


def test_site_config_uses_the_plugin_and_writes_no_navigation(default_project):
    config = yaml.safe_load(default_project.read("mkdocs.yml"))
    assert config["plugins"] == ["search", "lifecycle"]
    assert "nav" not in config and "hooks" not in config


def test_site_extensions_are_the_ones_the_package_shares(default_project):
    """The dossier renders with vocabulary.MARKDOWN_EXTENSIONS; the baked site
    must list the same extensions with the same settings."""
    config = yaml.safe_load(default_project.read("mkdocs.yml"))
    listed = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    settings = {
        next(iter(e)): e[next(iter(e))]
        for e in config["markdown_extensions"]
        if isinstance(e, dict)
    }
    assert listed == list(vocabulary.MARKDOWN_EXTENSIONS)
    assert settings == vocabulary.EXTENSION_CONFIGS


def test_lifecycle_yml_holds_phases_settings_and_people_only(default_project):
    config = yaml.safe_load(default_project.read("lifecycle.yml"))
    assert set(config) == {"phases", "stages", "settings", "people"}
    assert isinstance(config["people"], list)
    assert all("documents" not in phase for phase in config["phases"])
    assert config["settings"]["review_interval_days"] == vocabulary.DEFAULT_REVIEW_INTERVAL


# Every character md_escape turns into a reference, and a run of spaces (the
# pre-generation hook refuses tabs and line breaks).
# No `{{`, `{%` or `{#`: cookiecutter would render them as Jinja.
EVERY_SPECIAL = "Ops  & <b>Co</b> #1 \\ `x` *y* _z_ [a] | {b} ~c^ =d: +e! #"


def test_jinja_escape_agrees_with_the_package(bake):
    assert set(EVERY_SPECIAL) >= vocabulary.MARKDOWN_SYNTAX
    project = bake(project_name=EVERY_SPECIAL, project_slug="escaped")
    heading = project.read("README.md").splitlines()[0]
    assert heading == "# " + vocabulary.md_escape(EVERY_SPECIAL)
    assert re.fullmatch(r"# [A-Za-z0-9 /&#;]+", heading), "a syntax character was left raw"


@pytest.mark.parametrize("description", ['??? note "X"', "- an item", "1. first"])
def test_a_description_never_opens_a_block_on_the_overview(bake, description):
    project = bake(description=description, project_slug="blocks")
    assert vocabulary.md_escape(description) in project.read("docs/index.md").splitlines()


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


def test_overview_keeps_no_phase_table_by_hand(default_project):
    """The plugin's status table lists the documents (tests/test_site.py)."""
    index = default_project.read("docs/index.md")
    assert "<!-- lifecycle-status -->" in index
    assert not any(f"]({path.removeprefix('docs/')})" in index for path in phase_documents())
    assert '<a href="assets/lifecycle.svg">' in index


FIGURES = {"lifecycle.svg": "0 40 960 520", "lifecycle-narrow.svg": "0 0 480 1000"}


@pytest.mark.parametrize("name", FIGURES)
def test_figure_names_every_phase_and_is_accessible(default_project, name):
    svg = default_project.read(f"docs/assets/{name}")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    for phase in PHASES:
        assert phase["title"].replace("&", "&amp;") in svg


def test_figure_scales_and_links_to_itself(default_project):
    """No fixed pixel size, so the figure fits any screen, opened directly or
    in the page; narrow screens get the stacked drawing; the image is a link
    to the wide SVG, so a phone can open it whole."""
    for name, view_box in FIGURES.items():
        svg = default_project.read(f"docs/assets/{name}")
        root = svg[svg.index("<svg") : svg.index(">", svg.index("<svg"))]
        assert f'viewBox="{view_box}"' in root
        assert " width=" not in root and " height=" not in root, root
    index = default_project.read("docs/index.md")
    figure = index[index.index('<a href="assets/lifecycle.svg">') :]
    figure = figure[: figure.index("</a>") + 4]
    assert '<source media="screen and (max-width:' in figure
    assert 'srcset="assets/lifecycle-narrow.svg">' in figure
    assert f'<img class="lifecycle-figure" src="assets/lifecycle.svg" alt="{len(PHASES)} ' in figure


def test_readme_explains_folders_and_commands(default_project):
    readme = default_project.read("README.md")
    assert not any(f"`docs/{phase['folder']}/`" in readme for phase in PHASES[1:-1])
    assert "overview" in readme and "## Adding a document" in readme
    for command in ("make docs", "make serve", "make check", "make dossier", "make hub-card"):
        assert command in readme
    assert "tools/" not in readme and "make test" not in readme


# Files a README's table of what is where leaves to its text.
UNLISTED = {".gitignore", ".gitattributes", "README.md", ".cookiecutter-answers.yaml"}


@pytest.mark.parametrize("publishing", ["github-pages", "gitlab-pages"])
def test_readme_names_every_file_beside_the_documents(baked, publishing):
    project = baked(publishing=publishing)
    readme = project.read("README.md")
    beside = {f for f in project.files() if not f.startswith(("docs/", "overrides/"))}
    assert [name for name in sorted(beside - UNLISTED) if f"`{name}`" not in readme] == []


def test_cookiecutter_json_labels_every_prompt():
    prompts = COOKIECUTTER_JSON["__prompts__"]
    for key in option_defaults():
        assert key in prompts, f"{key} has no __prompts__ label"
        if isinstance(COOKIECUTTER_JSON[key], list):
            assert set(prompts[key]) - {"__prompt__"} == set(COOKIECUTTER_JSON[key])


def test_choice_prompts_say_what_each_choice_does():
    """The label shown at a choice prompt is the short label and the help of
    that choice, derived by scripts/prompt_labels.py from the one source."""
    prompts = COOKIECUTTER_JSON["__prompts__"]
    for key, labels in COOKIECUTTER_JSON["_choice_labels"].items():
        for value in COOKIECUTTER_JSON[key]:
            help_text = COOKIECUTTER_JSON["_choice_help"][key][value]
            assert prompts[key][value] == f"{labels[value]} — {help_text}", (key, value)
    assert prompt_labels.main(["--check"]) == 0
    assert "Minimal — Documents as written" in prompts["risk_level"]["minimal"]


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


def test_the_default_organisation_is_a_marker_where_it_would_show(default_project, baked):
    """ "Example Org" is the examples' placeholder: left as it is, the
    overview, the licence and the site's footer hold the marker instead, and
    check lists them with the other unfilled prompts."""
    default = COOKIECUTTER_JSON["organisation"]
    macro = (TEMPLATE / "templates/lifecycle.jinja").read_text(encoding="utf-8")
    assert f'cookiecutter.organisation in ("", "{default}")' in macro
    places = ("docs/index.md", "LICENSE.md", "mkdocs.yml")
    for path in places:
        text = default_project.read(path)
        assert default not in text and TODO_MARKER in text, path
    assert TODO_MARKER in yaml.safe_load(default_project.read("mkdocs.yml"))["copyright"]
    result = default_project.tool("check")
    assert "  LICENSE.md: 1\n" in result.stdout and "  mkdocs.yml: 1\n" in result.stdout
    named = baked(organisation="Northbridge Logistics")
    for path in places:
        assert "Northbridge Logistics" in named.read(path), path
    assert "LICENSE.md" not in named.tool("check").stdout
