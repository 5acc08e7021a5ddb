"""The `publishing` option: exactly one CI file per choice, valid YAML that
checks, builds strictly and publishes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import UNRENDERED, expected_files

GITHUB = ".github/workflows/pages.yml"
GITLAB = ".gitlab-ci.yml"
DEPENDABOT = ".github/dependabot.yml"
CI_FILES = {
    "none": set(),
    "github-pages": {GITHUB, DEPENDABOT, ".github/CODEOWNERS"},
    "gitlab-pages": {GITLAB, ".gitlab/CODEOWNERS"},
}
CHECK = "ml-lifecycle check"
BUILD = re.compile(r"mkdocs build --strict --site-dir (\S+)")
PAGES_ACTIONS = {
    "actions/checkout",
    "actions/setup-python",
    "actions/configure-pages",
    "actions/upload-pages-artifact",
    "actions/deploy-pages",
}


@pytest.mark.parametrize("choice", CI_FILES)
def test_each_choice_produces_exactly_its_files(bake, choice):
    project = bake(publishing=choice)
    files = project.files()
    assert {f for f in files if f.startswith((".github/", ".gitlab"))} == CI_FILES[choice]
    assert files == expected_files({"publishing": choice})
    if choice != "github-pages":
        assert not (project.path / ".github").exists(), "empty .github folder left behind"


def github_workflow(project) -> tuple[str, dict]:
    text = project.read(GITHUB)
    return text, yaml.safe_load(text)


def steps_run(steps: list[dict]) -> list[str]:
    return [step["run"] for step in steps if "run" in step]


def test_github_workflow_checks_builds_and_deploys(bake):
    project = bake(publishing="github-pages", repo_url="https://github.com/acme/triage")
    text, workflow = github_workflow(project)
    assert not UNRENDERED.search(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    runs = steps_run(build["steps"])
    # The status table goes to the job summary, which the pull request shows.
    check = runs.index(f'{CHECK} --summary "$GITHUB_STEP_SUMMARY"')
    assert check < next(i for i, run in enumerate(runs) if BUILD.search(run))
    site = next(BUILD.search(run).group(1) for run in runs if BUILD.search(run))
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-"))
    assert upload["with"]["path"] == site
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert "github.ref == 'refs/heads/main'" in deploy["if"]
    assert workflow["permissions"] == {"contents": "read"}


def test_github_workflow_uses_official_actions_pinned_to_commits(bake):
    text, workflow = github_workflow(bake(publishing="github-pages"))
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert {use.split("@")[0] for use in uses} == PAGES_ACTIONS
    assert all(re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", use) for use in uses), uses
    # The release each commit belongs to is in a comment, for readers and Dependabot.
    for use in uses:
        assert re.search(rf"uses: {re.escape(use)} # v\d+\.\d+\.\d+$", text, re.M), use


def test_the_checkout_keeps_no_credentials(bake):
    _, workflow = github_workflow(bake(publishing="github-pages"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_github_expressions_survive_baking(bake):
    text, workflow = github_workflow(bake(publishing="github-pages"))
    assert "url: ${{ steps.deployment.outputs.page_url }}" in text
    assert workflow["jobs"]["deploy"]["environment"]["url"] == (
        "${{ steps.deployment.outputs.page_url }}"
    )
    assert workflow["concurrency"]["group"] == "${{ github.workflow }}-${{ github.ref }}"
    assert text.count("${{") == text.count("}}") == 5


def gitlab_jobs(project) -> dict:
    """The jobs of .gitlab-ci.yml with `extends` resolved (one level)."""
    config = yaml.safe_load(project.read(GITLAB))
    jobs = {}
    for name, job in config.items():
        if (
            isinstance(job, dict)
            and not name.startswith(".")
            and name
            not in {
                "default",
                "variables",
                "cache",
            }
        ):
            base = config.get(job.get("extends", ""), {})
            jobs[name] = {**base, **job}
    return jobs


def test_gitlab_pages_job_checks_builds_and_publishes(bake):
    project = bake(publishing="gitlab-pages", repo_url="https://gitlab.com/acme/triage")
    text = project.read(GITLAB)
    assert not UNRENDERED.search(text) and "${{" not in text
    jobs = gitlab_jobs(project)
    assert set(jobs) == {"pages", "check"}
    pages = jobs["pages"]
    # The status table is a report the merge request links to.
    assert pages["script"][0] == f"{CHECK} --summary lifecycle-check.md"
    assert jobs["check"]["artifacts"]["expose_as"] and jobs["check"]["artifacts"]["paths"] == [
        "lifecycle-check.md"
    ]
    assert BUILD.search(pages["script"][1]).group(1) == "public"
    assert pages["artifacts"]["paths"] == ["public", "lifecycle-check.md"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert jobs["check"]["script"] == pages["script"]
    assert "merge_request_event" in jobs["check"]["rules"][0]["if"]


def test_readme_explains_the_chosen_publishing(bake):
    assert GITHUB in bake(publishing="github-pages").read("README.md")
    assert GITLAB in bake(publishing="gitlab-pages").read("README.md")
    readme = bake(publishing="none").read("README.md")
    assert "No CI file was generated" in readme
    assert GITHUB not in readme and GITLAB not in readme


def ci_commands(project, choice: str) -> list[str]:
    """The shell commands the CI file runs, without installing the tools."""
    if choice == "github-pages":
        _, workflow = github_workflow(project)
        commands = steps_run(workflow["jobs"]["build"]["steps"])
    else:
        commands = gitlab_jobs(project)["pages"]["script"]
    return [command for command in commands if "pip install" not in command]


@pytest.mark.slow
@pytest.mark.parametrize("choice", ["github-pages", "gitlab-pages"])
def test_ci_commands_succeed_on_a_fresh_bake(bake, choice, tmp_path):
    """Run the CI file's own commands with this interpreter's tools, and
    the job summary file GitHub gives each step."""
    project = bake(publishing=choice)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]}
    env["NO_MKDOCS_2_WARNING"] = "1"
    summary = tmp_path / "step-summary.md"
    env["GITHUB_STEP_SUMMARY"] = str(summary)
    commands = ci_commands(project, choice)
    assert len(commands) == 2
    for command in commands:
        result = subprocess.run(
            command, shell=True, cwd=project.path, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, command + "\n" + result.stdout + result.stderr
        assert "WARNING" not in result.stderr
    site = BUILD.search(commands[-1]).group(1)
    assert (project.path / site / "index.html").is_file()
    # The status table, in Markdown, where the forge shows it with the change.
    report = summary if choice == "github-pages" else project.path / "lifecycle-check.md"
    assert "| Phase | Document | Status | Owner |" in report.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "choice, variable", [("github-pages", "SITE_URL"), ("gitlab-pages", "CI_PAGES_URL")]
)
def test_the_site_url_comes_from_the_pages_deployment(bake, monkeypatch, choice, variable):
    """Without a repository URL to derive it from, the build still learns
    where Pages serves the site (the 404 page needs it under a sub-path): on
    GitHub from actions/configure-pages, on GitLab from CI_PAGES_URL."""
    from mkdocs.utils.yaml import yaml_load

    project = bake(publishing=choice, repo_url="")
    if choice == "github-pages":
        steps = github_workflow(project)[1]["jobs"]["build"]["steps"]
        uses = [step.get("uses", "").split("@")[0] for step in steps]
        configure = uses.index("actions/configure-pages")
        build = next(i for i, step in enumerate(steps) if BUILD.search(step.get("run", "")))
        assert configure < build
        pages_id = steps[configure]["id"]
        assert steps[build]["env"][variable] == f"${{{{ steps.{pages_id}.outputs.base_url }}}}"
    for name in ("SITE_URL", "CI_PAGES_URL"):
        monkeypatch.delenv(name, raising=False)
    assert not yaml_load(project.read("mkdocs.yml")).get("site_url")
    monkeypatch.setenv(variable, "https://acme.example.io/triage")
    assert yaml_load(project.read("mkdocs.yml"))["site_url"] == "https://acme.example.io/triage"
