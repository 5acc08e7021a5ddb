"""Every supported combination of options bakes into a sound project.

The options are read from cookiecutter.json, and the combinations from the
template's own source (tests/combinations.py), so a new option, choice or
option read by a template file is covered without touching this file.

- Fast tier: a pairwise covering set (every value of every option meets every
  value of every other option at least once), each bake checked thoroughly,
  and one bake per choice to show that each choice changes what it should.
- Slow tier: a covering set that starts with the pairwise rows and adds every
  combination of the options each template file reads, sharded, each bake
  checked, its example answers against the fact sheets too
  (tests/fact_checks.py); the pairwise rows are baked with the hooks run as
  cookiecutter runs them and their sites built strict. `make test` runs the slow tier instead of
  the fast tier's pairwise stand-in (marked `fast_only`).
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from pathlib import Path

import fact_checks
import pytest
import yaml
from combinations import (
    GROUPS,
    OPTIONS,
    PAIRS,
    PAIRWISE,
    ROWS,
    TEMPLATE,
    TEMPLATE_ROOT,
    covering_rows,
    interaction,
    interactions,
    options_read,
    uncovered_combinations,
)
from conftest import (
    COOKIECUTTER_JSON,
    FRONT_MATTER,
    PHASES,
    expected_files,
    front_matter,
    leftover_template_syntax,
    option_defaults,
    phase_documents,
    template_files,
)
from markdown.extensions.toc import slugify, unique

from ml_lifecycle import template_sections

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: TOML files are not parsed
    tomllib = None

SHARDS = 8  # about 65 bakes each; `--durations` shows how long each takes


# The slow tier builds the sites of the rows that cover every pair.
SITE_ROWS = PAIRWISE


def row_id(row: dict) -> str:
    return "-".join(row.values())


# --- Checking a bake ------------------------------------------------------

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
HEADING = re.compile(r"^(#{1,6}) +(.+?) *#* *$", re.MULTILINE)
LOCAL_LINK = re.compile(r"\]\((?!https?:|mailto:|#)([^)#\s]+\.md)(?:#([^)\s]+))?\)")


# The checks below depend only on a file's text, and most texts recur across
# bakes, so their results are cached by text.


@functools.lru_cache(maxsize=4096)
def anchors(markdown: str) -> frozenset[str]:
    """The heading ids mkdocs gives a page (markdown's toc slugify, numbered
    when repeated). Fenced code is skipped."""
    text = re.sub(r"^```.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)
    ids: set[str] = set()
    for match in HEADING.finditer(text):
        unique(slugify(match.group(2), "-"), ids)  # adds the id to ids
    return frozenset(ids)


@functools.lru_cache(maxsize=4096)
def load_yaml(text: str):
    return yaml.load(text, Loader=SAFE_LOADER)


@functools.lru_cache(maxsize=256)
def load_site_config(text: str):
    """mkdocs.yml as MkDocs reads it: with its !ENV tag (site_url)."""
    from mkdocs.utils.yaml import yaml_load

    return yaml_load(text)


def quick_front_matter(text: str) -> dict:
    match = FRONT_MATTER.match(text)
    assert match, "document does not start with a front-matter block"
    return load_yaml(match.group(1))


@functools.lru_cache(maxsize=4096)
def text_problem(name: str, text: str) -> str | None:
    """What is wrong with one baked file on its own, or None: template syntax
    left in it, YAML or TOML that does not parse, a page without a title."""
    leftover = leftover_template_syntax(name, text)
    if leftover:
        return f"template syntax {leftover.group(0)!r} left in it"
    try:
        if name == "mkdocs.yml":
            load_site_config(text)
        elif name.endswith((".yml", ".yaml")):
            load_yaml(text)
        elif name.endswith(".toml") and tomllib:
            tomllib.loads(text)
        elif name.startswith("docs/") and name.endswith(".md"):
            title = quick_front_matter(text).get("title")
            assert isinstance(title, str), "front matter without a title"
    except (yaml.YAMLError, ValueError, AssertionError) as error:
        return f"does not parse: {error}"
    return None


def broken_links(texts: dict[str, str], document: str) -> list[str]:
    """Links from a document to a page or section of the project that does
    not exist. `texts` maps each file of the project to its text."""
    folder = document.rsplit("/", 1)[0]
    broken = []
    for target, anchor in LOCAL_LINK.findall(texts[document]):
        path = posixpath.normpath(f"{folder}/{target}")
        if path not in texts:
            broken.append(target)
        elif anchor and anchor not in anchors(texts[path]):
            broken.append(f"{target}#{anchor}")
    return broken


def baked_files(project: Path) -> set[str]:
    return {
        posixpath.join(os.path.relpath(root, project), name).removeprefix("./")
        for root, _, names in os.walk(project)
        for name in names
    }


def check_bake(project: Path, answers: dict, hooks: bool = True) -> None:
    """The checks every bake gets: the exact files (without the one the
    post-generation hook writes when hooks did not run), fully rendered,
    YAML/TOML that parses, lifecycle front matter that matches the phase
    list, required sections that exist, links that resolve."""
    answers = {**option_defaults(), **answers}
    files = baked_files(project)
    expected = expected_files(answers)
    if not hooks:
        expected.discard(template_sections.SECTIONS_FILE)
    assert files == expected, {
        "missing": sorted(expected - files),
        "unexpected": sorted(files - expected),
    }
    texts = {f: (project / f).read_text(encoding="utf-8") for f in files if not f.endswith(".svg")}
    problems = {name: text_problem(name, text) for name, text in texts.items()}
    assert {name: p for name, p in problems.items() if p} == {}
    for document in phase_documents(answers):
        phase_id, doc_id = _ids(document)
        meta = quick_front_matter(texts[document])["lifecycle"]
        assert (meta["phase"], meta["document"]) == (phase_id, doc_id)
        required = meta.get("required_sections", [])
        assert bool(required) == (answers["risk_level"] == "high"), document
        headings = {m.group(2) for m in HEADING.finditer(texts[document]) if m.group(1) == "##"}
        assert set(required) <= headings, (document, set(required) - headings)
    for document in (f for f in files if f.startswith("docs/") and f.endswith(".md")):
        assert broken_links(texts, document) == [], document
    site_config = load_site_config(texts["mkdocs.yml"])
    assert "nav" not in site_config, "the lifecycle plugin derives the navigation"
    assert site_config["plugins"] == ["search", "lifecycle"]


def _ids(document: str) -> tuple[str, str]:
    folder, name = document.split("/")[1:3]
    phase = next(p for p in PHASES if p["folder"] == folder)
    return phase["id"], name.removesuffix(".md")


# --- Fast tier --------------------------------------------------------------


def test_options_are_read_from_cookiecutter_json():
    defaults = option_defaults()
    assert list(OPTIONS) == [key for key, value in defaults.items() if key in OPTIONS]
    assert {"task_kind", "update_mode", "risk_level", "third_parties", "crosswalk"} <= set(OPTIONS)


@pytest.mark.parametrize(("rows", "name"), [(PAIRWISE, "pairwise"), (ROWS, "slow tier")])
def test_covering_sets_cover_every_pair_of_values(rows, name):
    assert covering_rows(OPTIONS, PAIRS) == PAIRWISE, "the covering set must be deterministic"
    for pair in PAIRS:
        assert uncovered_combinations(rows, pair) == set(), (name, pair[0])
    sizes = sorted((len(values) for values in OPTIONS.values()), reverse=True)
    assert sizes[0] * sizes[1] <= len(PAIRWISE) <= 2 * sizes[0] * sizes[1]


@pytest.mark.parametrize("template_file", sorted(GROUPS))
def test_slow_tier_bakes_every_combination_a_file_reads(template_file):
    """Every combination of the options this template file reads is baked."""
    assert uncovered_combinations(ROWS, GROUPS[template_file]) == set(), template_file


def test_groups_are_derived_from_what_each_file_reads():
    """The derivation sees reads in names, statements, conditional
    expressions and macros, ignores values printed unconditionally, and
    splits an option compared only with literals into those and the rest."""
    stub = "docs/04-building/model-card.md"
    text = (TEMPLATE_ROOT / stub).read_text(encoding="utf-8")
    read = options_read(stub, text)
    assert {"task_kind", "risk_level", "update_mode", "third_parties"} <= set(read)
    assert read["third_parties"] is None, "read through the third_party macro, as a value"
    printed = "{{ cookiecutter.task_kind }} {{ cookiecutter.crosswalk }}"
    assert options_read("x.md", printed) == {}
    inline = "{{ 'a' if cookiecutter.crosswalk == 'all' }}"
    assert options_read("x.md", inline) == {"crosswalk": {"all"}}
    nested = "{% if cookiecutter.risk_level in ['high', 'limited'] %}{{ cookiecutter.publishing }}"
    assert options_read("x.md", nested + "{% endif %}") == {
        "risk_level": {"high", "limited"},
        "publishing": None,
    }
    named = "{% if cookiecutter.docs_licence == 'CC0-1.0' %}x.md{% endif %}"
    assert options_read(named, "{% if 'none' != cookiecutter.publishing %}{% endif %}") == {
        "docs_licence": {"CC0-1.0"},
        "publishing": {"none"},
    }
    names, classes = interaction(options_read(named, "{% if cookiecutter.publishing %}{% endif %}"))
    assert names == ("docs_licence", "publishing")
    assert classes[0] == (("CC0-1.0",), ("CC-BY-4.0", "proprietary"))
    assert len(classes[1]) == len(OPTIONS["publishing"])


def test_a_file_that_starts_reading_an_option_gets_its_combinations():
    """If the model card began to depend on the crosswalk, its group would
    grow, and the covering set derived from the groups would bake every
    combination of the larger group (the current rows would not)."""
    stub = "docs/04-building/model-card.md"
    text = (TEMPLATE_ROOT / stub).read_text(encoding="utf-8")
    edited = text + "{% if cookiecutter.crosswalk == 'all' %}See the crosswalk.{% endif %}\n"
    grown = interaction(options_read(stub, edited))
    assert "crosswalk" in grown[0]
    assert uncovered_combinations(ROWS, grown), "the test would not notice the new read"
    rows = covering_rows(OPTIONS, interactions({**GROUPS, stub: grown}))
    assert uncovered_combinations(rows, grown) == set()


def test_every_conditional_template_file_has_a_condition_the_phases_agree_with():
    """A lifecycle document that is only produced for some answers says so
    in its file name and in `only_if` of `_phases` (which the templates read)."""
    conditional = {path for path, condition in template_files().items() if condition}
    by_phase_list = {
        f"docs/{phase['folder']}/{doc['id']}.md"
        for phase in PHASES
        for doc in phase["documents"]
        if doc.get("only_if")
    }
    assert by_phase_list <= conditional
    for row in PAIRWISE:
        documents = {path for path in expected_files(row) if path.startswith("docs/0")}
        assert documents == set(phase_documents(row)), row


@pytest.mark.fast_only
@pytest.mark.parametrize("row", PAIRWISE, ids=row_id)
def test_pairwise_combination_bakes_soundly(bake, row):
    """The fast tier's stand-in for the slow tier's rows, which `make test`
    runs instead (they cover every pair too, hooks included)."""
    project = bake(**row).path
    check_bake(project, row)
    assert fact_checks.problems(project, row) == [], row


# The documents each option must change, by the issue that introduced it. An
# option missing here must still change some file.
SHAPED_BY = {
    "task_kind": [
        "docs/02-requirements/requirements.md",
        "docs/04-building/model-card.md",
        "docs/05-validation/validation-report.md",
        "docs/08-monitoring/monitoring-plan.md",
    ],
    "update_mode": [
        "docs/09-updating-retirement/update-plan.md",
        "docs/08-monitoring/monitoring-plan.md",
    ],
    "risk_level": ["docs/02-requirements/requirements.md", "docs/04-building/model-card.md"],
    "third_parties": ["docs/supplier-register.md"],
    "crosswalk": ["docs/crosswalk.md"],
    "docs_licence": ["LICENSE.md"],
    "publishing": [".github/workflows/pages.yml", ".gitlab-ci.yml"],
}


def _body(project: Path, name: str) -> str | None:
    path = project / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


@pytest.mark.parametrize("option", OPTIONS)
def test_every_choice_changes_the_documents_it_shapes(baked, option):
    """Bake each choice of the option with every other answer at its default:
    each shaped document (present or absent) differs between any two choices."""
    projects = {value: baked(**{option: value}).path for value in OPTIONS[option]}
    shaped = SHAPED_BY.get(option)
    if shaped is None:
        fingerprints = {
            value: tuple(sorted((f, _body(p, f)) for f in baked_files(p)))
            for value, p in projects.items()
        }
        assert len(set(fingerprints.values())) == len(projects), f"{option} changes nothing"
        return
    for name in shaped:
        versions = {value: _body(p, name) for value, p in projects.items()}
        if name.endswith(".md") and name.startswith("docs/0"):
            assert None not in versions.values(), name
        if option == "publishing":  # one CI file per host, none without publishing
            continue
        assert len(set(versions.values())) == len(projects), (option, name)
    if option == "publishing":
        assert len({frozenset(baked_files(p)) for p in projects.values()}) == len(projects)


TASK_WORDS = {
    "classification": "calibration",
    "regression": "RMSE",
    "forecasting": "MASE",
    "ranking-recommendation": "NDCG",
    "clustering": "Silhouette",
    "generative": "hallucination",
}


def test_task_kind_puts_its_own_metrics_in_the_model_card(baked):
    cards = {
        kind: _body(baked(task_kind=kind).path, "docs/04-building/model-card.md")
        for kind in OPTIONS["task_kind"]
    }
    for kind, word in TASK_WORDS.items():
        assert word in cards[kind], (kind, word)
        others = [k for k in cards if k != kind and word in cards[k]]
        assert others == [], f"{word!r} also appears for {others}"


def test_high_risk_adds_documents_and_mandatory_sections(baked):
    minimal = baked(risk_level="minimal").path
    high = baked(risk_level="high").path
    added = baked_files(high) - baked_files(minimal)
    assert {
        "docs/02-requirements/impact-assessment.md",
        "docs/07-operation/human-oversight-plan.md",
    } <= added
    for document in phase_documents({"risk_level": "high"}):
        meta = front_matter(_body(high, document))["lifecycle"]
        assert meta["required_sections"], document
        if (minimal / document).is_file():
            assert "required_sections" not in front_matter(_body(minimal, document))["lifecycle"]


@pytest.mark.parametrize("crosswalk", [c for c in OPTIONS["crosswalk"] if c != "none"])
def test_crosswalk_names_only_the_chosen_frameworks(baked, crosswalk):
    text = _body(baked(crosswalk=crosswalk).path, "docs/crosswalk.md")
    sections = {"eu-ai-act": "## EU AI Act", "nist-ai-rmf": "## NIST AI", "iso-iec-42001": "## ISO"}
    for framework, heading in sections.items():
        assert (heading in text) == (crosswalk in (framework, "all")), framework
    assert "not legal advice" in text
    # One page, whatever the choice, as the prompt's help says.
    pages = sorted(f for f in baked_files(baked(crosswalk=crosswalk).path) if "crosswalk" in f)
    assert pages == ["docs/crosswalk.md"]
    assert "page each" not in COOKIECUTTER_JSON["_choice_help"]["crosswalk"][crosswalk]


# --- Slow tier ----------------------------------------------------------------


def _pre_generation_hook():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pre_gen", TEMPLATE / "hooks/pre_gen_project.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("shard", range(SHARDS), ids=lambda s: f"shard{s}of{SHARDS}")
def test_every_combination_a_file_reads_bakes_soundly(bake, shard):
    """The slow tier's covering set (tests/combinations.py), each bake checked.
    The rows of SITE_ROWS (every pair of values among them) are baked with the
    hooks run as cookiecutter runs them, and their sites built strict; the
    others run the pre-generation checks in-process as functions, saving two
    interpreter starts per bake."""
    hook = _pre_generation_hook()
    rows = ROWS[shard::SHARDS]
    for row in rows:
        with_site = row in SITE_ROWS
        project = bake.into(bake.output(), row, accept_hooks=with_site)
        recorded = project.yaml(".cookiecutter-answers.yaml")["default_context"]
        assert hook.problems(recorded) == [], row
        check_bake(project.path, row, hooks=with_site)
        assert fact_checks.problems(project.path, row) == [], row
        if with_site:
            project.build()
    assert rows


def test_the_slow_tier_builds_sites_for_every_pair():
    assert SITE_ROWS and all(row in ROWS for row in SITE_ROWS)
    for pair in PAIRS:
        assert uncovered_combinations(SITE_ROWS, pair) == set(), pair[0]
