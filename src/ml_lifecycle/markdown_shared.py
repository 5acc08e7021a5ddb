"""Pages shared by documents with the same text, for commands that read many
files (`check` on a large project, `portfolio` on many projects).

Most of the checker's time goes to markdown-it's block parser, and much of
what it reads repeats: copies of a document, stubs that nobody has filled in
yet, and the same stub under different front matter in every project baked
from one template. So a text is parsed once per process:

- a text read before gives the same Page again (it is read-only: every
  reader of the model only reads it);
- a text whose body was read before, under other front matter, gets its own
  Page built from the body's model, every place moved down by the front
  matter's lines, without parsing the body again.

Both are bounded (least recently used entries go first), hold nothing but
what the parser makes of the text, and live only as long as the process:
nothing is written to disk, so no repository, branch or CI cache can supply
an entry. The front matter ends where markdown-it's front-matter plugin ends
it; a text with other line ends than \\n is parsed whole. `shared_page(text)`
equals `parse(text)` field by field (tests/package/test_markdown_shared.py
checks it on the worked example and on every way front matter can close).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ml_lifecycle import limits
from ml_lifecycle.markdown_links import Citation, Link
from ml_lifecycle.markdown_model import FRONT_OPENING, parse
from ml_lifecycle.markdown_page import (
    Block,
    FrontSource,
    Heading,
    Page,
    Prompt,
    Row,
    Statement,
    Table,
)

# Distinct texts (and bodies) kept: a page's model is about 75 KB, so each
# cache stays under about 20 MB however many files a command reads.
SHARED_PAGES = 256


def shared_page(text: str) -> Page:
    """The model of a page with front matter (as `parse(text)`), shared
    with every other caller that reads the same text. Raises limits.Refused
    as parse does. The Page must not be changed."""
    limits.check_markdown_lines(text)
    found = _page_or_refusal(text, limits.MAX_MARKDOWN_LINES, limits.MAX_MARKUP)
    if isinstance(found, limits.Refused):
        raise limits.Refused(str(found))
    return found


@lru_cache(maxsize=SHARED_PAGES)
def _page_or_refusal(text: str, *_limits: int) -> Page | limits.Refused:
    """The page, or why it is refused: the limits in force are part of the key."""
    try:
        return _assembled(text)
    except limits.Refused as refused:
        return refused


@lru_cache(maxsize=SHARED_PAGES)
def _body_or_refusal(body: str, *_limits: int) -> Page | limits.Refused:
    try:
        return parse(body, front_matter=False)
    except limits.Refused as refused:
        return refused


def _assembled(text: str) -> Page:
    """The page from its front matter and the shared model of its body."""
    lines = (text.replace("\r", "\n") if "\r" in text else text).split("\n")
    if lines[0].rstrip(" \t") != FRONT_OPENING:
        return _body(text)
    front = _front_source(text, lines)
    if front is None:
        return parse(text)  # unclosed, or closed in a way worth a full parse
    start = sum(len(line) + 1 for line in lines[: front.body_index])
    if start > len(text):
        return parse(text)  # the closing line ends the file: nothing to share
    return _with_front(text[start:], text, lines, front, start)


def _body(body: str) -> Page:
    found = _body_or_refusal(body, limits.MAX_MARKDOWN_LINES, limits.MAX_MARKUP)
    if isinstance(found, limits.Refused):
        raise limits.Refused(str(found))
    return found


def _closing_line(lines: list[str]) -> int | None:
    """The index of the line that closes front matter, as the front-matter
    plugin (mdit_py_plugins.front_matter) finds it after an opening `---`:
    the first line that is `...` at its start, or three or more dashes after
    any spaces and tabs, each followed by spaces and tabs only. None when no
    line closes it. (tests/package/test_markdown_shared.py compares every
    form with the plugin's own reading.)"""
    for index in range(1, len(lines)):
        line = lines[index]
        if line.startswith("...") and not line[3:].strip(" \t"):
            return index
        stripped = line.lstrip(" \t")
        if stripped.startswith("---") and not stripped.lstrip("-").strip(" \t"):
            return index
    return None


def _front_source(text: str, lines: list[str]) -> FrontSource | None:
    """The front matter's YAML and where the body starts; None when it is
    never closed, or the text has line ends other than \\n (then the page is
    parsed whole)."""
    closing = _closing_line(lines)
    if closing is None or "\r" in text:
        return None
    return FrontSource("".join(line + "\n" for line in lines[1:closing]), closing + 1)


@dataclass(frozen=True)
class _Moved:
    """What a body's model holds, moved down `down` lines: shared by every
    page with that body under front matter of that many lines."""

    headings: list[Heading]
    blocks: list[Block]
    tables: list[Table]
    statements: list[Statement]
    prompts: list[Prompt]
    answer_lines: list[int]
    fences: list[tuple[int, int]]


@lru_cache(maxsize=SHARED_PAGES)
def _moved(source: str, down: int, *_limits: int) -> _Moved:
    """The model of the body `source` moved down."""
    body = _body(source)
    return _Moved(
        headings=[
            Heading(h.level, h.text, h.index + down, h.stop + down, h.end + down)
            for h in body.headings
        ],
        blocks=[
            Block(
                b.kind,
                b.start + down,
                b.end + down,
                b.title,
                b.prompt,
                None if b.example is None else b.example + down,
            )
            for b in body.blocks
        ],
        tables=[_moved_table(table, down) for table in body.tables],
        statements=[
            Statement(s.line + down, s.raw, s.token, s.number, s.in_list) for s in body.statements
        ],
        prompts=[Prompt(p.line + down, p.kind) for p in body.prompts],
        answer_lines=[index + down for index in body.answer_lines],
        fences=[(first + down, end + down) for first, end in body.fences],
    )


def _with_front(source: str, text: str, lines: list[str], front: FrontSource, start: int) -> Page:
    """The page of `text`: its front matter, and the model of its body
    `source` (which starts at file line index `front.body_index`, offset `start`) with
    every place moved there. Tokens are shared: readers use only their
    text; links are placed before they are moved."""
    down = front.body_index
    body = _body(source)
    moved = _moved(source, down, limits.MAX_MARKDOWN_LINES, limits.MAX_MARKUP)

    def at(offset: int | None) -> int | None:
        return None if offset is None else offset + start

    page = Page(text, lines, front, moved.headings, moved.blocks, moved.tables, moved.statements)
    page._init_offsets()
    page.found_links = [
        Link(k.target, k.text, k.line + down, at(k.start), at(k.label_end), at(k.end))
        for k in body.links
    ]
    page.citations = [
        Citation(c.text, c.name, c.key, c.line + down, at(c.start), at(c.end))
        for c in body.citations
    ]
    page.prompts, page.answer_lines, page.fences = moved.prompts, moved.answer_lines, moved.fences
    return page


def _moved_table(table: Table, down: int) -> Table:
    moved = Table(table.line + down, table.header_tokens)
    moved.rows = [Row(row.line + down, row.tokens, moved) for row in table.rows]
    return moved
