"""The model and data cards carry Hugging Face metadata that huggingface_hub
reads, and `ml-lifecycle hub-card` exports a Hub-ready README.md."""

from __future__ import annotations

import html
import sys
from pathlib import Path

import pytest
import yaml
from conftest import (
    FRONT_MATTER,
    TEMPLATE,
    TODO_MARKER,
    BakedProject,
    Bakery,
    filled,
    front_matter,
)
from huggingface_hub import DatasetCard, ModelCard

MODEL_CARD = "docs/04-building/model-card.md"
DATA_CARD = "docs/03-data/data-card.md"


def load_card(cls, path: Path):
    """Load a card from a local file. Checked first: for a path that is not a
    file, huggingface_hub would try the network."""
    assert path.is_file(), path
    return cls.load(path)


# --- metadata in the baked cards ----------------------------------------------


def test_default_model_card_metadata(default_project):
    card = load_card(ModelCard, default_project.path / MODEL_CARD)
    data = card.data
    assert data.tags == ["ml-lifecycle", "classification"]
    assert data.metrics == ["accuracy", "f1", "precision", "recall"]
    assert data.datasets == []
    # Not knowable from the answers: left for the team, not guessed.
    assert data.license is None
    assert data.library_name is None
    assert data.pipeline_tag is None
    assert data.base_model is None
    assert "base_model" not in default_project.front_matter(MODEL_CARD)
    # The model-index skeleton parses, named after the system, one result per metric.
    assert data.model_name == "My ML System"
    assert [r.metric_type for r in data.eval_results] == data.metrics
    assert all(r.metric_value is None for r in data.eval_results)
    # The lifecycle block sits beside the Hub keys, untouched.
    assert data.lifecycle["document"] == "model-card"
    assert data.lifecycle["status"] == "draft"
    assert card.text.lstrip().startswith("# Model card")


@pytest.mark.parametrize(
    "task_kind", ["regression", "forecasting", "ranking-recommendation", "clustering", "other"]
)
def test_model_card_metrics_follow_the_task(bake, task_kind):
    project = bake(task_kind=task_kind)
    # The kind's fact sheet says which metrics its example system reports.
    sheet = yaml.safe_load((TEMPLATE / f"templates/facts/{task_kind}.yaml").read_text())
    metrics = sheet["hub"]["metrics"]
    data = load_card(ModelCard, project.path / MODEL_CARD).data
    assert data.tags == ["ml-lifecycle", task_kind]
    assert data.metrics == metrics
    assert data.pipeline_tag is None
    assert [r.metric_type for r in data.eval_results] == (metrics or [""])


def test_generative_model_on_a_pretrained_base(bake):
    project = bake(task_kind="generative", third_parties="pretrained-models", risk_level="high")
    data = load_card(ModelCard, project.path / MODEL_CARD).data
    assert data.pipeline_tag == "text-generation"
    assert data.eval_results[0].task_type == "text-generation"
    meta = project.front_matter(MODEL_CARD)
    assert "base_model" in meta and meta["base_model"] is None
    assert meta["lifecycle"]["required_sections"]  # high risk keeps its list
    dataset = load_card(DatasetCard, project.path / DATA_CARD).data
    assert dataset.task_categories == ["text-generation"]


@pytest.mark.parametrize("third_parties", ["none", "data-providers", "automl"])
def test_no_base_model_key_without_pretrained_models(bake, third_parties):
    project = bake(third_parties=third_parties)
    assert "base_model" not in project.front_matter(MODEL_CARD)


def test_awkward_name_reaches_the_metadata_as_typed(bake):
    name = 'O\'Brien: "Router" #2 & <b>co</b>'
    project = bake(project_name=name, project_slug="obrien")
    assert load_card(ModelCard, project.path / MODEL_CARD).data.model_name == name
    assert load_card(DatasetCard, project.path / DATA_CARD).data.pretty_name == f"{name} data"


def test_default_data_card_metadata(default_project):
    card = load_card(DatasetCard, default_project.path / DATA_CARD)
    data = card.data
    assert data.pretty_name == "My ML System data"
    assert data.tags == ["ml-lifecycle", "classification"]
    assert data.license is None
    assert data.language == []
    assert data.task_categories == []
    assert data.size_categories is None
    assert data.lifecycle["document"] == "data-card"
    assert card.text.lstrip().startswith("# Data card")


# --- the export command -----------------------------------------------------------


def export(project: BakedProject, *args: str):
    return project.run(sys.executable, "-m", "ml_lifecycle", "hub-card", *args)


@pytest.fixture(scope="module")
def scratch_project(cookiecutter_config, tmp_path_factory) -> BakedProject:
    """A default bake of this module's own, for tests that add files to it."""
    return Bakery(cookiecutter_config, tmp_path_factory.mktemp("scratch"))()


def test_export_refuses_an_unfilled_card(scratch_project):
    project = scratch_project
    result = export(project, "--out", "refused/README.md")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: docs/04-building/model-card.md is not ready for the Hub")
    assert "--allow-unfilled" in lines[0]
    assert all(line.startswith("  - ") for line in lines[1:])
    assert "TODO markers in the text" in lines[1]
    assert "  - empty metadata: license" in lines
    assert "Traceback" not in result.stderr
    assert not (project.path / "refused").exists()


