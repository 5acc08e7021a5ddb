"""Who is who in an approval: names and emails compared as a reader sees
them, so that the owner cannot approve their own document as `Alice` spelt
with a Cyrillic capital A, `Alice` with a zero-width space, `ALICE`,
`Alíce` or under their email address.

A name's skeleton is what it looks like: compatibility forms folded (NFKC:
fullwidth and mathematical letters, ligatures), invisible characters
dropped, the Cyrillic and Greek letters that look like Latin ones (and
`0`/`O`, `1`/`l`/`I`, `rn`/`m`, `vv`/`w`) mapped to them, case folded,
accents dropped and spaces collapsed. This is a small table in the spirit of
Unicode's confusables (UTS #39) for the scripts that matter here, not the
whole of it: a look-alike from another script (Cherokee, say) is not
folded, which the README lists.

Two entries name the same person when their names' skeletons match, when
their emails do, or when one's email is the other's name written as an
address (`alice.smith@example.org` for `Alice Smith`).
"""

from __future__ import annotations

import re
import unicodedata

# Letters that pass for Latin ones, after case folding. A letter whose two
# cases look like different Latin letters (Greek nu: N and v) is mapped as
# its capital looks: a spoofed name usually swaps its capital. `i`, `l`,
# `1` and `|` are one letter here: `AIice` (a capital i) reads as `Alice`.
LOOK_ALIKES = {
    # Cyrillic
    "\N{CYRILLIC SMALL LETTER A}": "a",
    "\N{CYRILLIC SMALL LETTER VE}": "b",
    "\N{CYRILLIC SMALL LETTER GHE}": "r",
    "\N{CYRILLIC SMALL LETTER IE}": "e",
    "\N{CYRILLIC SMALL LETTER IO}": "e",
    "\N{CYRILLIC SMALL LETTER KA}": "k",
    "\N{CYRILLIC SMALL LETTER EM}": "m",
    "\N{CYRILLIC SMALL LETTER EN}": "h",
    "\N{CYRILLIC SMALL LETTER O}": "o",
    "\N{CYRILLIC SMALL LETTER PE}": "n",
    "\N{CYRILLIC SMALL LETTER ER}": "p",
    "\N{CYRILLIC SMALL LETTER ES}": "c",
    "\N{CYRILLIC SMALL LETTER TE}": "t",
    "\N{CYRILLIC SMALL LETTER U}": "y",
    "\N{CYRILLIC SMALL LETTER HA}": "x",
    "\N{CYRILLIC SMALL LETTER SOFT SIGN}": "b",
    "\N{CYRILLIC SMALL LETTER DZE}": "s",
    "\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}": "l",
    "\N{CYRILLIC SMALL LETTER YI}": "l",
    "\N{CYRILLIC SMALL LETTER JE}": "j",
    "\N{CYRILLIC SMALL LETTER SHHA}": "h",
    "\N{CYRILLIC SMALL LETTER KOMI DE}": "d",
    "\N{CYRILLIC SMALL LETTER QA}": "q",
    "\N{CYRILLIC SMALL LETTER WE}": "w",
    "\N{CYRILLIC SMALL LETTER PALOCHKA}": "l",
    "\N{CYRILLIC SMALL LETTER STRAIGHT U}": "y",
    "\N{CYRILLIC SMALL LETTER IZHITSA}": "v",
    # Greek
    "\N{GREEK SMALL LETTER ALPHA}": "a",
    "\N{GREEK SMALL LETTER BETA}": "b",
    "\N{GREEK SMALL LETTER GAMMA}": "y",
    "\N{GREEK SMALL LETTER EPSILON}": "e",
    "\N{GREEK SMALL LETTER ZETA}": "z",
    "\N{GREEK SMALL LETTER ETA}": "h",
    "\N{GREEK SMALL LETTER IOTA}": "l",
    "\N{GREEK SMALL LETTER KAPPA}": "k",
    "\N{GREEK SMALL LETTER MU}": "m",
    "\N{GREEK SMALL LETTER NU}": "n",
    "\N{GREEK SMALL LETTER OMICRON}": "o",
    "\N{GREEK SMALL LETTER RHO}": "p",
    "\N{GREEK SMALL LETTER TAU}": "t",
    "\N{GREEK SMALL LETTER UPSILON}": "y",
    "\N{GREEK SMALL LETTER CHI}": "x",
    "\N{GREEK SMALL LETTER OMEGA}": "w",
    "\N{GREEK LUNATE SIGMA SYMBOL}": "c",
    "\N{GREEK LETTER YOT}": "j",
    # Latin and common look-alikes
    "i": "l",
    "\N{LATIN SMALL LETTER DOTLESS I}": "l",
    "\N{LATIN SMALL LETTER IOTA}": "l",
    "\N{LATIN LETTER SMALL CAPITAL L}": "l",
    "1": "l",
    "|": "l",
    "\N{LATIN LETTER DENTAL CLICK}": "l",
    "\N{LATIN SMALL LETTER DOTLESS J}": "j",
    "\N{LATIN SMALL LETTER ALPHA}": "a",
    "\N{LATIN SMALL LETTER SCRIPT G}": "g",
    "0": "o",
}
# Letter pairs that read as one letter.
LOOK_ALIKE_PAIRS = (("rn", "m"), ("vv", "w"))
# Characters a reader does not see that are not format characters (Cf):
# Hangul fillers, the combining grapheme joiner.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5")
# Categories never typed in a name: control, format (zero-width, bidi),
# private use, surrogates, unassigned, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# What separates the words of an entry; a word with one @ inside is an email.
# (A pattern that looked for the email itself backtracked: 100,000
# characters without an @ took minutes.)
WORD_BREAKS = re.compile(r"[\s<>()\[\],;:\"]+")
SEPARATORS = re.compile(r"[\s._+-]+")


