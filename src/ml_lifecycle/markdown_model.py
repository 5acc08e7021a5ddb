"""The one Markdown document model: every tool reads a page through here.

`parse(text)` reads a page once (markdown_parser.py) into a `Page`:

- `front`: the front matter's YAML text and where the body starts;
- `headings` and their sections; `blocks`: the top-level blocks, with
  prompts (a quote opening with a bold question) and admonitions marked;
- `tables` with their rows and cells; `statements`: each line of a paragraph
  outside quotes and tables (a definition line "REQ-040: ...", a list item);
- `prompts`: what is left to fill in: each `==TODO==` marker outside code,
  each table row still the template's example ("... (example)" in its first
  cell) and each row left empty in a table;
- `citations` of evidence (`[0.87](evidence:eval#test.accuracy)`) and other
  `links`, with their place in the file so that a tool can rewrite one;
- `answer_lines`: where the text holds an answer (not a prompt, a marker,
  "N/A", a heading, a comment or a table's labels).

Cells and statements keep their inline code (`parts`), so that a table
derived from them shows it as code. Code (fences, code spans) holds no
marker, heading, link or answer.

Lines are 0-based indexes into `Page.lines` where a field is called
`index`/`start`/`end`, and 1-based file lines where it is called `line`.
Parsing is linear in the text and bounded: limits.check_markdown_size
refuses a page before it is parsed when it is too long to parse quickly.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from itertools import accumulate

from markdown_it.rules_core import StateCore, text_join
from markdown_it.token import Token

from ml_lifecycle import limits
from ml_lifecycle.markdown_parser import parser
from ml_lifecycle.vocabulary import EVIDENCE_SCHEME, EXAMPLE_LEAD, EXAMPLE_ROW, MARKER

# A citation's whole source: [value](evidence:name#key), the value on one
# line without brackets (evidence names: see project.py).
CITATION = re.compile(
    r"\[([^\[\]\n]{1,100})\]\("
    + re.escape(EVIDENCE_SCHEME)
    + r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})#([^()\s]{1,200})\)"
)
NOT_APPLICABLE = re.compile(r"(n/?a|not applicable)\.?", re.IGNORECASE)
FRONT_OPENING = "---"


@dataclass(frozen=True)
class Part:
    """A piece of inline text: plain text, or the content of a code span."""

    kind: str  # "text" or "code"
    text: str


def plain(parts: tuple[Part, ...] | list[Part]) -> str:
    """Inline text as read, code included, on one line."""
    return " ".join("".join(part.text for part in parts).split())


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


@dataclass
class Row:
    line: int
    tokens: list[Token] = field(repr=False)  # each cell's inline token
    table: Table = field(repr=False)

    @property
    def cells(self) -> list[tuple[Part, ...]]:
        return [
            tuple(part for line in inline_lines(token) for part in line) for token in self.tokens
        ]

    @property
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
class Link:
    target: str  # as the parser normalised it
    text: str  # the label, as read
    line: int
    # Offsets in Page.text of the "[", the "]" closing the label and the end
    # of the link; None when the link could not be placed (an escaped pipe
    # in its table cell, a label that wraps inside a quote).
    start: int | None = None
    label_end: int | None = None
    end: int | None = None


@dataclass
class Citation:
    text: str  # the value as the document writes it
    name: str  # the evidence source
    key: str  # the path inside it
    line: int
    start: int | None  # offsets of the value in Page.text
    end: int | None

    @property
    def target(self) -> str:
        return f"{self.name}#{self.key}"

    @property
    def link_start(self) -> int | None:
        return None if self.start is None else self.start - 1

    @property
    def link_end(self) -> int | None:
        # The link ends with "](evidence:name#key)".
        if self.end is None:
            return None
        return self.end + len(f"]({EVIDENCE_SCHEME}{self.target})")


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
            reader = _Reader(self)
            for token, in_cell in self.pending_links:
                reader.find_links(token, in_cell)
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
        self._starts = list(accumulate((len(line) + 1 for line in self.lines), initial=0))


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


# --- parsing -------------------------------------------------------------------


def parse(text: str, front_matter: bool = True) -> Page:
    """A page read into the model. With `front_matter`, a first line `---`
    opens front matter; without, the text is a body (as MkDocs hands it to a
    plugin). Raises limits.Refused for a page too long to parse quickly:
    too many lines, or too much inline markup in its body (front matter is
    YAML, screened by the YAML reader)."""
    limits.check_markdown_lines(text)
    # markdown-it ends a line at a lone CR too; both are one character, so
    # offsets into the text hold.
    lines = text.replace("\r", "\n").split("\n")
    with_front = front_matter and lines[0].rstrip(" \t") == FRONT_OPENING
    page = Page(text, lines)
    page._init_offsets()
    tokens = parser(with_front, inline=False).parse(text)
    limits.check_markdown_markup(token.content for token in tokens if token.type == "inline")
    _Reader(page).read(tokens)
    return page


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, file line where the body starts), or None when
    the text does not open with a closed front-matter block. Reads blocks
    only: quick enough for every version of a file in git's history."""
    lines = text.split("\n")
    if lines[0].rstrip(" \t") != FRONT_OPENING:
        return None
    tokens = parser(True, inline=False).parse(text)
    front = _front_matter(tokens, lines)
    if front is None:
        return None
    start = sum(len(line) + 1 for line in lines[: front.body_index])
    return front.text, text[start:], front.body_index + 1


