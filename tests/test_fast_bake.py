"""What makes a bake fast, without changing what it produces: templates
compiled once per machine (the sandbox's bytecode cache) and the hooks run in
cookiecutter's own process. The time itself is measured by `make bench`."""

from __future__ import annotations

import os
import subprocess
import sys

import cookiecutter.hooks
import pytest
from conftest import TEMPLATE, lifecycle_sandbox

CACHE = lifecycle_sandbox.CACHE_VARIABLE


def project_bytes(project) -> dict[str, bytes]:
    return {name: (project.path / name).read_bytes() for name in project.files()}


def compiled_files(folder) -> list:
    return sorted(folder.glob("__jinja2_*.cache"))


class CountParses:
    """Records what the sandbox parses (compiles) while baking: template files
    by name, and the template's own strings (file names, defaults)."""

    def __init__(self, monkeypatch):
        self.names: list[str] = []
        original = lifecycle_sandbox.LifecycleSandbox._parse
        own = lifecycle_sandbox.template_strings()

        def _parse(environment, source, name, filename):
            if name or source in own:  # answers are neither
                self.names.append(name or source)
            return original(environment, source, name, filename)

        monkeypatch.setattr(lifecycle_sandbox.LifecycleSandbox, "_parse", _parse)


def test_templates_are_compiled_once_and_bake_the_same(bake, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE, str(tmp_path / "cache"))
    parses = CountParses(monkeypatch)
    first = bake(risk_level="high")
    compiled = compiled_files(tmp_path / "cache")
    assert len(compiled) >= len(first.files()) - 5, "the bake left no compiled templates"
    assert any(name.endswith("model-card.md") for name in parses.names)
    assert any(name == lifecycle_sandbox.PROJECT_FOLDER for name in parses.names)
    parses.names.clear()
    second = bake(risk_level="high")
    assert parses.names == [], f"compiled again instead of read from the cache: {parses.names}"
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


def test_a_changed_template_is_never_read_from_a_stale_entry(bake, tmp_path, monkeypatch):
    """An entry records its file's source: the same file with new text is
    compiled anew (its entry rewritten), and the bake shows the new text."""
    monkeypatch.setenv(CACHE, str(tmp_path / "cache"))
    bake()
    before = {path.name: path.read_bytes() for path in compiled_files(tmp_path / "cache")}
    model_card = next(TEMPLATE.glob("*/docs/04-building/model-card.md"))
    original = model_card.read_bytes()
    try:
        model_card.write_bytes(original + b"\nA line added after the first bake.\n")
        changed = bake()
    finally:
        model_card.write_bytes(original)
    assert changed.read("docs/04-building/model-card.md").endswith(
        "A line added after the first bake.\n"
    )
    after = {path.name: path.read_bytes() for path in compiled_files(tmp_path / "cache")}
    assert after.keys() == before.keys()
    assert len([name for name in after if after[name] != before[name]]) == 1


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
    def no_process(*args, **kwargs):
        raise AssertionError(f"a hook started a process: {args}")

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
        started.append(command)
        return popen(command, *args, **kwargs)

    monkeypatch.setattr(cookiecutter.hooks.subprocess, "Popen", counted)
    in_scripts = bake(project_name="As Scripts")
    assert len(started) == 2, started
    assert "Next steps:" in capfd.readouterr().out
    monkeypatch.undo()
    in_process = bake(project_name="As Scripts")
    assert project_bytes(in_scripts) == project_bytes(in_process)


def test_a_failing_hook_fails_the_bake(tmp_path):
    hooks = tmp_path / "template" / "hooks"
    hooks.mkdir(parents=True)
    (tmp_path / "template" / "lifecycle_sandbox.py").write_text("", encoding="utf-8")
    (hooks / "pre_gen_project.py").write_text(
        "def in_process(context, project):\n    raise SystemExit(3)\n", encoding="utf-8"
    )
    ran = []
    runner = lifecycle_sandbox.run_hooks_in_process(lambda *args: ran.append(args))
    with pytest.raises(cookiecutter.hooks.FailedHookException, match="exit status: 3"):
        runner(hooks / "pre_gen_project.py", tmp_path, {"cookiecutter": {}})
    # Another template's hook (no lifecycle_sandbox.py beside hooks/) runs as before.
    other = tmp_path / "other" / "hooks"
    other.mkdir(parents=True)
    (other / "pre_gen_project.py").write_text("import sys\n", encoding="utf-8")
    runner(other / "pre_gen_project.py", tmp_path, {})
    assert ran == [(other / "pre_gen_project.py", tmp_path, {})]
    assert sys.modules.get("lifecycle_pre_gen_project") is None
