"""A high-risk bake asks for every point of Annex IV, Annex V and Art. 13(3) of
the EU AI Act, and for every article the crosswalk maps.

The mapping is data, in one place: the tables of templates/crosswalk.yaml
(`annex-iv`, `annex-v`, `instructions-for-use`, `article-16`, `articles`).
These tests derive from it: each point's sections exist in a high-risk bake
and ask a question there; the documents list the points the crosswalk lists;
the package finds in the bake the sources the data names; and the coverage
stated for other risk levels follows the same data.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import PHASES
from fact_checks import READ, facts

from guide import build as guide_build  # the high-risk bake the guide shows
from ml_lifecycle import declaration, instructions
from ml_lifecycle.deliverables import find_table
from ml_lifecycle.markdown_model import parse
from ml_lifecycle.rules import check_project

HIGH = guide_build.SHOWN_ANSWERS
POINT_TABLES = ("annex-iv", "annex-v", "instructions-for-use")
CHECKLISTS = ("article-16", "articles")


def answers_of(given: dict) -> dict:
    full = {"task_kind": "classification", "update_mode": "periodic-retraining", **given}
    full.setdefault("risk_level", "minimal")
    full.setdefault("third_parties", "none")
    return full


def tables(given: dict) -> dict[str, dict]:
    """The EU AI Act tables of the crosswalk for these answers, by id."""
    (framework,) = facts.crosswalk_tables(READ, "eu-ai-act", answers_of(given))
    return {table["id"]: table for table in framework["tables"] if table.get("id")}


def document_paths(project) -> dict[str, str]:
    return {path.stem: path for path in (project.path / "docs").glob("[0-9][0-9]-*/*.md")}


def asks_in(project, link: dict) -> bool:
    """Whether the section (or the document) a crosswalk link names exists in
    the bake and holds a question: a quote that opens with a bold question."""
    path = document_paths(project).get(link["doc"])
    if path is None:
        return False
    page = parse(path.read_text("utf-8"))
    if "section" not in link:
        return any(block.prompt for block in page.blocks)
    heading = next((h for h in page.headings if h.text == link["section"]), None)
    if heading is None:
        return False
    return any(b.prompt for b in page.blocks if heading.index < b.start < heading.end)


@pytest.fixture(scope="module")
def high(baked):
    return baked(**HIGH)


@pytest.mark.parametrize("table_id", POINT_TABLES)
def test_a_high_risk_bake_asks_every_point(high, table_id):
    """Each point of the table is covered, and every section it names exists
    in the bake and asks a question (a fixed statement stands for itself)."""
    rows = tables(HIGH)[table_id]["rows"]
    assert len(rows) == {"annex-iv": 23, "annex-v": 8, "instructions-for-use": 12}[table_id]
    for row in rows:
        assert row["level"] == "Covered", (table_id, row["item"], row["note"])
        links = [link for link in row["where"] if "doc" in link]
        assert links or row.get("statement"), (table_id, row["item"])
        for link in links:
            assert asks_in(high, link), (table_id, row["item"], link)


@pytest.mark.parametrize("table_id", CHECKLISTS)
def test_every_article_row_links_sections_that_ask(high, table_id):
    """The articles and the provider's checklist: no row of a high-risk bake
    is left uncovered or only named, and each link asks a question."""
    for row in tables(HIGH)[table_id]["rows"]:
        assert row["level"] in ("Covered", "Asked"), (row["item"], row["level"])
        for link in row["where"]:
            if "doc" in link:
                assert asks_in(high, link), (row["item"], link)


def source_links(text: str, heading: str) -> list[list[str]]:
    """The link targets in each row of the table under a heading of a baked document."""
    section = text.split(f"\n{heading}\n", 1)[1]
    table = re.search(r"^\|.*?(?=\n\n)", section, re.M | re.S).group(0)
    return [re.findall(r"\]\(([^)]+)\)", row) for row in table.splitlines()[2:]]


@pytest.mark.parametrize(
    ("table_id", "document", "heading"),
    [
        ("annex-v", "route-to-market", "## EU declaration of conformity"),
        ("article-16", "route-to-market", "## Provider obligations"),
        ("instructions-for-use", "integration-plan", "### Instructions for use"),
    ],
)
def test_the_documents_list_the_points_the_crosswalk_lists(high, table_id, document, heading):
    text = document_paths(high)[document].read_text("utf-8")
    listed = source_links(text, heading)
    rows = tables(HIGH)[table_id]["rows"]
    assert len(listed) == len(rows)
    for targets, row in zip(listed, rows, strict=True):
        expected = [
            f"#{facts.anchor(link['section'])}" for link in row["where"] if "section" in link
        ]
        assert [target[target.index("#") :] for target in targets] == expected, row["item"]


def test_the_package_reads_the_sources_the_data_names(high):
    """`ml-lifecycle declaration` and `instructions` find, in a high-risk bake,
    each point with the sections the crosswalk names for it."""
    report = check_project(high.path, date(2026, 12, 1))
    for section, table_id in (
        (declaration.SECTION, "annex-v"),
        (instructions.SECTION, "instructions-for-use"),
    ):
        found = find_table(report, section)
        rows = tables(HIGH)[table_id]["rows"]
        assert [point.item for point in found.points] == [row["item"] for row in rows]
        for point, row in zip(found.points, rows, strict=True):
            anchors = [source.anchor for source in point.sources]
            assert anchors == [facts.anchor(link["section"]) for link in row["where"]]
            assert point.wording == row.get("statement", "")
            assert point.missing == bool(row["where"])  # a fresh bake answers nothing yet


@pytest.mark.parametrize("risk", ["minimal", "limited"])
def test_other_risk_levels_say_what_a_high_risk_bake_adds(risk):
    """Outside high risk, the points that only the route to market asks are
    not covered, and the note says so; Art. 50(1) is covered where the risk
    level adds the duty to tell people."""
    found = tables({"risk_level": risk})
    assert set(found) == {"annex-iv", "articles"}
    annex_iv = {row["item"]: row for row in found["annex-iv"]["rows"]}
    for item in ("1(f)", "7", "8"):
        assert annex_iv[item]["level"] == "Not covered" and "high-risk" in annex_iv[item]["note"]
    articles = {row["item"].split()[0]: row for row in found["articles"]["rows"]}
    assert {"50(1)", "50(2)", "50(3)", "50(4)", "73"} <= set(articles)
    assert articles["50(1)"]["level"] == ("Covered" if risk == "limited" else "Asked")
    assert articles["73"]["level"] == "Not covered"


def months(period: str) -> int:
    number, unit = period.split()
    return int(number) * (12 if unit.startswith("year") else 1)


@pytest.mark.parametrize("kind", facts.TASK_KINDS)
def test_the_example_system_keeps_records_as_long_as_the_act_asks(kind):
    """The fact sheets' retention periods meet Arts. 18, 19 and 26(6): logs at
    least six months; and the route to market states the sheet's period."""
    sheet = facts.examples_for(answers_of({"task_kind": kind, "risk_level": "high"}), READ)
    assert months(sheet.get("system.log_retention")) >= 6
    retention = sheet.text("route-to-market.retention")
    assert sheet.get("system.log_retention") in retention and "10 years" in retention


