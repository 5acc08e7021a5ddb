"""`ml-lifecycle adopt [PATH]`: the lifecycle added to a repository that
already exists (cli.py lists it in COMMANDS).

    ml-lifecycle adopt                         # here, asking the template's questions
    ml-lifecycle adopt ../model --no-input project_name="Churn model" risk_level=high
    ml-lifecycle adopt --dry-run               # every file it would add, every line it would change

Exit status: 0 when everything was added; 1 when a file was already there
(skipped and named) or mkdocs.yml could not be edited safely (left as it
is, with the lines to add by hand); 2 when nothing could be done (not a
folder, adopted before, answers refused, a link or a file in the way).
Nothing is written before every check has passed; a write that fails
midway undoes the writes before it.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from pathlib import Path

from ml_lifecycle import limits, writing
from ml_lifecycle.adopt import plan as planning
from ml_lifecycle.adopt.record import RECORD_FILE, Record
from ml_lifecycle.adopt.site_config import (
    Unsafe,
    Wanted,
    docs_dir_of,
    plan_edit,
    read_site,
    unsafe_reason,
)
from ml_lifecycle.paths import shown
from ml_lifecycle.vocabulary import PHASES_FILE

ANSWER = re.compile(r"([A-Za-z][A-Za-z0-9_]*)=(.*)", re.DOTALL)
UPDATE_HINT = "to bring later template changes, run `ml-lifecycle update`"


class Refusal(Exception):
    """Nothing can be done; str() is the `error:` line's text."""


def add_adopt(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "items",
        nargs="*",
        metavar="[PATH] [key=value ...]",
        help="the repository (default: the current folder), then answers as cookiecutter "
        "takes them, e.g. project_name='Churn model' risk_level=high",
    )
    parser.add_argument(
        "--no-input", action="store_true", help="ask nothing: the given answers, else defaults"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="write nothing: list every file it would add and every line of mkdocs.yml it "
        "would change",
    )
    parser.add_argument(
        "--folder",
        metavar="NAME",
        help=f"the sub-folder of the site's docs_dir for the documents "
        f"(default: {planning.DEFAULT_FOLDER})",
    )
    parser.add_argument(
        "--site", metavar="FILE", help="the mkdocs.yml to add to (default: the one found)"
    )
    parser.set_defaults(needs_project=False)


def split_items(items: list[str]) -> tuple[Path, dict[str, str]]:
    """The repository and the answers among the positional arguments."""
    paths, answers = [], {}
    for item in items:
        match = ANSWER.fullmatch(item)
        if match and not Path(item).exists():
            answers[match[1]] = match[2]
        else:
            paths.append(item)
    if len(paths) > 1:
        raise Refusal(f"one repository at a time, not {len(paths)}: {', '.join(paths[:3])}")
    return Path(paths[0] if paths else "."), answers


def refuse_adopted(root: Path) -> None:
    if (root / RECORD_FILE).exists():
        raise Refusal(
            f"{shown(root)} has adopted the lifecycle already ({RECORD_FILE}): {UPDATE_HINT}"
        )
    if (root / PHASES_FILE).exists():
        raise Refusal(
            f"{shown(root)} holds {PHASES_FILE} already: it is a lifecycle project; to bring "
            "later template changes, use `cruft update` (the guide's 'Updating a project')"
        )


