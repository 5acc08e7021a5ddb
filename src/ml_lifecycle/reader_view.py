"""The reader's view of a document: what a reviewer or an auditor needs, not
what helped the team write it. The site and the dossier show it for
documents in review or approved; drafts keep everything. `lifecycle.yml`
(`settings: reader_view: always | never`) can force either view.

It leaves out, in the rendered copy only (the source is never changed):
- the "What this document is for" instructions;
- the example answers in the prompts (`> *Example:* ...`);
- prompts the team left unused: no answer before the next prompt or heading,
  or only "N/A".
The team's answers stay under their headings, and the questions of answered
prompts stay as context.
"""

from __future__ import annotations

from ml_lifecycle.documents import Document
from ml_lifecycle.markdown_model import Block, Page
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import FINISHED, PURPOSE_TITLE


def shows_reader_view(project: Project, doc: Document | None) -> bool:
    if doc is None or project.reader_view == "never":
        return False
    return project.reader_view == "always" or doc.status in FINISHED


def is_purpose(block: Block) -> bool:
    return block.kind == "admonition" and block.title == PURPOSE_TITLE


def reader_view(page: Page) -> str:
    """The Markdown of a page (a body, without front matter) as the reader's
    view shows it: blocks a blank line apart."""
    kept: list[list[str]] = []
    skip: Block | None = None  # an unanswered prompt's "N/A" or marker
    for position, block in enumerate(page.blocks):
        lines = page.lines[block.start : block.end]
        if block is skip or is_purpose(block):
            continue
        if not block.prompt:
            kept.append(lines)
        elif page.answered(position):
            question = lines[: block.example - block.start] if block.example else lines
            kept += [question] if question else []
        else:
            skip = page.answer_block(position)
    return "\n\n".join("\n".join(block) for block in kept) + "\n"
