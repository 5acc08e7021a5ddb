"""The exports in-process: the dossier (Jinja with autoescape, ids and links
from Python-Markdown's tree) and the Hub card (from the Markdown model)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ml_lifecycle import cli, dossier, hub_card

from .tiny_projects import document, make_project

TODAY = date(2026, 6, 1)
REQUIREMENTS = """\
# Requirements <b>

## Scope

See [the V&V report](../05-validation/validation-report.md#results), [scope](#scope),
[elsewhere](../notes.md) and ![figure](figure.png).

??? note "Folded"
    Inside.
"""
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def built(tmp_path):
    answers = "default_context:\n  project_name: 'Router <&> \"Co\"'\n  risk_level: high\n"
    root = make_project(
        tmp_path,
        {"requirements": document("requirements", REQUIREMENTS, owner="'<script>x</script>'")},
        **{".cookiecutter-answers.yaml": answers},
    )
    (root / "docs/02-requirements/figure.png").write_bytes(PNG)
    return dossier.build(root, TODAY)


def test_values_are_escaped_by_the_template(built):
    assert (
        "<title>Router &lt;&amp;&gt; &#34;Co&#34; — lifecycle dossier (2026-06-01)</title>" in built
    )
    assert "<script>x" not in built and "&lt;script&gt;x&lt;/script&gt;" in built
    assert "<tr><th>Risk level</th><td>High</td></tr>" in built
    assert "<h1>Requirements &lt;b&gt;</h1>" in built  # the H1 above the banner, as text
    assert ".banner {" in built  # the styles are package data, inside the file


def test_ids_links_and_images_come_from_the_element_tree(built):
    section = built[built.index('id="doc-02-requirements-requirements"') :]
    assert 'id="doc-02-requirements-requirements--scope"' in section
    assert 'href="#doc-02-requirements-requirements--scope"' in section
    assert 'href="#doc-05-validation-validation-report--results"' in section
    assert re.search(r'<a class="unresolved">elsewhere</a>', section)
    assert 'src="data:image/png;base64,' in section
    assert re.search(r"<details [^>]*open", section)


CARD = """\
---
license: mit
lifecycle:
  phase: building
---
# Model card

!!! abstract "What this document is for"
    Instructions.

## Uses

> **What is it for?**
> *Example:* Routing.

Routing tickets.

> **What is it not for?**
> *Example:* Medical advice.

==TODO==

!!! warning "Known limits"
    Not trained on chat.

| Check | Result |
| --- | --- |
| Drift | |

## Development by a supplier

==TODO== Contract C-1.

See [the data card](../03-data/data-card.md).
"""


def test_the_hub_card_refuses_prompts_outside_internal_sections(tmp_path):
    card = tmp_path / "card.md"
    card.write_text(CARD, encoding="utf-8")
    with pytest.raises(hub_card.CardError) as error:
        hub_card.export(card, allow_unfilled=False)
    lines = str(error.value).splitlines()[1:]
    assert lines == [
        "  - 1 TODO marker in the text, on line 21",
        "  - 1 table row left empty or still the example, on line 28",
    ]


def test_the_hub_card_body(tmp_path):
    card = tmp_path / "card.md"
    card.write_text(CARD, encoding="utf-8")
    readme, warnings = hub_card.export(card, allow_unfilled=True)
    body = readme.split("---\n", 2)[2]
    assert body.startswith("\n# Model card\n\n## Uses\n\nRouting tickets.\n\n")
    assert "> **What is it not for?**\n\n==TODO==" in body  # unanswered: the question stays
    assert "What is it for?" not in body and "*Example:*" not in body
    assert "> **Known limits**\n>\n> Not trained on chat." in body
    assert "Instructions" not in body and "Contract C-1" not in body
    assert "\n\n\n" not in body
    # The only link to another page is in the internal section, left out.
    assert not any("will not work on the Hub" in warning for warning in warnings)


def test_the_hub_card_is_found_where_its_help_says(tmp_path, capsys):
    """In the documents' folder lifecycle.yml names, not always docs/."""
    card = "pages/lifecycle/04-building/model-card.md"
    root = make_project(tmp_path, **{card: CARD})
    with (root / "lifecycle.yml").open("a", encoding="utf-8") as file:
        file.write("docs: pages/lifecycle\n")
    assert cli.main(["--root", str(root), "hub-card", "--allow-unfilled"]) == 0
    assert (root / "hub" / "README.md").is_file()
    with pytest.raises(SystemExit):
        cli.main(["hub-card", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "default: 04-building/model-card.md in the documents' folder" in shown
    assert "docs/04-building" not in shown
