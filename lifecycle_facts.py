"""Example answers as data: one fact sheet per task kind, read once per bake.

`cookiecutter.json` lists `lifecycle_facts.Facts` in `_extensions`. It gives
the template's Jinja environment three things:

- `fact_sheet(task_kind, update_mode, risk_level, third_parties)`: the
  example system of this bake, as an `Examples` object, and the `examples`
  filter that fills a stub's references to it. A stub wraps its text in
  `{% filter examples(facts) %}` and writes `> *Example:* {model-card.intended-use}`
  where an example belongs; the text comes from `templates/facts/`, never
  from the stub. Plain text compiles to almost nothing, so a stub costs
  little to compile however many examples it has;
- `crosswalk(framework, third_parties, generative, risk_level, continual)`:
  the rows of the compliance crosswalk (`templates/crosswalk.yaml`) that
  apply to this bake, each with its links and its coverage level;
- `point_table(table_id, risk_level)`: the rows of one crosswalk table that a
  stub lists as well (the sources of the EU declaration of conformity, of the
  instructions for use, the provider's checklist), so that the documents and
  the crosswalk name the same section for each point;
- the `anchor` filter: the id MkDocs gives a heading (Python-Markdown's
  `toc` slugify), so links to sections resolve.

The data model (`templates/facts/fact-sheet.schema.json` holds the schema):

- `templates/facts/common.yaml` holds what every kind's system shares (the
  support desk, its people, contracts, suppliers); `<task kind>.yaml` holds
  one kind's system. The two are merged; a fact may live in only one of them.
- Facts that depend on an answer sit in a section per answer: `update_modes`,
  `risk_levels`, `suppliers` (per kind of third party, and `none`), `models`
  (`in-house`, or `with-base-model` when a pretrained model is used) and
  `serving_modes` (`online` or `batch`, which the kind's sheet chooses). An
  answer chooses which section applies; the stubs hold no branch for it.
- An example text names facts as `{path.to.fact}`: `{system.agents}`,
  `{REQ-010.target}`, `{supplier.data-providers.name}`. A placeholder that
  does not apply to the bake (a supplier it does not use, a requirement it
  does not have) stops the bake with an error, so an example cannot cite
  what the bake lacks.
- An example key lives in one place: in the examples of the sheets, or in one
  option's sections. Keys under `suppliers` are joined, one sentence per
  supplier the bake uses.
- Requirements carry their threshold and the measured result; the verdict
  and the list of failing requirements are derived, never written.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateError
from jinja2.ext import Extension

TASK_KINDS = (
    "classification",
    "regression",
    "forecasting",
    "ranking-recommendation",
    "clustering",
    "generative",
    "other",
)
UPDATE_MODES = ("periodic-retraining", "continual-learning", "static")
RISK_LEVELS = ("minimal", "limited", "high")
# The kinds of third party, in the order their sentences are joined; the
# `several` answer uses all of them.
SUPPLIER_KINDS = ("data-providers", "outsourced-development", "pretrained-models", "automl")
THIRD_PARTIES = ("none", *SUPPLIER_KINDS, "several")
SERVING_MODES = ("online", "batch")
# What the kind's system learns from: ticket texts, or counts made from them.
DATASET_FORMS = ("tickets", "counts")
# Option sections of a sheet: the values each is keyed by, and the name its
# facts take in an example's placeholders. A section's key may list several
# values ("minimal, limited"). A kind's sheet chooses its `serving` mode and
# its `dataset` form; `models`, `development`, `labelling` and
# `model_search` follow from `third_parties`: who provides the base model,
# builds the model, labels the data, searches for the model.
SECTIONS = {
    "update_modes": (UPDATE_MODES, "update"),
    "risk_levels": (RISK_LEVELS, "risk"),
    "serving_modes": (SERVING_MODES, "serving"),
    "datasets": (DATASET_FORMS, "dataset"),
    "models": (("in-house", "with-base-model"), "model"),
    "development": (("in-house", "contractor"), "development"),
    "labelling": (("in-house", "vendor"), "labelling"),
    "model_search": (("by-hand", "automl"), "search"),
    "suppliers": (("none", "any", *SUPPLIER_KINDS), "supplier"),
}
FACTS_FOLDER = "facts"
CROSSWALK_FILE = "crosswalk.yaml"
PLACEHOLDER = re.compile(r"\{([A-Za-z][\w-]*(?:\.[\w-]+)*)\}")
SENTENCE_START = re.compile(r"(?:\A|[.!?]\s+)\Z")
PLAIN_WORD = re.compile(r"[a-z]+\b(?![-_/.\d])")
WIDTH = 74  # an example's lines, after the "> " of the block quote
EN_DASH = "\u2013"  # between the ends of a range: 78 to 82 % is written "78" EN_DASH "82 %"
OPERATORS = {">=": ("≥", "at least"), "<=": ("≤", "at most"), "between": ("", "between")}


class FactError(TemplateError):
    """A fact sheet is inconsistent, or an example names a fact this bake lacks."""


# --- reading the data ----------------------------------------------------------


def _safe_loader() -> type:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=64)
def _parse(name: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_safe_loader())
    except yaml.YAMLError as error:
        raise FactError(f"{name} is not valid YAML: {error}") from error


def folder_reader(folder: Path) -> Callable[[str], Any]:
    """Read data files from the template's `templates/` folder (tests, tools)."""

    def read(name: str) -> Any:
        return _parse(name, (folder / name).read_text(encoding="utf-8"))

    return read


