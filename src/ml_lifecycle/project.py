"""A project's `lifecycle.yml`: its phases, stage titles and settings, and
where its lifecycle documents are.

    docs: docs                   # the folder of the documents (default docs);
                                 # a sub-folder of a shared site's docs_dir,
                                 # e.g. docs/lifecycle, in an adopted repository
    phases:                      # the lifecycle, in order
      - number: 4                # what the release gate takes (1-5)
        id: building             # what documents name in `lifecycle.phase`
        folder: 04-building      # under `docs`; every .md in it is a document
        title: Building
        stage: design-development
    stages:                      # stage id -> title shown in the navigation
      design-development: Design & development
    settings:
      review_interval_days: 180  # for documents that set none
      requirement_prefix: REQ-   # requirement IDs are this and digits
      reader_view: auto          # auto | always | never (see vocabulary.py)
    evidence:                    # name -> source of cited values (evidence.py)
      eval: reports/eval.json    # a JSON or CSV file inside the project
      run: mlflow:runs:/0a1b2c   # an MLflow run (ml-lifecycle[mlflow])
    people:                      # who works on the record (identity.py, codeowners.py)
      - name: Dana Weber         # as documents name them (owner, approved_by)
        email: dana@example.org  # as git records their commits
        handle: dana-weber       # their user name on the forge (GitHub, GitLab)
        role: ML lead            # free text

Documents are not listed: each Markdown file in a phase folder is one. An
older `lifecycle.yml` may still list them per phase (`documents:`); the
checker then also reports a listed document that is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from ml_lifecycle import limits
from ml_lifecycle.limits import Loader, make_loader  # noqa: F401 (scripts/benchmark.py)
from ml_lifecycle.problem import Problem, conflict_problem, yaml_problem
from ml_lifecycle.vocabulary import (
    CROSS_CUTTING_ORDER,
    DEFAULT_REVIEW_INTERVAL,
    DOCS_DIR,
    EVIDENCE_FILE_KINDS,
    EVIDENCE_KEY,
    MLFLOW_PREFIX,
    PHASES_FILE,
    READER_VIEWS,
    REQUIREMENT_PREFIX,
)
from ml_lifecycle.yaml_shared import load_shared

# The key naming the folder of the documents, relative to lifecycle.yml.
DOCS_KEY = "docs"
# An evidence source's name, and an MLflow run id.
EVIDENCE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
# A forge user name as GitHub and GitLab both allow it (codeowners.py holds
# each forge's own rule); an email as git records it.
HANDLE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}")
EMAIL = re.compile(r"[^@\s<>]{1,200}@[^@\s<>.]{1,200}(\.[^@\s<>.]{1,200})+")
PEOPLE_KEY = "people"
PERSON_FIELDS = ("name", "email", "handle", "role")
MAX_PEOPLE = 500


@dataclass
class Phase:
    number: int
    id: str
    folder: str
    title: str
    stage: str = ""
    documents: list[dict] = field(default_factory=list)  # only in older lifecycle.yml
    line: int | None = None


@dataclass
class Person:
    """One of the people of the project (`people:` in lifecycle.yml)."""

    name: str
    email: str = ""
    handle: str = ""  # without its @
    role: str = ""
    line: int | None = None

    @property
    def identities(self) -> list[str]:
        """Every way a document, a command or git may name this person."""
        return [x for x in (self.name, self.email, self.handle and f"@{self.handle}") if x]


@dataclass
class Project:
    root: Path
    phases: list[Phase] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)
    review_interval_days: int = DEFAULT_REVIEW_INTERVAL
    requirement_prefix: str = REQUIREMENT_PREFIX
    reader_view: str = READER_VIEWS[0]
    # Evidence sources by name, as lifecycle.yml declares them (evidence.py),
    # and the artefacts read from them, once per check.
    evidence: dict[str, str] = field(default_factory=dict)
    artefacts: dict = field(default_factory=dict, repr=False)
    # The folder of the documents, relative to the root, as lifecycle.yml
    # names it (`docs:`): docs in a bake, a sub-folder of a shared site's
    # docs_dir in an adopted repository.
    docs_dir: str = DOCS_DIR
    people: list[Person] = field(default_factory=list)

    @property
    def docs(self) -> Path:
        return self.root / self.docs_dir

    def in_docs(self, path: str) -> str | None:
        """A project path (docs/04-building/model-card.md) as a path inside
        the documents' folder (04-building/model-card.md); None when it is
        not in it."""
        prefix = f"{self.docs_dir}/"
        return path[len(prefix) :] if path.startswith(prefix) else None

    def stage_title(self, stage: str) -> str:
        return self.stages.get(stage) or stage.replace("-", " ").capitalize()


def load_project(root: Path) -> tuple[Project, list[Problem]]:
    """The project at `root` as lifecycle.yml describes it, and any problem
    reading that file (the project then has no phases)."""
    project = Project(Path(root))
    path = project.root / PHASES_FILE
    try:
        text = limits.read_text(path, project.root)
    except FileNotFoundError:
        return project, [Problem(PHASES_FILE, None, "missing: it lists the phases")]
    except limits.Refused as exc:
        return project, [Problem(PHASES_FILE, None, str(exc), refused=True)]
    except (OSError, UnicodeDecodeError) as exc:
        return project, [Problem(PHASES_FILE, None, f"cannot be read: {exc}")]
    # An update that left markers here: say so, not what YAML makes of them.
    conflict = conflict_problem(PHASES_FILE, text, "file")
    if conflict is not None:
        return project, [conflict]
    try:
        data, node = load_shared(text)  # limits.load_yaml_node, once per distinct text
    except limits.Refused as exc:
        return project, [Problem(PHASES_FILE, None, str(exc), refused=True)]
    except yaml.YAMLError as exc:
        return project, [yaml_problem(PHASES_FILE, exc, 1, "the phase list")]
    entries = data.get("phases") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return project, [Problem(PHASES_FILE, 1, "must have a `phases:` list")]
    project.phases, problems = read_phases(entries, _entry_lines(node))
    project.docs_dir, found = docs_folder(data.get(DOCS_KEY, DOCS_DIR), project.root)
    problems += found
    stages = data.get("stages")
    if isinstance(stages, dict):
        project.stages = {str(key): str(value) for key, value in stages.items()}
    project.review_interval_days = _default_interval(data.get("settings"))
    problems += _review_settings(project, data.get("settings"))
    project.evidence, found = _evidence_sources(data.get(EVIDENCE_KEY), _key_line(node))
    project.people, listed = read_people(data.get(PEOPLE_KEY), _sequence_lines(node, PEOPLE_KEY))
    return project, problems + found + listed


def read_people(entries: object, lines: list[int]) -> tuple[list[Person], list[Problem]]:
    """The `people:` list: each a mapping with a name and, optionally, an
    email, a forge handle and a role. A bad entry is reported and left out."""
    if entries is None:
        return [], []
    if not isinstance(entries, list):
        message = f"{PEOPLE_KEY}: must be a list of people (name, email, handle, role)"
        return [], [Problem(PHASES_FILE, lines[0] if lines else None, message)]
    people, problems = [], []
    for index, entry in enumerate(entries[:MAX_PEOPLE]):
        line = lines[index] if index < len(lines) else None
        person, why = _person_from(entry, line)
        if why:
            problems.append(Problem(PHASES_FILE, line, f"{PEOPLE_KEY}: {why}"))
        else:
            people.append(person)
    if len(entries) > MAX_PEOPLE:
        message = f"{PEOPLE_KEY}: over {MAX_PEOPLE} people; the rest are not read"
        problems.append(Problem(PHASES_FILE, None, message))
    return people, problems


def _person_from(entry: object, line: int | None) -> tuple[Person | None, str]:
    if not isinstance(entry, dict):
        return None, "each entry needs a name, e.g. `- name: Dana Weber`"
    unknown = [str(key) for key in entry if key not in PERSON_FIELDS]
    if unknown:
        return None, f"{limits.brief(unknown[0])} is not one of {', '.join(PERSON_FIELDS)}"
    values = {}
    for key in PERSON_FIELDS:
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            return None, f"{key} must be text, not {limits.brief(value)}"
        text = " ".join((value or "").split())
        if any(ord(c) < 32 or ord(c) == 127 for c in value or ""):
            return None, f"{key} {limits.brief(value)} holds a control character"
        if len(text) > 200:
            return None, f"{key} is over 200 characters"
        values[key] = text
    if not values["name"]:
        return None, "each entry needs a name, e.g. `- name: Dana Weber`"
    handle = values["handle"].removeprefix("@")
    if handle and not HANDLE.fullmatch(handle):
        return None, (
            f"handle {limits.brief(values['handle'])} is not a forge user name: "
            "letters, digits, '-', '_' and '.'"
        )
    if values["email"] and not EMAIL.fullmatch(values["email"]):
        return None, f"email {limits.brief(values['email'])} is not an email address"
    return Person(values["name"], values["email"], handle, values["role"], line), ""


def _sequence_lines(node: yaml.Node | None, key: str) -> list[int]:
    """File lines of the entries of a top-level list."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for name, value in node.value:
        if name.value == key and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
        if name.value == key:
            return [name.start_mark.line + 1]
    return []


