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
an entry. The front matter's end is found by the same markdown-it plugin as
in a full parse (run on the front matter alone); when that is in any doubt,
the page is parsed whole. `shared_page(text)` equals `parse(text)` field by
field (tests/package/test_markdown_model.py checks it on every stub).
"""

from __future__ import annotations

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
from ml_lifecycle.markdown_parser import parser
from ml_lifecycle.markdown_reader import front_matter_of

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
    lines = text.replace("\r", "\n").split("\n")
    if lines[0].rstrip(" \t") != FRONT_OPENING:
        return _body(text)
    front = _front_source(lines)
    if front is None:
        return parse(text)  # unclosed, or closed in a way worth a full parse
    start = sum(len(line) + 1 for line in lines[: front.body_index])
    if start > len(text):
        return parse(text)  # the closing line ends the file: nothing to share
    return _with_front(_body(text[start:]), text, lines, front, start)


def _body(body: str) -> Page:
    found = _body_or_refusal(body, limits.MAX_MARKDOWN_LINES, limits.MAX_MARKUP)
    if isinstance(found, limits.Refused):
        raise limits.Refused(str(found))
    return found


def _closing_line(lines: list[str]) -> int | None:
    """The first line that can close front matter: a run of three or more
    dashes, or `...` at the start, and then only blanks; None when there is
    none. (The plugin has the last word: see _front_source.)"""
    for index in range(1, len(lines)):
        line = lines[index]
        stripped = line.lstrip(" \t")
        dashes = len(stripped) - len(stripped.lstrip("-"))
        closes = dashes >= 3 and not stripped[dashes:].strip(" \t")
        if closes or (line.startswith("...") and not line[3:].strip(" \t")):
            return index
    return None


def _front_source(lines: list[str]) -> FrontSource | None:
    """Where the front matter ends, as the front-matter plugin finds it: the
    plugin reads the lines up to the first that can close it, and must close
    the block exactly there; None otherwise."""
    closing = _closing_line(lines)
    if closing is None:
        return None
    head = lines[: closing + 1]
    tokens = parser(True, inline=False).parse("\n".join(head) + "\n")
    front = front_matter_of(tokens, head)
    if front is None or front.body_index != closing + 1:
        return None
    return front


def _with_front(body: Page, text: str, lines: list[str], front: FrontSource, start: int) -> Page:
    """The page of `text`: its front matter, and the model of its body
    (which starts at file line index `front.body_index`, offset `start`) with
    every place moved there. Tokens are shared: readers use only their
    text; links are placed before they are moved."""
    down = front.body_index

    def at(offset: int | None) -> int | None:
        return None if offset is None else offset + start

    page = Page(text, lines, front)
    page._init_offsets()
    page.headings = [
        Heading(h.level, h.text, h.index + down, h.stop + down, h.end + down) for h in body.headings
    ]
    page.blocks = [
        Block(
            b.kind,
            b.start + down,
            b.end + down,
            b.title,
            b.prompt,
            None if b.example is None else b.example + down,
        )
        for b in body.blocks
    ]
    page.tables = [_moved_table(table, down) for table in body.tables]
    page.statements = [
        Statement(s.line + down, s.raw, s.token, s.number, s.in_list) for s in body.statements
    ]
    page.found_links = [
        Link(k.target, k.text, k.line + down, at(k.start), at(k.label_end), at(k.end))
        for k in body.links
    ]
    page.citations = [
        Citation(c.text, c.name, c.key, c.line + down, at(c.start), at(c.end))
        for c in body.citations
    ]
    page.prompts = [Prompt(p.line + down, p.kind) for p in body.prompts]
    page.answer_lines = [index + down for index in body.answer_lines]
    page.fences = [(first + down, end + down) for first, end in body.fences]
    return page


def _moved_table(table: Table, down: int) -> Table:
    moved = Table(table.line + down, table.header_tokens)
    moved.rows = [Row(row.line + down, row.tokens, moved) for row in table.rows]
    return moved
