"""`ml-lifecycle portfolio` in-process on tiny projects: the rows agree with
the checker, the data files follow their schema, a spreadsheet never sees a
formula, `--require` rules gate, every write stays in the output folder, and
hostile members (a link out, a YAML bomb, text that is not UTF-8, a 50 MB
document, a git URL that hangs, a repository whose git settings and hooks
would run code) each give one row, within the run's time bound, with nothing
run. The site is built by the slow tier (tests/test_portfolio.py)."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from ml_lifecycle.adopt.record import RECORD_FILE, Record
from ml_lifecycle.cli import main
from ml_lifecycle.portfolio import annex_viii, gate, members, pages, schema
from ml_lifecycle.portfolio.rows import worst_status
from ml_lifecycle.rules import UsageError

from .tiny_projects import TODAY_TEXT, doc_path, document, make_project

TODAY = date.fromisoformat(TODAY_TEXT)
ANSWERS = """\
default_context:
  project_name: {name}
  description: Routes support tickets
  organisation: Acme
  owner_name: {owner}
  owner_email: ml@acme.example
  repo_url: https://github.com/acme/router
  task_kind: classification
  update_mode: static
  risk_level: {risk}
"""
FORMULAS = ("=", "+", "-", "@")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def project(root: Path, name="Router", owner="Ann", risk="limited", **documents) -> Path:
    make_project(root, documents)
    answers = ANSWERS.format(name=json.dumps(name), owner=json.dumps(owner), risk=risk)
    (root / ".cookiecutter-answers.yaml").write_text(answers, encoding="utf-8")
    return root


def run(tmp_path: Path, *arguments: str) -> int:
    return main(["portfolio", "--out", str(tmp_path / "out"), "--today", TODAY_TEXT, *arguments])


def register(tmp_path: Path) -> list[dict]:
    data = json.loads((tmp_path / "out" / "register.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema.JSON_SCHEMA)
    return data["systems"]


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["name"]: row for row in rows}


# --- rows agree with the checker ------------------------------------------------


def test_a_row_holds_what_check_finds_document_by_document(tmp_path, capsys):
    requirements = document(
        "requirements",
        "# Requirements\n\n| ID | Requirement |\n| --- | --- |\n| REQ-001 | Fast |\n",
        status="approved",
        owner="Ann",
        approved_by="Bob",
        last_reviewed="2025-01-01",
    )
    root = project(tmp_path / "clones" / "router", requirements=requirements)
    assert run(tmp_path, "--no-site", "--clones", str(tmp_path / "clones")) == 0
    [row] = register(tmp_path)
    capsys.readouterr()
    main(["check", "--json", "--root", str(root), "--today", TODAY_TEXT])
    checked = json.loads(capsys.readouterr().out)
    assert row["ok"] == checked["ok"] and row["problems"] == len(checked["problems"])
    for mine, theirs in zip(row["documents"], checked["documents"], strict=True):
        for key, value in mine.items():
            expected = {
                "problems": len(theirs["problems"]),
                "citations": theirs.get("citations", 0),
            }
            expected["evidence_out_of_date"] = len(theirs.get("evidence", []))
            assert value == expected.get(key, theirs.get(key)), (mine["path"], key)
    assert row["overdue_reviews"] == 1 and row["stale_approvals"] == 1
    assert row["approvals"] == [
        {
            "path": doc_path("requirements"),
            "title": "Requirements",
            "approved_by": "Bob",
            "approved_on": "2025-01-01",
            "state": "missing",
        }
    ]
    assert {item["kind"] for item in row["attention"]} == {"overdue", "stale-approval"}
    assert row["untraced_requirements"] == ["REQ-001"]
    assert [phase["status"] for phase in row["phases"]] == ["approved", "draft", "draft"]


def test_the_status_of_a_system_is_its_least_advanced_document():
    assert worst_status(["approved", "in-review", "retired"]) == "in-review"
    assert worst_status(["approved", "draft"]) == "draft"
    assert worst_status(["retired", "retired"]) == "retired"
    assert worst_status(["approved", "done"]) == "unknown"
    assert worst_status([]) == ""


def test_answers_come_from_cruft_when_there_is_no_answers_file(tmp_path):
    root = make_project(tmp_path / "clones" / "p")
    cruft = {
        "template": "x",
        "context": {"cookiecutter": {"project_name": "Crufty", "risk_level": "high"}},
    }
    (root / ".cruft.json").write_text(json.dumps(cruft), encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: x\nsite_url: https://acme.example/crufty/\nmarkdown_extensions:\n"
        "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        encoding="utf-8",
    )
    assert run(tmp_path, "--no-site", "--clones", str(tmp_path / "clones")) == 0
    [row] = register(tmp_path)
    assert (row["name"], row["risk_level"], row["site_url"]) == (
        "Crufty",
        "high",
        "https://acme.example/crufty/",
    )
    assert len(row["registration"]) == 13


def test_an_adopted_project_is_read_from_its_record_and_the_site_it_names(tmp_path):
    root = make_project(tmp_path / "clones" / "p")
    answers = {"project_name": "Churn model", "risk_level": "high", "_template": "x"}
    record = Record(site="docs/mkdocs.yml", answers=answers)
    (root / RECORD_FILE).write_text(record.as_json(), encoding="utf-8")
    # what cookiecutter-data-science left: its own answers and the host's name
    ccds = {"context": {"cookiecutter": {"project_name": "churn", "module_name": "churn"}}}
    (root / ".cruft.json").write_text(json.dumps(ccds), encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_url: https://acme.example/wrong/\n", "utf-8")
    site = "site_name: churn\nsite_url: https://acme.example/churn/\n"
    (root / "docs" / "mkdocs.yml").write_text(site, encoding="utf-8")
    assert run(tmp_path, "--no-site", "--clones", str(tmp_path / "clones")) == 0
    [row] = register(tmp_path)
    assert (row["name"], row["risk_level"], row["site_url"]) == (
        "Churn model",
        "high",
        "https://acme.example/churn/",
    )


def test_a_site_address_that_is_not_http_is_not_linked(tmp_path):
    root = project(tmp_path / "clones" / "p")
    (root / "mkdocs.yml").write_text("site_url: javascript:alert(1)\n", encoding="utf-8")
    assert run(tmp_path, "--no-site", "--clones", str(tmp_path / "clones")) == 0
    assert register(tmp_path)[0]["site_url"] == ""


# --- members -------------------------------------------------------------------------


def test_a_list_file_names_folders_and_git_urls(tmp_path):
    listed = tmp_path / "repos.txt"
    listed.write_text(
        "# the organisation's systems\n\nclones/a\n"
        "https://user:token@git.example/acme/b.git\ngit@github.com:acme/c.git\n",
        encoding="utf-8",
    )
    found = members.listed(listed)
    assert [m.source for m in found] == [
        "clones/a",
        "https://git.example/acme/b.git",
        "git@github.com:acme/c.git",
    ]
    assert found[0].path == tmp_path / "clones" / "a"
    assert found[1].url == "https://user:token@git.example/acme/b.git"


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% x",
        "ext::sh",
        "fd::3",
        "-u@host:repo",
        "ssh://-oProxyCommand=touch%20x/repo",
        "ftp://example.org/x.git",
    ],
)
def test_urls_that_would_run_a_command_are_never_given_to_git(url):
    assert members.member(url).error


def test_usage_errors_are_one_line_and_status_2(tmp_path, capsys):
    assert run(tmp_path, "--require", "high: approve 1-5", str(tmp_path)) == 2
    assert run(tmp_path) == 2
    assert run(tmp_path, "--list", str(tmp_path / "missing.txt")) == 2
    errors = capsys.readouterr().err.strip().split("\n")
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)


# --- data files ------------------------------------------------------------------


def test_the_csv_opens_into_its_columns_and_never_holds_a_formula(tmp_path):
    for index, start in enumerate(FORMULAS):
        project(
            tmp_path / "clones" / f"p{index}",
            name=f'{start}HYPERLINK("http://x")',
            owner=f"{start}cmd|' /C calc'!A0",
        )
    assert run(tmp_path, "--no-site", "--clones", str(tmp_path / "clones")) == 0
    with open(tmp_path / "out" / "register.csv", encoding="utf-8", newline="") as file:
        table = list(csv.DictReader(file))
    assert list(table[0]) == schema.COLUMN_NAMES
    assert len(table) == len(FORMULAS)
    for line in table:
        assert not any(value.startswith(FORMULAS) for value in line.values()), line
    assert {line["owner"][1:2] for line in table} == set(FORMULAS)  # kept, after the '


def test_the_json_follows_its_schema_and_the_schema_file_is_written(tmp_path):
    project(tmp_path / "clones" / "a")
    project(tmp_path / "clones" / "b", name="Scorer", risk="high")
    assert run(tmp_path, "--no-site", "--clones", str(tmp_path / "clones")) == 0
    rows = register(tmp_path)  # validated against JSON_SCHEMA
    written = json.loads((tmp_path / "out" / "register.schema.json").read_text(encoding="utf-8"))
    assert written == schema.JSON_SCHEMA
    assert [row["id"] for row in rows] == ["router", "scorer"]


def test_systems_with_one_name_get_ids_of_their_own(tmp_path):
    for folder in ("a", "b", "c"):
        project(tmp_path / "clones" / folder, name="Router")
    assert run(tmp_path, "--no-site", "--clones", str(tmp_path / "clones")) == 0
    assert [row["id"] for row in register(tmp_path)] == ["router", "router-2", "router-3"]


def test_many_projects_are_read_by_worker_processes_into_the_same_rows(tmp_path):
    for number in range(10):
        project(tmp_path / "clones" / f"p{number}", name=f"System {number}")
    assert run(tmp_path, "--no-site", "--jobs", "2", "--clones", str(tmp_path / "clones")) == 0
    in_workers = register(tmp_path)
    assert run(tmp_path, "--no-site", "--jobs", "1", "--clones", str(tmp_path / "clones")) == 0
    assert register(tmp_path) == in_workers
    assert len(in_workers) == 10


def test_a_worker_that_dies_takes_only_its_own_project_down(tmp_path, monkeypatch):
    """A crash in a worker (a C library on hostile input, say) loses no
    other project: they are read again, each alone, and the project that
    kills its reader is an error row."""
    from ml_lifecycle.portfolio import rows

    if threading.active_count() > 1:
        pytest.skip("workers are forked only from a process that runs one thread")
    for number in range(10):
        project(tmp_path / "clones" / f"p{number}", name=f"System {number}")
    parent, original = os.getpid(), rows.project_row

    def crashing(item, today):
        if item.path.name == "p3" and os.getpid() != parent:
            os._exit(70)  # the worker dies without a word
        return original(item, today)

    monkeypatch.setattr(rows, "project_row", crashing)
    assert run(tmp_path, "--no-site", "--jobs", "2", "--clones", str(tmp_path / "clones")) == 0
    found = register(tmp_path)
    assert len(found) == 10
    assert [row["source"][-2:] for row in found if row["error"]] == ["p3"]
    assert "stopped" in next(row["error"] for row in found if row["error"])


# --- the gate ---------------------------------------------------------------------


def test_require_rules_print_one_line_per_violation_and_exit_1(tmp_path, capsys):
    approved = document("requirements", "# Requirements\n\nText.\n", status="approved", owner="Ann")
    project(tmp_path / "clones" / "high", name="High", risk="high", requirements=approved)
    project(tmp_path / "clones" / "low", name="Low", owner="")
    rules = ["high: approved 1-2", "limited: owner", "all: no overdue reviews"]
    arguments = [argument for rule in rules for argument in ("--require", rule)]
    assert run(tmp_path, "--no-site", *arguments, "--clones", str(tmp_path / "clones")) == 1
    lines = capsys.readouterr().out.strip().split("\n")
    assert [line for line in lines if not line.startswith(("Register", "Wrote"))] == [
        f"high: high: approved 1-2: {doc_path('validation')} is draft",
        "low: limited: owner: no owner is named",
    ]
    clones = str(tmp_path / "clones")
    assert run(tmp_path, "--no-site", "--require", "minimal: owner", "--clones", clones) == 0


def test_rules_read_scopes_and_conditions():
    rule = gate.parse_rule("Limited, High: approved 1-3,5")
    assert (rule.scope, rule.kind, rule.phases) == (("limited", "high"), "approved", (1, 2, 3, 5))
    assert gate.parse_rule("traced").scope == ()
    for wrong in ("high: approved", "medium: traced", "all: everything fine", ""):
        with pytest.raises(UsageError):
            gate.parse_rule(wrong)


# --- Annex VIII -----------------------------------------------------------------


def test_registration_points_are_recorded_not_applicable_missing_or_optional():
    registration = {
        "provider": "Acme, 1 Main St; ml@acme.example",
        "certificate": "n/a",
        "member_states": ["IE", "FR"],
        "market_status": "N/A",
    }
    found = {f["point"]: f for f in annex_viii.fields(registration, {"project_name": "Router"})}
    assert [f["point"] for f in found.values()] == list(range(1, 14))
    assert found[1]["state"] == "recorded"
    assert (found[4]["value"], found[4]["source"]) == ("Router", "answers: project_name")
    assert found[8]["state"] == "not applicable"  # where applicable: n/a answers it
    assert found[7]["state"] == "missing"  # not a where-applicable point
    assert found[10]["value"] == "IE, FR"
    assert found[13]["state"] == ""  # optional
    assert annex_viii.missing(list(found.values())) == [2, 3, 5, 6, 7, 9, 11, 12]


# --- what a project holds is text in the site --------------------------------------


def test_values_are_text_in_the_pages_and_titles_are_plain():
    row = {
        "id": "x",
        "name": "<script>alert(1)</script> | **bold** [link](javascript:x)",
        "source": "s",
        "error": None,
        "owner": "=cmd",
        "risk_level": "high",
        "status": "draft",
        "task_kind": "",
        "attention": [],
    }
    line = pages.table_row(row)
    assert "<script>" not in line and line.count("|") == 7 and "](javascript" not in line
    assert pages.page_title(row["name"], "x") == "script alert(1) script bold link (javascript x)"
    assert pages.web_link("site", "https://a.example/x y)(") == (
        "[site](https://a.example/x%20y%29%28)"
    )


# --- writes stay in the output folder -------------------------------------------


def test_a_link_in_the_output_folder_is_refused_and_nothing_written_through_it(tmp_path, capsys):
    project(tmp_path / "clones" / "a")
    outside = tmp_path / "outside.json"
    outside.write_text("mine", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "register.json").symlink_to(outside)
    assert run(tmp_path, "--no-site", "--clones", str(tmp_path / "clones")) == 1
    assert outside.read_text(encoding="utf-8") == "mine"
    assert capsys.readouterr().err.count("error: ") == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["register.json"]


# --- hostile members ------------------------------------------------------------


class Stalling:
    """A local server that accepts connections and never answers: a git URL
    that hangs, with no network."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                self.accepted.append(self.server.accept()[0])
            except OSError:
                return

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/acme/router.git"

    def close(self):
        for connection in self.accepted:
            connection.close()
        self.server.close()


