"""Answers are data, never code: every rendering of a bake runs in Jinja's sandbox.

Cookiecutter renders each answer as a template before any hook can look at
it, so `{{ cycler.__init__.__globals__.os.system('id') }}` typed as a project
name would run. `cookiecutter.json` lists `lifecycle_sandbox.Sandbox` in
`_extensions`; cookiecutter (and cruft, which uses cookiecutter to render)
loads it into every Jinja environment it creates, and its constructor turns
that environment into a bounded sandbox:

- attribute access, calls and operators follow `jinja2.sandbox` rules, so
  Python internals are out of reach and the payload raises `SecurityError`;
- `range`, loops, repetition, powers, widths and string growth are capped, and
  each rendering stops after `SECONDS_PER_RENDER` of work;
- a refusal while rendering an answer (or a template syntax error in one)
  prints one `error:` line to stderr, as the hook does, and raises
  `AnswerRefused`, which the cookiecutter command reports without a traceback;
- before the project folder is created, the answers go through the
  pre-generation hook's `problems()`, so a refused answer leaves nothing, and
  every problem is reported at once (one `error:` line each); a project name
  that is empty or only spaces is refused as soon as the folder-name default
  is derived from it, before the remaining prompts.

Two things make a bake fast without changing what it produces:

- each template file (and the template's own strings) is compiled once per
  machine: Jinja's bytecode cache keeps the compiled code in the user's
  cache folder (`$XDG_CACHE_HOME/ml-lifecycle/jinja`, or the absolute folder
  in `ML_LIFECYCLE_CACHE`; `off` turns it off), keyed by the source and by
  everything that shapes the code, and read only from where no one else can
  write;
- the template's two hooks run in cookiecutter's own process, through their
  `in_process` functions, instead of as two more Python processes.

What the sandbox cannot do: a config or replay file that replaces
`_extensions` never loads this module (see the README, "Answers files").
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import re
import stat
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import cookiecutter
import cookiecutter.hooks
import jinja2
from cookiecutter.exceptions import FailedHookException
from jinja2 import FileSystemBytecodeCache, Template, nodes
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

# No rendering of this template needs more than these; answers get no more.
MAX_RANGE = 10_000  # items in one range()
MAX_SIZE = 200_000  # characters or items made by one operation
MAX_INT_BITS = 4_096  # bits in an integer made by * or **
MAX_STEPS = 1_000_000  # loop iterations, calls and operators in one rendering
MAX_OUTPUT = 5_000_000  # characters written by expressions in one rendering
SECONDS_PER_RENDER = 1.0  # wall clock for rendering one answer or file name
SECONDS_PER_FILE = 30.0  # wall clock for rendering one template file
# The folder cookiecutter renders first: the answers are final by then, and
# nothing has been written yet.
PROJECT_FOLDER = "{{cookiecutter.project_slug|slugify or 'unnamed'}}"
WIDE_FORMAT = re.compile(r"[0-9]{6,}")
HOOK = Path(__file__).resolve().parent / "hooks" / "pre_gen_project.py"
HOOK_NAMES = ("pre_gen_project.py", "post_gen_project.py")
# Where compiled templates are kept: a folder, or "off".
CACHE_VARIABLE = "ML_LIFECYCLE_CACHE"
CACHE_DAYS = 30  # compiled files not rewritten for this long are removed
# Environment settings that change the code Jinja compiles a template into.
COMPILE_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "finalize",
    "autoescape",
    "is_async",
)
MODULE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


class AnswerRefused(FailedHookException, SecurityError):
    """An answer was refused. A `FailedHookException`, so the cookiecutter
    command prints the message as one line and exits 1, and a `SecurityError`,
    so Jinja-aware callers can catch it as one."""

    def __init__(self, line: str) -> None:
        # Like the pre-generation hook: the `error:` line goes to stderr, and
        # the exception (which the cookiecutter command prints) says why.
        print(line, file=sys.stderr, flush=True)
        lines = line.splitlines()
        more = f" and {len(lines) - 1} more" if len(lines) > 1 else ""
        super().__init__(
            f"Stopping generation: the answers were refused ({lines[0][len('error: ') :]}{more})"
        )


class _Budget(threading.local):
    deadline: float | None = None
    steps: int = 0
    output: int = 0


_budget = _Budget()


def _charge(count: int = 1) -> None:
    """Count work done by the current rendering; refuse when it runs too long."""
    if _budget.deadline is None:
        return
    _budget.steps += count
    if _budget.steps > MAX_STEPS:
        raise SecurityError(f"rendering took more than {MAX_STEPS:,} steps")
    if time.monotonic() > _budget.deadline:
        raise SecurityError("rendering took too long")


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple, dict, bytes)) and len(value) > MAX_SIZE:
        raise SecurityError(f"a value grew beyond {MAX_SIZE:,} characters or items")
    return value


def _check_arguments(args: Iterable[Any]) -> None:
    """Refuse integer arguments that would make a huge value (`'x'.center(10**9)`)
    and format strings with huge widths (`'%999999999d'`)."""
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_SIZE:
            raise SecurityError(f"an argument is larger than {MAX_SIZE:,}")
        if isinstance(arg, str) and ("%" in arg or "{" in arg) and WIDE_FORMAT.search(arg):
            raise SecurityError("a format width is too large")


def bounded_range(*args: int) -> range:
    values = range(*args)
    if len(values) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE:,} items")
    return values


def _bounded_replace(text: Any, old: Any, new: Any, *rest: Any) -> None:
    """Refuse a replace whose result would be huge (`s.replace('', s)`)."""
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        grow = len(new) - len(old)
        if grow > 0 and len(text) + (len(text) + 1) * grow > MAX_SIZE:
            count = text.count(old) if old else len(text) + 1
            if len(text) + count * grow > MAX_SIZE:
                raise SecurityError(f"a value grew beyond {MAX_SIZE:,} characters")


def _output(value: Any) -> Any:
    """Count what `{{ … }}` writes, so that a loop cannot pile up gigabytes."""
    if _budget.deadline is not None and isinstance(value, str):
        _budget.output += len(value)
        if _budget.output > MAX_OUTPUT:
            raise SecurityError(f"rendering wrote more than {MAX_OUTPUT:,} characters")
    return value


def _loop(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _charge()
        yield item


def _guard_filter(function: Any) -> Any:
    skip = 2 if hasattr(function, "jinja_pass_arg") else 1  # context, then the value

    def guarded(*args: Any, **kwargs: Any) -> Any:
        _charge()
        _check_arguments([*args[skip:], *kwargs.values()])
        if function is _REPLACE and len(args) >= skip + 2:
            _bounded_replace(*args[skip - 1 :])
        return _check_size(function(*args, **kwargs))

    for marker in ("jinja_pass_arg",):
        if hasattr(function, marker):
            setattr(guarded, marker, getattr(function, marker))
    guarded.__wrapped__ = function
    return guarded


_REPLACE: Any = None


class LifecycleSandbox(SandboxedEnvironment):
    """Jinja's sandbox with bounded work. Mixed into cookiecutter's own
    environment class by `Sandbox`, so its other behaviour stays the same."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//", "/", "-"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _charge()
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                repeats = isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                if repeats and len(seq) * max(times, 0) > MAX_SIZE:
                    raise SecurityError(f"repetition beyond {MAX_SIZE:,} items")
            integers = isinstance(left, int) and isinstance(right, int)
            if integers and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise SecurityError("an integer grew too large")
        if operator == "**" and isinstance(left, (int, float)) and isinstance(right, (int, float)):
            base = abs(left)
            if base > 1 and right * max(int(base).bit_length(), 1) > MAX_INT_BITS:
                raise SecurityError("an integer grew too large")
        if operator == "%" and isinstance(left, str):
            _check_arguments([left])
        return _check_size(self.binop_table[operator](left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _charge()
        _check_arguments([*args, *kwargs.values()])
        if getattr(__obj, "__name__", "") == "replace" and isinstance(
            getattr(__obj, "__self__", None), str
        ):
            _bounded_replace(__obj.__self__, *args)
        return _check_size(SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Any:
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:
            _check_arguments([value.__self__])
        return wrapper

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parse as usual, then route every loop, every output and every `~`
        through the budget (one walk over the tree: compiling is most of a
        first bake)."""
        tree = super()._parse(source, name, filename)
        for node in all_nodes(tree):
            if isinstance(node, nodes.For):
                node.iter = nodes.Filter(node.iter, "lifecycle_loop", [], [], None, None)
                node.iter.set_lineno(node.lineno)
            elif isinstance(node, nodes.Output):
                node.nodes = [
                    child
                    if isinstance(child, nodes.TemplateData)
                    else nodes.Filter(
                        child, "lifecycle_output", [], [], None, None, lineno=child.lineno
                    )
                    for child in node.nodes
                ]
            elif isinstance(node, nodes.Concat):
                node.nodes = [
                    nodes.Filter(child, "lifecycle_size", [], [], None, None, lineno=node.lineno)
                    for child in node.nodes
                ]
        return tree

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        """Templates made from strings render answers (and file names)."""
        try:
            code = self.compiled_string(source)
        except TemplateSyntaxError as error:
            raise AnswerRefused(
                f"error: an answer holds broken template syntax ({error.message}) in "
                f"{_quote(source)}; answers are plain text"
            ) from error
        template = AnswerTemplate.from_code(self, code, self.make_globals(globals), None)
        template.source_text = source
        return template

    def compiled_string(self, source: Any) -> Any:
        """The code for a template made from a string. The template's own
        strings (its file names, cookiecutter.json's defaults) are compiled
        once per machine, like its files; an answer is compiled every time
        and never stored."""
        cache = self.bytecode_cache
        if cache is None or not isinstance(source, str) or source not in template_strings():
            return self.compile(source)
        bucket = cache.get_bucket(self, f"<string>{source}", None, source)
        if bucket.code is None:
            bucket.code = self.compile(source)
            cache.set_bucket(bucket)
        return bucket.code


def all_nodes(tree: nodes.Node) -> list[nodes.Node]:
    """Every node of the tree, listed before any is changed."""
    found, pending = [], [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        pending.extend(node.iter_child_nodes())
    return found


def _quote(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


class FileTemplate(Template):
    """A template file of the project: its rendering is budgeted generously."""

    seconds = SECONDS_PER_FILE

    def render(self, *args: Any, **kwargs: Any) -> str:
        if _budget.deadline is not None:  # nested: the outer budget applies
            return super().render(*args, **kwargs)
        _budget.deadline = time.monotonic() + self.seconds
        _budget.steps = _budget.output = 0
        try:
            return self._render(*args, **kwargs)
        finally:
            _budget.deadline = None

    def _render(self, *args: Any, **kwargs: Any) -> str:
        return super().render(*args, **kwargs)


class AnswerTemplate(FileTemplate):
    """An answer, a path or a hook rendered from a string: one second, and a
    refusal is one `error:` line."""

    seconds = SECONDS_PER_RENDER
    source_text = ""

    def _render(self, *args: Any, **kwargs: Any) -> str:
        answers = kwargs.get("cookiecutter")
        if self.source_text == PROJECT_FOLDER and isinstance(answers, dict):
            refuse_bad_answers(answers, kwargs.get("_cookiecutter"))
        elif isinstance(answers, dict) and "project_slug" not in answers:
            refuse_blank_name(self.source_text, answers)
        try:
            return super()._render(*args, **kwargs)
        except AnswerRefused:
            raise
        except (TemplateError, ArithmeticError, RecursionError, MemoryError) as error:
            raise AnswerRefused(
                f"error: answers are data, not template code ({error}) "
                f"in {_quote(self.source_text)}"
            ) from error
        except Exception as error:  # e.g. `project_name: true` reaching `slugify`
            if isinstance(kwargs.get("cookiecutter"), dict):
                found = _load_hook().check_types(kwargs["cookiecutter"], template_context())
                if found:
                    raise AnswerRefused(f"error: {found}") from error
            raise AnswerRefused(
                f"error: cannot use the answer {_quote(self.source_text)}: "
                f"{type(error).__name__}: {error}"
            ) from error


@functools.cache
def template_strings() -> frozenset[str]:
    """Strings of this template that cookiecutter renders from strings: the
    names and relative paths in the project folder, and the text values of
    cookiecutter.json."""
    root = Path(__file__).resolve().parent
    found = {PROJECT_FOLDER}
    for path in (root / PROJECT_FOLDER).rglob("*"):
        relative = path.relative_to(root / PROJECT_FOLDER)  # as cookiecutter names files
        found.update({path.name, str(relative), relative.as_posix()})
    for key, value in template_context(root).items():
        values = value if isinstance(value, list) else [value]
        if not key.startswith("_"):
            found.update(item for item in values if isinstance(item, str))
    return frozenset(found)


_modules: dict[tuple, Any] = {}


def load_module(path: Path) -> Any:
    """The Python file at `path` as a module, loaded again only when it changes."""
    found = path.stat()
    key = (path, found.st_mtime_ns, found.st_size)
    if key not in _modules:
        spec = importlib.util.spec_from_file_location(f"lifecycle_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules[key] = module
    return _modules[key]


def _load_hook() -> Any:
    return load_module(HOOK)


def refuse_bad_answers(answers: dict, typed: dict | None) -> None:
    """Run the pre-generation hook's checks in process, before the project
    folder exists. The hook runs them again afterwards (belt and braces)."""
    hook = _load_hook()
    found = hook.problems(answers, typed or {}, template_context())
    if found:
        raise AnswerRefused("\n".join(f"error: {problem}" for problem in found))


def refuse_blank_name(source: str, answers: dict) -> None:
    """While prompting: a default derived from an empty (or all-space) project
    name, such as the folder name, would be empty; stop at once."""
    name = answers.get("project_name")
    if "cookiecutter.project_name" in source and isinstance(name, str) and not name.strip():
        found = _load_hook().check_text("project_name", name)
        raise AnswerRefused(f"error: {found}")


def template_context(folder: Path | None = None) -> dict:
    """The template's own cookiecutter.json. Cookiecutter renders the hooks with
    the template folder as the working directory, so `Path.cwd()` is right
    there; elsewhere, the folder this module sits in."""
    for candidate in (folder, Path.cwd(), HOOK.parent.parent):
        if (
            candidate is not None
            and (candidate / "cookiecutter.json").is_file()
            and (candidate / "lifecycle_sandbox.py").is_file()
        ):
            return json.loads((candidate / "cookiecutter.json").read_text(encoding="utf-8"))
    raise AnswerRefused("error: cannot find the template's cookiecutter.json")


# --- compiled once per machine -------------------------------------------------


def plain_settings(environment: Any) -> tuple:
    """The environment's settings that change the code Jinja compiles."""
    return tuple(
        getattr(value, "__qualname__", value)
        for value in (getattr(environment, name, None) for name in COMPILE_SETTINGS)
    )


# How cookiecutter sets up Jinja for a template without `_jinja2_env_vars`.
PLAIN = plain_settings(jinja2.Environment(keep_trailing_newline=True))


def cacheable(environment: Any) -> bool:
    """Only environments set up as this template's bakes are use the cache:
    one changed by a replay or config file (`_jinja2_env_vars`), which the
    answer checks then refuse, neither reads nor writes it."""
    return plain_settings(environment) == PLAIN


def compiler_key(environment: Any) -> str:
    """What, beside a template's source, decides the code Jinja compiles it
    into: this module (the sandbox rewrites every template), the versions of
    Jinja, cookiecutter and Python, the environment's class, extensions and
    settings. Worked out once per environment."""
    known = getattr(environment, "lifecycle_compiler_key", None)
    if known is not None:
        return known
    settings = (
        MODULE_DIGEST,
        jinja2.__version__,
        cookiecutter.__version__,
        sys.implementation.cache_tag,
        [f"{c.__module__}.{c.__qualname__}" for c in type(environment).__mro__],
        sorted(environment.extensions),
        plain_settings(environment),
    )
    environment.lifecycle_compiler_key = hashlib.sha256(repr(settings).encode()).hexdigest()[:32]
    return environment.lifecycle_compiler_key


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's bytecode cache, keyed also by `compiler_key`, so that a changed
    template, sandbox or library never runs stale code. An entry is code (and
    a pickle) that runs in the baking process, so only entries in a folder
    that no one else can write to, in files that are this user's alone, are
    read. Reading and writing are best effort: a cache that cannot be used,
    or an entry that is damaged, only costs speed."""

    def get_bucket(self, environment: Any, name: str, filename: Any, source: str) -> Any:
        if not cacheable(environment):
            return Bucket(environment, "", "")  # never filled from, nor written to, disk
        key = f"{compiler_key(environment)}|{name}"
        return super().get_bucket(environment, key, filename, source)

    def load_bytecode(self, bucket: Any) -> None:
        path = Path(self.directory, self.pattern % (bucket.key,))
        try:
            if not is_private_folder(path.parent):
                return
            with path.open("rb") as entry:
                if is_private_file(os.fstat(entry.fileno())):
                    bucket.load_bytecode(entry)
        except FileNotFoundError:
            bucket.reset()
        except Exception:  # damaged: compile as if not cached, and drop it
            bucket.reset()
            with contextlib.suppress(OSError):
                path.unlink()

    def dump_bytecode(self, bucket: Any) -> None:
        if not bucket.key:
            return
        try:
            Path(self.directory).mkdir(mode=0o700, parents=True, exist_ok=True)
            if is_private_folder(Path(self.directory)):
                super().dump_bytecode(bucket)
        except OSError:
            pass


def is_private_folder(folder: Path) -> bool:
    """Whether `folder` is a real folder owned by this user that no one else
    can write to. (Windows: whether it is a folder; its ACLs are not read.)"""
    try:
        found = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(found.st_mode) and is_private_file(found)


def is_private_file(found: os.stat_result) -> bool:
    """Whether a file (or folder) with these details is this user's alone:
    owned by them, writable by no one else, no hard link elsewhere."""
    if not hasattr(os, "getuid"):
        return True
    alone = stat.S_ISDIR(found.st_mode) or found.st_nlink == 1
    others_write = found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    return found.st_uid == os.getuid() and not others_write and alone


_caches: dict[Path, CompiledTemplates] = {}


def cache_folder() -> Path | None:
    """The folder for compiled templates, or None when caching is off. It must
    be absolute: cookiecutter changes the working folder during a bake, and
    a relative one would land inside the template."""
    chosen = os.environ.get(CACHE_VARIABLE, "")
    if chosen == "off":
        return None
    if chosen:
        folder = Path(chosen).expanduser()
        return folder if folder.is_absolute() else None
    base = os.environ.get("LOCALAPPDATA" if os.name == "nt" else "XDG_CACHE_HOME", "")
    try:
        home = Path.home() / ".cache"
    except RuntimeError:  # no home folder
        return None
    root = Path(base) if Path(base).is_absolute() else home  # XDG: a relative one is ignored
    return root / "ml-lifecycle" / "jinja"


def compiled_templates() -> CompiledTemplates | None:
    """One cache per folder and process; old entries go when it is first used."""
    folder = cache_folder()
    if folder is None:
        return None
    if folder not in _caches:
        remove_old_entries(folder)
        _caches[folder] = CompiledTemplates(str(folder))
    return _caches[folder]


def remove_old_entries(folder: Path) -> None:
    """Entries of earlier template versions are never read again: drop what
    has not been written for CACHE_DAYS (a live entry is just compiled anew),
    and what an interrupted write left behind. Only in the user's own folder."""
    oldest = time.time() - CACHE_DAYS * 86_400
    if not is_private_folder(folder):
        return
    try:
        for entry in folder.glob("__jinja2_*"):
            if entry.stat().st_mtime < oldest:
                entry.unlink()
    except OSError:
        pass


# --- hooks in cookiecutter's process ---------------------------------------------


def hook_module(script_path: Any) -> Any:
    """This template's hook at `script_path`, loaded as a module, or None for
    any other script (another template's hooks run as cookiecutter runs them)."""
    path = Path(script_path).resolve()
    if path.name not in HOOK_NAMES or not (path.parent.parent / "lifecycle_sandbox.py").is_file():
        return None
    module = load_module(path)
    return module if callable(getattr(module, "in_process", None)) else None


def run_hooks_in_process(original: Any) -> Any:
    """Wrap cookiecutter's hook runner: this template's hooks run in process
    through their `in_process(context, project)`, with the answers as data
    rather than rendered into a script; a non-zero result fails the hook as
    a failing script would."""

    def run_script_with_context(script_path: Any, cwd: Any, context: dict, *more: Any) -> None:
        module = hook_module(script_path)
        if module is None:
            return original(script_path, cwd, context, *more)
        status = hook_status(module, context, Path(cwd))
        if status:
            raise FailedHookException(f"Hook script failed (exit status: {status})")
        return None

    run_script_with_context.lifecycle_wrapped = original
    return run_script_with_context


def hook_status(module: Any, context: dict, project: Path) -> int:
    """Run a hook's `in_process` as Python would run the script: its exit
    status, with an uncaught exception's traceback or `sys.exit`'s message
    printed to stderr and counted as status 1."""
    try:
        status = module.in_process(context, project)
    except SystemExit as exit:
        status = exit.code
    except Exception:
        traceback.print_exc()
        return 1
    if status is None or isinstance(status, int):
        return status or 0
    print(status, file=sys.stderr)
    return 1


def install_in_process_hooks() -> None:
    """Once per process. A cookiecutter without this runner runs the hook
    files as scripts, through their `main()`."""
    runner = getattr(cookiecutter.hooks, "run_script_with_context", None)
    if runner is not None and not hasattr(runner, "lifecycle_wrapped"):
        cookiecutter.hooks.run_script_with_context = run_hooks_in_process(runner)


class Sandbox(Extension):
    """Turn the environment this extension is loaded into into a bounded sandbox."""

    def __init__(self, environment: Any) -> None:
        global _REPLACE
        super().__init__(environment)
        cls = type(environment)
        if not issubclass(cls, LifecycleSandbox):
            environment.__class__ = type(f"Sandboxed{cls.__name__}", (LifecycleSandbox, cls), {})
        environment.binop_table = LifecycleSandbox.default_binop_table.copy()
        environment.unop_table = LifecycleSandbox.default_unop_table.copy()
        environment.template_class = FileTemplate
        environment.bytecode_cache = compiled_templates()
        install_in_process_hooks()
        environment.globals["range"] = bounded_range
        environment.globals["lifecycle_template_json"] = lambda: json.dumps(
            template_context(), ensure_ascii=False
        )
        _REPLACE = environment.filters["replace"] if _REPLACE is None else _REPLACE
        environment.filters = {
            name: _guard_filter(function) for name, function in environment.filters.items()
        }
        environment.filters["lifecycle_loop"] = _loop
        environment.filters["lifecycle_size"] = _check_size
        environment.filters["lifecycle_output"] = _output
