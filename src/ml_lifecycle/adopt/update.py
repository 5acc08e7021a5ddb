"""`ml-lifecycle update`: later template changes brought to a repository that
adopted the lifecycle, the team's text kept.

    ml-lifecycle update                      # to the template's default branch
    ml-lifecycle update --checkout v1.2.0    # to a tag, a branch or a commit

It works as `cruft update` does for a bake, on the adopted paths: it clones
the template's repository (`template` in .ml-lifecycle.json), renders the
commit the adoption recorded and the one to move to with the recorded
answers, and merges the difference into each adopted file with a three-way
merge (`git merge-file`): a line the team changed and the template did not
stays; a line the template changed and the team did not takes the new
version; a line both changed is left between conflict markers, which
`ml-lifecycle check` reports until they are resolved. A file the template
adds is added (unless one is there); a file the team deleted stays deleted.
The repository's mkdocs.yml, and every file the adoption did not write, are
left alone. The record then names the new commit. Every file is read and
merged before any is written, and a write that fails puts back those
written before it: the repository is updated whole or not at all. Git runs
with repository.py's settings for a clone, so nothing any config or the
template's files name (a hook, a filter driver) runs.

Exit status: 0, 1 when a file has conflicts or was skipped, 2 when nothing
could be done (no record, the template cannot be fetched or rendered).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ml_lifecycle import limits, writing
from ml_lifecycle.adopt import plan as planning
from ml_lifecycle.adopt.command import missing_folders
from ml_lifecycle.adopt.record import RECORD_FILE, RecordError, read_record
from ml_lifecycle.adopt.template import rendered_files
from ml_lifecycle.repository import CLONE_SAFE, SAFE, clone_environment, offline_environment

GIT_TIMEOUT = 300
LABELS = ("yours", "adopted", "template")


class UpdateError(Exception):
    """Nothing can be done; str() is one line."""


def add_update(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--checkout",
        metavar="REF",
        help="the template version to move to: a tag, branch or commit (default: its default "
        "branch)",
    )
    parser.add_argument(
        "--template",
        metavar="SOURCE",
        help="clone the template from here instead (a git URL or folder, e.g. a mirror)",
    )
    parser.set_defaults(needs_project=False)


def git(*args: str, cwd: Path) -> str:
    """git's output in the template's clone; UpdateError with its message
    when it fails. Runs nothing any config names (repository.SAFE, no
    system or global config): the checkout runs no filter driver."""
    return run_git(SAFE, args, cwd, offline_environment())


def fetch_template(source: str, clone: Path) -> None:
    """Clone the template's repository (the network, as pip does) with the
    operator's settings, running no hook and no command-running transport."""
    args = ("clone", "--quiet", "--no-checkout", "--template=", "--", source, str(clone))
    run_git(CLONE_SAFE, args, clone.parent, clone_environment())


