"""The data a provider submits to register a high-risk AI system in the EU
database: Regulation (EU) 2024/1689 (the AI Act), Annex VIII, Section A
(Article 49(1)), its thirteen points, in our own words.

Each point is filled from the project's records: the optional
`registration:` mapping of `lifecycle.yml`, under the key listed here, or,
for the few points the answers hold, from the answers. A point with no value
is missing; "where applicable" points can be answered "n/a" (not
applicable), and the last point is optional.

    registration:                 # lifecycle.yml (read by ml-lifecycle portfolio)
      provider: "Acme Ltd, 1 Main Street, Dublin; ai-register@acme.example"
      market_status: in service   # on the market, in service, withdrawn, recalled
      member_states: [IE, FR]
      ...

What this module does not decide: whether a system must be registered at all,
and under which section. Article 49(1) concerns the high-risk systems of
Annex III, except those of its point 2, which are registered at national
level; Section B of Annex VIII covers systems that a provider concluded are
not high-risk under Article 6(3), and Section C the use of a system by
deployers that are public authorities. Neither is shown here. For the
systems of Annex III points 1, 6 and 7, Article 49(4) keeps the registration
in a non-public section with fewer points. Check the regulation's current
text before registering.
"""

from __future__ import annotations

from dataclasses import dataclass

from ml_lifecycle.documents import as_text

NOT_APPLICABLE = ("n/a", "na", "not applicable")
RECORDED, MISSING, NOT_APPLICABLE_STATE, OPTIONAL = "recorded", "missing", "not applicable", ""


@dataclass(frozen=True)
class Point:
    number: int
    key: str  # under `registration:` in lifecycle.yml
    label: str  # what the point asks, in short
    answer: str = ""  # the answer that fills it when the mapping does not
    where_applicable: bool = False
    optional: bool = False


POINTS = (
    Point(1, "provider", "Provider: name, address and contact details"),
    Point(
        2,
        "submitted_by",
        "Person submitting on the provider's behalf: name, address and contact details",
        where_applicable=True,
    ),
    Point(
        3,
        "authorised_representative",
        "Authorised representative: name, address and contact details",
        where_applicable=True,
    ),
    Point(
        4,
        "trade_name",
        "Trade name, and any further reference that identifies and traces the system",
        answer="project_name",
    ),
    Point(
        5,
        "intended_purpose",
        "Intended purpose, and the components and functions the system supports",
        answer="description",
    ),
    Point(6, "data_and_logic", "Brief description of the data and inputs used, and how it works"),
    Point(
        7,
        "market_status",
        "Status: on the market or in service, no longer so, or recalled",
    ),
    Point(
        8,
        "certificate",
        "Notified body's certificate: type, number, expiry date, and the body's name or number",
        where_applicable=True,
    ),
    Point(9, "certificate_copy", "Scanned copy of that certificate", where_applicable=True),
    Point(
        10,
        "member_states",
        "Member States where it is placed on the market, put into service or made available",
    ),
    Point(11, "declaration_of_conformity", "Copy of the EU declaration of conformity (Art. 47)"),
    Point(
        12,
        "instructions_for_use",
        "Electronic instructions for use (not for Annex III points 1, 6 and 7)",
        where_applicable=True,
    ),
    Point(13, "more_information_url", "Web address for more information", optional=True),
)


def value_text(value: object) -> str:
    """A registration value as one line: a list becomes its items, joined."""
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value if isinstance(item, (str, int, float)))
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return as_text(value)
    return ""


def fields(registration: dict, answers: dict[str, str]) -> list[dict]:
    """Each point with its value, where the value came from, and its state:
    recorded, not applicable, missing, or empty for an optional point left out."""
    found = []
    for point in POINTS:
        value = value_text(registration.get(point.key))
        source = f"lifecycle.yml registration.{point.key}" if value else ""
        if not value and point.answer and answers.get(point.answer):
            value, source = answers[point.answer], f"answers: {point.answer}"
        if value.casefold() in NOT_APPLICABLE:
            state = NOT_APPLICABLE_STATE if point.where_applicable else MISSING
        elif value:
            state = RECORDED
        else:
            state = OPTIONAL if point.optional else MISSING
        found.append(
            {
                "point": point.number,
                "field": point.key,
                "label": point.label,
                "value": value,
                "source": source,
                "state": state,
                "where_applicable": point.where_applicable,
            }
        )
    return found


def missing(found: list[dict]) -> list[int]:
    return [field["point"] for field in found if field["state"] == MISSING]
