"""The forge's CODEOWNERS, kept in step with the approvals, so that a change
to an approved document needs a review by someone other than its author.

`ml-lifecycle codeowners` writes one block of the file, between BEGIN and
END lines, and leaves every other line as the team wrote it; `approve`
rewrites the block when the project has the file, and `check` reports a
block that is not in step. The block names, for each approved document (and
each evidence file it cites), the forge handles of its owner and its
approver; for lifecycle.yml (where the people are listed) and the CODEOWNERS
file itself, every listed person with a handle, when there are two or more.
With the forge's branch rule that asks for a code owner's review, whoever
changes such a file needs another of its code owners to approve: GitHub and
GitLab never count an author's own review. Handles, not teams: on GitHub a
team member's own pull request counts as the team's review.

The file fits both forges' formats: whole-line comments only (neither
forge allows a comment after a rule), no sections (GitHub has none), no `!`
or `[ ]` in a pattern, every path anchored at the root and made of letters,
digits, `.`, `_`, `-` and `/`, and `@handle` owners that fit the forge's
user names. GitHub reads `.github/CODEOWNERS` first, then `CODEOWNERS`,
then `docs/CODEOWNERS`; GitLab reads `CODEOWNERS`, `docs/CODEOWNERS`, then
`.gitlab/CODEOWNERS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ml_lifecycle import identity, limits
from ml_lifecycle.documents import Document
from ml_lifecycle.problem import Problem
from ml_lifecycle.project import Person, Project
from ml_lifecycle.vocabulary import APPROVED, MLFLOW_PREFIX, PHASES_FILE

# Where each forge reads the file; the bake writes the first for its forge.
LOCATIONS = {"github": ".github/CODEOWNERS", "gitlab": ".gitlab/CODEOWNERS"}
SEARCHED = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
BEGIN = "# BEGIN ml-lifecycle: `ml-lifecycle codeowners` writes this block; edit outside it"
END = "# END ml-lifecycle"
ABOUT = (
    "# A change to an approved document, to evidence it cites, to lifecycle.yml or",
    "# to this file needs the review of one of its code owners other than its author.",
)
# A path as both forges read it with no escaping.
PLAIN_PATH = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
# User names: GitHub's (letters, digits, single inner hyphens, at most 39)
# and GitLab's (letters, digits, '_', '-', '.'; not starting with '-' or
# '.', not ending with '.', '.git' or '.atom').
HANDLES = {
    "github": re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}"),
    "gitlab": re.compile(r"(?![-.])[A-Za-z0-9_.-]{1,255}(?<![.])(?<!\.git)(?<!\.atom)"),
}


class CodeownersError(Exception):
    """Why CODEOWNERS cannot be written, as one line."""


@dataclass
class Block:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join([BEGIN, *ABOUT, *self.lines, END]) + "\n"


def forges_of(location: str) -> tuple[str, ...]:
    """The forges that read a CODEOWNERS at this path."""
    if location.startswith(".github/"):
        return ("github",)
    if location.startswith(".gitlab/"):
        return ("gitlab",)
    return ("github", "gitlab")


def find(root: Path) -> str | None:
    """The project's CODEOWNERS, as a path in it; None without one."""
    return next((place for place in SEARCHED if (root / place).is_file()), None)


def handle_problem(person: Person, forges: tuple[str, ...]) -> str:
    for forge in forges:
        if not HANDLES[forge].fullmatch(person.handle):
            return (
                f"handle {limits.brief(person.handle)} of {person.name} is not a {forge} user name"
            )
    return ""


def handles_of(entry: str, people: list[Person], role: str, rel: str) -> tuple[list[str], str]:
    """The handles of the person an entry names; a problem when there is none."""
    named = identity.people_named(entry, people)
    handles = [person.handle for person in named if person.handle]
    if not handles:
        return [], (
            f"{rel}: its {role} {limits.brief(entry)} has no forge handle "
            f"under `people:` in {PHASES_FILE}"
        )
    return handles, ""