def loader_reader(environment: Any) -> Callable[[str], Any]:
    """Read data files where the bake's templates are: cookiecutter points the
    environment's loader at the template's `templates/` folder while baking."""
    fallback = folder_reader(Path(__file__).resolve().parent / "templates")

    def read(name: str) -> Any:
        loader = environment.loader
        if loader is None:
            return fallback(name)
        source, _, _ = loader.get_source(environment, name)
        return _parse(name, source)

    return read


def merge(base: dict, extra: dict, where: str) -> dict:
    """`base` and `extra` joined; a leaf that both define is an error, since
    a fact lives in one place (a list, such as `quantities`, is extended)."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in merged:
            merged[key] = value
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = merge(merged[key], value, f"{where}.{key}")
        elif isinstance(merged[key], list) and isinstance(value, list):
            merged[key] = merged[key] + value  # a list the kind extends
        else:
            raise FactError(f"{where}.{key} is defined in common.yaml and in the kind's sheet")
    return merged


def load_sheet(kind: str, read: Callable[[str], Any]) -> dict:
    """The fact sheet of one task kind, merged with the common facts."""
    if kind not in TASK_KINDS:
        raise FactError(f"no fact sheet for task kind {kind!r}")
    sheet = read(f"{FACTS_FOLDER}/{kind}.yaml")
    if not isinstance(sheet, dict) or sheet.get("kind") != kind:
        raise FactError(f"{FACTS_FOLDER}/{kind}.yaml must start with `kind: {kind}`")
    common = read(f"{FACTS_FOLDER}/common.yaml")
    return merge(common, sheet, kind)


# --- which facts apply ------------------------------------------------------------


def suppliers_in_play(third_parties: str) -> tuple[str, ...]:
    """The kinds of third party a `third_parties` answer brings in."""
    if third_parties == "several":
        return SUPPLIER_KINDS
    if third_parties in SUPPLIER_KINDS:
        return (third_parties,)
    return ()


def choices(sheet: dict, answers: dict) -> dict[str, tuple[str, ...]]:
    """For each option section, the values that apply to these answers."""
    suppliers = suppliers_in_play(answers["third_parties"])

    def either(kind: str, yes: str, no: str) -> tuple[str]:
        return (yes,) if kind in suppliers else (no,)

    return {
        "update_modes": (answers["update_mode"],),
        "risk_levels": (answers["risk_level"],),
        "serving_modes": (sheet["serving"],),
        "datasets": (sheet["dataset"],),
        "models": either("pretrained-models", "with-base-model", "in-house"),
        "development": either("outsourced-development", "contractor", "in-house"),
        "labelling": either("data-providers", "vendor", "in-house"),
        "model_search": either("automl", "automl", "by-hand"),
        "suppliers": ("any", *suppliers) if suppliers else ("none",),
    }


def section_bodies(sheet: dict, section: str, value: str) -> list[tuple[str, dict]]:
    """The parts of a sheet's section that apply to one value: its key may
    name several values, separated by commas."""
    found = []
    for key, body in (sheet.get(section) or {}).items():
        if value in [v.strip() for v in str(key).split(",")]:
            found.append((key, body or {}))
    return found


def applies(condition: dict | None, answers: dict) -> bool:
    """Whether an `only_if` condition holds: each option's answer is among
    the listed values; `supplier` names a kind of third party in play."""
    for option, allowed in (condition or {}).items():
        if option == "supplier":
            in_play = suppliers_in_play(answers["third_parties"])
            if not in_play if allowed == "any" else allowed not in in_play:
                return False
        elif answers[option] not in allowed:
            return False
    return True


def facts_of(section: dict | None) -> dict:
    """A section's facts, without its examples."""
    return {k: v for k, v in (section or {}).items() if k != "examples"}


