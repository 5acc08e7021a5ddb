"""The reader's view in-process: what helped the team write is left out."""

from __future__ import annotations

from ml_lifecycle.markdown_model import parse
from ml_lifecycle.reader_view import reader_view

BODY = """\
# Problem definition

!!! abstract "What this document is for"
    Instructions.

## Scope

> **What is in scope?**
> *Example:* Email only.

Email and chat.

> **What is left out?**
> *Example:* Phone.

N/A

> **Who decides?**

## Next

[ref]: https://example.org
"""


def test_unused_prompts_examples_and_instructions_are_left_out():
    view = reader_view(parse(BODY, front_matter=False))
    assert view == (
        "# Problem definition\n\n## Scope\n\n> **What is in scope?**\n\nEmail and chat.\n\n"
        "## Next\n\n[ref]: https://example.org\n"
    )
