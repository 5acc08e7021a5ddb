"""Write the choice labels of `__prompts__` from `_choice_labels` and `_choice_help`.

Cookiecutter shows `__prompts__` while asking and removes it before rendering,
so the templates and the guide read the short labels (`_choice_labels`) and the
effect of each choice (`_choice_help`) instead. The label a user sees at the
prompt is both, joined: this script derives it, so the text lives once.

    python scripts/prompt_labels.py          # rewrite cookiecutter.json
    python scripts/prompt_labels.py --check  # exit 1 when it is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COOKIECUTTER_JSON = Path(__file__).resolve().parent.parent / "cookiecutter.json"
SEPARATOR = " — "


def choice_prompts(template: dict) -> dict:
    """`__prompts__` with every choice label derived from the short label and
    the help text of that choice; question texts stay as they are."""
    prompts = json.loads(json.dumps(template["__prompts__"]))
    for key, labels in template["_choice_labels"].items():
        question = prompts[key]["__prompt__"]
        prompts[key] = {"__prompt__": question}
        for value in template[key]:
            prompts[key][value] = labels[value] + SEPARATOR + template["_choice_help"][key][value]
    return prompts


def render(template: dict) -> str:
    return (
        json.dumps(
            {**template, "__prompts__": choice_prompts(template)}, indent=2, ensure_ascii=False
        )
        + "\n"
    )


def main(argv: list[str]) -> int:
    text = COOKIECUTTER_JSON.read_text(encoding="utf-8")
    wanted = render(json.loads(text))
    if text == wanted:
        return 0
    if "--check" in argv:
        print(
            "error: cookiecutter.json's choice labels are out of date; run `make labels`",
            file=sys.stderr,
        )
        return 1
    COOKIECUTTER_JSON.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
