"""The `ml-lifecycle` command. Each subcommand is a pair of functions, one
adding its options and one running it; COMMANDS lists them, so a new
subcommand is one more entry.

Exit status: 0 when all is well, 1 when the project has problems (or an
export is refused), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from ml_lifecycle import __version__
from ml_lifecycle.adopt.command import add_adopt, run_adopt
from ml_lifecycle.adopt.update import add_update, run_update
from ml_lifecycle.documents import parse_date
from ml_lifecycle.paths import shown
from ml_lifecycle.portfolio.command import add_portfolio, run_portfolio
from ml_lifecycle.report import render_json, render_text
from ml_lifecycle.rules import UsageError, check_project, parse_phase_spec
from ml_lifecycle.vocabulary import OUTSIDE_PROJECT, PHASES_FILE

# The exports load Markdown and more: imported when their command runs, so
# that `check` starts fast. Their default paths, relative to --root:
# The model card, inside the documents' folder (`docs:` in lifecycle.yml, docs by default).
HUB_CARD_IN = "04-building/model-card.md"
HUB_CARD_OUT = "hub/README.md"
DOSSIER_OUT = "dossier/dossier.html"
DECLARATION_OUT = "declaration/eu-declaration-of-conformity.md"
INSTRUCTIONS_OUT = "instructions/instructions-for-use.md"


def iso_day(text: str) -> dt.date:
    try:
        return parse_date(text) or dt.date.today()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def fail(message: str, status: int = 1) -> int:
    """One `error:` line on stderr; the exit status to return."""
    print(f"error: {message}", file=sys.stderr)
    return status


def cannot_write(path: Path | str, error: OSError) -> int:
    return fail(f"cannot write {shown(Path(path))}: {error.strerror or error}")


# --- check ----------------------------------------------------------------------


def add_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--require-approved",
        metavar="PHASES",
        default="",
        help="release gate: phases whose documents must all be approved, e.g. 1-5 or 1,2,6",
    )
    parser.add_argument(
        "--require-traced",
        action="store_true",
        help="fail unless every requirement is verified (pass or waived) in the V&V report",
    )
    parser.add_argument("--today", type=iso_day, metavar="YYYY-MM-DD", help="check as on this day")
    parser.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also add the report, in Markdown, to FILE (a CI job's summary, "
        'e.g. "$GITHUB_STEP_SUMMARY")',
    )


def run_check(args: argparse.Namespace) -> int:
    try:
        gate = parse_phase_spec(args.require_approved) if args.require_approved else []
        report = check_project(args.root, args.today, gate, args.require_traced)
    except UsageError as exc:
        return fail(str(exc), 2)
    from ml_lifecycle.history import add_last_changes, check_recorded_approvals

    check_recorded_approvals(report)
    if args.json:
        add_last_changes(report)
    print(render_json(report) if args.json else render_text(report))
    if args.summary is not None:
        status = add_summary(args.summary, args.root, report)
        if status:
            return status
    return 0 if report.ok else 1


def add_summary(path: Path, root: Path, report) -> int:
    """Append the Markdown report to `path`; an exit status when it fails."""
    from ml_lifecycle.limits import Refused
    from ml_lifecycle.report import render_markdown

    target = output(path, root)
    if isinstance(target, str):
        return fail(target)
    before = target.before.decode("utf-8", "replace") if isinstance(target.before, bytes) else ""
    try:
        target.write(
            before
            + ("\n" if before and not before.endswith("\n") else "")
            + render_markdown(report)
        )
    except Refused as error:
        return fail(f"{shown(path)} {error}")
    except OSError as error:
        return cannot_write(path, error)
    return 0


# --- approve --------------------------------------------------------------------


def add_approve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the document to approve")
    parser.add_argument(
        "--by", required=True, metavar="NAME", help="who approves it: never its owner"
    )
    parser.add_argument(
        "--today", type=iso_day, metavar="YYYY-MM-DD", help="approve as on this day"
    )


def run_approve(args: argparse.Namespace) -> int:
    from ml_lifecycle import approval

    today = args.today or dt.date.today()
    try:
        rel, fingerprint, name = approval.approve(args.root, args.file, args.by, today)
    except approval.ApprovalError as error:
        return fail(str(error))
    except OSError as error:
        return cannot_write(args.file, error)
    print(f"Approved {rel} by {name} on {today} ({fingerprint[:19]}...)")
    from ml_lifecycle import codeowners

    if codeowners.find(args.root) is None:
        return 0
    # The approval stands; a CODEOWNERS left out of step fails the command.
    return run_codeowners(argparse.Namespace(root=args.root, forge=None, today=today))


# --- codeowners -------------------------------------------------------------------


def add_codeowners(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--forge",
        choices=("github", "gitlab"),
        help="where to make the file when the project has none "
        "(default: the forge whose CI file the project has)",
    )


def run_codeowners(args: argparse.Namespace) -> int:
    from ml_lifecycle import codeowners
    from ml_lifecycle.limits import Refused

    report = check_project(args.root, getattr(args, "today", None))
    try:
        location = codeowners.update(args.root, report, args.forge)
    except codeowners.CodeownersError as error:
        return fail(str(error))
    except Refused as error:
        return fail(f"CODEOWNERS {error}")
    except UnicodeDecodeError as error:
        return fail(f"CODEOWNERS is not UTF-8 text (byte {error.start})")
    except OSError as error:
        return cannot_write("CODEOWNERS", error)
    print(f"Wrote the ml-lifecycle block of {location}")
    return 0


# --- hub-card -------------------------------------------------------------------


def add_hub_card(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--card",
        type=Path,
        help=f"card to export (default: {HUB_CARD_IN} in the documents' folder, "
        "lifecycle.yml's `docs:`)",
    )
    parser.add_argument("--out", type=Path, help=f"file to write (default: {HUB_CARD_OUT})")
    parser.add_argument(
        "--allow-unfilled",
        action="store_true",
        help="export even while TODO markers or needed metadata remain",
    )


def output(out: Path, root: Path):
    """The output file, checked before the work (writing.py); a one-line
    refusal (str) when it cannot be written."""
    from ml_lifecycle import writing
    from ml_lifecycle.limits import Refused

    try:
        return writing.Output(out, root)
    except Refused as error:
        return f"{shown(out)} {error}"
    except OSError as error:
        return f"cannot write {shown(out)}: {error.strerror or error}"


def export(out: Path, root: Path, make, errors: type[Exception], draft: bool = False) -> int:
    """The exports' one way to write: `out` checked before the work, then
    `make()`'s (text, warnings) written to it. A refused place, an error of
    the export (`errors`) or a failed write is one `error:` line."""
    from ml_lifecycle.limits import Refused

    target = output(out, root)
    if isinstance(target, str):
        return fail(target)
    try:
        text, warnings = make()
        target.write(text)
    except errors as error:
        return fail(str(error))
    except Refused as error:
        return fail(f"{shown(out)} {error}")
    except OSError as error:
        return cannot_write(out, error)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"Wrote {shown(out)}" + (" (a draft)" if draft and "status: draft" in text else ""))
    return 0


def run_hub_card(args: argparse.Namespace) -> int:
    from ml_lifecycle import hub_card

    if args.card is None:
        from ml_lifecycle.project import load_project

        card = load_project(args.root)[0].docs / HUB_CARD_IN
    else:
        card = args.card
    out = args.out or args.root / HUB_CARD_OUT
    return export(
        out,
        args.root,
        lambda: hub_card.export(card, args.allow_unfilled, args.root),
        hub_card.CardError,
    )


# --- dossier --------------------------------------------------------------------


def add_dossier(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help=f"file to write (default: {DOSSIER_OUT})")
    parser.add_argument(
        "--date",
        type=iso_day,
        metavar="YYYY-MM-DD",
        help="the dossier's date, also used for review due dates (default: today)",
    )


def run_dossier(args: argparse.Namespace) -> int:
    from ml_lifecycle import dossier

    day = args.date or dt.date.today()
    out = args.out or args.root / DOSSIER_OUT
    return export(out, args.root, lambda: (dossier.build(args.root, day), []), dossier.DossierError)


# --- declaration and instructions ----------------------------------------------


def add_declaration(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help=f"file to write (default: {DECLARATION_OUT})")
    parser.add_argument(
        "--draft",
        action="store_true",
        help="write a draft, marked as such, while points are missing or documents unapproved",
    )
    parser.add_argument("--date", type=iso_day, metavar="YYYY-MM-DD", help="the date of issue")


def run_declaration(args: argparse.Namespace) -> int:
    from ml_lifecycle import declaration
    from ml_lifecycle.deliverables import DeliverableError

    day = args.date or dt.date.today()
    out = args.out or args.root / DECLARATION_OUT
    return export(
        out,
        args.root,
        lambda: (declaration.build(args.root, day, args.draft), []),
        DeliverableError,
        draft=True,
    )


def add_instructions(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help=f"file to write (default: {INSTRUCTIONS_OUT})")
    parser.add_argument(
        "--allow-unfilled",
        action="store_true",
        help="export a draft while points are still unanswered",
    )
    parser.add_argument("--date", type=iso_day, metavar="YYYY-MM-DD", help="the date of issue")


def run_instructions(args: argparse.Namespace) -> int:
    from ml_lifecycle import instructions
    from ml_lifecycle.deliverables import DeliverableError

    day = args.date or dt.date.today()
    out = args.out or args.root / INSTRUCTIONS_OUT
    return export(
        out,
        args.root,
        lambda: instructions.build(args.root, day, args.allow_unfilled),
        DeliverableError,
    )


# --- evidence -------------------------------------------------------------------


def add_evidence(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--update",
        action="store_true",
        help="rewrite each cited value that differs from its source, and nothing else",
    )


def run_evidence(args: argparse.Namespace) -> int:
    from ml_lifecycle.evidence.update import survey
    from ml_lifecycle.limits import Refused
    from ml_lifecycle.project import find_documents, load_project

    project, problems = load_project(args.root)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    paths = [path for path, _ in find_documents(project)]
    try:
        pages, unreadable = survey(project, paths, args.update)
    except OSError as error:
        return fail(f"cannot write: {error.strerror or error}")
    except Refused as error:
        return fail(f"cannot write: {error}")
    failing = len(problems) + len(unreadable)
    for problem in unreadable:
        print(f"error: {problem}", file=sys.stderr)
    cited = 0
    for page in pages:
        for citation, new in page.updated:
            print(f"{page.path}:{citation.line}: {citation.text.strip()} -> {new.strip()}")
        rewritten = {id(citation) for citation, _ in page.updated}
        for finding in page.findings:
            cited += 1
            if finding.problem and id(finding.citation) not in rewritten:
                failing += 1
                print(f"{page.path}:{finding.citation.line}: {finding.problem}")
    updated = sum(len(page.updated) for page in pages)
    summary = f"{plural(cited, 'cited value')} in {plural(len(pages), 'page')}"
    if args.update:
        summary += f"; {updated} rewritten"
        approved = [page.path for page in pages if page.updated and page.approved]
        if approved:
            summary += f" ({plural(len(approved), 'approved document')} to approve again: "
            summary += ", ".join(approved) + ")"
    print(f"{summary}; {plural(failing, 'problem')}.")
    return 1 if failing else 0


# --- the command line -------------------------------------------------------------

Command = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[..., int]]
COMMANDS: list[Command] = [
    (
        "check",
        "report every document's status; exit 1 on any problem",
        add_check,
        run_check,
    ),
    (
        "approve",
        "approve a document as a second person: sets status, approver, date and fingerprint",
        add_approve,
        run_approve,
    ),
    (
        "codeowners",
        "write the forge's CODEOWNERS so that approved documents need a second person's review",
        add_codeowners,
        run_codeowners,
    ),
    (
        "hub-card",
        "export a card as a README.md for the Hugging Face Hub",
        add_hub_card,
        run_hub_card,
    ),
    (
        "evidence",
        "compare every cited evidence value with its source; --update rewrites stale ones",
        add_evidence,
        run_evidence,
    ),
    (
        "dossier",
        "write every document into one printable HTML file",
        add_dossier,
        run_dossier,
    ),
    (
        "declaration",
        "write the EU declaration of conformity from the documents, Annex V point by point",
        add_declaration,
        run_declaration,
    ),
    (
        "instructions",
        "export the instructions for use from the documents, Art. 13(3) point by point",
        add_instructions,
        run_instructions,
    ),
    (
        "adopt",
        "add the lifecycle documents and their site to a repository that exists",
        add_adopt,
        run_adopt,
    ),
    (
        "update",
        "bring later template changes to a repository that adopted the lifecycle",
        add_update,
        run_update,
    ),
    (
        "portfolio",
        "read many projects into a register of ML systems: JSON, CSV and a site",
        add_portfolio,
        run_portfolio,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ml-lifecycle",
        description="Check and export the lifecycle documents of an ML system.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # --root is accepted before or after the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="the project folder, holding lifecycle.yml (default: the current folder)",
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    names = ", ".join(name for name, *_ in COMMANDS)
    commands = parser.add_subparsers(dest="command", required=True, metavar=f"{{{names}}}")
    for name, summary, add_options, run in COMMANDS:
        sub = commands.add_parser(name, help=summary, description=summary, parents=[common])
        add_options(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and hasattr(args, "items") and not any(item.startswith("-") for item in extra):
        args.items += extra  # adopt: answers after its options (key=value ...)
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    if getattr(args, "needs_project", True) and not (args.root / PHASES_FILE).is_file():
        return fail(
            f"{args.root.absolute()} is not a lifecycle project (it has no {PHASES_FILE}): "
            f"{OUTSIDE_PROJECT}",
            2,
        )
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
