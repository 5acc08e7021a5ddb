"""Class `escaping`: front-matter values written to break out of where the
site and the dossier put them (the navigation, the page's title and meta,
the status box, the status and responsibility tables, the problem lists).
Each value must change only text: the HTML rendered with the value has the
same elements and attributes as the HTML rendered with a harmless word in
its place. And the page's own text never enters a generated box."""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import date
from pathlib import Path

import markdown
import yaml

from hostile_suite.kit import DATA, DOC, Case, Failure, project, timed
from ml_lifecycle import derived, dossier, plugin
from ml_lifecycle.rules import check_project
from ml_lifecycle.vocabulary import EXTENSION_CONFIGS, MARKDOWN_EXTENSIONS

TODAY = date(2026, 6, 1)
SCALE = int(os.environ.get("HOSTILE_SCALE", "1"))
HARMLESS = "Harmless"
VALUES = {
    "script": "<script>alert(1)</script>",
    "attribute-break": '"><img src=x onerror=alert(1)>',
    "single-quote-break": "'><svg onload=alert(1)>",
    "details": '??? note "Owned"',
    "details-open": "???+ danger",
    "admonition": '!!! danger "Owned"',
    "tabs": '=== "Owned"',
    "list": "- owned",
    "ordered-list": "1. owned",
    "heading": "# Owned",
    "quote": "> owned",
    "link": "[owned](javascript:alert(1))",
    "image": "![owned](x.png)",
    "autolink": "<https://evil.example>",
    "attribute-list": "{: .owned onclick=alert(1) }",
    "code": "`code` ```fence```",
    "table-cell": "a | b | c",
    "footnote": "[^owned]",
    "abbreviation": "*[HTML]: owned",
    "definition": "term\n: owned",
    "comment": "<!-- owned -->",
    "entity": "&lt;b&gt; &amp;amp;",
    "mark": "==owned==",
    "emphasis": "**owned** _x_",
    "newlines": "line\n\n    indented code\n\n# heading",
    "marker": "==TODO== and more",
    "placeholder": "<!-- lifecycle-status -->",
    "box-end": "<!-- lifecycle-end -->",
}
# Front-matter fields, as YAML paths; each value goes in as a quoted string.
FIELDS = {
    "title": ("title",),
    "subtitle": ("subtitle",),
    "description": ("description",),
    "author": ("author",),
    "status-meta": ("status",),
    "owner": ("lifecycle", "owner"),
    "provider": ("lifecycle", "provider"),
    "document": ("lifecycle", "document"),
    "lifecycle-status": ("lifecycle", "status"),
    "phase": ("lifecycle", "phase"),
    "approved-by": ("lifecycle", "approved_by"),
    "required-section": ("lifecycle", "required_sections"),
}
TAG = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9]*)([^<>]*)>")
ATTRIBUTE = re.compile(r"\s([a-zA-Z-]+)(?==|\s|/?$)")


def quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def planted(root: Path, field: tuple[str, ...], value: str) -> None:
    path = root / DOC
    text = path.read_text(encoding="utf-8")
    yaml_value = f"[{quoted(value)}]" if field[-1] == "required_sections" else quoted(value)
    if field[0] == "lifecycle":
        key = field[1]
        if re.search(rf"(?m)^  {key}:", text):
            text = re.sub(rf"(?m)^  {key}:.*$", lambda _: f"  {key}: {yaml_value}", text)
        else:
            text = text.replace("lifecycle:\n", f"lifecycle:\n  {key}: {yaml_value}\n", 1)
        if key == "provider":
            text = text.replace("performed_by: in-house", "performed_by: third-party")
    else:
        text = text.replace("---\n", f"---\n{field[0]}: {yaml_value}\n", 1)
    path.write_text(text, encoding="utf-8")


def shapes(html: str) -> Counter:
    """The elements and attribute names of some HTML, counted."""
    found = Counter()
    for name, attributes in TAG.findall(html):
        found[name.lower()] += 1
        for attribute in ATTRIBUTE.findall(attributes):
            found["@" + attribute.lower()] += 1
    return found


class Meta:
    def __init__(self, meta: dict):
        self.meta = meta


