"""Which combinations of answers the tests bake, derived from the template's source.

A template file can only interact options that it reads. So the rows baked
cover, in one covering set:

- every pair of values of any two options (pairwise);
- every combination of the options each template file reads, where "reads"
  means: in its file name, in a Jinja statement (`{% if %}`, `{% for %}`,
  `{% set %}`…), in an expression inside such a block or with an inline `if`,
  or through a macro of `templates/*.jinja` that it calls.

An option that a file only ever compares with literal values
(`cookiecutter.task_kind == "generative"`) splits its choices into those
values and "any other": one other value stands for the rest. An option read
in any other way (printed inside a condition, used as a key, passed on)
keeps all its choices.

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


# What may follow or precede a read for it to be a comparison with literals.
COMPARED_AFTER = re.compile(
    r"\s*(?:==|!=)\s*(['\"])([^'\"]*)\1"
    r"|\s*(?:not\s+)?in\s*[\[(]((?:\s*(['\"])[^'\"]*\4\s*,?)+)[\])]"
)
COMPARED_BEFORE = re.compile(r"(['\"])([^'\"]*)\1\s*(?:==|!=)\s*$")
LITERAL = re.compile(r"['\"]([^'\"]*)['\"]")

# A file's reads: each option it reads, with the literal values it is
# compared with, or None when it is read in any other way.
Reads = dict[str, "frozenset[str] | None"]


def merge(*many: Reads) -> Reads:
    merged: dict = {}
    for reads in many:
        for name, literals in reads.items():
            if name in merged and (merged[name] is None or literals is None):
                merged[name] = None
            else:
                merged[name] = (merged.get(name) or frozenset()) | (literals or frozenset())
                if literals is None:
                    merged[name] = None
    return merged


def direct_reads(code: str) -> Reads:
    """Choice options a piece of Jinja code names, and how."""
    reads: list[Reads] = []
    for match in NAMED_READ.finditer(code):
        name = match.group(1) or match.group(2)
        if name not in OPTIONS:
            continue
        after = COMPARED_AFTER.match(code, match.end())
        before = COMPARED_BEFORE.search(code[: match.start()])
        if after and after.group(2) is not None:
            literals = frozenset({after.group(2)})
        elif after:
            literals = frozenset(LITERAL.findall(after.group(3)))
        elif before:
            literals = frozenset({before.group(2)})
        else:
            literals = None
        reads.append({name: literals})
    if DYNAMIC_READ.search(code):
        reads.append({name: None for name in only_if_options()})
    return merge(*reads)


def conditional_reads(text: str) -> Reads:
    """Options a template's text reads in a way that can interact with other
    answers (see the module's docstring)."""
    reads: list[Reads] = []
    depth = 0
    for match in TAG.finditer(text):
        statement, expression = match.group(1), match.group(2)
        if statement is not None:
            words = statement.split()
            keyword = words[0] if words else ""
            reads.append(direct_reads(statement))
            if keyword in OPENS:
                depth += 1
            elif keyword in CLOSES:
                depth = max(depth - 1, 0)
        elif expression is not None and (depth or re.search(r"\bif\b", expression)):
            reads.append(direct_reads(expression))
    return merge(*reads)


@cache
def macro_reads(library: str) -> dict[str, Reads]:
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
            merged = merge(reads[name], *(reads[other] for other in calls[name]))
            if merged != reads[name]:
                reads[name], changed = merged, True
    return reads


def imported_macro_reads(text: str) -> Reads:
    """Options read by the macros a template imports and calls."""
    reads: list[Reads] = []
    for library, names in IMPORT_FROM.findall(text):
        macros = macro_reads(library)
        for name in re.findall(r"\w+", names.replace("with context", "")):
            if name in macros and re.search(rf"\b{name}\s*\(", text):
                reads.append(macros[name])
    for library, _alias in IMPORT_AS.findall(text):
        reads.extend(macro_reads(library).values())
    return merge(*reads)


def options_read(relative_path: str, text: str) -> Reads:
    """The choice options one template file reads, by its name and its text."""
    return merge(direct_reads(relative_path), conditional_reads(text), imported_macro_reads(text))


def domain(name: str, literals: frozenset[str] | None) -> tuple[tuple[str, ...], ...]:
    """The classes of choices of an option that a file can tell apart: each
    literal it is compared with, and one class for all the other choices."""
    if literals is None:
        return tuple((value,) for value in OPTIONS[name])
    named = [(value,) for value in OPTIONS[name] if value in literals]
    rest = tuple(value for value in OPTIONS[name] if value not in literals)
    return tuple(named + ([rest] if rest else []))


# An interaction: option names in prompt order, and for each the classes of
# choices that must meet every class of the others (any one choice of a class
# stands for all of it).
Interaction = tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], ...]]


