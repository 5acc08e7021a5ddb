"""Export the instructions for use (EU AI Act Art. 13(3)) built from the documents.

    ml-lifecycle instructions                   # -> instructions/instructions-for-use.md
    ml-lifecycle instructions --allow-unfilled  # export a draft all the same

The instructions follow Art. 13(3) point by point. Each point is taken from
the sections that the table under "Instructions for use" names (in a
high-risk project, the integration plan); deliverables.py explains how the
table is read. Like the Hub card, the export is refused while a point has
no answer; with --allow-unfilled a draft is written in which each such point
says what is missing. A source document that is not approved is named in a
warning: deployers should receive approved text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ml_lifecycle import deliverables
from ml_lifecycle.deliverables import DeliverableError, PointTable
from ml_lifecycle.report import Report
from ml_lifecycle.repository import revision
from ml_lifecycle.vocabulary import md_escape

SECTION = "Instructions for use"
ARTICLE = "Article 13 of Regulation (EU) 2024/1689 (the EU AI Act)"


def table(report: Report) -> PointTable:
    found = deliverables.find_table(report, SECTION)
    if found is None:
        raise DeliverableError(
            f"no lifecycle document has an '{SECTION}' section with a table of points and "
            "sources; a project baked with risk level high has one in its integration plan"
        )
    if not found.points:
        raise DeliverableError(f"{found.path}: the table under '{SECTION}' lists no point")
    return found


def build(root: Path, today: dt.date, allow_unfilled: bool = False) -> tuple[str, list[str]]:
    """The instructions as Markdown, and warnings to show. Raises
    DeliverableError when a point is missing and `allow_unfilled` is false."""
    report = deliverables.readable_report(root, today)
    found = table(report)
    missing = found.missing()
    if missing and not allow_unfilled:
        raise DeliverableError(
            "the instructions are not complete; answer each of these, "
            "or pass --allow-unfilled to export a draft:\n"
            + "\n".join(f"  - {line}" for line in missing)
        )
    warnings = [f"exporting a draft: {line}" for line in missing]
    warnings += [f"not approved yet: {line}" for line in found.unapproved()]
    front, body = render(found, report, bool(missing))
    return front + "\n" + body, warnings


def render(found: PointTable, report: Report, draft: bool) -> tuple[str, str]:
    """The instructions' front matter and body."""
    name = deliverables.project_name(report.project.root)
    today = report.today
    data = {
        "title": f"Instructions for use: {name}" if name else SECTION,
        "instructions": {
            "article": "13(3)",
            "system": name,
            "status": "draft" if draft else "complete",
            "generated": today.isoformat(),
            "source_revision": revision(report.project.root, report.project.docs_dir) or None,
            "drawn_from": found.drawn_on,
            "points": [deliverables.point_data(point) for point in found.points],
        },
    }
    body = [f"# Instructions for use: {md_escape(name)}" if name else f"# {SECTION}"]
    if draft:
        body.append("> **Draft.** Points marked *Missing* are not answered yet.")
    body.append(
        f"For deployers of the system, as {ARTICLE} asks; generated on "
        f"{today.isoformat()} from the system's documentation."
    )
    for point in found.points:
        body.append(f"## {md_escape(point.item)} {md_escape(point.asks)}")
        if point.missing:
            body.append("**Missing:** " + "; ".join(point.problems) + ".")
        else:
            body.append(point.text)
    return deliverables.front_matter(data), "\n\n".join(body) + "\n"


def dossier_part(report: Report) -> tuple[str, str] | None:
    """The instructions as the dossier shows them, missing points marked;
    None when the project has no table of their sources."""
    found = deliverables.find_table(report, SECTION)
    if found is None or not found.points:
        return None
    _, body = render(found, report, bool(found.missing()))
    return "instructions", body
