"""Refuse answers that would produce a broken or unsafe project.

Runs after the prompts and before any file is written. On bad answers it
prints one line per problem, `error: ...`, in prompt order, and exits 1;
cookiecutter then removes the (still empty) project folder it created. The
template's Jinja extension has already refused answers with template code
that cookiecutter would render; this hook also sees the answers that arrive
unrendered (typed at a prompt, from a replay file).

The checks are importable, for anything that collects answers before calling
cookiecutter (a web form, a scaffolder):

    from pre_gen_project import form_problems   # <template>/hooks on sys.path
    found = form_problems(answers)   # [] when cookiecutter may bake them

`problems` reads the template's `cookiecutter.json` beside `hooks/` for the
choice lists and the private values.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

SLUG_MAX = 64
TEXT_LIMITS = {
    "project_name": 100,
    "description": 300,
    "organisation": 120,
    "owner_name": 120,
}
REQUIRED_TEXT = ("project_name",)
# Private keys that cookiecutter and cruft add to the answers themselves.
ADDED_BY_TOOLS = {"_template", "_output_dir", "_repo_dir", "_checkout", "_commit"}
SHA256 = re.compile(r"sha256:[0-9a-f]{64}")
INDEX_URL = re.compile(r"(https|file)://[A-Za-z0-9._~:/%+@-]+")
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%/-]*)?")
# Built from halves so that cookiecutter does not read them as template tags.
JINJA_DELIMITERS = tuple(
    a + b for a, b in [("{", "{"), ("}", "}"), ("{", "%"), ("%", "}"), ("{", "#"), ("#", "}")]
)
# Categories YAML, TOML and Markdown cannot carry safely inside one line:
# control characters, surrogates, private use, unassigned, line/paragraph
# separators.
FORBIDDEN_CATEGORIES = {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
# Pairs of answers that contradict each other: (option, value, option, value, why).
INCOMPATIBLE = [
    (
        "publishing",
        "gitlab-pages",
        "repo_url",
        "github.com",
        "publishing is gitlab-pages but repo_url is on github.com",
    ),
    (
        "publishing",
        "github-pages",
        "repo_url",
        "gitlab.com",
        "publishing is github-pages but repo_url is on gitlab.com",
    ),
]


def rendered_answers() -> dict:
    """The answers, serialised into this file by cookiecutter."""
    # Jinja's tojson escapes non-BMP characters as surrogate pairs; json.loads
    # joins them again.
    return json.loads({{cookiecutter | tojson | tojson}})  # noqa: F821


def typed_answers() -> dict:
    """The answers as given. Cookiecutter renders answers passed on the command
    line or in a config file as templates before this hook runs (`{{ 7*7 }}`
    arrives here as `49`); its `_cookiecutter` copy is taken before that."""
    return json.loads({{_cookiecutter | default({}) | tojson | tojson}})  # noqa: F821


def template_context() -> dict:
    """The template's own cookiecutter.json, as the sandbox extension read it
    from the template folder while rendering this hook. Without the extension
    this does not render and the bake stops here."""
    return json.loads({{lifecycle_template_json() | tojson}})  # noqa: F821


def template_context_beside() -> dict:
    """The cookiecutter.json next to this file's `hooks/` folder, for callers
    that import this module from a checkout of the template."""
    path = Path(__file__).resolve().parent.parent / "cookiecutter.json"
    return json.loads(path.read_text(encoding="utf-8"))


def check_types(answers: dict, template: dict) -> str | None:
    """A text question answered with a YAML number, boolean or list."""
    for key, default in template.items():
        text_question = isinstance(default, str) and not key.startswith("_") and key in answers
        if text_question and not isinstance(answers[key], str):
            return f"{key} must be text, not {json.dumps(answers[key])[:40]}"
    return None


def check_choices(answers: dict, template: dict) -> str | None:
    """A choice outside its list (a replay file can give one)."""
    for key, choices in template.items():
        choice_question = isinstance(choices, list) and not key.startswith("_") and key in answers
        if choice_question and answers[key] not in choices:
            allowed = ", ".join(str(choice) for choice in choices)
            return f"{key} {str(answers[key])[:40]!r} is not one of: {allowed}"
    return None


def check_private(answers: dict, template: dict) -> str | None:
    """Private keys (`_phases`, `_extensions`, ...) belong to the template; an
    answers, config or replay file must not change or add them. A `__` key
    holding template code (`__sandbox`) is rendered by cookiecutter, so its
    answer is what it rendered to."""
    for key, value in answers.items():
        if not key.startswith("_") or key in ADDED_BY_TOOLS or is_rendered(key, template):
            continue
        if key not in template:
            return f"answers must not set the private key {key[:40]!r}"
        if value != template[key]:
            return f"answers must not override the template's private key {key!r}"
    return None


def is_rendered(key: str, template: dict) -> bool:
    code = json.dumps(template.get(key))
    return key.startswith("__") and any(delimiter in code for delimiter in JINJA_DELIMITERS)


def check_typed(key: str, typed: dict) -> str | None:
    """Template delimiters in an answer as given, which rendering has removed."""
    value = str(typed.get(key, ""))
    for delimiter in JINJA_DELIMITERS:
        if delimiter in value:
            return f"{key} must not contain the template delimiter {delimiter!r}"
    return None


def check_text(key: str, value: str) -> str | None:
    """Problem with a free-text answer, or None."""
    if key in REQUIRED_TEXT and not value.strip():
        return f"{key} must not be empty" + (" or only spaces" if value else "")
    if value != value.strip():
        return f"{key} must not start or end with spaces"
    if len(value) > TEXT_LIMITS[key]:
        return f"{key} is {len(value)} characters long; the limit is {TEXT_LIMITS[key]}"
    for char in value:
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            return f"{key} contains a line break or control character ({ord(char):#06x})"
    for delimiter in JINJA_DELIMITERS:
        if delimiter in value:
            return f"{key} must not contain the template delimiter {delimiter!r}"
    return None


def check_slug(slug: str) -> str | None:
    """Problem with the project slug, or None. It names a folder, so it must be
    a single safe path component."""
    if not slug:
        return "project_slug must not be empty"
    if "/" in slug or "\\" in slug:
        return f"project_slug {slug!r} contains a path separator"
    if ".." in slug:
        return f"project_slug {slug!r} contains '..'"
    if slug.startswith("."):
        return f"project_slug {slug!r} starts with a dot"
    if any(char.isspace() for char in slug):
        return f"project_slug {slug!r} contains spaces"
    if len(slug) > SLUG_MAX:
        return f"project_slug is {len(slug)} characters long; the limit is {SLUG_MAX}"
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        return (
            f"project_slug {slug!r} may hold only lowercase letters, digits and single "
            "hyphens, and must start and end with a letter or digit" + slug_suggestion(slug)
        )
    return None


def slug_suggestion(slug: str) -> str:
    """`; try 'invoice-fraud'` for `Invoice_Fraud`, when a valid slug is near."""
    near = "-".join(re.findall(r"[a-z0-9]+", slug.lower()))[:SLUG_MAX].strip("-")
    return f"; try {near!r}" if near and near != slug else ""


def check_email(email: str) -> str | None:
    if email and not EMAIL.fullmatch(email):
        return f"owner_email {email!r} is not a valid email address (like name@example.org)"
    return None


def check_url(url: str) -> str | None:
    if not url:
        return None
    if URL.fullmatch(url):
        return check_repository(url)
    if not url.startswith(("https://", "http://")):
        near = f"https://{url}"
        hint = f"; try {near!r}" if "://" not in url and URL.fullmatch(near) else ""
        return f"repo_url {url!r} must start with https://{hint}"
    return (
        f"repo_url {url!r} is not a web address this template can use: "
        "no spaces, quotes or query, only letters, digits and . - _ ~ % / after the host"
    )


def check_repository(url: str) -> str | None:
    """A web address that names a repository: over https, with an owner (or
    group) and a name after the host."""
    if url.startswith("http://"):
        return f"repo_url {url!r} must start with https://; try {'https://' + url[7:]!r}"
    path = [part for part in url.split("/")[3:] if part]
    if len(path) < 2:
        return (
            f"repo_url {url!r} names no repository: give its address, "
            "like https://github.com/owner/name"
        )
    return None


def check_package_index(template: dict) -> str | None:
    """The template's opt-in pin from an index (`_package_index`, see
    RELEASING.md): a version is installed from an index only with the hashes
    of its files, so pip takes those files and no other."""
    index = template.get("_package_index") or {}
    if not isinstance(index, dict) or not index.get("version"):
        return None
    hashes = index.get("hashes")
    plain = isinstance(hashes, list) and all(
        isinstance(h, str) and SHA256.fullmatch(h) for h in hashes
    )
    if not hashes or not plain:
        return "_package_index in cookiecutter.json needs the sha256:<64 hex> hash of each file"
    url = str(index.get("index_url") or "")
    if url and not INDEX_URL.fullmatch(url):
        return f"_package_index index_url {url[:60]!r} is not a plain https:// or file:// address"
    return None


def check_combinations(answers: dict) -> str | None:
    for option, value, other, needle, why in INCOMPATIBLE:
        if answers.get(option) == value and needle in answers.get(other, ""):
            return f"incompatible answers: {why}"
    return None


def problems(answers: dict, typed: dict | None = None, template: dict | None = None) -> list[str]:
    """Every problem with the answers (and with the answers as given, before
    rendering, when known), in prompt order. `template` is the template's
    cookiecutter.json; by default the one beside `hooks/`."""
    typed = typed or {}
    template = template if template is not None else template_context_beside()
    found = [
        check_private(answers, template),
        check_types(answers, template),
        check_choices(answers, template),
    ]
    if found[1]:  # a non-text answer: the text checks below would misread it
        return [problem for problem in found if problem]
    found += [
        check_text(key, str(answers.get(key, ""))) or check_typed(key, typed) for key in TEXT_LIMITS
    ]
    found += [
        check_slug(str(answers.get("project_slug", ""))),
        check_email(str(answers.get("owner_email", ""))) or check_typed("owner_email", typed),
        check_url(str(answers.get("repo_url", ""))) or check_typed("repo_url", typed),
        check_combinations(answers),
        check_package_index(template),
    ]
    return [problem for problem in found if problem]


def form_problems(answers: dict) -> list[str]:
    """Problems with answers collected outside cookiecutter (a web form), to
    call before cookiecutter renders any of them. Questions the form does not
    ask take the template's defaults; a missing `project_slug` is derived by
    cookiecutter from `project_name` and checked by this hook at bake time."""
    template = template_context_beside()
    unknown = [key for key in answers if key.startswith("_") or key not in template]
    if unknown:
        return [f"{unknown[0][:40]!r} is not a question of this template"]
    complete = {
        key: value[0] if isinstance(value, list) else value
        for key, value in template.items()
        if not key.startswith("_") and key != "project_slug"
    }
    complete.update(answers)
    complete.setdefault("project_slug", "derived-at-bake-time")
    return problems(complete, answers, template)


def report(found: list[str]) -> int:
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if found else 0


def main() -> int:
    return report(problems(rendered_answers(), typed_answers(), template_context()))


if __name__ == "__main__":
    sys.exit(main())