def test_refusal_says_on_which_lines_the_markers_are(scratch_project):
    card = scratch_project.path / "notes" / "card.md"
    card.parent.mkdir(exist_ok=True)
    card.write_text(
        "---\nlicense: mit\n---\n# Card\n\nOwner: ==TODO== and ==TODO==\n\n"
        "`==TODO==` is quoted as code.\n\n## Development by a supplier\n\n==TODO==\n\n"
        "## Uses\n\n==TODO==\n",
        encoding="utf-8",
    )
    result = export(scratch_project, "--card", "notes/card.md", "--out", "refused/card.md")
    assert result.returncode == 1
    assert "  - 3 TODO markers in the text, on lines 6, 16" in result.stderr.splitlines()


def test_refusal_lists_every_empty_field(scratch_project):
    result = export(scratch_project, "--out", "refused/README.md")
    assert result.returncode == 1
    listed = [
        line.removeprefix("  - empty metadata: ")
        for line in result.stderr.splitlines()
        if line.startswith("  - empty metadata: ")
    ]
    result_path = "model-index[0].results[0]"
    assert listed == [
        "license",
        f"{result_path}.task.type",
        f"{result_path}.dataset.name",
        f"{result_path}.dataset.type",
        *(f"{result_path}.metrics[{i}].value" for i in range(4)),
    ]
    assert " more" not in result.stderr


def test_export_a_draft_on_request(bake):
    project = bake()
    result = export(project, "--allow-unfilled", "--out", "draft/README.md")
    assert result.returncode == 0, result.stderr
    assert "warning: exporting a draft" in result.stderr
    readme = project.path / "draft" / "README.md"
    card = load_card(ModelCard, readme)
    meta = card.data.to_dict()
    # Site and lifecycle keys, empty values and the unfilled model-index are gone.
    assert set(meta) == {"tags", "metrics"}
    text = card.text
    assert "What this document is for" not in text
    assert "*Example:*" not in text
    assert "## Model details" in text
    assert TODO_MARKER in text  # a draft keeps its markers visible
    assert text.lstrip().startswith("# My ML System\n")


def preceding_text(lines: list[str], index: int) -> str:
    """The nearest non-blank line before lines[index]."""
    return next(line for line in reversed(lines[:index]) if line.strip())


def test_a_draft_keeps_the_question_of_each_unanswered_prompt(bake):
    project = bake()
    path = project.path / MODEL_CARD
    # Answer the first prompt only.
    path.write_text(path.read_text(encoding="utf-8").replace(TODO_MARKER, "v1.0 by us.", 1))
    result = export(project, "--allow-unfilled", "--out", "draft/README.md")
    assert result.returncode == 0, result.stderr
    text = (project.path / "draft" / "README.md").read_text(encoding="utf-8")
    # The answered prompt loses its question; the unanswered ones keep theirs.
    assert "v1.0 by us." in text and "> **What is the model, which version" not in text
    assert "> **Under which licence or terms may it be used" in text
    assert "> **What is the model for, and who uses its outputs directly?**" in text
    assert "*Example:*" not in text
    # No bare marker: each one follows its question (or sits in a prompt's table).
    lines = text.splitlines()
    markers = [i for i, line in enumerate(lines) if TODO_MARKER in line]
    assert markers
    for i in markers:
        before = preceding_text(lines, i)
        assert before.startswith(("> ", "|")) and before.endswith(("**", "|")), (i, before)


def test_export_leaves_out_the_supplier_contract_sections(bake):
    project = bake(third_parties="several", risk_level="high")
    fill_model_card(project)
    path = project.path / MODEL_CARD
    text = path.read_text(encoding="utf-8")
    heading = "### Development by a supplier\n"
    assert text.count(heading) == 1
    # An unanswered prompt and an answer inside the internal section: neither
    # blocks the export nor reaches it.
    secret = "Acme Analytics, contract C-2026-21; audit rights until 2029."
    path.write_text(
        text.replace(heading, f"{heading}\n{TODO_MARKER}\n\n{secret}\n"), encoding="utf-8"
    )
    result = export(project)
    assert result.returncode == 0, result.stderr
    exported = (project.path / "hub" / "README.md").read_text(encoding="utf-8")
    assert "Development by a supplier" not in exported
    assert "C-2026-21" not in exported and "audit rights" not in exported
    assert TODO_MARKER not in exported
    # Sections that describe the model itself stay, and so does what follows.
    assert "### Base model" in exported and "### Automated search" in exported
    assert "## Intended use" in exported
    assert load_card(ModelCard, project.path / "hub" / "README.md").data.base_model == "org/base"


def test_export_leaves_out_the_data_providers_section(bake):
    project = bake(third_parties="data-providers")
    result = export(project, "--card", DATA_CARD, "--allow-unfilled", "--out", "d/README.md")
    assert result.returncode == 0, result.stderr
    exported = (project.path / "d" / "README.md").read_text(encoding="utf-8")
    assert "## Third-party data providers" in project.read(DATA_CARD)
    assert "Third-party data providers" not in exported and "LabelCo" not in exported
    assert "## Preprocessing, cleaning and labelling" in exported