def site_html(root: Path) -> str:
    """What the plugin derives from the project, rendered as the site would:
    the navigation and the page meta, the status box over the page's own
    text, and the overview's tables."""
    report = check_project(root, TODAY)
    by_source = derived.docs_sources(report)
    doc = next(d for d in report.documents if d.path == DOC)
    nav = plugin.navigation(report, by_source, [*sorted(by_source), "index.md"])
    page = report.read[DOC]
    meta = Meta(dict(yaml.safe_load(page.front.text) or {}))
    plugin.escape_meta(meta)
    body = page.body
    boxed = derived.add_status_box(body, page.h1(), doc)
    tables = derived.fill_placeholders(
        "<!-- lifecycle-status -->\n\n<!-- lifecycle-responsibilities -->\n\n"
        "<!-- lifecycle-suppliers -->\n",
        report,
        "index.md",
    )
    converter = markdown.Markdown(
        extensions=list(MARKDOWN_EXTENSIONS), extension_configs=EXTENSION_CONFIGS
    )
    shown = converter.convert(boxed + "\n\n" + tables)
    printed = " ".join(f"<x>{value}</x>" for value in meta.meta.values() if isinstance(value, str))
    return f"<nav>{nav_html(nav)}</nav><meta>{printed}</meta>{shown}"


def nav_html(entries: list) -> str:
    """The navigation's titles as the theme prints them: as they are."""
    parts = []
    for entry in entries:
        if isinstance(entry, dict):
            for title, inner in entry.items():
                parts.append(
                    f"<li>{title}{nav_html(inner if isinstance(inner, list) else [])}</li>"
                )
    return "".join(parts)


def escaping_case(field: str, value_name: str, with_dossier: bool) -> Case:
    def run(work: Path) -> str:
        pages = []
        for value in (HARMLESS, VALUES[value_name]):
            root = project(work / ("plain" if value == HARMLESS else "hostile"))
            planted(root, FIELDS[field], value)
            with timed("site"):
                html = site_html(root)
            if with_dossier:
                with timed("dossier"):
                    html += dossier.build(root, TODAY)
            pages.append(html)
        if shapes(pages[0]) != shapes(pages[1]):
            extra = shapes(pages[1]) - shapes(pages[0])
            missing = shapes(pages[0]) - shapes(pages[1])
            raise Failure(
                f"{field}={value_name!r} changed the HTML: +{dict(extra)} -{dict(missing)}"
            )
        return DATA

    return Case("escaping", f"{field}/{value_name}{'+dossier' if with_dossier else ''}", run)


def box_case(body_name: str) -> Case:
    """The page's own text after its H1 (or where the box goes) stays out of
    the status box."""
    bodies = {
        "indented-after-h1": "# R\n    Sneaked.\n",
        "indented-after-blank": "# R\n\n    Sneaked.\n",
        "tab-indented": "# R\n\n\tSneaked.\n",
        "no-h1": "    Sneaked.\n\n# R\n",
        "setext-h1": "R\n=\n    Sneaked.\n",
        "h1-with-attributes": "# R { #id }\n    Sneaked.\n",
        "lazy-continuation": "# R\n\n    - Sneaked.\n",
        "fenced-indented": "# R\n\n    ```\n    Sneaked.\n    ```\n",
        "admonition-after": "# R\n\n!!! note\n    Sneaked.\n",
        "html-block": "# R\n    <div>Sneaked.</div>\n",
    }

    def run(work: Path) -> str:
        root = project(work, body=bodies[body_name])
        report = check_project(root, TODAY)
        doc = next(d for d in report.documents if d.path == DOC)
        page = report.read[DOC]
        boxed = derived.add_status_box(page.body, page.h1(), doc)
        converter = markdown.Markdown(
            extensions=list(MARKDOWN_EXTENSIONS), extension_configs=EXTENSION_CONFIGS
        )
        html = converter.convert(boxed)
        start = html.index("lifecycle-status")
        box = html[start : html.index("</div>", start)]
        if "Sneaked" in box:
            raise Failure(f"the page's text entered the status box: {box[:200]}")
        return DATA

    return Case("escaping", f"status-box/{body_name}", run)


def cases() -> list[Case]:
    found = []
    every = 1 if SCALE >= 2 else 2  # the default run takes every other pairing
    for number, field in enumerate(FIELDS):
        for index, value_name in enumerate(VALUES):
            if (number + index) % every == 0:
                found.append(escaping_case(field, value_name, (number + index) % 4 == 0))
    found += [box_case(name) for name in (
        "indented-after-h1", "indented-after-blank", "tab-indented", "no-h1", "setext-h1",
        "h1-with-attributes", "lazy-continuation", "fenced-indented", "admonition-after",
        "html-block",
    )]  # fmt: skip
    return found
