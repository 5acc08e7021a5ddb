"""Export a lifecycle card as a README.md for the Hugging Face Hub.

    ml-lifecycle hub-card                  # model card -> hub/README.md
    ml-lifecycle hub-card --card docs/03-data/data-card.md --out hub-data/README.md
    ml-lifecycle hub-card --allow-unfilled # export a draft all the same

The exported file keeps the card's Hugging Face metadata (licence, tags,
metrics, model-index...) and its answers. It leaves out what only the
lifecycle site needs: the `lifecycle:` block and the site's own keys, the
"What this document is for" box and the question-and-example prompts.
Empty metadata values are dropped.

What else changes on the way to the Hub:

- Internal sections are left out, with everything under them: the sections
  whose headings are in INTERNAL_SECTIONS below ("Development by a supplier"
  in the model card, "Third-party data providers" in the data card). They
  hold contracts, ownership and audit rights, which are not for a public
  page. Other supplier sections ("Base model", "Automated search") describe
  the model itself and are exported.
- The card's H1 becomes the name of what it describes: the model-index name
  of a model card, the pretty_name of a data card (the project name by
  default). A card with neither keeps its own H1.

Metric values of the model-index are filled from the evidence the card
cites (evidence.py): a metric whose value is `evidence:NAME#KEY` takes that
value, and an empty one the value of the one citation whose key names its
type (`[0.87](evidence:eval#test.accuracy)` fills `type: accuracy`).

The export is refused while the exported text still has TODO markers or a
value the Hub needs is empty; the error lists every one of them. With
--allow-unfilled a draft is written all the same: a prompt that is still
unanswered keeps its question (without the example) above its `==TODO==`
marker, so a reader of the draft sees what is missing; answered prompts lose
their question as usual. Metadata with empty values is left out.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from ml_lifecycle import limits
from ml_lifecycle.documents import heading, headings, split_front_matter, strip_code
from ml_lifecycle.evidence import fill_model_index
from ml_lifecycle.project import Loader, load_project
from ml_lifecycle.vocabulary import EVIDENCE_SCHEME, MARKER, md_escape

# Keys that belong to the lifecycle site, not to the Hub.
SITE_KEYS = {
    "lifecycle",
    "title",
    "description",
    "hide",
    "icon",
    "status",
    "subtitle",
    "template",
    "search",
}
# Keys the Hub needs filled whenever they are present in the card.
NEEDED_KEYS = ("license", "base_model")
PURPOSE_TITLE = "What this document is for"
# Sections that stay internal: supplier contracts, ownership and audit rights.
# A heading listed here is dropped with its text and its subsections.
INTERNAL_SECTIONS = ("Development by a supplier", "Third-party data providers")
EXAMPLE_START = "> *Example:*"
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?) *([\w-]+)(?: +[\w-]+)*(?: +"(.*)")? *$')
# No `(`, `[` or `]` in the target, so that a search restarts where it failed.
RELATIVE_LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^()\[\]\s]+\.md(?:#[^()\[\]\s]*)?)\)")


class CardError(Exception):
    """A problem with the card, reported after "error: " (one line, or a
    summary line followed by one indented line per item)."""


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder if inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def split_card(text: str) -> tuple[dict, str]:
    """The card's front matter as a mapping, and its body."""
    parts = split_front_matter(text.replace("\r\n", "\n"))
    if parts is None:
        raise CardError("the card does not start with a front-matter block (--- ... ---)")
    front, body, _ = parts
    try:
        meta = limits.load_yaml(front, Loader) if front.strip() else {}
    except limits.Refused as error:
        raise CardError(f"the front matter {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise CardError(f"the front matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise CardError("the front matter is not a mapping of keys to values")
    return meta, body


def is_empty(value) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def empty_paths(value, path: str) -> list[str]:
    """Where inside a nested value a string, list or mapping is empty or null."""
    if is_empty(value):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in empty_paths(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in empty_paths(item, f"{path}[{i}]")]
    return []


def unfilled_metadata(meta: dict) -> list[str]:
    """Metadata the Hub needs that is still empty."""
    missing = [key for key in NEEDED_KEYS if key in meta and is_empty(meta[key])]
    if "model-index" in meta:
        missing += empty_paths(meta["model-index"], "model-index")
    return missing


def hub_metadata(meta: dict, keep_model_index: bool) -> dict:
    """The card's metadata without site keys and empty values."""
    exported = {}
    for key, value in meta.items():
        if key in SITE_KEYS or is_empty(value):
            continue
        if key == "model-index" and not keep_model_index:
            continue
        exported[key] = value
    return exported


def take_indented(lines: list[str], start: int) -> tuple[list[str], int]:
    """The indented (or blank) lines from `start` on, and the index after them."""
    end = start
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return [line[4:] for line in lines[start:end]], end


def convert_admonitions(lines: list[str]) -> list[str]:
    """Drop the purpose box; turn other admonitions into plain blockquotes,
    which the Hub renders."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = ADMONITION.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        content, i = take_indented(lines, i + 1)
        title = match.group(2) if match.group(2) is not None else match.group(1).capitalize()
        if title == PURPOSE_TITLE:
            continue
        quoted = [f"> **{title}**"] if title else []
        if quoted and content:
            quoted.append(">")
        out.extend(quoted + [f"> {line}".rstrip() for line in content])
    return out


def same_heading(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def internal_lines(body: str) -> set[int]:
    """The indexes of the body's lines in the INTERNAL_SECTIONS, each up to
    the next heading of the same or a higher level. Headings inside code do
    not count."""
    count = body.count("\n") + 1
    found = headings(strip_code(body))
    dropped: set[int] = set()
    for start, level, text in found:
        if any(same_heading(text, internal) for internal in INTERNAL_SECTIONS):
            end = next((i for i, lvl, _ in found if i > start and lvl <= level), count)
            dropped.update(range(start, end))
    return dropped


def drop_internal_sections(body: str) -> str:
    """The body without the INTERNAL_SECTIONS."""
    dropped = internal_lines(body)
    return "\n".join(line for i, line in enumerate(body.split("\n")) if i not in dropped)


def marker_lines(body: str, first: int) -> list[int]:
    """The file lines, outside code and the internal sections, that hold a
    TODO marker, once per marker; the body starts on file line `first`."""
    dropped = internal_lines(body)
    return [
        first + i
        for i, line in enumerate(strip_code(body).split("\n"))
        if i not in dropped
        for _ in range(line.count(MARKER))
    ]


def markers_problem(lines: list[int]) -> list[str]:
    """The problem line saying where the TODO markers are, if there are any."""
    if not lines:
        return []
    unique = list(dict.fromkeys(lines))
    where = ("lines " if len(unique) > 1 else "line ") + ", ".join(map(str, unique))
    count = f"{len(lines)} TODO marker" + ("s" if len(lines) > 1 else "")
    return [f"{count} in the text, on {where}"]


def card_name(meta: dict) -> str | None:
    """What the card describes: the model-index name, else the pretty_name."""
    index = meta.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict):
        name = index[0].get("name")
        if isinstance(name, str) and name.strip():
            return name
    name = meta.get("pretty_name")
    return name if isinstance(name, str) and name.strip() else None


def retitle(lines: list[str], name: str | None) -> list[str]:
    """The lines with the first H1 (outside code) naming what the card describes."""
    if name is None:
        return lines
    title = f"# {md_escape(name)}"
    for index, level, _ in headings(strip_code("\n".join(lines))):
        if level == 1:
            return [*lines[:index], title, *lines[index + 1 :]]
    return [title, "", *lines]


def is_prompt(block: list[str]) -> bool:
    """A prompt is a blockquote that opens with a bold question and gives an example."""
    return block[0].startswith("> **") and any(line.startswith(EXAMPLE_START) for line in block)


def is_unanswered(following: list[str]) -> bool:
    """Whether the text after a prompt, up to the next heading or blockquote,
    still holds a TODO marker."""
    for line in following:
        if line.startswith(">") or heading(line):
            return False
        if MARKER in line:
            return True
    return False


def take_question(block: list[str]) -> list[str]:
    """The lines of a prompt before its example."""
    question = []
    for line in block:
        if line.startswith(EXAMPLE_START):
            break
        question.append(line)
    return question


def drop_prompts(lines: list[str]) -> list[str]:
    """Drop the prompts; of an unanswered prompt keep the question, without
    its example, so that the marker below it says what is missing."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith(">"):
            out.append(lines[i])
            i += 1
            continue
        end = i
        while end < len(lines) and lines[end].startswith(">"):
            end += 1
        block = lines[i:end]
        if not is_prompt(block):
            out.extend(block)
        elif is_unanswered(lines[end:]):
            out.extend(take_question(block))
        i = end
    return out


def squeeze_blank_lines(lines: list[str]) -> str:
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"


def hub_body(body: str, name: str | None) -> str:
    """The exported body: internal sections are dropped before it is passed in."""
    lines = retitle(body.splitlines(), name)
    return squeeze_blank_lines(drop_prompts(convert_admonitions(lines)))


def render(meta: dict, body: str) -> str:
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n\n{body}"


def evidence_values(meta: dict, body: str, root: Path | None) -> list[str]:
    """Fill model-index metric values from the evidence the card cites
    (evidence.py); the warnings to show."""
    if root is None or EVIDENCE_SCHEME not in body + str(meta.get("model-index")):
        return []
    project, _ = load_project(Path(root))
    return fill_model_index(meta, body, project)


def export(card: Path, allow_unfilled: bool, root: Path | None = None) -> tuple[str, list[str]]:
    """The Hub README for a card, and warnings to show. A card in `root`
    (when given) that links out of it is refused; a card named outside it is
    read as named. Raises CardError."""
    lexical = Path(os.path.abspath(card))
    inside = root is not None and lexical.is_relative_to(Path(root).absolute())
    try:
        text = limits.read_text(card, root if inside else None)
    except limits.Refused as error:
        raise CardError(f"{shown(card)} {error}") from None
    except OSError as error:
        raise CardError(f"cannot read {shown(card)}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise CardError(f"{shown(card)} is not UTF-8 text (byte {error.start})") from None
    try:
        meta, body = split_card(text)
    except CardError as error:
        raise CardError(f"{shown(card)}: {error}") from None
    filled = evidence_values(meta, body, root)
    normal = text.replace("\r\n", "\n")
    todos = marker_lines(body, normal.count("\n", 0, len(normal) - len(body)) + 1)
    body = drop_internal_sections(body)
    missing = unfilled_metadata(meta)
    problems = markers_problem(todos) + [f"empty metadata: {path}" for path in missing]
    if problems and not allow_unfilled:
        raise CardError(
            f"{shown(card)} is not ready for the Hub; fill in each of these, "
            "or pass --allow-unfilled to export a draft:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
    warnings = filled + [f"exporting a draft: {problem}" for problem in problems]
    keep_model_index = not any(path.startswith("model-index") for path in missing)
    if "model-index" in meta and not keep_model_index:
        warnings.append("model-index left out: it has empty values the Hub would reject")
    links = sorted(set(RELATIVE_LINK.findall(body)))
    if links:
        warnings.append(
            "links to other pages of the site will not work on the Hub: " + ", ".join(links)
        )
    return render(hub_metadata(meta, keep_model_index), hub_body(body, card_name(meta))), warnings
