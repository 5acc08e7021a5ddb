"""`ml-lifecycle adopt` on repositories made here: a plain one, one whose
site has a hand-written nav, hostile ones; the mkdocs.yml edit; the dry run;
refusals. In-process (cli.main); the sites are built with MkDocs' own API.
The real-project case (cookiecutter-data-science) is tests/test_adopt_ccds.py."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import GIT_ENV, NOT_TEMPLATE, TEMPLATE, option_defaults, phase_documents
from mkdocs.commands.build import build
from mkdocs.config import load_config

from ml_lifecycle import cli
from ml_lifecycle.adopt.record import RECORD_FILE, read_record
from ml_lifecycle.adopt.template import CHECKOUT, TEMPLATE_FILES, template_folder
from ml_lifecycle.adopt.update import render_at
from ml_lifecycle.rules import check_project

TPL = "{{cookiecutter.project_slug|slugify or 'unnamed'}}"
ANSWERS = ["project_name=Churn Model", "owner_name=Ada Lovelace"]
HAND_NAV = """\
site_name: Churn model  # the team's own site
theme: mkdocs

# Our own pages, in our order.
nav:
  - Home: index.md
  - Guides:
      - Training: guides/training.md
  - About: about.md

markdown_extensions:
  - toc:
      permalink: "#"
"""


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (links as their target), by its path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def adopt(root: Path, *args: str, capsys) -> tuple[int, str, str]:
    status = cli.main(["adopt", str(root), "--no-input", *ANSWERS, *args])
    out, err = capsys.readouterr()
    return status, out, err


def build_site(config_file: Path, site: Path):
    config = load_config(str(config_file), site_dir=str(site), strict=True)
    build(config)
    return config


@pytest.fixture
def hand_nav_repo(tmp_path) -> Path:
    root = tmp_path / "churn"
    (root / "docs" / "guides").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(HAND_NAV, encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Churn model\n\nOur model.\n", encoding="utf-8")
    (root / "docs" / "about.md").write_text("# About\n", encoding="utf-8")
    (root / "docs" / "guides" / "training.md").write_text("# Training\n", encoding="utf-8")
    (root / "train.py").write_text("print('train')\n", encoding="utf-8")
    return root


def test_the_template_comes_from_this_checkout_in_development():
    """An editable install adopts from the checkout; a wheel from its package data."""
    assert template_folder() == CHECKOUT


def test_a_plain_repository_gets_a_working_site(tmp_path, capsys):
    root = tmp_path / "plain"
    root.mkdir()
    (root / "README.md").write_text("# Plain\n", encoding="utf-8")
    status, _out, err = adopt(root, capsys=capsys)
    assert status == 0, err
    assert (root / "README.md").read_text(encoding="utf-8") == "# Plain\n"
    for path in phase_documents():
        assert (root / path).is_file(), path
    assert (root / "mkdocs.yml").is_file() and (root / "lifecycle.yml").is_file()
    assert not (root / "Makefile").exists(), "the repository's own files are not the template's"
    assert "docs:" not in (root / "lifecycle.yml").read_text(encoding="utf-8")
    build_site(root / "mkdocs.yml", tmp_path / "site")
    assert (tmp_path / "site" / "04-building" / "model-card" / "index.html").is_file()
    assert check_project(root).ok


def test_the_documents_are_the_template_s_as_a_bake_writes_them(tmp_path, capsys, baked):
    root = tmp_path / "repo"
    root.mkdir()
    assert adopt(root, capsys=capsys)[0] == 0
    bake = baked(project_name="Churn Model", owner_name="Ada Lovelace")
    for path in phase_documents():
        assert (root / path).read_bytes() == (bake.path / path).read_bytes(), path


# A bake's files that an adopting repository keeps as its own; the bake's
# answers file is the adoption's record instead.
REPOSITORY_S_OWN = {"README.md", "Makefile", "LICENSE.md", ".gitignore", ".gitattributes"}
BAKE_RECORD = ".cookiecutter-answers.yaml"


@pytest.mark.parametrize("publishing", ["github-pages", "gitlab-pages", "none"])
def test_a_new_site_is_the_bake_s_file_for_file(tmp_path, capsys, baked, publishing):
    """A repository without a site gets what a bake with the same answers
    has (its CI, its CODEOWNERS), but the repository's own files."""
    root = tmp_path / "repo"
    root.mkdir()
    assert adopt(root, f"publishing={publishing}", capsys=capsys)[0] == 0
    bake = baked(project_name="Churn Model", owner_name="Ada Lovelace", publishing=publishing)
    expected = snapshot(bake.path)
    for path in (*REPOSITORY_S_OWN, BAKE_RECORD):
        del expected[path]
    adopted = snapshot(root)
    del adopted[RECORD_FILE]
    assert adopted == expected