def _front_matter(tokens: list[Token], lines: list[str]) -> FrontSource | None:
    if not tokens or tokens[0].type != "front_matter" or tokens[0].map is None:
        return None
    closing = tokens[0].map[1] - 1
    yaml_text = "".join(line + "\n" for line in lines[1:closing])
    return FrontSource(yaml_text, closing + 1)


def heading_text(source: str) -> str:
    """A heading's text without its {attributes} (attr_list): the first {
    after the last } but the closing one."""
    text = source.strip()
    if text.endswith("}"):
        opening = text.find("{", text.rfind("}", 0, len(text) - 1) + 1)
        if 0 <= opening < len(text) - 1:
            text = text[:opening]
    return text.strip()


def parsed(token: Token) -> Token:
    """An inline token with its children: the inline rules run on first use,
    since most of a page is never needed beyond its source text."""
    if not token.meta.get("parsed"):
        md = parser(True)
        token.children = []
        md.inline.parse(token.content, md, {}, token.children)
        text_join(StateCore(token.content, md, {}, [token]))
        token.meta["parsed"] = True
    return token


def inline_lines(token: Token) -> list[list[Part]]:
    """An inline token's parts, line by line (soft and hard breaks split)."""
    lines: list[list[Part]] = [[]]
    for child in parsed(token).children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append([])
        elif child.type == "code_inline":
            lines[-1].append(Part("code", child.content))
        elif child.type in ("text", "text_special", "html_inline") and child.content:
            lines[-1].append(Part("text", child.content))
    return lines


def source_lines(token: Token) -> list[str]:
    """An inline token's text line by line: as written, unless a code span
    may hide a marker or an answer (then as read, code left out)."""
    if "`" not in token.content:
        return token.content.split("\n")
    return ["".join(p.text for p in line if p.kind == "text") for line in inline_lines(token)]


def _answer(text: str) -> bool:
    text = text.replace(MARKER, "").strip("*_ \t")
    return bool(text) and not is_not_applicable(text)


