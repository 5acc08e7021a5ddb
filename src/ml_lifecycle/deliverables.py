"""Deliverables built from the documents point by point: the EU declaration of
conformity (declaration.py) and the instructions for use (instructions.py).

A lifecycle document names where each point comes from, in a table under a
known heading ("EU declaration of conformity", "Instructions for use"): one
row per point, its number in the first column, what it states in the
second, a fixed wording where the point has one (a column whose header
holds "wording"), and links to the sections that answer it (a column whose
header holds "source"). The template renders these tables from its
crosswalk data; a team may point a row at another section.

A point's text is what its sections answer: the blocks under the heading
without the questions and their examples, with links to other pages as
plain text and cited evidence as plain values. A section that holds no
answer, or still has an unfilled prompt, leaves its point missing.
"""

from __future__ import annotations

import html
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown.extensions.toc import slugify

from ml_lifecycle import limits
from ml_lifecycle.adopt.record import recorded_answers
from ml_lifecycle.derived import code_span as code
from ml_lifecycle.documents import Document
from ml_lifecycle.evidence.site import plain_values
from ml_lifecycle.markdown_model import Heading, Page, Table, parse
from ml_lifecycle.reader_view import is_purpose
from ml_lifecycle.report import Report
from ml_lifecycle.rules import check_project, same_heading
from ml_lifecycle.vocabulary import APPROVED

ANSWERS = ".cookiecutter-answers.yaml"  # a bake's; an adoption's are in its record
CONFIG = "mkdocs.yml"
NO_VALUE = {"", "\N{EM DASH}", "-", "\N{EN DASH}"}  # a cell that gives nothing
SCHEMES = ("http://", "https://", "mailto:", "#")


class DeliverableError(Exception):
    """A deliverable cannot be written; the message says why (one line, or a
    summary line followed by one indented line per item)."""


@dataclass
class Source:
    """A section a point is taken from."""

    label: str  # the link's text, e.g. "Route to market, Signatory"
    path: str  # the page, relative to the project
    anchor: str  # the section's id; empty for the whole page
    text: str = ""  # what the section answers, as Markdown
    problem: str = ""  # why it gives no text


@dataclass
class Point:
    item: str  # "1", "(b)(ii)"
    asks: str  # what the point states or gives
    wording: str  # a fixed wording, or ""
    sources: list[Source] = field(default_factory=list)
    line: int = 0  # of its row

    @property
    def problems(self) -> list[str]:
        found = [source.problem for source in self.sources if source.problem]
        if not self.sources and not self.wording:
            found.append("names no source section and no fixed wording")
        return found

    @property
    def missing(self) -> bool:
        return bool(self.problems)

    @property
    def text(self) -> str:
        parts = [self.wording] if self.wording else []
        parts += [source.text for source in self.sources if source.text]
        return "\n\n".join(parts)


@dataclass
class PointTable:
    """A table of points and their sources, and the documents it draws on."""

    path: str  # the document that holds the table
    heading: str
    points: list[Point]
    report: Report

    @property
    def drawn_on(self) -> list[str]:
        """The pages the deliverable takes text from, the table's own first."""
        paths = [self.path] + [s.path for p in self.points for s in p.sources if s.path]
        return list(dict.fromkeys(paths))

    def unapproved(self) -> list[str]:
        """A line for each page drawn on that is not approved as it stands."""
        documents = {doc.path: doc for doc in self.report.documents}
        lines = []
        for path in self.drawn_on:
            doc = documents.get(path)
            if doc is None:
                lines.append(f"{code(path)} is not a lifecycle document, so nobody approves it")
            elif doc.status != APPROVED:
                lines.append(f"{code(path)} is {doc.status or 'without a status'}, not approved")
            elif doc.approval != "current":
                lines.append(f"{code(path)} changed since its approval: approve it again")
        return lines

    def missing(self) -> list[str]:
        return [
            f"point {point.item}: {problem}" for point in self.points for problem in point.problems
        ]


# --- finding the table -----------------------------------------------------------


def readable_report(root: Path, today) -> Report:
    """The project checked as on `today`. Raises DeliverableError when the
    checker refused to read part of it: a deliverable drawn from a project
    read in part would leave out what it refused."""
    report = check_project(root, today)
    refused = [problem for problem in report.problems if problem.refused]
    if refused:
        listed = "\n".join(f"  - {problem}" for problem in refused)
        raise DeliverableError(f"refusing to read the project; run `ml-lifecycle check`:\n{listed}")
    return report


def find_table(report: Report, title: str) -> PointTable | None:
    """The first table of points and sources under a heading `title` in a
    lifecycle document, with each point's text read from its sections."""
    for doc in report.documents:
        page = doc.page
        if page is None:
            continue
        for heading in page.headings:
            if not same_heading(heading.text, title):
                continue
            for table in page.tables:
                if heading.index < table.line - 1 < heading.end and columns(table):
                    points = read_points(report, doc, page, table)
                    return PointTable(doc.path, heading.text, points, report)
    return None


def columns(table: Table) -> tuple[int, int | None, int] | None:
    """The columns of what a point states, its fixed wording and its
    sources; None when the table is not one of points and sources."""
    header = [" ".join(cell.casefold().split()) for cell in header_texts(table)]
    source = next((i for i, text in enumerate(header) if "source" in text), None)
    if source is None or not header or "point" not in header[0] or len(header) < 3:
        return None
    wording = next((i for i, text in enumerate(header) if "wording" in text), None)
    return 1, wording, source


def header_texts(table: Table) -> list[str]:
    from ml_lifecycle.markdown_model import plain

    return [plain(cell) for cell in table.header]


