"""The generated site builds strictly offline and has a page per phase."""

from __future__ import annotations

import html
import re

import pytest
from conftest import PHASES, phase_documents

pytestmark = pytest.mark.slow


def test_default_site_builds_strict(default_site):
    assert (default_site / "index.html").is_file()


@pytest.mark.parametrize("document", phase_documents())
def test_every_document_has_a_page(default_site, document):
    page = default_site / document.removeprefix("docs/").removesuffix(".md") / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "<mark>TODO</mark>" in text, "the unfilled marker is not visible"


def visible_text(page_html: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_navigation_lists_every_phase(default_site):
    text = visible_text((default_site / "index.html").read_text(encoding="utf-8"))
    for phase in PHASES:
        assert f"{phase['number']}. {phase['title']}" in text


REMOTE_LOAD = re.compile(
    r"""<(script|img|iframe|link|source)\b[^>]*\b(?:src|href)=["']https?://[^>]*>"""
)


def test_site_needs_no_network(default_site):
    """No page loads a script, image, font or stylesheet from another host
    (plain links to other sites are fine)."""
    for page in default_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loads = [
            m.group(0) for m in REMOTE_LOAD.finditer(text) if 'rel="canonical"' not in m.group(0)
        ]
        assert loads == [], f"{page} loads {loads}"
    for css in default_site.rglob("*.css"):
        assert "url(http" not in css.read_text(encoding="utf-8"), css
    assert (default_site / "assets" / "lifecycle.svg").is_file()
