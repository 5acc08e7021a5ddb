"""Class `identity`: the owner approving their own document under a name
that reads the same (look-alike letters, case, accents, compatibility forms,
invisible characters, an email for the name), and other people, who must
still be able to approve. Each approval goes through `approve` and `check`."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hostile_suite.kit import (
    DATA,
    DOC,
    REFUSED,
    Case,
    Failure,
    approve,
    check,
    project,
    refused_in_one_line,
    succeeded,
    unchanged,
)

OWNERS = {
    "name": "Alice Smith",
    "name-and-email": "Alice Smith <alice@example.org>",
    "email": "carol.jones@example.org",
    "short": "Ivan",
    "accented": "José Núñez",
    "hyphenated": "Mary-Jane O'Neil",
    "role": "Head of support",
    "cyrillic-name": "Ольга Петрова",
    "cjk-name": "李雷",
}
# Letters a spoof swaps in, as (Latin letter, look-alike).
LOOK_ALIKES = {
    "a": "\N{CYRILLIC SMALL LETTER A}",
    "e": "\N{CYRILLIC SMALL LETTER IE}",
    "o": "\N{GREEK SMALL LETTER OMICRON}",
    "p": "\N{CYRILLIC SMALL LETTER ER}",
    "c": "\N{CYRILLIC SMALL LETTER ES}",
    "i": "\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}",
    "l": "1",
    "A": "\N{GREEK CAPITAL LETTER ALPHA}",
    "M": "\N{CYRILLIC CAPITAL LETTER EM}",
    "H": "\N{GREEK CAPITAL LETTER ETA}",
    "I": "l",
    "J": "\N{CYRILLIC CAPITAL LETTER JE}",
    "S": "\N{CYRILLIC CAPITAL LETTER DZE}",
    "m": "rn",
    "O": "0",
    "y": "\N{CYRILLIC SMALL LETTER U}",
    "x": "\N{CYRILLIC SMALL LETTER HA}",
}
HIDDEN = {
    "zero-width-space": "\u200b",
    "zero-width-joiner": "\u200d",
    "right-to-left-override": "\u202e",
    "left-to-right-isolate": "\u2066",
    "byte-order-mark": "\ufeff",
    "soft-hyphen": "\u00ad",
    "hangul-filler": "\u3164",
    "null": "\x00",
    "escape": "\x1b",
    "line-separator": "\u2028",
    "newline": "\n",
    "word-joiner": "\u2060",
}
OTHERS = [
    "Bob Jones",
    "Alicia Smith",
    "bob@example.org",
    "Alice Smithson",
    "Ivana",
    "Jose Nunes",
    "Quality team",
    "Ольга Петрова-Сидорова",
    "李雷雷",
]


def spoofs(owner: str) -> dict[str, str]:
    """Names that read as the owner's."""
    found = {
        "upper": owner.upper(),
        "lower": owner.lower(),
        "spaced": "  " + owner.replace(" ", " \t ") + " ",
        "no-break-spaces": owner.replace(" ", "\u00a0"),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in owner),
        "decomposed": unicodedata.normalize("NFD", owner),
        "accents-dropped": "".join(
            c for c in unicodedata.normalize("NFD", owner) if not unicodedata.combining(c)
        ),
        "accent-added": owner.replace("e", "\u00e9", 1).replace("a", "\u00e1", 1),
        "math-bold": "".join(
            chr(0x1D400 + ord(c) - ord("A")) if "A" <= c <= "Z" else c for c in owner
        ),
    }
    for latin, fake in LOOK_ALIKES.items():
        if latin in owner:
            found[f"look-alike-{latin}"] = owner.replace(latin, fake, 1)
    if "<" in owner:
        found["email-alone"] = owner[owner.index("<") + 1 : owner.index(">")]
        found["email-other-name"] = "Someone Else " + owner[owner.index("<") :]
    if "@" not in owner and " " in owner:
        found["as-address"] = owner.lower().replace(" ", ".") + "@example.org"
    return found


def owner_field(owner: str) -> str:
    return "'" + owner.replace("'", "''") + "'"


def spoof_case(owner_name: str, kind: str) -> Case:
    owner = OWNERS[owner_name]

    def run(work: Path) -> str:
        by = spoofs(owner)[kind]
        root = project(work, owner=owner_field(owner))
        before = (root / DOC).read_bytes()
        result = approve(root, by=by)
        if result.status == 0:
            raise Failure(f"the owner approved as {by!r}")
        unchanged(root / DOC, before)
        return refused_in_one_line(result, "owner")

    return Case("identity", f"{owner_name}/{kind}", run)


def hidden_case(owner_name: str, kind: str) -> Case:
    owner = OWNERS[owner_name]

    def run(work: Path) -> str:
        name = "Bob " + HIDDEN[kind] + "Jones"
        root = project(work, owner=owner_field(owner))
        before = (root / DOC).read_bytes()
        result = approve(root, by=name)
        unchanged(root / DOC, before)
        return refused_in_one_line(result, "--by")

    return Case("identity", f"{owner_name}/hidden-{kind}", run)


def other_case(owner_name: str, other: str) -> Case:
    owner = OWNERS[owner_name]

    def run(work: Path) -> str:
        root = project(work, owner=owner_field(owner))
        succeeded(approve(root, by=other))
        if "approved by its own owner" in check(root).out:
            raise Failure("check took another person for the owner")
        return DATA

    return Case("identity", f"{owner_name}/other-{OTHERS.index(other)}", run)


def yaml_double_quoted(text: str) -> str:
    """Any text as a YAML double-quoted scalar: every character not plain
    ASCII as an escape."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif " " <= char <= "~":
            out.append(char)
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def hand_written_case(owner_name: str, kind: str) -> Case:
    """approved_by written by hand as a spoof: check reports it."""
    owner = OWNERS[owner_name]

    def run(work: Path) -> str:
        spoof = yaml_double_quoted(spoofs(owner)[kind])
        root = project(work, owner=owner_field(owner), status="approved")
        path = root / DOC
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("status: approved", f"status: approved\n  approved_by: {spoof}"),
            encoding="utf-8",
        )
        result = check(root)
        if result.status != 1 or not any(
            "approved by its own owner" in line or "cannot see" in line
            for line in result.out.splitlines()
        ):
            raise Failure(f"check accepted approved_by {spoof!r}: {result.out[-300:]}")
        return REFUSED

    return Case("identity", f"{owner_name}/hand-written-{kind}", run)


def cases() -> list[Case]:
    found = []
    for owner_name, owner in OWNERS.items():
        for kind in spoofs(owner):
            found.append(spoof_case(owner_name, kind))
            found.append(hand_written_case(owner_name, kind))
        for kind in HIDDEN:
            found.append(hidden_case(owner_name, kind))
        for other in OTHERS:
            found.append(other_case(owner_name, other))
    return found