def run_adopt(args: argparse.Namespace) -> int:
    from ml_lifecycle.adopt import template

    try:
        root, given = split_items(args.items)
        if not root.is_dir():
            raise Refusal(f"{shown(root)} is not a folder: name the repository to adopt into")
        root = Path(root).absolute()
        refuse_adopted(root)
        site_path = planning.find_site(root, args.site)
        site = None
        if site_path is not None:
            site = read_site(root / site_path, root)
            docs_dir = site_docs_dir(site, site_path)
            layout = planning.layout_for(root, site_path, docs_dir, args.folder)
        else:
            layout = planning.layout_for(root, None, "docs", args.folder)
        folder = template.template_folder()
        answers = template.ask(folder, given, args.no_input)
        rendered = template.render_files(folder, answers)
        plan = planning.make_plan(root, layout, rendered)
    except (Refusal, planning.PlanError, template.TemplateError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except limits.Refused as error:
        print(f"error: {args.site or 'mkdocs.yml'} {error}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read the repository: {error}", file=sys.stderr)
        return 2
    if site is not None:
        plan.site = plan_edit(site, Wanted(layout.project, layout.sub + "/"))
    source = template.template_source(folder, answers)
    record = Record(
        template=source.get("url", ""),
        commit=source.get("commit", ""),
        version=version(),
        docs=layout.docs,
        site=layout.site,
        files=plan.files,
        answers={k: v for k, v in answers.items() if not k.startswith("_")},
    )
    plan.add[RECORD_FILE] = record.as_json().encode("utf-8")
    report_plan(plan, args.dry_run)
    if args.dry_run:
        return status(plan)
    try:
        write_plan(plan)
    except (limits.Refused, OSError) as error:
        print(f"error: {error}; nothing was added", file=sys.stderr)
        return 2
    next_steps(plan)
    return status(plan)


def site_docs_dir(site, site_path: str) -> str:
    """The site's docs_dir as mkdocs.yml writes it (MkDocs' default: docs),
    whether or not the file can be edited; PlanError when it cannot be known."""
    _, node = unsafe_reason(site.text)
    try:
        found = docs_dir_of(node, site.text) if node is not None else None
    except Unsafe as error:
        raise planning.PlanError(
            f"{site_path}: {error}: write it as a plain folder name; nothing was written"
        ) from None
    return found or "docs"


def version() -> str:
    from ml_lifecycle import __version__

    return __version__


def status(plan: planning.Plan) -> int:
    unsafe = plan.site is not None and plan.site.unsafe
    return 1 if plan.skipped or unsafe else 0


def report_plan(plan: planning.Plan, dry_run: bool) -> None:
    would = "Would add" if dry_run else "Adding"
    layout = plan.layout
    where = "a new MkDocs site" if layout.new_site else f"the MkDocs site {layout.site}"
    print(f"The lifecycle documents go in {layout.docs}/, shown by {where}.")
    print(f"{would} {len(plan.add)} files:")
    for path in sorted(plan.add):
        print(f"  {path}")
    if plan.site is not None:
        edit = plan.site
        if edit.unsafe:
            print(
                f"Leaving {layout.site} as it is: {edit.unsafe}. Add these lines to it by hand "
                "(merge them into the lists it has):"
            )
            print("\n".join(f"  {line}" for line in edit.manual))
        elif edit.edits:
            print(f"{'Would change' if dry_run else 'Changing'} {layout.site}:")
            print("\n".join(f"  {line}" for line in edit.diff(layout.site)))
        else:
            print(f"{layout.site} has what the documents need already")
    for path in plan.skipped:
        print(f"error: {path} is there already: skipped (not overwritten)", file=sys.stderr)


def write_plan(plan: planning.Plan) -> None:
    """Every new file, then the edit of mkdocs.yml, then the record; on a
    failure, the files written so far are removed again."""
    written: list[tuple[writing.Target, bytes]] = []
    made: list[Path] = []
    try:
        for path in sorted(plan.add, key=lambda p: (p == RECORD_FILE, p)):
            target = writing.Target(plan.root, tuple(path.split("/")))
            made += missing_folders(plan.root, path)
            writing.write(target, plan.add[path], writing.ABSENT)
            written.append((target, plan.add[path]))
        edit = plan.site
        if edit is not None and edit.edits and not edit.unsafe:
            target = writing.Target(plan.root, tuple(plan.layout.site.split("/")))
            writing.write(target, edit.new_bytes, edit.original)
    except BaseException:
        for target, data in reversed(written):
            with contextlib.suppress(limits.Refused, OSError):
                writing.remove(target, data)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def missing_folders(root: Path, path: str) -> list[Path]:
    """The folders on the way to `path` that do not exist yet, outermost first."""
    missing, current = [], root
    for name in path.split("/")[:-1]:
        current = current / name
        if not current.exists() and not current.is_symlink():
            missing.append(current)
    return missing


def next_steps(plan: planning.Plan) -> None:
    layout = plan.layout
    site = layout.site
    build = (
        "mkdocs build --strict"
        if site == "mkdocs.yml"
        else f"mkdocs build --strict --config-file {site}"
    )
    print(f"Recorded the answers and the template's source in {RECORD_FILE} ({UPDATE_HINT}).")
    print("Next steps:")
    print("  python -m pip install --require-hashes -r requirements-docs.txt")
    print(
        "  python -m pip install --no-deps --no-build-isolation --force-reinstall "
        "-r requirements-lifecycle.txt"
    )
    print(f"  {build}     # the site, with the lifecycle section")
    print("  ml-lifecycle check        # from the top of the repository")
