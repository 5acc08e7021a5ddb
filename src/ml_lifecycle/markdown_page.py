"""The document model's data: a page and what it holds (see markdown_model.py)."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import accumulate

from markdown_it.token import Token

from ml_lifecycle.markdown_links import Citation, Link, LinkFinder
from ml_lifecycle.markdown_parser import Part, inline_lines, plain

NOT_APPLICABLE = re.compile(r"(n/?a|not applicable)\.?", re.IGNORECASE)


def is_not_applicable(text: str) -> bool:
    """Whether an answer says only that the question does not apply."""
    return NOT_APPLICABLE.fullmatch(text.strip("*_ \t")) is not None


@dataclass
class FrontSource:
    text: str  # the YAML between the markers, with its last line end
    body_index: int  # the first line after the closing marker


@dataclass
class Heading:
    level: int
    text: str  # as written, without closing #s and {attributes}
    index: int  # its first line
    stop: int = 0  # the line after it (a setext heading has two)
    end: int = 0  # where its section ends: the next heading of its level or higher

    @property
    def line(self) -> int:
        return self.index + 1

    @cached_property
    def key(self) -> str:
        """Its text as headings are compared: blanks made single, case folded."""
        return " ".join(self.text.split()).casefold()


@dataclass
class Row:
    line: int
    tokens: list[Token] = field(repr=False)  # each cell's inline token
    table: Table = field(repr=False)

    @cached_property
    def cells(self) -> list[tuple[Part, ...]]:
        return [
            tuple(part for line in inline_lines(token) for part in line) for token in self.tokens
        ]

    @cached_property
    def texts(self) -> list[str]:
        return [plain(cell) for cell in self.cells]

    @property
    def header(self) -> list[str]:
        """The table's header texts, casefolded."""
        return [plain(cell).casefold() for cell in self.table.header]


@dataclass
class Table:
    line: int
    header_tokens: list[Token] = field(default_factory=list, repr=False)
    rows: list[Row] = field(default_factory=list)

    @property
    def header(self) -> list[tuple[Part, ...]]:
        return [tuple(p for line in inline_lines(t) for p in line) for t in self.header_tokens]


@dataclass
class Statement:
    """One line of a paragraph outside quotes and tables."""

    line: int
    raw: str  # as written, markup included
    token: Token = field(repr=False)
    number: int = 0  # its line in the paragraph
    in_list: bool = False  # a list item's

    @property
    def parts(self) -> tuple[Part, ...]:
        lines = inline_lines(self.token)
        return tuple(lines[self.number]) if self.number < len(lines) else ()

    @property
    def text(self) -> str:
        return plain(self.parts)


@dataclass
class Prompt:
    line: int
    kind: str  # "marker", "example row" or "empty row"


@dataclass
class Block:
    """A top-level block; `start` and `end` are line indexes, end excluded."""

    kind: str  # the token's type without "_open": paragraph, blockquote, table...
    start: int
    end: int
    title: str = ""  # of an admonition
    prompt: bool = False  # a quote that opens with a bold question
    example: int | None = None  # in a prompt, the line its example starts on

    @property
    def is_heading(self) -> bool:
        return self.kind == "heading"


@dataclass
class Page:
    text: str
    lines: list[str]
    front: FrontSource | None = None
    headings: list[Heading] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    found_links: list[Link] = field(default_factory=list, repr=False)
    citations: list[Citation] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    answer_lines: list[int] = field(default_factory=list)  # indexes, sorted
    fences: list[tuple[int, int]] = field(default_factory=list)

    # Inline tokens with links not read yet (see `links`), and how.
    pending_links: list[tuple[Token, bool]] = field(default_factory=list, repr=False)

    @property
    def links(self) -> list[Link]:
        """Every inline link, in file order; read on first use."""
        if self.pending_links:
            finder = LinkFinder(self)
            for token, in_cell in self.pending_links:
                finder.find_links(token, in_cell)
            self.pending_links = []
            self.found_links.sort(key=lambda link: (link.line, link.start or 0))
        return self.found_links

    @property
    def body_index(self) -> int:
        return self.front.body_index if self.front else 0

    @property
    def body_line(self) -> int:
        """The file line the body starts on."""
        return self.body_index + 1

    @property
    def body(self) -> str:
        """The text after the front matter, as written."""
        return self.text[self.body_offset :]

    @property
    def body_offset(self) -> int:
        return self.offset(self.body_index)

    def offset(self, index: int) -> int:
        """Where line `index` starts in the text."""
        return self._starts[min(index, len(self._starts) - 1)]

    @property
    def unfilled(self) -> int:
        return len(self.prompts)

    def title(self) -> str:
        """The first H1's text; empty without one."""
        return next((h.text for h in self.headings if h.level == 1), "")

    def h1(self) -> Heading | None:
        return next((h for h in self.headings if h.level == 1), None)

    def has_answer(self, start: int, end: int) -> bool:
        """Whether lines start..end (indexes, end excluded) hold an answer."""
        at = bisect_left(self.answer_lines, start)
        return at < len(self.answer_lines) and self.answer_lines[at] < end

    def section(self, heading: Heading) -> list[str]:
        """The lines under a heading, up to the end of its section."""
        return self.lines[heading.index + 1 : heading.end]

    def answered(self, position: int) -> bool:
        """Whether the prompt block at `position` in `blocks` is answered:
        the block right after it holds an answer (not another prompt, a
        heading, a marker or "N/A")."""
        following = self.answer_block(position)
        return following is not None and self.has_answer(following.start, following.end)

    def answer_block(self, position: int) -> Block | None:
        """The block after a prompt, where its answer goes; None when a
        prompt or a heading follows, or nothing."""
        if position + 1 >= len(self.blocks):
            return None
        following = self.blocks[position + 1]
        return None if following.prompt or following.is_heading else following

    def window(self, tail: str) -> Page | None:
        """This page's model of `tail`, a part of its body from a line start
        to the end (what MkDocs hands a plugin): no second parse. None when
        `tail` is not such a part. Links are not carried over."""
        start = len(self.text) - len(tail)
        index = bisect_left(self._starts, start)
        if start < self.body_offset or self._starts[index] != start or self.text[start:] != tail:
            return None
        return _shifted(self, index, start)

    def _init_offsets(self) -> None:
        # Each line's length plus its line end, summed: C-level iterators only.
        self._starts = list(accumulate(map((1).__add__, map(len, self.lines)), initial=0))


def _shifted(page: Page, index: int, start: int) -> Page:
    """The page from line `index` (offset `start`) on, every place moved."""
    window = Page(page.text[start:], page.lines[index:])
    window._init_offsets()
    window.headings = [
        replace(h, index=h.index - index, stop=h.stop - index, end=h.end - index)
        for h in page.headings
    ]
    window.blocks = [
        replace(
            b,
            start=b.start - index,
            end=b.end - index,
            example=None if b.example is None else b.example - index,
        )
        for b in page.blocks
        if b.start >= index
    ]
    window.prompts = [replace(p, line=p.line - index) for p in page.prompts]
    window.answer_lines = [line - index for line in page.answer_lines]
    window.citations = [
        replace(
            c,
            line=c.line - index,
            start=None if c.start is None else c.start - start,
            end=None if c.end is None else c.end - start,
        )
        for c in page.citations
    ]
    window.fences = [(a - index, b - index) for a, b in page.fences]
    return window
