"""Release engineering: the workflows (this repository's and a bake's), the
release's version check, Dependabot and Renovate, the pre-commit hook, and the
plain command beside every documented make target."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EVERYTHING_ON, TEMPLATE

import ml_lifecycle


def _load_release_check():
    """scripts/check_release.py, imported from its file (scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location(
        "check_release", TEMPLATE / "scripts" / "check_release.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_release = _load_release_check()

BIN = Path(sys.executable).parent
WORKFLOWS = TEMPLATE / ".github" / "workflows"
HOOKS_MANIFEST = TEMPLATE / ".pre-commit-hooks.yaml"
# Any request for a remote schema would go to this dead proxy and fail.
OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
# An action pinned to a full commit SHA, with the release it is in a comment
# (`uses: actions/checkout@<40 hex> # v4.4.0`): a tag or a branch can be moved
# to other code, a commit cannot. Dependabot reads the comment and updates the
# SHA and the comment together.
PINNED_USES = re.compile(
    r"\s*(?:- )?uses: (?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # v\d+\.\d+\.\d+"
)
BROKEN_STATUS = "status: approved"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true


@pytest.fixture(scope="module")
def github_bake(baked):
    return baked(**EVERYTHING_ON)


@pytest.fixture(scope="module")
def gitlab_bake(baked):
    return baked(publishing="gitlab-pages", repo_url="https://gitlab.com/acme/triage")


@pytest.fixture(scope="module")
def files_by_schema(github_bake, gitlab_bake) -> dict[str, list[Path]]:
    """Every CI and bot file, of this repository and of the bakes, by the
    built-in check-jsonschema schema it must validate against."""
    return {
        "vendor.github-workflows": [
            *sorted(WORKFLOWS.glob("*.yml")),
            github_bake.path / ".github/workflows/pages.yml",
        ],
        "vendor.dependabot": [
            TEMPLATE / ".github/dependabot.yml",
            github_bake.path / ".github/dependabot.yml",
        ],
        "vendor.gitlab-ci": [gitlab_bake.path / ".gitlab-ci.yml"],
        "vendor.renovate": [gitlab_bake.path / "renovate.json"],
    }


def all_workflows(files_by_schema) -> dict[str, dict]:
    return {path.name: load(path) for path in files_by_schema["vendor.github-workflows"]}


# --- Schemas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    ["vendor.github-workflows", "vendor.dependabot", "vendor.gitlab-ci", "vendor.renovate"],
)
def test_ci_files_validate_against_their_schema_offline(files_by_schema, schema):
    """One check-jsonschema run per schema, over every file it covers; the
    schemas are the ones bundled with check-jsonschema, so no network."""
    paths = files_by_schema[schema]
    assert all(path.is_file() for path in paths), paths
    result = subprocess.run(
        [BIN / "check-jsonschema", "--no-cache", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actions_are_pinned_to_a_commit_with_the_release_in_a_comment(files_by_schema):
    """Every `uses:` of this repository's workflows and of a bake's, checked on
    the text: YAML drops the comment that names the release."""
    for path in files_by_schema["vendor.github-workflows"]:
        text = path.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if re.match(r"\s*(- )?uses:", line)]
        assert lines, path.name
        for line in lines:
            assert PINNED_USES.fullmatch(line), (path.name, line)
        # Nothing reaches an action except through one of those lines.
        steps = [
            step for job in load(path)["jobs"].values() for step in job["steps"] if "uses" in step
        ]
        assert len(steps) == len(lines), path.name
        assert [s["uses"] for s in steps] == [
            "{action}@{sha}".format(**PINNED_USES.fullmatch(line).groupdict()) for line in lines
        ], path.name


def test_dependabot_updates_the_actions_of_this_repository_and_a_github_bake(
    files_by_schema,
):
    """Dependabot proposes new releases of SHA-pinned actions (SHA and comment)."""
    for path in files_by_schema["vendor.dependabot"]:
        updates = load(path)["updates"]
        actions = [u for u in updates if u["package-ecosystem"] == "github-actions"]
        assert [u["directory"] for u in actions] == ["/"], path


def test_permissions_are_least(files_by_schema):
    for name, workflow in all_workflows(files_by_schema).items():
        assert workflow["permissions"] == {"contents": "read"}, name
        for job_name, job in workflow["jobs"].items():
            # Only publishing and deploying jobs write, and only what they must.
            extra = job.get("permissions", {})
            assert set(extra) <= {"id-token", "pages"}, (name, job_name, extra)
            if "id-token" in extra:
                uses = " ".join(step.get("uses", "") for step in job["steps"])
                assert "deploy-pages" in uses or "pypi-publish" in uses, (name, job_name)


def test_no_workflow_holds_a_secret():
    for path in WORKFLOWS.glob("*.yml"):
        assert "secrets." not in path.read_text(encoding="utf-8"), path.name


# --- This repository's test workflow ------------------------------------------------


def supported_pythons() -> list[str]:
    text = (TEMPLATE / "pyproject.toml").read_text(encoding="utf-8")
    lowest = re.search(r'requires-python = ">=3\.(\d+)"', text).group(1)
    return [f"3.{minor}" for minor in range(int(lowest), 15)]


def test_test_workflow_runs_make_test_on_every_python_and_portable_bakes():
    workflow = load(WORKFLOWS / "test.yml")
    assert {"push", "pull_request"} <= set(triggers(workflow))
    linux, portable = workflow["jobs"]["linux"], workflow["jobs"]["portable"]
    assert linux["strategy"]["matrix"]["python"] == supported_pythons()
    assert linux["container"] == "python:${{ matrix.python }}"
    assert any(step.get("run") == ".ci/run" for step in linux["steps"])
    assert "make test" in (TEMPLATE / ".ci/run").read_text(encoding="utf-8")
    assert portable["strategy"]["matrix"]["os"] == ["macos-latest", "windows-latest"]
    runs = "\n".join(step.get("run", "") for step in portable["steps"])
    assert not re.search(r"\bmake\b", runs)


def portable_commands(shell: str) -> list[str]:
    """The project commands the portable job runs with this shell, without
    the venv prefix, from the step that runs in the baked project."""
    workflow = load(WORKFLOWS / "test.yml")
    (step,) = [
        s
        for s in workflow["jobs"]["portable"]["steps"]
        if s.get("shell") == shell and "working-directory" in s
    ]
    lines = [line.strip() for line in step["run"].splitlines() if line.strip()]
    return [
        re.sub(r"^\.venv[/\\](bin|Scripts)[/\\]", "", line) for line in lines if "$" not in line
    ]


def readme_section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


@pytest.mark.parametrize(("shell", "block"), [("bash", "sh"), ("pwsh", "powershell")])
def test_portable_job_runs_the_baked_readmes_commands(default_project, shell, block):
    """What macOS and Windows run in CI is what the README tells a team to type:
    the setup block for that shell, then the commands of the table."""
    readme = default_project.read("README.md")
    section = readme_section(readme, "Without make")
    (setup,) = re.findall(rf"```{block}\n(.*?)```", section, re.S)
    documented = {
        re.sub(r"^\.venv[/\\](bin|Scripts)[/\\]", "", line) for line in setup.splitlines()
    }
    documented |= {cell.strip("`") for cell in plain_commands(readme).values()}
    commands = portable_commands(shell)
    assert "venv .venv" in commands[0] and "ml-lifecycle check" in commands
    assert set(commands) <= documented, set(commands) - documented


# --- The release workflow ------------------------------------------------------------


def test_release_workflow_checks_before_publishing_with_trusted_publishing():
    workflow = load(WORKFLOWS / "release.yml")
    assert triggers(workflow) == {"push": {"tags": ["v*"]}}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    runs = [step.get("run", step.get("uses", "")) for step in build["steps"]]
    order = [
        "python -m build",
        "twine check --strict",
        "scripts/check_release.py",
        "upload-artifact",
    ]
    positions = [next(i for i, run in enumerate(runs) if part in run) for part in order]
    assert positions == sorted(positions), runs
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    (upload,) = [s for s in publish["steps"] if "pypi-publish" in s.get("uses", "")]
    assert "with" not in upload, "trusted publishing needs no user, password or token"


def release_check_step() -> str:
    workflow = load(WORKFLOWS / "release.yml")
    (run,) = [
        s["run"] for s in workflow["jobs"]["build"]["steps"] if "check_release" in s.get("run", "")
    ]
    return run


@pytest.mark.parametrize(
    ("tag", "dists", "expected"),
    [
        ("v1.2.0", ["ml_lifecycle-1.2.0.tar.gz", "ml_lifecycle-1.2.0-py3-none-any.whl"], []),
        ("1.2.0", [], ["not a version tag"]),
        (
            "v1.2.1",
            ["ml_lifecycle-1.2.0.tar.gz", "ml_lifecycle-1.2.0-py3-none-any.whl"],
            ["says"] * 3,
        ),
        ("v1.2.0", ["ml_lifecycle-1.2.0-py3-none-any.whl"], ["one sdist and one wheel"]),
    ],
)
def test_release_check_names_every_disagreement(tmp_path, tag, dists, expected):
    for name in dists:
        (tmp_path / name).touch()
    versions = {"package": "1.2.0"}
    found = check_release.disagreements(tag, versions, check_release.dist_versions(tmp_path))
    assert len(found) == len(expected), found
    assert all(word in problem for word, problem in zip(expected, found, strict=True))


def test_release_check_reads_this_checkouts_version():
    assert check_release.package_version() == ml_lifecycle.__version__


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> Path:
    """The sdist and the wheel of this checkout, built as the release builds
    them (without build isolation, so offline)."""
    folder = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(folder), str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return folder


@pytest.mark.slow
def test_built_dists_pass_twine_check(dists):
    files = sorted(map(str, dists.iterdir()))
    assert len(files) == 2
    result = subprocess.run(
        [BIN / "twine", "check", "--strict", *files], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("agrees", [True, False])
def test_release_step_refuses_a_tag_that_disagrees(tmp_path, dists, agrees):
    """Run the release workflow's own check step, as GitHub would for a tag."""
    (tmp_path / "scripts").symlink_to(TEMPLATE / "scripts")
    (tmp_path / "dist").symlink_to(dists)
    tag = f"v{ml_lifecycle.__version__}" if agrees else "v999.0.0"
    env = {**os.environ, "GITHUB_REF_NAME": tag, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", release_check_step()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if agrees:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 3, result.stderr  # package, sdist, wheel


# --- Dependabot and Renovate in bakes ------------------------------------------------


def test_github_bake_asks_dependabot_for_the_site_tools_and_the_actions(github_bake):
    """The hashed site tools move together; ml-lifecycle moves with the
    template (cruft update), so Dependabot leaves its git pin alone."""
    config = github_bake.yaml(".github/dependabot.yml")
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    pip = updates["pip"]
    assert pip["directory"] == "/" and github_bake.has_file("requirements-docs.txt")
    assert [rule["dependency-name"] for rule in pip["ignore"]] == ["ml-lifecycle"]
    grouped = [pattern for group in pip["groups"].values() for pattern in group["patterns"]]
    assert grouped == ["*"], "one pull request for the whole lock"


def test_gitlab_bake_gets_renovate_and_others_neither(gitlab_bake, default_project):
    config = gitlab_bake.yaml("renovate.json")  # JSON is YAML
    (off,) = [rule for rule in config["packageRules"] if rule.get("enabled") is False]
    assert off["matchPackageNames"] == ["ml-lifecycle"]
    (tools,) = [rule for rule in config["packageRules"] if "groupName" in rule]
    assert tools["matchManagers"] == ["pip_requirements"] and "matchPackageNames" not in tools
    (image,) = [rule for rule in config["packageRules"] if rule.get("pinDigests")]
    assert image["matchManagers"] == ["gitlabci"]
    assert not gitlab_bake.has_file(".github/dependabot.yml")
    assert not default_project.has_file("renovate.json")
    assert not default_project.has_file(".github/dependabot.yml")


# --- The pre-commit hook -----------------------------------------------------------


def manifest_hook() -> dict:
    (hook,) = load(HOOKS_MANIFEST)
    return hook


def test_hook_manifest_is_valid_and_names_a_provided_command():
    result = subprocess.run(
        [BIN / "pre-commit", "validate-manifest", str(HOOKS_MANIFEST)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hook = manifest_hook()
    program, command = hook["entry"].split()
    scripts = importlib.metadata.entry_points(group="console_scripts", name=program)
    assert [script.value for script in scripts] == ["ml_lifecycle.cli:main"]
    usage = subprocess.run(
        [BIN / program, command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert usage.returncode == 0, usage.stderr
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    for path in ("docs/04-building/model-card.md", "lifecycle.yml"):
        assert re.search(hook["files"], path)
    assert not re.search(hook["files"], "README.md")


def readme_configs(project) -> list[dict]:
    section = readme_section(project.read("README.md"), "Checking before each commit")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", section, re.S)]


def test_readme_enables_the_local_hook(default_project, tmp_path):
    """The README's first snippet runs the manifest's hook from .venv; the
    remote one is tested where the bake knows its repository (test_install)."""
    local = readme_configs(default_project)[0]
    assert local["repos"][0]["repo"] == "local"
    (local_hook,) = local["repos"][0]["hooks"]
    for key in ("id", "name", "entry", "pass_filenames", "files"):
        assert local_hook[key] == manifest_hook()[key], key
    for number, config in enumerate(readme_configs(default_project)):
        path = tmp_path / f"config-{number}.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        result = subprocess.run(
            [BIN / "pre-commit", "validate-config", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_pre_commit_runs_the_check_and_stops_a_broken_document(bake, tmp_path):
    """pre-commit with the README's local hook (the manifest's entry and file
    filter, run from this environment: no network) on a fresh bake."""
    project = bake()
    local = readme_configs(project)[0]
    (project.path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(local), encoding="utf-8")
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    assert project.run("git", "init", "-q", **env).returncode == 0
    assert project.run("git", "add", "-A", **env).returncode == 0
    passed = project.run(str(BIN / "pre-commit"), "run", "--all-files", **env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "ml-lifecycle check" in passed.stdout and "Passed" in passed.stdout

    card = project.path / "docs/04-building/model-card.md"
    text = card.read_text(encoding="utf-8")
    assert "status: draft" in text
    card.write_text(text.replace("status: draft", BROKEN_STATUS, 1), encoding="utf-8")
    project.run("git", "add", "-A", **env)
    failed = project.run(str(BIN / "pre-commit"), "run", "--all-files", **env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout and "model-card.md" in failed.stdout


# --- Every make target has its plain command --------------------------------------

MAKE_ASSIGNMENT = re.compile(r"^([A-Z]+) :?= (.+)$", re.M)


def make_targets(makefile: Path) -> dict[str, list[str]]:
    """Each documented target (`name: ... ## help`) with the commands it runs
    from the venv, as a person would type them with the venv active."""
    text = makefile.read_text(encoding="utf-8")
    variables = dict(MAKE_ASSIGNMENT.findall(text))
    targets: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        match = re.match(r"^([a-z-]+):.*## ", line)
        if match:
            current = targets.setdefault(match.group(1), [])
        elif not line.startswith("\t"):
            current = None
        elif current is not None:
            for command in re.findall(r"\$\(BIN\)/(.+?)(?: &&|$)", line):
                command = command.replace(" $(ARGS)", "")
                for name, value in variables.items():
                    command = command.replace(f"$({name})", value)
                # A variable given on the command line (FILE=…) is a placeholder.
                command = re.sub(r'"?\$\(([A-Z]+)\)"?', r"\1", command)
                current.append(command)
    targets.pop("help")
    return targets


def plain_commands(readme: str) -> dict[str, str]:
    """The 'Without make' table: make target -> the cell beside it."""
    section = re.search(r"^#+ Without make\n(.*?)(?=^#+ |\Z)", readme, re.M | re.S).group(1)
    return dict(re.findall(r"^\| `make ([a-z-]+)` \| (.+) \|$", section, re.M))


@pytest.mark.parametrize("where", ["template repository", "baked project"])
def test_every_make_target_has_its_plain_command_in_the_readme(default_project, where):
    if where == "template repository":
        makefile, readme = TEMPLATE / "Makefile", (TEMPLATE / "README.md").read_text("utf-8")
    else:
        makefile, readme = default_project.path / "Makefile", default_project.read("README.md")
    targets, table = make_targets(makefile), plain_commands(readme)
    baked_targets = set(make_targets(default_project.path / "Makefile"))
    assert set(table) == set(targets), set(targets) ^ set(table)
    for target, commands in targets.items():
        for command in commands:
            assert f"`{command}`" in table[target], (target, command)
    # The template's README also mentions a baked project's targets (make docs).
    known = set(table) | (baked_targets if where == "template repository" else set())
    documented = set(re.findall(r"(?:`|^)make ([a-z-]+)", readme, re.M)) - {"help"}
    assert documented <= known, documented - known


def test_no_make_needed_in_the_baked_ci(github_bake, gitlab_bake):
    for text in (
        github_bake.read(".github/workflows/pages.yml"),
        gitlab_bake.read(".gitlab-ci.yml"),
    ):
        assert not re.search(r"^\s*-?\s*(run: )?make\b", text, re.M)


def test_git_is_available_for_the_pre_commit_test():
    assert shutil.which("git"), "the pre-commit test needs git"
