"""The high-risk worked example (examples/credit-scoring/) is a project baked
from the template with its answers and filled in by its team: its documents
have the bake's front-matter keys, titles and sections, and the point tables
the bake renders; it passes the release gate with every requirement traced,
its declaration is ready for signature with no missing point, its
instructions for use are complete, and its site, built with the plugin as on
its day, links each cited value to the evidence file it comes from."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys

import pytest
import yaml
from conftest import TEMPLATE, front_matter

sys.path.insert(0, str(TEMPLATE))
from guide import build as guide_build
from guide import example

DAY = example.today().isoformat()
RECORD = example.FOLDER / "docs"


@pytest.fixture(scope="module")
def baked_example(baked):
    """A bake with the example's answers, unchanged."""
    return baked(**example.settings()["answers"])


@pytest.fixture(scope="module")
def project(baked_example, tmp_path_factory):
    """The example as a project: the bake with the team's record laid over it,
    assembled as guide/example.py does."""
    target = tmp_path_factory.mktemp("credit-scoring") / baked_example.path.name
    shutil.copytree(baked_example.path, target)
    for path in sorted(RECORD.rglob("*")):
        if path.is_file():
            destination = target / "docs" / path.relative_to(RECORD)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    evidence = "".join(f"  {k}: {v}\n" for k, v in example.settings()["evidence"].items())
    with (target / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write(f"\nevidence:\n{evidence}")
    return target


def tool(project, *args):
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "ml_lifecycle", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def documents(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.glob("[0-9][0-9]-*/*.md"))


def headings(text: str) -> list[str]:
    body = guide_build.split_front_matter(text)[1]
    return [" / ".join(section.path) for section in guide_build.sections(body)]


def test_the_example_is_legally_high_risk():
    answers = example.settings()["answers"]
    assert answers["risk_level"] == "high"
    text = (RECORD / "01-problem-definition/problem-definition.md").read_text("utf-8")
    assert "Annex III: yes, point 5(b)" in text and "profiles natural persons" in text


def test_every_document_mirrors_the_bake(baked_example):
    baked_docs = baked_example.path / "docs"
    assert documents(RECORD) == documents(baked_docs)
    for relative in documents(RECORD):
        text = (RECORD / relative).read_text("utf-8")
        baked = (baked_docs / relative).read_text("utf-8")
        meta, baked_meta = front_matter(text), front_matter(baked)
        assert set(meta) == set(baked_meta), relative
        assert meta["title"] == baked_meta["title"], relative
        lifecycle = meta["lifecycle"]
        assert set(lifecycle) == set(baked_meta["lifecycle"]) | {"approval_fingerprint"}
        assert lifecycle["status"] == "approved", relative
        assert lifecycle["approved_by"] and lifecycle["approved_by"] != lifecycle["owner"]
        assert headings(text) == headings(baked), f"{relative}: sections differ"


def table_rows(text: str, heading: str) -> list[list[str]]:
    section = text.split(f"\n{heading}\n", 1)[1]
    table = re.search(r"^\|.*?(?=\n\n)", section, re.M | re.S).group(0)
    return [[cell.strip() for cell in row.split("|")[1:-1]] for row in table.splitlines()]


@pytest.mark.parametrize(
    ("document", "heading", "columns"),
    [
        ("06-integration/route-to-market.md", "## EU declaration of conformity", 4),
        ("06-integration/route-to-market.md", "## Provider obligations", 3),
        ("06-integration/integration-plan.md", "### Instructions for use", 3),
    ],
)
def test_the_point_tables_are_the_bakes(baked_example, document, heading, columns):
    """The tables the declaration and the instructions are built from are the
    template's, as baked; only the provider's status column is the team's."""
    text = (RECORD / document).read_text("utf-8")
    baked = (baked_example.path / "docs" / document).read_text("utf-8")
    mine, theirs = table_rows(text, heading), table_rows(baked, heading)
    assert [row[:columns] for row in mine] == [row[:columns] for row in theirs]
    assert all("==TODO==" not in cell for row in mine for cell in row)


def test_the_example_passes_the_release_gate_with_every_requirement_traced(project):
    args = ("check", "--today", DAY, "--require-approved", "1-9", "--require-traced", "--json")
    result = tool(project, *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert len(report["documents"]) == 13
    for doc in report["documents"]:
        assert doc["status"] == "approved" and doc["approval"] == "current", doc["path"]
    requirements = report["traceability"]["requirements"]
    assert len(requirements) >= 20
    assert {r["result"] for r in requirements} == {"pass", "waived"}
    assert any(r["monitored_in"] for r in requirements)
    cited = {d["path"].rsplit("/", 1)[1]: d.get("citations", 0) for d in report["documents"]}
    assert cited["validation-report.md"] >= 8 and cited["monitoring-plan.md"] == 4


def test_the_declaration_is_ready_for_signature_with_no_missing_point(project):
    out = project / "declaration.md"
    result = tool(project, "declaration", "--date", DAY, "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text("utf-8")
    data = yaml.safe_load(text.split("---\n")[1])["declaration"]
    assert data["status"] == "for signature"
    assert [p["point"] for p in data["points"]] == [str(n) for n in range(1, 9)]
    assert all(p["text"] and "missing" not in p for p in data["points"])
    assert "Missing" not in text and "Draft" not in text
    assert "Internal control under Annex VI" in text  # point 7, from the route to market


def test_the_instructions_for_use_are_complete(project):
    out = project / "instructions.md"
    result = tool(project, "instructions", "--date", DAY, "--out", str(out))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    data = yaml.safe_load(out.read_text("utf-8").split("---\n")[1])["instructions"]
    assert data["status"] == "complete" and len(data["points"]) == 12


def test_an_edit_after_approval_blocks_the_signature(project, tmp_path):
    copy = tmp_path / "edited"
    shutil.copytree(project, copy)
    path = copy / "docs/06-integration/route-to-market.md"
    path.write_text(path.read_text("utf-8").replace("Vienna", "Graz"), "utf-8")
    result = tool(copy, "declaration", "--date", DAY, "--out", str(copy / "d.md"))
    assert result.returncode == 1 and "changed since its approval" in result.stderr
    assert not (copy / "d.md").exists()


@pytest.mark.slow
def test_the_site_links_each_cited_value_to_its_evidence(project, tmp_path):
    """Built with the plugin as on its day: no document has a problem, and
    every link to evidence reaches the file in the site."""
    site = example.build_site(project, tmp_path / "site", dt.date.fromisoformat(DAY))
    pages = {page: page.read_text("utf-8") for page in site.glob("0[1-9]-*/*/index.html")}
    assert len(pages) == 13
    for page, text in pages.items():
        assert "with problems" not in text, page
    links = [
        (page, href)
        for page, text in pages.items()
        for href in re.findall(r'href="([^"]*evidence/[^"]+\.json)"', text)
    ]
    assert len(links) >= 10
    for page, href in links:
        assert (page.parent / href).resolve().is_file(), (page, href)
    for deliverable in ("eu-declaration-of-conformity", "instructions-for-use"):
        assert (site / deliverable / "index.html").is_file()
    assert "Calder Affordability Score" in (site / example.DOSSIER_FILE).read_text("utf-8")
