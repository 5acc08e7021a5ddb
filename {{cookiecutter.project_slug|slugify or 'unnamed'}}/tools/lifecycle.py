#!/usr/bin/env python3
"""Check the lifecycle documents of this project and report where each stands.

    python tools/lifecycle.py check                          # table and problems
    python tools/lifecycle.py check --json                   # the same as JSON
    python tools/lifecycle.py check --require-approved 1-5   # release gate

The phases and their documents come from lifecycle.yml; every Markdown file in
a phase's folder under docs/ is a lifecycle document. For each document the
checker reads the `lifecycle:` block of its front matter and counts the
`==TODO==` markers left in its body. It prints one line per problem and exits
0 when there is none, 1 when there are problems and 2 on a usage error.

The site's mkdocs hook (tools/mkdocs_hooks.py) imports this file, so the
command and the site always agree. Needs Python 3.10+ and PyYAML.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PHASES_FILE = "lifecycle.yml"
DOCS_DIR = "docs"
MARKER = "==TODO=="
STATUSES = ("draft", "in-review", "approved", "retired")
FINISHED = ("in-review", "approved")  # statuses that allow no unfilled prompt
PERFORMERS = ("in-house", "third-party", "automated")
DEFAULT_INTERVAL = 180
KNOWN_FIELDS = (
    "phase",
    "document",
    "status",
    "owner",
    "performed_by",
    "provider",
    "last_reviewed",
    "review_interval_days",
    "required_sections",
)

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)??(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
HEADING_ATTRS = re.compile(r"[ \t]*\{[^}]*\}$")
TABLE_RULE = re.compile(r":?-+:?")
NOT_APPLICABLE = re.compile(r"(n/?a|not applicable)\.?", re.IGNORECASE)
MARKDOWN_SYNTAX = set("&<>\\`*_[]|{}~^=:+!#")


class UsageError(Exception):
    """A command-line value that cannot be used (exit status 2)."""


def make_loader(base: type) -> type:
    """A YAML loader that keeps dates as text, so that the checker can say
    which date is wrong instead of failing on it."""

    class FrontMatterLoader(base):
        pass

    FrontMatterLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return FrontMatterLoader


# The C parser (bundled with PyYAML's wheels) is about seven times faster.
Loader = make_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass
class Phase:
    number: int
    id: str
    folder: str
    title: str
    documents: list[dict]
    line: int | None = None


@dataclass
class Document:
    path: str
    phase: str = ""
    phase_number: int | None = None
    document: str = ""
    title: str = ""
    status: str = ""
    owner: str = ""
    performed_by: str = ""
    provider: str = ""
    last_reviewed: date | None = None
    review_interval_days: int = DEFAULT_INTERVAL
    next_review: date | None = None
    unfilled: int = 0
    overdue: bool = False
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "phase": self.phase,
            "phase_number": self.phase_number,
            "document": self.document,
            "title": self.title,
            "status": self.status,
            "owner": self.owner,
            "performed_by": self.performed_by,
            "provider": self.provider,
            "unfilled": self.unfilled,
            "last_reviewed": _iso(self.last_reviewed),
            "review_interval_days": self.review_interval_days,
            "next_review": _iso(self.next_review),
            "overdue": self.overdue,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class Report:
    today: date
    phases: list[Phase]
    documents: list[Document]
    problems: list[Problem]
    require_approved: list[int] = field(default_factory=list)
    # Other pages under docs/ (overview, responsibilities, supplier register...)
    # with unfilled prompts: path -> count. Reported, never a problem.
    pages: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "ok": self.ok,
            "require_approved": self.require_approved,
            "phases": [
                {"number": p.number, "id": p.id, "folder": p.folder, "title": p.title}
                for p in self.phases
            ],
            "documents": [d.as_dict() for d in self.documents],
            "pages": [{"path": path, "unfilled": n} for path, n in self.pages.items()],
            "problems": [p.as_dict() for p in self.problems],
        }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- reading files ---------------------------------------------------------


def yaml_problem(path: str, exc: yaml.YAMLError, first_line: int, what: str) -> Problem:
    """One line for a YAML error in `what`; `first_line` is the file line of
    the YAML's first line."""
    mark = getattr(exc, "problem_mark", None)
    line = first_line + mark.line if mark is not None else first_line
    detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and start is not None:
        detail += f" ({context} that starts on line {first_line + start.line})"
    return Problem(path, line, f"{what} is not valid YAML: {detail}")