# --- requirements -------------------------------------------------------------------


def number(text: str, where: str) -> float:
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        raise FactError(f"{where}: {text!r} is not a number") from None


def passes(op: str, threshold: Any, measured: float, where: str) -> bool:
    if op == ">=":
        return measured >= number(threshold, where)
    if op == "<=":
        return measured <= number(threshold, where)
    low, high = (number(t, where) for t in threshold)
    return low <= measured <= high


def requirement_facts(rid: str, spec: dict, render: Callable[[str, str], str]) -> dict:
    """A requirement's facts, with those derived from its threshold and
    measurement: target, result, verdict, definition."""
    where = f"requirement {rid}"
    facts = {k: v for k, v in spec.items() if k not in {"only_if"}}
    facts["id"] = rid
    unit = spec.get("unit", "{}")
    op = spec.get("op")
    if op:
        threshold = spec["threshold"]
        if op == "between":
            low, high = threshold
            shown = unit.replace("{}", f"{low}{EN_DASH}{high}")
            facts["target"] = shown
            facts["target_words"] = "between " + unit.replace("{}", f"{low} and {high}")
            facts["miss"] = f"outside {shown}"
        else:
            shown = unit.replace("{}", str(threshold))
            symbol, words = OPERATORS[op]
            facts["target"] = f"{symbol} {shown}"
            facts["target_words"] = f"{words} {shown}"
            facts["miss"] = ("below " if op == ">=" else "above ") + shown
        facts["threshold"] = shown
    if "measured" in spec:
        measured = render(str(spec["measured"]), where)
        facts["measured"] = measured
        facts["result"] = unit.replace("{}", measured)
        if op:
            ok = passes(op, spec["threshold"], number(measured, where), where)
            facts["verdict"] = "pass" if ok else "fail"
            facts["passes"] = ok
    if "earlier" in spec:
        facts["earlier"] = unit.replace("{}", str(spec["earlier"]))
    statement = spec.get("text")
    if statement is None:
        statement = f"{spec['metric']} {facts['target']} {spec['scope']}"
    facts["statement"] = statement
    facts["definition"] = f"{rid}: {statement} ({spec.get('priority', 'must')})"
    return facts


# --- placeholders --------------------------------------------------------------------


def lookup(namespace: dict, path: str) -> Any:
    value: Any = namespace
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
            if isinstance(value, functools.partial):  # a fact worked out when first named
                value = value()
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(path)
    return value


def fill(text: str, namespace: dict, where: str, depth: int = 0, prose: bool = False) -> str:
    """`text` with every `{path}` replaced by the fact it names; in `prose`,
    a fact that opens a sentence gets a capital."""
    if depth > 8:
        raise FactError(f"{where}: placeholders nest too deep")

    def replace(match: re.Match) -> str:
        path = match.group(1)
        try:
            value = lookup(namespace, path)
        except KeyError:
            raise FactError(f"{where}: {{{path}}} names a fact this bake does not have") from None
        if isinstance(value, (dict, list)):
            raise FactError(f"{where}: {{{path}}} is not a single fact")
        filled = fill(str(value), namespace, where, depth + 1)
        if prose and SENTENCE_START.search(text[: match.start()]):
            filled = capitalise(filled)
        return filled

    return PLACEHOLDER.sub(replace, text)


