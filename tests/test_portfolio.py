"""`ml-lifecycle portfolio` on a portfolio of real bakes: one project per
task kind and risk level of the covering set (tests/combinations.py), with
documents in every status (approvals current, changed and missing; reviews
overdue; evidence out of date) and one folder that is no project. The
register agrees with each project's own `check --json`, field by field; its
site builds strict, loads nothing from the internet, holds the whole table
without JavaScript, and in Chromium the table sorts, filters and fits a
phone (390 px, scrolling sideways in its wrapper) and a desktop (1280 px)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from combinations import ROWS
from conftest import REMOTE_LOAD, TEMPLATE, bake_into
from test_browser import browser, open_at_width, require_chromium, serving  # noqa: F401
from test_release import BIN, OFFLINE, PINNED_USES

from ml_lifecycle.cli import main
from ml_lifecycle.documents import body_fingerprint
from ml_lifecycle.markdown_model import parse, split_front_matter

pytestmark = pytest.mark.slow

TODAY = "2026-12-08"
STATUSES = ("draft", "in-review", "approved", "retired")
# One row of the covering set for each task kind and risk level it bakes.
PORTFOLIO_ROWS = list(
    {(row["task_kind"], row["risk_level"]): row for row in reversed(ROWS)}.values()
)[::-1]
EVAL = '{"test": {"accuracy": 0.87}}\n'


def set_fields(path: Path, **fields: str) -> None:
    """A document's lifecycle fields set as given (YAML text)."""
    front, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    lines = front.split("\n")
    for key, value in fields.items():
        index = next((i for i, line in enumerate(lines) if line.startswith(f"  {key}:")), None)
        if index is None:
            lines.insert(lines.index("lifecycle:") + 1, f"  {key}: {value}")
        else:
            lines[index] = f"  {key}: {value}"
    path.write_text("---\n" + "\n".join(lines) + "---\n" + body, encoding="utf-8")


def approval(path: Path, kind: str) -> dict[str, str]:
    """The fields of an approval that is current, changed since, or missing
    (approved by hand), by a second person."""
    fields = {"approved_by": "'Reviewer'", "last_reviewed": "2026-11-01"}
    body = split_front_matter(path.read_text(encoding="utf-8"))[1]
    if kind == "current":
        fields["approval_fingerprint"] = body_fingerprint(body)
    elif kind == "changed":
        fields["approval_fingerprint"] = body_fingerprint(body + "\nAn edit.\n")
    return fields


