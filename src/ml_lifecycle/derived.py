"""Markdown derived from the checker's report at build time, never kept by
hand: the status box of a document, the status table of the overview, the
responsibilities table and the supplier summary. The site plugin and the
dossier both put these where a page holds their placeholder.

Values typed into documents are escaped (md_escape) so that they show as text.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from ml_lifecycle.documents import Document
from ml_lifecycle.markdown_model import Heading, Part
from ml_lifecycle.report import Report, next_review_text, performer
from ml_lifecycle.traceability import Requirement
from ml_lifecycle.vocabulary import (
    IN_HOUSE,
    MARKER,
    NO_VALUE,
    TRACEABILITY_TITLE,
    VALIDATION_DOCUMENT,
    md_escape,
)

STATUS_PLACEHOLDER = "<!-- lifecycle-status -->"
RESPONSIBILITIES_PLACEHOLDER = "<!-- lifecycle-responsibilities -->"
SUPPLIERS_PLACEHOLDER = "<!-- lifecycle-suppliers -->"
# Ends a generated block: a line at the margin that renders nothing, so that
# an indented line of the page's own text after it (after the H1, after a
# placeholder) is not read as more of the box.
BLOCK_END = "<!-- lifecycle-end -->"
STATUS_BOX = {
    "draft": ("warning", "Draft: not reviewed yet"),
    "in-review": ("info", "In review: not approved yet"),
    "approved": ("success", "Approved"),
    "retired": ("note", "Retired: kept for the record, no longer maintained"),
}


def docs_sources(report: Report) -> dict[str, Document]:
    """Documents by their path inside the documents' folder (as MkDocs names
    pages when that folder is its docs_dir)."""
    project = report.project
    found = ((project.in_docs(d.path), d) for d in report.documents)
    return {source: d for source, d in found if source is not None}


def _link(title: str, doc: Document, sources: dict[int, str], here: str) -> str:
    """A document's name, linked relative to the page when it is in the site."""
    if id(doc) not in sources:
        return title
    return f"[{title}]({quote(posixpath.relpath(sources[id(doc)], here))})"


def field_text(value: str) -> str:
    """A front-matter value as a page shows it: exactly as typed, except the
    TODO marker, which is highlighted as it is in the text."""
    return MARKER if value.strip() == MARKER else md_escape(value)


def _or_dash(value: str) -> str:
    return field_text(value) if value else NO_VALUE


# --- a document's page ---------------------------------------------------------


def status_box(doc: Document) -> str:
    """An admonition with the document's status; danger when it has problems."""
    kind, title = STATUS_BOX.get(doc.status, ("danger", "Status unknown"))
    if doc.problems:
        kind, title = "danger", f"{title}, with problems"
    facts = [
        f"**Owner:** {field_text(doc.owner) if doc.owner else 'not set'}",
        f"**Performed by:** {performer(doc, field_text) or 'not set'}",
        f"**Last reviewed:** {doc.last_reviewed or 'never'}",
        f"**Next review:** {md_escape(next_review_text(doc)) if doc.next_review else 'not set'}",
        f"**Unfilled prompts:** {doc.unfilled}",
    ]
    lines = [f'!!! {kind} lifecycle-status "{title}"', "", "    " + " · ".join(facts)]
    if doc.problems:
        lines += ["", "    Problems found by `ml-lifecycle check`:", ""]
        for problem in doc.problems:
            where = f"line {problem.line}: " if problem.line else ""
            lines.append(f"    - {md_escape(where + problem.message)}")
    return "\n".join(lines)


def add_status_box(markdown: str, title: Heading | None, doc: Document) -> str:
    """The status box right below the page's title, the H1 the Markdown
    model found (or at the top)."""
    box = f"{status_box(doc)}\n\n{BLOCK_END}"
    if title is None:
        return f"{box}\n\n{markdown}"
    lines = markdown.split("\n")
    head, rest = "\n".join(lines[: title.stop]), "\n".join(lines[title.stop :])
    return f"{head}\n\n{box}\n\n{rest.lstrip(chr(10))}"


def code_span(code: str) -> str:
    """Code as a Markdown code span, fenced by more backticks than it holds."""
    longest = run = 0
    for char in code:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    fence = "`" * (longest + 1)
    return f"{fence}{pad}{code}{pad}{fence}"


