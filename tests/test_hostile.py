"""Hostile answers: refused cleanly, or baked so that they stay data.

A property-based test feeds the free-text answers (name, description,
organisation, owner) with quotes, backslashes, colons, `#`, template syntax,
HTML, entities, right-to-left text and overrides, emoji and ZWJ sequences,
line and paragraph separators, padding and very long strings. Each answer is
either

- refused: the bake raises, nothing is left in the output folder or anywhere
  else, and when our pre-generation hook refused it, it printed exactly one
  `error:` line; or
- baked: every YAML and TOML file parses, the answer round-trips through the
  answers file, the front matter, the site config and the hooks' rendered
  Python, and (slow tier) the built site shows it as text.

Cookiecutter renders answers given on the command line as Jinja before any
hook runs. A syntax error there (`{% if %}`) raises inside cookiecutter, before
anything is written; that counts as a refusal only if nothing was written.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from conftest import (
    COOKIECUTTER_JSON,
    TEMPLATE,
    TODO_MARKER,
    BakedProject,
    bake_into,
    front_matter,
    phase_documents,
)
from cookiecutter.environment import StrictEnvironment
from cookiecutter.exceptions import FailedHookException
from hypothesis import HealthCheck, event, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: TOML files are not parsed
    tomllib = None

FIELDS = ("project_name", "description", "organisation", "owner_name")

# Pieces a baked answer may contain: syntax of YAML, TOML, Markdown, HTML and
# shells, scripts other than Latin, bidirectional controls, emoji sequences.
ACCEPTABLE = [
    '"',
    "'",
    "\\",
    ":",
    ": ",
    "#",
    " #",
    "- ",
    "? ",
    "|",
    ">",
    "&",
    "&amp;",
    "&#60;",
    "%",
    "@",
    "!",
    "*",
    "_",
    "`",
    "~",
    "[x](javascript:alert(1))",
    "{",
    "}",
    "{ {",
    "$HOME",
    "${x}",
    "$(id)",
    "<script>alert(1)</script>",
    "</script>",
    "<b>",
    "<!--",
    "-->",
    "Zürich",
    "crème brûlée",
    "Ørsted",
    "مرحبا بالعالم",
    "שלום עולם",
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\u2066",  # left-to-right isolate
    "\u00ad",  # soft hyphen
    "\ufeff",  # byte order mark
    "😀",
    "👩\u200d👩\u200d👧\u200d👦",  # family: ZWJ sequence
    "🏳\ufe0f\u200d🌈",  # rainbow flag: ZWJ sequence with a variation selector
    "🇪🇺",
    "需要予測",
    "Прогноз",
    "x",
    "Model",
    " ",
]
# Pieces that must make the bake refuse: line breaks and other control or
# separator characters, and template delimiters.
REFUSED = [
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\u0085",  # next line (NEL)
    "\u2028",  # line separator
    "\u2029",  # paragraph separator
    "{{ 7*7 }}",
    "{{ cookiecutter.project_slug }}",
    "{% if %}",
    "{% raw %}",
    "{# note #}",
    "}}",
    "%}",
    "#}",
    "{{",
    "{%",
]
acceptable_piece = st.sampled_from(ACCEPTABLE)
any_piece = st.one_of(
    st.sampled_from(ACCEPTABLE),
    st.sampled_from(REFUSED),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=4),
)
acceptable_text = st.lists(acceptable_piece, min_size=1, max_size=8).map("".join).map(str.strip)
any_text = st.builds(
    lambda left, middle, right: left + middle + right,
    st.sampled_from(["", "", " ", "  ", "\t"]),
    st.lists(any_piece, max_size=8).map("".join),
    st.sampled_from(["", "", " ", "\n"]),
)
long_text = st.builds(
    lambda unit, length: (unit * length)[:length],
    st.sampled_from(["a", "é", "😀", "ab cd ", "<b>&", "{{ 7*7 }}"]),
    st.integers(1001, 1500),
)
hostile_text = st.one_of(acceptable_text, any_text, long_text)


@st.composite
def hostile_answers(draw, fields=FIELDS) -> dict[str, str]:
    """Answers for some of the fields. Half the examples use acceptable pieces
    only, so that many bake; the rest mix in pieces that must be refused."""
    chosen = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=len(fields), unique=True))
    text = draw(st.sampled_from([acceptable_text, hostile_text]))
    return {field: draw(text) for field in chosen}


FAST = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The slow tier draws 160 examples in four parts with their own seeds, so that
# test workers can share them; `make test-hostile` (HOSTILE_SCALE 2 and more)
# draws 400, the run before a release.
THOROUGH_PARTS = 4
PER_PART = 100 if int(os.environ.get("HOSTILE_SCALE", "1")) >= 2 else 40
THOROUGH = settings(FAST, max_examples=PER_PART, derandomize=False)


# --- Baking one example ---------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
        for p in folder.rglob("*")
    }


class Bakery:
    """Bakes each example into a fresh output folder inside a fresh root, and
    records what the bake did to the root."""

    def __init__(self, config: Path, workdir: Path):
        self.config = config
        self.workdir = workdir
        self.count = itertools.count()
        self.last_root: Path | None = None

    def bake(self, answers: dict) -> tuple[Path | None, BaseException | None, Path]:
        if self.last_root is not None:  # the previous example has been checked
            shutil.rmtree(self.last_root)
        root = self.last_root = self.workdir / f"example-{next(self.count)}"
        output = root / "output"
        output.mkdir(parents=True)
        (root / "sibling.txt").write_text("must stay as it is\n", encoding="utf-8")
        before = snapshot(root)
        project = error = None
        try:
            project = bake_into(self.config, output, answers).path
        except Exception as exc:  # a refusal, checked by the caller
            error = exc
        after = snapshot(root)
        outside = {
            path: "changed" if path in before else "added"
            for path, content in after.items()
            if not path.startswith("output/") and before.get(path) != content
        }
        outside.update({path: "removed" for path in before if path not in after})
        assert outside == {}, f"the bake wrote outside its output folder: {outside}"
        return project, error, output


@pytest.fixture
def bakery(cookiecutter_config, tmp_path) -> Bakery:
    return Bakery(cookiecutter_config, tmp_path)


def replayed_context(config: Path) -> dict:
    """The context of the last bake, as cookiecutter saved it for replay."""
    replay_dir = Path(yaml.safe_load(config.read_text(encoding="utf-8"))["replay_dir"])
    return json.loads((replay_dir / f"{TEMPLATE.name}.json").read_text(encoding="utf-8"))


def rendered_hooks(context: dict) -> dict[str, str]:
    """The hooks' Python source, rendered as cookiecutter renders it."""
    env = StrictEnvironment(context=context, keep_trailing_newline=True)
    return {
        path.name: env.from_string(path.read_text(encoding="utf-8")).render(**context)
        for path in sorted((TEMPLATE / "hooks").glob("*.py"))
    }