def capitalise(text: str) -> str:
    """A fact that opens a sentence starts with a capital, unless it opens
    with a name such as `support-tickets v3`."""
    return text[:1].upper() + text[1:] if PLAIN_WORD.match(text) else text


# --- one bake's examples -----------------------------------------------------------------


class Examples:
    """The example system of one bake: the facts that apply to its answers,
    and the example texts rendered from them."""

    def __init__(self, sheet: dict, answers: dict, read: Callable[[str], Any] | None = None):
        self.sheet = sheet
        self.answers = answers
        self.read = read
        self.chosen = choices(sheet, answers)
        self.namespace = self._namespace()
        self.sources = self._example_sources()

    # The facts ------------------------------------------------------------

    def _facts(self, section: str, value: str) -> dict:
        facts: dict = {}
        for key, body in section_bodies(self.sheet, section, value):
            facts = merge(facts, facts_of(body), f"{section}.{key}")
        return facts

    def _namespace(self) -> dict:
        sheet = self.sheet
        namespace: dict[str, Any] = {"kind": sheet["kind"], "system": sheet.get("system", {})}
        for section, (_, name) in SECTIONS.items():
            if section != "suppliers":
                namespace[name] = self._facts(section, self.chosen[section][0])
        namespace["supplier"] = {
            kind: self._facts("suppliers", kind)
            for kind in suppliers_in_play(self.answers["third_parties"])
        }
        if "pretrained-models" in namespace["supplier"]:
            namespace["base"] = sheet["base_model"]
        partial = dict(namespace)
        requirements = {
            rid: spec
            for rid, spec in sorted((sheet.get("requirements") or {}).items())
            if applies(spec.get("only_if"), self.answers)
        }
        for rid, spec in requirements.items():
            namespace[rid] = requirement_facts(
                rid, spec, lambda text, where: fill(text, partial, where)
            )
        namespace["failed"] = self._failed(namespace, requirements)
        if self.read is not None:
            # read from the crosswalk only by a bake whose examples name them
            namespace["gai_risks"] = functools.partial(gai_risk_list, self.read)
        return namespace

    def _failed(self, namespace: dict, requirements: dict) -> dict:
        """The requirements this bake's system fails, derived from their
        thresholds and measurements, and what was decided about each."""
        failing = [rid for rid in requirements if namespace[rid].get("passes") is False]
        sentences = []
        for rid in failing:
            if "decision" not in requirements[rid]:
                raise FactError(f"{rid} fails but the sheet records no decision about it")
            facts = namespace[rid]
            decision = fill(requirements[rid]["decision"], namespace, f"{rid} decision")
            sentences.append(
                f"{rid} ({facts['metric']} {facts['target']}, a “{facts.get('priority', 'must')}”)"
                f" came to {facts['result']}: {decision}."
            )
        none = fill(str(namespace["system"].get("none_failed", "None.")), namespace, "none_failed")
        return {
            "ids": ", ".join(failing) if failing else "none",
            "summary": " ".join(sentences) if sentences else none,
        }

    @property
    def requirements(self) -> list[dict]:
        """The requirements this bake has, in ID order."""
        return [v for k, v in self.namespace.items() if k.startswith("REQ-")]

    @property
    def suppliers(self) -> list[dict]:
        """The suppliers this bake uses, in SUPPLIER_KINDS order."""
        return [
            {
                "kind": kind,
                **{
                    key: fill(str(value), self.namespace, f"supplier {kind}.{key}")
                    for key, value in self.namespace["supplier"][kind].items()
                },
            }
            for kind in suppliers_in_play(self.answers["third_parties"])
        ]

    @property
    def hub(self) -> dict:
        """The Hugging Face card metadata of this kind's model and data."""
        return self.sheet.get("hub") or {}

    @property
    def signals(self) -> list[str]:
        """The task-specific signals the monitoring plan's table adds."""
        return list(self.sheet.get("monitoring_signals") or [])

    @property
    def gate_checks(self) -> list[str]:
        """The task-specific checks the update plan's release gate adds."""
        return list(self.sheet.get("gate_checks") or [])

    def get(self, path: str) -> str:
        """One fact, as text: `{{ facts.get("base.id") }}`."""
        return fill("{" + path + "}", self.namespace, f"fact {path}")

    # Where each example comes from ---------------------------------------

    def _example_sources(self) -> dict[str, list[tuple[str, str]]]:
        """Each example key of this bake, with the texts it joins and where
        each comes from. Only the sentences of several suppliers are joined;
        any other key must come from one place."""
        found: dict[str, list[tuple[str, str]]] = {}
        for key, text in (self.sheet.get("examples") or {}).items():
            found.setdefault(key, []).append(("examples", text))
        for section, values in self.chosen.items():
            for value in values:
                for part, body in section_bodies(self.sheet, section, value):
                    for key, text in (body.get("examples") or {}).items():
                        found.setdefault(key, []).append((f"{section}.{part}", text))
        joined = {f"suppliers.{kind}" for kind in SUPPLIER_KINDS}
        for key, texts in found.items():
            places = [place for place, _ in texts]
            if len(places) > 1 and not set(places) <= joined:
                raise FactError(
                    f"example {key!r} is defined in more than one place: {', '.join(places)}"
                )
        return found

    def text(self, *keys: str) -> str:
        """The example of each key, rendered and joined into one text."""
        parts = []
        for key in keys:
            if key not in self.sources:
                raise FactError(
                    f"example {key!r} is not defined for task kind {self.sheet['kind']!r} "
                    f"with these answers"
                )
            for place, text in self.sources[key]:
                parts.append(
                    fill(str(text), self.namespace, f"example {key} ({place})", prose=True)
                )
        return " ".join(part.strip() for part in parts if part.strip())

    def example(self, *keys: str) -> str:
        """One example answer as a quoted `*Example:*` block, wrapped."""
        return quote("*Example:* " + self.text(*keys))

    def questions(self, slot: str) -> list[dict]:
        """The questions this task kind adds at one place of a stub, each with
        its prompt and its example as quoted blocks."""
        asked = []
        for index, item in enumerate((self.sheet.get("questions") or {}).get(slot, [])):
            where = f"question {slot}[{index}]"
            asked.append(
                {
                    "prompt": quote(f"**{fill(item['ask'], self.namespace, where)}**", width=76),
                    "example": quote(
                        "*Example:* " + fill(item["example"], self.namespace, where, prose=True)
                    ),
                }
            )
        return asked