def vary(project: Path, number: int) -> None:
    """Documents in every status: each project starts the cycle elsewhere;
    approvals alternate between current, changed and missing, one is
    overdue, and a draft cites a value its evidence no longer holds."""
    documents = sorted(project.glob("docs/0*/*.md"))
    kinds = ("current", "changed", "missing")
    for index, path in enumerate(documents):
        status = STATUSES[(index + number) % len(STATUSES)]
        fields = {"status": status}
        if status == "approved":
            fields.update(approval(path, kinds[(index + number) % len(kinds)]))
            if index % 5 == 0:
                fields["last_reviewed"] = "2020-01-01"  # overdue
        set_fields(path, **fields)
    draft = next(p for p in documents if "status: draft" in p.read_text(encoding="utf-8"))
    with draft.open("a", encoding="utf-8") as file:
        file.write("\nAccuracy on the test set: [0.80](evidence:eval#test.accuracy).\n")
    (project / "reports").mkdir()
    (project / "reports" / "eval.json").write_text(EVAL, encoding="utf-8")
    with (project / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write("\nevidence:\n  eval: reports/eval.json\n")


@pytest.fixture(scope="module")
def portfolio(cookiecutter_config, tmp_path_factory) -> Path:
    """The portfolio's folder of clones, and its register (data and site) in out/."""
    folder = tmp_path_factory.mktemp("portfolio")
    clones = folder / "clones"
    for number, row in enumerate(PORTFOLIO_ROWS):
        answers = {
            **row,
            "project_name": f"{row['task_kind']} {row['risk_level']} {number}",
            "owner_name": f"Owner {number % 4}",
        }
        baked = bake_into(
            cookiecutter_config, folder / "bakes" / str(number), answers, accept_hooks=False
        )
        target = clones / f"{number:02d}-{baked.path.name}"
        shutil.move(baked.path, target)
        vary(target, number)
    (clones / "zz-not-a-project").mkdir()
    command = [sys.executable, "-m", "ml_lifecycle", "portfolio", "--clones", str(clones)]
    command += ["--out", str(folder / "out"), "--today", TODAY, "--jobs", "2"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


@pytest.fixture(scope="module")
def systems(portfolio) -> list[dict]:
    data = json.loads((portfolio / "out" / "register.json").read_text(encoding="utf-8"))
    return data["systems"]


def own_check(root: str, capsys) -> dict:
    capsys.readouterr()
    main(["check", "--json", "--today", TODAY, "--root", root])
    return json.loads(capsys.readouterr().out)


def expected_document(checked: dict) -> dict:
    """What the register must say of a document `check --json` reports."""
    return {
        **{key: value for key, value in checked.items() if key != "evidence"},
        "citations": checked.get("citations", 0),
        "evidence_out_of_date": len(checked.get("evidence", [])),
        "problems": len(checked["problems"]),
    }


def test_the_register_agrees_with_each_project_s_own_check(systems, capsys):
    read = [row for row in systems if not row["error"]]
    assert len(read) == len(PORTFOLIO_ROWS)
    for row in read:
        checked = own_check(row["source"], capsys)
        assert row["ok"] == checked["ok"] and row["problems"] == len(checked["problems"])
        assert row["documents"] == [expected_document(doc) for doc in checked["documents"]]
        unfilled = sum(doc["unfilled"] for doc in checked["documents"])
        assert row["unfilled_prompts"] == unfilled + sum(p["unfilled"] for p in checked["pages"])
        untraced = [
            r["id"]
            for r in checked["traceability"]["requirements"]
            if r["result"] not in ("pass", "waived")
        ]
        assert row["untraced_requirements"] == untraced
        assert [p["number"] for p in row["phases"]] == [p["number"] for p in checked["phases"]]
        assert row["risk_level"] in row["name"] and row["task_kind"] in row["name"]
    states = {approval["state"] for row in read for approval in row["approvals"]}
    statuses = {doc["status"] for row in read for doc in row["documents"]}
    assert states == {"current", "changed", "missing"} and statuses == set(STATUSES)
    assert any(row["overdue_reviews"] for row in read)
    assert all(row["evidence_out_of_date"] == 1 for row in read)
    high = [row for row in read if row["risk_level"] == "high"]
    assert high and all(len(row["registration"]) == 13 for row in high)
    [unread] = [row for row in systems if row["error"]]
    assert "lifecycle.yml" in unread["error"]


def test_the_site_holds_every_system_without_javascript_and_offline(portfolio, systems):
    site = portfolio / "out" / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr>") == len(systems) + 1
    for row in systems:
        assert (site / "systems" / row["id"] / "index.html").is_file()
        assert f'href="systems/{row["id"]}/"' in index
    for view in ("by-risk", "by-status", "by-owner", "attention", "registration", "about"):
        assert (site / view / "index.html").is_file(), view
    assert (site / "register.csv").is_file() and (site / "register.json").is_file()
    for page in site.rglob("*.html"):
        found = REMOTE_LOAD.search(page.read_text(encoding="utf-8"))
        assert found is None, f"{page.relative_to(site)} loads {found.group(0)}"


TABLE = """(() => {
  const holder = document.querySelector('.register-table');
  const wrap = holder.querySelector('.md-typeset__scrollwrap') || holder;
  const lists = Array.from(holder.querySelectorAll('.register-filters select'));
  const rows = Array.from(holder.querySelectorAll('tbody tr'));
  return {
    lists: lists.map(s => s.parentElement.firstChild.textContent),
    listsFit: lists.every(s => s.getBoundingClientRect().right <= innerWidth),
    rows: rows.length,
    hidden: wrap.scrollWidth - wrap.clientWidth,
    pageOverflows: document.documentElement.scrollWidth > innerWidth,
  };
})()"""
FILTER = """((column, value) => {
  const select = document.querySelector(`.register-filters select[data-column="${column}"]`);
  select.value = value;
  select.dispatchEvent(new Event('change'));
  return Array.from(document.querySelectorAll('.register-table tbody tr'))
    .filter(row => !row.hidden).map(row => row.cells[column].textContent.trim());
})"""
SORT = """(() => {
  document.querySelector('.register-table th .register-sort').click();
  return Array.from(document.querySelectorAll('.register-table tbody tr'))
    .map(row => row.cells[0].textContent.trim());
})()"""


def test_the_register_table_sorts_filters_and_fits_a_phone_and_a_desktop(
    browser,  # noqa: F811
    portfolio,
    systems,
):
    require_chromium()
    found = {}
    with serving(portfolio / "out" / "site") as url:
        try:
            for width in (390, 1280):
                open_at_width(browser, url, width)
                found[width] = browser.evaluate(TABLE)
            risks = browser.evaluate(f"{FILTER}(1, 'high')")
            owners = browser.evaluate(f"{FILTER}(3, 'Owner 1')")
            browser.evaluate(f"{FILTER}(1, '')")
            browser.evaluate(f"{FILTER}(3, '')")
            first = browser.evaluate(SORT)
            second = browser.evaluate(SORT)
            errors = browser.console_errors()
        finally:
            browser.page("Emulation.clearDeviceMetricsOverride")
    phone, desktop = found[390], found[1280]
    for result in (phone, desktop):
        assert result["lists"] == ["Risk level", "Status", "Owner"], result
        assert result["rows"] == len(systems) and not result["pageOverflows"], result
        assert result["listsFit"], result
    assert phone["hidden"] > 0, f"on a phone the table scrolls in its wrapper: {phone}"
    assert desktop["hidden"] <= 0, f"the table hides columns at 1280 px: {desktop}"
    high = [row for row in systems if row["risk_level"] == "high"]
    assert risks == ["high"] * len(high)
    owned = [row for row in systems if row["risk_level"] == "high" and row["owner"] == "Owner 1"]
    assert owners == ["Owner 1"] * len(owned)  # both filters apply together
    names = [row["name"] for row in systems]
    assert first == sorted(names, key=str.casefold) and second == first[::-1]
    assert errors == []


def test_the_guide_s_ci_recipe_is_a_valid_workflow_with_pinned_actions(tmp_path):
    """The workflow the guide gives a governance repository, validated as the
    repository's own workflows are (check-jsonschema's bundled schema, offline)."""
    guide = TEMPLATE / "docs" / "portfolio.md"
    page = parse(guide.read_text(encoding="utf-8"))
    blocks = ["\n".join(page.lines[start + 1 : end - 1]) for start, end in page.fences]
    [workflow] = [block for block in blocks if "\njobs:" in block]
    path = tmp_path / "register.yml"
    path.write_text(workflow + "\n", encoding="utf-8")
    result = subprocess.run(
        [
            BIN / "check-jsonschema",
            "--no-cache",
            "--builtin-schema",
            "vendor.github-workflows",
            str(path),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    uses = [line for line in workflow.splitlines() if line.strip().startswith(("uses:", "- uses:"))]
    assert uses and all(PINNED_USES.fullmatch(line) for line in uses), uses
    assert "portfolio --list repos.txt" in workflow
