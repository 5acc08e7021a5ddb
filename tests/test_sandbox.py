"""Answers are data, never code (issue 14).

Every payload goes through the real entry points: the cookiecutter command
(`key=value` and `--config-file`), the Python API, a re-bake from a committed
`.cookiecutter-answers.yaml`, a replay file, and cruft `create` / `update`.
Each must end with our one-line `error:` refusal, a non-zero exit, no
traceback, nothing in the output folder, and no `pwned.txt` anywhere.

Disabling the sandbox (`"_extensions": []` in cookiecutter.json) makes these
tests fail: the payload writes `pwned.txt` and the bake ends in a traceback.
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
from conftest import GIT_ENV, NOT_TEMPLATE, TEMPLATE

CODE = "{{ cycler.__init__.__globals__.os.system('id > pwned.txt') }}"
# Each payload, and the words its refusal must contain.
PAYLOADS = {
    "code-cycler": (CODE, "answers are data, not template code"),
    "code-joiner": (
        "{{ joiner.__init__.__globals__.os.popen('id > pwned.txt').read() }}",
        "not template code",
    ),
    "code-lipsum": ("{{ lipsum.__globals__['os'].system('id > pwned.txt') }}", "not template code"),
    "code-mro": (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "not template code",
    ),
    "code-format": ("{{ '{0.__class__}'.format(cycler) }}", "not template code"),
    "code-attr-filter": (
        "{{ (cycler|attr('__init__')|attr('__globals__')).os.system('id > pwned.txt') }}",
        "not template code",
    ),
    "huge-range": ("{% for x in range(10**8) %}{% endfor %}", "not template code"),
    "nested-loops": (
        "{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}",
        "not template code",
    ),
    "repetition": ("{{ 'x' * 10**9 }}", "not template code"),
    "power": ("{{ 9 ** (9 ** 9) }}", "not template code"),
    "width": ("{{ 'x'.center(10**9) }}", "not template code"),
    "format-width": ("{{ '%999999999d' % 1 }}", "not template code"),
    "replace-growth": ("{{ ('x' * 100000) | replace('', 'y' * 100000) }}", "not template code"),
    "output-growth": ("{% for a in range(9999) %}{{ 'y' * 100000 }}{% endfor %}", "wrote more"),
    "recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "not template code"),
    "bare-open": ("{{", "broken template syntax"),
    "bare-block": ("{% if %}", "broken template syntax"),
    "evaluated": ("{{ 7*7 }}", "template delimiter"),
    "long-slug": (None, "the limit is 64"),
}
LONG_SLUG = "a" * 5000
CRUFT = str(Path(sys.executable).with_name("cruft"))


def answer_for(name: str) -> tuple[str, str]:
    payload, message = PAYLOADS[name]
    return ("project_slug", LONG_SLUG) if payload is None else ("project_name", payload), message


class Sandbox:
    """A scratch folder: `work/` is the current directory of every run,
    `out/` the output folder, `home/` keeps cookiecutter's replay files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work, self.out, self.home = root / "work", root / "out", root / "home"
        for folder in (self.work, self.out, self.home):
            folder.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, **GIT_ENV, "HOME": str(self.home)}

    def run(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            args,
            cwd=cwd or self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def cookiecutter(self, *args: str, template: Path = TEMPLATE) -> subprocess.CompletedProcess:
        return self.run(
            sys.executable, "-m", "cookiecutter", "--no-input", str(template),
            "--output-dir", str(self.out), *args,
        )  # fmt: skip

    def config(self, answers: dict) -> Path:
        path = self.root / "config.yaml"
        lines = [f"replay_dir: {json.dumps(str(self.home / 'replay'))}", "default_context:"]
        lines += [f"  {key}: {json.dumps(value)}" for key, value in answers.items()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


@pytest.fixture
def box(tmp_path) -> Sandbox:
    return Sandbox(tmp_path)


def assert_refused(box: Sandbox, result: subprocess.CompletedProcess, message: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert errors and message in errors[0], output[-2000:]
    assert "Traceback" not in output, output[-2000:]
    assert_nothing_left(box)


def assert_nothing_left(box: Sandbox) -> None:
    pwned = [*box.root.rglob("pwned.txt"), *Path.cwd().glob("pwned.txt")]
    pwned += list(TEMPLATE.glob("pwned.txt"))
    assert not pwned, f"the payload ran: {pwned}"
    assert list(box.out.iterdir()) == [], "the refused bake left files behind"


@pytest.mark.parametrize("name", PAYLOADS)
def test_command_line_answer_is_refused(box, name):
    (key, value), message = answer_for(name)
    started = time.monotonic()
    result = box.cookiecutter(f"{key}={value}")
    assert time.monotonic() - started < 10, "hang guard: the refusal took too long"
    assert_refused(box, result, message)


@pytest.mark.parametrize(
    "name", ["code-cycler", "code-lipsum", "huge-range", "bare-open", "recursion", "long-slug"]
)
def test_config_file_answer_is_refused(box, name):
    (key, value), message = answer_for(name)
    result = box.cookiecutter("--config-file", str(box.config({key: value})))
    assert_refused(box, result, message)


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
    assert_refused(box, result, message)


def test_python_api_answer_is_refused(box, monkeypatch):
    from cookiecutter.exceptions import FailedHookException
    from cookiecutter.main import cookiecutter
    from jinja2.exceptions import SecurityError

    monkeypatch.chdir(box.work)
    monkeypatch.setenv("HOME", str(box.home))
    for name in ("code-cycler", "code-lipsum", "code-attr-filter", "huge-range", "bare-open"):
        (key, value), message = answer_for(name)
        with pytest.raises(SecurityError) as refused:
            cookiecutter(
                str(TEMPLATE),
                no_input=True,
                extra_context={key: value},
                output_dir=str(box.out),
                config_file=str(box.config({})),
            )
        assert isinstance(refused.value, FailedHookException)
        assert "answers were refused" in str(refused.value) and message in str(refused.value)
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
    assert_refused(box, result, "not template code")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_kind": "evil"}, "task_kind 'evil' is not one of"),
        ({"project_name": CODE}, "template delimiter"),
        ({"_stages": {"deployment": "<script>x</script>"}}, "private key '_stages'"),
        ({"_extensions": ["lifecycle_sandbox.Sandbox", "jinja2.ext.do"]}, "'_extensions'"),
        ({"_copy_without_render": ["*"]}, "private key '_copy_without_render'"),
    ],
    ids=["choice", "code", "stages", "extensions", "new-private-key"],
)
def test_replay_file_is_refused(box, changes, message):
    """Replayed answers are not rendered again, so the hook is the check:
    code arrives as text and is refused for its delimiters."""
    assert box.cookiecutter("--config-file", str(box.config({}))).returncode == 0
    shutil.rmtree(box.out / "my-ml-system")
    replay_file = box.root / "replay.json"
    context = json.loads(next((box.home / "replay").glob("*.json")).read_text(encoding="utf-8"))
    context["cookiecutter"].update(changes)
    replay_file.write_text(json.dumps(context), encoding="utf-8")
    result = box.run(
        sys.executable, "-m", "cookiecutter", "--replay-file", str(replay_file), str(TEMPLATE),
        "--output-dir", str(box.out), "--config-file", str(box.config({})),
    )  # fmt: skip
    assert_refused(box, result, message)


def test_refusal_is_fast(box):
    """Each bounded payload is refused well within the hang guard; the figures
    are in the README's benchmark note, not asserted here."""
    for name in ("huge-range", "nested-loops", "output-growth", "recursion"):
        (key, value), message = answer_for(name)
        started = time.monotonic()
        result = box.cookiecutter(f"{key}={value}")
        assert time.monotonic() - started < 10, f"hang guard: {name}"
        assert_refused(box, result, message)


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
    assert "must be text" in form_problems({"description": ["a", "list"]})[0]


def test_sandbox_is_switched_on_and_keeps_normal_rendering():
    from cookiecutter.utils import create_env_with_context

    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    sys.path.insert(0, str(TEMPLATE))
    try:
        env = create_env_with_context({"cookiecutter": context})
    finally:
        sys.path.remove(str(TEMPLATE))
    assert env.sandboxed
    rendered = env.from_string("{{ cookiecutter.project_name | slugify(max_length=64) }}").render(
        cookiecutter={"project_name": "Prévision — O'Brien & Sons"}
    )
    assert rendered == "prevision-o-brien-sons"


# cruft ----------------------------------------------------------------------


@pytest.fixture
def template_repo(box) -> Path:
    repo = box.root / "template"
    shutil.copytree(TEMPLATE, repo, ignore=NOT_TEMPLATE)
    box.run("git", "init", "-q", cwd=repo)
    box.run("git", "add", "-A", cwd=repo)
    box.run("git", "commit", "-q", "-m", "Template v1", cwd=repo)
    return repo


def assert_cruft_refused(box: Sandbox, result: subprocess.CompletedProcess, message: str) -> None:
    """cruft prints its own traceback for any exception; the last line is ours."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert "Good work" not in output
    assert "error: " in output and message in output, output[-2000:]
    assert not list(box.root.rglob("pwned.txt")), "the payload ran"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["code-cycler", "huge-range", "bare-open"])
def test_cruft_create_is_refused(box, template_repo, name):
    (key, value), message = answer_for(name)
    result = box.run(
        CRUFT, "create", "--no-input", "--output-dir", str(box.out),
        "--extra-context", json.dumps({key: value}), str(template_repo),
    )  # fmt: skip
    assert_cruft_refused(box, result, message)
    assert list(box.out.iterdir()) == []


@pytest.mark.slow
def test_cruft_update_with_hostile_cruft_json_is_refused(box, template_repo):
    result = box.run(
        CRUFT, "create", "--no-input", "--output-dir", str(box.out), str(template_repo)
    )
    assert result.returncode == 0, result.stderr
    project = box.out / "my-ml-system"
    state_file = project / ".cruft.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state["context"]["cookiecutter"]["project_name"] = CODE
    state_file.write_text(json.dumps(state, indent=2), encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Bake"]):
        box.run("git", *args, cwd=project)
    readme = template_repo / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nv2\n", encoding="utf-8")
    box.run("git", "commit", "-q", "-am", "Template v2", cwd=template_repo)

    result = box.run(CRUFT, "update", "--skip-apply-ask", cwd=project)
    assert_cruft_refused(box, result, "not template code")
    assert box.run("git", "status", "--porcelain", cwd=project).stdout == ""
