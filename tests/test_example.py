"""The worked example in docs/example/ mirrors a bake with the example's answers:
a filled-in file for every lifecycle document, with the same front-matter keys,
title and sections, no unfilled markers, and an overview that lists every page."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import sys

import pytest
from conftest import FRONT_MATTER, TEMPLATE, TODO_MARKER, front_matter

EXAMPLE = TEMPLATE / "docs" / "example"
OVERVIEW = EXAMPLE / "index.md"
STATUSES = {"draft", "in-review", "approved", "retired"}
PERFORMERS = {"in-house", "third-party", "automated"}
# The answers the example is defined by; the overview's answer table must state them.
DEFINING_ANSWERS = {
    "task_kind": "classification",
    "update_mode": "periodic-retraining",
    "risk_level": "limited",
    "third_parties": "data-providers",
    "crosswalk": "none",
    "publishing": "github-pages",
}
# A row of the overview's answer table: | `option` | `answer` |
ANSWER_ROW = re.compile(r"^\| `([a-z_]+)` \| `([^`]*)` \|$", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def example_answers() -> dict[str, str]:
    return dict(ANSWER_ROW.findall(OVERVIEW.read_text(encoding="utf-8")))


def headings(text: str, level: int) -> list[str]:
    """The headings of one level, in order, outside front matter and fenced code."""
    marker = "#" * level + " "
    body = FENCE.sub("", FRONT_MATTER.sub("", text, count=1))
    return [line[len(marker) :].strip() for line in body.splitlines() if line.startswith(marker)]


def example_pages() -> list[str]:
    return sorted(p.name for p in EXAMPLE.glob("*.md"))


def bake_example(bake):
    return bake(**example_answers())


def lifecycle_documents(project) -> list[str]:
    """The lifecycle documents of a bake: docs/NN-phase/<doc>.md."""
    return sorted(
        p.relative_to(project.path).as_posix()
        for p in (project.path / "docs").glob("[0-9][0-9]-*/*.md")
    )


def test_overview_states_the_defining_answers():
    answers = example_answers()
    assert {key: answers.get(key) for key in DEFINING_ANSWERS} == DEFINING_ANSWERS


def test_every_lifecycle_document_has_a_filled_in_counterpart(bake):
    project = bake_example(bake)
    documents = lifecycle_documents(project)
    assert len(documents) >= 10
    for document in documents:
        name = document.rsplit("/", 1)[1]
        example = EXAMPLE / name
        assert example.is_file(), f"docs/example/{name} is missing"
        baked_text = project.read(document)
        text = example.read_text(encoding="utf-8")
        baked, meta = front_matter(baked_text), front_matter(text)

        assert set(meta) == set(baked), f"{name}: front-matter keys differ"
        assert meta["title"] == baked["title"], f"{name}: title differs"
        assert headings(text, 1) == headings(baked_text, 1), f"{name}: H1 differs"
        assert headings(text, 2) == headings(baked_text, 2), f"{name}: ## sections differ"

        lifecycle, baked_lifecycle = meta["lifecycle"], baked["lifecycle"]
        # `ml-lifecycle approve` adds the fingerprint to approved documents.
        extra = {"approval_fingerprint"} if lifecycle["status"] == "approved" else set()
        assert set(lifecycle) == set(baked_lifecycle) | extra, f"{name}: lifecycle keys differ"
        assert lifecycle["phase"] == baked_lifecycle["phase"], name
        assert lifecycle["document"] == baked_lifecycle["document"], name
        assert lifecycle["status"] in STATUSES, name
        assert lifecycle["performed_by"] in PERFORMERS, name
        assert str(lifecycle["owner"]).strip(), f"{name}: no owner"
        if lifecycle["performed_by"] != "in-house":
            assert str(lifecycle["provider"] or "").strip(), f"{name}: no provider"
        reviewed = lifecycle["last_reviewed"]
        if lifecycle["status"] == "approved":
            assert isinstance(reviewed, datetime.date), f"{name}: approved without a date"
        else:
            assert reviewed is None or isinstance(reviewed, datetime.date), name


def test_cross_cutting_pages_match_the_bake(bake):
    """Pages other than the overview and the lifecycle documents (iteration log,
    responsibilities, supplier register) keep the baked page's title and sections."""
    project = bake_example(bake)
    lifecycle_names = {d.rsplit("/", 1)[1] for d in lifecycle_documents(project)}
    others = [n for n in example_pages() if n not in lifecycle_names | {"index.md"}]
    assert {"iteration-log.md", "responsibilities.md", "supplier-register.md"} <= set(others)
    for name in others:
        baked_path = f"docs/{name}"
        assert (project.path / baked_path).is_file(), f"{name} has no page in the bake"
        baked_text = project.read(baked_path)
        text = (EXAMPLE / name).read_text(encoding="utf-8")
        assert front_matter(text)["title"] == front_matter(baked_text)["title"], name
        assert headings(text, 1) == headings(baked_text, 1), name
        assert headings(text, 2) == headings(baked_text, 2), name


