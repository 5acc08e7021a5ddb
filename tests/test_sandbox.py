"""Answers are data, never code (issues 14, 22 and 23).

Hostile answers, by class, go through every path on which cookiecutter or
cruft renders an answer: the cookiecutter command (`key=value`,
`--config-file`), the Python API's `extra_context`, a re-bake from a committed
`.cookiecutter-answers.yaml`, a replay file, `cruft create`, `cruft link` and
`cruft update` (`.cruft.json`, `--variables-to-update`). Each must end in a
refusal (our one-line `error:`, a non-zero exit), with nothing in the output
folder, no `.cruft.json` written or changed, and no `pwned.txt` anywhere.

Two layers are tested apart: the refusal of template code before it is parsed
(every path below), and Jinja's bounded sandbox alone, with that refusal
switched off (`test_the_sandbox_alone_stops_code_and_exhaustion`). The paths
that can change `_extensions` itself are tried at the end.

Disabling the extension (`"_extensions": []` in cookiecutter.json) makes these
tests fail: the payloads write `pwned.txt` or bake as `49`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    COOKIECUTTER_JSON,
    GIT_ENV,
    NOT_TEMPLATE,
    TEMPLATE,
    lifecycle_sandbox,  # the module object cookiecutter loads
)

CODE = "{{ cycler.__init__.__globals__.os.system('id > pwned.txt') }}"
REFUSED = "answers are data, not template code"
# Hostile answers by class: the question they answer and the answer.
CODE_PAYLOADS = {  # reach Python through Jinja's globals, objects or filters
    "code-cycler": ("project_name", CODE),
    "code-joiner": ("project_name", "{{ joiner.__init__.__globals__.os.popen('id > pwned.txt') }}"),
    "code-lipsum": ("description", "{{ lipsum.__globals__['os'].system('id > pwned.txt') }}"),
    "code-namespace": (
        "organisation",
        "{{ namespace.__init__.__globals__.os.system('id > pwned.txt') }}",
    ),
    "code-self": (
        "owner_name",
        "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('id') }}",
    ),
    "code-mro": ("project_name", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    "code-format": ("project_name", "{{ '{0.__class__}'.format(cycler) }}"),
    "code-attr-filter": (
        "project_name",
        "{{ (cycler|attr('__init__')|attr('__globals__')).os.system('id > pwned.txt') }}",
    ),
    "code-statement": (
        "project_name",
        "{% set x = cycler.__init__.__globals__.os.system('id > pwned.txt') %}Name",
    ),
    "code-whitespace-control": (
        "project_slug",
        "{{- cycler.__init__.__globals__.os.system('id > pwned.txt') -}}",
    ),
}
EXHAUSTION_PAYLOADS = {  # work, memory or output without end
    "huge-range": ("project_name", "{% for x in range(10**8) %}{% endfor %}"),
    "nested-loops": (
        "project_name",
        "{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}",
    ),
    "repetition": ("project_name", "{{ 'x' * 10**9 }}"),
    "power": ("project_name", "{{ 9 ** (9 ** 9) }}"),
    "width": ("project_name", "{{ 'x'.center(10**9) }}"),
    "format-width": ("project_name", "{{ '%999999999d' % 1 }}"),
    "replace-growth": ("project_name", "{{ ('x' * 100000) | replace('', 'y' * 100000) }}"),
    "output-growth": ("project_name", "{% for a in range(9999) %}{{ 'y' * 100000 }}{% endfor %}"),
    "recursion": ("project_name", "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"),
}
EVALUATION_PAYLOADS = {  # harmless template code that would change the answer
    "eval-arithmetic": ("project_name", "{{ 7*7 }}"),
    "eval-repeat": ("project_name", "{{ '7'*7 }}"),  # came out as a project named 7777777
    "eval-self": ("project_name", "{{ self }}"),  # came out as <TemplateReference None>
    "eval-other-answer": ("description", "{{ cookiecutter.organisation }}"),
    "eval-comment": ("organisation", "Acme {# hidden #}"),
    "eval-in-url": ("repo_url", "https://example.org/{{ 7*7 }}"),
}
SYNTAX_PAYLOADS = {  # broken template syntax, which Jinja would fail to parse
    "bare-open": ("project_name", "{{"),
    "bare-close": ("project_name", "Name }}"),
    "bare-block": ("owner_name", "{% if %}"),
    "open-comment": ("organisation", "{# unclosed"),
}
OWN_CODE_PAYLOADS = {  # the template's own code, given as an answer to another question
    "own-slug-default": ("description", COOKIECUTTER_JSON["project_slug"]),
    "own-slug-default-as-name": ("project_name", COOKIECUTTER_JSON["project_slug"]),
    "own-guard": ("organisation", COOKIECUTTER_JSON["__sandbox"][0]["on"]),
    "own-file-name": (
        "project_name",
        "{% if cookiecutter.crosswalk != 'none' %}crosswalk.md{% endif %}",
    ),
    "own-folder-name": ("owner_name", "{{cookiecutter.project_slug|slugify or 'unnamed'}}"),
}
PAYLOADS = {
    **CODE_PAYLOADS,
    **EXHAUSTION_PAYLOADS,
    **EVALUATION_PAYLOADS,
    **SYNTAX_PAYLOADS,
    **OWN_CODE_PAYLOADS,
}
ONE_OF_EACH_CLASS = ["code-cycler", "huge-range", "eval-repeat", "bare-open", "own-slug-default"]
CRUFT = str(Path(sys.executable).with_name("cruft"))


class Sandbox:
    """A scratch folder: `work/` is the current directory of every run,
    `out/` the output folder, `home/` the HOME (cookiecutter's replay files)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work, self.out, self.home = root / "work", root / "out", root / "home"
        for folder in (self.work, self.out, self.home):
            folder.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, **GIT_ENV, "HOME": str(self.home)}
        self.env.pop("COOKIECUTTER_CONFIG", None)

    def run(self, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            args,
            cwd=cwd or self.work,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def cookiecutter(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return self.run(
            sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE),
            "--output-dir", str(self.out), *args, **env,
        )  # fmt: skip

    def config(self, answers: dict, name: str = "config.yaml") -> Path:
        path = self.root / name
        lines = [f"replay_dir: {json.dumps(str(self.home / 'replay'))}", "default_context:"]
        lines += [f"  {key}: {json.dumps(value)}" for key, value in answers.items()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


@pytest.fixture
def box(tmp_path) -> Sandbox:
    return Sandbox(tmp_path)


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error: ")]


def assert_refused(box: Sandbox, result: subprocess.CompletedProcess, message: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    errors = error_lines(output)
    assert len(errors) == 1 and message in errors[0], output[-2000:]
    assert "Traceback" not in output, output[-2000:]
    assert_nothing_left(box)


def assert_nothing_ran(box: Sandbox) -> None:
    pwned = [*box.root.rglob("pwned.txt"), *Path.cwd().glob("pwned.txt")]
    pwned += list(TEMPLATE.glob("pwned.txt"))
    assert not pwned, f"the payload ran: {pwned}"


def assert_nothing_left(box: Sandbox) -> None:
    assert_nothing_ran(box)
    assert list(box.out.iterdir()) == [], "the refused bake left files behind"


# --- layer 1: template code is refused before it is parsed -------------------------


@pytest.mark.parametrize("name", [*ONE_OF_EACH_CLASS, "code-self", "eval-self", "eval-in-url"])
def test_command_line_answer_is_refused(box, name):
    key, value = PAYLOADS[name]
    started = time.monotonic()
    result = box.cookiecutter(f"{key}={value}")
    assert time.monotonic() - started < 10, "hang guard: the refusal took too long"
    assert_refused(box, result, REFUSED)


@pytest.mark.parametrize("name", [*ONE_OF_EACH_CLASS, "code-self", "eval-self", "recursion"])
def test_config_file_answer_is_refused(box, name):
    key, value = PAYLOADS[name]
    result = box.cookiecutter("--config-file", str(box.config({key: value})))
    assert_refused(box, result, REFUSED)


@pytest.mark.parametrize("name", ["code-cycler", "eval-repeat", "bare-open"])
def test_an_answer_typed_at_the_prompt_is_refused(box, name):
    """Typed answers are not rendered: they reach the hook as text."""
    _, value = PAYLOADS[name]
    result = subprocess.run(
        [sys.executable, "-m", "cookiecutter", str(TEMPLATE), "--output-dir", str(box.out)],
        input=value + "\n" * 20, cwd=box.work, env=box.env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert any("template delimiter" in line for line in error_lines(output)), output[-2000:]
    assert_nothing_left(box)


def test_an_output_folder_with_template_code_is_refused(box):
    """Cookiecutter renders folder paths with the output folder in front:
    `{{ 7*7 }}` there would put the project's folders under `49/`."""
    output = box.out / "{{ 7*7 }}"
    result = box.run(
        sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(output)
    )
    assert result.returncode != 0
    assert "the output folder" in error_lines(result.stderr)[0], result.stderr[-2000:]
    assert not output.exists() and not (box.out / "49").exists()
    assert_nothing_left(box)


def test_refusal_names_the_first_delimiter_and_the_answer(box):
    result = box.cookiecutter("description=Loops {% for x in y %}{{ x }}{% endfor %}")
    [line] = error_lines(result.stderr)
    assert line == (
        f"error: {REFUSED}: 'Loops {{% for x in y %}}{{{{ x }}}}{{% endfor %}}' "
        "holds the template delimiter '{%'"
    )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": True}, "project_name must be text, not true"),
        ({"_stages": {"deployment": "<script>alert(1)</script>"}}, "private key '_stages'"),
        ({"_option_help": {"project_name": "x"}}, "private key '_option_help'"),
    ],
    ids=["name-true", "stages-script", "option-help"],
)
def test_config_file_cannot_override_private_keys_or_types(box, answers, message):
    result = box.cookiecutter("--config-file", str(box.config(answers)))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert any(message in line for line in error_lines(output)), output[-2000:]
    assert_nothing_left(box)


def call_api(box: Sandbox, **options):
    from cookiecutter.main import cookiecutter

    return cookiecutter(
        str(TEMPLATE),
        output_dir=str(box.out),
        config_file=str(box.config({})),
        **options,
    )


@pytest.mark.parametrize("name", PAYLOADS)
def test_python_api_answer_is_refused(box, monkeypatch, name):
    from cookiecutter.exceptions import FailedHookException
    from jinja2.exceptions import SecurityError

    monkeypatch.chdir(box.work)
    monkeypatch.setenv("HOME", str(box.home))
    key, value = PAYLOADS[name]
    with pytest.raises(SecurityError) as refused:
        call_api(box, no_input=True, extra_context={key: value})
    assert isinstance(refused.value, FailedHookException)
    assert "answers were refused" in str(refused.value) and REFUSED in str(refused.value)
    assert "\n" not in str(refused.value)
    assert_nothing_left(box)


def test_committed_answers_file_rebake_is_refused(box):
    """The re-bake command that `.cookiecutter-answers.yaml` documents."""
    assert box.cookiecutter().returncode == 0
    project = box.out / "my-ml-system"
    answers = project / ".cookiecutter-answers.yaml"
    text = answers.read_text(encoding="utf-8")
    hostile = text.replace("'My ML System'", "'" + CODE.replace("'", "''") + "'")
    assert hostile != text
    answers.write_text(hostile, encoding="utf-8")
    shutil.move(str(answers), box.root / "answers.yaml")
    shutil.rmtree(project)
    result = box.cookiecutter("--config-file", str(box.root / "answers.yaml"))
    assert_refused(box, result, REFUSED)


@pytest.fixture(scope="module")
def default_replay(tmp_path_factory) -> dict:
    """What cookiecutter saves for replay after a default bake (made once)."""
    box = Sandbox(tmp_path_factory.mktemp("replay"))
    assert box.cookiecutter("--config-file", str(box.config({}))).returncode == 0
    return json.loads(next((box.home / "replay").glob("*.json")).read_text(encoding="utf-8"))


def replay_with(box: Sandbox, replay: dict, changes: dict) -> Path:
    """A replay file of a default bake, with `changes` to its answers."""
    replay_file = box.root / "replay.json"
    context = json.loads(json.dumps(replay))
    context["cookiecutter"].update(changes)
    replay_file.write_text(json.dumps(context), encoding="utf-8")
    return replay_file


def bake_replay(box: Sandbox, replay_file: Path) -> subprocess.CompletedProcess:
    return box.run(
        sys.executable, "-m", "cookiecutter", "--replay-file", str(replay_file), str(TEMPLATE),
        "--output-dir", str(box.out), "--config-file", str(box.config({})),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_kind": "evil"}, "task_kind 'evil' is not one of"),
        ({"project_name": CODE}, "template delimiter"),
        ({"organisation": "{{ self }}"}, "template delimiter"),
        ({"_stages": {"deployment": "<script>x</script>"}}, "private key '_stages'"),
        ({"_extensions": ["lifecycle_sandbox.Sandbox", "jinja2.ext.do"]}, "'_extensions'"),
        ({"_copy_without_render": ["*"]}, "private key '_copy_without_render'"),
        ({"_jinja2_env_vars": {"enable_async": True}}, "private key '_jinja2_env_vars'"),
    ],
    ids=["choice", "code", "self", "stages", "extensions", "new-private-key", "jinja-settings"],
)
def test_replay_file_is_refused(box, default_replay, changes, message):
    """Replayed answers are not rendered, so the hook is the check: code
    arrives as text and is refused for its delimiters."""
    result = bake_replay(box, replay_with(box, default_replay, changes))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert message in error_lines(output)[0], output[-2000:]
    assert_nothing_left(box)


def test_refusal_is_fast(box):
    """Each exhausting payload is refused well within the hang guard."""
    for name in EXHAUSTION_PAYLOADS:
        key, value = PAYLOADS[name]
        started = time.monotonic()
        result = box.cookiecutter(f"{key}={value}")
        assert time.monotonic() - started < 10, f"hang guard: {name}"
        assert_refused(box, result, REFUSED)


def test_web_form_validation_refuses_before_rendering():
    """`form_problems` is what a scaffolder calls on raw form input."""
    sys.path.insert(0, str(TEMPLATE / "hooks"))
    try:
        from pre_gen_project import form_problems
    finally:
        sys.path.remove(str(TEMPLATE / "hooks"))
    assert form_problems({"project_name": "Ticket Router", "risk_level": "high"}) == []
    assert "template delimiter" in form_problems({"project_name": CODE})[0]
    assert "not one of" in form_problems({"task_kind": "evil"})[0]
    assert "not a question" in form_problems({"_extensions": []})[0]
    assert "not a question" in form_problems({"__sandbox": []})[0]
    assert "must be text" in form_problems({"description": ["a", "list"]})[0]


@pytest.fixture
def as_users_bake(monkeypatch):
    """The extension without the test session's in-memory compiled templates."""
    plain = lifecycle_sandbox.Sandbox.__init__.__wrapped__
    monkeypatch.setattr(lifecycle_sandbox.Sandbox, "__init__", plain)


def sandboxed_environment():
    from cookiecutter.utils import create_env_with_context

    sys.path.insert(0, str(TEMPLATE))
    try:
        return create_env_with_context({"cookiecutter": dict(COOKIECUTTER_JSON)})
    finally:
        sys.path.remove(str(TEMPLATE))


def test_sandbox_is_switched_on_and_keeps_normal_rendering(as_users_bake):
    import cookiecutter.hooks

    runner = cookiecutter.hooks.run_script_with_context
    env = sandboxed_environment()
    assert env.sandboxed
    assert env.bytecode_cache is None, "no compiled code is kept or read"
    assert cookiecutter.hooks.run_script_with_context is runner, "cookiecutter is not patched"
    answers = {"__sandbox": [{"on": "on"}], "project_name": "Prévision — O'Brien & Sons"}
    rendered = env.from_string(COOKIECUTTER_JSON["project_slug"]).render(cookiecutter=answers)
    assert rendered == "prevision-o-brien-sons"


def test_a_bake_writes_only_into_its_output_folder(box):
    """No cache or other file in the home or cache folders, nothing in the
    template. (Cookiecutter itself leaves each rendered hook script in the
    temporary folder; that folder is left out here.)"""
    cache = box.root / "cache"
    cache.mkdir()
    before = sorted(p for p in TEMPLATE.rglob("*") if "__pycache__" not in p.parts)
    result = box.run(
        sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE),
        "--output-dir", str(box.out), "--config-file", str(box.config({})),
        XDG_CACHE_HOME=str(cache), PYTHONDONTWRITEBYTECODE="1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert list(cache.iterdir()) == []
    assert sorted(p.name for p in box.home.iterdir()) in ([], ["replay"])
    assert [p.name for p in box.out.iterdir()] == ["my-ml-system"]
    assert sorted(p for p in TEMPLATE.rglob("*") if "__pycache__" not in p.parts) == before


def test_plain_text_renders_to_itself():
    env = sandboxed_environment()
    for text in ("My ML System", "Zürich — 需要予測 😀", "docs/index.md", "two\nlines\n", ""):
        assert env.from_string(text).render(cookiecutter={}) == text
    assert env.from_string("a\r\nb").render(cookiecutter={}) == "a\nb", "as Jinja renders it"


def test_a_bake_compiles_only_what_it_renders(bake, monkeypatch, as_users_bake):
    """Files left out by their conditional name are not compiled, nor is any
    string without template syntax (choices, most file names)."""
    compiled: list[tuple[str | None, str]] = []
    parse = lifecycle_sandbox.LifecycleSandbox._parse

    def recording(environment, source, name, filename):
        compiled.append((name, source))
        return parse(environment, source, name, filename)

    monkeypatch.setattr(lifecycle_sandbox.LifecycleSandbox, "_parse", recording)
    project = bake(publishing="none", risk_level="minimal", crosswalk="none")
    files = {name for name, _ in compiled if name is not None}
    macros = {path.name for path in (TEMPLATE / "templates").glob("*.jinja")}
    assert files <= project.files() | macros, files - project.files() - macros
    assert "docs/04-building/model-card.md" in files
    strings = [source for name, source in compiled if name is None]
    assert all(lifecycle_sandbox.delimiter_in(source) for source in strings), strings


# --- layer 2: the sandbox alone ------------------------------------------------------


@pytest.mark.parametrize("name", [*CODE_PAYLOADS, *EXHAUSTION_PAYLOADS])
def test_the_sandbox_alone_stops_code_and_exhaustion(box, monkeypatch, name):
    """With the refusal before rendering switched off, as if an answer had
    got past it, Jinja's bounded sandbox refuses each payload in time."""
    monkeypatch.setattr(lifecycle_sandbox.TemplateText, "owns", lambda self, source: True)
    monkeypatch.setattr(lifecycle_sandbox.TemplateText, "renders_here", lambda *args: True)
    monkeypatch.chdir(box.work)
    key, value = PAYLOADS[name]
    started = time.monotonic()
    with pytest.raises(lifecycle_sandbox.AnswerRefused) as refused:
        call_api(box, no_input=True, extra_context={key: value})
    assert time.monotonic() - started < 10, "hang guard"
    assert REFUSED in str(refused.value) and "holds the template delimiter" not in str(
        refused.value
    )
    assert_nothing_left(box)


# --- cruft -----------------------------------------------------------------------------


@pytest.fixture
def template_repo(box) -> Path:
    repo = box.root / "template"
    shutil.copytree(TEMPLATE, repo, ignore=NOT_TEMPLATE)
    box.run("git", "init", "-q", cwd=repo)
    box.run("git", "add", "-A", cwd=repo)
    box.run("git", "commit", "-q", "-m", "Template v1", cwd=repo)
    return repo


def assert_cruft_refused(box: Sandbox, result: subprocess.CompletedProcess, message: str) -> None:
    """cruft prints its own traceback for any exception; the error line is ours."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert "Good work" not in output
    assert any(message in line for line in error_lines(output)), output[-2000:]
    assert_nothing_ran(box)


def cruft_create(box: Sandbox, repo: Path, *args: str) -> subprocess.CompletedProcess:
    return box.run(CRUFT, "create", "--no-input", "--output-dir", str(box.out), *args, str(repo))


def cruft_link(box: Sandbox, repo: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """`cruft link` in an existing (here empty) project folder."""
    project = box.root / "existing-project"
    project.mkdir(exist_ok=True)
    result = box.run(CRUFT, "link", "--no-input", *args, str(repo), cwd=project)
    return result, project / ".cruft.json"


@pytest.mark.slow
@pytest.mark.parametrize("name", [*ONE_OF_EACH_CLASS, "eval-self"])
def test_cruft_create_is_refused(box, template_repo, name):
    key, value = PAYLOADS[name]
    result = cruft_create(box, template_repo, "--extra-context", json.dumps({key: value}))
    assert_cruft_refused(box, result, REFUSED)
    assert list(box.out.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", ["code-cycler", "eval-repeat", "eval-self", "bare-open"])
def test_cruft_link_is_refused(box, template_repo, name):
    key, value = PAYLOADS[name]
    result, state = cruft_link(box, template_repo, "--extra-context", json.dumps({key: value}))
    assert_cruft_refused(box, result, REFUSED)
    assert not state.exists(), "cruft link recorded the answer"


@pytest.fixture
def cruft_project(box, template_repo) -> Path:
    """A project made with `cruft create`, committed, and a second template
    commit for `cruft update` to bring in."""
    assert cruft_create(box, template_repo).returncode == 0
    project = box.out / "my-ml-system"
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Bake"]):
        box.run("git", *args, cwd=project)
    readme = template_repo / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nv2\n", encoding="utf-8")
    box.run("git", "commit", "-q", "-am", "Template v2", cwd=template_repo)
    return project


def edit_cruft_state(project: Path, **answers) -> str:
    state_file = project / ".cruft.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state["context"]["cookiecutter"].update(answers)
    state_file.write_text(json.dumps(state, indent=2), encoding="utf-8")
    return state_file.read_text(encoding="utf-8")


@pytest.mark.slow
def test_cruft_update_with_hostile_cruft_json_is_refused(box, cruft_project):
    edit_cruft_state(cruft_project, project_name=CODE)
    for args in (["add", "-A"], ["commit", "-q", "-m", "Edit"]):
        box.run("git", *args, cwd=cruft_project)
    result = box.run(CRUFT, "update", "--skip-apply-ask", cwd=cruft_project)
    assert_cruft_refused(box, result, REFUSED)
    assert_cruft_refused(box, box.run(CRUFT, "diff", cwd=cruft_project), REFUSED)
    assert box.run("git", "status", "--porcelain", cwd=cruft_project).stdout == ""


@pytest.mark.slow
def test_cruft_update_variables_are_refused(box, cruft_project):
    result = box.run(
        CRUFT, "update", "--skip-apply-ask", "--variables-to-update",
        json.dumps({"organisation": "{{ '7'*7 }}"}), cwd=cruft_project,
    )  # fmt: skip
    assert_cruft_refused(box, result, REFUSED)
    assert box.run("git", "status", "--porcelain", cwd=cruft_project).stdout == ""


# --- who can change `_extensions` ----------------------------------------------------
#
# `__sandbox`, the first key of cookiecutter.json, can be rendered only with
# this extension loaded, and cookiecutter refuses to change it (a list holding
# a mapping). So a changed `_extensions` stops the bake before any answer is
# rendered, on every path except a replay file (last test).

SANDBOX_OFF = {"_extensions": [], "project_name": CODE}


def assert_stopped_before_rendering(box: Sandbox, result: subprocess.CompletedProcess) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert_nothing_left(box)


def test_extensions_cannot_be_changed_on_the_command_line(box):
    assert_stopped_before_rendering(box, box.cookiecutter("_extensions=[]", f"project_name={CODE}"))


def test_extensions_cannot_be_changed_in_a_config_file(box):
    for changes in (SANDBOX_OFF, {**SANDBOX_OFF, "project_slug": "x", "__sandbox": "off"}):
        result = box.cookiecutter("--config-file", str(box.config(changes)))
        assert_stopped_before_rendering(box, result)


def test_extensions_cannot_be_changed_in_the_users_config(box):
    """~/.cookiecutterrc and $COOKIECUTTER_CONFIG, which cruft reads too."""
    (box.home / ".cookiecutterrc").write_text(
        box.config(SANDBOX_OFF).read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert_stopped_before_rendering(box, box.cookiecutter())
    result = box.cookiecutter(COOKIECUTTER_CONFIG=str(box.config(SANDBOX_OFF, "other.yaml")))
    assert_stopped_before_rendering(box, result)


@pytest.mark.parametrize(
    "changes",
    [
        SANDBOX_OFF,
        {**SANDBOX_OFF, "__sandbox": []},
        {**SANDBOX_OFF, "__sandbox": "on"},
        {**SANDBOX_OFF, "__sandbox": [{"on": "on"}]},
        {"_extensions": ["lifecycle_sandbox.Sandbox"], "project_name": CODE},
    ],
    ids=["extensions", "guard-emptied", "guard-text", "guard-rendered", "extensions-same"],
)
def test_extensions_cannot_be_changed_through_the_python_api(box, monkeypatch, changes):
    monkeypatch.chdir(box.work)
    with pytest.raises(Exception):  # noqa: B017 - cookiecutter's or Jinja's own error
        call_api(box, no_input=True, extra_context=changes)
    assert_nothing_left(box)


@pytest.mark.slow
def test_extensions_cannot_be_changed_by_cruft_create_or_link(box, template_repo):
    result = cruft_create(box, template_repo, "--extra-context", json.dumps(SANDBOX_OFF))
    assert_stopped_before_rendering(box, result)
    result, state = cruft_link(box, template_repo, "--extra-context", json.dumps(SANDBOX_OFF))
    assert_stopped_before_rendering(box, result)
    assert not state.exists(), "cruft link recorded the override"
    config = box.config(SANDBOX_OFF)
    result, state = cruft_link(box, template_repo, "--config-file", str(config))
    assert_stopped_before_rendering(box, result)
    assert not state.exists(), "cruft link recorded the override"


@pytest.mark.slow
def test_extensions_cannot_be_changed_by_cruft_update(box, cruft_project):
    """cruft passes `.cruft.json`'s answers without their `_` keys, and its
    `--variables-to-update` the same way; the user's config is stopped by
    `__sandbox`."""
    edit_cruft_state(cruft_project, _extensions=[], __sandbox="off", project_name=CODE)
    for args in (["add", "-A"], ["commit", "-q", "-m", "Edit"]):
        box.run("git", *args, cwd=cruft_project)
    result = box.run(
        CRUFT, "update", "--skip-apply-ask", "--variables-to-update",
        json.dumps({"_extensions": []}), cwd=cruft_project,
    )  # fmt: skip
    assert_cruft_refused(box, result, REFUSED)
    edit_cruft_state(cruft_project, project_name="My ML System")
    box.run("git", "commit", "-q", "-am", "Plain name", cwd=cruft_project)
    result = box.run(
        CRUFT, "update", "--skip-apply-ask", cwd=cruft_project,
        COOKIECUTTER_CONFIG=str(box.config({"_extensions": []})),
    )  # fmt: skip
    assert result.returncode != 0 and "Good work" not in result.stdout
    assert box.run("git", "status", "--porcelain", cwd=cruft_project).stdout == ""
    assert_nothing_ran(box)


def test_a_replay_file_can_change_extensions_but_writes_nothing(box, template_repo, default_replay):
    """The one path the README lists: cookiecutter imports what a replay file's
    `_extensions` names before the template has any say. The bake still stops
    before writing a file, and the replayed answers are never rendered."""
    (template_repo / "marker_extension.py").write_text(
        "from pathlib import Path\nPath('imported.txt').write_text('x')\n", encoding="utf-8"
    )
    box.run("git", "add", "-A", cwd=template_repo)
    box.run("git", "commit", "-q", "-m", "A module on the path", cwd=template_repo)
    changes = {"_extensions": ["marker_extension.Missing"], "project_name": CODE}
    replay_file = replay_with(box, default_replay, changes)
    result = box.run(
        sys.executable, "-m", "cookiecutter", "--replay-file", str(replay_file),
        str(template_repo), "--output-dir", str(box.out), "--config-file", str(box.config({})),
    )  # fmt: skip
    assert result.returncode != 0
    assert (box.work / "imported.txt").exists(), "the override took effect: the module ran"
    assert_nothing_left(box)
    for extensions in ([], ["cookiecutter.extensions.JsonifyExtension"]):
        changes = {"_extensions": extensions, "project_name": CODE}
        replay_file = replay_with(box, default_replay, changes)
        result = bake_replay(box, replay_file)
        assert result.returncode != 0
        assert_nothing_left(box)


def test_a_replay_file_through_the_python_api_writes_nothing(box, monkeypatch, default_replay):
    replay_file = replay_with(box, default_replay, {"_extensions": [], "project_name": CODE})
    monkeypatch.chdir(box.work)
    with pytest.raises(Exception):  # noqa: B017 - Jinja's own error: the hook cannot render
        call_api(box, replay=str(replay_file))
    assert_nothing_left(box)