def load_phases(root: Path) -> tuple[list[Phase], list[Problem]]:
    """The phases listed in lifecycle.yml, and any problem reading it."""
    path = root / PHASES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [Problem(PHASES_FILE, None, "missing: it lists the phases and documents")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(PHASES_FILE, None, f"cannot be read: {exc}")]
    try:
        node = yaml.compose(text, Loader=Loader)
        data = yaml.load(text, Loader=Loader)
    except yaml.YAMLError as exc:
        return [], [yaml_problem(PHASES_FILE, exc, 1, "the phase list")]
    entries = data.get("phases") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return [], [Problem(PHASES_FILE, 1, "must have a `phases:` list")]
    lines = _entry_lines(node)
    phases, problems = [], []
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        phase = _phase_from(entry, line)
        if phase is None:
            message = "each phase needs number, id, folder, title and a documents list"
            problems.append(Problem(PHASES_FILE, line, message))
        else:
            phases.append(phase)
    return phases, problems


def _entry_lines(node: yaml.Node | None) -> list[int]:
    """File lines of the entries of the top-level `phases:` list."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "phases" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _phase_from(entry: object, line: int | None) -> Phase | None:
    if not isinstance(entry, dict):
        return None
    number, folder, documents = entry.get("number"), entry.get("folder"), entry.get("documents")
    documents = [] if documents is None else documents
    valid = (
        isinstance(number, int)
        and not isinstance(number, bool)
        and all(isinstance(entry.get(key), str) and entry[key] for key in ("id", "folder"))
        and isinstance(documents, list)
        and all(isinstance(d, dict) and isinstance(d.get("id"), str) for d in documents)
    )
    if not valid or "/" in folder or folder.startswith("."):
        return None
    title = str(entry.get("title") or entry["id"])
    return Phase(number, entry["id"], folder, title, documents, line)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, file line where the body starts), or None when the
    text does not start with a closed front-matter block."""
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    front = match.group(1) or ""
    return front, text[match.end() :], front.count("\n") + 3


def field_line(front: str, key: str) -> int:
    """File line of `key:` in the front matter's lifecycle block (the front
    matter starts on line 2); the block's own line when the key is absent."""
    block = re.search(r"^lifecycle[ \t]*:", front, re.M)
    if block is None:
        return 2
    found = re.compile(rf"^[ \t]+{re.escape(key)}[ \t]*:", re.M).search(front, block.end())
    return front.count("\n", 0, (found or block).start()) + 2


# --- checking one document ---------------------------------------------------


def strip_code(body: str) -> str:
    """The body with fenced code blocks and code spans blanked out (lines kept),
    so that a marker or heading quoted as code does not count."""
    if "```" in body or "~~~" in body:
        body = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    return CODE_SPAN.sub("", body) if "`" in body else body


def headings(body: str) -> list[tuple[int, int, str]]:
    """(line index in body, level, text) of each ATX heading."""
    found = []
    for index, line in enumerate(body.split("\n")):
        if line.lstrip(" ").startswith("#"):
            match = HEADING.match(line)
            if match:
                text = HEADING_ATTRS.sub("", match.group(2)).strip()
                found.append((index, len(match.group(1)), text))
    return found


def table_answers(rows: list[str]) -> list[str]:
    """The cells of a Markdown table that hold answers: not the header row,
    the rule below it, nor (in tables of several columns) the first column,
    which the templates use for row labels."""
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    rule = [all(TABLE_RULE.fullmatch(c) for c in row) for row in cells]
    answers = []
    for index, row in enumerate(cells):
        if rule[index] or (index + 1 < len(rule) and rule[index + 1]):
            continue
        answers += row[1:] if len(row) > 1 else row
    return answers


