"""Hostile values in-process: evidence values are data, approvals compare
people as a reader sees them, the site refuses a site_dir a build must not
empty, and front-matter values reach the theme escaped once, never inside a
generated box."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import markdown
import pytest
from markupsafe import Markup
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from ml_lifecycle import approval, cli, derived, identity, limits, plugin
from ml_lifecycle.documents import Document
from ml_lifecycle.markdown_model import parse
from ml_lifecycle.rules import check_project
from ml_lifecycle.vocabulary import EXTENSION_CONFIGS, MARKDOWN_EXTENSIONS, md_escape

from .tiny_projects import doc_path, document, make_project

TODAY = date(2026, 6, 1)
CARD = doc_path("requirements")


def evidence_project(tmp_path: Path, source: str, body: str, name: str = "eval.json") -> Path:
    text = document("requirements", body, owner="'Alice Smith <alice@example.org>'")
    root = make_project(tmp_path / "project", {"requirements": text})
    (root / name).write_text(source, encoding="utf-8")
    with (root / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write(f"evidence:\n  eval: {name}\n")
    return root


def run(root: Path, capsys, *args: str) -> tuple[int, str]:
    status = cli.main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


# --- evidence values are data ---------------------------------------------------------

HOSTILE_VALUES = {
    "html": "<img src=x onerror=alert(1)>",
    "bracket": "0.9] [click](http://evil.example)",
    "backticks": "`rm -rf`",
    "newline": "fine\n\n# A heading of its own",
    "long": "x" * 101,
    "bidi": "logreg\u202egpj.exe",
    "zero-width": "log\u200breg",
    "emphasis": "**bold**",
    "mark": "==marked==",
    "empty": "",
    "entity": "&lt;b&gt;",
}
HOSTILE_NUMBERS = {
    "nan": "NaN",
    "infinity": "Infinity",
    "huge-float": "1e400",
    "huge-int": "1" + "0" * 200,
}


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_a_hostile_text_value_is_refused_where_it_is_read(tmp_path, capsys, value):
    root = evidence_project(
        tmp_path, json.dumps({"x": value}), "# R\n\nValue [old](evidence:eval#x).\n"
    )
    before = (root / CARD).read_bytes()
    status, output = run(root, capsys, "evidence", "--update")
    assert status == 1 and "cites eval#x, but in eval.json" in output, output
    assert (root / CARD).read_bytes() == before  # nothing written
    report = check_project(root, TODAY)
    [problem] = next(d for d in report.documents if d.path == CARD).evidence
    assert "\n" not in problem.message


@pytest.mark.parametrize("value", HOSTILE_NUMBERS.values(), ids=HOSTILE_NUMBERS.keys())
def test_a_number_of_unusable_size_is_refused(tmp_path, capsys, value):
    root = evidence_project(tmp_path, f'{{"x": {value}}}', "# R\n\nValue [1](evidence:eval#x).\n")
    status, output = run(root, capsys, "evidence", "--update")
    assert status == 1 and "Traceback" not in output, output


@pytest.mark.parametrize("csv_cell", ["<b>x</b>", "a]b", "`x`", "nan"])
def test_a_hostile_csv_cell_is_refused(tmp_path, capsys, csv_cell):
    source = f"model,acc\nlogreg,{csv_cell}\n"
    body = "# R\n\nValue [0.5](evidence:eval#acc@logreg).\n"
    root = evidence_project(tmp_path, source, body, name="eval.csv")
    status, output = run(root, capsys, "evidence", "--update")
    assert status == 1 and "cites eval#acc@logreg, but in eval.csv" in output, output


def test_plain_text_and_numbers_still_update(tmp_path, capsys):
    source = json.dumps({"model": "logreg (l2, C=1)".replace("=", " "), "acc": 0.8712})
    body = "# R\n\nModel [x](evidence:eval#model), accuracy [0.50](evidence:eval#acc).\n"
    root = evidence_project(tmp_path, source, body)
    status, output = run(root, capsys, "evidence", "--update")
    assert status == 0, output
    text = (root / CARD).read_text(encoding="utf-8")
    assert "[logreg (l2, C 1)](evidence:eval#model)" in text and "[0.87](evidence" in text


@pytest.mark.parametrize("cited", ["1" + "0" * 28, "1" + "0" * 60 + ".5", "0." + "0" * 90 + "1"])
def test_huge_and_tiny_cited_numbers_are_compared(tmp_path, capsys, cited):
    root = evidence_project(tmp_path, '{"x": 1e28}', f"# R\n\nValue [{cited}](evidence:eval#x).\n")
    status, output = run(root, capsys, "evidence", "--update")
    assert status in (0, 1) and "Traceback" not in output, output
    assert check_project(root, TODAY).documents


@pytest.mark.parametrize("source", ['"e\\0val.json"', '"e\\tval.json"', '"e\\x7fval.json"'])
def test_a_control_character_in_an_evidence_path_is_refused(tmp_path, capsys, source):
    root = make_project(
        tmp_path / "project",
        {"requirements": document("requirements", "# R\n\n[1](evidence:e#a)\n")},
    )
    with (root / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write(f"evidence:\n  e: {source}\n")
    status, output = run(root, capsys, "check", "--today", "2026-06-01")
    assert status == 1 and "holds a control character" in output, output
    assert "\0" not in output


def test_a_hard_linked_evidence_file_is_not_read(tmp_path, capsys):
    secret = tmp_path / "secret.json"
    secret.write_text('{"x": "hunter2"}', encoding="utf-8")
    root = evidence_project(tmp_path, "{}", "# R\n\nValue [old](evidence:eval#x).\n")
    (root / "eval.json").unlink()
    (root / "eval.json").hardlink_to(secret)
    status, output = run(root, capsys, "evidence", "--update")
    assert status == 1 and "hard link" in output and "hunter2" not in output, output


# --- the approval: who, and what it covers ------------------------------------------------


@pytest.mark.parametrize(
    "by",
    [
        "\N{CYRILLIC CAPITAL LETTER A}lice Smith",
        "ALICE SMITH",
        "Alice Sm\N{LATIN SMALL LETTER I WITH ACUTE}th",
        "alice.smith@example.org",
        "A. Person <ALICE@example.org>",
        "\N{FULLWIDTH LATIN CAPITAL LETTER A}lice Smith",
        "AIice Smith",
    ],
)
def test_the_owner_cannot_approve_under_a_look_alike_name(tmp_path, by):
    root = evidence_project(tmp_path, "{}", "# R\n\n## Scope\n\nDone.\n")
    with pytest.raises(approval.ApprovalError, match="is its owner"):
        approval.approve(root, Path(CARD), by, TODAY)


@pytest.mark.parametrize("hidden", ["\u200b", "\u202e", "\u2066", "\ufeff", "\x00", "\n", "\u3164"])
def test_hidden_characters_in_the_approver_s_name_are_refused(tmp_path, hidden):
    root = evidence_project(tmp_path, "{}", "# R\n\n## Scope\n\nDone.\n")
    before = (root / CARD).read_bytes()
    with pytest.raises(approval.ApprovalError, match="characters a reader cannot see") as error:
        approval.approve(root, Path(CARD), f"Bob{hidden} Jones", TODAY)
    assert "\n" not in str(error.value)
    assert (root / CARD).read_bytes() == before


@pytest.mark.parametrize("other", ["Bob Jones", "Alicia Smith", "bob@example.org", "Ali Smith"])
def test_other_people_are_told_apart(other):
    assert not identity.same_person("Alice Smith <alice@example.org>", other)


def test_a_hand_written_approver_with_hidden_characters_fails_the_check(tmp_path):
    root = evidence_project(tmp_path, "{}", "# R\n")
    path = root / CARD
    path.write_text(
        path.read_text().replace("status: draft", 'status: approved\n  approved_by: "Bo\\u200bb"')
    )
    problems = check_project(root, TODAY).problems
    assert any("characters a reader cannot see (U+200B)" in p.message for p in problems)


MODEL_CARD = """\
---
model-index:
  - name: router
    results:
      - metrics:
          - type: accuracy
            value: evidence:eval#acc
