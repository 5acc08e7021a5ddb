"""Render one commit of the template in a process of its own:

    python -m ml_lifecycle.adopt.render TEMPLATE_FOLDER OUTPUT_FOLDER < request.json

The request holds the answers (`given`) and what the pin needs (`source`:
`_template`, `_commit`). `ml-lifecycle update` renders the commit an
adoption was made from and the one it moves to; each in its own process,
since a template's Jinja extensions are imported by name, and a second
commit's would otherwise be the first's. The answers go through the
template's sandbox and its hook's checks, as in a bake. Prints the
project's folder; exit 2 with one `error:` line when the answers are refused.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ml_lifecycle.adopt import template


def main(argv: list[str]) -> int:
    folder, output = Path(argv[0]), Path(argv[1])
    request = json.loads(sys.stdin.read())
    try:
        answers = template.ask(folder, request["given"], True, request["source"])
        print(template.render(folder, answers, output))
    except template.TemplateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
