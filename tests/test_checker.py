"""`ml-lifecycle check` (the package's checker, behind a baked project's
`make check`) run on baked projects, and the status table and boxes that the
`lifecycle` plugin adds to their sites."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta

import pytest
import yaml
from conftest import COOKIECUTTER_JSON, PHASES, BakedProject, filled, phase_documents

TODAY = "2026-06-01"
MODEL_CARD = "docs/04-building/model-card.md"
DATA_CARD = "docs/03-data/data-card.md"
IMPACT = "docs/02-requirements/impact-assessment.md"
HIGH = {"risk_level": "high", "third_parties": "several"}


# --- helpers -----------------------------------------------------------------


@pytest.fixture
def copy_of(baked, tmp_path):
    """A private copy of a bake, safe to edit."""

    def _copy(**answers) -> BakedProject:
        target = tmp_path / "project"
        shutil.copytree(baked(**answers).path, target)
        return BakedProject(target)

    return _copy


def check(project: BakedProject, *args: str, today: str = TODAY) -> subprocess.CompletedProcess:
    """Run the package's checker in the project folder, as `make check` does."""
    command = [sys.executable, "-m", "ml_lifecycle", "check", "--today", today, *args]
    return project.run(*command, timeout=120)


def problem_lines(result: subprocess.CompletedProcess) -> list[str]:
    """The problem lines: everything after the 'N problems:' line."""
    lines = result.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"\d+ problems?:", line)]
    return lines[starts[0] + 1 :] if starts else []


def set_fields(project: BakedProject, document: str, **fields: object) -> None:
    """Set fields of a document's `lifecycle:` block (values as YAML text);
    a field that is not there yet is added at the end of the block."""
    path = project.path / document
    text = path.read_text(encoding="utf-8")
    for key, value in fields.items():
        line = f"  {key}: {value}"
        text, count = re.subn(
            rf"^  {key}:.*$", lambda _m, line=line: line, text, count=1, flags=re.M
        )
        if not count:
            head, rest = text.split("\n---\n", 1)
            text = f"{head}\n{line}\n---\n{rest}"
    path.write_text(text, encoding="utf-8")


def fill(project: BakedProject, document: str, answer: str = "Answered by the team.") -> None:
    """Answer every prompt of a document."""
    path = project.path / document
    path.write_text(filled(path.read_text(encoding="utf-8"), answer), encoding="utf-8")


def approve(project: BakedProject, document: str, reviewed: str = "2026-05-01") -> None:
    """Fill a document and have a second person approve it, as on `reviewed`."""
    fill(project, document)
    set_fields(project, document, owner="'Head of support'")
    config = project.read("lifecycle.yml")
    if "\npeople:\n" in config and "name: QA lead" not in config:  # people listed: add the approver
        project.replace("lifecycle.yml", "\npeople:\n", "\npeople:\n  - name: QA lead\n")
    command = [sys.executable, "-m", "ml_lifecycle", "approve", document, "--by", "QA lead"]
    result = project.run(*command, "--today", reviewed, timeout=120)
    assert result.returncode == 0, result.stderr


def approve_by_hand(project: BakedProject, document: str, fill_first: bool = True) -> None:
    """Approve as the command would, without its refusals (to test `check`)."""
    from ml_lifecycle.documents import body_fingerprint
    from ml_lifecycle.markdown_model import split_front_matter

    if fill_first:
        fill(project, document)
    body = split_front_matter(project.read(document))[1]
    set_fields(project, document, status="approved", owner="Ops", last_reviewed="2026-05-01")
    set_fields(project, document, approved_by="QA", approval_fingerprint=body_fingerprint(body))


def expected_phases() -> list[dict]:
    """The phase list lifecycle.yml should hold, from cookiecutter.json: no
    documents (they are found in the phase folders)."""
    keys = ("number", "id", "folder", "title", "stage")
    return [{key: phase[key] for key in keys} for phase in PHASES]


def lifecycle_order(answers: dict | None = None) -> list[str]:
    """The documents of a bake in the order the checker and the site list
    them: by phase, then in the template's order ("Requirements
    specification" before "Impact assessment"), not by file name."""
    return phase_documents(answers)


# --- a fresh bake --------------------------------------------------------------