def docs_folder(value: object, root: Path) -> tuple[str, list[Problem]]:
    """The `docs:` folder as a relative POSIX path inside the project; the
    default, with a problem, when it is not one."""
    text = value.strip().replace("\\", "/").strip("/") if isinstance(value, str) else ""
    parts = text.split("/") if text else []
    plain = parts and all(part not in ("", ".", "..") and ":" not in part for part in parts)
    if plain and not any(ord(c) < 32 or ord(c) == 127 for c in text):
        folder = "/".join(parts)
        if not limits.is_inside(root / folder, root):
            message = f"{DOCS_KEY}: {limits.brief(folder)} leads outside the project: not read"
            return DOCS_DIR, [Problem(PHASES_FILE, None, message, refused=True)]
        return folder, []
    message = (
        f"{DOCS_KEY}: {limits.brief(value)} must be a folder inside the project, "
        "e.g. docs or docs/lifecycle"
    )
    return DOCS_DIR, [Problem(PHASES_FILE, None, message)]


def _evidence_sources(entries: object, line: int | None) -> tuple[dict[str, str], list[Problem]]:
    """The `evidence:` mapping: name -> a JSON or CSV path inside the project,
    or an MLflow run. A bad entry is reported and left out."""
    if entries is None:
        return {}, []
    if not isinstance(entries, dict):
        message = f"{EVIDENCE_KEY}: must map names to sources, e.g. `eval: reports/eval.json`"
        return {}, [Problem(PHASES_FILE, line, message)]
    sources, problems = {}, []
    for name, source in entries.items():
        why = _evidence_refusal(name, source)
        if why:
            message = f"{EVIDENCE_KEY}: {limits.brief(name)} {why}"
            problems.append(Problem(PHASES_FILE, line, message))
        else:
            sources[name] = source.strip()
    return sources, problems