# References to examples in a stub's text, filled in by the `examples`
# filter: an example line, the questions a task kind adds, an inline text.
EXAMPLE_LINE = re.compile(r"^> \*Example:\* \{([a-z0-9.\- ]+)\}$", re.MULTILINE)
QUESTIONS_LINE = re.compile(r"\n\n\{questions: ([a-z0-9.\-]+)\}(?=\n|$)")
INLINE_TEXT = re.compile(r"\{text: ([a-z0-9.\-]+)\}")
LEFTOVER = re.compile(r"\{(?:questions|text): |^> \*Example:\* \{", re.MULTILINE)


def fill_references(text: str, examples: Examples) -> str:
    """A stub's rendered text with its references to examples replaced:
    `> *Example:* {key ...}` by the example (the keys' texts joined),
    `{questions: slot}` on a line of its own by the task kind's questions
    there (or nothing), `{text: key}` by the example's plain text."""

    def questions(match: re.Match) -> str:
        blocks = [
            f"{q['prompt']}\n{q['example']}\n\n==TODO==" for q in examples.questions(match.group(1))
        ]
        return "".join("\n\n" + block for block in blocks)

    text = EXAMPLE_LINE.sub(lambda m: examples.example(*m.group(1).split()), text)
    text = QUESTIONS_LINE.sub(questions, text)
    text = INLINE_TEXT.sub(lambda m: examples.text(m.group(1)), text)
    leftover = LEFTOVER.search(text)
    if leftover:
        line = text[leftover.start() : text.find("\n", leftover.start())]
        raise FactError(f"a reference to an example is malformed: {line!r}")
    return text


