"""Shared fixtures: the template's own definitions and a `bake` helper."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import contextmanager
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
# Folders that building a baked project's site or running its tests may add.
BUILD_LEFTOVERS = {"site", "__pycache__", ".pytest_cache", ".venv"}


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
        """Files the bake produced, without what building or testing it leaves."""
        return {
            p.relative_to(self.path).as_posix()
            for p in self.path.rglob("*")
            if p.is_file() and not BUILD_LEFTOVERS.intersection(p.relative_to(self.path).parts)
        }

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text(encoding="utf-8")

    def front_matter(self, relative: str) -> dict:
        return front_matter(self.read(relative))

    def run(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
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


# --- Baking many projects: option lists, expected files, fast in-process bakes ---

TEMPLATE_ROOT = TEMPLATE / "{{cookiecutter.project_slug|slugify or 'unnamed'}}"
# Every public prompt whose value is a list of choices, in prompt order.
OPTIONS = {
    key: value
    for key, value in COOKIECUTTER_JSON.items()
    if not key.startswith("_") and isinstance(value, list)
}
# A file name that exists only under a condition: `{% if <condition> %}name{% endif %}`.
CONDITIONAL_NAME = re.compile(
    r"\{%-? *if (?P<condition>.+?) *-?%\}(?P<name>.+?)\{%-? *endif *-?%\}"
)
# Files other than lifecycle documents (whose rules are `only_if` in `_phases`)
# that a bake produces only for some answers. A new conditional file needs a rule
# here; tests/test_options.py fails until it has one.
CONDITIONAL_FILES = {
    "docs/supplier-register.md": lambda a: a["third_parties"] != "none",
    "docs/crosswalk.md": lambda a: a["crosswalk"] != "none",
    ".github/workflows/pages.yml": lambda a: a["publishing"] == "github-pages",
    ".gitlab-ci.yml": lambda a: a["publishing"] == "gitlab-pages",
}
# Template syntax left in a baked file. `${{` is GitHub Actions syntax, not Jinja.
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#|%\}|#\}")


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
    unconditional files, the lifecycle documents `_phases` selects, and the
    conditional files whose rule holds."""
    answers = {**option_defaults(), **(answers or {})}
    always = {path for path, condition in template_files().items() if condition is None}
    chosen = {path for path, rule in CONDITIONAL_FILES.items() if rule(answers)}
    return always | set(phase_documents(answers)) | chosen


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


def bake_with_api(config_file: Path, output_dir: Path, answers: dict, **options) -> Path:
    """Bake in this process with cookiecutter's Python API, as the command line
    does with --no-input (hooks run unless accept_hooks=False). Returns the
    project folder; cookiecutter's exceptions propagate."""
    from cookiecutter.main import cookiecutter

    return Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context=answers,
            output_dir=str(output_dir),
            config_file=str(config_file),
            **options,
        )
    )


def _environment_settings(env) -> tuple:
    """Everything about a Jinja environment that changes the code a template
    compiles to."""
    return (
        type(env),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        env.is_async,
        env.autoescape,
        env.finalize,
        env.undefined,
        tuple(sorted(env.extensions)),
    )


# Compiled template code and binary-file verdicts, shared by every use of
# fast_baking() in a test process. The code cache is emptied when full: some
# sources (absolute output paths) differ for every bake.
_COMPILED: dict = {}
_COMPILED_LIMIT = 20_000
_BINARY: dict = {}


@contextmanager
def fast_baking():
    """Within the block, bakes reuse work that does not depend on the answers.
    Cookiecutter builds a fresh Jinja environment for every bake, so it
    recompiles every template, and it sniffs every template file for binary
    content; together that is most of a bake's time. Here each distinct source
    is compiled once per kind of environment, and each template file sniffed
    once. Rendering is unchanged: test_options.py checks that bakes with and
    without this are byte-identical."""
    import cookiecutter.generate
    import jinja2

    original_compile = jinja2.Environment.compile
    original_is_binary = cookiecutter.generate.is_binary

    def compile_once(self, source, name=None, filename=None, raw=False, defer_init=False):
        key = (_environment_settings(self), source, name, filename, raw, defer_init)
        if key not in _COMPILED:
            if len(_COMPILED) >= _COMPILED_LIMIT:
                _COMPILED.clear()
            _COMPILED[key] = original_compile(self, source, name, filename, raw, defer_init)
        return _COMPILED[key]

    def is_binary_once(path):
        stat = os.stat(path)
        key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
        if key not in _BINARY:
            _BINARY[key] = original_is_binary(path)
        return _BINARY[key]

    jinja2.Environment.compile = compile_once
    cookiecutter.generate.is_binary = is_binary_once
    try:
        yield
    finally:
        jinja2.Environment.compile = original_compile
        cookiecutter.generate.is_binary = original_is_binary


# --- The ml-lifecycle package as a baked project installs it ---------------------


@pytest.fixture(scope="session")
def package_wheel(tmp_path_factory) -> Path:
    """A wheel of ml-lifecycle built from this checkout, once per session, in a
    folder to hand to a baked project's pip as PIP_FIND_LINKS (the pinned
    version is not on PyPI before a release)."""
    folder = tmp_path_factory.mktemp("wheels")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*pip_wheel, "-q", "--wheel-dir", str(folder), str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert list(folder.glob("ml_lifecycle-*.whl")), "no wheel was built"
    return folder
