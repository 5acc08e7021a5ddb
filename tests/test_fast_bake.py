"""What makes a bake fast, without changing what it produces: templates
compiled once per machine (the sandbox's bytecode cache) and the hooks run in
cookiecutter's own process. The time itself is measured by `make bench`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import cookiecutter.hooks
import cookiecutter.main
import pytest
from conftest import (
    COOKIECUTTER_JSON,
    NOT_TEMPLATE,
    TEMPLATE,
    bake_into,
    lifecycle_sandbox,
    option_defaults,
)

CACHE = lifecycle_sandbox.CACHE_VARIABLE


def project_bytes(project) -> dict[str, bytes]:
    return {name: (project.path / name).read_bytes() for name in project.files()}


def compiled_files(folder) -> list:
    return sorted(folder.glob("__jinja2_*.cache"))


class CountParses:
    """Records what the sandbox parses (compiles) while baking: template files
    by name, and every template made from a string by its text."""

    def __init__(self, monkeypatch):
        self.names: list[str] = []
        original = lifecycle_sandbox.LifecycleSandbox._parse

        def _parse(environment, source, name, filename):
            self.names.append(name or source)
            return original(environment, source, name, filename)

        monkeypatch.setattr(lifecycle_sandbox.LifecycleSandbox, "_parse", _parse)


def template_copy(tmp_path):
    """A private copy of the template, safe to edit while other tests bake."""
    copy = tmp_path / "template"
    shutil.copytree(TEMPLATE, copy, ignore=NOT_TEMPLATE)
    return copy


def test_templates_are_compiled_once_and_bake_the_same(bake, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE, str(tmp_path / "cache"))
    parses = CountParses(monkeypatch)
    first = bake(risk_level="high")
    assert len(compiled_files(tmp_path / "cache")) > len(first.files())
    assert any(name.endswith("model-card.md") for name in parses.names)
    parses.names.clear()
    second = bake(risk_level="high")
    # Left to compile: only the folders, which cookiecutter names by their
    # place in the output folder (this bake's own).
    output = str(second.path.parent)
    again = [name for name in parses.names if not name.startswith(output)]
    assert again == [], f"compiled again instead of read from the cache: {again}"
    assert project_bytes(second) == project_bytes(first)


def test_answers_are_never_stored(bake, tmp_path, monkeypatch):
    """Only the template's own text is kept; an answer, even one rendered as
    a template, is compiled and forgotten."""
    monkeypatch.setenv(CACHE, str(tmp_path / "cache"))
    bake(project_name="Quokka Ledger", organisation="Wombat Holdings")
    stored = b"".join(path.read_bytes() for path in compiled_files(tmp_path / "cache"))
    assert stored, "nothing was cached"
    for answer in (b"Quokka", b"quokka", b"Wombat"):
        assert answer not in stored


def test_a_changed_template_is_never_read_from_a_stale_entry(
    cookiecutter_config, tmp_path, monkeypatch
):
    """An entry records its file's source: the same file with new text is
    compiled anew (its entry rewritten), and the bake shows the new text."""
    monkeypatch.setenv(CACHE, str(tmp_path / "cache"))
    template = template_copy(tmp_path)
    bake_into(cookiecutter_config, tmp_path / "first", template=template)
    before = {path.name: path.read_bytes() for path in compiled_files(tmp_path / "cache")}
    model_card = next(template.glob("*/docs/04-building/model-card.md"))
    with model_card.open("a", encoding="utf-8") as file:
        file.write("\nA line added after the first bake.\n")
    changed = bake_into(cookiecutter_config, tmp_path / "second", template=template)
    assert changed.read("docs/04-building/model-card.md").endswith(
        "A line added after the first bake.\n"
    )
    after = {path.name: path.read_bytes() for path in compiled_files(tmp_path / "cache")}
    assert after.keys() == before.keys()
    assert len([name for name in after if after[name] != before[name]]) == 1


def test_a_refused_jinja_setup_leaves_no_entry_behind(
    bake, cookiecutter_config, tmp_path, monkeypatch, capsys
):
    """A replay file may change how Jinja compiles (here: async). Such a bake
    is refused, writes nothing to the cache, and the next bake, set up as
    usual, still works."""
    monkeypatch.setenv(CACHE, str(tmp_path / "cache"))
    answers = {**COOKIECUTTER_JSON, **option_defaults(), "project_slug": "my-ml-system"}
    replay = tmp_path / "replay.json"
    answers["_jinja2_env_vars"] = {"enable_async": True}
    replay.write_text(json.dumps({"cookiecutter": answers}), encoding="utf-8")
    with pytest.raises(lifecycle_sandbox.AnswerRefused, match="_jinja2_env_vars"):
        cookiecutter.main.cookiecutter(
            str(TEMPLATE),
            replay=str(replay),
            output_dir=str(tmp_path / "out"),
            config_file=str(cookiecutter_config),
        )
    assert "error: answers must not set the private key '_jinja2_env_vars'" in (
        capsys.readouterr().err
    )
    assert compiled_files(tmp_path / "cache") == []
    assert bake().has_file("docs/04-building/model-card.md")
    assert compiled_files(tmp_path / "cache") != []


def test_a_damaged_entry_is_compiled_anew(bake, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE, str(tmp_path / "cache"))
    first = bake()
    for entry in compiled_files(tmp_path / "cache"):
        entry.write_bytes(entry.read_bytes()[:20])  # the magic, then half a pickle
    second = bake()
    assert project_bytes(second) == project_bytes(first)


def test_the_key_covers_what_shapes_the_compiled_code(monkeypatch):
    from cookiecutter.utils import create_env_with_context

    context = {"cookiecutter": {"_extensions": ["lifecycle_sandbox.Sandbox"]}}
    key = lifecycle_sandbox.compiler_key(create_env_with_context(context))
    trimmed = {"cookiecutter": {**context["cookiecutter"], "_jinja2_env_vars": {"trim_blocks": 1}}}
    assert lifecycle_sandbox.compiler_key(create_env_with_context(trimmed)) != key
    monkeypatch.setattr(lifecycle_sandbox, "MODULE_DIGEST", "another sandbox")
    assert lifecycle_sandbox.compiler_key(create_env_with_context(context)) != key


def test_the_cache_can_be_switched_off_or_unwritable(bake, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    monkeypatch.setenv(CACHE, "off")
    bake()
    assert not (tmp_path / "home-cache").exists()
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("x", encoding="utf-8")
    monkeypatch.setenv(CACHE, str(blocked / "cache"))
    project = bake(project_name="Still Bakes")
    assert project.has_file("docs/04-building/model-card.md")
    monkeypatch.delenv(CACHE)
    assert lifecycle_sandbox.cache_folder() == tmp_path / "home-cache" / "ml-lifecycle" / "jinja"


def test_a_relative_cache_folder_is_not_used(bake, tmp_path, monkeypatch):
    """Cookiecutter moves into the template while baking: a relative folder
    would fill the template (and the next bake) with cache files."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(CACHE, "relative-cache")
    assert lifecycle_sandbox.cache_folder() is None
    monkeypatch.setenv(CACHE, "~/compiled")
    assert lifecycle_sandbox.cache_folder() == Path.home() / "compiled"
    monkeypatch.delenv(CACHE)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-xdg")  # the XDG spec: ignore it
    assert lifecycle_sandbox.cache_folder() == Path.home() / ".cache" / "ml-lifecycle" / "jinja"
    monkeypatch.setenv(CACHE, "relative-cache")
    project = bake()
    assert not list(TEMPLATE.rglob("relative-cache")) and not (tmp_path / "relative-cache").exists()
    assert not project.has_file("relative-cache")


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_others_can_write_to_is_not_used(bake, tmp_path, monkeypatch):
    """Cached entries are code that runs while baking: from a folder anyone
    may write to, none is read and none is written."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(CACHE, str(shared))
    parses = CountParses(monkeypatch)
    bake()
    assert compiled_files(shared) == []
    compiled = len(parses.names)
    shared.chmod(0o700)  # the same folder, private: used from now on
    bake()
    assert compiled_files(shared) != []
    parses.names.clear()
    shared.chmod(0o775)
    bake()
    assert len(parses.names) == compiled, "entries were read from a folder others can write"


def test_old_entries_are_removed(tmp_path):
    old, fresh = tmp_path / "__jinja2_old.cache", tmp_path / "__jinja2_fresh.cache"
    interrupted, other = tmp_path / "__jinja2_old.cachex1y2.tmp", tmp_path / "notes.txt"
    for path in (old, fresh, interrupted, other):
        path.write_bytes(b"x")
    long_ago = os.stat(old).st_mtime - (lifecycle_sandbox.CACHE_DAYS + 1) * 86_400
    for path in (old, interrupted, other):
        os.utime(path, (long_ago, long_ago))
    lifecycle_sandbox.remove_old_entries(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["__jinja2_fresh.cache", "notes.txt"]


def test_hooks_run_in_cookiecutters_process(bake, monkeypatch, capsys):
    popen = subprocess.Popen

    def no_process(command, *args, **kwargs):
        # The template asks git where it came from (lifecycle_source.py).
        if command[0] == "git":
            return popen(command, *args, **kwargs)
        raise AssertionError(f"a hook started a process: {command}")

    monkeypatch.setattr(cookiecutter.hooks.subprocess, "Popen", no_process)
    project = bake(project_name="In Process")
    out = capsys.readouterr().out
    assert "Next steps:" in out and project.path.name in out
    assert not project.has_file(".github")  # the post-generation hook's tidying ran


def test_hooks_still_run_as_scripts_without_the_in_process_runner(bake, monkeypatch, capfd):
    """A cookiecutter without the runner the sandbox wraps runs the hook files
    as scripts: their main() does the same work."""
    runner = cookiecutter.hooks.run_script_with_context
    monkeypatch.setattr(cookiecutter.hooks, "run_script_with_context", runner.lifecycle_wrapped)
    monkeypatch.setattr(lifecycle_sandbox, "install_in_process_hooks", lambda: None)
    started = []
    popen = subprocess.Popen

    def counted(command, *args, **kwargs):
        if command[0] != "git":  # the template asks git where it came from
            started.append(command)
        return popen(command, *args, **kwargs)

    monkeypatch.setattr(cookiecutter.hooks.subprocess, "Popen", counted)
    in_scripts = bake(project_name="As Scripts")
    assert len(started) == 2, started
    assert "Next steps:" in capfd.readouterr().out
    monkeypatch.undo()
    in_process = bake(project_name="As Scripts")
    assert project_bytes(in_scripts) == project_bytes(in_process)


def test_a_failing_hook_fails_the_bake_as_a_script_would(
    cookiecutter_config, tmp_path, monkeypatch, capsys
):
    """A hook that raises stops the bake with cookiecutter's own failure, and
    cookiecutter removes the half-made project, as with a failing script."""
    monkeypatch.setenv(CACHE, str(tmp_path / "cache"))
    template = template_copy(tmp_path)
    post = template / "hooks" / "post_gen_project.py"
    post.write_text(
        post.read_text(encoding="utf-8")
        + "\n\ndef in_process(context, project):\n    raise OSError('disk full')\n",
        encoding="utf-8",
    )
    output = tmp_path / "out"
    with pytest.raises(cookiecutter.hooks.FailedHookException, match="exit status: 1"):
        bake_into(cookiecutter_config, output, template=template)
    assert "OSError: disk full" in capsys.readouterr().err
    assert list(output.iterdir()) == [], "the half-made project was left behind"


@pytest.mark.parametrize(
    ("body", "status", "printed"),
    [
        ("raise SystemExit(3)", 3, ""),
        ("raise SystemExit('stopped: no disk')", 1, "stopped: no disk"),
        ("return 0", 0, ""),
        ("raise KeyError('phase')", 1, "KeyError: 'phase'"),
    ],
)
def test_a_hook_status_is_what_python_would_exit_with(tmp_path, capsys, body, status, printed):
    hooks = tmp_path / "template" / "hooks"
    hooks.mkdir(parents=True)
    (tmp_path / "template" / "lifecycle_sandbox.py").write_text("", encoding="utf-8")
    hook = hooks / "pre_gen_project.py"
    hook.write_text(f"def in_process(context, project):\n    {body}\n", encoding="utf-8")
    module = lifecycle_sandbox.hook_module(hook)
    assert lifecycle_sandbox.hook_status(module, {}, tmp_path) == status
    assert printed in capsys.readouterr().err


def test_another_templates_hooks_run_as_before(tmp_path):
    ran = []
    runner = lifecycle_sandbox.run_hooks_in_process(lambda *args: ran.append(args))
    other = tmp_path / "other" / "hooks"
    other.mkdir(parents=True)
    (other / "pre_gen_project.py").write_text("import sys\n", encoding="utf-8")
    runner(other / "pre_gen_project.py", tmp_path, {})
    assert ran == [(other / "pre_gen_project.py", tmp_path, {})]