def quote(text: str, width: int = WIDTH) -> str:
    """A block quote, wrapped as Jinja's wordwrap filter wraps (greedily, never
    inside a word); textwrap does the same, at twice the cost per bake."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "> " + "\n> ".join([*lines, line] if line else lines)


@functools.lru_cache(maxsize=256)
def _examples(kind: str, update_mode: str, risk_level: str, third_parties: str, read) -> Examples:
    answers = {
        "task_kind": kind,
        "update_mode": update_mode,
        "risk_level": risk_level,
        "third_parties": third_parties,
    }
    for option, allowed in [
        ("update_mode", UPDATE_MODES),
        ("risk_level", RISK_LEVELS),
        ("third_parties", THIRD_PARTIES),
    ]:
        if answers[option] not in allowed:
            raise FactError(f"{option} {answers[option]!r} is not one of {', '.join(allowed)}")
    return Examples(load_sheet(kind, read), answers, read)


def examples_for(answers: dict, read: Callable[[str], Any]) -> Examples:
    """The example system for a bake with these answers."""
    return _examples(
        answers["task_kind"],
        answers["update_mode"],
        answers["risk_level"],
        answers["third_parties"],
        read,
    )


# --- every text a sheet holds, for the consistency tests --------------------------------


def section_texts(section: dict | None) -> Iterator[tuple[str, str]]:
    """(key, text) for the examples of a section."""
    for key, text in ((section or {}).get("examples") or {}).items():
        yield key, str(text)


def sheet_texts(sheet: dict) -> Iterator[tuple[str, str, str, str | None]]:
    """Every example text in a raw sheet: (where, key, text, option value or
    None), the option value naming the section it belongs to."""
    for key, text in (sheet.get("examples") or {}).items():
        yield "examples", key, str(text), None
    for slot, items in (sheet.get("questions") or {}).items():
        for index, item in enumerate(items):
            yield "questions", f"{slot}[{index}]", item["example"], None
    for rid, spec in (sheet.get("requirements") or {}).items():
        if "text" in spec:
            yield "requirements", rid, spec["text"], None
    for section in SECTIONS:
        for value, body in (sheet.get(section) or {}).items():
            for key, text in section_texts(body):
                yield section, key, text, value


# --- the crosswalk ---------------------------------------------------------------------------


# What a crosswalk row may depend on: the stub passes only these, so that the
# combinations the tests bake (tests/combinations.py) follow what it reads.
CROSSWALK_CONDITIONS = {
    "task_kind": {"generative"},
    "risk_level": {"limited", "high"},
    "update_mode": {"continual-learning"},
    "supplier": {"any", *SUPPLIER_KINDS},
}


def crosswalk_tables(read: Callable[[str], Any], framework_choice: str, answers: dict) -> list:
    """The crosswalk's frameworks for this choice, each with its tables and
    the rows, links and coverage that apply to these answers."""
    data = read(CROSSWALK_FILE)

    def holds(item: dict) -> bool:
        condition = item.get("only_if") or {}
        for option, allowed in condition.items():
            values = {allowed} if isinstance(allowed, str) else set(allowed)
            if option not in CROSSWALK_CONDITIONS or values - CROSSWALK_CONDITIONS[option]:
                raise FactError(f"crosswalk condition {condition} is not one the page passes")
        return applies(condition, answers)

    def row(item: dict) -> dict:
        coverage = item["coverage"]
        chosen = next((c for c in coverage if holds(c)), None)
        if chosen is None:
            raise FactError(f"crosswalk row {item['item']!r} has no coverage for these answers")
        return {
            **{k: v for k, v in item.items() if k not in {"where", "coverage", "only_if"}},
            "where": [link for link in item.get("where", []) if holds(link)],
            "level": chosen["level"],
            "note": chosen.get("note", ""),
        }

    return [
        {
            **{k: v for k, v in framework.items() if k != "tables"},
            "tables": [
                {
                    **{k: v for k, v in table.items() if k not in {"rows", "only_if"}},
                    "rows": [row(item) for item in table["rows"] if holds(item)],
                }
                for table in framework["tables"]
                if holds(table)
            ],
        }
        for framework in data["frameworks"]
        if framework_choice in ("all", framework["id"])
    ]


# The crosswalk tables a stub lists too, and the one answer their conditions
# may name: a stub reads no other option for them (tests/combinations.py).
POINT_TABLES = ("annex-v", "instructions-for-use", "article-16")


def point_rows(read: Callable[[str], Any], table_id: str, risk_level: str) -> list[dict]:
    """The rows of a crosswalk table that a stub lists, for a bake with this
    risk level: each point, what it asks, its fixed statement if any, and
    its links."""
    if table_id not in POINT_TABLES:
        raise FactError(f"{table_id!r} is not a table a stub lists ({', '.join(POINT_TABLES)})")
    answers = {"risk_level": risk_level}

    def holds(item: dict) -> bool:
        condition = item.get("only_if") or {}
        if set(condition) - {"risk_level"}:
            raise FactError(f"crosswalk table {table_id}: a condition may name risk_level only")
        return applies(condition, answers)

    for framework in read(CROSSWALK_FILE)["frameworks"]:
        for table in framework["tables"]:
            if table.get("id") == table_id:
                return [
                    {
                        "item": row["item"],
                        "asks": row.get("asks", ""),
                        "statement": row.get("statement", ""),
                        "where": [link for link in row["where"] if holds(link)],
                    }
                    for row in table["rows"]
                    if holds(row) and all(holds(c) for c in row["coverage"])
                ]
    raise FactError(f"{CROSSWALK_FILE} has no table {table_id!r}")


def gai_risk_list(read: Callable[[str], Any]) -> str:
    return "; ".join(gai_risks(read)) + "."


def gai_risks(read: Callable[[str], Any]) -> list[str]:
    """The twelve risks of NIST AI 600-1, from the crosswalk's table of them."""
    for framework in read(CROSSWALK_FILE)["frameworks"]:
        for table in framework["tables"]:
            if table.get("gai_risks"):
                return [row["item"] for row in table["rows"]]
    raise FactError(f"{CROSSWALK_FILE} has no table of the NIST AI 600-1 risks")


