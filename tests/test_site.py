"""The generated site builds strictly offline and has a page per phase; the
`lifecycle` plugin derives its navigation, status table, responsibilities and
supplier summary from the documents' front matter."""

from __future__ import annotations

import html
import re
import shutil
import sys

import pytest
from conftest import EVERYTHING_ON, PHASES, REMOTE_LOAD, phase_documents

pytestmark = pytest.mark.slow


def test_default_site_builds_strict(default_site):
    assert (default_site / "index.html").is_file()


@pytest.mark.parametrize("document", phase_documents())
def test_every_document_has_a_page(default_site, document):
    page = default_site / document.removeprefix("docs/").removesuffix(".md") / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "<mark>TODO</mark>" in text, "the unfilled marker is not visible"


def visible_text(page_html: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def visible_outside_code(page_html: str) -> str:
    return visible_text(re.sub(r"<(code|pre)\b.*?</\1>", " ", page_html, flags=re.DOTALL))


@pytest.mark.slow
def test_an_unfilled_front_matter_value_is_highlighted_not_shown_raw(baked):
    """A third party's provider starts as the TODO marker: the status box,
    the status table and the responsibilities page highlight it, as the text
    does, and never print `==TODO==` raw."""
    site = baked(**EVERYTHING_ON).build()
    card = (site / "04-building" / "model-card" / "index.html").read_text(encoding="utf-8")
    box = card[card.index("lifecycle-status") :]
    box = box[: box.index("</div>")]
    assert "third-party (<mark>TODO</mark>)" in box, box
    raw = {
        page.relative_to(site).as_posix()
        for page in site.rglob("*.html")
        if "==TODO==" in visible_outside_code(page.read_text(encoding="utf-8"))
    }
    assert raw == set(), f"pages print the marker raw: {sorted(raw)}"


def test_the_404_page_leads_back_to_the_overview(default_site):
    """Without a published address (no site_url), the server's root."""
    page = (default_site / "404.html").read_text(encoding="utf-8")
    assert "<h1>Page not found</h1>" in page
    assert '<a href="/">Go to the overview</a>' in page


def test_navigation_lists_every_phase(default_site):
    text = visible_text((default_site / "index.html").read_text(encoding="utf-8"))
    for phase in PHASES:
        assert f"{phase['number']}. {phase['title']}" in text


def test_site_needs_no_network(default_site):
    """No page loads a script, image, font or stylesheet from another host
    (plain links to other sites are fine)."""
    for page in default_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loads = [
            m.group(0) for m in REMOTE_LOAD.finditer(text) if 'rel="canonical"' not in m.group(0)
        ]
        assert loads == [], f"{page} loads {loads}"
    for css in default_site.rglob("*.css"):
        assert "url(http" not in css.read_text(encoding="utf-8"), css
    assert (default_site / "assets" / "lifecycle.svg").is_file()
    assert (default_site / "assets" / "lifecycle-narrow.svg").is_file()


# --- what the `lifecycle` plugin derives -------------------------------------------


def nav_links(page_html: str) -> list[str]:
    """The page links of the primary navigation, in order (no in-page anchors)."""
    start = page_html.index("md-nav--primary")
    block = page_html[start : page_html.index("md-content", start)]
    links = re.findall(r'<a href="([^"]+)"[^>]*class="md-nav__link', block)
    return [link for link in links if not link.startswith("#")]


def as_link(source: str) -> str:
    """The directory URL of a page source under docs/, relative to the site root."""
    return source.removeprefix("docs/").removesuffix(".md") + "/"


def table_after(page_html: str, marker: str) -> list[list[str]]:
    """Visible cell texts of the first table after `marker`."""
    table = page_html.split(marker, 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)[1:]
    return [[visible_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def test_navigation_follows_the_lifecycle(default_site):
    """Overview, then every document by phase in the template's order (the
    update plan before the retirement plan), then the pages across the
    lifecycle; stages and numbered phases as section titles."""
    page = (default_site / "index.html").read_text(encoding="utf-8")
    expected = [as_link(path) for path in phase_documents()]
    expected += ["iteration-log/", "responsibilities/", "guide/"]
    assert nav_links(page) == [".", *expected]
    text = visible_text(page)
    stages = ["Design & development", "Deployment", "Across the lifecycle"]
    assert [text.index(stage) for stage in stages] == sorted(text.index(s) for s in stages)


NEW_DOCUMENT = """---
title: Experiment log
lifecycle:
  phase: building
  document: experiment-log
  status: draft
  owner: 'Lab lead'
  performed_by: automated
  provider: 'AutoML service'
  last_reviewed: null
---

# Experiment log

Which runs were tried, and why. ==TODO==
"""


def test_adding_a_document_needs_no_other_edit(bake):
    project = bake()
    source = "docs/04-building/experiment-log.md"
    (project.path / source).write_text(NEW_DOCUMENT, encoding="utf-8")
    check = project.run(sys.executable, "-m", "ml_lifecycle", "check")
    assert check.returncode == 0, check.stdout
    assert re.search(r"^4 building +experiment-log +draft +Lab lead", check.stdout, re.M)
    site = project.build()
    overview = (site / "index.html").read_text(encoding="utf-8")
    links = nav_links(overview)
    position = links.index(as_link(source))
    # In its phase, after the documents the template gave it.
    assert links[position - 1] == as_link("docs/04-building/model-card.md")
    assert links[position + 1] == as_link("docs/05-validation/validation-report.md")
    rows = table_after(overview, "Status of every document on")
    row = next(row for row in rows if row[2] == "Experiment log")
    assert row[:4] == ["4", "Building", "Experiment log", "draft"]
    assert row[5] == "automated (AutoML service)"
    page = (site / as_link(source) / "index.html").read_text(encoding="utf-8")
    assert 'class="admonition warning lifecycle-status"' in page


def test_responsibilities_follow_the_front_matter(bake):
    project = bake(third_parties="outsourced-development")
    model_card = project.path / "docs/04-building/model-card.md"
    text = model_card.read_text(encoding="utf-8")
    # Outsourced development makes the model card third-party, provider to fill.
    assert "  performed_by: third-party" in text
    text = text.replace("  provider: '==TODO=='", "  provider: 'Acme <Analytics> Ltd'", 1)
    model_card.write_text(text, encoding="utf-8")
    site = project.build()
    page = (site / "responsibilities" / "index.html").read_text(encoding="utf-8")
    rows = {row[2]: row for row in table_after(page, "<table>")}
    assert len(rows) == len(phase_documents())
    assert rows["Model card"][3:5] == ["third-party", "Acme <Analytics> Ltd"]
    assert rows["Data card"][3:5] == ["in-house", "—"]
    assert "<Analytics>" not in page, "a typed value must reach the page as text"
    register = (site / "supplier-register" / "index.html").read_text(encoding="utf-8")
    [summary] = table_after(register, "Documents done outside the team")
    assert summary == ["Acme <Analytics> Ltd", "third-party", "4", "Model card"]


def test_plugin_refuses_a_document_linked_from_outside_the_project(bake, tmp_path):
    project = bake()
    secret = tmp_path / "private-notes.md"
    secret.write_text("---\ntitle: Private\n---\n\n# Private\n", encoding="utf-8")
    (project.path / "docs/04-building/notes.md").symlink_to(secret)
    result = project.run(sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site")
    assert result.returncode != 0
    assert "04-building/notes.md links to a file outside the project" in result.stderr
    assert "outside the project" in result.stderr and "Traceback" not in result.stderr
    assert not (project.path / "site" / "04-building" / "notes").exists()
    check = project.run(sys.executable, "-m", "ml_lifecycle", "check")
    assert "docs/04-building/notes.md: links to a file outside the project" in check.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_baked_make_targets_check_and_build(bake):
    """`make check` and `make docs` as a team runs them, with this
    interpreter's tools standing in for the project's .venv (`-o`: take them
    as installed; tests run offline)."""
    project = bake()
    check = project.make_with_tools("check")
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "No problems." in check.stdout
    docs = project.make_with_tools("docs")
    assert docs.returncode == 0, docs.stdout[-2000:] + docs.stderr[-2000:]
    overview = (project.path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Status of every document on" in overview
