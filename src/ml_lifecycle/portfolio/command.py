"""`ml-lifecycle portfolio`: the subcommand's options and its run (cli.py
lists it in COMMANDS). Heavy modules are imported when it runs, so that
other commands start as fast as before.

Exit status: 0, or 1 when a `--require` rule is broken (one line per
violation on stdout) or the site cannot be built; 2 on a usage error (a rule
that cannot be read, no projects, a list file or output folder that cannot
be used). A project that cannot be read is a row with its error, and a
warning line; it breaks every `--require` rule.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ml_lifecycle.documents import parse_date

CONCURRENT_CLONES = 4
DEFAULT_TITLE = "ML systems register"


def day(text: str) -> dt.date:
    try:
        return parse_date(text) or dt.date.today()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_portfolio(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources", nargs="*", metavar="PROJECT", help="a project folder, or a git URL to clone"
    )
    parser.add_argument(
        "--list",
        type=Path,
        metavar="FILE",
        help="a file of project folders or git URLs, one a line",
    )
    parser.add_argument(
        "--clones", type=Path, metavar="DIR", help="a folder whose every subfolder is a project"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="where to write the register"
    )
    parser.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="RULE",
        help="a rule every system must meet, e.g. 'high: approved 1-5' (repeatable)",
    )
    parser.add_argument("--today", type=day, metavar="YYYY-MM-DD", help="read as on this day")
    parser.add_argument("--title", default=DEFAULT_TITLE, help="the site's title")
    parser.add_argument("--no-site", action="store_true", help="write the JSON and CSV only")
    parser.add_argument(
        "--jobs", type=int, default=0, metavar="N", help="processes that read (default: one a core)"
    )
    parser.add_argument(
        "--clone-timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="the time bound of each git clone (120)",
    )
    parser.set_defaults(needs_project=False)


def fail(message: str, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


def run_portfolio(args: argparse.Namespace) -> int:
    from ml_lifecycle.portfolio import gate
    from ml_lifecycle.portfolio.members import MemberError, gather
    from ml_lifecycle.portfolio.output import OutputError, OutputFolder
    from ml_lifecycle.rules import UsageError

    try:
        rules = [gate.parse_rule(text) for text in args.require]
        members = gather(args.sources, args.list, args.clones)
        out = OutputFolder(args.out)
    except (UsageError, MemberError, OutputError) as exc:
        return fail(str(exc), 2)
    if args.clone_timeout <= 0 or args.jobs < 0:
        return fail("--clone-timeout and --jobs must be positive", 2)
    try:
        done = read_and_publish(members, out, rules, args)
    except (OutputError, OSError) as exc:
        return fail(f"cannot write the register: {getattr(exc, 'strerror', None) or exc}", 1)
    except RuntimeError as exc:  # the site build
        return fail(str(exc), 1)
    report(done.entries, done.written)
    for line in done.violations:
        print(line)
    return 1 if done.violations else 0


def read_and_publish(members: list, out, rules: list, args: argparse.Namespace):
    """Clone what is a git URL, read every member into the spool, write the
    register; everything in scratch folders inside the output folder."""
    from ml_lifecycle.portfolio import register
    from ml_lifecycle.portfolio.publish import publish

    today = args.today or dt.date.today()
    jobs = args.jobs or register.default_jobs()
    with out.scratch("work") as work:
        clone_all(members, work / "clones", args.clone_timeout)
        spool = register.Spool(work / "rows.jsonl")
        try:
            for row in register.read_rows(members, today, jobs):
                spool.add(row)
            return publish(out, spool, today, args.title, rules, not args.no_site)
        finally:
            spool.close()


def clone_all(members: list, folder: Path, timeout: float) -> None:
    """Clone each git URL member, a few at a time, into `folder`."""
    from ml_lifecycle.portfolio.cloning import clone

    urls = [index for index, item in enumerate(members) if item.url]
    if not urls:
        return
    folder.mkdir()
    with ThreadPoolExecutor(CONCURRENT_CLONES) as pool:
        cloned = pool.map(lambda i: clone(members[i], folder / f"{i:05d}", timeout), urls)
        for index, item in zip(urls, cloned, strict=True):
            members[index] = item


def report(entries: list[dict], written: list[Path]) -> None:
    """A warning per project not read, and one line of totals."""
    unread = [entry for entry in entries if entry["error"]]
    for entry in unread:
        print(f"warning: {entry['id']} ({entry['source']}): {entry['error']}", file=sys.stderr)
    high = sum(entry["risk_level"] == "high" for entry in entries)
    attention = sum(bool(entry["attention"]) for entry in entries if not entry["error"])
    print(
        f"Register of {len(entries)} systems: {high} high-risk, {attention} needing attention, "
        f"{len(unread)} not read."
    )
    for path in written:
        print(f"Wrote {path}")
