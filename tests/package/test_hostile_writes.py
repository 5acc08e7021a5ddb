"""Every write is confined and atomic (writing.py), in-process: the Hub
card, the dossier, approvals and evidence updates never write through a
link, a special file or a swapped folder, never leave a truncated file, and
never overwrite an edit saved meanwhile; an edit keeps each line end and
the encoding."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from ml_lifecycle import cli, limits, writing

from .tiny_projects import document, make_project

TODAY = "2026-06-01"
CARD = "docs/02-requirements/requirements.md"
FILLED = "# Requirements\n\n## Scope\n\nRoute tickets [0.87](evidence:eval#acc).\n"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project, the current folder (as a user runs the commands)."""
    text = document("requirements", FILLED, owner="'Alice Smith <alice@example.org>'")
    root = make_project(tmp_path / "project", {"requirements": text})
    (root / "eval.json").write_text('{"acc": 0.8712}', encoding="utf-8")
    with (root / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write("evidence:\n  eval: eval.json\n")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the project, with a file no command may touch."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "tool").write_text("#!/bin/sh\necho the tool\n", encoding="utf-8")
    return folder


def run(root: Path, capsys, *args: str) -> tuple[int, str]:
    status = cli.main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def refused(status: int, output: str, *named: str) -> None:
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert status == 1 and len(errors) == 1, output
    assert "Traceback" not in output
    for text in named:
        assert text in errors[0], errors[0]


def unchanged(outside: Path) -> None:
    assert sorted(p.name for p in outside.iterdir()) == ["tool"]
    assert (outside / "tool").read_text(encoding="utf-8") == "#!/bin/sh\necho the tool\n"


def no_temporary_files(root: Path) -> None:
    assert [p for p in root.rglob(".*.tmp")] == []


EXPORTS = {
    "hub-card": ("hub/README.md", ["hub-card", "--card", CARD, "--allow-unfilled"]),
    "dossier": ("dossier/dossier.html", ["dossier", "--date", TODAY]),
}


@pytest.mark.parametrize("export", EXPORTS, ids=EXPORTS)
def test_an_output_that_is_a_link_is_refused(project, outside, capsys, export):
    out, args = EXPORTS[export]
    (project / out).parent.mkdir()
    (project / out).symlink_to(outside / "tool")
    refused(*run(project, capsys, *args), out, "is a link")
    unchanged(outside)
    assert (project / out).is_symlink()


@pytest.mark.parametrize("export", EXPORTS, ids=EXPORTS)
def test_an_output_folder_that_is_a_link_is_refused(project, outside, capsys, export):
    out, args = EXPORTS[export]
    (project / out).parent.symlink_to(outside)
    refused(*run(project, capsys, *args), out, "a link")
    unchanged(outside)


@pytest.mark.parametrize("export", EXPORTS, ids=EXPORTS)
@pytest.mark.parametrize("kind", ["fifo", "folder", "file-as-folder"])
def test_a_special_file_where_the_output_goes_is_refused(project, capsys, export, kind):
    out, args = EXPORTS[export]
    target = project / out
    if kind == "file-as-folder":
        target.parent.write_text("a file where a folder should be", encoding="utf-8")
    else:
        target.parent.mkdir()
        os.mkfifo(target) if kind == "fifo" else target.mkdir()
    refused(*run(project, capsys, *args), out)
    no_temporary_files(project)


@pytest.mark.parametrize("export", EXPORTS, ids=EXPORTS)
def test_a_hard_link_output_is_replaced_not_written_through(project, outside, capsys, export):
    out, args = EXPORTS[export]
    (project / out).parent.mkdir()
    os.link(outside / "tool", project / out)
    status, output = run(project, capsys, *args)
    assert status == 0, output
    unchanged(outside)
    assert (project / out).stat().st_nlink == 1


def test_a_folder_swapped_for_a_link_after_the_check_is_not_written_through(
    project, outside, capsys, monkeypatch
):
    original = writing.write

    def swapped(target, data, expected=None):
        shutil.rmtree(project / "hub", ignore_errors=True)
        (project / "hub").symlink_to(outside)
        return original(target, data, expected)

    monkeypatch.setattr(writing, "write", swapped)
    refused(*run(project, capsys, *EXPORTS["hub-card"][1]), "hub/README.md", "hub, a link")
    unchanged(outside)


def test_a_file_swapped_for_a_link_at_the_last_moment_is_not_written_through(
    project, outside, capsys, monkeypatch
):
    """Where names can be exchanged in one step (Linux), the swap is
    noticed and undone; elsewhere the rename replaces the link itself.
    Either way, nothing is written through it."""
    original = writing._rename

    def swapped(folder, name, target, expected=None):
        os.unlink(target, dir_fd=folder)
        os.symlink(outside / "tool", target, dir_fd=folder)
        return original(folder, name, target, expected)

    monkeypatch.setattr(writing, "_rename", swapped)
    status, output = run(project, capsys, "approve", CARD, "--by", "QA lead", "--today", TODAY)
    unchanged(outside)
    no_temporary_files(project)
    if writing._RENAMEAT2 is not None:
        refused(status, output, "changed while this command ran")
        assert (project / CARD).is_symlink()
    else:
        assert status == 0 and not (project / CARD).is_symlink()


def test_an_edit_saved_at_the_last_moment_stays(project, capsys, monkeypatch):
    if writing._RENAMEAT2 is None:
        pytest.skip("no renameat2: the edit is checked just before the rename")
    original = writing._rename

    def edited(folder, name, target, expected=None):
        with open(project / CARD, "a", encoding="utf-8") as file:
            file.write("\nSaved at the last moment.\n")
        return original(folder, name, target, expected)

    monkeypatch.setattr(writing, "_rename", edited)
    status, output = run(project, capsys, "approve", CARD, "--by", "QA lead", "--today", TODAY)
    refused(status, output, "changed while this command ran")
    text = (project / CARD).read_text(encoding="utf-8")
    assert text.endswith("Saved at the last moment.\n") and "approved" not in text
    no_temporary_files(project)


def test_the_document_s_folder_swapped_for_a_link_is_refused(project, outside, capsys, monkeypatch):
    original = writing.edit_target

    def swapped(path, root):
        target = original(path, root)
        folder = project / "docs/02-requirements"
        shutil.copytree(folder, outside / "copy")
        shutil.rmtree(folder)
        folder.symlink_to(outside / "copy")
        return target

    monkeypatch.setattr(writing, "edit_target", swapped)
    refused(*run(project, capsys, "approve", CARD, "--by", "QA lead", "--today", TODAY))
    assert "approved" not in (outside / "copy/requirements.md").read_text(encoding="utf-8")


def test_a_full_disk_leaves_the_document_whole(project, capsys, monkeypatch):
    before = (project / CARD).read_bytes()

    def full(folder, name, data, mode):
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        os.close(os.open(name, flags, 0o600, dir_fd=folder))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writing, "_write_new", full)
    status, output = run(project, capsys, "approve", CARD, "--by", "QA lead", "--today", TODAY)
    assert status == 1 and "No space left on device" in output
    assert (project / CARD).read_bytes() == before


