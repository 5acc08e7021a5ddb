"""Awkward but valid answers bake into valid YAML and show as text in HTML."""

from __future__ import annotations

import html

import pytest
import yaml
from conftest import phase_documents

AWKWARD = {
    "quotes": 'The "Best" Model\'s Site',
    "colon-hash": "Triage: v2 #1",
    "markup": "<b>Bold</b> & <script>alert(1)</script>",
    "markdown": "*not* _emphasis_ [link](x) `code` ==mark== :smile:",
    "backslash": "C:\\models\\new",
    "accents": "Prévision de la demande à Zürich",
    "non-latin": "需要予測 — Прогноз — توقع الطلب",
    "emoji": "Triage 🎫✨",
}


def awkward_answers(value: str) -> dict:
    return {
        "project_name": value,
        "description": f"Says {value} and more",
        "organisation": value,
        "owner_name": value,
    }


@pytest.mark.parametrize("value", AWKWARD.values(), ids=AWKWARD.keys())
def test_awkward_answers_bake_into_valid_yaml(bake, value):
    project = bake(**awkward_answers(value))
    for document in phase_documents():
        assert project.front_matter(document)["lifecycle"]["owner"] == value
    config = yaml.safe_load(project.read("mkdocs.yml"))
    assert html.unescape(config["site_name"]) == value
    recorded = yaml.safe_load(project.read(".cookiecutter-answers.yaml"))["default_context"]
    assert recorded["project_name"] == value
    # The overview is titled "Overview", so the browser title does not say the name twice.
    assert project.front_matter("docs/index.md")["title"] == "Overview"


@pytest.mark.slow
@pytest.mark.parametrize("value", AWKWARD.values(), ids=AWKWARD.keys())
def test_awkward_answers_show_as_text_in_html(bake, value):
    project = bake(**awkward_answers(value))
    site = project.build()
    page = (site / "index.html").read_text(encoding="utf-8")
    escaped = html.escape(value, quote=False)
    assert escaped in page, "the value is missing or was turned into markup"
    if "<" in value:
        assert value not in page, "raw markup reached the HTML"
