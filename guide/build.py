"""Generate the parts of the guide that the template itself defines.

The guide never copies what the template already says. This module bakes the
template with the cookiecutter API and writes, into a build folder
(build/guide/ unless GUIDE_BUILD_DIR or --out says otherwise):

- assets/lifecycle.svg, assets/lifecycle-narrow.svg, assets/lifecycle.css and lifecycle.js,
  exactly as a project ships them;
- figure.md, the figure as a project's overview shows it (a picture that
  stacks on narrow screens), its alt text the SVG's description;
- phases.md, the table of phases and documents, from cookiecutter.json's `_phases`;
- options.md, every prompt with its choices and their effect, from `__prompts__`,
  `_option_help` and `_choice_help`;
- stubs/<document>.md, each lifecycle document as a project gets it, rendered
  and as Markdown source, with the sections that depend on the answers;
- examples/credit-scoring/, the site of the high-risk worked example, built
  from examples/credit-scoring/ with the `lifecycle` plugin (guide/example.py),
  which the guide serves as it is;
- worked-examples/<phase folder>.md, the links from a phase page to that
  phase's documents in both worked examples.

Guide pages pull these in with pymdownx.snippets. guide/hooks.py runs this for
`mkdocs build` and `mkdocs serve`; other builders run it first:

    python -m guide.build [--out DIR] [--force] [--site SITE_DIR]

A builder that does not run MkDocs hooks (Zensical) builds the site and then
calls this with --site to add the figure and the stylesheet to it.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from guide import example
from ml_lifecycle import markdown_model as model

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = next(ROOT.glob("{{cookiecutter.*}}"))
PACKAGE = ROOT / "src" / "ml_lifecycle"  # its plugin renders the high-risk example
COOKIECUTTER = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
PHASES = COOKIECUTTER["_phases"]
STAGES = COOKIECUTTER["_stages"]
PROMPTS = COOKIECUTTER["__prompts__"]
DEFAULT_OUT = ROOT / "build" / "guide"
OUT_ENV = "GUIDE_BUILD_DIR"

# The bake whose documents the guide shows: the answers that switch on the
# most optional sections. task_kind stays at its default (classification),
# the kind of system the worked example describes.
SHOWN_ANSWERS = {
    "risk_level": "high",
    "third_parties": "several",
    "update_mode": "continual-learning",
    "crosswalk": "all",
    "publishing": "github-pages",
}
# The options that tailor the text of the lifecycle documents
# (docs/contributing.md); each of their choices is baked once to find out
# which sections depend on it.
TAILORING_OPTIONS = ("task_kind", "update_mode", "risk_level", "third_parties")
ASSETS = (
    "assets/lifecycle.svg",
    "assets/lifecycle-narrow.svg",
    "assets/lifecycle.css",
    "assets/lifecycle.js",
)
# The figure in a baked project's docs/index.md, an HTML block: the wide
# SVG, linked, with the stacked one as the source for narrow screens.
FIGURE_START = '<a href="assets/lifecycle.svg"><picture>'


# The guide's own pages around the derived sections, in navigation order.
NAV_HEAD = ({"Home": "index.md"}, {"The lifecycle": "lifecycle.md"})
NAV_TAIL = (
    {"Options": "options.md"},
    {"Working with a project": "working.md"},
    {"Adopting into an existing repository": "adopting.md"},
    {"A register of every system": "portfolio.md"},
    {"Updating from the template": "updating.md"},
    {"FAQ": "faq.md"},
    {"Contributing": "contributing.md"},
)
DOCS = ROOT / "docs"
# The limited-risk worked example's pages (docs/example/) and the high-risk
# example's site, as the guide serves it.
LIMITED_EXAMPLE = "example"
HIGH_RISK_PAGE = "example-high-risk.md"


class GuideBuildError(Exception):
    """The template could not be baked or read; the message says why."""


# --- the template's options -------------------------------------------------


def option_keys() -> list[str]:
    """The prompts in the order cookiecutter asks them."""
    return [key for key in COOKIECUTTER if not key.startswith("_")]


def choices(key: str) -> list[str]:
    value = COOKIECUTTER[key]
    return value if isinstance(value, list) else []


def question(key: str) -> str:
    prompt = PROMPTS.get(key, key)
    return prompt["__prompt__"] if isinstance(prompt, dict) else prompt


def choice_label(key: str, value: str) -> str:
    """The short label of a choice; the prompt shows it joined to the choice's help."""
    return COOKIECUTTER.get("_choice_labels", {}).get(key, {}).get(value, value)