def test_exported_title_is_the_model_name_shown_as_typed(bake):
    name = 'O\'Brien: "Router" #2 & <b>co</b>'
    project = bake(project_name=name, project_slug="obrien")
    result = export(project, "--allow-unfilled")
    assert result.returncode == 0, result.stderr
    text = load_card(ModelCard, project.path / "hub" / "README.md").text
    title = text.lstrip().splitlines()[0]
    assert title.startswith("# ") and "<b>" not in title and "# Model card" not in text
    assert html.unescape(title[2:]) == name


def fill_model_card(project: BakedProject) -> None:
    """Answer every prompt and complete the Hub metadata, as a team would."""
    text = project.read(MODEL_CARD)
    match = FRONT_MATTER.match(text)
    meta = yaml.safe_load(match.group(1))
    meta["license"] = "apache-2.0"
    meta["library_name"] = "scikit-learn"
    meta["pipeline_tag"] = "text-classification"
    if "base_model" in meta:
        meta["base_model"] = "org/base"
    result = meta["model-index"][0]["results"][0]
    result["task"]["type"] = "text-classification"
    result["dataset"] = {"name": "Support tickets 2026-Q1", "type": "tickets-routing"}
    for metric, value in zip(result["metrics"], [0.91, 0.88, 0.9, 0.87], strict=True):
        metric["value"] = value
    body = filled(text[match.end() :], "Answered by the team.")
    body += (
        '\n!!! warning "Known limits"\n    Not trained on chat transcripts.\n'
        "\nSee the [data card](../03-data/data-card.md).\n"
    )
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    (project.path / MODEL_CARD).write_text(f"---\n{dumped}---\n{body}", encoding="utf-8")


def test_export_a_filled_card(bake):
    project = bake()
    fill_model_card(project)
    result = export(project)
    assert result.returncode == 0, result.stderr
    assert "Wrote hub/README.md" in result.stdout
    # The only warning: a link that points into the site.
    assert result.stderr.strip().splitlines() == [
        "warning: links to other pages of the site will not work on the Hub: "
        "../03-data/data-card.md"
    ]
    card = load_card(ModelCard, project.path / "hub" / "README.md")
    data = card.data
    assert data.license == "apache-2.0"
    assert data.library_name == "scikit-learn"
    assert data.pipeline_tag == "text-classification"
    assert data.tags == ["ml-lifecycle", "classification"]
    assert data.model_name == "My ML System"
    assert [(r.metric_type, r.metric_value) for r in data.eval_results] == [
        ("accuracy", 0.91),
        ("f1", 0.88),
        ("precision", 0.9),
        ("recall", 0.87),
    ]
    assert data.eval_results[0].dataset_name == "Support tickets 2026-Q1"
    assert "lifecycle" not in data.to_dict() and "title" not in data.to_dict()
    text = card.text
    assert TODO_MARKER not in text
    assert "Answered by the team." in text
    assert "*Example:*" not in text and "> **What is the model" not in text
    assert "!!!" not in text and "> **Known limits**" in text
    assert "> Not trained on chat transcripts." in text
    assert "\n\n\n" not in text


def test_export_the_data_card(bake):
    project = bake()
    path = project.path / DATA_CARD
    text = filled(path.read_text(encoding="utf-8"), "Answered.")
    path.write_text(text.replace("license: null", "license: cc-by-4.0"), encoding="utf-8")
    result = export(project, "--card", DATA_CARD, "--out", "hub-data/README.md")
    assert result.returncode == 0, result.stderr
    data = load_card(DatasetCard, project.path / "hub-data" / "README.md").data
    assert data.license == "cc-by-4.0"
    assert data.pretty_name == "My ML System data"
    assert "lifecycle" not in data.to_dict()
    text = (project.path / "hub-data" / "README.md").read_text(encoding="utf-8")
    assert "\n# My ML System data\n" in text and "# Data card" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("no front matter\n", "does not start with a front-matter block"),
        ("---\nlicense: [unclosed\n---\n# Card\n", "not valid YAML"),
        ("---\n- a list\n---\n# Card\n", "not a mapping"),
    ],
)
def test_export_reports_a_broken_card_in_one_line(scratch_project, content, message, tmp_path):
    card = tmp_path / "broken.md"
    card.write_text(content, encoding="utf-8")
    result = export(scratch_project, "--card", str(card))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_export_reports_a_missing_card(scratch_project):
    result = export(scratch_project, "--card", "docs/nowhere.md")
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot read docs/nowhere.md")


def test_front_matter_of_the_cards_still_parses_for_the_site(default_project):
    for path in (MODEL_CARD, DATA_CARD):
        meta = front_matter(default_project.read(path))
        assert meta["title"] in ("Model card", "Data card")
        assert set(meta["lifecycle"]) >= {"phase", "document", "status", "owner"}