def git(folder: Path, *arguments: str) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True, env=env)


def tripwire(tmp_path: Path) -> tuple[Path, Path]:
    """A script that leaves a file when anything runs it, and that file."""
    marker = tmp_path / "ran"
    script = tmp_path / "tripwire.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    script.chmod(0o755)
    return script, marker


def signed(root: Path) -> None:
    """Give the last commit a (made-up) signature: git verifies a signature
    it shows by running gpg.program."""
    raw = subprocess.run(
        ["git", "-C", str(root), "cat-file", "commit", "HEAD"], capture_output=True, check=True
    ).stdout.decode()
    head, _, message = raw.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----"
    commit = (
        subprocess.run(
            ["git", "-C", str(root), "hash-object", "-w", "-t", "commit", "--stdin"],
            input=f"{head}\n{signature}\n\n{message}".encode(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
    git(root, "update-ref", "HEAD", commit)


def armed_repository(root: Path, script: Path) -> Path:
    """A lifecycle project in git whose every setting that could start a
    program names the tripwire, and whose hooks all run it."""
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    signed(root)  # so that showing signatures would start gpg.program
    hooks = root / ".git" / "hooks"
    for name in (
        "post-checkout",
        "pre-commit",
        "post-merge",
        "reference-transaction",
        "fsmonitor-watchman",
    ):
        (hooks / name).write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
        (hooks / name).chmod(0o755)
    for key, value in (
        ("core.fsmonitor", str(script)),
        ("log.showSignature", "true"),
        ("gpg.program", str(script)),
        ("core.pager", str(script)),
        ("diff.external", str(script)),
    ):
        git(root, "config", key, value)
    return root


def test_hostile_members_give_one_row_each_in_time_and_run_nothing(tmp_path, monkeypatch, capsys):
    script, marker = tripwire(tmp_path)
    clones = tmp_path / "clones"
    outside = tmp_path / "secret.md"
    outside.write_text("---\nlifecycle: {}\n---\nTOP-SECRET-CONTENT\n", encoding="utf-8")
    (project(clones / "link-out") / "docs" / "02-requirements" / "leak.md").symlink_to(outside)
    bomb = "---\na: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "lifecycle: *b\n---\n"
    (project(clones / "yaml-bomb") / doc_path("monitoring")).write_text(bomb, encoding="utf-8")
    (project(clones / "not-utf8") / doc_path("validation")).write_bytes(b"---\n\xff\xfe\x00bad\n")
    huge = project(clones / "fifty-mb") / doc_path("requirements")
    os.truncate(huge, 50 * 1024 * 1024)
    armed = armed_repository(project(clones / "armed", name="Armed"), script)
    # The operator's own git settings, with a template whose hooks would run
    # on a clone's checkout.
    template = tmp_path / "template"
    (template / "hooks").mkdir(parents=True)
    (template / "hooks" / "post-checkout").write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    (template / "hooks" / "post-checkout").chmod(0o755)
    global_config = tmp_path / "gitconfig"
    global_config.write_text(
        f"[init]\n\ttemplateDir = {template}\n[core]\n\thooksPath = {template / 'hooks'}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))
    stalling = Stalling()
    try:
        start = time.monotonic()
        status = run(
            tmp_path,
            "--no-site",
            "--clone-timeout",
            "3",
            "--clones",
            str(clones),
            stalling.url,
            f"file://{armed}",
        )
        elapsed = time.monotonic() - start
    finally:
        stalling.close()
    assert status == 0
    assert elapsed < 20, f"the run took {elapsed:.1f} s"
    rows = register(tmp_path)
    errors = {row["source"].rsplit("/", 1)[-1]: row["error"] for row in rows if row["error"]}
    assert sorted(errors) == ["fifty-mb", "link-out", "not-utf8", "router.git", "yaml-bomb"]
    assert "outside the project" in errors["link-out"]
    assert "anchor" in errors["yaml-bomb"] or "alias" in errors["yaml-bomb"]
    assert "byte limit" in errors["fifty-mb"]
    assert "timed out after 3 s" in errors["router.git"]
    assert "TOP-SECRET-CONTENT" not in json.dumps(rows)
    armed_rows = [row for row in rows if row["name"] == "Armed"]
    assert len(armed_rows) == 2 and not any(row["error"] for row in armed_rows)
    assert armed_rows[0]["last_change"] and armed_rows[0]["last_change"]["author"] == "Test"
    assert not marker.exists(), "a hook or a git setting ran a program"
    assert len(capsys.readouterr().err.strip().split("\n")) == len(errors)


# --- the guide says what the code does ----------------------------------------------

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "portfolio.md"


def guide_table(first_header: str) -> list[list[str]]:
    from ml_lifecycle.markdown_model import parse

    page = parse(GUIDE.read_text(encoding="utf-8"))
    [table] = [t for t in page.tables if t.rows and t.rows[0].header[0] == first_header]
    return [row.texts for row in table.rows]


def test_the_guide_lists_every_csv_column_in_order():
    assert [cells[0].strip("`") for cells in guide_table("column")] == schema.COLUMN_NAMES


def test_the_guide_lists_every_registration_point_and_its_key():
    rows = guide_table("point")
    assert [(int(cells[0]), cells[2].strip("`")) for cells in rows] == [
        (point.number, point.key) for point in annex_viii.POINTS
    ]
