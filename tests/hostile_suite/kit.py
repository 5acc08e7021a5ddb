"""What every hostile case shares: a fresh tiny project with a folder beside
it that nothing may touch, the tools run in-process, and the checks."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from package.tiny_projects import doc_path, document, make_project

from ml_lifecycle import cli

TODAY = "2026-06-01"
DOC = doc_path("requirements")
REFUSED, DATA = "refused", "data"
BODY = "# Requirements\n\n## Scope\n\nRoute tickets [0.87](evidence:eval#acc).\n"
OWNER = "'Alice Smith <alice@example.org>'"


class Failure(AssertionError):
    """A case that broke a rule: crashed, wrote outside, lost an edit..."""


@dataclass
class Case:
    klass: str
    name: str
    run: Callable[[Path], str]  # given a fresh work folder; REFUSED or DATA


@dataclass
class Result:
    out: str
    err: str
    status: int

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


# --- the project ----------------------------------------------------------------------


def project(work: Path, body: str = BODY, evidence: str = '{"acc": 0.8712}', **fields) -> Path:
    """A tiny project under `work`: the requirements document (owner Alice,
    citing eval.json), with `fields` as YAML text in its lifecycle block."""
    fields.setdefault("owner", OWNER)
    root = make_project(
        work / "project", {"requirements": document("requirements", body, **fields)}
    )
    (root / "eval.json").write_text(evidence, encoding="utf-8")
    with (root / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write("evidence:\n  eval: eval.json\n")
    return root


def outside(work: Path) -> Path:
    """The folder beside the project that no command may touch."""
    folder = work / "outside"
    if not folder.exists():
        folder.mkdir()
        (folder / "tool").write_text("#!/bin/sh\necho the real tool\n", encoding="utf-8")
        (folder / "secret.md").write_text("---\ntitle: s\n---\n# root:x:0:0\n", encoding="utf-8")
        (folder / "sub").mkdir()
        (folder / "sub" / "notes.txt").write_text("kept\n", encoding="utf-8")
    return folder


# The folder beside the project as a case left it before running the tools
# (a case may plant files there first): what the run compares with.
BASELINE: dict[str, dict] = {}


def ready(work: Path) -> None:
    """The case has planted what it needs: from here on, nothing outside
    the project may change."""
    BASELINE["outside"] = snapshot(work / "outside")


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under a folder (links not followed): its kind and content hash."""
    found = {}
    for top, folders, files in os.walk(folder, followlinks=False):
        for name in folders + files:
            path = Path(top) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[rel] = "folder" if path.is_dir() else "special"
    return found


# --- the tools --------------------------------------------------------------------------


# The longest a tool took in the current case (CPU seconds), by tool.
TIMES: dict[str, float] = {}


def timed(name: str):
    """Record a tool's CPU time in TIMES (the longest per tool name)."""

    @contextlib.contextmanager
    def timing():
        start = time.process_time()
        try:
            yield
        finally:
            spent = time.process_time() - start
            TIMES[name] = max(TIMES.get(name, 0.0), spent)

    return timing()


def tool(root: Path, *args: str) -> Result:
    """An `ml-lifecycle` command, in-process. A crash is a Failure."""
    with timed(args[0]):
        return _tool(root, *args)


def _tool(root: Path, *args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(["--root", str(root), *args])
        except SystemExit as exit_:
            status = exit_.code if isinstance(exit_.code, int) else 2
        except Exception as exc:
            raise Failure(f"{args[0]} crashed: {type(exc).__name__}: {exc}"[:300]) from None
    result = Result(out.getvalue(), err.getvalue(), status)
    if "Traceback" in result.out + result.err:
        raise Failure(f"{args[0]} printed a traceback")
    return result


def check(root: Path) -> Result:
    return tool(root, "check", "--today", TODAY)


def approve(root: Path, by: str = "QA lead", file: str = DOC) -> Result:
    return tool(root, "approve", str(root / file), "--by", by, "--today", TODAY)


def hub_card(root: Path, *extra: str) -> Result:
    return tool(root, "hub-card", "--card", str(root / DOC), "--allow-unfilled", *extra)


def dossier(root: Path, *extra: str) -> Result:
    return tool(root, "dossier", "--date", TODAY, *extra)


def evidence_update(root: Path) -> Result:
    return tool(root, "evidence", "--update")


# --- the checks ---------------------------------------------------------------------------


def refused_in_one_line(result: Result, *named: str) -> str:
    """A command that refused: status 1 or 2, one `error:` line naming `named`."""
    if result.status not in (1, 2) or len(result.errors) != 1:
        raise Failure(f"expected one error line, got status {result.status}: {result.err[:300]}")
    for text in named:
        if text not in result.errors[0]:
            raise Failure(f"the error line does not name {text!r}: {result.errors[0][:300]}")
    return REFUSED


def succeeded(result: Result) -> str:
    if result.status != 0 or result.errors:
        raise Failure(f"expected success, got {result.status}: {(result.err or result.out)[:300]}")
    return DATA


def refused_or_done(result: Result, *named: str) -> str:
    """Either outcome is fine; which one it was."""
    return succeeded(result) if result.status == 0 else refused_in_one_line(result, *named)


def problem_named(result: Result, path: str, *words: str) -> str:
    """`check` (or `evidence`) reported a problem line for `path`."""
    lines = [line for line in result.out.splitlines() if path in line]
    if result.status != 1 or not any(all(w in line for w in words) for line in lines):
        raise Failure(f"no problem line for {path} with {words}: {result.out[-400:]}")
    return REFUSED


def unchanged(path: Path, before: bytes) -> None:
    if not path.exists() or path.is_symlink() or path.read_bytes() != before:
        raise Failure(f"{path.name} changed although the command refused")


def same_tree(before: dict, after: dict, what: str) -> None:
    if before != after:
        changed = sorted(set(before.items()) ^ set(after.items()))[:3]
        raise Failure(f"{what} changed: {changed}")


def fresh(work: Path) -> None:
    """Empty a work folder, links included, without following them."""
    for entry in work.iterdir():
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink()
        else:
            shutil.rmtree(entry)
