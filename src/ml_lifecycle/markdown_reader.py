"""One walk over markdown-it's tokens, filling a Page (markdown_model.py)."""

from __future__ import annotations

from markdown_it.token import Token

from ml_lifecycle.markdown_links import LinkFinder
from ml_lifecycle.markdown_page import (
    Block,
    FrontSource,
    Heading,
    Page,
    Prompt,
    Row,
    Statement,
    Table,
    is_not_applicable,
)
from ml_lifecycle.markdown_parser import heading_text, source_lines
from ml_lifecycle.vocabulary import EVIDENCE_SCHEME, EXAMPLE_LEAD, EXAMPLE_ROW, MARKER


def front_matter_of(tokens: list[Token], lines: list[str]) -> FrontSource | None:
    if not tokens or tokens[0].type != "front_matter" or tokens[0].map is None:
        return None
    closing = tokens[0].map[1] - 1
    yaml_text = "".join(line + "\n" for line in lines[1:closing])
    return FrontSource(yaml_text, closing + 1)


def _answer(text: str) -> bool:
    text = text.replace(MARKER, "").strip("*_ \t")
    return bool(text) and not is_not_applicable(text)


class Reader(LinkFinder):
    """One walk over the tokens, filling a Page."""

    def __init__(self, page: Page):
        super().__init__(page)
        self.stack: list[str] = []  # the open containers' types
        self.table: Table | None = None
        self.row: list[Token] | None = None  # the cells of the row being read
        self.row_line = 0
        self.in_head = False

    def read(self, tokens: list[Token]) -> None:
        page = self.page
        if tokens and tokens[0].type == "front_matter":
            page.front = front_matter_of(tokens, page.lines)
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
        # other on the row's line. `column` is within the line, so it holds
        # for a page whose body moved (markdown_shared.py shares tokens).
        source = self.page.lines[self.row_line] if self.row_line < len(self.page.lines) else ""
        found = source.find(token.content, self.cursor) if token.content else -1
        token.meta["origin"] = self.page.offset(self.row_line) + found if found >= 0 else None
        token.meta["column"] = found if found >= 0 else None
        if found >= 0:
            self.cursor = found + len(token.content)