# --- headings ---------------------------------------------------------------------------------


def anchor(heading: str) -> str:
    """The id MkDocs gives a heading: Python-Markdown's toc slugify (ASCII
    letters, digits, underscores and hyphens; runs of spaces and hyphens
    become one hyphen)."""
    value = unicodedata.normalize("NFKD", str(heading)).encode("ascii", "ignore").decode()
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


# --- the Jinja extension -------------------------------------------------------------------


class Facts(Extension):
    """Give the template's environment the fact sheets, the crosswalk and
    the `anchor` filter."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        read = loader_reader(environment)

        def fact_sheet(task_kind: str, update_mode: str, risk_level: str, third_parties: str):
            return _examples(
                str(task_kind), str(update_mode), str(risk_level), str(third_parties), read
            )

        def crosswalk(framework, third_parties, generative, risk_level, continual) -> list:
            """The crosswalk for these answers. It reads only the answers the
            rows' conditions name (CROSSWALK_CONDITIONS)."""
            answers = {
                "task_kind": "generative" if generative else "",
                "risk_level": str(risk_level),
                "update_mode": "continual-learning" if continual else "",
                "third_parties": str(third_parties),
            }
            return crosswalk_tables(read, str(framework), answers)

        environment.globals["fact_sheet"] = fact_sheet
        environment.filters["examples"] = fill_references
        environment.globals["crosswalk"] = crosswalk
        environment.globals["point_table"] = lambda table_id, risk_level: point_rows(
            read, str(table_id), str(risk_level)
        )
        environment.filters["anchor"] = anchor
