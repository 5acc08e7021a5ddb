"""The register site's pages, as Markdown: the register table, the same
systems grouped by risk level, status and owner (what the table's filters do,
for a reader without JavaScript), what needs attention, the Annex VIII
summary, a page per system and a page about the data.

Every value a project supplied is text, never markup: it is escaped with
md_escape, links are made only to http(s) addresses, percent-encoded, and a
page's title (which the theme prints as HTML) keeps only letters, digits
and plain punctuation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

from ml_lifecycle.portfolio import annex_viii
from ml_lifecycle.portfolio.schema import COLUMNS
from ml_lifecycle.vocabulary import NO_VALUE, md_escape

SYSTEMS = "systems"
RISK_ORDER = ("high", "limited", "minimal")
STATUS_ORDER = ("error", "unknown", "draft", "in-review", "approved", "retired")
# Columns the table's filters act on (0-based), read by register.js.
FILTERED = {"Risk level": 1, "Status": 2, "Owner": 3}
TABLE_HEADER = ("System", "Risk level", "Status", "Owner", "Task kind", "Needs attention")
ATTENTION_WORDS = {
    "overdue": ("overdue review", "overdue reviews"),
    "stale-approval": ("stale approval", "stale approvals"),
    "evidence": ("evidence out of date", "evidence out of date"),
}
STATUS_BOX = {
    "approved": ("success", "Every document approved"),
    "in-review": ("info", "Documents in review"),
    "draft": ("warning", "Documents in draft"),
    "retired": ("note", "Retired"),
    "unknown": ("danger", "A document has no valid status"),
    "": ("note", "No lifecycle documents"),
}
TITLE_PUNCTUATION = frozenset(" .,()+-_")


def text(value: object) -> str:
    """A value as table text: escaped, or a dash when empty."""
    shown = "" if value is None else str(value)
    return md_escape(shown) if shown.strip() else NO_VALUE


def web_link(label: str, url: str) -> str:
    """A link to an http(s) address (answers.web_address checked it)."""
    return f"[{label}]({quote(url, safe=':/?#@!$&*+,;=%~')})" if url else NO_VALUE


def page_title(value: str, fallback: str) -> str:
    """A title safe to print as HTML: letters, digits, spaces, .,()+-."""
    kept = "".join(c if c.isalnum() or c in TITLE_PUNCTUATION else " " for c in value)
    return " ".join(kept.split()) or fallback


def front(title: str) -> str:
    return f"---\ntitle: {json.dumps(title)}\n---\n\n"


def system_link(row: dict, here: str = "") -> str:
    return f"[{md_escape(row['name'])}]({here}{SYSTEMS}/{row['id']}.md)"


def attention_text(row: dict) -> str:
    if row["error"]:
        return "not read"
    counts: dict[str, int] = {}
    for entry in row["attention"]:
        counts[entry["kind"]] = counts.get(entry["kind"], 0) + 1
    parts = []
    for kind, (one, many) in ATTENTION_WORDS.items():
        if counts.get(kind):
            parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
    return "; ".join(parts) or NO_VALUE


def table_row(row: dict, here: str = "") -> str:
    cells = [
        system_link(row, here),
        text(row["risk_level"]),
        text(row["status"]),
        text(row["owner"]),
        text(row["task_kind"]),
        attention_text(row),
    ]
    return "| " + " | ".join(cells) + " |"


def register_table(rows: list[dict], here: str = "") -> str:
    """The register table, inside the block register.js enhances."""
    columns = " ".join(str(index) for index in FILTERED.values())
    lines = [
        f'<div class="register-table" data-filters="{columns}" markdown>',
        "",
        "| " + " | ".join(TABLE_HEADER) + " |",
        "| " + " | ".join("---" for _ in TABLE_HEADER) + " |",
        *(table_row(row, here) for row in rows),
        "",
        "</div>",
    ]
    return "\n".join(lines)


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def totals(rows: list[dict]) -> str:
    high = sum(row["risk_level"] == "high" for row in rows)
    attention = sum(bool(row["attention"]) for row in rows if not row["error"])
    unread = sum(bool(row["error"]) for row in rows)
    return (
        f"{counted(len(rows), 'system')}, {high} high-risk, {attention} needing attention, "
        f"{unread} not read"
    )


def index_page(rows: list[dict], today: str, title: str) -> str:
    views = "[by risk level](by-risk.md), [by status](by-status.md) and [by owner](by-owner.md)"
    lines = [
        f"# {md_escape(title)}",
        "",
        f"Every ML system whose repository this register read on {today}: {totals(rows)}.",
        "Each value comes from the system's own repository: its answers, its",
        "`lifecycle.yml` and its documents, read by `ml-lifecycle check`.",
        "",
        "In a browser with JavaScript, sort the table by any column's heading and filter it",
        f"by risk level, status and owner. The same systems, grouped: {views}.",
        "The data: [CSV](register.csv), [JSON](register.json) ([schema](register.schema.json)),",
        "described on [About this register](about.md).",
        "",
        register_table(rows),
        "",
    ]
    return "\n".join(lines)


def grouped(rows: list[dict], key: Callable[[dict], str], order: tuple, none: str) -> list:
    """(heading, rows) for each value of `key`, the known values first."""

    def rank(value: str) -> tuple:
        known = order.index(value) if value in order else len(order)
        return (not value, known, value.casefold(), value)

    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return [(value or none, groups[value]) for value in sorted(groups, key=rank)]


def grouped_page(title: str, intro: str, groups: list) -> str:
    lines = [f"# {title}", "", intro, ""]
    for heading, members in groups:
        lines += [f"## {md_escape(heading)}", "", counted(len(members), "system") + ".", ""]
        lines += [register_table(members), ""]
    return "\n".join(lines)


def view_pages(rows: list[dict]) -> dict[str, str]:
    """The register grouped by risk level, status and owner: the filters,
    without JavaScript."""
    intro = "The systems of the [register](index.md), grouped {}; each group sorted by name."
    return {
        "by-risk.md": grouped_page(
            "Systems by risk level",
            intro.format("by the risk level the team recorded"),
            grouped(rows, lambda row: row["risk_level"], RISK_ORDER, "Not recorded"),
        ),
        "by-status.md": grouped_page(
            "Systems by status",
            intro.format("by the least advanced status of their documents"),
            grouped(rows, lambda row: row["status"], STATUS_ORDER, "No documents"),
        ),
        "by-owner.md": grouped_page(
            "Systems by owner",
            intro.format("by their accountable owner"),
            grouped(rows, lambda row: row["owner"], (), "No owner named"),
        ),
    }


def attention_page(rows: list[dict], today: str) -> str:
    found = [
        (row, entry)
        for row in sorted(rows, key=lambda row: not row["error"])
        for entry in row["attention"]
    ]
    lines = [
        "# Needs attention",
        "",
        f"What needs someone on {today}: projects that could not be read, reviews that are",
        "overdue, approvals that no longer cover their document (its text, or the evidence",
        "it cites, changed since), and cited values that differ from their evidence.",
        "",
    ]
    if not found:
        return "\n".join([*lines, "Nothing needs attention.", ""])
    words = {"unreadable": "not read", **{k: v[0] for k, v in ATTENTION_WORDS.items()}}
    lines += [
        '<div class="register-table" data-filters="1" markdown>',
        "",
        "| System | What | Document | Detail |",
        "| --- | --- | --- | --- |",
    ]
    for row, entry in found:
        cells = [system_link(row), words[entry["kind"]], text(entry["path"]), text(entry["detail"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", "</div>", ""])


def registration_page(rows: list[dict]) -> str:
    high = [row for row in rows if row["risk_level"] == "high" and not row["error"]]
    lines = [
        "# Registration data (EU AI Act, Annex VIII)",
        "",
        "Before a high-risk system listed in Annex III of the AI Act (Regulation (EU)",
        "2024/1689) is placed on the market or put into service, its provider registers it",
        "in the EU database (Article 49(1)); Annex VIII, Section A, lists the data. Systems",
        "of Annex III point 2 are registered at national level instead, and for those of",
        "points 1, 6 and 7 Article 49(4) asks for fewer points. This page shows, for each",
        "system that its team classed high-risk, which of the thirteen points its records hold;",
        "each system's page shows the values. It does not decide whether or where a system",
        "must be registered: check the regulation's current text.",
        "",
        "The values come from the `registration:` mapping of each project's `lifecycle.yml`",
        "(keys below); the trade name and the intended purpose default to the project's name",
        'and description. A point that does not apply can say "n/a"; point 13 is optional.',
        "",
        "| Point | What it asks | Key |",
        "| ---: | --- | --- |",
        *(
            f"| {point.number} | {md_escape(point.label)} | `{point.key}` |"
            for point in annex_viii.POINTS
        ),
        "",
    ]
    if not high:
        return "\n".join([*lines, "No system of the register is classed high-risk.", ""])
    lines += [
        "| System | Points recorded | Points missing |",
        "| --- | ---: | --- |",
    ]
    for row in high:
        recorded = sum(f["state"] in ("recorded", "not applicable") for f in row["registration"])
        missing = annex_viii.missing(row["registration"])
        shown = "==" + ", ".join(map(str, missing)) + "==" if missing else NO_VALUE
        lines.append(f"| {system_link(row)} | {recorded} of 13 | {shown} |")
    return "\n".join([*lines, ""])


def about_page(today: str) -> str:
    lines = [
        "# About this register",
        "",
        f"Built on {today} by `ml-lifecycle portfolio`, from each system's repository. Nothing",
        "here is typed by hand: change a system's records, and the next build shows it.",
        "",
        "## The data",
        "",
        "[register.json](register.json) holds every system with its phases, documents,",
        "approvals and registration data; [register.schema.json](register.schema.json)",
        "describes it (JSON Schema). [register.csv](register.csv) holds one line per",
        "system, with these columns. A value that a spreadsheet would read as a formula",
        "(starting with `=`, `+`, `-` or `@`) is written with a `'` in front.",
        "",
        "| Column | What it holds |",
        "| --- | --- |",
        *(f"| `{name}` | {md_escape(what)} |" for name, what, _ in COLUMNS),
        "",
    ]
    return "\n".join(lines)


def facts_table(row: dict) -> list[str]:
    change = row["last_change"]
    when = (
        f"{md_escape(change['date'][:10])} by {md_escape(change['author'])} "
        f"(`{change['commit'][:12]}`)"
        if change
        else NO_VALUE
    )
    owner = text(row["owner"])
    if row["owner_email"]:
        owner += f" ({md_escape(row['owner_email'])})"
    facts = [
        ("Organisation", text(row["organisation"])),
        ("Owner", owner),
        ("Task kind", text(row["task_kind"])),
        ("Risk level", text(row["risk_level"])),
        ("Role", text(row["role"])),
        ("Update mode", text(row["update_mode"])),
        ("Published site", web_link(md_escape(row["site_url"]), row["site_url"])),
        ("Repository", web_link(md_escape(row["repo_url"]), row["repo_url"])),
        ("Last change", when),
        ("Read from", text(row["source"])),
    ]
    return ["| Fact | Value |", "| --- | --- |", *(f"| {k} | {v} |" for k, v in facts), ""]


def status_box(row: dict) -> list[str]:
    if row["error"]:
        return ['!!! danger "Not read"', "", "    " + md_escape(row["error"]), ""]
    kind, title = STATUS_BOX.get(row["status"], STATUS_BOX["unknown"])
    approved = len(row["approvals"])
    facts = [
        f"{counted(len(row['documents']), 'document')}, {approved} approved",
        f"{counted(row['unfilled_prompts'], 'prompt')} unfilled",
        f"{counted(row['problems'], 'problem')} found by `ml-lifecycle check`",
    ]
    return [f'!!! {kind} "{title}"', "", "    " + " · ".join(facts), ""]


def phase_table(row: dict) -> list[str]:
    lines = [
        "| # | Phase | Status | Documents | Unfilled prompts | Last reviewed | Next review |",
        "| ---: | --- | --- | ---: | ---: | --- | --- |",
    ]
    for phase in row["phases"]:
        due = text(phase["next_review"]) + (" (overdue)" if phase["overdue"] else "")
        cells = [
            str(phase["number"]),
            text(phase["title"]),
            text(phase["status"] or "no document"),
            str(phase["documents"]),
            str(phase["unfilled"]),
            text(phase["last_reviewed"]),
            due,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def document_table(row: dict) -> list[str]:
    lines = [
        "| Document | Status | Owner | Approved by | Approval | Next review | Unfilled |",
        "| --- | --- | --- | --- | --- | --- | ---: |",
    ]
    for doc in row["documents"]:
        due = text(doc["next_review"]) + (" (overdue)" if doc["overdue"] else "")
        cells = [
            f"{text(doc['title'] or doc['document'])}<br>{md_escape(doc['path'])}",
            text(doc["status"]),
            text(doc["owner"]),
            text(doc["approved_by"]),
            text(doc["approval"]),
            due,
            str(doc["unfilled"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def registration_table(row: dict) -> list[str]:
    lines = [
        "## Registration data (Annex VIII)",
        "",
        "The data of Annex VIII, Section A, as this system's records hold it",
        "([what each point asks](../registration.md)).",
        "",
        "| Point | What it asks | Value | From |",
        "| ---: | --- | --- | --- |",
    ]
    for field in row["registration"]:
        value = text(field["value"])
        if field["state"] == "missing":
            value = "==missing==" + ("" if value == NO_VALUE else f" ({value})")
        elif field["state"] == "not applicable":
            value = "not applicable"
        elif not field["value"]:
            value = "not given (optional)"
        cells = [str(field["point"]), md_escape(field["label"]), value, text(field["source"])]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def system_page(row: dict) -> str:
    lines = [front(page_title(row["name"], row["id"])), f"# {md_escape(row['name'])}", ""]
    lines += status_box(row)
    if row["description"]:
        lines += [md_escape(row["description"]), ""]
    lines += facts_table(row)
    if row["error"]:
        return "\n".join(lines)
    lines += ["## Needs attention", ""]
    lines += [
        f"- {md_escape(entry['path'])}: {md_escape(entry['detail'])}" for entry in row["attention"]
    ] or ["Nothing needs attention."]
    lines += ["", "## Phases", "", *phase_table(row), "## Documents", "", *document_table(row)]
    lines += ["## Requirements not traced", ""]
    untraced = row["untraced_requirements"]
    lines.append(
        md_escape(", ".join(untraced)) + "." if untraced else "None: each is verified, or none."
    )
    lines.append("")
    if row["registration"]:
        lines += registration_table(row)
    if row["notes"]:
        lines += ["## Notes", "", *(f"- {md_escape(note)}" for note in row["notes"]), ""]
    return "\n".join(lines)


def overview_pages(entries: list[dict], today: str, title: str) -> dict[str, str]:
    """Every page but the systems' own, by path under docs/: they need only
    each system's summary (register.SUMMARY_KEYS and its id)."""
    return {
        "index.md": index_page(entries, today, title),
        "attention.md": attention_page(entries, today),
        "registration.md": registration_page(entries),
        "about.md": about_page(today),
        **view_pages(entries),
    }


def system_path(row: dict) -> str:
    return f"{SYSTEMS}/{row['id']}.md"
