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

from ml_lifecycle import evidence, limits
from ml_lifecycle.documents import (
    Document,
    as_text,
    body_fingerprint,
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
    load_project,
    scan_docs,
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

# Past this many, unknown fields of one block are counted, not listed.
MAX_UNKNOWN_FIELDS = 20
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
    first_of: dict[str, int] = {}  # heading text -> its position in found
    for position, (_, _, text) in enumerate(found):
        first_of.setdefault(" ".join(text.split()).casefold(), position)
    for section in dict.fromkeys(required):
        position = first_of.get(" ".join(section.split()).casefold())
        if position is None:
            message = (
                f"required section {limits.brief(section)} is missing: "
                f"add a '## {section[: limits.SHOWN_CHARS]}' heading"
            )
            doc.problems.append(Problem(doc.path, at, message))
            continue
        start, level, _ = found[position]
        later = (i for i, lvl, _ in found[position + 1 :] if lvl <= level)
        end = next(later, len(lines))
        if doc.status in FINISHED and not section_has_answer(lines[start + 1 : end]):
            message = (
                f"{doc.status} but required section {limits.brief(section)} has no answer "
                "(empty, or only N/A)"
            )
            doc.problems.append(Problem(doc.path, first + start, message))


# --- fields and status ----------------------------------------------------------


def check_fields(
    doc: Document, block: dict, front: str, project: Project, phase_ids: dict, today: date
):
    """Validate the `lifecycle:` block and copy its values into `doc`."""

    def problem(key: str, message: str) -> None:
        doc.problems.append(Problem(doc.path, field_line(front, key), message))

    unknown = [key for key in block if key not in KNOWN_FIELDS]
    for key in unknown[:MAX_UNKNOWN_FIELDS]:
        problem(str(key), f"unknown field {limits.brief(key)} in the lifecycle block")
    if len(unknown) > MAX_UNKNOWN_FIELDS:
        problem(str(unknown[MAX_UNKNOWN_FIELDS]), f"and {len(unknown) - MAX_UNKNOWN_FIELDS} more")

    doc.phase = as_text(block.get("phase"))
    if doc.phase in phase_ids:
        doc.phase_number = phase_ids[doc.phase].number
    elif phase_ids:  # empty when lifecycle.yml could not be read: reported once
        known = ", ".join(phase_ids)
        message = f"phase {limits.brief(doc.phase)} is not a phase of this project ({known})"
        problem("phase", message)

    doc.document = as_text(block.get("document"))
    if not doc.document:
        problem("document", "document is empty: name the document, e.g. model-card")

    doc.status = as_text(block.get("status"))
    if doc.status not in STATUSES:
        problem("status", f"status {limits.brief(doc.status)} is not one of {', '.join(STATUSES)}")

    doc.owner = as_text(block.get("owner"))
    doc.approved_by = as_text(block.get(APPROVED_BY))
    doc.provider = as_text(block.get("provider"))
    doc.performed_by = as_text(block.get("performed_by"))
    if MARKER in doc.provider:  # the bake leaves a third party's name to fill
        doc.unfilled += doc.provider.count(MARKER)
    if doc.performed_by not in PERFORMERS:
        problem(
            "performed_by",
            f"performed_by {limits.brief(doc.performed_by)} is not one of {', '.join(PERFORMERS)}",
        )
    elif doc.performed_by != IN_HOUSE and not doc.provider:
        problem("provider", f"performed_by is {doc.performed_by} but no provider is named")

    default = project.review_interval_days
    interval = block.get("review_interval_days", default)
    if isinstance(interval, str) and re.fullmatch(r"[0-9]{1,9}", interval.strip()):
        interval = int(interval)
    if (
        isinstance(interval, bool)
        or not isinstance(interval, int)
        or not 1 <= interval <= limits.MAX_REVIEW_INTERVAL
    ):
        problem(
            "review_interval_days",
            f"review_interval_days {limits.brief(interval)} is not a whole number of days "
            f"(1 to {limits.MAX_REVIEW_INTERVAL:,})",
        )
        interval = default
    doc.review_interval_days = interval

    try:
        doc.last_reviewed = parse_date(block.get("last_reviewed"))
    except ValueError as exc:
        shown = limits.brief(str(exc))
        problem("last_reviewed", f"last_reviewed {shown} is not a date (YYYY-MM-DD)")
    if doc.last_reviewed and doc.last_reviewed > today:
        problem(
            "last_reviewed",
            f"last_reviewed {doc.last_reviewed} is later than today ({today})",
        )
    if doc.last_reviewed:
        try:
            doc.next_review = doc.last_reviewed + timedelta(days=doc.review_interval_days)
        except OverflowError:  # past 9999-12-31: reported above as later than today
            doc.next_review = None


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
        line = field_line(front, "last_reviewed")
        # A value that is not a date was reported by check_fields: one line is enough.
        if not any(p.line == line and p.message.startswith("last_reviewed ") for p in doc.problems):
            message = "approved but last_reviewed is not set"
            doc.problems.append(Problem(doc.path, line, message))
    elif doc.next_review and doc.next_review < today:
        doc.overdue = True
        message = (
            f"review overdue: last reviewed {doc.last_reviewed}, due {doc.next_review} "
            f"(every {doc.review_interval_days} days)"
        )
        doc.problems.append(Problem(doc.path, field_line(front, "last_reviewed"), message))


def same_person(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def check_evidence(doc: Document, project: Project, body: str, first: int) -> None:
    """Every cited value matches its source (evidence.py): a mismatch, a
    missing artefact or key is work to do in a draft, a problem once the
    document claims to be complete."""
    findings = evidence.examine_body(project, body, first)
    doc.citations = len(findings)
    found = evidence.problems(doc.path, findings)
    if doc.status in FINISHED:
        doc.problems.extend(found)
    else:
        doc.evidence.extend(found)


def check_approval(doc: Document, block: dict, body: str, front: str, project: Project):
    """An approved document names a second person as approver, and its body
    is still the one that person approved (ISO/IEC 42001 7.5: documented
    information is approved, and changes to it are controlled), as are the
    evidence artefacts it cites."""
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
    elif recorded != body_fingerprint(body, cited := evidence.cited_digests(project, body)):
        doc.approval = "changed"
        when = doc.last_reviewed or "an unrecorded date"
        what = f" (its text, or evidence it cites: {', '.join(sorted(cited))})" if cited else ""
        problem(
            FINGERPRINT,
            f"changed since its approval on {when}{what}: review it and approve it again",
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
    try:
        # Never a link out of the project: that would publish what is not its own.
        text = read_text(path, project.root)
    except limits.Refused as exc:
        if folder_phase is None:
            return None  # reported by check_page
        doc.problems.append(Problem(rel, None, str(exc), refused=True))
        return doc
    except (OSError, UnicodeDecodeError) as exc:
        if folder_phase is None:
            return None
        # MkDocs would stop on it with a traceback: refused like a link out.
        refused = isinstance(exc, UnicodeDecodeError)
        message = f"cannot be read as UTF-8 text: {exc}"
        doc.problems.append(Problem(rel, None, message, refused=refused))
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
        meta = limits.load_yaml(front, Loader) if front.strip() else {}
    except limits.Refused as exc:
        if folder_phase is None and not has_lifecycle_key(front):
            return None  # reported by check_page
        doc.problems.append(Problem(rel, None, f"front matter {exc}", refused=True))
        add_conflict(doc, text)
        return doc
    except yaml.YAMLError as exc:
        if folder_phase is None and not has_lifecycle_key(front):
            return None
        doc.problems.append(yaml_problem(rel, exc, 2, "front matter"))
        add_conflict(doc, text)
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
    check_approval(doc, block, body, front, project)
    check_evidence(doc, project, body, first)
    add_conflict(doc, text)
    if "required_sections" in block:
        check_required_sections(doc, block["required_sections"], plain, first, front)
    doc.problems.sort(key=lambda problem: problem.line or 0)
    return doc


def conflict_problem(path: str, text: str) -> Problem | None:
    """A problem for merge-conflict markers an update left in a page."""
    line = limits.conflict_line(text)
    if line is None:
        return None
    message = (
        "merge-conflict markers (<<<<<<<, =======, >>>>>>>) are left in the page: "
        "keep the right text, delete the markers"
    )
    return Problem(path, line, message)


def add_conflict(doc: Document, text: str) -> None:
    problem = conflict_problem(doc.path, text)
    if problem is not None:
        doc.problems.append(problem)


def page_title(front: str, body: str) -> str:
    """A page's title as MkDocs finds it: front matter `title`, else the
    first H1 outside code; empty when it has neither."""
    try:
        meta = limits.load_yaml(front, Loader) if front.strip() else {}
    except (limits.Refused, yaml.YAMLError):
        meta = {}
    title = meta.get("title") if isinstance(meta, dict) else None
    if title:
        return as_text(title)
    return next((text for _, level, text in headings(strip_code(body)) if level == 1), "")


def check_page(project: Project, path: Path) -> tuple[int, list[Problem], str]:
    """A page under docs/ that is not a lifecycle document: its unfilled
    prompts, the problems that would stop the site build (a refused file
    or front matter) or leave the merge unfinished (conflict markers), and
    its title."""
    rel = path.relative_to(project.root).as_posix()
    try:
        text = read_text(path, project.root)
    except limits.Refused as exc:
        return 0, [Problem(rel, None, str(exc), refused=True)], ""
    except UnicodeDecodeError as exc:  # MkDocs would stop on it with a traceback
        message = f"cannot be read as UTF-8 text: {exc}"
        return 0, [Problem(rel, None, message, refused=True)], ""
    except OSError:
        return 0, [], ""
    problems = []
    parts = split_front_matter(text)
    front, body = (parts[0], parts[1]) if parts else ("", text)
    if front.strip():
        try:
            limits.screen_yaml(front)  # MkDocs parses it with the pure-Python loader
        except limits.Refused as exc:
            problems.append(Problem(rel, None, f"front matter {exc}", refused=True))
            front = ""
    conflict = conflict_problem(rel, text)
    if conflict is not None:
        problems.append(conflict)
    return strip_code(body).count(MARKER), problems, page_title(front, body)


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
        match = re.fullmatch(r"([0-9]{1,9})(?:-([0-9]{1,9}))?", part)
        if not match:
            raise UsageError(
                f"--require-approved {spec!r}: use phase numbers and ranges, e.g. 1-5 or 1,2,6"
            )
        low, high = int(match.group(1)), int(match.group(2) or match.group(1))
        if high < low:
            raise UsageError(f"--require-approved {spec!r}: range {part} runs backwards")
        if high > limits.MAX_PHASE_NUMBER:
            raise UsageError(
                f"--require-approved {limits.brief(spec)}: no phase {high} "
                f"(phase numbers stop at {limits.MAX_PHASE_NUMBER}; see {PHASES_FILE})"
            )
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
    documents, pages, titles = [], {}, {}
    found, outside = scan_docs(project)
    problems.extend(outside)
    for path, folder_phase in found:
        doc = read_document(project, path, phase_ids, folder_phase, today)
        if doc is not None:
            documents.append(doc)
            continue
        unfilled, page_problems, title = check_page(project, path)
        problems.extend(page_problems)
        if unfilled:
            pages[path.relative_to(project.root).as_posix()] = unfilled
            titles[path.relative_to(project.root).as_posix()] = title
    documents.sort(key=sort_key(project.phases))
    gate = check_gate(project.phases, documents, list(require_approved)) if project.phases else []
    for doc in documents:
        problems.extend(doc.problems)
    problems.extend(check_coverage(project, documents))
    problems.extend(gate)
    trace = trace_requirements(project, documents, require_traced)
    if trace.enforced:
        problems.extend(trace.findings)
    report = Report(today, project, documents, problems, list(require_approved), pages, titles)
    report.traceability = trace
    return report
