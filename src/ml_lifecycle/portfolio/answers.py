"""What a project says about itself besides its documents: the answers it
was baked with, the address its site is published at, and its registration
data. Every file is read as `check` reads one: inside the project, bounded
in size, YAML screened before it is parsed.

- Answers: `.cookiecutter-answers.yaml` (`default_context:`), else the
  adoption record `.ml-lifecycle.json`, else `.cruft.json` (both
  `context: cookiecutter:`). Only text values of the known prompts are taken.
- Site: `site_url` of `mkdocs.yml`, or of the site an adoption record names
  (`docs/mkdocs.yml` in a cookiecutter-data-science project), when it is an
  http(s) address. Tags that MkDocs reads (`!ENV`, `!!python/name:`) are
  read as nothing.
- Registration: the optional `registration:` mapping of `lifecycle.yml`
  (annex_viii.py lists its keys); `check` does not read it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ml_lifecycle import limits
from ml_lifecycle.adopt.record import RECORD_FILE, RecordError, read_record
from ml_lifecycle.documents import as_text
from ml_lifecycle.evidence.sources import parse_json
from ml_lifecycle.vocabulary import PHASES_FILE
from ml_lifecycle.yaml_shared import load_shared

ANSWERS_FILE = ".cookiecutter-answers.yaml"
CRUFT_FILE = ".cruft.json"
SITE_CONFIG = "mkdocs.yml"
SITE_URL = "site_url"
REGISTRATION_KEY = "registration"
# The prompts a register shows; `role` is read when a template asks it.
ANSWER_KEYS = (
    "project_name",
    "description",
    "organisation",
    "owner_name",
    "owner_email",
    "repo_url",
    "task_kind",
    "update_mode",
    "risk_level",
    "role",
    "third_parties",
    "crosswalk",
    "publishing",
)
MAX_URL = 2_000


class IgnoringTags(limits.Loader):
    """The bounded loader, reading any tag it does not know as null."""


IgnoringTags.add_multi_constructor("", lambda loader, suffix, node: None)


def read_answers(root: Path) -> tuple[dict[str, str], list[str]]:
    """The project's answers by prompt, and a note for each answers file
    that exists but cannot be read."""
    notes: list[str] = []
    # The record before .cruft.json: an adopted repository's .cruft.json
    # holds the answers of the template it was first made from.
    readers = (
        (ANSWERS_FILE, _from_yaml),
        (RECORD_FILE, _from_context),
        (CRUFT_FILE, _from_context),
    )
    for name, reader in readers:
        path = root / name
        if not path.is_file() and not path.is_symlink():
            continue
        try:
            context = reader(limits.read_text(path, root))
        except (limits.Refused, yaml.YAMLError, ValueError, OSError) as exc:
            notes.append(f"{name} {_reason(exc)}")
            continue
        if context is not None:
            return _known(context), notes
        notes.append(f"{name} holds no answers")
    return {}, notes


def _reason(exc: Exception) -> str:
    if isinstance(exc, limits.Refused):
        return str(exc)
    if isinstance(exc, yaml.YAMLError):
        return "is not valid YAML"
    if isinstance(exc, UnicodeDecodeError):
        return "is not UTF-8 text"
    if isinstance(exc, OSError):
        return f"cannot be read: {exc.strerror or exc}"
    return str(exc)


def _from_yaml(text: str) -> dict | None:
    data = limits.load_yaml(text)
    context = data.get("default_context") if isinstance(data, dict) else None
    return context if isinstance(context, dict) else None


def _from_context(text: str) -> dict | None:
    data = parse_json(text)
    context = data.get("context") if isinstance(data, dict) else None
    answers = context.get("cookiecutter") if isinstance(context, dict) else None
    return answers if isinstance(answers, dict) else None


def _known(context: dict) -> dict[str, str]:
    """The known prompts' values, each as one line of text."""
    return {
        key: as_text(value)
        for key, value in context.items()
        if key in ANSWER_KEYS and isinstance(value, (str, int, float))
    }


def web_address(value: object) -> str:
    """An http(s) address to link to; empty for anything else."""
    text = as_text(value) if isinstance(value, str) else ""
    if len(text) > MAX_URL or " " in text:
        return ""
    return text if text.lower().startswith(("https://", "http://")) else ""


def site_config(root: Path) -> str:
    """The project's site configuration: where its adoption record says,
    else mkdocs.yml at the top."""
    try:
        return read_record(root).site or SITE_CONFIG
    except (FileNotFoundError, RecordError):
        return SITE_CONFIG  # read_answers notes a record it cannot read


def read_site_url(root: Path) -> tuple[str, list[str]]:
    """`site_url` of the project's site configuration, and a note when that
    file exists but cannot be read."""
    config = site_config(root)
    path = root / config
    if not path.is_file() and not path.is_symlink():
        return "", []
    try:
        text = limits.read_text(path, root)
        data = limits.load_yaml(_site_url_line(text) or text, IgnoringTags)
    except (limits.Refused, yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        return "", [f"{config} {_reason(exc)}"]
    return web_address(data.get("site_url") if isinstance(data, dict) else None), []


def _site_url_line(text: str) -> str:
    """The one top-level `site_url:` line of a config, when it is all the
    register needs to read (a plain value on one line); empty otherwise,
    and the whole file is read."""
    lines = [line for line in text.split("\n") if line.startswith(f"{SITE_URL}:")]
    if len(lines) != 1:
        return "" if lines else f"{SITE_URL}: ''"
    value = lines[0].split(":", 1)[1].split(" #", 1)[0].strip()
    plain = value and value[0] not in "|>&*!{[" and not value.startswith(("'", '"'))
    return lines[0] if plain or (value[:1] in "'\"" and value[-1:] == value[:1]) else ""


def read_registration(root: Path) -> tuple[dict, list[str]]:
    """The `registration:` mapping of lifecycle.yml (empty without one)."""
    try:
        data = load_shared(limits.read_text(root / PHASES_FILE, root))[0]
    except (limits.Refused, yaml.YAMLError, OSError, UnicodeDecodeError):
        return {}, []  # check reports what is wrong with lifecycle.yml
    found = data.get(REGISTRATION_KEY) if isinstance(data, dict) else None
    if found is None:
        return {}, []
    if not isinstance(found, dict):
        return {}, [f"{PHASES_FILE}: {REGISTRATION_KEY}: must map fields to values"]
    return found, []