def run_git(settings: tuple[str, ...], args: tuple[str, ...], cwd: Path, env: dict) -> str:
    what = args[0]
    try:
        done = subprocess.run(
            ["git", *settings, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env=env,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise UpdateError(f"git {what} failed: {error}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise UpdateError(f"git {what} failed: {last}")
    return done.stdout


def resolve(clone: Path, checkout: str | None) -> str:
    """The commit to move to: the template's default branch (the clone's
    HEAD), or a tag, branch or commit."""
    if not checkout:
        return git("rev-parse", "--verify", "HEAD^{commit}", cwd=clone).strip()
    if checkout.startswith("-") or any(ord(c) < 33 for c in checkout):
        raise UpdateError(f"--checkout {limits.brief(checkout)} is not a name of a version")
    for name in (checkout, f"origin/{checkout}"):
        try:
            return git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}", cwd=clone).strip()
        except UpdateError:
            continue
    raise UpdateError(f"--checkout {checkout!r} is no tag, branch or commit of the template")


def render_at(clone: Path, commit: str, source: str, answers: dict, out: Path) -> dict[str, bytes]:
    """The template at `commit`, rendered with the answers in a process of
    its own; `source` is the repository its pin names."""
    git("checkout", "--quiet", "--force", commit, "--", cwd=clone)  # a commit, never a path
    request = {"given": answers, "source": {"_template": source, "_commit": commit}}
    done = subprocess.run(
        [sys.executable, "-m", "ml_lifecycle.adopt.render", str(clone), str(out)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=GIT_TIMEOUT,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        why = lines[0][7:] if lines else (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise UpdateError(f"the template at {commit[:12]} cannot be rendered: {why}")
    return rendered_files(Path(done.stdout.strip().splitlines()[-1]))


def merge(current: bytes, base: bytes, new: bytes, work: Path) -> tuple[bytes, bool]:
    """A three-way merge of one file; whether it left conflicts."""
    paths = []
    for name, data in zip(LABELS, (current, base, new), strict=True):
        path = work / f"merge-{name}"
        path.write_bytes(data)
        paths.append(str(path))
    labels = [arg for label in LABELS for arg in ("-L", label)]
    # Outside any repository (none is looked for above `work`), with no config.
    env = {**offline_environment(), "GIT_CEILING_DIRECTORIES": str(work)}
    done = subprocess.run(
        ["git", *SAFE, "merge-file", "-p", *labels, *paths],
        capture_output=True,
        timeout=GIT_TIMEOUT,
        cwd=work,
        env=env,
    )
    if done.returncode < 0 or done.returncode > 127:
        raise UpdateError(f"git merge-file failed: {done.stderr.decode(errors='replace')[:200]}")
    return done.stdout, done.returncode > 0


def run_update(args: argparse.Namespace) -> int:
    root = Path(args.root).absolute()
    try:
        record = read_record(root)
    except FileNotFoundError:
        print(
            f"error: {root} has no {RECORD_FILE}: only a repository that ran `ml-lifecycle "
            "adopt` updates this way (a baked project: `cruft update`)",
            file=sys.stderr,
        )
        return 2
    except RecordError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    source = args.template or record.template
    if source.startswith("-"):
        print(f"error: template {limits.brief(source)} is not a git URL or folder", file=sys.stderr)
        return 2
    if not source or not record.commit:
        print(
            f"error: {RECORD_FILE} names no git repository and commit of the template: pass "
            "--template SOURCE",
            file=sys.stderr,
        )
        return 2
    try:
        return update(root, record, source, args.checkout)
    except UpdateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # the temporary folder: the repository is as it was
        print(f"error: cannot update: {error.strerror or error}", file=sys.stderr)
        return 2


def update(root: Path, record, source: str, checkout: str | None) -> int:
    layout = planning.Layout(record.site, record.docs, "mkdocs.yml" in record.files)
    with tempfile.TemporaryDirectory(prefix="ml-lifecycle-update-") as temporary:
        work = Path(temporary)
        clone = work / "template"
        fetch_template(source, clone)
        new_commit = resolve(clone, checkout)
        if new_commit == record.commit:
            print(f"The lifecycle is level with the template at {new_commit[:12]}.")
            return 0
        answers = dict(record.answers)
        # The pin names the template's own repository, not a mirror cloned this time.
        pinned = record.template or source
        old = render_at(clone, record.commit, pinned, answers, work / "old")
        new = render_at(clone, new_commit, pinned, answers, work / "new")
        changes, conflicts, skipped = apply(root, record, layout, old, new, work)
    record.commit = new_commit
    # The record last, over the very bytes it was read from: an edit made
    # while the template was fetched and rendered is not overwritten.
    data = record.as_json().encode("utf-8")
    write_all([*changes, Change(writing.Target(root, (RECORD_FILE,)), data, record.original)])
    for change in changes:
        print(change.line)
    print(f"Updated to the template at {new_commit[:12]}; {RECORD_FILE} records it.")
    for path in conflicts:
        print(
            f"error: {path}: conflicts left between <<<<<<< and >>>>>>>: resolve them",
            file=sys.stderr,
        )
    for path in skipped:
        print(
            f"error: {path} is there already: the template's new file was not written",
            file=sys.stderr,
        )
    return 1 if conflicts or skipped else 0


@dataclass
class Change:
    """One file the update writes, and what it held before (ABSENT: none)."""

    target: writing.Target
    data: bytes
    before: bytes | writing.Absent
    line: str = ""  # what the update prints of it


def write_all(changes: list[Change]) -> None:
    """Write each change in turn; when one fails, put back those written
    before it and raise UpdateError naming it: all or nothing."""
    written: list[Change] = []
    made: list[Path] = []
    try:
        for change in changes:
            made += missing_folders(change.target.root, change.target.shown)
            writing.write(change.target, change.data, change.before)
            written.append(change)
    except BaseException as error:
        for done in reversed(written):
            undo(done)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(error, (limits.Refused, OSError)):
            raise UpdateError(f"{refusal(change.target, error)}; nothing was updated") from None
        raise


def undo(change: Change) -> None:
    """Put a written file back as it was, unless it changed again since."""
    with contextlib.suppress(limits.Refused, OSError):
        if isinstance(change.before, writing.Absent):
            writing.remove(change.target, change.data)
        else:
            writing.write(change.target, change.before, change.data)


def refusal(target: writing.Target, error: Exception) -> str:
    if isinstance(error, limits.Refused):
        return f"{target.shown} {error}"
    return f"{target.shown}: cannot be written: {getattr(error, 'strerror', None) or error}"


def current(target: writing.Target) -> bytes | writing.Absent:
    """What an adopted file holds now; UpdateError when it cannot be read
    (a link, a special file), before anything is written."""
    try:
        return writing.current(target)
    except (limits.Refused, OSError) as error:
        raise UpdateError(f"{refusal(target, error)}; nothing was updated") from None


def mapped(files: dict[str, bytes], layout: planning.Layout) -> dict[str, tuple[str, bytes]]:
    """Template path -> (repository path, content), as the adoption placed them."""
    found = {}
    for path, data in files.items():
        target = planning.destination(path, layout)
        if target is None:
            continue
        found[path] = (target, planning.placed(path, data, layout))
    return found


def apply(root: Path, record, layout, old: dict, new: dict, work: Path):
    """The merge of each changed file, nothing written yet: the changes to
    write, the files left with conflicts, the new files skipped. A file
    added is added to the record's files."""
    before, after = mapped(old, layout), mapped(new, layout)
    changes, conflicts, skipped = [], [], []
    for path, (target, data) in sorted(after.items()):
        base = before.get(path, (target, None))[1]
        if base == data:
            continue
        adopted = record.files.get(path)
        if base is not None and adopted is None:
            continue  # skipped at adoption, or the template's new file: leave it
        place = adopted or target
        destination = writing.Target(root, tuple(place.split("/")))
        now = current(destination)
        if isinstance(now, writing.Absent):
            if base is not None:
                continue  # the team deleted it
            changes.append(Change(destination, data, now, f"  added {place}"))
            record.files[path] = place
            continue
        if base is None:
            skipped.append(place)
            continue
        merged, conflicted = merge(now, base, data, work)
        if merged != now:
            line = f"  {'conflicts in' if conflicted else 'updated'} {place}"
            changes.append(Change(destination, merged, now, line))
        if conflicted:
            conflicts.append(place)
    return changes, conflicts, skipped
