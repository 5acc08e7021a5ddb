"""Links and evidence citations of the document model, each placed in the
file so that a tool can rewrite one (markdown_parser.py records where each
link's source lies in its inline text; here that becomes a file offset)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown_it.token import Token

from ml_lifecycle.markdown_parser import parsed
from ml_lifecycle.vocabulary import EVIDENCE_SCHEME

if TYPE_CHECKING:
    from ml_lifecycle.markdown_page import Page

# A citation's whole source: [value](evidence:name#key), the value on one
# line without brackets (evidence names: see project.py).
CITATION = re.compile(
    r"\[([^\[\]\n]{1,100})\]\("
    + re.escape(EVIDENCE_SCHEME)
    + r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})#([^()\s]{1,200})\)"
)


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


class LinkFinder:
    """Finds the links of inline tokens and places them in a page's file."""

    def __init__(self, page: Page):
        self.page = page

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
