"""The guide's high-risk worked example, examples/credit-scoring/, as a project.

The folder holds the team's record only: `docs/` (the filled-in documents,
the records across the lifecycle and the evidence files they cite) and
`project.yml` (the answers the project was baked with, its evidence sources
and the day it is shown as on). Everything else comes from the template, as
in any baked project:

- `assemble(target)` bakes the template with the answers, lays `docs/` over
  the baked documents and declares the evidence in `lifecycle.yml`;
- `build_site(project, site)` writes the EU declaration of conformity, the
  instructions for use and the dossier with the package's commands, then
  builds the site with the `lifecycle` plugin as on the example's day, so
  its status boxes, traceability page and evidence links are the plugin's.

The guide (guide/build.py) builds it into build/guide/ and serves it under
`examples/credit-scoring/`. To look at it as a project:

    python -m guide.example build/credit-scoring     # assemble, then build its site
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "examples" / "credit-scoring"
# Where the guide serves the example's site, relative to the guide's docs/.
SITE_PATH = "examples/credit-scoring"
# The pages the package's commands write into the example's docs/ before the
# site is built, and the dossier, copied as a file.
DECLARATION_PAGE = "eu-declaration-of-conformity.md"
INSTRUCTIONS_PAGE = "instructions-for-use.md"
DOSSIER_FILE = "dossier.html"
SITE_CONFIG = "mkdocs.example.yml"


class ExampleError(Exception):
    """The example could not be assembled or built; the message says why."""


def settings(folder: Path = FOLDER) -> dict:
    return yaml.safe_load((folder / "project.yml").read_text(encoding="utf-8"))


def today(folder: Path = FOLDER) -> dt.date:
    value = settings(folder)["today"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def assemble(target: Path, folder: Path = FOLDER) -> Path:
    """Bake the template with the example's answers into `target`, lay the
    example's docs/ over it and declare its evidence; the project's folder."""
    from guide import build  # the one way the guide bakes

    data = settings(folder)
    project = build.bake(data["answers"], target).path
    source = folder / "docs"
    for path in sorted(source.rglob("*")):
        if path.is_file():
            destination = project / "docs" / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    evidence = "".join(f"  {name}: {where}\n" for name, where in data["evidence"].items())
    with (project / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write(f"\nevidence:\n{evidence}")
    return project


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    """A command of the package, run in the project as a team runs it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=project, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise ExampleError(f"`{' '.join(args)}` failed in the example: {result.stderr.strip()}")
    return result


def build_site(project: Path, site: Path, day: dt.date) -> Path:
    """The deliverables and the dossier, then the site as on `day`."""
    date = day.isoformat()
    for command, out in (
        ("dossier", f"build/{DOSSIER_FILE}"),
        ("declaration", f"docs/{DECLARATION_PAGE}"),
        ("instructions", f"docs/{INSTRUCTIONS_PAGE}"),
    ):
        run(project, "ml_lifecycle", command, "--date", date, "--out", out)
    shutil.copyfile(project / "build" / DOSSIER_FILE, project / "docs" / DOSSIER_FILE)
    config = (
        "# The example's site as on its day (guide/example.py).\n"
        "INHERIT: mkdocs.yml\n"
        "plugins:\n"
        "  - search\n"
        "  - lifecycle:\n"
        f"      today: {date}\n"
    )
    (project / SITE_CONFIG).write_text(config, encoding="utf-8")
    # Built inside the project (the plugin refuses a site_dir outside it
    # under an INHERIT config), then copied where the caller wants it.
    built = project / "site"
    run(project, "mkdocs", "build", "--strict", "--quiet", "-f", SITE_CONFIG, "-d", str(built))
    if site.resolve() != built.resolve():
        shutil.copytree(built, site)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Assemble the high-risk worked example.")
    parser.add_argument("target", type=Path, help="an empty folder to bake the example into")
    args = parser.parse_args(argv)
    try:
        project = assemble(args.target)
        site = build_site(project, project / "site", today())
    except ExampleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"The example project is in {project}; its site in {site}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
