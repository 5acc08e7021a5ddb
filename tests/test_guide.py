"""The template's own guide (docs/ and mkdocs.yml at the repository root):
it builds strictly offline, shows every phase's stub as the template bakes it,
and lists every option from cookiecutter.json."""

from __future__ import annotations

import html
import itertools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import yaml
from conftest import COOKIECUTTER_JSON, PHASES, REMOTE_LOAD, TEMPLATE
from pages_host import dead_links

sys.path.insert(0, str(TEMPLATE))
from guide import build as guide_build  # the repository root holds the guide package

DOCS = TEMPLATE / "docs"
SVG = "{http://www.w3.org/2000/svg}"


# What actions/configure-pages gives guide.yml's build (no trailing slash).
PAGES_BASE_URL = "https://acme.github.io/ml-lifecycle"


def build_guide(site: Path) -> Path:
    """Build the guide strictly into `site` as guide.yml builds it for
    Pages, its address in SITE_URL; fail on any warning."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": PAGES_BASE_URL}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=TEMPLATE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert "WARNING" not in result.stderr, result.stderr[-4000:]
    return site


@pytest.fixture(scope="module")
def guide_site(tmp_path_factory) -> Path:
    return build_guide(tmp_path_factory.mktemp("guide") / "site")


@pytest.fixture(scope="module")
def shown_project(baked) -> Path:
    """The bake whose documents the guide shows."""
    return baked(**guide_build.SHOWN_ANSWERS).path


def visible_text(page_html: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def page_html(site: Path, relative: str) -> str:
    return (site / relative.removesuffix(".md") / "index.html").read_text(encoding="utf-8")


def headings(markdown: str, level: int = 2) -> list[str]:
    body = guide_build.split_front_matter(markdown)[1]
    return [s.path[-1] for s in guide_build.sections(body) if len(s.path) == level - 1]


def documents() -> list:
    return [
        pytest.param(phase, doc, id=doc["id"]) for phase in PHASES for doc in phase["documents"]
    ]


# --- the site as a whole (slow) ----------------------------------------------


@pytest.mark.slow
def test_guide_builds_strict_with_a_page_per_phase(guide_site):
    for phase in PHASES:
        assert (guide_site / "phases" / phase["folder"] / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(("phase", "doc"), documents())
def test_phase_page_includes_its_stub(guide_site, shown_project, phase, doc):
    """Every section heading of the baked stub appears as a heading on its
    phase page, inside the collapsible stub block: the include works."""
    stub = (shown_project / "docs" / phase["folder"] / f"{doc['id']}.md").read_text("utf-8")
    page = page_html(guide_site, f"phases/{phase['folder']}.md")
    summary = f"docs/{phase['folder']}/{doc['id']}.md"
    opening = r'<details class="example">\s*<summary>.*?'
    block = re.search(
        rf"{opening}{re.escape(summary)}.*?</summary>(.*?)</details>", page, re.DOTALL
    )
    assert block, f"no stub block for {summary}"
    shown = {visible_text(h) for h in re.findall(r"<h[4-6][^>]*>(.*?)</h[4-6]>", block.group(1))}
    shown = {text.removesuffix(" ¶").strip() for text in shown}
    for level in (2, 3):
        for heading in headings(stub, level):
            assert heading in shown, f"{summary}: section {heading!r} is not shown"
    assert "<mark>TODO</mark>" in block.group(1), "the TODO markers are not rendered"


@pytest.mark.slow
def test_pages_skip_no_heading_level_and_name_every_table_column(guide_site):
    """The outline goes down one level at a time (stubs included), and no
    table header cell is empty: screen readers announce both."""
    pages = sorted(guide_site.glob("**/index.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text("utf-8")
        article = text[text.index("<article") : text.index("</article>")]
        levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", article)]
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        where = page.relative_to(guide_site)
        assert not skips, f"{where}: heading levels skip {skips}"
        empty = re.findall(r"<th[^>]*>\s*</th>", article)
        assert not empty, f"{where}: {len(empty)} empty table header cell(s)"


@pytest.mark.slow
def test_options_page_lists_every_option_and_choice(guide_site):
    text = visible_text(page_html(guide_site, "options.md"))
    prompts = COOKIECUTTER_JSON["__prompts__"]
    for key in guide_build.option_keys():
        prompt = prompts[key]
        label = prompt["__prompt__"] if isinstance(prompt, dict) else prompt
        assert label in text, f"prompt of {key} missing"
        assert key in text
        help_words = COOKIECUTTER_JSON["_option_help"][key].replace("`", "")
        assert help_words in text, f"help of {key} missing"
        if isinstance(COOKIECUTTER_JSON[key], list):
            for value in COOKIECUTTER_JSON[key]:
                label = COOKIECUTTER_JSON["_choice_labels"][key][value]
                assert label in text, f"label of {key}={value} missing"
                effect = COOKIECUTTER_JSON["_choice_help"][key][value].replace("`", "")
                assert effect in text, f"effect of {key}={value} missing"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["lifecycle.svg", "lifecycle-narrow.svg"])
def test_home_page_figure_is_the_rendered_template(guide_site, default_project, name):
    shipped = default_project.path / "docs" / "assets" / name
    served = guide_site / "assets" / name
    assert served.read_bytes() == shipped.read_bytes(), "the guide's figure is not the project's"
    root = ElementTree.fromstring(served.read_text("utf-8"))
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("role") == "img"
    assert title is not None and title.text and title.get("id")
    assert desc is not None and desc.text and desc.get("id")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    index = (guide_site / "index.html").read_text("utf-8")
    img = re.search(r"<img [^>]*src=\"assets/lifecycle\.svg\"[^>]*>", index)
    assert img, "the home page does not show the figure"
    alt = html.unescape(re.search(r'alt="([^"]*)"', img.group(0)).group(1))
    assert alt == " ".join(desc.text.split()), "the image's alt text is not the SVG description"


# The figure is raw HTML, whose links MkDocs does not rewrite (guide/hooks.py
# does): each page that shows it must find the assets from where it is served.
FIGURE_LINK = re.compile(r'(?:href|src|srcset)="([^"]*lifecycle[^"]*\.svg)"')


@pytest.mark.slow
def test_figure_links_resolve_on_every_page(guide_site):
    pages = [p for p in guide_site.rglob("*.html") if "lifecycle-figure" in p.read_text("utf-8")]
    assert {p.relative_to(guide_site).as_posix() for p in pages} >= {
        "index.html",
        "lifecycle/index.html",
    }
    for page in pages:
        links = FIGURE_LINK.findall(page.read_text("utf-8"))
        assert {Path(link).name for link in links} == {"lifecycle.svg", "lifecycle-narrow.svg"}
        for link in links:
            assert (page.parent / link).resolve().is_file(), f"{page}: {link} does not resolve"


@pytest.mark.slow
def test_every_link_works_under_the_pages_sub_path(guide_site):
    """The 404 page is styled and its links lead somewhere where Pages
    serves the guide (https://owner.github.io/repo/), as other pages' do."""
    pages = ("no-such-page/", "", "phases/04-building/", "options/")
    assert dead_links(guide_site, PAGES_BASE_URL, pages) == {}


@pytest.mark.slow
def test_guide_loads_nothing_remote(guide_site):
    for page in guide_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loads = [m.group(0) for m in REMOTE_LOAD.finditer(text) if "canonical" not in m.group(0)]
        assert loads == [], f"{page} loads {loads}"
        assert "fonts.googleapis" not in text
    for css in guide_site.rglob("*.css"):
        assert "url(http" not in css.read_text(encoding="utf-8"), css


# --- sources and configuration (fast) -------------------------------------------


def guide_config() -> dict:
    """The guide's mkdocs.yml as MkDocs reads it (with its !ENV tag)."""
    from mkdocs.utils.yaml import yaml_load

    return yaml_load((TEMPLATE / "mkdocs.yml").read_text(encoding="utf-8"))


def nav_section(title: str) -> list:
    """A section of the guide's navigation, as guide/hooks.py derives it."""
    assert "nav" not in guide_config(), "the navigation is derived, not written by hand"
    for entry in guide_build.navigation():
        if isinstance(entry, dict) and title in entry:
            return entry[title]
    raise AssertionError(f"no {title!r} section in the guide's nav")


def test_nav_lists_every_phase_by_stage():
    expected = [
        {
            stage_title: [
                {f"{p['number']}. {p['title']}": f"phases/{p['folder']}.md"}
                for p in PHASES
                if p["stage"] == stage
            ]
        }
        for stage, stage_title in COOKIECUTTER_JSON["_stages"].items()
    ]
    assert nav_section("Phases") == expected


def test_every_phase_page_exists_and_opens_with_its_title():
    for phase in PHASES:
        page = DOCS / "phases" / f"{phase['folder']}.md"
        assert page.is_file(), f"{page} is missing"
        first = page.read_text("utf-8").splitlines()[0]
        assert first == f"# {phase['number']}. {phase['title']}"


@pytest.mark.parametrize(("phase", "doc"), documents())
def test_phase_page_explains_every_section_and_includes_the_stub(shown_project, phase, doc):
    """The page's own section-by-section table names every `##` section of
    the stub, so the explanation cannot silently fall behind the stub."""
    page = (DOCS / "phases" / f"{phase['folder']}.md").read_text("utf-8")
    assert f'--8<-- "stubs/{doc["id"]}.md"' in page
    stub = (shown_project / "docs" / phase["folder"] / f"{doc['id']}.md").read_text("utf-8")
    rows = {row.split("|")[1].strip() for row in re.findall(r"^\|[^\n]*\|$", page, re.M)}
    missing = [heading for heading in headings(stub) if heading not in rows]
    assert missing == [], f"{phase['folder']}.md does not explain {missing}"


def test_phase_pages_have_exercises_and_further_reading():
    for phase in PHASES:
        page = (DOCS / "phases" / f"{phase['folder']}.md").read_text("utf-8")
        for heading in ("## Common mistakes", "## Exercises", "## Further reading"):
            assert f"\n{heading}\n" in page, f"{phase['folder']}.md lacks {heading}"
        assert page.count('??? success "What a good answer contains"') >= 2


def test_worked_example_is_in_the_nav_in_lifecycle_order():
    example = DOCS / "example"
    pages = [
        f"example/{doc['id']}.md"
        for phase in PHASES
        for doc in phase["documents"]
        if (example / f"{doc['id']}.md").is_file()
    ]
    assert pages, "docs/example/ has no document pages yet"
    entries = nav_section("Worked example")
    listed = [e if isinstance(e, str) else next(iter(e.values())) for e in entries]
    assert listed[: len(pages) + 1] == ["example/index.md", *pages]
    every_file = {f"example/{p.name}" for p in example.glob("*.md")}
    assert set(listed) == every_file, "the nav and docs/example/ disagree"


def test_pages_workflow_builds_strict_and_deploys():
    workflow = yaml.safe_load((TEMPLATE / ".github/workflows/guide.yml").read_text("utf-8"))
    build_steps = workflow["jobs"]["build"]["steps"]
    runs = " ".join(step.get("run", "") for step in build_steps)
    uses = [step.get("uses", "").split("@")[0] for step in build_steps]
    assert "mkdocs build --strict" in runs and "python -m guide.build" in runs
    assert "npx markdownlint-cli2" in runs
    assert "actions/upload-pages-artifact" in uses
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]


