"""Every supported combination of options bakes into a sound project.

The options are read from cookiecutter.json (every public prompt whose value is
a list), so a new option or choice is covered without touching this file.

- Fast tier: a pairwise covering set (every value of every option meets every
  value of every other option at least once), each bake checked thoroughly,
  and one bake per choice to show that each choice changes what it should.
- Slow tier: the full product of all options, sharded, with cheap checks on
  each bake; a strict site build for every pairwise row and for every
  crosswalk x risk level combination.
"""

from __future__ import annotations

import functools
import itertools
import os
import posixpath
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import (
    CONDITIONAL_FILES,
    FRONT_MATTER,
    LEFTOVER_JINJA,
    OPTIONS,
    PHASES,
    TEMPLATE,
    BakedProject,
    bake_with_api,
    expected_files,
    fast_baking,
    front_matter,
    option_defaults,
    phase_documents,
    template_files,
)
from markdown.extensions.toc import slugify, unique

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: TOML files are not parsed
    tomllib = None

# --- Choosing combinations -------------------------------------------------


def all_pairs(options: dict[str, list[str]]) -> list[dict[str, str]]:
    """A small set of combinations in which every pair of values of any two
    options occurs at least once. Greedy and deterministic: each new row starts
    from the first pair not yet covered, then gives every other option the value
    that covers the most uncovered pairs (the earliest value on a tie)."""
    names = list(options)
    uncovered = {
        ((a, x), (b, y))
        for a, b in itertools.combinations(names, 2)
        for x in options[a]
        for y in options[b]
    }

    def gain(row: dict, name: str, value: str) -> int:
        return sum(
            ((other, row[other]), (name, value)) in uncovered
            or ((name, value), (other, row[other])) in uncovered
            for other in row
        )

    rows = []
    while uncovered:
        (a, x), (b, y) = min(uncovered, key=lambda pair: _pair_rank(names, options, pair))
        row = {a: x, b: y}
        for name in names:
            if name not in row:
                row[name] = max(options[name], key=lambda value: gain(row, name, value))
        ordered = {name: row[name] for name in names}
        for first, second in itertools.combinations(names, 2):
            uncovered.discard(((first, ordered[first]), (second, ordered[second])))
        rows.append(ordered)
    return rows


def _pair_rank(names, options, pair) -> tuple:
    """Sort key for pairs: option order first, then choice order."""
    (a, x), (b, y) = pair
    return names.index(a), names.index(b), options[a].index(x), options[b].index(y)


def full_product(options: dict[str, list[str]]) -> list[dict[str, str]]:
    names = list(options)
    return [
        dict(zip(names, values, strict=True)) for values in itertools.product(*options.values())
    ]


PAIRWISE = all_pairs(OPTIONS)
FULL = full_product(OPTIONS)
SHARDS = 34  # about 500 bakes each; `--durations` shows how long each takes


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


def quick_front_matter(text: str) -> dict:
    match = FRONT_MATTER.match(text)
    assert match, "document does not start with a front-matter block"
    return load_yaml(match.group(1))


@functools.lru_cache(maxsize=4096)
def text_problem(name: str, text: str) -> str | None:
    """What is wrong with one baked file on its own, or None: template syntax
    left in it, YAML or TOML that does not parse, a page without a title."""
    leftover = LEFTOVER_JINJA.search(text)
    if leftover:
        return f"template syntax {leftover.group(0)!r} left in it"
    try:
        if name.endswith((".yml", ".yaml")):
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


def check_bake(project: Path, answers: dict) -> None:
    """The checks every bake gets, full product included: the exact files,
    fully rendered, YAML/TOML that parses, lifecycle front matter that matches
    the phase list, required sections that exist, links that resolve."""
    answers = {**option_defaults(), **answers}
    files = baked_files(project)
    expected = expected_files(answers)
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
    nav = load_yaml(texts["mkdocs.yml"])["nav"]
    assert {f"docs/{page}" for page in _nav_pages(nav)} <= files


def _ids(document: str) -> tuple[str, str]:
    folder, name = document.split("/")[1:3]
    phase = next(p for p in PHASES if p["folder"] == folder)
    return phase["id"], name.removesuffix(".md")


def _nav_pages(items) -> list[str]:
    pages = []
    for item in items:
        for value in item.values() if isinstance(item, dict) else [item]:
            pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


@pytest.fixture
def bake_quickly(cookiecutter_config, tmp_path):
    """Bake in this process with hooks, compiling each template once per test."""
    counter = itertools.count()

    def _bake(answers: dict, **options) -> Path:
        output = tmp_path / f"bake-{next(counter)}"
        with fast_baking():
            return bake_with_api(cookiecutter_config, output, answers, **options)

    return _bake


# --- Fast tier --------------------------------------------------------------


def test_options_are_read_from_cookiecutter_json():
    defaults = option_defaults()
    assert list(OPTIONS) == [key for key, value in defaults.items() if key in OPTIONS]
    assert {"task_kind", "update_mode", "risk_level", "third_parties", "crosswalk"} <= set(OPTIONS)
    assert len(FULL) == len(list(itertools.product(*OPTIONS.values())))


