"""An existing mkdocs.yml, edited in place for the lifecycle: the `lifecycle`
plugin, the Markdown extensions the documents use, their style sheet and,
in a hand-written `nav:`, the lifecycle's section.

The edit is made on the text, never by writing the YAML out again: lines
are only added (or, in a one-line `[...]` list, an item inserted before its
`]`), each where PyYAML's node tree says the key's value ends, so every
comment, key order, quote style and line end stays as it was. A file that
cannot be edited that way is left exactly as it is, and the lines to add by
hand are given instead:

- YAML tags (`!!python/name:...`, `!ENV`), anchors or aliases: the meaning
  of a value depends on code or on another place in the file;
- `INHERIT`: the settings come partly from another file;
- a key written twice or that is not a name, a top level that is not a
  mapping, or a value of an unexpected kind (`plugins: search`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ml_lifecycle import limits, writing
from ml_lifecycle.vocabulary import EXTENSION_CONFIGS, MARKDOWN_EXTENSIONS

PLUGIN = "lifecycle"
STYLE = "assets/lifecycle.css"  # inside the documents' folder
SCRIPT = "assets/lifecycle.js"  # scrolling tables reachable by keyboard
NAV_TITLE = "Lifecycle"
# The tokens that open and close a collection, to bound the nesting.
OPENING = (
    yaml.BlockSequenceStartToken,
    yaml.BlockMappingStartToken,
    yaml.FlowSequenceStartToken,
    yaml.FlowMappingStartToken,
)
CLOSING = (yaml.BlockEndToken, yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)


@dataclass
class Wanted:
    """What the site needs for the documents."""

    project: str = ""  # the plugin's `project` (".." when lifecycle.yml is above)
    folder: str = "lifecycle/"  # the documents' folder inside docs_dir

    def plugin_lines(self, indent: str) -> list[str]:
        if not self.project:
            return [f"{indent}- {PLUGIN}"]
        return [f"{indent}- {PLUGIN}:", f"{indent}    project: {self.project}"]

    def extension_lines(self, name: str, indent: str) -> list[str]:
        settings = EXTENSION_CONFIGS.get(name)
        if not settings:
            return [f"{indent}- {name}"]
        inner = [f"{indent}    {key}: {str(value).lower()}" for key, value in settings.items()]
        return [f"{indent}- {name}:", *inner]

    @property
    def style(self) -> str:
        return self.folder + STYLE

    @property
    def script(self) -> str:
        return self.folder + SCRIPT

    @property
    def nav_entry(self) -> str:
        return f"{NAV_TITLE}: {self.folder}index.md"


@dataclass
class SiteEdit:
    """The planned edit of one mkdocs.yml."""

    path: Path
    text: str = ""
    original: bytes = b""
    form: writing.TextForm = field(default_factory=writing.TextForm)
    edits: list[tuple[int, int, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # what each edit adds, as a person reads it
    unsafe: str = ""  # why the file is left as it is
    manual: list[str] = field(default_factory=list)  # the lines to add by hand then

    @property
    def new_bytes(self) -> bytes:
        return writing.apply_edits(self.text, self.form, self.edits)

    def diff(self, shown: str) -> list[str]:
        """The change as a unified diff, one line per line changed."""
        after = self.new_bytes.decode("utf-8").removeprefix(writing.BOM).replace("\r\n", "\n")
        return [
            line.rstrip("\n")
            for line in difflib.unified_diff(
                self.text.splitlines(keepends=True),
                after.splitlines(keepends=True),
                f"a/{shown}",
                f"b/{shown}",
                n=1,
            )
        ]


def read_site(path: Path, root: Path) -> SiteEdit:
    """The mkdocs.yml at `path`, read within the repository. Raises
    limits.Refused, OSError or UnicodeDecodeError."""
    raw = limits.read_bytes(path, root)
    text, form = writing.decode(raw)
    return SiteEdit(path, text, raw, form)


def plan_edit(site: SiteEdit, wanted: Wanted) -> SiteEdit:
    """Fill `site` with the edits the documents need, or with the reason
    it cannot be edited and the lines to add by hand."""
    why, node = unsafe_reason(site.text)
    if why:
        site.unsafe, site.manual = why, by_hand(wanted, None)
        return site
    keys = {key.value: value for key, value in node.value}
    appended: list[str] = []
    for key, plan in (
        ("plugins", plan_plugins),
        ("markdown_extensions", plan_extensions),
        ("extra_css", plan_style),
        ("extra_javascript", plan_script),
        ("nav", plan_nav),
    ):
        try:
            found = plan(site, keys.get(key), wanted)
        except Unsafe as error:
            site.edits, site.added = [], []
            site.unsafe, site.manual = str(error), by_hand(wanted, keys.get("nav"))
            return site
        if found is not None:  # the whole key, at the end of the file
            appended += found
    if appended:
        at = len(site.text)
        lead = "" if not site.text or site.text.endswith("\n") else "\n"
        site.edits.append((at, at, lead + "\n".join(appended) + "\n"))
        site.added.extend(line.strip() for line in appended)
    site.edits = joined(site.edits)
    return site


def joined(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Insertions at one place made one, in the order they were planned
    (apply_edits would order them by their text)."""
    merged: dict[int, str] = {}
    for start, _, new in edits:
        if start in merged and merged[start].endswith("\n") and new.startswith("\n"):
            new = new[1:]
        merged[start] = merged.get(start, "") + new
    return [(start, start, new) for start, new in merged.items()]


