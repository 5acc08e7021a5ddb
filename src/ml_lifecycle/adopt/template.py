"""The template an adoption renders, and where the package came from.

The template travels inside the package: a wheel holds the tree cookiecutter
bakes (cookiecutter.json, hooks/, the Jinja extensions, templates/ and the
project folder) as `ml_lifecycle/template/`, and an editable install uses
the checkout it runs from. So `ml-lifecycle adopt` needs no network, and the
stubs it writes are those of the very version whose plugin and checker read
them. It renders them as a bake does: cookiecutter's own prompts and
rendering, with the template's sandbox and fact extensions loaded from
`_extensions`, and the pre-generation hook's checks (`problems()` of
hooks/pre_gen_project.py) on the answers, into a temporary folder.

The pin the project gets (requirements-lifecycle.txt) is worked out by the
template's lifecycle_source.py from where this package was installed from:
pip's record of a git install (`direct_url.json`: the repository and the
commit) makes it `ml-lifecycle @ git+<url>@<commit>`, as a bake from that
repository at that commit would; an editable install pins its checkout's
remote and HEAD, as a bake from a clone does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

PACKAGE = "ml-lifecycle"
HERE = Path(__file__).resolve().parent
# Package data in a wheel; the checkout itself for an editable install.
PACKAGED = HERE.parent / "template"
CHECKOUT = HERE.parents[2]
TEMPLATE_FILES = ("cookiecutter.json", "lifecycle_sandbox.py", "hooks/pre_gen_project.py")


class TemplateError(Exception):
    """The template cannot be used or the answers were refused; str() is one line."""


def template_folder() -> Path:
    for folder in (PACKAGED, CHECKOUT):
        if all((folder / name).is_file() for name in TEMPLATE_FILES):
            return folder
    raise TemplateError(
        f"this installation of {PACKAGE} holds no template (no {PACKAGED}): "
        "install it from its repository, as requirements-lifecycle.txt does"
    )


def template_json(folder: Path) -> dict:
    return json.loads((folder / "cookiecutter.json").read_text(encoding="utf-8"))


def installed_from() -> dict[str, str]:
    """Private answers that tell lifecycle_source.py where this package came
    from, as cookiecutter and cruft record it: `_template` and `_commit` for
    a git install, `_repo_dir` for a folder (an editable checkout)."""
    try:
        text = metadata.distribution(PACKAGE).read_text("direct_url.json")
        found = json.loads(text) if text else {}
    except (metadata.PackageNotFoundError, ValueError, OSError):
        found = {}
    url = str(found.get("url") or "") if isinstance(found, dict) else ""
    vcs = found.get("vcs_info") if isinstance(found, dict) else None
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return {"_template": url, "_commit": str(vcs["commit_id"])}
    if url.startswith("file://"):
        return {"_repo_dir": unquote(urlsplit(url).path)}
    if template_folder() == CHECKOUT:
        return {"_repo_dir": str(CHECKOUT)}
    return {}


@contextlib.contextmanager
def importable(folder: Path) -> Iterator[None]:
    """The template's folder on sys.path, as cookiecutter puts it while
    baking, so that `_extensions` can be imported."""
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(folder))


def hook_checks(folder: Path):
    """hooks/pre_gen_project.py as a module: its `problems()`."""
    spec = importlib.util.spec_from_file_location(
        "lifecycle_pre_gen_checks", folder / "hooks" / "pre_gen_project.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def template_source(folder: Path, answers: dict) -> dict:
    """lifecycle_source.template_source of the template: the pin's kind,
    requirement, git url and commit."""
    spec = importlib.util.spec_from_file_location(
        "lifecycle_source_for_adopt", folder / "lifecycle_source.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.template_source(answers)


def ask(folder: Path, given: dict[str, str], no_input: bool, source: dict | None = None) -> dict:
    """The answers: cookiecutter's prompts (or, with no_input, its defaults)
    over the template's questions, `given` first, in the template's
    sandbox; then the pre-generation hook's checks. `source` says where the
    template came from (default: where this package was installed from).
    Raises TemplateError."""
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context_file = folder / "cookiecutter.json"
    with importable(folder):
        try:
            context = generate_context(str(context_file), None, dict(given))
            context["cookiecutter"].update(installed_from() if source is None else source)
            answers = dict(prompt_for_config(context, no_input))
        except CookiecutterException as error:
            raise TemplateError(refusal_text(error)) from None
        except ValueError as error:  # a choice outside its list, as cookiecutter says it
            raise TemplateError(str(error).splitlines()[0]) from None
    found = hook_checks(folder).problems(answers, dict(given), template_json(folder))
    if found:
        raise TemplateError(found[0])
    return answers


def refusal_text(error: Exception) -> str:
    """The sandbox's refusal (it printed its own `error:` line) as text."""
    text = str(error)
    marker = "the answers were refused ("
    if marker in text:
        return text.split(marker, 1)[1].rstrip(")")
    return text.splitlines()[0] if text else type(error).__name__


@contextlib.contextmanager
def quiet():
    """Standard output and error of this process and its children go to
    the null device for the duration (the hooks run as child processes)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def render(folder: Path, answers: dict, into: Path) -> Path:
    """The project as a bake with these answers writes it, in `into`
    (a new temporary folder), hooks included: the post-generation hook
    records each document's sections (.lifecycle-template.yml). What the
    hooks print is for a bake, and is discarded. Raises TemplateError."""
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_files

    context = {"cookiecutter": answers, "_cookiecutter": answers}
    with importable(folder), quiet():
        try:
            project = generate_files(str(folder), context, output_dir=str(into), accept_hooks=True)
        except CookiecutterException as error:
            raise TemplateError(refusal_text(error)) from None
    return Path(project)


def rendered_files(project: Path) -> dict[str, bytes]:
    """Every file of a rendered project, by its path in the project."""
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


def render_files(folder: Path, answers: dict) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory(prefix="ml-lifecycle-adopt-") as temporary:
        return rendered_files(render(folder, answers, Path(temporary)))
