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

OUT_JSON, OUT_CSV, OUT_SCHEMA, OUT_SITE = (
    "register.json",
    "register.csv",
    "register.schema.json",
    "site",
)
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
    today = args.today or dt.date.today()
    rows = read_register(members, out, today, args)
    data = data_files(rows, today)
    try:
        written = [out.write(name, content) for name, content in data.items()]
        if not args.no_site:
            written.append(build_site(out, rows, today, args.title, data))
    except (OutputError, OSError) as exc:
        return fail(f"cannot write the register: {getattr(exc, 'strerror', None) or exc}", 1)
    except RuntimeError as exc:  # the site build
        return fail(str(exc), 1)
    report(rows, written)
    broken = gate.violations(rules, rows)
    for line in broken:
        print(line)
    return 1 if broken else 0


def read_register(members: list, out, today: dt.date, args: argparse.Namespace) -> list[dict]:
    """Every member's row, with its id, git URLs cloned for the reading."""
    from ml_lifecycle.portfolio import register
    from ml_lifecycle.portfolio.cloning import clone

    jobs = args.jobs or register.default_jobs()
    with out.scratch("clones") as folder:
        urls = [index for index, item in enumerate(members) if item.url]
        with ThreadPoolExecutor(CONCURRENT_CLONES) as pool:
            cloned = pool.map(
                lambda i: clone(members[i], folder / f"{i:05d}", args.clone_timeout), urls
            )
            for index, item in zip(urls, cloned, strict=True):
                members[index] = item
        rows = register.read_all(members, today, jobs)
    return register.with_ids(rows)


def data_files(rows: list[dict], today: dt.date) -> dict[str, bytes]:
    """The register as JSON and CSV, and the JSON's schema, by file name."""
    from ml_lifecycle import __version__
    from ml_lifecycle.portfolio import schema

    generator = f"ml-lifecycle {__version__}"
    return {
        OUT_JSON: schema.register_json(rows, today.isoformat(), generator).encode("utf-8"),
        OUT_CSV: schema.register_csv(rows).encode("utf-8"),
        OUT_SCHEMA: schema.schema_json().encode("utf-8"),
    }


def build_site(out, rows: list[dict], today: dt.date, title: str, data: dict) -> Path:
    from ml_lifecycle.portfolio import site

    with out.scratch("site") as scratch:
        built = site.build(rows, today.isoformat(), title, scratch, data)
        return out.replace_folder(OUT_SITE, built)


def report(rows: list[dict], written: list[Path]) -> None:
    """A warning per project not read, and one line of totals."""
    unread = [row for row in rows if row["error"]]
    for row in unread:
        print(f"warning: {row['id']} ({row['source']}): {row['error']}", file=sys.stderr)
    high = sum(row["risk_level"] == "high" for row in rows)
    attention = sum(bool(row["attention"]) for row in rows if not row["error"])
    print(
        f"Register of {len(rows)} systems: {high} high-risk, {attention} needing attention, "
        f"{len(unread)} not read."
    )
    for path in written:
        print(f"Wrote {path}")
