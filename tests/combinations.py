"""Which combinations of answers the tests bake, derived from the template's source.

A template file can only interact options that it reads. So the rows baked
cover, in one covering set:

- every pair of values of any two options (pairwise);
- every combination of the options each template file reads, where "reads"
  means: in its file name, in a Jinja statement (`{% if %}`, `{% for %}`,
  `{% set %}`…), in an expression inside such a block or with an inline `if`,
  or through a macro of `templates/*.jinja` that it calls.

A value printed outside every condition (`{{ cookiecutter.task_kind }}` in a
table at the top of a page) yields the same text whatever the other answers
are, so it adds no interaction; every value of every option is baked anyway.
Templates that pass the whole context through (`cookiecutter.items()`,
`cookiecutter | tojson`) copy each value as it is and add none either.
"""

from __future__ import annotations

import itertools
import json
import re
from functools import cache
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
TEMPLATE_ROOT = TEMPLATE / "{{cookiecutter.project_slug|slugify or 'unnamed'}}"
MACRO_FOLDER = TEMPLATE / "templates"
COOKIECUTTER_JSON = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
# Every public prompt whose value is a list of choices, in prompt order.
OPTIONS: dict[str, list[str]] = {
    key: value
    for key, value in COOKIECUTTER_JSON.items()
    if not key.startswith("_") and isinstance(value, list)
}