class Unsafe(Exception):
    """mkdocs.yml cannot be edited safely; str() says why."""


def unsafe_reason(text: str) -> tuple[str, yaml.Node | None]:
    """Why the text cannot be edited in place (empty when it can), and its
    node tree when it could be read. The tree is read even from a text with
    tags, anchors or aliases, so that its docs_dir is known: composing
    builds nodes only, running no tag's code and expanding no alias."""
    try:
        indirect = first_indirection(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except limits.Refused as error:
        return f"it {error}", None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return f"it is not valid YAML{f' (line {mark.line + 1})' if mark else ''}", None
    if node is None:
        return indirect, yaml.MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return "its top level is not a block of `key: value` lines", None
    if indirect:
        return indirect, node
    if not all(isinstance(key, yaml.ScalarNode) for key, _ in node.value):
        return "a key of its top level is not a name (`? [...]`)", None
    names = [key.value for key, _ in node.value]
    if "INHERIT" in names:
        return "it inherits settings from another file (INHERIT)", node
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice:
        return f"it sets {twice} twice", node
    return "", node


def first_indirection(text: str) -> str:
    """The first YAML tag, anchor or alias, as a reason ("" for none).
    Raises limits.Refused for nesting deeper than the checker reads (the
    composer recurses on it); the scan itself is flat."""
    found, depth = "", 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        depth += isinstance(token, OPENING) - isinstance(token, CLOSING)
        if depth > limits.MAX_YAML_DEPTH:
            raise limits.Refused(f"is nested more than {limits.MAX_YAML_DEPTH} levels deep")
        line = token.start_mark.line + 1
        if found:
            continue
        if isinstance(token, yaml.TagToken):
            found = f"it uses a YAML tag on line {line}"
        elif isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            found = f"it uses a YAML anchor or alias (&, *) on line {line}"
    return found


def docs_dir_of(node: yaml.Node, text: str) -> str | None:
    """docs_dir as mkdocs.yml writes it (None when it does not). Unsafe
    when its value is tagged (`!ENV`), anchored or an alias: where the
    documents go would depend on code or on another place in the file."""
    for key, value in getattr(node, "value", []):
        if not isinstance(key, yaml.ScalarNode) or key.value != "docs_dir":
            continue
        start = value.start_mark.index  # an alias's node starts at its anchor
        if start < key.end_mark.index or text[start : start + 1] in ("!", "&"):
            raise Unsafe(
                f"its docs_dir (line {key.start_mark.line + 1}) uses a YAML tag, anchor or alias"
            )
        if isinstance(value, yaml.ScalarNode) and value.value:
            return value.value
    return None


# --- one key each -----------------------------------------------------------------


def entries(value: yaml.Node | None, key: str) -> list[yaml.Node]:
    if value is None:
        return []
    if isinstance(value, yaml.SequenceNode):
        return value.value
    if isinstance(value, yaml.MappingNode) and key == "plugins":
        return [k for k, _ in value.value]
    raise Unsafe(f"its {key} is not a list")


def name_of(item: yaml.Node) -> str | None:
    if isinstance(item, yaml.ScalarNode):
        return item.value
    if isinstance(item, yaml.MappingNode) and len(item.value) == 1:
        return item.value[0][0].value
    return None


def plan_plugins(site: SiteEdit, value: yaml.Node | None, wanted: Wanted) -> list[str] | None:
    if value is None:  # MkDocs' default is [search]: keep it
        return ["plugins:", "  - search", *wanted.plugin_lines("  ")]
    names = {name_of(item) for item in entries(value, "plugins")}
    if PLUGIN in names:
        return None
    if isinstance(value, yaml.MappingNode):
        if value.flow_style:
            raise Unsafe("its plugins are written on one line as a mapping")
        indent = " " * value.start_mark.column
        lines = [f"{indent}{PLUGIN}:", f"{indent}  project: {wanted.project}"]
        block = lines if wanted.project else [f"{indent}{PLUGIN}: {{}}"]
        insert_after(site, value.value[-1][1], block)
        return None
    inline = f"{{{PLUGIN}: {{project: {wanted.project}}}}}" if wanted.project else PLUGIN
    add_item(site, value, inline, lambda indent: wanted.plugin_lines(indent))
    return None


def plan_extensions(site: SiteEdit, value: yaml.Node | None, wanted: Wanted) -> list[str] | None:
    missing = [name for name in MARKDOWN_EXTENSIONS]
    if value is not None:
        present = {name_of(item) for item in entries(value, "markdown_extensions")}
        missing = [name for name in missing if name not in present]
    if not missing:
        return None
    if value is None:
        lines = [line for name in missing for line in wanted.extension_lines(name, "  ")]
        return ["markdown_extensions:", *lines]
    for name in missing:
        settings = EXTENSION_CONFIGS.get(name)
        inline = (
            f"{{{name}: {{{', '.join(f'{k}: {str(v).lower()}' for k, v in settings.items())}}}}}"
            if settings
            else name
        )
        add_item(
            site, value, inline, lambda indent, name=name: wanted.extension_lines(name, indent)
        )
    return None


def plan_style(site: SiteEdit, value: yaml.Node | None, wanted: Wanted) -> list[str] | None:
    return plan_asset(site, value, "extra_css", wanted.style)


def plan_script(site: SiteEdit, value: yaml.Node | None, wanted: Wanted) -> list[str] | None:
    return plan_asset(site, value, "extra_javascript", wanted.script)


def plan_asset(site: SiteEdit, value: yaml.Node | None, key: str, asset: str) -> list[str] | None:
    """A style sheet or script in its list: the whole key when there is none."""
    if value is None:
        return [f"{key}:", f"  - {asset}"]
    if asset in {name_of(item) for item in entries(value, key)}:
        return None
    add_item(site, value, asset, lambda indent: [f"{indent}- {asset}"])
    return None


def plan_nav(site: SiteEdit, value: yaml.Node | None, wanted: Wanted) -> list[str] | None:
    """A hand-written nav gains the section as its last entry, unless it
    lists a page of the documents' folder already; without one, MkDocs (or
    a nav plugin) lists the folder and the plugin makes it the section."""
    if value is None:
        return None
    if not isinstance(value, yaml.SequenceNode):
        raise Unsafe("its nav is not a list")
    if any(wanted.folder in scalar.value for scalar in scalars(value)):
        return None
    add_item(
        site, value, f"{{{wanted.nav_entry}}}", lambda indent: [f"{indent}- {wanted.nav_entry}"]
    )
    return None


def scalars(node: yaml.Node):
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, yaml.ScalarNode):
            yield item
        elif isinstance(item, yaml.SequenceNode):
            pending.extend(item.value)
        elif isinstance(item, yaml.MappingNode):
            pending.extend(part for pair in item.value for part in pair)