def read_points(report: Report, doc: Document, page: Page, table: Table) -> list[Point]:
    asks, wording, source = columns(table)
    points = []
    for row in table.rows:
        texts = row.texts
        if not texts or not texts[0].strip():
            continue
        cell = texts[wording].strip() if wording is not None and wording < len(texts) else ""
        point = Point(
            item=texts[0].strip(),
            asks=texts[asks].strip() if asks < len(texts) else "",
            wording="" if cell in NO_VALUE else cell,
            line=row.line,
        )
        for link in cell_links(page, row, source):
            point.sources.append(resolve(report, doc.path, link.text, link.target))
        points.append(point)
    return points


def cell_links(page: Page, row, column: int) -> list:
    """The links in one cell of a table row."""
    if column >= len(row.tokens):
        return []
    token = row.tokens[column]
    within = token.meta.get("column")
    if within is None:
        return []
    start = page.offset(row.line - 1) + within  # row.line counts from 1
    end = start + len(token.content)
    return [
        link
        for link in page.links
        if link.line == row.line and link.start is not None and start <= link.start < end
    ]


# --- a point's sources -------------------------------------------------------------


def resolve(report: Report, from_path: str, label: str, target: str) -> Source:
    """The section a link names, read for its answer."""
    label = " ".join(label.split())
    address, _, anchor = target.partition("#")
    if target.startswith(SCHEMES) or not address.endswith(".md"):
        problem = f"its source {code(target)} is not a page of the project"
        return Source(label, "", anchor, problem=problem)
    path = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), address))
    page = report.read.get(path)
    if page is None or not path.startswith(f"{report.project.docs_dir}/"):
        return Source(label, path, anchor, problem=f"its source {code(path)} is missing")
    heading = section(page, anchor)
    if anchor and heading is None:
        problem = f"its source {code(path)} has no section {code('#' + anchor)}"
        return Source(label, path, anchor, problem=problem)
    where = code(f"{path}:{heading.line}" if heading else path)
    text, unfilled = answer(page, heading)
    if unfilled:
        prompts = "prompt" if unfilled == 1 else "prompts"
        return Source(label, path, anchor, problem=f"{where} has {unfilled} unfilled {prompts}")
    if not text:
        return Source(label, path, anchor, problem=f"{where} has no answer yet")
    return Source(label, path, anchor, text)


def section(page: Page, anchor: str) -> Heading | None:
    """The heading whose id, as MkDocs makes it, is `anchor`."""
    return next((h for h in page.headings if anchor and slugify(h.text, "-") == anchor), None)


def answer(page: Page, heading: Heading | None) -> tuple[str, int]:
    """What a section answers, as Markdown, and how many of its prompts are
    unfilled. Without a heading: the whole body after the title."""
    if heading is None:
        title = page.h1()
        start = title.stop if title else page.body_index
        end = len(page.lines)
    else:
        start, end = heading.stop, heading.end
    unfilled = sum(1 for prompt in page.prompts if start < prompt.line <= end)
    kept = []
    for block in page.blocks:
        if not start <= block.start < end or block.prompt or is_purpose(block):
            continue
        lines = page.lines[block.start : block.end]
        if block.is_heading:
            inner = next(h for h in page.headings if h.index == block.start)
            kept.append(f"**{inner.text}**")
        elif page.has_answer(block.start, block.end):
            kept.append("\n".join(lines))
    return standalone("\n\n".join(kept)), unfilled


def standalone(markdown: str) -> str:
    """Markdown that reads the same outside the site: cited evidence as its
    value, links to the project's pages as their text."""
    if not markdown:
        return ""
    page = parse(markdown, front_matter=False)
    if page.citations:
        markdown = plain_values(page)
        page = parse(markdown, front_matter=False)
    edits = [
        link
        for link in page.links
        if link.start is not None
        and link.end is not None
        and not link.target.startswith(SCHEMES)
        and link.target.partition("#")[0].endswith(".md")
    ]
    for link in sorted(edits, key=lambda link: link.start, reverse=True):
        label = markdown[link.start + 1 : link.label_end]
        markdown = markdown[: link.start] + label + markdown[link.end :]
    return markdown.strip()


# --- what every deliverable needs -------------------------------------------------


def project_answers(root: Path) -> dict:
    """The answers the project was made with: a bake's answers file, else
    the adoption record (an adopted repository has no answers file)."""
    answers = read_yaml(root / ANSWERS, root).get("default_context")
    return answers if isinstance(answers, dict) and answers else recorded_answers(root)


def project_name(root: Path) -> str:
    """The project's name, from its answers, else its site's name."""
    name = project_answers(root).get("project_name")
    if name:
        return str(name)
    config = read_yaml(root / CONFIG, root, limits.TagsIgnored)
    return html.unescape(str(config.get("site_name") or ""))


def read_yaml(path: Path, root: Path, loader: type = yaml.SafeLoader) -> dict:
    """A YAML mapping from inside the project; empty when it cannot be read."""
    try:
        data = limits.load_yaml(limits.read_text(path, root), loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, limits.Refused):
        return {}
    return data if isinstance(data, dict) else {}


def front_matter(data: dict) -> str:
    return "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def point_data(point: Point) -> dict:
    """A point as the front matter records it, for machines to read."""
    return {
        "point": point.item,
        "states": point.asks,
        "text": point.text if not point.missing else None,
        "sources": [f"{s.path}#{s.anchor}" if s.anchor else s.path for s in point.sources],
        **({"missing": point.problems} if point.missing else {}),
    }
