"""Tell the user what was generated and what to do next.

The message is for a first bake only: cruft renders the template again into
temporary folders during `cruft update` and `cruft diff`, where it stays quiet.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import tempfile
from pathlib import Path

# The ml-lifecycle pin, rendered by the template (lifecycle_source.py), and
# the prefix of its warning when the pin works on this machine only.
PIN_FILE = "requirements-lifecycle.txt"
WARNING = "# WARNING: "
# The sections each document was baked with, for `ml-lifecycle check`.
SECTIONS_FILE = ".lifecycle-template.yml"
SECTIONS_HEADER = """\
# The sections the template gave each document, written by every bake and
# every `cruft update`. `make check` reports a document that lacks one of
# them, such as a document an update reverted to an older version: add the
# section back (the guide shows each document's questions). To leave a
# section out on purpose, delete its line here.
"""


class HookError(Exception):
    """Why the bake cannot finish, as one line."""


def rendered_answers() -> dict:
    """The answers, serialised into this file by cookiecutter."""
    return json.loads({{cookiecutter | tojson | tojson}})  # noqa: F821


def document_paths(answers: dict, project: Path) -> list[str]:
    """Lifecycle documents that exist in the baked project, in phase order."""
    paths = []
    for phase in answers["_phases"]:
        for doc in phase["documents"]:
            relative = f"docs/{phase['folder']}/{doc['id']}.md"
            if (project / relative).is_file():
                paths.append(relative)
    return paths


def shown_path(project: Path, start: str | None) -> str:
    """The project's path as the user can type it from the folder they ran the
    command in (`start`, the shell's $PWD): relative below it, absolute
    otherwise, quoted for the shell when it needs quoting."""
    path = str(project)
    if start:
        try:
            relative = project.resolve().relative_to(Path(start).resolve())
        except (ValueError, OSError):
            relative = None
        if relative is not None and relative.parts:
            path = relative.as_posix()
    return shlex.quote(path)


def is_rerender(answers: dict, project: Path) -> bool:
    """Whether cruft is rendering the template again to compare or update a
    project (`cruft update`, `cruft diff`): it bakes into a fresh temporary
    folder, and records the template commit in `_commit`."""
    if "_commit" not in answers:
        return False
    parent = project.resolve().parent
    return parent.parent == Path(tempfile.gettempdir()).resolve() and parent.name.startswith("tmp")


def tools_source(project: Path) -> tuple[str, list[str]]:
    """The ml-lifecycle pin the bake wrote (the last line of
    requirements-lifecycle.txt) and its warning, if any, as lines of text."""
    lines = (project / PIN_FILE).read_text(encoding="utf-8").splitlines()
    pin = lines[-1] if lines else ""
    warning: list[str] = []
    for line in lines[:-1]:
        if line.startswith(WARNING):
            warning = [line[len(WARNING) :]]
        elif warning and line.startswith("#   "):
            warning.append(line[4:])
    return pin, warning


def next_steps(answers: dict, project: Path, start: str | None = None) -> str:
    where = shown_path(project, start)
    docs = document_paths(answers, project)
    pin, warning = tools_source(project)
    lines = [
        f"Created {where} with {len(docs)} lifecycle documents:",
        *(f"  {path}" for path in docs),
        "",
        f"Its tools come from {PIN_FILE}:",
        f"  {pin}",
    ]
    if warning:
        lines += ["", "Warning: " + " ".join(part.strip() for part in warning if part.strip())]
    lines += [
        "",
        "Next steps:",
        f"  cd {where}",
        "  git init && git add . && git commit -m 'Bake from ml-lifecycle'",
        "  make serve    # build and preview the site at http://127.0.0.1:8000",
        "                # (installs the tools into .venv on first run, about a minute)",
        "  make check    # list what is still unfilled or overdue",
        "Fill each document by replacing its highlighted TODO markers.",
    ]
    return "\n".join(lines)


def sections_of(text: str) -> list[str]:
    """The level-2 headings of a document the template has just written
    (its own text: no code blocks, no attributes), after its front matter."""
    lines = text.split("\n")
    if lines and lines[0] == "---" and "---" in lines[1:]:
        lines = lines[lines.index("---", 1) + 1 :]
    return [line[3:].strip().rstrip("#").strip() for line in lines if line.startswith("## ")]


def recorded_documents(text: str) -> set[str] | None:
    """The documents SECTIONS_FILE already lists (their keys, as written
    here), or None when it holds no `sections:` mapping to add to."""
    lines = text.split("\n")
    if "sections:" not in lines:
        return None
    return {
        line[2:-1]
        for line in lines[lines.index("sections:") + 1 :]
        if line.startswith("  ") and not line.startswith("   ") and line.endswith(":")
    }


def write_sections(answers: dict, project: Path) -> None:
    """Record each document's sections in SECTIONS_FILE. A bake over an
    existing project (--overwrite-if-exists --skip-if-file-exists) keeps the
    file as it was, the team's deletions with it, and adds only documents it
    does not list yet: the others may hold the team's own headings by now."""
    path = project / SECTIONS_FILE
    if path.is_symlink():
        raise HookError(
            f"{SECTIONS_FILE} is a link: not followed; put the file itself in its place"
        )
    kept = path.read_text(encoding="utf-8") if path.is_file() else ""
    known = recorded_documents(kept)
    if known is None:
        kept, known = "", set()
    lines = [] if kept else [SECTIONS_HEADER.rstrip("\n"), "sections:"]
    for relative in document_paths(answers, project):
        if relative in known:
            continue
        text = (project / relative).read_text(encoding="utf-8")
        lines.append(f"  {relative}:")
        lines += [f"    - {json.dumps(title, ensure_ascii=False)}" for title in sections_of(text)]
    if kept and not lines:
        return
    head = kept.rstrip("\n") + "\n" if kept else ""
    replace_file(path, head + "\n".join(lines) + "\n")


def replace_file(path: Path, text: str) -> None:
    """Write `path` through a new file beside it, renamed over it: never into
    a file that another name (a link swapped in, a hard link) shares."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # O_EXCL: never open a file (or a link) already at the temporary name.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        if path.is_file():  # the mode the file had
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_empty_folders(project: Path) -> None:
    """A CI file that was not chosen leaves its (empty) folders behind."""
    for folder in (project / ".github" / "workflows", project / ".github", project / ".gitlab"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def finish(answers: dict, project: Path) -> int:
    remove_empty_folders(project)
    try:
        write_sections(answers, project)
    except HookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot write {SECTIONS_FILE}: {error.strerror or error}", file=sys.stderr)
        return 1
    if not is_rerender(answers, project):
        print(next_steps(answers, project, os.environ.get("PWD")))
    return 0


def main() -> int:
    return finish(rendered_answers(), Path.cwd())


if __name__ == "__main__":
    sys.exit(main())