def test_the_guide_gets_its_address_from_the_pages_deployment(monkeypatch):
    from mkdocs.utils.yaml import yaml_load

    workflow = yaml.safe_load((TEMPLATE / ".github/workflows/guide.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    configure = uses.index("actions/configure-pages")
    build = next(i for i, step in enumerate(steps) if "mkdocs build" in step.get("run", ""))
    assert configure < build
    pages_id = steps[configure]["id"]
    assert steps[build]["env"]["SITE_URL"] == f"${{{{ steps.{pages_id}.outputs.base_url }}}}"
    monkeypatch.setenv("SITE_URL", PAGES_BASE_URL)
    config = yaml_load((TEMPLATE / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_url"] == PAGES_BASE_URL


def test_figure_has_one_source():
    """The guide uses the SVG the template ships; no copy is committed."""
    copies = [
        p for p in TEMPLATE.rglob("lifecycle.svg") if guide_build.TEMPLATE_DIR not in p.parents
    ]
    copies = [p for p in copies if not {"build", "site", ".venv", "node_modules"} & set(p.parts)]
    assert copies == [], f"second copies of the figure: {copies}"


# --- the generator's helpers (fast) -----------------------------------------------


def test_demoted_stub_keeps_code_blocks_and_drops_the_title():
    body = "# Title\n\n## Section\n\n```sh\n# a comment, not a heading\n```\n\n### Sub\n"
    assert guide_build.demote_headings(body, 2) == (
        "#### Section\n\n```sh\n# a comment, not a heading\n```\n\n##### Sub\n"
    )


def test_figure_snippet_is_the_overview_figure_with_the_description_as_alt():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        '<desc>Phases "1" &amp; \n 2</desc></svg>'
    )
    index = (
        "Text.\n\n"
        '<a href="assets/lifecycle.svg"><picture>\n<source srcset="assets/narrow.svg">\n'
        '<img src="assets/lifecycle.svg" alt="short">\n</picture></a>\n\n## Next\n'
    )
    assert guide_build.figure_snippet(index, svg) == (
        '<a href="assets/lifecycle.svg"><picture>\n<source srcset="assets/narrow.svg">\n'
        '<img src="assets/lifecycle.svg" alt="Phases &quot;1&quot; &amp; 2">\n</picture></a>\n'
    )
    with pytest.raises(guide_build.GuideBuildError):
        guide_build.figure_snippet("No figure.\n", svg)


def test_links_between_documents_point_to_phase_pages():
    text = "See the [oversight plan](human-oversight-plan.md) and the [log](../iteration-log.md)."
    assert guide_build.rewrite_links(text) == (
        "See the [oversight plan](../phases/07-operation.md) and the log."
    )


def test_options_snippet_has_an_anchor_and_a_row_per_choice():
    snippet = guide_build.options_snippet({"project_slug": "my-ml-system"})
    for key in guide_build.option_keys():
        assert f"{{ #{key} }}" in snippet
        # A value a reader types stays whole: code the page never breaks.
        assert f"Answer key `{key}`{{ .typed }}" in snippet
        for value in guide_build.choices(key):
            assert f"| `{value}`{{ .typed }} |" in snippet
    assert "{{" not in snippet.replace("{ #", ""), "a Jinja default leaked into the page"


def test_generator_reports_a_broken_template_in_one_line(tmp_path, monkeypatch, capsys):
    def broken(answers, output):
        raise guide_build.GuideBuildError("baking the template failed: boom")

    monkeypatch.setattr(guide_build, "bake", broken)
    assert guide_build.main(["--out", str(tmp_path / "out"), "--force"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "guide: baking the template failed: boom"
    assert not (tmp_path / "out").exists()


def test_assets_can_be_added_to_a_site_built_without_the_hook(tmp_path):
    generated, site = tmp_path / "generated", tmp_path / "site"
    example_page = f"{guide_build.example.SITE_PATH}/index.html"
    for asset in (*guide_build.ASSETS, example_page):
        (generated / asset).parent.mkdir(parents=True, exist_ok=True)
        (generated / asset).write_text(f"content of {asset}")
    guide_build.copy_assets(generated, site)
    for asset in (*guide_build.ASSETS, example_page):
        assert (site / asset).read_text() == f"content of {asset}"
    assert guide_build.example_files(generated) == [example_page]


# --- both worked examples ------------------------------------------------------------


def high_risk_documents() -> list[str]:
    docs = guide_build.example.FOLDER / "docs"
    return sorted(p.relative_to(docs).as_posix() for p in docs.glob("[0-9][0-9]-*/*.md"))


@pytest.mark.parametrize("phase", PHASES, ids=lambda phase: phase["folder"])
def test_every_phase_page_links_both_worked_examples(phase):
    """Each phase page includes the generated links to its documents in the
    limited-risk example and in the high-risk one; every document of the
    phase that an example has is linked."""
    page = (DOCS / "phases" / f"{phase['folder']}.md").read_text("utf-8")
    assert f'--8<-- "worked-examples/{phase["folder"]}.md"' in page
    links = guide_build.example_links(phase, high_risk_documents())
    high = [p for p in high_risk_documents() if p.startswith(phase["folder"] + "/")]
    assert high, "the high-risk example has no document for this phase"
    limited = [d for d in phase["documents"] if (DOCS / "example" / f"{d['id']}.md").is_file()]
    assert limited, "the limited-risk example has no document for this phase"
    for doc in phase["documents"]:
        if (DOCS / "example" / f"{doc['id']}.md").is_file():
            assert f"](../example/{doc['id']}.md)" in links
        if f"{phase['folder']}/{doc['id']}.md" in high:
            target = f"../{guide_build.example.SITE_PATH}/{phase['folder']}/{doc['id']}/index.html"
            assert f"]({target})" in links


@pytest.mark.slow
def test_the_high_risk_example_is_served_with_the_guide(guide_site):
    """The example's site, built with the plugin, is part of the guide, and
    the links of the phase pages and of its own page reach it."""
    base = guide_site / guide_build.example.SITE_PATH
    assert (base / "index.html").is_file() and (base / "dossier.html").is_file()
    pages = [guide_site / "example-high-risk" / "index.html"]
    pages += [guide_site / "phases" / phase["folder"] / "index.html" for phase in PHASES]
    reached = 0
    for page in pages:
        for href in re.findall(r'href="([^"]*examples/credit-scoring/[^"#]*)', page.read_text()):
            target = (page.parent / href).resolve()
            assert target.is_file() or (target / "index.html").is_file(), (page, href)
            reached += 1
    assert reached >= 20
