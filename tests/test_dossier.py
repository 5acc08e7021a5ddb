"""`ml-lifecycle dossier` writes one printable HTML file with a cover page and
every lifecycle document, in phase order, with its status."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys

import pytest
from conftest import PHASES, BakedProject, option_defaults, phase_documents

from ml_lifecycle.markdown_model import parse

DOSSIER = "dossier/dossier.html"
SECTION = re.compile(r'<section class="document" id="([^"]+)">.*?<h1[^>]*>(.*?)</h1>', re.DOTALL)
COVER = re.compile(r'<section class="cover">(.*?)</section>', re.DOTALL)
STATUS_ROW = re.compile(
    r'<tr><td>[^<]*</td><td><a href="#([^"]+)">([^<]*)</a></td>'
    r'<td><span class="status status-[a-z-]+">([^<]*)</span></td>'
    r'<td>([^<]*)</td><td>[^<]*</td><td>[^<]*</td><td class="number">(\d+)</td></tr>'
)
CROSS_CUTTING = ["Iteration log", "Who performs each activity"]
DOSSIER_COMMAND = (sys.executable, "-m", "ml_lifecycle", "dossier")


def make_dossier(project: BakedProject, *args: str) -> str:
    result = project.run(*DOSSIER_COMMAND, "--date", "2026-09-30", *args)
    assert result.returncode == 0, result.stderr
    assert "Wrote dossier/dossier.html" in result.stdout
    return project.read(DOSSIER)


def expected_titles(answers: dict) -> list[str]:
    """Titles of the lifecycle documents in lifecycle order (by phase, then
    in the template's order, as the site lists them), from cookiecutter.json."""
    titles = {
        f"docs/{phase['folder']}/{doc['id']}.md": doc["title"]
        for phase in PHASES
        for doc in phase["documents"]
    }
    return [titles[path] for path in phase_documents(answers)]


def section_titles(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", title)) for _, title in SECTION.findall(page)]


@pytest.mark.parametrize(
    "answers",
    [
        {},
        pytest.param(
            {"risk_level": "high", "third_parties": "several", "crosswalk": "all"},
            marks=pytest.mark.slow,
        ),
        pytest.param(
            {"risk_level": "limited", "task_kind": "generative", "update_mode": "static"},
            marks=pytest.mark.slow,
        ),
    ],
    ids=["defaults", "high-risk-everything", "limited-generative"],
)
def test_every_document_in_phase_order(bake, answers):
    page = make_dossier(bake(**answers))
    titles = section_titles(page)
    lifecycle_titles = expected_titles(answers)
    assert titles[: len(lifecycle_titles)] == lifecycle_titles
    records = titles[len(lifecycle_titles) :]
    assert records[: len(CROSS_CUTTING)] == CROSS_CUTTING
    if {**option_defaults(), **answers}["third_parties"] != "none":
        assert "Supplier register" in records
    assert "How to fill in these documents" not in titles  # the guide is not a record
    cover = COVER.search(page).group(1)
    assert [html.unescape(title) for _, title, *_ in STATUS_ROW.findall(cover)] == (
        lifecycle_titles
    )


def test_cover_page(bake):
    name = 'Ticket <Router> & "Co"'
    project = bake(
        project_name=name,
        project_slug="ticket-router",
        organisation="Acme <Support>",
        owner_name="Dana O'Neil",
        owner_email="dana@example.org",
        risk_level="high",
    )
    page = make_dossier(project)
    assert page.startswith("<!DOCTYPE html>")
    cover = COVER.search(page).group(1)
    assert html.unescape(re.search(r"<h1>([^<]*)</h1>", cover).group(1)) == name
    assert "Acme &lt;Support&gt;" in cover and "<Support>" not in page
    assert "Dana O'Neil <dana@example.org>" in html.unescape(cover) and "<dana" not in page
    assert "<tr><th>Risk level</th><td>High</td></tr>" in cover  # the label, as on the site
    assert "2026-09-30" in cover
    rows = STATUS_ROW.findall(cover)
    assert len(rows) == len(expected_titles({"risk_level": "high"}))
    assert {status for _, _, status, _, _ in rows} == {"draft"}
    assert "make check found no problems" in cover
    # A value not given yet shows as one symbol in every column.
    cells = re.findall(r"<td>([^<]*)</td>", cover[cover.index("<tbody>") :])
    assert "—" in cells and not {"-", ""} & set(cells)
    # Unfilled prompts per document, as counted in the files themselves.
    for path, (anchor, *_, unfilled) in zip(
        phase_documents({"risk_level": "high"}), rows, strict=True
    ):
        assert anchor == "doc-" + path.removeprefix("docs/").removesuffix(".md").replace("/", "-")
        assert int(unfilled) == len(parse(project.read(path)).prompts)


def test_banner_shows_what_the_front_matter_says(bake):
    project = bake()
    path = project.path / "docs/03-data/data-card.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  status: draft", "  status: in-review", 1)
    text = text.replace("  owner: ''", "  owner: 'Data <Lead>'", 1)
    text = text.replace("  last_reviewed: null", "  last_reviewed: 2026-09-01", 1)
    path.write_text(text, encoding="utf-8")
    page = make_dossier(project)
    section = page[page.index('id="doc-03-data-data-card"') :]
    section = section[: section.index("</section>")]
    banner = section[section.index('<dl class="banner">') : section.index("</dl>")]
    assert '<span class="status status-in-review">in-review</span>' in banner
    assert "Data &lt;Lead&gt;" in banner and "<Lead>" not in page
    assert "2026-09-01" in banner and "2027-02-28" in banner  # + 180 days
    assert "<dd>-</dd>" not in page
    # The checker's finding shows on the document and on the cover.
    assert "in-review but" in section and "still unfilled" in section
    assert "Problems found by make check" in COVER.search(page).group(1)


def test_banner_highlights_an_unfilled_provider(bake):
    """The provider a third party's document starts with is the TODO marker:
    the banner highlights it as the text does."""
    page = make_dossier(bake(third_parties="pretrained-models"))
    section = page[page.index('id="doc-04-building-model-card"') :]
    banner = section[section.index('<dl class="banner">') : section.index("</dl>")]
    assert "third-party (<mark>TODO</mark>)" in banner, banner
    assert "==TODO==" not in banner
    # The words the site's status box uses for what is not set yet.
    assert "<dt>Owner</dt><dd><em>not set</em></dd>" in banner
    assert "<dt>Next review</dt><dd><em>not set</em></dd>" in banner


def test_dossier_stands_alone_and_prints(default_project, tmp_path):
    out = tmp_path / "alone.html"
    result = default_project.run(*DOSSIER_COMMAND, "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "<link" not in page and "<script" not in page
    assert not re.search(r'src="(?!data:)', page), "an image is not embedded"
    assert "@media print" in page and "break-after: page" in page
    # Each heading id is unique, and every in-page link has a target.
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    targets = set(re.findall(r'href="#([^"]+)"', page))
    assert targets and targets <= set(ids)
    # Links between documents point into the dossier, not at Markdown files.
    assert not re.search(r'href="[^"]*\.md', page)
    assert 'href="#doc-01-problem-definition-problem-definition"' in page
    # The unfilled marker stays visible.
    assert "<mark>TODO</mark>" in page


def test_errors_are_one_line(tmp_path, default_project):
    result = subprocess.run(
        [*DOSSIER_COMMAND, "--root", str(tmp_path), "--out", str(tmp_path / "x.html")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {tmp_path} is not a lifecycle project")
    assert result.stderr.count("\n") == 1
    bad_date = default_project.run(*DOSSIER_COMMAND, "--date", "2026-13-40")
    assert bad_date.returncode == 2
    assert "is not a date" in bad_date.stderr and "Traceback" not in bad_date.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.slow
@pytest.mark.skipif(not (CHROMIUM and PDFTOTEXT), reason="needs chromium and pdftotext")
def test_printed_to_pdf_keeps_every_title_in_order(bake, tmp_path):
    answers = {"risk_level": "high"}
    project = bake(**answers)
    make_dossier(project)
    pdf = tmp_path / "dossier.pdf"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            (project.path / DOSSIER).as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    position = text.index("Lifecycle dossier".upper())
    for title in [*expected_titles(answers), *CROSS_CUTTING]:
        # Each title after the cover's status table, in order.
        found = text.find(f"\n{title}\n", position)
        assert found > 0, f"{title!r} missing or out of order in the PDF"
        position = found