def inline_text(parts: tuple[Part, ...]) -> str:
    """Inline text read by the Markdown model, shown as written: text
    escaped, code as code."""
    return "".join(
        code_span(part.text) if part.kind == "code" else spaced_escape(part.text) for part in parts
    ).strip()


def spaced_escape(text: str) -> str:
    """md_escape, keeping one space where the text starts or ends with one
    (it meets a code span there)."""
    core = md_escape(text)
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and core else ""
    return lead + core + trail


# --- tables ------------------------------------------------------------------------


def status_table(report: Report, by_source: dict[str, Document], page_source: str) -> str:
    """The status of every document as a Markdown table, links relative to the page."""
    sources = {id(doc): source for source, doc in by_source.items()}
    titles = {phase.id: phase.title for phase in report.phases}
    here = posixpath.dirname(page_source) or "."
    # The stage is left out: the navigation and the figure group the phases
    # by stage, and a ninth column made the table wider than a desktop page.
    lines = [
        f"Status of every document on {report.today}, when this site was built.",
        "",
        "| # | Phase | Document | Status | Owner | Performed by | Unfilled prompts | Next review |",
        "| --- | --- | --- | --- | --- | --- | ---: | --- |",
    ]
    for doc in report.documents:
        status = md_escape(doc.status or "not set")
        if doc.problems:
            status += " (problems)"
        cells = [
            str(doc.phase_number or ""),
            md_escape(titles.get(doc.phase, doc.phase)),
            _link(md_escape(doc.title or doc.document), doc, sources, here),
            status,
            _or_dash(doc.owner),
            performer(doc, field_text) if doc.performed_by else NO_VALUE,
            str(doc.unfilled),
            md_escape(next_review_text(doc)) if doc.next_review else NO_VALUE,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if report.problems:
        count = len(report.problems)
        title = f"{count} problem found" if count == 1 else f"{count} problems found"
        lines += ["", f'!!! danger lifecycle-problems "{title} by ml-lifecycle check"', ""]
        lines += [f"    - {md_escape(problem)}" for problem in report.problems]
    return "\n".join(lines)


def pages_note(pages: dict[str, int], page_source: str, titles: dict[str, str]) -> str:
    """A line naming, by title, the other pages that still have unfilled prompts."""
    if not pages:
        return ""
    here = posixpath.dirname(page_source) or "."
    links = [
        f"[{md_escape(titles.get(source) or source)}]({quote(posixpath.relpath(source, here))})"
        f" ({unfilled})"
        for source, unfilled in pages.items()
    ]
    return "\n\nOther pages with unfilled prompts: " + ", ".join(links) + "."


def responsibilities_table(report: Report, by_source: dict[str, Document], page_source: str) -> str:
    """Who performs and who owns each document, from its front matter."""
    sources = {id(doc): source for source, doc in by_source.items()}
    titles = {phase.id: phase.title for phase in report.phases}
    here = posixpath.dirname(page_source) or "."
    lines = [
        "| # | Activity | Document | Performed by | Provider | Accountable owner |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for doc in report.documents:
        cells = [
            str(doc.phase_number or ""),
            md_escape(titles.get(doc.phase, doc.phase)),
            _link(md_escape(doc.title or doc.document), doc, sources, here),
            _or_dash(doc.performed_by),
            _or_dash(doc.provider if doc.performed_by != IN_HOUSE else ""),
            _or_dash(doc.owner),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def supplier_summary(report: Report, by_source: dict[str, Document], page_source: str) -> str:
    """The documents whose activity is not done in-house, by provider."""
    sources = {id(doc): source for source, doc in by_source.items()}
    here = posixpath.dirname(page_source) or "."
    outside = [d for d in report.documents if d.performed_by and d.performed_by != IN_HOUSE]
    if not outside:
        return "No document names a third party or an automated system yet."
    lines = [
        "| Provider | Performed by | # | Document |",
        "| --- | --- | --- | --- |",
    ]
    for doc in sorted(outside, key=lambda d: d.provider.casefold()):
        cells = [
            _or_dash(doc.provider),
            md_escape(doc.performed_by),
            str(doc.phase_number or ""),
            _link(md_escape(doc.title or doc.document), doc, sources, here),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- traceability ------------------------------------------------------------------


def _page_link(text: str, path: str, here: str, docs_dir: str) -> str:
    """`text` linked to a project path when that path is a page in the
    documents' folder `docs_dir`."""
    prefix = f"{docs_dir}/"
    if not path.startswith(prefix):
        return text
    return f"[{text}]({quote(posixpath.relpath(path.removeprefix(prefix), here))})"


def _requirement_row(requirement: Requirement, here: str, docs_dir: str) -> str:
    signals = "; ".join(
        _page_link(md_escape(m["signal"]), m["path"], here, docs_dir)
        for m in requirement.monitored_in
    )
    verified = requirement.verified_in[0]["path"] if requirement.verified_in else ""
    result = md_escape(requirement.result) if requirement.result else "not verified"
    cells = [
        _page_link(md_escape(requirement.id), requirement.path, here, docs_dir),
        inline_text(requirement.parts) or NO_VALUE,
        _or_dash(requirement.method),
        _page_link(result, verified, here, docs_dir) if verified else result,
        signals or NO_VALUE,
    ]
    return "| " + " | ".join(cells) + " |"


def traceability_page(report: Report, page_source: str) -> str:
    """The derived traceability page: each requirement, how it was verified
    and with what result, and the monitoring signals that cite it."""
    trace = report.traceability
    here = posixpath.dirname(page_source) or "."
    validation = next((d for d in report.documents if d.document == VALIDATION_DOCUMENT), None)
    lines = [
        f"# {TRACEABILITY_TITLE}",
        "",
        f"Every requirement on {report.today}, when this page was built from the "
        "requirements tables, the rows of the V&V report and the monitoring plan. "
        "Change those documents, not this page.",
        "",
        "| ID | Requirement | Method | Result | Monitoring signals |",
        "| --- | --- | --- | --- | --- |",
        *(_requirement_row(r, here, report.project.docs_dir) for r in trace.requirements),
    ]
    if trace.findings:
        count = len(trace.findings)
        kind = "danger" if trace.enforced else "warning"
        status = validation.status if validation else "missing"
        title = f"{count} finding{'s' if count != 1 else ''}"
        title += "" if trace.enforced else f" (not failing yet: the V&V report is {status})"
        lines += ["", f'!!! {kind} lifecycle-traceability "{md_escape(title)}"', ""]
        lines += [f"    - {md_escape(finding)}" for finding in trace.findings]
    return "\n".join(lines) + "\n"


def in_docs(report: Report, by_path: dict) -> dict:
    """Entries keyed by project path, keyed by their path inside the
    documents' folder (those outside it left out)."""
    found = ((report.project.in_docs(path), value) for path, value in by_path.items())
    return {source: value for source, value in found if source is not None}


def fill_placeholders(
    markdown: str,
    report: Report,
    page_source: str,
    by_source: dict[str, Document] | None = None,
    pages: dict[str, int] | None = None,
    titles: dict[str, str] | None = None,
) -> str:
    """Replace each placeholder in a page with its derived table. Paths are
    inside the documents' folder; by default the report's own paths are used."""
    if "<!-- lifecycle-" not in markdown:
        return markdown
    by_source = docs_sources(report) if by_source is None else by_source
    if pages is None:
        pages = in_docs(report, report.pages)
    if titles is None:
        titles = in_docs(report, report.page_titles)
    if STATUS_PLACEHOLDER in markdown:
        table = status_table(report, by_source, page_source) + pages_note(
            pages, page_source, titles
        )
        markdown = markdown.replace(STATUS_PLACEHOLDER, f"\n\n{table}\n\n{BLOCK_END}\n\n", 1)
    for placeholder, render in (
        (RESPONSIBILITIES_PLACEHOLDER, responsibilities_table),
        (SUPPLIERS_PLACEHOLDER, supplier_summary),
    ):
        if placeholder in markdown:
            table = render(report, by_source, page_source)
            markdown = markdown.replace(placeholder, f"\n\n{table}\n\n{BLOCK_END}\n\n", 1)
    return markdown