def section_has_answer(lines: list[str]) -> bool:
    """Whether a section holds an answer besides prompts, markers and "N/A".
    Prompts are block quotes; headings, comments and table labels do not count."""
    texts, table = [], []
    in_comment = False
    for raw in [*lines, ""]:
        line = raw.strip()
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            texts += table_answers(table)
            table = []
        if in_comment or line.startswith("<!--"):
            in_comment = "-->" not in line
            continue
        if line and not line.startswith((">", "#")):
            texts.append(line)
    answers = [text.replace(MARKER, "").strip("*_ \t") for text in texts]
    return any(answer and not NOT_APPLICABLE.fullmatch(answer) for answer in answers)


def check_required_sections(doc: Document, required: list, body: str, first: int, front: str):
    """Required sections (high-risk projects): present at any status, and
    answered before review or approval."""
    at = field_line(front, "required_sections")
    if not isinstance(required, list) or not all(isinstance(s, str) and s for s in required):
        doc.problems.append(Problem(doc.path, at, "required_sections must be a list of headings"))
        return
    lines = body.split("\n")
    found = headings(body)
    for section in required:
        wanted = " ".join(section.split()).casefold()
        match = next((h for h in found if " ".join(h[2].split()).casefold() == wanted), None)
        if match is None:
            message = f"required section {section!r} is missing: add a '## {section}' heading"
            doc.problems.append(Problem(doc.path, at, message))
            continue
        start, level, _ = match
        end = next((i for i, lvl, _ in found if i > start and lvl <= level), len(lines))
        if doc.status in FINISHED and not section_has_answer(lines[start + 1 : end]):
            message = (
                f"{doc.status} but required section {section!r} has no answer (empty, or only N/A)"
            )
            doc.problems.append(Problem(doc.path, first + start, message))


def as_text(value: object) -> str:
    """A free-text field as one line; null is empty."""
    return "" if value is None else " ".join(str(value).split())