# --- where the text changes --------------------------------------------------------------


def add_item(site: SiteEdit, sequence: yaml.Node, inline: str, block) -> None:
    """One more item at the end of a list: before the `]` of a one-line
    list, else on new lines after its last item, indented as its items."""
    if not isinstance(sequence, yaml.SequenceNode):
        raise Unsafe("a list in it is written in a form this command does not edit")
    if sequence.flow_style:
        close = sequence.end_mark.index - 1
        if site.text[close : close + 1] != "]":
            raise Unsafe("a one-line list in it does not end with ]")
        lead = ", " if sequence.value else ""
        site.edits.append((close, close, lead + inline))
        site.added.append(inline)
        return
    if not sequence.value:
        raise Unsafe("an empty list in it cannot be extended in place")
    insert_after(site, sequence.value[-1], block(" " * sequence.start_mark.column))


def insert_after(site: SiteEdit, last: yaml.Node, lines: list[str]) -> None:
    """New lines after the line on which `last` ends."""
    end = last.end_mark
    line = end.line if end.column > 0 else end.line - 1
    starts = line_starts(site.text)
    if line + 1 < len(starts):
        at, lead = starts[line + 1], ""
    else:
        at = len(site.text)
        lead = "" if site.text.endswith("\n") else "\n"
    site.edits.append((at, at, lead + "\n".join(lines) + "\n"))
    site.added.extend(line.strip() for line in lines)


def line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [index + 1 for index, char in enumerate(text) if char == "\n"]
    return starts


def by_hand(wanted: Wanted, nav: yaml.Node | None) -> list[str]:
    """What to add to mkdocs.yml by hand, as YAML a person can copy."""
    lines = [
        "plugins:",
        *wanted.plugin_lines("  "),
        "markdown_extensions:",
        *(line for name in MARKDOWN_EXTENSIONS for line in wanted.extension_lines(name, "  ")),
        "extra_css:",
        f"  - {wanted.style}",
        "extra_javascript:",
        f"  - {wanted.script}",
    ]
    if nav is not None:
        lines += ["nav:", f"  - {wanted.nav_entry}"]
    return lines