lifecycle:
  phase: requirements
  document: requirements
  status: draft
  owner: Alice
  performed_by: in-house
---
# Router

The body cites nothing.
"""


def test_the_approval_covers_evidence_the_hub_card_takes(tmp_path, capsys):
    root = evidence_project(tmp_path, '{"acc": 0.8712}', "# R\n")
    (root / CARD).write_text(MODEL_CARD, encoding="utf-8")
    approval.approve(root, Path(CARD), "Bob", TODAY)
    doc = next(d for d in check_project(root, TODAY).documents if d.path == CARD)
    assert doc.approval == "current"
    (root / "eval.json").write_text('{"acc": 0.12}', encoding="utf-8")
    doc = next(d for d in check_project(root, TODAY).documents if d.path == CARD)
    assert doc.approval == "changed"


# --- the site -----------------------------------------------------------------------------


def site_project(tmp_path: Path, site_dir: str, theme: str = "mkdocs") -> Path:
    root = make_project(tmp_path / "project")
    (root / "docs/index.md").write_text("# Overview\n", encoding="utf-8")
    yml = f"site_name: Tiny\ntheme: {theme}\nplugins: [lifecycle]\nsite_dir: {site_dir}\n"
    (root / "mkdocs.yml").write_text(yml, encoding="utf-8")
    return root


def sentinel(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "keep.txt").write_text("kept", encoding="utf-8")
    return folder / "keep.txt"


@pytest.mark.parametrize(
    "site_dir, why",
    [
        ("..", "holding it"),
        (".", "holding it"),
        ("docs/..", "holding it"),
        ("../sibling", "outside the project"),
        (".git/site", "inside .git"),
        ("docs", "holds the docs"),
        ("link-to-parent", "is a link"),
        ("link-to-sibling/site", "outside the project"),
    ],
)
def test_a_site_dir_a_build_must_not_empty_is_named(tmp_path, site_dir, why):
    root = site_project(tmp_path, "site")
    sentinel(tmp_path / "sibling")
    (root / "link-to-parent").symlink_to("..")
    (root / "link-to-sibling").symlink_to(tmp_path / "sibling")
    for typed in (False, True):
        assert why in plugin.site_dir_problem(root / site_dir, root, root / "docs", typed)


def test_a_new_folder_outside_is_refused_when_mkdocs_yml_names_it(tmp_path):
    root = site_project(tmp_path, "site")
    outside = root / "../new-folder"
    assert "leads outside the project" in plugin.site_dir_problem(outside, root, root / "docs")
    assert plugin.site_dir_problem(outside, root, root / "docs", typed=True) == ""


@pytest.mark.parametrize("site_dir", ["link-to-parent", "../sibling", "../new-folder"])
def test_a_build_stops_before_emptying_such_a_site_dir(tmp_path, caplog, site_dir):
    root = site_project(tmp_path, site_dir)
    (root / "link-to-parent").symlink_to("..")
    kept = [sentinel(tmp_path / "sibling"), sentinel(tmp_path)]
    with pytest.raises(Abort):
        build(load_config(str(root / "mkdocs.yml")))
    [line] = [r.getMessage() for r in caplog.records if "site_dir" in r.getMessage()]
    assert "refusing to build" in line and "\n" not in line
    assert all(path.read_text() == "kept" for path in kept)
    assert (root / "lifecycle.yml").is_file()


@pytest.mark.parametrize("site_dir", ["site", "build/site", "docs-site"])
def test_a_site_dir_inside_the_project_is_built(tmp_path, site_dir):
    root = site_project(tmp_path, site_dir)
    build(load_config(str(root / "mkdocs.yml")))
    assert (root / site_dir / "index.html").is_file()


@pytest.mark.parametrize("typed", ["new-folder", "built"])
def test_a_site_dir_the_user_types_outside_the_project_is_built_when_nothing_is_lost(
    tmp_path, typed
):
    root = site_project(tmp_path, "site")
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    build(load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / typed)))
    assert (tmp_path / typed / "index.html").is_file()


def test_a_site_dir_the_user_types_over_their_own_files_is_refused(tmp_path):
    root = site_project(tmp_path, "site")
    kept = sentinel(tmp_path / "notes")
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "notes"))
    with pytest.raises(Abort):
        build(config)
    assert kept.read_text() == "kept"


def test_front_matter_the_theme_prints_is_escaped_once(tmp_path):
    root = site_project(tmp_path, "site", theme="material")
    hostile = '"><script>alert(1)</script>'
    path = root / CARD
    text = path.read_text().replace("---\n", f"---\nstatus: '{hostile}'\nauthor: '{hostile}'\n", 1)
    path.write_text(text.replace("title: Requirements", "title: '<b>R</b>'"))
    build(load_config(str(root / "mkdocs.yml")))
    page = (root / "site/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "<b>R</b>" not in page
    assert "md-status--&#34;&gt;&lt;script&gt;" in page


@pytest.mark.parametrize("icon", ["../../../../etc/passwd", "material/no-such-icon", "[1]"])
def test_an_icon_the_theme_lacks_is_one_line(tmp_path, caplog, icon):
    root = site_project(tmp_path, "site", theme="material")
    (root / "docs/index.md").write_text(f"---\nicon: '{icon}'\n---\n# O\n", encoding="utf-8")
    with pytest.raises(Abort):
        build(load_config(str(root / "mkdocs.yml")))
    assert any("is not an icon of the theme" in r.getMessage() for r in caplog.records)


def test_escape_meta_takes_any_value():
    class Meta:
        def __init__(self):
            self.meta = {"status": ["<x>"], "title": Markup("kept &amp; once"), "subtitle": 3}

    page = Meta()
    plugin.escape_meta(page)
    assert page.meta == {
        "status": "[&#39;&lt;x&gt;&#39;]",
        "title": "kept &amp; once",
        "subtitle": "3",
    }


def rendered(markdown_text: str) -> str:
    converter = markdown.Markdown(
        extensions=list(MARKDOWN_EXTENSIONS), extension_configs=EXTENSION_CONFIGS
    )
    return converter.convert(markdown_text)


def status_box_html(body: str) -> str:
    page = parse(body, front_matter=False)
    text = derived.add_status_box(body, page.h1(), Document(path=CARD, status="draft"))
    html = rendered(text)
    return html[html.index('class="admonition') : html.index("</div>")]


@pytest.mark.parametrize(
    "body",
    [
        "# Requirements\n    Sneaked into the box.\n",
        "# Requirements\n\n    Sneaked into the box.\n",
        "    Sneaked into the box.\n\n# Requirements\n",
        "Requirements\n============\n\n    Sneaked into the box.\n",
    ],
    ids=["indented-after-h1", "after-a-blank", "no-h1", "setext"],
)
def test_the_page_s_own_text_never_enters_the_status_box(body):
    assert "Sneaked" not in status_box_html(body)


def test_a_placeholder_s_table_ends_before_the_page_s_text(tmp_path):
    root = make_project(tmp_path / "project")
    report = check_project(root, TODAY)
    text = derived.fill_placeholders(
        "<!-- lifecycle-status -->\n    Sneaked under the table.\n", report, "index.md"
    )
    assert text.index(derived.BLOCK_END) < text.index("Sneaked")


@pytest.mark.parametrize(
    "value", ['??? note "X"', "???+ warning", "- item", "1. first", "!!! danger"]
)
def test_a_value_never_opens_a_block_at_the_start_of_a_line(value):
    html = rendered(md_escape(value))
    assert html.startswith("<p>") and "<details" not in html and "<li>" not in html
    assert "admonition" not in html
    assert unescape(re.sub(r"<[^>]+>", "", html)).strip() == value


# --- bounds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, message",
    [
        ("[" * 4_500, "so many Markdown punctuation marks"),
        ("<a " * 4_500, "so many Markdown punctuation marks"),
        ("|" * (limits.MAX_TABLE_PIPES + 1), "table bars"),
        ("".join("    " * i + "- x\n" for i in range(60)), "indented over"),
        ("<div markdown>\n" * (limits.MAX_MARKDOWN_IN_HTML + 1), "blocks of HTML read as Markdown"),
    ],
    ids=["brackets", "inline-html", "table-bars", "nested-lists", "markdown-in-html"],
)
def test_what_the_site_s_renderer_stalls_on_is_refused(body, message):
    with pytest.raises(limits.Refused, match=message):
        parse(f"# R\n\n{body}\n")


def test_deep_indentation_inside_fenced_code_is_fine():
    code = "".join(" " * 300 + "x\n" for _ in range(3))
    assert parse(f"# R\n\n```\n{code}```\n").fences