def count_outcome(outcome: str) -> None:
    """Counted in `pytest --hypothesis-show-statistics`."""
    if currently_in_test_context():
        event(outcome)


def check_refused(project, error, output: Path, err: str) -> None:
    count_outcome(f"refused: {type(error).__name__}")
    assert project is None
    assert list(output.iterdir()) == [], "a refused bake left files behind"
    if isinstance(error, FailedHookException):
        # One `error:` line per problem, each named once.
        error_lines = [line for line in err.splitlines() if line.startswith("error: ")]
        assert error_lines, err
        assert len(error_lines) == len(set(error_lines)), err


def check_baked(project: Path, answers: dict, config: Path) -> None:
    count_outcome("baked")
    baked = BakedProject(project)
    recorded = yaml.safe_load(baked.read(".cookiecutter-answers.yaml"))["default_context"]
    for field, value in answers.items():
        assert recorded[field] == value, field
    for name in baked.files():
        if name.endswith((".yml", ".yaml")):
            yaml.safe_load(baked.read(name))
        elif name.endswith(".toml") and tomllib:
            tomllib.loads(baked.read(name))
        elif name.endswith(".md") and name.startswith("docs/"):
            front_matter(baked.read(name))
    owner = recorded["owner_name"]
    for document in phase_documents():
        assert baked.front_matter(document)["lifecycle"]["owner"] == owner
    config_yaml = yaml.safe_load(baked.read("mkdocs.yml"))
    assert html.unescape(config_yaml["site_name"]) == recorded["project_name"]
    # An empty description is left out of the site config (a marker stands in
    # for it on the overview).
    shown = html.unescape(config_yaml.get("site_description", ""))
    assert shown == recorded["description"].strip()
    # The template's placeholder organisation shows as the marker.
    organisation = recorded["organisation"]
    if organisation in ("", COOKIECUTTER_JSON["organisation"]):
        organisation = TODO_MARKER
    assert organisation in html.unescape(config_yaml["copyright"])
    context = replayed_context(config)
    for name, source in rendered_hooks(context).items():
        code = compile(source, name, "exec")
        namespace = {"__name__": "rendered_hook"}
        exec(code, namespace)  # defines functions only; main() is not called
        hook_answers = namespace["rendered_answers"]()
        for field, value in answers.items():
            assert hook_answers[field] == value, (name, field)


# --- Fast tier ----------------------------------------------------------------


def refused_or_data(bakery, capfd, answers: dict) -> None:
    """Bake one example and check it was refused cleanly or stayed data."""
    capfd.readouterr()
    project, error, output = bakery.bake(answers)
    err = capfd.readouterr().err
    if error is not None:
        check_refused(project, error, output, err)
    else:
        check_baked(project, answers, bakery.config)