def test_the_temporary_file_is_removed_when_writing_fails(project, monkeypatch):
    target = writing.output_target(project / "hub/README.md", project)

    def failing(folder, name, target, expected=None):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(writing, "_rename", failing)
    with pytest.raises(OSError):
        writing.write(target, b"card")
    no_temporary_files(project)
    assert not (project / "hub/README.md").exists()


def test_an_output_changed_meanwhile_is_not_overwritten(project, capsys, monkeypatch):
    (project / "hub").mkdir()
    (project / "hub/README.md").write_text("the team's own notes\n", encoding="utf-8")
    original = writing.Output.write

    def edited(self, text):
        (project / "hub/README.md").write_text("edited meanwhile\n", encoding="utf-8")
        return original(self, text)

    monkeypatch.setattr(writing.Output, "write", edited)
    refused(*run(project, capsys, *EXPORTS["hub-card"][1]), "changed while this command ran")
    assert (project / "hub/README.md").read_text(encoding="utf-8") == "edited meanwhile\n"


def test_an_output_outside_the_project_named_by_the_user_is_written(project, tmp_path, capsys):
    out = tmp_path / "elsewhere" / "new" / "dossier.html"
    status, output = run(project, capsys, "dossier", "--date", TODAY, "--out", str(out))
    assert status == 0, output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- line ends and encoding ---------------------------------------------------------


