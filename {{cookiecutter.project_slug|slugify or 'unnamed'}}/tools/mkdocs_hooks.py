"""mkdocs hooks: lifecycle status in the site, from the same code as `make check`.

- Each lifecycle document's page opens with a box giving its status, owner,
  review dates and unfilled prompts, so a draft is never read as approved.
- The `<!-- lifecycle-status -->` placeholder (on the overview page) becomes a
  table of every document's status, computed when the site is built.

Registered under `hooks:` in mkdocs.yml. Values typed into documents are
escaped so that they show as text. Nothing here fails the build: `make check`
is the gate.
"""

from __future__ import annotations

import importlib.util
import posixpath
import re
import sys
from datetime import date
from pathlib import Path
from urllib.parse import quote

PLACEHOLDER = "<!-- lifecycle-status -->"
FIRST_H1 = re.compile(r"^#[ \t]+.*$", re.M)
STATUS_BOX = {
    "draft": ("warning", "Draft: not reviewed yet"),
    "in-review": ("info", "In review: not approved yet"),
    "approved": ("success", "Approved"),
    "retired": ("note", "Retired: kept for the record, no longer maintained"),
}


def _load_checker():
    """tools/lifecycle.py, imported by path so the site uses the checker's code."""
    path = Path(__file__).resolve().with_name("lifecycle.py")
    spec = importlib.util.spec_from_file_location("lifecycle_checker", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


lifecycle = _load_checker()
md_escape = lifecycle.md_escape
_state: dict = {}


def on_pre_build(config) -> None:
    """Check the project once per build (and per rebuild under `mkdocs serve`)."""
    root = Path(config.config_file_path).resolve().parent
    report = lifecycle.check_project(root, date.today())
    docs_dir = Path(config.docs_dir).resolve()
    _state["report"] = report
    _state["by_source"] = in_docs_dir({doc.path: doc for doc in report.documents}, root, docs_dir)
    _state["pages"] = in_docs_dir(report.pages, root, docs_dir)


def in_docs_dir(by_path: dict, root: Path, docs_dir: Path) -> dict:
    """Entries keyed by project path, re-keyed by their path in docs_dir
    (as mkdocs names page sources); those outside docs_dir are left out."""
    found = {}
    for path, value in by_path.items():
        source = (root / path).resolve()
        if source.is_relative_to(docs_dir):
            found[source.relative_to(docs_dir).as_posix()] = value
    return found


def on_page_markdown(markdown: str, page, config, files) -> str:
    by_source = _state.get("by_source", {})
    doc = by_source.get(page.file.src_uri)
    if doc is not None:
        markdown = add_status_box(markdown, doc)
    if PLACEHOLDER in markdown:
        table = status_table(_state["report"], by_source, page.file.src_uri)
        table += pages_note(_state["pages"], page.file.src_uri)
        markdown = markdown.replace(PLACEHOLDER, f"\n\n{table}\n\n", 1)
    return markdown


def status_box(doc) -> str:
    """An admonition with the document's status; danger when it has problems."""
    kind, title = STATUS_BOX.get(doc.status, ("danger", "Status unknown"))
    if doc.problems:
        kind, title = "danger", f"{title}, with problems"
    performer = md_escape(lifecycle.performer(doc) or "not set")
    next_review = md_escape(lifecycle.next_review_text(doc)) if doc.next_review else "not set"
    facts = [
        f"**Owner:** {md_escape(doc.owner) if doc.owner else 'not set'}",
        f"**Performed by:** {performer}",
        f"**Last reviewed:** {doc.last_reviewed or 'never'}",
        f"**Next review:** {next_review}",
        f"**Unfilled prompts:** {doc.unfilled}",
    ]
    lines = [f'!!! {kind} lifecycle-status "{title}"', "", "    " + " · ".join(facts)]
    if doc.problems:
        lines += ["", "    Problems found by `make check`:", ""]
        for problem in doc.problems:
            where = f"line {problem.line}: " if problem.line else ""
            lines.append(f"    - {md_escape(where + problem.message)}")
    return "\n".join(lines)


def add_status_box(markdown: str, doc) -> str:
    """The status box right below the page's title (or at the top)."""
    box = status_box(doc)
    heading = FIRST_H1.search(markdown)
    if heading is None:
        return f"{box}\n\n{markdown}"
    end = heading.end()
    return f"{markdown[:end]}\n\n{box}\n\n{markdown[end:].lstrip(chr(10))}"


def pages_note(pages: dict, page_source: str) -> str:
    """A line naming the other pages that still have unfilled prompts."""
    if not pages:
        return ""
    here = posixpath.dirname(page_source) or "."
    links = [
        f"[{md_escape(source)}]({quote(posixpath.relpath(source, here))}) ({unfilled})"
        for source, unfilled in pages.items()
    ]
    return "\n\nOther pages with unfilled prompts: " + ", ".join(links) + "."


def status_table(report, by_source: dict, page_source: str) -> str:
    """The status of every document as a Markdown table, links relative to the page."""
    sources = {id(doc): source for source, doc in by_source.items()}
    titles = {phase.id: phase.title for phase in report.phases}
    here = posixpath.dirname(page_source) or "."
    lines = [
        f"Status of every document on {report.today}, when this site was built.",
        "",
        "| # | Phase | Document | Status | Owner | Performed by | Unfilled prompts | Next review |",
        "| --- | --- | --- | --- | --- | --- | ---: | --- |",
    ]
    for doc in report.documents:
        name = md_escape(doc.title or doc.document)
        if id(doc) in sources:
            target = posixpath.relpath(sources[id(doc)], here)
            name = f"[{name}]({quote(target)})"
        status = md_escape(doc.status or "not set")
        if doc.problems:
            status += " (problems)"
        cells = [
            str(doc.phase_number or ""),
            md_escape(titles.get(doc.phase, doc.phase)),
            name,
            status,
            md_escape(doc.owner) if doc.owner else "—",
            md_escape(lifecycle.performer(doc)) if doc.performed_by else "—",
            str(doc.unfilled),
            md_escape(lifecycle.next_review_text(doc)) if doc.next_review else "—",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if report.problems:
        count = len(report.problems)
        title = f"{count} problem found" if count == 1 else f"{count} problems found"
        lines += ["", f'!!! danger lifecycle-problems "{title} by make check"', ""]
        lines += [f"    - {md_escape(problem)}" for problem in report.problems]
    return "\n".join(lines)
