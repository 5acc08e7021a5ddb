"""Evidence-linked values on baked projects: `lifecycle.yml` names JSON and
CSV artefacts, documents cite values from them as `[0.87](evidence:eval#key)`,
and `check`, `evidence --update`, `approve`, the traceability and `hub-card`
keep the documents and the artefacts in step."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml
from conftest import GIT_ENV, BakedProject, filled

from ml_lifecycle.evidence.sources import artefact
from ml_lifecycle.project import load_project

MODEL_CARD = "docs/04-building/model-card.md"
REQUIREMENTS = "docs/02-requirements/requirements.md"
VALIDATION = "docs/05-validation/validation-report.md"
TODAY = "2026-06-01"
OWNER = "Head of support"
EVAL = {"test": {"accuracy": 0.8712, "macro_f1": 0.8049}, "rows": 12345}
SLICES = "slice,accuracy,latency_ms\nall,0.8712,41\nsmall,0.79,38\n"
SOURCES = "\nevidence:\n  eval: reports/eval.json\n  slices: reports/slices.csv\n"
# The answer to the model card's first prompt: three citations, each consistent.
CITING = (
    "Accuracy [0.87](evidence:eval#test.accuracy) and macro-F1 "
    "[0.805](evidence:eval#test.macro_f1) on [12,345](evidence:eval#rows) tickets; "
    "[0.79](evidence:slices#accuracy@small) on small tickets."
)


@pytest.fixture
def cited(baked, tmp_path) -> BakedProject:
    """A private copy of the default bake whose lifecycle.yml declares a JSON
    and a CSV artefact, and whose model card cites both."""
    target = tmp_path / "project"
    shutil.copytree(baked().path, target)
    project = BakedProject(target, baked().answers)
    (target / "reports").mkdir()
    write_eval(project, EVAL)
    (target / "reports" / "slices.csv").write_text(SLICES, encoding="utf-8")
    with (target / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write(SOURCES)
    project.replace(MODEL_CARD, "==TODO==", CITING)
    return project


def write_eval(project: BakedProject, data: dict) -> None:
    (project.path / "reports" / "eval.json").write_text(json.dumps(data), encoding="utf-8")


def check_json(project: BakedProject) -> dict:
    return json.loads(project.tool("check", "--today", TODAY, "--json").stdout)


def card_line(project: BakedProject, text: str) -> int:
    lines = project.read(MODEL_CARD).splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def model_card(report: dict) -> dict:
    return next(d for d in report["documents"] if d["path"] == MODEL_CARD)


def ready(project: BakedProject) -> None:
    """Answer every other prompt of the model card and name an owner."""
    project.replace(MODEL_CARD, "  owner: ''", f"  owner: '{OWNER}'")
    path = project.path / MODEL_CARD
    path.write_text(filled(path.read_text(encoding="utf-8"), "Done."), "utf-8")


# --- consistency ------------------------------------------------------------------


def test_consistent_citations_pass(cited):
    result = cited.tool("check", "--today", TODAY)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "Evidence" not in result.stdout
    assert model_card(check_json(cited))["citations"] == 4
    listing = cited.tool("evidence")
    assert listing.returncode == 0, listing.stdout
    assert listing.stdout.strip() == "4 cited values in 1 page; 0 problems."


def test_stale_and_missing_values_are_reported_in_drafts(cited):
    write_eval(cited, {"test": {"accuracy": 0.8312}, "rows": 12345})
    (cited.path / "reports" / "slices.csv").unlink()
    result = cited.tool("check", "--today", TODAY)
    assert result.returncode == 0, result.stdout[-2000:]  # a draft: work to do
    line = card_line(cited, "evidence:eval#test.accuracy")
    expected = [
        f"  {MODEL_CARD}:{line}: says 0.87; eval#test.accuracy is 0.8312 "
        "(`ml-lifecycle evidence --update` rewrites it)",
        f"  {MODEL_CARD}:{line}: cites eval#test.macro_f1: reports/eval.json has no key "
        "test.macro_f1",
        f"  {MODEL_CARD}:{line}: cites slices#accuracy@small, but reports/slices.csv "
        "is missing (evidence slices in lifecycle.yml)",
    ]
    lines = result.stdout.splitlines()
    at = lines.index(
        "Evidence not matching its source in drafts (failing once in review or approved):"
    )
    assert lines[at + 1 : at + 4] == expected
    assert cited.tool("evidence").returncode == 1


def test_stale_values_fail_a_document_in_review(cited):
    cited.replace(MODEL_CARD, "  status: draft", "  status: in-review")
    assert not any("eval#" in p["message"] for p in check_json(cited)["problems"])
    write_eval(cited, {**EVAL, "rows": 999})
    report = check_json(cited)
    assert not report["ok"]
    line = card_line(cited, "evidence:eval#rows")
    assert {
        "path": MODEL_CARD,
        "line": line,
        "message": "says 12,345; eval#rows is 999 (`ml-lifecycle evidence --update` rewrites it)",
    } in report["problems"]


# --- --update ---------------------------------------------------------------------


def test_update_rewrites_cited_values_and_nothing_else(cited):
    before = (cited.path / MODEL_CARD).read_bytes()
    write_eval(cited, {"test": {"accuracy": 0.8312, "macro_f1": 0.81}, "rows": 23456})
    result = cited.tool("evidence", "--update")
    assert result.returncode == 0, result.stdout
    line = card_line(cited, "evidence:eval#test.accuracy")
    assert f"{MODEL_CARD}:{line}: 0.87 -> 0.83" in result.stdout.splitlines()
    # The card is a draft: nothing to approve again, and nothing said of it.
    assert result.stdout.splitlines()[-1] == "4 cited values in 1 page; 3 rewritten; 0 problems."
    after = (cited.path / MODEL_CARD).read_bytes()
    expected = (
        before.replace(b"[0.87](", b"[0.83](")
        .replace(b"[0.805](", b"[0.810](")
        .replace(b"[12,345](", b"[23,456](")
    )
    assert after == expected
    assert cited.tool("evidence").returncode == 0
    # Nothing more to do: a second update changes nothing.
    assert "0 rewritten" in cited.tool("evidence", "--update").stdout
    assert (cited.path / MODEL_CARD).read_bytes() == expected


def test_update_keeps_windows_line_ends_and_skips_code(cited):
    path = cited.path / MODEL_CARD
    quoted = "`[0.11](evidence:eval#rows)`"
    text = path.read_text(encoding="utf-8").replace("==TODO==", quoted, 1)
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    write_eval(cited, {**EVAL, "rows": 7})
    assert cited.tool("evidence", "--update").returncode == 0
    after = path.read_bytes()
    assert after == text.replace("[12,345](", "[7](").replace("\n", "\r\n").encode("utf-8")
    assert quoted.encode() in after


# --- approval -----------------------------------------------------------------------


def test_an_approval_covers_the_cited_values_not_the_rest_of_the_artefact(cited):
    ready(cited)
    result = cited.tool("approve", MODEL_CARD, "--by", "QA lead", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert model_card(check_json(cited))["approval"] == "current"
    # Keys and cells the card does not cite change: the approval holds.
    write_eval(cited, {**EVAL, "test": {**EVAL["test"], "recall": 0.5}, "run": "b"})
    slices = cited.path / "reports" / "slices.csv"
    slices.write_text(SLICES.replace("small,0.79,38", "small,0.79,95"), encoding="utf-8")
    assert model_card(check_json(cited))["approval"] == "current"
    # A cited value, measured again to the same rounded figure: stale at once.
    write_eval(cited, {**EVAL, "test": {"accuracy": 0.8701, "macro_f1": 0.8049}})
    assert cited.tool("evidence").returncode == 0
    report = check_json(cited)
    assert model_card(report)["approval"] == "changed"
    messages = [p["message"] for p in report["problems"] if p["path"] == MODEL_CARD]
    cites = "eval#rows, eval#test.accuracy, eval#test.macro_f1, slices#accuracy@small"
    assert (
        f"changed since its approval on {TODAY} (its text, or evidence it cites: {cites}): "
        "review it and approve it again"
    ) in messages


def test_approval_refuses_stale_values_and_an_update_needs_a_new_approval(cited):
    ready(cited)
    write_eval(cited, {**EVAL, "rows": 1})
    result = cited.tool("approve", MODEL_CARD, "--by", "QA lead", "--today", TODAY)
    assert result.returncode == 1
    line = card_line(cited, "evidence:eval#rows")
    assert result.stderr.startswith(f"error: {MODEL_CARD}:{line}: says 12,345; eval#rows is 1")
    assert "status: draft" in cited.read(MODEL_CARD)
    assert cited.tool("evidence", "--update").returncode == 0
    assert cited.tool("approve", MODEL_CARD, "--by", "QA lead", "--today", TODAY).returncode == 0
    write_eval(cited, EVAL)
    result = cited.tool("evidence", "--update")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        "4 cited values in 1 page; 1 rewritten "
        f"(1 approved document to approve again: {MODEL_CARD}); 0 problems."
    )
    assert model_card(check_json(cited))["approval"] == "changed"


# --- traceability: stated results against cited thresholds --------------------------


def test_a_stated_pass_against_a_failing_value_is_reported(cited):
    cited.replace(
        REQUIREMENTS,
        "| ==TODO== |             |          |        |\n",
        "| REQ-010 | Accuracy on the test set | must | Charter |\n"
        "| REQ-011 | Accuracy on small tickets | must | Charter |\n",
    )
    cited.replace(
        VALIDATION,
        "| ==TODO==    |        |           |        |             |          |\n",
        "| REQ-010 | Test | Test set | [0.87](evidence:eval#test.accuracy) ≥ 0.85 | pass | eval |\n"
        "| REQ-011 | Test | Test set | [0.79](evidence:slices#accuracy@small) >= 0.80 "
        "| pass | slices |\n",
    )
    trace = check_json(cited)["traceability"]
    results = {r["id"]: r["result"] for r in trace["requirements"]}
    assert results == {"REQ-010": "pass", "REQ-011": "contradicted"}
    summary = next(
        line
        for line in cited.tool("check", "--today", TODAY).stdout.splitlines()
        if line.startswith("Requirements:")
    )
    assert summary.startswith("Requirements: 2, 1 passed,") and "1 contradicted" in summary
    lines = cited.read(VALIDATION).splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("| REQ-011"))
    assert trace["problems"] == [
        {
            "path": VALIDATION,
            "line": line,
            "message": "REQ-011 states pass, but slices#accuracy@small is 0.79, not >= 0.80",
        }
    ]
    # The evidence, not the cited text, decides: a new run that meets the threshold passes.
    (cited.path / "reports" / "slices.csv").write_text(
        SLICES.replace("0.79", "0.81"), encoding="utf-8"
    )
    trace = check_json(cited)["traceability"]
    assert trace["problems"] == []
    assert {r["id"]: r["result"] for r in trace["requirements"]}["REQ-011"] == "pass"


# --- the Hub export -------------------------------------------------------------------


def test_hub_card_fills_model_index_values_from_cited_evidence(cited):
    cited.replace(
        MODEL_CARD,
        "          - type: 'f1'\n            value: null",
        ("          - type: 'f1'\n            value: evidence:eval#test.macro_f1"),
    )
    result = cited.tool("hub-card", "--allow-unfilled")
    assert result.returncode == 0, result.stderr
    meta = yaml.safe_load(cited.read("hub/README.md").split("---\n")[1])
    assert "model-index" not in meta  # precision and recall are still empty: left out
    assert "model-index left out" in result.stderr
    assert "several cited values could fill accuracy" in result.stderr

    path = cited.path / MODEL_CARD
    card = path.read_text(encoding="utf-8")
    card = card.replace("[0.79](evidence:slices#accuracy@small)", "0.79")
    for metric in ("precision", "recall"):
        card = card.replace(f"          - type: '{metric}'\n            value: null\n", "")
    card = card.replace("type: ''  # e.g. text-classification", "type: text-classification")
    card = card.replace("name: ''  # e.g. Support", "name: Tickets  # e.g. Support")
    card = card.replace("type: ''  # Hub id", "type: tickets  # Hub id")
    path.write_text(card, encoding="utf-8")
    result = cited.tool("hub-card", "--allow-unfilled")
    assert result.returncode == 0, result.stderr
    meta = yaml.safe_load(cited.read("hub/README.md").split("---\n")[1])
    metrics = meta["model-index"][0]["results"][0]["metrics"]
    assert metrics == [{"type": "accuracy", "value": 0.87}, {"type": "f1", "value": 0.8049}]
    # The body's citations lead nowhere on the Hub: their values, as text.
    body = cited.read("hub/README.md").split("---\n", 2)[2]
    assert "evidence:" not in body
    assert "Accuracy 0.87 and macro-F1 0.805 on 12,345 tickets" in body


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"test": {"accuracy": 0.87', "reports/eval.json is not valid JSON: Expecting"),
        ("[" * 100_000, "reports/eval.json is nested more than 50 levels deep: not read"),
        (b"\xff\xfe{}", "reports/eval.json is not UTF-8 text (byte 0)"),
    ],
    ids=["truncated", "deep", "binary"],
)
def test_a_broken_json_artefact_is_one_line(cited, content, expected):
    path = cited.path / "reports" / "eval.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = cited.tool("evidence")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert expected in result.stdout
    assert cited.tool("check", "--today", TODAY).returncode == 0  # still a draft


def test_broken_csv_oversized_and_outside_artefacts_are_refused(cited, tmp_path):
    csv_path = cited.path / "reports" / "slices.csv"
    csv_path.write_text('slice,accuracy\n"all,0.87\nsmall,0.79,9\n', encoding="utf-8")
    assert "reports/slices.csv is not valid CSV" in cited.tool("evidence").stdout
    csv_path.write_text("slice,accuracy\nall,0.87\nsmall,0.79,9\n", encoding="utf-8")
    result = cited.tool("evidence")
    assert "reports/slices.csv is not valid CSV: row 3 has 3 cells, the header 2" in result.stdout

    outside = tmp_path / "secret.json"
    outside.write_text(json.dumps(EVAL), encoding="utf-8")
    eval_path = cited.path / "reports" / "eval.json"
    eval_path.unlink()
    os.symlink(outside, eval_path)
    result = cited.tool("evidence")
    assert f"reports/eval.json links to a file outside the project ({outside.resolve()})" in (
        result.stdout
    )
    eval_path.unlink()
    eval_path.write_bytes(b" " * (2 * 1024 * 1024 + 1))
    result = cited.tool("evidence")
    assert "reports/eval.json is 2,097,153 bytes, over the 2,097,152-byte limit" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("eval: ../outside.json", "evidence: 'eval' source '../outside.json' must be a path"),
        ("eval: /etc/passwd.json", "evidence: 'eval' source '/etc/passwd.json' must be a path"),
        ("eval: reports/eval.txt", "must be a .json or .csv file, or mlflow:runs:/<run_id>"),
        ("eval: mlflow:runs:/", "evidence: 'eval' names no run: 'mlflow:runs:/'"),
        ("'a b': reports/eval.json", "evidence: 'a b' is not a name"),
    ],
)
def test_bad_evidence_declarations_fail_check(cited, entry, expected):
    path = cited.path / "lifecycle.yml"
    text = path.read_text(encoding="utf-8").replace(SOURCES, "")
    path.write_text(text + f"\nevidence:\n  {entry}\n", encoding="utf-8")
    result = cited.tool("check", "--today", TODAY)
    assert result.returncode == 1
    assert any(expected in line for line in result.stdout.splitlines()), result.stdout[-1500:]


# --- the site ---------------------------------------------------------------------------


@pytest.mark.slow
def test_site_shows_values_with_their_note(cited):
    site = cited.build()
    html = (site / "04-building" / "model-card" / "index.html").read_text(encoding="utf-8")
    assert "0.87</a>" not in html  # reports/ is not published and the bake has no repo_url
    assert 'id="fn:evidence-eval"' in html and 'id="fn:evidence-slices"' in html
    assert "reports/eval.json" in html.replace("&#47;", "/").replace("&#46;", ".")
    assert "evidence:eval" not in html
    digest = artefact(load_project(cited.path)[0], "eval").digest
    assert f"sha256 {digest[7:19]}" in html


def test_the_dossier_shows_cited_values_as_text(cited):
    assert cited.tool("dossier", "--date", TODAY).returncode == 0
    html = cited.read("dossier/dossier.html")
    assert "evidence:" not in html
    assert "Accuracy 0.87 and macro-F1 0.805 on 12,345 tickets" in html


@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_an_approval_stays_current_in_every_clone(cited, tmp_path, line_end):
    """The baked .gitattributes keeps every file's bytes as written, in a
    clone that converts line ends (core.autocrlf, as on Windows) too, so a
    cited artefact, with LF or with CRLF (Python's csv module, pandas on
    Windows), has the fingerprint its approval recorded."""
    slices = cited.path / "reports" / "slices.csv"
    slices.write_bytes(SLICES.replace("\n", line_end).encode("utf-8"))
    ready(cited)
    assert cited.tool("approve", MODEL_CARD, "--by", "QA lead", "--today", TODAY).returncode == 0
    git = ["git", "-c", "init.defaultBranch=main"]
    env = {**os.environ, **GIT_ENV}
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "Approved"]):
        subprocess.run([*git, *command], cwd=cited.path, env=env, check=True)
    clone = tmp_path / "windows-clone"
    subprocess.run(
        [*git, "-c", "core.autocrlf=true", "clone", "-q", str(cited.path), str(clone)],
        env=env,
        check=True,
    )
    assert (clone / "reports" / "slices.csv").read_bytes() == slices.read_bytes()
    cloned = BakedProject(clone, cited.answers)
    assert model_card(check_json(cloned))["approval"] == "current"
