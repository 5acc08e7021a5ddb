"""The Markdown document model (markdown_model.py): what each reader gets."""

from __future__ import annotations

import pytest

from ml_lifecycle import limits
from ml_lifecycle.markdown_model import parse, plain, split_front_matter, tame_long_lines

PAGE = """\
---
title: Card
lifecycle:
  status: draft
---

# Model card { #card }

!!! abstract "What this document is for"
    Purpose.

## Functional requirements

> **What must it do?**
> *Example:* REQ-011: recall ≥ 95 %

| ID | requirement | priority |
|----|-------------|----------|
| REQ-001 | route `p95 < 200 ms` tickets | must |
| REQ-002 | | |
| *2026-04-20 (example)* | *x* | *y* |

REQ-040: The system says `hello`.

- REQ-050 — a list item
- ==TODO== and `==TODO==` in code

```
==TODO== in a fence
# not a heading
```

Value [0.87](evidence:eval#test.accuracy) ≥ 0.85, see [the data](../03-data/data-card.md#x).

| Req | Result | Evidence |
| --- | --- | --- |
| REQ-001 | pass | [0.91](evidence:eval#f1) ≥ 0.9 |

Setext title
============
"""


@pytest.fixture(scope="module")
def page():
    return parse(PAGE)


def test_front_matter_and_where_the_body_starts(page):
    assert page.front.text == "title: Card\nlifecycle:\n  status: draft\n"
    assert page.body_line == 6
    assert page.body == PAGE[PAGE.index("\n# Model") :]
    assert split_front_matter(PAGE) == (page.front.text, page.body, 6)
    assert split_front_matter("no front matter\n") is None
    assert parse("---\nnever closed\n").front is None


def test_headings_and_their_sections(page):
    found = [(h.level, h.text, h.line) for h in page.headings]
    assert found == [
        (1, "Model card", 7),
        (2, "Functional requirements", 12),
        (1, "Setext title", 39),
    ]
    requirements = page.headings[1]
    assert requirements.end == 38  # up to the next heading of its level or higher
    assert "# not a heading" not in [h.text for h in page.headings]  # code holds none


def test_tables_give_rows_with_header_and_inline_code(page):
    table = page.tables[0]
    assert [plain(cell) for cell in table.header] == ["ID", "requirement", "priority"]
    first = table.rows[0]
    assert first.line == 19 and first.texts[0] == "REQ-001" and first.header[1] == "requirement"
    assert [(p.kind, p.text) for p in first.cells[1]] == [
        ("text", "route "),
        ("code", "p95 < 200 ms"),
        ("text", " tickets"),
    ]


def test_prompts_are_markers_outside_code_empty_rows_and_example_rows(page):
    assert [(p.line, p.kind) for p in page.prompts] == [
        (20, "empty row"),
        (21, "example row"),
        (26, "marker"),
    ]
    assert page.unfilled == 3


def test_a_table_that_came_with_rows_needs_every_row_filled():
    rows = "".join(f"| Signal {n} |  |  |\n" for n in range(2, 12))
    text = f"| Signal | Metric | Owner |\n| --- | --- | --- |\n| Signal 1 | ==TODO== | |\n{rows}"
    assert parse(text).unfilled == 11
    once = text.replace("==TODO==", "F1")
    assert parse(once).unfilled == 10  # filling the first row is not enough
    every = once.replace("|  |  |", "| F1 | ML lead |")
    assert parse(every).unfilled == 0


def test_statements_are_lines_of_paragraphs_and_list_items_outside_quotes(page):
    found = {s.text: s.in_list for s in page.statements}
    assert found["REQ-040: The system says hello."] is False
    assert found["REQ-050 — a list item"] is True
    assert not any("REQ-011" in text for text in found)  # the prompt's example is quoted


def test_citations_and_links_are_placed_in_the_file(page):
    texts = [(c.text, c.name, c.key, c.line) for c in page.citations]
    assert texts == [("0.87", "eval", "test.accuracy", 33), ("0.91", "eval", "f1", 37)]
    for citation in page.citations:
        assert PAGE[citation.start : citation.end] == citation.text
        link = PAGE[citation.link_start : citation.link_end]
        assert link == f"[{citation.text}](evidence:{citation.target})"
    data = next(link for link in page.links if link.target.startswith("../03-data"))
    assert PAGE[data.start : data.end] == "[the data](../03-data/data-card.md#x)"
    assert PAGE[data.start : data.label_end + 1] == "[the data]"


def test_a_citation_in_code_is_no_citation():
    assert (
        parse("`[1](evidence:eval#rows)` and\n\n    [2](evidence:eval#x)\n").citations[0].text
        == "2"
    )
    assert parse("```\n[1](evidence:eval#rows)\n```\n").citations == []


def test_blocks_mark_prompts_examples_admonitions_and_keep_link_definitions(page):
    kinds = [(b.kind, b.start) for b in page.blocks]
    assert ("admonition", 8) in kinds and ("blockquote", 13) in kinds
    prompt = next(b for b in page.blocks if b.prompt)
    assert prompt.example == 14
    admonition = next(b for b in page.blocks if b.kind == "admonition")
    assert admonition.title == "What this document is for"
    kept = parse("Text.\n\n[ref]: https://example.org\n")
    assert [b.kind for b in kept.blocks] == ["paragraph", "text"]


def test_answers_are_text_besides_prompts_markers_and_not_applicable():
    text = (
        "## A\n\n> **Q?**\n\n==TODO==\n\n## B\n\n*N/A.*\n\n"
        "## C\n\n| a | b |\n| - | - |\n| x | yes |\n"
    )
    page = parse(text, front_matter=False)
    a, b, c = page.headings
    assert not page.has_answer(a.index + 1, a.end)
    assert not page.has_answer(b.index + 1, b.end)
    assert page.has_answer(c.index + 1, c.end)


def test_a_lone_carriage_return_ends_a_line():
    page = parse("---\nlifecycle: {}\n---\n\r==TODO==\r\n")
    assert page.unfilled == 1 and page.prompts[0].line == 5


def test_long_lines_are_tamed_outside_fences():
    spaced = "# a" + " " * 3000 + "b"
    fenced = "```\n" + spaced + "\n```"
    assert tame_long_lines(spaced) == "# a b"
    assert tame_long_lines(fenced) == fenced


def test_too_many_lines_or_too_much_markup_is_refused_before_parsing():
    with pytest.raises(limits.Refused, match=f"over the {limits.MAX_MARKDOWN_LINES:,}-line limit"):
        parse("x\n" * limits.MAX_MARKDOWN_LINES)
    with pytest.raises(limits.Refused, match="punctuation marks"):
        parse("[" * (limits.MAX_MARKUP + 1))
    # Front matter is YAML: screened by the YAML reader, not counted here.
    assert parse("---\ndeep: " + "[" * 300_000 + "\n---\nText.\n").front is not None