def phase_page(phase: dict) -> str:
    """The guide page of a phase, relative to docs/."""
    return f"phases/{phase['folder']}.md"


def document_phase(doc_id: str) -> dict | None:
    for phase in PHASES:
        if any(doc["id"] == doc_id for doc in phase["documents"]):
            return phase
    return None


# --- the guide's navigation ---------------------------------------------------


def navigation(docs: Path = DOCS) -> list:
    """The guide's navigation, derived as the `lifecycle` plugin derives a
    project's: each stage with its phases in lifecycle order (from `_phases`),
    the worked example's documents in the same order, then the other pages.
    guide/hooks.py sets it for MkDocs; Zensical, which runs no hooks, orders
    the pages by their numbered file names instead."""
    phases = [
        {
            title: [
                {f"{phase['number']}. {phase['title']}": phase_page(phase)}
                for phase in PHASES
                if phase["stage"] == stage
            ]
        }
        for stage, title in STAGES.items()
    ]
    return [
        *NAV_HEAD,
        {"Phases": phases},
        {"Worked example": example_nav(docs)},
        {"Worked example: high risk": HIGH_RISK_PAGE},
        *NAV_TAIL,
    ]


def example_nav(docs: Path) -> list:
    """The worked example: its overview, each lifecycle document it has in
    lifecycle order, then its records across the lifecycle."""
    folder = docs / "example"
    documents = [
        {doc["title"]: f"example/{doc['id']}.md"}
        for phase in PHASES
        for doc in phase["documents"]
        if (folder / f"{doc['id']}.md").is_file()
    ]
    listed = {"index.md", *(Path(next(iter(entry.values()))).name for entry in documents)}
    records = sorted(p.name for p in folder.glob("*.md") if p.name not in listed)
    order = ("iteration-log.md", "responsibilities.md", "supplier-register.md")
    records.sort(key=lambda name: (order.index(name) if name in order else len(order), name))
    return ["example/index.md", *documents, *(f"example/{name}" for name in records)]


# --- baking -----------------------------------------------------------------


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence what the template's hooks print (they run as child processes,
    so the file descriptor is redirected, not only sys.stdout)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def full_answers(answers: dict) -> dict:
    """The answers with every unnamed option at its default."""
    defaults = {key: (choices(key) or [COOKIECUTTER[key]])[0] for key in option_keys()}
    return {**defaults, **answers}


@dataclass
class Bake:
    """One baked project and the answers it was baked with."""

    answers: dict
    path: Path

    def document(self, phase: dict, doc: dict) -> str | None:
        file = self.path / "docs" / phase["folder"] / f"{doc['id']}.md"
        return file.read_text(encoding="utf-8") if file.is_file() else None

    def differs_by_one(self, base: Bake) -> tuple[str, str] | None:
        """(option, value) when this bake differs from `base` in exactly one answer."""
        mine, theirs = full_answers(self.answers), full_answers(base.answers)
        changed = [key for key in mine if mine[key] != theirs[key]]
        return (changed[0], mine[changed[0]]) if len(changed) == 1 else None


def bake(answers: dict, output: Path) -> Bake:
    from cookiecutter.main import cookiecutter

    try:
        with quiet_stdout():
            project = cookiecutter(
                str(ROOT),
                no_input=True,
                extra_context=answers,
                output_dir=str(output),
                default_config=True,
            )
    except Exception as error:  # cookiecutter raises many unrelated types
        raise GuideBuildError(f"baking the template with {answers} failed: {error}") from error
    return Bake(answers, Path(project))


