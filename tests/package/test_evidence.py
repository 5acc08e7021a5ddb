"""Evidence in-process: comparing cited values, what an approval covers, what
the site shows, and `evidence --update`."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date

import pytest

from ml_lifecycle.documents import body_fingerprint
from ml_lifecycle.evidence.findings import cited_digests
from ml_lifecycle.evidence.site import plain_values, render
from ml_lifecycle.evidence.sources import artefact, json_depth
from ml_lifecycle.evidence.update import survey
from ml_lifecycle.evidence.values import matches, number_or_text
from ml_lifecycle.markdown_model import parse
from ml_lifecycle.project import load_project
from ml_lifecycle.rules import check_project

from .tiny_projects import doc_path, document, make_project

EVAL = {"test": {"accuracy": 0.8712, "macro_f1": 0.8049}, "rows": 12345}
SLICES = "slice,accuracy\nall,0.8712\nsmall,0.79\n"
SOURCES = "evidence:\n  eval: reports/eval.json\n  slices: reports/slices.csv\n"
VALIDATION = """\
# V&V report

Accuracy [0.85](evidence:eval#test.accuracy) on [12,345](evidence:eval#rows) tickets.

| Requirement | Result | Evidence |
| --- | --- | --- |
| REQ-001 | pass | [0.81](evidence:eval#test.macro_f1) ≥ 0.80 |
| REQ-002 | pass | `[1](evidence:eval#rows)` is code |
"""


def evidence_project(tmp_path, body: str = VALIDATION):
    root = make_project(
        tmp_path,
        {"validation": document("validation", body)},
        **{"reports/eval.json": json.dumps(EVAL), "reports/slices.csv": SLICES},
    )
    with (root / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write(SOURCES)
    return root


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("0.87", 0.8712, True),  # the source rounds to the cited precision
        ("0.871", 0.8712, True),
        ("0.872", 0.8712, False),
        ("0.88", 0.8712, False),
        ("0.9", 0.85, True),  # halves round up, as people round
        ("0.8", 0.849, True),
        ("0.9", 0.849, False),
        ("12,345", 12345.4, True),
        ("12,346", 12345.4, False),
        ("41", "41", True),  # CSV cells are text until compared
        ("\N{MINUS SIGN}0.12", -0.1234, True),
        ("logreg", "logreg", True),
        ("logreg", "xgboost", False),
        ("0.87", "n/a", False),
    ],
)
def test_rounding_follows_the_cited_precision(text, value, expected):
    assert matches(text, number_or_text(value)) is expected


def test_fingerprints_of_documents_without_citations_are_unchanged(tmp_path):
    project, _ = load_project(evidence_project(tmp_path))
    body = "# Card\n\nAccuracy 0.87 (see eval.json).\n"
    assert cited_digests(project, parse(body)) == {}
    # The hash as ml-lifecycle computed it before evidence existed.
    assert (
        body_fingerprint(body) == "sha256:" + hashlib.sha256(body.strip("\n").encode()).hexdigest()
    )
    cited = body + "[0.87](evidence:eval#test.accuracy)\n"
    digests = cited_digests(project, parse(cited))
    assert list(digests) == ["eval"] and digests["eval"].startswith("sha256:")
    assert body_fingerprint(cited, digests) != body_fingerprint(cited)


def test_citations_in_paragraphs_and_table_cells_are_checked(tmp_path):
    report = check_project(evidence_project(tmp_path), date(2026, 6, 1))
    doc = next(d for d in report.documents if d.phase == "validation")
    assert doc.citations == 3  # the one in code is none
    assert [p.message.split(";")[0] for p in doc.evidence] == [
        "says 0.85",
        "says 0.81",
    ]
    # The stated pass is checked against the source's 0.8049, which meets 0.80.
    assert not any("states pass" in f.message for f in report.traceability.findings)
    low = VALIDATION.replace("≥ 0.80", "≥ 0.81")
    report = check_project(evidence_project(tmp_path / "low", low), date(2026, 6, 1))
    stated = [f.message for f in report.traceability.findings if "states pass" in f.message]
    assert stated == ["REQ-001 states pass, but eval#test.macro_f1 is 0.8049, not ≥ 0.81"]


def test_update_rewrites_stale_values_and_nothing_else(tmp_path):
    root = evidence_project(tmp_path)
    path = root / doc_path("validation")
    before = path.read_text(encoding="utf-8")
    project, _ = load_project(root)
    pages, unreadable = survey(project, [path], update=True)
    assert unreadable == []
    assert [(c.text, new) for c, new in pages[0].updated] == [("0.85", "0.87"), ("0.81", "0.80")]
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("[0.85]", "[0.87]").replace("[0.81]", "[0.80]")


def test_the_site_links_published_artefacts_with_a_note(tmp_path):
    root = evidence_project(tmp_path)
    docs = root / "docs"
    (docs / "evidence").mkdir()
    shutil.copy(root / "reports" / "eval.json", docs / "evidence" / "eval.json")
    project, _ = load_project(root)
    project.evidence["eval"] = "docs/evidence/eval.json"
    markdown = (
        "A [0.87](evidence:eval#test.accuracy), `[1](evidence:eval#rows)`, "
        "[0.80](evidence:slices#accuracy@all).\n"
    )
    page = docs / "04-building" / "model-card.md"
    rendered = render(
        parse(markdown, front_matter=False), project, page, docs, "https://github.com/acme/router"
    )
    digest = artefact(project, "eval").digest.split(":")[1][:12]
    assert rendered.split("\n\n")[0] == (
        "A [0.87](../evidence/eval.json)[^evidence-eval], `[1](evidence:eval#rows)`, "
        "[0.80](https://github.com/acme/router/blob/HEAD/reports/slices.csv) "
        "*(evidence: 0.8712)*[^evidence-slices]."
    )
    assert f"sha256 {digest}." in rendered
    assert "[^evidence-eval]: Evidence *eval*: file docs/evidence/eval.json, dated " in rendered
    assert plain_values(parse(markdown, front_matter=False)) == (
        "A 0.87, `[1](evidence:eval#rows)`, 0.80.\n"
    )


def test_json_nesting_is_measured_outside_strings():
    assert json_depth('{"a": [1, {"b": "]]]]\\"[[["}]}') == 3
    assert json_depth('"\\' * 10) == 0


@pytest.mark.slow
def test_json_nesting_is_measured_in_linear_time():
    import time

    start = time.perf_counter()
    json_depth('"\\' * 700_000)  # 1.4 MB that a pattern backtracked on for minutes
    assert time.perf_counter() - start < 5