def test_no_page_has_an_unfilled_marker():
    unfilled = [
        n for n in example_pages() if TODO_MARKER in (EXAMPLE / n).read_text(encoding="utf-8")
    ]
    assert unfilled == []


def test_overview_links_every_page_with_its_status():
    overview = OVERVIEW.read_text(encoding="utf-8")
    for name in example_pages():
        if name == "index.md":
            continue
        assert f"]({name})" in overview, f"index.md does not link {name}"
        meta = front_matter((EXAMPLE / name).read_text(encoding="utf-8"))
        if "lifecycle" in meta:
            row = next(line for line in overview.splitlines() if f"]({name})" in line)
            assert f"| {meta['lifecycle']['status']} |" in row, f"status of {name}"


def test_links_stay_inside_the_example_and_resolve():
    """Relative links name another example page (and an existing section);
    anything else is a plain https link."""
    from markdown.extensions.toc import slugify

    anchors = {
        name: {
            slugify(h, "-")
            for level in (2, 3)
            for h in headings((EXAMPLE / name).read_text(encoding="utf-8"), level)
        }
        for name in example_pages()
    }
    for name in example_pages():
        text = FENCE.sub("", FRONT_MATTER.sub("", (EXAMPLE / name).read_text(encoding="utf-8")))
        for target in LINK.findall(text):
            if target.startswith(("https://", "evidence:")):
                continue
            page, _, anchor = target.partition("#")
            page = page or name
            assert page in anchors, f"{name} links to {target}"
            assert not anchor or anchor in anchors[page], f"{name}: no section {target}"


# Consistency of the example's facts across pages. Each check reads the sentence
# that states a fact and compares it with the page that depends on it.
DATE = r"(\d{4}-\d{2}-\d{2})"
SMALL_NUMBERS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}


def page(name: str) -> str:
    return (EXAMPLE / name).read_text(encoding="utf-8")


def find(pattern: str, text: str, what: str) -> re.Match:
    match = re.search(pattern, text, re.DOTALL)
    assert match, f"the example no longer states {what}"
    return match


def table_row(text: str, first_cell: str) -> str:
    row = re.search(rf"^\| {re.escape(first_cell)} \|.*$", text, re.MULTILINE)
    assert row, f"the example no longer has a row for {first_cell}"
    return row.group(0)


def date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_throughput_requirement_and_load_test_follow_the_storm_peak():
    """REQ-031 is derived from the busiest storm hour in the problem definition,
    and the load test's stated multiples agree with the numbers they multiply."""
    peak_hour = find(r"at most ([\d,]+) in the busiest\s+hour", page("problem-definition.md"), "")
    peak = int(peak_hour.group(1).replace(",", "")) / 3600  # emails a second

    requirement = table_row(page("requirements.md"), "REQ-031")
    threshold = float(find(r"≥ ([\d.]+) emails/s", requirement, "REQ-031's threshold").group(1))
    multiple = find(r"\| (\w+) times the busiest storm hour", requirement, "REQ-031's source")
    assert threshold >= peak
    assert SMALL_NUMBERS[multiple.group(1).lower()] == round(threshold / peak)

    report = page("validation-report.md")
    row = table_row(report, "REQ-031")
    load = float(find(r"\| ([\d.]+) emails/s for 1 h", row, "the load tested").group(1))
    assert load >= threshold
    stress = find(
        r"Load in staging[^:]*: ([\d.]+) emails/s for one hour \((\w+) times REQ-031 and"
        r"\s+(\w+) times the busiest storm hour",
        report,
        "the stress-test multiples",
    )
    assert float(stress.group(1)) == load
    assert SMALL_NUMBERS[stress.group(2)] == round(load / threshold)
    assert SMALL_NUMBERS[stress.group(3)] == round(load / peak)