def variants_of(base: dict, skip: tuple[str, ...] = ()) -> list[dict]:
    """`base` changed in one tailoring option, for each choice it does not use."""
    current = full_answers(base)
    return [
        {**base, key: value}
        for key in TAILORING_OPTIONS
        if key not in skip
        for value in choices(key)
        if value != current[key]
    ]


def bases() -> list[dict]:
    """The default answers, and for each optional document the first answers
    that produce it."""
    result = [{}]
    for phase in PHASES:
        for doc in phase["documents"]:
            condition = {key: allowed[0] for key, allowed in doc.get("only_if", {}).items()}
            if condition not in result:
                result.append(condition)
    return result


def answer_sets() -> list[dict]:
    """Every bake the guide needs: the shown one, each base and its variants."""
    wanted = [dict(SHOWN_ANSWERS)]
    for base in bases():
        wanted += [base, *variants_of(base, skip=tuple(base))]
    unique: dict[tuple, dict] = {}
    for answers in wanted:
        unique.setdefault(tuple(sorted(full_answers(answers).items())), answers)
    return list(unique.values())


def bake_all(workdir: Path) -> tuple[Bake, list[Bake]]:
    """The shown bake and all bakes (the shown one included)."""
    bakes = [bake(answers, workdir / str(n)) for n, answers in enumerate(answer_sets())]
    return bakes[0], bakes


# --- reading Markdown (through the package's document model) ----------------


def split_front_matter(text: str) -> tuple[str, str]:
    parts = model.split_front_matter(text)
    return (parts[0], parts[1]) if parts else ("", text)


@dataclass(frozen=True)
class Section:
    path: tuple[str, ...]  # titles from the ## heading down
    text: str  # the heading and its own text, up to the next heading


def sections(body: str) -> list[Section]:
    """The ## and ### sections of a document body, in order."""
    page = model.parse(body, front_matter=False)
    headings = [h for h in page.headings if h.level in (2, 3)]
    result = []
    parents: dict[int, str] = {}
    for position, heading in enumerate(headings):
        parents[heading.level] = heading.text
        path = (heading.text,) if heading.level == 2 else (parents.get(2, ""), heading.text)
        end = headings[position + 1].index if position + 1 < len(headings) else len(page.lines)
        text = "\n".join(page.lines[heading.index : end]).strip()
        result.append(Section(path, text))
    return result


def title_of(text: str) -> str:
    return model.parse(text).title()


# --- rewriting a stub for the guide ------------------------------------------


def rewrite_links(body: str) -> str:
    """Links between a project's documents point, in the guide, to the phase
    page of the linked document; links to other project pages become text."""
    page = model.parse(body, front_matter=False)
    edits = []
    for link in page.links:
        target = link.target
        if link.start is None or re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        phase = document_phase(Path(target.split("#")[0]).stem)
        label = body[link.start + 1 : link.label_end]
        new = f"[{label}](../{phase_page(phase)})" if phase else label
        edits.append((link.start, link.end, new))
    for start, end, new in sorted(edits, reverse=True):
        body = body[:start] + new + body[end:]
    return body


def demote_headings(body: str, levels: int) -> str:
    """Drop the H1 and move every other heading down, so a stub shown inside a
    guide page neither repeats the page title nor fills its table of contents."""
    page = model.parse(body, front_matter=False)
    lines = list(page.lines)
    for heading in page.headings:
        line = lines[heading.index]
        if heading.level == 1:
            lines[heading.index : heading.stop] = [None] * (heading.stop - heading.index)
        elif heading.stop == heading.index + 1:  # an ATX heading: "## Title"
            text = line.lstrip(" ")[heading.level :]
            lines[heading.index] = "#" * min(6, heading.level + levels) + text
    kept = [line for line in lines if line is not None]
    return "\n".join(kept).strip("\n") + "\n"


def indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines()) + "\n"


def fence_for(text: str, char: str = "`") -> str:
    """A fence longer than any run of `char` in the text."""
    longest = run = 0
    for c in text:
        run = run + 1 if c == char else 0
        longest = max(longest, run)
    return char * max(3, longest + 1)


# --- what the answers change ---------------------------------------------------


def describe_answers(answers: dict) -> str:
    return ", ".join(f"`{key}` = {choice_label(key, value)}" for key, value in answers.items())


def option_link(key: str, link_prefix: str) -> str:
    return f"[`{key}`]({link_prefix}options.md#{key})"


def describe_condition(changes: list[tuple[str, str]], link_prefix: str) -> str:
    """'`risk_level`: High' style text for a list of (option, value) answers."""
    by_option: dict[str, list[str]] = {}
    for key, value in changes:
        by_option.setdefault(key, []).append(choice_label(key, value))
    return " or ".join(
        f"{option_link(key, link_prefix)}: {', '.join(labels)}" for key, labels in by_option.items()
    )


@dataclass
class Document:
    """One lifecycle document as every bake produced it."""

    phase: dict
    doc: dict
    shown: Bake
    bakes: list[Bake]

    @property
    def relative(self) -> str:
        return f"docs/{self.phase['folder']}/{self.doc['id']}.md"

    def text(self, bake_: Bake) -> str | None:
        return bake_.document(self.phase, self.doc)

    def sections(self, bake_: Bake) -> dict[tuple[str, ...], str] | None:
        text = self.text(bake_)
        if text is None:
            return None
        return {s.path: s.text for s in sections(split_front_matter(text)[1])}

    def base(self) -> Bake:
        """The bake closest to the defaults that has this document."""
        for candidate in self.bakes:
            answers = full_answers(candidate.answers)
            conditions = self.doc.get("only_if", {})
            if self.text(candidate) is not None and all(
                answers[key] == allowed[0] for key, allowed in conditions.items()
            ):
                others = {k: v for k, v in candidate.answers.items() if k not in conditions}
                if all(full_answers({})[k] == v for k, v in others.items()):
                    return candidate
        raise GuideBuildError(f"no bake produced {self.relative}")

    def variants(self, base: Bake) -> list[tuple[tuple[str, str], Bake]]:
        """Bakes that differ from `base` in one answer and have this document."""
        found = []
        for candidate in self.bakes:
            change = candidate.differs_by_one(base)
            if change and self.text(candidate) is not None:
                found.append((change, candidate))
        return found

    def condition(self, link_prefix: str) -> str:
        """A sentence when the default answers do not produce this document."""
        default = next(b for b in self.bakes if not b.answers)
        if self.text(default) is not None:
            return ""
        changes = [change for change, _ in self.variants(default)]
        if not changes:
            return "This document is only in projects baked with a combination of answers.\n\n"
        return (
            "This document is only in projects baked with "
            f"{describe_condition(changes, link_prefix)}.\n\n"
        )

    def section_table(self, link_prefix: str) -> str:
        """Which sections appear with which answers, and which change their
        prompts with an option (relative to the defaults, or to the first
        answers that produce the document)."""
        base = self.base()
        base_sections = self.sections(base) or {}
        shown = self.sections(self.shown) or {}
        variants = [(change, self.sections(b) or {}) for change, b in self.variants(base)]
        order = list(shown)
        for _, found in variants:
            order += [path for path in found if path not in order]
        rows = []
        for path in order:
            name = " / ".join(path) + ("" if path in shown else " (not in the stub shown)")
            if path in base_sections:
                missing = [change for change, found in variants if path not in found]
                varies = sorted(
                    {
                        change[0]
                        for change, found in variants
                        if path in found and found[path] != base_sections[path]
                    }
                )
                effect = "always"
                if missing:
                    effect += ", except with " + describe_condition(missing, link_prefix)
                if varies:
                    effect += "; its prompts change with " + ", ".join(
                        option_link(key, link_prefix) for key in varies
                    )
            else:
                appears = [change for change, found in variants if path in found]
                effect = (
                    "only with " + describe_condition(appears, link_prefix)
                    if appears
                    else "only with a combination of answers, such as the one shown"
                )
            rows.append(f"| {cell(name)} | {effect} |")
        return "| Section | In your project |\n| --- | --- |\n" + "\n".join(rows) + "\n"


