"""What `check` reports of a document's citations: each compared with its
source, and the hashes an approval covers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml_lifecycle.evidence.sources import artefact
from ml_lifecycle.evidence.values import Missing, Unusable, lookup, matches, shown_value
from ml_lifecycle.markdown_model import Citation, Page
from ml_lifecycle.problem import Problem
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import EVIDENCE_SCHEME, PHASES_FILE

# A front-matter value that names evidence: `value: evidence:eval#test.accuracy`
# in a model-index metric, which the Hub export fills from it.
TARGET = re.compile(re.escape(EVIDENCE_SCHEME) + r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})#(\S{1,200})")


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
    except Unusable as exc:
        return Finding(citation, problem=f"cites {citation.target}, but in {found.source} {exc}")
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


def front_matter_sources(meta: object) -> list[str]:
    """The evidence sources that front-matter values name (the model-index
    metrics an export fills from evidence), in the order found."""
    return [name for name, _ in front_matter_targets(meta)]


def front_matter_targets(meta: object) -> list[tuple[str, str]]:
    """(source, key) of each front-matter value that names evidence."""
    names, pending = [], [meta]
    while pending:  # the YAML reader bounds the depth and the size
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and (match := TARGET.fullmatch(value.strip())):
            names.append((match.group(1), match.group(2)))
    return names


def cited_values(project: Project, page: Page, meta: object = None) -> dict[str, str]:
    """What an approval covers of the evidence: each value the body cites,
    and each one its front matter names for an export, by `source#key`; a
    value that cannot be read counts as why. A key no document cites can
    change without touching the approval."""
    targets = [(c.name, c.key) for c in page.citations] + front_matter_targets(meta)
    values = {}
    for name, key in targets:
        found = artefact(project, name)
        if found is None:
            values[f"{name}#{key}"] = "undeclared"
            continue
        try:
            if found.error:
                raise Missing(found.error)
            value = lookup(found, key)
            values[f"{name}#{key}"] = f"{type(value).__name__} {value}"
        except (Missing, Unusable) as exc:
            values[f"{name}#{key}"] = f"unreadable: {exc}"
    return values


def cited_digests(project: Project, page: Page, meta: object = None) -> dict[str, str]:
    """The hash of each artefact a page's body cites, and of each one its
    front matter names for an export: what an approval covered before it
    covered the cited values alone (`check` still accepts such a
    fingerprint); a source that cannot be read counts as its error."""
    digests = {}
    names = [citation.name for citation in page.citations] + front_matter_sources(meta)
    for name in names:
        found = artefact(project, name)
        digests[name] = "undeclared" if found is None else (found.digest or "unreadable")
    return digests
