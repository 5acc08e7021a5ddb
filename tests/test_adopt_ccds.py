"""Adopting into a real project nobody here wrote: cookiecutter-data-science
(ccds) v2.3.0, baked with its own `ccds` command (the PyPI package
cookiecutter-data-science, pinned in requirements-dev.txt) and its default
answers. Its MkDocs site is docs/mkdocs.yml with its pages in docs/docs/.

The PyPI package holds ccds's code but not its template, which its `ccds`
command clones from GitHub. The template is taken from a clone at the tag:
$CCDS_TEMPLATE, else build/bench/cookiecutter-data-science (where `make
bench` clones it). Without one the test is skipped, saying so: CI reaches
no forge to clone it from.

One ccds bake per session, copied for each test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GIT_ENV, TEMPLATE

pytestmark = pytest.mark.slow

CCDS = Path(os.environ.get("CCDS_TEMPLATE") or TEMPLATE / "build/bench/cookiecutter-data-science")
RUN_ENV = {**os.environ, **GIT_ENV, "NO_MKDOCS_2_WARNING": "1"}


def run(*args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=RUN_ENV, capture_output=True, text=True, timeout=300)
    if ok:
        assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="session")
def ccds_bake(tmp_path_factory) -> Path:
    if not (CCDS / "ccds.json").is_file():
        pytest.skip(f"no cookiecutter-data-science template in {CCDS} (set CCDS_TEMPLATE)")
    out = tmp_path_factory.mktemp("ccds")
    run(sys.executable, "-m", "ccds", str(CCDS), "--no-input", "--output-dir", str(out), cwd=out)
    (project,) = [path for path in out.iterdir() if path.is_dir()]
    return project


@pytest.fixture
def ccds_repo(ccds_bake, tmp_path) -> Path:
    """A fresh copy of the bake, committed, as a team's repository."""
    repo = tmp_path / ccds_bake.name
    shutil.copytree(ccds_bake, repo)
    run("git", "init", "-q", cwd=repo)
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-qm", "ccds", cwd=repo)
    return repo


def adopt(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return run(
        sys.executable, "-m", "ml_lifecycle", "adopt", "--no-input", *args, cwd=repo, ok=False
    )


def test_one_command_adds_the_lifecycle_to_a_ccds_project(ccds_repo, tmp_path):
    repo = ccds_repo
    assert (repo / "docs" / "mkdocs.yml").is_file(), "not the ccds layout this test knows"
    dry = adopt(repo, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert run("git", "status", "--porcelain", cwd=repo).stdout == "", "a dry run wrote"

    done = adopt(repo)
    assert done.returncode == 0, done.stderr
    status = run("git", "status", "--porcelain", "--untracked-files=all", cwd=repo).stdout
    changed = [line[3:] for line in status.splitlines() if not line.startswith("??")]
    added = {line[3:] for line in status.splitlines() if line.startswith("??")}
    assert changed == ["docs/mkdocs.yml"], "no ccds file changes but its mkdocs.yml"
    listed = {line.strip() for line in dry.stdout.splitlines() if line.startswith("  ")}
    assert added <= listed, added - listed

    # Exactly the mkdocs.yml lines the dry run listed.
    diff = run("git", "diff", "--unified=0", "--", "docs/mkdocs.yml", cwd=repo).stdout
    removed = [line[1:] for line in diff.splitlines() if line[:1] == "-" and line[:3] != "---"]
    plus = [line[1:] for line in diff.splitlines() if line[:1] == "+" and line[:3] != "+++"]
    dry_plus = [
        line[3:] for line in dry.stdout.splitlines() if line[:3] == "  +" and line[:5] != "  +++"
    ]
    dry_minus = [
        line[3:] for line in dry.stdout.splitlines() if line[:3] == "  -" and line[:5] != "  ---"
    ]
    assert plus == dry_plus and removed == dry_minus

    # ccds's own site builds strict, with its pages and the lifecycle section.
    site = tmp_path / "site"
    build = run(
        sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "docs/mkdocs.yml",
        "-d", str(site), cwd=repo, ok=False,
    )  # fmt: skip
    assert build.returncode == 0 and "WARNING" not in build.stderr, build.stderr[-3000:]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert (site / "getting-started" / "index.html").is_file()
    for entry in ('href="getting-started/"', 'href="lifecycle/"', "Model card", "Lifecycle"):
        assert entry in home, entry
    card = site / "lifecycle" / "04-building" / "model-card" / "index.html"
    assert "lifecycle-status" in card.read_text(encoding="utf-8")
    assert "lifecycle-status" not in home, "status boxes only on lifecycle documents"

    # The checker and the exports, from the repository's top.
    check = run(sys.executable, "-m", "ml_lifecycle", "check", cwd=repo, ok=False)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "docs/docs/lifecycle/index.md" in check.stdout
    run(sys.executable, "-m", "ml_lifecycle", "hub-card", "--allow-unfilled", cwd=repo)
    run(sys.executable, "-m", "ml_lifecycle", "dossier", cwd=repo)
    assert (repo / "hub" / "README.md").is_file() and (repo / "dossier" / "dossier.html").is_file()

    # Once is enough.
    again = adopt(repo)
    assert again.returncode == 2 and "ml-lifecycle update" in again.stderr
