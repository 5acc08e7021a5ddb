"""The sections auditors ask for appear for the answers they depend on, and
the stubs ask each question once.

Whether the example answers agree with each other is checked against the
fact sheets, in tests/test_facts.py and for every slow-tier row in
tests/test_options.py (tests/fact_checks.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import fact_checks
import pytest
from conftest import EVERYTHING_ON

TEMPLATE = Path(__file__).resolve().parent.parent
KINDS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))["task_kind"]
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
# Every answer that adds text, with the task kind left to each test.
MOST_TEXT = {key: value for key, value in EVERYTHING_ON.items() if key != "task_kind"}


# --- baking -------------------------------------------------------------------


class Bake:
    """The documents of one bake whose wording this module checks."""

    def __init__(self, project: Path, answers: dict):
        self.path = project
        self.answers = answers
        docs = project / "docs"
        self.documents = {
            p.relative_to(docs).as_posix(): FRONT_MATTER.sub("", p.read_text(encoding="utf-8"))
            for p in sorted(docs.rglob("*.md"))
            if p.parent != docs
            or p.name in {"iteration-log.md", "supplier-register.md", "crosswalk.md"}
        }

    def doc(self, name: str) -> str:
        """The body of the document whose file name is `name`."""
        return next(
            text
            for path, text in self.documents.items()
            if path.endswith("/" + name) or path == name
        )

    def examples(self, name: str) -> list[str]:
        """The example answers of a document, each as one line of text."""
        blocks = re.findall(r"(?:^> .*\n?)+", self.doc(name), re.MULTILINE)
        joined = [" ".join(line[2:] for line in block.splitlines()) for block in blocks]
        return [text.split("*Example:*", 1)[1].strip() for text in joined if "*Example:*" in text]


@pytest.fixture(scope="module")
def bake(baked):
    """The session's shared bake for these answers, read as a Bake."""

    def _bake(answers: dict) -> Bake:
        project = baked(**answers)
        return Bake(project.path, answers)

    return _bake


def test_no_vendor_without_third_parties(bake):
    project = bake({"task_kind": "classification", "third_parties": "none"})
    for path, text in project.documents.items():
        assert "LabelCo" not in text and "vendor" not in text.lower(), path


# --- sections per answer -----------------------------------------------------------


def headings(text: str) -> set[str]:
    return set(re.findall(r"^#{2,3} (.+?)\s*$", text, re.MULTILINE))


@pytest.mark.parametrize("risk", ["minimal", "limited", "high"])
def test_problem_definition_states_role_and_risk_class(bake, risk):
    project = bake({"task_kind": "classification", "risk_level": risk})
    text = project.doc("problem-definition.md")
    assert "Regulatory role and risk classification" in headings(text)
    assert "provider" in text and "deployer" in text
    assert ("not high-risk" in text) == (risk != "high")


def role_examples(project: Bake) -> tuple[str, list[str]]:
    """The role questions of a problem definition, and their examples."""
    text = project.doc("problem-definition.md")
    section = text.split("\n### Role in the value chain\n", 1)[1].split("\n## ", 1)[0]
    blocks = [
        " ".join(line[2:] for line in b.splitlines())
        for b in re.findall(r"(?:^> .*\n?)+", section, re.M)
    ]
    return " ".join(blocks), [b.split("*Example:*", 1)[1] for b in blocks if "*Example:*" in b]


@pytest.mark.parametrize("risk", ["minimal", "limited", "high"])
def test_every_bake_shows_the_roles_beyond_provider_and_deployer(bake, risk):
    """Whatever the risk level, the role questions ask, and their examples
    show, an organisation that only deploys a high-risk system (whom it tells
    of a serious incident, in which order) and one that could become the
    provider of another's system (Art. 25)."""
    questions, examples = role_examples(bake({"task_kind": "classification", "risk_level": risk}))
    for asked in ("Art. 25", "Art. 26(5)", "Art. 53(1)(b)", "Art. 27", "Art. 4"):
        assert asked in questions
    becomes = next(e for e in examples if "Art. 25(1)" in e)
    assert "would make" in becomes and "its provider" in becomes
    deployer_only = next(e for e in examples if "deployer only" in e)
    order = ["provider first", "importer or distributor", "market surveillance authority"]
    places = [deployer_only.find(party) for party in order]
    assert -1 not in places and places == sorted(places), deployer_only


@pytest.mark.parametrize(
    ("third_parties", "shown"),
    [("pretrained-models", "is the downstream provider"), ("none", "no general-purpose AI model")],
)
def test_a_downstream_provider_of_a_general_purpose_model_is_shown(bake, third_parties, shown):
    answers = {"task_kind": "generative", "risk_level": "high", "third_parties": third_parties}
    _, examples = role_examples(bake(answers))
    assert any("general-purpose AI model" in e and shown in e for e in examples), examples


