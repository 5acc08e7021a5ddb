"""`--require` rules: the organisation's gate over the register, as
`check --require-approved` is a project's.

A rule is `[SCOPE:] CONDITION`. SCOPE is `all` (the default) or risk levels
separated by commas (`high`, `limited,high`). CONDITION is one of:

- `approved PHASES`: every document of these phases (1-5, 1,2,6) is
  approved (retired ones aside), and each phase has an approved document;
- `no overdue reviews`;
- `no stale approvals`: every approval still covers its text and evidence;
- `no stale evidence`: every cited value matches its evidence;
- `traced`: every requirement has a pass or waived verification;
- `owner`: the system names its accountable owner;
- `no problems`: `ml-lifecycle check` finds no problem.

Each violation is one line: `<system id>: <rule>: <what is wrong>`. A
project that could not be read breaks every rule: it is one line too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ml_lifecycle.rules import UsageError, parse_phase_spec

RISK_LEVELS = ("minimal", "limited", "high")
SCOPE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz, ")
SIMPLE = {
    "no overdue reviews": "overdue",
    "no stale approvals": "stale",
    "no stale evidence": "evidence",
    "traced": "traced",
    "owner": "owner",
    "no problems": "problems",
}


@dataclass
class Rule:
    text: str  # as given, on one line
    scope: tuple[str, ...]  # risk levels; empty: every system
    kind: str
    phases: tuple[int, ...] = ()

    def applies(self, row: dict) -> bool:
        return not self.scope or row["risk_level"] in self.scope


def parse_rule(text: str) -> Rule:
    """A rule from its text; UsageError naming what is wrong."""
    shown = " ".join(text.split())
    head, colon, tail = shown.casefold().partition(":")
    if colon and set(head) <= SCOPE_CHARACTERS:
        scope_text, condition = head, tail
    else:
        scope_text, condition = "all", shown.casefold()
    condition = " ".join(condition.split())
    if not condition:
        raise UsageError(
            f"--require {shown!r}: write [SCOPE:] CONDITION, e.g. 'high: approved 1-5'"
        )
    scope = tuple(s.strip() for s in scope_text.split(",") if s.strip())
    unknown = [s for s in scope if s not in (*RISK_LEVELS, "all")]
    if unknown or not scope:
        levels = ", ".join(("all", *RISK_LEVELS))
        named = f" {unknown[0]!r}" if unknown else ""
        raise UsageError(f"--require {shown!r}: the scope{named} must be {levels}")
    scope = () if "all" in scope else scope
    if condition.startswith("approved "):
        try:
            phases = tuple(parse_phase_spec(condition.removeprefix("approved ")))
        except UsageError:
            raise UsageError(f"--require {shown!r}: use phase numbers, e.g. approved 1-5") from None
        return Rule(shown, scope, "approved", phases)
    if condition not in SIMPLE:
        known = ", ".join(["approved PHASES", *SIMPLE])
        raise UsageError(f"--require {shown!r}: the condition must be one of: {known}")
    return Rule(shown, scope, SIMPLE[condition])


def approved_phases(rule: Rule, row: dict) -> list[str]:
    found = []
    phases = {phase["number"]: phase for phase in row["phases"]}
    for number in rule.phases:
        phase = phases.get(number)
        if phase is None:
            found.append(f"it has no phase {number}")
            continue
        docs = [doc for doc in row["documents"] if doc["phase"] == phase["id"]]
        unapproved = [doc for doc in docs if doc["status"] not in ("approved", "retired")]
        for doc in unapproved:
            found.append(f"{doc['path']} is {doc['status'] or 'without a status'}")
        if not docs:
            found.append(f"phase {number} ({phase['id']}) has no document")
        elif not unapproved and all(doc["status"] == "retired" for doc in docs):
            found.append(f"phase {number} ({phase['id']}) has no approved document")
    return found


def _count(key: str, what: str) -> Callable[[Rule, dict], list[str]]:
    def check(rule: Rule, row: dict) -> list[str]:
        count = row[key] if isinstance(row[key], int) else len(row[key])
        return [f"{count} {what}"] if count else []

    return check


CHECKS: dict[str, Callable[[Rule, dict], list[str]]] = {
    "approved": approved_phases,
    "overdue": _count("overdue_reviews", "overdue review(s)"),
    "stale": _count("stale_approvals", "approval(s) no longer current"),
    "evidence": _count("evidence_out_of_date", "cited value(s) differ from their evidence"),
    "traced": _count("untraced_requirements", "requirement(s) not verified"),
    "owner": lambda rule, row: [] if row["owner"] else ["no owner is named"],
    "problems": _count("problems", "problem(s) found by ml-lifecycle check"),
}


def row_violations(rules: list[Rule], row: dict) -> list[str]:
    """One line per rule a system breaks."""
    if not rules:
        return []
    if row["error"]:
        return [f"{row['id']}: could not be read, so no rule holds: {row['error']}"]
    lines = []
    for rule in rules:
        if rule.applies(row):
            lines += [f"{row['id']}: {rule.text}: {what}" for what in CHECKS[rule.kind](rule, row)]
    return lines
