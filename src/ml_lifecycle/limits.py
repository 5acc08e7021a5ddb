"""Bounded reading of what a repository holds: every tool of ml-lifecycle reads
project files through here, so that a hostile or broken file gives one
problem line instead of a crash, a hang or a leak.

- A file whose real path lies outside the project is not read (a link to
  /etc/passwd would otherwise be checked, built and published).
- A file over MAX_FILE_BYTES, or that is not a regular file, is not read;
  nor is a hard link (a file with several names: the other may be outside).
- YAML (front matter, lifecycle.yml) is screened before it is parsed: no
  anchors or aliases (a 1 KB "billion laughs" expands to gigabytes) and no
  nesting deeper than MAX_YAML_DEPTH (100,000 levels crash the C parser).
- Walking docs/ never leaves the project: links to folders elsewhere are
  reported, not followed, and no real folder is walked twice.

Each refusal is a `Refused` whose message completes "<path>: ...".
"""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

import yaml

MAX_FILE_BYTES = 2 * 1024 * 1024  # a lifecycle document is a few hundred KB at most
MAX_ASSET_BYTES = 20 * 1024 * 1024  # an image the dossier embeds
MAX_YAML_DEPTH = 50  # Hugging Face's model-index, the deepest in use, needs 6
MAX_REVIEW_INTERVAL = 36_500  # days: a century
MAX_PHASE_NUMBER = 999
SHOWN_CHARS = 60  # of a value quoted in a problem line
# A page the Markdown model reads (markdown_model.py): parsing costs up to
# about 35 microseconds a line and 10 a punctuation mark on hostile input,
# and the site and the dossier render it with Python-Markdown, slower again:
# these keep any page under a few seconds in every tool. A real document
# has a few hundred lines, a few thousand marks and tables of a few
# hundred cells.
MAX_MARKDOWN_LINES = 10_000  # 20,000 fences took the site's renderer 4 s
MAX_MARKUP = 200_000
MAX_TABLE_PIPES = 50_000
# Python-Markdown reads the inline markup of one block (a paragraph, a
# heading, a table cell) in time that grows with the square of its marks
# (8,000 `[` in one paragraph took 7 s, 8,000 `<` 5 s, 16,000 `{` in a
# heading 5 s, 64,000 `==` 4 s), and 2,000 nested `*` exhaust its
# recursion. The sum over a page's blocks of (marks in the block)^2 stays
# under this: one block of 1,000 marks; the largest sum in this
# repository's own pages is about 11,000.
MAX_MARKUP_SQUARED = 1_000_000
# Abbreviations (`*[HTML]: ...`) cost the renderer time in their number
# times the page's length: 2,000 took 3 s, 4,000 11 s.
MAX_ABBREVIATIONS = 300
# Python-Markdown nests lists, admonitions and tabs by indentation, and
# recursion fails past about 250 levels; a real page nests a few.
MAX_INDENT = 200  # columns of leading blanks, outside fenced code
MAX_QUOTE_DEPTH = 100  # quotes in quotes: 256,000 took the renderer 6 s
# Blocks of HTML whose Markdown is read (md_in_html), nested 500 deep,
# exhaust Python-Markdown's recursion too.
MAX_MARKDOWN_IN_HTML = 200
MARKUP = "[]()*_`<>!\\&"

