"""Baking again: refused over an existing project unless asked, then only
adding what is missing; and the same answers always give the same tree."""

from __future__ import annotations

import os
import stat

import pytest
import yaml
from combinations import OPTIONS
from conftest import EVERYTHING_ON, TEMPLATE_ROOT, expected_files
from cookiecutter.exceptions import FailedHookException, OutputDirExistsException

EDITED = "docs/04-building/model-card.md"
DELETED = "docs/iteration-log.md"


def tree(folder) -> dict[str, tuple[bytes, int]]:
    """Every file under the folder: its bytes and permission bits."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def first_bake(bake, tmp_path):
    output = tmp_path / "output"
    project = bake.into(output, {"project_name": "Ticket Router"}).path
    return output, project


def test_baking_over_an_existing_project_is_refused(bake, first_bake):
    output, project = first_bake
    (project / EDITED).write_text("# My own model card\n", encoding="utf-8")
    before = tree(output)
    with pytest.raises(OutputDirExistsException):
        bake.into(output, {"project_name": "Ticket Router"})
    assert tree(output) == before


def test_rebake_with_skip_keeps_edits_and_adds_what_is_missing(bake, first_bake):
    """`--overwrite-if-exists --skip-if-file-exists`: files the user edited stay
    byte-identical, a file the user deleted comes back, and files that new
    answers call for are added."""
    output, project = first_bake
    edited = "# My own model card\n\nAccuracy 0.91 on the March data. Ünïcode ✓\n"
    (project / EDITED).write_text(edited, encoding="utf-8")
    (project / DELETED).unlink()
    before = tree(project)
    new_answers = {"project_name": "Ticket Router", "risk_level": "high", "crosswalk": "all"}
    again = bake.into(output, new_answers, overwrite_if_exists=True, skip_if_file_exists=True)
    assert again.path == project
    after = tree(project)
    assert (project / EDITED).read_text(encoding="utf-8") == edited
    record = ".lifecycle-template.yml"
    for name, content in before.items():
        if name != record:
            assert after[name] == content, f"{name} was changed"
    assert DELETED in after, "the deleted file was not restored"
    assert set(after) == expected_files(new_answers)
    added = set(after) - set(before) - {DELETED}
    new_documents = {
        "docs/02-requirements/impact-assessment.md",
        "docs/07-operation/human-oversight-plan.md",
    }
    assert {"docs/crosswalk.md", *new_documents} <= added
    # The record of each document's sections keeps what it said (the edited
    # model card's sections among it) and gains the new documents.
    recorded = (project / record).read_text(encoding="utf-8")
    assert recorded.startswith(before[record][0].decode("utf-8"))
    sections = yaml.safe_load(recorded)["sections"]
    assert new_documents <= set(sections) and sections[EDITED]


def test_rebake_refuses_a_record_that_is_a_link_and_writes_nothing_through_it(
    bake, first_bake, tmp_path, capfd
):
    output, project = first_bake
    outside = tmp_path / "outside.yml"
    outside.write_text("theirs\n", encoding="utf-8")
    record = project / ".lifecycle-template.yml"
    record.unlink()
    record.symlink_to(outside)
    capfd.readouterr()
    with pytest.raises(FailedHookException):
        bake.into(
            output,
            {"project_name": "Ticket Router"},
            overwrite_if_exists=True,
            skip_if_file_exists=True,
        )
    error = capfd.readouterr().err.strip().splitlines()
    assert error[0].startswith("error: .lifecycle-template.yml is a link"), error
    assert outside.read_text(encoding="utf-8") == "theirs\n" and record.is_symlink()


def test_the_record_is_replaced_whole_never_written_in_place(bake, first_bake):
    """A bake over a project replaces the record through a new file: another
    name of the old file (a hard link) keeps what it held."""
    output, project = first_bake
    record = project / ".lifecycle-template.yml"
    other = project.parent / "other-name.yml"
    os.link(record, other)
    before = other.read_bytes()
    again = {"project_name": "Ticket Router", "risk_level": "high"}
    bake.into(output, again, overwrite_if_exists=True, skip_if_file_exists=True)
    assert other.read_bytes() == before
    assert len(record.read_bytes()) > len(before)
    assert stat.S_IMODE(record.stat().st_mode) == stat.S_IMODE(other.stat().st_mode)


@pytest.mark.slow
def test_rebake_with_the_same_answers_restores_a_buildable_site(bake, first_bake):
    output, project = first_bake
    (project / DELETED).unlink()
    again = bake.into(
        output,
        {"project_name": "Ticket Router"},
        overwrite_if_exists=True,
        skip_if_file_exists=True,
    )
    again.build()


SAME_ANSWERS = {
    "defaults": {},
    "everything-on": EVERYTHING_ON,
    "awkward-text": {
        "project_name": 'Prévision "Zürich": <b>#1</b> & 😀',
        "description": "Forecasts demand \u202eright-to-left\u202c for the shops: 'daily'",
        "organisation": "O'Brien & Søn \\ Co",
        "owner_name": "مريم — Data team",
        "owner_email": "mary@example.org",
    },
    "last-choices": {key: values[-1] for key, values in OPTIONS.items()},
}


@pytest.mark.parametrize("answers", SAME_ANSWERS.values(), ids=SAME_ANSWERS.keys())
def test_same_answers_give_the_same_tree_byte_for_byte(bake, tmp_path, answers):
    """Two bakes in different places, from different working folders, give
    identical files (bytes and permissions). Nothing in the template shows the
    bake date or time, so nothing is excluded from the comparison."""
    first = bake.into(tmp_path / "one", answers).path
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        second = bake.into(tmp_path / "a-longer-second-place", answers).path
    finally:
        os.chdir(cwd)
    first_tree, second_tree = tree(first), tree(second)
    assert sorted(first_tree) == sorted(second_tree)
    different = [name for name in first_tree if first_tree[name] != second_tree[name]]
    assert different == []
    assert all(
        str(tmp_path) not in content.decode("utf-8", "replace")
        for content, _ in first_tree.values()
    )


def test_template_shows_no_bake_date():
    """If a template file ever uses the bake date or time, the determinism test
    above must exclude exactly where it is shown; this test names the files."""
    users = sorted(
        p.relative_to(TEMPLATE_ROOT).as_posix()
        for p in TEMPLATE_ROOT.rglob("*")
        if p.is_file() and "{% now" in p.read_text(encoding="utf-8", errors="replace")
    )
    assert users == []
