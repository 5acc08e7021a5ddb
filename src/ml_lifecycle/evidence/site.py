"""Citations as the site and the dossier show them: each value linked to its
artefact where the site can link it, with a footnote per source."""

from __future__ import annotations

import os
from pathlib import Path

from ml_lifecycle.evidence.findings import examine
from ml_lifecycle.evidence.sources import Artefact, artefact
from ml_lifecycle.evidence.values import as_decimal
from ml_lifecycle.markdown_model import Page
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import PHASES_FILE, md_escape

HASH_SHOWN = 12  # hex digits of an artefact's hash in a note


def note(found: Artefact | None, name: str) -> str:
    """A footnote on the source of cited values: what it is, its date, its hash."""
    if found is None:
        return f"Evidence {name}: not declared in {PHASES_FILE}."
    if found.error:
        return f"Evidence {name}: {md_escape(found.error)}."
    kind = "MLflow run" if not found.is_file else "file"
    parts = [f"{kind} {md_escape(found.source)}"]
    if found.modified:
        parts.append(f"dated {found.modified}")
    parts.append(f"sha256 {found.digest.partition(':')[2][:HASH_SHOWN]}")
    return f"Evidence *{name}*: " + ", ".join(parts) + "."


def render(page: Page, project: Project, source: Path, docs_dir: Path, repo_url: str = "") -> str:
    """The page's Markdown with each citation showing its value, linked to
    the artefact where the site can link it, and a footnote per source:
    source, date and hash. A value that no longer matches its source shows
    the source's value too. `source` is the page's file."""
    placed = [c for c in page.citations if c.start is not None]
    markdown = page.text
    if not placed:
        return markdown
    notes = {f"evidence-{c.name}": note(artefact(project, c.name), c.name) for c in placed}
    for citation in reversed(placed):
        finding = examine(project, citation)
        found = artefact(project, citation.name)
        label = f"evidence-{citation.name}"
        href = link(found, project.root, source, docs_dir, repo_url) if found else ""
        shown = f"[{citation.text}]({href})" if href else citation.text
        if finding.stale:
            value = finding.value
            value = str(value) if as_decimal(value) is not None else md_escape(value)
            shown += f" *(evidence: {value})*"
        start, end = citation.link_start, citation.link_end
        markdown = markdown[:start] + shown + f"[^{label}]" + markdown[end:]
    definitions = "\n\n".join(f"[^{label}]: {text}" for label, text in notes.items())
    return markdown.rstrip("\n") + "\n\n" + definitions + "\n"


def plain_values(page: Page) -> str:
    """The page's Markdown with each citation as its value in plain text
    (the dossier: one file that links no artefact)."""
    markdown = page.text
    for citation in reversed([c for c in page.citations if c.start is not None]):
        start, end = citation.link_start, citation.link_end
        markdown = markdown[:start] + citation.text + markdown[end:]
    return markdown


def link(found: Artefact, root: Path, page: Path, docs_dir: Path, repo_url: str) -> str:
    """Where the site can link an artefact: a file published with the site
    (relative to the page, for MkDocs to resolve), else the file in the
    repository on GitHub or GitLab, else an MLflow server's run page."""
    if not found.is_file:
        return found.url
    path = (root / found.source).absolute()
    if path.is_relative_to(docs_dir.absolute()):
        return Path(os.path.relpath(path, page.absolute().parent)).as_posix()
    repo = repo_url.rstrip("/")
    if repo.startswith("https://github.com/"):
        return f"{repo}/blob/HEAD/{found.source}"
    if repo.startswith("https://gitlab.com/"):
        return f"{repo}/-/blob/HEAD/{found.source}"
    return ""