def test_notices_checked_in_validation_existed_before_the_run_ended():
    report = page("validation-report.md")
    run_end = date(find(rf"Main run: {DATE} to {DATE}", report, "the main run").group(2))
    version = find(r"privacy notice (v[\d.]+)", table_row(report, "REQ-051"), "REQ-051").group(1)
    approved = find(
        rf"privacy notice \({re.escape(version)}, approved[^)]*?on\s+{DATE}",
        page("integration-plan.md"),
        "when the privacy notice was approved",
    )
    assert date(approved.group(1)) <= run_end
    for evidence in re.findall(rf"`evidence/\D*{DATE}", table_row(report, "REQ-051")):
        assert date(evidence) <= run_end


def test_monitoring_results_end_by_the_plans_review_date():
    plan = page("monitoring-plan.md")
    reviewed = front_matter(plan)["lifecycle"]["last_reviewed"]
    periods = re.findall(rf"\({DATE} to {DATE}", plan)
    assert periods, "the monitoring plan no longer reports a period"
    for start, end in periods:
        assert date(start) <= date(end) <= reviewed, f"{start} to {end} is after {reviewed}"


def test_runbook_revisions_and_the_iteration_log_agree():
    """Each revision date in the runbook's version line has an iteration-log row
    naming the runbook, and event mode is added on the same date in both."""
    runbook = page("operations-runbook.md")
    version_line = runbook.split("\n## ", 1)[0].rsplit("\n# ", 1)[1]
    revised = re.findall(rf"(?:revised|and on) {DATE}", version_line)
    assert revised, "the runbook no longer states its revisions"
    log_rows = {
        row.split(" | ")[0].lstrip("| "): row
        for row in page("iteration-log.md").splitlines()
        if re.match(rf"^\| {DATE} \|", row)
    }
    for day in revised:
        assert day in log_rows, f"the iteration log has no row for {day}"
        assert "operations runbook" in log_rows[day].lower(), day
    event_mode_revision = find(
        rf"revised {DATE} after post-incident review [^()]*\(storm event mode\)",
        version_line,
        "the event-mode revision",
    ).group(1)
    event_mode_rows = [d for d, row in log_rows.items() if "event mode added" in row.lower()]
    assert event_mode_rows == [event_mode_revision]


def test_proxy_check_reports_more_than_a_permutation_of_a_non_input():
    """REQ-042 keeps register status out of the inputs, so permuting it proves
    nothing; the report states what a proxy test measured instead."""
    row = table_row(page("validation-report.md"), "REQ-042")
    assert "permut" not in row.lower()
    assert re.search(r"AUC \d\.\d+", row), "REQ-042 states no proxy result"
    examination = page("model-card.md").split("## Model examination", 1)[1].split("\n## ")[0]
    assert "changed no prediction" not in examination
    assert re.findall(r"AUC (\d\.\d+)", examination) == re.findall(r"AUC (\d\.\d+)", row)


# --- the example as a project: approved by a second person, fully traced ---------

# The day the example is checked on: its reviews are not yet overdue.
EXAMPLE_DAY = "2026-12-01"


# The evaluation file the example's documents cite, and where the example's
# project keeps it (declared in its lifecycle.yml as evidence `eval`).
EVALUATION = EXAMPLE / "evaluation" / "eval.json"
EVIDENCE = "\nevidence:\n  eval: evaluation/eval.json\n"


def example_people() -> str:
    """The `people:` block the example's overview shows for its lifecycle.yml."""
    overview = (EXAMPLE / "index.md").read_text(encoding="utf-8")
    section = overview.split("\n## The people and their reviews\n", 1)[1]
    return re.search(r"```yaml\n(people:\n.*?)```", section, re.DOTALL).group(1)


def example_project(bake):
    """A bake with the example's answers whose documents are the example's,
    with the evaluation file they cite, its people, and CODEOWNERS written
    as the overview says."""
    project = bake_example(bake)
    for document in lifecycle_documents(project):
        shutil.copy(EXAMPLE / document.rsplit("/", 1)[1], project.path / document)
    (project.path / "evaluation").mkdir()
    shutil.copy(EVALUATION, project.path / "evaluation" / "eval.json")
    config = project.path / "lifecycle.yml"
    text = re.sub(r"(?m)^people:\n(?:  .*\n)*", example_people(), config.read_text("utf-8"))
    config.write_text(text + EVIDENCE, encoding="utf-8")
    written = project.run(sys.executable, "-m", "ml_lifecycle", "codeowners", timeout=120)
    assert written.returncode == 0, written.stdout + written.stderr
    return project


