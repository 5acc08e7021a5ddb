"""Sections an update may have lost: the bake (and every `cruft update`)
records in `.lifecycle-template.yml` the level-2 headings the template gave
each document, and `check` reports a document that lacks one of them. An
update that merged cleanly brings the new sections into the documents and
the file alike; a document that was reverted to an older version, or whose
new questions were left in a `.rej` file, lacks them.

Headings are compared as a reader sees them: case and spacing aside. A team
that leaves a section out on purpose deletes its line from the file.
"""

from __future__ import annotations

import yaml

from ml_lifecycle import limits
from ml_lifecycle.documents import Document
from ml_lifecycle.problem import Problem
from ml_lifecycle.project import Project
from ml_lifecycle.yaml_shared import load_shared

SECTIONS_FILE = ".lifecycle-template.yml"


def normal(heading: str) -> str:
    return " ".join(heading.split()).casefold()


def recorded(project: Project) -> tuple[dict[str, list[str]], list[Problem]]:
    """Each document's recorded sections, by path; a problem when the file
    cannot be read."""
    path = project.root / SECTIONS_FILE
    if not path.is_file():
        return {}, []
    try:
        data, _ = load_shared(limits.read_text(path, project.root))  # once per distinct text
    except (limits.Refused, OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return {}, [Problem(SECTIONS_FILE, None, f"cannot be read: {limits.brief(detail)}")]
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, dict):
        return {}, [Problem(SECTIONS_FILE, None, "must map each document to its `sections:`")]
    return {
        str(doc): [str(title) for title in titles if isinstance(title, str)]
        for doc, titles in sections.items()
        if isinstance(titles, list)
    }, []


def required(doc: Document) -> set[str]:
    """The document's required sections, as compared."""
    listed = doc.front.block.get("required_sections") if doc.front else None
    if not isinstance(listed, list):
        return set()
    return {normal(title) for title in listed if isinstance(title, str)}


def problems(
    project: Project, documents: list[Document], read: tuple | None = None
) -> list[Problem]:
    """A problem for each recorded section a document lacks (added to the
    document too). `read`: what recorded(project) gave, if the caller has it."""
    sections, found = read or recorded(project)
    found = list(found)
    for doc in documents:
        wanted = sections.get(doc.path)
        if not wanted or doc.page is None:
            continue
        present = {normal(h.text) for h in doc.page.headings if h.level == 2}
        present |= required(doc)  # a missing required section has its own problem
        missing = [title for title in wanted if normal(title) not in present]
        if not missing:
            continue
        listed = ", ".join(limits.brief(title) for title in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        message = (
            f"lacks {len(missing)} section{'s' if len(missing) > 1 else ''} the template gives it "
            f"({listed}{more}): an update may have lost them; add each '## ' heading back "
            f"with its questions, or delete its line from {SECTIONS_FILE} to leave it out"
        )
        problem = Problem(doc.path, None, message)
        doc.problems.append(problem)
        found.append(problem)
    return found
