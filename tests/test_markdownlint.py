"""Markdown passes markdownlint-cli2 with the committed configuration: the
guide, the README, and the documents of baked projects (the stubs themselves
are Jinja, so they are linted after baking)."""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import EVERYTHING_ON, TEMPLATE

pytestmark = pytest.mark.slow

MARKDOWNLINT = TEMPLATE / "node_modules" / ".bin" / "markdownlint-cli2"
CONFIG = TEMPLATE / ".markdownlint-cli2.yaml"

OTHER_BRANCHES = {
    "risk_level": "limited",
    "third_parties": "data-providers",
    "update_mode": "static",
    "task_kind": "forecasting",
    "publishing": "gitlab-pages",
}


def markdownlint(*args: str, cwd) -> subprocess.CompletedProcess:
    if not MARKDOWNLINT.is_file():
        if os.environ.get("CI"):
            pytest.fail("markdownlint-cli2 is not installed: `make test` runs `npm ci` first")
        pytest.skip("markdownlint-cli2 is not installed; run `npm ci` (make test does)")
    return subprocess.run(
        [str(MARKDOWNLINT), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_guide_and_readme_pass():
    result = markdownlint(cwd=TEMPLATE)  # the globs come from the configuration
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "docs/**/*.md" in output and "README.md" in output, "the globs were not read"


@pytest.mark.parametrize(
    "answers",
    [{}, EVERYTHING_ON, OTHER_BRANCHES],
    ids=["default", "everything-on", "other-branches"],
)
def test_baked_documents_pass(bake, answers):
    project = bake(**answers)
    result = markdownlint(
        "--config", str(CONFIG), "--no-globs", "docs/**/*.md", "*.md", cwd=project.path
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Linting: 0 file(s)" not in output


def test_a_broken_file_is_caught(tmp_path):
    """The configuration still finds real problems."""
    (tmp_path / "bad.md").write_text("# Title\n\n## Twice\n\n## Twice\n\ntrailing  \n#No space\n")
    result = markdownlint("--config", str(CONFIG), "--no-globs", "bad.md", cwd=tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "MD024" in output and "MD018" in output