# --- the generated snippets ----------------------------------------------------


def stub_snippet(document: Document) -> str:
    """A stub as the guide shows it, for a page in docs/phases/."""
    text = document.text(document.shown)
    if text is None:
        raise GuideBuildError(f"{document.relative} is missing from the bake with {SHOWN_ANSWERS}")
    front, body = split_front_matter(text)
    rendered = demote_headings(rewrite_links(body), 2)
    yaml_fence, md_fence = fence_for(front), fence_for(text)
    parts = [
        f"<!-- Generated by guide/build.py from {document.relative}; do not edit. -->\n\n",
        # The stub's own ## headings become ####: this h3 keeps the outline
        # free of skipped levels.
        "### The stub your project gets\n\n",
        document.condition("../"),
        f'??? example "The stub as baked: `{document.relative}`"\n\n',
        f"    Baked with {describe_answers(SHOWN_ANSWERS)}, and the defaults otherwise.\n\n",
        '    === "Rendered"\n\n',
        indent(f"Front matter:\n\n{yaml_fence}yaml\n{front}{yaml_fence}\n\n{rendered}", 8),
        '\n    === "Markdown source"\n\n',
        indent(f"{md_fence}markdown\n{text.rstrip()}\n{md_fence}", 8),
        '\n    === "What your answers change"\n\n',
        indent(document.section_table("../"), 8),
    ]
    return "".join(parts)


def options_snippet(default_answers: dict) -> str:
    """Every prompt, its default, its choices and their effect."""
    out = ["<!-- Generated by guide/build.py from cookiecutter.json; do not edit. -->\n"]
    option_help = COOKIECUTTER.get("_option_help", {})
    choice_help = COOKIECUTTER.get("_choice_help", {})
    for key in option_keys():
        raw = COOKIECUTTER[key]
        out.append(f"\n## {question(key)} {{ #{key} }}\n\n")
        if isinstance(raw, list):
            default = f"{choice_label(key, raw[0])} ({typed(raw[0])})"
        elif "{{" in str(raw):
            default = f"derived: `{default_answers.get(key, '')}` for the default answers"
        elif raw == "":
            default = "empty"
        else:
            default = f"`{raw}`"
        out.append(f"Answer key {typed(key)}; default: {default}.\n\n")
        if option_help.get(key):
            out.append(f"{option_help[key]}\n")
        if isinstance(raw, list):
            out.append("\n| Choice | Value | Effect |\n| --- | --- | --- |\n")
            for index, value in enumerate(raw):
                label = choice_label(key, value) + (" (default)" if index == 0 else "")
                effect = choice_help.get(key, {}).get(value, "")
                out.append(f"| {cell(label)} | {typed(value)} | {cell(effect)} |\n")
    return "".join(out)


def typed(value: str) -> str:
    """A value a reader types, as code the page never breaks mid-word."""
    return f"`{value}`{{ .typed }}"


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def phases_snippet() -> str:
    """The phases, their stage, what each establishes and its documents."""
    rows = []
    for phase in PHASES:
        docs = []
        for doc in phase["documents"]:
            condition = doc.get("only_if", {})
            note = "; ".join(
                f"only with `{key}` = " + ", ".join(choice_label(key, v) for v in allowed)
                for key, allowed in condition.items()
            )
            docs.append(doc["title"] + (f" ({note})" if note else ""))
        rows.append(
            f"| {phase['number']} | [{phase['title']}]({phase_page(phase)}) "
            f"| {STAGES[phase['stage']]} | {cell(phase['establishes'])} | {'; '.join(docs)} |"
        )
    header = (
        "| # | Phase | Stage | What it establishes | Document(s) |\n"
        "| --- | --- | --- | --- | --- |\n"
    )
    return "<!-- Generated by guide/build.py from cookiecutter.json; do not edit. -->\n\n" + (
        header + "\n".join(rows) + "\n"
    )