@pytest.mark.parametrize("risk", ["minimal", "high"])
def test_ai_literacy_is_asked_with_the_training(bake, risk):
    text = bake({"task_kind": "classification", "risk_level": risk}).doc("integration-plan.md")
    training = text.split("\n## User training\n", 1)[1].split("\n## ", 1)[0]
    training = re.sub(r"\s*\n>\s*", " ", training)
    assert "AI literacy" in training and "Art. 4)" in training


def section_text(text: str, heading: str) -> str:
    """A section's text up to the next heading of its level, quotes unwrapped."""
    level = heading.split(" ", 1)[0]
    body = text.split(f"\n{heading}\n", 1)[1].split(f"\n{level} ", 1)[0]
    return " ".join(re.sub(r"\s*\n>\s*", " ", body).split())


def test_a_high_risk_bake_asks_for_the_fria_of_the_deployers_who_owe_it(bake):
    route = bake({"task_kind": "classification", "risk_level": "high"}).doc("route-to-market.md")
    fria = section_text(route, "## Deployers and fundamental rights impact assessment")
    for owed in (
        "Art. 27",
        "bodies governed by public law",
        "private entities providing public services",
        "unless the system is under Annex III, point 2",
        "Annex III, points 5(b) and (c)",
        "where is its assessment",
    ):
        assert owed in fria, owed


def test_a_high_risk_bake_asks_each_retention_period_with_its_source(bake):
    route = bake({"task_kind": "classification", "risk_level": "high"}).doc("route-to-market.md")
    retention = section_text(route, "## Retention of documentation and logs")
    for source in ("Art. 18 and Art. 47: 10 years", "Art. 19: at least six months"):
        assert source in retention, source


@pytest.mark.parametrize("risk", ["limited", "high"])
def test_serious_incidents_only_for_high_risk(bake, risk):
    project = bake({"task_kind": "classification", "risk_level": risk})
    text = project.doc("monitoring-plan.md")
    high = risk == "high"
    assert ("Art. 73" in text) == high
    assert ("15 days" in text and "2 days" in text and "10 days" in text) == high
    assert ("Art. 3(49)" in text) == high
    runbook = project.doc("operations-runbook.md")
    assert ("08-monitoring/monitoring-plan.md#incident-reporting" in runbook) == high


@pytest.mark.parametrize("risk", ["limited", "high"])
def test_instructions_for_use_and_route_to_market_only_for_high_risk(bake, risk):
    """Which point each lists, and the section that asks it, is data
    (templates/crosswalk.yaml), mapped point by point in test_regulation.py."""
    project = bake({"task_kind": "classification", "risk_level": risk})
    high = risk == "high"
    assert ("Instructions for use" in headings(project.doc("integration-plan.md"))) == high
    assert (project.path / "docs/06-integration/route-to-market.md").is_file() == high


GENERATIVE_ONLY = {
    "requirements.md": ["Art. 50", "machine-readable"],
    "problem-definition.md": ["AI 600-1"],
    "model-card.md": [
        "confabulation",
        "toxic",
        "memorised personal data",
        "grounding",
        "contamination",
        "inference",
    ],
}


@pytest.mark.parametrize("kind", ["generative", "classification", "forecasting"])
def test_generative_prompts_only_for_generative(bake, kind):
    project = bake({"task_kind": kind, "risk_level": "limited"})
    for name, phrases in GENERATIVE_ONLY.items():
        text = project.doc(name)
        present = [p for p in phrases if p in text]
        assert present == (phrases if kind == "generative" else []), name


@pytest.mark.parametrize("kind", ["generative", "classification"])
@pytest.mark.parametrize("crosswalk", ["nist-ai-rmf", "eu-ai-act"])
def test_crosswalk_maps_the_generative_profile(bake, kind, crosswalk):
    project = bake({"task_kind": kind, "crosswalk": crosswalk})
    text = project.doc("crosswalk.md")
    risks = fact_checks.facts.gai_risks(fact_checks.READ)
    assert len(risks) == 12
    mapped = [risk for risk in risks if f"| {risk} |" in text]
    expected = kind == "generative" and crosswalk == "nist-ai-rmf"
    assert mapped == (list(risks) if expected else [])


@pytest.mark.parametrize("third_parties", ["none", "pretrained-models"])
def test_hosted_model_versions_are_pinned(bake, third_parties):
    project = bake({"task_kind": "generative", "third_parties": third_parties})
    pretrained = third_parties == "pretrained-models"
    assert ("not an alias" in project.doc("integration-plan.md")) == pretrained
    assert ("withdrawal" in project.doc("update-plan.md")) == pretrained


