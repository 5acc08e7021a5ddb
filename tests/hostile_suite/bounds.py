"""Class `bounds`: one hostile value or page, read by every tool. YAML
bombs and exotic tags in front matter and lifecycle.yml, dates and numbers
out of range, NULs in paths, artefacts built to hang a parser, and pages
built to stall the Markdown readers (the model's and the site's renderer's),
each below and above its limit. Each tool refuses in one line or does its
work, within the suite's time and memory limits."""

from __future__ import annotations

import os
from pathlib import Path

from hostile_suite import site
from hostile_suite.kit import (
    DATA,
    DOC,
    REFUSED,
    Case,
    Failure,
    approve,
    check,
    dossier,
    evidence_update,
    hub_card,
    project,
    refused_or_done,
    tool,
)
from ml_lifecycle import limits

DEEP = 10_000
FRONT_MATTER = {
    "flow-list-nesting": "x: " + "[" * DEEP + "]" * DEEP,
    "flow-map-nesting": "x: " + "{a: " * 3000 + "1" + "}" * 3000,
    "block-list-nesting": "x:\n" + "".join("  " * i + "-\n" for i in range(60)) + "  " * 60 + "- 1",
    "block-map-nesting": "x:\n"
    + "".join("  " * i + f"k{i}:\n" for i in range(60))
    + "  " * 60
    + "v: 1",
    "billion-laughs": "\n".join(
        ["l0: &l0 [a, a, a, a, a, a, a, a, a, a]"]
        + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    ),
    "anchor-alias": "a: &x 1\nb: *x",
    "merge-key": "base: &b {k: 1}\nderived:\n  <<: *b",
    "huge-int": "big: " + "9" * 5000,
    "int-at-python-limit": "big: " + "9" * 4300,
    "huge-float": "f: 1e99999",
    "timestamp-99999": "when: !!timestamp 99999-01-01",
    "timestamp-month-13": "when: !!timestamp 2026-13-45",
    "timestamp-year-0": "when: !!timestamp 0000-01-01",
    "python-object": "x: !!python/object/apply:os.system ['touch /tmp/owned']",
    "python-name": "x: !!python/name:os.system",
    "binary-bad": "x: !!binary not-base64!",
    "set": "x: !!set {a, b}",
    "omap": "x: !!omap [a: 1, b: 2]",
    "custom-tag": "x: !Evil payload",
    "unclosed-quote": "x: 'unclosed",
    "tab-indent": "x:\n\t- 1",
    "duplicate-keys": "title: a\ntitle: b",
    "complex-key": "? [a, b]\n: value",
    "null-byte-escaped": 'x: "a\\0b"',
    "long-string": "x: " + "a" * 1_500_000,
    "many-keys": "\n".join(f"k{i}: {i}" for i in range(20_000)),
    "bom-inside": "\ufeffx: 1",
    "conflict-markers": "<<<<<<< ours\nx: 1\n=======\nx: 2\n>>>>>>> theirs",
    "document-separator": "x: 1\n---\ny: 2",
    "directive": "%YAML 1.1\n---\nx: 1",
}
FIELDS = {
    "last_reviewed": ["99999-01-01", "9999-12-31", "0001-01-01", "2026-02-30", "'2026-1-1'",
                      "-1", "1e30", "[2026-01-01]", "{a: 1}", "!!timestamp 2026-01-01T25:00:00"],
    "review_interval_days": ["0", "-1", "36501", "1" + "0" * 30, "'" + "9" * 5000 + "'",
                             "true", "1.5", "[]", "{}", ".inf", ".nan"],
    "status": ["[approved]", "{a: b}", "approved" * 1000, "null", "'in-review\\n'"],
    "owner": ["[a, b]", "{a: b}", "x" * 100_000, "123", "null"],
    "required_sections": ["x", "[1, 2]", "[" + ", ".join(["S"] * 10_000) + "]", "[[a]]", "{}"],
    "phase": ["[building]", "'../../etc'", "'\\0'", "1e9999"],
}  # fmt: skip
LIFECYCLE_YML = {
    "phase-number-huge": "phases:\n  - {number: " + "9" * 50 + ", id: a, folder: a, title: A}\n",
    "phase-folder-parent": "phases:\n  - {number: 1, id: a, folder: '..', title: A}\n",
    "phase-folder-absolute": "phases:\n  - {number: 1, id: a, folder: /etc, title: A}\n",
    "phase-folder-nul": 'phases:\n  - {number: 1, id: a, folder: "a\\0b", title: A}\n',
    "two-thousand-phases": "phases:\n"
    + "".join(f"  - {{number: {i}, id: p{i}, folder: f{i}, title: T}}\n" for i in range(2_000)),
    "phases-not-a-list": "phases: yes\n",
    "stages-huge": "phases: []\nstages: {" + ", ".join(f"s{i}: t" for i in range(5_000)) + "}\n",
    "evidence-absolute": "phases: []\nevidence:\n  e: /etc/passwd.json\n",
    "evidence-parent": "phases: []\nevidence:\n  e: ../../x.json\n",
    "evidence-nul": 'phases: []\nevidence:\n  e: "e\\0.json"\n',
    "evidence-newline": 'phases: []\nevidence:\n  e: "e\\n.json"\n',
    "evidence-mlflow-odd": "phases: []\nevidence:\n  e: 'mlflow:runs:/../../x'\n",
    "evidence-name-odd": "phases: []\nevidence:\n  '../x': e.json\n",
    "settings-odd": "phases: []\nsettings: {review_interval_days: 1e99, requirement_prefix: [], "
    "reader_view: {}}\n",
}
ARTEFACTS = {
    "json-escapes": ('{"x": "' + '"\\' * 700_000 + '"}', "eval.json"),
    "json-open-strings": ('"\\' * 700_000, "eval.json"),
    "json-deep": ("[" * 100_000 + "]" * 100_000, "eval.json"),
    "json-duplicate-keys": ('{"x": 1, "x": 2}', "eval.json"),
    "json-huge-int": ('{"x": ' + "9" * 5000 + "}", "eval.json"),
    "json-not-utf8": ('{"x": "\udcff"}', "eval.json"),
    "json-bom": ('\ufeff{"x": 1}', "eval.json"),
    "json-nan": ('{"x": NaN}', "eval.json"),
    "csv-wide": ("," * 200_000 + "\n", "eval.csv"),
    "csv-nul": ("name,x\nrun,\0\n", "eval.csv"),
    "csv-ragged": ("name,x\nrun,1,2\n", "eval.csv"),
    "csv-quotes": ('name,x\nrun,"' + "a" * 1_000_000 + "\n", "eval.csv"),
    "csv-empty": ("", "eval.csv"),
    "csv-many-rows": ("name,x\n" + "".join(f"r{i},{i}\n" for i in range(100_000)), "eval.csv"),
}
CITED_NUMBERS = [
    "1" + "0" * 28,
    "1" + "0" * 60,
    "0." + "0" * 95 + "1",
    "-0",
    "\N{MINUS SIGN}1,000,000.00",
    "1,0,0",
    "9" * 99,
    "0.87654321098765432109876543210",
]
PAGES = {
    "lines": lambda n: "x\n" * n,
    "table-bars": lambda n: "| a " * (n // 2) + "|\n" + "| - " * (n // 2) + "|\n",
    "brackets": lambda n: "[" * n,
    "inline-html": lambda n: "<a " * n,
    "backtick-runs": lambda n: "".join("`" * (i % 50 + 1) + "x" for i in range(n)),
    "backtick-pairs": lambda n: "`a``b" * n,
    "emphasis": lambda n: "*a_" * n,
    "nested-emphasis": lambda n: "*" * n + "a" + "*" * n,
    "links": lambda n: "[a](b " * n,
    "images": lambda n: "![" * n,
    "autolinks": lambda n: "<http://" * n,
    "braces": lambda n: "## x " + "{: " * n,
    "marks": lambda n: "==a" * n,
    "backslashes": lambda n: "\\`" * n,
    "entities": lambda n: "&#" * n,
    "quotes": lambda n: ">" * n + " x",
    "nested-lists": lambda n: "".join("    " * i + "- x\n" for i in range(n)),
    "nested-admonitions": lambda n: "".join("    " * i + "!!! note\n" for i in range(n)),
    "markdown-in-html": lambda n: "<div markdown>\n" * n,
    "abbreviations": lambda n: "".join(f"*[A{i}]: x\n" for i in range(n)) + "\nA1 A2\n",
    "footnotes": lambda n: "".join(f"[^{i}]: x\n" for i in range(n)),
    "fences": lambda n: "```\n" * n,
    "long-line": lambda n: "word " * n,
    "blank-run-heading": lambda n: "## a" + " " * n + "b",
    "required-sections": lambda n: "".join(f"## S{i}\n" for i in range(n)),
}
# Each construct's size: a modest one and one near its limit (under it;
# the suite takes the second at HOSTILE_SCALE 2 and more), and one over it.
SIZES = {
    "lines": (2_000, 9_900, limits.MAX_MARKDOWN_LINES + 10),
    "table-bars": (4_000, 49_000, limits.MAX_TABLE_PIPES + 10),
    "brackets": (300, 990, 4_000),
    "inline-html": (300, 990, 8_000),
    "backtick-runs": (100, 400, 5_000),
    "backtick-pairs": (50, 240, 64_000),
    "emphasis": (100, 490, 64_000),
    "nested-emphasis": (100, 490, 2_000),
    "links": (50, 330, 8_000),
    "images": (100, 490, 4_000),
    "autolinks": (300, 990, 8_000),
    "braces": (300, 990, 16_000),
    "marks": (300, 990, 128_000),
    "backslashes": (100, 490, 64_000),
    "entities": (100, 990, 300_000),
    "quotes": (300, 990, 256_000),
    "nested-lists": (10, 50, 300),
    "nested-admonitions": (10, 50, 500),
    "markdown-in-html": (20, 200, 600),
    "abbreviations": (50, 300, 4_000),
    "footnotes": (300, 4_900, 16_000),
    "fences": (300, 9_000, 32_000),
    "long-line": (20_000, 380_000, 450_000),
    "blank-run-heading": (20_000, 1_900_000, 2_200_000),
    "required-sections": (300, 4_900, 12_000),
}
NEAR_LIMIT = int(os.environ.get("HOSTILE_SCALE", "1")) >= 2


def every_tool(root: Path, named: str = "") -> str:
    """check, approve, hub-card, dossier and evidence on the project: each
    refuses in one line or does its work. REFUSED when any refused."""
    outcomes = [refused_or_done(approve(root), *([named] if named else []))]
    for run in (hub_card, dossier):
        outcomes.append(refused_or_done(run(root)))
    result = evidence_update(root)
    if result.status not in (0, 1):
        raise Failure(f"evidence exited {result.status}")
    checked = check(root)
    if checked.status not in (0, 1):
        raise Failure(f"check exited {checked.status}")
    return REFUSED if REFUSED in outcomes or checked.status == 1 else DATA


def front_matter_case(name: str) -> Case:
    def run(work: Path) -> str:
        root = project(work)
        path = root / DOC
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", f"---\n{FRONT_MATTER[name]}\n", 1), encoding="utf-8")
        return every_tool(root)

    return Case("bounds", f"front-matter/{name}", run)


def field_case(key: str, value: str, number: int) -> Case:
    def run(work: Path) -> str:
        root = project(work)
        path = root / DOC
        text = path.read_text(encoding="utf-8")
        if f"  {key}:" in text:
            start = text.index(f"  {key}:")
            end = text.index("\n", start)
            text = text[:start] + f"  {key}: {value}" + text[end:]
        else:
            text = text.replace("lifecycle:\n", f"lifecycle:\n  {key}: {value}\n", 1)
        path.write_text(text, encoding="utf-8")
        return every_tool(root)

    return Case("bounds", f"field/{key}/{number}", run)


def lifecycle_yml_case(name: str) -> Case:
    def run(work: Path) -> str:
        root = project(work)
        (root / "lifecycle.yml").write_text(LIFECYCLE_YML[name], encoding="utf-8")
        return every_tool(root)

    return Case("bounds", f"lifecycle-yml/{name}", run)


def artefact_case(name: str) -> Case:
    content, file = ARTEFACTS[name]

    def run(work: Path) -> str:
        body = "# R\n\nValue [1](evidence:eval#x), [2](evidence:eval#x@run).\n"
        root = project(work, body=body)
        (root / "eval.json").unlink()
        (root / file).write_text(content, encoding="utf-8", errors="surrogateescape")
        yml = root / "lifecycle.yml"
        yml.write_text(yml.read_text().replace("eval.json", file), encoding="utf-8")
        return every_tool(root)

    return Case("bounds", f"artefact/{name}", run)


def cited_number_case(number: int) -> Case:
    def run(work: Path) -> str:
        cited = CITED_NUMBERS[number]
        root = project(work, body=f"# R\n\nValue [{cited}](evidence:eval#acc).\n")
        return every_tool(root)

    return Case("bounds", f"cited-number/{number}", run)


def page_case(name: str, over: bool) -> Case:
    modest, near, beyond = SIZES[name]
    size = beyond if over else (near if NEAR_LIMIT else modest)

    def run(work: Path) -> str:
        body = "# R\n\n" + PAGES[name](size) + "\n"
        fields = {}
        if name == "required-sections":
            fields = {"required_sections": "[" + ", ".join(f"S{i}" for i in range(size)) + "]"}
        root = project(work, body=body, **fields)
        result = check(root)
        if over and result.status != 1:
            raise Failure("a page over the limit was not refused")
        outcome = every_tool(root)
        if NEAR_LIMIT:  # the site too: MkDocs, the plugin and Python-Markdown
            (root / "mkdocs.yml").write_text(site.YML, encoding="utf-8")
            done, lines = site.built(root)
            if over and done:
                raise Failure("the site was built from a page over the limit")
            if not done:
                site.one_line_about(lines, "requirements.md")
        return REFUSED if over else outcome

    return Case("bounds", f"page/{name}/{'over' if over else 'under'}", run)


def nul_case(where: str) -> Case:
    def run(work: Path) -> str:
        root = project(work)
        args = {
            "card": ("hub-card", "--card", "a\0b.md"),
            "out": ("dossier", "--out", "a\0b.html"),
            "approve-file": ("approve", "a\0b.md", "--by", "QA"),
            "today": ("check", "--today", "2026-06-01\0"),
            "date": ("dossier", "--date", "\0"),
            "by": ("approve", DOC, "--by", "Q\0A"),
        }[where]
        result = tool(root, *args)
        if result.status not in (1, 2) or len(result.errors) > 1:
            raise Failure(f"NUL in {where}: status {result.status}, {result.err[:200]}")
        return REFUSED

    return Case("bounds", f"nul/{where}", run)


def cases() -> list[Case]:
    found = [front_matter_case(name) for name in FRONT_MATTER]
    found += [field_case(k, v, i) for k, values in FIELDS.items() for i, v in enumerate(values)]
    found += [lifecycle_yml_case(name) for name in LIFECYCLE_YML]
    found += [artefact_case(name) for name in ARTEFACTS]
    found += [cited_number_case(i) for i in range(len(CITED_NUMBERS))]
    found += [page_case(name, over) for name in PAGES for over in (False, True)]
    found += [nul_case(w) for w in ("card", "out", "approve-file", "today", "date", "by")]
    return found