MIXED = document("requirements", FILLED, owner="Alice")
MIXED = MIXED.replace("status: draft\n", "status: draft\r\n")


@pytest.mark.parametrize(
    "raw, added_end",
    [
        (MIXED.encode("utf-8"), b"\n"),
        (MIXED.replace("\n", "\r\n").replace("\r\r\n", "\r\n").encode("utf-8"), b"\r\n"),
        (b"\xef\xbb\xbf" + MIXED.encode("utf-8"), b"\n"),
    ],
    ids=["mixed", "crlf", "bom"],
)
def test_an_approval_keeps_each_line_end_and_the_encoding(project, capsys, raw, added_end):
    (project / CARD).write_bytes(raw)
    status, output = run(project, capsys, "approve", CARD, "--by", "QA lead", "--today", TODAY)
    assert status == 0, output
    after = (project / CARD).read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == raw.startswith(b"\xef\xbb\xbf")
    before_lines = raw.splitlines(keepends=True)
    after_lines = after.splitlines(keepends=True)
    kept = [line for line in after_lines if line in before_lines]
    assert len(kept) == len(before_lines) - 1  # the status line changed, nothing else
    assert b"status: approved\r\n" in after  # it keeps its own CRLF
    added = [line for line in after_lines if b"approval_fingerprint" in line]
    assert added and added[0].endswith(added_end) and not added[0].endswith(b"\r\r\n")


def test_evidence_update_keeps_line_ends_and_the_byte_order_mark(project, capsys):
    (project / "eval.json").write_text('{"acc": 0.9012}', encoding="utf-8")
    raw = b"\xef\xbb\xbf" + (project / CARD).read_bytes().replace(b"\n", b"\r\n")
    (project / CARD).write_bytes(raw)
    status, output = run(project, capsys, "evidence", "--update")
    assert status == 0, output
    assert (project / CARD).read_bytes() == raw.replace(b"[0.87]", b"[0.90]")


def test_a_document_reached_through_a_link_inside_the_project_is_edited_where_it_lives(
    project, capsys
):
    real = project / "phases/02-requirements"
    real.parent.mkdir()
    (project / "docs/02-requirements").rename(real)
    (project / "docs/02-requirements").symlink_to(real)
    (project / "eval.json").write_text('{"acc": 0.9012}', encoding="utf-8")
    status, output = run(project, capsys, "evidence", "--update")
    assert status == 0, output
    assert "[0.90]" in (real / "requirements.md").read_text(encoding="utf-8")
    assert (project / "docs/02-requirements").is_symlink()


def test_a_document_that_is_a_link_is_not_edited(project, capsys):
    real = project / "kept.md"
    (project / CARD).rename(real)
    (project / CARD).symlink_to(real)
    (project / "eval.json").write_text('{"acc": 0.9012}', encoding="utf-8")
    status, output = run(project, capsys, "evidence", "--update")
    assert status == 1 and "is a link" in output, output
    assert "[0.87]" in real.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "parts",
    [("..", "outside", "tool"), ("docs", "..", "..", "x"), (".", "x"), ("docs", "", "x"), ()],
    ids=["climbs", "climbs-later", "dot", "empty-name", "no-name"],
)
def test_a_target_whose_names_leave_the_folder_is_refused(project, outside, parts):
    """A second layer under each caller's checks: a write never climbs."""
    with pytest.raises(limits.Refused, match="not written"):
        writing.write(writing.Target(project, parts), b"written\n")
    unchanged(outside)


def test_a_target_with_a_separator_in_a_name_is_refused(project, outside):
    with pytest.raises(limits.Refused):
        writing.Target(project, ("docs/../../outside", "tool"))
    unchanged(outside)