@pytest.mark.parametrize("answers", [{}, HIGH], ids=["default", "high-risk"])
def test_fresh_bake_passes_and_lists_every_document(copy_of, answers):
    project = copy_of(**answers)
    result = check(project)
    assert result.returncode == 0, result.stdout
    assert result.stdout.rstrip().endswith("No problems.")
    rows = [line.split() for line in result.stdout.splitlines() if re.match(r"\d ", line)]
    expected = [path.rsplit("/", 1)[1].removesuffix(".md") for path in lifecycle_order(answers)]
    assert [row[2] for row in rows] == expected
    # Above the verdict, how far the record is: the documents' unfilled
    # prompts and those of the other pages, added up (the organisation's
    # placeholder in the licence and the footer among them).
    others = dict(re.findall(r"^  (\S+): (\d+)$", result.stdout, re.M))
    assert others.keys() >= {"LICENSE.md", "mkdocs.yml"}
    others = others.values()
    markers = sum(int(row[-2]) for row in rows) + sum(int(n) for n in others)
    assert others and markers > 100
    summary = result.stdout.splitlines()[-2]
    assert summary == f"Summary: {len(expected)} draft; {markers} prompts are still unfilled."
    assert {row[3] for row in rows} == {"draft"}
    assert all(int(row[-2]) > 0 for row in rows), "fresh drafts have unfilled prompts"


@pytest.mark.parametrize("answers", [{}, HIGH], ids=["default", "high-risk"])
def test_lifecycle_yml_lists_the_phases_of_cookiecutter_json(copy_of, answers):
    project = copy_of(**answers)
    config = yaml.safe_load(project.read("lifecycle.yml"))
    assert config["phases"] == expected_phases()
    assert config["stages"] == COOKIECUTTER_JSON["_stages"]
    assert config["settings"] == {"review_interval_days": 180}


def test_checker_takes_its_phases_from_lifecycle_yml(copy_of):
    project = copy_of()
    entry = "  - number: 10\n    id: audit\n    folder: 10-audit\n    title: Audit\n"
    text = project.read("lifecycle.yml").replace("\n# Titles", f"\n{entry}# Titles", 1)
    (project.path / "lifecycle.yml").write_text(text, encoding="utf-8")
    result = check(project)
    assert result.returncode == 1
    entry = project.read("lifecycle.yml").splitlines().index("  - number: 10") + 1
    assert problem_lines(result) == [
        f"lifecycle.yml:{entry}: phase 10 (audit) has no document in docs/10-audit/"
    ]


# --- the rules -------------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "in-review"])
def test_unfilled_document_in_review_or_approved_fails_naming_the_file(copy_of, status):
    project = copy_of()
    set_fields(project, MODEL_CARD, status=status)
    result = check(project)
    assert result.returncode == 1
    lines = problem_lines(result)
    assert lines and all(line.startswith(f"{MODEL_CARD}:") for line in lines)
    unfilled = project.read(MODEL_CARD).count("==TODO==")
    assert any(f"{status} but {unfilled} prompts are still unfilled" in line for line in lines)


def test_approved_without_owner_or_review_date_fails(copy_of):
    project = copy_of()
    fill(project, MODEL_CARD)
    set_fields(project, MODEL_CARD, status="approved")
    lines = problem_lines(check(project))
    assert [line.split(": ", 1)[1] for line in lines] == [
        "approved by hand: no approval_fingerprint; "
        "record the approval with `ml-lifecycle approve FILE --by NAME`",
        "approved but has no owner",
        "approved but last_reviewed is not set",
        "approved but has no approved_by: a second person approves it "
        "with `ml-lifecycle approve FILE --by NAME`",
    ]


def test_approved_with_a_malformed_date_gives_one_line(copy_of):
    project = copy_of()
    approve(project, MODEL_CARD)
    set_fields(project, MODEL_CARD, last_reviewed="'28/11/2026'")
    lines = problem_lines(check(project))
    line = field_line(project, MODEL_CARD, "last_reviewed")
    assert lines == [
        f"{MODEL_CARD}:{line}: last_reviewed '28/11/2026' is not a date (YYYY-MM-DD)"
    ], lines


def test_filled_approved_document_with_owner_and_date_passes(copy_of):
    project = copy_of()
    approve(project, MODEL_CARD, reviewed="2026-05-01")
    result = check(project)
    assert result.returncode == 0, result.stdout
    row = next(line for line in result.stdout.splitlines() if " model-card " in line)
    assert "approved" in row and "Head of support" in row and row.endswith("2026-10-28")


