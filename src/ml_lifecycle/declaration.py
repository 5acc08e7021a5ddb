"""Write the EU declaration of conformity (EU AI Act Art. 47) from the documents.

    ml-lifecycle declaration            # -> declaration/eu-declaration-of-conformity.md
    ml-lifecycle declaration --draft    # a draft, with unanswered points shown as missing

The declaration follows Annex V point by point. Each point comes from the
sections that the table under "EU declaration of conformity" names (in a
high-risk project, the route to market), or from the fixed wording the
table gives (deliverables.py explains how the table is read).

A version for signature is written only when every point is answered and
every document the declaration draws on is approved, as it stands now;
otherwise the command lists what is missing and writes nothing. With
--draft it writes the declaration all the same, marked as a draft, each
unanswered point shown as missing with the reason.

The file is Markdown with a YAML front matter that holds every point as
data (Art. 47 asks for a machine-readable declaration); the body is the
text to sign. The dossier includes it (`dossier_part`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ml_lifecycle import deliverables
from ml_lifecycle.deliverables import DeliverableError, PointTable
from ml_lifecycle.report import Report
from ml_lifecycle.repository import revision
from ml_lifecycle.vocabulary import md_escape

SECTION = "EU declaration of conformity"
REGULATION = "Regulation (EU) 2024/1689"
# Annex V lists eight points; a declaration states every one of them.
ANNEX_V_POINTS = tuple(str(number) for number in range(1, 9))
SIGNATURE_LINE = "Signature: ______________________________"


def table(report: Report) -> PointTable:
    found = deliverables.find_table(report, SECTION)
    if found is None:
        raise DeliverableError(
            f"no lifecycle document has a '{SECTION}' section with a table of points and "
            "sources; a project baked with risk level high has one in its route to market"
        )
    listed = [point.item for point in found.points]
    if sorted(listed) != sorted(ANNEX_V_POINTS):
        raise DeliverableError(
            f"{found.path}: the table under '{SECTION}' lists points "
            f"{', '.join(listed) or 'none'}; Annex V has points "
            f"{', '.join(ANNEX_V_POINTS)}, each once"
        )
    return found


def refusals(found: PointTable) -> list[str]:
    """Why the declaration cannot be signed yet: points missing, documents
    not approved as they stand."""
    return found.missing() + found.unapproved()


def build(root: Path, today: dt.date, draft: bool = False) -> str:
    """The declaration as Markdown. Raises DeliverableError when the project
    cannot yield one, or when it is not ready for signature and `draft` is false."""
    report = deliverables.readable_report(root, today)
    found = table(report)
    reasons = refusals(found)
    if reasons and not draft:
        raise DeliverableError(
            "not ready for signature; answer and approve each of these, "
            "or pass --draft to write a draft:\n" + "\n".join(f"  - {reason}" for reason in reasons)
        )
    front, body = render(found, report, reasons)
    return front + "\n" + body


def render(found: PointTable, report: Report, reasons: list[str]) -> tuple[str, str]:
    """The declaration's front matter and body."""
    name = deliverables.project_name(report.project.root)
    today = report.today
    status = "draft" if reasons else "for signature"
    data = {
        "declaration": {
            "regulation": REGULATION,
            "article": 47,
            "system": name,
            "status": status,
            "generated": today.isoformat(),
            "source_revision": revision(report.project.root, report.project.docs_dir) or None,
            "drawn_from": found.drawn_on,
            "points": [deliverables.point_data(point) for point in found.points],
        }
    }
    body = [f"# EU declaration of conformity: {md_escape(name)}" if name else f"# {SECTION}"]
    if reasons:
        body.append(
            "> **Draft: not for signature.** Before it can be signed:\n>\n"
            + "\n".join(f"> - {reason}" for reason in reasons)
        )
    body.append(
        f"Under Article 47 and Annex V of {REGULATION} (the EU AI Act), "
        f"generated on {today.isoformat()} from the system's documentation."
    )
    by_item = {point.item: point for point in found.points}
    for item in ANNEX_V_POINTS:
        point = by_item[item]
        body.append(f"## Point {item}\n\n*{md_escape(point.asks)}*")
        if point.missing:
            body.append("**Missing:** " + "; ".join(point.problems) + ".")
        else:
            body.append(point.text)
    body.append(SIGNATURE_LINE)
    return deliverables.front_matter(data), "\n\n".join(body) + "\n"


def dossier_part(report: Report) -> tuple[str, str] | None:
    """The declaration as the dossier shows it (a draft while it cannot be
    signed): its path and its Markdown body; None when the project has no
    table of its sources."""
    found = deliverables.find_table(report, SECTION)
    if found is None or sorted(p.item for p in found.points) != sorted(ANNEX_V_POINTS):
        return None
    _, body = render(found, report, refusals(found))
    return "declaration", body
