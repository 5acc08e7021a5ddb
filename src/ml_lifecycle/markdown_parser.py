"""The Markdown parser behind the document model (markdown_model.py):
markdown-it-py, set up as a lifecycle document is written for mkdocs-material.

Why markdown-it-py and not Python-Markdown's tree: every reader needs file
lines (a problem names its line), and markdown-it-py's tokens carry them
while Python-Markdown's tree does not; its rules are CommonMark's, linear in
the input, with no stalls on backtick runs or long lines; and front matter
and admonitions are maintained plugins (mdit-py-plugins). Python-Markdown
stays the renderer of the site and the dossier.

Set up:
- GFM tables and mkdocs-material admonitions (`!!!`, `???`) are read;
- indented code blocks are off: in mkdocs-material, indented text is the
  body of an admonition or a tab, never code, so only fences and code spans
  are code;
- each inline link records where its source starts and ends in the inline
  text, so that a reader can rewrite one link in the file (evidence values,
  the guide's links) without a pattern of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore, text_join
from markdown_it.rules_inline.link import link as link_rule
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

# Nesting past this (quotes in lists in quotes...) is read as text: bounded
# recursion on hostile input, and no document needs more.
MAX_NESTING = 20


def located_link(state: StateInline, silent: bool) -> bool:
    """markdown-it's link rule, recording on the link_open token the span of
    the whole link `[label](target)` and the end of its label, as offsets
    in the inline source."""
    start, count = state.pos, len(state.tokens)
    if not link_rule(state, silent):
        return False
    if silent:
        return True
    # Text pending before the link is pushed first.
    opening = next((t for t in state.tokens[count:] if t.type == "link_open"), None)
    if opening is not None:
        end = state.pos
        label_end = state.md.helpers.parseLinkLabel(state, start)
        state.pos = end
        opening.meta["span"] = (start, label_end, end)
    return True


@cache
def parser(front_matter: bool = True, inline: bool = True) -> MarkdownIt:
    """The shared parser. Without `front_matter`, a text is read as a page
    body (MkDocs hands plugins the body alone): a first line `---` is a rule.
    Without `inline`, only blocks are read (front matter alone is wanted)."""
    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})
    md.enable("table")
    md.disable("code")
    md.use(admon_plugin)
    if front_matter:
        md.use(front_matter_plugin)
    md.inline.ruler.at("link", located_link)
    if not inline:
        md.disable("inline")
    return md


# --- inline text, read on demand -----------------------------------------------


@dataclass(frozen=True)
class Part:
    """A piece of inline text: plain text, or the content of a code span."""

    kind: str  # "text" or "code"
    text: str


def plain(parts: tuple[Part, ...] | list[Part]) -> str:
    """Inline text as read, code included, on one line."""
    return " ".join("".join(part.text for part in parts).split())


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
    """An inline token's parts, line by line (soft and hard breaks split);
    read once and kept on the token: never change the lists."""
    if "lines" not in token.meta:
        token.meta["lines"] = _inline_lines(token)
    return token.meta["lines"]


def _inline_lines(token: Token) -> list[list[Part]]:
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
