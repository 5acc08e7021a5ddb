"""Class `evidence`: hostile values in evaluation artefacts (JSON and CSV),
cited by a document and by a Hub card's model-index. A value that is no
plain number or short plain text is refused where it is read; whatever is
accepted reaches the document, the Hub card, the site's Markdown and the
dossier as text, never as markup."""

from __future__ import annotations

import json
import math
from pathlib import Path

from hostile_suite.kit import (
    DATA,
    DOC,
    REFUSED,
    Case,
    Failure,
    check,
    dossier,
    evidence_update,
    hub_card,
    project,
    unchanged,
)
from ml_lifecycle.evidence.site import render
from ml_lifecycle.project import load_project
from ml_lifecycle.rules import read_page

# Characters that Markdown, HTML or YAML read as syntax, controls and
# characters a reader does not see.
SYNTAX = "<>[]()`*_~=^&\\|{}#!\"$%'/:;@+-.,?"
CONTROLS = [chr(c) for c in (*range(0, 32), 127, 0x85)]
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2028", "\u2029"]
INVISIBLE += ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068"]
INVISIBLE += ["\u2069", "\ufeff", "\u2060", "\u3164", "\ue000"]
PAYLOADS = {
    "html": "<img src=x onerror=alert(1)>",
    "script": "</p><script>alert(1)</script>",
    "link": "[click](javascript:alert(1))",
    "bracket-close": "0.9](evidence:eval#other)",
    "code": "```",
    "admonition": '!!! danger "Owned"',
    "details": '??? note "X"',
    "heading": "# Owned",
    "newline-heading": "ok\n\n# Owned",
    "table": "| a | b |",
    "emphasis": "**bold**",
    "footnote": "[^1]",
    "abbreviation": "*[HTML]: Owned",
    "attribute": "{: onclick=alert(1)}",
    "marker": "==TODO==",
    "comment": "<!-- hidden -->",
    "entity": "&lt;b&gt;",
    "yaml": "key: [value, *alias]",
    "too-long": "a" * 101,
    "empty": "",
    "blank": "   ",
    "unicode-letters": "Überprüfung ÅÄÖ",
    "cjk": "精度",
    "plain-with-punctuation": "logreg (l2) 5%, v1.2/3",
}
NUMBERS = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus-infinity": "-Infinity",
    "huge-float": "1e308",
    "overflowing-float": "1e999",
    "subnormal": "5e-324",
    "huge-int": "1" + "0" * 150,
    "int-over-python-limit": "9" * 5000,
    "1e28": "1e28",
    "minus-zero": "-0.0",
    "small": "1e-99",
    "true": "true",
    "null": "null",
    "list": "[1, 2]",
    "object": '{"a": 1}',
    "string-number": '"0.8712"',
}
# Payloads and characters that are plain text: accepted, shown as typed.
PLAIN = {"unicode-letters", "cjk", "plain-with-punctuation"}
PLAIN_CHARACTERS = set(" .,:;%+-/@'()")
ACCEPTED_NUMBERS = {"1e28", "minus-zero", "small", "true", "string-number"}
CARD_FRONT = (
    "model-index:\n  - name: router\n    results:\n      - metrics:\n"
    "          - type: x\n            value: evidence:eval#x\n"
)
BODY = "# Router\n\nThe value: [old](evidence:eval#x).\n"


def values() -> dict[str, tuple[str, bool]]:
    """name -> (JSON text of the value, whether it is accepted)."""
    found = {}
    for char in SYNTAX:
        found[f"syntax-{ord(char):02x}"] = (json.dumps(f"a{char}b"), char in PLAIN_CHARACTERS)
    for char in CONTROLS + INVISIBLE:
        found[f"hidden-{ord(char):04x}"] = (json.dumps(f"a{char}b"), False)
    for name, text in PAYLOADS.items():
        found[f"payload-{name}"] = (json.dumps(text), name in PLAIN)
    for name, text in NUMBERS.items():
        found[f"number-{name}"] = (text, name in ACCEPTED_NUMBERS)
    return found