def wanted(project: Project, documents: list[Document], location: str) -> Block:
    """The block this project's approvals ask for."""
    block = Block()
    forges = forges_of(location)
    for person in project.people:
        if person.handle and (why := handle_problem(person, forges)):
            block.problems.append(f"{PHASES_FILE}: {why}")
    listed = sorted({f"@{p.handle}" for p in project.people if p.handle}, key=str.casefold)
    if len(listed) >= 2:
        for path in (PHASES_FILE, location):
            block.lines.append(f"/{path} {' '.join(listed)}")
    owners_of: dict[str, list[str]] = {}
    for doc in documents:
        if doc.status != APPROVED:
            continue
        owners, problems = [], []
        for role, entry in (("owner", doc.owner), ("approver", doc.approved_by)):
            found, problem = handles_of(entry, project.people, role, doc.path)
            owners += found
            problems += [problem] if problem else []
        if problems:
            block.problems += problems
            continue
        for path in [doc.path, *cited_files(project, doc)]:
            owners_of.setdefault(path, []).extend(owners)
    for path, owners in owners_of.items():
        if not PLAIN_PATH.fullmatch(path):
            block.problems.append(
                f"{path}: a CODEOWNERS path of letters, digits, '.', '_', '-' and '/' only "
                "reads the same on every forge: rename the file"
            )
            continue
        handles = sorted({f"@{h}" for h in owners}, key=str.casefold)
        block.lines.append(f"/{path} {' '.join(handles)}")
    return block


def cited_files(project: Project, doc: Document) -> list[str]:
    """The evidence files a document cites (MLflow runs are not files)."""
    names = dict.fromkeys(c.name for c in (doc.page.citations if doc.page else []))
    sources = [project.evidence.get(name, "") for name in names]
    return [s.replace("\\", "/") for s in sources if s and not s.startswith(MLFLOW_PREFIX)]


def block_lines(lines: list[str]) -> tuple[int, int] | None:
    """The indexes of the block's BEGIN and END lines; None when it has none."""
    if BEGIN not in lines:
        return None
    start = lines.index(BEGIN)
    end = next((i for i in range(start, len(lines)) if lines[i] == END), None)
    return None if end is None else (start, end)


def current_block(text: str) -> str | None:
    """The block as the file holds it; None when it has none."""
    lines = text.replace("\r\n", "\n").split("\n")
    found = block_lines(lines)
    return None if found is None else "\n".join(lines[found[0] : found[1] + 1]) + "\n"


def with_block(text: str, block: str) -> str:
    """The file's text with the block replaced, or added at its end (after
    the team's own rules: on both forges the last matching rule wins)."""
    lines = text.split("\n")
    found = block_lines(lines)
    if found is not None:
        # By line, not by text: an END with no line end after it is the block's end too.
        start, end = found
        before = "".join(line + "\n" for line in lines[:start])
        return before + block + "\n".join(lines[end + 1 :])
    text = text.rstrip("\n")
    return (text + "\n\n" if text else "") + block


def problems(project: Project, documents: list[Document]) -> list[Problem]:
    """For `check`: when the project has a CODEOWNERS, a block not in step
    with the approvals, and approvals whose people have no handle."""
    location = find(project.root)
    if location is None:
        return []
    block = wanted(project, documents, location)
    found = [Problem(location, None, message) for message in block.problems]
    try:
        text = limits.read_text(project.root / location, project.root)
    except (limits.Refused, OSError, UnicodeDecodeError) as exc:
        return [*found, Problem(location, None, f"cannot be read: {exc}")]
    if not block.problems and current_block(text) != block.text:
        message = (
            "not in step with the approvals: run `ml-lifecycle codeowners` "
            "(make codeowners) and commit it"
        )
        found.append(Problem(location, None, message))
    return found


def update(root: Path, report, forge: str | None = None) -> str:
    """Write the block into the project's CODEOWNERS (made where the forge
    reads it when there is none); its path in the project. Raises
    CodeownersError, limits.Refused or OSError."""
    from ml_lifecycle import writing

    location = find(root) or (LOCATIONS[forge] if forge else infer_location(root))
    block = wanted(report.project, report.documents, location)
    if block.problems:
        more = f" (and {len(block.problems) - 1} more)" if len(block.problems) > 1 else ""
        raise CodeownersError(f"{block.problems[0]}{more}: {location} not written")
    target = writing.Output(root / location, root)
    before = target.before
    text = before.decode("utf-8-sig") if isinstance(before, bytes) else ""
    target.write(with_block(text.replace("\r\n", "\n"), block.text))
    return location


def infer_location(root: Path) -> str:
    if (root / ".github" / "workflows").is_dir():
        return LOCATIONS["github"]
    if (root / ".gitlab-ci.yml").is_file():
        return LOCATIONS["gitlab"]
    raise CodeownersError(
        "the project has no CODEOWNERS and no forge's CI file: "
        "name the forge with --forge github or --forge gitlab"
    )
