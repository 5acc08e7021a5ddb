"""The deliverables built from the documents, in-process on a tiny project:
the EU declaration of conformity and the instructions for use read their
points from a table of sources, take each point's answer from its section,
show what is missing, and refuse a version for signature until every source
is answered and approved."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from ml_lifecycle import approval, cli, declaration, dossier, instructions
from ml_lifecycle.adopt.record import RECORD_FILE, Record
from ml_lifecycle.deliverables import DeliverableError

from .tiny_projects import doc_path, document, make_project

TODAY = date(2026, 6, 1)
REQ = "../02-requirements/requirements.md"
SOURCES = {
    "1": "Identification",
    "2": "Provider",
    "4": "Other law",
    "5": "Data protection",
    "6": "Standards",
    "7": "Assessment",
    "8": "Signatory",
}
ANSWERS = {
    "Identification": "Router v1.2, a classifier of tickets; tag `router:1.2`.",
    "Provider": "Acme Ltd, 1 Quay Street, Dublin; <compliance@example.org>.",
    "Other law": "None.",
    "Data protection": "Complies with Regulation (EU) 2016/679 (DPIA-7).",
    "Standards": "Accuracy of [0.91](evidence:eval#test.accuracy), see [the V&V report](x.md).",
    "Assessment": "Internal control, Annex VI; no notified body.",
    "Signatory": "Dublin, 2026-05-30; J. Doe, director, for Acme Ltd.",
}

ANSWERS_FILE = ".cookiecutter-answers.yaml"
BAKED = "default_context:\n  project_name: Router\n"
ADOPTED = Record(answers={"project_name": "Router"}).as_json()


def requirements(unanswered: str = "") -> str:
    """The requirements document: one section per source, each a question
    with an example and the team's answer (or a TODO marker)."""
    parts = ["# Requirements\n"]
    for title, answer in ANSWERS.items():
        reply = "==TODO==" if title == unanswered else answer
        parts.append(
            f"## {title}\n\n> **What about {title.lower()}?**\n> *Example:* Not this.\n\n{reply}\n"
        )
    return "\n".join(parts)


def sources_table() -> str:
    rows = []
    for point in map(str, range(1, 9)):
        title = SOURCES.get(point)
        anchor = title.lower().replace(" ", "-") if title else ""
        source = f"[Requirements: {title}]({REQ}#{anchor})" if title else "—"
        wording = "Issued under the provider's sole responsibility." if point == "3" else "—"
        rows.append(f"| {point} | Point {point} of Annex V | {wording} | {source} |")
    return (
        "| Point | What the declaration states | Fixed wording | Source |\n"
        "| --- | --- | --- | --- |\n" + "\n".join(rows) + "\n"
    )


INSTRUCTIONS_TABLE = f"""\
| Point | What the instructions give | Source |
| --- | --- | --- |
| (a) | The provider | [Requirements: Provider]({REQ}#provider) |
| (b)(i) | The purpose | [Requirements: Identification]({REQ}#identification) |
"""


@pytest.fixture
def project(tmp_path):
    def make(unanswered: str = "", table: str | None = None, adopted: bool = False):
        monitoring = (
            "# Monitoring\n\n## EU declaration of conformity\n\n"
            + (sources_table() if table is None else table)
            + "\n## Instructions for use\n\n"
            + INSTRUCTIONS_TABLE
        )
        root = make_project(
            tmp_path,
            {
                "requirements": document("requirements", requirements(unanswered), owner="Ann"),
                "monitoring": document("monitoring", monitoring, owner="Ann"),
            },
            **{
                **({RECORD_FILE: ADOPTED} if adopted else {ANSWERS_FILE: BAKED}),
                "eval.json": '{"test": {"accuracy": 0.9134}}',
            },
        )
        with (root / "lifecycle.yml").open("a", encoding="utf-8") as file:
            file.write("evidence:\n  eval: eval.json\n")
        return root

    return make


def approve_all(root) -> None:
    for phase in ("requirements", "monitoring"):
        approval.approve(root, root / doc_path(phase), "Ben", TODAY)


def test_a_draft_shows_each_missing_point_and_why(project):
    root = project(unanswered="Signatory")
    text = declaration.build(root, TODAY, draft=True)
    front = yaml.safe_load(text.split("---\n")[1])["declaration"]
    assert front["status"] == "draft"
    assert [p["point"] for p in front["points"]] == [str(n) for n in range(1, 9)]
    missing = {p["point"]: p.get("missing") for p in front["points"] if p.get("missing")}
    assert list(missing) == ["8"] and "1 unfilled prompt" in missing["8"][0]
    body = text.split("---\n", 2)[2]
    assert body.index("## Point 8") < body.index("**Missing:**")
    assert "Draft: not for signature" in body and "Internal control, Annex VI" in body
    assert "What about" not in body and "Not this" not in body


def test_no_signable_version_while_a_point_is_missing_or_a_document_unapproved(project):
    root = project(unanswered="Standards")
    with pytest.raises(DeliverableError) as refused:
        declaration.build(root, TODAY)
    message = str(refused.value)
    assert message.startswith("not ready for signature")
    assert "point 6:" in message and "point 1:" not in message
    assert "`docs/02-requirements/requirements.md` is draft, not approved" in message