@pytest.mark.parametrize("risk", ["minimal", "limited"])
def test_a_lower_risk_crosswalk_names_each_document_a_high_risk_bake_adds(baked, risk):
    """The note above the EU AI Act tables lists the documents that only a
    high-risk bake has, as the phase list gives them."""
    project = baked(risk_level=risk, crosswalk="eu-ai-act")
    text = " ".join((project.path / "docs" / "crosswalk.md").read_text("utf-8").split())
    titles = [
        f"the {doc['title'].lower()}"
        for phase in PHASES
        for doc in phase["documents"]
        if "high" in doc.get("only_if", {}).get("risk_level", [])
    ]
    assert len(titles) >= 3
    assert f"adds {', '.join(titles[:-1])} and {titles[-1]}, and" in text


# The sections this issue added to a high-risk bake, besides the route to
# market, all of whose sections count.
NEW_SECTIONS = {
    "problem-definition": [
        "Prohibited practices",
        "High-risk classification",
        "Transparency duties",
        "Role in the value chain",
    ],
    "impact-assessment": ["Risk management system"],
    "integration-plan": ["Instructions for use"],
    "update-plan": ["Lifetime and maintenance"],
}


def test_every_new_section_has_a_row_in_the_crosswalk(high):
    """Each section of the route to market, and each other section that the
    classification, the risk management system and the deliverables added,
    is linked from a row of the EU AI Act's tables."""
    (framework,) = facts.crosswalk_tables(READ, "eu-ai-act", answers_of(HIGH))
    linked = {
        (link["doc"], link.get("section"))
        for table in framework["tables"]
        for row in table["rows"]
        for link in row["where"]
        if "doc" in link
    }
    route = parse(document_paths(high)["route-to-market"].read_text("utf-8"))
    wanted = {**NEW_SECTIONS, "route-to-market": [h.text for h in route.headings if h.level > 1]}
    assert len(wanted["route-to-market"]) >= 14
    missing = [
        (doc, s) for doc, sections in wanted.items() for s in sections if (doc, s) not in linked
    ]
    assert missing == []
