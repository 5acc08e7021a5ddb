"""Shared fixtures: the template's own definitions and a `bake` helper."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

TEMPLATE = Path(__file__).resolve().parent.parent
COOKIECUTTER_JSON = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
PHASES = COOKIECUTTER_JSON["_phases"]
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
UNRENDERED = re.compile(r"\{\{ ?cookiecutter\.|\{%-? ")
TODO_MARKER = "==TODO=="


def option_defaults() -> dict[str, str]:
    """The answer cookiecutter takes for each prompt with --no-input."""
    return {
        key: value[0] if isinstance(value, list) else value
        for key, value in COOKIECUTTER_JSON.items()
        if not key.startswith("_")
    }


def phase_documents(answers: dict | None = None) -> list[str]:
    """Paths of the lifecycle documents a bake with these answers produces,
    derived from the phase list in cookiecutter.json."""
    answers = {**option_defaults(), **(answers or {})}
    paths = []
    for phase in PHASES:
        for doc in phase["documents"]:
            conditions = doc.get("only_if", {})
            if all(answers[option] in allowed for option, allowed in conditions.items()):
                paths.append(f"docs/{phase['folder']}/{doc['id']}.md")
    return paths


def front_matter(text: str) -> dict:
    match = FRONT_MATTER.match(text)
    assert match, "document does not start with a front-matter block"
    return yaml.safe_load(match.group(1))


@dataclass
class BakedProject:
    path: Path

    def files(self) -> set[str]:
        return {
            p.relative_to(self.path).as_posix()
            for p in self.path.rglob("*")
            if p.is_file() and "site" not in p.relative_to(self.path).parts[:1]
        }

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text(encoding="utf-8")

    def front_matter(self, relative: str) -> dict:
        return front_matter(self.read(relative))

    def run(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        return subprocess.run(
            args, cwd=self.path, env=env, capture_output=True, text=True, timeout=timeout
        )

    def build_site(self) -> Path:
        """Build the site strictly with this interpreter's mkdocs; fail on any warning."""
        result = self.run(sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site")
        assert result.returncode == 0, result.stderr[-3000:]
        assert "WARNING" not in result.stderr, result.stderr[-3000:]
        return self.path / "site"


@pytest.fixture
def bake(cookies):
    """Bake with the given answers; fail the test if baking fails."""

    def _bake(**answers) -> BakedProject:
        result = cookies.bake(extra_context=answers)
        assert result.exception is None, result.exception
        assert result.exit_code == 0
        return BakedProject(Path(result.project_path))

    return _bake


@pytest.fixture(scope="session")
def default_project(cookies_session) -> BakedProject:
    """One default bake shared by tests that only read it."""
    result = cookies_session.bake()
    assert result.exception is None, result.exception
    return BakedProject(Path(result.project_path))


@pytest.fixture(scope="session")
def default_site(default_project) -> Path:
    return default_project.build_site()