def test_a_hand_written_nav_keeps_its_order_and_gains_the_section(hand_nav_repo, capsys):
    root = hand_nav_repo
    before = (root / "mkdocs.yml").read_text(encoding="utf-8")
    status, out, err = adopt(root, capsys=capsys)
    assert status == 0, err
    after = (root / "mkdocs.yml").read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert "  - Lifecycle: lifecycle/index.md" in added
    assert "+  - Lifecycle: lifecycle/index.md" in out, "the command says where it went"
    # Only lines added: every line of the old file is there, in order.
    old = iter(after.splitlines())
    assert all(line in old for line in before.splitlines())
    assert "  - toc:" in after and after.count("toc") == 1, "an extension it has stays as set"
    config = build_site(root / "mkdocs.yml", root.parent / "site")
    nav = yaml.safe_load(after)["nav"]
    assert [next(iter(entry)) for entry in nav] == ["Home", "Guides", "About", "Lifecycle"]
    site_nav = (root.parent / "site" / "index.html").read_text(encoding="utf-8")
    order = [site_nav.find(text) for text in ("Training", "About", "Lifecycle", "Model card")]
    assert -1 not in order and order == sorted(order), "the section comes where nav: says"
    assert config.nav == nav, "the repository's nav is left as written"
    page = root.parent / "site" / "lifecycle" / "04-building" / "model-card" / "index.html"
    assert "lifecycle-status" in page.read_text(encoding="utf-8")
    about = (root.parent / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert "lifecycle-status" not in about, "status boxes only on lifecycle documents"
    # The style sheet and the script a bake's site loads (scrolling tables
    # reachable by keyboard), from the documents' folder.
    assert yaml.safe_load(after)["extra_css"] == ["lifecycle/assets/lifecycle.css"]
    assert yaml.safe_load(after)["extra_javascript"] == ["lifecycle/assets/lifecycle.js"]
    shown = page.read_text(encoding="utf-8")
    assert "assets/lifecycle.css" in shown and "assets/lifecycle.js" in shown
    assert (root.parent / "site" / "lifecycle" / "assets" / "lifecycle.js").is_file()


def test_the_checker_and_the_exports_work_from_the_top(hand_nav_repo, capsys, monkeypatch):
    root = hand_nav_repo
    assert adopt(root, capsys=capsys)[0] == 0
    monkeypatch.chdir(root)
    assert cli.main(["check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    paths = [doc["path"] for doc in report["documents"]]
    assert "docs/lifecycle/04-building/model-card.md" in paths
    assert cli.main(["hub-card", "--allow-unfilled"]) == 0
    assert (root / "hub" / "README.md").is_file()
    assert cli.main(["dossier"]) == 0
    assert "Churn Model" in (root / "dossier" / "dossier.html").read_text(encoding="utf-8")


def files_listed(listing: str) -> set[str]:
    """The paths under "Would add N files:", checked against N."""
    lines = listing.splitlines()
    (start,) = [i for i, line in enumerate(lines) if line.startswith("Would add ")]
    paths = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        paths.append(line[2:])
    assert lines[start] == f"Would add {len(paths)} files:"
    return set(paths)


def test_the_dry_run_lists_exactly_what_the_run_does(hand_nav_repo, capsys):
    root = hand_nav_repo
    before = snapshot(root)
    status, listing, _ = adopt(root, "--dry-run", capsys=capsys)
    assert status == 0 and snapshot(root) == before, "a dry run writes nothing"
    status, _, _ = adopt(root, capsys=capsys)
    after = snapshot(root)
    assert set(after) - set(before) == files_listed(listing)
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {"mkdocs.yml"}
    new_lines = (root / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    plus = {
        line[3:] for line in listing.splitlines() if line.startswith("  +") and "+++" not in line
    }
    assert plus == set(new_lines) - set(HAND_NAV.splitlines())


def test_a_second_adoption_is_refused_with_a_pointer_to_the_update(hand_nav_repo, capsys):
    root = hand_nav_repo
    assert adopt(root, capsys=capsys)[0] == 0
    record = read_record(root)
    assert record.answers["project_name"] == "Churn Model"
    assert record.docs == "docs/lifecycle" and record.site == "mkdocs.yml"
    before = snapshot(root)
    status, _, err = adopt(root, capsys=capsys)
    assert status == 2 and snapshot(root) == before
    assert err.count("error:") == 1 and "ml-lifecycle update" in err


def test_a_file_that_is_there_already_is_skipped_and_named(hand_nav_repo, capsys):
    root = hand_nav_repo
    (root / "requirements-docs.txt").write_text("mkdocs\n", encoding="utf-8")
    status, _, err = adopt(root, capsys=capsys)
    assert status == 1
    assert "requirements-docs.txt" in err and "skipped" in err
    assert (root / "requirements-docs.txt").read_text(encoding="utf-8") == "mkdocs\n"
    assert (root / "docs" / "lifecycle" / "index.md").is_file(), "the rest is added"
    assert "requirements-docs.txt" not in read_record(root).files.values()


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(
            "site_name: X\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
            "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
            id="python-tag",
        ),
        pytest.param("site_name: X\ntheme: &t {name: mkdocs}\nextra: {theme: *t}\n", id="anchor"),
        pytest.param("INHERIT: base.yml\nsite_name: X\n", id="inherit"),
        pytest.param("site_name: X\nrepo_url: !ENV [REPO, 'https://example.org']\n", id="env-tag"),
        pytest.param("site_name: X\n? [a, b]\n: c\n", id="key-not-a-name"),
    ],
)
def test_a_mkdocs_yml_it_cannot_edit_safely_is_left_as_it_is(tmp_path, capsys, config):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "base.yml").write_text("site_name: Base\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    status, out, _ = adopt(root, capsys=capsys)
    assert status == 1
    assert (root / "mkdocs.yml").read_text(encoding="utf-8") == config
    assert "by hand" in out and "  - lifecycle" in out
    assert (root / "docs" / "lifecycle" / "index.md").is_file()


@pytest.mark.parametrize(
    "config",
    [
        pytest.param("repo_url: !ENV [REPO, 'https://example.org']\n", id="tag"),
        pytest.param("theme: &t {name: mkdocs}\nextra: {theme: *t}\n", id="anchor"),
    ],
)
def test_the_docs_dir_of_a_mkdocs_yml_left_as_it_is_is_used(tmp_path, capsys, config):
    """A tag or an anchor elsewhere in the file: the file is left alone,
    and the documents still go where its docs_dir says."""
    root = tmp_path / "repo"
    (root / "pages").mkdir(parents=True)
    text = f"site_name: X\ndocs_dir: pages\n{config}"
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    status, out, _ = adopt(root, capsys=capsys)
    assert status == 1 and "by hand" in out
    assert (root / "pages" / "lifecycle" / "index.md").is_file()
    assert not (root / "docs").exists()
    assert read_record(root).docs == "pages/lifecycle"


@pytest.mark.parametrize(
    "config",
    [
        pytest.param("docs_dir: !ENV [DOCS, pages]\n", id="tag"),
        pytest.param("docs_dir: &d pages\nextra: {d: *d}\n", id="anchor"),
        pytest.param("extra: {d: &d pages}\ndocs_dir: *d\n", id="alias"),
        pytest.param("docs_dir: !!str pages\n", id="core-tag"),
    ],
)
def test_a_docs_dir_that_is_tagged_or_aliased_is_refused(tmp_path, capsys, config):
    root = tmp_path / "repo"
    (root / "pages").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(f"site_name: X\n{config}", encoding="utf-8")
    before = snapshot(root)
    status, _, err = adopt(root, capsys=capsys)
    assert status == 2 and err.count("error:") == 1 and "docs_dir" in err, err
    assert snapshot(root) == before


def test_a_linked_docs_folder_is_refused_and_nothing_is_written(tmp_path, capsys):
    root, outside = tmp_path / "repo", tmp_path / "outside"
    outside.mkdir()
    root.mkdir()
    (root / "mkdocs.yml").write_text("site_name: X\n", encoding="utf-8")
    (root / "docs").symlink_to(outside)
    before, outside_before = snapshot(root), snapshot(outside)
    status, _, err = adopt(root, capsys=capsys)
    assert status == 2 and err.count("error:") == 1 and "link" in err
    assert snapshot(root) == before and snapshot(outside) == outside_before


def test_a_file_where_a_folder_must_go_is_refused_and_nothing_is_written(tmp_path, capsys):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: X\n", encoding="utf-8")
    (root / "docs" / "lifecycle").write_text("a file\n", encoding="utf-8")
    before = snapshot(root)
    status, _, err = adopt(root, capsys=capsys)
    assert status == 2 and err.count("error:") == 1 and "a file where a folder" in err
    assert snapshot(root) == before


@pytest.mark.parametrize(
    "answer",
    ["project_name={{ 7*7 }}", "risk_level=evil", "project_slug=../x", "owner_email=nobody"],
)
def test_refused_answers_write_nothing(tmp_path, capsys, answer):
    root = tmp_path / "repo"
    root.mkdir()
    status = cli.main(["adopt", str(root), "--no-input", answer])
    _, err = capsys.readouterr()
    assert status == 2 and [line for line in err.splitlines() if line.startswith("error:")]
    assert snapshot(root) == {}


def test_a_folder_outside_docs_dir_or_climbing_is_refused(tmp_path, capsys):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: X\n", encoding="utf-8")
    status, _, err = adopt(root, "--folder", "../elsewhere", capsys=capsys)
    assert status == 2 and "--folder" in err and snapshot(root) == snapshot(root)
    assert not (tmp_path / "elsewhere").exists()


def test_the_record_holds_the_answers_as_data(tmp_path, capsys):
    root = tmp_path / "repo"
    root.mkdir()
    name = 'Churn "Model" \\ 1'
    status = cli.main(["adopt", str(root), "--no-input", f"project_name={name}"])
    capsys.readouterr()
    assert status == 0
    data = json.loads((root / RECORD_FILE).read_text(encoding="utf-8"))
    assert data["context"]["cookiecutter"]["project_name"] == name
    assert set(data["context"]["cookiecutter"]) == set(option_defaults())


# --- Update after adoption ----------------------------------------------------------

FILLED = "Churn costs us 3% of customers a month; nobody sees it coming."
ADDED_LINE = "A note added by a later version of the template."


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def template_repo(tmp_path) -> tuple[Path, str]:
    """The template in a git repository of its own: (its folder, its first commit)."""
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE, template, ignore=NOT_TEMPLATE)
    git("init", "-q", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-qm", "v1", cwd=template)
    return template, git("rev-parse", "HEAD", cwd=template)


def adopted_from(root: Path, template: Path, commit: str, **changes) -> None:
    """The repository as if ml-lifecycle had been installed from `template`
    at `commit`: its record (with `changes`), and the pin it gives."""
    record = json.loads((root / RECORD_FILE).read_text(encoding="utf-8"))
    record.update(template=str(template), commit=commit, **changes)
    (root / RECORD_FILE).write_text(json.dumps(record), encoding="utf-8")
    work = root.parent / f"render-{commit[:12]}"
    git("clone", "-q", str(template), str(work / "clone"), cwd=root.parent)
    answers = record["context"]["cookiecutter"]
    files = render_at(work / "clone", commit, str(template), answers, work / "out")
    pin = "requirements-lifecycle.txt"
    (root / pin).write_bytes(files[pin])


def change_template(template: Path) -> str:
    """A later version: a line added to the iteration log, a section
    renamed in the problem definition; its commit."""
    stubs = template / TPL / "docs"
    log = stubs / "iteration-log.md"
    log.write_text(log.read_text(encoding="utf-8") + f"\n{ADDED_LINE}\n", encoding="utf-8")
    problem = stubs / "01-problem-definition" / "problem-definition.md"
    text = problem.read_text(encoding="utf-8")
    problem.write_text(text.replace("\n## Scope\n", "\n## Scope and setting\n"), "utf-8")
    git("commit", "-qam", "v2", cwd=template)
    return git("rev-parse", "HEAD", cwd=template)


def update(root: Path, capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["update", "--root", str(root), *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.slow
def test_a_later_template_change_reaches_the_adopted_repository(
    hand_nav_repo, template_repo, capsys
):
    """`ml-lifecycle update`: the template's change arrives, the team's text stays."""
    template, v1 = template_repo
    root = hand_nav_repo
    assert adopt(root, capsys=capsys)[0] == 0
    adopted_from(root, template, v1)
    doc = root / "docs" / "lifecycle" / "01-problem-definition" / "problem-definition.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("==TODO==", FILLED, 1), "utf-8")
    v2 = change_template(template)
    site_before = (root / "mkdocs.yml").read_bytes()

    status, _, err = update(root, capsys)
    assert status == 0, err
    text = doc.read_text(encoding="utf-8")
    assert FILLED in text, "the team's answer was lost"
    assert "\n## Scope and setting\n" in text, "the template change did not arrive"
    log = root / "docs" / "lifecycle" / "iteration-log.md"
    assert ADDED_LINE in log.read_text(encoding="utf-8")
    assert (root / "mkdocs.yml").read_bytes() == site_before, "the site's file is the team's"
    assert read_record(root).commit == v2
    assert v2 in (root / "requirements-lifecycle.txt").read_text(encoding="utf-8")
    status, out, _ = update(root, capsys)
    assert status == 0 and "level" in out


def planted_global_config(tmp_path: Path) -> tuple[Path, Path]:
    """The operator's global git config naming programs: a filter driver (as
    git-lfs installs its smudge) and a hook. (The config, the marks folder
    each program leaves its mark in.)"""
    marks, hooks = tmp_path / "marks", tmp_path / "hooks"
    marks.mkdir()
    hooks.mkdir()
    (hooks / "post-checkout").write_text(f"#!/bin/sh\ntouch '{marks}/hook'\n", encoding="utf-8")
    (hooks / "post-checkout").chmod(0o755)
    config = tmp_path / "gitconfig"
    config.write_text(
        f'[filter "planted"]\n\tsmudge = "touch \'{marks}/smudge\'; cat"\n'
        f"[core]\n\thooksPath = {hooks}\n",
        encoding="utf-8",
    )
    return config, marks


@pytest.mark.slow
def test_an_update_runs_no_program_the_operator_s_git_config_names(
    hand_nav_repo, template_repo, tmp_path, capsys, monkeypatch
):
    """The template's files name a filter; the operator's config defines it.
    The clone is checked out with no config but the clone's own."""
    template, _ = template_repo
    (template / ".gitattributes").write_text("* filter=planted\n", encoding="utf-8")
    git("add", ".gitattributes", cwd=template)
    git("commit", "-qm", "a filter on every file", cwd=template)
    root = hand_nav_repo
    assert adopt(root, capsys=capsys)[0] == 0
    adopted_from(root, template, git("rev-parse", "HEAD", cwd=template))
    change_template(template)
    config, marks = planted_global_config(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    status, _, err = update(root, capsys)
    assert status == 0, err
    assert ADDED_LINE in (root / "docs/lifecycle/iteration-log.md").read_text(encoding="utf-8")
    assert sorted(os.listdir(marks)) == []
    # The control: plain git runs both (so the assertion above can fail).
    git("clone", "-q", str(template), str(tmp_path / "plain-clone"), cwd=tmp_path)
    assert sorted(os.listdir(marks)) == ["hook", "smudge"]


@pytest.fixture
def update_due(hand_nav_repo, template_repo) -> Path:
    """An adopted repository whose template has a later version: the
    problem definition and the iteration log change (in that order)."""
    template, v1 = template_repo
    root = hand_nav_repo
    cli.main(["adopt", str(root), "--no-input", *ANSWERS])
    adopted_from(root, template, v1)
    change_template(template)
    return root


@pytest.mark.slow
def test_an_adopted_file_made_a_link_is_refused_before_anything_is_written(
    update_due, tmp_path, capsys
):
    root = update_due
    log = root / "docs/lifecycle/iteration-log.md"
    outside = tmp_path / "outside.md"
    outside.write_bytes(log.read_bytes())
    log.unlink()
    log.symlink_to(outside)
    capsys.readouterr()
    before = snapshot(root)
    status, _, err = update(root, capsys)
    assert status == 2 and err.count("error:") == 1 and "Traceback" not in err, err
    assert "docs/lifecycle/iteration-log.md is a link" in err
    assert snapshot(root) == before, "the problem definition, merged first, stays as it was"


@pytest.mark.slow
def test_a_record_edited_while_the_update_runs_is_kept_and_nothing_is_updated(
    update_due, capsys, monkeypatch
):
    """The record is written over the bytes it was read from, last: an edit
    saved meanwhile stays, and the files merged before are put back."""
    root = update_due
    capsys.readouterr()
    before = snapshot(root)
    edited = (root / RECORD_FILE).read_text(encoding="utf-8").replace("Churn Model", "Churn")

    def render_then_edit(*args, **kwargs):
        (root / RECORD_FILE).write_text(edited, encoding="utf-8")
        return render_at(*args, **kwargs)

    monkeypatch.setattr("ml_lifecycle.adopt.update.render_at", render_then_edit)
    status, _, err = update(root, capsys)
    assert status == 2 and err.count("error:") == 1, err
    assert f"{RECORD_FILE} changed while this command ran" in err
    assert (root / RECORD_FILE).read_text(encoding="utf-8") == edited
    del before[RECORD_FILE]
    after = snapshot(root)
    del after[RECORD_FILE]
    assert after == before


@pytest.mark.slow
def test_an_update_from_a_mirror_keeps_the_recorded_template_in_the_pin(
    update_due, template_repo, tmp_path, capsys
):
    """`--template` says where to clone from this time; the pin and the
    record keep naming the template's own repository."""
    root = update_due
    template, _ = template_repo
    mirror = tmp_path / "mirror.git"
    git("clone", "-q", "--mirror", str(template), str(mirror), cwd=tmp_path)
    capsys.readouterr()
    status, _, err = update(root, capsys, "--template", str(mirror))
    assert status == 0, err
    pin = (root / "requirements-lifecycle.txt").read_text(encoding="utf-8")
    assert str(template) in pin and str(mirror) not in pin, pin
    assert read_record(root).template == str(template)


RECORD = {
    "template": "https://example.org/template.git",
    "commit": "a" * 40,
    "docs": "docs/lifecycle",
    "site": "mkdocs.yml",
    "files": {"docs/index.md": "docs/lifecycle/index.md"},
    "context": {"cookiecutter": {"project_name": "Churn"}},
}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param({"files": {"docs/index.md": "../../.bashrc"}}, "files", id="file-climbs"),
        pytest.param({"files": {"docs/index.md": "/etc/passwd"}}, "files", id="file-absolute"),
        pytest.param({"files": {"docs/index.md": "docs/./x.md"}}, "files", id="file-dot"),
        pytest.param({"files": {"docs/index.md": "docs//x.md"}}, "files", id="file-empty-name"),
        pytest.param({"files": {"../index.md": "docs/x.md"}}, "files", id="template-path"),
        pytest.param({"docs": "docs/../../elsewhere"}, "docs", id="docs"),
        pytest.param({"site": "C:/mkdocs.yml"}, "site", id="site"),
        pytest.param({"commit": "--orphan=x"}, "commit", id="commit-option"),
        pytest.param({"commit": "HEAD~1"}, "commit", id="commit-name"),
    ],
)
def test_a_record_naming_a_place_outside_or_no_commit_id_is_refused(
    tmp_path, capsys, change, named
):
    """The record is a committed file: `update` writes where it says and
    hands git its commit, so neither may be anything but what adopt writes."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / RECORD_FILE).write_text(json.dumps({**RECORD, **change}), encoding="utf-8")
    before = snapshot(tmp_path)
    status, _, err = update(root, capsys)
    assert status == 2 and err.count("error:") == 1, err
    assert f"{RECORD_FILE}: {named} " in err
    assert snapshot(tmp_path) == before


def test_a_record_as_adopt_writes_it_is_read(tmp_path):
    """The control for the refusals above."""
    (tmp_path / RECORD_FILE).write_text(json.dumps(RECORD), encoding="utf-8")
    record = read_record(tmp_path)
    assert record.files == RECORD["files"] and record.commit == RECORD["commit"]


@pytest.mark.slow
def test_an_update_never_writes_where_a_changed_record_points_outside(
    hand_nav_repo, template_repo, tmp_path, capsys
):
    """A record edited to send an adopted file outside the repository: the
    update refuses before anything is fetched or written."""
    template, v1 = template_repo
    root = hand_nav_repo
    assert adopt(root, capsys=capsys)[0] == 0
    log = "docs/lifecycle/iteration-log.md"
    outside = tmp_path / "outside.md"
    shutil.copyfile(root / log, outside)  # what the merge would write into
    files = {**read_record(root).files, "docs/iteration-log.md": "../outside.md"}
    adopted_from(root, template, v1, files=files)
    change_template(template)
    before, outside_before = snapshot(root), outside.read_bytes()
    status, _, err = update(root, capsys)
    assert status == 2 and err.count("error:") == 1, err
    assert outside.read_bytes() == outside_before and snapshot(root) == before


@pytest.mark.slow
def test_the_wheel_carries_the_template_cookiecutter_bakes(tmp_path):
    """Package data: the template's tree, file for file (the project folder
    named without `|`, which Windows refuses in a name)."""
    import zipfile

    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path)],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    prefix = "ml_lifecycle/template/"
    expected = {f"{prefix}{name}" for name in TEMPLATE_FILES}
    for path in (TEMPLATE / TPL).rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            inside = path.relative_to(TEMPLATE / TPL).as_posix()
            expected.add(f"{prefix}{{{{cookiecutter.project_slug}}}}/{inside}")
    assert expected <= names, sorted(expected - names)[:5]
    assert not any("|" in name for name in names)


def test_a_section_an_update_loses_is_reported_in_the_adopted_folder(hand_nav_repo, capsys):
    """The sections each document was given are recorded under the adopted
    folder, so `check` reports one that goes missing, as in a bake."""
    root = hand_nav_repo
    assert adopt(root, capsys=capsys)[0] == 0
    card = "docs/lifecycle/04-building/model-card.md"
    recorded = yaml.safe_load((root / ".lifecycle-template.yml").read_text(encoding="utf-8"))
    assert card in recorded["sections"]
    assert not any(key.startswith("docs/0") for key in recorded["sections"])
    assert check_project(root).ok
    text = (root / card).read_text(encoding="utf-8")
    title = recorded["sections"][card][-1]
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 1)
    (root / card).write_text(text[:start] + (text[end:] if end > 0 else "\n"), encoding="utf-8")
    problems = [p for p in check_project(root).problems if p.path == card]
    assert any("section the template gives it" in p.message for p in problems), problems