def test_example_passes_check_with_traced_requirements(bake):
    project = example_project(bake)
    command = [sys.executable, "-m", "ml_lifecycle", "check", "--today", EXAMPLE_DAY]
    result = project.run(*command, "--require-traced", "--json", timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    report = json.loads(result.stdout)
    approved = [d for d in report["documents"] if d["status"] == "approved"]
    assert len(approved) >= 8
    for doc in approved:
        assert doc["approval"] == "current", doc["path"]
        assert doc["approved_by"] and doc["approved_by"] != doc["owner"], doc["path"]
    rules = dict(
        line.split(" ", 1)
        for line in project.read(".github/CODEOWNERS").splitlines()
        if line.startswith("/docs/")
    )
    assert sorted(rules["/docs/04-building/model-card.md"].split()) == ["@rlindqvist", "@twojcik"]
    requirements = report["traceability"]["requirements"]
    assert len(requirements) >= 30
    assert {r["result"] for r in requirements} == {"pass", "waived"}
    assert any(r["monitored_in"] for r in requirements)
    # The model card and the V&V report cite the shipped evaluation file.
    cited = {d["path"].rsplit("/", 1)[1]: d.get("citations", 0) for d in report["documents"]}
    assert cited["model-card.md"] == 4 and cited["validation-report.md"] == 1


def test_example_goes_stale_when_its_evaluation_changes(bake):
    project = example_project(bake)
    path = project.path / "evaluation" / "eval.json"
    path.write_text(path.read_text("utf-8").replace("0.8423", "0.7923"), "utf-8")
    command = [sys.executable, "-m", "ml_lifecycle", "check", "--today", EXAMPLE_DAY, "--json"]
    report = json.loads(project.run(*command, timeout=120).stdout)
    messages = [p["message"] for p in report["problems"]]
    assert "says 0.842; eval#test.queue_macro_f1 is 0.7923 " in " ".join(messages) + " "
    changed = {
        d["path"].rsplit("/", 1)[1] for d in report["documents"] if d["approval"] == "changed"
    }
    assert changed == {"model-card.md", "validation-report.md"}
    assert any(
        "REQ-010 states pass, but eval#test.queue_macro_f1 is 0.7923, not ≥ 0.80" in p["message"]
        for p in report["traceability"]["problems"]
    )


@pytest.mark.slow
def test_example_site_shows_the_traceability_page(bake):
    project = example_project(bake)
    # Not strict: the example's pages link each other as one flat folder.
    result = project.run(sys.executable, "-m", "mkdocs", "build", "-d", "site", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    site = project.path / "site"
    page = (site / "traceability" / "index.html").read_text(encoding="utf-8")
    assert "REQ-001" in page and "REQ-072" in page and "waived" in page
    assert 'href="traceability/"' in (site / "index.html").read_text(encoding="utf-8")


def test_iteration_log_is_newest_first():
    rows = re.findall(
        r"^\| (\d{4}-\d{2}-\d{2})", (EXAMPLE / "iteration-log.md").read_text("utf-8"), re.M
    )
    assert len(rows) >= 5
    assert rows == sorted(rows, reverse=True)


APPROVED_BY = re.compile(r"\b[Aa]pproved\b[^.;|]*?\bby ([A-Z][\w-]+ [A-Z][\w-]+)")
MILESTONE = re.compile(r"^\| (.+?) (?:v[\d.]+ )?approved \| [^|]* \| ([^|]*) \|$", re.M)


def test_the_prose_never_has_an_owner_approve_their_document():
    """The checker refuses an approval by the document's owner; the
    example's prose must not tell otherwise."""
    owners = {}
    for page in EXAMPLE.glob("*.md"):
        meta = front_matter(page.read_text("utf-8")).get("lifecycle") or {}
        if meta.get("owner"):
            owners[meta.get("document") or page.stem] = (page.stem, meta["owner"])
    assert len(owners) >= 10
    titles = {stem.replace("-", " "): owner for stem, owner in owners.values()}
    found = []
    for page in EXAMPLE.glob("*.md"):
        text = page.read_text("utf-8")
        owner = owners.get(page.stem, ("", ""))[1]
        found += [(page.name, by) for by in APPROVED_BY.findall(text) if owner and by == owner]
        for document, who in MILESTONE.findall(text):
            owner_of = titles.get(document.lower().replace("specification", "").strip())
            if owner_of and owner_of in who:
                found.append((page.name, f"{document} approved by {who.strip()}"))
    assert found == []
