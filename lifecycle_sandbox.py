"""Answers are data, never code: the template's Jinja extension.

Cookiecutter renders each answer given as `key=value`, in a config file's
`default_context`, in the Python API's `extra_context` or by cruft (`create`,
`link`, `update`, `--extra-context`, a `.cruft.json`) as a Jinja template
before any hook can look at it, so `{{ cycler.__init__.__globals__.os.system('id') }}`
typed as a project name would run. `cookiecutter.json` lists
`lifecycle_sandbox.Sandbox` in `_extensions`; cookiecutter and cruft load it
into every Jinja environment they create. Two layers:

1. Refusal before rendering. A string that holds a template delimiter is
   compiled only if it is one of the template's own (a default in
   `cookiecutter.json`, a file or folder name, a hook), and rendered only
   where the template renders it: a default while its question is still
   open, a name or a hook once every question is answered. Anything else is
   an answer, refused with one `error:` line before it is parsed.
2. Jinja's sandbox, bounded. Attribute access and calls follow
   `jinja2.sandbox`; `range`, repetition, powers, widths, string growth and
   filters are capped; each rendering of a string also has a budget of loop
   steps, output and time.

`cookiecutter.json` opens with `__sandbox`, which only this extension can
render: an environment where `_extensions` was changed stops there, before
the first answer. Answers that arrive unrendered (typed at a prompt, a
replay file) are data, and the pre-generation hook refuses delimiters in
them. Nothing is written and nothing is cached.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cookiecutter.exceptions import FailedHookException
from jinja2 import Template, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.ext import Extension
from jinja2.sandbox import SandboxedEnvironment

DELIMITERS = ("{{", "}}", "{%", "%}", "{#", "#}")
# No rendering of this template needs more than these; answers get no more.
MAX_RANGE = 10_000  # items in one range()
MAX_SIZE = 200_000  # characters or items made by one operation
MAX_INT_BITS = 4_096  # bits in an integer made by * or **
MAX_STEPS = 1_000_000  # loop iterations, calls and operators in one rendering
MAX_OUTPUT = 5_000_000  # characters written by expressions in one rendering
SECONDS_PER_RENDER = 1.0  # wall clock for rendering one string
WIDE_FORMAT = re.compile(r"[0-9]{6,}")
HOOKS = Path(__file__).resolve().parent / "hooks"


class AnswerRefused(FailedHookException, SecurityError):
    """An answer was refused. A `FailedHookException`, so the cookiecutter
    command prints the message as one line and exits 1, and a `SecurityError`,
    so Jinja-aware callers can catch it as one."""

    def __init__(self, line: str) -> None:
        # Like the pre-generation hook: the `error:` line goes to stderr, and
        # the exception (which the cookiecutter command prints) says why.
        print(line, file=sys.stderr, flush=True)
        super().__init__(f"Stopping generation: the answers were refused ({line[7:]})")


def delimiter_in(text: str, marks: tuple[str, ...] = DELIMITERS) -> str | None:
    """The first template delimiter in `text`, if any."""
    found = [(text.find(mark), mark) for mark in marks if mark in text]
    return min(found)[1] if found else None


def _quote(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def refusal(source: str, marks: tuple[str, ...] = DELIMITERS) -> AnswerRefused:
    return AnswerRefused(
        f"error: answers are data, not template code: {_quote(source)} holds the "
        f"template delimiter {delimiter_in(source, marks)!r}"
    )


# --- layer 1: the template's own strings -------------------------------------


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON value, dictionary keys included (cookiecutter
    renders both)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)


class TemplateText:
    """The strings with template code that one template folder renders from
    strings: its defaults by question, its file and folder names, its hooks."""

    def __init__(self, folder: Path) -> None:
        self.context = json.loads((folder / "cookiecutter.json").read_text(encoding="utf-8"))
        self.defaults = {
            key: {text for text in strings_in(value) if delimiter_in(text)}
            for key, value in self.context.items()
        }
        self.names: set[str] = set()
        for top in folder.iterdir():
            if top.is_dir() and "cookiecutter" in top.name:
                self.names.add(top.name)
                self.names.update(os.path.relpath(path, top) for path in walk(top))
        hooks = folder / "hooks"
        found = hooks.iterdir() if hooks.is_dir() else ()
        self.hooks = {path.read_text(encoding="utf-8") for path in found}

    def owns(self, source: str) -> bool:
        """Whether any part of the template renders `source`."""
        defaults = self.defaults.values()
        return self.is_name_or_hook(source) or any(source in found for found in defaults)

    def is_name_or_hook(self, source: str) -> bool:
        # Cookiecutter names a folder by its place in the output folder:
        # `<project folder>/./docs/01-problem-definition`.
        prefix, here, below = source.rpartition(f"{os.sep}.{os.sep}")
        if here and not delimiter_in(prefix):
            source = below
        return source in self.names or source in self.hooks

    def renders_here(self, source: str, answers: Mapping) -> bool:
        """Whether the template renders `source` with these answers: a default
        of the question cookiecutter is at (the first one without an answer,
        as it asks them in order), a name or a hook once all are answered."""
        unanswered = [key for key in self.context if key not in answers]
        if unanswered and source in self.defaults[unanswered[0]]:
            return True
        answered = not any(key for key in unanswered if not key.startswith("_"))
        return answered and self.is_name_or_hook(source)


def walk(top: Path) -> Iterator[str]:
    for root, folders, files in os.walk(top):
        for name in (*folders, *files):
            yield os.path.join(root, name)


def template_folders() -> list[Path]:
    """Folders of this template that cookiecutter or cruft may be baking: the
    one this module was imported from, and any on `sys.path` (both put the
    template there while they bake)."""
    found = [HOOKS.parent]
    for entry in sys.path:
        folder = Path(entry or ".")
        if (folder / "lifecycle_sandbox.py").is_file() and (folder / "cookiecutter.json").is_file():
            found.append(folder.resolve())
    return list(dict.fromkeys(found))


def template_texts(environment: Any) -> list[TemplateText]:
    """Read once per environment: cruft renders two commits of one template
    folder in one process, each with environments of its own."""
    if environment.lifecycle_texts is None:
        environment.lifecycle_texts = [TemplateText(folder) for folder in template_folders()]
    return environment.lifecycle_texts


def template_context() -> dict:
    """The template's own cookiecutter.json. Cookiecutter renders the hooks with
    the template folder as the working directory; elsewhere, this module's."""
    for folder in (Path.cwd(), HOOKS.parent):
        if (folder / "cookiecutter.json").is_file() and (folder / "lifecycle_sandbox.py").is_file():
            return json.loads((folder / "cookiecutter.json").read_text(encoding="utf-8"))
    raise AnswerRefused("error: cannot find the template's cookiecutter.json")