class _Reader:
    """One walk over the tokens, filling a Page."""

    def __init__(self, page: Page):
        self.page = page
        self.stack: list[str] = []  # the open containers' types
        self.table: Table | None = None
        self.row: list[tuple[Part, ...]] | None = None
        self.row_line = 0
        self.in_head = False

    def read(self, tokens: list[Token]) -> None:
        page = self.page
        if tokens and tokens[0].type == "front_matter":
            page.front = _front_matter(tokens, page.lines)
            tokens = tokens[1:]
        for position, token in enumerate(tokens):
            if token.level == 0 and token.nesting >= 0 and token.map is not None:
                self.top_level(tokens, position, token)
            self.token(tokens, position, token)
        page.answer_lines.sort()
        page.prompts.sort(key=lambda prompt: prompt.line)
        self.section_ends()
        self.fill_gaps()

    def fill_gaps(self) -> None:
        """Lines no block holds (link definitions, say) as blocks of text,
        so that a reader who rebuilds a page from blocks keeps them."""
        page, blocks, at = self.page, [], self.page.body_index
        for block in [*page.blocks, Block("end", len(page.lines), len(page.lines))]:
            gap = [i for i in range(at, block.start) if page.lines[i].strip()]
            if gap:
                blocks.append(Block("text", gap[0], gap[-1] + 1))
            if block.kind != "end":
                blocks.append(block)
            at = max(at, block.end)
        page.blocks = blocks

    # --- blocks ---

    def top_level(self, tokens: list[Token], position: int, token: Token) -> None:
        start, end = token.map
        while end > start + 1 and not self.page.lines[end - 1].strip():
            end -= 1
        block = Block(token.type.removesuffix("_open"), start, end)
        if token.type == "admonition_open":
            block.title = token.content
        elif token.type == "blockquote_open":
            self.mark_prompt(tokens, position, block)
        self.page.blocks.append(block)

    def mark_prompt(self, tokens: list[Token], position: int, block: Block) -> None:
        """A quote whose first paragraph opens with bold text is a prompt;
        its example starts on the line that opens with *Example:*."""
        inline = next((t for t in tokens[position:] if t.type == "inline"), None)
        if inline is None or inline.map is None:
            return
        block.prompt = inline.content.startswith(("**", "__"))
        if not block.prompt:
            return
        leads = (EXAMPLE_LEAD, EXAMPLE_LEAD.replace("*", "_"))
        for number, line in enumerate(inline.content.split("\n")):
            if line.lstrip().startswith(leads):
                block.example = inline.map[0] + number
                return

    def section_ends(self) -> None:
        """Each heading's section ends at the next heading of its level or higher."""
        open_: list[Heading] = []
        for heading in self.page.headings:
            while open_ and open_[-1].level >= heading.level:
                open_.pop().end = heading.index
            open_.append(heading)
        for heading in open_:
            heading.end = len(self.page.lines)

    # --- every token ---

    def token(self, tokens: list[Token], position: int, token: Token) -> None:
        kind = token.type
        if token.nesting == 1:
            self.open(token)
        elif token.nesting == -1:
            self.close(token)
        elif kind == "inline":
            self.inline(tokens[position - 1] if position else None, token)
        elif kind == "fence" and token.map:
            self.page.fences.append((token.map[0], token.map[1]))
        elif kind == "html_block" and token.map:
            self.html_block(token)

    def open(self, token: Token) -> None:
        self.stack.append(token.type)
        if token.type == "table_open":
            self.table = Table(token.map[0] + 1 if token.map else 0)
        elif token.type == "thead_open":
            self.in_head = True
        elif token.type == "tr_open":
            self.row, self.row_line = [], (token.map[0] if token.map else 0)
            self.cursor = 0

    def close(self, token: Token) -> None:
        if self.stack:
            self.stack.pop()
        if token.type == "tr_close" and self.table is not None and self.row is not None:
            self.end_row()
        elif token.type == "thead_close":
            self.in_head = False
        elif token.type == "table_close" and self.table is not None:
            self.page.tables.append(self.table)
            self.table = None

    def end_row(self) -> None:
        table, cells = self.table, self.row
        if self.in_head:
            table.header_tokens = cells
            return
        row = Row(self.row_line + 1, cells, table)
        table.rows.append(row)
        texts = [" ".join(" ".join(source_lines(cell)).split()) for cell in cells]
        # The first column of a wider table holds the rows' labels.
        answers = texts[1:] if len(texts) > 1 else texts
        if any(_answer(text) for text in answers):
            self.page.answer_lines.append(self.row_line)
        if any(MARKER in text for text in texts):
            return  # its markers are prompts already
        if texts and texts[0].strip("*_ ").endswith(EXAMPLE_ROW):
            self.page.prompts.append(Prompt(row.line, "example row"))
        elif not any(text.strip() for text in answers):
            self.page.prompts.append(Prompt(row.line, "empty row"))

    def html_block(self, token: Token) -> None:
        start = token.map[0]
        for number, line in enumerate(token.content.split("\n")):
            for _ in range(line.count(MARKER)):
                self.page.prompts.append(Prompt(start + number + 1, "marker"))
        if not token.content.lstrip().startswith("<!--"):
            self.page.answer_lines.append(start)

    def inline(self, parent: Token | None, token: Token) -> None:
        if token.map is None:
            return
        first = token.map[0]
        lines = source_lines(token)
        for number, line in enumerate(lines):
            for _ in range(line.count(MARKER)):
                self.page.prompts.append(Prompt(first + number + 1, "marker"))
        if parent is not None and parent.type == "heading_open" and parent.level == 0:
            level = int(parent.tag[1:])
            text, stop = heading_text(token.content), parent.map[1] if parent.map else first + 1
            self.page.headings.append(Heading(level, text, first, stop))
        in_cell = parent is not None and parent.type in ("td_open", "th_open")
        if in_cell:
            self.cell(token)
        if "](" in token.content:
            if EVIDENCE_SCHEME in token.content:  # citations: every check needs them
                self.find_links(token, in_cell)
            else:
                self.page.pending_links.append((token, in_cell))
        if parent is None or parent.type != "paragraph_open" or "blockquote_open" in self.stack:
            return
        in_list = "list_item_open" in self.stack
        raw = token.content.split("\n")
        for number, line in enumerate(lines):
            self.page.statements.append(
                Statement(
                    first + number + 1,
                    raw[number] if number < len(raw) else line,
                    token,
                    number,
                    in_list,
                )
            )
            if _answer(line):
                self.page.answer_lines.append(first + number)

    def cell(self, token: Token) -> None:
        if self.row is not None:
            self.row.append(token)
        # Where the cell's source starts, for links in it: cells follow each
        # other on the row's line.
        source = self.page.lines[self.row_line] if self.row_line < len(self.page.lines) else ""
        found = source.find(token.content, self.cursor) if token.content else -1
        token.meta["origin"] = self.page.offset(self.row_line) + found if found >= 0 else None
        if found >= 0:
            self.cursor = found + len(token.content)

    # --- links and citations ---

    def find_links(self, token: Token, in_cell: bool) -> None:
        children = parsed(token).children or []
        for position, child in enumerate(children):
            if child.type != "link_open":
                continue
            label = _label(children, position)
            span = child.meta.get("span")
            place = self.place(token, span, in_cell) if span else None
            line = (place[3] if place else token.map[0]) + 1
            target = child.attrGet("href") or ""
            start, label_end, end = place[:3] if place else (None, None, None)
            self.page.found_links.append(Link(str(target), label, line, start, label_end, end))
            self.citation(token.content[span[0] : span[2]] if span else "", line, place)

    def citation(self, source: str, line: int, place: tuple | None) -> None:
        match = CITATION.fullmatch(source)
        if match is None:
            return
        start = place[0] + 1 if place else None
        end = place[1] if place else None
        self.page.citations.append(Citation(match[1], match[2], match[3], line, start, end))

    def place(self, token: Token, span: tuple, in_cell: bool) -> tuple | None:
        """(start, label end, end, line index) of a link in the file, from
        its offsets in the inline source; None when it cannot be placed."""
        content = token.content
        start, label_end, end = span
        index = content.count("\n", 0, start)
        line_start = content.rfind("\n", 0, start) + 1
        if in_cell:
            origin = token.meta.get("origin")
            base = None if origin is None else origin - line_start
        else:
            line = token.map[0] + index
            if line >= len(self.page.lines):
                return None
            source_line = content[line_start:].split("\n", 1)[0]
            column = self.page.lines[line].find(source_line) if source_line else -1
            base = None if column < 0 else self.page.offset(line) + column - line_start
        if base is None:
            return None
        first = content[start:end].split("\n", 1)[0]
        if self.page.text[base + start : base + start + len(first)] != first:
            return None
        if "\n" in content[start:end]:
            return None  # wraps: its later lines may carry a quote's markers
        return base + start, base + label_end, base + end, token.map[0] + index