def test_a_signable_version_when_every_source_is_answered_and_approved(project):
    root = project()
    approve_all(root)
    text = declaration.build(root, TODAY)
    front = yaml.safe_load(text.split("---\n")[1])["declaration"]
    assert front["status"] == "for signature" and front["system"] == "Router"
    assert front["drawn_from"] == [doc_path("monitoring"), doc_path("requirements")]
    body = text.split("---\n", 2)[2]
    assert "Missing" not in body and "Draft" not in body
    points = [body.index(f"## Point {n}\n") for n in range(1, 9)]
    assert points == sorted(points)
    assert "Issued under the provider's sole responsibility." in body
    # cited evidence as its value, links to other pages as their text
    assert "Accuracy of 0.91, see the V&V report." in body
    assert body.rstrip().endswith(declaration.SIGNATURE_LINE)


def test_an_edit_after_approval_withdraws_the_signable_version(project):
    root = project()
    approve_all(root)
    path = root / doc_path("requirements")
    path.write_text(path.read_text("utf-8").replace("J. Doe", "K. Roe"), "utf-8")
    with pytest.raises(DeliverableError, match="changed since its approval"):
        declaration.build(root, TODAY)


def test_the_table_must_list_every_point_of_annex_v(project):
    table = sources_table().replace("| 5 | Point 5", "| 9 | Point 5")
    with pytest.raises(DeliverableError, match=r"lists points 1, 2, 3, 4, 9, 6, 7, 8; Annex V"):
        declaration.build(project(table=table), TODAY, draft=True)


def test_a_source_that_names_no_section_is_missing(project):
    table = sources_table().replace("#provider", "#nowhere")
    text = declaration.build(project(table=table), TODAY, draft=True)
    assert "has no section `#nowhere`" in text


def test_a_project_without_the_table_is_told_where_it_belongs(tmp_path):
    root = make_project(tmp_path)
    with pytest.raises(DeliverableError, match="route to market"):
        declaration.build(root, TODAY, draft=True)
    with pytest.raises(DeliverableError, match="integration plan"):
        instructions.build(root, TODAY)


def test_instructions_are_refused_while_a_point_is_missing_then_exported(project):
    root = project(unanswered="Provider")
    with pytest.raises(DeliverableError, match=r"not complete.*\n  - point \(a\): "):
        instructions.build(root, TODAY)
    text, warnings = instructions.build(root, TODAY, allow_unfilled=True)
    assert "## (a) The provider\n\n**Missing:**" in text
    assert "## (b)(i) The purpose\n\nRouter v1.2" in text
    assert any(w.startswith("exporting a draft: point (a)") for w in warnings)
    assert any("not approved yet" in w for w in warnings)


def test_the_dossier_includes_the_declaration_and_the_instructions(project):
    root = project(unanswered="Signatory")
    html = dossier.build(root, TODAY)
    assert "EU declaration of conformity: Router" in html
    assert "Instructions for use: Router" in html
    assert "Draft: not for signature" in html


def test_an_adopted_project_is_named_from_its_record_not_from_the_host_site(project):
    root = project(unanswered="Signatory", adopted=True)
    (root / "mkdocs.yml").write_text("site_name: Host team's site\n", encoding="utf-8")
    text = declaration.build(root, TODAY, draft=True)
    assert yaml.safe_load(text.split("---\n")[1])["declaration"]["system"] == "Router"
    assert "Instructions for use: Router" in instructions.build(root, TODAY, True)[0]
    assert "Host team" not in dossier.build(root, TODAY)


def test_the_command_writes_nothing_when_it_refuses(project, capsys):
    root = project(unanswered="Signatory")
    out = root / "declaration" / "eu-declaration-of-conformity.md"
    assert cli.main(["declaration", "--root", str(root)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: not ready for signature") and not out.exists()
    assert not (root / "declaration").exists()
    assert cli.main(["declaration", "--root", str(root), "--draft"]) == 0
    assert "status: draft" in out.read_text("utf-8")
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left


def test_the_command_reports_an_unwritable_place_in_one_line(project, capsys):
    root = project()
    blocker = root / "blocker"
    blocker.write_text("a file, not a folder", "utf-8")
    code = cli.main(["instructions", "--root", str(root), "--out", str(blocker / "i.md")])
    assert code == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and "not a folder" in error and "\n" not in error
    assert not (blocker / "i.md").exists() and blocker.read_text("utf-8") == "a file, not a folder"


@pytest.mark.parametrize("command", ["declaration", "instructions"])
def test_a_project_read_in_part_yields_no_deliverable(project, tmp_path_factory, capsys, command):
    """A page the checker refuses (here a link out of the project) stops
    both deliverables: one drawn from part of the project would leave it out."""
    root = project()
    outside = tmp_path_factory.mktemp("elsewhere") / "page.md"
    outside.write_text("# Not ours\n", encoding="utf-8")
    (root / doc_path("requirements")).parent.joinpath("linked.md").symlink_to(outside)
    out = root / "out.md"
    assert cli.main([command, "--root", str(root), "--out", str(out)]) == 1
    assert "refusing to read the project" in capsys.readouterr().err
    assert not out.exists()
