"""One Markdown model: no module but the model's (markdown_*.py) parses Markdown with a
regular expression. Every pattern elsewhere in the package and the guide
builder is listed here with what it reads, so that a new one is a decision."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "src" / "ml_lifecycle").rglob("*.py")),
    *sorted((ROOT / "guide").glob("*.py")),
]
MODEL = {f"markdown_{part}.py" for part in ("model", "parser", "page", "reader", "links")}
CALLS = {"compile", "sub", "subn", "search", "match", "fullmatch", "findall", "finditer", "split"}
# module -> the patterns it may hold (None: built from a value), and what they read.
REVIEWED = {
    "limits.py": {r"^(?:<{7}|>{7}|\|{7})(?:[ \t].*)?$", r"^={7}[ \t]*$"},  # git's conflict lines
    "documents.py": {r"\d{4}-\d{2}-\d{2}"},  # a date in front matter
    "dossier.py": {r"[a-z][a-z0-9+.-]*:", r"[^a-z0-9]+"},  # a URL scheme; an anchor slug
    "rules.py": {r"[0-9]{1,9}", r"([0-9]{1,9})(?:-([0-9]{1,9}))?"},  # numbers, phase ranges
    "project.py": {  # an evidence source's name; a person's forge handle and email
        r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}",
        r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}",
        r"[^@\s<>]{1,200}@[^@\s<>.]{1,200}(\.[^@\s<>.]{1,200})+",
    },
    "codeowners.py": {  # a CODEOWNERS path; GitHub's and GitLab's user names
        r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*",
        r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}",
        r"(?![-.])[A-Za-z0-9_.-]{1,255}(?<![.])(?<!\.git)(?<!\.atom)",
    },
    "report.py": {r"([\\`*_\[\]<>|#~=$])"},  # escaping for a CI summary, on output
    "traceability.py": {None, r"\s*(?P<op>≥|>=|>|≤|<=|<|=)\s*(?P<limit>[-+]?\d[\d,]*(?:\.\d+)?)"},
    "vocabulary.py": {r"^(-|\?|\d+[.)])"},  # escaping what would open a list, on output
    "values.py": {r"[-+\N{MINUS SIGN}]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?", r"[-+]?\d+"},
    "findings.py": {None},  # evidence:NAME#KEY as a front-matter value, in YAML
    "identity.py": {r"[\s<>()\[\],;:\"]+", r"[\s._+-]+"},  # the words of a name
    "build.py": {r"[a-z]+:", r' alt="[^"]*"'},  # a URL scheme; the figure's alt in HTML
    "command.py": {r"([A-Za-z][A-Za-z0-9_]*)=(.*)"},  # a key=value answer on the command line
    "hooks.py": {r'(?<= )(href|src|srcset)="(assets/lifecycle[^"]*)"'},  # built HTML
}


def patterns(path: Path) -> set[str | None]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in CALLS
            and node.args
        ):
            first = node.args[0]
            found.add(first.value if isinstance(first, ast.Constant) else None)
    return found


def test_markdown_is_parsed_by_the_model_alone():
    seen = {}
    for path in SOURCES:
        if path.name not in MODEL and (found := patterns(path)):
            seen[path.name] = found
    assert seen == REVIEWED
