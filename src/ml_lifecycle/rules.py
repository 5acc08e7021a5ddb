"""The checker's rules: what makes a lifecycle document or a project wrong.

Each rule adds a Problem (file, line, one-line message); `check_project`
applies them all and returns a Report. `ml-lifecycle check`, the site plugin,
the Hub export and the dossier share this one pass.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import yaml

from ml_lifecycle import codeowners, identity, limits, template_sections
from ml_lifecycle.documents import (
    Document,
    FrontMatter,
    as_text,
    body_fingerprint,
    mentions_block,
    parse_date,
    read_text,
)
from ml_lifecycle.evidence.findings import (
    cited_digests,
    cited_values,
    examine_page,
    problems_of,
)
from ml_lifecycle.markdown_model import Page
from ml_lifecycle.markdown_shared import shared_page
from ml_lifecycle.problem import Problem, conflict_problem, yaml_problem
from ml_lifecycle.project import Phase, Project, load_project, scan_docs
from ml_lifecycle.report import Report
from ml_lifecycle.traceability import trace_requirements
from ml_lifecycle.vocabulary import (
    APPROVED,
    APPROVED_BY,
    FINGERPRINT,
    FINISHED,
    IN_HOUSE,
    KNOWN_FIELDS,
    MARKER,
    PERFORMERS,
    PHASES_FILE,
    STATUSES,
)
from ml_lifecycle.yaml_shared import load_shared

# Past this many, unknown fields of one block are counted, not listed.
MAX_UNKNOWN_FIELDS = 20


class UsageError(Exception):
    """A command-line value that cannot be used (exit status 2)."""


# --- required sections --------------------------------------------------------


def same_heading(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def check_required_sections(doc: Document, required: object, page: Page, front: FrontMatter):
    """Required sections (high-risk projects): present at any status, and
    answered before review or approval: a section holds an answer besides
    prompts, markers and "N/A" (markdown_model.py)."""
    at = front.field_line("required_sections")
    if not isinstance(required, list) or not all(isinstance(s, str) and s for s in required):
        doc.problems.append(Problem(doc.path, at, "required_sections must be a list of headings"))
        return
    first_of: dict[str, object] = {}  # heading text -> its first heading
    for heading in page.headings:
        first_of.setdefault(heading.key, heading)
    for section in dict.fromkeys(required):
        heading = first_of.get(" ".join(section.split()).casefold())
        if heading is None:
            message = (
                f"required section {limits.brief(section)} is missing: "
                f"add a '## {section[: limits.SHOWN_CHARS]}' heading"
            )
            doc.problems.append(Problem(doc.path, at, message))
        elif doc.status in FINISHED and not page.has_answer(heading.index + 1, heading.end):
            message = (
                f"{doc.status} but required section {limits.brief(section)} has no answer "
                "(empty, or only N/A)"
            )
            doc.problems.append(Problem(doc.path, heading.line, message))


# --- fields and status ----------------------------------------------------------


def check_fields(doc: Document, front: FrontMatter, project: Project, phase_ids: dict, today: date):
    """Validate the `lifecycle:` block and copy its values into `doc`."""
    block = front.block

    def problem(key: str, message: str) -> None:
        doc.problems.append(Problem(doc.path, front.field_line(key), message))

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


def check_status(doc: Document, page: Page, front: FrontMatter, today: date):
    """The rules that depend on the status."""
    field_line = front.field_line
    if doc.status in FINISHED and doc.unfilled:
        at = page.prompts[0].line if page.prompts else None
        prompts = "prompt is" if doc.unfilled == 1 else "prompts are"
        message = f"{doc.status} but {doc.unfilled} {prompts} still unfilled ({MARKER})"
        doc.problems.append(Problem(doc.path, at, message))
    if doc.status != "approved":
        return
    if not doc.owner:
        message = "approved but has no owner"
        doc.problems.append(Problem(doc.path, field_line("owner"), message))
    if not doc.last_reviewed:
        line = field_line("last_reviewed")
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
        doc.problems.append(Problem(doc.path, field_line("last_reviewed"), message))


def same_person(first: str, second: str) -> bool:
    """Names and emails compared as a reader sees them (identity.py)."""
    return identity.same_person(first, second)


def check_evidence(doc: Document, project: Project, page: Page) -> None:
    """Every cited value matches its source (evidence/): a mismatch, a
    missing artefact or key is work to do in a draft, a problem once the
    document claims to be complete."""
    findings = examine_page(project, page)
    doc.citations = len(findings)
    found = problems_of(doc.path, findings)
    if doc.status in FINISHED:
        doc.problems.extend(found)
    else:
        doc.evidence.extend(found)


def approval_holds(recorded: str, page: Page, project: Project, meta: object) -> bool:
    """Whether the fingerprint is still the body's and the cited values'
    (or, as approvals recorded it before, the whole cited artefacts')."""
    values = cited_values(project, page, meta)
    if recorded == body_fingerprint(page.body, values):
        return True
    return bool(values) and recorded == body_fingerprint(
        page.body, cited_digests(project, page, meta)
    )


def check_approval(doc: Document, page: Page, front: FrontMatter, project: Project):
    """An approved document names a second person as approver, and its body
    is still the one that person approved (ISO/IEC 42001 7.5: documented
    information is approved, and changes to it are controlled), as are the
    evidence artefacts it cites."""
    if doc.status != APPROVED:
        return

    def problem(key: str, message: str) -> None:
        doc.problems.append(Problem(doc.path, front.field_line(key), message))

    if not doc.approved_by:
        problem(
            APPROVED_BY,
            f"approved but has no {APPROVED_BY}: a second person approves it "
            "with `ml-lifecycle approve FILE --by NAME`",
        )
    elif doc.owner and identity.same_one(doc.approved_by, doc.owner, project.people):
        problem(
            APPROVED_BY,
            f"approved by its own owner ({doc.approved_by}): approval needs a second person",
        )
    if hidden := identity.hidden_characters(doc.approved_by):
        problem(
            APPROVED_BY,
            f"{APPROVED_BY} holds characters a reader cannot see ({', '.join(hidden[:3])}): "
            "write the approver's name as plain text",
        )
    recorded = as_text(front.block.get(FINGERPRINT))
    if not recorded:
        doc.approval = "missing"
        problem(
            "status",
            f"approved by hand: no {FINGERPRINT}; "
            "record the approval with `ml-lifecycle approve FILE --by NAME`",
        )
    elif not approval_holds(recorded, page, project, front.meta):
        doc.approval = "changed"
        when = doc.last_reviewed or "an unrecorded date"
        cited = sorted(cited_values(project, page, front.meta))
        what = f" (its text, or evidence it cites: {', '.join(cited)})" if cited else ""
        problem(
            FINGERPRINT,
            f"changed since its approval on {when}{what}: review it and approve it again",
        )
    else:
        doc.approval = "current"


# --- one document ---------------------------------------------------------------


def project_path(path: Path, root: Path) -> str:
    """A path inside the project as the report names it (relative, with /):
    for the paths the walk builds below the root, by their text alone (a
    check names thousands)."""
    text, prefix = str(path), str(root).rstrip(os.sep) + os.sep
    if text.startswith(prefix) and ".." not in text:
        return text[len(prefix) :].replace(os.sep, "/")
    return path.relative_to(root).as_posix()


def read_page(path: Path, root: Path) -> Page:
    """A file inside the project, read once into the Markdown model (a model
    shared with files of the same text: read it, never change it). Raises
    limits.Refused, OSError or UnicodeDecodeError."""
    # Never a link out of the project: that would publish what is not its own.
    return shared_page(read_text(path, root))


def read_front(text: str) -> FrontMatter:
    """FrontMatter.read, once per distinct text in a process (yaml_shared.py):
    the same front matter recurs in copies and in every project of a
    template. The result is shared: read it, never change it. Raises
    limits.Refused or yaml.YAMLError."""
    return FrontMatter(*load_shared(text)) if text.strip() else FrontMatter({})


def unreadable(rel: str, exc: Exception) -> Problem:
    if isinstance(exc, limits.Refused):
        return Problem(rel, None, str(exc), refused=True)
    # MkDocs would stop on text that is not UTF-8 with a traceback: refused.
    refused = isinstance(exc, UnicodeDecodeError)
    return Problem(rel, None, f"cannot be read as UTF-8 text: {exc}", refused=refused)


def unread_document(project: Project, rel: str, phase: Phase, exc: Exception) -> Document:
    """A phase folder's file that could not be read: a document with that problem."""
    doc = Document(path=rel, title=Path(rel).stem, phase=phase.id, phase_number=phase.number)
    doc.review_interval_days = project.review_interval_days
    doc.problems.append(unreadable(rel, exc))
    return doc


def read_document(
    project: Project,
    path: Path,
    phase_ids: dict,
    folder_phase: Phase | None,
    today: date,
    page: Page | None = None,
) -> Document | None:
    """Check one Markdown file (its `page` when the caller read it already).
    Outside the phase folders, a file without a `lifecycle:` block is not a
    lifecycle document and gives None."""
    rel = project_path(path, project.root)
    doc = Document(path=rel, title=path.stem, review_interval_days=project.review_interval_days)
    if folder_phase is not None:  # until the front matter says otherwise
        doc.phase, doc.phase_number = folder_phase.id, folder_phase.number
    try:
        page = page or read_page(path, project.root)
    except (limits.Refused, OSError, UnicodeDecodeError) as exc:
        if folder_phase is None:
            return None  # reported by check_page
        doc.problems.append(unreadable(rel, exc))
        return doc
    doc.page = page
    if page.front is None:
        if folder_phase is None:
            return None
        detail = "is never closed" if page.text.startswith("---") else "is missing"
        message = f"front matter {detail}: start the file with '---', the lifecycle block, '---'"
        doc.problems.append(Problem(rel, 1, message))
        return doc
    doc.unfilled = page.unfilled
    try:
        front = read_front(page.front.text)
    except (limits.Refused, yaml.YAMLError) as exc:
        if folder_phase is None and not mentions_block(page.front.text):
            return None  # reported by check_page
        if isinstance(exc, limits.Refused):
            doc.problems.append(Problem(rel, None, f"front matter {exc}", refused=True))
        else:
            doc.problems.append(yaml_problem(rel, exc, 2, "front matter"))
        add_conflict(doc, page.text)
        return doc
    if front.block is None:
        if folder_phase is None:
            return None
        doc.problems.append(Problem(rel, 1, "front matter has no `lifecycle:` block"))
        return doc
    doc.front = front
    check_document(doc, project, phase_ids, folder_phase, today)
    return doc


def check_document(
    doc: Document, project: Project, phase_ids: dict, folder_phase: Phase | None, today: date
) -> None:
    """Every rule on a document whose front matter has a lifecycle block."""
    page, front = doc.page, doc.front
    title = front.meta.get("title")
    doc.title = as_text(title) if title else doc.title
    check_fields(doc, front, project, phase_ids, today)
    if folder_phase is not None and doc.phase in phase_ids and doc.phase != folder_phase.id:
        message = (
            f"phase {doc.phase!r} does not match its folder "
            f"{project.docs_dir}/{folder_phase.folder}/ (phase {folder_phase.id!r})"
        )
        doc.problems.append(Problem(doc.path, front.field_line("phase"), message))
    check_status(doc, page, front, today)
    check_approval(doc, page, front, project)
    check_evidence(doc, project, page)
    add_conflict(doc, page.text)
    if "required_sections" in front.block:
        check_required_sections(doc, front.block["required_sections"], page, front)
    doc.problems.sort(key=lambda problem: problem.line or 0)


# The template's files beside docs/ that `check` reads, each of which an
# update merges. (lifecycle.yml is read by project.py; CODEOWNERS is where
# the forge reads it: codeowners.find.)
OWN_FILES = (
    "LICENSE.md",
    "mkdocs.yml",
    template_sections.SECTIONS_FILE,
    "requirements-lifecycle.txt",
    "requirements-docs.txt",
    ".github/workflows/pages.yml",
    ".gitlab-ci.yml",
)


def own_texts(project: Project) -> dict[str, str]:
    """The project's own files beside docs/ (OWN_FILES, and CODEOWNERS where
    the forge reads it) that exist and can be read, by name: read once for
    both uses below. One that cannot be read is reported where it is read."""
    texts = {}
    for name in (*OWN_FILES, codeowners.find(project.root)):
        path = project.root / name if name else None
        if path is None or name in texts or not path.is_file():
            continue
        try:
            texts[name] = limits.read_text(path, project.root)
        except (limits.Refused, OSError, UnicodeDecodeError):
            continue
    return texts


def config_conflicts(texts: dict[str, str]) -> list[Problem]:
    """Merge-conflict markers an update left in the project's own files
    (not in Markdown, which may show markers as text)."""
    found = []
    for name, text in texts.items():
        if name.endswith(".md"):
            continue
        problem = conflict_problem(name, text, "file")
        if problem is not None:
            found.append(problem)
    return found


def add_conflict(doc: Document, text: str) -> None:
    problem = conflict_problem(doc.path, text)
    if problem is not None:
        doc.problems.append(problem)


def page_title(page: Page) -> str:
    """A page's title as MkDocs finds it: front matter `title`, else the
    first H1 outside code; empty when it has neither."""
    try:
        meta = load_shared(page.front.text)[0] if page.front else {}
    except (limits.Refused, yaml.YAMLError):
        meta = {}
    title = meta.get("title") if isinstance(meta, dict) else None
    return as_text(title) if title else page.title()


def files_with_markers(texts: dict[str, str]) -> dict[str, int]:
    """Unfilled prompts in the project's own files outside docs/ (the bake
    leaves the organisation as one): reported with the other pages, never a
    problem."""
    counts = {name: text.count(MARKER) for name, text in texts.items() if name in OWN_FILES}
    return {name: count for name, count in counts.items() if count}


def check_page(rel: str, page: Page) -> tuple[list[Problem], str]:
    """A page under docs/ that is not a lifecycle document: the problems
    that would stop the site build (refused front matter) or leave the merge
    unfinished (conflict markers), and its title."""
    problems = []
    title = None
    if page.front and page.front.text.strip():
        try:
            limits.screen_yaml(page.front.text)  # MkDocs parses it with the pure-Python loader
        except limits.Refused as exc:
            problems.append(Problem(rel, None, f"front matter {exc}", refused=True))
            title = page.title()  # the page may be shared (markdown_shared.py): left as read
    conflict = conflict_problem(rel, page.text)
    if conflict is not None:
        problems.append(conflict)
    return problems, page_title(page) if title is None else title


# --- the project ------------------------------------------------------------------


def sort_key(phases: list[Phase], docs_dir: str, template: list[str] | None = None):
    """Lifecycle order: by phase, then in the template's order of its
    documents (.lifecycle-template.yml) or as an older lifecycle.yml lists
    them, then by path (the order of the site's navigation)."""
    order = {}
    for p_index, phase in enumerate(phases):
        for d_index, listed in enumerate(phase.documents):
            order[f"{docs_dir}/{phase.folder}/{listed['id']}.md"] = (p_index, d_index)
    by_phase = {phase.id: index for index, phase in enumerate(phases)}
    baked = {path: index for index, path in enumerate(template or [])}

    def key(doc: Document):
        phase = by_phase.get(doc.phase, len(phases))
        position = order.get(doc.path, (phase, baked.get(doc.path, 10_000)))
        return (*position, doc.path)

    return key


def check_coverage(project: Project, documents: list[Document]) -> list[Problem]:
    """Every phase has a document, and every document an older lifecycle.yml
    lists exists."""
    problems = []
    for phase in project.phases:
        if not any(doc.phase == phase.id for doc in documents):
            message = (
                f"phase {phase.number} ({phase.id}) has no document in "
                f"{project.docs_dir}/{phase.folder}/"
            )
            problems.append(Problem(PHASES_FILE, phase.line, message))
            continue
        for listed in phase.documents:
            rel = f"{project.docs_dir}/{phase.folder}/{listed['id']}.md"
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
    texts = own_texts(project)
    problems.extend(config_conflicts(texts))
    phase_ids = {phase.id: phase for phase in project.phases}
    documents, pages, titles, read = [], {}, {}, {}
    found, outside = scan_docs(project)
    problems.extend(outside)
    for path, folder_phase in found:
        rel = project_path(path, project.root)
        try:
            page = read_page(path, project.root)
        except (limits.Refused, OSError, UnicodeDecodeError) as exc:
            if folder_phase is not None:
                documents.append(unread_document(project, rel, folder_phase, exc))
            elif isinstance(exc, (limits.Refused, UnicodeDecodeError)):
                problems.append(unreadable(rel, exc))
            continue
        read[rel] = page
        doc = read_document(project, path, phase_ids, folder_phase, today, page)
        if doc is not None:
            documents.append(doc)
            continue
        page_problems, title = check_page(rel, page)
        problems.extend(page_problems)
        if page.unfilled:
            pages[rel] = page.unfilled
            titles[rel] = title
    template_read = template_sections.recorded(project)
    template = list(template_read[0])
    documents.sort(key=sort_key(project.phases, project.docs_dir, template))
    pages.update(files_with_markers(texts))
    gate = check_gate(project.phases, documents, list(require_approved)) if project.phases else []
    for doc in documents:
        problems.extend(doc.problems)
    problems.extend(check_coverage(project, documents))
    problems.extend(template_sections.problems(project, documents, template_read))
    problems.extend(codeowners.problems(project, documents))
    problems.extend(gate)
    trace = trace_requirements(project, documents, require_traced)
    if trace.enforced:
        problems.extend(trace.findings)
    report = Report(today, project, documents, problems, list(require_approved), pages, titles)
    report.traceability = trace
    report.read = read
    return report