def with_card(root: Path) -> None:
    path = root / DOC
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n" + CARD_FRONT, 1), encoding="utf-8")


def raw_value(source: str) -> str | None:
    """The value as a string, to look for in what the tools write."""
    try:
        value = json.loads(source)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def never_markup(root: Path, raw: str | None) -> None:
    """The raw value, when it holds syntax, appears nowhere the tools wrote."""
    if not raw or not any(c in raw for c in "<>[]`*_=&\\|{}#!\n"):
        return
    written = [root / DOC, root / "hub/README.md", root / "dossier/dossier.html"]
    for path in written:
        if path.exists() and raw in path.read_text(encoding="utf-8", errors="replace"):
            raise Failure(f"the raw value reached {path.name}")


def site_markdown(root: Path) -> str:
    project_, _ = load_project(root)
    page = read_page(root / DOC, root)
    return render(page, project_, root / DOC, root / "docs")


def json_case(name: str, source: str, accepted: bool) -> Case:
    def run(work: Path) -> str:
        root = project(work, body=BODY, evidence=f'{{"x": {source}}}')
        with_card(root)
        before = (root / DOC).read_bytes()
        update = evidence_update(root)
        raw = raw_value(source)
        if accepted and update.status != 0:
            raise Failure(f"a plain value was refused: {update.out[-300:]}")
        if not accepted:
            if "cites eval#x" not in update.out and "cites eval#x" not in update.err:
                raise Failure(f"no problem line for the value: {update.out[-300:]}")
            unchanged(root / DOC, before)
        hub_card(root)
        dossier(root)
        if raw and raw.strip() and raw in site_markdown(root) and not accepted:
            raise Failure("the raw value reached the site's Markdown")
        never_markup(root, raw)
        if not accepted and "cites eval#x" not in check(root).out:
            raise Failure("check said nothing of an unusable value")
        return DATA if accepted else REFUSED

    return Case("evidence", f"json/{name}", run)


def plain_cell(cell: str) -> bool:
    """The rule, stated once more: a finite number of moderate size, or
    short text of letters, digits, spaces and . , : ; % + - / @ ' ( )."""
    number = _number(cell)
    if number is not None:
        return math.isfinite(number) and (number == 0 or 1e-100 <= abs(number) < 1e101)
    letters = all(c.isalnum() or c in PLAIN_CHARACTERS for c in cell)
    return letters and 0 < len(cell) <= 100 and bool(cell.strip()) and "\u3164" not in cell


def csv_case(name: str, source: str) -> Case | None:
    raw = raw_value(source)
    cell = raw if raw is not None else source
    if any(c in cell for c in ',"\n\r\x00') or cell.strip() != cell:
        return None  # not one CSV cell as written
    accepted = plain_cell(cell)

    def run(work: Path) -> str:
        root = project(work, body=BODY.replace("eval#x", "eval#x@run"), evidence="")
        (root / "eval.json").unlink()
        (root / "eval.csv").write_text(f"name,x\nrun,{cell}\n", encoding="utf-8")
        yml = root / "lifecycle.yml"
        yml.write_text(yml.read_text().replace("eval.json", "eval.csv"), encoding="utf-8")
        before = (root / DOC).read_bytes()
        update = evidence_update(root)
        if (update.status == 0) != accepted:
            raise Failure(f"CSV cell {cell!r}: accepted {update.status == 0}, expected {accepted}")
        if update.status != 0:
            unchanged(root / DOC, before)
        dossier(root)
        never_markup(root, cell)
        return DATA if accepted else REFUSED

    return Case("evidence", f"csv/{name}", run)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def cases() -> list[Case]:
    found = []
    for name, (source, accepted) in values().items():
        found.append(json_case(name, source, accepted))
        csv = csv_case(name, source)
        if csv is not None:
            found.append(csv)
    return found
