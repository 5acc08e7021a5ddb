"""Refused answers: the hook's one-line error, a failed bake, nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

REFUSALS = {
    "empty-name": ({"project_name": ""}, "error: project_name must not be empty"),
    "slug-parent": ({"project_slug": "../escape"}, "error: project_slug '../escape' contains"),
    "slug-nested": ({"project_slug": "a/b"}, "path separator"),
    "slug-dotdot": ({"project_slug": ".."}, "contains '..'"),
    "slug-dot": ({"project_slug": ".hidden"}, "starts with a dot"),
    "slug-space": ({"project_slug": "my project"}, "contains spaces"),
    "slug-long": ({"project_slug": "x" * 65}, "the limit is 64"),
    "bad-email": ({"owner_email": "jane@"}, "error: owner_email 'jane@' is not a valid email"),
    "incompatible": (
        {"publishing": "github-pages", "repo_url": "https://gitlab.com/a/b"},
        "error: incompatible answers",
    ),
}


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("answers, message", REFUSALS.values(), ids=REFUSALS.keys())
def test_bad_answer_is_refused_and_leaves_nothing(bake, tmp_path, capfd, answers, message):
    project, error = bake.attempt(answers)
    assert project is None
    assert error is not None
    err = capfd.readouterr().err
    if message is not None:
        assert isinstance(error, FailedHookException)
        error_lines = [line for line in err.splitlines() if line.startswith("error: ")]
        assert len(error_lines) == 1 and message in error_lines[0], err
    # Nothing in the output folder, nothing beside it.
    assert files_under(tmp_path) == []
    assert [p.name for p in tmp_path.iterdir()] in ([], ["bake-0"])