def _label(children: list[Token], position: int) -> str:
    """The text of a link's label, from its opening token on."""
    depth, parts = 0, []
    for child in children[position:]:
        if child.type == "link_open":
            depth += 1
        elif child.type == "link_close":
            depth -= 1
            if depth == 0:
                break
        elif child.type in ("text", "code_inline", "text_special"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
    return "".join(parts)


# --- rendering helpers that need the model -------------------------------------------


def first_heading_end(page: Page) -> int | None:
    """Offset in the text just after the first H1's line; None without one."""
    heading = page.h1()
    if heading is None:
        return None
    return page.offset(heading.index) + len(page.lines[heading.index])


LONG_LINE = 2_000


def tame_long_lines(markdown: str) -> str:
    """Markdown with runs of blanks inside long lines (outside fenced code)
    made single: Python-Markdown reads a heading or table row with a long run
    of blanks in quadratic time (80,000 characters took 10 s). The page
    looks the same: HTML shows a run of blanks as one."""
    lines = markdown.split("\n")
    if not any(len(line) > LONG_LINE for line in lines):
        return markdown
    tokens = parser(False, inline=False).parse(markdown)
    fenced = {i for t in tokens if t.type == "fence" and t.map for i in range(*t.map)}
    for index, line in enumerate(lines):
        if index in fenced or len(line) <= LONG_LINE:
            continue
        core = line.strip(" \t")
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        trail = line[len(line.rstrip(" \t")) :][:2]  # keeps a hard break
        lines[index] = lead + " ".join(core.split()) + trail
    return "\n".join(lines)
