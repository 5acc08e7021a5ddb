"""Unit tests of the hook functions, imported from the hook files."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import TEMPLATE, option_defaults


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(name, TEMPLATE / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = load_hook("pre_gen_project")


def answers(**changes) -> dict:
    return {**option_defaults(), "project_slug": "my-ml-system", **changes}


def test_defaults_have_no_problems():
    assert pre_gen.problems(answers()) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"project_name": ""}, "project_name must not be empty"),
        ({"project_name": "   "}, "project_name must not be empty"),
        ({"project_name": " padded"}, "must not start or end with spaces"),
        ({"project_name": "two\nlines"}, "line break or control character"),
        ({"project_name": "x" * 101}, "the limit is 100"),
        ({"description": "tab\there"}, "control character"),
        ({"organisation": "a\u2028b"}, "line break or control character"),
        ({"owner_name": "{" + "{ 7*7 }" + "}"}, "template delimiter"),
        ({"project_slug": ""}, "project_slug must not be empty"),
        ({"project_slug": "a/b"}, "path separator"),
        ({"project_slug": "a\\b"}, "path separator"),
        ({"project_slug": "a..b"}, "contains '..'"),
        ({"project_slug": ".hidden"}, "starts with a dot"),
        ({"project_slug": "my project"}, "contains spaces"),
        ({"project_slug": "a" * 65}, "the limit is 64"),
        ({"project_slug": "Upper"}, "lowercase letters"),
        ({"project_slug": "-dash"}, "lowercase letters"),
        ({"owner_email": "not-an-email"}, "not a valid email"),
        ({"owner_email": "a@b"}, "not a valid email"),
        ({"owner_email": "a b@c.org"}, "not a valid email"),
        ({"repo_url": "ftp://x.org/r"}, "repo_url 'ftp://x.org/r' must start with https://"),
        ({"repo_url": "https://x.org/a b"}, "is not a web address this template can use"),
        ({"repo_url": "http://github.com/x/y"}, "must start with https://; try 'https://github"),
        ({"repo_url": "https://github.com"}, "names no repository"),
        ({"repo_url": "https://github.com/acme"}, "names no repository"),
        ({"repo_url": "https://gitlab.com//"}, "names no repository"),
        (
            {"publishing": "gitlab-pages", "repo_url": "https://github.com/a/b"},
            "incompatible answers",
        ),
    ],
)
def test_bad_answers_are_named(changes, message):
    found = pre_gen.problems(answers(**changes))
    assert found, f"{changes} was accepted"
    assert message in found[0]


@pytest.mark.parametrize(
    "changes",
    [
        {"owner_email": ""},
        {"owner_email": "jane.doe+ml@example.co.uk"},
        {"repo_url": "https://github.com/acme/triage"},
        {"project_name": "Prévision de la demande — 需要予測 😀"},
        {"owner_name": 'O\'Brien & "Sons": #1 <b>'},
        {"project_slug": "a" * 64},
    ],
)
def test_awkward_but_valid_answers_pass(changes):
    assert pre_gen.problems(answers(**changes)) == []


def test_every_problem_is_one_line():
    found = pre_gen.problems(answers(project_name="", project_slug="../x", owner_email="bad"))
    assert len(found) == 3
    assert all("\n" not in problem for problem in found)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_kind": "evil"}, "task_kind 'evil' is not one of"),
        ({"risk_level": ["high"]}, "is not one of"),
        ({"project_name": True}, "project_name must be text, not true"),
        ({"description": ["a"]}, "description must be text"),
        ({"_stages": {"deployment": "<script>x</script>"}}, "private key '_stages'"),
        ({"_phases": []}, "private key '_phases'"),
        ({"_extensions": []}, "private key '_extensions'"),
        ({"_copy_without_render": ["*"]}, "private key '_copy_without_render'"),
        ({"_new_private_key": ["*"]}, "must not set the private key"),
    ],
)
def test_overrides_of_the_template_are_named(changes, message):
    found = pre_gen.problems(answers(**changes))
    assert found, f"{changes} was accepted"
    assert message in found[0]


def test_keys_added_by_cookiecutter_and_cruft_pass():
    added = {"_template": "gh:x/y", "_output_dir": "/o", "_repo_dir": "/r", "_commit": "abc"}
    assert pre_gen.problems(answers(**added)) == []


def test_form_problems_checks_raw_form_input():
    assert pre_gen.form_problems({"project_name": "Ticket Router"}) == []
    assert "template delimiter" in pre_gen.form_problems({"project_name": "{" + "{ x }" + "}"})[0]
    assert "not a question" in pre_gen.form_problems({"_phases": []})[0]