@pytest.mark.parametrize("kind", KINDS)
def test_security_supply_chain_retention_and_design_prompts(bake, kind):
    project = bake({"task_kind": kind})
    assert "threat model" in project.doc("requirements.md")
    assert "Technical design" in headings(project.doc("requirements.md"))
    assert "build or buy" in project.doc("requirements.md")
    assert "augment" in " ".join(project.examples("data-card.md")).lower()
    assert "kept out of the test" in project.doc("data-card.md")
    assert "checksum" in project.doc("integration-plan.md")
    assert "minimum retention" in project.doc("retirement-plan.md")
    assert "in parallel" in project.doc("monitoring-plan.md")


def test_links_between_documents_resolve(bake):
    """Links from one stub document to another point at a file and a heading
    that exist (the full link check is tests/test_options.py::check_bake)."""
    from markdown.extensions.toc import slugify

    project = bake({"task_kind": "generative", **MOST_TEXT})
    docs = project.path / "docs"
    count = 0
    for path, text in project.documents.items():
        for target, anchor in re.findall(r"\]\((\.\./[^)#\s]+\.md)(?:#([^)\s]+))?\)", text):
            count += 1
            linked = (docs / path).parent / target
            assert linked.is_file(), (path, target)
            if anchor:
                ids = {
                    slugify(h, "-")
                    for h in re.findall(
                        r"^#+ (.+?)\s*$", linked.read_text(encoding="utf-8"), re.MULTILINE
                    )
                }
                assert anchor in ids, (path, target, anchor)
    assert count >= 8, "the stubs barely link to each other"


# --- each question asked once --------------------------------------------------------

# A phrase that marks a question (lower case, matched in the bold prompts of a
# bake with every option on) and the only documents that may ask it. The other
# documents link to the owner instead of asking again.
QUESTION_OWNERS = {
    "audit rights": {"supplier-register.md"},
    "what may you do with it": {"supplier-register.md"},
    "service level": {"operations-runbook.md"},
    "each delivery checked": {"data-card.md"},
    "does the provider document": {"model-card.md"},
    "the data they were trained on": set(),
    "withdrawal": {"update-plan.md"},
    "snapshot": {"update-plan.md"},
    "validated before it serves": {"validation-report.md"},
    "poisoned or biased feedback": set(),
    "undo what it has learned": set(),
}
PROMPT = re.compile(r"^> \*\*(.*?)\*\*", re.MULTILINE | re.DOTALL)


def prompts(text: str) -> list[str]:
    return [" ".join(p.replace("\n> ", " ").split()).lower() for p in PROMPT.findall(text)]


@pytest.mark.parametrize("kind", ["classification", "generative"])
def test_each_question_is_asked_in_the_document_that_owns_it(bake, kind):
    project = bake({**EVERYTHING_ON, "task_kind": kind})
    asked = {path: prompts(text) for path, text in project.documents.items()}
    for phrase, owners in QUESTION_OWNERS.items():
        askers = {Path(path).name for path, qs in asked.items() if any(phrase in q for q in qs)}
        assert askers == owners, f"{phrase!r} is asked in {sorted(askers)}"


SUPPLIER_NAMES = {
    "data-providers": "LabelCo",
    "outsourced-development": "Acme Analytics",
    "automl": "AutoML",
}


@pytest.mark.parametrize(
    "third_parties", ["data-providers", "outsourced-development", "pretrained-models", "automl"]
)
def test_supplier_examples_follow_the_third_parties_answer(bake, third_parties):
    """A bake names only suppliers of the kinds it chose, and the register has
    one example row per chosen kind."""
    project = bake({**EVERYTHING_ON, "task_kind": "classification", "third_parties": third_parties})
    for kind, name in SUPPLIER_NAMES.items():
        for path, text in project.documents.items():
            if kind != third_parties and name != "AutoML":
                assert name not in text, f"{path} names {name} in a {third_parties} bake"
    assert "LinguaCheck" not in " ".join(project.documents.values())
    register = (project.path / "docs" / "supplier-register.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| \*(.+?) \(example\)\* \|", register, re.MULTILINE)
    assert len(rows) == 1, rows
    if third_parties in SUPPLIER_NAMES:
        assert SUPPLIER_NAMES[third_parties] in rows[0]


def test_cited_tests_and_evidence_exist(bake):
    """An example cites a test or evidence by ID only if some document of the
    bake defines that ID."""
    project = bake(EVERYTHING_ON)
    text = " ".join(project.documents.values())
    for test_id in set(re.findall(r"\btest (V-\d+)\b", text)):
        assert re.search(rf"\b{test_id}:", text), f"{test_id} is cited but never defined"
    assert "V-07" not in text