def figure_snippet(index: str, svg: str) -> str:
    """The figure as a baked project's overview (`index`) shows it, with the
    SVG's own description as alt text. It is raw HTML: its links name the
    assets from docs/, and guide/hooks.py points them at the right place from
    pages below the root."""
    page = model.parse(index)
    block = next((b for b in page.blocks if page.lines[b.start].startswith(FIGURE_START)), None)
    if block is None:
        raise GuideBuildError("the baked docs/index.md has no lifecycle figure")
    figure = "\n".join(page.lines[block.start : block.end]) + "\n"
    root = ElementTree.fromstring(svg)
    desc = root.find("{http://www.w3.org/2000/svg}desc")
    alt = " ".join((desc.text or "").split()) if desc is not None else "The ML lifecycle"
    return re.sub(r' alt="[^"]*"', lambda _: f' alt="{html.escape(alt)}"', figure)


# --- the build ------------------------------------------------------------------


def fingerprint() -> str:
    """Hash of everything the generated files depend on."""
    digest = hashlib.sha256()
    sources = [ROOT / "cookiecutter.json", Path(__file__), ROOT / "guide" / "example.py"]
    folders = (TEMPLATE_DIR, ROOT / "templates", ROOT / "hooks", example.FOLDER, PACKAGE)
    for folder in folders:
        sources += sorted(
            p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def output_dir(out: str | os.PathLike | None = None) -> Path:
    return Path(out or os.environ.get(OUT_ENV) or DEFAULT_OUT).resolve()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def locked(target: Path) -> Iterator[None]:
    """One generator at a time per output folder (tests build in parallel)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def generate(out: str | os.PathLike | None = None, force: bool = False) -> Path:
    """Write the generated snippets and assets into `out`; skip the work when
    nothing they depend on has changed since the last run."""
    target = output_dir(out)
    with locked(target):
        stamp = target / ".fingerprint"
        key = fingerprint()
        if not force and stamp.is_file() and stamp.read_text(encoding="utf-8") == key:
            return target
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            with tempfile.TemporaryDirectory(prefix="guide-bakes-") as workdir:
                shown, bakes = bake_all(Path(workdir))
                fill(staging, shown, bakes)
                documents = build_example(Path(workdir) / "example", staging)
            write_example_links(staging, documents)
            write(staging / ".fingerprint", key)
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def fill(out: Path, shown: Bake, bakes: list[Bake]) -> None:
    default = next(b for b in bakes if not b.answers)
    for asset in ASSETS:
        source = default.path / "docs" / asset
        if not source.is_file():
            raise GuideBuildError(f"the baked project has no docs/{asset}")
        (out / asset).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / asset)
    index = (default.path / "docs" / "index.md").read_text("utf-8")
    svg = (out / "assets/lifecycle.svg").read_text("utf-8")
    write(out / "figure.md", figure_snippet(index, svg))
    write(out / "phases.md", phases_snippet())
    answers_file = default.path / ".cookiecutter-answers.yaml"
    answers = {}
    if answers_file.is_file():
        answers = (yaml.safe_load(answers_file.read_text("utf-8")) or {}).get("default_context", {})
    write(out / "options.md", options_snippet(answers))
    for phase in PHASES:
        for doc in phase["documents"]:
            document = Document(phase, doc, shown, bakes)
            write(out / "stubs" / f"{doc['id']}.md", stub_snippet(document))


# --- the worked examples ----------------------------------------------------------


def build_example(workdir: Path, out: Path) -> list[str]:
    """Build the high-risk example's site into out/examples/credit-scoring/;
    its lifecycle documents, as paths under docs/."""
    try:
        project = example.assemble(workdir)
        example.build_site(project, out / example.SITE_PATH, example.today())
    except (example.ExampleError, GuideBuildError) as error:
        raise GuideBuildError(f"the high-risk example: {error}") from error
    docs = project / "docs"
    return sorted(p.relative_to(docs).as_posix() for p in docs.glob("[0-9][0-9]-*/*.md"))


def example_links(phase: dict, high_risk: list[str], docs: Path = DOCS) -> str:
    """The sentence a phase page shows: the phase's documents in each worked
    example, linked from docs/phases/."""
    titles = {doc["id"]: doc["title"] for doc in phase["documents"]}
    limited = [
        f"[{titles[doc_id]}](../{LIMITED_EXAMPLE}/{doc_id}.md)"
        for doc_id in titles
        if (docs / LIMITED_EXAMPLE / f"{doc_id}.md").is_file()
    ]
    high = [
        f"[{titles[Path(path).stem]}](../{example.SITE_PATH}/{path.removesuffix('.md')}/index.html)"
        for path in high_risk
        if path.startswith(f"{phase['folder']}/") and Path(path).stem in titles
    ]
    parts = []
    if limited:
        about = f"../{LIMITED_EXAMPLE}/index.md"
        parts.append(f"limited risk ([about it]({about})): " + ", ".join(limited))
    if high:
        parts.append(f"high risk ([about it](../{HIGH_RISK_PAGE})): " + ", ".join(high))
    return "**Worked examples**: " + "; ".join(parts) + ".\n" if parts else ""


def answers_table(answers: dict) -> str:
    """The answers the high-risk example was baked with, as a table."""
    rows = [f"| `{key}` | {cell(str(value))} |" for key, value in answers.items()]
    return (
        "<!-- Generated by guide/build.py from examples/credit-scoring/project.yml. -->\n\n"
        "| Option | Answer |\n| --- | --- |\n" + "\n".join(rows) + "\n"
    )


def write_example_links(out: Path, high_risk: list[str]) -> None:
    answers = answers_table(example.settings()["answers"])
    write(out / "worked-examples" / "high-risk-answers.md", answers)
    for phase in PHASES:
        text = "<!-- Generated by guide/build.py from both worked examples; do not edit. -->\n\n"
        path = out / "worked-examples" / f"{phase['folder']}.md"
        write(path, text + example_links(phase, high_risk))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the guide's build-time content.")
    parser.add_argument("--out", help=f"output folder (default: ${OUT_ENV} or build/guide)")
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    parser.add_argument(
        "--site",
        help="also copy the figure and stylesheet into this built site, for builders that "
        "do not run guide/hooks.py (e.g. Zensical)",
    )
    args = parser.parse_args(argv)
    try:
        target = generate(args.out, force=args.force)
    except GuideBuildError as error:
        print(f"guide: {error}", file=sys.stderr)
        return 1
    print(f"guide: generated content in {target}")
    if args.site:
        copy_assets(target, Path(args.site))
        print(f"guide: copied {', '.join(ASSETS)} and the high-risk example into {args.site}")
    return 0


def copy_assets(generated: Path, site: Path) -> None:
    for asset in ASSETS:
        (site / asset).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(generated / asset, site / asset)
    shutil.copytree(generated / example.SITE_PATH, site / example.SITE_PATH, dirs_exist_ok=True)


def example_files(generated: Path) -> list[str]:
    """The high-risk example's built site, as paths the guide serves it under."""
    base = generated / example.SITE_PATH
    return sorted(
        f"{example.SITE_PATH}/{path.relative_to(base).as_posix()}"
        for path in base.rglob("*")
        if path.is_file()
    )


if __name__ == "__main__":
    sys.exit(main())