TAG = re.compile(r"\{%-?(.*?)-?%\}|\{\{-?(.*?)-?\}\}|\{#.*?#\}", re.DOTALL)
NAMED_READ = re.compile(r"\bcookiecutter\s*(?:\.\s*(\w+)|\[\s*['\"](\w+)['\"]\s*\])")
# `cookiecutter[option]` with a variable: the options that `only_if` tests.
DYNAMIC_READ = re.compile(r"\bcookiecutter\s*\[\s*(?!['\"])")
MACRO = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\((.*?)\{%-?\s*endmacro\s*-?%\}", re.DOTALL)
IMPORT_FROM = re.compile(r"\{%-?\s*from\s+['\"]([^'\"]+)['\"]\s+import\s+(.*?)-?%\}", re.DOTALL)
IMPORT_AS = re.compile(r"\{%-?\s*import\s+['\"]([^'\"]+)['\"]\s+as\s+(\w+)")
OPENS = ("if", "for", "macro", "call", "filter", "with")
CLOSES = tuple(f"end{word}" for word in OPENS)


def only_if_options() -> set[str]:
    return {
        option
        for phase in COOKIECUTTER_JSON["_phases"]
        for doc in phase["documents"]
        for option in doc.get("only_if", {})
    }


def direct_reads(code: str) -> set[str]:
    """Choice options a piece of Jinja code names."""
    names = {a or b for a, b in NAMED_READ.findall(code)}
    if DYNAMIC_READ.search(code):
        names |= only_if_options()
    return names & set(OPTIONS)


def conditional_reads(text: str) -> set[str]:
    """Options a template's text reads in a way that can interact with other
    answers (see the module's docstring)."""
    reads: set[str] = set()
    depth = 0
    for match in TAG.finditer(text):
        statement, expression = match.group(1), match.group(2)
        if statement is not None:
            words = statement.split()
            keyword = words[0] if words else ""
            reads |= direct_reads(statement)
            if keyword in OPENS:
                depth += 1
            elif keyword in CLOSES:
                depth = max(depth - 1, 0)
        elif expression is not None and (depth or re.search(r"\bif\b", expression)):
            reads |= direct_reads(expression)
    return reads


@cache
def macro_reads(library: str) -> dict[str, frozenset[str]]:
    """For each macro of a file in templates/, the options it reads, directly
    or through the other macros of that file it calls."""
    text = (MACRO_FOLDER / library).read_text(encoding="utf-8")
    bodies = {m.group(1): m.group(2) for m in MACRO.finditer(text)}
    reads = {name: direct_reads(body) for name, body in bodies.items()}
    calls = {
        name: {other for other in bodies if re.search(rf"\b{other}\s*\(", body)}
        for name, body in bodies.items()
    }
    changed = True
    while changed:
        changed = False
        for name in bodies:
            merged = reads[name].union(*(reads[other] for other in calls[name]))
            if merged != reads[name]:
                reads[name], changed = merged, True
    return {name: frozenset(value) for name, value in reads.items()}


def imported_macro_reads(text: str) -> set[str]:
    """Options read by the macros a template imports and calls."""
    reads: set[str] = set()
    for library, names in IMPORT_FROM.findall(text):
        macros = macro_reads(library)
        for name in re.findall(r"\w+", names.replace("with context", "")):
            if name in macros and re.search(rf"\b{name}\s*\(", text):
                reads |= macros[name]
    for library, _alias in IMPORT_AS.findall(text):
        reads |= set().union(*macro_reads(library).values())
    return reads


def options_read(relative_path: str, text: str) -> frozenset[str]:
    """The choice options one template file reads, by its name and its text."""
    return frozenset(
        direct_reads(relative_path) | conditional_reads(text) | imported_macro_reads(text)
    )


def template_groups() -> dict[str, frozenset[str]]:
    """Each file of the project template (by its path in the template) with
    the options it reads; files that read fewer than two are left out, since
    pairwise coverage already bakes all they can show."""
    groups = {}
    for path in sorted(TEMPLATE_ROOT.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = path.relative_to(TEMPLATE_ROOT).as_posix()
            read = options_read(relative, path.read_text(encoding="utf-8", errors="replace"))
            if len(read) >= 2:
                groups[relative] = read
    return groups


def interactions(groups: dict[str, frozenset[str]]) -> list[tuple[str, ...]]:
    """The option sets whose every combination must be baked: every pair of
    options, and each file's group, in prompt order, without sets contained in
    another."""
    order = list(OPTIONS)
    wanted = {frozenset(pair) for pair in itertools.combinations(order, 2)}
    wanted |= set(groups.values())
    maximal = [s for s in wanted if not any(s < other for other in wanted)]
    return sorted(
        (tuple(sorted(s, key=order.index)) for s in maximal),
        key=lambda names: (-len(names), [order.index(n) for n in names]),
    )


def covering_rows(
    options: dict[str, list[str]], required: list[tuple[str, ...]]
) -> list[dict[str, str]]:
    """A small list of full answer sets in which, for each option set in
    `required`, every combination of its values occurs at least once.

    Greedy and deterministic: each row starts from the first combination not
    yet covered (largest sets first), then gives every other option the value
    that completes the most uncovered combinations (the earliest on a tie)."""
    names = list(options)
    uncovered = {
        (group, values)
        for group in required
        for values in itertools.product(*(options[name] for name in group))
    }
    pending = sorted(uncovered, key=lambda item: _rank(names, options, item))
    rows: list[dict[str, str]] = []
    by_option = {name: [g for g in required if name in g] for name in names}

    def gain(row: dict, name: str, value: str) -> int:
        trial = {**row, name: value}
        return sum(
            (group, tuple(trial[n] for n in group)) in uncovered
            for group in by_option[name]
            if all(n in trial for n in group)
        )

    while uncovered:
        while pending[0] not in uncovered:
            pending.pop(0)
        group, values = pending[0]
        row = dict(zip(group, values, strict=True))
        for name in names:
            if name not in row:
                row[name] = max(options[name], key=lambda value: gain(row, name, value))
        ordered = {name: row[name] for name in names}
        for g in required:
            uncovered.discard((g, tuple(ordered[n] for n in g)))
        rows.append(ordered)
    return rows


def _rank(names, options, item) -> tuple:
    group, values = item
    return (
        -len(group),
        [names.index(n) for n in group],
        [options[n].index(v) for n, v in zip(group, values, strict=True)],
    )


def uncovered_combinations(
    rows: list[dict[str, str]], group: tuple[str, ...]
) -> set[tuple[str, ...]]:
    """Combinations of the group's values that no row bakes."""
    seen = {tuple(row[name] for name in group) for row in rows}
    return set(itertools.product(*(OPTIONS[name] for name in group))) - seen


GROUPS = template_groups()
INTERACTIONS = interactions(GROUPS)
ROWS = covering_rows(OPTIONS, INTERACTIONS)
PAIRS = [names for names in itertools.combinations(OPTIONS, 2)]
