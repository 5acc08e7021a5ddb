"""Zensical, the successor of mkdocs-material by the same authors, reads the
same mkdocs.yml: a generated site and the template's guide both build with it.

Zensical runs no MkDocs plugins or hooks, so pages lose what they add (the
navigation, status boxes and tables that the `lifecycle` plugin derives for a
generated site; the guide generates its content beforehand, see
prepare_guide) but must still build, list every page in lifecycle order and
read well. A generated mkdocs.yml has no `nav:`, so Zensical's own navigation
sorts the numbered phase folders."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import COOKIECUTTER_JSON, PHASES, TEMPLATE, phase_documents

sys.path.insert(0, str(TEMPLATE))
from guide import build as guide_build

ZENSICAL = Path(sys.executable).with_name("zensical")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ZENSICAL.is_file(), reason="zensical is not installed"),
]


def zensical_build(folder: Path, strict: bool = True) -> Path:
    args = [str(ZENSICAL), "build", *(["--strict"] if strict else [])]
    result = subprocess.run(args, cwd=folder, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return folder / "site"


def visible_text(page_html: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def page_of(site: Path, source: str) -> Path:
    """The built page of a Markdown source (docs-relative), with directory URLs."""
    stem = source.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return site / stem.removesuffix("index") / "index.html"
    return site / stem / "index.html"


# --- a generated project's site ----------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {
            "risk_level": "high",
            "third_parties": "several",
            "crosswalk": "all",
            "publishing": "github-pages",
            "repo_url": "https://github.com/example/router",
        },
    ],
    ids=["defaults", "everything-on"],
)
def test_generated_site_builds_with_zensical(bake, answers):
    project = bake(**answers)
    site = zensical_build(project.path)
    home = (site / "index.html").read_text(encoding="utf-8")
    start = home.index("md-nav--primary")
    nav = home[start : home.index("md-content", start)]
    links = [link.removeprefix("./") for link in re.findall(r'<a href="([^"#][^"]*)"', nav)]
    documents = [
        path.removeprefix("docs/").removesuffix(".md") + "/" for path in phase_documents(answers)
    ]
    assert [link for link in links if link in documents] == sorted(documents), (
        "not in lifecycle order"
    )
    folders = [visible_text(label) for label in re.findall(r"<label[^>]*>(.*?)</label>", nav, re.S)]
    # Each folder's label appears twice (toggle and nested title): keep the first.
    numbered = list(dict.fromkeys(label for label in folders if re.match(r"\d\d ", label)))
    assert [label[:2] for label in numbered] == [f"{p['number']:02d}" for p in PHASES]
    for document in phase_documents(answers):
        source = document.removeprefix("docs/")
        page = page_of(site, source).read_text(encoding="utf-8")
        title = project.front_matter(document)["title"]
        shown = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1)
        assert html.unescape(shown).startswith(title)
        assert "<mark>TODO</mark>" in page, f"{source}: the unfilled marker is not visible"
        assert "What this document is for" in visible_text(page)
    for asset in ("lifecycle.svg", "lifecycle-narrow.svg", "lifecycle.css"):
        assert (site / "assets" / asset).is_file()
    assert 'srcset="assets/lifecycle-narrow.svg"' in home, "no stacked figure for phones"


# --- the template's guide -------------------------------------------------------------


def generate_guide_content(workdir: Path, site: Path | None = None) -> None:
    """Run the guide's generator as `make guide-zensical` does: before the build
    into build/guide/ (where mkdocs.yml's snippets look) and, with `site`, after
    it to add the figure and stylesheet that guide/hooks.py adds under MkDocs."""
    args = [sys.executable, "-m", "guide.build", "--out", str(workdir / "build" / "guide")]
    result = subprocess.run(
        args + (["--site", str(site)] if site else []),
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def prepare_guide(workdir: Path) -> Path:
    """A copy of the guide with its generated content, ready for Zensical."""
    if not (TEMPLATE / "mkdocs.yml").is_file():
        pytest.skip("the template has no guide site yet")
    shutil.copy(TEMPLATE / "mkdocs.yml", workdir / "mkdocs.yml")
    shutil.copytree(TEMPLATE / "docs", workdir / "docs")
    generate_guide_content(workdir)
    return workdir


class _IgnoreTags(yaml.SafeLoader):
    pass


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def nav_sources(nav) -> list[str]:
    found = []
    for item in nav if isinstance(nav, list) else []:
        for value in item.values() if isinstance(item, dict) else [item]:
            found += [value] if isinstance(value, str) else nav_sources(value)
    return found


def test_guide_builds_with_zensical(tmp_path):
    workdir = prepare_guide(tmp_path)
    site = zensical_build(workdir)
    generate_guide_content(workdir, site)
    # The navigation MkDocs gets from guide/hooks.py: each of its pages is
    # built by Zensical too, which runs no hooks.
    sources = nav_sources(guide_build.navigation(workdir / "docs"))
    assert sources, "the guide has no navigation"
    for source in sources:
        assert page_of(site, source).is_file(), f"no page for {source}"
    # Content the guide generates from the template arrived through the snippets.
    raw = {page: page.read_text(encoding="utf-8") for page in site.rglob("index.html")}
    for page, text in raw.items():
        assert not re.search(r"<p>\s*--8&lt;--", text), f"{page}: a snippet was not included"
    pages = " ".join(visible_text(text) for text in raw.values())
    prompts = COOKIECUTTER_JSON["__prompts__"]
    for key in ("task_kind", "risk_level", "third_parties"):
        assert prompts[key]["__prompt__"] in pages, f"the options page lacks {key}"
    # The figure's raw HTML names its drawings relative to each page.
    for page in ("index.md", "lifecycle.md"):
        built = page_of(site, page)
        text = built.read_text(encoding="utf-8")
        links = re.findall(r'(?:src|srcset)="([^"]*lifecycle[^"]*\.svg)"', text)
        assert {Path(link).name for link in links} == {"lifecycle.svg", "lifecycle-narrow.svg"}
        for link in links:
            assert (built.parent / link).resolve().is_file(), f"{page}: {link} does not resolve"
    assert json.loads((site / "search.json").read_text(encoding="utf-8"))