def _evidence_refusal(name: object, source: object) -> str:
    """Why an evidence entry cannot be used; empty when it can."""
    if not isinstance(name, str) or not EVIDENCE_NAME.fullmatch(name):
        return "is not a name: use letters, digits, '-', '_' and '.'"
    if not isinstance(source, str) or not source.strip():
        return "needs a source: a JSON or CSV file, or mlflow:runs:/<run_id>"
    source = source.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in source):
        return f"source {limits.brief(source)} holds a control character: write a plain path"
    if source.startswith(MLFLOW_PREFIX):
        run = source[len(MLFLOW_PREFIX) :]
        return "" if EVIDENCE_NAME.fullmatch(run) else f"names no run: {limits.brief(source)}"
    path = PurePosixPath(source.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or ":" in source:
        return f"source {limits.brief(source)} must be a path inside the project"
    if path.suffix.lower() not in EVIDENCE_FILE_KINDS:
        kinds = " or ".join(EVIDENCE_FILE_KINDS)
        return f"source {limits.brief(source)} must be a {kinds} file, or mlflow:runs:/<run_id>"
    return ""


def _key_line(node: yaml.Node | None) -> int | None:
    """File line of the top-level `evidence:` key."""
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if key.value == EVIDENCE_KEY:
                return key.start_mark.line + 1
    return None


def read_phases(entries: list, lines: list[int]) -> tuple[list[Phase], list[Problem]]:
    phases, problems = [], []
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        phase = _phase_from(entry, line)
        if phase is None:
            message = "each phase needs a number, an id, a folder and a title"
            problems.append(Problem(PHASES_FILE, line, message))
        else:
            phases.append(phase)
    return phases, problems


def _default_interval(settings: object) -> int:
    value = settings.get("review_interval_days") if isinstance(settings, dict) else None
    valid = isinstance(value, int) and not isinstance(value, bool)
    valid = valid and 0 < value <= limits.MAX_REVIEW_INTERVAL
    return value if valid else DEFAULT_REVIEW_INTERVAL


def _review_settings(project: Project, settings: object) -> list[Problem]:
    """The requirement prefix and the reader's view; a bad value is reported
    and the default kept."""
    settings = settings if isinstance(settings, dict) else {}
    problems = []
    prefix = settings.get("requirement_prefix", REQUIREMENT_PREFIX)
    if isinstance(prefix, str) and prefix.strip() and not any(c.isspace() for c in prefix):
        project.requirement_prefix = prefix
    else:
        message = f"settings: requirement_prefix {prefix!r} must be text without spaces, e.g. REQ-"
        problems.append(Problem(PHASES_FILE, None, message))
    view = settings.get("reader_view", READER_VIEWS[0])
    if view in READER_VIEWS:
        project.reader_view = view
    else:
        message = f"settings: reader_view {view!r} is not one of {', '.join(READER_VIEWS)}"
        problems.append(Problem(PHASES_FILE, None, message))
    return problems


def _entry_lines(node: yaml.Node | None) -> list[int]:
    """File lines of the entries of the top-level `phases:` list."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "phases" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _phase_from(entry: object, line: int | None) -> Phase | None:
    if not isinstance(entry, dict):
        return None
    number, folder, documents = entry.get("number"), entry.get("folder"), entry.get("documents")
    documents = [] if documents is None else documents
    valid = (
        isinstance(number, int)
        and not isinstance(number, bool)
        and all(isinstance(entry.get(key), str) and entry[key] for key in ("id", "folder"))
        and isinstance(documents, list)
        and all(isinstance(d, dict) and isinstance(d.get("id"), str) for d in documents)
    )
    if not valid or "/" in folder or folder.startswith("."):
        return None
    title = str(entry.get("title") or entry["id"])
    stage = str(entry.get("stage") or "")
    return Phase(number, entry["id"], folder, title, stage, documents, line)


def find_documents(project: Project) -> list[tuple[Path, Phase | None]]:
    """Markdown files in the phase folders, in lifecycle order (by name within
    a folder), then every other file in the documents' folder that may carry a lifecycle
    block. Links out of the project are left out: see scan_docs."""
    return scan_docs(project)[0]


def scan_docs(project: Project) -> tuple[list[tuple[Path, Phase | None]], list[Problem]]:
    """find_documents, and a problem for each link under docs/ (to a page, a
    folder or an asset) whose real path is outside the project. The walk
    never follows such a link."""
    docs = project.docs
    files, outside = limits.walk_markdown(docs, project.root) if docs.is_dir() else ([], [])
    by_folder: dict[str, list[Path]] = {}
    for path in files:
        by_folder.setdefault(path.relative_to(docs).parts[0], []).append(path)
    found, seen = [], set()
    for phase in project.phases:
        for path in by_folder.get(phase.folder, []):
            if path not in seen:
                seen.add(path)
                found.append((path, phase))
    found += [(path, None) for path in files if path not in seen]
    problems = [
        Problem(
            path.relative_to(project.root).as_posix(),
            None,
            limits.outside_message(path, project.root),
            True,
        )
        for path in outside
    ]
    return found, problems


def cross_cutting_order(name: str) -> tuple[int, str]:
    """Sort key of a top-level page: the known records first, in their order."""
    known = CROSS_CUTTING_ORDER.index(name) if name in CROSS_CUTTING_ORDER else None
    return (len(CROSS_CUTTING_ORDER) if known is None else known, name)
