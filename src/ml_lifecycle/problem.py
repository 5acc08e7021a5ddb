"""The checker's basic unit: one problem, as one line naming a file and a line."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from ml_lifecycle import limits


@dataclass
class Problem:
    path: str
    line: int | None
    message: str
    # An input no tool reads (a link out of the project, an oversized file,
    # YAML that would blow up): the site build and the exports stop on it.
    refused: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "message": self.message}


def yaml_problem(path: str, exc: yaml.YAMLError, first_line: int, what: str) -> Problem:
    """One line for a YAML error in `what`; `first_line` is the file line of
    the YAML's first line. Names the line and the parser's own detail."""
    mark = getattr(exc, "problem_mark", None)
    line = first_line + mark.line if mark is not None else first_line
    detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and start is not None:
        detail += f" ({context} that starts on line {first_line + start.line})"
    return Problem(path, line, f"{what} is not valid YAML: {detail}")


def conflict_problem(path: str, text: str, where: str = "page") -> Problem | None:
    """A problem for merge-conflict markers an update left in a page or file."""
    line = limits.conflict_line(text)
    if line is None:
        return None
    message = (
        f"merge-conflict markers (<<<<<<<, =======, >>>>>>>) are left in the {where}: "
        "keep the right text, delete the markers"
    )
    return Problem(path, line, message)