@functools.cache
def hook_checks() -> Any:
    """The pre-generation hook's checks, to explain a failure in one line."""
    spec = importlib.util.spec_from_file_location("lifecycle_checks", HOOKS / "pre_gen_project.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- layer 2: Jinja's sandbox, bounded --------------------------------------------


class _Budget(threading.local):
    deadline: float | None = None
    steps: int = 0
    output: int = 0


_budget = _Budget()


def _charge() -> None:
    """Count work done by the current rendering; refuse when it runs too long."""
    if _budget.deadline is None:
        return
    _budget.steps += 1
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
        count = text.count(old) if old else len(text) + 1
        if grow > 0 and len(text) + count * grow > MAX_SIZE:
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
    if hasattr(function, "lifecycle_guarded") or function in BUDGET_FILTERS.values():
        return function
    skip = 2 if hasattr(function, "jinja_pass_arg") else 1  # context, then the value

    def guarded(*args: Any, **kwargs: Any) -> Any:
        _charge()
        _check_arguments([*args[skip:], *kwargs.values()])
        if function.__name__ == "do_replace" and len(args) >= skip + 2:
            _bounded_replace(*args[skip - 1 :])
        return _check_size(function(*args, **kwargs))

    if hasattr(function, "jinja_pass_arg"):
        guarded.jinja_pass_arg = function.jinja_pass_arg
    guarded.lifecycle_guarded = True
    return guarded


# Filters the budget adds to every template made from a string. Their names
# stay as they are: `__sandbox` in cookiecutter.json uses one, and `cruft
# update` renders a newer commit with the extension of the older one.
BUDGET_FILTERS = {
    "lifecycle_loop": _loop,
    "lifecycle_size": _check_size,
    "lifecycle_output": _output,
}


def guard_filters(environment: Any) -> None:
    environment.filters.update({k: _guard_filter(f) for k, f in environment.filters.items()})
    environment.filters.update(BUDGET_FILTERS)


class LifecycleSandbox(SandboxedEnvironment):
    """Jinja's sandbox with bounded work. Mixed into cookiecutter's own
    environment class by `Sandbox`, so its other behaviour stays the same."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//", "/", "-"})
    lifecycle_texts: list[TemplateText] | None = None
    lifecycle_plain_code: Any = None

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
        """Parse as usual. In a template made from a string, route every loop,
        every output and every `~` through the budget. (Template files are the
        template's own code, rendered with answers as data.)"""
        tree = super()._parse(source, name, filename)
        guard_filters(self)  # again: an extension listed after this one may add some
        if name is None:
            budget_every_step(tree)
        return tree

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        """Every answer cookiecutter renders comes through here, as do the
        template's own strings: an answer with template code is refused before
        it is parsed (layer 1). Plain text, most of what comes here (choices,
        file names), renders to itself: it is not compiled."""
        text = str(source)
        if delimiter_in(text, delimiters(self)):
            if not any(found.owns(text) for found in template_texts(self)):
                raise refusal(text, delimiters(self))
        elif isinstance(source, str) and renders_to_itself(self, source):
            if self.lifecycle_plain_code is None:
                self.lifecycle_plain_code = self.compile("{{ lifecycle_plain }}")
            namespace = self.make_globals({**(globals or {}), "lifecycle_plain": source})
            template = StringTemplate.from_code(self, self.lifecycle_plain_code, namespace, None)
            template.source_text = source
            return template
        template = super().from_string(source, globals, StringTemplate)
        template.source_text = text
        return template


def delimiters(environment: Any) -> tuple[str, ...]:
    """The template delimiters of this environment (cookiecutter's are Jinja's)."""
    return (
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
    )


def renders_to_itself(environment: Any, source: str) -> bool:
    """Whether text without delimiters renders unchanged: Jinja would turn
    Windows line ends into `newline_sequence`, strip a last line end, read a line
    prefix, or escape or finalize what `{{ lifecycle_plain }}` writes."""
    prefixes = environment.line_statement_prefix or environment.line_comment_prefix
    stripped = source.endswith("\n") and not environment.keep_trailing_newline
    changed = environment.autoescape or environment.finalize is not None
    return not (prefixes or stripped or changed or "\r" in source)


def budget_every_step(tree: nodes.Template) -> None:
    """Wrap each loop, output and concatenation in the budget's filters (one
    walk over the tree, nodes listed before any is changed)."""
    found, pending = [], [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        pending.extend(node.iter_child_nodes())
    for node in found:
        if isinstance(node, nodes.For):
            node.iter = nodes.Filter(node.iter, "lifecycle_loop", [], [], None, None)
            node.iter.set_lineno(node.lineno)
        elif isinstance(node, nodes.Output):
            node.nodes = [
                child
                if isinstance(child, nodes.TemplateData)
                else nodes.Filter(child, "lifecycle_output", [], [], None, None, lineno=node.lineno)
                for child in node.nodes
            ]
        elif isinstance(node, nodes.Concat):
            node.nodes = [
                nodes.Filter(child, "lifecycle_size", [], [], None, None, lineno=node.lineno)
                for child in node.nodes
            ]


class StringTemplate(Template):
    """A template made from a string: a default, a name, a hook (or, if layer
    1 was passed some other way, an answer). Rendered only where the template
    renders it, within a budget; a refusal is one `error:` line."""

    source_text = ""

    def render(self, *args: Any, **kwargs: Any) -> str:
        answers = kwargs.get("cookiecutter")
        marks = delimiters(self.environment)
        if delimiter_in(self.source_text, marks):
            texts = template_texts(self.environment)
            if not isinstance(answers, Mapping) or not any(
                text.renders_here(self.source_text, answers) for text in texts
            ):
                raise refusal(self.source_text, marks)
        if isinstance(answers, Mapping) and "project_slug" not in answers:
            refuse_blank_name(self.source_text, answers)
        if isinstance(answers, Mapping) and delimiter_in(str(answers.get("_output_dir", ""))):
            # Cookiecutter renders folder paths with the output folder in
            # front; stop before it creates the project folder there.
            output = str(answers["_output_dir"])
            raise AnswerRefused(
                f"error: the output folder {_quote(output)} holds the template delimiter "
                f"{delimiter_in(output)!r}; cookiecutter would render it as a template"
            )
        if _budget.deadline is not None:  # nested: the outer budget applies
            return super().render(*args, **kwargs)
        _budget.deadline = time.monotonic() + SECONDS_PER_RENDER
        _budget.steps = _budget.output = 0
        try:
            return super().render(*args, **kwargs)
        except AnswerRefused:
            raise
        except (TemplateError, ArithmeticError, RecursionError, MemoryError) as error:
            raise AnswerRefused(
                f"error: answers are data, not template code ({error}) "
                f"in {_quote(self.source_text)}"
            ) from error
        except Exception as error:  # e.g. `project_name: true` reaching `slugify`
            found = isinstance(answers, Mapping) and hook_checks().check_types(
                answers, template_context()
            )
            raise AnswerRefused(
                f"error: {found}"
                if found
                else f"error: cannot use the answers in {_quote(self.source_text)}: "
                f"{type(error).__name__}: {error}"
            ) from error
        finally:
            _budget.deadline = None


def refuse_blank_name(source: str, answers: Mapping) -> None:
    """While prompting: a default derived from an empty (or all-space) project
    name, such as the folder name, would be empty; stop at once."""
    name = answers.get("project_name")
    if "cookiecutter.project_name" in source and isinstance(name, str) and not name.strip():
        raise AnswerRefused(f"error: {hook_checks().check_text('project_name', name)}")


@functools.cache
def sandboxed(cls: type) -> type:
    """Cookiecutter's environment class with the sandbox mixed in."""
    if issubclass(cls, LifecycleSandbox):
        return cls
    return type(f"Sandboxed{cls.__name__}", (LifecycleSandbox, cls), {})


class Sandbox(Extension):
    """Turn the environment this extension is loaded into into a bounded sandbox."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.__class__ = sandboxed(type(environment))
        environment.binop_table = LifecycleSandbox.default_binop_table.copy()
        environment.unop_table = LifecycleSandbox.default_unop_table.copy()
        # Jinja's optimizer folds constants while compiling; in this template it
        # changes no output and costs a tenth of a bake's compile time.
        environment.optimized = False
        environment.globals["range"] = bounded_range
        environment.globals["lifecycle_template_json"] = lambda: json.dumps(
            template_context(), ensure_ascii=False
        )
        guard_filters(environment)
