"""Looking a cited key up in an artefact, and comparing a cited text with
the value found, at the precision the document writes."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from ml_lifecycle import limits
from ml_lifecycle.evidence.sources import Artefact
from ml_lifecycle.identity import INVISIBLE

# A number as a document writes it: sign, thousands separators, decimals.
NUMBER = re.compile(r"[-+\N{MINUS SIGN}]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
MINUS = "\N{MINUS SIGN}"  # typographic minus, as some documents write it
# What a source value may be, wherever it lands (a document, a page, the
# Hub card, the dossier): a finite number of moderate size, or short text of
# letters, digits, spaces and punctuation that no Markdown or HTML reads.
MAX_TEXT = 100  # characters: a citation's own text is at most as long
MAX_EXPONENT = 100  # a number's size, in powers of ten either way
PLAIN_PUNCTUATION = frozenset(" .,:;%+-/@'()\N{MINUS SIGN}")
# Rounding to the digits a document writes (at most MAX_TEXT) a number of
# at most MAX_EXPONENT digits never needs more precision than this.
ARITHMETIC = Context(prec=2 * (MAX_TEXT + MAX_EXPONENT) + 10)


class Missing(Exception):
    """A cited key the artefact does not hold; str() says so in one line."""


class Unusable(Missing):
    """A value that is not a plain number or short plain text: refused where
    it is read, so that it never reaches a document or a page as markup."""


def lookup(found: Artefact, key: str) -> object:
    """The value at `key` in an artefact. Raises Missing (Unusable for a
    value that is no plain number or short plain text)."""
    if not found.is_file:
        value = lookup_run(found.data, key)
    elif isinstance(found.data, list):
        value = lookup_csv(found.data, key)
    else:
        value = lookup_json(found.data, key)
    return screened(value, key)


def screened(value: object, key: str) -> object:
    """The value, when it is a plain number or short plain text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = as_decimal(value)
        if number is None or (number != 0 and abs(number.adjusted()) > MAX_EXPONENT):
            raise Unusable(f"{key} is {limits.brief(value)}: not a finite number of usable size")
        return value
    text = str(value)
    if not text.strip() or len(text) > MAX_TEXT:
        raise Unusable(f"{key} is empty or over {MAX_TEXT} characters: not a short plain text")
    odd = next((c for c in text if not plain_character(c)), None)
    if odd is not None:
        raise Unusable(
            f"{key} holds {odd!r} (U+{ord(odd):04X}): a value is a number or plain text "
            "(letters, digits, spaces, .,:;%+-/@'()), never markup"
        )
    return text


def plain_character(char: str) -> bool:
    if char in INVISIBLE:  # letters by category, blank to a reader
        return False
    return char.isalnum() or char in PLAIN_PUNCTUATION or unicodedata.category(char) == "Mn"


def leaf(value: object, key: str) -> object:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None or isinstance(value, (dict, list)):
        raise Missing(f"{key} is not a single value")
    return value


def lookup_json(data: object, key: str) -> object:
    """A dotted key; a key that itself holds dots is found too (longest first)."""
    parts, node, at = key.split("."), data, 0
    while at < len(parts):
        if isinstance(node, dict):
            end = next(
                (j for j in range(len(parts), at, -1) if ".".join(parts[at:j]) in node), None
            )
            if end is None:
                raise Missing(f"no key {'.'.join(parts[: at + 1])}")
            node, at = node[".".join(parts[at:end])], end
        elif isinstance(node, list) and parts[at].isdigit() and int(parts[at]) < len(node):
            node, at = node[int(parts[at])], at + 1
        else:
            raise Missing(f"no key {'.'.join(parts[: at + 1])}")
    return leaf(node, key)


def lookup_csv(rows: list[list[str]], key: str) -> object:
    """`column@row`: the column by its header, the row by its first cell (or,
    when no first cell is that, its number counting from 1 below the header)."""
    column, at, row = key.rpartition("@")
    if not at or not column:
        raise Missing(f"{key} is not column@row")
    header = [cell.strip() for cell in rows[0]]
    if column not in header:
        raise Missing(f"no column {column}")
    body = rows[1:]
    found = next((r for r in body if r[0].strip() == row), None)
    if found is None and row.isdigit() and 1 <= int(row) <= len(body):
        found = body[int(row) - 1]
    if found is None:
        raise Missing(f"no row {row}")
    return number_or_text(found[header.index(column)])


def lookup_run(data: dict, key: str) -> object:
    """A metric, else a parameter; `metrics.x` and `params.x` pick one."""
    for kind in ("metrics", "params"):
        if key.startswith(kind + ".") and key[len(kind) + 1 :] in data[kind]:
            return number_or_text(data[kind][key[len(kind) + 1 :]])
    for kind in ("metrics", "params"):
        if key in data[kind]:
            return number_or_text(data[kind][key])
    raise Missing(f"no metric or parameter {key}")


def number_or_text(value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            return text
    return value


def as_decimal(value: object) -> Decimal | None:
    """A source value as a Decimal, None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def cited_number(text: str) -> tuple[Decimal, int] | None:
    """(value, digits after the point) of a cited number, None for other text."""
    match = NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    plain = match.group(0).replace(",", "").replace(MINUS, "-")
    return Decimal(plain), len(match.group(1) or "")


def rounded(value: Decimal, digits: int) -> Decimal:
    """The value to `digits` decimals, with enough precision for any value
    `screened` lets through and any number a citation can write."""
    return value.quantize(
        Decimal(1).scaleb(-digits, ARITHMETIC), rounding=ROUND_HALF_UP, context=ARITHMETIC
    )


def matches(text: str, value: object) -> bool:
    """Whether a cited text states a source value, at the precision written."""
    cited, number = cited_number(text), as_decimal(value)
    if cited is None or number is None:
        return text.strip() == str(value).strip()
    try:
        return rounded(number, cited[1]) == cited[0]
    except InvalidOperation:  # beyond any precision: no document writes it
        return False


def shown_value(value: object) -> str:
    """A source value on one line, cut short: text without quotes."""
    text = " ".join(str(value).split())
    short = limits.SHOWN_CHARS
    return text if len(text) <= short else text[: short - 1] + "…"


def restated(text: str, value: object) -> str:
    """The source value written as the document wrote the old one: the same
    number of decimals, thousands separators and sign style."""
    cited, number = cited_number(text), as_decimal(value)
    if cited is None or number is None:
        return " ".join(str(value).split())
    digits = cited[1]
    try:
        new = f"{rounded(number, digits):{',' if ',' in text else ''}.{digits}f}"
    except InvalidOperation:
        new = str(number)
    if MINUS in text:
        new = new.replace("-", MINUS)
    lead = text[: len(text) - len(text.lstrip())]
    return lead + new + text[len(text.rstrip()) :]


def number_of(value: object) -> Decimal | None:
    """A value, or a cited text, as a number (None when it is none)."""
    if isinstance(value, str):
        cited = cited_number(value)
        return cited[0] if cited else None
    return as_decimal(value)
