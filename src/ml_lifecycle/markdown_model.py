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
Parsing is linear in the text and bounded: limits.check_markdown_lines
refuses a page before it is parsed when it is too long to parse quickly,
and check_markdown_markup and check_markdown_depth one that the site's
renderer (Python-Markdown) would take minutes over or fail on.
"""

from __future__ import annotations

from ml_lifecycle import limits
from ml_lifecycle.markdown_links import CITATION, Citation, Link
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
from ml_lifecycle.markdown_parser import Part, parser, plain
from ml_lifecycle.markdown_reader import Reader, front_matter_of

# The model's names, from the modules that hold them.
__all__ = [
    "CITATION",
    "Block",
    "Citation",
    "FrontSource",
    "Heading",
    "Link",
    "Page",
    "Part",
    "Prompt",
    "Row",
    "Statement",
    "Table",
    "is_not_applicable",
    "parse",
    "plain",
    "split_front_matter",
    "tame_long_lines",
]
FRONT_OPENING = "---"


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
    limits.check_markdown_markup(t.content for t in tokens if t.type in ("inline", "html_block"))
    Reader(page).read(tokens)
    limits.check_markdown_depth(page.lines, page.fences)
    return page


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, file line where the body starts), or None when
    the text does not open with a closed front-matter block. Reads blocks
    only: quick enough for every version of a file in git's history."""
    lines = text.split("\n")
    if lines[0].rstrip(" \t") != FRONT_OPENING:
        return None
    prefix, whole = front_matter_prefix(lines)
    front = front_matter_of(parser(True, inline=False).parse(prefix), lines) if prefix else None
    if front is None and not whole:  # many lines that look like closers: read it all
        front = front_matter_of(parser(True, inline=False).parse(text), lines)
    if front is None:
        return None
    start = sum(len(line) + 1 for line in lines[: front.body_index])
    return front.text, text[start:], front.body_index + 1


# Lines that may close front matter, read before the parser decides.
CLOSERS_READ = 64


def front_matter_prefix(lines: list[str]) -> tuple[str, bool]:
    """The start of a text that holds its front matter, if it has any: up to
    the last line that may close it (one starting with --- or ...), or the
    CLOSERS_READ-th; and whether that covers every such line. So reading
    every version of a long file in git's history does not parse each one
    whole (500,000 list items took 17 s)."""
    last, seen = None, 0
    for index, line in enumerate(lines[1:], start=1):
        if line.lstrip(" \t")[:3] in ("---", "..."):
            last, seen = index, seen + 1
            if seen == CLOSERS_READ:
                return "\n".join(lines[: index + 1]) + "\n", False
    return ("\n".join(lines[: last + 1]) + "\n" if last else ""), True


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
