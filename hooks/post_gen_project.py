"""Tell the user what was generated and what to do next."""

from __future__ import annotations

import json
import sys
from pathlib import Path


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


def next_steps(answers: dict, project: Path) -> str:
    slug = answers["project_slug"]
    docs = document_paths(answers, project)
    lines = [
        f"Created {slug}/ with {len(docs)} lifecycle documents:",
        *(f"  {path}" for path in docs),
        "",
        "Next steps:",
        f"  cd {slug}",
        "  git init && git add . && git commit -m 'Bake from ml-lifecycle'",
        "  make docs     # build the site into site/ (creates .venv on first run)",
        "  make serve    # preview at http://127.0.0.1:8000",
        "  make check    # list what is still unfilled or overdue",
        "Fill each document by replacing its highlighted TODO markers.",
    ]
    return "\n".join(lines)


def remove_empty_folders(project: Path) -> None:
    """A CI file that was not chosen leaves its (empty) folders behind."""
    for folder in (project / ".github" / "workflows", project / ".github"):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def main() -> int:
    remove_empty_folders(Path.cwd())
    print(next_steps(rendered_answers(), Path.cwd()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
