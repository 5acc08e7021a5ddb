"""Refuse answers that would produce a broken or unsafe project.

Runs after the prompts and before any file is written. On a bad answer it
prints one line, `error: ...`, and exits 1; cookiecutter then removes the
(still empty) project folder it created.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata

SLUG_MAX = 64
TEXT_LIMITS = {
    "project_name": 100,
    "description": 300,
    "organisation": 120,
    "owner_name": 120,
}
REQUIRED_TEXT = ("project_name",)
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
        return f"{key} must not be empty"
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
            f"project_slug {slug!r} must be lowercase letters, digits and single "
            "hyphens, starting and ending with a letter or digit"
        )
    return None


def check_email(email: str) -> str | None:
    if email and not EMAIL.fullmatch(email):
        return f"owner_email {email!r} is not a valid email address"
    return None


def check_url(url: str) -> str | None:
    if url and not URL.fullmatch(url):
        return f"repo_url {url!r} is not an http(s) URL without spaces or quotes"
    return None


def check_combinations(answers: dict) -> str | None:
    for option, value, other, needle, why in INCOMPATIBLE:
        if answers.get(option) == value and needle in answers.get(other, ""):
            return f"incompatible answers: {why}"
    return None


def problems(answers: dict, typed: dict | None = None) -> list[str]:
    """Every problem with the answers (and with the answers as given, before
    rendering, when known), in prompt order."""
    typed = typed or {}
    found = [
        check_text(key, str(answers.get(key, ""))) or check_typed(key, typed) for key in TEXT_LIMITS
    ]
    found += [
        check_slug(str(answers.get("project_slug", ""))),
        check_email(str(answers.get("owner_email", ""))) or check_typed("owner_email", typed),
        check_url(str(answers.get("repo_url", ""))) or check_typed("repo_url", typed),
        check_combinations(answers),
    ]
    return [problem for problem in found if problem]


def main() -> int:
    answers = rendered_answers()
    found = problems(answers, typed_answers())
    if found:
        print(f"error: {found[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