def parse_date(value: object) -> date | None:
    """A YYYY-MM-DD date (text or date); None when empty; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    text = str(value).strip()
    try:
        if ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValueError(text)


def check_fields(doc: Document, block: dict, front: str, phase_ids: dict, today: date):
    """Validate the `lifecycle:` block and copy its values into `doc`."""

    def problem(key: str, message: str) -> None:
        doc.problems.append(Problem(doc.path, field_line(front, key), message))

    for key in block:
        if key not in KNOWN_FIELDS:
            problem(str(key), f"unknown field {key!r} in the lifecycle block")

    doc.phase = as_text(block.get("phase"))
    if doc.phase in phase_ids:
        doc.phase_number = phase_ids[doc.phase].number
    elif phase_ids:  # empty when lifecycle.yml could not be read: reported once
        known = ", ".join(phase_ids)
        problem("phase", f"phase {doc.phase!r} is not a phase of this project ({known})")

    doc.document = as_text(block.get("document"))
    if not doc.document:
        problem("document", "document is empty: name the document, e.g. model-card")

    doc.status = as_text(block.get("status"))
    if doc.status not in STATUSES:
        problem("status", f"status {doc.status!r} is not one of {', '.join(STATUSES)}")

    doc.owner = as_text(block.get("owner"))
    doc.provider = as_text(block.get("provider"))
    doc.performed_by = as_text(block.get("performed_by"))
    if doc.performed_by not in PERFORMERS:
        problem(
            "performed_by",
            f"performed_by {doc.performed_by!r} is not one of {', '.join(PERFORMERS)}",
        )
    elif doc.performed_by != "in-house" and not doc.provider:
        problem("provider", f"performed_by is {doc.performed_by} but no provider is named")

    interval = block.get("review_interval_days", DEFAULT_INTERVAL)
    if isinstance(interval, str) and interval.strip().isdigit():
        interval = int(interval)
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        problem(
            "review_interval_days",
            f"review_interval_days {interval!r} is not a whole number of days (1 or more)",
        )
        interval = DEFAULT_INTERVAL
    doc.review_interval_days = interval

    try:
        doc.last_reviewed = parse_date(block.get("last_reviewed"))
    except ValueError as exc:
        problem("last_reviewed", f"last_reviewed {str(exc)!r} is not a date (YYYY-MM-DD)")
    if doc.last_reviewed and doc.last_reviewed > today:
        problem(
            "last_reviewed",
            f"last_reviewed {doc.last_reviewed} is later than today ({today})",
        )
    if doc.last_reviewed:
        doc.next_review = doc.last_reviewed + timedelta(days=doc.review_interval_days)


def check_status(doc: Document, body: str, first: int, front: str, today: date):
    """The rules that depend on the status."""
    if doc.status in FINISHED and doc.unfilled:
        at = first + body.count("\n", 0, body.find(MARKER)) if MARKER in body else None
        prompts = "prompt is" if doc.unfilled == 1 else "prompts are"
        message = f"{doc.status} but {doc.unfilled} {prompts} still unfilled ({MARKER})"
        doc.problems.append(Problem(doc.path, at, message))
    if doc.status != "approved":
        return
    if not doc.owner:
        message = "approved but has no owner"
        doc.problems.append(Problem(doc.path, field_line(front, "owner"), message))
    if not doc.last_reviewed:
        message = "approved but last_reviewed is not set"
        doc.problems.append(Problem(doc.path, field_line(front, "last_reviewed"), message))
    elif doc.next_review and doc.next_review < today:
        doc.overdue = True
        message = (
            f"review overdue: last reviewed {doc.last_reviewed}, due {doc.next_review} "
            f"(every {doc.review_interval_days} days)"
        )
        doc.problems.append(Problem(doc.path, field_line(front, "last_reviewed"), message))


def read_document(
    root: Path, path: Path, phase_ids: dict, folder_phase: Phase | None, today: date
) -> Document | None:
    """Check one Markdown file. Outside the phase folders, a file without a
    `lifecycle:` block is not a lifecycle document and gives None."""
    rel = path.relative_to(root).as_posix()
    doc = Document(path=rel, title=path.stem)
    if folder_phase is not None:  # until the front matter says otherwise
        doc.phase, doc.phase_number = folder_phase.id, folder_phase.number
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        if folder_phase is None:
            return None
        doc.problems.append(Problem(rel, None, f"cannot be read as UTF-8 text: {exc}"))
        return doc
    parts = split_front_matter(text)
    if parts is None:
        if folder_phase is None:
            return None
        detail = "is never closed" if text.startswith("---") else "is missing"
        message = f"front matter {detail}: start the file with '---', the lifecycle block, '---'"
        doc.problems.append(Problem(rel, 1, message))
        return doc
    front, body, first = parts
    plain = strip_code(body)
    doc.unfilled = plain.count(MARKER)
    try:
        meta = yaml.load(front, Loader=Loader) if front.strip() else {}
    except yaml.YAMLError as exc:
        if folder_phase is None and not re.search(r"^lifecycle[ \t]*:", front, re.M):
            return None
        doc.problems.append(yaml_problem(rel, exc, 2, "front matter"))
        return doc
    block = meta.get("lifecycle") if isinstance(meta, dict) else None
    if not isinstance(block, dict):
        if folder_phase is None:
            return None
        doc.problems.append(Problem(rel, 1, "front matter has no `lifecycle:` block"))
        return doc
    title = meta.get("title")
    doc.title = as_text(title) if title else doc.title

    check_fields(doc, block, front, phase_ids, today)
    if folder_phase is not None and doc.phase in phase_ids and doc.phase != folder_phase.id:
        message = (
            f"phase {doc.phase!r} does not match its folder "
            f"{DOCS_DIR}/{folder_phase.folder}/ (phase {folder_phase.id!r})"
        )
        doc.problems.append(Problem(rel, field_line(front, "phase"), message))
    check_status(doc, plain, first, front, today)
    if "required_sections" in block:
        check_required_sections(doc, block["required_sections"], plain, first, front)
    doc.problems.sort(key=lambda problem: problem.line or 0)
    return doc


# --- checking the project ----------------------------------------------------


def find_documents(root: Path, phases: list[Phase]) -> list[tuple[Path, Phase | None]]:
    """Markdown files in the phase folders, then any other file under docs/
    that may carry a lifecycle block."""
    docs = root / DOCS_DIR
    found, seen = [], set()
    for phase in phases:
        folder = docs / phase.folder
        for path in sorted(folder.rglob("*.md")) if folder.is_dir() else []:
            if path not in seen:
                seen.add(path)
                found.append((path, phase))
    for path in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        if path not in seen:
            found.append((path, None))
    return found


def sort_key(phases: list[Phase]):
    """Order documents as lifecycle.yml lists them; others after, by path."""
    order = {}
    for p_index, phase in enumerate(phases):
        for d_index, listed in enumerate(phase.documents):
            order[f"{DOCS_DIR}/{phase.folder}/{listed['id']}.md"] = (p_index, d_index)
    by_phase = {phase.id: index for index, phase in enumerate(phases)}

    def key(doc: Document):
        position = order.get(doc.path, (by_phase.get(doc.phase, len(phases)), 10_000))
        return (*position, doc.path)

    return key


def check_coverage(root: Path, phases: list[Phase], documents: list[Document]) -> list[Problem]:
    """Every phase has a document, and every document lifecycle.yml lists exists."""
    problems = []
    for phase in phases:
        if not any(doc.phase == phase.id for doc in documents):
            message = (
                f"phase {phase.number} ({phase.id}) has no document in {DOCS_DIR}/{phase.folder}/"
            )
            problems.append(Problem(PHASES_FILE, phase.line, message))
            continue
        for listed in phase.documents:
            rel = f"{DOCS_DIR}/{phase.folder}/{listed['id']}.md"
            if not (root / rel).is_file():
                problems.append(Problem(rel, None, f"listed in {PHASES_FILE} but missing"))
    return problems


def parse_phase_spec(spec: str) -> list[int]:
    """'1-5', '1,3,7' or '1-3,6' as a sorted list of phase numbers."""
    numbers: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise UsageError(
                f"--require-approved {spec!r}: use phase numbers and ranges, e.g. 1-5 or 1,2,6"
            )
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        if high < low:
            raise UsageError(f"--require-approved {spec!r}: range {part} runs backwards")
        numbers.update(range(low, high + 1))
    return sorted(numbers)


def check_gate(phases: list[Phase], documents: list[Document], numbers: list[int]) -> list[Problem]:
    """Release gate: every document of the chosen phases is approved (retired
    ones are ignored), and each such phase has an approved document. Problems
    with a document are added to it; the phase-level ones are returned."""
    known = {phase.number: phase for phase in phases}
    unknown = [n for n in numbers if n not in known]
    if unknown:
        listed = ", ".join(str(n) for n in sorted(known))
        raise UsageError(
            f"--require-approved: no phase {unknown[0]} in {PHASES_FILE} (phases: {listed})"
        )
    problems = []
    for number in numbers:
        phase = known[number]
        docs = [doc for doc in documents if doc.phase == phase.id]
        for doc in docs:
            if doc.status not in ("approved", "retired"):
                message = (
                    f"release gate: phase {number} must be approved, but this document "
                    f"is {doc.status or 'without a status'}"
                )
                doc.problems.append(Problem(doc.path, None, message))
        if docs and all(doc.status == "retired" for doc in docs):
            message = f"release gate: phase {number} ({phase.id}) has no approved document"
            problems.append(Problem(PHASES_FILE, phase.line, message))
    return problems


def check_project(
    root: Path | str = PROJECT_ROOT,
    today: date | None = None,
    require_approved: list[int] | tuple = (),
) -> Report:
    """Check every lifecycle document of the project at `root`."""
    root = Path(root)
    today = today or date.today()
    phases, problems = load_phases(root)
    phase_ids = {phase.id: phase for phase in phases}
    documents, pages = [], {}
    for path, folder_phase in find_documents(root, phases):
        doc = read_document(root, path, phase_ids, folder_phase, today)
        if doc is not None:
            documents.append(doc)
        elif unfilled := count_unfilled(path):
            pages[path.relative_to(root).as_posix()] = unfilled
    documents.sort(key=sort_key(phases))
    gate = check_gate(phases, documents, list(require_approved)) if phases else []
    for doc in documents:
        problems.extend(doc.problems)
    problems.extend(check_coverage(root, phases, documents))
    problems.extend(gate)
    return Report(today, phases, documents, problems, list(require_approved), pages)


def count_unfilled(path: Path) -> int:
    """Markers outside code in a page that is not a lifecycle document."""
    try:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return 0
    parts = split_front_matter(text)
    return strip_code(parts[1] if parts else text).count(MARKER)


# --- output ------------------------------------------------------------------


def md_escape(value: object) -> str:
    """Text that Markdown shows exactly as typed, on one line: characters that
    Markdown, HTML or the enabled extensions read as syntax become entities."""
    text = " ".join(str(value).split())
    return "".join(f"&#{ord(c)};" if c in MARKDOWN_SYNTAX else c for c in text)


def performer(doc: Document) -> str:
    if doc.performed_by in ("", "in-house") or not doc.provider:
        return doc.performed_by
    return f"{doc.performed_by} ({doc.provider})"


def next_review_text(doc: Document) -> str:
    if doc.next_review is None:
        return "-"
    return f"{doc.next_review} (overdue)" if doc.overdue else str(doc.next_review)


def table_rows(report: Report) -> list[list[str]]:
    rows = [["Phase", "Document", "Status", "Owner", "Performed by", "Unfilled", "Next review"]]
    for doc in report.documents:
        phase = f"{doc.phase_number} {doc.phase}" if doc.phase_number else doc.phase or "?"
        rows.append(
            [
                phase,
                doc.document or doc.path,
                doc.status or "?",
                doc.owner or "-",
                performer(doc) or "?",
                str(doc.unfilled),
                next_review_text(doc),
            ]
        )
    return rows


def render_text(report: Report) -> str:
    rows = table_rows(report)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [f"Lifecycle status on {report.today} ({len(report.documents)} documents)", ""]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.append("")
    if report.pages:
        lines.append("Other pages with unfilled prompts:")
        lines += [f"  {path}: {n}" for path, n in report.pages.items()]
        lines.append("")
    if report.require_approved:
        gate = ",".join(str(n) for n in report.require_approved)
        lines.append(f"Release gate: phases {gate} must be approved.")
    if report.ok:
        lines.append("No problems.")
    else:
        count = len(report.problems)
        lines.append(f"{count} problem{'s' if count != 1 else ''}:")
        lines += [str(problem) for problem in report.problems]
    return "\n".join(lines)


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)


# --- command line --------------------------------------------------------------


def iso_day(text: str) -> date:
    try:
        return parse_date(text) or date.today()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lifecycle.py",
        description="Check the lifecycle documents of this project.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="check")
    check = commands.add_parser(
        "check",
        help="report every document's status and exit 1 on any problem",
        description="Report every lifecycle document's status; exit 1 on any problem.",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument(
        "--require-approved",
        metavar="PHASES",
        default="",
        help="release gate: phases whose documents must all be approved, e.g. 1-5 or 1,2,6",
    )
    check.add_argument("--today", type=iso_day, metavar="YYYY-MM-DD", help="check as on this day")
    check.add_argument(
        "--root", type=Path, default=PROJECT_ROOT, help="project folder (default: this project)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    try:
        gate = parse_phase_spec(args.require_approved) if args.require_approved else []
        report = check_project(args.root, args.today, gate)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render_json(report) if args.json else render_text(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
