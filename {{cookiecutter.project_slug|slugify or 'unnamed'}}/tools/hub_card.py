"""Export a lifecycle card as a README.md for the Hugging Face Hub.

    python tools/hub_card.py                       # model card -> hub/README.md
    python tools/hub_card.py --card docs/03-data/data-card.md --out hub-data/README.md
    python tools/hub_card.py --allow-unfilled      # export a draft all the same

The exported file keeps the card's Hugging Face metadata (licence, tags,
metrics, model-index...) and its answers. It leaves out what only the
lifecycle site needs: the `lifecycle:` block and the site's own keys, the
"What this document is for" box and the question-and-example prompts.
Empty metadata values are dropped. The export is refused while the body still
has TODO markers or a value the Hub needs is empty, unless --allow-unfilled.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import lifecycle  # tools/lifecycle.py: the checker behind `make check`
import yaml

DEFAULT_CARD = "docs/04-building/model-card.md"
DEFAULT_OUT = "hub/README.md"
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
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?) *([\w-]+)(?: +[\w-]+)*(?: +"(.*)")? *$')
RELATIVE_LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)\s]+\.md(?:#[^)\s]*)?)\)")


class CardError(Exception):
    """A problem with the card, reported as one line."""


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder if inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def split_card(text: str) -> tuple[dict, str]:
    """The card's front matter as a mapping, and its body."""
    parts = lifecycle.split_front_matter(text.replace("\r\n", "\n"))
    if parts is None:
        raise CardError("the card does not start with a front-matter block (--- ... ---)")
    front, body, _ = parts
    try:
        meta = yaml.load(front, Loader=lifecycle.Loader) if front.strip() else {}
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


def is_prompt(block: list[str]) -> bool:
    """A prompt is a blockquote that opens with a bold question and gives an example."""
    return block[0].startswith("> **") and any(line.startswith("> *Example:*") for line in block)


def drop_prompts(lines: list[str]) -> list[str]:
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
        if not is_prompt(lines[i:end]):
            out.extend(lines[i:end])
        i = end
    return out


def squeeze_blank_lines(lines: list[str]) -> str:
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text) + "\n"


def hub_body(body: str) -> str:
    lines = body.splitlines()
    return squeeze_blank_lines(drop_prompts(convert_admonitions(lines)))


def shorten(items: list[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def render(meta: dict, body: str) -> str:
    dumped = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n\n{body}"


def export(card: Path, allow_unfilled: bool) -> tuple[str, list[str]]:
    """The Hub README for a card, and warnings to show. Raises CardError."""
    try:
        text = card.read_text(encoding="utf-8")
    except OSError as error:
        raise CardError(f"cannot read {shown(card)}: {error.strerror or error}") from None
    meta, body = split_card(text)
    todos = lifecycle.strip_code(body).count(lifecycle.MARKER)
    missing = unfilled_metadata(meta)
    problems = ([f"{todos} TODO markers in the text"] if todos else []) + (
        [f"empty metadata: {shorten(missing)}"] if missing else []
    )
    if problems and not allow_unfilled:
        raise CardError(
            f"{shown(card)} is not ready for the Hub: {'; '.join(problems)} "
            "(fill them in, or pass --allow-unfilled to export a draft)"
        )
    warnings = [f"exporting a draft: {problem}" for problem in problems]
    keep_model_index = not any(path.startswith("model-index") for path in missing)
    if "model-index" in meta and not keep_model_index:
        warnings.append("model-index left out: it has empty values the Hub would reject")
    links = sorted(set(RELATIVE_LINK.findall(body)))
    if links:
        warnings.append(
            "links to other pages of the site will not work on the Hub: " + ", ".join(links)
        )
    return render(hub_metadata(meta, keep_model_index), hub_body(body)), warnings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Export a lifecycle card as a Hugging Face Hub README.md."
    )
    root = lifecycle.PROJECT_ROOT
    parser.add_argument(
        "--card", type=Path, default=root / DEFAULT_CARD, help=f"card to export ({DEFAULT_CARD})"
    )
    parser.add_argument(
        "--out", type=Path, default=root / DEFAULT_OUT, help=f"file to write ({DEFAULT_OUT})"
    )
    parser.add_argument(
        "--allow-unfilled",
        action="store_true",
        help="export even while TODO markers or needed metadata remain",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        readme, warnings = export(args.card, args.allow_unfilled)
        out = args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(readme, encoding="utf-8")
    except CardError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot write {shown(args.out)}: {error.strerror or error}", file=sys.stderr)
        return 1
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"Wrote {shown(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