@pytest.mark.fast_only  # `make test` draws the slow tier's 160 examples instead
@FAST
@given(answers=hostile_answers())
def test_hostile_answers_are_refused_or_stay_data(bakery, capfd, answers):
    refused_or_data(bakery, capfd, answers)


SLUG_ATTACKS = [
    "../escape",
    "../../escape",
    "..",
    ".",
    "/tmp/escape",
    "a/../../b",
    "..\\escape",
    "~/escape",
    "-rf",
    "x\x00y",
    "{{ '..' }}/x",
    "{{ '../' ~ 'x' }}",
    "nested/dir",
    " spaced ",
    "x" * 300,
]


@FAST
@given(
    slug=st.one_of(
        st.sampled_from(SLUG_ATTACKS),
        st.lists(st.sampled_from(["..", "/", "\\", ".", "x", "~", "-", " "]), max_size=8).map(
            "".join
        ),
    ),
    answers=hostile_answers(),
)
def test_no_answer_writes_outside_the_output_folder(bakery, slug, answers):
    """The project folder is one safe component inside the output folder,
    whatever the slug and the other answers; Bakery.bake fails the test if
    anything beside the output folder changes."""
    project, _, output = bakery.bake({**answers, "project_slug": slug})
    if project is None:
        assert list(output.iterdir()) == []
    else:
        assert project.parent == output
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", project.name)


KNOWN = {
    "jinja-expression": ({"project_name": "{{ 7*7 }}"}, "template delimiter"),
    "jinja-statement": ({"owner_name": "{% if %}"}, None),
    "jinja-undefined": ({"organisation": "{{ nothing.here }}"}, None),
    "jinja-in-url": ({"repo_url": "https://example.org/{{ 7*7 }}"}, "template delimiter"),
    "line-break": ({"description": "one\ntwo"}, "line break"),
    "nel": ({"organisation": "a\u0085b"}, "line break"),
    "padding": ({"owner_name": " Jane "}, "spaces"),
    "very-long": ({"description": "word " * 300 + "end"}, "the limit is 300"),
}


@pytest.mark.parametrize("answers, message", KNOWN.values(), ids=KNOWN.keys())
def test_known_hostile_answers_are_refused(bakery, capfd, answers, message):
    """Examples that must always be covered, whatever hypothesis draws."""
    capfd.readouterr()
    project, error, output = bakery.bake(answers)
    err = capfd.readouterr().err
    assert error is not None, f"{answers} was baked"
    check_refused(project, error, output, err)
    if message:
        assert isinstance(error, FailedHookException)
        assert message in next(line for line in err.splitlines() if line.startswith("error: "))


# --- Slow tier ----------------------------------------------------------------


def many_hostile_answers(part: int):
    @pytest.mark.slow
    @seed(part)
    @THOROUGH
    @given(answers=hostile_answers())
    def test(bakery, capfd, answers):
        refused_or_data(bakery, capfd, answers)

    return test


for _part in range(THOROUGH_PARTS):
    globals()[f"test_many_hostile_answers_are_refused_or_stay_data_{_part}"] = many_hostile_answers(
        _part
    )


def visible_text(page_html: str) -> str:
    """What a reader sees: scripts and styles dropped, tags removed, entities
    decoded, white space collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@pytest.mark.slow
@settings(FAST, max_examples=6)
@given(
    answers=st.fixed_dictionaries(
        {
            "project_name": acceptable_text.map(lambda text: f"Model {text}".strip()),
            "owner_name": acceptable_text,
        }
    )
)
@example(
    answers={
        "project_name": '<script>alert(1)</script> & Co: "x" #1 {x} *y*',
        "owner_name": "O'Brien \u202e😀 <b>&amp;",
    }
)
def test_hostile_answers_show_as_text_in_the_site(bakery, answers):
    project, error, _ = bakery.bake({**answers, "risk_level": "high"})
    assert error is None, error
    site = BakedProject(project).build()
    index = (site / "index.html").read_text(encoding="utf-8")
    shown = " ".join(answers["project_name"].split())
    assert shown in visible_text(index), "the name is missing or was turned into markup"
    owner = " ".join(answers["owner_name"].split())
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for value in answers.values():
            if "<" in value:
                assert value not in text, f"raw markup from an answer reached {page.name}"
    card = site / "04-building" / "model-card" / "index.html"
    assert owner in visible_text(card.read_text(encoding="utf-8"))


def test_hook_rendering_helper_matches_cookiecutter(bakery):
    """rendered_hooks() renders as cookiecutter does: the rendered pre-generation
    hook, run as a program, accepts the context of a successful bake."""
    import subprocess

    _, error, _ = bakery.bake({"project_name": "Plain"})
    assert error is None
    source = rendered_hooks(replayed_context(bakery.config))["pre_gen_project.py"]
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