def test_pairwise_set_covers_every_pair_of_values():
    assert all_pairs(OPTIONS) == PAIRWISE, "the covering set must be deterministic"
    covered = {
        ((a, row[a]), (b, row[b])) for row in PAIRWISE for a, b in itertools.combinations(row, 2)
    }
    for a, b in itertools.combinations(OPTIONS, 2):
        for x, y in itertools.product(OPTIONS[a], OPTIONS[b]):
            assert ((a, x), (b, y)) in covered, (a, x, b, y)
    sizes = sorted((len(values) for values in OPTIONS.values()), reverse=True)
    assert sizes[0] * sizes[1] <= len(PAIRWISE) <= 2 * sizes[0] * sizes[1]


def test_every_conditional_template_file_has_a_rule():
    """A conditional file must have a rule in conftest.CONDITIONAL_FILES (or an
    `only_if` in `_phases`), so the expected file sets stay exact."""
    conditional = {path for path, condition in template_files().items() if condition}
    by_phase_list = {
        f"docs/{phase['folder']}/{doc['id']}.md"
        for phase in PHASES
        for doc in phase["documents"]
        if doc.get("only_if")
    }
    assert conditional == set(CONDITIONAL_FILES) | by_phase_list


@pytest.mark.parametrize("row", PAIRWISE[:3], ids=row_id)
def test_fast_baking_changes_nothing(cookiecutter_config, tmp_path, row):
    """Bakes under fast_baking() (compiling and sniffing each template once)
    are byte-identical to plain bakes."""
    plain = bake_with_api(cookiecutter_config, tmp_path / "plain", row)
    with fast_baking():
        cached = bake_with_api(cookiecutter_config, tmp_path / "cached", row)
    files = baked_files(plain)
    assert files == baked_files(cached)
    for name in files:
        assert (plain / name).read_bytes() == (cached / name).read_bytes(), name


@pytest.mark.parametrize("row", PAIRWISE, ids=row_id)
def test_pairwise_combination_bakes_soundly(bake_quickly, row):
    check_bake(bake_quickly(row), row)


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
def test_every_choice_changes_the_documents_it_shapes(bake_quickly, option):
    """Bake each choice of the option with every other answer at its default:
    each shaped document (present or absent) differs between any two choices."""
    projects = {value: bake_quickly({option: value}) for value in OPTIONS[option]}
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
    "forecasting": "seasonal-naive",
    "ranking-recommendation": "NDCG",
    "clustering": "Silhouette",
    "generative": "hallucination",
}


def test_task_kind_puts_its_own_metrics_in_the_model_card(bake_quickly):
    cards = {
        kind: _body(bake_quickly({"task_kind": kind}), "docs/04-building/model-card.md")
        for kind in OPTIONS["task_kind"]
    }
    for kind, word in TASK_WORDS.items():
        assert word in cards[kind], (kind, word)
        others = [k for k in cards if k != kind and word in cards[k]]
        assert others == [], f"{word!r} also appears for {others}"


def test_high_risk_adds_documents_and_mandatory_sections(bake_quickly):
    minimal = bake_quickly({"risk_level": "minimal"})
    high = bake_quickly({"risk_level": "high"})
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
def test_crosswalk_names_only_the_chosen_frameworks(bake_quickly, crosswalk):
    text = _body(bake_quickly({"crosswalk": crosswalk}), "docs/crosswalk.md")
    sections = {"eu-ai-act": "## EU AI Act", "nist-ai-rmf": "## NIST AI", "iso-iec-42001": "## ISO"}
    for framework, heading in sections.items():
        assert (heading in text) == (crosswalk in (framework, "all")), framework
    assert "not legal advice" in text


# --- Slow tier ----------------------------------------------------------------


def _pre_generation_hook():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pre_gen", TEMPLATE / "hooks/pre_gen_project.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("shard", range(SHARDS), ids=lambda s: f"shard{s:02d}of{SHARDS}")
def test_full_product_bakes_soundly(cookiecutter_config, tmp_path, shard):
    """Every combination of every option. Hooks are run in-process (the
    pre-generation checks as functions) to save two interpreter starts per
    bake; the pairwise tests above run them as cookiecutter does."""
    hook = _pre_generation_hook()
    rows = FULL[shard::SHARDS]
    with fast_baking():
        for row in rows:
            # The same folder each time: cookiecutter renders the output paths
            # as templates too, so they compile once.
            output = tmp_path / "bake"
            project = bake_with_api(cookiecutter_config, output, row, accept_hooks=False)
            answers = load_yaml((project / ".cookiecutter-answers.yaml").read_text())
            assert hook.problems(answers["default_context"]) == [], row
            check_bake(project, row)
            shutil.rmtree(output)
    assert rows


@pytest.mark.slow
@pytest.mark.parametrize("row", PAIRWISE, ids=row_id)
def test_pairwise_combination_site_builds_strict(bake_quickly, row):
    BakedProject(bake_quickly(row)).build_site()


@pytest.mark.slow
@pytest.mark.parametrize("risk_level", OPTIONS["risk_level"])
@pytest.mark.parametrize("crosswalk", [c for c in OPTIONS["crosswalk"] if c != "none"])
def test_crosswalk_site_builds_strict(bake_quickly, crosswalk, risk_level):
    """Every crosswalk at every risk level, with every supplier and continual
    learning on (the most conditional sections linked); the site config
    validates anchors, so a link to a missing section fails the build."""
    answers = {
        "crosswalk": crosswalk,
        "risk_level": risk_level,
        "third_parties": "several",
        "update_mode": "continual-learning",
    }
    site = BakedProject(bake_quickly(answers)).build_site()
    assert (site / "crosswalk" / "index.html").is_file()
