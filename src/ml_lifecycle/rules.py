"""The checker's rules: what makes a lifecycle document or a project wrong.

Each rule adds a Problem (file, line, one-line message); `check_project`
applies them all and returns a Report. `ml-lifecycle check`, the site plugin,
the Hub export and the dossier share this one pass.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import yaml

from ml_lifecycle.documents import (
    Document,
    as_text,
    body_fingerprint,
    count_unfilled,
    field_line,
    has_lifecycle_key,
    headings,
    parse_date,
    read_text,
    split_front_matter,
    strip_code,
)
from ml_lifecycle.project import (
    Loader,
    Phase,
    Problem,
    Project,
    find_documents,
    is_inside,
    load_project,
    yaml_problem,
)
from ml_lifecycle.report import Report
from ml_lifecycle.traceability import trace_requirements
from ml_lifecycle.vocabulary import (
    APPROVED,
    APPROVED_BY,
    DOCS_DIR,
    FINGERPRINT,
    FINISHED,
    IN_HOUSE,
    KNOWN_FIELDS,
    MARKER,
    PERFORMERS,
    PHASES_FILE,
    STATUSES,
)

TABLE_RULE = re.compile(r":?-+:?")
NOT_APPLICABLE = re.compile(r"(n/?a|not applicable)\.?", re.IGNORECASE)


class UsageError(Exception):
    """A command-line value that cannot be used (exit status 2)."""


# --- required sections --------------------------------------------------------


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


# --- fields and status ----------------------------------------------------------


def check_fields(
    doc: Document, block: dict, front: str, project: Project, phase_ids: dict, today: date
):
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
    doc.approved_by = as_text(block.get(APPROVED_BY))
    doc.provider = as_text(block.get("provider"))
    doc.performed_by = as_text(block.get("performed_by"))
    if MARKER in doc.provider:  # the bake leaves a third party's name to fill
        doc.unfilled += doc.provider.count(MARKER)
    if doc.performed_by not in PERFORMERS:
        problem(
            "performed_by",
            f"performed_by {doc.performed_by!r} is not one of {', '.join(PERFORMERS)}",
        )
    elif doc.performed_by != IN_HOUSE and not doc.provider:
        problem("provider", f"performed_by is {doc.performed_by} but no provider is named")

    default = project.review_interval_days
    interval = block.get("review_interval_days", default)
    if isinstance(interval, str) and interval.strip().isdigit():
        interval = int(interval)
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        problem(
            "review_interval_days",
            f"review_interval_days {interval!r} is not a whole number of days (1 or more)",
        )
        interval = default
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


def same_person(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def check_approval(doc: Document, block: dict, body: str, front: str):
    """An approved document names a second person as approver, and its body
    is still the one that person approved (ISO/IEC 42001 7.5: documented
    information is approved, and changes to it are controlled)."""
    if doc.status != APPROVED:
        return

    def problem(key: str, message: str) -> None:
        doc.problems.append(Problem(doc.path, field_line(front, key), message))

    if not doc.approved_by:
        problem(
            APPROVED_BY,
            f"approved but has no {APPROVED_BY}: a second person approves it "
            "with `ml-lifecycle approve FILE --by NAME`",
        )
    elif doc.owner and same_person(doc.approved_by, doc.owner):
        problem(
            APPROVED_BY,
            f"approved by its own owner ({doc.approved_by}): approval needs a second person",
        )
    recorded = as_text(block.get(FINGERPRINT))
    if not recorded:
        doc.approval = "missing"
        problem(
            "status",
            f"approved by hand: no {FINGERPRINT}; "
            "record the approval with `ml-lifecycle approve FILE --by NAME`",
        )
    elif recorded != body_fingerprint(body):
        doc.approval = "changed"
        when = doc.last_reviewed or "an unrecorded date"
        problem(
            FINGERPRINT,
            f"changed since its approval on {when}: review it and approve it again",
        )
    else:
        doc.approval = "current"


# --- one document ---------------------------------------------------------------


def read_document(
    project: Project, path: Path, phase_ids: dict, folder_phase: Phase | None, today: date
) -> Document | None:
    """Check one Markdown file. Outside the phase folders, a file without a
    `lifecycle:` block is not a lifecycle document and gives None."""
    rel = path.relative_to(project.root).as_posix()
    doc = Document(path=rel, title=path.stem, review_interval_days=project.review_interval_days)
    if folder_phase is not None:  # until the front matter says otherwise
        doc.phase, doc.phase_number = folder_phase.id, folder_phase.number
    if not is_inside(path, project.root):
        # A link to a file elsewhere would publish what is not the project's.
        if folder_phase is None:
            return None
        doc.problems.append(Problem(rel, None, "links to a file outside the project: not read"))
        return doc
    try:
        text = read_text(path)
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
        if folder_phase is None and not has_lifecycle_key(front):
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

    check_fields(doc, block, front, project, phase_ids, today)
    if folder_phase is not None and doc.phase in phase_ids and doc.phase != folder_phase.id:
        message = (
            f"phase {doc.phase!r} does not match its folder "
            f"{DOCS_DIR}/{folder_phase.folder}/ (phase {folder_phase.id!r})"
        )
        doc.problems.append(Problem(rel, field_line(front, "phase"), message))
    check_status(doc, plain, first, front, today)
    check_approval(doc, block, body, front)
    if "required_sections" in block:
        check_required_sections(doc, block["required_sections"], plain, first, front)
    doc.problems.sort(key=lambda problem: problem.line or 0)
    return doc


# --- the project ------------------------------------------------------------------


def sort_key(phases: list[Phase]):
    """Lifecycle order: by phase, then as an older lifecycle.yml lists the
    documents, then by path (the order of the site's navigation)."""
    order = {}
    for p_index, phase in enumerate(phases):
        for d_index, listed in enumerate(phase.documents):
            order[f"{DOCS_DIR}/{phase.folder}/{listed['id']}.md"] = (p_index, d_index)
    by_phase = {phase.id: index for index, phase in enumerate(phases)}

    def key(doc: Document):
        position = order.get(doc.path, (by_phase.get(doc.phase, len(phases)), 10_000))
        return (*position, doc.path)

    return key


def check_coverage(project: Project, documents: list[Document]) -> list[Problem]:
    """Every phase has a document, and every document an older lifecycle.yml
    lists exists."""
    problems = []
    for phase in project.phases:
        if not any(doc.phase == phase.id for doc in documents):
            message = (
                f"phase {phase.number} ({phase.id}) has no document in {DOCS_DIR}/{phase.folder}/"
            )
            problems.append(Problem(PHASES_FILE, phase.line, message))
            continue
        for listed in phase.documents:
            rel = f"{DOCS_DIR}/{phase.folder}/{listed['id']}.md"
            if not (project.root / rel).is_file():
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
    root: Path | str,
    today: date | None = None,
    require_approved: list[int] | tuple = (),
    require_traced: bool = False,
) -> Report:
    """Check every lifecycle document of the project at `root`; requirement
    traceability fails it only when enforced (see traceability.py)."""
    today = today or date.today()
    project, problems = load_project(Path(root))
    phase_ids = {phase.id: phase for phase in project.phases}
    documents, pages = [], {}
    for path, folder_phase in find_documents(project):
        doc = read_document(project, path, phase_ids, folder_phase, today)
        if doc is not None:
            documents.append(doc)
        elif is_inside(path, project.root) and (unfilled := count_unfilled(path)):
            pages[path.relative_to(project.root).as_posix()] = unfilled
    documents.sort(key=sort_key(project.phases))
    gate = check_gate(project.phases, documents, list(require_approved)) if project.phases else []
    for doc in documents:
        problems.extend(doc.problems)
    problems.extend(check_coverage(project, documents))
    problems.extend(gate)
    trace = trace_requirements(project, documents, require_traced)
    if trace.enforced:
        problems.extend(trace.findings)
    report = Report(today, project, documents, problems, list(require_approved), pages)
    report.traceability = trace
    return report
