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

import re

from ml_lifecycle.documents import Document
from ml_lifecycle.project import Project
from ml_lifecycle.vocabulary import EXAMPLE_LEAD, FINISHED, PURPOSE_TITLE

PURPOSE = re.compile(rf'^(!!!|\?\?\?\+?)[ \t]+[\w-]+[ \t]+"{re.escape(PURPOSE_TITLE)}"')
FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
NOT_APPLICABLE = re.compile(r"[*_]*(n/?a|not applicable)\.?[*_]*", re.IGNORECASE)
PROMPT_START = "> **"


def shows_reader_view(project: Project, doc: Document | None) -> bool:
    if doc is None or project.reader_view == "never":
        return False
    return project.reader_view == "always" or doc.status in FINISHED


def drop_purpose(lines: list[str]) -> list[str]:
    """Lines without the "What this document is for" admonition."""
    kept, skipping = [], False
    for line in lines:
        if PURPOSE.match(line):
            skipping = True
            continue
        if skipping and (not line.strip() or line.startswith("    ")):
            continue
        skipping = False
        kept.append(line)
    return kept


def blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines; a fenced code block stays in one run."""
    found, current, fence = [], [], None
    for line in lines:
        if fence is None and not line.strip():
            if current:
                found.append(current)
            current = []
            continue
        current.append(line)
        match = FENCE_OPEN.match(line)
        if match and fence is None:
            fence = match.group(1)[0] * 3
        elif match and line.strip().startswith(fence or "\0"):
            fence = None
    if current:
        found.append(current)
    return found


def is_prompt(block: list[str]) -> bool:
    return block[0].startswith(PROMPT_START) and all(line.startswith(">") for line in block)


def without_example(block: list[str]) -> list[str]:
    """A prompt's question, without the example answer and what follows it."""
    for index, line in enumerate(block):
        if line.lstrip("> ").startswith(EXAMPLE_LEAD):
            return block[:index]
    return block


def is_unanswered(block: list[str] | None) -> bool:
    """After a prompt: nothing, another prompt or a heading, or only N/A."""
    if block is None or is_prompt(block) or block[0].lstrip().startswith("#"):
        return True
    return len(block) == 1 and NOT_APPLICABLE.fullmatch(block[0].strip()) is not None


def reader_view(markdown: str) -> str:
    """The Markdown of a document as the reader's view shows it."""
    parts = blocks(drop_purpose(markdown.split("\n")))
    kept: list[list[str]] = []
    skip_next = False
    for index, block in enumerate(parts):
        if skip_next:
            skip_next = False
            continue
        if not is_prompt(block):
            kept.append(block)
            continue
        following = parts[index + 1] if index + 1 < len(parts) else None
        if is_unanswered(following):
            # An N/A answer goes with its question; a heading or prompt stays.
            skip_next = following is not None and not (
                is_prompt(following) or following[0].lstrip().startswith("#")
            )
            continue
        question = without_example(block)
        if question:
            kept.append(question)
    return "\n\n".join("\n".join(block) for block in kept) + "\n"