def test_overdue_review_fails(copy_of):
    project = copy_of()
    approve(project, MODEL_CARD, reviewed="2025-12-03")  # due 2026-06-01: not yet overdue
    assert check(project).returncode == 0
    result = check(project, today="2026-06-02")
    assert result.returncode == 1
    [line] = problem_lines(result)
    assert line.startswith(f"{MODEL_CARD}:")
    assert "review overdue: last reviewed 2025-12-03, due 2026-06-01" in line
    set_fields(project, MODEL_CARD, review_interval_days=365)
    assert check(project, today="2026-06-02").returncode == 0


@pytest.mark.parametrize("performer", ["third-party", "automated"])
def test_outside_performer_without_provider_fails(copy_of, performer):
    project = copy_of()
    set_fields(project, DATA_CARD, performed_by=performer)
    result = check(project)
    assert result.returncode == 1
    assert problem_lines(result) == [
        f"{DATA_CARD}:{field_line(project, DATA_CARD, 'provider')}: "
        f"performed_by is {performer} but no provider is named"
    ]
    set_fields(project, DATA_CARD, provider="'Acme Labelling Ltd'")
    result = check(project)
    assert result.returncode == 0
    assert f"{performer} (Acme Labelling Ltd)" in result.stdout


def field_line(project: BakedProject, document: str, key: str) -> int:
    lines = project.read(document).splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"  {key}:"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "done"}, "status 'done' is not one of draft, in-review, approved, retired"),
        ({"phase": "testing"}, "phase 'testing' is not a phase of this project"),
        ({"phase": "data"}, "phase 'data' does not match its folder docs/04-building/"),
        ({"performed_by": "vendor"}, "performed_by 'vendor' is not one of"),
        ({"last_reviewed": "2026-13-45"}, "last_reviewed '2026-13-45' is not a date (YYYY-MM-DD)"),
        ({"last_reviewed": "'soon'"}, "last_reviewed 'soon' is not a date (YYYY-MM-DD)"),
        ({"last_reviewed": "2026-07-01"}, "last_reviewed 2026-07-01 is later than today"),
        ({"review_interval_days": "-3"}, "review_interval_days -3 is not a whole number"),
        ({"reviewed_by": "Sam"}, "unknown field 'reviewed_by' in the lifecycle block"),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, dict) else None,
)
def test_invalid_value_fails_with_file_and_line(copy_of, fields, message):
    project = copy_of()
    set_fields(project, MODEL_CARD, **fields)
    result = check(project)
    assert result.returncode == 1
    key = next(iter(fields))
    expected = f"{MODEL_CARD}:{field_line(project, MODEL_CARD, key)}: {message}"
    assert any(line.startswith(expected) for line in problem_lines(result)), result.stdout


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda t: t.replace("  owner: ''", "  owner: [unclosed"), "is not valid YAML"),
        (lambda t: t.replace("  status: draft", "  status: draft\n status: x"), "not valid YAML"),
        (lambda t: t.split("\n---\n", 1)[1], "front matter is missing"),
        (lambda t: t.replace("\n---\n", "\n", 1), "front matter is never closed"),
        (lambda t: re.sub(r"lifecycle:\n(  .*\n)+", "", t), "has no `lifecycle:` block"),
    ],
    ids=["unclosed-list", "bad-indent", "no-block", "unclosed-block", "no-lifecycle-key"],
)
def test_malformed_front_matter_gives_a_clean_error(copy_of, breakage, message):
    project = copy_of()
    path = project.path / MODEL_CARD
    path.write_text(breakage(path.read_text(encoding="utf-8")), encoding="utf-8")
    for args in [(), ("--json",)]:
        result = check(project, *args)
        assert result.returncode == 1
        assert "Traceback" not in result.stdout + result.stderr
        assert result.stderr == ""
    [line] = problem_lines(check(project))
    assert re.match(rf"{re.escape(MODEL_CARD)}:\d+: .*{re.escape(message)}", line), line


def test_yaml_error_names_the_line(copy_of):
    project = copy_of()
    set_fields(project, MODEL_CARD, owner="'unclosed")
    [line] = problem_lines(check(project))
    start = field_line(project, MODEL_CARD, "owner")
    assert line.startswith(f"{MODEL_CARD}:"), line
    # The line is ours to give; the parser's own words about it are not tested.
    assert int(line.split(":")[1]) >= start and "front matter is not valid YAML" in line


def test_phase_without_document_fails(copy_of):
    project = copy_of()
    (project.path / DATA_CARD).unlink()
    result = check(project)
    assert result.returncode == 1
    [line] = problem_lines(result)
    assert line.startswith("lifecycle.yml:")
    assert line.endswith("phase 3 (data) has no document in docs/03-data/")