_OPENING = (
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
)
_CLOSING = (yaml.BlockEndToken, yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
_Scanner = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Lines git writes around a conflict it leaves for a person to resolve.
CONFLICT_EDGE = re.compile(r"^(?:<{7}|>{7}|\|{7})(?:[ \t].*)?$", re.M)
CONFLICT_MIDDLE = re.compile(r"^={7}[ \t]*$", re.M)
CONFLICT_MARKS = ("<" * 7, ">" * 7, "|" * 7)  # one of them is in any text CONFLICT_EDGE finds


class Refused(Exception):
    """An input a tool will not read; str() completes "<path>: ..."."""


def brief(value: object) -> str:
    """repr() of a value, cut short for a one-line message."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 5] + "…" + text[-4:]


def is_inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every link followed, lies inside `root`."""
    try:
        top = _real_root(os.path.abspath(root))
        if _below_without_links(path, root, top):
            return True
        real = _real(path)
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL
        return False
    return real == top or real.startswith(top if top.endswith(os.sep) else top + os.sep)


def _below_without_links(path: Path | str, root: Path | str, top: str) -> bool:
    """Whether `path` names an existing file or folder below `root` (whose
    real path is `top`) with no link and no `..` among the names below it:
    then it is inside, and resolving it whole (a system call per name, from
    /) is not needed. False when that cannot be told this way."""
    given = os.fspath(path)
    if os.altsep:
        given = given.replace(os.altsep, os.sep)
    text, base = os.path.abspath(given), os.path.abspath(root)
    if ".." in given.split(os.sep) or not text.startswith(base.rstrip(os.sep) + os.sep):
        return False
    current = top
    for name in text[len(base.rstrip(os.sep)) + 1 :].split(os.sep):
        current = os.path.join(current, name)
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return False
        except OSError:
            return False
    return True


@functools.lru_cache(maxsize=64)
def _real_root(root: str) -> str:
    """A project root's real path, found once per process: a command reads
    thousands of files inside one root. (Only the user can move a root;
    what a repository holds cannot.)"""
    return _real(root)


def _real(path: Path | str) -> str:
    """Path(path).resolve() as a string, normalised for comparison, without
    pathlib's parsing (a check reads thousands of files): a link loop raises
    RuntimeError as resolve() does."""
    real = os.path.realpath(path)
    try:
        os.stat(real)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RuntimeError(f"link loop at {real}") from None
    return os.path.normcase(real)


def outside_message(link: Path, root: Path | None = None) -> str:
    """What is wrong with a link out of the project (or a loop), naming
    where it leads; the one wording every tool uses."""
    if root is not None and is_inside(link, root) and is_loop(link):
        return "links to a folder that holds it, a loop: not read, and not published"
    try:
        target = str(Path(link).resolve())
    except (OSError, RuntimeError):
        target = "a link loop"
    kind = "folder" if Path(link).is_dir() else "file"
    return f"links to a {kind} outside the project ({target}): not read, and not published"


def read_bytes(path: Path, root: Path | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The content of a regular file inside `root` (when given) of at most `limit`
    bytes. Raises Refused, or OSError when the file cannot be opened.

    Inside a project, the file is opened at its resolved path without
    following a link again, so a link swapped in after the check is not
    read; and a file with several names (a hard link) is refused, since
    its other name may be outside the project."""
    real: Path | str = path
    if "\0" in str(path):
        raise Refused("is not a usable file name (it holds a NUL): not read")
    if root is not None:
        if not is_inside(path, root):
            raise Refused(outside_message(path))
        try:
            real = _real(path)
        except RuntimeError:
            raise Refused("is a link loop: not read") from None
    flags = os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0)  # a FIFO must not block
    if root is not None:
        flags |= _NOFOLLOW
    fd = os.open(real, flags)
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused("is not a regular file: not read")
        if root is not None and info.st_nlink > 1:
            raise Refused(
                f"is a hard link (one file with {info.st_nlink} names, which may lie outside "
                "the project): not read; copy the file instead"
            )
        if info.st_size > limit:
            raise Refused(f"is {info.st_size:,} bytes, over the {limit:,}-byte limit: not read")
        # As much as stat says, and more only if the file grew since: never
        # a buffer of the whole limit for a file of a few KB.
        data = file.read(min(info.st_size, limit) + 1)
        if len(data) > info.st_size:
            data += file.read(limit + 1 - len(data))
    if len(data) > limit:
        raise Refused(f"is over the {limit:,}-byte limit: not read")
    return data


def resolved(path: Path) -> Path:
    """A path with every link followed; Refused for a link loop."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        raise Refused("is a link loop: not read") from None


def read_text(path: Path, root: Path | None = None, limit: int = MAX_FILE_BYTES) -> str:
    """A text file with Unix line ends. Raises Refused, OSError or UnicodeDecodeError."""
    return read_bytes(path, root, limit).decode("utf-8").replace("\r\n", "\n")


def check_markdown_lines(text: str) -> None:
    """Refuse, before it is parsed, a page with too many lines or table
    cells for every tool to read it quickly."""
    lines = text.count("\n") + 1
    if lines > MAX_MARKDOWN_LINES:
        raise Refused(f"has {lines:,} lines, over the {MAX_MARKDOWN_LINES:,}-line limit: not read")
    pipes = text.count("|")
    if pipes > MAX_TABLE_PIPES:
        raise Refused(
            f"has {pipes:,} table bars (|), over the {MAX_TABLE_PIPES:,} limit: not read; "
            "split its tables"
        )


def check_markdown_markup(texts: Iterable[str]) -> None:
    """Refuse inline Markdown with too much punctuation to read quickly: in
    all (MAX_MARKUP), in one block, by the square of its marks
    (MAX_MARKUP_SQUARED), and blocks of HTML read as Markdown nested too deep.
    `texts` are the page's inline blocks and HTML blocks."""
    total = squares = in_html = 0
    for text in texts:
        marks = sum(text.count(mark) for mark in MARKUP)
        weight = marks + sum(text.count(mark) for mark in "{}=")
        total, squares = total + marks, squares + weight * weight
        if "markdown" in text.lower():
            lowered = text.lower()
            in_html += lowered.count("markdown>") + lowered.count("markdown=")
    if total > MAX_MARKUP:
        raise Refused(f"has over {MAX_MARKUP:,} Markdown punctuation marks in its text: not read")
    if squares > MAX_MARKUP_SQUARED:
        raise Refused(
            "has a paragraph (or heading, or cell) with so many Markdown punctuation marks "
            "that the site's renderer would take minutes: not read; split it"
        )
    if in_html > MAX_MARKDOWN_IN_HTML:
        raise Refused(
            f"nests over {MAX_MARKDOWN_IN_HTML} blocks of HTML read as Markdown: not read"
        )


def check_markdown_depth(lines: list[str], fences: list[tuple[int, int]]) -> None:
    """Refuse a line indented deeper than MAX_INDENT columns, or quoted
    deeper than MAX_QUOTE_DEPTH, outside fenced code (the site's renderer
    nests a level per indent and per quote, and fails past about 250
    levels of indent), and a page with over MAX_ABBREVIATIONS abbreviations."""
    fenced = {index for start, end in fences for index in range(start, end)}
    abbreviations = 0
    for index, line in enumerate(lines):
        if line.lstrip(" ").startswith("*[") and index not in fenced:
            abbreviations += 1
            if abbreviations > MAX_ABBREVIATIONS:
                raise Refused(
                    f"defines over {MAX_ABBREVIATIONS} abbreviations (*[...]: ...), which the "
                    "site's renderer reads slowly: not read"
                )
        if ">" in line[:4] and index not in fenced:
            marks = line[: len(line) - len(line.lstrip(" >"))].count(">")
            if marks > MAX_QUOTE_DEPTH:
                raise Refused(
                    f"has line {index + 1} quoted over {MAX_QUOTE_DEPTH} levels deep: not read"
                )
        if line[:1] in (" ", "\t") and index not in fenced:
            blanks = len(line) - len(line.lstrip(" \t"))
            if blanks > MAX_INDENT // 4 and len(line[:blanks].expandtabs(4)) > MAX_INDENT:
                raise Refused(
                    f"has line {index + 1} indented over {MAX_INDENT} columns outside fenced "
                    "code: not read"
                )


def screen_yaml(text: str) -> None:
    """Refuse YAML that would blow up in the parser: anchors, aliases and deep
    nesting. Scanning is flat (no recursion), and stops at the first excess."""
    if "&" not in text and "*" not in text and _openings(text) <= MAX_YAML_DEPTH:
        return  # no anchor or alias, and too few indicators to nest that deep
    depth = 0
    try:
        for token in yaml.scan(text, Loader=_Scanner):
            if isinstance(token, _OPENING):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise Refused(f"is nested more than {MAX_YAML_DEPTH} levels deep")
            elif isinstance(token, _CLOSING):
                depth -= 1
            elif isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                kind = "an anchor" if isinstance(token, yaml.AnchorToken) else "an alias"
                line = token.start_mark.line + 1 if token.start_mark else 0
                raise Refused(
                    f"uses {kind} (&name or *name) on its line {line}: "
                    "not supported, write the value out"
                )
    except yaml.YAMLError:
        return  # the parser reports it, with its line


def _openings(text: str) -> int:
    """At most how many collections the text can open: each starts at a
    `-`, `:` or `?` indicator (block collections) or at `[` or `{`."""
    return sum(text.count(indicator) for indicator in "-:?[{")


def make_loader(base: type) -> type:
    """A YAML loader that keeps dates as text, so that the checker can say
    which date is wrong instead of failing on it."""

    class FrontMatterLoader(base):
        pass

    FrontMatterLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return FrontMatterLoader


# The C parser (bundled with PyYAML's wheels) is about seven times faster.
Loader = make_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class TagsIgnored(yaml.SafeLoader):
    """Reads mkdocs.yml without running the Python tags some extensions use
    (`!!python/name:...`, `!ENV`): a tagged value reads as null."""


TagsIgnored.add_multi_constructor("", lambda loader, suffix, node: None)


def load_yaml(text: str, loader: type = Loader) -> object:
    """yaml.load after screen_yaml. Raises Refused or yaml.YAMLError."""
    return load_yaml_node(text, loader)[0]


def load_yaml_node(text: str, loader: type = Loader) -> tuple[object, yaml.Node | None]:
    """The data and the node tree (for the lines of keys) of one YAML
    document, parsed once after screen_yaml. Raises Refused or yaml.YAMLError."""
    screen_yaml(text)
    reader = loader(text)
    try:
        node = reader.get_single_node()
        return (reader.construct_document(node) if node is not None else None), node
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError, AttributeError) as exc:
        # e.g. an integer of 5,000 digits, or an explicit !!timestamp out of
        # range (PyYAML fails on 99999-01-01 with an AttributeError)
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise Refused(f"holds a value that cannot be read: {detail[:SHOWN_CHARS]}") from None
    finally:
        reader.dispose()


def key_line(node: yaml.Node | None, *keys: str) -> int | None:
    """The 0-based line of a key inside nested mappings (`key_line(node,
    "lifecycle", "owner")`); None when a key is absent."""
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        found = next(((k, v) for k, v in node.value if k.value == key), None)
        if found is None:
            return None
        line, node = found[0].start_mark.line, found[1]
    return line


def conflict_line(text: str) -> int | None:
    """The file line of the first merge-conflict marker, if any: `<<<<<<<`,
    `|||||||` or `>>>>>>>` at the start of a line, or `=======` when one of
    those is in the file too (alone, it may underline a heading)."""
    if not any(mark in text for mark in CONFLICT_MARKS):
        return None  # most pages: a plain search is much faster than the pattern
    edge = CONFLICT_EDGE.search(text)
    if edge is None:
        return None
    middle = CONFLICT_MIDDLE.search(text, 0, edge.start())
    first = middle or edge
    return text.count("\n", 0, first.start()) + 1


def is_loop(link: Path) -> bool:
    """Whether a link leads to a folder that holds it: MkDocs, which follows
    links, would walk it until the path is too long."""
    try:
        return link.parent.resolve().is_relative_to(link.resolve())
    except (OSError, RuntimeError):
        return True


def walk_markdown(top: Path, root: Path) -> tuple[list[Path], list[Path]]:
    """The Markdown files under `top`, and the links under it (to files or
    folders) whose real path lies outside `root` or that loop back to a folder
    holding them, neither followed. Links to
    folders inside the project are followed once: no real folder is walked
    twice, so a link loop ends."""
    root = root.resolve()
    files: list[Path] = []
    outside: list[Path] = []
    seen: set[str] = set()
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            real = _real(folder)
        except (OSError, RuntimeError):
            outside.append(folder)
            continue
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            path = folder / entry.name
            try:
                if entry.is_symlink() and (not is_inside(path, root) or is_loop(path)):
                    outside.append(path)
                    continue
                if entry.is_dir():
                    pending.append(path)
                elif entry.name.endswith(".md"):
                    files.append(path)
            except OSError:
                continue
    return sorted(files), sorted(outside)
