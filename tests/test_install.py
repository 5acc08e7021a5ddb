"""A baked project installs its own tools: where `ml-lifecycle` comes from for
every way of baking, that no requirement is resolved from an index without a
hash, and, in the slow tier, the path a user takes from a fresh environment
(`make docs`, `make check`, the Pages workflow's steps, cruft update, the
pre-commit hook), with nothing of ours pre-installed and no PIP_FIND_LINKS."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import GIT_ENV, NOT_TEMPLATE, TEMPLATE, BakedProject, option_defaults
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

sys.path.insert(0, str(TEMPLATE))
try:
    import lifecycle_source
finally:
    sys.path.remove(str(TEMPLATE))

BIN = Path(sys.executable).parent
PIN_FILE = "requirements-lifecycle.txt"
LOCK_FILE = "requirements-docs.txt"
SHA = re.compile(r"[0-9a-f]{40}")
# Every Python the README supports, as the lock's markers see them.
PYTHONS = ["3.10.0", "3.11.0", "3.11.4", "3.11.5", "3.12.0", "3.13.0", "3.14.0"]
PLATFORMS = ["linux", "darwin", "win32"]


# --- Git repositories that stand in for a forge -------------------------------------


def run(*args: str, cwd: Path, env: dict | None = None, timeout: int = 600):
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env or {**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"{args}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result


def commit_all(repo: Path, message: str) -> str:
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-q", "--allow-empty", "-m", message, cwd=repo)
    return run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()


def template_copy(folder: Path) -> Path:
    """This checkout's working tree (uncommitted changes included), without
    its git history and build output."""
    shutil.copytree(TEMPLATE, folder, ignore=NOT_TEMPLATE)
    return folder


@pytest.fixture(scope="session")
def forge(tmp_path_factory) -> dict:
    """A bare repository of this template, reached by a file:// URL as a forge
    would be by https: its `url`, the `commit` of its main branch, and a
    `work` clone that can push new commits to it."""
    root = tmp_path_factory.mktemp("forge")
    source = template_copy(root / "source")
    run("git", "init", "-q", "-b", "main", cwd=source)
    commit = commit_all(source, "Template")
    bare = root / "ml-lifecycle.git"
    run("git", "clone", "-q", "--bare", str(source), str(bare), cwd=root)
    url = bare.as_uri()
    work = root / "work"
    run("git", "clone", "-q", url, str(work), cwd=root)
    return {"url": url, "commit": commit, "work": work, "bare": bare}


def cookiecutter_env(tmp: Path) -> dict:
    """Cookiecutter as a user runs it, with its clones and replays in `tmp`."""
    config = tmp / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {json.dumps(str(tmp / 'clones'))}\n"
        f"replay_dir: {json.dumps(str(tmp / 'replay'))}\n",
        encoding="utf-8",
    )
    return {**os.environ, **GIT_ENV, "COOKIECUTTER_CONFIG": str(config)}


def bake_from(template: str, out: Path, *answers: str, tool: str = "cookiecutter"):
    """`cookiecutter TEMPLATE --no-input` (or `cruft create`) as typed in a
    shell, in a new folder `out/bake`; the project and what the bake printed."""
    config = out / "config"
    config.mkdir(parents=True)
    env = cookiecutter_env(config)
    out = out / "bake"
    out.mkdir()
    if tool == "cruft":
        command = [str(BIN / "cruft"), "create", "--no-input", template]
        if answers:
            context = dict(answer.split("=", 1) for answer in answers)
            command += ["--extra-context", json.dumps(context)]
    else:
        command = [str(BIN / "cookiecutter"), "--no-input", template, *answers]
    result = run(*command, cwd=out, env=env)
    (project,) = out.iterdir()
    return BakedProject(project, option_defaults()), result.stdout + result.stderr


# --- Reading requirement files ----------------------------------------------------------


def requirement_lines(text: str) -> list[str]:
    """Logical lines of a requirements file: continuations joined, comments
    and blank lines dropped."""
    joined = re.sub(r"\s*\\\n\s*", " ", text)
    lines = (line.split(" #", 1)[0].strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def index_requirements_without_hashes(text: str) -> list[str]:
    """Every requirement that pip would resolve from an index without a hash:
    a name (with or without a version) that is neither a direct reference to
    a commit or a local folder nor followed by --hash."""
    unhashed = []
    for line in requirement_lines(text):
        if line.startswith("-"):  # an option such as --index-url
            continue
        spec, _, options = line.partition(" --hash=")
        requirement = Requirement(spec.strip())
        if requirement.url:
            pinned = SHA.search(requirement.url.rsplit("@", 1)[-1])
            if requirement.url.startswith("file:") or pinned:
                continue
        elif options:
            continue
        unhashed.append(line)
    return unhashed


def comments(text: str) -> str:
    """The comments of a requirements file as one line (the bake wraps them)."""
    lines = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]
    return " ".join(lines)


def pin_of(project: BakedProject) -> str:
    (pin,) = requirement_lines(project.read(PIN_FILE))
    return pin


# --- Where ml-lifecycle comes from, for every way of baking (fast) ----------------------


def test_a_bake_from_a_git_url_pins_that_repository_at_its_commit(forge, tmp_path):
    project, printed = bake_from(forge["url"], tmp_path)
    assert pin_of(project) == f"ml-lifecycle @ git+{forge['url']}@{forge['commit']}"
    assert "WARNING" not in project.read(PIN_FILE) and "Warning" not in printed
    assert f"  ml-lifecycle @ git+{forge['url']}@{forge['commit']}" in printed
    readme = project.read("README.md")
    assert f"- repository: `{forge['url']}`" in readme
    assert f"- commit: `{forge['commit']}`" in readme


def test_a_bake_from_a_clone_pins_its_origin(forge, tmp_path):
    clone = tmp_path / "clone"
    run("git", "clone", "-q", forge["url"], str(clone), cwd=tmp_path)
    project, printed = bake_from(str(clone), tmp_path / "out")
    assert pin_of(project) == f"ml-lifecycle @ git+{forge['url']}@{forge['commit']}"
    assert "Warning" not in printed


def test_a_clone_with_a_commit_not_pushed_says_so(forge, tmp_path):
    clone = tmp_path / "clone"
    run("git", "clone", "-q", forge["url"], str(clone), cwd=tmp_path)
    local = commit_all(clone, "Not pushed yet")
    project, printed = bake_from(str(clone), tmp_path / "out")
    assert pin_of(project) == f"ml-lifecycle @ git+{forge['url']}@{local}"
    assert f"Warning: Commit {local[:12]} is on no remote branch" in printed
    assert f"git -C {clone} push" in printed
    assert f"Commit {local[:12]} is on no remote branch" in " ".join(
        project.read("README.md").split()
    )


def test_a_clone_with_uncommitted_changes_says_the_pin_lacks_them(forge, tmp_path):
    clone = tmp_path / "clone"
    run("git", "clone", "-q", forge["url"], str(clone), cwd=tmp_path)
    with (clone / "README.md").open("a", encoding="utf-8") as readme:
        readme.write("A local change.\n")
    project, printed = bake_from(str(clone), tmp_path / "out")
    assert pin_of(project) == f"ml-lifecycle @ git+{forge['url']}@{forge['commit']}"
    assert "had uncommitted changes" in printed


def test_a_repository_without_a_remote_pins_itself_for_this_machine(tmp_path):
    repo = template_copy(tmp_path / "template")
    run("git", "init", "-q", cwd=repo)
    commit = commit_all(repo, "Template")
    project, printed = bake_from(str(repo), tmp_path / "out")
    assert pin_of(project) == f"ml-lifecycle @ git+{repo.as_uri()}@{commit}"
    assert "has no git remote that pip can clone" in printed
    assert "has no git remote that pip can clone" in comments(project.read(PIN_FILE))
    assert "> [!WARNING]" in project.read("README.md")
    # The remote pre-commit hook would name a repository CI cannot reach.
    assert "rev: " not in project.read("README.md")


def test_a_folder_without_git_pins_the_folder_and_says_so(tmp_path):
    folder = template_copy(tmp_path / "template")
    project, printed = bake_from(str(folder), tmp_path / "out")
    assert pin_of(project) == f"ml-lifecycle @ {folder.as_uri()}"
    assert f"Warning: {folder} is not a git repository" in printed
    assert "set the last line of requirements-lifecycle.txt to" in printed


def test_a_zip_archive_leaves_a_pin_to_fill_and_says_what(tmp_path):
    folder = template_copy(tmp_path / "ml-lifecycle")
    archive = tmp_path / "ml-lifecycle.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(folder, "ml-lifecycle/")  # cookiecutter takes the first entry as the top
        for path in sorted(folder.rglob("*")):
            zipped.write(path, path.relative_to(tmp_path).as_posix())
    project, printed = bake_from(str(archive), tmp_path / "out")
    assert requirement_lines(project.read(PIN_FILE)) == []
    assert "# ml-lifecycle @ git+<the template repository's URL>@<commit>" in project.read(PIN_FILE)
    assert "Warning: The template came from a zip archive" in printed


def test_cruft_create_pins_the_url_and_commit_it_records(forge, tmp_path):
    project, _ = bake_from(forge["url"], tmp_path, tool="cruft")
    cruft = json.loads(project.read(".cruft.json"))
    assert cruft["commit"] == forge["commit"]
    assert pin_of(project) == f"ml-lifecycle @ git+{forge['url']}@{forge['commit']}"


def test_credentials_in_a_remote_never_reach_the_project():
    base = Path("/templates")
    cases = {
        "https://ci:s3cret@github.com/acme/ml-lifecycle.git": (
            "https://github.com/acme/ml-lifecycle.git"
        ),
        "git@github.com:acme/ml-lifecycle.git": "https://github.com/acme/ml-lifecycle.git",
        "ssh://git@gitlab.com/acme/ml-lifecycle.git": "https://gitlab.com/acme/ml-lifecycle.git",
        "git@forge.internal:ml/ml-lifecycle.git": "ssh://git@forge.internal/ml/ml-lifecycle.git",
        "ssh://git:pw@forge.internal/ml/x.git": "ssh://git@forge.internal/ml/x.git",
        "gh:acme/ml-lifecycle": "https://github.com/acme/ml-lifecycle.git",
        "../shared/ml-lifecycle": "file:///shared/ml-lifecycle",
        "ext::sh -c touch% /tmp/pwned": None,
        "https://github.com/acme/x.git#egg=evil": None,
        "https://github.com/acme/x y.git": None,
    }
    for remote, expected in cases.items():
        assert lifecycle_source.pip_url(remote, base) == expected, remote


def test_git_never_runs_the_template_repositorys_config(forge, tmp_path):
    """A clone whose config would run programs (fsmonitor, hooks, a pager) is
    asked where it came from without running any of them."""
    clone = tmp_path / "clone"
    run("git", "clone", "-q", forge["url"], str(clone), cwd=tmp_path)
    ran = tmp_path / "ran"
    program = tmp_path / "program"
    program.write_text(f"#!/bin/sh\necho $0 >> {ran}\n", encoding="utf-8")
    program.chmod(0o755)
    for key in ("core.fsmonitor", "core.pager", "diff.external"):
        run("git", "config", key, str(program), cwd=clone)
    (clone / "README.md").write_text("changed\n", encoding="utf-8")  # status has work to do
    source = lifecycle_source.template_source({"_repo_dir": str(clone)})
    assert source["commit"] == forge["commit"] and "uncommitted" in source["warning"]
    assert not ran.exists()


# --- The index, opt-in and hashed -------------------------------------------------------

FAKE_HASHES = ["sha256:" + "a" * 64, "sha256:" + "b" * 64]


def with_package_index(folder: Path, index: dict) -> Path:
    """This template, copied, with `_package_index` set as RELEASING.md says."""
    template = template_copy(folder)
    config_path = template / "cookiecutter.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["_package_index"] = index
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    return template


def test_an_index_pin_is_a_version_with_the_hash_of_each_file(tmp_path):
    index = {"version": "1.2.0", "hashes": FAKE_HASHES, "index_url": ""}
    template = with_package_index(tmp_path / "template", index)
    project, printed = bake_from(str(template), tmp_path / "out")
    (pin,) = requirement_lines(project.read(PIN_FILE))
    assert pin == f"ml-lifecycle==1.2.0 --hash={FAKE_HASHES[0]} --hash={FAKE_HASHES[1]}"
    assert "Warning" not in printed
    readme = " ".join(project.read("README.md").split())
    assert "installs `ml-lifecycle` 1.2.0 from a package index" in readme


@pytest.mark.parametrize(
    ("index", "message"),
    [
        ({"version": "1.2.0", "hashes": [], "index_url": ""}, "needs the sha256"),
        ({"version": "1.2.0", "hashes": ["md5:abc"], "index_url": ""}, "needs the sha256"),
        ({"version": "1.2", "hashes": FAKE_HASHES, "index_url": "http://x y"}, "not a plain"),
    ],
)
def test_an_index_pin_without_plain_hashes_is_refused(tmp_path, index, message):
    template = with_package_index(tmp_path / "template", index)
    out, config = tmp_path / "out", tmp_path / "config"
    out.mkdir()
    config.mkdir()
    result = subprocess.run(
        [str(BIN / "cookiecutter"), "--no-input", str(template)],
        cwd=out,
        env=cookiecutter_env(config),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr[-2000:]
    assert list(out.iterdir()) == [], "a project was left"


# --- No requirement from an index without a hash ----------------------------------------


@pytest.mark.parametrize("publishing", ["none", "github-pages", "gitlab-pages"])
def test_no_baked_requirement_comes_from_an_index_without_a_hash(forge, tmp_path, publishing):
    """Every requirements file of a bake, for each source and host: a name is
    only ever resolved from an index with hashes."""
    folder = template_copy(tmp_path / "folder")
    indexed = with_package_index(
        tmp_path / "indexed", {"version": "1.2.0", "hashes": FAKE_HASHES, "index_url": ""}
    )
    answer = f"publishing={publishing}"
    sources = {"url": forge["url"], "folder": str(folder), "index": str(indexed)}
    for name, source in sources.items():
        project, _ = bake_from(source, tmp_path / name, answer)
        files = sorted(project.path.glob("requirements*.txt"))
        assert [f.name for f in files] == [LOCK_FILE, PIN_FILE], name
        for path in files:
            text = path.read_text(encoding="utf-8")
            assert requirement_lines(text), (name, path.name)
            assert index_requirements_without_hashes(text) == [], (name, path.name)


def test_the_hash_check_catches_a_bare_name():
    for line in ["ml-lifecycle==0.1.0", "mkdocs", "ml-lifecycle @ git+https://x/y.git@main"]:
        assert index_requirements_without_hashes(line) == [line]


# --- The lock: everything the package needs, for every supported Python ------------------


def locked_versions(python: str, platform: str) -> dict[str, Version]:
    """Name -> version the lock installs on this Python and platform."""
    environment = {"python_full_version": python, "python_version": python[:4].rstrip(".")}
    environment |= {"sys_platform": platform, "platform_system": platform}
    found = {}
    for line in requirement_lines((TEMPLATE_FILES / LOCK_FILE).read_text(encoding="utf-8")):
        spec = line.split(" --hash=")[0]
        requirement = Requirement(spec)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        assert requirement.name.lower() not in found, f"{requirement.name} locked twice"
        found[requirement.name.lower().replace("_", "-")] = Version(specifier.version)
    return found


TEMPLATE_FILES = TEMPLATE / "{{cookiecutter.project_slug|slugify or 'unnamed'}}"


@pytest.mark.parametrize("python", PYTHONS)
def test_the_lock_satisfies_the_package_and_its_build_on_every_python(python):
    """What `make lock` must keep true: each runtime and build requirement of
    pyproject.toml has a locked version that satisfies it, on every platform."""
    pyproject = tomllib.loads((TEMPLATE / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [*pyproject["project"]["dependencies"], *pyproject["build-system"]["requires"]]
    assert Version(python) >= Version(pyproject["project"]["requires-python"].lstrip(">="))
    for platform in PLATFORMS:
        locked = locked_versions(python, platform)
        for line in wanted:
            requirement = Requirement(line)
            name = requirement.name.lower().replace("_", "-")
            assert name in locked, f"{name} is not locked for Python {python} on {platform}"
            assert requirement.specifier.contains(locked[name]), (python, line, locked[name])


def test_the_lock_hashes_every_requirement():
    text = (TEMPLATE_FILES / LOCK_FILE).read_text(encoding="utf-8")
    lines = requirement_lines(text)
    assert len(lines) > 20
    assert all(re.search(r"--hash=sha256:[0-9a-f]{64}", line) for line in lines)
    assert Marker("python_full_version < '3.11'")  # the lock has forks for older Pythons


# --- The baked Makefile installs again when it must --------------------------------------


def dry_run(project: BakedProject, target: str = "check") -> str:
    return project.run("make", "-n", target).stdout


def test_make_installs_when_the_requirements_change_or_an_install_did_not_finish(tmp_path, forge):
    project, _ = bake_from(forge["url"], tmp_path)
    assert "pip install" in dry_run(project), "a new project installs first"
    venv_bin = project.path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(sys.executable)
    assert "pip install" in dry_run(project), "a venv without the stamp is unfinished"
    (project.path / ".venv" / ".installed").touch()
    assert "pip install" not in dry_run(project), "a finished install is kept"
    for requirements in (LOCK_FILE, PIN_FILE):
        later = (project.path / ".venv" / ".installed").stat().st_mtime + 10
        os.utime(project.path / requirements, (later, later))
        assert "pip install" in dry_run(project), f"{requirements} changed"
        os.utime(project.path / ".venv" / ".installed", (later + 1, later + 1))
    (venv_bin / "python").unlink()
    assert "-m venv --clear" in dry_run(project), "a missing interpreter makes a new venv"


# --- The user's path, end to end (slow: a fresh environment, packages from the index) ---


def user_env(home: Path | None = None) -> dict:
    """A new user's shell: none of this test run's environment on PATH, no
    PIP_FIND_LINKS and no pip config file; pip reaches the configured index."""
    path = os.pathsep.join(
        part for part in os.environ["PATH"].split(os.pathsep) if Path(part) != BIN
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PIP_FIND_LINKS", "PYTHONPATH"} and not key.startswith("MAKE")
    }
    env |= {**GIT_ENV, "PATH": path, "PIP_CONFIG_FILE": os.devnull, "NO_MKDOCS_2_WARNING": "1"}
    # Not compiling every installed module to bytecode changes nothing of what
    # is installed, or from where, and saves a third of each install.
    env["PIP_NO_COMPILE"] = "1"
    return env


def installed_from(python: Path) -> dict:
    """Where pip installed ml-lifecycle from in this environment (PEP 610)."""
    code = (
        "import importlib.metadata as m, json; "
        "d = m.distribution('ml-lifecycle'); "
        "print(json.dumps({'version': d.version, 'direct_url': d.read_text('direct_url.json')}))"
    )
    found = json.loads(run(str(python), "-c", code, cwd=python.parent, env=user_env()).stdout)
    found["direct_url"] = json.loads(found["direct_url"]) if found["direct_url"] else None
    return found


def make(project: BakedProject, *targets: str) -> subprocess.CompletedProcess:
    return run("make", *targets, cwd=project.path, env=user_env())


@pytest.fixture(scope="module")
def installed_project(forge, tmp_path_factory) -> BakedProject:
    """A project baked from the forge's URL, whose `make docs` has run in a
    fresh environment."""
    project, _ = bake_from(forge["url"], tmp_path_factory.mktemp("user"))
    result = make(project, "docs")
    assert (project.path / "site" / "index.html").is_file(), result.stdout[-2000:]
    return project


@pytest.mark.slow
def test_make_docs_installs_the_tools_from_the_git_url_and_builds(installed_project, forge):
    python = installed_project.path / ".venv" / "bin" / "python"
    source = installed_from(python)["direct_url"]
    assert source["url"] == forge["url"]
    assert source["vcs_info"] == {"vcs": "git", "commit_id": forge["commit"]} | {
        k: v for k, v in source["vcs_info"].items() if k == "requested_revision"
    }
    assert run(str(python), "-m", "pip", "check", cwd=installed_project.path, env=user_env())
    checked = make(installed_project, "check")
    assert "No problems." in checked.stdout
    assert "pip install" not in checked.stdout, "a finished install is not repeated"


@pytest.mark.slow
def test_the_readmes_remote_pre_commit_hook_runs_the_check(installed_project, forge, tmp_path):
    """The README's second snippet, as written: pre-commit clones the
    template's repository at the pinned commit and runs `ml-lifecycle check`."""
    readme = installed_project.read("README.md")
    section = readme.split("## Checking before each commit\n", 1)[1].split("\n## ", 1)[0]
    _, remote = (yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S))
    (repo,) = remote["repos"]
    assert (repo["repo"], repo["rev"]) == (forge["url"], forge["commit"])
    project = tmp_path / "project"
    shutil.copytree(installed_project.path, project, ignore=shutil.ignore_patterns(".venv", "site"))
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(remote), encoding="utf-8")
    env = {**user_env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    run("git", "init", "-q", cwd=project, env=env)
    run("git", "add", "-A", cwd=project, env=env)
    result = run(str(BIN / "pre-commit"), "run", "--all-files", cwd=project, env=env)
    assert re.search(r"ml-lifecycle check\.+Passed", result.stdout), result.stdout


def workflow_steps(project: BakedProject) -> list[str]:
    """The `run:` steps of the Pages workflow's build job, in order."""
    workflow = project.yaml(".github/workflows/pages.yml")
    return [step["run"] for step in workflow["jobs"]["build"]["steps"] if "run" in step]


def gitlab_script(project: BakedProject) -> list[str]:
    """What the GitLab `pages` job runs: its before_script, then its script."""
    config = project.yaml(".gitlab-ci.yml")
    job = {**config[".site"], **config["pages"]}
    return [*job["before_script"], *job["script"]]


def run_steps(steps: list[str], project: BakedProject, tmp: Path) -> None:
    """Each command in order, with bash, in a new environment whose `python`
    and `pip` come first on PATH, as setup-python or the python image give,
    and with the job summary file a GitHub runner gives every step."""
    venv = tmp / "runner-python"
    run(sys.executable, "-m", "venv", str(venv), cwd=tmp, env=user_env())
    env = user_env()
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["GITHUB_STEP_SUMMARY"] = str(tmp / "step-summary.md")
    for step in steps:
        run("bash", "-e", "-c", step, cwd=project.path, env=env)


@pytest.mark.slow
def test_the_pages_workflow_steps_build_a_site_as_written(forge, tmp_path):
    project, _ = bake_from(forge["url"], tmp_path / "out", "publishing=github-pages")
    steps = workflow_steps(project)
    assert any("requirements-lifecycle.txt" in step for step in steps)
    run_steps(steps, project, tmp_path)
    assert "Status of every document" in (project.path / "site" / "index.html").read_text()


@pytest.mark.slow
def test_the_gitlab_job_builds_a_site_as_written(forge, tmp_path):
    project, _ = bake_from(forge["url"], tmp_path / "out", "publishing=gitlab-pages")
    run_steps(gitlab_script(project), project, tmp_path)
    assert "Status of every document" in (project.path / "public" / "index.html").read_text()


@pytest.mark.slow
def test_cruft_update_moves_the_pin_and_the_project_still_builds(forge, tmp_path):
    project, _ = bake_from(forge["url"], tmp_path / "out", tool="cruft")
    make(project, "check")
    run("git", "init", "-q", cwd=project.path)
    commit_all(project.path, "Bake")
    log = forge["work"] / TEMPLATE_FILES.name / "docs" / "iteration-log.md"
    log.write_text(log.read_text(encoding="utf-8") + "\nA later template's line.\n", "utf-8")
    later = commit_all(forge["work"], "A later template")
    run("git", "push", "-q", "origin", "HEAD:main", cwd=forge["work"])
    try:
        run(str(BIN / "cruft"), "update", "--skip-apply-ask", cwd=project.path, env=user_env())
    finally:  # the forge and its clone go back for the other tests
        run("git", "push", "-q", "-f", "origin", f"{forge['commit']}:main", cwd=forge["work"])
        run("git", "reset", "-q", "--hard", forge["commit"], cwd=forge["work"])
    assert "A later template's line." in project.read("docs/iteration-log.md")
    assert pin_of(project) == f"ml-lifecycle @ git+{forge['url']}@{later}"
    assert json.loads(project.read(".cruft.json"))["commit"] == later
    built = make(project, "docs")
    assert "requirements-lifecycle.txt" in built.stdout, "the changed pin was installed"
    python = project.path / ".venv" / "bin" / "python"
    assert installed_from(python)["direct_url"]["vcs_info"]["commit_id"] == later


def load_module(path: Path):
    """A script of the repository (scripts/ is no package), imported from its file."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def simple_index(dists: Path, root: Path) -> str:
    """A PEP 503 index in a folder, holding the files in `dists`."""
    project = root / "simple" / "ml-lifecycle"
    project.mkdir(parents=True)
    links = []
    for path in sorted(dists.iterdir()):
        shutil.copy2(path, project / path.name)
        links.append(f'<a href="{path.name}">{path.name}</a>')
    (project / "index.html").write_text("\n".join(links), encoding="utf-8")
    return (root / "simple").as_uri()


@pytest.mark.slow
def test_an_index_pin_takes_the_released_files_and_no_other(tmp_path):
    """The release's `_package_index` (scripts/check_release.py writes it), set
    in a template: pip takes exactly those files from the index the baked
    pin names, and refuses a file whose hash differs. (The rest of the
    install is the same `make` path as a git pin's.)"""
    dists = tmp_path / "dist"
    build = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dists)]
    run(*build, str(TEMPLATE), cwd=tmp_path)
    version = next(dists.glob("*.whl")).name.split("-")[1]
    release = load_module(TEMPLATE / "scripts" / "check_release.py")
    index = release.index_pin(dists, version) | {"index_url": simple_index(dists, tmp_path)}
    template = with_package_index(tmp_path / "template", index)
    project, _ = bake_from(str(template), tmp_path / "out")

    def download() -> tuple[subprocess.CompletedProcess, list[str]]:
        got = tmp_path / "downloaded"
        shutil.rmtree(got, ignore_errors=True)
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(got)]
        result = subprocess.run(
            [*pip, "-r", PIN_FILE],
            cwd=project.path,
            env=user_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        return result, sorted(p.name for p in got.glob("*")) if got.is_dir() else []

    taken, files = download()
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert files == [next(dists.glob("*.whl")).name]
    wheel = next((tmp_path / "simple" / "ml-lifecycle").glob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    refused, files = download()
    assert refused.returncode != 0 and files == []
