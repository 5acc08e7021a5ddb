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
- Cited evidence values lose their `evidence:` links, which lead nowhere
  on the Hub: `[0.87](evidence:eval#test.accuracy)` is exported as 0.87.
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
from pathlib import Path

import yaml

from ml_lifecycle import limits
from ml_lifecycle.documents import FrontMatter
from ml_lifecycle.evidence.hub import fill_model_index
from ml_lifecycle.evidence.site import plain_values
from ml_lifecycle.markdown_model import Block, Page, parse
from ml_lifecycle.paths import shown
from ml_lifecycle.project import load_project
from ml_lifecycle.reader_view import is_purpose
from ml_lifecycle.vocabulary import md_escape

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
# Sections that stay internal: supplier contracts, ownership and audit rights.
# A heading listed here is dropped with its text and its subsections.
INTERNAL_SECTIONS = ("Development by a supplier", "Third-party data providers")
# Link targets that work on the Hub as they are.
ABSOLUTE = ("http://", "https://", "mailto:", "#")


class CardError(Exception):
    """A problem with the card, reported after "error: " (one line, or a
    summary line followed by one indented line per item)."""


def read_card(text: str) -> tuple[dict, Page]:
    """The card's front matter as a mapping, and the card read into the
    Markdown model."""
    try:
        page = parse(text.replace("\r\n", "\n"))
    except limits.Refused as error:
        raise CardError(str(error)) from None
    if page.front is None:
        raise CardError("the card does not start with a front-matter block (--- ... ---)")
    try:
        meta = FrontMatter.read(page.front.text).meta
    except limits.Refused as error:
        raise CardError(f"the front matter {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise CardError(f"the front matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise CardError("the front matter is not a mapping of keys to values")
    return meta, page


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


def same_heading(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def internal_lines(page: Page) -> set[int]:
    """The line indexes of the INTERNAL_SECTIONS, each with its subsections."""
    dropped: set[int] = set()
    for heading in page.headings:
        if any(same_heading(heading.text, internal) for internal in INTERNAL_SECTIONS):
            dropped.update(range(heading.index, heading.end))
    return dropped


def lines_text(lines: list[int]) -> str:
    unique = list(dict.fromkeys(lines))
    return ("lines " if len(unique) > 1 else "line ") + ", ".join(map(str, unique))


def prompts_problem(page: Page, dropped: set[int]) -> list[str]:
    """Problem lines saying where the unfilled prompts are, if any: TODO
    markers, and table rows left empty or still the template's example."""
    prompts = [prompt for prompt in page.prompts if prompt.line - 1 not in dropped]
    markers = [p.line for p in prompts if p.kind == "marker"]
    rows = [p.line for p in prompts if p.kind != "marker"]
    problems = []
    if markers:
        count = f"{len(markers)} TODO marker" + ("s" if len(markers) > 1 else "")
        problems.append(f"{count} in the text, on {lines_text(markers)}")
    if rows:
        count = f"{len(rows)} table row" + ("s" if len(rows) > 1 else "")
        problems.append(f"{count} left empty or still the example, on {lines_text(rows)}")
    return problems


def card_name(meta: dict) -> str | None:
    """What the card describes: the model-index name, else the pretty_name."""
    index = meta.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict):
        name = index[0].get("name")
        if isinstance(name, str) and name.strip():
            return name
    name = meta.get("pretty_name")
    return name if isinstance(name, str) and name.strip() else None


def admonition_as_quote(lines: list[str], title: str) -> list[str]:
    """An admonition as a plain blockquote, which the Hub renders."""
    content = [line[4:] if line.startswith("    ") else line.lstrip() for line in lines[1:]]
    while content and not content[-1].strip():
        content.pop()
    quoted = [f"> **{title}**"] if title else []
    if quoted and content:
        quoted.append(">")
    return quoted + [f"> {line}".rstrip() for line in content]


def exported_block(page: Page, position: int, block: Block, name: str | None) -> list[str]:
    """A block of the card as the Hub gets it; empty to leave it out."""
    lines = page.lines[block.start : block.end]
    title = page.h1()
    if name is not None and title is not None and block.start == title.index:
        return [f"# {md_escape(name)}"]
    if block.kind == "admonition":
        return [] if is_purpose(block) else admonition_as_quote(lines, block.title)
    if block.prompt:
        if page.answered(position):
            return []
        # Unanswered: the question stays above what is missing.
        return lines[: block.example - block.start] if block.example else lines
    return lines


def hub_body(page: Page, dropped: set[int], name: str | None) -> str:
    """The exported body: internal sections, the purpose box and answered
    prompts left out, admonitions as quotes, the H1 naming the card's subject."""
    kept = []
    if name is not None and page.h1() is None:
        kept.append([f"# {md_escape(name)}"])
    for position, block in enumerate(page.blocks):
        if block.start in dropped:
            continue
        lines = exported_block(page, position, block, name)
        if lines:
            kept.append(lines)
    return "\n\n".join("\n".join(lines) for lines in kept) + "\n"


def render(meta: dict, body: str) -> str:
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n\n{body}"


def evidence_values(meta: dict, page: Page, root: Path | None) -> list[str]:
    """Fill model-index metric values from the evidence the card cites
    (evidence/hub.py); the warnings to show."""
    named = "evidence:" in str(meta.get("model-index"))
    if root is None or not (page.citations or named):
        return []
    project, _ = load_project(Path(root))
    return fill_model_index(meta, page.citations, project)


def relative_links(page: Page, dropped: set[int]) -> list[str]:
    """Links to other pages of the site, which do not work on the Hub."""
    return sorted(
        {
            link.target
            for link in page.links
            if link.line - 1 not in dropped
            and not link.target.startswith(ABSOLUTE)
            and link.target.split("#")[0].endswith(".md")
        }
    )


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
        meta, page = read_card(text)
    except CardError as error:
        raise CardError(f"{shown(card)}: {error}") from None
    filled = evidence_values(meta, page, root)
    if page.citations:  # `evidence:` links are dead on the Hub: their values, as text
        page = parse(plain_values(page))
    dropped = internal_lines(page)
    missing = unfilled_metadata(meta)
    problems = prompts_problem(page, dropped) + [f"empty metadata: {path}" for path in missing]
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
    links = relative_links(page, dropped)
    if links:
        warnings.append(
            "links to other pages of the site will not work on the Hub: " + ", ".join(links)
        )
    body = hub_body(page, dropped, card_name(meta))
    return render(hub_metadata(meta, keep_model_index), body), warnings
