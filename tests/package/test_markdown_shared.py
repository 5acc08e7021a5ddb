"""Shared pages (markdown_shared.py) are the model `parse` makes, field by
field: for the worked example's documents, and for front matter closed in
every way the front-matter plugin allows."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_lifecycle import limits, markdown_shared
from ml_lifecycle.markdown_model import Page, parse
from ml_lifecycle.markdown_shared import _front_source, shared_page

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "example"
BODY = """\
# Title {#anchor}

!!! abstract "What this document is for"
    Instructions.

> **What is the question?**
> *Example:* an answer, with a [link](https://example.org).

==TODO==

| Signal | Metric | Threshold |
| --- | --- | --- |
| Quality (example) | *x* | |
| Drift | [0.87](evidence:eval#test.accuracy) ≥ 0.85 | `code ==TODO==` |
| | | |

- REQ-001: a requirement with `code`
- [a link](other.md) in a list

```text
==TODO== in a fence
```

Setext heading
--------------

<!-- a comment ==TODO== -->

[ref]: https://example.org
"""
FRONTS = [
    "---\nlifecycle:\n  status: draft\n---\n",
    "---\nlifecycle:\n  status: draft\n...\n",
    "---\na: 1\n... \t\n",
    "---\na: 1\n....\n---\n",  # four dots do not close it
    "---\na: 1\n ...\n---\n",  # nor do indented dots
    "---   \na: 1\n  ---  \n",
    "---\na: 1\n-----\n",
    "---\na: 1\n\t---\n",
    "---\na: 1\n        ---\n",
    "---\na: |\n  ----x\n---\n",
    "---\na: 1\n--\n- - -\n---\n",
    "---\n---\n",
    "---\na: 1\n---",  # the closing line ends the file
    "---\na: 1\n",  # never closed
    "----\na: 1\n----\n",  # four dashes open no front matter
    "---\ra: 1\r---\r",  # line ends that are lone CRs
    "",
]


def model(page: Page) -> dict:
    """Everything a reader of the model can see, as plain data."""
    return {
        "text": page.text,
        "lines": page.lines,
        "front": (page.front.text, page.front.body_index) if page.front else None,
        "body": page.body,
        "headings": page.headings,
        "blocks": page.blocks,
        "tables": [
            (t.line, t.header, [(r.line, r.cells, r.header) for r in t.rows]) for t in page.tables
        ],
        "statements": [(s.line, s.raw, s.parts, s.number, s.in_list) for s in page.statements],
        "links": page.links,
        "citations": page.citations,
        "prompts": page.prompts,
        "answer_lines": page.answer_lines,
        "fences": page.fences,
        "offsets": [page.offset(i) for i in range(len(page.lines))],
        "title": page.title(),
    }


@pytest.fixture(autouse=True)
def nothing_shared_yet():
    """Each test starts with no page read: what it reads first is read whole."""
    markdown_shared._page_or_refusal.cache_clear()
    markdown_shared._READINGS.entries.clear()


def other_front(text: str) -> str:
    """The same body under front matter of another length and size."""
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    return "---\ntitle: Another one\nlifecycle:\n  status: approved\n  owner: Someone\n---\n" + body


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLE.glob("*.md")))
def test_a_shared_page_is_the_parsed_page_for_every_example(name):
    text = (EXAMPLE / name).read_text(encoding="utf-8")
    assert model(shared_page(text)) == model(parse(text))  # read whole
    other = other_front(text)
    assert model(shared_page(other)) == model(parse(other))  # built from that reading
    assert len(markdown_shared._READINGS.entries) == 1  # its body was read once
    if text.startswith("---"):
        assert _front_source(text, text.split("\n")) is not None


@pytest.mark.parametrize("front", FRONTS)
def test_a_shared_page_is_the_parsed_page_however_front_matter_closes(front):
    shared_page(other_front(BODY))  # the body is read first under other front matter
    text = front + BODY
    assert model(shared_page(text)) == model(parse(text))


def test_the_same_body_under_other_front_matter_is_moved_not_parsed_again(monkeypatch):
    first = shared_page(FRONTS[0] + BODY + "\nunique one\n")
    calls = []
    original = limits.check_markdown_markup
    monkeypatch.setattr(limits, "check_markdown_markup", lambda t: calls.append(1) or original(t))
    longer = "---\ntitle: Other\nlifecycle:\n  status: approved\n---\n" + BODY + "\nunique one\n"
    second = shared_page(longer)
    assert calls == []  # the body's model was reused
    assert model(second) == model(parse(longer))
    assert second.headings[0].line == first.headings[0].line + 1
    assert shared_page(longer) is second  # the same text: the same page


def test_a_refused_page_stays_refused_and_honours_the_limits(monkeypatch):
    text = FRONTS[0] + "x\n" * 50
    assert shared_page(text).front is not None
    monkeypatch.setattr(limits, "MAX_MARKDOWN_LINES", 10)
    with pytest.raises(limits.Refused):
        shared_page(text)
    monkeypatch.setattr(limits, "MAX_MARKDOWN_LINES", 40_000)
    monkeypatch.setattr(limits, "MAX_MARKUP", 3)
    for _ in range(2):
        with pytest.raises(limits.Refused):
            shared_page(FRONTS[0] + "[a](b) [c](d)\n")
