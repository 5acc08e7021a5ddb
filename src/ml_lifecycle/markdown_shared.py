"""Pages shared by documents with the same text, for commands that read many
files (`check` on a large project, `portfolio` on many projects).

Most of the checker's time goes to markdown-it's block parser, and much of
what it reads repeats: copies of a document, stubs that nobody has filled in
yet, and the same stub under different front matter in every project baked
from one template. So a text is parsed once per process:

- a text read before gives the same Page again (it is read-only: every
  reader of the model only reads it);
- a text whose body was read before, under other front matter, gets a Page
  of its own built from that first reading, every place moved to where its
  body starts, without parsing the body again. A body met for the first
  time is parsed with its page, as `parse` does: nothing extra.

Both are bounded (least recently used entries go first), hold nothing but
what the parser makes of the text, and live only as long as the process:
nothing is written to disk, so no repository, branch or CI cache can supply
an entry. The front matter ends where markdown-it's front-matter plugin ends
it (a reading is kept only when the parse agrees), and a text with other
line ends than \\n is parsed whole. `shared_page(text)` equals `parse(text)`
field by field (tests/package/test_markdown_shared.py checks it on the
worked example and on every way front matter can close).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
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


class _Recent:
    """A bounded mapping: the least recently used entry goes first."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()

    def get(self, key):
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key, value) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)


@dataclass(frozen=True)
class _Moved:
    """What a body's model holds, at the lines of one page: shared by every
    page with that body under front matter of that many lines."""

    headings: list[Heading]
    blocks: list[Block]
    tables: list[Table]
    statements: list[Statement]
    prompts: list[Prompt]
    answer_lines: list[int]
    fences: list[tuple[int, int]]


@dataclass
class _Reading:
    """A body's first reading: the page it was read in, where the body
    starts there (line index, offset), and its model moved to the other
    line indexes it was met at since."""

    page: Page
    down: int
    start: int
    moved: dict[int, _Moved] = field(default_factory=dict)

    def at_line(self, down: int) -> _Moved:
        if down == self.down:
            page = self.page
            return _Moved(
                page.headings,
                page.blocks,
                page.tables,
                page.statements,
                page.prompts,
                page.answer_lines,
                page.fences,
            )
        if down not in self.moved:
            if len(self.moved) >= MOVES:
                self.moved.pop(next(iter(self.moved)))
            self.moved[down] = _moved(self.page, down - self.down)
        return self.moved[down]


# Bodies by their text (and the limits in force): a reading, or a refusal.
_READINGS = _Recent(SHARED_PAGES)
MOVES = 8  # front matter lengths a body is kept at


def _assembled(text: str) -> Page:
    """The page of `text`: read whole the first time its body is met, then
    built from that reading under any front matter."""
    lines = (text.replace("\r", "\n") if "\r" in text else text).split("\n")
    front = None
    if lines[0].rstrip(" \t") == FRONT_OPENING:
        front = _front_source(text, lines)
        if front is None:
            return parse(text)  # unclosed, or closed in a way worth reading whole
    start = sum(len(line) + 1 for line in lines[: front.body_index]) if front else 0
    if start > len(text):
        return parse(text)  # the closing line ends the file: no body to share
    key = (text[start:], limits.MAX_MARKDOWN_LINES, limits.MAX_MARKUP)
    reading = _READINGS.get(key)
    if isinstance(reading, limits.Refused):
        raise limits.Refused(str(reading))
    if reading is None:
        return _first_reading(key, text, front, start)
    return _with_front(reading, text, lines, front, start)


def _first_reading(key: tuple, text: str, front: FrontSource | None, start: int) -> Page:
    """The page read whole, kept as its body's reading (as is a refusal,
    which depends on the body alone: the line limit was checked before)."""
    try:
        page = parse(text)
    except limits.Refused as refused:
        _READINGS.put(key, refused)
        raise
    down = front.body_index if front else 0
    if page.body_index == down:  # as found here: always, but never assumed
        _READINGS.put(key, _Reading(page, down, start))
    return page


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


def _moved(page: Page, down: int) -> _Moved:
    """A page's model of its body, every line index moved `down` (which may
    be negative: the body then starts higher)."""
    return _Moved(
        headings=[
            Heading(h.level, h.text, h.index + down, h.stop + down, h.end + down)
            for h in page.headings
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
            for b in page.blocks
        ],
        tables=[_moved_table(table, down) for table in page.tables],
        statements=[
            Statement(s.line + down, s.raw, s.token, s.number, s.in_list) for s in page.statements
        ],
        prompts=[Prompt(p.line + down, p.kind) for p in page.prompts],
        answer_lines=[index + down for index in page.answer_lines],
        fences=[(first + down, end + down) for first, end in page.fences],
    )


def _with_front(
    reading: _Reading, text: str, lines: list[str], front: FrontSource | None, start: int
) -> Page:
    """The page of `text`, whose body (at line index `front.body_index`,
    offset `start`) was read before: its reading's model at these lines.
    Tokens are shared (readers use only their text); links are placed in
    the reading's page, then moved."""
    down = front.body_index if front else 0
    moved = reading.at_line(down)
    lines_by, chars_by = down - reading.down, start - reading.start

    def at(offset: int | None) -> int | None:
        return None if offset is None else offset + chars_by

    page = Page(text, lines, front, moved.headings, moved.blocks, moved.tables, moved.statements)
    page._init_offsets()
    page.found_links = [
        Link(k.target, k.text, k.line + lines_by, at(k.start), at(k.label_end), at(k.end))
        for k in reading.page.links
    ]
    page.citations = [
        Citation(c.text, c.name, c.key, c.line + lines_by, at(c.start), at(c.end))
        for c in reading.page.citations
    ]
    page.prompts, page.answer_lines, page.fences = moved.prompts, moved.answer_lines, moved.fences
    return page


def _moved_table(table: Table, down: int) -> Table:
    moved = Table(table.line + down, table.header_tokens)
    moved.rows = [Row(row.line + down, row.tokens, moved) for row in table.rows]
    return moved
