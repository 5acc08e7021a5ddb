"""Shared fixtures: the template's own definitions and a `bake` helper."""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pytest
import yaml
from combinations import COOKIECUTTER_JSON, TEMPLATE, TEMPLATE_ROOT
from jinja2.bccache import BytecodeCache

from ml_lifecycle import template_sections

# The template's Jinja extension, as cookiecutter imports it while baking: the
# same module object, so that the test session can reach the bakes' Jinja.
sys.path.insert(0, str(TEMPLATE))
try:
    import lifecycle_sandbox
finally:
    sys.path.remove(str(TEMPLATE))

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PHASES = COOKIECUTTER_JSON["_phases"]
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
UNRENDERED = re.compile(r"\{\{ ?cookiecutter\.|\{%-? ")
# A tag that makes a built page load something from the internet.
REMOTE_LOAD = re.compile(
    r"""<(script|img|iframe|link|source)\b[^>]*\b(?:src|href|srcset)=["']https?://[^>]*>"""
)
TODO_MARKER = "==TODO=="
# Folders that building a baked project's site or running its tests may add.
BUILD_LEFTOVERS = {"site", "__pycache__", ".pytest_cache", ".venv"}
# Git and copying in tests that make repositories: a fixed identity, no
# system config, and a template copied without local tools and build output.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
}
NOT_TEMPLATE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "build", "site", ".cache", "__pycache__", ".*_cache"
)
# The baked Makefile's install stamp, inside .venv.
MAKE_STAMP = re.compile(r"^INSTALLED := \$\(VENV\)/(\S+)$", re.MULTILINE)
# What an outer `make` passes to commands it runs.
MAKE_VARIABLES = {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"}


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


def filled(text: str, answer: str = "Answered by the team.") -> str:
    """A document as a team fills it in: every TODO marker answered, and
    every table row the checker counts as a prompt (left empty, or still the
    template's example) given answers, as the package's Markdown model finds
    them."""
    from ml_lifecycle.markdown_model import parse

    text = text.replace(TODO_MARKER, answer)
    lines = text.split("\n")
    for prompt in parse(text).prompts:
        cells = lines[prompt.line - 1].split("|")
        first = cells[1].replace("(example)", "").replace("*", "").strip() or answer
        rest = [
            f" {answer} " if not c.strip() or c.strip().startswith("*") else c for c in cells[2:-1]
        ]
        lines[prompt.line - 1] = "|".join([cells[0], f" {first} ", *rest, cells[-1]])
    return "\n".join(lines)


def front_matter(text: str) -> dict:
    match = FRONT_MATTER.match(text)
    assert match, "document does not start with a front-matter block"
    return yaml.safe_load(match.group(1))


# The answers that switch on the most conditional text: every supplier
# section, the high-risk documents, every crosswalk, continual learning, CI.
EVERYTHING_ON = {
    "task_kind": "generative",
    "update_mode": "continual-learning",
    "risk_level": "high",
    "third_parties": "several",
    "crosswalk": "all",
    "publishing": "github-pages",
    "repo_url": "https://github.com/acme/ticket-router",
}


@dataclass
class BakedProject:
    """A baked project: where it is, the answers it was baked with, and
    helpers to read, parse, run and build it."""

    path: Path
    answers: dict = field(default_factory=dict)

    def files(self) -> set[str]:
        """Files the bake produced, without what building or testing it leaves."""
        return {
            p.relative_to(self.path).as_posix()
            for p in self.path.rglob("*")
            if p.is_file() and not BUILD_LEFTOVERS.intersection(p.relative_to(self.path).parts)
        }

    def has_file(self, relative: str) -> bool:
        return (self.path / relative).is_file()

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text(encoding="utf-8")

    def yaml(self, relative: str):
        return yaml.safe_load(self.read(relative))

    def toml(self, relative: str) -> dict:
        return tomllib.loads(self.read(relative))

    def front_matter(self, relative: str) -> dict:
        return front_matter(self.read(relative))

    def replace(self, relative: str, old: str, new: str) -> None:
        """Edit a file as a team would: the first `old` becomes `new`."""
        text = self.read(relative)
        assert old in text, f"{old!r} not in {relative}"
        (self.path / relative).write_text(text.replace(old, new, 1), encoding="utf-8")

    def run(self, *args: str, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
        # Run as a user would: not as a sub-make of `make test`.
        outer = {k: v for k, v in os.environ.items() if k not in MAKE_VARIABLES}
        env = {**outer, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1", **env}
        return subprocess.run(
            args, cwd=self.path, env=env, capture_output=True, text=True, timeout=timeout
        )

    def make_with_tools(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        """`make ARGS` in the project with this interpreter's tools standing in
        for .venv's (tests run offline): BIN points at them, and the Makefile's
        install stamp counts as made (-o), so no install runs."""
        stamp = MAKE_STAMP.search(self.read("Makefile"))
        assert stamp, "the baked Makefile names no install stamp (INSTALLED := ...)"
        tools = Path(sys.executable).parent
        result = self.run("make", *args, f"BIN={tools}", "-o", f".venv/{stamp[1]}", **env)
        assert "pip install" not in result.stdout, "make tried to install into the test's tools"
        return result

    def tool(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        """`ml-lifecycle ARGS` in the project, from this checkout's package."""
        return self.run(sys.executable, "-m", "ml_lifecycle", *args, timeout=120, **env)

    def build(self, **env: str) -> Path:
        """Build the site as `mkdocs build --strict -d site` does, `env` added
        to the environment (as a CI step sets it); fail on any warning. In
        this process: the same code as the command, without starting Python
        and importing MkDocs and its plugins for each of the session's many
        builds (test_publishing and test_install run the command itself)."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        records = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = records.append
        mkdocs_log = logging.getLogger("mkdocs")
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        mkdocs_log.addHandler(handler)
        try:
            config = load_config(
                str(self.path / "mkdocs.yml"), site_dir=str(self.path / "site"), strict=True
            )
            build(config)
        except (MkDocsException, SystemExit) as error:
            shown = "\n".join(record.getMessage() for record in records)
            raise AssertionError(f"the build failed: {error}\n{shown[-3000:]}") from None
        finally:
            mkdocs_log.removeHandler(handler)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        assert records == [], [record.getMessage() for record in records][:5]
        return self.path / "site"


def add_setting(project: BakedProject, line: str) -> None:
    """Add `key: value` under lifecycle.yml's `settings:`, as a team would."""
    project.replace("lifecycle.yml", "\nsettings:\n", f"\nsettings:\n  {line}\n")


def bake_into(
    config_file: Path,
    output_dir: Path,
    answers: dict | None = None,
    template: Path = TEMPLATE,
    **options,
) -> BakedProject:
    """The one way the tests bake: cookiecutter's Python API with --no-input
    semantics and a private config file, hooks run as the command line runs
    them (unless accept_hooks=False), from this template or a copy of it.
    Cookiecutter's exceptions propagate."""
    from cookiecutter.main import cookiecutter

    answers = dict(answers or {})
    project = cookiecutter(
        str(template),
        no_input=True,
        extra_context=answers,
        output_dir=str(output_dir),
        config_file=str(config_file),
        **options,
    )
    return BakedProject(Path(project), {**option_defaults(), **answers})


class Bakery:
    """Bakes into numbered folders under one working folder."""

    def __init__(self, config_file: Path, workdir: Path):
        self.config_file = config_file
        self.workdir = workdir
        self.count = itertools.count()

    def output(self) -> Path:
        return self.workdir / f"bake-{next(self.count)}"

    def __call__(self, **answers) -> BakedProject:
        """Bake with these answers; any error fails the test."""
        return bake_into(self.config_file, self.output(), answers)

    def into(self, output_dir: Path, answers: dict | None = None, **options) -> BakedProject:
        return bake_into(self.config_file, output_dir, answers, **options)

    def attempt(self, answers: dict, **options) -> tuple[BakedProject | None, Exception | None]:
        """Bake, returning the project or the error that stopped the bake."""
        try:
            return self.into(self.output(), answers, **options), None
        except Exception as error:  # a refusal, for the caller to check
            return None, error


@pytest.fixture(scope="session")
def cookiecutter_config(tmp_path_factory) -> Path:
    """A cookiecutter config file whose replay and clone folders are private
    to the test session (never the user's home)."""
    folder = tmp_path_factory.mktemp("cookiecutter-config")
    config = folder / "config.yaml"
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(folder / 'clones'))}\n"
        f"replay_dir: {json.dumps(str(folder / 'replay'))}\n",
        encoding="utf-8",
    )
    return config


class CompiledInMemory(BytecodeCache):
    """For the test session only: the hundreds of bakes in one test process
    compile each template file once, keyed by its name, its source and the
    environment's kind. Kept in memory, never written; the template itself
    keeps no compiled code (tests/test_sandbox.py bakes without this)."""

    def __init__(self) -> None:
        self.code: dict[tuple, object] = {}

    @staticmethod
    def key(bucket) -> tuple:
        environment = bucket.environment
        return (bucket.key, bucket.checksum, type(environment).__mro__, environment.is_async)

    def load_bytecode(self, bucket) -> None:
        bucket.code = self.code.get(self.key(bucket))

    def dump_bytecode(self, bucket) -> None:
        self.code[self.key(bucket)] = bucket.code


@pytest.fixture(scope="session", autouse=True)
def compiled_in_memory():
    """Give every sandboxed environment of the session the in-memory cache.
    `lifecycle_sandbox.Sandbox.__init__.__wrapped__` is the extension as a
    user's bake runs it."""
    original = lifecycle_sandbox.Sandbox.__init__
    cache = CompiledInMemory()

    @functools.wraps(original)
    def with_cache(self, environment) -> None:
        original(self, environment)
        environment.bytecode_cache = cache

    lifecycle_sandbox.Sandbox.__init__ = with_cache
    yield cache
    lifecycle_sandbox.Sandbox.__init__ = original


@pytest.fixture
def bake(cookiecutter_config, tmp_path) -> Bakery:
    """`bake(**answers)` bakes a fresh project this test may change."""
    return Bakery(cookiecutter_config, tmp_path)


@pytest.fixture(scope="session")
def baked(cookiecutter_config, tmp_path_factory):
    """`baked(**answers)` returns a bake shared by every test of the session
    that asks for the same answers: read it, never change it."""
    bakery = Bakery(cookiecutter_config, tmp_path_factory.mktemp("shared-bakes"))
    cache: dict[str, BakedProject] = {}

    def _baked(**answers) -> BakedProject:
        key = json.dumps(answers, sort_keys=True)
        if key not in cache:
            cache[key] = bakery(**answers)
        return cache[key]

    return _baked


@pytest.fixture(scope="session")
def default_project(baked) -> BakedProject:
    """One default bake shared by tests that only read it."""
    return baked()


@pytest.fixture(scope="session")
def default_site(default_project) -> Path:
    return default_project.build()


# --- What a bake should produce ------------------------------------------------

# A file name that exists only under a condition: `{% if <condition> %}name{% endif %}`.
CONDITIONAL_NAME = re.compile(
    r"\{%-? *if (?P<condition>.+?) *-?%\}(?P<name>.+?)\{%-? *endif *-?%\}"
)
# Template syntax left in a baked file. `${{` is GitHub Actions syntax, not Jinja.
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#|%\}|#\}")
# Theme overrides are Jinja templates for MkDocs by design: in them, only
# cookiecutter's own variables must be gone.
THEME_OVERRIDES = "overrides/"
LEFTOVER_IN_THEME = re.compile(r"cookiecutter\.")


def leftover_template_syntax(name: str, text: str) -> re.Match | None:
    """Cookiecutter's template syntax left in a baked file, if any."""
    pattern = LEFTOVER_IN_THEME if name.startswith(THEME_OVERRIDES) else LEFTOVER_JINJA
    return pattern.search(text)


def template_files() -> dict[str, str | None]:
    """Each file of the project template, by the path it produces, with the
    condition in its name (None when it is always produced)."""
    files = {}
    for path in sorted(TEMPLATE_ROOT.rglob("*")):
        relative = path.relative_to(TEMPLATE_ROOT).as_posix()
        if not path.is_file() or "__pycache__" in relative or "_cache/" in relative:
            continue
        match = CONDITIONAL_NAME.search(relative)
        if match:
            produced = relative[: match.start()] + match["name"] + relative[match.end() :]
            files[produced] = match["condition"]
        else:
            files[relative] = None
    return files


def expected_files(answers: dict | None = None) -> set[str]:
    """The exact set of files a bake with these answers produces: the template's
    unconditional files and the conditional ones whose condition holds."""
    answers = {**option_defaults(), **(answers or {})}
    return {
        path
        for path, condition in template_files().items()
        if condition is None or condition_holds(condition, answers)
    } | {template_sections.SECTIONS_FILE}  # written by the post-generation hook


def condition_holds(condition: str, answers: dict) -> bool:
    """Evaluate a file name's condition as cookiecutter does, with Jinja."""
    template = jinja2.Environment().from_string(f"{{% if {condition} %}}yes{{% endif %}}")
    return template.render(cookiecutter=answers) == "yes"