def test_removing_a_conditional_document_needs_no_other_edit(copy_of):
    project = copy_of(**HIGH)
    (project.path / IMPACT).unlink()
    result = check(project, "--json")
    assert result.returncode == 0, result.stdout
    paths = [doc["path"] for doc in json.loads(result.stdout)["documents"]]
    assert paths == [path for path in lifecycle_order(HIGH) if path != IMPACT]


def test_an_older_lifecycle_yml_that_lists_documents_still_reports_a_missing_one(copy_of):
    project = copy_of()
    text = project.read("lifecycle.yml").replace(
        "folder: 04-building\n",
        "folder: 04-building\n    documents:\n      - id: model-card\n      - id: gone\n",
    )
    (project.path / "lifecycle.yml").write_text(text, encoding="utf-8")
    gone = "docs/04-building/gone.md"
    assert problem_lines(check(project)) == [f"{gone}: listed in lifecycle.yml but missing"]


def test_extra_document_in_a_phase_folder_is_checked(copy_of):
    project = copy_of()
    extra = project.path / "docs/04-building/experiment-log.md"
    extra.write_text("# Experiment log\n\nNo front matter.\n", encoding="utf-8")
    [line] = problem_lines(check(project))
    assert line.startswith("docs/04-building/experiment-log.md:1: front matter is missing")


# --- required sections (high-risk projects) ----------------------------------------


def required_sections(project: BakedProject, document: str) -> list[str]:
    return project.front_matter(document)["lifecycle"]["required_sections"]


def test_high_risk_documents_list_required_sections(copy_of):
    project = copy_of(**HIGH)
    for document in phase_documents(HIGH):
        for section in required_sections(project, document):
            assert f"\n## {section}\n" in project.read(document), (document, section)


def test_missing_required_section_fails_even_as_draft(copy_of):
    project = copy_of(**HIGH)
    section = required_sections(project, MODEL_CARD)[0]
    path = project.path / MODEL_CARD
    path.write_text(path.read_text(encoding="utf-8").replace(f"## {section}\n", "## Other\n"))
    result = check(project)
    assert result.returncode == 1
    assert problem_lines(result) == [
        f"{MODEL_CARD}:{field_line(project, MODEL_CARD, 'required_sections')}: "
        f"required section {section!r} is missing: add a '## {section}' heading"
    ]


@pytest.mark.parametrize(
    ("document", "section"),
    [
        (MODEL_CARD, "Bias, risks and ethical considerations"),
        ("docs/09-updating-retirement/retirement-plan.md", "Decommissioning steps"),  # a table
    ],
)
@pytest.mark.parametrize("answer", ["N/A", "*Not applicable.*", ""])
def test_required_section_answered_not_applicable_fails_on_approval(
    copy_of, document, section, answer
):
    project = copy_of(**HIGH)
    assert section in required_sections(project, document)
    head, rest = project.read(document).split(f"\n## {section}\n", 1)
    body, *tail = re.split(r"(?=\n## )", rest, maxsplit=1)
    # Every prompt of the section, and every cell of its table, says N/A;
    # the rest of the document is answered.
    body = body.replace("==TODO==", answer)
    if answer:
        body = re.sub(r"(?m)(?<=\|) +(?=\|)", f" {answer} ", body)
    text = f"{filled(head)}\n## {section}\n{body}{filled(''.join(tail))}"
    (project.path / document).write_text(text, encoding="utf-8")
    approve_by_hand(project, document, fill_first=False)
    lines = problem_lines(check(project))
    assert all(line.startswith(f"{document}:") for line in lines), lines
    wanted = f"approved but required section {section!r} has no answer"
    assert [line for line in lines if wanted in line], lines
    # An empty table is a table of unfilled rows too; any other answer is one problem.
    assert len(lines) == (2 if not answer and "|" in body else 1), lines


def test_filled_high_risk_document_passes_approval(copy_of):
    project = copy_of(**HIGH)
    approve(project, MODEL_CARD)
    result = check(project)
    assert result.returncode == 0, result.stdout


def test_not_applicable_is_fine_without_required_sections(copy_of):
    project = copy_of()
    fill(project, MODEL_CARD, answer="N/A")
    approve(project, MODEL_CARD)
    assert check(project).returncode == 0


# --- JSON and the release gate ------------------------------------------------------