def interaction(reads: Reads) -> Interaction:
    names = tuple(name for name in OPTIONS if name in reads)
    return names, tuple(domain(name, reads[name]) for name in names)


def template_groups() -> dict[str, Interaction]:
    """Each file of the project template (by its path in the template) with
    the interaction of the options it reads; files that read fewer than two
    are left out, since pairwise coverage already bakes all they can show."""
    groups = {}
    for path in sorted(TEMPLATE_ROOT.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = path.relative_to(TEMPLATE_ROOT).as_posix()
            read = options_read(relative, path.read_text(encoding="utf-8", errors="replace"))
            if len(read) >= 2:
                groups[relative] = interaction(read)
    return groups


def interactions(groups: dict[str, Interaction]) -> list[Interaction]:
    """What must be baked: every pair of options with all their choices, and
    each file's interaction; largest first, each once."""
    pairs = [pair(names) for names in itertools.combinations(OPTIONS, 2)]
    order = list(OPTIONS)
    return sorted(
        set(pairs) | set(groups.values()),
        key=lambda item: (-size(item), [order.index(n) for n in item[0]], item[1]),
    )


def pair(names: tuple[str, ...]) -> Interaction:
    """An interaction in which every choice of each option counts."""
    return names, tuple(tuple((value,) for value in OPTIONS[n]) for n in names)


def size(item: Interaction) -> int:
    return len(list(itertools.product(*item[1])))


def covering_rows(
    options: dict[str, list[str]], required: list[Interaction], first: list[dict] = ()
) -> list[dict]:
    """A small list of full answer sets in which, for each interaction in
    `required`, every combination of its classes of choices occurs at least
    once.

    Greedy and deterministic: each row starts from the first combination not
    yet covered (largest interactions first), then gives every option, in
    prompt order, the value (within the combination's class, if it has one)
    that completes the most uncovered combinations (the earliest on a tie)."""
    names = list(options)
    # For each interaction, the index of the class each choice falls in.
    class_of = [
        {
            name: {value: i for i, cls in enumerate(classes) for value in cls}
            for name, classes in zip(*item, strict=True)
        }
        for item in required
    ]
    uncovered = {
        (index, combination)
        for index, (_, domains) in enumerate(required)
        for combination in itertools.product(*(range(len(classes)) for classes in domains))
    }
    pending = sorted(uncovered)  # `required` is sorted largest first
    by_option = {name: [i for i, item in enumerate(required) if name in item[0]] for name in names}

    def key(index: int, row: dict) -> tuple:
        group = required[index][0]
        return index, tuple(class_of[index][n][row[n]] for n in group)

    def gain(row: dict, name: str, value: str) -> int:
        trial = {**row, name: value}
        return sum(
            key(index, trial) in uncovered
            for index in by_option[name]
            if all(n in trial for n in required[index][0])
        )

    def row_from(index: int, combination: tuple) -> dict[str, str]:
        group, domains = required[index]
        allowed = {
            name: domains[position][choice]
            for position, (name, choice) in enumerate(zip(group, combination, strict=True))
        }
        row: dict[str, str] = {}
        for name in names:
            candidates = allowed.get(name, options[name])
            row[name] = max(candidates, key=lambda value: gain(row, name, value))
        return row

    def covers(row: dict) -> int:
        return len({key(index, row) for index in range(len(required))} & uncovered)

    rows: list[dict[str, str]] = []
    for row in first:
        for index in range(len(required)):
            uncovered.discard(key(index, row))
        rows.append(dict(row))
    while uncovered:
        pending = [item for item in pending if item in uncovered]
        # Try a row from the first open combination of each of a few
        # interactions, and keep the one that covers the most.
        starts = {}
        for item in pending:
            starts.setdefault(item[0], item)
            if len(starts) == CANDIDATES:
                break
        row = max((row_from(*item) for item in starts.values()), key=covers)
        for index in range(len(required)):
            uncovered.discard(key(index, row))
        rows.append(row)
    return rows


def uncovered_combinations(rows: list[dict[str, str]], item: Interaction) -> set[tuple]:
    """Combinations of the interaction's classes that no row bakes."""
    names, domains = item
    seen = {
        tuple(
            next(cls for cls in classes if row[n] in cls)
            for n, classes in zip(names, domains, strict=True)
        )
        for row in rows
    }
    return set(itertools.product(*domains)) - seen


CANDIDATES = 6  # rows tried for each row kept
GROUPS = template_groups()
INTERACTIONS = interactions(GROUPS)
PAIRS = [pair(names) for names in itertools.combinations(OPTIONS, 2)]
# The fast tier's rows: every pair of values. The slow tier bakes them first,
# then what the files' interactions still need.
PAIRWISE = covering_rows(OPTIONS, PAIRS)
ROWS = covering_rows(OPTIONS, INTERACTIONS, first=PAIRWISE)