def hidden_characters(text: str) -> list[str]:
    """The characters of a typed name that no reader sees or that steer how
    text is shown (controls, zero-width and bidirectional marks), as U+XXXX;
    tabs and spaces are fine."""
    return [
        f"U+{ord(c):04X}"
        for c in text
        if c not in "\t " and (unicodedata.category(c) in REFUSED_CATEGORIES or c in INVISIBLE)
    ]


def skeleton(text: str) -> str:
    """What a name looks like, for comparison only (never shown)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf" and c not in INVISIBLE)
    text = unicodedata.normalize("NFD", text.casefold())
    text = "".join(LOOK_ALIKES.get(c, c) for c in text if not unicodedata.combining(c))
    for pair, letter in LOOK_ALIKE_PAIRS:
        text = text.replace(pair, letter)
    return " ".join(text.split())


def words_and_emails(entry: str) -> tuple[list[str], list[str]]:
    """The words of an entry such as `Alice Smith <alice@example.org>`, and
    those of them that are emails, as typed (NFKC)."""
    words = WORD_BREAKS.split(unicodedata.normalize("NFKC", entry))
    emails = [w for w in words if w.count("@") == 1 and not w.startswith("@") and w[-1] != "@"]
    return words, emails


def parts(entry: str) -> tuple[str, str]:
    """(the name's skeleton, the email's skeleton) of an entry such as
    `Alice Smith <alice@example.org>`; either may be empty."""
    words, emails = words_and_emails(entry)
    name = " ".join(w for w in words if w not in emails)
    return skeleton(name), skeleton(emails[0]) if emails else ""


def squeezed(text: str) -> str:
    return SEPARATORS.sub("", text)


def same_person(first: str, second: str) -> bool:
    """Whether two entries (a name, an email, or both) name one person."""
    name_a, email_a = parts(first)
    name_b, email_b = parts(second)
    if name_a and name_a == name_b:
        return True
    if email_a and email_a == email_b:
        return True
    local_a, local_b = email_a.split("@")[0], email_b.split("@")[0]
    return bool(
        (local_a and name_b and squeezed(local_a) == squeezed(name_b))
        or (local_b and name_a and squeezed(local_b) == squeezed(name_a))
    )


# A forge's private commit address names its user: GitHub's
# `12345+name@users.noreply.github.com` (or `name@...` for older accounts),
# GitLab's `12345-name@users.noreply.gitlab.com`.
NOREPLY = {"users.noreply.github.com": "+", "users.noreply.gitlab.com": "-"}


def handle_of(email: str) -> str:
    """The forge user name a private commit address holds; empty otherwise."""
    local, _, domain = email.strip().rpartition("@")
    mark = NOREPLY.get(domain.casefold())
    if not mark or not local:
        return ""
    number, sep, name = local.partition(mark)
    return name if sep and number.isdigit() else local


def same_handle(entry: str, handle: str) -> bool:
    """Whether an entry (`@dana-w`, `dana-w`) is this forge user name."""
    if not handle:
        return False
    typed = entry.strip().removeprefix("@")
    return bool(typed) and squeezed(skeleton(typed)) == squeezed(skeleton(handle))


def names_person(entry: str, person) -> bool:
    """Whether an entry names this person (project.Person): by their name,
    their email, their forge handle or their forge's private address."""
    if same_person(entry, person.name) or (person.email and same_person(entry, person.email)):
        return True
    if same_handle(entry, person.handle):
        return True
    emails = words_and_emails(entry)[1]
    return bool(emails) and same_handle(handle_of(emails[0]), person.handle)


def people_named(entry: str, people: list) -> list:
    """The people an entry names."""
    return [person for person in people if entry and names_person(entry, person)]


def same_one(first: str, second: str, people: list) -> bool:
    """Whether two entries name one person: directly (same_person), or
    through a person of the project that both name."""
    if first and second and same_person(first, second):
        return True
    return any(names_person(second, p) for p in people_named(first, people))
