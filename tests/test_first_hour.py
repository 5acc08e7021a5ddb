"""The first hour of a new user (issue 13): prompts that explain themselves,
every answer problem at once, the right path in "Next steps", and a site that
works where it is published."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE
from pages_host import dead_links, fetch, serve_under

COOKIECUTTER = str(Path(sys.executable).with_name("cookiecutter"))
HIGH_RISK = {
    "project_name": "Invoice Fraud Screening",
    "risk_level": "high",
    "update_mode": "periodic-retraining",
    "publishing": "github-pages",
    "repo_url": "https://github.com/northbridge/invoice-fraud-screening",
}


def cookiecutter(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The cookiecutter command as a user runs it from a shell in `cwd`."""
    env = {**os.environ, "PWD": str(cwd), "NO_MKDOCS_2_WARNING": "1", "COLUMNS": "200"}
    return subprocess.run(
        [COOKIECUTTER, str(TEMPLATE), *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error: ")]


def test_every_bad_answer_is_reported_at_once_in_prompt_order(tmp_path):
    result = cookiecutter(
        tmp_path,
        "--no-input",
        "project_slug=Invoice_Fraud",
        "owner_email=jane.doe",
        "repo_url=github.com/northbridge/ifs",
    )
    assert result.returncode == 1
    assert error_lines(result.stderr) == [
        "error: project_slug 'Invoice_Fraud' may hold only lowercase letters, digits and "
        "single hyphens, and must start and end with a letter or digit; try 'invoice-fraud'",
        "error: owner_email 'jane.doe' is not a valid email address (like name@example.org)",
        "error: repo_url 'github.com/northbridge/ifs' must start with https://; "
        "try 'https://github.com/northbridge/ifs'",
    ]
    assert list(tmp_path.iterdir()) == []


def test_hook_reports_every_problem_too():
    """The pre-generation hook, run after the sandbox, prints one line per problem."""
    hook = (TEMPLATE / "hooks" / "pre_gen_project.py").read_text(encoding="utf-8")
    assert "for problem in found:" in hook and 'print(f"error: {problem}"' in hook


def test_a_name_of_only_spaces_is_refused_before_the_folder_prompt(tmp_path):
    result = cookiecutter(tmp_path, stdin="   \n")
    assert result.returncode == 1
    assert error_lines(result.stderr) == ["error: project_name must not be empty"]
    assert "Folder name" not in result.stdout, "the slug prompt was still shown"
    assert list(tmp_path.iterdir()) == []
    result = cookiecutter(tmp_path, "--no-input", "project_name=   ")
    assert error_lines(result.stderr) == ["error: project_name must not be empty or only spaces"]
    assert list(tmp_path.iterdir()) == []


def test_choice_prompts_show_what_each_choice_does(tmp_path):
    result = cookiecutter(tmp_path, "-o", "out", stdin="\n" * 20)
    assert result.returncode == 0, result.stderr
    shown = " ".join(result.stdout.split())
    assert "1 - Minimal — Documents as written; no section is mandatory." in shown
    assert "2 - Limited — Adds transparency prompts" in shown
    assert "(Enter leaves a TODO)" in shown


def test_next_steps_name_the_real_path_quoted(tmp_path):
    result = cookiecutter(tmp_path, "--no-input", "-o", "my docs")
    assert result.returncode == 0, result.stderr
    assert "  cd 'my docs/my-ml-system'\n" in result.stdout
    assert "Created 'my docs/my-ml-system' with 10 lifecycle documents" in result.stdout
    assert "site/index.html" not in result.stdout


def test_next_steps_use_an_absolute_path_outside_the_working_folder(tmp_path):
    (tmp_path / "here").mkdir()
    result = cookiecutter(tmp_path / "here", "--no-input", "-o", str(tmp_path / "elsewhere"))
    assert result.returncode == 0, result.stderr
    assert f"  cd {tmp_path / 'elsewhere' / 'my-ml-system'}\n" in result.stdout


def test_next_steps_stay_quiet_when_cruft_re_renders(tmp_path, monkeypatch):
    sys.path.insert(0, str(TEMPLATE / "hooks"))
    try:
        import importlib

        post = importlib.import_module("post_gen_project")
    finally:
        sys.path.remove(str(TEMPLATE / "hooks"))
    import tempfile

    rerender = Path(tempfile.mkdtemp()) / "my-ml-system"
    rerender.mkdir()
    assert post.is_rerender({"_commit": "abc"}, rerender)
    assert not post.is_rerender({}, rerender), "a plain bake into /tmp is a first bake"
    assert not post.is_rerender({"_commit": "abc"}, tmp_path / "projects" / "my-ml-system")


def test_an_unanswered_description_is_a_counted_marker(baked):
    project = baked(owner_name="Jane Doe", organisation="Northbridge")
    index = project.read("docs/index.md")
    assert "\n==TODO== One sentence: what does the system do, and for whom?\n" in index
    assert "==TODO==" in project.read("README.md").split("\n", 4)[2]
    assert "site_description" not in project.read("mkdocs.yml")
    result = project.run(sys.executable, "-m", "ml_lifecycle", "check")
    assert "docs/index.md: 1" in result.stdout, result.stdout


def test_a_description_given_is_used_without_marker(baked):
    project = baked(description="Flags invoices for review.")
    assert "\nFlags invoices for review.\n" in project.read("docs/index.md")
    assert "One sentence" not in project.read("docs/index.md")


def test_overview_shows_the_labels_people_chose(baked):
    index = baked(**HIGH_RISK).read("docs/index.md")
    assert "| How it is updated | Periodic retraining |" in index
    assert "| Risk level | High |" in index
    assert "`periodic-retraining`" not in index and "`high`" not in index


@pytest.mark.parametrize(
    ("repo_url", "publishing", "site_url"),
    [
        (
            "https://github.com/Northbridge/ifs",
            "github-pages",
            "https://northbridge.github.io/ifs/",
        ),
        ("https://github.com/nb/nb.github.io", "github-pages", "https://nb.github.io/"),
        ("https://gitlab.com/grp/sub/proj.git", "gitlab-pages", "https://grp.gitlab.io/sub/proj/"),
        ("https://github.com/nb/ifs", "none", None),
        ("", "github-pages", None),
    ],
)
def test_site_url_is_derived_for_the_pages_host(baked, monkeypatch, repo_url, publishing, site_url):
    """Outside CI (no address from the Pages deployment), the address the
    repository URL gives, read as MkDocs reads it."""
    from mkdocs.utils.yaml import yaml_load

    for name in ("SITE_URL", "CI_PAGES_URL"):
        monkeypatch.delenv(name, raising=False)
    config = yaml_load(baked(repo_url=repo_url, publishing=publishing).read("mkdocs.yml"))
    assert (config.get("site_url") or None) == site_url


def test_make_targets_point_to_serving_the_site(default_project):
    makefile = default_project.read("Makefile")
    assert "open site/index.html" not in makefile
    assert "make serve" in makefile
    readme = default_project.read("README.md")
    assert "then open `site/index.html`" not in readme
    ours = (TEMPLATE / "Makefile").read_text(encoding="utf-8")
    assert '/site/index.html"' not in ours and "demo-serve:" in ours


def test_readme_marks_the_template_address_as_a_placeholder():
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    assert "gh:org/" not in readme and "gh:<owner>/ml-lifecycle" in readme


# What actions/configure-pages gives the build for this repository (no
# trailing slash), as the baked workflow passes it in SITE_URL.
PAGES_BASE_URL = "https://northbridge.github.io/invoice-fraud-screening"


@pytest.mark.slow
@pytest.mark.parametrize(
    "repo_url, env",
    [
        pytest.param(HIGH_RISK["repo_url"], {}, id="github-url"),
        pytest.param("", {"SITE_URL": PAGES_BASE_URL}, id="no-repo-url-site-url-from-pages"),
    ],
)
def test_published_site_works_under_its_pages_sub_path(bake, repo_url, env):
    """Every link of the 404 page and of the overview loads where Pages
    serves the site, with or without a repository URL among the answers."""
    project = bake(**{**HIGH_RISK, "repo_url": repo_url})
    site = project.build(**env)
    pages = ("no-such-page/", "", "04-building/model-card/")
    assert dead_links(site, PAGES_BASE_URL, pages) == {}
    server = serve_under(site, "invoice-fraud-screening")
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        status, missing = fetch(base + "/invoice-fraud-screening/no-such-page/")
        assert status == 404 and "<h1>Page not found</h1>" in missing
        overview = re.search(r'<a href="([^"]+)">Go to the overview</a>', missing)
        assert overview, missing[-2000:]
        assert overview.group(1) == PAGES_BASE_URL + "/"
        home = fetch(base + "/invoice-fraud-screening/")[1]
        assert "<title>Overview - Invoice Fraud Screening</title>" in home, "the title repeats"
    finally:
        server.shutdown()


@pytest.mark.slow
def test_repository_link_asks_no_api_for_stars_and_forks(baked):
    """Material's JavaScript fetches repository facts from api.github.com (or
    GitLab's API) for the element marked data-md-component="source": the
    baked theme override leaves that mark out, so no page asks."""
    repo_url = "https://github.com/northbridge/invoice-fraud-screening"
    site = baked(repo_url=repo_url).build()
    pages = list(site.glob("**/*.html"))
    assert len(pages) > 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'data-md-component="source"' not in text, page
        assert "api.github.com" not in text, page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="{repo_url}" title="Go to repository" class="md-source"' in home