def test_json_report_has_every_document_and_problem(copy_of):
    project = copy_of()
    set_fields(project, MODEL_CARD, status="approved")
    text_result = check(project)
    result = check(project, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["today"] == TODAY
    assert [doc["path"] for doc in report["documents"]] == lifecycle_order()
    model_card = next(doc for doc in report["documents"] if doc["path"] == MODEL_CARD)
    assert model_card["status"] == "approved"
    assert model_card["unfilled"] == project.read(MODEL_CARD).count("==TODO==")
    assert model_card["performed_by"] == "in-house" and model_card["next_review"] is None
    as_lines = [
        f"{p['path']}:{p['line']}: {p['message']}" if p["line"] else f"{p['path']}: {p['message']}"
        for p in report["problems"]
    ]
    assert as_lines == problem_lines(text_result)
    assert [p["message"] for p in model_card["problems"]] == [
        p["message"] for p in report["problems"]
    ]


def test_other_pages_with_unfilled_prompts_are_listed_not_failed(copy_of):
    project = copy_of(**HIGH)
    register = "docs/supplier-register.md"
    (project.path / "docs/notes.md").write_text(
        "# Notes\n\nIn code `==TODO==` does not count; this does: ==TODO==\n", encoding="utf-8"
    )
    report = json.loads(check(project, "--json").stdout)
    pages = {page["path"]: page["unfilled"] for page in report["pages"]}
    text = project.read(register)
    # Its markers, and the template's example rows still to replace.
    assert pages[register] == text.count("==TODO==") + text.count("(example)") > 0
    assert pages["docs/notes.md"] == 1
    assert "docs/responsibilities.md" not in pages, "its table is derived: nothing to fill"
    assert "docs/guide.md" not in pages, "the guide's mention of the marker is not a prompt"
    assert not any(path in pages for path in phase_documents(HIGH))
    result = check(project)
    assert result.returncode == 0 and report["ok"] is True
    assert f"  {register}: {pages[register]}" in result.stdout.splitlines()
    fill(project, register)
    assert register not in check(project).stdout


def test_release_gate_requires_the_chosen_phases_approved(copy_of):
    project = copy_of()
    result = check(project, "--require-approved", "1-5")
    assert result.returncode == 1
    gated = [p for p in lifecycle_order() if int(p.split("/")[1][:2]) <= 5]
    assert problem_lines(result) == [
        f"{path}: release gate: phase {int(path.split('/')[1][:2])} must be approved, "
        "but this document is draft"
        for path in gated
    ]
    for path in gated:
        approve(project, path)
    result = check(project, "--require-approved", "1-5")
    assert result.returncode == 0, result.stdout
    assert "Release gate: phases 1,2,3,4,5 must be approved." in result.stdout
    assert check(project, "--require-approved", "1-6").returncode == 1
    assert json.loads(check(project, "--json", "--require-approved", "1-5").stdout)["ok"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [("1-x", "use phase numbers and ranges"), ("5-1", "runs backwards"), ("12", "no phase 12")],
)
def test_release_gate_with_a_bad_phase_list_is_a_usage_error(copy_of, spec, message):
    result = check(copy_of(), "--require-approved", spec)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: --require-approved") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- make, lint ------------------------------------------------------------------------


def make(project: BakedProject, target: str, *variables: str) -> subprocess.CompletedProcess:
    """Run a target of the baked Makefile with this interpreter's tools."""
    return project.make_with_tools(target, *variables)


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@needs_make
def test_make_check_runs_the_checker_and_the_gate(copy_of):
    project = copy_of()
    result = make(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No problems." in result.stdout
    gated = make(project, "check", "ARGS=--require-approved 1-5")
    assert gated.returncode != 0
    assert "release gate: phase 5 must be approved" in gated.stdout


@needs_make
def test_make_help_lists_the_tool_targets(copy_of):
    result = copy_of().run("make", "help")
    targets = {line.split()[1] for line in result.stdout.splitlines() if line.strip()}
    assert targets == {
        "help",
        "docs",
        "serve",
        "check",
        "approve",
        "codeowners",
        "hub-card",
        "dossier",
        "clean",
    }


def test_root_option_checks_another_folder(copy_of, tmp_path):
    project = copy_of()
    set_fields(project, MODEL_CARD, status="done")
    elsewhere = subprocess.run(
        [sys.executable, "-m", "ml_lifecycle", "check", "--root", str(project.path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert elsewhere.returncode == 1
    assert f"{MODEL_CARD}:" in elsewhere.stdout and "status 'done'" in elsewhere.stdout


# --- the site and the project's own tests (slow) ------------------------------------


def status_rows(page: str) -> dict[str, list[str]]:
    """The overview's status table: document link -> visible cell texts."""
    table = page.split("Status of every document on", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        link = re.search(r'href="([^"]+)"', cells[2]).group(1)
        rows[link] = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
    return rows


@pytest.mark.slow
def test_dashboard_lists_every_document_with_its_status(copy_of):
    owner = "<b>Ops</b> & Co | *team*"
    project = copy_of(owner_name=owner, **HIGH)
    reviewed = (date.today() - timedelta(days=10)).isoformat()
    approve(project, MODEL_CARD, reviewed=reviewed)
    fill(project, DATA_CARD)
    set_fields(project, DATA_CARD, status="in-review", performed_by="third-party")
    set_fields(project, DATA_CARD, provider="'Acme <Data> & Co'")
    set_fields(project, "docs/09-updating-retirement/retirement-plan.md", status="retired")
    set_fields(project, IMPACT, status="approved")  # unfilled: has problems
    expected = {path: "draft" for path in phase_documents(HIGH)}
    expected.update(
        {
            MODEL_CARD: "approved",
            DATA_CARD: "in-review",
            "docs/09-updating-retirement/retirement-plan.md": "retired",
            IMPACT: "approved (problems)",
        }
    )
    site = project.build()
    rows = status_rows((site / "index.html").read_text(encoding="utf-8"))
    as_links = {p.removeprefix("docs/").removesuffix(".md") + "/": s for p, s in expected.items()}
    assert {link: cells[3] for link, cells in rows.items()} == as_links
    model_card = rows["04-building/model-card/"]
    next_review = (date.fromisoformat(reviewed) + timedelta(days=180)).isoformat()
    assert model_card[4] == "Head of support" and model_card[7] == next_review
    # With several third parties the model card is third-party by default.
    assert model_card[5] == "third-party (Answered by the team.)" and model_card[6] == "0"
    assert rows["03-data/data-card/"][5] == "third-party (Acme <Data> & Co)"
    assert rows["01-problem-definition/problem-definition/"][4] == owner
    page = (site / "04-building/model-card/index.html").read_text(encoding="utf-8")
    assert '<div class="admonition success lifecycle-status">' in page
    assert "<b>Ops</b>" not in (site / "index.html").read_text(encoding="utf-8")
    for path, kind in [(DATA_CARD, "info"), (IMPACT, "danger"), (phase_documents()[0], "warning")]:
        page = (site / path.removeprefix("docs/").removesuffix(".md") / "index.html").read_text()
        assert f'<div class="admonition {kind} lifecycle-status">' in page, path
    overview = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="admonition danger lifecycle-problems"' in overview
    assert "<!-- lifecycle-status -->" not in overview
    other_pages = overview.split("Other pages with unfilled prompts:", 1)[1].split("</p>", 1)[0]
    assert 'href="supplier-register/">Supplier register</a>' in other_pages
    # Pages are named by their titles, never by their file names.
    assert re.findall(r">([^<]*)</a>", other_pages) and ".md<" not in other_pages


# --- who performs the work, from the third-parties answer -------------------------

PERFORMED_BY_DEFAULTS = {
    "none": {},
    "data-providers": {DATA_CARD: "third-party"},
    "outsourced-development": {MODEL_CARD: "third-party"},
    "pretrained-models": {MODEL_CARD: "third-party"},
    "automl": {MODEL_CARD: "automated"},
    "several": {DATA_CARD: "third-party", MODEL_CARD: "third-party"},
}


@pytest.mark.parametrize("answer", PERFORMED_BY_DEFAULTS)
def test_third_parties_answer_sets_who_performs_each_document(baked, answer):
    project = baked(third_parties=answer)
    for document in phase_documents({"third_parties": answer}):
        block = project.front_matter(document)["lifecycle"]
        expected = PERFORMED_BY_DEFAULTS[answer].get(document, "in-house")
        assert block["performed_by"] == expected, document
        # Whoever is not in-house is left to name: a prompt, not a silent blank.
        assert block["provider"] == ("" if expected == "in-house" else "==TODO=="), document
    result = check(project)
    assert result.returncode == 0, result.stdout
    if PERFORMED_BY_DEFAULTS[answer]:
        card = json.loads(check(project, "--json").stdout)["documents"]
        named = {d["path"]: d["unfilled"] for d in card}
        for document in PERFORMED_BY_DEFAULTS[answer]:
            assert named[document] == project.read(document).count("==TODO==")
