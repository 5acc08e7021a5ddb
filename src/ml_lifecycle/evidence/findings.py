"""What `check` reports of a document's citations: each compared with its
source, and the hashes an approval covers."""

from __future__ import annotations

from dataclasses import dataclass

from ml_lifecycle.evidence.sources import artefact
from ml_lifecycle.evidence.values import Missing, lookup, matches, shown_value
from ml_lifecycle.markdown_model import Citation, Page
from ml_lifecycle.problem import Problem
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import PHASES_FILE


@dataclass
class Finding:
    """One citation and what its source holds."""

    citation: Citation
    value: object = None
    problem: str = ""  # empty when the citation is consistent
    stale: bool = False  # the source holds another value: --update rewrites it

    @property
    def current(self) -> bool:
        return not self.problem


def examine(project: Project, citation: Citation) -> Finding:
    """Compare one citation with its source."""
    found = artefact(project, citation.name)
    if found is None:
        message = f"cites evidence {citation.name}, which {PHASES_FILE} does not declare"
        return Finding(citation, problem=message)
    if found.error:
        return Finding(citation, problem=f"cites {citation.target}, but {found.error}")
    try:
        value = lookup(found, citation.key)
    except Missing as exc:
        return Finding(citation, problem=f"cites {citation.target}: {found.source} has {exc}")
    if matches(citation.text, value):
        return Finding(citation, value)
    message = (
        f"says {citation.text.strip()}; {citation.target} is {shown_value(value)} "
        "(`ml-lifecycle evidence --update` rewrites it)"
    )
    return Finding(citation, value, message, stale=True)


def examine_page(project: Project, page: Page) -> list[Finding]:
    return [examine(project, citation) for citation in page.citations]


def problems_of(path: str, findings: list[Finding]) -> list[Problem]:
    return [Problem(path, f.citation.line, f.problem) for f in findings if f.problem]


def cited_digests(project: Project, page: Page) -> dict[str, str]:
    """The hash of each artefact a page's body cites (what an approval
    covers); a source that cannot be read counts as its error."""
    digests = {}
    for citation in page.citations:
        found = artefact(project, citation.name)
        if found is None:
            digests[citation.name] = "undeclared"
        else:
            digests[citation.name] = found.digest or "unreadable"
    return digests
