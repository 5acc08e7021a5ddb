"""Which combinations of answers the tests bake, derived from the template's source,
read through Jinja's own parser (`Environment().parse` and its syntax tree).

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
from functools import cache
from pathlib import Path

import jinja2
from jinja2 import nodes

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
# Statements whose bodies only render under a condition, or once per item.
OPENING = (nodes.If, nodes.For, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.With)
BODIES = ("body", "else_", "elif_")
# Jinja's own parser reads the template; no filter or test needs to exist for that.
JINJA = jinja2.Environment()


def only_if_options() -> set[str]:
    return {
        option
        for phase in COOKIECUTTER_JSON["_phases"]
        for doc in phase["documents"]
        for option in doc.get("only_if", {})
    }


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


def parse(text: str) -> nodes.Template | None:
    """A template's syntax tree; None for a file Jinja cannot read (cookiecutter
    copies such files without rendering)."""
    try:
        return JINJA.parse(text)
    except jinja2.TemplateSyntaxError:
        return None


def read_name(node: nodes.Node) -> str | None:
    """The option a node reads: `cookiecutter.x` or `cookiecutter['x']`."""
    if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name):
        return node.attr if node.node.name == "cookiecutter" else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return str(node.arg.value) if is_context(node.node) else None
    return None


def is_context(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Name) and node.name == "cookiecutter"


def is_dynamic_read(node: nodes.Node) -> bool:
    """`cookiecutter[option]` with a variable: the options `only_if` tests."""
    return (
        isinstance(node, nodes.Getitem)
        and isinstance(node.node, nodes.Name)
        and node.node.name == "cookiecutter"
        and not isinstance(node.arg, nodes.Const)
    )


def literals_of(node: nodes.Node) -> frozenset[str] | None:
    """The literal values of a constant, or of a list or tuple of constants."""
    if isinstance(node, nodes.Const):
        return frozenset({str(node.value)})
    if isinstance(node, (nodes.List, nodes.Tuple)) and all(
        isinstance(item, nodes.Const) for item in node.items
    ):
        return frozenset(str(item.value) for item in node.items)
    return None


def compared(node: nodes.Compare) -> tuple[nodes.Node, frozenset[str]] | None:
    """(the read, its literals) of `read == 'x'`, `'x' != read`, `read in [...]`."""
    if len(node.ops) != 1:
        return None
    operand = node.ops[0]
    if operand.op in ("eq", "ne"):
        for read, other in ((node.expr, operand.expr), (operand.expr, node.expr)):
            if read_name(read) and isinstance(other, nodes.Const):
                return read, frozenset({str(other.value)})
    if operand.op in ("in", "notin") and read_name(node.expr):
        literals = literals_of(operand.expr)
        if literals is not None:
            return node.expr, literals
    return None


def each(tree: nodes.Node, kind) -> list[nodes.Node]:
    """The nodes of a kind in a tree, the tree itself included."""
    return [*([tree] if isinstance(tree, kind) else []), *tree.find_all(kind)]


def direct_reads(tree: nodes.Node | None) -> Reads:
    """Choice options a piece of Jinja names, and how."""
    if tree is None:
        return {}
    reads: list[Reads] = []
    by_literal: dict[int, frozenset[str]] = {}
    for node in each(tree, nodes.Compare):
        found = compared(node)
        if found:
            by_literal[id(found[0])] = found[1]
    for node in each(tree, (nodes.Getattr, nodes.Getitem)):
        name = read_name(node)
        if name in OPTIONS:
            reads.append({name: by_literal.get(id(node))})
        elif is_dynamic_read(node):
            reads.append({option: None for option in only_if_options()})
    return merge(*reads)


def conditional_reads(tree: nodes.Node, conditional: bool = False) -> Reads:
    """Options a template reads in a way that can interact with other
    answers (see the module's docstring): in statements, in output under a
    condition or a loop, and in output with an inline `if`."""
    if isinstance(tree, nodes.Output):
        return merge(
            *(
                direct_reads(child)
                for child in tree.nodes
                if not isinstance(child, nodes.TemplateData)
                and (conditional or each(child, nodes.CondExpr))
            )
        )
    inner = conditional or isinstance(tree, OPENING)
    reads: list[Reads] = []
    for field, value in tree.iter_fields():
        children = value if isinstance(value, list) else [value]
        for child in children:
            if not isinstance(child, nodes.Node):
                continue
            if isinstance(tree, nodes.Template) or field in BODIES:
                reads.append(conditional_reads(child, inner if field in BODIES else conditional))
            elif isinstance(child, nodes.Stmt):
                reads.append(conditional_reads(child, inner))
            else:
                reads.append(direct_reads(child))
    return merge(*reads)


def calls(tree: nodes.Node) -> set[str]:
    """The names of the macros or functions a tree calls."""
    return {
        node.node.name for node in tree.find_all(nodes.Call) if isinstance(node.node, nodes.Name)
    }


@cache
def macro_reads(library: str) -> dict[str, Reads]:
    """For each macro of a file in templates/, the options it reads, directly
    or through the other macros of that file it calls."""
    tree = parse((MACRO_FOLDER / library).read_text(encoding="utf-8"))
    macros = {m.name: m for m in tree.find_all(nodes.Macro)} if tree else {}
    reads = {name: direct_reads(macro) for name, macro in macros.items()}
    called = {name: calls(macro) & set(macros) for name, macro in macros.items()}
    changed = True
    while changed:
        changed = False
        for name in macros:
            merged = merge(reads[name], *(reads[other] for other in called[name]))
            if merged != reads[name]:
                reads[name], changed = merged, True
    return reads


def imported_macro_reads(tree: nodes.Template) -> Reads:
    """Options read by the macros a template imports and calls."""
    reads: list[Reads] = []
    called = calls(tree)
    for node in tree.find_all(nodes.FromImport):
        macros = macro_reads(node.template.value)
        for entry in node.names:
            name = entry if isinstance(entry, str) else entry[0]
            alias = entry if isinstance(entry, str) else entry[1]
            if name in macros and alias in called:
                reads.append(macros[name])
    for node in tree.find_all(nodes.Import):
        reads.extend(macro_reads(node.template.value).values())
    return merge(*reads)


def options_read(relative_path: str, text: str) -> Reads:
    """The choice options one template file reads, by its name and its text."""
    tree = parse(text)
    by_name = direct_reads(parse(relative_path))
    if tree is None:
        return by_name
    return merge(by_name, conditional_reads(tree), imported_macro_reads(tree))


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
